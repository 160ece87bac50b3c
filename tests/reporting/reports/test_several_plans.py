"""Several plans in one jurisdiction: one cycle a year collects reports for every plan the merged
city carries, and a superseded plan's activities and their reports follow its mapping."""
import datetime as dt

import pytest
from django.urls import reverse

from reporting.models import Report, ReportingCycle
from reporting.reports.cycles import (
    CycleError, create_cycles, create_jurisdiction_cycle, materialize_reports, supersede_plan_and_follow,
)
from tests.factories import MembershipFactory, UserFactory


def _owed(cycle):
    return {(r.item.plan.code, r.item.code): r.agency_id
            for r in Report.objects.filter(cycle=cycle).select_related("item__plan")}


def test_one_2026_cycle_collects_reports_for_both_city_plans(merged_city):
    c = merged_city
    cycle = create_jurisdiction_cycle(c.city, 2026)
    assert ReportingCycle.objects.filter(year=2026).count() == 1
    assert cycle.plan == c.city_plan and cycle.consolidated
    assert [p.code for p in cycle.plans()] == ["hcm-3797", "bd-396"]
    # Bình Dương's departments answer through the city's successors; 1.1.2 of 3797 names no lead.
    assert _owed(cycle) == {
        ("bd-396", "1.1.1"): c.env.pk, ("bd-396", "1.1.2"): c.trade.pk, ("bd-396", "1.1.3"): c.env.pk,
        ("hcm-3797", "1.1.1"): c.trade.pk, ("hcm-3797", "1.1.2"): None,
    }
    # Asking the legacy plan for its own 2026 cycle gives back the shared one, not a second.
    assert cycle in create_cycles(c.legacy_plan, years=[2026])
    assert ReportingCycle.objects.filter(year=2026, kind="annual").count() == 1
    # Running it again changes nothing.
    assert create_jurisdiction_cycle(c.city, 2026) == cycle
    assert Report.objects.filter(cycle=cycle).count() == 5


def test_a_shared_cycle_is_refused_while_a_plan_has_its_own_cycle_that_year(merged_city):
    create_cycles(merged_city.legacy_plan, years=[2026])
    with pytest.raises(CycleError) as err:
        create_jurisdiction_cycle(merged_city.city, 2026)
    assert "396/KH-UBND" in str(err.value)


def test_a_superseded_plans_activities_and_their_reports_follow_the_mapping(merged_city):
    c = merged_city
    past = next(x for x in create_cycles(c.legacy_plan, years=[2025]) if x.kind == "annual")
    cycle = create_jurisdiction_cycle(c.city, 2026)
    old_111 = Report.objects.get(cycle=past, item__plan=c.legacy_plan, item__code="1.1.1")
    old_111.state, old_111.results, old_111.percent_complete = "accepted", "Đã kiểm kê khí nhà kính.", 40
    old_111.status, old_111.submitted_at = "on_schedule", dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc)
    old_111.save()
    # From 2026: 396's 1.1.1 goes on as 3797's 1.1.2; 1.1.3 has ended; 1.1.2 is not mapped yet.
    supersede_plan_and_follow(old_plan=c.legacy_plan, new_plan=c.city_plan, effective_on=dt.date(2026, 1, 1),
                              mapping={"1.1.1": "1.1.2", "1.1.3": "ended"})
    owed = _owed(cycle)
    assert ("bd-396", "1.1.1") not in owed and ("bd-396", "1.1.3") not in owed, "superseded items still owed"
    assert owed[("bd-396", "1.1.2")] == c.trade.pk, "an unmapped activity stopped being owed"
    assert owed[("hcm-3797", "1.1.2")] == c.env.pk
    # 2025 was reported under the old plan and stays there.
    assert Report.objects.filter(cycle=past, item__plan=c.legacy_plan).count() == 3
    # The new item's report shows last year's report on the activity it carries on.
    officer = UserFactory(username="an.nnmt")
    MembershipFactory(user=officer, agency=c.env)
    new_report = Report.objects.get(cycle=cycle, item__plan=c.city_plan, item__code="1.1.2")
    client_page = _page_of(officer, new_report)
    assert "Đã kiểm kê khí nhà kính." in client_page


def _page_of(user, report):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("reporting:report", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_old_agencys_activity_in_a_superseded_plan_reaches_the_successor_agency_in_the_new_plan(merged_city):
    """Agency lineage and plan supersession together: Bình Dương's Sở Tài nguyên và Môi trường led
    396's 1.1.3; from 2026 that work is 3797's 1.1.2 (which names no lead), and the city's Sở Nông
    nghiệp và Môi trường, its successor, owes the report; the moved officer finds it."""
    c = merged_city
    cycle = create_jurisdiction_cycle(c.city, 2026)
    assert _owed(cycle)[("hcm-3797", "1.1.2")] is None
    supersede_plan_and_follow(old_plan=c.legacy_plan, new_plan=c.city_plan, effective_on=dt.date(2026, 1, 1),
                              mapping={"1.1.3": "1.1.2", "1.1.1": "ended"})
    report = Report.objects.get(cycle=cycle, item__plan=c.city_plan, item__code="1.1.2")
    assert report.agency == c.env
    officer = UserFactory(username="an.nnmt")
    MembershipFactory(user=officer, agency=c.env)
    assert "Hoạt động 1.1.2 của 3797/QĐ-UBND" in _page_of(officer, report)
    # Before the supersession takes effect, 2025's report stays with the old plan's item.
    past = next(x for x in create_cycles(c.legacy_plan, years=[2025]) if x.kind == "annual")
    materialize_reports(past)
    assert _owed(past)[("bd-396", "1.1.3")] == c.env.pk
