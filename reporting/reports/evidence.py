"""Evidence files: accepted by what they contain, never by their name, and stored under a random
name outside the web root. They are served only by a view that checks who is asking.

Accepted: PDF, Office documents (OOXML .docx/.xlsx/.pptx without macros, legacy OLE2 .doc/.xls/
.ppt) and PNG/JPEG/GIF/WebP images. SVG and HTML are refused (they can carry script that would
run in the portal's origin), and so is anything else, whatever its extension says.
"""
from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.reports import files, workflow
from reporting.models import Attachment, Report

log = logging.getLogger(__name__)

ACCEPTED_HINT = gettext_lazy("PDF, Word, Excel, PowerPoint hoặc ảnh PNG/JPEG/GIF/WebP")
HEAD_BYTES = 4096
# A real Office document unpacks to a few MB; one that claims more is a zip bomb (as in the plan import).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

OOXML_MAIN_PARTS = (
    ("word/", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
OLE2_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe",
                    b"\xfe\xed\xfa")


@dataclass(frozen=True)
class Evidence:
    extension: str
    content_type: str


def _refuse(message: str):
    raise ValidationError(message, code="refused")


def _looks_like_markup(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for marker, kind in ((b"<svg", "SVG"), (b"<?xml", "XML/SVG"), (b"<!doctype", "HTML"), (b"<html", "HTML"),
                         (b"<script", "HTML"), (b"<head", "HTML"), (b"<body", "HTML")):
        if text.startswith(marker) or (kind == "SVG" and marker in text[:1024]):
            return kind
    return None


def _ooxml(uploaded) -> Evidence:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(_("Tệp nén bị hỏng hoặc không phải tài liệu Office."))
    if unpacked > MAX_UNPACKED_BYTES:  # a zip bomb: whoever opens it would unpack gigabytes
        _refuse(_("Tài liệu Office giải nén ra quá lớn (%(size)s MB); tệp bị từ chối.")
                % {"size": unpacked // (1024 * 1024)})
    if "[Content_Types].xml" not in names:
        _refuse(_("Tệp ZIP không phải tài liệu Office (thiếu [Content_Types].xml). Chỉ nhận %(hint)s.")
                % {"hint": ACCEPTED_HINT})
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        _refuse(_("Tài liệu Office có chứa macro; hãy lưu lại dưới dạng không có macro (.docx, .xlsx)."))
    for prefix, ext, ctype in OOXML_MAIN_PARTS:
        if any(n.startswith(prefix) for n in names):
            return Evidence(ext, ctype)
    _refuse(_("Không nhận dạng được loại tài liệu Office."))


def detect(uploaded, original_name: str = "") -> Evidence:
    """What the file really is, from its first bytes (and, for OOXML, its zip directory)."""
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    if not head:
        _refuse(_("Tệp rỗng."))
    if head.startswith(b"%PDF-"):
        return Evidence("pdf", "application/pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Evidence("png", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Evidence("jpg", "image/jpeg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Evidence("gif", "image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Evidence("webp", "image/webp")
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(uploaded)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        ext = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
        # OLE2 is the container of all three; the name only chooses among them.
        ext = ext if ext in OLE2_TYPES else "doc"
        return Evidence(ext, OLE2_TYPES[ext])
    if head.startswith(EXECUTABLE_MAGIC):
        _refuse(_("Tệp “%(name)s” là chương trình máy tính, không phải tài liệu; không được nhận.")
                % {"name": original_name})
    markup = _looks_like_markup(head)
    if markup:
        _refuse(_("Không nhận tệp %(kind)s (có thể chứa mã chạy trên trình duyệt). Hãy nộp %(hint)s.")
                % {"kind": markup, "hint": ACCEPTED_HINT})
    _refuse(_("Nội dung tệp “%(name)s” không phải %(hint)s; không được nhận.")
            % {"name": original_name, "hint": ACCEPTED_HINT})


def clean_name(name: str) -> str:
    """The name shown and offered on download: no path, no control characters, NFC, ≤ 200 chars."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:8]) if dot else name[:200]
    return name or "tep-minh-chung"


def validate(uploaded) -> Evidence:
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        _refuse(_("Tệp quá lớn (%(size)s MB); dung lượng tối đa là %(limit)s MB.")
                % {"size": f"{uploaded.size / 1048576:.1f}".replace(".", ","),
                   "limit": f"{limit / 1048576:g}".replace(".", ",")})
    return detect(uploaded, clean_name(uploaded.name))


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():  # from the start, in chunks: never the whole file in memory
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _refuse_duplicate(report: Report, name: str, digest: str) -> None:
    """Refuse `name` if a file with the same content is already attached to the report."""
    earlier = Attachment.objects.filter(report=report, sha256=digest).only("original_name").first()
    if earlier is not None:
        _refuse(_("Tệp “%(name)s” đã được đính kèm vào báo cáo này (trùng nội dung với minh chứng "
                  "“%(earlier)s”); không nộp lại.") % {"name": name, "earlier": earlier.original_name})


def attach(report: Report, *, user, uploaded) -> Attachment:
    """Validate and store one evidence file on a report the user may edit; the same content is
    attached once per report (judged by its SHA-256, whatever the file is called)."""
    refused = workflow.refusal(report, user, workflow.Move.EDIT)
    if refused is not None:
        raise refused
    evidence = validate(uploaded)
    original = clean_name(uploaded.name)
    digest = sha256_of(uploaded)
    _refuse_duplicate(report, original, digest)
    attachment = Attachment(report=report, original_name=original, content_type=evidence.content_type,
                            size=uploaded.size, sha256=digest, uploaded_by=user)
    # The stored extension comes from the content; upload_to adds the random name. The file is
    # written first and the row second: a store that is down leaves neither.
    try:
        attachment.file.save(f"evidence.{evidence.extension}", uploaded, save=False)
    except files.STORAGE_ERRORS as exc:
        log.warning("evidence for report %s not stored: %s", report.pk, exc)
        raise ValidationError(files.UNAVAILABLE, code="store_unavailable") from exc
    try:
        with transaction.atomic():
            attachment.save()
    except Exception as exc:
        attachment.file.delete(save=False)
        if isinstance(exc, IntegrityError):  # the same file sent twice at once: one of them is kept
            _refuse_duplicate(report, original, digest)
        raise
    return attachment


def remove(attachment: Attachment, *, user) -> None:
    refused = workflow.refusal(attachment.report, user, workflow.Move.EDIT)
    if refused is not None:
        raise refused
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: _delete_quietly(storage, name))


def _delete_quietly(storage, name: str) -> None:
    """The row is gone, so the evidence is gone for everyone; a store that is down keeps an orphan
    file (logged) rather than failing a removal the user already sees done."""
    try:
        storage.delete(name)
    except files.STORAGE_ERRORS as exc:
        log.warning("evidence file %s left in the store: %s", name, exc)
