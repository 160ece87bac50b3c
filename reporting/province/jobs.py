"""Background generation of the province report.

The task loads the job by id and calls `run_job`; the job is claimed with a conditional update
(queued → running), so a task delivered twice does the work once. Without a broker (the embedded
default) Celery runs it in-process, eagerly.
"""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from reporting.province.formats import render_province_report
from reporting.models import ProvinceReportJob
from reporting.province.build import DocMeta, build

log = logging.getLogger(__name__)
J = ProvinceReportJob.Status


def _update(job_id: int, **fields) -> None:
    ProvinceReportJob.objects.filter(pk=job_id).update(**fields)


def run_job(job_id: int) -> ProvinceReportJob | None:
    # The document is Vietnamese whoever asked for it (an eager run inherits the page's language).
    with translation.override(settings.LANGUAGE_CODE):
        return _run_job(job_id)


def _run_job(job_id: int) -> ProvinceReportJob | None:
    claimed = ProvinceReportJob.objects.filter(pk=job_id, status=J.QUEUED).update(
        status=J.RUNNING, started_at=timezone.now(), progress=5, message="Bắt đầu tạo báo cáo")
    if not claimed:
        return None  # already done, running elsewhere, or gone
    job = ProvinceReportJob.objects.select_related("cycle").get(pk=job_id)
    try:
        report = build(job.cycle, DocMeta.from_json(job.params),
                       progress=lambda pct, msg: _update(job_id, progress=pct, message=msg))
        _update(job_id, progress=70, message=f"Đang dựng tệp {job.get_format_display()}")
        data = render_province_report(report, job.format)
        name = default_storage.save(f"province-reports/{job.pk}/{report.filename_stem}.{job.format}", ContentFile(data))
        _update(job_id, status=J.DONE, progress=100, message="Đã tạo xong", file_path=name,
                finished_at=timezone.now())
    except Exception as exc:  # the page must say it failed rather than spin for ever
        log.exception("province report job %s failed", job_id)
        _update(job_id, status=J.FAILED, message=f"Lỗi: {exc}"[:255], finished_at=timezone.now())
    return ProvinceReportJob.objects.get(pk=job_id)


@shared_task(name="reporting.generate_province_report", acks_late=True)
def generate_province_report(job_id: int) -> str:
    job = run_job(job_id)
    return job.status if job else "skipped"
