"""API tokens: stored hashed, sent two ways, refused at once when revoked or unknown, counted per
minute on the token's row (greenplan/api/tokens.py, greenplan/api/auth.py)."""
import hashlib

import pytest
from django.utils import timezone

from greenplan.api import tokens
from greenplan.models import ApiToken

REPORTS = "/api/v1/reports/"


def test_only_the_hash_of_a_token_is_stored(world, api_key):
    key = api_key(world.reviewer)
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {getattr(row, f.attname) for f in ApiToken._meta.concrete_fields}
    assert row.prefix == key[:6]


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_a_token_is_accepted_as_token_or_bearer(world, api_key, client, scheme):
    key = api_key(world.reviewer)
    response = client.get(REPORTS, HTTP_AUTHORIZATION=f"{scheme} {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_a_revoked_token_is_refused_at_once_with_json(world, api_key, client):
    key = api_key(world.reviewer)
    assert client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    tokens.revoke(ApiToken.objects.all())
    response = client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["detail"] == "Khóa truy cập không hợp lệ hoặc đã bị thu hồi."
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token", "Basic dXNlcjpwYXNz", "Token a b"])
def test_an_unknown_or_malformed_token_gets_401_never_the_public_answer(world, client, header):
    response = client.get(REPORTS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_token_of_a_deactivated_user_is_refused(world, api_key, client):
    key = api_key(world.reviewer)
    world.reviewer.is_active = False
    world.reviewer.save()
    assert client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_the_last_use_is_recorded(world, api_key, client):
    key = api_key(world.reviewer)
    assert ApiToken.objects.get().last_used_at is None
    before = timezone.now()
    client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}")
    assert ApiToken.objects.get().last_used_at >= before


def test_the_rate_limit_counts_on_the_token_row_and_answers_429_in_json(world, api_key, client, settings):
    settings.API_RATE_PER_MINUTE = 2
    key = api_key(world.reviewer)
    other = api_key(world.leader)
    codes = [client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # The count lives in the database (every process sees it), not in this process's memory.
    assert ApiToken.objects.get(key_hash=tokens.digest(key)).window_count == 3
    refused = client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "giây" in refused.json()["detail"]
    # Another token has its own window.
    assert client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {other}").status_code == 200


def test_a_new_minute_opens_a_new_window(world, api_key, client, settings):
    settings.API_RATE_PER_MINUTE = 1
    key = api_key(world.reviewer)
    client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 429
    ApiToken.objects.update(window_start=timezone.now() - tokens.RATE_WINDOW)
    assert client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_token_answers_are_not_stored_by_browsers_or_proxies(world, api_key, client):
    response = client.get(REPORTS, HTTP_AUTHORIZATION=f"Token {api_key(world.reviewer)}")
    assert "no-store" in response["Cache-Control"]


def test_the_default_scope_is_the_users_own_jurisdictions_and_an_admins_is_all(world, django_user_model):
    assert list(tokens.issue_token(user=world.officer_a).token.jurisdictions.all()) == [world.province]
    assert list(tokens.issue_token(user=world.foreign_reviewer).token.jurisdictions.all()) != [world.province]
    root = django_user_model.objects.create_superuser("root", "root@example.vn", "x-long-password-1")
    scope = set(tokens.issue_token(user=root).token.jurisdictions.all())
    assert scope == {world.province, world.foreign_reviewer.jurisdiction_roles.get().jurisdiction}


def test_no_key_starts_with_a_dash_so_the_command_line_takes_it(monkeypatch, world):
    drawn = iter(["-looks-like-an-option" + "a" * 30, "b" * 43])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(drawn))
    assert tokens.issue_token(user=world.reviewer).key == "b" * 43
