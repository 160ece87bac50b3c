"""The leadership dashboard and the public page: exact figures from reports made here, who may
see them, and what the public never sees.

The scene is the `scenario` of tests/conftest.py.
"""
import re

from django.urls import reverse

from reporting.models import Report, ReportingCycle
from reporting.dashboards.selectors import dashboard
from tests.conftest import SECRET_DRAFT


# --- figures ---------------------------------------------------------------------------------------

def test_the_headline_figures_count_each_report_once(scenario):
    h = dashboard(scenario.cycle)["headline"]
    assert (h["due"], h["submitted"], h["on_time"], h["late"], h["missing"]) == (7, 4, 2, 2, 3)
    assert (h["state_accepted"], h["state_submitted"], h["state_draft"], h["state_returned"], h["state_missing"]) == (
        3, 1, 1, 1, 1)
    # a draft's "completed 100 %" is not a result: only submitted reports count
    assert (h["status_completed"], h["status_on_schedule"], h["status_behind"], h["status_not_started"]) == (1, 1, 1, 1)
    assert h["mean_percent"] == 45.0
    assert h["unassigned"] == 1


def test_theme_progress_is_the_mean_of_submitted_reports_with_the_unreported_beside_it(scenario):
    themes = {t["code"]: t for t in dashboard(scenario.cycle)["themes"]}
    assert (themes["1"]["due"], themes["1"]["submitted"], themes["1"]["not_reported"], themes["1"]["mean_percent"]) == (
        5, 3, 2, 60.0)
    assert (themes["2"]["due"], themes["2"]["submitted"], themes["2"]["not_reported"], themes["2"]["mean_percent"]) == (
        2, 1, 1, 0.0)
    groups = {g["code"]: g for g in dashboard(scenario.cycle)["groups"]}
    assert groups["1.1"]["mean_percent"] == 40.0 and groups["1.1"]["not_reported"] == 1


def test_agency_compliance_and_high_priority_items_behind(scenario):
    data = dashboard(scenario.cycle)
    agencies = {a["name"]: a for a in data["agencies"]}
    a, b = agencies["Sở Công Thương"], agencies["Sở Xây dựng"]
    assert (a["due"], a["on_time"], a["late"], a["missing"]) == (4, 1, 1, 2)
    assert (b["due"], b["on_time"], b["late"], b["missing"]) == (3, 1, 1, 1)
    assert [r.code for r in data["behind"]] == ["1.1.2"]


def test_previous_cycles_are_compared(scenario):
    history = dashboard(scenario.cycle)["history"]
    assert [(h["year"], h["due"], h["on_time"], h["mean_percent"]) for h in history] == [
        (2025, 7, 7, 50.0), (2026, 7, 2, 45.0)]


def test_the_timeline_counts_activities_per_theme_and_year(scenario):
    rows = {r.code: r for r in dashboard(scenario.cycle)["timeline"]}
    assert rows["1"].per_year[2026] == 5 and rows["2"].per_year[2030] == 3


def headline_cards(body: str) -> dict[str, int]:
    """The headline figures as the page shows them: {label: number}."""
    return {label: int(value) for value, label in re.findall(
        r'<span class="figure" data-figure="\d+">(\d+)</span><span class="label">([^<]+)</span>', body)}


def test_the_dashboard_page_shows_the_figures_the_method_and_drill_down_links(client, scenario):
    client.force_login(scenario.leader)
    response = client.get(reverse("dashboard:cycle", args=[scenario.cycle.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    cards = headline_cards(body)
    assert cards["Báo cáo phải nộp"] == 7 and cards["Nộp muộn"] == 2 and cards["Chưa nộp"] == 3
    assert "trung bình cộng tỷ lệ hoàn thành" in body
    theme1 = scenario.themes["1"].pk
    assert f"/dashboard/cycle/{scenario.cycle.pk}/status/?theme={theme1}" in body
    assert "<title" in body and "<desc" in body and "Bảng số liệu của biểu đồ" in body
    assert "Hôm nay" in body  # the timeline marks today
    assert "style=" not in body and "<script>" not in body  # the CSP forbids inline style and script
    assert "Tạo báo cáo tỉnh" not in body  # a leader reads; only reviewers generate


def test_the_dashboard_sends_its_charts_as_data_for_its_charts_script(client, scenario):
    """Logged-in pages are never cached, so every view of the dashboard carries its charts: as a list
    of marks (static/js/charts.js draws them), not as SVG elements."""
    client.force_login(scenario.leader)
    body = client.get(reverse("dashboard:cycle", args=[scenario.cycle.pk])).content.decode()
    charts_on_page = body.count('<svg class="chart"')
    assert charts_on_page == 5 and body.count("data-shapes='") == charts_on_page
    assert "<rect" not in body and "<text" not in body
    assert "/static/js/charts.js" in body and "charts-nojs.css" in body
    # the themes' chart shows in the themes' table what it draws; the states' keeps its own table
    assert '<a href="#theme-table">Bảng số liệu của biểu đồ</a>' in body
    assert body.count('<details class="chart-data">') == 2  # states and timeline


def test_the_agencies_chart_shows_those_most_behind_when_there_are_more_than_it_holds(client, scenario, monkeypatch):
    from django.core.cache import cache

    from reporting.dashboards import views

    cache.clear()
    client.force_login(scenario.leader)
    url = reverse("dashboard:cycle", args=[scenario.cycle.pk])
    body = client.get(url).content.decode()
    assert "Tình hình nộp báo cáo của các cơ quan</title>" in body and 'id="agencies-cut"' not in body

    cache.clear()
    monkeypatch.setattr(views, "DASHBOARD_AGENCIES", 1)
    body = client.get(url).content.decode()
    chart = body[body.index('<section aria-labelledby="h-agencies"'):body.index('id="agency-table"')]
    # Sở Công Thương: 1 late and 2 not submitted; Sở Xây dựng 1 and 1
    assert "<title>1 cơ quan có nhiều báo cáo chưa nộp và nộp muộn nhất (trong 2 cơ quan)</title>" in chart
    assert "Sở Công Thương" in chart and "Sở Xây dựng" not in chart
    note = chart[chart.index('id="agencies-cut"'):]
    assert "Số liệu của cả 2 cơ quan" in note and 'href="#agency-table"' in note
    assert f'href="/dashboard/cycle/{scenario.cycle.pk}/status/"' in note
    # the table under it still lists every agency, each with its drill-down link
    table = body[body.index('id="agency-table"'):]
    table = table[:table.index("</table>")]
    for a in (scenario.agency_b, scenario.agency_s):
        assert f"status/?agency={a.pk}" in table


# --- access ------------------------------------------------------------------------------------

def test_officers_and_other_provinces_get_404_on_the_dashboard(client, scenario):
    url = reverse("dashboard:cycle", args=[scenario.cycle.pk])
    for user in (scenario.officer, scenario.foreign_reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(scenario.reviewer)
    assert client.get(url).status_code == 200


def test_the_overview_lists_one_row_per_overseen_plan(client, scenario):
    client.force_login(scenario.leader)
    rows = client.get(reverse("dashboard:overview")).context["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["due"], row["submitted"], row["late"], row["missing"], row["mean_percent"]) == (7, 4, 2, 3, 45.0)
    client.force_login(scenario.foreign_reviewer)
    assert client.get(reverse("dashboard:overview")).context["rows"] == []


def test_the_plan_link_opens_the_latest_started_cycle(client, scenario):
    client.force_login(scenario.leader)
    response = client.get(reverse("dashboard:plan", args=[scenario.plan.code]))
    assert response.status_code == 302


# --- the public page -----------------------------------------------------------------------------

def test_the_public_page_is_off_by_default(client, scenario):
    assert client.get(reverse("dashboard:public", args=[scenario.plan.code])).status_code == 404


def test_the_public_page_shows_only_accepted_figures_and_no_people(client, scenario):
    scenario.plan.public_enabled = True
    scenario.plan.save()
    response = client.get(reverse("dashboard:public", args=[scenario.plan.code]))  # no login
    assert response.status_code == 200
    body = response.content.decode()
    themes = {t["code"]: t for t in response.context["summary"]["themes"]}
    assert themes["1"]["accepted"] == 2 and themes["1"]["mean_percent"] == 80.0  # 60 and 100; 20 % not reviewed
    assert themes["2"]["accepted"] == 1 and themes["2"]["mean_percent"] == 0.0
    assert response.context["summary"]["totals"]["accepted"] == 3
    people = [u.get_full_name() for u in (scenario.officer, scenario.reviewer, scenario.leader)]
    for secret in (*people, SECRET_DRAFT, "Đang khảo sát"):
        assert secret not in body
    assert "80%" in body


def test_the_public_page_falls_back_to_the_last_year_with_accepted_reports(client, scenario):
    Report.objects.filter(cycle=scenario.cycle).update(state="draft")
    scenario.plan.public_enabled = True
    scenario.plan.save()
    response = client.get(reverse("dashboard:public", args=[scenario.plan.code]))
    assert response.context["summary"]["cycle"] == ReportingCycle.objects.get(pk=scenario.previous.pk)
