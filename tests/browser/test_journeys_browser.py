"""In Chromium, from the login page and by clicking only: a supporting agency from the notice of an
input request to its answer; a head granting "may submit"; a password reset through the e-mail link
(opening that link is the one typed URL); the reviewer's "send a reminder now". Screenshots go to
test-results/journeys/ for a person to look at."""
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from agencies.models import Membership
from reporting.models import ContributionRequest, Notice
from reporting.reports import workflow
from tests.browser.steps import log_in as _login

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"


@pytest.fixture(autouse=True)
def _during_the_2026_cycle(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 25))



def _click(page, selector):
    page.click(selector)
    page.wait_for_load_state()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_supporting_agency_goes_from_its_notice_to_its_answer(transactional_db, world, live_server, page, eager_jobs):
    report = world.report_of(world.agency_a)
    _login(page, live_server, "alice")
    _click(page, "nav a[href='/reports/']")
    _click(page, f"a[href='/reports/{report.pk}/']")
    page.click("details.request-input summary")
    page.select_option("select[name=agency]", str(world.agency_s.pk))
    page.fill("input[name=due_on]", "28/11/2026")
    page.fill("textarea[name=message]", "Đề nghị cung cấp số công trình xanh đã nghiệm thu.")
    _click(page, "details.request-input button[type=submit]")
    assert "Đã gửi đề nghị phối hợp tới Sở Xây dựng." in page.content()
    _shot(page, "1-lead-asks-for-input")

    _login(page, live_server, "sam")
    _click(page, "nav a[href='/notifications/']")
    _shot(page, "2-supporting-agency-notice")
    assert "Đề nghị phối hợp" in page.content()
    _click(page, "table.notifications button")
    request = ContributionRequest.objects.get(report=report)
    assert page.url.endswith(f"/reports/contributions/#contribution-{request.pk}")
    page.fill(f"#contribution-{request.pk} textarea", "Đã nghiệm thu 4 công trình xanh trong năm 2026.")
    _click(page, f"#contribution-{request.pk} button[type=submit]")
    _shot(page, "3-supporting-agency-answered")
    assert "Đã gửi nội dung đóng góp." in page.content()
    request.refresh_from_db()
    assert request.answer == "Đã nghiệm thu 4 công trình xanh trong năm 2026."
    assert any("sam@example.vn" in m.to for m in mail.outbox)


def test_a_head_grants_may_submit_and_the_officer_then_sees_the_submit_button(transactional_db, world, live_server, page):
    report = world.report_of(world.agency_a)
    workflow.report_save(report, user=world.officer_a, base_version=report.version,
                         data={"status": "on_schedule", "percent_complete": 40, "results": "Đã tập huấn."})
    _login(page, live_server, "alice")
    _click(page, "nav a[href='/reports/']")
    _click(page, f"a[href='/reports/{report.pk}/']")
    assert page.locator("#no-submit-right").count() == 1 and page.locator("#submit-form").count() == 0
    _shot(page, "4-officer-without-the-right")

    _login(page, live_server, "hana")
    _click(page, "nav a[href='/reports/']")
    _click(page, f"a[href='/reports/agencies/{world.agency_a.pk}/submitters/']")
    membership = Membership.objects.get(user=world.officer_a)
    _click(page, f"#officer-{membership.pk} button[type=submit]")
    _shot(page, "5-head-granted")
    assert "Đã cho phép Alice gửi báo cáo." in page.content()
    membership.refresh_from_db()
    assert membership.can_submit

    _login(page, live_server, "alice")
    _click(page, "nav a[href='/reports/']")
    _click(page, f"a[href='/reports/{report.pk}/']")
    assert page.locator("#submit-form").count() == 1 and page.locator("#no-submit-right").count() == 0


def test_a_forgotten_password_is_reset_through_the_emailed_link(transactional_db, world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    _click(page, "#forgot-password")
    page.fill("input[name=email]", "alice@example.vn")
    _click(page, "#password-reset-form button[type=submit]")
    assert page.locator("#reset-sent").count() == 1
    message, = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body).group(0)
    page.goto(link)  # opening the link from the e-mail: the one typed URL
    page.wait_for_load_state()
    page.fill("input[name=new_password1]", "Rừng-xanh-Bình-Dương-2026")
    page.fill("input[name=new_password2]", "Rừng-xanh-Bình-Dương-2026")
    _click(page, "#password-set-form button[type=submit]")
    _shot(page, "6-password-reset-complete")
    assert page.locator("#reset-complete").count() == 1
    _click(page, "#reset-complete a")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "Rừng-xanh-Bình-Dương-2026")
    _click(page, "button[type=submit]")
    assert "/accounts/login/" not in page.url


def test_the_reviewer_reminds_every_agency_still_owing_reports_now(transactional_db, world, live_server, page, eager_jobs):
    _login(page, live_server, "rita")
    _click(page, "nav a[href='/reports/review/']")
    _click(page, "#remind-now")
    _shot(page, "7-reminder-preview")
    preview = page.locator("#remind-preview").inner_text()
    assert "alice@example.vn" in preview and "bob@example.vn" in preview
    _click(page, "#remind-all button[type=submit]")
    _shot(page, "8-reminder-sent")
    assert "Đã gửi nhắc tới 2 cơ quan" in page.content()
    assert sorted(Notice.objects.filter(rule="now").values_list("state", flat=True)) == ["sent", "sent"]
    assert page.locator("#remind-log").inner_text().count("Đã gửi") == 2
    assert {tuple(m.to) for m in mail.outbox} == {("alice@example.vn", "hana@example.vn"), ("bob@example.vn",)}


def _width(page):
    return page.evaluate("() => Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right), document.documentElement.scrollWidth)")


def test_the_new_pages_fit_a_390_px_phone(transactional_db, world, live_server, page):
    """A layout check, not a journey: each page added for issue 14 (items 2-7) at 390 px, as a role
    that may open it, with no element's right edge beyond the viewport."""
    page.set_viewport_size({"width": 390, "height": 800})
    report = world.report_of(world.agency_a)
    workflow.report_save(report, user=world.officer_a, base_version=report.version,
                         data={"status": "on_schedule", "percent_complete": 40, "results": "Đã tập huấn."})
    pages = {
        "alice": [f"/reports/{report.pk}/", "/accounts/password/"],
        "hana": [f"/reports/agencies/{world.agency_a.pk}/submitters/"],
        "rita": [f"/reports/review/{world.cycle.pk}/remind/"],
        None: ["/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/sent/"],
    }
    for who, urls in pages.items():
        if who:
            _login(page, live_server, who)
        else:
            page.context.clear_cookies()
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state()
            assert _width(page) <= 390, url


def test_an_officer_reads_every_save_of_a_report_from_its_page(transactional_db, world, live_server, page):
    from reporting.reports.views import HISTORY_SHOWN

    report = world.report_of(world.agency_a)
    for n in range(HISTORY_SHOWN + 2):
        workflow.report_save(report, user=world.officer_a, base_version=n,
                             data={"status": "on_schedule", "percent_complete": n, "results": f"Lần cập nhật số {n}."})
    _login(page, live_server, "alice")
    _click(page, "nav a[href='/reports/']")
    _click(page, f"a[href='/reports/{report.pk}/']")
    assert "Lần cập nhật số 0." not in page.content()  # the report page shows the latest saves only
    _click(page, "#all-changes")
    _shot(page, "changes-1-desktop")
    assert page.locator("h1").inner_text() == "Nội dung đã thay đổi"
    assert "Lần cập nhật số 1." in page.content() and "Lần cập nhật số 0." in page.content()  # every save
    assert page.locator("ol.changes > li").count() == HISTORY_SHOWN + 2
    page.set_viewport_size({"width": 390, "height": 800})
    _shot(page, "changes-2-phone")
    assert _width(page) <= 390
    _click(page, "a:text('Quay lại báo cáo')")
    assert page.locator("#report-form").count() == 1
