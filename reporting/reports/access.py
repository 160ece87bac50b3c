"""Who may see and do what with reports: decided here, and nowhere else.

Views, exports, dashboards and jobs all ask these functions, always with a user (views pass
`request.user`; the request's scope is reused through agencies.middleware). What a report may do
next, given its state, is the workflow's to say (reporting.reports.workflow.allowed_moves), which
asks this module who the user is.

The refusal rule, the same for every page and move:
- **404** for an object the user may not see: another agency's report, a cycle of a plan the user
  does not oversee, a page that exists only for overseers. A hidden object and a missing one look
  the same, so nothing leaks through the status code.
- **403** for a move on an object the user may see but whose role never allows that move there: an
  officer accepting their own report, a leader generating the province report.
- A move the role allows but the report's state or the cycle refuses now (already accepted, cycle
  closed, missing fields) goes back to the page with the workflow's reason.
"""
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.access import scope_for


def _report_readers(user) -> tuple[bool, set, set]:
    """The rule of who reads which reports, once for both of its forms below: every report (an
    admin), or the reports of the plans of the jurisdictions the user oversees and those of the
    user's agencies and their predecessors (a merged department reads, not edits, what its
    predecessors wrote, e.g. last year's report)."""
    scope = scope_for(user)
    if scope.is_admin:
        return True, set(), set()
    return False, scope.overseen_jurisdiction_ids, scope.inherited_agency_ids


def reports_visible_to(qs, user):
    every, jurisdictions, agencies = _report_readers(user)
    if every:
        return qs
    q = Q(pk__in=[])
    if jurisdictions:
        q |= Q(cycle__plan__jurisdiction_id__in=jurisdictions)
    if agencies:
        q |= Q(agency_id__in=agencies)
    return qs.filter(q)


def report_visible_to(user, *, agency_id, plan_jurisdiction_id) -> bool:
    """reports_visible_to for one report already read (its agency and its plan's jurisdiction),
    where a query only to ask would cost more than the read (the report page's last-year report)."""
    every, jurisdictions, agencies = _report_readers(user)
    return every or plan_jurisdiction_id in jurisdictions or agency_id in agencies


def _contribution_readers(user) -> tuple[bool, set, set]:
    """The rule of who reads which input requests, once for both of its forms below: every one (an
    admin), or those addressed to or sent by the user's agencies, and those on the reports of the
    plans the user oversees."""
    scope = scope_for(user)
    if scope.is_admin:
        return True, set(), set()
    return False, scope.agency_ids, scope.overseen_jurisdiction_ids


def contributions_visible_to(qs, user):
    """A supporting agency sees the requests addressed to it; the lead sees the ones it sent."""
    every, agencies, jurisdictions = _contribution_readers(user)
    if every:
        return qs
    q = Q(agency_id__in=agencies) | Q(report__agency_id__in=agencies)
    if jurisdictions:
        q |= Q(report__cycle__plan__jurisdiction_id__in=jurisdictions)
    return qs.filter(q)


def contribution_visible_to(user, *, agency_id, report_agency_id, plan_jurisdiction_id) -> bool:
    """contributions_visible_to for one request already read (the officer's home reads its list
    with a plain statement)."""
    every, agencies, jurisdictions = _contribution_readers(user)
    return every or agency_id in agencies or report_agency_id in agencies or plan_jurisdiction_id in jurisdictions


# --- what the public sees: published plans' accepted figures -------------------------------------
# The public pages (reporting/dashboards/views.public_plan, the signed PDF they link) and the API's
# answers to a client without a token select through these, and nothing else.

def public_plans(qs):
    """Plans whose public page an admin enabled."""
    return qs.filter(public_enabled=True)


def public_reports(qs):
    """Accepted reports of a published plan's cycles (what the public page's figures are made of)."""
    return qs.filter(cycle__plan__public_enabled=True, state="accepted", agency__isnull=False)


def public_indicator_values(qs):
    return qs.filter(plan_indicator__plan__public_enabled=True, state="accepted")


def public_official_reports(qs):
    return qs.filter(cycle__plan__public_enabled=True)


def official_reports_visible_to(qs, user):
    """Signed official reports: the reviewers of the plan's jurisdiction (and admins), as the
    official report page and its download (leaders and agencies see the public link only)."""
    scope = scope_for(user)
    if scope.is_admin:
        return qs
    return qs.filter(cycle__plan__jurisdiction_id__in=scope.reviewer_jurisdiction_ids)


def plans_overseen_by(user, qs=None):
    """Plans whose dashboards and reports the user oversees: admins all, reviewers and leaders their
    jurisdictions' (including jurisdictions merged into them)."""
    from tasks.models import Plan

    scope = scope_for(user)
    qs = Plan.objects.all() if qs is None else qs
    return qs if scope.is_admin else qs.filter(jurisdiction_id__in=scope.overseen_jurisdiction_ids)


def oversees_anything(user) -> bool:
    scope = scope_for(user)
    return scope.is_admin or bool(scope.overseen_jurisdiction_ids)


def is_overseer_of(user, plan) -> bool:
    """Reviewers and leaders of the plan's jurisdiction (and admins) see every report of it."""
    scope = scope_for(user)
    return scope.is_admin or plan.jurisdiction_id in scope.overseen_jurisdiction_ids


def is_reviewer_of(user, plan) -> bool:
    scope = scope_for(user)
    return scope.is_admin or plan.jurisdiction_id in scope.reviewer_jurisdiction_ids


def can_review(user, report) -> bool:
    return is_reviewer_of(user, report.cycle.plan)


def is_member(user, agency_id) -> bool:
    return agency_id is not None and agency_id in scope_for(user).agency_ids


def member_agency_ids(user) -> set[int]:
    return scope_for(user).agency_ids


def membership(user, agency_id):
    return next((m for m in scope_for(user).memberships if m.agency_id == agency_id), None)


def can_submit(user, report) -> bool:
    """Heads of the reporting agency, and officers a head allowed to submit."""
    m = membership(user, report.agency_id)
    return bool(m and m.may_submit)


def overseen_cycle_or_404(user, cycle_id):
    """The cycle, if the user oversees its plan; otherwise 404, as for a cycle that does not exist."""
    from reporting.models import ReportingCycle

    cycle = get_object_or_404(ReportingCycle.objects.select_related("plan__jurisdiction"), pk=cycle_id)
    if not is_overseer_of(user, cycle.plan):
        raise Http404
    return cycle


def require_oversight(user) -> None:
    """Pages that exist only for overseers (the review queue) answer 404 to everyone else."""
    if not oversees_anything(user):
        raise Http404


def may_grant_submit(user, agency_id) -> bool:
    """Who may grant and withdraw an officer's right to submit the agency's reports: its heads (and
    admins). Officers of the agency see who may submit, not the page to change it."""
    if scope_for(user).is_admin:
        return True
    m = membership(user, agency_id)
    return bool(m and m.role == m.Role.HEAD)


def submitters_agency_or_404(user, agency_id):
    """The agency whose submit rights the user manages. 404 for an agency the user does not belong
    to (its people are not shown to outsiders); 403 for a member who is not its head."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from agencies.models import Agency

    agency = get_object_or_404(Agency, pk=agency_id)
    if not (scope_for(user).is_admin or is_member(user, agency.pk)):
        raise Http404
    if not may_grant_submit(user, agency.pk):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan mới cấp hoặc thu hồi quyền gửi báo cáo."))
    return agency
# --- the places of a role ----------------------------------------------------------------------
# Which pages a user has in the menu, and which one is their home, follow from these predicates
# (greenplan/navigation.py lists the places, each with one of them).

def owes_reports(user) -> bool:
    """Officers and heads: members of an agency, who write its reports and answer input requests."""
    return bool(scope_for(user).agency_ids)


def reviews_anything(user) -> bool:
    """Reviewers of a jurisdiction (and admins): the review queue, the status, the province report."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.reviewer_jurisdiction_ids)


def reports_or_reviews(user) -> bool:
    """Those who enter figures (agency members) or review them (reviewers, admins): the indicators page."""
    return owes_reports(user) or reviews_anything(user)


def leads_anything(user) -> bool:
    return bool(scope_for(user).leader_jurisdiction_ids)


def is_admin(user) -> bool:
    return scope_for(user).is_admin


def everyone(user) -> bool:
    return bool(user.is_authenticated)


def home_of(user) -> str:
    """The place a user lands on: their work. An admin on what needs an admin, a reviewer on the
    review queue, leadership on the dashboard, an officer on the reports the agency owes."""
    if is_admin(user):
        return "attention"
    if reviews_anything(user):
        return "queue"
    if leads_anything(user):
        return "dashboard"
    if owes_reports(user):
        return "reports"
    return "plans"


def uses_django_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_staff)
# --- indicators: their values are seen by the same people as reports -----------------------------

def indicator_values_visible_to(qs, user):
    """An indicator value is seen as a report is: by the overseers of its plan's jurisdiction and by
    the agency that wrote it (and the agencies merged into it)."""
    scope = scope_for(user)
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    if scope.overseen_jurisdiction_ids:
        q |= Q(plan_indicator__plan__jurisdiction_id__in=scope.overseen_jurisdiction_ids)
    if scope.inherited_agency_ids:
        q |= Q(agency_id__in=scope.inherited_agency_ids)
    return qs.filter(q)


def plan_indicators_visible_to(qs, user):
    """Plan indicators a user sees: overseers those of their jurisdictions; an agency those it
    answers for (its lead, or one of its predecessors), in the jurisdictions it works in."""
    scope = scope_for(user)
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    if scope.overseen_jurisdiction_ids:
        q |= Q(plan__jurisdiction_id__in=scope.overseen_jurisdiction_ids)
    if scope.inherited_agency_ids:
        q |= Q(lead_agency_id__in=scope.inherited_agency_ids, plan__jurisdiction_id__in=scope.jurisdiction_ids)
    return qs.filter(q)
