"""The dashboard's charts in Chromium. The page carries each chart as a list of marks and
static/js/charts.js makes the SVG elements: what the browser shows must be, element for element,
the SVG Python writes for the province report. Without JavaScript the figures stay readable. A
leader starts at the login page and clicks; screenshots (1280 and 390 px, with and without
JavaScript) go to test-results/dashboard-charts/."""
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from reporting.dashboards import charts
from tests.browser.steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "dashboard-charts"


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)


def _open_dashboard(page, live_server, leader):
    """From the login page: a leader lands on the dashboard (or reaches it from the menu)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, leader.username)
    if not page.locator("h1").inner_text().startswith("Bảng điều hành"):
        page.locator("nav.mainnav a", has_text="Bảng điều hành").first.click()
        page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Bảng điều hành")


def _with_an_indicator(scenario):
    """The scenario's plan adopts an indicator with a baseline, a target path and two accepted figures."""
    from django.core.management import call_command

    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator, IndicatorValue

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    pi = adopt_indicator(scenario.plan, Indicator.objects.get(code="2.3"), baseline=(10, 2020),
                         targets=[{"year": 2025, "kind": "value", "value": 15},
                                  {"year": 2030, "kind": "range", "min": 15, "max": 20}])
    for year, value in ((2024, "12.5"), (2025, "13.75")):
        IndicatorValue.objects.create(plan_indicator=pi, cycle=scenario.cycle, year=year, value=Decimal(value),
                                      state="accepted")
    return pi


def _tree(markup: str) -> ET.Element:
    """An SVG as a tree without namespaces (the document's SVG declares one, the page's has none)."""
    root = ET.fromstring(markup)
    for el in root.iter():
        el.tag = el.tag.split("}")[-1]
    return root


def _shape(el: ET.Element) -> tuple:
    """An element as compared: tag, attributes, text and children, in order."""
    text = ((el.text or "") + "".join(child.tail or "" for child in el)).strip()
    return (el.tag, tuple(sorted(el.attrib.items())), text, tuple(_shape(child) for child in el))


def test_the_charts_the_browser_draws_are_the_svg_python_draws_for_the_report(scenario, live_server, page, monkeypatch):
    from django.core.cache import cache

    _with_an_indicator(scenario)
    cache.clear()  # drawn now, in this process: the drawings the page is made from are recorded
    drawn = {}
    placeholder = charts.Drawing.placeholder

    def record(drawing):
        drawn[drawing.title] = drawing
        return placeholder(drawing)
    monkeypatch.setattr(charts.Drawing, "placeholder", record)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _open_dashboard(page, live_server, scenario.leader)
    svgs = page.locator("svg.chart")
    assert svgs.count() == len(drawn) == 6  # states, themes, agencies, timeline, history, the indicator
    assert page.locator("svg.chart[data-drawn]").count() == 6
    for i in range(svgs.count()):
        shown = _tree(svgs.nth(i).evaluate("svg => svg.outerHTML"))
        title = shown.find("title").text
        document = _tree(str(drawn[title].markup()))
        assert shown.find("desc").text == document.find("desc").text
        assert [shown.get(a) for a in ("viewBox", "width", "height", "role")] == [
            document.get(a) for a in ("viewBox", "width", "height", "role")]
        marks = [_shape(el) for el in shown if el.tag not in ("title", "desc")]
        assert marks == [_shape(el) for el in document if el.tag not in ("title", "desc")], title
        assert len(marks) > 5
    # named and described for assistive technology by their own <title> and <desc>
    themes = page.get_by_role("img", name="Tiến độ theo chủ đề", exact=True)
    assert themes.count() == 1
    assert "Trung bình cộng tỷ lệ hoàn thành" in themes.evaluate(
        "svg => svg.querySelector(':scope > desc').textContent")
    _shots(page, "dashboard")
    assert not errors, errors  # no CSP violation, no script error


def test_a_bar_of_the_agencies_chart_leads_to_that_agencys_reports_not_submitted(scenario, live_server, page):
    _open_dashboard(page, live_server, scenario.leader)
    chart = page.locator("section[aria-labelledby=h-agencies] svg.chart[data-drawn]")  # made by charts.js
    bar = chart.locator(f"a[href*='agency={scenario.agency_b.pk}&state=not_submitted']")
    assert bar.count() == 1 and bar.locator("text").text_content() == "2"  # Sở Công Thương: 2 not submitted
    bar.click()
    page.wait_for_load_state()
    assert f"agency={scenario.agency_b.pk}" in page.url and "state=not_submitted" in page.url
    assert page.locator("#status-table tbody td.code a").all_inner_texts() == ["1.1.3", "2.1.1"]


def test_without_javascript_the_charts_give_way_to_their_figures(scenario, live_server, browser, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 25))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _open_dashboard(page, live_server, scenario.leader)
        assert page.locator("svg.chart").count() == 5
        for i in range(5):
            assert page.locator("svg.chart").nth(i).is_hidden()  # no empty frames
        # the states' figures, in the chart's own table, shown without a click
        states = page.locator("section[aria-labelledby=h-figures] .chart-data table")
        assert states.is_visible()
        assert states.locator("tbody td").all_inner_texts() == ["3", "1", "1", "1", "1", "7"]
        # the themes' chart points to the table that already holds its figures
        page.locator("section[aria-labelledby=h-themes] p.chart-data a").click()
        assert page.url.endswith("#theme-table") and page.locator("#theme-table").is_visible()
        timeline = page.locator("section[aria-labelledby=h-timeline] .chart-data table")
        assert timeline.is_visible() and timeline.locator("tbody th").first.inner_text() == "1. Chủ đề số 1"
        # how to read (and click) the drawn timeline says nothing without it
        assert page.get_by_text("Bấm vào một dòng để xem các mục của chủ đề", exact=False).is_hidden()
        _shots(page, "dashboard-without-javascript")
    finally:
        context.close()
