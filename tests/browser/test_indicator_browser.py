"""In Chromium: the head of an agency enters this year's figure of an indicator and submits it, the
reviewer accepts it, and the indicator's status on the dashboard changes from "no data" to "on track"."""
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from reporting.models import IndicatorValue
from tests.browser.steps import log_in as _login

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "indicators"


@pytest.fixture(autouse=True)
def _during_the_2026_cycle(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 25))



def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_figure_entered_submitted_and_accepted_changes_the_dashboard_status(transactional_db, indicators,
                                                                                live_server, page):
    pi = indicators.intensity  # 1 (2023) → 15 % less by 2030: 2026 should be at most about 0,94
    dashboard = f"{live_server.url}/dashboard/cycle/{indicators.cycle.pk}/"
    status = f"#indicator-{pi.pk}"

    _login(page, live_server, "rita")
    page.goto(dashboard)
    assert page.get_attribute(status, "data-status") == "no_data"

    _login(page, live_server, "hana")
    page.goto(f"{live_server.url}/reports/")
    page.click("#indicators-link")
    page.wait_for_load_state()
    form = f"#add-{pi.pk}"
    page.select_option(f"{form} select[name=year]", "2026")
    page.fill(f"{form} input[name=value]", "0,93")
    page.select_option(f"{form} select[name=source]", "official")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    _shot(page, "1-head-entered")
    value = IndicatorValue.objects.get(plan_indicator=pi)
    assert value.state == "draft" and str(value.value) == "0.9300"
    page.click(f"#value-{value.pk} form[action$='/submit/'] button")
    page.wait_for_load_state()
    value.refresh_from_db()
    assert value.state == "submitted"

    _login(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/review/")
    page.click("#indicators-link")
    page.wait_for_load_state()
    _shot(page, "2-reviewer-queue")
    page.click(f"#review-{value.pk} form[action$='/accept/'] button")
    page.wait_for_load_state()
    value.refresh_from_db()
    assert value.state == "accepted"
    page.goto(dashboard)
    _shot(page, "3-dashboard")
    assert page.get_attribute(status, "data-status") == "on_track"
    assert "Đúng hướng" in page.inner_text(status)
