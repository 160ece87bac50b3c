"""Delivering notices: claim a row, check it still applies, send the e-mail, record the in-app
notifications, mark it sent. Also the outbox: rows that could not be queued (broker down) or whose
worker died stay in the database and are picked up by `flush()`.

Every state change of a `Notice` is a conditional UPDATE, so two workers can never both send the
same row (Healthchecks' sendalerts takes the same approach): a worker *claims* a row (queued →
sending, with a lease), and only the holder of the claim token may mark it sent or failed. A row
whose worker died mid-send stays "sending" until its lease runs out; then anyone may claim it again.

The one window left open on purpose: a crash after the mail server accepted a message and before
the row is marked sent makes that message go out a second time. See README ("Reminders").
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Jurisdiction, JurisdictionRole, Membership

from .models import ContributionRequest, Notice, Notification, Report

logger = logging.getLogger(__name__)

N = Notice.State
OUTSTANDING = (Report.State.MISSING, Report.State.DRAFT, Report.State.RETURNED)
MAX_ATTEMPTS = 10
BACKOFF_BASE = 60  # seconds; doubles with every failed attempt
BACKOFF_MAX = 6 * 3600
FLUSH_LIMIT = 200


class DeliveryFailed(Exception):
    """Sending failed and the row was put back for a later attempt (or given up on)."""

    def __init__(self, message: str, retry_in: int | None):
        super().__init__(message)
        self.retry_in = retry_in


def lease() -> dt.timedelta:
    """How long a claim protects a row; longer than any single send can take (SMTP timeout)."""
    return dt.timedelta(seconds=getattr(settings, "NOTICE_LEASE_SECONDS", 600))


def backoff(attempts: int) -> int:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


# --- recipients --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str


def agency_recipients(agency_ids) -> dict[int, list[Recipient]]:
    """Officers and the head of each agency: active memberships of active users with an e-mail."""
    found: dict[int, list[Recipient]] = {}
    rows = (Membership.objects.filter(agency_id__in=agency_ids, is_active=True, user__is_active=True,
                                      role__in=[Membership.Role.OFFICER, Membership.Role.HEAD])
            .exclude(user__email="").order_by("agency_id", "user_id")
            .values_list("agency_id", "user_id", "user__email"))
    for agency_id, user_id, email in rows:
        found.setdefault(agency_id, []).append(Recipient(user_id, email))
    return found


def reviewer_recipients(jurisdiction_ids) -> dict[int, list[Recipient]]:
    """Reviewers of each jurisdiction or of any jurisdiction it merged into (Bình Dương's plans
    are reviewed in Hồ Chí Minh City after 1 July 2025). Two queries, whatever the number."""
    parent = dict(Jurisdiction.objects.filter(merged_into__isnull=False).values_list("id", "merged_into_id"))
    chains: dict[int, list[int]] = {}
    for jid in set(jurisdiction_ids):
        chain, current = [], jid
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        chains[jid] = chain
    wanted = {j for chain in chains.values() for j in chain}
    by_jurisdiction: dict[int, list[Recipient]] = {}
    rows = (JurisdictionRole.objects.filter(jurisdiction_id__in=wanted, role=JurisdictionRole.Role.REVIEWER,
                                            user__is_active=True)
            .exclude(user__email="").order_by("user_id").values_list("jurisdiction_id", "user_id", "user__email"))
    for jid, user_id, email in rows:
        by_jurisdiction.setdefault(jid, []).append(Recipient(user_id, email))
    result = {}
    for jid, chain in chains.items():
        seen, people = set(), []
        for j in chain:
            for r in by_jurisdiction.get(j, ()):
                if r.user_id not in seen:
                    seen.add(r.user_id)
                    people.append(r)
        result[jid] = people
    return result


def recipients_for(notice: Notice) -> list[Recipient]:
    if notice.kind == Notice.Kind.DIGEST:
        return reviewer_recipients([notice.cycle.plan.jurisdiction_id]).get(notice.cycle.plan.jurisdiction_id, [])
    if notice.agency_id is None:
        return []
    return agency_recipients([notice.agency_id]).get(notice.agency_id, [])


# --- does it still apply? ------------------------------------------------------------------------

def still_applies(notice: Notice) -> dict | None:
    """The payload narrowed to what is still outstanding now, or None when nothing is: a reminder
    planned in the morning (or kept in the outbox) never nags about a report submitted since."""
    payload = dict(notice.payload)
    if notice.kind in (Notice.Kind.DUE, Notice.Kind.OVERDUE):
        items = payload.get("items", [])
        states = dict(Report.objects.filter(pk__in=[i["report_id"] for i in items], state__in=OUTSTANDING)
                      .values_list("pk", "state"))
        payload["items"] = [{**i, "state": states[i["report_id"]]} for i in items if i["report_id"] in states]
        return payload if payload["items"] else None
    if notice.kind == Notice.Kind.DIGEST:
        ids = [i["report_id"] for a in payload.get("agencies", []) for i in a["items"]]
        open_ids = set(Report.objects.filter(pk__in=ids, state__in=OUTSTANDING).values_list("pk", flat=True))
        agencies = []
        for a in payload.get("agencies", []):
            items = [i for i in a["items"] if i["report_id"] in open_ids]
            if items:
                agencies.append({**a, "items": items})
        payload["agencies"] = agencies
        return payload if agencies else None
    if notice.kind == Notice.Kind.CONTRIBUTION:
        items = payload.get("items", [])
        open_ids = set(ContributionRequest.objects.filter(pk__in=[i["request_id"] for i in items],
                                                          answered_at__isnull=True).values_list("pk", flat=True))
        payload["items"] = [i for i in items if i["request_id"] in open_ids]
        return payload if payload["items"] else None
    return payload  # ministry reminders and review notices always apply


# --- rendering -------------------------------------------------------------------------------------

def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else value


def context_for(notice: Notice, payload: dict, today: dt.date | None = None) -> dict:
    """What the templates see: dates as dates, every report with its absolute link. `today` is the
    day it goes out: a notice kept in the outbox for a day counts its days from then."""
    run_day = _date(payload.get("today")) or timezone.localdate()
    shift = max(((today or timezone.localdate()) - run_day).days, 0)
    ctx = {**payload, "notice": notice, "site_url": settings.SITE_URL.rstrip("/"),
           "home_url": absolute(reverse("reporting:home"))}
    for key in ("deadline", "ministry_due_on", "due_on", "today"):
        if key in ctx:
            ctx[key] = _date(ctx[key])
    if "days_left" in payload:
        ctx["days_left"] = payload["days_left"] - shift
        ctx["days_over"] = max(-ctx["days_left"], 0)
    if "days_late" in payload:
        ctx["days_late"] = payload["days_late"] + shift

    def report_item(i):
        state = i.get("state")
        return {**i, "url": absolute(reverse("reporting:report", args=[i["report_id"]])),
                "state_label": Report.State(state).label if state else ""}

    if "items" in payload and notice.kind != Notice.Kind.CONTRIBUTION:
        ctx["items"] = [report_item(i) for i in payload["items"]]
    if notice.kind == Notice.Kind.CONTRIBUTION:
        ctx["items"] = [{**report_item(i), "due_on": _date(i["due_on"])} for i in payload["items"]]
        ctx["contributions_url"] = absolute(reverse("reporting:contributions"))
    if "agencies" in payload:
        ctx["agencies"] = [{**a, "deadline": _date(a["deadline"]), "items": [report_item(i) for i in a["items"]]}
                           for a in payload["agencies"]]
    if "report_id" in payload:
        ctx["report_url"] = absolute(reverse("reporting:report", args=[payload["report_id"]]))
    return ctx


def in_app_url(notice: Notice, payload: dict) -> str:
    if payload.get("report_id"):
        return reverse("reporting:report", args=[payload["report_id"]])
    if notice.kind == Notice.Kind.DIGEST:
        return reverse("reporting:queue")
    if notice.kind == Notice.Kind.CONTRIBUTION:
        return reverse("reporting:contributions")
    items = payload.get("items") or []
    if len(items) == 1 and items[0].get("report_id"):
        return reverse("reporting:report", args=[items[0]["report_id"]])
    return reverse("reporting:home")


def render(notice: Notice, payload: dict, today: dt.date | None = None) -> tuple[str, str, str]:
    """Subject, text and HTML of one notice, from templates/emails/<kind>_subject.txt, .txt, .html."""
    ctx = context_for(notice, payload, today)
    subject = " ".join(render_to_string(f"emails/{notice.kind}_subject.txt", ctx).split())
    text = render_to_string(f"emails/{notice.kind}.txt", ctx)
    html = render_to_string(f"emails/{notice.kind}.html", ctx)
    return subject[:255], text, html


def send_email(*, subject: str, text: str, html: str, to: list[str]) -> None:
    # Tests only: GREENPLAN_TEST_SEND_DELAY=seconds slows every send down, so that a test can kill a
    # worker in the middle of a run. Never set in production.
    delay = float(os.environ.get("GREENPLAN_TEST_SEND_DELAY") or 0)
    if delay:
        time.sleep(delay)
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 60)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, connection=connection)
    message.attach_alternative(html, "text/html")
    message.send()


# --- claim → send → mark -----------------------------------------------------------------------------

def claim(notice_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Take the row for this worker (a conditional UPDATE); None if someone else has it, it is
    done, or its next attempt is not due yet."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    taken = (Notice.objects.claimable(now, lease()).filter(pk=notice_id)
             .update(state=N.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1))
    return token if taken else None


def _release(notice_id: int, token: str, **fields) -> bool:
    return bool(Notice.objects.filter(pk=notice_id, claim_token=token, state=N.SENDING).update(**fields))


def deliver(notice_id: int, *, now: dt.datetime | None = None, today: dt.date | None = None) -> str:
    """Send one notice if it is ours to send. Returns what happened: sent, skipped, or busy (not
    claimable: sent already, being sent, or waiting for its next attempt). Raises DeliveryFailed
    after recording the error and the time of the next attempt."""
    token = claim(notice_id, now=now)
    if token is None:
        return "busy"
    notice = Notice.objects.select_related("cycle", "cycle__plan").get(pk=notice_id)
    try:
        payload = still_applies(notice)
        if payload is None:
            _release(notice_id, token, state=N.SKIPPED, last_error="Không còn gì cần nhắc (đã gửi/đã trả lời).")
            return "skipped"
        people = recipients_for(notice)
        if not people:
            _release(notice_id, token, state=N.SKIPPED,
                     last_error="Không có người nhận: cơ quan chưa có cán bộ nào có địa chỉ thư điện tử.")
            return "skipped"
        subject, text, html = render(notice, payload, today)
        send_email(subject=subject, text=text, html=html, to=[p.email for p in people])
    except Exception as exc:  # SMTP down, a template error...: record it, try again later
        attempts = Notice.objects.filter(pk=notice_id).values_list("attempts", flat=True).first() or 0
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts >= MAX_ATTEMPTS:
            _release(notice_id, token, state=N.FAILED, last_error=error, next_attempt_at=None)
            logger.error("notice %s failed for good after %s attempts: %s", notice_id, attempts, error)
            raise DeliveryFailed(error, None) from exc
        wait = backoff(attempts)
        _release(notice_id, token, state=N.QUEUED, last_error=error,
                 next_attempt_at=(now or timezone.now()) + dt.timedelta(seconds=wait))
        logger.warning("notice %s: attempt %s failed (%s); next in %ss", notice_id, attempts, error, wait)
        raise DeliveryFailed(error, wait) from exc
    url = in_app_url(notice, payload)
    paragraphs = text.strip().split("\n\n")
    # The in-app text is the e-mail's first paragraph after the salutation.
    summary = paragraphs[1] if len(paragraphs) > 1 and paragraphs[0].startswith("Kính gửi") else paragraphs[0]
    with transaction.atomic():
        if _release(notice_id, token, state=N.SENT, sent_at=timezone.now(), subject=subject, last_error="",
                    recipients=[p.email for p in people]):
            Notification.objects.bulk_create(
                [Notification(user_id=p.user_id, notice_id=notice_id, title=subject, url=url,
                              body=summary.strip()[:1000]) for p in people],
                ignore_conflicts=True)
    return "sent"


def deliver_quietly(notice_id: int, *, today: dt.date | None = None, now: dt.datetime | None = None) -> str:
    try:
        return deliver(notice_id, today=today, now=now)
    except DeliveryFailed:
        return "failed"


def flush(*, now: dt.datetime | None = None, limit: int = FLUSH_LIMIT) -> dict:
    """Send what the outbox holds: rows never queued (broker down), rows due for another attempt,
    rows abandoned by a dead worker. Runs every minute from beat."""
    now = now or timezone.now()
    ids = list(Notice.objects.claimable(now, lease()).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    outcome: dict[str, int] = {}
    for notice_id in ids:
        result = deliver_quietly(notice_id, now=now)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def enqueue(notice_ids, *, inline: bool = False, today: dt.date | None = None) -> None:
    """Hand notices to the workers once the transaction that created them has committed, or
    send them right here (`inline`).

    If the broker is down, the rows simply stay queued (they are the outbox) and the next flush or
    reminder run sends them; the caller, often a web request, never sees the error."""
    ids = list(notice_ids)
    if not ids:
        return

    if inline:  # this process sends; the rows are visible to it whether committed or not
        for notice_id in ids:
            deliver_quietly(notice_id, today=today)
        return

    def go():
        from kombu.exceptions import OperationalError

        from .jobs import deliver_notice

        for position, notice_id in enumerate(ids):
            try:
                deliver_notice.apply_async((notice_id,), retry=False)
            except (OperationalError, ConnectionError, OSError) as exc:
                logger.warning("broker unavailable (%s); %d notices stay in the outbox", exc, len(ids) - position)
                return
            except Exception:  # eager mode runs the task right here; one bad notice must not stop the rest
                logger.exception("delivering notice %s failed", notice_id)

    transaction.on_commit(go)
