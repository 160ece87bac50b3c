"""Signing the province report on the server (pyHanko, PAdES): a visible block where Decree 30/2020
puts the signature, Vietnamese text in an embedded font, counter-signing that keeps the first
signature valid; the generation job and the command sign when asked; checked with pyHanko's own
validator against the test PKI."""
import io
import subprocess

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reporting.models import OfficialReport, ProvinceReportJob
from reporting.province import signing
from tests.reporting.province.certs import P12_PASSWORD, generate, job_pdf, sign_as

pytestmark = pytest.mark.django_db


def pyhanko_statuses(data: bytes, pki):
    root = asn1_x509.Certificate.load(pki.root.cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(data))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return [signing.run_coroutine(async_validate_pdf_signature(sig, context)) for sig in reader.embedded_signatures]


def text_of(data: bytes, tmp_path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                   text=True).stdout.split())


def test_a_signature_and_a_counter_signature_both_validate_with_pyhanko(scenario, pki, tmp_path):
    data = job_pdf(generate(scenario.cycle, scenario.reviewer))
    once = sign_as(data, pki.signer, tmp_path)
    twice = sign_as(once, pki.organisation, tmp_path, title="SỞ TÀI CHÍNH", counter=True)

    assert twice.startswith(once)  # the counter-signature is an incremental update
    first, second = pyhanko_statuses(twice, pki)
    assert first.bottom_line and second.bottom_line
    assert first.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert first.modification_level == ModificationLevel.FORM_FILLING and first.docmdp_ok
    assert second.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_the_visible_block_sits_in_the_signature_space_in_vietnamese_with_an_embedded_font(scenario, pki, tmp_path):
    signed = sign_as(job_pdf(generate(scenario.cycle)), pki.signer, tmp_path)
    reader = PdfFileReader(io.BytesIO(signed))
    page, (x1, y1, x2, y2) = signing.signature_box(reader)
    assert page == 2 and x1 > 595 / 2 - 20  # the last page of the letter (the annex follows), right column
    widget = reader.root["/AcroForm"]["/Fields"][0]
    assert [round(v) for v in widget["/Rect"]] == [round(x1), round(y1), round(x2), round(y2)]
    font = widget["/AP"]["/N"]["/Resources"]["/Font"]["/F1"]
    descriptor = font["/DescendantFonts"][0]["/FontDescriptor"]
    assert "LiberationSerif" in str(font["/BaseFont"]) and "/FontFile2" in descriptor  # embedded TrueType
    text = text_of(signed, tmp_path)
    assert "Ký bởi: GIÁM ĐỐC Nguyễn Văn An Thời gian ký:" in text and "(giờ Việt Nam)" in text


def test_the_block_shows_the_signing_time_in_vietnam_time(scenario, pki, tmp_path):
    import datetime as dt

    who = signing.load_signer(_p12(tmp_path, pki.signer), P12_PASSWORD, title="GIÁM ĐỐC")
    moment = dt.datetime(2026, 12, 5, 17, 30, tzinfo=dt.timezone.utc)  # 00:30 on the 6th in Hà Nội
    signed = signing.sign_pdf(job_pdf(generate(scenario.cycle)), who, when=moment)
    assert "00:30:00 06/12/2026 (giờ Việt Nam)" in text_of(signed, tmp_path)


def _p12(tmp_path, identity):
    path = tmp_path / "k.p12"
    path.write_bytes(identity.p12())
    return path


def test_a_wrong_password_is_said_plainly(pki, tmp_path):
    with pytest.raises(signing.SigningError, match="sai mật khẩu"):
        signing.load_signer(_p12(tmp_path, pki.signer), b"sai")


def test_a_generation_asked_to_be_signed_is_signed_in_the_job_and_kept_as_official(
        scenario, server_signing, trusted_root, pki):
    job = generate(scenario.cycle, scenario.reviewer, sign=True)

    assert job.status == ProvinceReportJob.Status.DONE and "ký số xong" in job.message
    official = OfficialReport.objects.get(cycle=scenario.cycle)
    assert (official.source, official.job, official.stored_by) == ("server", job, scenario.reviewer)
    with default_storage.open(official.file_path, "rb") as fh:
        data = fh.read()
    import hashlib
    assert official.sha256 == hashlib.sha256(data).hexdigest() and official.size == len(data)
    (status,) = pyhanko_statuses(data, pki)
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert official.signatures[0]["signer"] == "Sở Tài chính thành phố Hồ Chí Minh"


def test_without_a_configured_certificate_the_report_is_generated_unsigned_and_says_so(scenario, settings):
    settings.SIGNING_P12_FILE = ""
    job = generate(scenario.cycle, sign=True)
    assert job.status == ProvinceReportJob.Status.DONE
    assert "chưa ký" in job.message and "SIGNING_P12_FILE" in job.message
    assert not OfficialReport.objects.exists()


def test_the_command_signs_with_the_configured_certificate(scenario, server_signing, trusted_root, pki, tmp_path):
    out = tmp_path / "bao-cao-da-ky.pdf"
    call_command("consolidated_report", "--plan", "bd", "--year", "2026", "--format", "pdf", "--sign", "-o", str(out))
    (status,) = pyhanko_statuses(out.read_bytes(), pki)
    assert status.bottom_line
    assert OfficialReport.objects.get(cycle=scenario.cycle).sha256 == __import__("hashlib").sha256(out.read_bytes()).hexdigest()


def test_the_command_refuses_to_sign_a_word_file(scenario, server_signing, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="PDF"):
        call_command("consolidated_report", "--plan", "bd", "--year", "2026", "--format", "docx", "--sign",
                     "-o", str(tmp_path / "x.docx"))


def test_the_organisation_counter_signs_an_official_report_signed_by_a_person(
        client, scenario, server_signing, trusted_root, pki, tmp_path, eager_jobs, django_capture_on_commit_callbacks):
    from reporting.province.official import accept_signed_upload

    person = accept_signed_upload(cycle=scenario.cycle, by=scenario.reviewer,
                                  data=sign_as(job_pdf(generate(scenario.cycle, scenario.reviewer)), pki.signer, tmp_path))
    client.force_login(scenario.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:official_report_countersign", args=[scenario.cycle.pk]))
    job = ProvinceReportJob.objects.get(countersign=person)
    assert response["Location"] == reverse("dashboard:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.message

    both = OfficialReport.objects.filter(cycle=scenario.cycle).first()
    assert both.replaces == person and both.source == "server" and both.reason
    assert [s["signer"] for s in both.signatures] == ["Nguyễn Văn An", "Sở Tài chính thành phố Hồ Chí Minh"]
    with default_storage.open(both.file_path, "rb") as fh, default_storage.open(person.file_path, "rb") as first:
        data, before = fh.read(), first.read()
    assert data.startswith(before)  # incremental: the person's signed bytes are untouched
    first_status, second_status = pyhanko_statuses(data, pki)
    assert first_status.bottom_line and first_status.docmdp_ok and second_status.bottom_line
