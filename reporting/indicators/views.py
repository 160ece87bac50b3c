"""The indicator pages of officers and reviewers (reached from the reports home and the review
queue): an agency enters, corrects, revises and submits the figures it answers for; a reviewer
accepts, returns or reopens them. Each action calls one function of reporting.indicators.values;
who may see what is reporting.reports.access's to say (404 for what a user may not see, 403 for
a move their role never allows, the workflow's reason otherwise)."""
from __future__ import annotations

import functools
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import scope_for
from agencies.lineage import Lineage

from reporting.indicators import values as moves
from reporting.indicators.numbers import NumberError
from reporting.models import IndicatorValue, PlanIndicator, ReportingCycle, TEXT_MAX_CHARS
from reporting.reports import access
from reporting.reports.cycles import annual_cycle_of
from reporting.reports.workflow import WorkflowError

HOME = "reporting:indicators"


def post_only(view):
    """A GET of an action goes to the indicators page (as the report actions do)."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return redirect(HOME)
        return view(request, *args, **kwargs)
    return wrapper


def _attempt(request, move, success: str) -> bool:
    try:
        with transaction.atomic():
            move()
    except moves.JumpToConfirm as exc:
        messages.warning(request, _("%(warning)s Đánh dấu “Xác nhận giá trị” và ghi chú rồi lưu lại.")
                         % {"warning": exc.warning})
        return False
    except (WorkflowError, ValidationError, NumberError) as exc:
        if getattr(exc, "forbidden", False):
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return False
    messages.success(request, success)
    return True


def _text(request, name: str) -> str:
    text = (request.POST.get(name) or "").strip()
    if len(text) > TEXT_MAX_CHARS:
        raise ValidationError(_("%(field)s: dài quá %(limit)s ký tự.") % {"field": name, "limit": TEXT_MAX_CHARS})
    return text


def _visible_values(request):
    return access.indicator_values_visible_to(IndicatorValue.objects.all(), request.user)


def _get_value(request, pk) -> IndicatorValue:
    return get_object_or_404(_visible_values(request).select_related("plan_indicator__plan", "cycle"), pk=pk)


def _evidence(request, value):
    uploaded = request.FILES.get("evidence")
    if uploaded:
        moves.attach_evidence(value, user=request.user, uploaded=uploaded)


# --- the page ----------------------------------------------------------------------------------

def home(request):
    """The agency's indicators with their figures and the forms to enter them; for reviewers, the
    figures awaiting review and those accepted (to reopen)."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    lineage = Lineage.load()
    agency_items = []
    if scope.agency_ids:
        pis = list(access.plan_indicators_visible_to(PlanIndicator.objects.all(), request.user)
                   .filter(lead_agency__isnull=False)
                   .select_related("plan", "indicator")
                   # each value's moves ask its cycle and plan: loaded with the values, not one by one
                   .prefetch_related("targets", Prefetch("values", queryset=IndicatorValue.objects.select_related(
                       "cycle__plan")))
                   .order_by("plan__code", "sort_order", "code"))
        # The open annual cycle of each plan: its own, or the city-wide one that covers a legacy plan.
        cycles = {}
        for plan in {pi.plan for pi in pis}:
            cycle = annual_cycle_of(plan, today.year)
            if cycle is not None and cycle.opens_on <= today <= cycle.closes_on:
                cycles[plan.pk] = cycle
        for pi in pis:
            cycle = cycles.get(pi.plan_id)
            if cycle is None or pi.responsible_agency_id(cycle.year, lineage) not in scope.agency_ids:
                continue
            values = sorted(pi.values.all(), key=lambda v: (-v.year, v.territory))
            agency_items.append({
                "pi": pi, "cycle": cycle,
                "values": [(v, moves.allowed_moves(v, request.user)) for v in values],
                "years": list(range(max(pi.baseline_year or cycle.year - 3, cycle.year - 5), cycle.year + 1))[::-1],
            })
    review = accepted = []
    if access.oversees_anything(request.user):
        base = (_visible_values(request).filter(plan_indicator__plan__in=access.plans_overseen_by(request.user))
                .select_related("plan_indicator__plan", "plan_indicator__indicator", "agency", "cycle"))
        review = [(v, moves.allowed_moves(v, request.user)) for v in base.filter(state=IndicatorValue.State.SUBMITTED)
                  .order_by("plan_indicator__plan__code", "plan_indicator__code", "year")]
        accepted = [(v, moves.allowed_moves(v, request.user)) for v in base.filter(state=IndicatorValue.State.ACCEPTED)
                    .order_by("-reviewed_at")[:50]]
    return render(request, "reporting/indicators.html", {
        "agency_items": agency_items, "review": review, "accepted": accepted, "sources": IndicatorValue.Source.choices,
        "oversight": access.oversees_anything(request.user),
    })


# --- the agency's moves --------------------------------------------------------------------------

@post_only
def value_add(request, pk):
    pi = get_object_or_404(access.plan_indicators_visible_to(PlanIndicator.objects.select_related("plan", "indicator"),
                                                             request.user), pk=pk)
    cycle = get_object_or_404(ReportingCycle, pk=request.POST.get("cycle") or 0, plan=pi.plan)

    def move():
        try:
            year = int(request.POST.get("year") or "")
        except ValueError:
            raise WorkflowError(_("Năm số liệu: cần chọn năm.")) from None
        value = moves.value_create(plan_indicator=pi, cycle=cycle, year=year, user=request.user,
                                   value=request.POST.get("value"), territory=request.POST.get("territory", ""),
                                   source=request.POST.get("source", ""), note=_text(request, "note"),
                                   confirmed=bool(request.POST.get("confirmed")))
        _evidence(request, value)

    _attempt(request, move, _("Đã lưu số liệu (bản nháp)."))
    return redirect(HOME)


@post_only
def value_save(request, pk):
    value = _get_value(request, pk)

    def move():
        saved = moves.value_save(value, user=request.user, value_raw=request.POST.get("value"),
                                 source=request.POST.get("source"), note=_text(request, "note"),
                                 confirmed=bool(request.POST.get("confirmed")))
        _evidence(request, saved)

    _attempt(request, move, _("Đã lưu số liệu."))
    return redirect(HOME)


@post_only
def value_revise(request, pk):
    value = _get_value(request, pk)
    today = timezone.localdate()
    cycle = (ReportingCycle.objects.filter(plan=value.plan_indicator.plan, kind=ReportingCycle.Kind.ANNUAL,
                                           opens_on__lte=today, closes_on__gte=today).first())

    def move():
        if cycle is None:
            raise WorkflowError(_("Kế hoạch không có kỳ báo cáo năm đang mở để điều chỉnh số liệu."))
        moves.value_revise(value, user=request.user, cycle=cycle, value_raw=request.POST.get("value"),
                           note=_text(request, "note"))

    _attempt(request, move, _("Đã điều chỉnh số liệu; hãy gửi lại để thẩm định."))
    return redirect(HOME)


def _move_view(func, success, field=None):
    @post_only
    def view(request, pk):
        value = _get_value(request, pk)

        def move():
            kwargs = {field: _text(request, field)} if field else {}
            func(value, user=request.user, **kwargs)

        _attempt(request, move, success())
        return redirect(HOME)
    view.__name__ = func.__name__
    return view


value_submit = _move_view(moves.value_submit, lambda: _("Đã gửi số liệu để thẩm định."))
value_return = _move_view(moves.value_return, lambda: _("Đã trả lại số liệu kèm ý kiến."), "comment")
value_accept = _move_view(moves.value_accept, lambda: _("Đã chấp nhận số liệu; số liệu đã khóa."), "comment")
value_reopen = _move_view(moves.value_reopen, lambda: _("Đã mở lại số liệu để cơ quan chỉnh sửa."), "reason")


def evidence_download(request, pk):
    value = _get_value(request, pk)
    if not value.evidence:
        raise Http404
    name = value.evidence_name or os.path.basename(value.evidence.name)
    return FileResponse(value.evidence.open("rb"), as_attachment=True, filename=name)

