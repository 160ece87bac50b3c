"""Background generation of the province report.

A generation asked to be signed (`job.sign`, PDF only) is signed by the server once rendered and
kept as the cycle's official report (reporting/province/official.py): the signing runs here, in
the job, not in the web request.

The task loads the job by id and calls `run_job`; the job is claimed with a conditional update
(queued → running), so a task delivered twice does the work once. Without a broker (the embedded
default) Celery runs it in-process, eagerly.

A run refreshes the job's `heartbeat_at` at every step. If its process dies (a restart ends the
web request that runs it), the job stops there: once silent for longer than the lease
(`ProvinceReportJob.is_stalled`) it is marked failed by whoever looks at it (`settle`), and a
retry puts it back in the queue (`retry`). Writes of a run are tied to its claim (`started_at`),
so a run that was given up and retried cannot write over the new one.
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


STALLED = ("Tiến trình tạo báo cáo đã dừng giữa chừng (không còn hoạt động từ {since:%H:%M %d/%m/%Y}, "
           "có thể máy chủ đã khởi động lại). Hãy bấm “Tạo lại”.")


def _update(job_id: int, claim, **fields) -> None:
    """Record a step of the run that claimed the job at `claim`; every step is a sign of life."""
    ProvinceReportJob.objects.filter(pk=job_id, started_at=claim).update(heartbeat_at=timezone.now(), **fields)


def settle(job: ProvinceReportJob) -> ProvinceReportJob:
    """The job as it is: a stalled one is marked failed (once, whoever sees it first) with the
    message saying so; any other is returned as it is."""
    if job.is_stalled():
        ProvinceReportJob.objects.filter(pk=job.pk, status=J.RUNNING, heartbeat_at=job.heartbeat_at,
                                         started_at=job.started_at).update(
            status=J.FAILED, finished_at=timezone.now(),
            message=STALLED.format(since=timezone.localtime(job.last_sign_of_life))[:255])
        job.refresh_from_db()
    return job


def retry(job_id: int) -> bool:
    """Queue a failed job again (a stalled one is failed once settled); False for any other."""
    return bool(ProvinceReportJob.objects.filter(pk=job_id, status=J.FAILED).update(
        status=J.QUEUED, progress=0, message="Đang chờ tạo lại", file_path="", started_at=None,
        heartbeat_at=None, finished_at=None))


def run_job(job_id: int) -> ProvinceReportJob | None:
    # The document is Vietnamese whoever asked for it (an eager run inherits the page's language).
    with translation.override(settings.LANGUAGE_CODE):
        return _run_job(job_id)


def _run_job(job_id: int) -> ProvinceReportJob | None:
    claim = timezone.now()
    claimed = ProvinceReportJob.objects.filter(pk=job_id, status=J.QUEUED).update(
        status=J.RUNNING, started_at=claim, heartbeat_at=claim, progress=5, message="Bắt đầu tạo báo cáo")
    if not claimed:
        return None  # already done, running elsewhere, or gone
    job = ProvinceReportJob.objects.select_related("cycle", "countersign").get(pk=job_id)
    if job.countersign_id:
        return _run_countersign(job, claim)
    try:
        report = build(job.cycle, DocMeta.from_json(job.params),
                       progress=lambda pct, msg: _update(job_id, claim, progress=pct, message=msg))
        _update(job_id, claim, progress=70, message=f"Đang dựng tệp {job.get_format_display()}")
        report.document_id = job.document_id
        data = render_province_report(report, job.format)
        name = default_storage.save(f"province-reports/{job.pk}/{report.filename_stem}.{job.format}", ContentFile(data))
        done = "Đã tạo xong"
        if job.sign and job.format == ProvinceReportJob.Format.PDF:
            _update(job_id, claim, progress=85, message="Đang ký số", file_path=name)
            done = _sign(job, data)
        _update(job_id, claim, status=J.DONE, progress=100, message=done[:255], file_path=name,
                finished_at=timezone.now())
    except Exception as exc:  # the page must say it failed rather than spin for ever
        log.exception("province report job %s failed", job_id)
        _update(job_id, claim, status=J.FAILED, message=f"Lỗi: {exc}"[:255], finished_at=timezone.now())
    return ProvinceReportJob.objects.get(pk=job_id)


def _sign(job: ProvinceReportJob, data: bytes) -> str:
    """Sign the generated PDF on the server and keep it as the official report. A failure to sign
    leaves the unsigned report generated (it can still be signed outside and uploaded): the
    message says what went wrong."""
    from reporting.province.official import OfficialReportRefused, sign_generated_report
    from reporting.province.signing import SigningError

    job.file_path = ProvinceReportJob.objects.values_list("file_path", flat=True).get(pk=job.pk)
    try:
        sign_generated_report(job, data)
    except OfficialReportRefused as exc:
        reasons = " ".join(exc.verification.problems) if exc.verification else ""
        return f"Đã tạo xong nhưng chưa ký: {exc} {reasons}"
    except SigningError as exc:
        return f"Đã tạo xong nhưng chưa ký: {exc}"
    return "Đã tạo và ký số xong; bản đã ký là báo cáo chính thức của kỳ"


def _run_countersign(job: ProvinceReportJob, claim) -> ProvinceReportJob:
    """The organisation counter-signs an official report (no generation): the new official report
    is the outcome; a refusal or a signing error fails the job with its reason."""
    from reporting.province.official import OfficialReportRefused, countersign_official
    from reporting.province.signing import SigningError

    _update(job.pk, claim, progress=50, message="Đang ký số bổ sung của cơ quan")
    try:
        official = countersign_official(job)
    except OfficialReportRefused as exc:
        reasons = " ".join(exc.verification.problems) if exc.verification else ""
        _update(job.pk, claim, status=J.FAILED, message=f"{exc} {reasons}"[:255], finished_at=timezone.now())
    except (SigningError, OSError) as exc:
        _update(job.pk, claim, status=J.FAILED, message=f"Lỗi: {exc}"[:255], finished_at=timezone.now())
    else:
        _update(job.pk, claim, status=J.DONE, progress=100, file_path=official.file_path,
                message="Đã ký số bổ sung của cơ quan; bản mới là báo cáo chính thức", finished_at=timezone.now())
    return ProvinceReportJob.objects.get(pk=job.pk)


@shared_task(name="reporting.generate_province_report", acks_late=True)
def generate_province_report(job_id: int) -> str:
    job = run_job(job_id)
    return job.status if job else "skipped"
