"""Who may see and do what with reports: decided here, and nowhere else.

Views, exports, dashboards and jobs all ask these functions; another agency's report answers 404
because it is never in the queryset a view starts from.
"""
from django.db.models import Q

from agencies.access import scope_for


def reports_visible_to(qs, user):
    scope = scope_for(user)
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    oversight = scope.reviewer_jurisdiction_ids | scope.leader_jurisdiction_ids
    if oversight:
        q |= Q(cycle__plan__jurisdiction_id__in=oversight)
    # A merged department reads (not edits) what its predecessors wrote, e.g. last year's report.
    agencies = scope.inherited_agency_ids
    if agencies:
        q |= Q(agency_id__in=agencies)
    return qs.filter(q)


def is_member(user, agency_id) -> bool:
    return agency_id is not None and agency_id in scope_for(user).agency_ids


def membership(user, agency_id):
    return next((m for m in scope_for(user).memberships if m.agency_id == agency_id), None)


def can_edit(user, report) -> bool:
    """Officers and heads of the reporting agency, while the report is not submitted or accepted."""
    return is_member(user, report.agency_id) and not report.is_locked


def can_submit(user, report) -> bool:
    m = membership(user, report.agency_id)
    return bool(m and m.may_submit)


def can_review(user, report) -> bool:
    scope = scope_for(user)
    return scope.is_admin or report.cycle.plan.jurisdiction_id in scope.reviewer_jurisdiction_ids


def is_reviewer_of(user, plan) -> bool:
    scope = scope_for(user)
    return scope.is_admin or plan.jurisdiction_id in scope.reviewer_jurisdiction_ids


def is_overseer_of(user, plan) -> bool:
    """Reviewers and leaders of the plan's jurisdiction (and admins) see every report of it."""
    scope = scope_for(user)
    return scope.is_admin or plan.jurisdiction_id in (scope.reviewer_jurisdiction_ids | scope.leader_jurisdiction_ids)


def contributions_visible_to(qs, user):
    """A supporting agency sees the requests addressed to it; the lead sees the ones it sent."""
    scope = scope_for(user)
    if scope.is_admin:
        return qs
    q = Q(agency_id__in=scope.agency_ids) | Q(report__agency_id__in=scope.agency_ids)
    oversight = scope.reviewer_jurisdiction_ids | scope.leader_jurisdiction_ids
    if oversight:
        q |= Q(report__cycle__plan__jurisdiction_id__in=oversight)
    return qs.filter(q)


def overseen_cycle_or_404(user, cycle_id):
    """The cycle, if the user oversees its plan; otherwise 404, as for a cycle that does not exist."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    from reporting.models import ReportingCycle

    cycle = get_object_or_404(ReportingCycle.objects.select_related("plan__jurisdiction"), pk=cycle_id)
    if not is_overseer_of(user, cycle.plan):
        raise Http404
    return cycle
