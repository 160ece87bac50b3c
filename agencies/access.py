"""Which jurisdictions and agencies a user belongs to: the base of every visibility rule."""
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property

from .models import Jurisdiction, JurisdictionRole, Membership


def with_merged_jurisdictions(ids: set[int]) -> set[int]:
    """`ids` and every jurisdiction merged (transitively) into one of them: whatever is granted for
    Hồ Chí Minh City covers Bình Dương's legacy plans. One query."""
    if not ids:
        return set()
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


class UserScope:
    """What one user is, computed once per request (a handful of queries, whatever the data)."""

    def __init__(self, user):
        self.user = user

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_superuser)

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=self.user, is_active=True).select_related("agency"))

    @cached_property
    def agency_ids(self) -> set[int]:
        return {m.agency_id for m in self.memberships}

    @cached_property
    def roles(self) -> list[JurisdictionRole]:
        if not self.user.is_authenticated:
            return []
        return list(JurisdictionRole.objects.filter(user=self.user))

    def _expand(self, ids: set[int]) -> set[int]:
        return with_merged_jurisdictions(ids)

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
        own = {m.agency.jurisdiction_id for m in self.memberships} | {r.jurisdiction_id for r in self.roles}
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
