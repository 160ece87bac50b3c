"""What the report page, the officer's home and a report's actions read, as plain statements
(reporting/plain.py says why). Each function reads rows and keeps those the access functions let
the user see; none decides visibility itself.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models

from agencies.models import Agency
from reporting.models import (Attachment, ContributionRequest, Extension, Report, ReportEvent, ReportingCycle)
from reporting.plain import Reader, fetch, fields_of, placeholders, quoted, table, whole
from reporting.reports import access
from tasks.models import Plan, PlanItem

_FLAG = models.BooleanField()
_WHEN = models.DateTimeField()

_REPORT_PAGE = None


def _report_page_sql() -> str:
    # Built once: the table and column names do not change while the process runs.
    global _REPORT_PAGE
    if _REPORT_PAGE is None:
        report_id, agency_id, cycle_id = (quoted(c) for c in ("report_id", "agency_id", "cycle_id"))
        _REPORT_PAGE = (
            f"SELECT {whole(Report, 'r')}, {whole(ReportingCycle, 'c')}, {whole(Plan, 'p')}, {whole(PlanItem, 'i')},"
            f" {whole(Agency, 'a')},"
            f" EXISTS (SELECT 1 FROM {table(Attachment)} x WHERE x.{report_id} = r.id),"
            f" EXISTS (SELECT 1 FROM {table(ContributionRequest)} x WHERE x.{report_id} = r.id),"
            f" EXISTS (SELECT 1 FROM {table(ReportEvent)} x WHERE x.{report_id} = r.id AND x.kind <> %s),"
            f" (SELECT x.new_due_at FROM {table(Extension)} x WHERE x.{cycle_id} = r.{cycle_id}"
            f"  AND x.{agency_id} = r.{agency_id} AND x.state = %s LIMIT 1)"
            f" FROM {table(Report)} r"
            f" JOIN {table(ReportingCycle)} c ON c.id = r.{cycle_id}"
            f" JOIN {table(Plan)} p ON p.id = c.{quoted('plan_id')}"
            f" JOIN {table(PlanItem)} i ON i.id = r.{quoted('item_id')}"
            f" LEFT JOIN {table(Agency)} a ON a.id = r.{agency_id}"
            " WHERE r.id = %s")
    return _REPORT_PAGE


def report_page(user, pk) -> Report | None:
    """The report the page shows, if the user may see it (access.report_visible_to), with its cycle
    and plan, its item and its agency, and what the page asks only when there is something to find:
    whether it has evidence (`has_attachments`), input requests (`has_contributions`), log entries
    other than saves (`has_events`), and the agency's granted deadline (`granted_due_at`)."""
    fields = (fields_of(Report) + fields_of(ReportingCycle) + fields_of(Plan) + fields_of(PlanItem)
              + fields_of(Agency) + [_FLAG, _FLAG, _FLAG, _WHEN])
    rows = fetch(_report_page_sql(), [ReportEvent.Kind.SAVE, Extension.State.GRANTED, pk], fields)
    if not rows:
        return None
    read = Reader(rows[0])
    report, cycle, plan, item, agency = (read.model(Report), read.model(ReportingCycle), read.model(Plan),
                                         read.model(PlanItem), read.maybe_model(Agency))
    if not access.report_visible_to(user, agency_id=report.agency_id, plan_jurisdiction_id=plan.jurisdiction_id):
        return None
    cycle.plan, report.cycle, report.item, report.agency = plan, cycle, item, agency
    report.has_attachments, report.has_contributions, report.has_events = read.value(), read.value(), read.value()
    report.granted_due_at = read.value()
    return report


def report_key(user, pk) -> Report | None:
    """The report an action is about, if the user may see it: its key and agency only (the workflow
    move locks and reloads the row itself)."""
    rows = fetch(f"SELECT r.id, r.{quoted('agency_id')}, p.{quoted('jurisdiction_id')} FROM {table(Report)} r"
                 f" JOIN {table(ReportingCycle)} c ON c.id = r.{quoted('cycle_id')}"
                 f" JOIN {table(Plan)} p ON p.id = c.{quoted('plan_id')} WHERE r.id = %s", [pk], [None, None, None])
    if not rows:
        return None
    pk, agency_id, jurisdiction_id = rows[0]
    if not access.report_visible_to(user, agency_id=agency_id, plan_jurisdiction_id=jurisdiction_id):
        return None
    return Report.from_db("default", ["id", "agency_id"], [pk, agency_id])


def history_rows(report_id: int, columns: tuple[str, ...], *, skip: int, count: int) -> list[dict]:
    """The report's simple-history rows, newest first, `count` after the newest `skip`: `columns`
    (the report's fields) and who saved, when and how."""
    history = Report.history.model
    names = [*columns, "history_date", "history_type", "history_user_id"]
    fields = [history._meta.get_field(name) for name in names]
    rows = fetch(f"SELECT {', '.join(quoted(f.column) for f in fields)} FROM {table(history)}"
                 f" WHERE id = %s ORDER BY {quoted('history_date')} DESC, {quoted('history_id')} DESC"
                 " LIMIT %s OFFSET %s", [report_id, count, skip], fields)
    return [dict(zip(names, row)) for row in rows]


def supporting_agencies(item: PlanItem) -> list[Agency]:
    """The item's supporting agencies, by name (as item.supporting_agencies.all())."""
    through = PlanItem.supporting_agencies.through
    rows = fetch(f"SELECT {whole(Agency, 'a')} FROM {table(Agency)} a JOIN {table(through)} s"
                 f" ON s.{quoted('agency_id')} = a.id WHERE s.{quoted('planitem_id')} = %s ORDER BY a.name, a.id",
                 [item.pk], fields_of(Agency))
    return [Reader(row).model(Agency) for row in rows]


def users(ids) -> dict:
    """The users of `ids` by id (as in_bulk)."""
    User = get_user_model()
    ids = sorted(ids)
    rows = fetch(f"SELECT {whole(User, 'u')} FROM {table(User)} u WHERE u.id IN ({placeholders(ids)})", ids,
                 fields_of(User))
    return {user.pk: user for user in (Reader(row).model(User) for row in rows)}
