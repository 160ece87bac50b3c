"""What each endpoint answers: the portal's visibility through a token's scope, the public's
published accepted figures without one, filters, `updated_since`, stable order, JSON errors."""
import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import Succession
from reporting.models import Report

from tests.conftest import API_PDF


def get(client, url, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    return client.get(url, params, **headers)


def codes(response):
    return sorted(r["item"]["code"] for r in response.json()["results"])


def test_an_officer_sees_their_agencys_reports_with_texts_and_evidence_metadata(api_scene, api_key, client):
    w = api_scene
    body = get(client, "/api/v1/reports/", api_key(w.officer_a)).json()
    assert body["count"] == 3
    first = next(r for r in body["results"] if r["item"]["code"] == "1.1.1")
    assert first["results"] == "Kết quả của A"
    assert first["evidence"] == [{"id": first["evidence"][0]["id"], "name": "bien-ban.pdf",
                                  "content_type": "application/pdf", "size": len(API_PDF), "sha256": "a" * 64,
                                  "uploaded_at": first["evidence"][0]["uploaded_at"]}]


def test_the_public_sees_accepted_reports_of_published_plans_as_figures_only(api_scene, client):
    w = api_scene
    response = get(client, "/api/v1/reports/")
    assert codes(response) == ["1.1.1", "1.2.1"]
    row = response.json()["results"][0]
    assert "results" not in row and "funds_local" not in row and "evidence" not in row
    w.plan.public_enabled = False
    w.plan.save()
    assert get(client, "/api/v1/reports/").json()["count"] == 0
    assert get(client, "/api/v1/plans/").json()["count"] == 0


def test_a_token_scoped_to_another_jurisdiction_sees_nothing_of_its_users_province(api_scene, api_key, client):
    w = api_scene
    other = w.foreign_reviewer.jurisdiction_roles.get().jurisdiction
    key = api_key(w.reviewer, other)
    for url in ("/api/v1/reports/", "/api/v1/plans/", "/api/v1/plan-items/", "/api/v1/agencies/", "/api/v1/cycles/",
                "/api/v1/indicators/"):
        assert get(client, url, key).json()["count"] == 0, url
    assert get(client, f"/api/v1/cycles/{w.cycle.pk}/official-report/", key).status_code == 404


def test_reports_filter_by_plan_year_agency_state_and_cycle(api_scene, api_key, client):
    w = api_scene
    key = api_key(w.reviewer)
    assert codes(get(client, "/api/v1/reports/", key, state="accepted")) == ["1.1.1", "1.2.1"]
    assert codes(get(client, "/api/v1/reports/", key, agency=w.agency_b.pk)) == ["1.2.1"]
    assert get(client, "/api/v1/reports/", key, year=2026, plan="bd-396", cycle=w.cycle.pk).json()["count"] == 4
    assert get(client, "/api/v1/reports/", key, year=2019).json()["count"] == 0
    assert get(client, "/api/v1/reports/", key, plan="khong-co").json()["count"] == 0


def test_updated_since_takes_a_plus_left_unencoded_and_a_bare_time_as_vietnams(world, api_key, client):
    key = api_key(world.reviewer)
    Report.objects.update(updated_at=dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.timezone.utc))  # 08:30 in Vietnam
    for since, count in (("2026-11-30T08:30:00+07:00", 4), ("2026-11-30T08:31:00+07:00", 0),
                         ("2026-11-30T08:30:00", 4), ("2026-11-30T08:31:00", 0)):
        url = f"/api/v1/reports/?updated_since={since}"  # "+" unencoded: the server reads a space
        assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}").json()["count"] == count, since


def test_updated_since_returns_changes_in_updated_at_then_id_order(api_scene, api_key, client):
    w = api_scene
    key = api_key(w.reviewer)
    Report.objects.update(updated_at=timezone.now() - dt.timedelta(days=3))
    mark = timezone.now() - dt.timedelta(days=1)
    changed = w.report_of(w.agency_b, "1.2.1")
    changed.percent_complete = 99
    changed.save()
    since = get(client, "/api/v1/reports/", key, updated_since=mark.isoformat())
    assert [r["id"] for r in since.json()["results"]] == [changed.pk]
    everything = get(client, "/api/v1/reports/", key, updated_since="2020-01-01").json()["results"]
    order = [(r["updated_at"], r["id"]) for r in everything]
    assert order == sorted(order) and everything[-1]["id"] == changed.pk


def test_plans_items_and_agencies_changed_since_a_time_come_from_their_history(api_scene, api_key, client):
    from agencies.models import Agency
    from tasks.models import Plan, PlanItem

    w = api_scene
    key = api_key(w.reviewer)
    old = timezone.now() - dt.timedelta(days=3)
    for model in (Plan, PlanItem, Agency, Succession):
        model.history.update(history_date=old)
    mark = (timezone.now() - dt.timedelta(days=1)).isoformat()
    for url in ("/api/v1/plans/", "/api/v1/plan-items/", "/api/v1/agencies/"):
        assert get(client, url, key, updated_since=mark).json()["count"] == 0, url
    item = w.plan.items.get(code="1.2.1")
    item.title = "Hoạt động của B (sửa)"
    item.save()
    w.plan.save()
    w.agency_s.save()
    assert [i["code"] for i in get(client, "/api/v1/plan-items/", key, updated_since=mark).json()["results"]] == ["1.2.1"]
    assert get(client, "/api/v1/plans/", key, updated_since=mark).json()["count"] == 1
    assert [a["id"] for a in get(client, "/api/v1/agencies/", key, updated_since=mark).json()["results"]] == [w.agency_s.pk]
    # A new succession brings both its agencies back.
    Succession.objects.create(predecessor=w.agency_b, successor=w.agency_s, effective_on=dt.date(2026, 7, 1))
    ids = {a["id"] for a in get(client, "/api/v1/agencies/", key, updated_since=mark).json()["results"]}
    assert ids == {w.agency_b.pk, w.agency_s.pk}


def test_pages_carry_count_and_links_in_a_stable_order(api_scene, api_key, client):
    w = api_scene
    key = api_key(w.reviewer)
    first = get(client, "/api/v1/reports/", key, page_size=3).json()
    second = get(client, "/api/v1/reports/", key, page_size=3, page=2).json()
    assert (first["count"], len(first["results"]), len(second["results"])) == (4, 3, 1)
    assert "page=2" in first["next"]
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("params, field", [
    ({"updated_since": "hôm qua"}, "updated_since"), ({"updated_since": "2026-13-01T00:00:00"}, "updated_since"),
    ({"updated_since": "2026-02-30"}, "updated_since"), ({"year": "2026a"}, "year"), ({"year": "99999999999"}, "year"),
    ({"year": "-1"}, "year"), ({"state": "approved"}, "state"), ({"agency": "x"}, "agency"),
    ({"agency": str(2**70)}, "agency"), ({"cycle": "1.5"}, "cycle")])
def test_a_bad_filter_gets_400_naming_the_parameter(world, api_key, client, params, field):
    response = get(client, "/api/v1/reports/", api_key(world.reviewer), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and field in body["errors"]


def test_a_page_past_the_end_is_404_in_json(world, api_key, client):
    response = get(client, "/api/v1/reports/", api_key(world.reviewer), page=99)
    assert response.status_code == 404 and response.json()["status"] == 404


def test_plan_items_carry_lead_and_supporting_agencies_timeline_and_flags(api_scene, api_key, client):
    w = api_scene
    items = get(client, "/api/v1/plan-items/", api_key(w.officer_a), level="activity", agency=w.agency_a.pk).json()
    row = items["results"][0]
    assert (row["code"], row["lead_agency"]["id"], [a["id"] for a in row["supporting_agencies"]]) == (
        "1.1.1", w.agency_a.pk, [w.agency_s.pk])
    assert {"start_year", "end_year", "high_priority", "needs_review", "retired_at"} <= set(row)
    assert get(client, "/api/v1/plan-items/", api_key(w.officer_a), year=2022).json()["count"] == 3  # no timeline


def test_agencies_carry_aliases_and_lineage(api_scene, api_key, client):
    w = api_scene
    rows = {a["name"]: a for a in get(client, "/api/v1/agencies/", api_key(w.officer_b)).json()["results"]}
    old = rows["Sở Tài nguyên và Môi trường"]
    assert old["aliases"] == [{"name": "Sở TN&MT"}]
    assert old["successors"][0]["successor_id"] == rows["Sở Nông nghiệp và Môi trường"]["id"]
    assert rows["Sở Nông nghiệp và Môi trường"]["predecessors"][0]["effective_on"] == "2025-03-01"


def test_indicators_carry_targets_and_the_values_the_client_may_see(api_scene, indicators, api_key, client):
    w = api_scene
    by_code = {i["code"]: i for i in get(client, "/api/v1/indicators/", api_key(w.reviewer)).json()["results"]}
    renewables = by_code[indicators.renewables.code]
    assert [t["kind"] for t in renewables["targets"]] == ["value", "range"]
    assert [v["state"] for v in renewables["values"]] == ["accepted", "draft"]
    public = {i["code"]: i for i in get(client, "/api/v1/indicators/").json()["results"]}
    assert [v["state"] for v in public[indicators.renewables.code]["values"]] == ["accepted"]
    narrowed = get(client, "/api/v1/indicators/", api_key(w.reviewer), state="draft").json()
    assert [i["code"] for i in narrowed["results"]] == [indicators.renewables.code]


def test_the_official_report_shows_its_signature_status_to_reviewers_and_the_public_of_a_published_plan(
        api_scene, api_key, client):
    w = api_scene
    url = f"/api/v1/cycles/{w.cycle.pk}/official-report/"
    body = get(client, url, api_key(w.reviewer)).json()
    assert (body["signed"], body["verification"], body["signatures"][0]["signer"]) == (True, "Hợp lệ", "Nguyễn Văn A")
    assert get(client, url).status_code == 200
    # A leader's token follows the pages: the official report page is the reviewers'.
    assert get(client, url, api_key(w.leader)).status_code == 404
    w.plan.public_enabled = False
    w.plan.save()
    assert get(client, url).status_code == 404


def test_plan_items_and_agencies_need_a_token(world, client):
    for url in ("/api/v1/plan-items/", "/api/v1/agencies/"):
        response = client.get(url)
        assert response.status_code == 401 and "Token" in response.json()["detail"]


def test_the_api_answers_json_not_the_login_page_even_to_a_logged_in_browser(world, client):
    client.force_login(world.officer_a)
    response = client.get("/api/v1/reports/")  # a session is no token: the public answer
    assert response.status_code == 200 and response.json()["count"] == 0
    assert client.get("/api/v1/khong-co/").json()["status"] == 404


def test_the_schema_and_docs_are_public_and_the_docs_use_local_scripts(db, client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/reports/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"></script>' in html
    assert "https://" not in html
    assert "script-src 'self';" in docs["Content-Security-Policy"]
    # The script is ours to serve (collected from drf-spectacular-sidecar), alone of that package.
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert not finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_the_api_only_reads_and_says_so_in_json(world, api_key, client):
    response = client.post("/api/v1/reports/", {}, HTTP_AUTHORIZATION=f"Token {api_key(world.reviewer)}")
    assert response.status_code == 405
    assert response.json()["detail"] == "API chỉ cho đọc: không nhận phương thức POST."


def test_a_token_scoped_to_the_city_covers_the_legacy_plan_of_the_province_merged_into_it(
        merged_city, api_key, client, django_user_model):
    from agencies.models import JurisdictionRole

    reviewer = django_user_model.objects.create_user("citizen-reviewer")
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=merged_city.city, role="reviewer")
    plans = get(client, "/api/v1/plans/", api_key(reviewer, merged_city.city)).json()["results"]
    assert sorted(p["code"] for p in plans) == ["bd-396", "hcm-3797"]
    # Scoped to the old province alone, the same reviewer's token sees only its plan.
    plans = get(client, "/api/v1/plans/", api_key(reviewer, merged_city.province)).json()["results"]
    assert [p["code"] for p in plans] == ["bd-396"]
