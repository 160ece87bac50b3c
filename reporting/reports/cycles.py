"""Reporting cycles and what owes a report in each."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.lineage import Lineage
from agencies.models import Agency
from tasks.models import Plan, PlanItem
from tasks.selectors import responsible_resolver
from tasks.supersession import ItemLineage

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


class CycleError(ValueError):
    pass


def jurisdiction_cycle_for(plan: Plan, kind: str, year: int) -> ReportingCycle | None:
    """The jurisdiction-wide cycle of `kind` and `year` that already collects this plan's reports."""
    for cycle in (ReportingCycle.objects.filter(kind=kind, year=year, jurisdiction__isnull=False)
                  .exclude(plan=plan).select_related("jurisdiction", "plan")):
        if plan.pk in cycle.plan_ids():
            return cycle
    return None


def annual_cycle_of(plan: Plan, year: int) -> ReportingCycle | None:
    """The annual cycle that collects `plan`'s reports for `year`: its own, or the jurisdiction-wide
    one of the jurisdiction that carries it (a legacy plan after a merger)."""
    own = ReportingCycle.objects.filter(plan=plan, kind=ReportingCycle.Kind.ANNUAL, year=year).first()
    return own or jurisdiction_cycle_for(plan, ReportingCycle.Kind.ANNUAL, year)


@transaction.atomic
def create_cycles(plan: Plan, *, years=None) -> list[ReportingCycle]:
    """Annual cycles for the plan's years, plus the mid-term and final reviews; idempotent. A year
    whose jurisdiction-wide cycle already collects this plan's reports gets no second cycle."""
    wanted = [(ReportingCycle.Kind.ANNUAL, y) for y in (years or plan.years)]
    for kind, year in ((ReportingCycle.Kind.MIDTERM, midterm_year(plan)), (ReportingCycle.Kind.FINAL, plan.period_end)):
        if years is None or year in years:
            wanted.append((kind, year))
    cycles = []
    for kind, year in wanted:
        shared = jurisdiction_cycle_for(plan, kind, year)
        if shared is not None:
            cycles.append(shared)
            continue
        cycle, created = ReportingCycle.objects.get_or_create(plan=plan, kind=kind, year=year,
                                                              defaults=cycle_dates(plan, kind, year))
        if created:
            materialize_reports(cycle)
        cycles.append(cycle)
    return cycles


@transaction.atomic
def create_jurisdiction_cycle(jurisdiction, year: int, *, kind: str = ReportingCycle.Kind.ANNUAL) -> ReportingCycle:
    """One cycle of `year` that collects reports for every plan `jurisdiction` carries (the merged
    city's own plan beside the legacy plans of the provinces merged into it). Deadlines come from
    the jurisdiction's own plan (the newest if several). Refused while another of those plans has
    its own cycle of that year: every report would be owed twice."""
    from tasks.selectors import carried_plans

    plans = carried_plans(jurisdiction, year)
    if not plans:
        raise CycleError(f"{jurisdiction} không có kế hoạch nào đang thực hiện trong năm {year}.")
    own = [p for p in plans if p.jurisdiction_id == jurisdiction.pk] or plans
    anchor = max(own, key=lambda p: (p.period_start, p.pk))
    others = (ReportingCycle.objects.filter(plan__in=[p for p in plans if p.pk != anchor.pk], kind=kind, year=year)
              .select_related("plan"))
    if others.exists():
        names = ", ".join(c.plan.number for c in others)
        raise CycleError(f"Kế hoạch {names} đã có kỳ báo cáo riêng năm {year}; không tạo kỳ báo cáo chung "
                         "để tránh một nhiệm vụ phải báo cáo hai lần.")
    cycle, created = ReportingCycle.objects.get_or_create(
        plan=anchor, kind=kind, year=year, defaults={**cycle_dates(anchor, kind, year), "jurisdiction": jurisdiction})
    if not created and cycle.jurisdiction_id != jurisdiction.pk:
        cycle.jurisdiction = jurisdiction
        cycle.save(update_fields=["jurisdiction"])
    materialize_reports(cycle)
    return cycle


@dataclass
class Owed:
    item: PlanItem
    agency_id: int | None
    reason: str  # why unassigned, when agency_id is None


def owed_reports(cycle: ReportingCycle) -> list[Owed]:
    """Every item with its own lead agency and active in the cycle's year owes one report, from
    the agency responsible that year; items with a missing or generic lead are unassigned. An item
    of a superseded plan owes nothing from the year its mapping takes effect: its work is owed by
    the new plan's item, or has ended."""
    year = cycle.year
    items = list(
        PlanItem.objects.filter(plan_id__in=cycle.plan_ids(), level__in=OWING_LEVELS).current()
        .select_related("lead_agency", "parent")
    )
    lineage = Lineage.load()
    resolve = responsible_resolver(lineage)
    moved = ItemLineage.load()
    group_ids = set(Agency.objects.filter(is_group=True, pk__in=list(lineage.predecessors_of)).values_list("pk", flat=True))
    earlier_ids = {i.pk: sorted(moved.earlier(i.pk)) for i in items if i.lead_agency_id is None}
    leads = dict(PlanItem.objects.filter(pk__in={e for ids in earlier_ids.values() for e in ids},
                                         lead_agency__is_group=False).values_list("pk", "lead_agency_id"))
    inherited_leads = {pk: next((leads[e] for e in ids if e in leads), None) for pk, ids in earlier_ids.items()}
    owed = []
    for item in items:
        if moved.superseded_in(item.pk, year):
            continue
        start, end = item.effective_start_year, item.effective_end_year
        if (start is not None and start > year) or (end is not None and end < year):
            continue
        lead = item.lead_agency
        if lead is None and moved.earlier(item.pk):
            # A new plan's item that names no lead of its own carries on an old plan's activity:
            # the old lead, through its successors, answers for it.
            carried = inherited_leads.get(item.pk)
            if carried is not None:
                agency_id = lineage.responsible(carried, year).agency_id
                owed.append(Owed(item, agency_id, "" if agency_id else "split_undecided"))
                continue
        if lead is None:
            if item.level == PlanItem.Level.ACTIVITY:
                owed.append(Owed(item, None, "no_lead"))
            continue
        if lead.is_group:
            # A group that ended (the district level, 1 July 2025) may have its work handed, item by
            # item, to one named successor by the admin's split decision; otherwise it stays unassigned.
            agency_id, _undecided = resolve(item, year) if lineage.successors.get(lead.pk) else (None, True)
            if agency_id and agency_id != lead.pk and agency_id not in group_ids:
                owed.append(Owed(item, agency_id, ""))
            else:
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
    `user`). Started reports keep their agency: history stays with its writer. A report nobody
    started on an item whose plan was superseded that year is no longer owed and goes."""
    owed = owed_reports(cycle)
    existing = {r.item_id: r for r in Report.objects.filter(cycle=cycle).only("id", "item_id", "agency_id", "state")}
    moved = ItemLineage.load()
    no_longer_owed = [r.pk for item_id, r in existing.items()
                      if r.state == Report.State.MISSING and moved.superseded_in(item_id, cycle.year)]
    if no_longer_owed:
        Report.objects.filter(pk__in=no_longer_owed, contributions__isnull=True, attachments__isnull=True).delete()
    new, handovers = [], {}
    for o in owed:
        report = existing.get(o.item.pk)
        if report is None:
            new.append(Report(cycle=cycle, item=o.item, agency_id=o.agency_id))
        elif report.state == Report.State.MISSING and report.agency_id != o.agency_id:
            handovers[report.pk] = o.agency_id
    Report.objects.bulk_create(new, batch_size=1000)
    reassigned = reports_hand_over(handovers, user=user) if handovers else 0
    return {"created": len(new), "reassigned": reassigned, "withdrawn": len(no_longer_owed)}


@transaction.atomic
def supersede_plan_and_follow(*, old_plan: Plan, new_plan: Plan, effective_on: dt.date, mapping: dict,
                              legal_basis: str = "", note: str = "", user=None):
    """Record the supersession (tasks.supersession) and bring the cycles of the years it covers up
    to date at once: reports nobody started on old items go, the new items' reports are created."""
    from tasks.supersession import supersede_plan

    supersession = supersede_plan(old_plan=old_plan, new_plan=new_plan, effective_on=effective_on, mapping=mapping,
                                  legal_basis=legal_basis, note=note)
    cycles = ReportingCycle.objects.filter(year__gte=effective_on.year).filter(
        plan__in=[old_plan, new_plan]) | ReportingCycle.objects.filter(year__gte=effective_on.year,
                                                                        jurisdiction__isnull=False)
    for cycle in cycles.distinct():
        plan_ids = cycle.plan_ids()
        if old_plan.pk in plan_ids or new_plan.pk in plan_ids:
            materialize_reports(cycle, user=user)
    return supersession


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
