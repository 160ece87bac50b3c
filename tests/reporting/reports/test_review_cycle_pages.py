"""The whole review cycle driven through the pages, as people would click it."""
import pytest
from django.urls import reverse

from reporting.models import Report, ReportEvent


pytestmark = pytest.mark.django_db


def post(client, user, name, report, data=None):
    client.force_login(user)
    return client.post(reverse(name, args=[report.pk]), data or {}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def body_of(client, user, report):
    client.force_login(user)
    return client.get(reverse("reporting:report", args=[report.pk])).content.decode()


def test_draft_submit_return_fix_resubmit_accept_then_locked_with_the_reason(client, alice, hana, rita, report):
    # The officer saves a draft.
    response = post(client, alice, "reporting:save", report, {
        "base_version": 0, "status": "on_schedule", "percent_complete": "40", "results": "Đã kiểm kê 8 cơ sở",
        "funds_local": "150.000.000"})
    assert "Đã lưu bản nháp." in messages_of(response)
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT and report.funds_local == 150_000_000

    # An officer without the head's permission sees no submit button, and cannot submit.
    assert 'id="submit-form"' not in body_of(client, alice, report)
    response = post(client, alice, "reporting:submit", report)
    assert response.status_code == 403 and "Chỉ lãnh đạo cơ quan" in response.content.decode()

    # The head submits.
    assert 'id="submit-form"' in body_of(client, hana, report)
    response = post(client, hana, "reporting:submit", report)
    assert "Đã gửi báo cáo tới Sở đầu mối." in messages_of(response)
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    body = body_of(client, alice, report)
    assert 'id="report-form"' not in body and "đang chờ thẩm định" in body  # locked, and says why

    # The reviewer must give a comment to return it, then returns it.
    page = body_of(client, rita, report)
    assert 'id="return-form"' in page and 'id="accept-form"' in page and 'id="report-form"' not in page
    response = post(client, rita, "reporting:return", report, {"comment": ""})
    assert any("Cần ghi rõ nội dung cần sửa" in m for m in messages_of(response))
    post(client, rita, "reporting:return", report, {"comment": "Bổ sung số liệu kinh phí ODA"})
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED

    # The officer sees what to fix, on her home and on the report, and fixes it.
    client.force_login(alice)
    home = client.get(reverse("reporting:home")).content.decode()
    assert "Bị trả lại, cần sửa" in home and "Bổ sung số liệu kinh phí ODA" in home
    body = body_of(client, alice, report)
    assert 'id="review-comment"' in body and "Bổ sung số liệu kinh phí ODA" in body and 'id="report-form"' in body
    post(client, alice, "reporting:save", report, {
        "base_version": report.version, "status": "on_schedule", "percent_complete": "45",
        "results": "Đã kiểm kê 8 cơ sở", "funds_local": "150.000.000", "funds_oda": "2.000.000.000"})
    report.refresh_from_db()
    assert report.funds_oda == 2_000_000_000

    # The head resubmits; the reviewer accepts.
    post(client, hana, "reporting:submit", report)
    response = post(client, rita, "reporting:accept", report, {"comment": "Đạt"})
    assert "Đã chấp nhận báo cáo; báo cáo đã khóa." in messages_of(response)
    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED

    # Locked, with the reason shown, for the officer; only a reopen button for the reviewer.
    body = body_of(client, alice, report)
    assert 'id="lock-reason"' in body and "Báo cáo đã được chấp nhận và đã khóa" in body
    assert 'id="report-form"' not in body and 'id="submit-form"' not in body
    response = post(client, alice, "reporting:save", report, {"base_version": report.version, "results": "sửa lén"})
    assert any("đã khóa" in m for m in messages_of(response))
    page = body_of(client, rita, report)
    assert 'id="reopen-form"' in page and 'id="accept-form"' not in page

    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == [ReportEvent.Kind.SAVE, ReportEvent.Kind.SUBMIT, ReportEvent.Kind.RETURN, ReportEvent.Kind.SAVE,
                     ReportEvent.Kind.SUBMIT, ReportEvent.Kind.ACCEPT]
    history = body_of(client, alice, report)
    assert "Trả lại" in history and "Chấp nhận" in history and "2.000.000.000 đ" in history


def test_a_reviewer_reopens_an_accepted_report_with_a_reason(client, alice, hana, rita, report):
    post(client, alice, "reporting:save", report, {"base_version": 0, "status": "completed", "percent_complete": "100"})
    post(client, hana, "reporting:submit", report)
    post(client, rita, "reporting:accept", report)
    response = post(client, rita, "reporting:reopen", report, {"reason": ""})
    assert any("Cần ghi lý do mở lại" in m for m in messages_of(response))
    post(client, rita, "reporting:reopen", report, {"reason": "Số liệu kinh phí sai đơn vị"})
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED
    assert "Số liệu kinh phí sai đơn vị" in body_of(client, alice, report)


def test_actions_are_post_only(client, hana, report):
    client.force_login(hana)
    response = client.get(reverse("reporting:submit", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:report", args=[report.pk])
    report.refresh_from_db()
    assert report.state == Report.State.MISSING
