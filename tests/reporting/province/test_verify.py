"""Verifying a signed province report before it is kept as the official report: each bad file is
refused with its reason, in Vietnamese, and nothing is stored (no row, no file)."""
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from reporting.models import OfficialReport, TrustRoot
from reporting.province.official import OfficialReportRefused, accept_signed_upload
from reporting.province.verify import verify_signed_report
from tests.reporting.province.certs import generate, job_pdf, sign_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(scenario):
    job = generate(scenario.cycle, scenario.reviewer)
    return job, job_pdf(job)


def refused(scenario, data, reviewer) -> list[str]:
    """The problems named when `data` is uploaded; asserts nothing was kept."""
    files_before = _stored_files()
    with pytest.raises(OfficialReportRefused) as caught:
        accept_signed_upload(cycle=scenario.cycle, data=data, by=reviewer)
    assert not OfficialReport.objects.exists()
    assert _stored_files() == files_before
    return caught.value.verification.problems


def _stored_files():
    try:
        return sorted(default_storage.listdir("official-reports")[0])
    except FileNotFoundError:
        return []


def test_a_report_signed_and_counter_signed_with_trusted_certificates_is_kept(scenario, generated, pki, trusted_root, tmp_path):
    job, data = generated
    signed = sign_as(sign_as(data, pki.signer, tmp_path), pki.organisation, tmp_path, counter=True)

    official = accept_signed_upload(cycle=scenario.cycle, data=signed, by=scenario.reviewer)

    assert (official.job, official.source, official.stored_by) == (job, "upload", scenario.reviewer)
    assert [s["signer"] for s in official.signatures] == ["Nguyễn Văn An", "Sở Tài chính thành phố Hồ Chí Minh"]
    assert all(s["ok"] and not s["timestamped"] for s in official.signatures)
    assert official.verification.startswith("Hợp lệ")
    with default_storage.open(official.file_path, "rb") as fh:
        assert fh.read() == signed


def test_an_expired_certificate_is_refused(scenario, generated, pki, trusted_root, tmp_path):
    problems = refused(scenario, sign_as(generated[1], pki.expired, tmp_path), scenario.reviewer)
    assert problems == [
        "Chữ ký 1 (Trần Thị Hết Hạn): chứng thư số đã hết hạn (hiệu lực đến 07:00:00 31/12/2020) vào thời điểm ký "
        + problems[0].rsplit("vào thời điểm ký ", 1)[1]]


def test_a_certificate_from_an_unknown_root_is_refused(scenario, generated, pki, trusted_root, tmp_path):
    problems = refused(scenario, sign_as(generated[1], pki.stranger, tmp_path), scenario.reviewer)
    assert len(problems) == 1 and problems[0].startswith(
        "Chữ ký 1 (Người Lạ): chứng thư số không xuất phát từ tổ chức chứng thực gốc được tin cậy")


def test_a_root_the_admin_switched_off_is_not_trusted(scenario, generated, pki, trusted_root, tmp_path):
    TrustRoot.objects.filter(pk=trusted_root.pk).update(active=False)
    TrustRoot.objects.create(name="Khác", certificate=pki.stranger_root.pem)
    problems = refused(scenario, sign_as(generated[1], pki.signer, tmp_path), scenario.reviewer)
    assert "không xuất phát từ tổ chức chứng thực gốc được tin cậy" in problems[0]


def test_a_pdf_changed_after_signing_is_refused(scenario, generated, pki, trusted_root, tmp_path):
    signed = sign_as(generated[1], pki.signer, tmp_path)
    at = signed.index(b"WeasyPrint")  # inside the signed bytes
    tampered = signed[:at] + b"WeasyPrunt" + signed[at + 10:]
    problems = refused(scenario, tampered, scenario.reviewer)
    assert "Chữ ký 1 (Nguyễn Văn An): chữ ký không còn nguyên vẹn – nội dung đã bị thay đổi sau khi ký." in problems


def _append_text_after_signing(signed: bytes) -> bytes:
    """An incremental update that draws on a page after the signature: the signature then covers
    only the first part of the file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_signature_covering_only_part_of_the_file_is_refused(scenario, generated, pki, trusted_root, tmp_path):
    problems = refused(scenario, _append_text_after_signing(sign_as(generated[1], pki.signer, tmp_path)),
                       scenario.reviewer)
    assert problems == ["Chữ ký 1 (Nguyễn Văn An): chữ ký chỉ bao trùm một phần tệp – có nội dung được thêm sau khi ký."]


def test_content_added_between_two_signatures_is_refused_even_if_the_last_covers_the_file(
        scenario, generated, pki, trusted_root, tmp_path):
    changed = _append_text_after_signing(sign_as(generated[1], pki.signer, tmp_path))
    problems = refused(scenario, sign_as(changed, pki.organisation, tmp_path, counter=True), scenario.reviewer)
    assert problems == ["Chữ ký 1 (Nguyễn Văn An): chữ ký chỉ bao trùm một phần tệp – sau khi ký, tệp bị sửa "
                        "ngoài việc ký thêm."]


def test_a_signed_pdf_of_another_report_is_refused(scenario, pki, trusted_root, tmp_path):
    last_year = job_pdf(generate(scenario.previous, scenario.reviewer))
    problems = refused(scenario, sign_as(last_year, pki.signer, tmp_path), scenario.reviewer)
    assert problems == [f"Tệp là báo cáo của kỳ khác ({scenario.previous}), không phải của kỳ này."]


def test_a_signed_pdf_not_made_here_is_refused(scenario, pki, trusted_root, tmp_path):
    from reporting.province.build import build, default_meta
    from reporting.province.formats import render_province_report

    foreign = render_province_report(build(scenario.cycle, default_meta(scenario.cycle)), "pdf")  # no identifier
    problems = refused(scenario, sign_as(foreign, pki.signer, tmp_path), scenario.reviewer)
    assert problems == ["Tệp không phải là báo cáo tỉnh do hệ thống tạo ra (không có mã văn bản của hệ thống)."]


def test_a_report_whose_text_was_edited_before_signing_is_refused(scenario, generated, pki, trusted_root, tmp_path):
    """Same identifier, other words: re-rendered after the figures changed, then signed."""
    from reporting.province.build import build, default_meta
    from reporting.province.formats import render_province_report

    job, _data = generated
    meta = default_meta(scenario.cycle)
    meta.number = "999/BC-GIA"
    report = build(scenario.cycle, meta)
    report.document_id = job.document_id
    forged = render_province_report(report, "pdf")
    problems = refused(scenario, sign_as(forged, pki.signer, tmp_path), scenario.reviewer)
    assert len(problems) == 1 and problems[0].startswith("Nội dung tệp khác với báo cáo đã tạo ngày ")
    assert "trang 1 không có (hoặc đã sửa) dòng" in problems[0]


def test_an_unsigned_file_and_a_file_that_is_not_a_pdf_are_refused(scenario, generated, trusted_root):
    assert refused(scenario, generated[1], scenario.reviewer) == ["Tệp chưa có chữ ký số."]
    assert refused(scenario, b"PK\x03\x04 not a pdf", scenario.reviewer)[0] == "Tệp không phải là tệp PDF đọc được."


def test_a_declared_signing_time_before_the_report_existed_is_not_believed(
        scenario, generated, pki, trusted_root, tmp_path, monkeypatch):
    """A signer cannot make an expired certificate pass by declaring an old signing time."""
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    class Backdated(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2020, 6, 1, 8, 0, tzinfo=dt.timezone.utc).astimezone(tz)

    monkeypatch.setattr(pdf_signer, "datetime", Backdated)
    signed = sign_as(generated[1], pki.expired, tmp_path)  # valid in 2020, as declared
    monkeypatch.undo()
    problems = refused(scenario, signed, scenario.reviewer)
    assert len(problems) == 1 and problems[0].startswith(
        "Chữ ký 1 (Trần Thị Hết Hạn): thời điểm ký khai báo (15:00:00 01/06/2020) trước cả lúc báo cáo được tạo")


def test_no_trust_root_configured_is_said_rather_than_guessed(scenario, generated, pki, tmp_path):
    problems = refused(scenario, sign_as(generated[1], pki.signer, tmp_path), scenario.reviewer)
    assert problems == ["Chưa có chứng thư gốc tin cậy nào được quản trị viên cấu hình: không kiểm tra được chữ ký."]


def test_the_verification_names_every_failure_at_once(scenario, pki, trusted_root, tmp_path):
    last_year = job_pdf(generate(scenario.previous, scenario.reviewer))
    result = verify_signed_report(sign_as(last_year, pki.stranger, tmp_path), scenario.cycle)
    assert len(result.problems) == 2 and "kỳ khác" in result.problems[0] and "Người Lạ" in result.problems[1]


def test_an_embedded_timestamp_token_from_a_trusted_authority_dates_the_signature(
        scenario, generated, pki, trusted_root, tmp_path):
    signed = sign_as(generated[1], pki.signer, tmp_path, timestamper=pki.timestamper())
    official = accept_signed_upload(cycle=scenario.cycle, data=signed, by=scenario.reviewer)
    assert official.signatures[0]["timestamped"] is True
    assert "theo dấu thời gian" in official.verification


def test_a_timestamp_token_showing_the_certificate_had_expired_is_refused(scenario, generated, pki, trusted_root,
                                                                         tmp_path):
    """The token's time wins over the declared one: here it says 2021, after the certificate ended."""
    late = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
    signed = sign_as(generated[1], pki.expired, tmp_path, timestamper=pki.timestamper(late))
    problems = refused(scenario, signed, scenario.reviewer)
    assert any("chứng thư số đã hết hạn" in p and "01/03/2021" in p for p in problems)
