"""The report page says things as they are: no "version 0", no "total 0 đ" for funds never entered,
the full text of the activity, and a reopened report's reason dated by the reopening."""
import datetime as dt

import pytest
from django.urls import reverse

from reporting.models import Report
from reporting.reports import workflow

pytestmark = pytest.mark.django_db


def _page(client, user, report):
    client.force_login(user)
    return client.get(reverse("reporting:report", args=[report.pk])).content.decode()


def test_a_report_never_saved_says_so_instead_of_version_0(client, alice, report):
    page = _page(client, alice, report)
    assert "Chưa lưu lần nào" in page and "Phiên bản 0" not in page


def test_funds_never_entered_show_a_dash_not_a_total_of_0(client, rita, report):
    page = _page(client, rita, report)
    assert "0 đ" not in page


def test_the_report_page_shows_the_activitys_full_text(client, alice, report):
    report.item.text = "Xây dựng và triển khai đề án kiểm kê khí nhà kính, gồm các lĩnh vực năng lượng, giao thông và chất thải."
    report.item.save()
    assert report.item.text in _page(client, alice, report)


def test_a_reopened_reports_reason_is_dated_by_the_reopening_not_the_acceptance(client, world):
    from agencies.models import Membership
    from reporting.models import ReportEvent

    Membership.objects.filter(user=world.officer_a).update(can_submit=True)
    report = world.report_of(world.agency_a)
    report = workflow.report_save(report, user=world.officer_a, base_version=0, data={
        "status": "on_schedule", "percent_complete": 50, "results": "Đã triển khai."})
    report = workflow.report_submit(report, user=world.officer_a)
    report = workflow.report_accept(report, user=world.reviewer, comment="")
    accepted_at = Report.objects.get(pk=report.pk).reviewed_at
    ReportEvent.objects.filter(report=report, kind="accept").update(at=accepted_at - dt.timedelta(days=3))
    Report.objects.filter(pk=report.pk).update(reviewed_at=accepted_at - dt.timedelta(days=3))
    workflow.report_reopen(Report.objects.get(pk=report.pk), user=world.reviewer, reason="Số liệu kinh phí sai")
    page = _page(client, world.reviewer, report)
    reopened = ReportEvent.objects.get(report=report, kind="reopen").at
    from django.utils import timezone

    assert f"Mở lại · Rita · {timezone.localtime(reopened):%H:%M %d/%m/%Y}" in page
