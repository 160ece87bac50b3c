"""Workflow moves on reports, extensions and contributions.

Each move is a keyword-only function that locks the row, checks the current state and the
actor's right, refuses an illegal move with a clear message, and writes its audit event, all in
one transaction. Views, jobs and the admin call these; nothing else changes a report's state,
content or agency. A change of content or agency is a new version (`_new_version`), so an editor
who loaded an older one gets the conflict page instead of overwriting it.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from agencies.models import Agency

from reporting.reports import access
from reporting.models import ContributionRequest, Extension, Report, ReportEvent, ReportingCycle

S = Report.State

EDITABLE_FIELDS = (
    "status", "percent_complete", "results", "outputs", "difficulties", "proposals",
    "funds_central", "funds_local", "funds_oda", "funds_other",
)
# What an administrator may correct in the admin's change form; everything else is the workflow's.
ADMIN_FIELDS = ("agency",) + EDITABLE_FIELDS + ("review_comment",)


class WorkflowError(Exception):
    """A move that is not allowed now; the message says why (Vietnamese source, translated).

    `forbidden`: the user's role never allows this move on this object (pages answer 403); otherwise
    the report's state or the cycle refuses it now (pages go back with the reason)."""

    forbidden = False


class MoveForbidden(WorkflowError):
    forbidden = True


class EditConflict(WorkflowError):
    """Someone saved a newer version since this editor loaded the form."""

    def __init__(self, current: Report, mine: dict):
        who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else _("người khác")
        super().__init__(
            _("Báo cáo đã được %(who)s lưu lúc %(at)s sau khi bạn mở. "
              "Nội dung của bạn chưa bị mất: hãy so sánh hai bản và lưu lại.")
            % {"who": who, "at": f"{timezone.localtime(current.updated_at):%H:%M %d/%m/%Y}"}
        )
        self.current = current
        self.mine = mine


def _lock(report: Report, *, with_deadline: bool = False) -> Report:
    # of=("self",): lock the report row only. Without it PostgreSQL also locks the joined cycle and
    # plan rows, in an order of its choosing, and concurrent moves deadlock (tests/faults).
    # with_deadline: the agency's granted extension read in the same statement (report_deadline).
    qs = Report.objects.select_for_update(of=("self",)).select_related("cycle", "cycle__plan")
    if with_deadline:
        qs = qs.annotate(granted_due_at=granted_due_at())
    return qs.get(pk=report.pk)


def _event(report: Report, kind: str, user, from_state: str, comment: str = "", at=None) -> ReportEvent:
    return ReportEvent.objects.create(report=report, kind=kind, actor=user, from_state=from_state,
                                      to_state=report.state, comment=comment, at=at or timezone.now())


def _new_version(report: Report, user) -> None:
    """Mark a change of the report's content or agency: a new version, by `user` (also the author
    of its simple-history row)."""
    report.version += 1
    report.updated_by = user
    report._history_user = user


def _handover(from_id: int | None, to_id: int | None, names: dict) -> str:
    """The ASSIGN event's note: "old agency → new agency" (stored text, in Vietnamese)."""
    def name(pk):
        return names.get(pk, str(pk)) if pk is not None else "(chưa giao)"
    return f"{name(from_id)} → {name(to_id)}"


_NOT_LOADED = object()


def granted_due_at():
    """For annotating a report query (as `granted_due_at`): the new deadline of the extension granted
    to the report's agency in its cycle, NULL if none; agency_deadline takes it from there. The
    database holds at most one granted extension per cycle and agency, and never one without a date."""
    return Subquery(Extension.objects.filter(cycle_id=OuterRef("cycle_id"), agency_id=OuterRef("agency_id"),
                                             state=Extension.State.GRANTED).values("new_due_at")[:1])


def agency_deadline(cycle: ReportingCycle, agency_id: int | None, extensions=None, *,
                    granted=_NOT_LOADED) -> dt.datetime:
    """The cycle's deadline for one agency: its granted extension if any (at most one is granted
    per cycle and agency). `extensions`: the agency's extensions when the caller has loaded them
    already (the officer's home lists them); `granted`: the granted extension's new deadline or None,
    when the caller loaded it with the report (granted_due_at): either way no query is made."""
    if agency_id is not None:
        if granted is not _NOT_LOADED:
            return granted or cycle.due_at
        if extensions is None:
            extensions = Extension.objects.filter(cycle=cycle, agency_id=agency_id, state=Extension.State.GRANTED)
        ext = next((e for e in extensions if e.cycle_id == cycle.pk and e.agency_id == agency_id
                    and e.state == Extension.State.GRANTED), None)
        if ext:
            return ext.new_due_at
    return cycle.due_at


def report_deadline(report: Report) -> dt.datetime:
    """agency_deadline of a report's agency and cycle, without a query when the report was loaded
    with its granted_due_at() annotation."""
    return agency_deadline(report.cycle, report.agency_id, granted=getattr(report, "granted_due_at", _NOT_LOADED))


def locked_reason(report: Report) -> str:
    if report.state == S.ACCEPTED:
        return _("Báo cáo đã được chấp nhận và đã khóa; cần cán bộ thẩm định mở lại kèm lý do.")
    if report.state == S.SUBMITTED:
        return _("Báo cáo đã gửi và đang chờ thẩm định; không sửa được cho đến khi được trả lại.")
    return ""


def cycle_closed_reason(cycle: ReportingCycle, today: dt.date | None = None) -> str:
    """The one "cycle closed" rule: after its closing day a cycle takes no more edits or submissions."""
    if cycle.is_open(today or timezone.localdate()):
        return ""
    return _("Kỳ báo cáo đã đóng ngày %(date)s; không sửa được nữa.") % {"date": f"{cycle.closes_on:%d/%m/%Y}"}


# --- What a user may do with a report now ------------------------------------------------------

class Move:
    """The moves on a report. `EDIT` covers saving, the workbook's upload and evidence."""

    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"
    ASK_INPUT = "ask_input"
    ALL = (EDIT, SUBMIT, RETURN, ACCEPT, REOPEN, ASK_INPUT)


def refusal(report: Report, user, move: str, *, today: dt.date | None = None) -> WorkflowError | None:
    """Why `user` may not make `move` on `report` now, or None when they may. The report page shows
    the buttons this allows, the workbook marks the rows it refuses, and every move raises it."""
    if move in (Move.EDIT, Move.SUBMIT, Move.ASK_INPUT):
        if not access.is_member(user, report.agency_id):
            return MoveForbidden(_("Chỉ cơ quan chủ trì mới đề nghị phối hợp được.") if move == Move.ASK_INPUT
                                 else _("Bạn không thuộc cơ quan chịu trách nhiệm báo cáo này."))
        if move == Move.SUBMIT and not access.can_submit(user, report):
            return MoveForbidden(_("Chỉ lãnh đạo cơ quan, hoặc chuyên viên được lãnh đạo cho phép, mới được gửi báo cáo."))
        if move == Move.SUBMIT and report.state not in (S.DRAFT, S.RETURNED):
            return WorkflowError(locked_reason(report) or _("Báo cáo chưa có nội dung; hãy nhập và lưu trước khi gửi."))
        if report.is_locked:
            return WorkflowError(locked_reason(report))
        closed = cycle_closed_reason(report.cycle, today)
        return WorkflowError(closed) if closed else None
    if move in (Move.RETURN, Move.ACCEPT, Move.REOPEN):
        if not access.can_review(user, report):
            return MoveForbidden(_("Chỉ cán bộ thẩm định của tỉnh/thành phố mới thực hiện được thao tác này."))
        if move == Move.RETURN and report.state != S.SUBMITTED:
            return WorkflowError(_("Chỉ trả lại được báo cáo đã gửi (hiện: %(state)s).") % {"state": report.get_state_display()})
        if move == Move.ACCEPT and report.state != S.SUBMITTED:
            return WorkflowError(_("Chỉ chấp nhận được báo cáo đã gửi (hiện: %(state)s).") % {"state": report.get_state_display()})
        if move == Move.REOPEN and report.state != S.ACCEPTED:
            return WorkflowError(_("Chỉ mở lại được báo cáo đã chấp nhận."))
        return None
    raise ValueError(f"unknown move {move!r}")


# The state each move leads to: the one table of states, for reports and indicator values alike
# (reporting.indicators.values moves values with these same rules).
_NEXT_STATE = {Move.SUBMIT: S.SUBMITTED, Move.RETURN: S.RETURNED, Move.ACCEPT: S.ACCEPTED, Move.REOPEN: S.RETURNED}


def state_after(state: str, move: str) -> str:
    """The state a report (or indicator value) in `state` is in after `move`. Saving a report
    nobody started makes it a draft; saving anything else leaves its state as it is."""
    if move == Move.EDIT:
        return S.DRAFT if state == S.MISSING else state
    return _NEXT_STATE[move]


def note_refusal(move: str, comment: str) -> WorkflowError | None:
    """A return and a reopening must say why (the agency reads it); the other moves need no note."""
    if (comment or "").strip():
        return None
    if move == Move.RETURN:
        return WorkflowError(_("Cần ghi rõ nội dung cần sửa khi trả lại báo cáo."))
    if move == Move.REOPEN:
        return WorkflowError(_("Cần ghi lý do mở lại báo cáo đã chấp nhận."))
    return None


def allowed_moves(report: Report, user, *, today: dt.date | None = None) -> dict[str, WorkflowError | None]:
    """Every move with its refusal (None: allowed now)."""
    return {move: refusal(report, user, move, today=today) for move in Move.ALL}


def _require(report: Report, user, move: str) -> None:
    refused = refusal(report, user, move)
    if refused is not None:
        raise refused


def _repeated_save(report: Report, *, user, data: dict, base_version: int) -> bool:
    """True when this save is the one just made again: the current version is the one saved on
    top of `base_version`, by this user, with exactly this content. Anything else on an old
    version (other content, or someone else) is a real conflict."""
    def same(a, b):
        return (None if a == "" else a) == (None if b == "" else b)

    return (report.version == base_version + 1 and report.updated_by_id == getattr(user, "pk", None)
            and all(same(getattr(report, field), data[field]) for field in EDITABLE_FIELDS if field in data))


@transaction.atomic
def report_save(report: Report, *, user, data: dict, base_version: int | None, via: str = "save") -> Report:
    """Save a draft. `base_version` is the version the editor loaded: if someone saved since,
    nothing is overwritten and EditConflict carries both versions. The same form sent again by
    the one who just saved it (a double click) answers as that save, without a new version."""
    report = _lock(report)
    _require(report, user, Move.EDIT)
    if base_version is not None and base_version != report.version:
        if _repeated_save(report, user=user, data=data, base_version=base_version):
            return report  # the same form posted twice (a double click): already saved, once
        raise EditConflict(report, data)
    before = report.state
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(report, field, data[field])
    report.state = state_after(report.state, Move.EDIT)
    _new_version(report, user)
    report.save()
    _event(report, ReportEvent.Kind.UPLOAD if via == "upload" else ReportEvent.Kind.SAVE, user, before)
    return report


@transaction.atomic
def report_submit(report: Report, *, user, now: dt.datetime | None = None) -> Report:
    now = now or timezone.now()
    report = _lock(report, with_deadline=True)
    _require(report, user, Move.SUBMIT)
    missing = [label for field, label in (("status", _("tình hình thực hiện")), ("percent_complete", _("tỷ lệ hoàn thành")))
               if getattr(report, field) in (None, "")]
    if missing:
        raise WorkflowError(_("Chưa thể gửi: thiếu %(fields)s.") % {"fields": ", ".join(missing)})
    before = report.state
    report.state = state_after(report.state, Move.SUBMIT)
    report.submitted_at = now
    report.submitted_by = user
    # Late is a mark with the time it came in, not a state.
    report.late = now > report_deadline(report)
    report._history_user = user
    report.save()
    _event(report, ReportEvent.Kind.SUBMIT, user, before, at=now,
           comment=f"Nộp muộn lúc {timezone.localtime(now):%H:%M %d/%m/%Y}" if report.late else "")
    return report


def _review(report: Report, user, move: Move, *, kind: str, comment: str, notice: str,
            reviewed: bool = True) -> Report:
    """The body the reviewer's moves share: lock, ask the rule, change state, audit, announce."""
    report = _lock(report)
    _require(report, user, move)
    refused = note_refusal(move, comment)
    if refused is not None:
        raise refused
    comment = (comment or "").strip()
    before = report.state
    report.state = state_after(report.state, move)
    if reviewed:
        report.reviewed_at, report.reviewed_by = timezone.now(), user
    report.review_comment = comment
    report._history_user = user
    report.save()
    _event(report, kind, user, before, comment)
    _notify(report, notice)
    return report


@transaction.atomic
def report_return(report: Report, *, user, comment: str) -> Report:
    return _review(report, user, Move.RETURN, kind=ReportEvent.Kind.RETURN, comment=comment, notice="returned")


@transaction.atomic
def report_accept(report: Report, *, user, comment: str = "") -> Report:
    return _review(report, user, Move.ACCEPT, kind=ReportEvent.Kind.ACCEPT, comment=comment, notice="accepted")


@transaction.atomic
def report_reopen(report: Report, *, user, reason: str) -> Report:
    # The reason is the new review comment; the acceptance's reviewer and time stay as they were.
    return _review(report, user, Move.REOPEN, kind=ReportEvent.Kind.REOPEN, comment=reason, notice="returned",
                   reviewed=False)


@transaction.atomic
def report_admin_edit(report: Report, *, user, data: dict) -> Report:
    """An administrator's correction in the admin's change form; `data`: the form's cleaned values
    (ADMIN_FIELDS). What differs from the stored report is a new version and is audited: an ASSIGN
    event if the agency changed, an ADMIN_EDIT event naming the other fields changed (the values
    themselves are in the report's field-by-field history). Saving the form unchanged changes
    nothing."""
    unknown = set(data) - set(ADMIN_FIELDS)
    if unknown:  # the admin form offers a field the workflow does not let it change
        raise ValueError(f"Not editable in the admin: {sorted(unknown)}")
    current = _lock(report)
    if not user.has_perm("reporting.change_report"):
        raise WorkflowError(_("Chỉ quản trị viên mới sửa được báo cáo trong trang quản trị."))
    changed = {}
    for name in ADMIN_FIELDS:
        if name not in data:
            continue
        field = Report._meta.get_field(name)
        value = data[name].pk if field.is_relation and data[name] is not None else data[name]
        if getattr(current, field.attname) != value:
            changed[field] = value
    if not changed:
        return current
    before, old_agency_id = current.state, current.agency_id
    for field, value in changed.items():
        setattr(current, field.attname, value)
    _new_version(current, user)
    current.save()
    now = timezone.now()
    if current.agency_id != old_agency_id:
        names = dict(Agency.objects.filter(pk__in=[old_agency_id, current.agency_id]).values_list("pk", "name"))
        _event(current, ReportEvent.Kind.ASSIGN, user, before, _handover(old_agency_id, current.agency_id, names), at=now)
    with translation.override("vi"):  # stored text, like every event's note
        labels = [str(field.verbose_name).capitalize() for field in changed if field.name != "agency"]
    if labels:
        _event(current, ReportEvent.Kind.ADMIN_EDIT, user, before, ", ".join(labels), at=now)
    return current


@transaction.atomic
def reports_hand_over(handovers: dict[int, int | None], *, user=None) -> int:
    """Hand reports nobody has started to the agency now responsible (after a merger, a decided
    split, or an item newly given a lead agency): `handovers` maps a report's id to its new agency.
    Each report handed over is a new version with an ASSIGN event naming both agencies; one that
    somebody started meanwhile stays with its writer. Returns how many were handed over."""
    reports = list(Report.objects.select_for_update(of=("self",))
                   .filter(pk__in=list(handovers), state=S.MISSING).order_by("pk"))
    reports = [r for r in reports if r.agency_id != handovers[r.pk]]
    if not reports:
        return 0
    ids = {r.agency_id for r in reports} | {handovers[r.pk] for r in reports}
    names = dict(Agency.objects.filter(pk__in=ids - {None}).values_list("pk", "name"))
    now, events = timezone.now(), []
    for report in reports:
        new = handovers[report.pk]
        events.append(ReportEvent(report=report, kind=ReportEvent.Kind.ASSIGN, actor=user, from_state=report.state,
                                  to_state=report.state, comment=_handover(report.agency_id, new, names), at=now))
        report.agency_id, report.updated_at = new, now
        _new_version(report, user)
    bulk_update_with_history(reports, Report, ["agency", "version", "updated_by", "updated_at"], batch_size=1000,
                             default_user=user, default_date=now)
    ReportEvent.objects.bulk_create(events, batch_size=1000)
    return len(reports)


def bulk_accept(reports, *, user) -> int:
    """Accept several submitted reports at once: all or nothing. Returns how many."""
    with transaction.atomic():
        for report in reports:
            report_accept(report, user=user)
    return len(reports)


# --- Deadline extensions ---------------------------------------------------------------------

def _extension_event(ext: Extension, kind: str, user, comment: str, at) -> None:
    """An extension is the agency's, for the whole cycle: each of the agency's reports in the
    cycle gets the event, so every report's history shows it. The reports themselves do not change
    (no new version: an officer editing one is not interrupted by a decision on the deadline)."""
    ReportEvent.objects.bulk_create([
        ReportEvent(report_id=pk, kind=kind, actor=user, from_state=state, to_state=state, comment=comment, at=at)
        for pk, state in Report.objects.filter(cycle_id=ext.cycle_id, agency_id=ext.agency_id).values_list("pk", "state")
    ], batch_size=1000)


@transaction.atomic
def extension_request(*, cycle: ReportingCycle, agency_id: int, user, reason: str,
                      proposed_due_on: dt.date | None = None) -> Extension:
    """Ask for a later deadline, with the date the agency proposes (the reviewer's form starts from it)."""
    if not access.is_member(user, agency_id):
        raise MoveForbidden(_("Bạn không thuộc cơ quan này."))
    if not (reason or "").strip():
        raise WorkflowError(_("Cần nêu lý do đề nghị gia hạn."))
    if proposed_due_on is not None:
        current = timezone.localtime(agency_deadline(cycle, agency_id)).date()
        if proposed_due_on <= max(current, timezone.localdate()):
            raise WorkflowError(_("Hạn đề nghị phải sau hạn hiện tại %(date)s và sau hôm nay.")
                                % {"date": f"{current:%d/%m/%Y}"})
    if Extension.objects.filter(cycle=cycle, agency_id=agency_id, state=Extension.State.REQUESTED).exists():
        raise WorkflowError(_("Cơ quan đã có một đề nghị gia hạn đang chờ xử lý."))
    ext = Extension.objects.create(cycle=cycle, agency_id=agency_id, reason=reason.strip(), requested_by=user,
                                   proposed_due_on=proposed_due_on)
    note = ext.reason + (f" (đề nghị hạn mới {proposed_due_on:%d/%m/%Y})" if proposed_due_on else "")
    _extension_event(ext, ReportEvent.Kind.EXTENSION_REQUEST, user, note, ext.requested_at)
    _announce("extension_requested", ext.pk)
    return ext


def _lock_extension(ext: Extension) -> Extension:
    return Extension.objects.select_for_update(of=("self",)).select_related("cycle", "cycle__plan").get(pk=ext.pk)


@transaction.atomic
def extension_grant(extension: Extension, *, user, new_due_on: dt.date, comment: str = "") -> Extension:
    from reporting.models import end_of_day

    ext = _lock_extension(extension)
    if not access.is_reviewer_of(user, ext.cycle.plan):
        raise MoveForbidden(_("Chỉ cán bộ thẩm định mới gia hạn được."))
    if ext.state != Extension.State.REQUESTED:
        raise WorkflowError(_("Đề nghị này đã được xử lý."))
    if end_of_day(new_due_on) <= ext.cycle.due_at:
        raise WorkflowError(_("Hạn mới phải sau hạn chung %(date)s.")
                            % {"date": f"{timezone.localtime(ext.cycle.due_at):%d/%m/%Y}"})
    # A later grant replaces an earlier one for the same agency and cycle.
    Extension.objects.filter(cycle=ext.cycle, agency=ext.agency, state=Extension.State.GRANTED).update(
        state=Extension.State.REFUSED, decision_comment="Thay bằng lần gia hạn sau")
    ext.state, ext.new_due_at = Extension.State.GRANTED, end_of_day(new_due_on)
    ext.decided_by, ext.decided_at, ext.decision_comment = user, timezone.now(), comment
    ext.save()
    # A report sent after the common deadline but before the granted one was not late: the badge
    # must not contradict the extension (granted after the report came in, as often happens).
    Report.objects.filter(cycle=ext.cycle, agency=ext.agency, late=True,
                          submitted_at__lte=ext.new_due_at).update(late=False)
    note = f"Gia hạn đến {new_due_on:%d/%m/%Y}." + (f" {comment.strip()}" if (comment or "").strip() else "")
    _extension_event(ext, ReportEvent.Kind.EXTENSION_GRANT, user, note, ext.decided_at)
    _announce("extension_decided", ext.pk)
    return ext


@transaction.atomic
def extension_refuse(extension: Extension, *, user, comment: str) -> Extension:
    ext = _lock_extension(extension)
    if not access.is_reviewer_of(user, ext.cycle.plan):
        raise MoveForbidden(_("Chỉ cán bộ thẩm định mới xử lý được đề nghị gia hạn."))
    if ext.state != Extension.State.REQUESTED:
        raise WorkflowError(_("Đề nghị này đã được xử lý."))
    if not (comment or "").strip():
        raise WorkflowError(_("Cần nêu lý do từ chối."))
    ext.state, ext.decided_by, ext.decided_at, ext.decision_comment = Extension.State.REFUSED, user, timezone.now(), comment
    ext.save()
    _extension_event(ext, ReportEvent.Kind.EXTENSION_REFUSE, user, comment.strip(), ext.decided_at)
    _announce("extension_decided", ext.pk)
    return ext


# --- Contributions from supporting agencies --------------------------------------------------

def due_date_refusal(report: Report, due_on: dt.date, today: dt.date | None = None) -> str:
    """Why a contribution's due date is not acceptable, or "": it may not be in the past, nor after
    the reporting agency's own deadline, its granted extension included (the input must come in
    while the report can still use it)."""
    today = today or timezone.localdate()
    if due_on < today:
        return _("Hạn góp ý %(date)s đã qua; hãy chọn từ hôm nay (%(today)s) trở đi.") % {
            "date": f"{due_on:%d/%m/%Y}", "today": f"{today:%d/%m/%Y}"}
    deadline = timezone.localtime(agency_deadline(report.cycle, report.agency_id)).date()
    if due_on > deadline:
        return _("Hạn góp ý không được sau hạn nộp báo cáo của cơ quan (%(date)s).") % {"date": f"{deadline:%d/%m/%Y}"}
    return ""


def askable_agencies(report: Report, supporting=None) -> list[tuple[Agency, Agency | None]]:
    """Whom the lead may ask for input on this report: each named supporting agency of the item,
    and each agency a supporting group stands for (agencies/groups.py), with that group (None for a
    named one); never the reporting agency itself. The plan's wording (the group) stays what the
    item shows. `supporting`: the item's supporting agencies when the caller has them loaded."""
    from agencies.groups import members_by_group

    supporting = list(report.item.supporting_agencies.all()) if supporting is None else supporting
    found: dict[int, tuple[Agency, Agency | None]] = {}
    for agency in supporting:
        if not agency.is_group:
            found.setdefault(agency.pk, (agency, None))
    groups = {a.pk: a for a in supporting if a.is_group}
    for group_id, members in (members_by_group(groups, timezone.localdate()) if groups else {}).items():
        for agency in members:
            found.setdefault(agency.pk, (agency, groups[group_id]))
    found.pop(report.agency_id, None)
    return sorted(found.values(), key=lambda pair: (pair[1] is not None, pair[0].name))


@transaction.atomic
def contribution_request(*, report: Report, agency_id: int, user, due_on: dt.date, message: str = "") -> ContributionRequest:
    report = _lock(report)
    _require(report, user, Move.ASK_INPUT)
    if agency_id == report.agency_id:
        raise WorkflowError(_("Không thể đề nghị chính cơ quan chủ trì phối hợp."))
    if agency_id not in {agency.pk for agency, _group in askable_agencies(report)}:
        raise WorkflowError(_("Cơ quan này không phối hợp thực hiện nhiệm vụ, cũng không thuộc nhóm cơ quan phối hợp nào của nhiệm vụ."))
    refused = due_date_refusal(report, due_on)
    if refused:
        raise WorkflowError(refused)
    request, created = ContributionRequest.objects.get_or_create(
        report=report, agency_id=agency_id,
        defaults={"due_on": due_on, "message": message.strip(), "requested_by": user},
    )
    if not created:
        raise WorkflowError(_("Đã đề nghị cơ quan này phối hợp cho báo cáo này."))
    _announce("input_requested", request.pk)
    return request


@transaction.atomic
def contribution_answer(request: ContributionRequest, *, user, answer: str) -> ContributionRequest:
    req = ContributionRequest.objects.select_for_update().get(pk=request.pk)
    if not access.is_member(user, req.agency_id):
        raise MoveForbidden(_("Bạn không thuộc cơ quan được đề nghị phối hợp."))
    if not (answer or "").strip():
        raise WorkflowError(_("Nội dung đóng góp đang trống."))
    req.answer, req.answered_by, req.answered_at = answer.strip(), user, timezone.now()
    req.save()
    return req


def _notify(report: Report, event: str) -> None:
    """Tell the agency at once (reminders issue): connected through a hook so that the workflow
    does not depend on how notices are delivered."""
    from reporting.reports.signals import report_reviewed

    transaction.on_commit(lambda: report_reviewed.send(sender=Report, report_id=report.pk, event=event))


def _announce(event: str, object_id: int) -> None:
    """Tell whom a move concerns (the supporting agency of an input request, the reviewers of an
    extension request, the agency of a decision), after commit, through the signal notices connect to."""
    from reporting.reports.signals import workflow_event

    transaction.on_commit(lambda: workflow_event.send(sender=Report, event=event, object_id=object_id))
