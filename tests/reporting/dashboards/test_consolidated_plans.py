"""The dashboard of the merged city's 2026 cycle: a row per plan and totals across, or one plan."""
import pytest
from django.urls import reverse

from reporting.dashboards import selectors
from reporting.models import Report
from reporting.reports.cycles import create_jurisdiction_cycle
from tests.factories import JurisdictionRoleFactory


@pytest.fixture
def city_cycle(merged_city):
    cycle = create_jurisdiction_cycle(merged_city.city, 2026)
    Report.objects.filter(cycle=cycle, item__plan=merged_city.legacy_plan, item__code="1.1.2").update(
        state="accepted", status="completed", percent_complete=100, submitted_at="2026-11-01T02:00:00Z")
    return cycle


def test_the_city_dashboard_has_a_section_per_plan_and_totals_across(merged_city, city_cycle):
    data = selectors.dashboard(city_cycle)
    sections = {s["name"]: s["headline"] for s in data["sections"]}
    assert list(sections) == ["Kế hoạch 3797/QĐ-UBND của UBND thành phố Hồ Chí Minh",
                              "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)"]
    assert sections["Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)"]["due"] == 3
    assert sections["Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)"]["submitted"] == 1
    assert sections["Kế hoạch 3797/QĐ-UBND của UBND thành phố Hồ Chí Minh"]["due"] == 1
    assert (data["headline"]["due"], data["headline"]["submitted"]) == (4, 1)
    assert {t["plan_id"] for t in data["themes"]} == {merged_city.legacy_plan.pk, merged_city.city_plan.pk}
    one = selectors.dashboard(city_cycle, plan=merged_city.city_plan)
    assert one["sections"] == [] and one["headline"]["due"] == 1 and one["headline"]["submitted"] == 0


def test_the_city_reviewer_sees_both_plans_and_can_pick_one(merged_city, city_cycle, client):
    reviewer = JurisdictionRoleFactory(jurisdiction=merged_city.city, role="reviewer").user
    client.force_login(reviewer)
    url = reverse("dashboard:cycle", args=[city_cycle.pk])
    page = client.get(url).content.decode()
    assert "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)" in page and "Tổng cộng" in page
    one = client.get(url, {"plan": "bd-396"})
    assert one.status_code == 200 and 'id="plan-table"' not in one.content.decode()
    assert client.get(url, {"plan": "no-such-plan"}).status_code == 404
