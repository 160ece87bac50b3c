"""A leader opens the dashboard in Chromium, drills from a theme to its items, sorts a table;
screenshots go to test-results/ (gitignored) for a human to look at."""
from pathlib import Path

import pytest

from tests.browser.steps import log_in as login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results"



def test_a_leader_drills_from_a_theme_to_its_items(page, live_server, scenario):
    SHOTS.mkdir(exist_ok=True)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, scenario.leader.username)
    page.goto(f"{live_server.url}/dashboard/cycle/{scenario.cycle.pk}/")
    assert page.locator("h1").inner_text().startswith("Bảng điều hành")
    assert page.locator("#headline .figure").first.inner_text() == "7"
    page.screenshot(path=str(SHOTS / "dashboard-leader.png"), full_page=True)

    # sort the agency table on the client: most missing reports first
    header = page.locator("#agency-table thead th").nth(4).locator("button")
    header.click()
    header.click()
    assert page.locator("#agency-table tbody tr").first.locator("td").first.inner_text() == "Sở Công Thương"

    # drill down through the chart (an SVG link) to theme 1's items
    page.locator("svg.chart a").filter(has_text="Chủ đề số 1").first.click()
    page.wait_for_load_state()
    assert f"theme={scenario.themes['1'].pk}" in page.url
    codes = page.locator("#status-table tbody td.code a").all_inner_texts()
    assert codes == ["1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.2"]
    page.screenshot(path=str(SHOTS / "consolidated-theme-1.png"), full_page=True)

    # and through the table link of theme 2
    page.go_back()
    page.locator("#theme-table a.theme-link").filter(has_text="Chủ đề số 2").click()
    page.wait_for_load_state()
    assert page.locator("#status-table tbody td.code a").all_inner_texts() == ["2.1.1", "2.1.2"]
    assert not errors, errors  # no CSP violations or script errors
