"""Each role reaches its work by clicking, from the login page on, never by typing a URL: leadership
from its dashboard's chart down to one report; the reviewer to the who-has-reported status, a
return with a comment and the province report page; the officer from the notice of the returned
report to resubmitting it. Screenshots (desktop and 390 px) go to test-results/journeys/."""
from pathlib import Path

import pytest

from agencies.models import Membership
from reporting.models import Report
from tests.browser.steps import log_in as _login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"



def _shots(page, name):
    """The page at desktop width and on a 390 px phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)


def _menu(page, label):
    page.locator("nav.mainnav a", has_text=label).first.click()
    page.wait_for_load_state()


def test_leadership_goes_from_its_dashboard_chart_down_to_one_report(transactional_db, scenario, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, scenario.leader.username)
    assert page.locator("h1").inner_text().startswith("Bảng điều hành")
    assert page.locator("nav.mainnav a", has_text="Bảng điều hành").is_visible()
    _shots(page, "leader-home")
    page.locator("svg.chart a").filter(has_text="Chủ đề số 1").first.click()
    page.wait_for_load_state()
    page.locator("#status-table tbody td.code a", has_text="1.1.2").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("1.1.2")
    assert "/reports/" in page.url


def test_the_reviewer_reaches_the_status_returns_a_report_and_opens_the_province_report(
        transactional_db, scenario, live_server, page, eager_jobs):
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, scenario.reviewer.username)
    assert page.locator("h1").inner_text() == "Thẩm định báo cáo"
    _shots(page, "reviewer-home")

    page.locator("#queue-places a", has_text="Tình hình nộp").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Tổng hợp tình hình báo cáo")

    _menu(page, "Thẩm định")
    page.locator("#queue tbody a", has_text="Hoạt động 1.1.2").click()
    page.wait_for_load_state()
    page.fill("#return-form textarea[name=comment]", "Bổ sung số doanh nghiệp đã khảo sát.")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#return-form button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=scenario.reports["1.1.2"].pk).state == "returned"
    assert page.locator("nav.crumbs a", has_text="Thẩm định").count() == 1  # the way back

    _menu(page, "Báo cáo tỉnh")
    assert page.locator("h1").inner_text().startswith("Tạo báo cáo tỉnh")
    assert page.locator("#province-report-form").is_visible()


def test_an_officer_goes_from_the_notice_of_a_returned_report_to_resubmitting_it(
        transactional_db, scenario, live_server, page, eager_jobs):
    from reporting.reports import workflow

    Membership.objects.filter(user=scenario.officer).update(can_submit=True)
    report = scenario.reports["1.1.2"]
    workflow.report_return(Report.objects.get(pk=report.pk), user=scenario.reviewer, comment="Bổ sung số liệu.")
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, scenario.officer.username)
    assert page.locator("h1").inner_text() == "Báo cáo của cơ quan"
    _shots(page, "officer-home")

    _menu(page, "Thông báo")
    page.locator("table.notifications tr.unread button").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/reports/{report.pk}/")
    page.fill("textarea[name=results]", "Đã khảo sát 120 doanh nghiệp.")
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_an_admin_lands_on_what_needs_an_admin(transactional_db, scenario, live_server, page, django_user_model):
    django_user_model.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, "quantri")
    assert page.locator("h1").inner_text() == "Việc cần quản trị xử lý"
    assert page.locator("nav.mainnav a", has_text="Quản trị").is_visible()
    _shots(page, "admin-home")


def test_the_reviewer_generates_the_province_report_and_its_pdf_is_headed_by_the_current_city(
        transactional_db, merged_city, city_reviewer, live_server, page, eager_jobs, tmp_path):
    """After the merger of 01/07/2025 the 2026 report is issued by Hồ Chí Minh City and its Sở Tài
    chính, whoever's plan it covers: read off the PDF the browser downloads."""
    from reporting.reports.cycles import create_jurisdiction_cycle
    from tests.reporting.province.test_several_plans_report import heading_column

    create_jurisdiction_cycle(merged_city.city, 2026)
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, city_reviewer.username)
    _menu(page, "Báo cáo tỉnh")
    assert page.locator("h1").inner_text().startswith("Tạo báo cáo tỉnh")
    page.select_option("#province-report-form select[name=format]", "pdf")
    page.locator("#province-report-form button.primary").click()
    page.wait_for_load_state()
    page.locator("#job-download a.primary").wait_for(state="visible", timeout=60_000)
    _shots(page, "reviewer-province-report-done")
    with page.expect_download() as download:
        page.locator("#job-download a.primary").click()
    pdf = tmp_path / "bao-cao.pdf"
    download.value.save_as(pdf)
    left = heading_column(pdf.read_bytes(), tmp_path, x=0, width=265)
    right = heading_column(pdf.read_bytes(), tmp_path, x=265, width=330)
    assert left.startswith("UBND THÀNH PHỐ HỒ CHÍ MINH SỞ TÀI CHÍNH Số:")
    assert "BÌNH DƯƠNG" not in left and "Thành phố Hồ Chí Minh, ngày" in right
