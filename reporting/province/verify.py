"""Checking a signed province report before it is kept as the cycle's official report.

A file passes when all of these hold, and each failure is named, in Vietnamese:
  1. it is this cycle's generated report: the generation's identifier in the PDF's information
     dictionary names a PDF generation of this cycle, and the text is that generation's text (every
     line of it, in order; the signature blocks may add lines);
  2. every signature is cryptographically intact; the last one covers the whole file and each
     earlier one its revision, with nothing added after it but further signatures;
  3. every signer's certificate chains to a trust root an admin configured (TrustRoot rows);
  4. the certificate was valid at signing time: the time of an embedded timestamp token issued by
     a trusted authority if there is one, else the time the signer declared, which must itself be
     plausible (not before the report was generated, not in the future), since a declared time
     is only the signer's word.
Nothing here goes to the network: no timestamp authority is asked and no revocation list or OCSP
responder is fetched (revocation is not checked; see the README).
"""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import timezone

from reporting.models import ProvinceReportJob, TrustRoot
from reporting.province.signing import DOCUMENT_ID_KEY, VN_TZ, common_name

CLOCK_SKEW = dt.timedelta(minutes=5)  # a signer's computer clock may be a little off


@dataclass
class Verification:
    """What the checks found. `problems` empty means the file may be kept as official."""

    problems: list[str] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    job: ProvinceReportJob | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return "\n".join(self.problems)
        lines = ["Hợp lệ: tệp đúng là báo cáo đã tạo của kỳ; mọi chữ ký còn nguyên vẹn, bao trùm toàn bộ tệp, "
                 "chứng thư xuất phát từ tổ chức chứng thực gốc được tin cậy và còn hiệu lực khi ký."]
        for n, s in enumerate(self.signatures, 1):
            lines.append(f"Chữ ký {n}: {s['signer']} (cấp bởi {s['issuer']}), ký lúc {s['signed_at_text']}"
                         f"{' theo dấu thời gian' if s['timestamped'] else ' (thời điểm người ký khai báo)'}.")
        return "\n".join(lines)


def vn_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M:%S %d/%m/%Y")


def trust_roots():
    return [root.load() for root in TrustRoot.objects.filter(active=True)]


def verify_signed_report(data: bytes, cycle, *, now: dt.datetime | None = None) -> Verification:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    result = Verification()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError):
        result.problems.append("Tệp không phải là tệp PDF đọc được.")
        return result
    _check_identity(reader, data, cycle, result)
    if not signatures:
        result.problems.append("Tệp chưa có chữ ký số.")
        return result
    roots = trust_roots()
    if not roots:
        result.problems.append("Chưa có chứng thư gốc tin cậy nào được quản trị viên cấu hình: không kiểm tra được chữ ký.")
        return result
    now = now or timezone.now()
    for number, sig in enumerate(signatures, 1):
        _check_signature(number, sig, last=number == len(signatures), roots=roots, now=now, result=result)
    return result


# --- 1. is it this cycle's report? ----------------------------------------------------------------

def _check_identity(reader, data: bytes, cycle, result: Verification) -> None:
    info = reader.trailer["/Info"] if "/Info" in reader.trailer else None
    document_id = str(info.get(DOCUMENT_ID_KEY, "")) if info is not None else ""
    job = (ProvinceReportJob.objects.select_related("cycle__plan")
           .filter(document_id=document_id, format=ProvinceReportJob.Format.PDF)
           .exclude(file_path="").first() if document_id else None)  # rendered (a job signing it is not done yet)
    if job is None:
        result.problems.append("Tệp không phải là báo cáo tỉnh do hệ thống tạo ra (không có mã văn bản của hệ thống).")
        return
    if job.cycle_id != cycle.pk:
        result.problems.append(f"Tệp là báo cáo của kỳ khác ({job.cycle}), không phải của kỳ này.")
        return
    result.job = job
    if not job.file_path or not default_storage.exists(job.file_path):
        result.problems.append("Không còn tệp báo cáo đã tạo để đối chiếu nội dung; hãy tạo lại báo cáo.")
        return
    with default_storage.open(job.file_path, "rb") as fh:
        generated = fh.read()
    difference = text_difference(generated, data)
    if difference:
        result.problems.append(f"Nội dung tệp khác với báo cáo đã tạo ngày {vn_time(job.created_at)}: {difference}")


def pdf_lines(data: bytes) -> list[list[str]]:
    """The text of each page, line by line with spaces normalised (pdftotext, poppler-utils)."""
    if not shutil.which("pdftotext"):
        raise RuntimeError("pdftotext (poppler-utils) is required to compare a signed report's text")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(data)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                              check=True, timeout=120).stdout.decode("utf-8", "replace")
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [[" ".join(line.split()) for line in page.splitlines() if line.strip()] for page in pages]


def text_difference(generated: bytes, uploaded: bytes) -> str:
    """"" when the uploaded file says what the generated one says; else where it first differs.
    Each page must hold every line of the generated page in order; extra lines (the signature
    blocks' text) are allowed."""
    try:
        before, after = pdf_lines(generated), pdf_lines(uploaded)
    except subprocess.SubprocessError:
        return "không đọc được nội dung tệp."
    if len(before) != len(after):
        return f"số trang là {len(after)}, báo cáo đã tạo có {len(before)} trang."
    for page, (want, got) in enumerate(zip(before, after), 1):
        remaining = iter(got)
        for line in want:
            if not any(line == candidate for candidate in remaining):
                return f"trang {page} không có (hoặc đã sửa) dòng “{line[:80]}”."
    return ""


# --- 2–4. each signature ---------------------------------------------------------------------------

def _check_signature(number: int, sig, *, last: bool, roots, now, result: Verification) -> None:
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation import async_validate_pdf_signature

    from reporting.province.signing import run_coroutine
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    cert = sig.signer_cert
    name = common_name(cert)
    label = f"Chữ ký {number} ({name})"
    declared = sig.self_reported_timestamp

    def validate(moment):
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                                    moment=moment)
        return run_coroutine(async_validate_pdf_signature(sig, context, key_usage_settings=KeyUsageConstraints(
            key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)))

    status = validate(declared or now)
    problems = []
    if not (status.intact and status.valid):
        problems.append(f"{label}: chữ ký không còn nguyên vẹn – nội dung đã bị thay đổi sau khi ký.")
    else:
        if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(f"{label}: chữ ký chỉ bao trùm một phần tệp – có nội dung được thêm sau khi ký.")
        elif not last and (status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
                           or status.modification_level is None
                           or status.modification_level > ModificationLevel.FORM_FILLING
                           or not status.docmdp_ok):
            problems.append(f"{label}: chữ ký chỉ bao trùm một phần tệp – sau khi ký, tệp bị sửa ngoài việc ký thêm.")

    # When was it signed? A token from a trusted timestamp authority is evidence; a declared time is a claim.
    signed_at, timestamped = declared, False
    token = status.timestamp_validity
    if token is not None and token.intact and token.valid and token.trusted:
        signed_at, timestamped = token.timestamp, True
        if declared is None or abs(signed_at - declared) > CLOCK_SKEW:
            status = validate(signed_at)
    if signed_at is None:
        problems.append(f"{label}: không có thời điểm ký (không khai báo, không có dấu thời gian).")
    else:
        created = result.job.created_at if result.job else None
        if not timestamped and created and signed_at < created - CLOCK_SKEW:
            problems.append(f"{label}: thời điểm ký khai báo ({vn_time(signed_at)}) trước cả lúc báo cáo được tạo "
                            f"({vn_time(created)}) – không tin được.")
        elif signed_at > now + CLOCK_SKEW:
            problems.append(f"{label}: thời điểm ký khai báo ({vn_time(signed_at)}) ở tương lai.")
        valid_from, valid_to = cert.not_valid_before, cert.not_valid_after
        if signed_at > valid_to:
            problems.append(f"{label}: chứng thư số đã hết hạn (hiệu lực đến {vn_time(valid_to)}) "
                            f"vào thời điểm ký {vn_time(signed_at)}.")
        elif signed_at < valid_from:
            problems.append(f"{label}: chứng thư số chưa có hiệu lực (từ {vn_time(valid_from)}) "
                            f"vào thời điểm ký {vn_time(signed_at)}.")
    if not any("chứng thư số" in p for p in problems) and status.intact and status.valid and not status.trusted:
        if status.revoked:
            problems.append(f"{label}: chứng thư số đã bị thu hồi.")
        else:
            problems.append(f"{label}: chứng thư số không xuất phát từ tổ chức chứng thực gốc được tin cậy "
                            f"(cấp bởi “{common_name_of_issuer(cert)}”); quản trị viên cần thêm chứng thư gốc nếu tin cậy.")
    result.problems.extend(problems)
    result.signatures.append({
        "signer": name, "issuer": common_name_of_issuer(cert), "serial": format(cert.serial_number, "x"),
        "signed_at": signed_at.isoformat() if signed_at else None,
        "signed_at_text": vn_time(signed_at) if signed_at else "", "timestamped": timestamped,
        "ok": not problems,
    })


def common_name_of_issuer(cert) -> str:
    return cert.issuer.native.get("common_name", "") or cert.issuer.human_friendly
