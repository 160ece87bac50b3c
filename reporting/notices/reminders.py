"""Deadline reminders: which reminders are due on a day (pure rules over data loaded in a fixed
number of queries), and the job that plans them and hands them to delivery.

The rules, per plan (ReminderPolicy; defaults in brackets):

* every agency with reports not yet submitted (missing, draft, returned) in an open cycle is
  reminded [30, 14, 7, 3, 1] days before its own deadline (its granted extension, if any) and on
  the day [0];
* after that deadline, an overdue notice the day after and then every [3] days, until everything is
  submitted or the cycle closes;
* the plan's reviewers get a daily digest of who is missing, from [7] days before the common
  deadline onwards;
* a supporting agency is reminded [7, 3, 1] days before the due date of its unanswered
  contribution requests;
* the focal agency (followed through mergers to today's agency) is reminded [7, 3, 1] days before
  the province report is due to the ministry;
* a report returned or accepted: a notice to its agency at once (`on_report_reviewed`).

Catch-up: a reminder is keyed by the day it was meant for (cycle, agency, rule, that day). On any
day the job looks for the *latest* milestone already reached; if its key is new, it is sent. So a
job that did not run on days −7 and −3 sends, on day −2, the −3 reminder only, once.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from agencies.lineage import Lineage
from agencies.models import Agency

from reporting.notices import delivery as notices
from reporting.models import (
    ContributionRequest, Extension, Notice, ReminderPolicy, ReminderRun, Report, ReportEvent, ReportingCycle,
)

OUTSTANDING = notices.OUTSTANDING
K = Notice.Kind


# --- pure rules ------------------------------------------------------------------------------------

def milestone(days_left: int, days_before) -> int | None:
    """The latest reminder day already reached, `days_left` days before a deadline: the smallest
    configured number of days that is at least `days_left`. None before the first one and after
    the deadline. milestone(2, [30, 14, 7, 3, 1, 0]) == 3."""
    if days_left < 0:
        return None
    reached = [d for d in days_before if d >= days_left]
    return min(reached) if reached else None


def overdue_milestone(days_late: int, every: int) -> int | None:
    """Days after the deadline of the latest overdue notice reached: 1, then every `every` days
    (1, 4, 7, ... for every=3). None before the deadline has passed or when switched off."""
    if every <= 0 or days_late < 1:
        return None
    return 1 + ((days_late - 1) // every) * every


@dataclass
class Due:
    """One reminder that applies on a day, before it is written down as a Notice."""

    key: str
    kind: str
    rule: str
    scheduled_for: dt.date
    cycle_id: int | None
    agency_id: int | None
    agency_name: str
    recipients: int
    payload: dict = field(default_factory=dict)
    emails: list = field(default_factory=list)  # who gets it, for a preview

    @property
    def items_count(self) -> int:
        if "agencies" in self.payload:
            return sum(len(a["items"]) for a in self.payload["agencies"])
        return len(self.payload.get("items", []))


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


CYCLE_LABELS = {"annual": "năm {year}", "midterm": "sơ kết giữa kỳ năm {year}", "final": "tổng kết năm {year}"}


def _cycle_info(cycle: ReportingCycle) -> dict:
    # Reads after "báo cáo": "báo cáo năm 2026", "báo cáo sơ kết giữa kỳ năm 2025".
    label = CYCLE_LABELS.get(cycle.kind, "{year}").format(year=cycle.year)
    # Kind and year let the notification list say it again in the reader's language (notices.wording).
    return {"cycle_label": label, "cycle_kind": cycle.kind, "cycle_year": cycle.year, "plan_number": cycle.plan.number,
            "plan_title": cycle.plan.short_title}


def _policy(policies, plan_id) -> ReminderPolicy:
    return policies.get(plan_id) or ReminderPolicy.defaults(plan_id)


def collect(today: dt.date) -> list[Due]:
    """Every reminder that applies on `today`, already sent or not. A fixed number of queries
    whatever the number of agencies and reports."""
    cycles = [c for c in ReportingCycle.objects.open_on(today).select_related("plan").order_by("pk")]
    policies = {p.plan_id: p for p in ReminderPolicy.objects.filter(plan_id__in={c.plan_id for c in cycles})}
    cycles = [c for c in cycles if _policy(policies, c.plan_id).enabled]
    if not cycles:
        return []
    by_id = {c.pk: c for c in cycles}
    extended = {(cycle_id, agency_id): new_due_at for cycle_id, agency_id, new_due_at in
                Extension.objects.filter(cycle_id__in=by_id, state=Extension.State.GRANTED)
                .values_list("cycle_id", "agency_id", "new_due_at")}

    # Outstanding reports, grouped by cycle and agency.
    outstanding: dict[tuple[int, int], list[dict]] = {}
    names: dict[int, str] = {}
    rows = (Report.objects.filter(cycle_id__in=by_id, agency__isnull=False, state__in=OUTSTANDING)
            .order_by("cycle_id", "agency_id", "item__sort_key", "pk")
            .values_list("pk", "cycle_id", "agency_id", "agency__name", "state", "item__code", "item__title",
                         "review_comment"))
    for pk, cycle_id, agency_id, agency_name, state, code, title, comment in rows:
        names[agency_id] = agency_name
        outstanding.setdefault((cycle_id, agency_id), []).append(
            {"report_id": pk, "code": code, "title": title, "state": state, "comment": comment})

    # Unanswered contribution requests due soon.
    horizon = max((max(_policy(policies, c.plan_id).contribution_days_before or [0]) for c in cycles), default=0)
    contributions: dict[tuple[int, int, dt.date], list[dict]] = {}
    rows = (ContributionRequest.objects.filter(report__cycle_id__in=by_id, answered_at__isnull=True,
                                               due_on__gte=today, due_on__lte=today + dt.timedelta(days=horizon))
            .order_by("due_on", "pk")
            .values_list("pk", "report_id", "report__cycle_id", "agency_id", "agency__name", "due_on",
                         "report__item__code", "report__item__title", "report__agency__name", "message"))
    for pk, report_id, cycle_id, agency_id, agency_name, due_on, code, title, lead_name, message in rows:
        names[agency_id] = agency_name
        contributions.setdefault((cycle_id, agency_id, due_on), []).append(
            {"request_id": pk, "report_id": report_id, "code": code, "title": title, "lead": lead_name,
             "message": message, "due_on": due_on.isoformat()})

    # Focal agencies of plans whose ministry deadline is near, followed through mergers.
    ministry: list[tuple[ReportingCycle, int, int, int]] = []  # cycle, agency, rule days, days left
    for c in cycles:
        policy = _policy(policies, c.plan_id)
        if c.plan.focal_agency_id and c.ministry_due_on:
            d = milestone((c.ministry_due_on - today).days, policy.ministry_days_before)
            if d is not None:
                ministry.append((c, c.plan.focal_agency_id, d, (c.ministry_due_on - today).days))
    totals: dict[int, dict[str, int]] = {}
    if ministry:
        lineage = Lineage.load()
        resolved = []
        for c, focal_id, d, left in ministry:
            for agency_id in sorted(lineage.responsible(focal_id, c.year).agency_ids):
                resolved.append((c, agency_id, d, left))
        ministry = resolved
        missing_names = {a for _c, a, _d, _l in ministry} - names.keys()
        names.update(dict(Agency.objects.filter(pk__in=missing_names).values_list("pk", "name")))
        for cycle_id, state, n in (Report.objects.filter(cycle_id__in={c.pk for c, *_ in ministry})
                                   .values_list("cycle_id", "state").annotate(n=Count("pk")).order_by()):
            totals.setdefault(cycle_id, {})[state] = n

    people = notices.agency_recipients(
        {a for _c, a in outstanding} | {a for _c, a, _d in contributions} | {a for _c, a, _d, _l in ministry})
    reviewers = notices.reviewer_recipients({c.plan.jurisdiction_id for c in cycles})

    due: list[Due] = []
    today_iso = today.isoformat()

    # Agencies' own deadlines: before, on the day, overdue.
    digest: dict[int, list[dict]] = {}
    for (cycle_id, agency_id), items in outstanding.items():
        cycle = by_id[cycle_id]
        policy = _policy(policies, cycle.plan_id)
        deadline_at = extended.get((cycle_id, agency_id)) or cycle.due_at
        deadline = _local_date(deadline_at)
        left = (deadline - today).days
        base = {**_cycle_info(cycle), "today": today_iso, "deadline": deadline.isoformat(),
                "extended": (cycle_id, agency_id) in extended, "agency": names[agency_id], "items": items}
        digest.setdefault(cycle_id, []).append(
            {"agency_id": agency_id, "name": names[agency_id], "deadline": deadline.isoformat(),
             "days_late": max(-left, 0), "items": items})
        d = milestone(left, policy.days_before)
        if d is not None:
            day = deadline - dt.timedelta(days=d)
            due.append(Due(f"due:c{cycle_id}:a{agency_id}:d-{d}:{day}", K.DUE, f"d-{d}", day, cycle_id, agency_id,
                           names[agency_id], len(people.get(agency_id, ())), {**base, "days_left": left}))
        late = overdue_milestone(-left, policy.overdue_every_days)
        if late is not None:
            day = deadline + dt.timedelta(days=late)
            due.append(Due(f"overdue:c{cycle_id}:a{agency_id}:d+{late}:{day}", K.OVERDUE, f"d+{late}", day, cycle_id,
                           agency_id, names[agency_id], len(people.get(agency_id, ())), {**base, "days_late": -left}))

    # The reviewers' daily digest: the last days before the common deadline, and after it.
    for cycle_id, agencies in digest.items():
        cycle = by_id[cycle_id]
        policy = _policy(policies, cycle.plan_id)
        deadline = _local_date(cycle.due_at)
        left = (deadline - today).days
        if not policy.digest_enabled or left > policy.digest_days_before:
            continue
        agencies = sorted(agencies, key=lambda a: (-a["days_late"], a["name"]))
        due.append(Due(f"digest:c{cycle_id}:{today}", K.DIGEST, "daily", today, cycle_id, None,
                       f"Tổng hợp – {cycle.plan.number}", len(reviewers.get(cycle.plan.jurisdiction_id, ())),
                       {**_cycle_info(cycle), "today": today_iso, "deadline": deadline.isoformat(),
                        "days_left": left, "agencies": agencies}))

    # Supporting agencies' contributions.
    for (cycle_id, agency_id, due_on), items in contributions.items():
        cycle = by_id[cycle_id]
        d = milestone((due_on - today).days, _policy(policies, cycle.plan_id).contribution_days_before)
        if d is None:
            continue
        day = due_on - dt.timedelta(days=d)
        due.append(Due(f"contribution:c{cycle_id}:a{agency_id}:d-{d}:{day}", K.CONTRIBUTION, f"d-{d}", day, cycle_id,
                       agency_id, names[agency_id], len(people.get(agency_id, ())),
                       {**_cycle_info(cycle), "today": today_iso, "due_on": due_on.isoformat(),
                        "days_left": (due_on - today).days, "agency": names[agency_id], "items": items}))

    # The focal agency and the ministry's deadline.
    for cycle, agency_id, d, left in ministry:
        day = cycle.ministry_due_on - dt.timedelta(days=d)
        missing = sorted(({"name": a["name"], "count": len(a["items"]), "deadline": a["deadline"]}
                          for a in digest.get(cycle.pk, [])), key=lambda a: a["name"])
        counts = totals.get(cycle.pk, {})
        due.append(Due(f"ministry:c{cycle.pk}:a{agency_id}:d-{d}:{day}", K.MINISTRY, f"d-{d}", day, cycle.pk,
                       agency_id, names[agency_id], len(people.get(agency_id, ())),
                       {**_cycle_info(cycle), "today": today_iso, "ministry_due_on": cycle.ministry_due_on.isoformat(),
                        "ministry_name": cycle.plan.ministry_name, "days_left": left, "agency": names[agency_id],
                        "missing": missing, "total": sum(counts.values()),
                        "accepted": counts.get(Report.State.ACCEPTED, 0),
                        "submitted": counts.get(Report.State.SUBMITTED, 0),
                        "outstanding": sum(counts.get(s, 0) for s in OUTSTANDING)}))
    return due


# --- planning: the conditional insert ----------------------------------------------------------------

_COLUMNS = ("key", "kind", "rule", "scheduled_for", "cycle_id", "agency_id", "payload")


def _insert_new(due: list[Due], *, batch: str, now: dt.datetime) -> None:
    """Write every key not written yet, in ONE statement (INSERT ... ON CONFLICT DO NOTHING over a
    JSON array): the unique key makes a second run, a second beat or a restarted worker a no-op,
    and the statement count does not grow with the number of agencies (bulk_create would split it
    into batches of a few dozen rows on SQLite)."""
    if not due:
        return
    rows = json.dumps([{"key": d.key, "kind": d.kind, "rule": d.rule, "scheduled_for": d.scheduled_for.isoformat(),
                        "cycle_id": d.cycle_id, "agency_id": d.agency_id, "payload": d.payload} for d in due])
    table = connection.ops.quote_name(Notice._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS + (
        "report_id", "recipients", "subject", "state", "attempts", "claim_token", "batch", "last_error", "created_at"))
    fixed = "NULL, '[]', '', 'queued', 0, '', %s, '', %s"
    if connection.vendor == "postgresql":
        sql = (f"INSERT INTO {table} ({cols}) SELECT r.key, r.kind, r.rule, r.scheduled_for, r.cycle_id, r.agency_id, "
               f"r.payload, {fixed} FROM jsonb_to_recordset(%s::jsonb) AS r(key varchar, kind varchar, rule varchar, "
               "scheduled_for date, cycle_id bigint, agency_id bigint, payload jsonb) ON CONFLICT (key) DO NOTHING")
        params = [batch, now, rows]
    elif connection.vendor == "sqlite":
        picks = ", ".join(f"json_extract(value, '$.{c}')" for c in _COLUMNS[:-1])
        sql = (f"INSERT INTO {table} ({cols}) SELECT {picks}, json_extract(value, '$.payload'), {fixed} "
               "FROM json_each(%s) WHERE true ON CONFLICT (key) DO NOTHING")
        params = [batch, connection.ops.adapt_datetimefield_value(now), rows]
    else:  # any other database: correct, though in batches
        Notice.objects.bulk_create(
            [Notice(key=d.key, kind=d.kind, rule=d.rule, scheduled_for=d.scheduled_for, cycle_id=d.cycle_id,
                    agency_id=d.agency_id, payload=d.payload, batch=batch, created_at=now) for d in due],
            ignore_conflicts=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def pending(due: list[Due]) -> list[Due]:
    """The reminders of `due` not written down yet (what a real run would send)."""
    existing = set(Notice.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True)) if due else set()
    return [d for d in due if d.key not in existing]


def run(today: dt.date | None = None, *, inline: bool = False, now: dt.datetime | None = None) -> ReminderRun:
    """The daily job: plan today's reminders (conditional insert), then hand the new ones and
    whatever the outbox still holds to delivery: queued to the workers, or `inline` in this
    process (the management command, and eager mode)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    record = ReminderRun.objects.create(day=today, started_at=now)
    batch = uuid.uuid4().hex
    try:
        with transaction.atomic():
            _insert_new(collect(today), batch=batch, now=now)
            new = list(Notice.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    except Exception as exc:  # recorded for the admin; the task retries, and tomorrow catches up anyway
        ReminderRun.objects.filter(pk=record.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    backlog = list(Notice.objects.claimable(now, notices.lease()).exclude(batch=batch)
                   .order_by("created_at", "pk").values_list("pk", flat=True)[:notices.FLUSH_LIMIT])
    ReminderRun.objects.filter(pk=record.pk).update(planned=len(new), dispatched=len(new) + len(backlog),
                                                    finished_at=timezone.now())
    notices.enqueue(new + backlog, inline=inline, today=today if inline else None)
    record.refresh_from_db()
    return record


# --- review notices ------------------------------------------------------------------------------------

REVIEW_KINDS = {"returned": K.RETURNED, "accepted": K.ACCEPTED}
_EVENT_KINDS = (ReportEvent.Kind.RETURN, ReportEvent.Kind.ACCEPT, ReportEvent.Kind.REOPEN)


def plan_review_notice(report_id: int, event: str) -> Notice | None:
    """The notice for one review event, keyed by report, event and the audit event's id, so the
    same event is never announced twice however often the signal fires."""
    kind = REVIEW_KINDS.get(event)
    if kind is None:
        return None
    report = (Report.objects.select_related("cycle", "cycle__plan", "item", "agency", "reviewed_by")
              .filter(pk=report_id).first())
    if report is None or report.agency_id is None:
        return None
    last = report.events.filter(kind__in=_EVENT_KINDS).order_by("-at", "-pk").first()
    event_id = last.pk if last else f"t{int(report.reviewed_at.timestamp()) if report.reviewed_at else 0}"
    reviewer = report.reviewed_by.get_full_name() or report.reviewed_by.username if report.reviewed_by else ""
    notice, created = Notice.objects.get_or_create(
        key=f"review:r{report.pk}:{event}:e{event_id}",
        defaults={"kind": kind, "rule": "event", "scheduled_for": timezone.localdate(), "cycle": report.cycle,
                  "agency_id": report.agency_id, "report": report,
                  "payload": {**_cycle_info(report.cycle), "today": timezone.localdate().isoformat(),
                              "report_id": report.pk, "code": report.item.code, "title": report.item.title,
                              "agency": report.agency.name, "comment": (last.comment if last else "")
                              or report.review_comment, "reviewer": reviewer,
                              "deadline": _local_date(report.cycle.due_at).isoformat()}})
    return notice if created else None


def on_report_reviewed(sender, report_id, event, **kwargs):
    """Connected to reporting.reports.signals.report_reviewed (sent after commit): record the notice, then
    try to queue it. A broker that is down leaves it in the outbox; the page carries on."""
    notice = plan_review_notice(report_id, event)
    if notice is not None:
        notices.enqueue([notice.pk])


# --- notices of workflow events: an input request, an extension request, a decision ------------------

def plan_event_notice(event: str, object_id: int) -> Notice | None:
    """The notice of one workflow event, keyed by the event and its object (and, for a decision, its
    outcome), so it is recorded once however often the signal fires. None if the object is gone."""
    today = timezone.localdate()
    if event == "input_requested":
        req = (ContributionRequest.objects.select_related("report__cycle__plan", "report__item", "report__agency",
                                                          "agency", "requested_by").filter(pk=object_id).first())
        if req is None:
            return None
        report = req.report
        asker = req.requested_by.get_full_name() or req.requested_by.username if req.requested_by else ""
        key, kind, cycle, agency_id = f"input:q{req.pk}", K.INPUT, report.cycle, req.agency_id
        payload = {**_cycle_info(cycle), "today": today.isoformat(), "request_id": req.pk, "code": report.item.code,
                   "title": report.item.title, "lead": report.agency.name if report.agency else "",
                   "agency": req.agency.name, "message": req.message, "due_on": req.due_on.isoformat(),
                   "asker": asker}
    elif event in ("extension_requested", "extension_decided"):
        ext = (Extension.objects.select_related("cycle__plan", "agency", "requested_by", "decided_by")
               .filter(pk=object_id).first())
        if ext is None:
            return None
        cycle, agency_id = ext.cycle, ext.agency_id
        base = {**_cycle_info(cycle), "today": today.isoformat(), "extension_id": ext.pk, "cycle_id": cycle.pk,
                "agency_id": ext.agency_id, "agency": ext.agency.name, "reason": ext.reason,
                "deadline": _local_date(cycle.due_at).isoformat()}
        if event == "extension_requested":
            who = ext.requested_by.get_full_name() or ext.requested_by.username if ext.requested_by else ""
            key, kind, payload = f"ext_request:x{ext.pk}", K.EXT_REQUEST, {**base, "requested_by": who}
        else:
            if ext.state not in (Extension.State.GRANTED, Extension.State.REFUSED):
                return None
            who = ext.decided_by.get_full_name() or ext.decided_by.username if ext.decided_by else ""
            granted = ext.state == Extension.State.GRANTED
            key, kind = f"ext_decision:x{ext.pk}:{ext.state}", K.EXT_DECISION
            payload = {**base, "granted": granted, "comment": ext.decision_comment, "decided_by": who,
                       "new_due_on": _local_date(ext.new_due_at).isoformat() if granted and ext.new_due_at else ""}
    else:
        return None
    notice, created = Notice.objects.get_or_create(
        key=key, defaults={"kind": kind, "rule": "event", "scheduled_for": today, "cycle": cycle,
                           "agency_id": agency_id, "payload": payload})
    return notice if created else None


def on_workflow_event(sender, event, object_id, **kwargs):
    """Connected to reporting.reports.signals.workflow_event (sent after commit): record the notice, then
    try to queue it; a broker that is down leaves it in the outbox."""
    notice = plan_event_notice(event, object_id)
    if notice is not None:
        notices.enqueue([notice.pk])


# --- a reminder now, sent by a reviewer -----------------------------------------------------------------

def reminders_now(cycle: ReportingCycle, *, agency_ids=None, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> list[Due]:
    """What "send a reminder now" would send in `cycle`: one reminder per agency that still owes
    reports (missing, draft, returned), or only to `agency_ids`; a "before the deadline" reminder, or
    an overdue one once the agency's own deadline (its extension included) has passed. Keyed by the
    minute it is sent: a double click sends one, a reminder sent again later is a new one."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    extended = dict(Extension.objects.filter(cycle=cycle, state=Extension.State.GRANTED)
                    .values_list("agency_id", "new_due_at"))
    rows = Report.objects.filter(cycle=cycle, agency__isnull=False, state__in=OUTSTANDING)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    outstanding: dict[int, list[dict]] = {}
    names: dict[int, str] = {}
    for pk, agency_id, agency_name, state, code, title, comment in (
            rows.order_by("agency__name", "item__sort_key", "pk")
            .values_list("pk", "agency_id", "agency__name", "state", "item__code", "item__title", "review_comment")):
        names[agency_id] = agency_name
        outstanding.setdefault(agency_id, []).append(
            {"report_id": pk, "code": code, "title": title, "state": state, "comment": comment})
    people = notices.agency_recipients(outstanding)
    stamp = f"{timezone.localtime(now):%Y%m%d%H%M}"
    due = []
    for agency_id, items in outstanding.items():
        deadline = _local_date(extended.get(agency_id) or cycle.due_at)
        left = (deadline - today).days
        base = {**_cycle_info(cycle), "today": today.isoformat(), "deadline": deadline.isoformat(),
                "extended": agency_id in extended, "agency": names[agency_id], "items": items, "sent_now": True}
        kind, payload = (K.DUE, {**base, "days_left": left}) if left >= 0 else (K.OVERDUE, {**base, "days_late": -left})
        d = Due(f"now:c{cycle.pk}:a{agency_id}:{stamp}", kind, "now", today, cycle.pk, agency_id, names[agency_id],
                len(people.get(agency_id, ())), payload)
        d.emails = [p.email for p in people.get(agency_id, ())]
        due.append(d)
    return due


def send_reminders_now(cycle: ReportingCycle, *, agency_ids=None, now: dt.datetime | None = None) -> list[int]:
    """Write the reminders of reminders_now() (the conditional insert: a key written already is not
    written again) and hand the new ones to delivery, the same claim-once path as the daily job's.
    Returns the new notices' ids. Who may do this is the caller's to check (access.is_reviewer_of)."""
    now = now or timezone.now()
    batch = uuid.uuid4().hex
    with transaction.atomic():
        _insert_new(reminders_now(cycle, agency_ids=agency_ids, now=now), batch=batch, now=now)
        new = list(Notice.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    notices.enqueue(new)
    return new
