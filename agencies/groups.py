"""Generic groups of agencies ("Các sở, ban, ngành…", "UBND các huyện…", "Các Hội…") and the agencies
they stand for.

A plan names groups as supporting agencies; a lead asks one agency of the group for input. Which
agencies a group holds is data (GroupMember) an admin reviews: `proposed_members` suggests them
from the group's wording and the agencies' kinds, `fill_group` writes the suggestion once.
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Q

from .models import Agency, GroupMember, Jurisdiction
from .text import fold

K = Agency.Kind
# What each phrase of a group's name covers, by kind of agency (folded text).
_PHRASES = [
    (re.compile(r"\bso\b|\bban\b|\bnganh\b"), {K.DEPARTMENT, K.OFFICE, K.POLICE, K.MILITARY, K.BANK}),
    (re.compile(r"\bubnd\b|\buy ban nhan dan\b|\bhuyen\b|\bthi xa\b"), {K.PEOPLES_COMMITTEE}),
    (re.compile(r"\bhoi\b|\bdoan the\b|\bhiep hoi\b|\bmat tran\b"), {K.ASSOCIATION}),
]


def kinds_named_by(group_name: str) -> set[str]:
    """The kinds of agency a group's wording covers: "Các sở, ban, ngành, UBND các huyện" covers
    departments (with offices, police, military, banks) and People's Committees."""
    folded = fold(group_name)
    kinds: set[str] = set()
    for pattern, covered in _PHRASES:
        if pattern.search(folded):
            kinds |= covered
    return kinds


def covered_jurisdiction_ids(jurisdiction: Jurisdiction) -> set[int]:
    """The group's jurisdiction and those it merged into: Bình Dương's "Các sở, ban, ngành" stands,
    after 1 July 2025, for Hồ Chí Minh City's departments too."""
    ids, current, seen = set(), jurisdiction, set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        ids.add(current.pk)
        current = current.merged_into
    return ids


def proposed_members(group: Agency, today: dt.date | None = None):
    """Active, named agencies of the jurisdictions the group covers whose kind its wording names."""
    today = today or dt.date.today()
    kinds = kinds_named_by(group.name)
    if not kinds:
        return Agency.objects.none()
    return (Agency.objects.filter(jurisdiction_id__in=covered_jurisdiction_ids(group.jurisdiction),
                                  is_group=False, kind__in=kinds)
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=today)).exclude(pk=group.pk))


@transaction.atomic
def fill_group(group: Agency, today: dt.date | None = None) -> int:
    """Add the proposed members the group does not have yet (rows an admin removed come back only
    if this is run again). Returns how many were added."""
    have = set(group.group_members.values_list("agency_id", flat=True))
    new = [GroupMember(group=group, agency=a) for a in proposed_members(group, today) if a.pk not in have]
    GroupMember.objects.bulk_create(new)
    return len(new)


def members_by_group(group_ids, today: dt.date | None = None) -> dict[int, list[Agency]]:
    """The agencies each group stands for today (active ones), by name; one query."""
    today = today or dt.date.today()
    found: dict[int, list[Agency]] = {}
    rows = (GroupMember.objects.filter(group_id__in=list(group_ids))
            .filter(Q(agency__active_to__isnull=True) | Q(agency__active_to__gte=today))
            .select_related("agency").order_by("agency__name"))
    for row in rows:
        found.setdefault(row.group_id, []).append(row.agency)
    return found
