"""Decisions on split agencies: which successor takes an item when an agency was divided.

The reads (which splits are undecided, who is responsible) are in tasks/selectors.py; this module
holds the write.
"""
from django.utils.translation import gettext

from agencies.lineage import Lineage

from .models import PlanItem, SplitDecision


def decide_split(*, item: PlanItem, predecessor_id: int, successor_id: int, user) -> SplitDecision:
    """Record the admin's choice of successor for one item of a split agency."""
    lineage = Lineage.load()
    candidates = {succ for succ, _when in lineage.successors.get(predecessor_id, ())}
    if successor_id not in candidates:
        raise ValueError(gettext("Cơ quan được chọn không phải là cơ quan kế thừa của cơ quan đã chia tách."))
    decision, _ = SplitDecision.objects.update_or_create(
        item=item, predecessor_id=predecessor_id, defaults={"successor_id": successor_id, "decided_by": user})
    return decision
