"""The province report's pages: the form that starts a generation, the job's progress, the download.

The report is built by reporting/province/build.py and generated as a job (province/jobs.py);
who may ask for it is decided by reporting.reports.access."""
from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import ProvinceReportJob
from reporting.province.build import DocMeta, default_meta, settings_for
from reporting.province.formats import CONTENT_TYPES
from reporting.province.jobs import generate_province_report, retry, settle
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

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        if plans:  # a jurisdiction-wide cycle: the report on all its plans, or on one
            self.fields["plan"] = forms.ChoiceField(
                label=gettext_lazy("Phạm vi"), required=False,
                choices=[("", _("Tổng hợp các kế hoạch (mỗi kế hoạch một phần, có số tổng cộng)"))]
                + [(p.code, p.display_name()) for p in plans])

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
    if request.method == "POST":
        form = ProvinceReportForm(request.POST, plans=plans)
        if form.is_valid():
            meta = form.meta()
            if form.cleaned_data["save_defaults"]:
                _save_defaults(cycle.plan, meta)
            params = meta.as_json()
            if form.cleaned_data.get("plan"):
                params["plan"] = form.cleaned_data["plan"]
            job = ProvinceReportJob.objects.create(cycle=cycle, format=form.cleaned_data["format"],
                                                   params=params, requested_by=request.user)
            transaction.on_commit(lambda: start_report_job(job.pk))
            return redirect("dashboard:job", job.pk)
    else:
        meta = default_meta(cycle)
        form = ProvinceReportForm(plans=plans, initial={
            **meta.as_json(), "date": meta.date.strftime("%d/%m/%Y"), "recipients": "\n".join(meta.recipients),
            "format": "pdf",
        })
    jobs = [settle(job) for job in ProvinceReportJob.objects.filter(cycle=cycle).order_by("-created_at")[:10]]
    return render(request, "reporting/dashboard/province_report_form.html",
                  {"cycle": cycle, "plan": cycle.plan, "form": form, "jobs": jobs})


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
