"""Which jurisdictions and agencies a user belongs to: the base of every visibility rule."""
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property

from django.db import connections

from .models import Jurisdiction, JurisdictionRole, Membership


def with_merged_jurisdictions(ids: set[int], merged: dict[int, int] | None = None) -> set[int]:
    """`ids` and every jurisdiction merged (transitively) into one of them: whatever is granted for
    Hồ Chí Minh City covers Bình Dương's legacy plans. One query, none when `merged` (jurisdiction →
    the one it was merged into) is given."""
    if not ids:
        return set()
    if merged is None:
        merged = dict(Jurisdiction.objects.filter(merged_into__isnull=False).values_list("id", "merged_into_id"))
    result = set(ids)
    changed = True
    while changed:
        changed = False
        for child, parent in merged.items():
            if parent in result and child not in result:
                result.add(child)
                changed = True
    return result


# What a user is, in one statement: their active memberships (with their agency's jurisdiction),
# their jurisdiction roles, and which jurisdictions were merged into which. Every page needs some
# of it (the menu's predicates at least); asked as three ORM queries it was ~1.5 ms of every
# request, most of it building the queries, against ~0.15 ms for this one.
SCOPE_ROWS = """
SELECT 'm', m.id, m.agency_id, m.role, m.can_submit, a.jurisdiction_id
  FROM agencies_membership m JOIN agencies_agency a ON a.id = m.agency_id
 WHERE m.user_id = %s AND m.is_active
UNION ALL
SELECT 'r', r.id, r.jurisdiction_id, r.role, NULL, NULL FROM agencies_jurisdictionrole r WHERE r.user_id = %s
UNION ALL
SELECT 'j', j.id, j.merged_into_id, NULL, NULL, NULL FROM agencies_jurisdiction j WHERE j.merged_into_id IS NOT NULL
"""


class UserScope:
    """What one user is, computed once per request (one query, whatever the data)."""

    def __init__(self, user):
        self.user = user

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_superuser)

    @cached_property
    def _rows(self) -> tuple[list[Membership], dict[int, int], list[JurisdictionRole], dict[int, int]]:
        """(memberships, agency → its jurisdiction, roles, jurisdiction → the one it was merged into).
        The memberships and roles are model instances of the columns read (a membership's agency is
        loaded if asked for: agency_jurisdiction answers the usual question without it)."""
        if not self.user.is_authenticated:
            return [], {}, [], {}
        db = Membership.objects.db
        with connections[db].cursor() as cursor:
            cursor.execute(SCOPE_ROWS, [self.user.pk, self.user.pk])
            rows = cursor.fetchall()
        memberships, agency_jurisdiction, roles, merged = [], {}, [], {}
        for kind, pk, ref, role, can_submit, jurisdiction in rows:
            if kind == "m":
                memberships.append(Membership.from_db(db, ["id", "user_id", "agency_id", "role", "can_submit", "is_active"],
                                                      [pk, self.user.pk, ref, role, bool(can_submit), True]))
                agency_jurisdiction[ref] = jurisdiction
            elif kind == "r":
                roles.append(JurisdictionRole.from_db(db, ["id", "user_id", "jurisdiction_id", "role"],
                                                      [pk, self.user.pk, ref, role]))
            else:
                merged[pk] = ref
        memberships.sort(key=lambda m: m.pk)
        roles.sort(key=lambda r: r.pk)
        return memberships, agency_jurisdiction, roles, merged

    @property
    def memberships(self) -> list[Membership]:
        return self._rows[0]

    @cached_property
    def agency_ids(self) -> set[int]:
        return {m.agency_id for m in self.memberships}

    @property
    def roles(self) -> list[JurisdictionRole]:
        return self._rows[2]

    def _expand(self, ids: set[int]) -> set[int]:
        return with_merged_jurisdictions(ids, self._rows[3])

    @cached_property
    def reviewer_jurisdiction_ids(self) -> set[int]:
        return self._expand({r.jurisdiction_id for r in self.roles if r.role == JurisdictionRole.Role.REVIEWER})

    @cached_property
    def leader_jurisdiction_ids(self) -> set[int]:
        return self._expand({r.jurisdiction_id for r in self.roles if r.role == JurisdictionRole.Role.LEADER})

    @cached_property
    def overseen_jurisdiction_ids(self) -> set[int]:
        """Oversight: reviewers and leaders see every report of their jurisdictions' plans (and of
        the jurisdictions merged into them)."""
        return self.reviewer_jurisdiction_ids | self.leader_jurisdiction_ids

    @cached_property
    def inherited_agency_ids(self) -> set[int]:
        """The user's agencies and their predecessors (one lineage load per request, however many
        visibility checks a page makes): a merged department reads what its predecessors wrote."""
        from .lineage import Lineage

        ids = set(self.agency_ids)
        if ids:
            lineage = Lineage.load()
            for agency_id in list(ids):
                ids |= lineage.ancestors(agency_id)
        return ids

    @cached_property
    def jurisdiction_ids(self) -> set[int]:
        """Jurisdictions whose plans the user may browse: their agencies' and their roles'."""
        own = set(self._rows[1].values()) | {r.jurisdiction_id for r in self.roles}
        return self._expand(own)


def agencies_visible_to(qs, user):
    """Agencies a user may look up (the agency pages, the API): admins all; everyone else the
    agencies of the jurisdictions they work in or hold a role for (and of those merged into them)."""
    scope = scope_for(user)
    return qs if scope.is_admin else qs.filter(jurisdiction_id__in=scope.jurisdiction_ids)


# The scope of the request being served: a slot opened by agencies.middleware.RequestScopeMiddleware
# for the duration of one request and filled by the first scope_for(user) in it. Views pass
# request.user and workflow functions are given the same user: through the slot they all reuse one
# scope instead of querying the user's memberships again. Outside a request (jobs, tests calling
# functions directly) there is no slot and nothing is reused.
_request_scope: ContextVar[list | None] = ContextVar("greenplan_request_scope", default=None)


def scope_for(user) -> UserScope:
    """The user's scope, computed once per request."""
    slot = _request_scope.get()
    if slot is None:
        return UserScope(user)
    if slot and slot[0].user.pk == user.pk and slot[0].user.is_authenticated == user.is_authenticated:
        return slot[0]
    scope = UserScope(user)
    slot[:] = [scope]
    return scope


@contextmanager
def one_scope_per_user():
    """Reuse each user's scope for the duration of a block, as a request does (a job or a batch
    that asks about one user many times). Inside a request, the request's slot is kept."""
    if _request_scope.get() is not None:
        yield
        return
    token = begin_request_scope()
    try:
        yield
    finally:
        end_request_scope(token)


def end_request_scope(token) -> None:
    _request_scope.reset(token)


def begin_request_scope():
    return _request_scope.set([])
