"""The cycle's official report: the signed province report, kept for good.

Two ways in, one rule: a file becomes official only if `verify_signed_report` passes it. The
server signs a generation it has just made (`sign_generated_report`, run by the generation job);
a reviewer uploads a copy signed elsewhere (`accept_signed_upload`). Official reports are never
changed; a new one for a cycle that already has one needs a reason, names the one it replaces,
and both are kept (the latest is the cycle's official report).
"""
from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from reporting.models import OfficialReport, ProvinceReportJob, ReportingCycle
from reporting.province import signing
from reporting.province.verify import Verification, verify_signed_report

NEEDS_REASON = "Kỳ này đã có báo cáo chính thức (đã ký): cần nêu lý do thay thế."


class OfficialReportRefused(Exception):
    """The file was not kept; `verification` says why (when the checks ran)."""

    def __init__(self, message: str, verification: Verification | None = None):
        super().__init__(message)
        self.verification = verification


def current_official(cycle) -> OfficialReport | None:
    """The cycle's official report: the latest kept (earlier ones stay, replaced)."""
    return OfficialReport.objects.filter(cycle=cycle).select_related("stored_by", "job").first()


def needs_reason(cycle) -> bool:
    return OfficialReport.objects.filter(cycle=cycle).exists()


def _keep(*, cycle, job, data: bytes, source: str, by, verification: Verification, reason: str) -> OfficialReport:
    """Store the verified file as the cycle's official report (one transaction; the cycle row is
    locked so two uploads at once cannot both replace the same report)."""
    reason = reason.strip()
    with transaction.atomic():
        ReportingCycle.objects.select_for_update().filter(pk=cycle.pk).first()
        previous = current_official(cycle)
        if previous and not reason:
            raise OfficialReportRefused(NEEDS_REASON, verification)
        digest = hashlib.sha256(data).hexdigest()
        stem = (job.file_path.rsplit("/", 1)[-1].rsplit(".", 1)[0] if job.file_path else "bao-cao") + "-da-ky"
        path = default_storage.save(f"official-reports/{cycle.pk}/{digest[:12]}/{stem}.pdf", ContentFile(data))
        try:
            return OfficialReport.objects.create(
                cycle=cycle, job=job, source=source, file_path=path, sha256=digest, size=len(data),
                stored_by=by, signatures=verification.signatures, verification=verification.summary(),
                replaces=previous, reason=reason if previous else "")
        except Exception:
            default_storage.delete(path)  # nothing half kept: no row, no file
            raise


def accept_signed_upload(*, cycle, data: bytes, by, reason: str = "") -> OfficialReport:
    """A copy signed outside (USB token, e-office), uploaded back: verified, then kept.
    Raises OfficialReportRefused naming every failed check; nothing is stored then."""
    verification = verify_signed_report(data, cycle)
    if not verification.ok:
        raise OfficialReportRefused("Tệp không được nhận là báo cáo chính thức.", verification)
    reason = reason or verification.job.replacement_reason
    return _keep(cycle=cycle, job=verification.job, data=data, source=OfficialReport.Source.UPLOAD, by=by,
                 verification=verification, reason=reason)


COUNTERSIGN_REASON = "Cơ quan ký số bổ sung (sau chữ ký của người ký)."


def countersign_official(job: ProvinceReportJob) -> OfficialReport:
    """The organisation's signature added on the server to the official report `job.countersign`
    (signed by a person): an incremental update, so the person's signature stays valid. The result
    is verified like an upload and kept as the new official report, replacing the one it extends."""
    official = job.countersign
    with default_storage.open(official.file_path, "rb") as fh:
        data = fh.read()
    who = signing.configured_signer(title="")
    signed = signing.sign_pdf(data, who, counter_signature=True)
    verification = verify_signed_report(signed, official.cycle)
    if not verification.ok:
        raise OfficialReportRefused("Bản ký bổ sung trên máy chủ không qua được kiểm tra.", verification)
    return _keep(cycle=official.cycle, job=verification.job, data=signed, source=OfficialReport.Source.SERVER,
                 by=job.requested_by, verification=verification, reason=COUNTERSIGN_REASON)


def sign_generated_report(job: ProvinceReportJob, data: bytes) -> OfficialReport:
    """The server signs the PDF it generated for `job` with the organisation's certificate
    (signing.configured_signer), checks the result as it would an upload, and keeps it."""
    meta = job.params or {}
    title = " ".join(part for part in (meta.get("signer_authority", ""), meta.get("signer_title", "")) if part)
    who = signing.configured_signer(title=title, name=meta.get("signer_name", ""))
    signed = signing.sign_pdf(data, who)
    verification = verify_signed_report(signed, job.cycle)
    if not verification.ok:
        raise OfficialReportRefused("Bản ký trên máy chủ không qua được kiểm tra.", verification)
    return _keep(cycle=job.cycle, job=job, data=signed, source=OfficialReport.Source.SERVER, by=job.requested_by,
                 verification=verification, reason=job.replacement_reason)
