"""After a merger the successor reports on its predecessor's activities; earlier reports stay
with the agency that wrote them."""
import datetime as dt

import pytest

from agencies.memberships import move_memberships
from agencies.models import Succession
from reporting.reports.cycles import create_cycles, materialize_reports
from reporting.models import Report
from reporting.reports.access import reports_visible_to
from reporting.reports.workflow import WorkflowError, report_save
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged():
    j = JurisdictionFactory(name="Bình Dương")
    dpi = AgencyFactory(jurisdiction=j, name="Sở Kế hoạch và Đầu tư")
    finance = AgencyFactory(jurisdiction=j, name="Sở Tài chính")
    plan = build_plan(jurisdiction=j, themes=1, groups=1, activities=2, lead=dpi)
    create_cycles(plan, years=[2024])
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    create_cycles(plan, years=[2025])
    return plan, dpi, finance


def test_the_successor_owes_the_reports_of_cycles_after_the_merger(merged):
    plan, dpi, finance = merged
    assert set(Report.objects.filter(cycle__year=2024, cycle__kind="annual").values_list("agency", flat=True)) == {dpi.pk}
    assert set(Report.objects.filter(cycle__year=2025, cycle__kind="annual").values_list("agency", flat=True)) == {finance.pk}


def test_refreshing_a_cycle_keeps_started_reports_with_their_writer(merged, monkeypatch):
    plan, dpi, finance = merged
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2024, 11, 1))
    writer = MembershipFactory(agency=dpi, user=UserFactory(username="old")).user
    started = Report.objects.filter(cycle__year=2024).first()
    report_save(started, user=writer, data={"results": "viết năm 2024"}, base_version=0)
    Succession.objects.update(effective_on=dt.date(2024, 1, 1))  # an admin back-dates the merger
    materialize_reports(started.cycle)
    started.refresh_from_db()
    assert started.agency == dpi  # history stays with the agency that wrote it
    untouched = Report.objects.filter(cycle=started.cycle).exclude(pk=started.pk).first()
    assert untouched.agency == finance  # nobody had started it: it moves to the successor


def test_moved_officers_edit_the_successors_reports_and_read_their_predecessors(merged, monkeypatch):
    plan, dpi, finance = merged
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 11, 1))
    officer = MembershipFactory(agency=dpi, user=UserFactory(username="an")).user
    move_memberships(predecessor=dpi, successor=finance)
    new = Report.objects.filter(cycle__year=2025, cycle__kind="annual").first()
    assert report_save(new, user=officer, data={"results": "Sở Tài chính báo cáo"}, base_version=0).state == "draft"
    old = Report.objects.filter(cycle__year=2024).first()
    assert old in reports_visible_to(Report.objects.all(), officer)  # last year's report, shown beside the form
    with pytest.raises(WorkflowError):
        report_save(old, user=officer, data={"results": "sửa báo cáo cũ"}, base_version=0)


def test_handing_an_unstarted_report_to_the_successor_is_a_new_version_with_an_assign_event_in_its_history(
        merged, client):
    from django.urls import reverse

    from reporting.models import ReportEvent

    plan, dpi, finance = merged
    admin = UserFactory(username="quantri", first_name="Minh", is_staff=True, is_superuser=True)
    cycle = Report.objects.filter(cycle__year=2024, cycle__kind="annual").first().cycle
    Succession.objects.update(effective_on=dt.date(2024, 1, 1))  # an admin back-dates the merger
    client.force_login(admin)
    response = client.post(reverse("admin:reporting_reportingcycle_changelist"),
                           {"action": "refresh_owed_reports", "_selected_action": [cycle.pk]})
    assert response.status_code == 302
    moved = Report.objects.filter(cycle=cycle)
    assert {r.agency_id for r in moved} == {finance.pk}
    for report in moved:
        assert report.version == 1 and report.updated_by == admin
        event = report.events.get()
        assert (event.kind, event.actor, event.from_state, event.to_state) == (
            ReportEvent.Kind.ASSIGN, admin, "missing", "missing")

    officer = MembershipFactory(agency=finance, user=UserFactory(username="tai")).user
    client.force_login(officer)
    body = client.get(reverse("reporting:report", args=[moved.first().pk])).content.decode()
    history = body[body.index('id="history"'):]
    history = history[:history.index("</table>")]
    assert "<td>Minh</td>" in history and "Giao cơ quan" in history
    assert "Sở Kế hoạch và Đầu tư → Sở Tài chính" in history
