"""Reporting cycles and what owes a report in each."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.lineage import Lineage
from tasks.models import Plan, PlanItem
from tasks.selectors import responsible_resolver

from reporting.models import Report, ReportingCycle, end_of_day
from reporting.reports.workflow import reports_hand_over

OWING_LEVELS = (PlanItem.Level.GROUP, PlanItem.Level.ACTIVITY, PlanItem.Level.SUBACTIVITY)


def midterm_year(plan: Plan) -> int:
    """Plan 396 holds its mid-term review in 2025, three years into 2023–2030."""
    if plan.midterm_year:
        return plan.midterm_year
    return max(plan.period_start, (plan.period_start + plan.period_end) // 2 - 1)


def cycle_dates(plan: Plan, kind: str, year: int) -> dict:
    due_day = dt.date(year, plan.report_deadline_month, plan.report_deadline_day)
    ministry = dt.date(year, plan.ministry_deadline_month, plan.ministry_deadline_day)
    return {"opens_on": dt.date(year, 1, 1), "closes_on": dt.date(year, 12, 31), "due_at": end_of_day(due_day),
            "ministry_due_on": ministry}


@transaction.atomic
def create_cycles(plan: Plan, *, years=None) -> list[ReportingCycle]:
    """Annual cycles for the plan's years, plus the mid-term and final reviews; idempotent."""
    wanted = [(ReportingCycle.Kind.ANNUAL, y) for y in (years or plan.years)]
    for kind, year in ((ReportingCycle.Kind.MIDTERM, midterm_year(plan)), (ReportingCycle.Kind.FINAL, plan.period_end)):
        if years is None or year in years:
            wanted.append((kind, year))
    cycles = []
    for kind, year in wanted:
        cycle, created = ReportingCycle.objects.get_or_create(plan=plan, kind=kind, year=year,
                                                              defaults=cycle_dates(plan, kind, year))
        if created:
            materialize_reports(cycle)
        cycles.append(cycle)
    return cycles


@dataclass
class Owed:
    item: PlanItem
    agency_id: int | None
    reason: str  # why unassigned, when agency_id is None


def owed_reports(cycle: ReportingCycle) -> list[Owed]:
    """Every item with its own lead agency and active in the cycle's year owes one report, from
    the agency responsible that year; items with a missing or generic lead are unassigned."""
    year = cycle.year
    items = list(
        PlanItem.objects.filter(plan_id=cycle.plan_id, level__in=OWING_LEVELS).current()
        .select_related("lead_agency", "parent")
    )
    lineage = Lineage.load()
    resolve = responsible_resolver(lineage)
    owed = []
    for item in items:
        start, end = item.effective_start_year, item.effective_end_year
        if (start is not None and start > year) or (end is not None and end < year):
            continue
        lead = item.lead_agency
        if lead is None:
            if item.level == PlanItem.Level.ACTIVITY:
                owed.append(Owed(item, None, "no_lead"))
            continue
        if lead.is_group:
            owed.append(Owed(item, None, "generic_lead"))
            continue
        agency_id, undecided = resolve(item, year)
        owed.append(Owed(item, agency_id, "split_undecided" if undecided else ""))
    return owed


UNASSIGNED_REASONS = {
    "no_lead": _("Chưa có cơ quan chủ trì"),
    "generic_lead": _("Cơ quan chủ trì là nhóm chung, cần giao một cơ quan cụ thể"),
    "split_undecided": _("Cơ quan chủ trì đã chia tách, cần chọn cơ quan kế thừa"),
}


@transaction.atomic
def materialize_reports(cycle: ReportingCycle, *, user=None) -> dict:
    """Create the owed reports (state "missing") and hand reports nobody has started yet to the
    agency now responsible (`workflow.reports_hand_over`: a new version and an ASSIGN event by
    `user`). Started reports keep their agency: history stays with its writer."""
    owed = owed_reports(cycle)
    existing = {r.item_id: r for r in Report.objects.filter(cycle=cycle).only("id", "item_id", "agency_id", "state")}
    new, handovers = [], {}
    for o in owed:
        report = existing.get(o.item.pk)
        if report is None:
            new.append(Report(cycle=cycle, item=o.item, agency_id=o.agency_id))
        elif report.state == Report.State.MISSING and report.agency_id != o.agency_id:
            handovers[report.pk] = o.agency_id
    Report.objects.bulk_create(new, batch_size=1000)
    reassigned = reports_hand_over(handovers, user=user) if handovers else 0
    return {"created": len(new), "reassigned": reassigned}


def unassigned(cycle: ReportingCycle) -> list[Owed]:
    return [o for o in owed_reports(cycle) if o.agency_id is None]



def focus_cycle(plans, today: dt.date | None = None) -> ReportingCycle | None:
    """The cycle an overseer of `plans` works on now: the open annual cycle (the latest year if
    several plans have one), else the latest cycle. The queue opens on it and the menu's status and
    province-report links point at it."""
    from django.utils import timezone

    today = today or timezone.localdate()
    cycles = ReportingCycle.objects.select_related("plan").filter(plan__in=plans).order_by("-year", "plan__number", "kind")
    open_annual = cycles.filter(kind=ReportingCycle.Kind.ANNUAL, opens_on__lte=today, closes_on__gte=today).first()
    return open_annual or cycles.first()
