"""Reminders through a real broker and a real worker process, not eager mode.

Needs PostgreSQL and Redis (CI: DATABASE_URL and REDIS_URL; REQUIRE_SERVICES=1 makes a missing one
a failure). The worker is a separate process, so it must see the rows this test commits: the test
uses `transactional_db` (no wrapping transaction) on PostgreSQL, where pytest-django's test
database (test_<name>) is an ordinary database the worker connects to. Under SQLite the test
database is in memory and cannot be shared, so these tests require PostgreSQL and skip without it
(fail under REQUIRE_SERVICES=1).

The worker uses its own Redis database number (see `broker_url`), flushed before each test, and
writes e-mail with the file backend into a tmp dir, which this process reads back. Only the
worker processes started here are stopped, through their pid files.

GREENPLAN_TEST_SEND_DELAY=<seconds> (read by reporting.notices.delivery.send_email, tests only) makes every
send slow, so that a worker can be killed in the middle of a run.
"""
import contextlib
import datetime as dt
import email
import email.header
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agencies.models import JurisdictionRole, Membership
from greenplan.celery import app as celery_app
from reporting.notices.jobs import flush_outbox, send_reminders
from reporting.models import Notice, Notification, ReminderRun, Report, ReportingCycle, end_of_day
from tests.factories import AgencyFactory, JurisdictionFactory, PlanFactory, PlanItemFactory, UserFactory

pytestmark = [pytest.mark.services]

BASE_DIR = Path(settings.BASE_DIR)
CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # how Django's file backend ends every message


# --- the broker --------------------------------------------------------------------------------------

@pytest.fixture
def broker_url(redis_required):
    """The configured Redis with a database number of our own, emptied first."""
    import redis

    parts = urlsplit(settings.REDIS_URL)
    number = 13 if parts.path.strip("/") != "13" else 12
    url = urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def broker(url):
    """Point this process's Celery app at `url`, really publishing (not eager)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def forget_connections():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    forget_connections()
    conf.broker_url, conf.task_always_eager = url, False
    try:
        yield
    finally:
        forget_connections()
        conf.broker_url, conf.task_always_eager = saved


# --- the worker -----------------------------------------------------------------------------------------

def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker --pool=solo` process on the test database; stopped through its pid file."""

    def __init__(self, tmp_path, broker_url, mail_dir, **env):
        self.name = f"w{uuid.uuid4().hex[:8]}"
        self.pidfile = tmp_path / f"{self.name}.pid"
        self.log = tmp_path / f"{self.name}.log"
        self.env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": broker_url,
                    "EMAIL_URL": f"filemail:///{mail_dir}", "SITE_URL": "https://greenplan.test",
                    "DJANGO_SETTINGS_MODULE": "greenplan.settings", **env}
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "greenplan", "worker", "--pool=solo", "--loglevel=INFO",
             f"--pidfile={self.pidfile}", f"--hostname={self.name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        wait_for(lambda: b" ready." in self.log.read_bytes() and self.pidfile.exists(), 60,
                 "worker ready", self)
        return self

    @property
    def pid(self) -> int:
        return int(self.pidfile.read_text().strip())

    def kill(self, sig=signal.SIGKILL, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        pid = self.pid if self.pidfile.exists() else self.process.pid
        assert pid == self.process.pid  # never anything but the process started here
        os.kill(pid, sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        self.kill(signal.SIGTERM)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()  # a SIGKILLed worker leaves it behind

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def workers(tmp_path, broker_url):
    started = []

    def start(mail_dir, **env):
        return started.append(Worker(tmp_path, broker_url, mail_dir, **env).start()) or started[-1]

    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, seconds, what, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}\n{worker.tail() if worker else ''}")


# --- the mailbox --------------------------------------------------------------------------------------------

def _header(value) -> str:
    return str(email.header.make_header(email.header.decode_header(value or "")))


def delivered(mail_dir: Path) -> list[dict]:
    """Every message the file backend wrote, whichever process wrote it."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                parsed = email.message_from_bytes(chunk)
                messages.append({"to": _header(parsed["To"]), "subject": _header(parsed["Subject"])})
    return messages


# --- data ------------------------------------------------------------------------------------------------------

def province_with_agencies(count: int, *, due_in: int = 3):
    """`count` agencies, each owing one report due in `due_in` days, with one officer each, and a
    reviewer; dates relative to today, so the cycle is open whenever the suite runs."""
    today = timezone.localdate()
    province = JurisdictionFactory(name=f"Tỉnh Dịch vụ {uuid.uuid4().hex[:6]}")
    plan = PlanFactory(jurisdiction=province)
    cycle = ReportingCycle.objects.create(plan=plan, year=today.year, opens_on=today - dt.timedelta(days=30),
                                          closes_on=today + dt.timedelta(days=60),
                                          due_at=end_of_day(today + dt.timedelta(days=due_in)))
    theme = PlanItemFactory(plan=plan, level="theme", code="1")
    group = PlanItemFactory(plan=plan, level="group", code="1.1", parent=theme)
    agencies = []
    for n in range(count):
        agency = AgencyFactory(jurisdiction=province, name=f"Sở Dịch vụ {n}")
        item = PlanItemFactory(plan=plan, code=f"1.1.{n + 1}", parent=group, lead_agency=agency)
        Report.objects.create(cycle=cycle, item=item, agency=agency)
        officer = UserFactory(username=f"officer{n}", email=f"officer{n}@example.vn")
        Membership.objects.create(user=officer, agency=agency, role=Membership.Role.HEAD)
        agencies.append(agency)
    reviewer = UserFactory(username="reviewer", email="reviewer@example.vn")
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
    return cycle, agencies, reviewer


def all_sent():
    return not Notice.objects.exclude(state=Notice.State.SENT).exists()


# --- the tests ---------------------------------------------------------------------------------------------------

def test_reminders_go_out_through_the_broker_once_and_a_second_run_sends_nothing(
        transactional_db, postgres_required, broker_url, workers, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    cycle, agencies, _ = province_with_agencies(4)
    worker = workers(mail_dir)
    today = timezone.localdate().isoformat()

    with broker(broker_url):
        send_reminders.delay(today)
        wait_for(lambda: Notice.objects.count() == 5 and all_sent() and len(delivered(mail_dir)) == 5, 60,
                 "five reminders delivered", worker)
        messages = delivered(mail_dir)
        for n in range(4):
            mine = [m for m in messages if f"officer{n}@example.vn" in m["to"]]
            assert len(mine) == 1 and "Còn 3 ngày" in mine[0]["subject"]
        digest, = [m for m in messages if "reviewer@example.vn" in m["to"]]
        assert digest["subject"].startswith("[greenplan] Tổng hợp")
        assert Notification.objects.count() == 5

        send_reminders.delay(today)
        wait_for(lambda: ReminderRun.objects.filter(finished_at__isnull=False).count() == 2, 60, "second run", worker)
        time.sleep(1)  # anything the second run could have queued has had time to go out
    assert Notice.objects.count() == 5
    assert len(delivered(mail_dir)) == 5
    assert ReminderRun.objects.order_by("started_at").last().planned == 0


def test_a_worker_killed_in_the_middle_of_a_run_loses_no_reminder_and_sends_none_twice(
        transactional_db, postgres_required, broker_url, workers, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    province_with_agencies(6)
    slow = workers(mail_dir, GREENPLAN_TEST_SEND_DELAY="1.0")
    today = timezone.localdate().isoformat()

    with broker(broker_url):
        send_reminders.delay(today)
        # Kill the worker while it is sending: some reminders out, one being sent, others waiting.
        wait_for(lambda: Notice.objects.filter(state="sent").count() >= 2
                 and Notice.objects.filter(state="sending").exists(), 60, "the run under way", slow)
        slow.kill(signal.SIGKILL)
        sent_before = Notice.objects.filter(state="sent").count()
        assert 2 <= sent_before < 7
        assert len(delivered(mail_dir)) == sent_before  # the one in flight had not reached the mail server
        stuck = list(Notice.objects.filter(state="sending").values_list("pk", flat=True))
        assert len(stuck) == 1

        # Time passes beyond the lease of the dead worker's claim (10 minutes by default).
        Notice.objects.filter(pk__in=stuck).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
        restarted = workers(mail_dir)
        flush_outbox.delay()  # what beat does every minute
        wait_for(lambda: Notice.objects.count() == 7 and all_sent() and len(delivered(mail_dir)) == 7, 60,
                 "every reminder delivered after the restart", restarted)

        # And the next run finds nothing new to send.
        send_reminders.delay(today)
        flush_outbox.delay()
        time.sleep(2)

    messages = delivered(mail_dir)
    assert len(messages) == 7
    for n in range(6):
        assert len([m for m in messages if f"officer{n}@example.vn" in m["to"]]) == 1
    assert len([m for m in messages if "reviewer@example.vn" in m["to"]]) == 1
    retried = Notice.objects.get(pk=stuck[0])
    assert retried.attempts == 2 and retried.state == "sent"


def test_with_the_broker_down_notices_wait_in_the_outbox_pages_work_and_they_go_out_when_it_is_back(
        transactional_db, postgres_required, broker_url, workers, tmp_path, client):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    cycle, (agency, *_), reviewer = province_with_agencies(1)
    report = Report.objects.get(cycle=cycle, agency=agency)
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED, submitted_at=timezone.now(),
                                               status="on_schedule", percent_complete=50)
    client.force_login(reviewer)

    with broker(CLOSED_PORT_BROKER):
        response = client.post(f"/reports/{report.pk}/return/", {"comment": "Bổ sung số liệu kinh phí."})
        assert response.status_code == 302
        assert client.get(f"/reports/{report.pk}/").status_code == 200
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED
    notice = Notice.objects.get(kind="returned", report=report)
    assert (notice.state, notice.attempts) == ("queued", 0)  # kept in the outbox
    assert delivered(mail_dir) == []

    worker = workers(mail_dir)
    with broker(broker_url):
        flush_outbox.delay()
        wait_for(lambda: Notice.objects.get(pk=notice.pk).state == "sent" and delivered(mail_dir), 60,
                 "the outbox delivered", worker)
    message, = delivered(mail_dir)
    assert message["to"] == "officer0@example.vn" and "bị trả lại" in message["subject"]
    assert Notification.objects.filter(user__username="officer0", notice=notice).exists()
