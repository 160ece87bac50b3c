"""The province report's pages: the form that starts a generation, the job's progress, the download;
the official (signed) report: upload of a copy signed elsewhere, its verification, the history,
and the public link to the signed PDF.

The report is built by reporting/province/build.py and generated as a job (province/jobs.py);
signing and verifying are province/signing.py, verify.py and official.py; who may ask for it is
decided by reporting.reports.access."""
from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import OfficialReport, ProvinceReportJob
from reporting.province.build import DocMeta, default_meta, settings_for
from reporting.province.formats import CONTENT_TYPES
from reporting.province import signing
from reporting.province.jobs import generate_province_report, retry, settle
from reporting.province.official import OfficialReportRefused, accept_signed_upload, needs_reason
from reporting.reports import access, files
from reporting.reports.forms import FreeTextField

logger = logging.getLogger(__name__)


class ProvinceReportForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Số văn bản"), max_length=80, strip=False,
                             help_text=gettext_lazy("Ví dụ “125/BC-STC”; để trống phần số nếu chưa lấy số."))
    date = forms.DateField(label=gettext_lazy("Ngày ban hành"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                           help_text=gettext_lazy("dd/mm/yyyy"))
    place = forms.CharField(label=gettext_lazy("Địa danh"), max_length=80)
    signer_authority = forms.CharField(label=gettext_lazy("Thẩm quyền ký"), max_length=40, required=False,
                                       help_text=gettext_lazy("Ví dụ “KT. GIÁM ĐỐC”; trống khi người đứng đầu ký."))
    signer_title = forms.CharField(label=gettext_lazy("Chức vụ người ký"), max_length=120)
    signer_name = forms.CharField(label=gettext_lazy("Họ tên người ký"), max_length=120, required=False)
    ministry = forms.CharField(label=gettext_lazy("Kính gửi (Bộ nhận báo cáo)"), max_length=255)
    recipients = FreeTextField(label=gettext_lazy("Nơi nhận (mỗi dòng một nơi)"), required=True,
                               widget=forms.Textarea(attrs={"rows": 5}))
    format = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=ProvinceReportJob.Format.choices)
    save_defaults = forms.BooleanField(label=gettext_lazy("Lưu làm mặc định cho kế hoạch này"), required=False)
    sign = forms.BooleanField(label=gettext_lazy("Ký số trên máy chủ bằng chứng thư của cơ quan (chỉ PDF)"),
                              required=False)
    replacement_reason = FreeTextField(
        label=gettext_lazy("Lý do tạo lại"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kỳ này đã có báo cáo chính thức (đã ký). Báo cáo mới, khi được ký, sẽ thay thế "
                               "bản đó; cả hai đều được lưu."))

    def __init__(self, *args, can_sign: bool = False, replacing: bool = False, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        if plans:  # a jurisdiction-wide cycle: the report on all its plans, or on one
            self.fields["plan"] = forms.ChoiceField(
                label=gettext_lazy("Phạm vi"), required=False,
                choices=[("", _("Tổng hợp các kế hoạch (mỗi kế hoạch một phần, có số tổng cộng)"))]
                + [(p.code, p.display_name()) for p in plans])
        if not can_sign:
            del self.fields["sign"]
        if replacing:
            self.fields["replacement_reason"].required = True
        else:
            del self.fields["replacement_reason"]

    def clean(self):
        data = super().clean()
        if data.get("sign") and data.get("format") != ProvinceReportJob.Format.PDF:
            self.add_error("sign", _("Chỉ ký số được tệp PDF."))
        return data

    def meta(self) -> DocMeta:
        d = self.cleaned_data
        return DocMeta(number=d["number"], date=d["date"], place=d["place"].strip(), signer_name=d["signer_name"].strip(),
                       signer_title=d["signer_title"].strip(), signer_authority=d["signer_authority"].strip(),
                       recipients=[line.strip().lstrip("-").strip() for line in d["recipients"].splitlines() if line.strip()],
                       ministry=d["ministry"].strip())


def _require_reviewer(request, cycle):
    if not access.is_reviewer_of(request.user, cycle.plan):
        raise PermissionDenied(_("Chỉ cán bộ thẩm định hoặc quản trị được tạo báo cáo tỉnh."))


def start_report_job(job_id: int) -> None:
    """Queue the generation; if the broker is unreachable, generate it here rather than leave the
    reviewer watching a job that never starts (the page only takes longer)."""
    try:
        generate_province_report.delay(job_id)
    except Exception:  # kombu raises several types when Redis is down
        logger.warning("province report job %s: broker unavailable, generating in-process", job_id)
        generate_province_report.apply(args=[job_id])


def province_report(request, cycle_id):
    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    _require_reviewer(request, cycle)
    plans = cycle.plans() if cycle.consolidated else ()
    options = {"can_sign": signing.is_configured(), "replacing": needs_reason(cycle), "plans": plans}
    if request.method == "POST":
        form = ProvinceReportForm(request.POST, **options)
        if form.is_valid():
            meta = form.meta()
            if form.cleaned_data["save_defaults"]:
                _save_defaults(cycle.plan, meta)
            params = meta.as_json()
            if form.cleaned_data.get("plan"):
                params["plan"] = form.cleaned_data["plan"]
            job = ProvinceReportJob.objects.create(
                cycle=cycle, format=form.cleaned_data["format"], params=params, requested_by=request.user,
                sign=form.cleaned_data.get("sign", False),
                replacement_reason=form.cleaned_data.get("replacement_reason", "").strip())
            transaction.on_commit(lambda: start_report_job(job.pk))
            return redirect("dashboard:job", job.pk)
    else:
        meta = default_meta(cycle)
        form = ProvinceReportForm(initial={
            **meta.as_json(), "date": meta.date.strftime("%d/%m/%Y"), "recipients": "\n".join(meta.recipients),
            "format": "pdf",
        }, **options)
    jobs = [settle(job) for job in ProvinceReportJob.objects.filter(cycle=cycle).order_by("-created_at")[:10]]
    return render(request, "reporting/dashboard/province_report_form.html",
                  {"cycle": cycle, "plan": cycle.plan, "form": form, "jobs": jobs,
                   "official": OfficialReport.objects.filter(cycle=cycle).first()})


def _save_defaults(plan, meta: DocMeta) -> None:
    prefs = settings_for(plan)
    prefs.signer_name, prefs.signer_title, prefs.signer_authority = meta.signer_name, meta.signer_title, meta.signer_authority
    prefs.place = meta.place
    prefs.ministry_name = "" if meta.ministry == plan.ministry_name else meta.ministry
    prefs.recipients = "\n".join(line.replace(meta.ministry, "{ministry}") for line in meta.recipients)
    prefs.save()


def _job_for(request, pk) -> ProvinceReportJob:
    job = get_object_or_404(ProvinceReportJob.objects.select_related("cycle__plan"), pk=pk)
    if not access.is_overseer_of(request.user, job.cycle.plan):
        raise Http404
    _require_reviewer(request, job.cycle)
    return settle(job)  # a job whose worker died is shown, and kept, as failed


def job_status(request, pk):
    job = _job_for(request, pk)
    return render(request, "reporting/dashboard/job.html", {"job": job, "cycle": job.cycle, "plan": job.cycle.plan})


def job_json(request, pk):
    job = _job_for(request, pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(), "progress": job.progress,
        "message": job.message, "finished": job.finished,
        "download": reverse("dashboard:job_download", args=[job.pk]) if job.status == job.Status.DONE else None,
        "retry": reverse("dashboard:job_retry", args=[job.pk]) if job.status == job.Status.FAILED else None,
    })


def job_retry(request, pk):
    """Run a failed job (or one whose worker died) again; a GET goes to the job's page."""
    job = _job_for(request, pk)
    if request.method == "POST" and retry(job.pk):
        transaction.on_commit(lambda: start_report_job(job.pk))
    return redirect("dashboard:job", job.pk)


def job_download(request, pk):
    job = _job_for(request, pk)
    if job.status != job.Status.DONE or not job.file_path:
        raise Http404
    try:
        handle = files.open_for_download(default_storage, job.file_path)
    except files.StoreUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:job", job.pk)
    name = job.file_path.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format])


# --- the official (signed) report ------------------------------------------------------------------

class SignedUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp PDF đã ký số"))
    reason = FreeTextField(label=gettext_lazy("Lý do thay thế"), widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("Bắt buộc khi kỳ đã có báo cáo chính thức; bản cũ vẫn được lưu."))

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = replacing

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp “%(name)s” quá lớn (tối đa %(mb)s MB).") % {
                "name": upload.name, "mb": f"{settings.MAX_UPLOAD_BYTES / 1048576:g}"})
        return upload


def official_report(request, cycle_id):
    """The cycle's official report and its history; a reviewer uploads a copy signed elsewhere."""
    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    _require_reviewer(request, cycle)
    replacing = needs_reason(cycle)
    problems = []
    if request.method == "POST":
        form = SignedUploadForm(request.POST, request.FILES, replacing=replacing)
        if form.is_valid():
            try:
                accept_signed_upload(cycle=cycle, data=form.cleaned_data["file"].read(), by=request.user,
                                     reason=form.cleaned_data["reason"])
            except OfficialReportRefused as exc:
                problems = exc.verification.problems if exc.verification and exc.verification.problems else [str(exc)]
            else:
                messages.success(request, _("Đã kiểm tra và lưu báo cáo chính thức (đã ký)."))
                return redirect("dashboard:official_report", cycle.pk)
    else:
        form = SignedUploadForm(replacing=replacing)
    history = OfficialReport.objects.filter(cycle=cycle).select_related("stored_by", "job", "replaces")
    done = (ProvinceReportJob.objects.filter(cycle=cycle, format=ProvinceReportJob.Format.PDF,
                                             status=ProvinceReportJob.Status.DONE, countersign__isnull=True)
            .exclude(document_id="").first())  # the latest generated PDF, the one to sign
    return render(request, "reporting/province/official_report.html", {
        "cycle": cycle, "plan": cycle.plan, "form": form, "problems": problems, "history": history,
        "current": history[0] if history else None, "latest_pdf": done, "can_countersign": signing.is_configured(),
    })


def official_report_countersign(request, cycle_id):
    """Queue the organisation's counter-signature of the current official report (POST); it runs
    as a job, like a generation, and the reviewer watches it on the job's page."""
    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    _require_reviewer(request, cycle)
    if request.method != "POST":
        return redirect("dashboard:official_report", cycle.pk)
    current = OfficialReport.objects.filter(cycle=cycle).first()
    if not signing.is_configured() or current is None:
        messages.error(request, _("Chưa cấu hình chứng thư số của cơ quan, hoặc kỳ chưa có báo cáo chính thức."))
        return redirect("dashboard:official_report", cycle.pk)
    job = ProvinceReportJob.objects.create(cycle=cycle, format=ProvinceReportJob.Format.PDF, sign=True,
                                           countersign=current, requested_by=request.user)
    transaction.on_commit(lambda: start_report_job(job.pk))
    return redirect("dashboard:job", job.pk)


def official_report_download(request, pk):
    official = get_object_or_404(OfficialReport.objects.select_related("cycle__plan"), pk=pk)
    if not access.is_overseer_of(request.user, official.cycle.plan):
        raise Http404
    _require_reviewer(request, official.cycle)
    return _signed_pdf(official)


@login_not_required
def public_official_report(request, code, pk):
    """The signed PDF of a plan whose public page the admin enabled: what the public page links."""
    official = get_object_or_404(access.public_official_reports(OfficialReport.objects.select_related("cycle__plan")),
                                 pk=pk, cycle__plan__code=code)
    return _signed_pdf(official)


def _signed_pdf(official: OfficialReport):
    try:
        handle = files.open_for_download(default_storage, official.file_path)
    except files.StoreUnavailable as exc:  # a public link: no page to go back to, say it plainly
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return FileResponse(handle, as_attachment=True, filename=official.filename, content_type="application/pdf")
