"""A province report job whose worker died (without a broker it runs inside the web request) is
not left "running" for ever: past its lease without a sign of life it shows as failed, with the
retry the failed state offers, and the retry runs it again to the end."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import ProvinceReportJob
from reporting.province.build import default_meta

pytestmark = pytest.mark.django_db
STALLED = "Tiến trình tạo báo cáo đã dừng giữa chừng"


def running_job(scenario, *, silent_for: dt.timedelta, heartbeat=True) -> ProvinceReportJob:
    """A job at 70 % whose worker last gave a sign of life `silent_for` ago."""
    meta = default_meta(scenario.cycle, today=dt.date(2026, 12, 5))
    last = timezone.now() - silent_for
    job = ProvinceReportJob.objects.create(cycle=scenario.cycle, format="xlsx", params=meta.as_json(), status="running",
                                           progress=70, message="Đang dựng tệp Excel (.xlsx)", started_at=last,
                                           requested_by=scenario.reviewer)
    if heartbeat:
        ProvinceReportJob.objects.filter(pk=job.pk).update(heartbeat_at=last)
    job.refresh_from_db()
    return job


def status_of(client, job):
    return client.get(reverse("dashboard:job_json", args=[job.pk])).json()


def test_a_job_started_before_heartbeats_and_silent_since_is_shown_as_failed(client, scenario):
    job = running_job(scenario, silent_for=dt.timedelta(hours=2), heartbeat=False)
    client.force_login(scenario.reviewer)
    status = status_of(client, job)
    assert status["status"] == "failed" and status["finished"], status
    assert STALLED in status["message"]


def test_a_running_job_whose_heartbeat_is_older_than_the_lease_is_shown_as_failed_with_a_retry(client, scenario,
                                                                                                 settings):
    settings.PROVINCE_REPORT_JOB_LEASE_MINUTES = 10
    job = running_job(scenario, silent_for=dt.timedelta(minutes=11))
    client.force_login(scenario.reviewer)
    status = status_of(client, job)
    assert status["status"] == "failed" and status["status_label"] == "Lỗi" and status["finished"]
    assert status["message"].startswith(STALLED)
    assert status["retry"] == reverse("dashboard:job_retry", args=[job.pk]) and status["download"] is None
    page = client.get(reverse("dashboard:job", args=[job.pk])).content.decode()
    assert STALLED in page and 'data-finished="1"' in page
    assert f'<form method="post" action="{status["retry"]}" id="job-retry">' in page  # shown, not hidden
    listing = client.get(scenario.url("province_report")).content.decode()
    assert "– Lỗi" in listing and "– Đang tạo" not in listing


def test_a_running_job_with_a_fresh_heartbeat_still_shows_running_and_cannot_be_retried(client, scenario, settings):
    settings.PROVINCE_REPORT_JOB_LEASE_MINUTES = 10
    job = running_job(scenario, silent_for=dt.timedelta(minutes=2))
    client.force_login(scenario.reviewer)
    status = status_of(client, job)
    assert status["status"] == "running" and not status["finished"] and status["progress"] == 70
    assert status["retry"] is None
    page = client.get(reverse("dashboard:job", args=[job.pk])).content.decode()
    assert 'id="job-retry" hidden' in page
    response = client.post(reverse("dashboard:job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "running" and job.progress == 70  # a live run is never taken over


def test_the_lease_is_a_setting(client, scenario, settings):
    settings.PROVINCE_REPORT_JOB_LEASE_MINUTES = 60
    job = running_job(scenario, silent_for=dt.timedelta(minutes=30))
    client.force_login(scenario.reviewer)
    assert status_of(client, job)["status"] == "running"


def test_retrying_a_stalled_job_runs_it_again_to_done(eager_jobs, client, scenario, django_capture_on_commit_callbacks):
    job = running_job(scenario, silent_for=dt.timedelta(hours=1))
    client.force_login(scenario.reviewer)
    assert status_of(client, job)["status"] == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:job_retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:job", args=[job.pk])
    status = status_of(client, job)
    assert status["status"] == "done" and status["progress"] == 100 and status["download"] and status["retry"] is None
    assert client.get(status["download"]).status_code == 200


def test_run_job_refreshes_the_heartbeat_as_it_progresses(eager_jobs, scenario, monkeypatch):
    from reporting.province import jobs as jobs_report

    meta = default_meta(scenario.cycle, today=dt.date(2026, 12, 5))
    job = ProvinceReportJob.objects.create(cycle=scenario.cycle, format="xlsx", params=meta.as_json())
    seen = []
    render = jobs_report.render_province_report

    def watched_render(report, fmt):  # the last step: the heartbeat was refreshed on the way here
        seen.append(ProvinceReportJob.objects.values_list("progress", "started_at", "heartbeat_at").get(pk=job.pk))
        return render(report, fmt)

    monkeypatch.setattr(jobs_report, "render_province_report", watched_render)
    assert jobs_report.run_job(job.pk).status == "done"
    (progress, started_at, heartbeat_at), = seen
    assert progress == 70 and heartbeat_at > started_at


def test_only_reviewers_retry(client, scenario):
    job = running_job(scenario, silent_for=dt.timedelta(hours=1))
    client.force_login(scenario.leader)
    assert client.post(reverse("dashboard:job_retry", args=[job.pk])).status_code == 403
    client.force_login(scenario.officer)
    assert client.post(reverse("dashboard:job_retry", args=[job.pk])).status_code == 404
    assert ProvinceReportJob.objects.get(pk=job.pk).progress == 70


def test_a_run_given_up_and_retried_cannot_write_over_the_new_run(scenario):
    from reporting.province import jobs as jobs_report

    job = running_job(scenario, silent_for=dt.timedelta(hours=1))
    old_claim = job.started_at
    assert jobs_report.settle(job).status == "failed" and jobs_report.retry(job.pk)
    jobs_report._update(job.pk, old_claim, status="done", progress=100, file_path="province-reports/old.xlsx")
    job.refresh_from_db()
    assert (job.status, job.progress, job.file_path) == ("queued", 0, "")
