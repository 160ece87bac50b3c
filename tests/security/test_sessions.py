"""The request's session and user as every page reads them (greenplan.sessions, greenplan.accounts):
one plain statement each, with Django's own rules: an expired or unknown session is no session, and
an inactive, deleted or malformed user is nobody."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from greenplan.accounts import PortalBackend
from greenplan.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_live_session_is_read_and_an_expired_one_is_not(client):
    user = UserFactory(username="phuong")
    client.force_login(user)
    key = client.session.session_key
    assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("tasks:plan_list")).status_code == 200

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None
    response = client.get(reverse("tasks:plan_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_unknown_session_key_is_no_session():
    store = SessionStore("x" * 32)
    assert store.load() == {} and store.session_key is None


def test_the_user_of_a_request_is_read_with_django_rules():
    backend = PortalBackend()
    user = UserFactory(username="quang")
    found = backend.get_user(user.pk)
    assert found == user and found.unread_notifications == 0
    assert found.last_login == user.last_login and found.date_joined == user.date_joined
    assert backend.get_user(str(user.pk)) == user  # as the session keeps it
    assert backend.get_user(987654) is None
    assert backend.get_user("not-a-number") is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None  # an inactive account is logged out on its next request
