"""The cycle workbook pages: download, upload → preview, confirm.

Between preview and confirm the uploaded file waits (`pending.py`); confirm reads and checks it
again (reports may have changed meanwhile). Only members of the agency get these pages; anyone
else gets 404.
"""
from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency

from reporting.reports import access, files
from reporting.workbook import layout, pending, read
from reporting.workbook.apply import ApplyFailed, apply
from reporting.reports.evidence import clean_name
from reporting.models import Report, ReportingCycle

class UploadForm(forms.Form):
    # Empty files reach the reader, which says "tệp rỗng" with the file's name.
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"), allow_empty_file=True)


def _target(request, cycle_id, agency_id):
    if not access.is_member(request.user, agency_id):
        raise Http404
    cycle = get_object_or_404(ReportingCycle.objects.select_related("plan"), pk=cycle_id)
    agency = get_object_or_404(Agency, pk=agency_id)
    if not Report.objects.filter(cycle=cycle, agency=agency).exists():
        raise Http404
    return cycle, agency


def _home(cycle, agency):
    return reverse("reporting:home") + f"#cycle-{cycle.pk}-{agency.pk}"


def _upload_url(cycle, agency):
    return reverse("reporting:workbook_upload", args=[cycle.pk, agency.pk])


def _render_preview(request, cycle, agency, preview, *, token=None, notice="", status=200):
    return render(request, "reporting/workbook_preview.html", {
        "cycle": cycle, "agency": agency, "preview": preview, "token": token, "notice": notice,
        "home_url": _home(cycle, agency), "upload_url": _upload_url(cycle, agency),
        "changed_cells": sum(len(c.fields) for c in preview.changes),
    }, status=status)


# --- views ----------------------------------------------------------------------------------

def workbook_download(request, cycle_id, agency_id):
    cycle, agency = _target(request, cycle_id, agency_id)
    data = layout.build(cycle, agency, user=request.user)
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=layout.file_name(cycle, agency),
                            content_type=layout.XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


def workbook_upload(request, cycle_id, agency_id):
    cycle, agency = _target(request, cycle_id, agency_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"cycle": cycle, "agency": agency, "form": form, "home_url": _home(cycle, agency),
               "max_mb": f"{settings.MAX_IMPORT_BYTES / 1048576:g}".replace(".", ",")}
    if request.method != "POST":
        return render(request, "reporting/workbook_upload.html", context)
    if not form.is_valid():
        return render(request, "reporting/workbook_upload.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    name = clean_name(uploaded.name)
    too_big = read.check_size(uploaded.size)
    if too_big:  # refused before reading it into memory
        return _render_preview(request, cycle, agency, read.Preview(file_name=name, problems=[too_big]))
    data = uploaded.read()
    preview = read.read_upload(data, name, cycle=cycle, agency=agency, user=request.user)
    token = None
    if preview.ok and preview.has_changes:
        try:
            token = pending.keep(request.session, data, name, cycle, agency, preview.fingerprint())
        except files.STORAGE_ERRORS:
            return _render_preview(request, cycle, agency, preview, status=503, notice=str(files.UNAVAILABLE))
    return _render_preview(request, cycle, agency, preview, token=token)


def workbook_confirm(request, cycle_id, agency_id):
    cycle, agency = _target(request, cycle_id, agency_id)
    if request.method != "POST":
        return redirect(_upload_url(cycle, agency))
    token = request.POST.get("token", "")
    entry = pending.waiting(request.session).get(token)
    if not entry or entry["cycle"] != cycle.pk or entry["agency"] != agency.pk:
        messages.error(request, _("Không còn tệp chờ xác nhận (đã lưu, đã hủy hoặc phiên làm việc đã hết); "
                                  "hãy tải tệp lên lại."))
        return redirect(_upload_url(cycle, agency))
    if request.POST.get("action") == "cancel":
        pending.forget(request.session, token)
        messages.info(request, _("Đã hủy; không có gì được lưu."))
        return redirect(_home(cycle, agency))
    try:
        data = pending.read(entry)
    except files.STORAGE_ERRORS as exc:
        if not files.is_missing(exc):  # the store is down: the file may still be there, keep the token
            messages.error(request, str(files.UNREADABLE))
            return redirect(_upload_url(cycle, agency))
        pending.forget(request.session, token)
        messages.error(request, _("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
        return redirect(_upload_url(cycle, agency))
    # Checked again: a report may have been saved, submitted or accepted since the preview.
    preview = read.read_upload(data, entry["name"], cycle=cycle, agency=agency, user=request.user)
    if preview.ok and preview.has_changes and preview.fingerprint() != entry["fingerprint"]:
        pending.refingerprint(request.session, token, preview.fingerprint())
        return _render_preview(request, cycle, agency, preview, token=token, status=409, notice=_(
            "Dữ liệu trên hệ thống đã thay đổi từ lúc xem trước; chưa lưu gì. Hãy xem lại rồi xác nhận lần nữa."))
    pending.forget(request.session, token)
    if not preview.ok:
        return _render_preview(request, cycle, agency, preview, status=409, notice=_(
            "Dữ liệu trên hệ thống đã thay đổi từ lúc xem trước và tệp không còn hợp lệ; không lưu gì."))
    if not preview.has_changes:
        messages.info(request, _("Không có thay đổi nào để lưu."))
        return redirect(_home(cycle, agency))
    try:
        saved = apply(preview, user=request.user, cycle=cycle)
    except ApplyFailed as failure:
        preview.problems = failure.problems
        return _render_preview(request, cycle, agency, preview, status=409,
                               notice=_("Không lưu báo cáo nào (tải lên là tất cả hoặc không)."))
    messages.success(request, _("Đã lưu %(n)s báo cáo từ tệp “%(name)s”.") % {"n": saved, "name": entry["name"]})
    return redirect(_home(cycle, agency))


# Included by reporting/urls.py under the "reporting" namespace (mounted at /reports/).
