"""The reviewer's queue: what waits for review, bulk accept (all or nothing), extensions, unassigned items."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import Extension, Report
from tasks.models import PlanItem
from tests.factories import AgencyFactory

from tests.reporting.factories import bulk_reports

pytestmark = pytest.mark.django_db


def queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reporting:queue"), params)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def submitted(cycle, agency_a, agency_b):
    on_time = timezone.make_aware(dt.datetime(cycle.year, 1, 5, 9, 30))
    reports = bulk_reports(cycle, agency_a, 3, theme="7", submitted_at=on_time)
    late = bulk_reports(cycle, agency_b, 2, theme="8", states=[Report.State.SUBMITTED, Report.State.DRAFT])
    Report.objects.filter(pk=late[0].pk).update(late=True, submitted_at=timezone.make_aware(dt.datetime(cycle.year, 12, 2, 14, 5)))
    return reports + late


def test_a_reviewer_sees_submitted_reports_by_default_with_late_marks_and_their_time(client, rita, cycle, submitted):
    response = queue(client, rita)
    assert response.status_code == 200
    shown = {r.item.code for r in response.context["reports"]}
    assert shown == {"7.1.1", "7.1.2", "7.1.3", "8.1.1"}  # the draft 8.1.2 is not waiting for review
    body = response.content.decode()
    assert f"Nộp muộn 14:05 02/12/{cycle.year}" in body
    assert 'name="report"' in body and 'id="bulk-form"' in body


def test_the_queue_filters_by_theme_agency_and_state(client, rita, cycle, submitted, agency_b):
    assert {r.item.code for r in queue(client, rita, theme="8").context["reports"]} == {"8.1.1"}
    assert {r.item.code for r in queue(client, rita, agency=agency_b.pk, state="").context["reports"]} == {"8.1.1", "8.1.2"}
    assert {r.item.code for r in queue(client, rita, state="draft").context["reports"]} == {"8.1.2"}


def test_bulk_accept_accepts_every_chosen_report(client, rita, submitted):
    chosen = [r.pk for r in submitted[:3]]
    client.force_login(rita)
    response = client.post(reverse("reporting:bulk_accept"), {"report": chosen, "next": "/reports/review/?theme=7"})
    assert response.status_code == 302 and response["Location"] == "/reports/review/?theme=7"
    assert set(Report.objects.filter(pk__in=chosen).values_list("state", flat=True)) == {Report.State.ACCEPTED}


def test_bulk_accept_is_all_or_nothing(client, rita, submitted):
    draft = next(r for r in submitted if r.state == Report.State.DRAFT)
    chosen = [submitted[0].pk, submitted[1].pk, draft.pk]
    client.force_login(rita)
    response = client.post(reverse("reporting:bulk_accept"), {"report": chosen}, follow=True)
    assert any("Không chấp nhận báo cáo nào" in m for m in messages_of(response))
    assert not Report.objects.filter(state=Report.State.ACCEPTED).exists()


def test_a_leader_sees_the_queue_read_only_and_cannot_bulk_accept(client, leo, submitted):
    response = queue(client, leo)
    body = response.content.decode()
    assert response.status_code == 200 and len(response.context["reports"]) == 4
    assert 'id="read-only-note"' in body and 'name="report"' not in body and "extension_grant" not in body
    client.post(reverse("reporting:bulk_accept"), {"report": [submitted[0].pk]})
    assert not Report.objects.filter(state=Report.State.ACCEPTED).exists()


def test_officers_get_404_and_a_foreign_reviewer_sees_none_of_these_reports(client, alice, yann, submitted):
    assert queue(client, alice).status_code == 404  # a page only overseers may see (reporting.reports.access)
    response = queue(client, yann)
    assert response.status_code == 200 and "7.1.1" not in response.content.decode()
    client.post(reverse("reporting:bulk_accept"), {"report": [submitted[0].pk]})
    assert not Report.objects.filter(state=Report.State.ACCEPTED).exists()


def test_reviewers_and_leaders_landing_on_the_home_page_go_to_the_queue(client, rita, leo):
    for user in (rita, leo):
        client.force_login(user)
        response = client.get(reverse("reporting:home"))
        assert response.status_code == 302 and response["Location"] == reverse("reporting:queue")


def test_unassigned_items_are_listed_apart_with_the_reason(client, rita, cycle, plan, province):
    group = plan.items.get(code="1.1")
    PlanItem.objects.create(plan=plan, level="activity", code="1.1.9", parent=group, title="Việc chưa có ai chủ trì")
    everyone = AgencyFactory(jurisdiction=province, name="Các sở, ban, ngành", is_group=True)
    PlanItem.objects.create(plan=plan, level="activity", code="1.1.8", parent=group, title="Việc giao chung",
                            lead_agency=everyone)
    body = queue(client, rita).content.decode()
    section = body[body.index('id="unassigned"'):]
    assert "Việc chưa có ai chủ trì" in section and "Chưa có cơ quan chủ trì" in section
    assert "Việc giao chung" in section and "nhóm chung" in section


def test_an_officer_asks_for_more_time_and_the_reviewer_grants_a_new_date_shown_on_the_officers_home(
        client, alice, rita, report, cycle, agency_a):
    client.force_login(alice)
    response = client.post(reverse("reporting:extension_request"),
                           {"target": f"{cycle.pk}:{agency_a.pk}", "reason": "Chờ số liệu quyết toán"}, follow=True)
    assert "Đã gửi đề nghị gia hạn; Sở đầu mối sẽ xem xét." in messages_of(response)
    ext = Extension.objects.get()
    body = queue(client, rita).content.decode()
    assert "Chờ số liệu quyết toán" in body and reverse("reporting:extension_grant", args=[ext.pk]) in body
    new_day = timezone.localtime(cycle.due_at).date() + dt.timedelta(days=10)
    response = client.post(reverse("reporting:extension_grant", args=[ext.pk]),
                           {"new_due_on": new_day.strftime("%d/%m/%Y")}, follow=True)
    assert any("Đã gia hạn" in m for m in messages_of(response))
    client.force_login(alice)
    response = client.get(reverse("reporting:home"))
    group = response.context["groups"][0]
    assert group["extended"] and group["days_left"] == (new_day - timezone.localdate()).days
    assert new_day.strftime("%d/%m/%Y") in response.content.decode() and "đã gia hạn" in response.content.decode()


def test_a_reviewer_refuses_an_extension_with_a_reason(client, alice, rita, report, cycle, agency_a):
    ext = Extension.objects.create(cycle=cycle, agency=agency_a, reason="Thiếu người", requested_by=alice)
    client.force_login(rita)
    response = client.post(reverse("reporting:extension_refuse", args=[ext.pk]), {"comment": ""}, follow=True)
    assert any("Cần nêu lý do từ chối" in m for m in messages_of(response))
    client.post(reverse("reporting:extension_refuse", args=[ext.pk]), {"comment": "Hạn đã được báo trước 3 tháng"})
    ext.refresh_from_db()
    assert ext.state == Extension.State.REFUSED
    client.force_login(alice)
    assert "Hạn đã được báo trước 3 tháng" in client.get(reverse("reporting:home")).content.decode()


def test_an_extension_request_carries_the_proposed_date_to_the_reviewers_grant_form(client, alice, rita, cycle, agency_a, report):
    proposed = max(timezone.localtime(cycle.due_at).date(), timezone.localdate()) + dt.timedelta(days=10)
    client.force_login(alice)
    client.post(reverse("reporting:extension_request"), {"target": f"{cycle.pk}:{agency_a.pk}", "reason": "Chờ số liệu",
                                                        "proposed_due_on": f"{proposed:%d/%m/%Y}"})
    client.force_login(rita)
    page = client.get(reverse("reporting:queue")).content.decode()
    assert f'name="new_due_on" placeholder="dd/mm/yyyy" required inputmode="numeric" value="{proposed:%d/%m/%Y}"' in page


def test_a_proposed_date_not_after_the_current_deadline_is_refused(client, alice, cycle, agency_a, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:extension_request"), {
        "target": f"{cycle.pk}:{agency_a.pk}", "reason": "Chờ số liệu",
        "proposed_due_on": f"{timezone.localdate():%d/%m/%Y}"}, follow=True)
    assert "Hạn đề nghị phải sau hạn hiện tại" in response.content.decode()
    assert not Extension.objects.exists()
