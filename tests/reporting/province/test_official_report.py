"""The official report: kept for good once stored (the code and the database refuse a change), a
replacement needs a reason and keeps both, the pages a reviewer uses, and the public link."""
import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from reporting.models import OfficialReport, OfficialReportImmutable
from reporting.province.official import NEEDS_REASON, OfficialReportRefused, accept_signed_upload
from tests.reporting.province.certs import generate, job_pdf, sign_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(scenario, pki, tmp_path):
    """The 2026 report generated and signed by the Giám đốc with a certificate of the test PKI."""
    job = generate(scenario.cycle, scenario.reviewer)
    return sign_as(job_pdf(job), pki.signer, tmp_path)


@pytest.fixture
def official(scenario, signed, trusted_root):
    return accept_signed_upload(cycle=scenario.cycle, data=signed, by=scenario.reviewer)


def _reviewer_client(client, scenario):
    client.force_login(scenario.reviewer)
    return client


def test_a_stored_official_report_cannot_be_saved_again(official):
    official.reason = "sửa lén"
    with pytest.raises(OfficialReportImmutable):
        official.save()


def test_nor_updated_nor_deleted_through_the_orm(official):
    with pytest.raises(OfficialReportImmutable):
        OfficialReport.objects.filter(pk=official.pk).update(sha256="f" * 64)
    with pytest.raises(OfficialReportImmutable):
        OfficialReport.objects.filter(pk=official.pk).delete()
    with pytest.raises(OfficialReportImmutable):
        official.delete()
    assert OfficialReport.objects.get(pk=official.pk).sha256 == official.sha256


def test_the_database_itself_refuses_an_update(official):
    with pytest.raises(DatabaseError, match="không được sửa"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE reporting_officialreport SET sha256 = %s WHERE id = %s", ["0" * 64, official.pk])
    assert OfficialReport.objects.get(pk=official.pk).sha256 == official.sha256


def test_a_second_signed_report_without_a_reason_is_refused_and_with_one_both_are_kept(
        scenario, official, pki, tmp_path):
    again = sign_as(job_pdf(generate(scenario.cycle, scenario.reviewer)), pki.signer, tmp_path)
    with pytest.raises(OfficialReportRefused, match=re.escape(NEEDS_REASON)):
        accept_signed_upload(cycle=scenario.cycle, data=again, by=scenario.reviewer)
    assert OfficialReport.objects.count() == 1

    newer = accept_signed_upload(cycle=scenario.cycle, data=again, by=scenario.reviewer, reason="Bổ sung số liệu quý IV")
    assert (newer.replaces, newer.reason) == (official, "Bổ sung số liệu quý IV")
    assert list(OfficialReport.objects.filter(cycle=scenario.cycle)) == [newer, official]


def test_the_reason_given_when_generating_again_goes_with_the_new_official_report(
        scenario, official, pki, tmp_path):
    job = generate(scenario.cycle, scenario.reviewer, reason="Sửa số liệu chủ đề 2")
    newer = accept_signed_upload(cycle=scenario.cycle, data=sign_as(job_pdf(job), pki.signer, tmp_path),
                                 by=scenario.reviewer)
    assert (newer.replaces, newer.reason) == (official, "Sửa số liệu chủ đề 2")


def test_generating_again_after_signing_asks_for_a_reason(client, scenario, official):
    url = reverse("dashboard:province_report", args=[scenario.cycle.pk])
    form = {"number": "12/BC-STC", "date": "05/12/2026", "place": "Bình Dương", "signer_title": "GIÁM ĐỐC",
            "ministry": "Bộ Tài chính", "recipients": "Bộ Tài chính", "format": "pdf"}
    page = _reviewer_client(client, scenario).post(url, form)
    assert page.status_code == 200 and "replacement_reason" in page.context["form"].errors
    response = client.post(url, {**form, "replacement_reason": "Bổ sung số liệu"})
    assert response.status_code == 302
    assert scenario.cycle.province_report_jobs.latest("created_at").replacement_reason == "Bổ sung số liệu"


def test_the_reviewer_uploads_a_signed_report_from_the_page_and_sees_it_verified(
        client, scenario, signed, trusted_root):
    client = _reviewer_client(client, scenario)
    report_page = client.get(reverse("dashboard:province_report", args=[scenario.cycle.pk]))
    url = reverse("dashboard:official_report", args=[scenario.cycle.pk])
    assert url in report_page.content.decode()  # reached by clicking from the province report page

    response = client.post(url, {"file": _upload(signed)}, follow=True)

    official = OfficialReport.objects.get()
    page = response.content.decode()
    assert "Đã kiểm tra và lưu báo cáo chính thức" in page and "Hợp lệ" in page and official.sha256 in page
    assert "Nguyễn Văn An" in page
    download = client.get(reverse("dashboard:official_report_download", args=[official.pk]))
    assert b"".join(download.streaming_content) == signed


def test_a_refused_upload_shows_what_failed_and_keeps_nothing(client, scenario, pki, tmp_path, trusted_root):
    foreign = sign_as(job_pdf(generate(scenario.previous, scenario.reviewer)), pki.stranger, tmp_path)
    response = _reviewer_client(client, scenario).post(
        reverse("dashboard:official_report", args=[scenario.cycle.pk]), {"file": _upload(foreign)})
    page = response.content.decode()
    assert "Tệp không được nhận là báo cáo chính thức" in page
    assert "Tệp là báo cáo của kỳ khác" in page and "không xuất phát từ tổ chức chứng thực gốc" in page
    assert not OfficialReport.objects.exists()


def test_the_public_page_links_the_signed_pdf(client, scenario, official):
    plan = scenario.plan
    plan.public_enabled = True
    plan.save()
    page = client.get(reverse("public_plan", args=[plan.code])).content.decode()
    link = reverse("dashboard:public_official_report", args=[plan.code, official.pk])
    assert link in page
    with default_storage_open(official.file_path) as fh:
        assert b"".join(client.get(link).streaming_content) == fh.read()


def test_the_signed_pdf_of_a_plan_not_made_public_is_not_served(client, scenario, official):
    assert client.get(reverse("dashboard:public_official_report", args=[scenario.plan.code, official.pk])).status_code == 404


def default_storage_open(path):
    from django.core.files.storage import default_storage

    return default_storage.open(path, "rb")


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bao-cao-da-ky.pdf", data, content_type="application/pdf")


def test_a_trust_root_must_be_a_ca_certificate_in_pem(pki):
    from django.core.exceptions import ValidationError

    from reporting.models import TrustRoot

    TrustRoot(name="Root", certificate=pki.root.pem).full_clean()
    for text, said in (("không phải PEM", "Không đọc được chứng thư"), (pki.signer.pem, "không phải chứng thư của tổ chức")):
        with pytest.raises(ValidationError, match=said):
            TrustRoot(name="X", certificate=text).full_clean()
