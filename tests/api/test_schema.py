"""Every answer of the API, good or bad, matches the OpenAPI schema it publishes at /api/schema/:
each endpoint is called as a token holder, as the public, with a bad filter, an unknown token and
past its rate, and the body is validated (jsonschema) against the schema's response for that status.
Objects are closed (no property the schema does not name), so an undocumented field fails too."""
import copy

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource



def _json_schema(node):
    """OpenAPI 3.0's dialect → JSON Schema: `nullable` becomes a null alternative; objects are closed."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def openapi(client, db):
    schema = client.get("/api/schema/?format=json").json()
    components = _json_schema(copy.deepcopy(schema["components"]))
    registry = Registry().with_resource("urn:api", Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": components}))
    return schema, registry


def _validate(openapi, template, status, body):
    schema, registry = openapi
    response = schema["paths"][template]["get"]["responses"][str(status)]
    shape = _json_schema(copy.deepcopy(response["content"]["application/json"]["schema"]))
    shape = _rebase(shape)
    errors = sorted(Draft202012Validator(shape, registry=registry).iter_errors(body), key=str)
    assert not errors, f"{template} {status}: " + "; ".join(e.message for e in errors[:5])


def _rebase(node):
    """Point `#/components/...` at the registered document."""
    if isinstance(node, list):
        return [_rebase(n) for n in node]
    if isinstance(node, dict):
        return {k: ("urn:api" + v if k == "$ref" and v.startswith("#/components/") else _rebase(v)) for k, v in node.items()}
    return node


ENDPOINTS = ["/api/v1/plans/", "/api/v1/plan-items/", "/api/v1/agencies/", "/api/v1/cycles/", "/api/v1/reports/",
             "/api/v1/indicators/", "/api/v1/cycles/{cycle_id}/official-report/"]


def test_the_schema_lists_exactly_the_endpoints_exercised_here(openapi):
    assert sorted(openapi[0]["paths"]) == sorted(ENDPOINTS)


def test_every_answer_validates_against_the_schema(api_scene, api_key, client, settings, openapi):
    w = api_scene
    national = api_key(w.reviewer)
    checked = set()
    for template in ENDPOINTS:
        url = template.replace("{cycle_id}", str(w.cycle.pk))
        cases = [(national, {}), (None, {}), ("no-such-token", {}), (national, {"page": 99}),
                 (national, {"updated_since": "không phải ngày"})]
        for key, params in cases:
            headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
            response = client.get(url, params, **headers)
            assert response["Content-Type"] == "application/json", (url, response.status_code)
            if str(response.status_code) not in openapi[0]["paths"][template]["get"]["responses"]:
                pytest.fail(f"{template}: status {response.status_code} is not in the schema")
            _validate(openapi, template, response.status_code, response.json())
            checked.add((template, response.status_code))
        if template.startswith("/api/v1/cycles/{"):
            response = client.get(template.replace("{cycle_id}", "999999"), HTTP_AUTHORIZATION=f"Token {national}")
            _validate(openapi, template, response.status_code, response.json())
            checked.add((template, response.status_code))
    settings.API_RATE_PER_MINUTE = 0
    throttled = client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {national}")
    _validate(openapi, "/api/v1/reports/", 429, throttled.json())
    # Every list answered 200, 401 and 404 at least once, and reports and cycles 400.
    for template in ENDPOINTS:
        assert {200, 401, 404} <= {s for t, s in checked if t == template}, template
    assert ("/api/v1/reports/", 400) in checked and ("/api/v1/cycles/", 400) in checked


def test_the_public_report_shape_is_in_the_schema_too(api_scene, client, openapi):
    body = client.get("/api/v1/reports/").json()
    assert body["count"] == 2
    _validate(openapi, "/api/v1/reports/", 200, body)


def test_the_validation_here_catches_an_undocumented_field(api_scene, api_key, client, openapi):
    w = api_scene
    body = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {api_key(w.reviewer)}").json()
    body["results"][0]["secret"] = "x"
    with pytest.raises(AssertionError, match="secret"):
        _validate(openapi, "/api/v1/plans/", 200, body)


def test_the_schema_is_valid_openapi_and_generated_without_warnings(tmp_path, db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/cycles/{cycle_id}/official-report/" in (tmp_path / "schema.yaml").read_text()
