"""Pages of the annual progress report: the officer's home, the report page, contributions, the
reviewer's queue. Views validate input and call one function of reporting.reports.workflow (or
reporting.reports.evidence for evidence); who may see what is decided by reporting.reports.access."""
from __future__ import annotations

import functools
import os
from collections import Counter, OrderedDict
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from agencies.access import scope_for
from agencies import memberships
from agencies.lineage import name_with_successor
from agencies.memberships import who_may_submit
from agencies.models import Agency, Membership
from tasks.models import Plan, PlanItem

from reporting.reports import access, cycles, evidence as uploads, files, reads, workflow
from reporting.reports.forms import (
    AttachmentForm, CommentForm, ContributionAnswerForm, ContributionRequestForm, ExtensionGrantForm,
    ExtensionRequestForm, QueueFilterForm, ReopenForm, ReportForm,
)
from reporting.models import Attachment, ContributionRequest, Extension, Report, ReportEvent, ReportingCycle
from reporting.reports.money import group_thousands, vnd

S = Report.State
DIFF_FIELDS = ("state",) + workflow.EDITABLE_FIELDS + ("review_comment",)
STATE_ORDER = [S.RETURNED, S.MISSING, S.DRAFT, S.SUBMITTED, S.ACCEPTED]
# The report page's history stays small however long the texts and however many the saves: the
# latest HISTORY_SHOWN saves, and of a long text only the changed part with some context, at most
# DIFF_SHOWN_CHARS per version. Both say so on the page when they leave something out.
HISTORY_SHOWN = 10  # the report page: the latest saves; the rest on the report's page of changes
CHANGES_PER_PAGE = 50  # the report's page of changes, a page at a time
DIFF_SHOWN_CHARS = 600
DIFF_CONTEXT = 120


# --- helpers -----------------------------------------------------------------------------------

def post_only(fallback):
    """POST-only action. A GET (typically the login page sending the user back to where a POST
    was refused after the session expired) goes to the page the action belongs to instead of
    a bare 405; the typed text survives in the browser (static/js/report.js)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return redirect(fallback(*args, **kwargs))
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def _to_report(pk):
    return reverse("reporting:report", args=[pk])


def _visible_reports(request):
    return access.reports_visible_to(Report.objects.all(), request.user)


def _reports_with_context(request):
    # Three joins only: PostgreSQL's planning time grows steeply with joins (with the people and the
    # lead agency joined too, planning this one row took ~2 ms, more than the page's other 15
    # queries together; BENCHMARKS.md). The page adds what it shows with _with_people.
    return _visible_reports(request).select_related("cycle__plan", "item", "agency")


def _get_report(request, pk) -> Report:
    return get_object_or_404(_reports_with_context(request), pk=pk)


def _get_report_page(request, pk) -> Report:
    """_get_report for the report page, read with one plain statement (reads.report_page), which also
    says whether the report has evidence, input requests and log entries (most have none on deadline
    day), so that the page asks for those lists only when there is something to find (_listed), and
    the agency's deadline (workflow.agency_deadline's `granted`)."""
    report = reads.report_page(request.user, pk)
    if report is None:
        raise Http404("No report matches the given query.")
    return report


def _listed(report: Report, flag: str, load) -> list:
    """One of the report page's lists: empty without a query when the report's row says so
    (_get_report_page's `flag`), else `load()`. A report loaded otherwise has no flag: loaded."""
    return list(load()) if getattr(report, flag, True) else []


def _get_report_row(request, pk) -> Report:
    """The visible report alone, for actions: the workflow move locks and reloads the row itself
    (its first step), so only the key is read here, not the report's texts twice per save."""
    report = reads.report_key(request.user, pk)
    if report is None:
        raise Http404("No report matches the given query.")
    return report


def _people(ids, loaded=()) -> dict:
    """The users of `ids` by id: those in `loaded` (users the page has already loaded, such as the
    actors of the report's events, who are usually the very people it names) and the rest in one
    query, or none."""
    ids = set(ids) - {None}
    people = {user.pk: user for user in loaded if user is not None and user.pk in ids}
    missing = ids - people.keys()
    if missing:
        people.update(reads.users(missing))
    return people


def _report_people_ids(report: Report) -> set:
    return {report.submitted_by_id, report.reviewed_by_id, report.updated_by_id}


def _with_people(report: Report, people: dict) -> Report:
    """Attach the lead agency and the people the report page names (who submitted, reviewed, last
    saved), from `people` (_people of _report_people_ids)."""
    if report.item.lead_agency_id == report.agency_id:  # the usual case: the lead agency reports
        report.item.lead_agency = report.agency
    if report.item.plan_id == report.cycle.plan_id:  # the usual case: the item of the cycle's own plan
        report.item.plan = report.cycle.plan
    for field in ("submitted_by", "reviewed_by", "updated_by"):
        person_id = getattr(report, f"{field}_id")
        if person_id in people:
            setattr(report, field, people[person_id])
    return report


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _error(request, exc):
    """Show a refusal on the page the user returns to; a move the user's role never allows on an
    object they can see answers 403 instead (reporting.reports.access)."""
    if getattr(exc, "forbidden", False):
        raise PermissionDenied(str(exc)) from exc
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


def _attempt(request, move, success: str) -> bool:
    """Make one workflow move (`move()`) and tell the user how it went: the workflow's own words
    (or the form's, for a refused text) when it refuses, `success` when it is done."""
    try:
        move()
    except (workflow.WorkflowError, ValidationError) as exc:
        _error(request, exc)
        return False
    messages.success(request, success)
    return True


def _posted_text(form_class, request, field: str, **kwargs) -> str:
    """One optional text field of a posted form (a comment, a reason, an answer), "" if absent;
    ValidationError, naming the field, when it is refused (longer than TEXT_MAX_CHARS): a text is
    never dropped or cut. Call it inside the move given to _attempt, which shows the refusal."""
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        raise ValidationError([message for errors in form.errors.values() for message in errors])
    return form.cleaned_data.get(field, "")


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field == "status":
        return Report.Status(value).label if value in Report.Status.values else value
    if field == "state":
        return Report.State(value).label if value in Report.State.values else value
    if field.startswith("funds_"):
        return vnd(value)
    if field == "percent_complete":
        return f"{value}%"
    return value


def _label(field):
    return str(Report._meta.get_field(field).verbose_name).capitalize()


def _condensed(old: str, new: str) -> tuple[str, str, bool]:
    """Two versions of a long text cut down to the part that changed, with DIFF_CONTEXT characters
    around it, each at most DIFF_SHOWN_CHARS (… marks what is left out); True if anything was."""
    if len(old) <= DIFF_SHOWN_CHARS and len(new) <= DIFF_SHOWN_CHARS:
        return old, new, False
    prefix = len(os.path.commonprefix([old, new]))
    suffix = len(os.path.commonprefix([old[prefix:][::-1], new[prefix:][::-1]]))
    start = max(prefix - DIFF_CONTEXT, 0)

    def piece(text):
        end = min(len(text) - suffix + DIFF_CONTEXT, len(text), start + DIFF_SHOWN_CHARS)
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return piece(old), piece(new), True


def _change(field, old, new) -> dict:
    long = field in ReportForm.TEXT_FIELDS + ("review_comment",)
    note = ""
    if long:
        shown_old, shown_new, cut = _condensed(old or "", new or "")
        if cut:
            note = _("Đã rút gọn: chỉ hiện đoạn thay đổi (bản cũ %(old)s ký tự, bản mới %(new)s ký tự).") % {
                "old": group_thousands(len(old or "")), "new": group_thousands(len(new or ""))}
            old, new = shown_old, shown_new
    return {"label": _label(field), "field": field, "long": long, "note": note,
            "old": _display(field, old), "new": _display(field, new)}


def _changes(report: Report, *, skip: int = 0, count: int = HISTORY_SHOWN) -> tuple[list[dict], bool]:
    """Who changed what, field by field, newest first, from the report's simple-history rows: `count`
    saves after the newest `skip`, and whether older ones exist. The rows are read as plain values,
    the shown fields only (a history row holds every field of the report); each entry names its
    author by `user_id` (_with_authors puts the user in)."""
    newest = reads.history_rows(report.pk, DIFF_FIELDS, skip=skip, count=count + 1)
    older_hidden = len(newest) > count
    records = newest[::-1]
    pairs = list(zip([None] + records, records))[1 if older_hidden else 0:]  # the oldest loaded is only a base
    out = []
    for older, newer in pairs:
        if older is not None:
            changes = [(f, older[f], newer[f]) for f in DIFF_FIELDS if older[f] != newer[f]]
        elif newer["history_type"] == "~":
            # Reports are created in bulk, without a history row: the first save is compared with
            # an empty report.
            changes = [(f, None, newer[f]) for f in DIFF_FIELDS if f != "state" and newer[f] not in (None, "")]
        else:
            continue
        if changes:  # in DIFF_FIELDS' order
            out.append({"at": newer["history_date"], "user_id": newer["history_user_id"],
                        "changes": [_change(field, old, new) for field, old, new in changes]})
    out.reverse()
    return out, older_hidden


def _with_authors(changes: list[dict], people: dict) -> list[dict]:
    for change in changes:
        change["user"] = people.get(change["user_id"])
    return changes


def _comparison(current: Report, mine: dict) -> list[dict]:
    rows = []
    for field in workflow.EDITABLE_FIELDS:
        theirs, typed = getattr(current, field), mine.get(field)
        rows.append({"label": _label(field), "theirs": _display(field, theirs), "mine": _display(field, typed),
                     "differs": (None if theirs == "" else theirs) != (None if typed == "" else typed)})
    return rows


def _render_report(request, report: Report, *, form=None, conflict=None, status=200):
    member = access.is_member(request.user, report.agency_id)
    moves = workflow.allowed_moves(report, request.user)
    refused_edit = moves[workflow.Move.EDIT]
    editable = refused_edit is None
    # A member is told why the report cannot be edited now; any other reader, the report's lock if it
    # has one, else that only the lead agency writes it.
    reason = "" if editable else str(refused_edit) if not refused_edit.forbidden else (
        workflow.locked_reason(report) or _("Bạn xem báo cáo này ở chế độ chỉ đọc: chỉ cơ quan chủ trì nhập và sửa báo cáo."))
    # The log lists the workflow's moves. Each save is an entry of "what changed" below (who, when,
    # what), so it is not listed twice: a report saved forty times on deadline day drew forty more log
    # rows on every view of its page.
    events = _listed(report, "has_events", lambda: report.events.exclude(kind=ReportEvent.Kind.SAVE).select_related("actor"))
    changes, older_changes_hidden = _changes(report)
    # The people the page names, the authors of the saves among them, in one query or none.
    people = _people(_report_people_ids(report) | {c["user_id"] for c in changes}, loaded=[e.actor for e in events])
    _with_people(report, people)
    _with_authors(changes, people)
    item = report.item
    supporting = reads.supporting_agencies(item)
    # Input is asked of a named supporting agency, or of an agency a supporting group stands for.
    askable = workflow.askable_agencies(report, supporting) if moves[workflow.Move.ASK_INPUT] is None else []
    # An officer who may not submit is told why, who may, and how to get the right.
    submit_refused = moves[workflow.Move.SUBMIT]
    no_submit_right = (member and submit_refused is not None and submit_refused.forbidden
                       and report.state in (S.MISSING, S.DRAFT, S.RETURNED))
    context = {
        "report": report, "item": item, "cycle": report.cycle, "plan": item.plan,
        "no_submit_right": str(submit_refused) if no_submit_right else "",
        "submitters": who_may_submit(report.agency_id) if no_submit_right else [],
        # An old lead shows who answers for it now: “Sở Tài nguyên và Môi trường (nay: …)”.
        "lead_label": name_with_successor(item.lead_agency) if item.lead_agency_id != report.agency_id else "",
        "form": form if form is not None else (ReportForm(report=report) if editable else None),
        "editable": editable, "lock_reason": reason, "member": member,
        "may_submit": moves[workflow.Move.SUBMIT] is None,
        "may_return": moves[workflow.Move.RETURN] is None,
        "may_accept": moves[workflow.Move.ACCEPT] is None,
        "may_reopen": moves[workflow.Move.REOPEN] is None,
        "may_request_input": moves[workflow.Move.ASK_INPUT] is None,
        "conflict": conflict,
        "deadline": workflow.report_deadline(report), "today": timezone.localdate(),
        "previous": reads.previous_report(request.user, report),
        "supporting": supporting,
        "contributions": _listed(report, "has_contributions", lambda: report.contributions.select_related("agency", "answered_by")),
        "contribution_form": (ContributionRequestForm.to_display(askable)
                              if moves[workflow.Move.ASK_INPUT] is None and askable else None),
        "nobody_to_ask": moves[workflow.Move.ASK_INPUT] is None and not askable,
        "attachments": _listed(report, "has_attachments", lambda: report.attachments.select_related("uploaded_by")),
        "attachment_form": AttachmentForm() if editable else None,
        "events": events,
        # Who wrote the comment shown, and when: the latest return, reopen or acceptance (a reopen
        # keeps the acceptance's reviewer and time on the report, so those would date its reason wrongly).
        "comment_event": next((e for e in sorted(events, key=lambda e: e.at, reverse=True)
                               if e.kind in (ReportEvent.Kind.RETURN, ReportEvent.Kind.REOPEN, ReportEvent.Kind.ACCEPT)), None),
        "changes": changes, "older_changes_hidden": older_changes_hidden, "history_shown": HISTORY_SHOWN,
        "status_help": Report.STATUS_HELP,
        "just_saved": request.GET.get("saved") == "1",
        "max_upload_mb": _mb(),
    }
    return render(request, "reporting/report.html", context, status=status)


def _mb():
    from django.conf import settings

    return f"{settings.MAX_UPLOAD_BYTES / 1048576:g}"


# --- the officer's home ------------------------------------------------------------------------

# What the officer's home shows of each report, read as plain rows (reads.home_lines): this page is
# most of an officer's requests on deadline day, and building a Report with its cycle, plan, item and
# agency for every row (the same cycle and agency each time) cost ~0.6 ms more for 15 rows (1.8
# against 1.2 ms, query included, measured interleaved in one process).
_HOME_COLUMNS = ("pk", "state", "status", "percent_complete", "late", "submitted_at", "review_comment", "updated_at",
                 "item__code", "item__title", "cycle_id", "cycle__kind", "cycle__year", "cycle__due_at",
                 "cycle__opens_on", "cycle__closes_on", "cycle__plan_id", "cycle__plan__number", "agency_id",
                 "agency__name")


class HomeLine:
    """One report as the home lists it: what the report_row and report_state tags and the list of
    returned reports read of a Report, no more."""

    __slots__ = ("pk", "state", "status", "percent_complete", "late", "submitted_at", "review_comment", "updated_at",
                 "item")

    def __init__(self, row: dict):
        for name in self.__slots__[:-1]:
            setattr(self, name, row[name])
        self.item = SimpleNamespace(code=row["item__code"], title=row["item__title"])  # not a PlanItem: 10 µs a row

    def get_state_display(self) -> str:
        return S(self.state).label


def _home_cycle(row: dict) -> ReportingCycle:
    """The cycle of a group of home lines, with its plan's number (what the group's heading, its
    deadline and the extension form read)."""
    return ReportingCycle(pk=row["cycle_id"], kind=row["cycle__kind"], year=row["cycle__year"], due_at=row["cycle__due_at"],
                          opens_on=row["cycle__opens_on"], closes_on=row["cycle__closes_on"],
                          plan=Plan(pk=row["cycle__plan_id"], number=row["cycle__plan__number"]))


def home(request):
    scope = scope_for(request.user)
    oversight = scope.reviewer_jurisdiction_ids | scope.leader_jurisdiction_ids
    if not scope.agency_ids:
        if oversight or scope.is_admin:
            return redirect("reporting:queue")
        return render(request, "reporting/home.html", {"no_agency": True})
    today, now = timezone.localdate(), timezone.now()
    state = request.GET.get("state") if request.GET.get("state") in S.values else ""
    lines = reads.home_lines(request.user, scope.agency_ids, today, _HOME_COLUMNS)
    groups: OrderedDict = OrderedDict()
    for row in lines:
        key = (row["cycle_id"], row["agency_id"])
        if key not in groups:
            groups[key] = {"cycle": _home_cycle(row), "agency": Agency(pk=row["agency_id"], name=row["agency__name"]),
                           "reports": [], "counts": Counter()}
        line = HomeLine(row)
        groups[key]["reports"].append(line)
        groups[key]["counts"][line.state] += 1
    # The list shows the cycle's kind and year and the agency, not the plan nor who asked: two joins fewer.
    extensions = reads.home_extensions(scope.agency_ids, today)
    for group in groups.values():
        # One deadline per agency and cycle, from the extensions listed below: no query per group.
        deadline = workflow.agency_deadline(group["cycle"], group["agency"].pk, extensions)
        group["deadline"] = deadline
        group["extended"] = deadline != group["cycle"].due_at
        group["days_left"] = (timezone.localtime(deadline).date() - today).days
        group["overdue"] = deadline < now
        group["days_overdue"] = max(-group["days_left"], 0)
        group["state_counts"] = [(s, S(s).label, group["counts"].get(s, 0)) for s in STATE_ORDER]
        group["returned"] = [r for r in group["reports"] if r.state == S.RETURNED]
        group["done"] = group["counts"][S.SUBMITTED] + group["counts"][S.ACCEPTED]
        # A status chip filters the list; a group with work left stays open, a finished one folds.
        group["shown"] = [r for r in group["reports"] if not state or r.state == state]
        group["open"] = bool(state) or group["done"] < len(group["reports"])
    # A supporting agency may owe no report at all and still be asked for input.
    # What the list shows, no more (not the item's full text, nor the request's message).
    contributions = reads.home_contributions(request.user, scope.agency_ids, today)
    targets = [(g["cycle"], g["agency"]) for g in groups.values()]
    headed = [m.agency_id for m in scope.memberships if access.may_grant_submit(request.user, m.agency_id)]
    return render(request, "reporting/home.html", {
        "groups": list(groups.values()), "contributions": contributions, "extensions": extensions,
        "extension_form": ExtensionRequestForm(targets=targets) if targets else None,
        "oversight": bool(oversight) or scope.is_admin, "today": today, "state": state,
        # Most users head no agency: no query to build for them.
        "headed": reads.agencies_by_name(headed) if headed else [],
    })


@post_only(lambda: reverse("reporting:home"))
def extension_request(request):
    scope = scope_for(request.user)
    cycles_qs = ReportingCycle.objects.for_user(request.user)
    agencies = list(Agency.objects.filter(pk__in=scope.agency_ids))
    targets = [(c, a) for c in cycles_qs.filter(reports__agency_id__in=scope.agency_ids).distinct() for a in agencies]
    form = ExtensionRequestForm(request.POST, targets=targets)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn kỳ báo cáo và cơ quan.") if form.has_error("target")
                       else _("Hãy nhập hạn mới đề nghị theo dạng dd/mm/yyyy.") if form.has_error("proposed_due_on")
                       else " ".join(form.errors["reason"]))
        return redirect("reporting:home")
    cycle_id, agency_id = form.target_ids()
    cycle = get_object_or_404(cycles_qs, pk=cycle_id)
    _attempt(request, lambda: workflow.extension_request(cycle=cycle, agency_id=agency_id, user=request.user,
                                                         reason=form.cleaned_data["reason"],
                                                         proposed_due_on=form.cleaned_data["proposed_due_on"]),
             _("Đã gửi đề nghị gia hạn; Sở đầu mối sẽ xem xét."))
    return redirect("reporting:home")


# --- the report page and its actions -----------------------------------------------------------

def report_detail(request, pk):
    return _render_report(request, _get_report_page(request, pk))


def report_changes(request, pk):
    """Every save of a report, field by field, newest first, CHANGES_PER_PAGE at a time: the report
    page shows the latest HISTORY_SHOWN and links here."""
    report = _get_report(request, pk)
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    changes, older = _changes(report, skip=(page - 1) * CHANGES_PER_PAGE, count=CHANGES_PER_PAGE)
    if page > 1 and not changes and not older:
        raise Http404("No such page of changes")
    _with_authors(changes, _people({c["user_id"] for c in changes}))
    return render(request, "reporting/report_changes.html", {
        "report": report, "item": report.item, "cycle": report.cycle, "plan": report.cycle.plan,
        "member": access.is_member(request.user, report.agency_id),
        "changes": changes, "page": page, "older_page": page + 1 if older else None,
        "newer_page": page - 1 if page > 1 else None,
    })


@post_only(_to_report)
def report_save(request, pk):
    report = _get_report_row(request, pk)
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        messages.error(request, _("Chưa lưu: hãy sửa các ô được đánh dấu."))
        return _render_report(request, _get_report_page(request, pk), form=form)
    try:
        workflow.report_save(report, user=request.user, data=form.report_data(),
                             base_version=form.cleaned_data["base_version"])
    except workflow.EditConflict as exc:
        current = _get_report_page(request, pk)
        mine_form = ReportForm(report=current, initial={**exc.mine, "base_version": current.version})
        return _render_report(request, current, form=mine_form, status=409, conflict={
            "message": str(exc), "rows": _comparison(current, exc.mine), "current": current})
    except workflow.WorkflowError as exc:
        _error(request, exc)
        return redirect(_to_report(pk))
    messages.success(request, _("Đã lưu bản nháp."))
    return redirect(_to_report(pk) + "?saved=1")


def _simple_action(func, success, *, field=None, form_class=None):
    """A POST-only view calling one workflow move on a visible report."""
    @post_only(_to_report)
    def view(request, pk):
        report = _get_report_row(request, pk)

        def move():
            kwargs = {field: _posted_text(form_class, request, field)} if form_class is not None else {}
            return func(report, user=request.user, **kwargs)

        _attempt(request, move, success())
        return redirect(_to_report(pk))
    view.__name__ = func.__name__
    return view


report_submit = _simple_action(workflow.report_submit, lambda: _("Đã gửi báo cáo tới Sở đầu mối."))
report_return = _simple_action(workflow.report_return, lambda: _("Đã trả lại báo cáo kèm ý kiến."),
                               field="comment", form_class=CommentForm)
report_accept = _simple_action(workflow.report_accept, lambda: _("Đã chấp nhận báo cáo; báo cáo đã khóa."),
                               field="comment", form_class=CommentForm)
report_reopen = _simple_action(workflow.report_reopen, lambda: _("Đã mở lại báo cáo để cơ quan chỉnh sửa."),
                               field="reason", form_class=ReopenForm)


@post_only(_to_report)
def contribution_request(request, pk):
    report = _get_report(request, pk)
    form = ContributionRequestForm(request.POST, agencies=Agency.objects.filter(
        pk__in=[agency.pk for agency, _group in workflow.askable_agencies(report)]))
    if not form.is_valid():
        messages.error(request, _("Chưa gửi đề nghị phối hợp: ") + " ".join(
            f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
        return redirect(_to_report(pk))
    data = form.cleaned_data
    _attempt(request, lambda: workflow.contribution_request(report=report, agency_id=data["agency"].pk,
                                                            user=request.user, due_on=data["due_on"],
                                                            message=data["message"]),
             _("Đã gửi đề nghị phối hợp tới %(agency)s.") % {"agency": data["agency"]})
    return redirect(_to_report(pk))


# --- evidence ----------------------------------------------------------------------------------

@post_only(_to_report)
def attachment_upload(request, pk):
    report = _get_report(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        # A chosen file that is empty is refused by the form itself: say so, not "choose a file".
        empty = "file" in request.FILES and form.has_error("file", "empty")
        messages.error(request, _("Tệp rỗng.") if empty else _("Hãy chọn một tệp minh chứng."))
        return redirect(_to_report(pk))
    try:
        attachment = uploads.attach(report, user=request.user, uploaded=form.cleaned_data["file"])
    except (ValidationError, workflow.WorkflowError) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Đã nộp minh chứng “%(name)s”.") % {"name": attachment.original_name})
    return redirect(_to_report(pk) + "#evidence")


def _get_attachment(request, pk) -> Attachment:
    return get_object_or_404(Attachment.objects.select_related("report__cycle__plan")
                             .filter(report__in=_visible_reports(request)), pk=pk)


def attachment_download(request, pk):
    attachment = _get_attachment(request, pk)
    try:
        handle = files.open_for_download(attachment.file.storage, attachment.file.name)
    except files.StoreUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(_to_report(attachment.report_id) + "#evidence")
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@post_only(lambda pk: reverse("reporting:home"))
def attachment_delete(request, pk):
    attachment = _get_attachment(request, pk)
    try:
        uploads.remove(attachment, user=request.user)
    except (ValidationError, workflow.WorkflowError) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Đã xóa minh chứng “%(name)s”.") % {"name": attachment.original_name})
    return redirect(_to_report(attachment.report_id) + "#evidence")


# --- contributions from supporting agencies ----------------------------------------------------

def contributions(request):
    scope = scope_for(request.user)
    requests_ = list(
        access.contributions_visible_to(ContributionRequest.objects.all(), request.user)
        .filter(agency_id__in=scope.agency_ids)
        .select_related("report__item", "report__agency", "report__cycle__plan", "agency", "answered_by")
        .order_by("answered_at", "due_on")
    )
    for r in requests_:
        r.form = ContributionAnswerForm(initial={"answer": r.answer}, prefix=f"c{r.pk}")
    return render(request, "reporting/contributions.html", {"requests": requests_, "today": timezone.localdate()})


@post_only(lambda pk: reverse("reporting:contributions"))
def contribution_answer(request, pk):
    req = get_object_or_404(access.contributions_visible_to(ContributionRequest.objects.all(), request.user), pk=pk)
    _attempt(request, lambda: workflow.contribution_answer(
        req, user=request.user, answer=_posted_text(ContributionAnswerForm, request, "answer", prefix=f"c{req.pk}")),
        _("Đã gửi nội dung đóng góp."))
    return redirect("reporting:contributions")


# --- the reviewer's queue ----------------------------------------------------------------------

def _oversight_cycles(request):
    access.require_oversight(request.user)
    return (ReportingCycle.objects.select_related("plan")
            .filter(plan__in=access.plans_overseen_by(request.user)).order_by("-year", "plan__number", "kind"))


def queue(request):
    all_cycles = list(_oversight_cycles(request))
    today = timezone.localdate()
    chosen = request.GET.get("cycle")
    cycle = next((c for c in all_cycles if str(c.pk) == chosen), None) or \
        next((c for c in all_cycles if c.is_open(today) and c.kind == ReportingCycle.Kind.ANNUAL), None) or \
        (all_cycles[0] if all_cycles else None)
    if cycle is None:
        return render(request, "reporting/queue.html", {"cycle": None})
    themes = list(PlanItem.objects.filter(plan_id=cycle.plan_id, level=PlanItem.Level.THEME).only("code", "title", "sort_key"))
    in_cycle = _visible_reports(request).filter(cycle=cycle)
    agencies = list(Agency.objects.filter(pk__in=in_cycle.values("agency_id")).only("id", "name"))
    data = request.GET.copy()
    data.setdefault("state", S.SUBMITTED)
    data["cycle"] = str(cycle.pk)
    form = QueueFilterForm(data, cycles=all_cycles, themes=themes, agencies=agencies)
    filters = form.cleaned_data if form.is_valid() else {"state": S.SUBMITTED}
    reports = in_cycle.select_related("item", "agency", "submitted_by").defer(
        "results", "outputs", "difficulties", "proposals", "item__text", "item__search_text")
    if filters.get("state"):
        reports = reports.filter(state=filters["state"])
    if filters.get("agency"):
        reports = reports.filter(agency_id=filters["agency"])
    if filters.get("theme"):
        reports = reports.filter(Q(item__code=filters["theme"]) | Q(item__code__startswith=filters["theme"] + "."))
    reports = list(reports.order_by("item__sort_key"))
    counts = dict(in_cycle.order_by().values_list("state").annotate(n=Count("id")))
    can_act = access.is_reviewer_of(request.user, cycle.plan)
    extensions = list(Extension.objects.filter(cycle__in=[c.pk for c in all_cycles], state=Extension.State.REQUESTED)
                      .select_related("cycle__plan", "agency", "requested_by").order_by("requested_at"))
    for ext in extensions:
        ext.can_decide = access.is_reviewer_of(request.user, ext.cycle.plan)
    unassigned = [{"item": o.item, "reason": cycles.UNASSIGNED_REASONS.get(o.reason, o.reason)}
                  for o in cycles.unassigned(cycle)]
    return render(request, "reporting/queue.html", {
        "cycle": cycle, "form": form, "reports": reports, "can_act": can_act,
        "counts": [(s, S(s).label, counts.get(s, 0)) for s in STATE_ORDER], "total": sum(counts.values()),
        "extensions": extensions, "unassigned": unassigned, "grant_form": ExtensionGrantForm(),
        "bulk_possible": can_act and filters.get("state") == S.SUBMITTED,
    })


@post_only(lambda: reverse("reporting:queue"))
def bulk_accept(request):
    ids = [int(v) for v in request.POST.getlist("report") if v.isdigit()]
    if not ids:
        messages.error(request, _("Chưa chọn báo cáo nào."))
        return _back(request, "reporting:queue")
    reports = list(_visible_reports(request).filter(pk__in=ids).select_related("cycle__plan"))
    if len(reports) != len(set(ids)):
        raise Http404
    try:
        done = workflow.bulk_accept(reports, user=request.user)
    except workflow.WorkflowError as exc:
        if exc.forbidden:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, _("Không chấp nhận báo cáo nào (chấp nhận hàng loạt là tất cả hoặc không): %(why)s")
                       % {"why": exc})
    else:
        messages.success(request, _("Đã chấp nhận %(n)s báo cáo.") % {"n": done})
    return _back(request, "reporting:queue")


def _get_extension(request, pk) -> Extension:
    """An extension the user may see: their agency's, or one of a plan they oversee (else 404)."""
    visible = Q(agency_id__in=access.member_agency_ids(request.user)) | Q(
        cycle__plan__in=access.plans_overseen_by(request.user))
    return get_object_or_404(Extension.objects.filter(visible), pk=pk)


@post_only(lambda pk: reverse("reporting:queue"))
def extension_grant(request, pk):
    ext = _get_extension(request, pk)
    form = ExtensionGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hạn mới không hợp lệ; nhập theo dạng dd/mm/yyyy.") if form.has_error("new_due_on")
                       else " ".join(form.errors["comment"]))
        return _back(request, "reporting:queue")
    new_due_on = form.cleaned_data["new_due_on"]
    _attempt(request, lambda: workflow.extension_grant(ext, user=request.user, new_due_on=new_due_on,
                                                       comment=form.cleaned_data["comment"]),
             _("Đã gia hạn cho %(agency)s đến %(day)s.") % {"agency": ext.agency, "day": f"{new_due_on:%d/%m/%Y}"})
    return _back(request, "reporting:queue")


@post_only(lambda pk: reverse("reporting:queue"))
def extension_refuse(request, pk):
    ext = _get_extension(request, pk)
    _attempt(request, lambda: workflow.extension_refuse(ext, user=request.user,
                                                        comment=_posted_text(CommentForm, request, "comment")),
             _("Đã từ chối đề nghị gia hạn của %(agency)s.") % {"agency": ext.agency})
    return _back(request, "reporting:queue")


# --- who of an agency may submit (its heads decide) ----------------------------------------------

def submitters(request, agency_id):
    """The head's page: grant and withdraw "may submit" for the agency's officers."""
    agency = access.submitters_agency_or_404(request.user, agency_id)
    if request.method == "POST":
        target = get_object_or_404(Membership.objects.filter(agency=agency), pk=request.POST.get("membership") or 0)
        allowed = request.POST.get("allowed") == "1"
        try:
            memberships.set_may_submit(target, allowed=allowed, by=request.user)
        except memberships.SubmitRightError as exc:
            messages.error(request, str(exc))
        else:
            who = target.user.get_full_name() or target.user.username
            messages.success(request, (_("Đã cho phép %(who)s gửi báo cáo.") if allowed
                                       else _("Đã thu hồi quyền gửi báo cáo của %(who)s.")) % {"who": who})
        return redirect("reporting:submitters", agency.pk)
    return render(request, "reporting/submitters.html", {
        "agency": agency, "officers": memberships.officers_of(agency.pk),
        "heads": [m for m in memberships.who_may_submit(agency.pk) if m.role == Membership.Role.HEAD],
        "history": memberships.submit_right_history(agency.pk),
    })
