"""Delivering notices: claim a row, check it still applies, send the e-mail, record the in-app
notifications, mark it sent. Also the outbox: rows that could not be queued (broker down) or whose
worker died stay in the database and are picked up by `flush()`.

Every state change of a `Notice` is a conditional UPDATE, so two workers can never both send the
same row (Healthchecks' sendalerts takes the same approach): a worker *claims* a row (queued →
sending, with a lease), and only the holder of the claim token may mark it sent or failed. A row
whose worker died mid-send stays "sending" until its lease runs out; then anyone may claim it again.

The inline job and the outbox flush deliver in batches (`deliver_many`): one conditional UPDATE
claims up to CLAIM_BATCH rows under one token, a few queries load and check them all, and one mail
connection carries their messages. Each message is still sent on its own and its row marked sent
right after, so the window below stays one message wide; no send starts after half the lease has
gone by, and rows not reached by then are given back and claimed again.

The one window left open on purpose: a crash after the mail server accepted a message and before
the row is marked sent makes that message go out a second time. See README ("Reminders").
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Jurisdiction, JurisdictionRole, Membership

from reporting.models import ContributionRequest, Notice, Notification, Report
from reporting.notices import wording

# The Celery task that sends one notice (reporting/notices/jobs.py); the name is what queued messages hold.
DELIVER_TASK = "reporting.jobs.deliver_notice"

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


# Notices for the plan's reviewers (the daily digest, an agency's extension request); every other
# notice goes to the people of its agency.
TO_REVIEWERS = (Notice.Kind.DIGEST, Notice.Kind.EXT_REQUEST)


def recipients_for(notice: Notice) -> list[Recipient]:
    return recipients_of([notice])[notice.pk]


def recipients_of(notices_) -> dict[int, list[Recipient]]:
    """Who gets each notice: a digest or an extension request goes to the reviewers of its plan's jurisdiction, any other
    notice to the officers and head of its agency. At most three queries for any number of notices
    (`notices_` with cycle and plan loaded)."""
    notices_ = list(notices_)
    jurisdictions = {n.pk: n.cycle.plan.jurisdiction_id for n in notices_ if n.kind in TO_REVIEWERS}
    agency_ids = {n.agency_id for n in notices_ if n.kind not in TO_REVIEWERS and n.agency_id is not None}
    reviewers = reviewer_recipients(set(jurisdictions.values())) if jurisdictions else {}
    people = agency_recipients(agency_ids) if agency_ids else {}
    result = {}
    for n in notices_:
        if n.kind in TO_REVIEWERS:
            result[n.pk] = reviewers.get(jurisdictions[n.pk], [])
        else:
            result[n.pk] = people.get(n.agency_id, []) if n.agency_id is not None else []
    return result


# --- does it still apply? ------------------------------------------------------------------------

def still_applies(notice: Notice) -> dict | None:
    """The payload narrowed to what is still outstanding now, or None when nothing is: a reminder
    planned in the morning (or kept in the outbox) never nags about a report submitted since."""
    return still_applying([notice])[notice.pk]


def still_applying(notices_) -> dict[int, dict | None]:
    """still_applies() for many notices at once: two queries (open reports, open contribution
    requests) whatever their number."""
    notices_ = list(notices_)
    report_ids, request_ids = set(), set()
    for notice in notices_:
        payload = notice.payload
        if notice.kind in (Notice.Kind.DUE, Notice.Kind.OVERDUE):
            report_ids.update(i["report_id"] for i in payload.get("items", []))
        elif notice.kind == Notice.Kind.DIGEST:
            report_ids.update(i["report_id"] for a in payload.get("agencies", []) for i in a["items"])
        elif notice.kind == Notice.Kind.CONTRIBUTION:
            request_ids.update(i["request_id"] for i in payload.get("items", []))
    states = (dict(Report.objects.filter(pk__in=report_ids, state__in=OUTSTANDING).values_list("pk", "state"))
              if report_ids else {})
    open_requests = (set(ContributionRequest.objects.filter(pk__in=request_ids, answered_at__isnull=True)
                         .values_list("pk", flat=True)) if request_ids else set())
    return {notice.pk: _narrowed(notice, states, open_requests) for notice in notices_}


def _narrowed(notice: Notice, states: dict[int, str], open_requests: set[int]) -> dict | None:
    payload = dict(notice.payload)
    if notice.kind in (Notice.Kind.DUE, Notice.Kind.OVERDUE):
        items = payload.get("items", [])
        payload["items"] = [{**i, "state": states[i["report_id"]]} for i in items if i["report_id"] in states]
        return payload if payload["items"] else None
    if notice.kind == Notice.Kind.DIGEST:
        agencies = []
        for a in payload.get("agencies", []):
            items = [i for i in a["items"] if i["report_id"] in states]
            if items:
                agencies.append({**a, "items": items})
        payload["agencies"] = agencies
        return payload if agencies else None
    if notice.kind == Notice.Kind.CONTRIBUTION:
        items = payload.get("items", [])
        payload["items"] = [i for i in items if i["request_id"] in open_requests]
        return payload if payload["items"] else None
    return payload  # ministry reminders and review notices always apply


# --- rendering -------------------------------------------------------------------------------------

def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else value


def facts_as_sent(payload: dict, today: dt.date | None = None) -> dict:
    """The payload with its dates as dates and its day counts as of `today`, the day it goes out: a
    notice kept in the outbox for a day counts its days from then. What the wording needs."""
    run_day = _date(payload.get("today")) or timezone.localdate()
    shift = max(((today or timezone.localdate()) - run_day).days, 0)
    facts = dict(payload)
    for key in ("deadline", "ministry_due_on", "due_on", "today", "new_due_on"):
        if key in facts:
            facts[key] = _date(facts[key])
    if "days_left" in payload:
        facts["days_left"] = payload["days_left"] - shift
        facts["days_over"] = max(-facts["days_left"], 0)
    if "days_late" in payload:
        facts["days_late"] = payload["days_late"] + shift
    return facts


def context_for(notice: Notice, payload: dict, today: dt.date | None = None) -> dict:
    """What the e-mail templates see: the facts as sent (facts_as_sent), every report with its
    absolute link."""
    ctx = {**facts_as_sent(payload, today), "notice": notice, "site_url": settings.SITE_URL.rstrip("/"),
           "home_url": absolute(reverse("reporting:home"))}

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
    if notice.kind in EVENT_LINKS:
        ctx["link"] = absolute(in_app_url(notice, payload))
    return ctx


# Where the notice of a workflow event opens: the thing itself, on the page of the one told.
EVENT_LINKS = {
    Notice.Kind.INPUT: lambda p: reverse("reporting:contributions") + f"#contribution-{p['request_id']}",
    Notice.Kind.EXT_REQUEST: lambda p: reverse("reporting:queue") + f"?cycle={p['cycle_id']}#extension-{p['extension_id']}",
    Notice.Kind.EXT_DECISION: lambda p: reverse("reporting:home") + f"#cycle-{p['cycle_id']}-{p['agency_id']}",
}


def in_app_url(notice: Notice, payload: dict) -> str:
    if notice.kind in EVENT_LINKS:
        return EVENT_LINKS[notice.kind](payload)
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


@dataclass(frozen=True)
class Message:
    """One notice as sent: the e-mail (subject, text, HTML) and the in-app notification (title, body),
    all from one wording (notices.wording), in Vietnamese whoever's request sent it."""
    subject: str
    text: str
    html: str
    title: str
    body: str


def render(notice: Notice, payload: dict, today: dt.date | None = None) -> Message:
    """The wording's headline and summary, then templates/emails/<kind>.txt and .html."""
    with translation.override(settings.LANGUAGE_CODE):
        ctx = context_for(notice, payload, today)
        ctx["headline"], ctx["summary"] = wording.headline(notice.kind, ctx), wording.summary(notice.kind, ctx)
        text = render_to_string(f"emails/{notice.kind}.txt", ctx)
        html = render_to_string(f"emails/{notice.kind}.html", ctx)
    subject = " ".join(f"[greenplan] {ctx['headline']}".split())
    return Message(subject[:255], text, html, ctx["headline"][:255], ctx["summary"][:1000])


def shown(notification: Notification, notice: Notice | None) -> tuple[str, str]:
    """A notification's title and text in the reader's language, said again from the facts its
    notice was sent with (the Vietnamese stored at sending time stays for the record)."""
    if notice is None or notice.sent_at is None:
        return notification.title, notification.body
    payload = notice.payload
    facts = facts_as_sent(payload, _date(payload.get("sent_on")) or timezone.localdate(notice.sent_at))
    return wording.headline(notice.kind, facts), wording.summary(notice.kind, facts)


def mail_connection():
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 60)


def send_email(*, subject: str, text: str, html: str, to: list[str], connection=None) -> None:
    """Send one message, through `connection` if given (an open connection shared by a batch,
    see _Mailer), else through a connection of its own."""
    # Tests only: GREENPLAN_TEST_SEND_DELAY=seconds slows every send down, so that a test can kill a
    # worker in the middle of a run. Never set in production.
    delay = float(os.environ.get("GREENPLAN_TEST_SEND_DELAY") or 0)
    if delay:
        time.sleep(delay)
    if connection is None:
        connection = mail_connection()
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, connection=connection)
    message.attach_alternative(html, "text/html")
    message.send()


class _Mailer:
    """One mail connection for the messages of a batch (one SMTP session instead of one per
    message), opened at the first send. A message still goes to the server on its own and is marked
    sent right after (see _deliver_batch). After a failed send the connection is dropped and the next
    message opens a new one, so one bad moment of the server costs one message, as before."""

    def __init__(self):
        self.connection = None

    def get(self):
        if self.connection is None:
            mail = mail_connection()
            mail.open()
            self.connection = mail
        return self.connection

    def close(self):
        mail, self.connection = self.connection, None
        if mail is not None:
            try:
                mail.close()
            except Exception:  # a broken connection; nothing left to send through it
                logger.debug("closing the mail connection failed", exc_info=True)


# --- claim → send → mark -----------------------------------------------------------------------------

# Notices claimed together, checked in fixed queries, and sent through one mail connection.
CLAIM_BATCH = 100


def _claim(notice_ids, token: str, now: dt.datetime) -> int:
    """Take the claimable rows among `notice_ids` for the holder of `token` (one conditional UPDATE:
    queued → sending, with a lease); rows sent already, being sent, or waiting for their next
    attempt are left alone. Returns how many were taken."""
    return (Notice.objects.claimable(now, lease()).filter(pk__in=list(notice_ids))
            .update(state=N.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1))


def claim(notice_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Take the row for this worker (a conditional UPDATE); None if someone else has it, it is
    done, or its next attempt is not due yet."""
    token = uuid.uuid4().hex
    return token if _claim([notice_id], token, now or timezone.now()) else None


def _release(notice_id: int, token: str, **fields) -> bool:
    return bool(Notice.objects.filter(pk=notice_id, claim_token=token, state=N.SENDING).update(**fields))


def deliver(notice_id: int, *, now: dt.datetime | None = None, today: dt.date | None = None) -> str:
    """Send one notice if it is ours to send. Returns what happened: sent, skipped, or busy (not
    claimable: sent already, being sent, or waiting for its next attempt). Raises DeliveryFailed
    after recording the error and the time of the next attempt."""
    outcome, failures = {}, {}
    mailer = _Mailer()
    try:
        _deliver_batch([notice_id], now=now, today=today, mailer=mailer, outcome=outcome, failures=failures)
    finally:
        mailer.close()
    if notice_id in failures:
        raise failures[notice_id]
    return outcome[notice_id]


def deliver_many(notice_ids, *, now: dt.datetime | None = None, today: dt.date | None = None) -> dict[int, str]:
    """deliver() for many notices, in order, without raising: what happened to each (sent, skipped,
    busy, failed; a failure is recorded on its row as deliver() does).

    Works in batches of CLAIM_BATCH: one UPDATE claims the batch, one SELECT loads it, two or three
    queries find what still applies and who gets it, one mail connection sends it. Each message is
    still sent on its own and its row marked sent (with its in-app notifications) right after, in
    its own transaction: a crash between the two re-sends at most that one message, as before."""
    pending = list(dict.fromkeys(notice_ids))  # each once, in order
    outcome: dict[int, str] = {}
    failures: dict[int, DeliveryFailed] = {}
    mailer = _Mailer()
    try:
        while pending:
            batch, pending = pending[:CLAIM_BATCH], pending[CLAIM_BATCH:]
            pending = _deliver_batch(batch, now=now, today=today, mailer=mailer, outcome=outcome,
                                     failures=failures) + pending
            mailer.close()  # a fresh SMTP session every batch: servers limit messages per session
    finally:
        mailer.close()
    return outcome


def _deliver_batch(ids: list[int], *, now, today, mailer: _Mailer, outcome: dict, failures: dict) -> list[int]:
    """Claim, check and send the notices `ids` (at most CLAIM_BATCH). Fills `outcome` and
    `failures`; returns the ids given back unsent because the claim grew old (to be claimed again).

    Why this keeps "sent once": the batch's rows are claimed before anything is sent, by the same
    conditional UPDATE as a single claim, under one token; only the holder of that token may mark a
    row sent, skipped or failed, exactly as for a single claim. A claim protects a row for lease():
    no send *starts* after half of it has gone by, so every send of the batch has at least the other
    half to finish before anyone else may take the row (the lease is 10 minutes, an SMTP timeout one);
    the rows not reached are put back (queued, their attempt not counted) and claimed again."""
    claimed_at = now or timezone.now()
    started = time.monotonic()
    token = uuid.uuid4().hex
    rows = {}
    if _claim(ids, token, claimed_at):
        rows = {n.pk: n for n in Notice.objects.select_related("cycle", "cycle__plan")
                .filter(pk__in=ids, claim_token=token, state=N.SENDING)}
    for notice_id in ids:
        if notice_id not in rows:
            outcome[notice_id] = "busy"
    claimed = [rows[i] for i in ids if i in rows]
    if not claimed:
        return []
    try:  # what still applies and who gets it, for the whole batch
        payloads, people = still_applying(claimed), recipients_of(claimed)
    except Exception:  # one odd row must not fail its whole batch: look each one up on its own below
        logger.warning("looking up a batch of %d notices failed; one by one instead", len(claimed), exc_info=True)
        payloads = people = None
    half_lease = lease().total_seconds() / 2
    for position, notice in enumerate(claimed):
        if position and time.monotonic() - started > half_lease:
            rest = [n.pk for n in claimed[position:]]
            Notice.objects.filter(pk__in=rest, claim_token=token, state=N.SENDING).update(
                state=N.QUEUED, claimed_at=None, attempts=F("attempts") - 1)
            return rest
        try:
            payload = payloads[notice.pk] if payloads is not None else still_applies(notice)
            if payload is None:
                _release(notice.pk, token, state=N.SKIPPED,
                         last_error="Không còn gì cần nhắc (đã gửi/đã trả lời).")
                outcome[notice.pk] = "skipped"
                continue
            to = people[notice.pk] if people is not None else recipients_for(notice)
            if not to:
                _release(notice.pk, token, state=N.SKIPPED,
                         last_error="Không có người nhận: cơ quan chưa có cán bộ nào có địa chỉ thư điện tử.")
                outcome[notice.pk] = "skipped"
                continue
            message = render(notice, payload, today)
            send_email(subject=message.subject, text=message.text, html=message.html, to=[p.email for p in to],
                       connection=mailer.get())
        except Exception as exc:  # SMTP down, a template error...: record it, try again later
            mailer.close()
            failures[notice.pk] = _failed(notice, token, exc, now)
            outcome[notice.pk] = "failed"
            continue
        _mark_sent(notice, token, payload, to, message, today)
        outcome[notice.pk] = "sent"
    return []


def _failed(notice: Notice, token: str, exc: Exception, now) -> DeliveryFailed:
    attempts = notice.attempts  # loaded after the claim, which counted this attempt
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= MAX_ATTEMPTS:
        _release(notice.pk, token, state=N.FAILED, last_error=error, next_attempt_at=None)
        logger.error("notice %s failed for good after %s attempts: %s", notice.pk, attempts, error)
        failure = DeliveryFailed(error, None)
    else:
        wait = backoff(attempts)
        _release(notice.pk, token, state=N.QUEUED, last_error=error,
                 next_attempt_at=(now or timezone.now()) + dt.timedelta(seconds=wait))
        logger.warning("notice %s: attempt %s failed (%s); next in %ss", notice.pk, attempts, error, wait)
        failure = DeliveryFailed(error, wait)
    failure.__cause__ = exc
    return failure


def _mark_sent(notice: Notice, token: str, payload: dict, people: list[Recipient], message: Message,
               today: dt.date | None = None) -> None:
    """Mark the row sent and give each recipient the in-app notification, together (both or neither),
    and only if the row is still ours. Right after its own send: a crash between the two re-sends
    this one message only (the window described at the top of this module)."""
    url = in_app_url(notice, payload)
    # Kept with the notice: what was sent, and the day its "days left" were counted from (shown()).
    payload = {**payload, "sent_on": (today or timezone.localdate()).isoformat()}
    subject, title, body = message.subject, message.title, message.body
    emails = [p.email for p in people]
    now = timezone.now()
    if db.vendor == "postgresql":
        # One statement, atomic by itself (no BEGIN/COMMIT or savepoint round trips): the UPDATE
        # returns the row only if the claim is still ours, and the INSERT adds one notification
        # per recipient for the row returned, if any; the same as the transaction below.
        table = db.ops.quote_name(Notice._meta.db_table)
        notifications = db.ops.quote_name(Notification._meta.db_table)
        with db.cursor() as cursor:
            cursor.execute(
                f"WITH sent AS (UPDATE {table} SET state = %s, sent_at = %s, subject = %s, last_error = '', "
                f"recipients = %s::jsonb, payload = %s::jsonb WHERE id = %s AND claim_token = %s AND state = %s RETURNING id) "
                f"INSERT INTO {notifications} (user_id, notice_id, title, body, url, created_at, read_at) "
                f"SELECT u.user_id, sent.id, %s, %s, %s, %s, NULL FROM sent CROSS JOIN "
                f"unnest(%s::bigint[]) WITH ORDINALITY AS u(user_id, position) ORDER BY u.position "
                f"ON CONFLICT DO NOTHING",
                [N.SENT, now, subject, json.dumps(emails), json.dumps(payload), notice.pk, token, N.SENDING,
                 title, body, url, now, [p.user_id for p in people]])
        return
    with transaction.atomic():
        if _release(notice.pk, token, state=N.SENT, sent_at=now, subject=subject, last_error="", recipients=emails,
                    payload=payload):
            Notification.objects.bulk_create(
                [Notification(user_id=p.user_id, notice_id=notice.pk, title=title, url=url, body=body,
                              created_at=now) for p in people],
                ignore_conflicts=True)


def flush(*, now: dt.datetime | None = None, limit: int = FLUSH_LIMIT) -> dict:
    """Send what the outbox holds: rows never queued (broker down), rows due for another attempt,
    rows abandoned by a dead worker. Runs every minute from beat."""
    now = now or timezone.now()
    ids = list(Notice.objects.claimable(now, lease()).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    outcome: dict[str, int] = {}
    for result in deliver_many(ids, now=now).values():
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

    if inline:  # this process sends, in batches; the rows are visible to it whether committed or not
        deliver_many(ids, today=today)
        return

    def go():
        from kombu.exceptions import OperationalError

        # By name: the task is declared in notices/jobs.py, which imports this module.
        deliver_notice = current_app.tasks[DELIVER_TASK]
        for position, notice_id in enumerate(ids):
            try:
                deliver_notice.apply_async((notice_id,), retry=False)
            except (OperationalError, ConnectionError, OSError) as exc:
                logger.warning("broker unavailable (%s); %d notices stay in the outbox", exc, len(ids) - position)
                return
            except Exception:  # eager mode runs the task right here; one bad notice must not stop the rest
                logger.exception("delivering notice %s failed", notice_id)

    transaction.on_commit(go)
