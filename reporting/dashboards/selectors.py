"""Reads that feed the consolidated status page, the leadership dashboard, the public page and the
province report. Each function issues a FIXED number of queries whatever the plan's size, and
aggregates in the database (tests/reporting/test_dashboard_queries.py holds them to it).

Counting rules, stated once and shown on the pages:

* a report is *due* when the item owes one in the cycle and an agency is assigned to it
  (unassigned items are listed apart and counted separately);
* *submitted* means the report reached the reviewer: state "submitted" or "accepted";
  *on time* / *late* split the submitted ones by their `late` flag; *missing* is everything due
  and not submitted (not started, draft, or returned for revision);
* implementation status (completed, on schedule, behind…) counts submitted reports only;
* the progress of a theme or task group is the MEAN of the percent complete of its submitted
  reports (submitted or accepted), with the number of items not reported shown beside it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import scope_for
from agencies.text import fold, sort_key
from tasks.models import Plan, PlanItem, shown_title

from reporting.models import Report, ReportingCycle

S = Report.State
ST = Report.Status
REPORTED = (S.SUBMITTED, S.ACCEPTED)
STATUSES = [c for c, _label in ST.choices]
STATES = [c for c, _label in S.choices]
PROGRESS_METHOD = _(
    "Tiến độ của chủ đề, nhóm nhiệm vụ = trung bình cộng tỷ lệ hoàn thành (%) của các mục đã gửi báo cáo "
    "(đã gửi hoặc đã chấp nhận); số mục chưa báo cáo được ghi bên cạnh và không tính vào trung bình."
)
PUBLIC_METHOD = _(
    "Tiến độ = trung bình cộng tỷ lệ hoàn thành (%) của các báo cáo đã được thẩm định, chấp nhận; "
    "mục chưa có báo cáo được chấp nhận không tính vào trung bình."
)


# --- expressions -------------------------------------------------------------------------------

def _ancestor_of_level(level: str, prefix: str = "item__"):
    """The id of the item's ancestor (or itself) at `level`, walking up to three parents in SQL."""
    whens = []
    path = prefix
    for _depth in range(4):
        whens.append(When(**{f"{path}level": level}, then=F(f"{path}id")))
        path += "parent__"
    return Case(*whens, default=None, output_field=IntegerField())


def theme_expr(prefix="item__"):
    return _ancestor_of_level(PlanItem.Level.THEME, prefix)


def group_expr(prefix="item__"):
    return _ancestor_of_level(PlanItem.Level.GROUP, prefix)


def _reported_q(states=REPORTED):
    return Q(state__in=states)


def _figures(states=REPORTED, base: Q | None = None, *, by_state=True) -> dict:
    """Aggregates shared by every grouping: due, submitted, on time/late, mean progress and, unless
    `by_state` is off (a page that shows none of them), the counts by state and by status.
    `base` restricts every figure (the headline counts assigned reports beside unassigned ones)."""
    base = base or Q()
    rep = base & _reported_q(states)
    agg = {
        "due": Count("id", filter=base or None),
        "submitted": Count("id", filter=rep),
        "on_time": Count("id", filter=rep & Q(late=False)),
        "late": Count("id", filter=rep & Q(late=True)),
        "mean_percent": Avg("percent_complete", filter=rep & Q(percent_complete__isnull=False)),
    }
    if by_state:
        for state in STATES:
            agg[f"state_{state}"] = Count("id", filter=base & Q(state=state))
        for status in STATUSES:
            agg[f"status_{status}"] = Count("id", filter=rep & Q(status=status))
    return agg


def fmt_pct(value) -> str:
    """47.25 → “47,3%” (Vietnamese decimal comma); None → “—”."""
    if value is None:
        return "—"
    text = f"{round(float(value), 1):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _finish(row: dict) -> dict:
    row["missing"] = row["due"] - row["submitted"]
    row["not_reported"] = row["missing"]
    if row.get("mean_percent") is not None:
        row["mean_percent"] = round(float(row["mean_percent"]), 1)
    row["mean_text"] = fmt_pct(row.get("mean_percent"))
    return row


# --- filters -----------------------------------------------------------------------------------

SORTS = {
    "code": ["item__sort_key"],
    "-code": ["-item__sort_key"],
    "agency": ["agency__name", "item__sort_key"],
    "-agency": ["-agency__name", "item__sort_key"],
    "state": ["state", "item__sort_key"],
    "-state": ["-state", "item__sort_key"],
    "status": ["status", "item__sort_key"],
    "-status": ["-status", "item__sort_key"],
    "percent": ["percent_complete", "item__sort_key"],
    "-percent": ["-percent_complete", "item__sort_key"],
}


@dataclass
class StatusFilters:
    """The consolidated page's filters; the same object drives the page, its export and the
    dashboard's drill-down links."""

    theme: int | None = None
    group: int | None = None
    agency: int | None = None
    priority: str = ""  # "high" | "normal"
    state: str = ""  # a Report.State, or "late", "on_time", "not_submitted", "submitted"
    status: str = ""  # a Report.Status, or "none" (no submitted report)
    q: str = ""
    sort: str = "code"

    @classmethod
    def from_query(cls, data) -> "StatusFilters":
        def as_int(key):
            try:
                return int(data.get(key) or "") or None
            except (TypeError, ValueError):
                return None

        state = data.get("state", "")
        status = data.get("status", "")
        return cls(
            theme=as_int("theme"), group=as_int("group"), agency=as_int("agency"),
            priority=data.get("priority", "") if data.get("priority") in ("high", "normal") else "",
            state=state if state in STATES + ["late", "on_time", "not_submitted", "submitted"] else "",
            status=status if status in STATUSES + ["none"] else "",
            q=(data.get("q") or "").strip()[:200],
            sort=data.get("sort") if data.get("sort") in SORTS else "code",
        )

    def apply(self, qs):
        if self.theme:
            qs = qs.filter(theme_id=self.theme)
        if self.group:
            qs = qs.filter(group_id=self.group)
        if self.agency:
            qs = qs.filter(agency_id=self.agency)
        if self.priority == "high":
            qs = qs.filter(item__high_priority=True)
        elif self.priority == "normal":
            qs = qs.filter(item__high_priority=False)
        if self.state == "late":
            qs = qs.filter(state__in=REPORTED, late=True)
        elif self.state == "on_time":
            qs = qs.filter(state__in=REPORTED, late=False)
        elif self.state == "submitted":
            qs = qs.filter(state__in=REPORTED)
        elif self.state == "not_submitted":
            qs = qs.exclude(state__in=REPORTED)
        elif self.state:
            qs = qs.filter(state=self.state)
        if self.status == "none":
            qs = qs.exclude(state__in=REPORTED)
        elif self.status:
            qs = qs.filter(state__in=REPORTED, status=self.status)
        phrase = fold(self.q)
        if phrase:
            qs = qs.filter(Q(item__search_text__contains=phrase) | Q(agency__search_text__contains=phrase))
        return qs.order_by(*SORTS[self.sort])

    def as_params(self, **override) -> dict:
        values = {"theme": self.theme, "group": self.group, "agency": self.agency, "priority": self.priority,
                  "state": self.state, "status": self.status, "q": self.q,
                  "sort": "" if self.sort == "code" else self.sort}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.as_params(sort=""))


# --- consolidated status ------------------------------------------------------------------------

@dataclass
class StatusRow:
    report_id: int
    item_id: int
    code: str
    title: str
    level: str
    theme_id: int | None
    group_id: int | None
    high_priority: bool
    agency_id: int | None
    agency_name: str
    state: str
    late: bool
    status: str
    percent: int | None
    submitted_at: dt.datetime | None
    results: str = ""

    @property
    def state_label(self) -> str:
        return S(self.state).label

    @property
    def status_label(self) -> str:
        return ST(self.status).label if self.status else ""

    @property
    def reported(self) -> bool:
        return self.state in REPORTED


ROW_FIELDS = ("id", "item_id", "item__code", "item__title", "item__level", "theme_id", "group_id",
              "item__high_priority", "agency_id", "agency__name", "state", "late", "status",
              "percent_complete", "submitted_at")


def _row(values: dict, results: bool = False) -> StatusRow:
    return StatusRow(
        report_id=values["id"], item_id=values["item_id"], code=values["item__code"], title=shown_title(values["item__title"]),
        level=values["item__level"], theme_id=values["theme_id"], group_id=values["group_id"],
        high_priority=values["item__high_priority"], agency_id=values["agency_id"],
        agency_name=values["agency__name"] or "", state=values["state"], late=values["late"],
        status=values["status"], percent=values["percent_complete"], submitted_at=values["submitted_at"],
        results=values.get("results", "") if results else "",
    )


def _plans_q(cycle: ReportingCycle, plan: Plan | None = None, prefix: str = "item__") -> Q:
    """The cycle's reports on one plan (`plan`), or on every plan the cycle collects."""
    if plan is not None:
        return Q(**{f"{prefix}plan_id": plan.pk})
    ids = cycle.plan_ids()
    return Q(**{f"{prefix}plan_id": ids[0]}) if len(ids) == 1 else Q(**{f"{prefix}plan_id__in": ids})


def _cycle_reports(cycle: ReportingCycle, *, assigned: bool | None = True, plan: Plan | None = None):
    # The plan is always named (the cycle's, or the plans a jurisdiction-wide cycle collects); saying
    # so lets PostgreSQL read that plan's items by index instead of hashing the items of every plan in
    # the database (1–2 ms each at national scale).
    qs = (Report.objects.filter(_plans_q(cycle, plan), cycle=cycle)
          .annotate(theme_id=theme_expr(), group_id=group_expr()))
    if assigned is True:
        qs = qs.filter(agency__isnull=False)
    elif assigned is False:
        qs = qs.filter(agency__isnull=True)
    return qs


def status_rows(cycle: ReportingCycle, filters: StatusFilters | None = None, *, with_results=False,
                plan: Plan | None = None) -> list[StatusRow]:
    """Every assigned report of the cycle (of one of its plans) matching the filters: one query."""
    filters = filters or StatusFilters()
    fields = ROW_FIELDS + (("results",) if with_results else ())
    qs = filters.apply(_cycle_reports(cycle, plan=plan)).values(*fields)
    return [_row(v, with_results) for v in qs]


def unassigned_rows(cycle: ReportingCycle) -> list[dict]:
    """Reports of items with no agency assigned, with the reason (a fixed handful of queries)."""
    from reporting.reports.cycles import UNASSIGNED_REASONS, unassigned

    reasons = {o.item.pk: UNASSIGNED_REASONS.get(o.reason, o.reason) for o in unassigned(cycle)}
    rows = []
    for v in _cycle_reports(cycle, assigned=False).order_by("item__sort_key").values(*ROW_FIELDS):
        row = _row(v)
        rows.append({"row": row, "reason": reasons.get(row.item_id, "")})
    return rows


@dataclass
class Outline:
    """Themes and task groups of a plan, for labels and filter menus: one query."""

    themes: list[PlanItem]
    groups: list[PlanItem]
    by_id: dict[int, PlanItem] = field(default_factory=dict)


def plan_outline(plan: Plan | list[Plan]) -> Outline:
    """One plan's outline, or several plans' one after the other (a jurisdiction-wide cycle)."""
    plans = plan if isinstance(plan, (list, tuple)) else [plan]
    order = {p.pk: n for n, p in enumerate(plans)}
    items = sorted(PlanItem.objects.filter(plan__in=plans, level__in=["theme", "group"]).current()
                   .only("id", "code", "title", "level", "parent_id", "sort_key", "plan_id"),
                   key=lambda i: (order[i.plan_id], i.sort_key))
    return Outline(themes=[i for i in items if i.level == "theme"], groups=[i for i in items if i.level == "group"],
                   by_id={i.pk: i for i in items})


def cycle_agencies(cycle: ReportingCycle) -> list[tuple[int, str]]:
    """Agencies owing reports in the cycle, in Vietnamese order (one query)."""
    pairs = set(Report.objects.filter(cycle=cycle, agency__isnull=False).values_list("agency_id", "agency__name"))
    return sorted(pairs, key=lambda p: sort_key(p[1]))


# --- dashboard ---------------------------------------------------------------------------------

def headline(cycle: ReportingCycle, *, plan: Plan | None = None) -> dict:
    """The cycle's headline figures (across its plans, or for one): one query."""
    agg = _figures(base=Q(agency__isnull=False))
    agg["unassigned"] = Count("id", filter=Q(agency__isnull=True))
    qs = Report.objects.filter(cycle=cycle)
    if plan is not None:
        qs = qs.filter(item__plan=plan)
    row = qs.aggregate(**agg)
    return _finish(row)


def progress_by(cycle: ReportingCycle, level: str = "theme", *, states=REPORTED, outline: Outline | None = None,
                plan: Plan | None = None) -> list[dict]:
    """Progress of each theme (or task group): one query, plus one for the outline if not given."""
    outline = outline or plan_outline(plan or (cycle.plans() if cycle.consolidated else cycle.plan))
    key = "theme_id" if level == "theme" else "group_id"
    qs = (_cycle_reports(cycle, plan=plan).values(key).order_by().annotate(**_figures(states)))
    by_key = {r[key]: _finish(r) for r in qs}
    rows = []
    parents = outline.themes if level == "theme" else outline.groups
    for parent in parents:
        figures = by_key.get(parent.pk)
        if not figures:
            continue
        figures.update(id=parent.pk, code=parent.code, title=parent.shown_title, theme_id=parent.parent_id,
                       plan_id=parent.plan_id)
        rows.append(figures)
    return rows


def agency_compliance(cycle: ReportingCycle, *, plan: Plan | None = None) -> list[dict]:
    """On time, late and missing per agency (one query), in Vietnamese order of names."""
    qs = Report.objects.filter(cycle=cycle, agency__isnull=False)
    if plan is not None:
        qs = qs.filter(item__plan=plan)
    qs = (qs.values("agency_id", "agency__name").order_by()
          .annotate(**_figures()))
    rows = [_finish(dict(r, name=r["agency__name"])) for r in qs]
    for r in rows:
        r["on_time_rate"] = round(100 * r["on_time"] / r["due"]) if r["due"] else 0
    return sorted(rows, key=lambda r: sort_key(r["name"]))


def high_priority_behind(cycle: ReportingCycle, *, plan: Plan | None = None) -> list[StatusRow]:
    """High-priority items whose submitted report says "behind schedule": one query."""
    filters = StatusFilters(priority="high", status=ST.BEHIND)
    return status_rows(cycle, filters, plan=plan)


@dataclass
class TimelineRow:
    theme_id: int
    code: str
    title: str
    per_year: dict[int, int]  # year → number of activities active that year
    first: int | None
    last: int | None


def timeline(plan: Plan, outline: Outline | None = None) -> list[TimelineRow]:
    """Activities per theme and year over the plan period (one grouped query + the outline)."""
    outline = outline or plan_outline(plan)
    # Activities, and task groups that have no activities of their own (they owe the report).
    # The plan is named inside the subquery too: without it PostgreSQL hashes every activity of every
    # plan in the database (all 34 provinces') to answer for one plan's groups.
    with_activities = PlanItem.objects.filter(plan=plan, parent=OuterRef("pk"), level=PlanItem.Level.ACTIVITY)
    qs = (PlanItem.objects.filter(plan=plan).current()
          .filter(Q(level=PlanItem.Level.ACTIVITY) | Q(level=PlanItem.Level.GROUP) & ~Exists(with_activities))
          .annotate(theme_id=theme_expr(prefix="")).values("theme_id", "start_year", "end_year").order_by()
          .annotate(n=Count("id")))
    counts: dict[int, dict[int, int]] = {}
    for r in qs:
        start = r["start_year"] or plan.period_start
        end = r["end_year"] or plan.period_end
        per = counts.setdefault(r["theme_id"], {})
        for y in range(max(start, plan.period_start), min(end, plan.period_end) + 1):
            per[y] = per.get(y, 0) + r["n"]
    rows = []
    for theme in outline.themes:
        per = counts.get(theme.pk, {})
        years = sorted(y for y, n in per.items() if n)
        rows.append(TimelineRow(theme.pk, theme.code, theme.shown_title, per,
                                years[0] if years else None, years[-1] if years else None))
    return rows


def previous_cycles(cycle: ReportingCycle) -> list[dict]:
    """The same kind of cycle in this and earlier years, compared (two queries)."""
    cycles = list(ReportingCycle.objects.filter(plan_id=cycle.plan_id, kind=cycle.kind, year__lte=cycle.year)
                  .order_by("year"))
    qs = (Report.objects.filter(cycle__in=cycles, agency__isnull=False).values("cycle_id").order_by()
          .annotate(**_figures()))
    by_cycle = {r["cycle_id"]: _finish(r) for r in qs}
    rows = []
    for c in cycles:
        figures = by_cycle.get(c.pk) or _finish({k: 0 for k in _figures()} | {"mean_percent": None})
        figures.update(cycle=c, year=c.year, current=c.pk == cycle.pk,
                       on_time_rate=round(100 * figures["on_time"] / figures["due"]) if figures["due"] else 0)
        rows.append(figures)
    return rows


def plan_sections(cycle: ReportingCycle) -> list[dict]:
    """A jurisdiction-wide cycle, plan by plan: each plan's name (the legacy ones marked “(cũ)”)
    and headline figures (one query per plan); the totals across them are `headline(cycle)`."""
    on = dt.date(cycle.year, 12, 31)
    return [{"plan": p, "name": p.display_name(on), "headline": headline(cycle, plan=p)} for p in cycle.plans()]


def dashboard(cycle: ReportingCycle, *, plan: Plan | None = None) -> dict:
    """Everything the leadership dashboard shows, in a fixed number of queries: the cycle's plan,
    or, for a jurisdiction-wide cycle, every plan it collects (a section per plan, totals across)
    unless `plan` picks one."""
    plans = [plan] if plan is not None else cycle.plans() if cycle.consolidated else [cycle.plan]
    outline = plan_outline(plans)
    return {
        "headline": headline(cycle, plan=plan),
        "themes": progress_by(cycle, "theme", outline=outline, plan=plan),
        "groups": progress_by(cycle, "group", outline=outline, plan=plan),
        "agencies": agency_compliance(cycle, plan=plan),
        "behind": high_priority_behind(cycle, plan=plan),
        "timeline": [row for p in plans for row in timeline(p, plan_outline(p) if len(plans) > 1 else outline)],
        "history": previous_cycles(cycle),
        "outline": outline,
        "method": PROGRESS_METHOD,
        "sections": plan_sections(cycle) if cycle.consolidated and plan is None else [],
        "plan": plan,
    }


# --- across plans and public -------------------------------------------------------------------

def overseen_plans(user):
    """Plans whose dashboards the user may open: admins all, reviewers and leaders their
    jurisdictions' (including jurisdictions merged into them)."""
    scope = scope_for(user)
    qs = Plan.objects.select_related("jurisdiction")
    if scope.is_admin:
        return qs
    return qs.filter(jurisdiction_id__in=scope.reviewer_jurisdiction_ids | scope.leader_jurisdiction_ids)


def national_overview(user, year: int | None = None) -> list[dict]:
    """One row per plan the user oversees, for its annual cycle of `year` (default: the latest
    annual cycle not after this year): three queries plus the user's scope."""
    today = timezone.localdate()
    plans = list(overseen_plans(user).order_by("jurisdiction__name", "code"))
    annual = ReportingCycle.objects.filter(kind=ReportingCycle.Kind.ANNUAL)
    plan_ids = [p.pk for p in plans]
    if year:
        cycles = annual.filter(plan_id__in=plan_ids, year=year)
    else:  # each plan's latest annual cycle that has started, picked by the database (not 8 years × plans)
        latest = annual.filter(plan=OuterRef("plan"), year__lte=today.year).order_by("-year").values("pk")[:1]
        cycles = annual.filter(plan_id__in=plan_ids, pk=Subquery(latest))
    chosen = {c.plan_id: c for c in cycles}
    # Only the figures the overview shows: each aggregate costs the ORM as much to build as the
    # database to compute on a plan's reports.
    qs = (Report.objects.filter(cycle_id__in=[c.pk for c in chosen.values()], agency__isnull=False)
          .values("cycle_id").order_by().annotate(**_figures(by_state=False)))
    by_cycle = {r["cycle_id"]: _finish(r) for r in qs}
    rows = []
    for plan in plans:
        cycle = chosen.get(plan.pk)
        figures = by_cycle.get(cycle.pk) if cycle else None
        rows.append({"plan": plan, "cycle": cycle, **(figures or {"due": 0, "submitted": 0, "on_time": 0, "late": 0,
                                                                  "missing": 0, "mean_percent": None, "mean_text": "—"})})
    return rows


def public_summary(plan: Plan, cycle: ReportingCycle | None = None) -> dict:
    """Progress by theme from ACCEPTED reports only: no drafts, no people (three queries)."""
    if cycle is None:
        cycle = (ReportingCycle.objects.filter(plan=plan, kind=ReportingCycle.Kind.ANNUAL,
                                               reports__state=S.ACCEPTED).order_by("-year").first())
    if cycle is None:
        return {"cycle": None, "themes": [], "totals": None, "method": PUBLIC_METHOD}
    themes = progress_by(cycle, "theme", states=(S.ACCEPTED,))
    totals = Report.objects.filter(cycle=cycle, agency__isnull=False).aggregate(
        items=Count("id"), accepted=Count("id", filter=Q(state=S.ACCEPTED)),
        mean=Avg("percent_complete", filter=Q(state=S.ACCEPTED, percent_complete__isnull=False)),
        completed=Count("id", filter=Q(state=S.ACCEPTED, status=ST.COMPLETED)),
    )
    if totals["mean"] is not None:
        totals["mean"] = round(float(totals["mean"]), 1)
    totals["mean_text"] = fmt_pct(totals["mean"])
    public_rows = [{"code": t["code"], "title": t["title"], "items": t["due"], "accepted": t["submitted"],
                    "mean_percent": t["mean_percent"], "mean_text": t["mean_text"], "completed": t["status_completed"],
                    "not_accepted": t["due"] - t["submitted"]} for t in themes]
    return {"cycle": cycle, "themes": public_rows, "totals": totals, "method": PUBLIC_METHOD}
