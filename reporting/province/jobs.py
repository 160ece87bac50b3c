"""Background generation of the province report.

A generation asked to be signed (`job.sign`, PDF only) is signed by the server once rendered and
kept as the cycle's official report (reporting/province/official.py): the signing runs here, in
the job, not in the web request.

The task loads the job by id and calls `run_job`; the job is claimed with a conditional update
(queued → running), so a task delivered twice does the work once. Without a broker (the embedded
default) Celery runs it in-process, eagerly.

A run gives a sign of life (`heartbeat_at`) at every step and, while a long step renders, every
HEARTBEAT_SECONDS from a small thread. A run whose process died (a worker killed, a node restarted)
falls silent; once silent for longer than the lease (`ProvinceReportJob.is_stalled`):
- with a broker, `resume_stalled` (beat, every 20 s: notices/schedule.py) puts it back in the queue and
  another worker runs it, up to MAX_ATTEMPTS claims in all; a job that has used them up is marked
  failed, with the retry button (`retry`), rather than killing worker after worker;
- without one (a run inside a web request that a restart ended), whoever looks at it marks it
  failed (`settle`), with the same retry button.
Writes of a run are tied to its claim (`started_at`), so a run that was given up and resumed
elsewhere cannot write over the new one: the job is finished exactly once.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from celery import current_app, shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation

from reporting.province.formats import render_province_report
from reporting.models import ProvinceReportJob
from reporting.province.build import DocMeta, build
from reporting.reports import files

log = logging.getLogger(__name__)
J = ProvinceReportJob.Status


HEARTBEAT_SECONDS = 10
MAX_ATTEMPTS = 3

STALLED = ("Tiến trình tạo báo cáo đã dừng giữa chừng (không còn hoạt động từ {since:%H:%M %d/%m/%Y}, "
           "có thể máy chủ đã khởi động lại). Hãy bấm “Tạo lại”.")


def _update(job_id: int, claim, **fields) -> None:
    """Record a step of the run that claimed the job at `claim`; every step is a sign of life."""
    ProvinceReportJob.objects.filter(pk=job_id, started_at=claim).update(heartbeat_at=timezone.now(), **fields)


def _resumed_by_workers() -> bool:
    """With a broker, stalled jobs are resumed by the beat sweep; eagerly, nobody else will."""
    return not current_app.conf.task_always_eager


def _give_up(job: ProvinceReportJob) -> None:
    ProvinceReportJob.objects.filter(pk=job.pk, status=J.RUNNING, heartbeat_at=job.heartbeat_at,
                                     started_at=job.started_at).update(
        status=J.FAILED, finished_at=timezone.now(),
        message=STALLED.format(since=timezone.localtime(job.last_sign_of_life))[:255])


def settle(job: ProvinceReportJob) -> ProvinceReportJob:
    """The job as it is: a stalled one that no worker will resume is marked failed (once, whoever
    sees it first) with the message saying so; any other is returned as it is."""
    if job.is_stalled() and not (_resumed_by_workers() and job.attempts < MAX_ATTEMPTS):
        _give_up(job)
        job.refresh_from_db()
    return job


def resume_stalled() -> list[int]:
    """Queue again every stalled job that has attempts left (its dead run's claim is dropped, so
    that run can write nothing more); mark failed those that have none. Returns the resumed ids."""
    resumed = []
    for job in ProvinceReportJob.objects.filter(status=J.RUNNING):
        if not job.is_stalled():
            continue
        if job.attempts >= MAX_ATTEMPTS:
            _give_up(job)
            continue
        if ProvinceReportJob.objects.filter(pk=job.pk, status=J.RUNNING, started_at=job.started_at,
                                            heartbeat_at=job.heartbeat_at).update(
                status=J.QUEUED, started_at=None, heartbeat_at=None,
                message="Tiến trình trước đã dừng giữa chừng; đang tạo lại tự động"):
            log.warning("province report job %s silent since %s: queued again (attempt %s)", job.pk,
                        job.last_sign_of_life, job.attempts + 1)
            resumed.append(job.pk)
    for pk in resumed:
        generate_province_report.delay(pk)
    return resumed


def retry(job_id: int) -> bool:
    """Queue a failed job again (a stalled one is failed once settled); False for any other."""
    return bool(ProvinceReportJob.objects.filter(pk=job_id, status=J.FAILED).update(
        status=J.QUEUED, progress=0, message="Đang chờ tạo lại", file_path="", started_at=None,
        heartbeat_at=None, finished_at=None))


def run_job(job_id: int) -> ProvinceReportJob | None:
    # The document is Vietnamese whoever asked for it (an eager run inherits the page's language).
    with translation.override(settings.LANGUAGE_CODE):
        return _run_job(job_id)


class _KeepAlive(threading.Thread):
    """Refreshes the run's heartbeat while a long step (the PDF rendering) gives no news, so the lease
    can be short: only a dead run falls silent."""

    def __init__(self, job_id: int, claim):
        super().__init__(daemon=True, name=f"province-report-{job_id}-heartbeat")
        self.job_id, self.claim, self.done = job_id, claim, threading.Event()

    def run(self):
        try:
            while not self.done.wait(HEARTBEAT_SECONDS):
                ProvinceReportJob.objects.filter(pk=self.job_id, started_at=self.claim,
                                                 status=J.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection


def _run_job(job_id: int) -> ProvinceReportJob | None:
    claim = timezone.now()
    claimed = ProvinceReportJob.objects.filter(pk=job_id, status=J.QUEUED).update(
        status=J.RUNNING, started_at=claim, heartbeat_at=claim, progress=5, message="Bắt đầu tạo báo cáo",
        attempts=F("attempts") + 1)
    if not claimed:
        return None  # already done, running elsewhere, or gone
    job = ProvinceReportJob.objects.select_related("cycle", "countersign").get(pk=job_id)
    if job.countersign_id:
        return _run_countersign(job, claim)
    keep_alive = _KeepAlive(job_id, claim)
    keep_alive.start()
    try:
        params = dict(job.params)
        code = params.pop("plan", "")  # one plan of a jurisdiction-wide cycle; none: all of them
        plan = next((p for p in job.cycle.plans() if p.code == code), None) if code else None
        report = build(job.cycle, DocMeta.from_json(params), plan=plan,
                       progress=lambda pct, msg: _update(job_id, claim, progress=pct, message=msg))
        _update(job_id, claim, progress=70, message=f"Đang dựng tệp {job.get_format_display()}")
        _test_delay()
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
        said = ("Kho lưu trữ tệp không phản hồi nên chưa lưu được báo cáo; hãy bấm “Thử lại” sau ít phút."
                if isinstance(exc, files.STORAGE_ERRORS) else f"Lỗi: {exc}")
        _update(job_id, claim, status=J.FAILED, message=said[:255], finished_at=timezone.now())
    finally:
        keep_alive.done.set()
        keep_alive.join()
    return ProvinceReportJob.objects.get(pk=job_id)


def _test_delay() -> None:
    """GREENPLAN_TEST_JOB_DELAY=<seconds> (tests only, like GREENPLAN_TEST_SEND_DELAY) holds a run at
    70 %, so that a test can kill its worker in the middle of a job."""
    delay = float(os.environ.get("GREENPLAN_TEST_JOB_DELAY") or 0)
    if delay:
        time.sleep(delay)
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


@shared_task(name="reporting.resume_stalled_province_reports")
def resume_stalled_province_reports() -> list[int]:
    return resume_stalled()
