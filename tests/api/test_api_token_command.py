"""`python manage.py api_token create|list|revoke` (greenplan/management/commands/api_token.py)."""
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from greenplan.models import ApiToken


def run(*args) -> list[str]:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_prints_the_token_alone_on_its_last_line_and_it_works(world, client):
    lines = run("create", "rita", "--name", "Cổng dữ liệu")
    key = lines[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key)
    token = ApiToken.objects.get()
    assert (token.name, token.user, list(token.jurisdictions.all())) == ("Cổng dữ liệu", world.reviewer, [world.province])
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Bearer {key}").json()["count"] == 4


def test_create_scopes_to_the_named_jurisdictions_by_name_without_diacritics_or_by_id(world):
    run("create", "rita", "--jurisdiction", "binh duong", "--jurisdiction", str(world.province.pk))
    assert list(ApiToken.objects.get().jurisdictions.all()) == [world.province]


def test_create_refuses_an_unknown_user_or_jurisdiction_naming_it(world):
    with pytest.raises(CommandError, match="'nobody'"):
        run("create", "nobody")
    with pytest.raises(CommandError, match="--jurisdiction 'Hà Giang'.*Bình Dương"):
        run("create", "rita", "--jurisdiction", "Hà Giang")
    assert not ApiToken.objects.exists()


def test_list_shows_tokens_without_their_keys(world):
    key = run("create", "rita", "--name", "Cổng dữ liệu")[-1]
    listing = "\n".join(run("list"))
    assert "rita" in listing and "Cổng dữ liệu" in listing and "đang dùng" in listing
    assert key not in listing


def test_revoke_by_token_then_it_is_refused(world, client):
    key = run("create", "rita")[-1]
    other = run("create", "rita")[-1]
    assert run("revoke", key) == ["Đã thu hồi 1 khóa."]
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {other}").status_code == 200


def test_revoke_by_username_revokes_all_their_tokens(world, client):
    keys = [run("create", "rita")[-1] for _ in range(2)]
    run("create", "leo")
    assert run("revoke", "rita") == ["Đã thu hồi 2 khóa của rita."]
    assert [client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {k}").status_code for k in keys] == [401, 401]
    assert ApiToken.objects.filter(revoked_at__isnull=True).get().user == world.leader


def test_revoke_of_nothing_known_is_an_error(world):
    with pytest.raises(CommandError):
        run("revoke", "no-such-token-or-user")
