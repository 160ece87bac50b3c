"""A plan replaced by another from a date, and where each of its activities went.

The jurisdiction that carries a plan may issue a new one that takes over (part of) an old plan's
activities. The admin states, per old activity, the new plan's item that carries it on or that
it has ended; reports follow that mapping from the year it takes effect, as they follow an
agency's successor (agencies.lineage): the new item owes the report, an ended one owes nothing,
and the old item's reports stay in the new item's history.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections, transaction

from agencies.lineage import as_date

from .models import ActivityMapping, Plan, PlanItem, PlanSupersession

ENDED = "ended"


class SupersessionError(ValueError):
    pass


@transaction.atomic
def supersede_plan(*, old_plan: Plan, new_plan: Plan, effective_on: dt.date, mapping: dict[str, str | None],
                   legal_basis: str = "", note: str = "") -> PlanSupersession:
    """Record that `new_plan` replaces `old_plan` from `effective_on`; `mapping` is old code →
    new plan's code, or None / "ended". Running it again with the same data changes nothing;
    with other data it replaces the mapping. Any unknown code refuses the whole change."""
    if old_plan.pk == new_plan.pk:
        raise SupersessionError("Kế hoạch không thể thay thế chính nó.")
    old_items = {i.code: i for i in PlanItem.objects.filter(plan=old_plan)}
    new_items = {i.code: i for i in PlanItem.objects.filter(plan=new_plan)}
    errors, rows = [], []
    for old_code, new_code in mapping.items():
        old = old_items.get(old_code)
        if old is None:
            errors.append(f"mã “{old_code}” không có trong kế hoạch {old_plan.number}")
            continue
        if new_code in (None, "", ENDED):
            rows.append((old, None))
            continue
        new = new_items.get(new_code)
        if new is None:
            errors.append(f"mã “{new_code}” (cho {old_code}) không có trong kế hoạch {new_plan.number}")
            continue
        rows.append((old, new))
    if errors:
        raise SupersessionError("Không ghi được việc thay thế kế hoạch: " + "; ".join(errors) + ".")
    supersession, _ = PlanSupersession.objects.update_or_create(
        old_plan=old_plan, defaults={"new_plan": new_plan, "effective_on": effective_on,
                                     "legal_basis": legal_basis, "note": note},
    )
    supersession.mappings.exclude(old_item__in=[old for old, _new in rows]).delete()
    for old, new in rows:
        ActivityMapping.objects.update_or_create(old_item=old, defaults={"supersession": supersession, "new_item": new})
    return supersession


@dataclass
class ItemLineage:
    """Every activity mapping, loaded in one query and followed in memory."""

    to: dict[int, tuple[int | None, dt.date]] = field(default_factory=dict)
    came_from: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "ItemLineage":
        lineage = cls()
        # One plain statement: the report page loads it on every view (last year's report may be on
        # an item of a superseded plan), and as an ORM query building it cost ~8x running it.
        mapping, supersession = ActivityMapping._meta.db_table, PlanSupersession._meta.db_table
        with connections[ActivityMapping.objects.db].cursor() as cursor:
            cursor.execute(f"SELECT m.old_item_id, m.new_item_id, s.effective_on FROM {mapping} m "
                           f"JOIN {supersession} s ON s.id = m.supersession_id ORDER BY m.id")
            rows = cursor.fetchall()
        for old, new, when in rows:
            lineage.to[old] = (new, as_date(when))
            if new is not None:
                lineage.came_from.setdefault(new, []).append(old)
        return lineage

    def superseded_in(self, item_id: int, year: int) -> bool:
        """True when, in `year`, the item's report is owed elsewhere or not at all."""
        target = self.to.get(item_id)
        return target is not None and target[1].year <= year

    def follow(self, item_id: int, year: int) -> int | None:
        """The item that owes `item_id`'s report in `year` (itself if not superseded by then), or
        None when the activity has ended."""
        seen = set()
        current = item_id
        while current is not None and current not in seen and self.superseded_in(current, year):
            seen.add(current)
            current = self.to[current][0]
        return current

    def earlier(self, item_id: int) -> set[int]:
        """Items of superseded plans whose work this item carries on, transitively."""
        found, frontier = set(), [item_id]
        while frontier:
            for old in self.came_from.get(frontier.pop(), ()):
                if old not in found and old != item_id:
                    found.add(old)
                    frontier.append(old)
        return found
