"""Reads of the plan's structure for pages: a fixed number of queries whatever the plan's size."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from agencies.lineage import Lineage
from agencies.models import Agency

from .models import Plan, PlanItem, SplitDecision


@dataclass
class Node:
    item: PlanItem
    children: list["Node"] = field(default_factory=list)
    matched: bool = True
    responsible: Agency | None = None
    responsible_undecided: bool = False

    @property
    def handed_over(self) -> bool:
        """True when the agency answering now is not the one the plan named."""
        return bool(self.responsible and self.item.lead_agency_id and self.responsible.pk != self.item.lead_agency_id)


@dataclass
class PlanTree:
    plan: Plan
    roots: list[Node]
    matched_count: int
    total_count: int
    year: int


def carried_plans(jurisdiction, year: int) -> list[Plan]:
    """Plans `jurisdiction` carries in `year`: those issued for it or for a province merged into
    it by the end of that year, whose period covers the year (two queries plus the lineage)."""
    import datetime as dt

    year_end = dt.date(year, 12, 31)
    candidates = (Plan.objects.filter(jurisdiction_id__in=jurisdiction.covered_ids(),
                                      period_start__lte=year, period_end__gte=year)
                  .select_related("jurisdiction", "jurisdiction__merged_into"))
    return [p for p in candidates if p.carried_by(year_end).pk == jurisdiction.pk]


def agencies_through_lineage(agency_id: int, lineage: Lineage | None = None) -> set[int]:
    """An agency and every agency whose work passed to it: filtering by Sở Tài chính finds
    what Sở Kế hoạch và Đầu tư led before the 2025 merger."""
    lineage = lineage or Lineage.load()
    return {agency_id} | lineage.ancestors(agency_id)


def filter_items(qs, *, theme: str = "", agency: int | None = None, role: str = "any", priority: str = "",
                 year: int | None = None, q: str = "", lineage: Lineage | None = None):
    if theme:
        qs = qs.filter(Q(code=theme) | Q(code__startswith=f"{theme}."))
    if agency:
        ids = agencies_through_lineage(agency, lineage)
        lead = Q(lead_agency_id__in=ids)
        support = Q(supporting_agencies__in=ids)
        qs = qs.filter(lead if role == "lead" else support if role == "support" else lead | support)
    if priority == "high":
        qs = qs.filter(high_priority=True)
    elif priority == "normal":
        qs = qs.filter(high_priority=False)
    if year:
        qs = qs.active_in(year)
    if q:
        qs = qs.search(q)
    return qs


def responsible_resolver(lineage: Lineage, items_ids=None):
    """A function item → (agency_id or None, undecided) for a year, using split decisions."""
    decisions = {}
    qs = SplitDecision.objects.all()
    if items_ids is not None:
        qs = qs.filter(item_id__in=items_ids)
    for item_id, pred, succ in qs.values_list("item_id", "predecessor_id", "successor_id"):
        decisions[(item_id, pred)] = succ

    def resolve(item: PlanItem, year: int):
        if not item.lead_agency_id:
            return None, False
        res = lineage.responsible(
            item.lead_agency_id, year,
            choose=lambda pred, candidates: decisions.get((item.pk, pred)) if decisions.get((item.pk, pred)) in candidates else None,
        )
        return res.agency_id, res.ambiguous

    return resolve


def plan_tree(plan: Plan, *, responsible_year: int, **filters) -> PlanTree:
    """The whole plan as a tree; items matching the filters are marked, and their ancestors are
    kept (unmarked) so that every match is shown in its theme and group."""
    lineage = Lineage.load()
    base = PlanItem.objects.filter(plan=plan).current()
    active_filters = {k: v for k, v in filters.items() if v and not (k == "role" and v == "any")}
    matched_ids = None
    if active_filters:
        matched_ids = set(filter_items(base, lineage=lineage, **active_filters).values_list("pk", flat=True))
    items = list(
        base.select_related("lead_agency").prefetch_related(
            Prefetch("supporting_agencies", queryset=Agency.objects.only("id", "name", "is_group"))
        )
    )
    for it in items:
        it.plan = plan  # the template links through item.plan; no query per item
    by_id = {it.pk: it for it in items}
    resolve = responsible_resolver(lineage)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=_lineage_agency_ids(items, lineage))}
    nodes: dict[int, Node] = {}
    for it in items:
        agency_id, undecided = resolve(it, responsible_year)
        nodes[it.pk] = Node(
            item=it, matched=matched_ids is None or it.pk in matched_ids,
            responsible=agencies.get(agency_id), responsible_undecided=undecided,
        )
    keep = set(by_id) if matched_ids is None else _with_ancestors(matched_ids, by_id)
    roots = []
    for it in items:  # already in code order
        if it.pk not in keep:
            continue
        node = nodes[it.pk]
        if it.parent_id and it.parent_id in nodes:
            nodes[it.parent_id].children.append(node)
        else:
            roots.append(node)
    matched = len(items) if matched_ids is None else len(matched_ids & set(by_id))
    return PlanTree(plan=plan, roots=roots, matched_count=matched, total_count=len(items), year=responsible_year)


def _with_ancestors(ids: set[int], by_id: dict[int, PlanItem]) -> set[int]:
    keep = set()
    for pk in ids:
        while pk and pk in by_id and pk not in keep:
            keep.add(pk)
            pk = by_id[pk].parent_id
    return keep


def _lineage_agency_ids(items, lineage: Lineage) -> set[int]:
    ids = set()
    for it in items:
        if it.lead_agency_id:
            ids.add(it.lead_agency_id)
            ids |= lineage.descendants(it.lead_agency_id)
    return ids


def agency_involvement(agency: Agency, plans) -> dict:
    """What an agency leads and supports: directly, and inherited through its predecessors."""
    lineage = Lineage.load()
    predecessors = lineage.ancestors(agency.pk)
    successors = lineage.descendants(agency.pk)
    base = PlanItem.objects.filter(plan__in=plans).current().select_related("plan", "lead_agency")
    led = list(base.filter(lead_agency=agency))
    inherited = list(base.filter(lead_agency_id__in=predecessors)) if predecessors else []
    supported = list(base.filter(supporting_agencies=agency))
    names = {a.pk: a for a in Agency.objects.filter(pk__in=predecessors | successors)}
    return {
        "led": led,
        "inherited": inherited,
        "supported": supported,
        "predecessors": sorted((names[i] for i in predecessors), key=lambda a: a.name),
        "successors": sorted((names[i] for i in successors), key=lambda a: a.name),
    }


def undecided_splits(plan: Plan) -> list[dict]:
    """Items whose lead agency was split and whose successor nobody has chosen yet, with the
    candidate successors: the list an admin works through after a split. Three queries."""
    lineage = Lineage.load()
    items = list(PlanItem.objects.filter(plan=plan, lead_agency__isnull=False).current().select_related("lead_agency"))
    decisions = {(i, p): s for i, p, s in SplitDecision.objects.filter(item__plan=plan)
                 .values_list("item_id", "predecessor_id", "successor_id")}
    rows, agency_ids = [], set()
    for item in items:
        # Walk the chain from the plan's lead to the first split not yet decided for this item.
        current, seen = item.lead_agency_id, set()
        while current and current not in seen:
            seen.add(current)
            nxt = [succ for succ, _when in lineage.successors.get(current, ())]
            if len(nxt) > 1:
                if (item.pk, current) not in decisions:
                    rows.append({"item": item, "predecessor_id": current, "candidates": sorted(nxt)})
                    agency_ids |= {current, *nxt}
                    break
                current = decisions[(item.pk, current)]
            else:
                current = nxt[0] if nxt else None
    names = {a.pk: a for a in Agency.objects.filter(pk__in=agency_ids)}
    for row in rows:
        row["predecessor"] = names[row["predecessor_id"]]
        row["candidates"] = sorted((names[c] for c in row["candidates"]), key=lambda a: a.name)
    return rows
