"""What the report page, the officer's home and a report's actions read, as plain statements
(reporting/reports/plain.py says why). Each statement is built once per process (and per length of
its IN list) by a cached builder; each function reads rows and keeps those the access functions let
the user see; none decides visibility itself.
"""
from __future__ import annotations

from functools import cache, lru_cache

from django.contrib.auth import get_user_model
from django.db import models

from agencies.models import Agency
from reporting.models import Attachment, ContributionRequest, Extension, Report, ReportEvent, ReportingCycle
from reporting.reports import access
from reporting.reports.plain import Reader, Statement, adapted, fields_of, partial, placeholders, quoted, table, whole
from tasks.models import Plan, PlanItem
from tasks.supersession import ItemLineage

_FLAG = models.BooleanField()
_WHEN = models.DateTimeField()
_IN_LISTS = 64  # statements kept per builder: one per length of IN list seen (a user has a few agencies)


def _report_joins(*, item: bool = True) -> str:
    """The joins from a report `r` to its cycle `c`, the cycle's plan `p` and (item) its item `i`:
    the plan's jurisdiction is what access.report_visible_to asks with the report's agency."""
    joins = (f" JOIN {table(ReportingCycle)} c ON c.id = r.{quoted('cycle_id')}"
             f" JOIN {table(Plan)} p ON p.id = c.{quoted('plan_id')}")
    return joins + (f" JOIN {table(PlanItem)} i ON i.id = r.{quoted('item_id')}" if item else "")


# --- the report page and a report's actions ------------------------------------------------------

@cache
def _report_page() -> Statement:
    report_id, agency_id, cycle_id = (quoted(c) for c in ("report_id", "agency_id", "cycle_id"))
    return Statement(
        f"SELECT {whole(Report, 'r')}, {whole(ReportingCycle, 'c')}, {whole(Plan, 'p')}, {whole(PlanItem, 'i')},"
        f" {whole(Agency, 'a')},"
        f" EXISTS (SELECT 1 FROM {table(Attachment)} x WHERE x.{report_id} = r.id),"
        f" EXISTS (SELECT 1 FROM {table(ContributionRequest)} x WHERE x.{report_id} = r.id),"
        f" EXISTS (SELECT 1 FROM {table(ReportEvent)} x WHERE x.{report_id} = r.id AND x.kind <> %s),"
        f" (SELECT x.new_due_at FROM {table(Extension)} x WHERE x.{cycle_id} = r.{cycle_id}"
        f"  AND x.{agency_id} = r.{agency_id} AND x.state = %s LIMIT 1)"
        f" FROM {table(Report)} r{_report_joins()}"
        f" LEFT JOIN {table(Agency)} a ON a.id = r.{agency_id}"
        " WHERE r.id = %s",
        fields_of(Report) + fields_of(ReportingCycle) + fields_of(Plan) + fields_of(PlanItem) + fields_of(Agency)
        + [_FLAG, _FLAG, _FLAG, _WHEN])


def report_page(user, pk) -> Report | None:
    """The report the page shows, if the user may see it (access.report_visible_to), with its cycle
    and plan, its item and its agency, and what the page asks only when there is something to find:
    whether it has evidence (`has_attachments`), input requests (`has_contributions`), log entries
    other than saves (`has_events`), and the agency's granted deadline (`granted_due_at`)."""
    rows = _report_page().rows([ReportEvent.Kind.SAVE, Extension.State.GRANTED, pk])
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


@cache
def _report_key() -> Statement:
    return Statement(f"SELECT r.id, r.{quoted('agency_id')}, p.{quoted('jurisdiction_id')} FROM {table(Report)} r"
                     f"{_report_joins(item=False)} WHERE r.id = %s", [None, None, None])


def report_key(user, pk) -> Report | None:
    """The report an action is about, if the user may see it: its key and agency only (the workflow
    move locks and reloads the row itself)."""
    rows = _report_key().rows([pk])
    if not rows:
        return None
    pk, agency_id, jurisdiction_id = rows[0]
    if not access.report_visible_to(user, agency_id=agency_id, plan_jurisdiction_id=jurisdiction_id):
        return None
    return partial(Report, id=pk, agency_id=agency_id)


# What the report page shows of last year's report: its figures and texts, its cycle's kind and year,
# its agency's name.
_PREVIOUS_FIELDS = ("id", "item_id", "cycle_id", "agency_id", "state", "status", "percent_complete", "results",
                    "outputs", "difficulties", "proposals", "funds_central", "funds_local", "funds_oda", "funds_other")


@lru_cache(maxsize=_IN_LISTS)
def _earlier_reports(n_items: int) -> Statement:
    fields = [Report._meta.get_field(name) for name in _PREVIOUS_FIELDS]
    return Statement(
        f"SELECT {', '.join(f'r.{quoted(f.column)}' for f in fields)}, c.kind, c.year, a.name, p.{quoted('jurisdiction_id')}"
        f" FROM {table(Report)} r{_report_joins(item=False)} LEFT JOIN {table(Agency)} a ON a.id = r.{quoted('agency_id')}"
        f" WHERE r.{quoted('item_id')} IN ({placeholders(n_items)}) AND c.kind = %s AND c.year < %s"
        " ORDER BY c.year DESC, r.id", fields + [None, None, None, None])


def previous_report(user, report: Report) -> Report | None:
    """Last year's annual report on the same item, whoever wrote it (access lets a successor agency
    read its predecessors' reports), or on the item of a superseded plan it carries on: the earlier
    annual reports newest first (a few rows: one a year), the first the user may read kept. Only
    the columns the page shows are read (any other would be loaded when asked for, as with .only())."""
    item_ids = sorted({report.item_id} | ItemLineage.load().earlier(report.item_id))
    rows = _earlier_reports(len(item_ids)).rows([*item_ids, ReportingCycle.Kind.ANNUAL, report.cycle.year])
    for *values, kind, year, agency_name, jurisdiction_id in rows:
        previous = partial(Report, **dict(zip(_PREVIOUS_FIELDS, values)))
        if access.report_visible_to(user, agency_id=previous.agency_id, plan_jurisdiction_id=jurisdiction_id):
            previous.cycle = partial(ReportingCycle, id=previous.cycle_id, kind=kind, year=year)
            previous.agency = partial(Agency, id=previous.agency_id, name=agency_name) if previous.agency_id else None
            return previous
    return None


_HISTORY_COLUMNS = ("history_date", "history_type", "history_user_id")


@lru_cache(maxsize=8)
def _history(columns: tuple[str, ...]) -> Statement:
    history = Report.history.model
    fields = [history._meta.get_field(name) for name in (*columns, *_HISTORY_COLUMNS)]
    return Statement(f"SELECT {', '.join(quoted(f.column) for f in fields)} FROM {table(history)}"
                     f" WHERE id = %s ORDER BY {quoted('history_date')} DESC, {quoted('history_id')} DESC"
                     " LIMIT %s OFFSET %s", fields)


def history_rows(report_id: int, columns: tuple[str, ...], *, skip: int, count: int) -> list[dict]:
    """The report's simple-history rows, newest first, `count` after the newest `skip`: `columns`
    (the report's fields) and who saved, when and how."""
    names = (*columns, *_HISTORY_COLUMNS)
    return [dict(zip(names, row)) for row in _history(columns).rows([report_id, count, skip])]


@cache
def _supporting() -> Statement:
    through = PlanItem.supporting_agencies.through
    return Statement(f"SELECT {whole(Agency, 'a')} FROM {table(Agency)} a JOIN {table(through)} s"
                     f" ON s.{quoted('agency_id')} = a.id WHERE s.{quoted('planitem_id')} = %s ORDER BY a.name, a.id",
                     fields_of(Agency))


def supporting_agencies(item: PlanItem) -> list[Agency]:
    """The item's supporting agencies, by name (as item.supporting_agencies.all())."""
    return [Reader(row).model(Agency) for row in _supporting().rows([item.pk])]


@lru_cache(maxsize=_IN_LISTS)
def _users(n: int) -> Statement:
    User = get_user_model()
    return Statement(f"SELECT {whole(User, 'u')} FROM {table(User)} u WHERE u.id IN ({placeholders(n)})",
                     fields_of(User))


def users(ids) -> dict:
    """The users of `ids` by id (as in_bulk)."""
    ids = sorted(ids)
    User = get_user_model()
    return {user.pk: user for user in (Reader(row).model(User) for row in _users(len(ids)).rows(ids))}


# --- the officer's home ------------------------------------------------------------------------

_HOME_TABLES = {"": (Report, "r"), "item": (PlanItem, "i"), "cycle": (ReportingCycle, "c"), "cycle__plan": (Plan, "p"),
                "agency": (Agency, "a")}


def _home_column(name: str) -> tuple[str, models.Field]:
    """`cycle__plan__number` → its column under the statement's alias, and its field."""
    path, _, attr = name.rpartition("__")
    model, alias = _HOME_TABLES[path]
    field = model._meta.pk if attr == "pk" else model._meta.get_field(attr)
    return f"{alias}.{quoted(field.column)}", field


@lru_cache(maxsize=_IN_LISTS)
def _home_lines(columns: tuple[str, ...], n_agencies: int) -> Statement:
    selected = [_home_column(name) for name in columns]
    return Statement(
        f"SELECT {', '.join(sql for sql, _ in selected)}, r.{quoted('agency_id')}, p.{quoted('jurisdiction_id')}"
        f" FROM {table(Report)} r{_report_joins()}"
        f" JOIN {table(Agency)} a ON a.id = r.{quoted('agency_id')}"
        f" WHERE r.{quoted('agency_id')} IN ({placeholders(n_agencies)}) AND c.opens_on <= %s AND c.closes_on >= %s"
        f" ORDER BY c.year DESC, c.id, a.name, i.{quoted('sort_key')}",
        [field for _, field in selected] + [None, None])


def home_lines(user, agency_ids, today, columns: tuple[str, ...]) -> list[dict]:
    """The reports of `agency_ids` in the cycles open `today` that the user may see, newest cycle
    first, then by agency and by the plan's order: dicts of `columns` (names as for .values())."""
    ids = sorted(agency_ids)
    day = adapted(ReportingCycle._meta.get_field("opens_on"), today)
    rows = _home_lines(columns, len(ids)).rows([*ids, day, day])
    return [dict(zip(columns, row)) for row in rows
            if access.report_visible_to(user, agency_id=row[-2], plan_jurisdiction_id=row[-1])]


@lru_cache(maxsize=_IN_LISTS)
def _home_extensions(n_agencies: int) -> Statement:
    return Statement(
        f"SELECT {whole(Extension, 'e')}, {whole(ReportingCycle, 'c')}, {whole(Agency, 'a')} FROM {table(Extension)} e"
        f" JOIN {table(ReportingCycle)} c ON c.id = e.{quoted('cycle_id')} JOIN {table(Agency)} a ON a.id = e.{quoted('agency_id')}"
        f" WHERE e.{quoted('agency_id')} IN ({placeholders(n_agencies)}) AND c.closes_on >= %s ORDER BY e.requested_at DESC",
        fields_of(Extension) + fields_of(ReportingCycle) + fields_of(Agency))


def home_extensions(agency_ids, today) -> list[Extension]:
    """The extensions of `agency_ids` in cycles still open `today`, newest request first, with their
    cycle and agency."""
    ids = sorted(agency_ids)
    rows = _home_extensions(len(ids)).rows([*ids, adapted(ReportingCycle._meta.get_field("closes_on"), today)])
    extensions = []
    for row in rows:
        read = Reader(row)
        extension = read.model(Extension)
        extension.cycle, extension.agency = read.model(ReportingCycle), read.model(Agency)
        extensions.append(extension)
    return extensions


@lru_cache(maxsize=_IN_LISTS)
def _home_contributions(n_agencies: int) -> Statement:
    x = ContributionRequest._meta
    return Statement(
        f"SELECT x.id, x.{quoted('agency_id')}, x.{quoted('report_id')}, x.due_on, x.answered_at,"
        f" r.{quoted('agency_id')}, r.{quoted('item_id')}, i.code, i.title, ra.name, xa.name, p.{quoted('jurisdiction_id')}"
        f" FROM {table(ContributionRequest)} x JOIN {table(Report)} r ON r.id = x.{quoted('report_id')}{_report_joins()}"
        f" LEFT JOIN {table(Agency)} ra ON ra.id = r.{quoted('agency_id')}"
        f" JOIN {table(Agency)} xa ON xa.id = x.{quoted('agency_id')}"
        f" WHERE (c.closes_on >= %s OR x.answered_at IS NULL) AND x.{quoted('agency_id')} IN ({placeholders(n_agencies)})"
        " ORDER BY x.answered_at, x.due_on",
        [None, None, None, x.get_field("due_on"), x.get_field("answered_at"), None, None, None, None, None, None, None])


def home_contributions(user, agency_ids, today) -> list[ContributionRequest]:
    """The input requests addressed to `agency_ids` that the user may see (access.contribution_visible_to),
    unanswered or on a cycle still open `today`, unanswered and soonest due first: what the home
    lists of each (its dates, the item, the lead and the asked agency's names), as .only() reads."""
    ids = sorted(agency_ids)
    rows = _home_contributions(len(ids)).rows([adapted(ReportingCycle._meta.get_field("closes_on"), today), *ids])
    found = []
    for (pk, agency_id, report_id, due_on, answered_at, report_agency_id, item_id, code, title, report_agency_name,
         agency_name, jurisdiction_id) in rows:
        if not access.contribution_visible_to(user, agency_id=agency_id, report_agency_id=report_agency_id,
                                              plan_jurisdiction_id=jurisdiction_id):
            continue
        request = partial(ContributionRequest, id=pk, agency_id=agency_id, report_id=report_id, due_on=due_on,
                          answered_at=answered_at)
        request.agency = partial(Agency, id=agency_id, name=agency_name)
        request.report = partial(Report, id=report_id, agency_id=report_agency_id, item_id=item_id)
        request.report.item = partial(PlanItem, id=item_id, code=code, title=title)
        request.report.agency = (partial(Agency, id=report_agency_id, name=report_agency_name)
                                 if report_agency_id is not None else None)
        found.append(request)
    return found


@lru_cache(maxsize=_IN_LISTS)
def _agencies_by_name(n: int) -> Statement:
    return Statement(f"SELECT id, name FROM {table(Agency)} WHERE id IN ({placeholders(n)}) ORDER BY name, id",
                     [None, None])


def agencies_by_name(ids) -> list[Agency]:
    """The agencies of `ids` (their key and name), by name."""
    ids = sorted(ids)
    return [partial(Agency, id=pk, name=name) for pk, name in _agencies_by_name(len(ids)).rows(ids)]
