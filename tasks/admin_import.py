"""Importing the appendix from the admin: upload, preview (a dry run), then confirm."""
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse

from .importers.load import import_appendix
from .importers.service import ImportFailed
from .models import ImportLog, Plan

PENDING_DIR = Path(settings.BASE_DIR) / "var" / "imports"


class AppendixUploadForm(forms.Form):
    file = forms.FileField(label="Tệp phụ lục (.xlsx hoặc văn bản .txt)")
    plan = forms.ModelChoiceField(Plan.objects.all(), required=False, label="Nhập vào kế hoạch có sẵn",
                                  help_text="Bỏ trống để nhận diện kế hoạch theo nội dung tệp.")
    corrections = forms.ChoiceField(label="Tệp đính chính đã rà soát", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        found = sorted((Path(settings.BASE_DIR) / "fixtures").glob("corrections-*.json"))
        self.fields["corrections"].choices = [("", "Không áp dụng")] + [(p.name, p.name) for p in found]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"{upload.name}: tệp quá lớn ({upload.size / 1024 / 1024:.1f} MB; tối đa "
                f"{settings.MAX_IMPORT_BYTES // (1024 * 1024)} MB).")
        return upload


def appendix_import_view(request):
    """Step 1 uploads and previews (nothing written); step 2 applies the same file."""
    context = {**admin.site.each_context(request), "title": "Nhập phụ lục kế hoạch"}
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request, context)
    form = AppendixUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        PENDING_DIR.mkdir(parents=True, exist_ok=True)
        suffix = ".xlsx" if form.cleaned_data["file"].name.lower().endswith(".xlsx") else ".txt"
        pending = PENDING_DIR / f"{token}{suffix}"
        with pending.open("wb") as fh:
            for chunk in form.cleaned_data["file"].chunks():
                fh.write(chunk)
        request.session["appendix_import"] = {
            "token": token, "path": str(pending), "name": form.cleaned_data["file"].name,
            "plan": form.cleaned_data["plan"].code if form.cleaned_data["plan"] else None,
            "corrections": form.cleaned_data["corrections"] or None,
        }
        context.update(_run(request, request.session["appendix_import"], dry_run=True))
        context["token"] = token
        return render(request, "admin/tasks/appendix_preview.html", context)
    context["form"] = form
    return render(request, "admin/tasks/appendix_upload.html", context)


def _run(request, pending: dict, *, dry_run: bool) -> dict:
    source = Path(pending["path"])
    named = source.with_name(pending["name"].replace("/", "_"))
    corrections = Path(settings.BASE_DIR) / "fixtures" / pending["corrections"] if pending.get("corrections") else None
    try:
        source.rename(named)
        report = import_appendix(named, plan_code=pending["plan"], dry_run=dry_run, corrections=corrections,
                                 user=request.user)
        return {"report": report, "errors": []}
    except ImportFailed as failure:
        return {"report": None, "errors": failure.errors}
    finally:
        if named.exists():
            named.rename(source)


def _confirm(request, context):
    pending = request.session.get("appendix_import")
    if not pending or pending["token"] != request.POST["token"] or not Path(pending["path"]).exists():
        messages.error(request, "Phiên xem trước đã hết hạn; hãy tải tệp lên lại.")
        return redirect("admin:tasks_plan_import")
    result = _run(request, pending, dry_run=False)
    Path(pending["path"]).unlink(missing_ok=True)
    del request.session["appendix_import"]
    if result["errors"]:
        messages.error(request, "Nhập thất bại, không có gì được ghi: " + " | ".join(result["errors"][:5]))
    else:
        messages.success(request, f"Đã nhập {pending['name']}: {len(result['report'].created)} tạo mới, "
                                  f"{len(result['report'].updated)} cập nhật, {result['report'].unchanged} không đổi.")
    log = ImportLog.objects.order_by("-pk").first()
    return redirect(reverse("admin:tasks_importlog_change", args=[log.pk]) if log else "admin:tasks_plan_changelist")


