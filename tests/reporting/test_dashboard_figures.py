"""The leadership dashboard and the public page: exact figures from reports made here, who may
see them, and what the public never sees.

The `scenario` fixture is shared by the consolidated-status and province-report tests.
"""
import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from agencies.models import JurisdictionRole, Membership, Succession
from reporting.reports.cycles import create_cycles
from reporting.models import Report, ReportingCycle
from reporting.dashboards.selectors import dashboard
from tasks.models import PlanItem
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, PlanFactory, UserFactory

SUBMITTED_AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)
SECRET_DRAFT = "BẢN NHÁP CHƯA GỬI"


@dataclass
class Scenario:
    plan: object
    cycle: object
    previous: object
    agency_a: object
    agency_b: object
    dpi: object
    finance: object
    reviewer: object
    leader: object
    officer: object
    foreign_reviewer: object
    themes: dict
    reports: dict

    def url(self, name, **params):
        from urllib.parse import urlencode

        base = reverse(f"dashboard:{name}", args=[self.cycle.pk])
        return f"{base}?{urlencode(params)}" if params else base


def _report(cycle, code) -> Report:
    return Report.objects.get(cycle=cycle, item__code=code)


def _set(report: Report, **fields) -> Report:
    if fields.get("state") in ("submitted", "accepted"):
        fields.setdefault("submitted_at", SUBMITTED_AT)
    for k, v in fields.items():
        setattr(report, k, v)
    report.save()
    return report


@pytest.fixture
def scenario(db):
    """Plan “bd” of Bình Dương: theme 1 (groups 1.1 of Sở Công Thương, 1.2 of Sở Xây dựng) and
    theme 2 (2.1.1 A, 2.1.2 B, 2.1.3 with no lead). The 2026 reports are, in short:

    1.1.1 A accepted on time, on schedule 60 % · 1.1.2 A (high priority) submitted LATE, behind 20 %
    1.1.3 A draft (100 %, never counted)     · 1.2.1 B accepted on time, completed 100 %
    1.2.2 B returned, behind 10 %            · 2.1.1 A missing · 2.1.2 B accepted LATE, not started 0 %
    2.1.3 unassigned.
    """
    province = JurisdictionFactory(name="Bình Dương")
    dpi = AgencyFactory(jurisdiction=province, name="Sở Kế hoạch và Đầu tư")
    finance = AgencyFactory(jurisdiction=province, name="Sở Tài chính")
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    a = AgencyFactory(jurisdiction=province, name="Sở Công Thương")
    b = AgencyFactory(jurisdiction=province, name="Sở Xây dựng")
    plan = PlanFactory(jurisdiction=province, code="bd", number="396/KH-UBND", focal_agency=dpi,
                       title="Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Bình Dương giai đoạn 2023 - 2030")
    themes = {}
    layout = {"1": {"1.1": [a, a, a], "1.2": [b, b]}, "2": {"2.1": [a, b, None]}}
    for t, groups in layout.items():
        theme = PlanItem.objects.create(plan=plan, level="theme", code=t, title=f"Chủ đề số {t}")
        themes[t] = theme
        for g, leads in groups.items():
            group = PlanItem.objects.create(plan=plan, level="group", code=g, parent=theme, title=f"Nhóm {g}")
            for n, lead in enumerate(leads, 1):
                PlanItem.objects.create(plan=plan, level="activity", code=f"{g}.{n}", parent=group,
                                        title=f"Hoạt động {g}.{n} về năng lượng xanh", lead_agency=lead,
                                        start_year=2023, end_year=2030, high_priority=f"{g}.{n}" == "1.1.2")
    cycles = create_cycles(plan, years=[2025, 2026])
    cycle = next(c for c in cycles if c.kind == "annual" and c.year == 2026)
    previous = next(c for c in cycles if c.kind == "annual" and c.year == 2025)
    people = {}
    for username, full in [("an", "Nguyễn Văn An"), ("giang", "Võ Thị Giang"), ("hai", "Đặng Văn Hải")]:
        first, _, last = full.rpartition(" ")
        people[username] = UserFactory(username=username, first_name=first, last_name=last)
    officer = MembershipFactory(agency=a, user=people["an"], role=Membership.Role.OFFICER).user
    reviewer, leader = people["giang"], people["hai"]
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
    JurisdictionRole.objects.create(user=leader, jurisdiction=province, role="leader")
    foreign = UserFactory(username="yann")
    JurisdictionRole.objects.create(user=foreign, jurisdiction=JurisdictionFactory(name="Đồng Nai"), role="reviewer")

    common = {"submitted_by": officer, "reviewed_by": reviewer}
    reports = {
        "1.1.1": _set(_report(cycle, "1.1.1"), state="accepted", status="on_schedule", percent_complete=60,
                      results="Đã ban hành kế hoạch triển khai.", difficulties="Thiếu kinh phí.",
                      proposals="Đề nghị bổ sung kinh phí.", **common),
        "1.1.2": _set(_report(cycle, "1.1.2"), state="submitted", late=True, status="behind", percent_complete=20,
                      results="Đang khảo sát doanh nghiệp.", difficulties="Thiếu kinh phí.", **common),
        "1.1.3": _set(_report(cycle, "1.1.3"), state="draft", status="completed", percent_complete=100,
                      results=SECRET_DRAFT, difficulties=SECRET_DRAFT),
        "1.2.1": _set(_report(cycle, "1.2.1"), state="accepted", status="completed", percent_complete=100,
                      results="=SUM(A1:A9) -2 tấn CO2", proposals="Đề nghị hướng dẫn kỹ thuật.", **common),
        "1.2.2": _set(_report(cycle, "1.2.2"), state="returned", status="behind", percent_complete=10,
                      results=SECRET_DRAFT),
        "2.1.2": _set(_report(cycle, "2.1.2"), state="accepted", late=True, status="not_started", percent_complete=0,
                      results="Chưa bố trí được vốn.", **common),
    }
    for r in Report.objects.filter(cycle=previous, agency__isnull=False):
        _set(r, state="accepted", status="on_schedule", percent_complete=50,
             submitted_at=dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc))
    return Scenario(plan=plan, cycle=cycle, previous=previous, agency_a=a, agency_b=b, dpi=dpi, finance=finance,
                    reviewer=reviewer, leader=leader, officer=officer, foreign_reviewer=foreign, themes=themes,
                    reports=reports)


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
    for secret in ("Nguyễn Văn An", "Võ Thị Giang", "Đặng Văn Hải", SECRET_DRAFT, "Đang khảo sát"):
        assert secret not in body
    assert "80%" in body


def test_the_public_page_falls_back_to_the_last_year_with_accepted_reports(client, scenario):
    Report.objects.filter(cycle=scenario.cycle).update(state="draft")
    scenario.plan.public_enabled = True
    scenario.plan.save()
    response = client.get(reverse("dashboard:public", args=[scenario.plan.code]))
    assert response.context["summary"]["cycle"] == ReportingCycle.objects.get(pk=scenario.previous.pk)
