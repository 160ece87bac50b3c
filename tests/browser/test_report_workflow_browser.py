"""In Chromium: an officer drafts and submits, the reviewer returns it, the officer fixes and
resubmits, the reviewer accepts. Screenshots go to test-results/ for a person to look at."""
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from agencies.models import Membership
from reporting.models import Report
from tests.browser.steps import log_in as _login

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "report-workflow"


@pytest.fixture(autouse=True)
def _during_the_2026_cycle(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 25))



def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_officer_reports_and_the_reviewer_returns_then_accepts(transactional_db, world, live_server, page):  # noqa: F811
    page.on("dialog", lambda dialog: dialog.accept())
    Membership.objects.filter(user=world.officer_a).update(can_submit=True)  # the head allowed her to submit
    report = world.report_of(world.agency_a)
    url = f"{live_server.url}/reports/{report.pk}/"

    _login(page, live_server, "alice")
    page.goto(f"{live_server.url}/reports/")
    assert "Chưa báo cáo" in page.content()
    page.goto(url)
    page.check("input[name=status][value=on_schedule]")
    page.fill("input[name=percent_complete]", "40")
    page.fill("textarea[name=results]", "Đã tổ chức 3 hội nghị tập huấn về tăng trưởng xanh.")
    page.fill("input[name=funds_local]", "1.234.567")
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    _shot(page, "1-officer-draft-saved")
    report.refresh_from_db()
    assert report.state == "draft" and report.funds_local == 1_234_567
    assert "1.234.567" in page.content()
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    _shot(page, "2-officer-submitted")
    report.refresh_from_db()
    assert report.state == "submitted"

    _login(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/review/")
    assert report.item.code in page.content()
    _shot(page, "3-reviewer-queue")
    page.goto(url)
    page.fill("#return-form textarea[name=comment]", "Đề nghị bổ sung số liệu kinh phí trung ương.")
    page.click("#return-form button[type=submit]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == "returned"

    _login(page, live_server, "alice")
    page.goto(url)
    assert "Đề nghị bổ sung số liệu kinh phí trung ương." in page.content()
    _shot(page, "4-officer-sees-return")
    page.fill("input[name=funds_central]", "5.000.000")
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == "submitted" and report.funds_central == 5_000_000

    _login(page, live_server, "rita")
    page.goto(url)
    page.click("#accept-form button[type=submit]")
    page.wait_for_load_state()
    _shot(page, "5-reviewer-accepted")
    report.refresh_from_db()
    assert report.state == "accepted"
    assert page.locator("#report-form").count() == 0  # locked: no form any more
    kinds = list(Report.objects.get(pk=report.pk).events.values_list("kind", flat=True))
    assert kinds == ["save", "submit", "return", "save", "submit", "accept"]


def test_a_second_click_on_save_while_the_first_is_on_its_way_sends_nothing(transactional_db, world, live_server,  # noqa: F811
                                                                              page, monkeypatch):
    import time

    from reporting.reports import workflow

    save = workflow.report_save

    def slow_save(*args, **kwargs):  # a busy server: the first save is still on its way
        time.sleep(1)
        return save(*args, **kwargs)

    monkeypatch.setattr(workflow, "report_save", slow_save)
    report = world.report_of(world.agency_a)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    _login(page, live_server, "alice")
    posts.clear()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.fill("textarea[name=results]", "Đã tổ chức 3 hội nghị tập huấn.")
    with page.expect_response(lambda response: "saved=1" in response.url):
        # Clicked as a person does, twice, the second time while the first save is on its way
        # (Playwright's own click would wait for the first navigation to end).
        page.evaluate("""() => {
            const button = document.querySelector("#report-form button[type=submit]");
            button.click();
            setTimeout(() => button.click(), 300);
        }""")
    page.wait_for_load_state()
    assert posts == [f"{live_server.url}/reports/{report.pk}/save/"]
    assert page.locator("#conflict").count() == 0 and "Đã lưu bản nháp." in page.content()
    report.refresh_from_db()
    assert report.version == 1 and report.results == "Đã tổ chức 3 hội nghị tập huấn."
