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


def test_the_legacy_plans_dashboard_opens_the_shared_cycle_on_that_plan(merged_city, city_cycle, client, settings):
    import datetime as dt
    from unittest import mock

    reviewer = JurisdictionRoleFactory(jurisdiction=merged_city.city, role="reviewer").user
    client.force_login(reviewer)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 12, 5)):
        response = client.get(reverse("dashboard:plan", args=["bd-396"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:cycle", args=[city_cycle.pk]) + "?plan=bd-396"


def test_the_consolidated_status_of_the_city_cycle_lists_and_filters_both_plans(merged_city, city_cycle, client):
    reviewer = JurisdictionRoleFactory(jurisdiction=merged_city.city, role="reviewer").user
    client.force_login(reviewer)
    url = reverse("dashboard:status", args=[city_cycle.pk])
    response = client.get(url)
    assert len(response.context["rows"]) == 4
    legacy_theme = merged_city.legacy_plan.items.get(code="1")
    assert legacy_theme in response.context["outline"].themes
    filtered = client.get(url, {"theme": legacy_theme.pk})
    assert {r.code for r, _url in filtered.context["rows"]} == {"1.1.1", "1.1.2", "1.1.3"}
