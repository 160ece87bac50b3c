"""Moving people when agencies merge, and who of an agency may submit its reports."""
from django.db import models, transaction
from django.utils.translation import gettext as _

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


class SubmitRightError(Exception):
    """A change of "may submit" that cannot be made (the message says why, in Vietnamese)."""


def who_may_submit(agency_id: int) -> list[Membership]:
    """The agency's active heads, then the officers a head allowed to submit: whom an officer
    without the right can turn to."""
    rows = (Membership.objects.filter(agency_id=agency_id, is_active=True, user__is_active=True)
            .filter(models.Q(role=Membership.Role.HEAD) | models.Q(can_submit=True))
            .select_related("user").order_by("-role", "user__last_name", "user__first_name", "user__username"))
    return sorted(rows, key=lambda m: m.role != Membership.Role.HEAD)


def officers_of(agency_id: int) -> list[Membership]:
    """The agency's active officers (not heads): those whose right to submit a head decides."""
    return list(Membership.objects.filter(agency_id=agency_id, is_active=True, role=Membership.Role.OFFICER)
                .select_related("user").order_by("user__last_name", "user__first_name", "user__username"))


@transaction.atomic
def set_may_submit(membership: Membership, *, allowed: bool, by) -> Membership:
    """Grant or withdraw an officer's right to submit the agency's reports. Who may do this is the
    caller's to check (reporting.reports.access.may_grant_submit); this writes the change and its
    audit: the membership's history row names `by` and says what was done."""
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    if m.role == Membership.Role.HEAD:
        raise SubmitRightError(_("Lãnh đạo cơ quan luôn được gửi báo cáo; không cần cấp quyền."))
    if not m.is_active:
        raise SubmitRightError(_("Người này không còn là thành viên của cơ quan."))
    if m.can_submit == allowed:
        return m
    m.can_submit = allowed
    m._history_user = by
    # Stored text, like every audit note: in Vietnamese whatever the actor's language.
    m._change_reason = "Cấp quyền gửi báo cáo" if allowed else "Thu hồi quyền gửi báo cáo"
    m.save()
    return m


def submit_right_history(agency_id: int, limit: int = 20):
    """The latest grants and withdrawals of "may submit" in the agency, newest first."""
    return (Membership.history.filter(agency_id=agency_id, history_change_reason__in=[
        "Cấp quyền gửi báo cáo", "Thu hồi quyền gửi báo cáo"])
        .select_related("history_user", "user").order_by("-history_date")[:limit])
