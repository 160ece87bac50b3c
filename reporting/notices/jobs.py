"""Celery tasks of the reporting app. Each is thin: it loads by id or date and calls a function of
reporting.notices.reminders / reporting.notices.delivery, where the rules and their tests live.

Named `jobs.py`, never `tasks.py`: `tasks` is the plan-structure app (greenplan/celery.py).
"""
import datetime as dt

from celery import shared_task
from django.db import OperationalError as DatabaseUnavailable

from reporting.notices import delivery as notices, reminders

# A database that is briefly unreachable: try again after 1, 2, 4 ... minutes (at most an hour).
RETRY_ON_OUTAGE = {"autoretry_for": (DatabaseUnavailable,), "retry_backoff": 60, "retry_backoff_max": 3600,
                   "retry_jitter": False, "max_retries": 8}


@shared_task(name="reporting.jobs.send_reminders", acks_late=True, **RETRY_ON_OUTAGE)
def send_reminders(day: str | None = None) -> dict:
    """Daily at 08:00 (reporting/schedule.py): plan the day's reminders and queue their delivery."""
    record = reminders.run(dt.date.fromisoformat(day) if day else None)
    return {"run": record.pk, "planned": record.planned, "dispatched": record.dispatched}


@shared_task(name=notices.DELIVER_TASK, bind=True, acks_late=True, max_retries=notices.MAX_ATTEMPTS)
def deliver_notice(self, notice_id: int) -> str:
    """Send one notice. A failure is recorded on the row (attempts, next attempt, error) and retried
    with exponential backoff; should the retry itself be lost, the outbox flush still finds the row."""
    try:
        return notices.deliver(notice_id)
    except notices.DeliveryFailed as exc:
        if exc.retry_in is None or self.request.is_eager:
            return "failed"  # given up (visible in the admin), or eager mode: the flush retries it
        raise self.retry(exc=exc, countdown=exc.retry_in)


@shared_task(name="reporting.jobs.flush_outbox", acks_late=True, **RETRY_ON_OUTAGE)
def flush_outbox() -> dict:
    """Every minute: send what the outbox holds (broker was down, retries due, dead workers)."""
    return notices.flush()
