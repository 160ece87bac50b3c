"""The moves of an indicator value: write (draft), submit, return with a comment, accept (which
locks it), reopen, and revise a past year's accepted figure.

There is no second set of state rules: who may make which move in which state is asked of the
report workflow (`workflow.refusal`, with the value in place of a report: it has the same state,
agency and cycle), the state a move leads to is `workflow.state_after`, and the note a return or a
reopening needs is `workflow.note_refusal`. Each move locks the row, runs in one transaction and
writes its audit event (IndicatorValueEvent) and a history row.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.lineage import Lineage

from reporting.indicators.numbers import NumberError, check_value, format_number, jump_warning, parse_number
from reporting.models import IndicatorValue, IndicatorValueEvent, PlanIndicator, ReportingCycle
from reporting.reports import cycles
from reporting.reports import evidence as report_evidence
from reporting.reports import workflow
from reporting.reports.workflow import Move, MoveForbidden, WorkflowError, note_refusal, state_after

S = IndicatorValue.State
Kind = IndicatorValueEvent.Kind


class JumpToConfirm(WorkflowError):
    """The figure moved more than the configured amount from last year: the officer confirms it
    with a note (it is a warning, not a refusal)."""

    def __init__(self, warning: str):
        super().__init__(warning)
        self.warning = warning


def refusal(value: IndicatorValue, user, move: str, *, today: dt.date | None = None):
    """Why `user` may not make `move` on `value` now (None: they may): the report workflow's rule."""
    return workflow.refusal(value, user, move, today=today)


def allowed_moves(value: IndicatorValue, user, *, today: dt.date | None = None) -> dict:
    return {move: refusal(value, user, move, today=today) for move in (Move.EDIT, Move.SUBMIT, Move.RETURN,
                                                                         Move.ACCEPT, Move.REOPEN)}


def _require(value, user, move):
    refused = refusal(value, user, move)
    if refused is not None:
        raise refused


def _lock(value: IndicatorValue) -> IndicatorValue:
    return (IndicatorValue.objects.select_for_update(of=("self",))
            .select_related("cycle", "cycle__plan", "plan_indicator__indicator").get(pk=value.pk))


def _event(value, kind, user, before, comment="", old=None, new=None):
    return IndicatorValueEvent.objects.create(value=value, kind=kind, actor=user, from_state=before,
                                              to_state=value.state, comment=comment, old_value=old, new_value=new)


def annual_cycle(plan, year: int) -> ReportingCycle | None:
    return cycles.annual_cycle_of(plan, year)


def previous_figure(pi: PlanIndicator, year: int, territory: str) -> Decimal | None:
    """Last year's figure for the same territory, whatever its state (the officer compares with
    what was last written)."""
    return (IndicatorValue.objects.filter(plan_indicator=pi, year=year - 1, territory=territory)
            .values_list("value", flat=True).first())


def _figure(pi: PlanIndicator, raw) -> Decimal | None:
    value, unit = parse_number(raw, field=_("Giá trị"))
    check_value(pi.indicator, value, field=_("Giá trị"), typed_unit=unit)
    return value


def _check_jump(pi, year, territory, figure, *, confirmed: bool, note: str) -> None:
    warning = jump_warning(previous_figure(pi, year, territory), figure)
    if not warning:
        return
    if not confirmed:
        raise JumpToConfirm(warning)
    if not (note or "").strip():
        raise WorkflowError(_("Giá trị thay đổi lớn so với năm trước: cần ghi chú lý do khi xác nhận."))


def _check_source(source: str) -> str:
    if source and source not in IndicatorValue.Source.values:
        raise WorkflowError(_("Nguồn số liệu: “%(source)s” không hợp lệ.") % {"source": source})
    return source


@transaction.atomic
def value_create(*, plan_indicator: PlanIndicator, cycle: ReportingCycle, year: int, user, value=None,
                 territory: str = "", source: str = "", note: str = "", confirmed: bool = False,
                 via: str = "save", lineage: Lineage | None = None) -> IndicatorValue:
    """A first figure for one year (and territory), written as a draft by the agency that answers
    for the indicator in the cycle's year."""
    pi = plan_indicator
    if pi.plan_id not in cycle.plan_ids() or cycle.kind != ReportingCycle.Kind.ANNUAL:  # a city-wide cycle covers its plans
        raise WorkflowError(_("Số liệu chỉ tiêu được nhập trong kỳ báo cáo năm của kế hoạch."))
    if year > cycle.year:
        raise WorkflowError(_("Năm số liệu %(year)s: chưa đến năm này (kỳ báo cáo năm %(cycle)s).")
                            % {"year": year, "cycle": cycle.year})
    territory = (territory or "").strip()
    if territory and territory not in (pi.territories or []):
        raise WorkflowError(_("Địa bàn “%(t)s” không thuộc danh sách địa bàn của chỉ tiêu.") % {"t": territory})
    agency_id = pi.responsible_agency_id(cycle.year, lineage)
    draft = IndicatorValue(plan_indicator=pi, cycle=cycle, agency_id=agency_id, year=year, territory=territory,
                           state=S.MISSING)
    _require(draft, user, Move.EDIT)
    if IndicatorValue.objects.filter(plan_indicator=pi, year=year, territory=territory).exists():
        raise WorkflowError(_duplicate(pi, year, territory))
    figure = _figure(pi, value)
    _check_jump(pi, year, territory, figure, confirmed=confirmed, note=note)
    draft.value, draft.source, draft.note = figure, _check_source(source), (note or "").strip()
    draft.state = state_after(S.MISSING, Move.EDIT)
    draft.updated_by = draft._history_user = user
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:  # the same figure sent twice at once: one is kept
        raise WorkflowError(_duplicate(pi, year, territory)) from None
    _event(draft, Kind.UPLOAD if via == "upload" else Kind.SAVE, user, S.MISSING, new=figure)
    return draft


def _duplicate(pi, year, territory) -> str:
    if territory:
        return _("Đã có số liệu của chỉ tiêu %(code)s năm %(year)s cho địa bàn %(t)s; hãy sửa số liệu đó.") % {
            "code": pi.code, "year": year, "t": territory}
    return _("Đã có số liệu của chỉ tiêu %(code)s năm %(year)s; hãy sửa số liệu đó.") % {"code": pi.code, "year": year}


@transaction.atomic
def value_save(value: IndicatorValue, *, user, value_raw=None, source: str | None = None, note: str | None = None,
               confirmed: bool = False, via: str = "save") -> IndicatorValue:
    """Change a draft or returned figure (its source, note)."""
    current = _lock(value)
    _require(current, user, Move.EDIT)
    pi = current.plan_indicator
    figure = _figure(pi, value_raw)
    new_note = current.note if note is None else (note or "").strip()
    if figure != current.value:
        _check_jump(pi, current.year, current.territory, figure, confirmed=confirmed, note=new_note)
    before, old = current.state, current.value
    current.value, current.note = figure, new_note
    if source is not None:
        current.source = _check_source(source)
    current.state = state_after(before, Move.EDIT)
    current.updated_by = current._history_user = user
    current.save()
    _event(current, Kind.UPLOAD if via == "upload" else Kind.SAVE, user, before, old=old, new=figure)
    return current


@transaction.atomic
def value_submit(value: IndicatorValue, *, user, now: dt.datetime | None = None) -> IndicatorValue:
    current = _lock(value)
    _require(current, user, Move.SUBMIT)
    if current.value is None:
        raise WorkflowError(_("Chưa thể gửi: thiếu giá trị."))
    before = current.state
    current.state = state_after(before, Move.SUBMIT)
    current.submitted_at, current.submitted_by = now or timezone.now(), user
    current._history_user = user
    current.save()
    _event(current, Kind.SUBMIT, user, before)
    return current


def _review(value, user, move, kind, comment, reviewed=True):
    current = _lock(value)
    _require(current, user, move)
    refused = note_refusal(move, comment)
    if refused is not None:
        raise refused
    before = current.state
    current.state = state_after(before, move)
    if reviewed:
        current.reviewed_at, current.reviewed_by = timezone.now(), user
    current.review_comment = (comment or "").strip()
    current._history_user = user
    current.save()
    _event(current, kind, user, before, current.review_comment)
    return current


@transaction.atomic
def value_return(value: IndicatorValue, *, user, comment: str) -> IndicatorValue:
    return _review(value, user, Move.RETURN, Kind.RETURN, comment)


@transaction.atomic
def value_accept(value: IndicatorValue, *, user, comment: str = "") -> IndicatorValue:
    return _review(value, user, Move.ACCEPT, Kind.ACCEPT, comment)


@transaction.atomic
def value_reopen(value: IndicatorValue, *, user, reason: str) -> IndicatorValue:
    return _review(value, user, Move.REOPEN, Kind.REOPEN, reason, reviewed=False)


@transaction.atomic
def value_revise(value: IndicatorValue, *, user, cycle: ReportingCycle, value_raw, note: str,
                 source: str | None = None, lineage: Lineage | None = None) -> IndicatorValue:
    """Revise an accepted figure of a past year (official statistics are revised): the agency now
    answering for the indicator writes the new figure in the open cycle, with the reason; the old
    and new figures are kept in a REVISE event, the value counts one more revision, and the new
    figure goes through submission and acceptance again."""
    current = _lock(value)
    pi = current.plan_indicator
    if current.state != S.ACCEPTED:
        raise WorkflowError(_("Chỉ điều chỉnh được số liệu đã chấp nhận; số liệu này đang ở trạng thái "
                              "“%(state)s”.") % {"state": current.get_state_display()})
    if pi.plan_id not in cycle.plan_ids() or cycle.kind != ReportingCycle.Kind.ANNUAL:  # a city-wide cycle covers its plans
        raise WorkflowError(_("Số liệu chỉ tiêu được nhập trong kỳ báo cáo năm của kế hoạch."))
    if not (note or "").strip():
        raise WorkflowError(_("Cần ghi lý do điều chỉnh số liệu (ví dụ: số liệu thống kê chính thức đã công bố lại)."))
    # The revision is written by whoever answers now, in the cycle open now: ask the rule as of then.
    current.cycle, current.agency_id = cycle, pi.responsible_agency_id(cycle.year, lineage)
    current.state = S.DRAFT
    _require(current, user, Move.EDIT)
    figure = _figure(pi, value_raw)
    if figure is None:
        raise NumberError(_("Giá trị: cần nhập giá trị mới khi điều chỉnh."))
    old = IndicatorValue.objects.filter(pk=current.pk).values_list("value", flat=True).get()
    current.value, current.revision = figure, current.revision + 1
    if source is not None:
        current.source = _check_source(source)
    current.note = note.strip()
    current.updated_by = current._history_user = user
    current.save()
    _event(current, Kind.REVISE, user, S.ACCEPTED, note.strip(), old=old, new=figure)
    return current


def revision_note(event: IndicatorValueEvent) -> str:
    """“12,5 → 13,1: reason”, as the value's history shows a revision."""
    return f"{format_number(event.old_value)} → {format_number(event.new_value)}: {event.comment}"


def attach_evidence(value: IndicatorValue, *, user, uploaded) -> IndicatorValue:
    """One evidence file per value (a newer one replaces it), checked as report evidence is."""
    _require(value, user, Move.EDIT)
    checked = report_evidence.validate(uploaded)
    old = value.evidence.name if value.evidence else ""
    value.evidence_name = report_evidence.clean_name(uploaded.name)
    value.evidence.save(f"evidence.{checked.extension}", uploaded, save=False)
    value.updated_by = value._history_user = user
    value.save(update_fields=["evidence", "evidence_name", "updated_by", "updated_at"])
    if old:
        storage = value.evidence.storage
        transaction.on_commit(lambda: storage.delete(old))
    return value


__all__ = ["JumpToConfirm", "MoveForbidden", "WorkflowError", "NumberError", "allowed_moves", "annual_cycle",
           "attach_evidence", "refusal", "revision_note", "value_accept", "value_create", "value_reopen",
           "value_return", "value_revise", "value_save", "value_submit"]
