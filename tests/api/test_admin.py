"""API tokens in the admin (greenplan/api/admin.py): made with the key shown once, listed, revoked."""
import re

from django.urls import reverse

from greenplan.api.tokens import digest
from greenplan.models import ApiToken


def test_an_admin_makes_a_token_and_sees_its_key_once(world, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.vn", "x-long-password-1")
    client.force_login(root)
    response = client.post(reverse("admin:greenplan_apitoken_add"),
                           {"name": "Cổng dữ liệu", "user": world.reviewer.pk, "jurisdictions": []}, follow=True)
    assert response.status_code == 200
    key = re.search(r"sao chép ngay\): ([A-Za-z0-9_-]{40,})", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == digest(key) and token.created_by == root
    assert list(token.jurisdictions.all()) == [world.province]  # left empty: the user's own
    # The key appears nowhere afterwards: not in the list, not on the token's page.
    for url in (reverse("admin:greenplan_apitoken_changelist"), reverse("admin:greenplan_apitoken_change", args=[token.pk])):
        page = client.get(url)
        assert page.status_code == 200 and key not in page.content.decode()
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_the_revoke_action_refuses_the_token_at_once(world, client, django_user_model, api_key):
    key = api_key(world.reviewer)
    root = django_user_model.objects.create_superuser("root", "root@example.vn", "x-long-password-1")
    client.force_login(root)
    client.post(reverse("admin:greenplan_apitoken_changelist"),
                {"action": "revoke_tokens", "_selected_action": [ApiToken.objects.get().pk]})
    assert ApiToken.objects.get().revoked_at is not None
    client.logout()
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
