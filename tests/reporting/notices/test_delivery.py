"""Delivering notices: claims and leases, retries with backoff, the outbox when the broker is down,
the in-app notification pages, the beat schedule and the sending log in the admin."""
import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from greenplan.celery import app as celery_app
from reporting.notices import delivery as notices, jobs
from reporting.models import Notice, Notification, ReminderRun, Report
from reporting.notices.reminders import run
from tests.factories import UserFactory
from tests.reporting.notices.test_reminders_job import day, sent_to

pytestmark = pytest.mark.usefixtures("eager_jobs")


def planned(world, when=-7):
    """Agency A's reminder of a day, planned and not sent (the others planned that day dropped)."""
    from reporting.notices.reminders import _insert_new, collect

    _insert_new(collect(day(when)), batch="test", now=timezone.now())
    Notice.objects.exclude(agency=world.agency_a).delete()
    return Notice.objects.get(agency=world.agency_a)


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(notices, "send_email", refuse)


@pytest.fixture
def broker_down(monkeypatch):
    """Not eager, and every publish fails as it does when Redis is unreachable."""
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(jobs.deliver_notice, "apply_async", refuse)


# --- claims ---------------------------------------------------------------------------------------

def test_a_notice_can_be_claimed_by_one_worker_only(world):
    notice = planned(world)
    token = notices.claim(notice.pk)
    assert token and notices.claim(notice.pk) is None
    notice.refresh_from_db()
    assert (notice.state, notice.claim_token, notice.attempts) == ("sending", token, 1)


def test_a_claim_whose_worker_died_is_taken_again_once_its_lease_has_run_out(world):
    notice = planned(world)
    now = timezone.now()
    assert notices.claim(notice.pk, now=now)
    assert notices.claim(notice.pk, now=now + dt.timedelta(minutes=9)) is None
    assert notices.deliver(notice.pk, now=now + dt.timedelta(minutes=11)) == "sent"
    notice.refresh_from_db()
    assert notice.state == "sent" and notice.attempts == 2
    assert len(sent_to("alice")) == 1


def test_a_sent_notice_is_never_sent_again(world):
    notice = planned(world)
    assert notices.deliver(notice.pk) == "sent"
    assert notices.deliver(notice.pk) == "busy"
    assert notices.deliver(notice.pk, now=timezone.now() + dt.timedelta(days=2)) == "busy"
    assert len(sent_to("alice")) == 1
    assert Notification.objects.filter(notice=notice).count() == 2


def test_the_worker_that_lost_its_claim_does_not_mark_the_row(world):
    notice = planned(world)
    stale = notices.claim(notice.pk)
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert notices.deliver(notice.pk) == "sent"
    assert notices._release(notice.pk, stale, state="queued") is False


# --- batches ----------------------------------------------------------------------------------------

def queued(world, when=-7):
    """The day's notices, planned and left queued (the broker took nothing), in order."""
    from reporting.notices.reminders import _insert_new, collect

    _insert_new(collect(day(when)), batch="test", now=timezone.now())
    return list(Notice.objects.order_by("pk").values_list("pk", flat=True))


def test_a_batch_of_notices_goes_out_through_one_mail_connection(world, monkeypatch):
    opened = []
    real = notices.mail_connection
    monkeypatch.setattr(notices, "mail_connection", lambda: opened.append(1) or real())
    record = run(day(-7), inline=True)
    assert record.planned == 3 and len(mail.outbox) == 3
    assert len(opened) == 1


def test_a_send_that_fails_in_a_batch_costs_that_notice_only_and_the_next_opens_a_new_connection(world, monkeypatch):
    ids = queued(world)
    real, used = notices.send_email, []

    def flaky(**kwargs):
        used.append(kwargs["connection"])
        if len(used) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        real(**kwargs)

    monkeypatch.setattr(notices, "send_email", flaky)
    assert list(notices.deliver_many(ids).values()) == ["sent", "failed", "sent"]
    failed = Notice.objects.get(pk=ids[1])
    assert (failed.state, failed.attempts) == ("queued", 1) and failed.next_attempt_at
    assert "SMTPServerDisconnected" in failed.last_error
    assert used[0] is used[1] and used[2] is not used[1]
    assert len(mail.outbox) == 2
    assert notices.deliver_many(ids, now=timezone.now() + dt.timedelta(minutes=2)) == {
        ids[0]: "busy", ids[1]: "sent", ids[2]: "busy"}
    assert len(mail.outbox) == 3


def test_a_batch_whose_claim_grows_old_gives_back_what_it_has_not_sent_and_claims_it_again(world, settings,
                                                                                            monkeypatch):
    ids = queued(world)
    settings.NOTICE_LEASE_SECONDS = 0  # every claim is old as soon as it is made
    claims = []
    real = notices._claim
    monkeypatch.setattr(notices, "_claim", lambda *a: claims.append(a[0]) or real(*a))
    assert notices.deliver_many(ids) == {i: "sent" for i in ids}
    assert len(mail.outbox) == 3 and len(claims) == 3  # one send per claim, each sent once
    assert list(Notice.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 1, 1]


def test_a_batch_that_cannot_be_looked_up_at_once_is_looked_up_one_by_one(world, monkeypatch):
    ids = queued(world)
    real = notices.still_applying

    def only_one_at_a_time(rows):
        rows = list(rows)
        if len(rows) > 1:
            raise KeyError("items")
        return real(rows)

    monkeypatch.setattr(notices, "still_applying", only_one_at_a_time)
    assert notices.deliver_many(ids) == {i: "sent" for i in ids}
    assert len(mail.outbox) == 3


# --- failures and retries -------------------------------------------------------------------------

def test_a_failed_send_is_recorded_and_retried_with_exponential_backoff(world, smtp_down, monkeypatch):
    notice = planned(world)
    now = timezone.now()
    with pytest.raises(notices.DeliveryFailed) as failure:
        notices.deliver(notice.pk, now=now)
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, failure.value.retry_in) == ("queued", 1, 60)
    assert notice.next_attempt_at == now + dt.timedelta(seconds=60)
    assert "SMTPServerDisconnected" in notice.last_error

    assert notices.flush(now=now + dt.timedelta(seconds=30)) == {}  # not due yet
    with pytest.raises(notices.DeliveryFailed) as failure:
        notices.deliver(notice.pk, now=now + dt.timedelta(seconds=61))
    assert failure.value.retry_in == 120

    monkeypatch.undo()
    assert notices.flush(now=now + dt.timedelta(minutes=5)) == {"sent": 1}
    notice.refresh_from_db()
    assert (notice.state, notice.last_error, notice.attempts) == ("sent", "", 3)


def test_after_the_last_attempt_a_notice_stays_failed_and_visible(world, smtp_down):
    notice = planned(world)
    Notice.objects.filter(pk=notice.pk).update(attempts=notices.MAX_ATTEMPTS - 1)
    with pytest.raises(notices.DeliveryFailed) as failure:
        notices.deliver(notice.pk)
    notice.refresh_from_db()
    assert notice.state == "failed" and failure.value.retry_in is None and notice.last_error
    assert notices.deliver(notice.pk, now=timezone.now() + dt.timedelta(days=1)) == "busy"


def test_the_delivery_task_asks_celery_to_retry_after_the_backoff(world, smtp_down, monkeypatch):
    notice = planned(world)
    celery_app.conf.task_always_eager = False
    asked = {}

    def retry(exc=None, countdown=None, **kw):
        asked["countdown"] = countdown
        return RuntimeError("retry")

    monkeypatch.setattr(jobs.deliver_notice, "retry", retry)
    with pytest.raises(RuntimeError):
        jobs.deliver_notice.run(notice.pk)
    assert asked == {"countdown": 60}


def test_in_eager_mode_a_failure_does_not_break_the_caller(world, smtp_down):
    notice = planned(world)
    assert jobs.deliver_notice.delay(notice.pk).get() == "failed"


def test_backoff_doubles_up_to_six_hours():
    assert [notices.backoff(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert notices.backoff(30) == 6 * 3600


# --- the outbox -----------------------------------------------------------------------------------

def test_with_the_broker_down_the_job_keeps_reminders_in_the_outbox_and_flush_sends_them(world, broker_down,
                                                                                        monkeypatch):
    record = run(day(-7))
    assert record.planned == 3 and mail.outbox == []
    assert set(Notice.objects.values_list("state", flat=True)) == {"queued"}

    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    assert notices.flush() == {"sent": 3}
    assert len(mail.outbox) == 3


def test_the_next_reminder_run_also_sends_what_the_outbox_holds(world, broker_down, monkeypatch):
    run(day(-7))
    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    record = run(day(-6), inline=True)
    assert (record.planned, record.dispatched) == (1, 4)  # today's digest, and yesterday's three
    assert len(mail.outbox) == 4 and len(sent_to("alice")) == 1


def test_with_the_broker_down_a_review_still_works_and_its_notice_waits(world, broker_down, client, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    report = world.report_of(world.agency_a)
    Report.objects.filter(pk=report.pk).update(state="submitted", submitted_at=timezone.now(),
                                               status="on_schedule", percent_complete=10)
    client.force_login(world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.pk}/return/", {"comment": "Thiếu số liệu."})
    assert response.status_code == 302
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    report.refresh_from_db()
    assert report.state == "returned"
    notice = Notice.objects.get(kind="returned")
    assert notice.state == "queued" and mail.outbox == []

    monkeypatch.undo()
    assert notices.flush() == {"sent": 1}
    assert "Thiếu số liệu." in sent_to("alice")[0].body


def test_the_flush_job_and_command_send_the_outbox(world, broker_down, monkeypatch, capsys):
    from django.core.management import call_command

    run(day(-7))
    monkeypatch.undo()
    call_command("flush_outbox")
    assert "sent: 3" in capsys.readouterr().out
    assert jobs.flush_outbox.run() == {}


def test_each_run_is_recorded(world):
    run(day(-7), inline=True)
    record = ReminderRun.objects.get()
    assert record.day == day(-7) and record.finished_at and record.planned == 3


# --- in-app notifications -------------------------------------------------------------------------

def test_the_notification_page_lists_my_notifications_and_counts_the_unread(world, client):
    run(day(-3), inline=True)
    client.force_login(world.officer_a)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert page.context["unread"] == 1 and "Còn 3 ngày" in page.content.decode()
    assert page.context["unread_notifications"] == 1

    other = Notification.objects.get(user=world.officer_b)
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404

    mine = Notification.objects.get(user=world.officer_a)
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302 and response["Location"] == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get("/notifications/").context["unread_notifications"] == 0


def test_a_reader_who_chose_english_reads_the_notice_in_english_and_the_email_stays_vietnamese(world, client):
    run(day(-3), inline=True)
    mine = Notification.objects.get(user=world.officer_a)
    assert mine.title.startswith("Còn 3 ngày")  # stored as sent, in Vietnamese
    client.force_login(world.officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/notifications/").content.decode()
    assert "3 days left until the" in page and "3 reports not yet submitted" in page
    assert "Còn 3 ngày" not in page and "báo cáo chưa gửi" not in page
    to_me = [m for m in mail.outbox if world.officer_a.email in m.to]
    assert to_me and to_me[0].subject == "[greenplan] " + mine.title
    assert not any("days" in m.subject or "days" in m.body for m in mail.outbox)


def test_mark_all_read(world, client):
    run(day(-3), inline=True)
    run(day(-1), inline=True)
    client.force_login(world.officer_a)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(user=world.officer_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.officer_b, read_at__isnull=True).count() == 2


def test_the_unread_count_costs_no_query_unless_a_template_uses_it(world, rf, django_assert_num_queries):
    from reporting.context_processors import unread_notifications

    request = rf.get("/")
    request.user = world.officer_a
    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"] == 0


def test_the_menu_badge_counts_the_unread_with_the_user_and_makes_no_query_of_its_own(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(day(-3), inline=True)
    run(day(-1), inline=True)
    client.force_login(world.officer_a)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/plans/")
    assert page.context["unread_notifications"] == 2
    assert '<span class="badge high">2</span>' in page.content.decode()
    counting = [q["sql"] for q in ctx.captured_queries if "reporting_notification" in q["sql"]]
    assert len(counting) == 1 and "FROM auth_user u WHERE" in counting[0]  # with the user, in one statement
    Notification.objects.filter(user=world.officer_a).update(read_at=timezone.now())
    assert client.get("/plans/").context["unread_notifications"] == 0  # counted anew on each request


# --- the beat schedule ----------------------------------------------------------------------------

def test_the_beat_schedule_is_written_from_one_declaration(db):
    from django_celery_beat.models import PeriodicTask

    from reporting.notices.schedule import sync_beat_schedule

    PeriodicTask.objects.filter(task="reporting.jobs.send_reminders").update(enabled=False)
    PeriodicTask.objects.create(name="greenplan: retired job", task="reporting.notices.jobs.gone",
                                interval=PeriodicTask.objects.get(task="reporting.jobs.flush_outbox").interval)
    sync_beat_schedule()
    sync_beat_schedule()

    daily = PeriodicTask.objects.get(task="reporting.jobs.send_reminders")
    assert daily.enabled
    assert (daily.crontab.minute, daily.crontab.hour, str(daily.crontab.timezone)) == ("0", "8", "Asia/Ho_Chi_Minh")
    flush = PeriodicTask.objects.get(task="reporting.jobs.flush_outbox")
    assert (flush.interval.every, flush.interval.period) == (60, "seconds")
    resume = PeriodicTask.objects.get(task="reporting.resume_stalled_province_reports")
    assert (resume.interval.every, resume.interval.period) == (20, "seconds")
    assert PeriodicTask.objects.filter(name__startswith="greenplan: ").count() == 3


# --- the sending log in the admin -----------------------------------------------------------------

def test_the_admin_shows_the_sending_log_with_errors_and_can_retry(world, client, smtp_down, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    notice = planned(world)
    Notice.objects.filter(pk=notice.pk).update(attempts=notices.MAX_ATTEMPTS - 1)
    with pytest.raises(notices.DeliveryFailed):
        notices.deliver(notice.pk)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/reporting/notice/?attention=failed")
    assert page.status_code == 200 and "SMTPServerDisconnected" in page.content.decode()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/reporting/notice/", {"action": "retry_now", "_selected_action": [notice.pk]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "sent" and len(sent_to("alice")) == 1
    for path in ("/admin/reporting/reminderpolicy/add/", "/admin/reporting/reminderrun/",
                 "/admin/reporting/notification/", f"/admin/reporting/notice/{notice.pk}/change/"):
        assert client.get(path).status_code == 200, path
