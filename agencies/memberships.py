"""Moving people when agencies merge."""
from django.db import transaction

from .models import Agency, Membership


@transaction.atomic
def move_memberships(*, predecessor: Agency, successor: Agency) -> int:
    """Give every active member of `predecessor` the same role in `successor`, in one step.

    The old memberships are deactivated, not deleted: who worked where, and when, stays in the
    history. A person already in the successor keeps the higher of the two roles.
    """
    moved = 0
    for old in Membership.objects.select_for_update().filter(agency=predecessor, is_active=True):
        new, created = Membership.objects.get_or_create(
            user_id=old.user_id, agency=successor,
            defaults={"role": old.role, "can_submit": old.can_submit, "is_active": True},
        )
        if not created:
            new.is_active = True
            if old.role == Membership.Role.HEAD:
                new.role = Membership.Role.HEAD
            new.can_submit = new.can_submit or old.can_submit
            new.save()
        old.is_active = False
        old.save()
        moved += 1
    return moved
