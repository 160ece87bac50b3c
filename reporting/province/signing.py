"""Signing the province report on the server, with pyHanko (PAdES).

The organisation's certificate is a PKCS#12 file an admin configures (SIGNING_P12_FILE, and
SIGNING_P12_PASSWORD or SIGNING_P12_PASSWORD_FILE). A signature covers the whole file and carries a
visible block where Decree 30/2020/NĐ-CP (Phụ lục I) puts it: on the signer's signature space,
between the title and the name, which the PDF renderer records in the file's metadata
(reporting/province/pdf.py). The text of the block (title, name, signing time in Vietnam time) is
Vietnamese, so it is drawn with an embedded TrueType font (Liberation Serif, a subset).

A second signature (the organisation after the person) is added as an incremental update, so the
first one stays valid; per the decree the organisation's block overlaps the left third of the
signer's. Nothing here goes to the network: no timestamp authority, no revocation look-up.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Keys in the PDF's document information dictionary (written by reporting/province/pdf.py).
DOCUMENT_ID_KEY = "/GreenplanReport"
SIGNATURE_BOX_KEY = "/GreenplanSignatureBox"
VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# Used when the PDF has no recorded box (a file from elsewhere): the right half of the last page's
# lower third, points from the bottom-left corner of an A4 page.
FALLBACK_BOX = (-1, (310.0, 120.0, 530.0, 200.0))


class SigningError(Exception):
    """Signing could not be done; the message is for the person who asked (Vietnamese)."""


@dataclass
class SignerIdentity:
    """Who signs and how the block names them (the certificate's subject is what verifiers trust)."""

    signer: object  # pyhanko.sign.signers.SimpleSigner
    name: str
    title: str


def is_configured() -> bool:
    return bool(getattr(settings, "SIGNING_P12_FILE", ""))


def load_signer(p12_file: str | Path, password: bytes | None, *, title: str = "", name: str = "") -> SignerIdentity:
    """A signer from a PKCS#12 file; the block's name defaults to the certificate's common name."""
    from pyhanko.sign import signers

    path = Path(p12_file)
    if not path.is_file():
        raise SigningError(f"Không đọc được tệp chứng thư số {path} (SIGNING_P12_FILE).")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)
    if signer is None:
        raise SigningError("Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp hỏng (SIGNING_P12_FILE).")
    return SignerIdentity(signer=signer, name=name or common_name(signer.signing_cert), title=title)


def configured_signer(*, title: str = "", name: str = "") -> SignerIdentity:
    """The organisation's signer as the admin configured it in the environment."""
    if not is_configured():
        raise SigningError("Chưa cấu hình chứng thư số của cơ quan (SIGNING_P12_FILE).")
    password = settings.SIGNING_P12_PASSWORD
    return load_signer(settings.SIGNING_P12_FILE, password.encode() if password else None, title=title, name=name)


def common_name(cert) -> str:
    """The subject's common name of an asn1crypto certificate (what a signer is called)."""
    return cert.subject.native.get("common_name", "") or cert.subject.human_friendly


def signature_box(reader) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) of the signature space recorded when the PDF was rendered."""
    info = reader.trailer["/Info"] if "/Info" in reader.trailer else {}
    raw = str(info.get(SIGNATURE_BOX_KEY, "")) if info else ""
    try:
        page, *box = raw.split(",")
        x1, y1, x2, y2 = (float(v) for v in box)
        return int(page), (x1, y1, x2, y2)
    except ValueError:
        return FALLBACK_BOX


def _font_for_pdf() -> str:
    """The block's font at 1000 units per em.

    pyHanko 0.38 writes a glyph's advance into the PDF's /W array in the font's own units, but PDF
    counts widths per 1000; Liberation Serif has 2048 units per em, so its letters would be drawn
    twice as far apart. A copy rescaled with fontTools (once per process, kept in the temp folder)
    has exactly the same outlines and right widths."""
    import tempfile

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    source = Path(settings.SIGNING_FONT_FILE)
    if not source.is_file():
        raise SigningError(f"Thiếu phông chữ {source} (gói fonts-liberation2) để hiển thị chữ ký.")
    target = Path(tempfile.gettempdir()) / "greenplan-fonts" / f"{source.stem}-1000upem.ttf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(source))
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        partial.replace(target)  # atomic: a process reading the font never sees half a file
    return str(target)


def _stamp_style():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = _font_for_pdf()
    return TextStampStyle(
        stamp_text="%(label)s\n%(title)s\n%(name)s\nThời gian ký: %(when)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font), font_size=9),
        border_width=1, background=None,
    )


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines to its end from synchronous code. Its sync wrappers call
    asyncio.run(), which fails in a thread that already runs an event loop (an async caller, or a
    test process where Playwright's sync API holds one): there the coroutine gets a thread of its own."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def sign_pdf(data: bytes, who: SignerIdentity, *, counter_signature: bool = False,
             when: dt.datetime | None = None, timestamper=None) -> bytes:
    """`data` with one more PAdES signature over the whole file, as an incremental update.

    `counter_signature`: the organisation signs after the person; its block overlaps the left
    third of the existing one (Decree 30/2020, Phụ lục I). `timestamper`: a pyHanko TimeStamper
    whose token is embedded; the server passes none (it asks no timestamp authority), tests pass a
    local one to produce what a token-holding signer's software would."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers

    reader = PdfFileReader(io.BytesIO(data))
    existing = len(reader.embedded_signatures)
    page, (x1, y1, x2, y2) = signature_box(reader)
    if counter_signature or existing:
        width, height = x2 - x1, y2 - y1
        x1, x2 = x1 - width * 2 / 3, x2 - width * 2 / 3
        y1, y2 = y1 - height * 0.5, y2 - height * 0.5
    when = (when or dt.datetime.now(dt.timezone.utc)).astimezone(VN_TZ)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    field_name = f"ChuKy{existing + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        name=who.name, reason="Ký số văn bản báo cáo" if not existing else "Ký số của cơ quan, tổ chức",
    )
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=(x1, y1, x2, y2))
    pdf_signer = signers.PdfSigner(meta, signer=who.signer, stamp_style=_stamp_style(), new_field_spec=spec,
                                   timestamper=timestamper)
    out = io.BytesIO()
    run_coroutine(pdf_signer.async_sign_pdf(writer, output=out, appearance_text_params={
        "label": "Ký bởi:" if not existing else "Cơ quan ký:",
        "title": who.title or "", "name": who.name,
        "when": when.strftime("%H:%M:%S %d/%m/%Y") + " (giờ Việt Nam)",
    }))
    return out.getvalue()
