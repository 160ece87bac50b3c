"""Who is told of a workflow event, by e-mail and in the portal, once, with a link that opens it:
a new input request (the supporting agency), an extension request (the reviewers), a decision on
it (the agency that asked)."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from greenplan.celery import app as celery_app
from reporting import jobs
from reporting.models import ContributionRequest, Extension, Notice, Notification
from reporting.notices import delivery as notices
from reporting.reports.signals import workflow_event
from reporting.reports.workflow import contribution_request, extension_grant, extension_refuse, extension_request
from tests.reporting.notices.test_reminders_job import sent_to


@pytest.fixture(autouse=True)
def _during_the_2026_cycle(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 20))


def _ask(world):
    return contribution_request(report=world.report_of(world.agency_a), agency_id=world.agency_s.pk,
                                user=world.officer_a, due_on=dt.date(2026, 11, 27), message="Xin số liệu công trình xanh")


def test_a_new_input_request_tells_the_supporting_agency_with_a_link_to_answer_it(
        world, eager_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = _ask(world)
    message, = mail.outbox
    assert message.to == ["sam@example.vn"]
    assert "Đề nghị phối hợp" in message.subject and "27/11/2026" in message.subject
    link = f"https://greenplan.example.vn/reports/contributions/#contribution-{req.pk}"
    assert link in message.body and link in message.alternatives[0][0]
    assert "Xin số liệu công trình xanh" in message.body
    note = Notification.objects.get(user=world.officer_s)
    assert note.url == f"/reports/contributions/#contribution-{req.pk}"
    assert "Sở Tài nguyên và Môi trường đề nghị cơ quan góp ý" in note.body


def test_an_extension_request_tells_the_plans_reviewers_and_nobody_else(
        world, eager_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a,
                                reason="Chờ số liệu quyết toán")
    message, = mail.outbox
    assert message.to == ["rita@example.vn"]
    assert "đề nghị gia hạn" in message.subject and "Chờ số liệu quyết toán" in message.body
    assert Notification.objects.get(user=world.reviewer).url == f"/reports/review/?cycle={world.cycle.pk}#extension-{ext.pk}"
    assert not sent_to("yann") and not sent_to("alice")


def test_a_decision_tells_the_agency_that_asked_grant_or_refusal(world, eager_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 15), comment="Đồng ý")
    message, = mail.outbox
    assert sorted(message.to) == ["alice@example.vn", "hana@example.vn"]
    assert "Đã gia hạn" in message.subject and "15/12/2026" in message.subject
    note = Notification.objects.get(user=world.officer_a, notice__kind="ext_decision")
    assert note.url == f"/reports/#cycle-{world.cycle.pk}-{world.agency_a.pk}"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Thêm")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extension_refuse(second, user=world.reviewer, comment="Không đủ căn cứ")
    message, = mail.outbox
    assert "không được chấp thuận" in message.subject and "Không đủ căn cứ" in message.body


def test_each_event_is_told_once_however_often_the_signal_fires(world, eager_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = _ask(world)
    for _ in range(2):
        workflow_event.send(sender=ContributionRequest, event="input_requested", object_id=req.pk)
    assert len(mail.outbox) == 1 and Notice.objects.filter(kind="input").count() == 1


def test_with_the_broker_down_the_request_is_made_and_its_notice_waits_in_the_outbox(
        world, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(jobs.deliver_notice, "apply_async", refuse)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            req = _ask(world)
        assert ContributionRequest.objects.filter(pk=req.pk).exists()
        assert mail.outbox == [] and Notice.objects.get(kind="input").state == "queued"
        assert notices.flush() == {"sent": 1}
        assert len(mail.outbox) == 1
    finally:
        celery_app.conf.task_always_eager = before


def test_no_extension_notice_for_a_request_still_waiting(world):
    from reporting.notices.reminders import plan_event_notice

    ext = Extension.objects.create(cycle=world.cycle, agency=world.agency_a, reason="x")
    assert plan_event_notice("extension_decided", ext.pk) is None
