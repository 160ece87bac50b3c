"""Every user changes their own password; a forgotten one is reset through an e-mail link (Django's
views, Vietnamese pages), rate-limited in the database, never telling whether an account exists.
Pages seen logged in are not stored (Cache-Control: no-store); the login form's button is the login
page's first submit control."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from greenplan.models import PasswordResetRequest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Rừng-xanh-Bình-Dương-2026"


def _reset(client, email, ip="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip, follow=True)


def _link(message):
    return re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body).group(0)


def test_an_officer_changes_their_password_from_any_page(client, alice):
    client.force_login(alice)
    page = client.get(reverse("reporting:home")).content.decode()
    assert reverse("password_change") in page and "Đổi mật khẩu" in page
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD}, follow=True)
    assert "Đã đổi mật khẩu" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing_and_says_so_in_vietnamese(client, alice):
    client.force_login(alice)
    response = client.post(reverse("password_change"), {"old_password": "sai", "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
    assert "Chưa đổi được mật khẩu" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_forgotten_password_is_reset_through_the_link_in_the_email(client, alice):
    login = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login
    response = _reset(client, "alice@example.vn")
    assert "Hãy kiểm tra hộp thư" in response.content.decode()
    message, = mail.outbox
    assert message.to == ["alice@example.vn"] and "Đặt lại mật khẩu" in message.subject and "alice" in message.body
    form = client.get(_link(message), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                       follow=True)
    assert "Đã đặt mật khẩu mới" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # The link works once.
    assert "không còn dùng được" in client.get(_link(message), follow=True).content.decode()


def test_the_answer_is_the_same_for_an_unknown_address(client, alice):
    known = _reset(client, "alice@example.vn", ip="10.0.0.2")
    unknown = _reset(client, "nobody@example.vn", ip="10.0.0.3")
    assert known.redirect_chain == unknown.redirect_chain
    def shown(response):  # the page without its CSRF token and clock
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "", html)

    assert shown(known) == shown(unknown)
    assert len(mail.outbox) == 1


def test_one_address_gets_at_most_three_mails_an_hour_and_the_page_does_not_tell(client, alice):
    answers = [_reset(client, "alice@example.vn", ip=f"10.0.1.{n}") for n in range(5)]
    assert len(mail.outbox) == 3
    assert all("Hãy kiểm tra hộp thư" in a.content.decode() for a in answers)


def test_one_ip_is_told_to_wait_after_ten_requests_counted_in_the_database(client, alice):
    for n in range(10):
        _reset(client, f"someone{n}@example.vn", ip="10.0.2.1")
    response = _reset(client, "alice@example.vn", ip="10.0.2.1")
    assert "quá nhiều yêu cầu" in response.content.decode().lower()
    assert mail.outbox == []
    assert PasswordResetRequest.objects.filter(ip="10.0.2.1").count() == 10
    assert not PasswordResetRequest.objects.filter(email_hash__contains="alice").exists()  # only a hash is kept


def test_logged_in_pages_are_not_stored(client, alice):
    client.force_login(alice)
    for url in (reverse("reporting:home"), reverse("password_change"), reverse("reporting_notices:list")):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_the_login_forms_button_is_the_first_submit_control_of_the_login_page(client):
    html = client.get(reverse("login")).content.decode()
    controls = re.findall(r"<button\b[^>]*>.*?</button>|<input\b[^>]*type=\"submit\"[^>]*>", html, re.S)
    assert "Đăng nhập" in controls[0]
    assert html.index("<form method=\"post\" class=\"stack\">") < html.index(controls[0])
