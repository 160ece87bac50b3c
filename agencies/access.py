"""Which jurisdictions and agencies a user belongs to: the base of every visibility rule."""
from functools import cached_property

from .models import Jurisdiction, JurisdictionRole, Membership


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
        """Add every jurisdiction merged (transitively) into one of `ids`."""
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

    @cached_property
    def reviewer_jurisdiction_ids(self) -> set[int]:
        return self._expand({r.jurisdiction_id for r in self.roles if r.role == JurisdictionRole.Role.REVIEWER})

    @cached_property
    def leader_jurisdiction_ids(self) -> set[int]:
        return self._expand({r.jurisdiction_id for r in self.roles if r.role == JurisdictionRole.Role.LEADER})

    @cached_property
    def jurisdiction_ids(self) -> set[int]:
        """Jurisdictions whose plans the user may browse: their agencies' and their roles'."""
        own = {m.agency.jurisdiction_id for m in self.memberships} | {r.jurisdiction_id for r in self.roles}
        return self._expand(own)


def scope_for(request_or_user) -> UserScope:
    """The scope of the request's user, cached on the request."""
    request = request_or_user if hasattr(request_or_user, "user") else None
    if request is None:
        return UserScope(request_or_user)
    if not hasattr(request, "_greenplan_scope"):
        request._greenplan_scope = UserScope(request.user)
    return request._greenplan_scope
