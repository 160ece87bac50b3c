"""What users read outside the pages of their work: production's error pages, the login page and downloaded
file names speak Vietnamese and say what happened."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_answers_in_vietnamese_with_the_way_home(client, world):
    client.force_login(world.officer_a)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page and 'href="/"' in page and "Not Found" not in page


def test_a_server_error_answers_in_vietnamese_without_needing_the_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Hệ thống đang gặp lỗi" in response.content.decode()


def test_a_refused_form_token_says_the_page_was_open_too_long(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không gửi được biểu mẫu" in page and "CSRF" not in page


def test_the_login_page_says_the_session_expired(client, world):
    client.force_login(world.officer_a)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("reporting:home"), follow=True)
    assert "Phiên đăng nhập của bạn đã hết hạn." in response.content.decode()


def test_a_first_visit_to_a_page_asks_to_log_in_without_speaking_of_expiry(client, world):
    page = client.get(reverse("reporting:home"), follow=True).content.decode()
    assert "Hãy đăng nhập để mở trang này." in page and "hết hạn" not in page


def test_downloaded_file_names_say_the_kind_in_vietnamese_not_the_stored_value(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("dashboard:status", args=[world.cycle.pk]) + "?export=xlsx")
    disposition = response["Content-Disposition"]
    assert "hang-nam-2026" in disposition and "annual" not in disposition
    client.force_login(world.officer_a)
    response = client.get(reverse("reporting:workbook_download", args=[world.cycle.pk, world.agency_a.pk]))
    assert "bao-cao-hang-nam-2026" in response["Content-Disposition"]


def test_the_favicon_that_browsers_ask_for_is_the_portals_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]
