"""Apply a reviewed restructuring (mergers, renames, splits) from a data file.

The file is data an admin can read and review (fixtures/lineage/*.json); applying it twice
changes nothing the second time. Successors may belong to another jurisdiction
(`successor_jurisdiction`: Bình Dương's departments → Hồ Chí Minh City's from 1 July 2025), and
with `move_members` the people of an agency taken over whole move to its successor with it.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .memberships import move_memberships
from .models import Agency, Jurisdiction, Succession
from .names import agency_key


class RestructuringError(ValueError):
    pass


@dataclass
class RestructuringReport:
    created_agencies: list[str] = field(default_factory=list)
    successions: list[str] = field(default_factory=list)
    unchanged: int = 0
    moved_members: int = 0
    notes: list[str] = field(default_factory=list)


def find_agency(jurisdiction: Jurisdiction, name: str) -> Agency | None:
    """By canonical name or any alias, ignoring spelling variants."""
    key = agency_key(name)
    for agency in Agency.objects.filter(jurisdiction=jurisdiction).prefetch_related("aliases"):
        if agency_key(agency.name) == key or any(agency_key(a.name) == key for a in agency.aliases.all()):
            return agency
    return None


@transaction.atomic
def apply_restructuring(path: Path) -> RestructuringReport:
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RestructuringError(f"{path}: không đọc được ({exc}).")
    report = RestructuringReport()
    try:
        jurisdiction = Jurisdiction.objects.get(name=spec["jurisdiction"])
    except Jurisdiction.DoesNotExist:
        raise RestructuringError(f"{path}: chưa có tỉnh/thành phố “{spec['jurisdiction']}”; hãy nhập kế hoạch trước.")
    target_spec = spec.get("successor_jurisdiction")
    successor_home = jurisdiction
    if target_spec:
        successor_home, _ = Jurisdiction.objects.get_or_create(
            name=target_spec["name"], defaults={"kind": target_spec.get("kind", Jurisdiction.Kind.CITY)})
    for n, change in enumerate(spec.get("changes", []), start=1):
        when = dt.date.fromisoformat(change["effective_on"])
        successors = change.get("successors") or [change["successor"]]
        if not successors or not change.get("predecessors"):
            raise RestructuringError(f"{path}: thay đổi {n} thiếu cơ quan cũ hoặc cơ quan kế thừa.")
        succ_agencies = []
        for entry in successors:
            name, kind = (entry, Agency.Kind.DEPARTMENT) if isinstance(entry, str) else (entry["name"], entry["kind"])
            agency = find_agency(successor_home, name)
            if agency is None:
                agency = Agency.objects.create(jurisdiction=successor_home, name=name, kind=kind, active_from=when,
                                               is_group=kind == Agency.Kind.GROUP)
                report.created_agencies.append(f"{name} ({successor_home})")
            succ_agencies.append(agency)
        for pred_name in change["predecessors"]:
            pred = find_agency(jurisdiction, pred_name)
            if pred is None:
                report.notes.append(f"thay đổi {n}: chưa có “{pred_name}” trong dữ liệu, bỏ qua.")
                continue
            for succ in succ_agencies:
                _, created = Succession.objects.get_or_create(
                    predecessor=pred, successor=succ,
                    defaults={"effective_on": when, "kind": change.get("kind", "merge"),
                              "legal_basis": change.get("legal_basis", ""), "note": change.get("note", "")},
                )
                if created:
                    report.successions.append(f"{pred.name} → {succ.name} ({when:%d/%m/%Y})")
                else:
                    report.unchanged += 1
            if pred.active_to is None:
                pred.active_to = when - dt.timedelta(days=1)
                pred.save(update_fields=["active_to", "search_text"])
            # People go with an agency taken over whole; a split leaves them for the admin to place.
            if spec.get("move_members") and len(succ_agencies) == 1:
                report.moved_members += move_memberships(predecessor=pred, successor=succ_agencies[0])
    merger = spec.get("jurisdiction_merger")
    if merger:
        target, _ = Jurisdiction.objects.get_or_create(
            name=merger["merged_into"], defaults={"kind": merger.get("merged_into_kind", "city")}
        )
        when = dt.date.fromisoformat(merger["effective_on"])
        if jurisdiction.merged_into_id != target.pk:
            jurisdiction.merged_into = target
            jurisdiction.merged_on = when
            jurisdiction.save()
            report.notes.append(f"{jurisdiction} sáp nhập vào {target} từ {when:%d/%m/%Y}.")
    return report
