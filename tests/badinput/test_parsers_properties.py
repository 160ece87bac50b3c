"""Property-based tests of the parsers that read what users type or upload.

The plan document parser's own properties (never raises, idempotent lenient code normalisation) are
in tests/importers/test_document_parser.py; here: the spreadsheet reader, the money parser of the
report form, the strict code normal form of tasks/codes.py, and agency-name folding.

Needs Django settings (the spreadsheet reader reads column lengths from the models) but no database.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agencies.names import agency_key
from agencies.text import fold, nfc, sort_key
from reporting.reports.forms import parse_money
from reporting.models import MONEY_MAX
from reporting.reports.money import group_thousands
from tasks.codes import InvalidCode, code_sort_key, is_normal, normalize_code, parent_code
from tasks.importers.load import read_appendix_bytes
from tasks.importers.service import ImportBundle, ImportFailed
from tasks.importers.spreadsheet import read_plan_spreadsheet
from tasks.sheet_format import (
    AGENCIES_SHEET, AGENCY_COLUMNS, ITEM_COLUMNS, ITEMS_SHEET, KIND_LABELS, LEVEL_LABELS, PLAN_FIELDS, PLAN_SHEET, YES,
)

SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FAST = settings(max_examples=300, deadline=None)

# --- the spreadsheet reader: random cells → a bundle or ImportFailed, never anything else ---------------

# Text that openpyxl can write (it refuses control characters in cells).
cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60).map(
    lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
plausible = st.sampled_from(
    ["1", "1.1", "1.1.1", "1.1.1 a", "2", "1.2#2", "abc", "", " ", "Chủ đề", "Nhóm nhiệm vụ", "Nhiệm vụ, hoạt động",
     "Hoạt động con", "Sở Tài chính", "Sở Xây dựng", YES, "x", "không", "2023", "2030", "31/02/2025", "01/02/2024",
     "=1+1", "<script>alert(1)</script>", "1.1.1\n1.1.2", "[manual] xem lại", *LEVEL_LABELS.values(),
     *KIND_LABELS.values()])
cell_value = st.one_of(
    st.none(), plausible, cell_text,
    st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.booleans(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)),
)


def _row(columns, draw_values):
    return [draw_values() for _ in columns]


@st.composite
def plan_workbooks(draw) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET if draw(st.integers(0, 9)) else draw(st.sampled_from(["Sheet", "KẾ HOẠCH", "Ke hoach", " "]))
    ws.append(["Trường", "Giá trị"])
    for _key, label in PLAN_FIELDS:
        if draw(st.integers(0, 9)):
            ws.append([label, draw(cell_value)])
    for title, columns in ((ITEMS_SHEET, ITEM_COLUMNS), (AGENCIES_SHEET, AGENCY_COLUMNS)):
        if not draw(st.integers(0, 19)):
            continue  # a missing sheet
        ws = wb.create_sheet(title)
        headers = [c.header for c in columns]
        if not draw(st.integers(0, 9)):
            headers = draw(st.permutations(headers))
        if not draw(st.integers(0, 9)):
            headers[draw(st.integers(0, len(headers) - 1))] = draw(cell_text)
        ws.append(headers)
        for _ in range(draw(st.integers(0, 6))):
            ws.append([draw(cell_value) for _ in headers][: draw(st.integers(0, len(headers)))])
    buf = io.BytesIO()
    wb.save(buf)
    return _timeless(buf.getvalue())


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _timeless(data: bytes) -> bytes:
    """The same workbook as the same bytes. openpyxl stamps the save time into docProps/core.xml and
    every zip entry, so a replayed example would differ in length when the second ticks over between
    runs, and the damage test's draws (which depend on the length) would change under Hypothesis."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(b"2024-01-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_generated_workbook_is_the_same_bytes_when_saved_again_later(monkeypatch):
    import openpyxl.writer.excel as excel

    def saved_at(moment):
        class Clock(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return moment.replace(tzinfo=tz)
        monkeypatch.setattr(excel.datetime, "datetime", Clock)
        wb = Workbook()
        wb.active.append(["Trường", "Giá trị"])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    first, later = saved_at(dt.datetime(2026, 1, 1, 8, 0, 0)), saved_at(dt.datetime(2026, 1, 1, 8, 0, 1))
    assert first != later  # openpyxl stamps the time …
    assert _timeless(first) == _timeless(later)  # … and the generator's workbooks do not carry it


def _read(data: bytes, name="ngau-nhien.xlsx"):
    try:
        bundle = read_appendix_bytes(data, name)
    except ImportFailed as failure:
        assert failure.errors and all(isinstance(e, str) and e.startswith(name) for e in failure.errors)
        return None
    assert isinstance(bundle, ImportBundle) and bundle.source_kind in ("xlsx", "document")
    return bundle


@SLOW
@given(plan_workbooks())
def test_any_workbook_gives_a_bundle_or_import_failed(data):
    bundle = _read(data)
    if bundle is not None:  # whatever got through is well-formed for the import service
        for item in [*bundle.parsed.themes, *bundle.parsed.items]:
            assert is_normal(item.code) and len(item.code) <= 40
            assert item.level in LEVEL_LABELS


@SLOW
@given(plan_workbooks(), st.data())
def test_a_damaged_workbook_gives_a_bundle_or_import_failed(data, draw):
    """Flip, cut or insert bytes anywhere in the zip (headers, directory, compressed sheets)."""
    damaged = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 8))):
        op = draw.draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        i = draw.draw(st.integers(0, len(damaged) - 1))
        if op == "flip":
            damaged[i] ^= draw.draw(st.integers(1, 255))
        elif op == "cut":
            del damaged[i: i + draw.draw(st.integers(1, 200))]
        elif op == "insert":
            damaged[i:i] = draw.draw(st.binary(min_size=1, max_size=40))
        else:
            damaged[i: i + 16] = b"\x00" * 16
        if not damaged:
            break
    _read(bytes(damaged))


@SLOW
@given(plan_workbooks(), st.data())
def test_a_workbook_with_a_rewritten_part_gives_a_bundle_or_import_failed(data, draw):
    """Valid zip, broken XML inside: sheets, shared strings, styles, the workbook part itself."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    target = draw.draw(st.sampled_from(names))
    body = src.read(target)
    cut = draw.draw(st.integers(0, len(body)))
    replacement = draw.draw(st.sampled_from([
        body[:cut], body[:cut] + b"<", body.replace(b"<", b"<x:", 1), b"", b"\xff\xfe\x00",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    ]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in names:
            dst.writestr(name, replacement if name == target else src.read(name))
    _read(out.getvalue())


@FAST
@given(st.binary(max_size=600))
@example(b"PK\x03\x04")
@example(b"PK\x05\x06" + b"\x00" * 18)
@example(b"\xef\xbb\xbf")
def test_any_bytes_give_a_bundle_or_import_failed(data):
    _read(data, "bat-ky.bin")


@SLOW
@given(st.binary(min_size=1, max_size=400))
def test_any_bytes_behind_a_zip_signature_give_import_failed(data):
    with pytest.raises(ImportFailed):
        read_plan_spreadsheet(b"PK\x03\x04" + data, "zip.xlsx")


# --- money in the report form ----------------------------------------------------------------------------

@FAST
@given(st.text(max_size=50))
@example("1.234.567 đ")
@example("１２３")
@example("1\u202f000")
def test_parse_money_returns_a_non_negative_int_none_or_a_validation_error(raw):
    try:
        value = parse_money(raw)
    except ValidationError as exc:
        assert exc.messages and all(isinstance(m, str) and m for m in exc.messages)
        return
    assert value is None or (isinstance(value, int) and value >= 0)
    if value is None:
        assert not re.sub(r"(?i)\s*(đồng|đ|vnđ|vnd)\.?$", "", raw.strip()).strip()


@FAST
@given(st.integers(0, MONEY_MAX), st.sampled_from(["", " đ", " đồng", " VNĐ", "vnd", " đ."]),
       st.sampled_from([".", " ", "\u00a0", "\u202f", None]))
def test_parse_money_reads_back_every_way_an_amount_is_written(amount, currency, separator):
    grouped = group_thousands(amount)
    typed = str(amount) if separator is None else re.sub(r"\D", separator, grouped)
    assert parse_money(typed + currency) == amount
    assert parse_money(f"  {typed}{currency}  ") == amount


@FAST
@given(st.integers(MONEY_MAX + 1, 10**39), st.sampled_from([".", " ", None]))
def test_parse_money_refuses_amounts_above_the_maximum_however_written(amount, separator):
    typed = str(amount) if separator is None else re.sub(r"\D", separator, group_thousands(amount))
    with pytest.raises(ValidationError):
        parse_money(typed)


@FAST
@given(st.integers(1, 10**15))
def test_parse_money_refuses_negative_amounts(amount):
    with pytest.raises(ValidationError):
        parse_money(f"-{group_thousands(amount)}")


@FAST
@given(st.integers(0, 10**12), st.sampled_from([".", " "]), st.sampled_from([",", "..", ". "]))
def test_parse_money_refuses_mixed_or_broken_grouping(amount, separator, wrong):
    assume(amount >= 1000)
    grouped = re.sub(r"\D", separator, group_thousands(amount))
    broken = grouped.replace(separator, wrong, 1)
    with pytest.raises(ValidationError):
        parse_money(broken)


# --- the code normal form (tasks/codes.py) ----------------------------------------------------------------

@FAST
@given(st.text(max_size=30))
@example("1.1.3 A#02")
@example("٣.١")
def test_normalize_code_gives_a_normal_code_or_invalid_code(raw):
    try:
        code = normalize_code(raw)
    except InvalidCode as exc:
        assert str(exc).startswith("Mã “")
        return
    assert is_normal(code), code
    assert normalize_code(code) == code
    parent = parent_code(code)
    assert parent is None or (is_normal(parent) and len(parent) < len(code))


codes = st.builds(
    lambda parts, letter, dup: ".".join(map(str, parts)) + (f" {letter}" if letter else "") + (f"#{dup}" if dup else ""),
    st.lists(st.integers(0, 99999), min_size=1, max_size=5), st.sampled_from(["", "a", "b", "d", "đ", "e", "z"]),
    st.sampled_from([None, 2, 3, 10]))


def _numeric(code: str):
    base, _, dup = code.partition("#")
    digits, _, letter = base.partition(" ")
    order = "abcdđefghijklmnopqrstuvwxyz"
    return ([int(p) for p in digits.split(".")], order.index(letter) + 1 if letter else 0, int(dup or 0))


@FAST
@given(codes, codes)
def test_code_sort_key_orders_codes_numerically(a, b):
    assert is_normal(a) and is_normal(b)
    na, nb = _numeric(a), _numeric(b)
    if na[0] == nb[0] or not (na[0][: len(nb[0])] == nb[0] or nb[0][: len(na[0])] == na[0]):
        # Siblings, or unrelated branches: numeric order of the parts, then the letter, then the duplicate.
        assert (code_sort_key(a) < code_sort_key(b)) == (na < nb) or na == nb
    else:
        # One is an ancestor of the other: the ancestor and its lettered sub-items come first.
        shorter, longer = (a, b) if len(na[0]) < len(nb[0]) else (b, a)
        if not _numeric(shorter)[1] and not _numeric(shorter)[2]:
            assert code_sort_key(shorter) < code_sort_key(longer)


@FAST
@given(codes)
def test_code_sort_key_fits_its_column(code):
    assume(len(code) <= 40)  # the code column; longer codes are refused on import
    assert len(code_sort_key(code)) <= 120


# --- agency-name folding ----------------------------------------------------------------------------------

names = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "Sở Giao thông vận tải", "Sở Giao thông - Vận tải",
                     "UBND các huyện, thị xã, thành phố", "Sở Lao động – Thương binh và Xã hội", "Công an tỉnh",
                     "<b>Sở Tài chính</b>", "Sở  Tài   chính ", "SỞ TÀI CHÍNH"]),
)


@FAST
@given(names)
def test_fold_is_idempotent_lower_case_and_without_diacritics(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded


@FAST
@given(names)
def test_folding_and_sorting_ignore_the_unicode_form(text):
    """Text pasted from Word is often NFD; it must fold, key and sort like the NFC text."""
    nfd = unicodedata.normalize("NFD", text)
    assert fold(nfd) == fold(nfc(text))
    assert sort_key(nfd) == sort_key(nfc(text))
    assert agency_key(nfd) == agency_key(nfc(text))


@FAST
@given(names)
def test_agency_key_never_raises_and_is_stable(text):
    key = agency_key(text)
    assert isinstance(key, str) and key == key.strip()
    assert agency_key(text) == key
    assert agency_key(text.upper()) == agency_key(text.lower()) or not text.isascii()


@FAST
@given(names, st.sampled_from(["", " ", "  ", "\t", "\u00a0"]))
def test_agency_key_ignores_case_and_surrounding_space(text, pad):
    assume(text.strip())
    assert agency_key(pad + text + pad) == agency_key(text)
    assert agency_key(text.upper()) == agency_key(text) or text.upper().lower() != text.lower()
