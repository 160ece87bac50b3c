"""A report returned or accepted: its agency hears at once, by e-mail and in the portal, once."""
import pytest
from django.core import mail
from django.utils import timezone

from reporting.models import Notice, Notification, Report
from reporting.reports.signals import report_reviewed
from reporting.reports.workflow import report_accept, report_reopen, report_return
from tests.reporting.notices.test_reminders_job import sent_to

pytestmark = pytest.mark.usefixtures("eager_jobs")


@pytest.fixture
def submitted(world):
    report = world.report_of(world.agency_a)
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED, submitted_at=timezone.now(),
                                               status="on_schedule", percent_complete=40)
    return world.report_of(world.agency_a)


def test_a_returned_report_is_announced_to_its_agency_with_what_to_fix(world, submitted,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_return(submitted, user=world.reviewer, comment="Bổ sung minh chứng về kinh phí.")

    message, = mail.outbox
    assert sorted(message.to) == ["alice@example.vn", "hana@example.vn"]
    assert "bị trả lại để sửa" in message.subject and submitted.item.code in message.subject
    assert "Bổ sung minh chứng về kinh phí." in message.body
    assert f"https://greenplan.example.vn/reports/{submitted.pk}/" in message.body
    assert f"https://greenplan.example.vn/reports/{submitted.pk}/" in message.alternatives[0][0]
    assert "Rita" in message.body  # who returned it (by name)
    note = Notification.objects.get(user=world.officer_a)
    assert note.url == f"/reports/{submitted.pk}/" and note.read_at is None
    assert not sent_to("bob") and not sent_to("rita")


def test_an_accepted_report_is_announced_to_its_agency(world, submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(submitted, user=world.reviewer, comment="Đạt yêu cầu.")

    message, = mail.outbox
    assert "đã được chấp nhận" in message.subject and "Đạt yêu cầu." in message.body
    assert Notice.objects.get().kind == "accepted"


def test_each_review_event_is_announced_once_even_if_the_signal_fires_again(world, submitted,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(submitted, user=world.reviewer)
    report_reviewed.send(sender=Report, report_id=submitted.pk, event="accepted")
    report_reviewed.send(sender=Report, report_id=submitted.pk, event="accepted")

    assert len(mail.outbox) == 1 and Notice.objects.count() == 1

    # Reopening is a new event: a new notice, with the reason.
    with django_capture_on_commit_callbacks(execute=True):
        report_reopen(submitted, user=world.reviewer, reason="Số liệu kinh phí bị nhầm đơn vị.")
    assert len(mail.outbox) == 2
    assert "bị trả lại" in mail.outbox[1].subject and "Số liệu kinh phí bị nhầm đơn vị." in mail.outbox[1].body


def test_an_unknown_event_or_a_report_without_agency_sends_nothing(world, submitted):
    report_reviewed.send(sender=Report, report_id=submitted.pk, event="submitted")
    Report.objects.filter(pk=submitted.pk).update(agency=None)
    report_reviewed.send(sender=Report, report_id=submitted.pk, event="returned")
    assert mail.outbox == [] and Notice.objects.count() == 0
