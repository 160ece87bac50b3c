"""The cycle workbook round trip: download, fill offline, upload, preview, confirm.

alice (officer of A) owes three reports 1.1.1–1.1.3; bob (officer of B) owes 1.2.1; hana heads A
and may submit; rita reviews the province.
"""
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting.workbook import layout, pending, read
from reporting.workbook.apply import ApplyFailed, apply
from reporting.reports import workflow
from reporting.models import MONEY_MAX, TEXT_MAX_CHARS, Report, ReportEvent, ReportingCycle
from tests.factories import build_plan

from tests.reporting.factories import ReportingCycleFactory, bulk_reports

pytestmark = [pytest.mark.django_db]

COL = {c.key: c.header for c in layout.COLUMNS}


@pytest.fixture
def w(world):
    """The world, with its cycle open today whatever day the suite runs."""
    today = timezone.localdate()
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(
        opens_on=today - dt.timedelta(days=200), closes_on=today + dt.timedelta(days=60))
    world.cycle.refresh_from_db()
    return world


# --- helpers ---------------------------------------------------------------------------------

def _download(client, user, cycle, agency):
    client.force_login(user)
    response = client.get(reverse("reporting:workbook_download", args=[cycle.pk, agency.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _edit(data: bytes, edits) -> bytes:
    """Apply edits to the "Báo cáo" sheet: {(item code, column key): value}; a value given as
    ("text", v) is written as a text cell, ("formula", v) as a formula."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[layout.SHEET]
    header = [c.value for c in ws[1]]
    rows = {ws.cell(row=r, column=header.index(COL["code"]) + 1).value: r for r in range(2, ws.max_row + 1)}
    for (code, key), value in edits.items():
        cell = ws.cell(row=rows[code], column=header.index(COL[key]) + 1)
        if isinstance(value, tuple) and value[0] == "text":
            cell.value = value[1]
            cell.data_type = "s"
        elif isinstance(value, tuple) and value[0] == "formula":
            cell.value = value[1]
            assert cell.data_type == "f"
        else:
            cell.value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row_of(data: bytes, code) -> int:
    ws = load_workbook(io.BytesIO(data))[layout.SHEET]
    header = [c.value for c in ws[1]]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=header.index(COL["code"]) + 1).value == code)


def _upload(client, cycle, agency, data: bytes, name="bao-cao.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("reporting:workbook_upload", args=[cycle.pk, agency.pk]), {"file": f})


def _confirm(client, cycle, agency, token, action="confirm"):
    return client.post(reverse("reporting:workbook_confirm", args=[cycle.pk, agency.pk]),
                       {"token": token, "action": action})


def _checksum() -> str:
    fields = [f.attname for f in Report._meta.concrete_fields]
    rows = list(Report.objects.order_by("pk").values_list(*fields))
    extra = (ReportEvent.objects.count(), Report.history.count())
    return hashlib.sha256(repr((rows, extra)).encode()).hexdigest()


def _problems(response) -> list[str]:
    preview = response.context["preview"]
    return preview.messages


def _save(report, user, **data):
    report.refresh_from_db()
    return workflow.report_save(report, user=user, data=data, base_version=report.version)


# --- download --------------------------------------------------------------------------------

def test_the_workbook_has_one_row_per_report_with_hidden_ids_dropdowns_and_text_cells(client, w):
    _save(w.report_of(w.agency_a, "1.1.2"), w.officer_a, results="=SUM(A1:A3) là văn bản", outputs="- Bản đồ")
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [layout.SHEET, layout.INDICATOR_SHEET, layout.HELP_SHEET]
    ws = wb[layout.SHEET]
    assert [c.value for c in ws[1]] == [c.header for c in layout.COLUMNS]
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids == list(Report.objects.filter(cycle=w.cycle, agency=w.agency_a).order_by("item__sort_key")
                       .values_list("pk", flat=True))
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
    assert ws.protection.sheet and ws.cell(row=2, column=1).protection.locked
    assert not ws.cell(row=2, column=list(COL).index("results") + 1).protection.locked
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref
    kinds = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert "Đúng tiến độ" in kinds["list"].formula1 and "Chưa triển khai" in kinds["list"].formula1
    assert (kinds["whole"].formula1, kinds["whole"].formula2) == ("0", "100")
    row = _row_of(data, "1.1.2")
    results = ws.cell(row=row, column=list(COL).index("results") + 1)
    outputs = ws.cell(row=row, column=list(COL).index("outputs") + 1)
    assert (results.value, results.data_type) == ("=SUM(A1:A3) là văn bản", "s")
    assert (outputs.value, outputs.data_type) == ("- Bản đồ", "s")
    assert ws.cell(row=row, column=list(COL).index("title") + 1).data_type == "s"
    assert "Tình hình thực hiện" in [c.value for c in wb[layout.HELP_SHEET]["A"]]


def test_another_agency_cannot_download_or_upload_the_workbook(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    for user in (w.officer_b, w.reviewer):
        client.force_login(user)
        assert client.get(reverse("reporting:workbook_download", args=[w.cycle.pk, w.agency_a.pk])).status_code == 404
        assert client.get(reverse("reporting:workbook_upload", args=[w.cycle.pk, w.agency_a.pk])).status_code == 404
        assert _upload(client, w.cycle, w.agency_a, data).status_code == 404
        assert _confirm(client, w.cycle, w.agency_a, "x").status_code == 404


def test_the_upload_page_offers_the_download_and_works_in_english(client, w, settings):
    client.force_login(w.officer_a)
    url = reverse("reporting:workbook_upload", args=[w.cycle.pk, w.agency_a.pk])
    body = client.get(url).content.decode()
    assert reverse("reporting:workbook_download", args=[w.cycle.pk, w.agency_a.pk]) in body and 'type="file"' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(url).status_code == 200
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    response = _upload(client, w.cycle, w.agency_a, _edit(data, {("1.1.1", "percent_complete"): 150}))
    # Column names are the file's format, so they stay Vietnamese in an English interface.
    message = response.context["preview"].messages[0]
    assert response.status_code == 200 and "150" in message and "“Tỷ lệ hoàn thành (%)”" in message


# --- the good round trip ---------------------------------------------------------------------

GOOD_RESULTS = "=Đã trồng 1.000 cây xanh; độ che phủ tăng 2%"


def test_a_good_workbook_is_previewed_then_saved_as_an_upload_by_alice(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    edited = _edit(data, {
        ("1.1.1", "status"): "Đúng tiến độ",
        ("1.1.1", "percent_complete"): 40,
        ("1.1.1", "results"): ("text", GOOD_RESULTS),
        ("1.1.1", "funds_central"): ("text", "1.234.567"),
        ("1.1.1", "funds_local"): 2500000,
        ("1.1.3", "difficulties"): ("text", "Thiếu kinh phí đối ứng"),
    })
    before = _checksum()
    response = _upload(client, w.cycle, w.agency_a, edited)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok, preview.messages
    assert _checksum() == before  # a preview saves nothing
    shown = {(c.report.item.code, f.field, f.old, f.new) for c in preview.changes for f in c.fields}
    assert shown == {
        ("1.1.1", "status", "—", "Đúng tiến độ"),
        ("1.1.1", "percent_complete", "—", "40%"),
        ("1.1.1", "results", "—", GOOD_RESULTS),
        ("1.1.1", "funds_central", "—", "1.234.567 đ"),
        ("1.1.1", "funds_local", "—", "2.500.000 đ"),
        ("1.1.3", "difficulties", "—", "Thiếu kinh phí đối ứng"),
    }
    assert preview.unchanged == 1
    body = response.content.decode()
    assert "Xác nhận và lưu" in body and GOOD_RESULTS in body
    token = response.context["token"]
    assert default_storage.open(pending.stored_name(token)).read() == edited

    response = _confirm(client, w.cycle, w.agency_a, token)
    assert response.status_code == 302
    r1, r3 = w.report_of(w.agency_a, "1.1.1"), w.report_of(w.agency_a, "1.1.3")
    assert (r1.status, r1.percent_complete, r1.results, r1.funds_central, r1.funds_local) == (
        "on_schedule", 40, GOOD_RESULTS, 1234567, 2500000)
    assert r1.state == Report.State.DRAFT and r1.version == 1 and r1.updated_by == w.officer_a
    assert r3.difficulties == "Thiếu kinh phí đối ứng"
    assert w.report_of(w.agency_a, "1.1.2").version == 0  # the unchanged row is not touched
    event = r1.events.get()
    assert (event.kind, event.actor) == (ReportEvent.Kind.UPLOAD, w.officer_a)
    assert r1.history.latest().history_user == w.officer_a
    assert not default_storage.exists(pending.stored_name(token))  # the pending file is gone
    # The token was used up: confirming again saves nothing more.
    again = _checksum()
    assert _confirm(client, w.cycle, w.agency_a, token).status_code == 302
    assert _checksum() == again

    # The same file again: versions in it are now old, but nothing differs, so no conflict.
    response = _upload(client, w.cycle, w.agency_a, edited)
    preview = response.context["preview"]
    assert preview.ok and preview.changes == [] and preview.unchanged == 3, preview.messages
    assert "Không có thay đổi nào" in response.content.decode() and response.context["token"] is None
    assert _checksum() == again


def test_a_fresh_download_after_saving_round_trips_the_saved_values_unchanged(client, w):
    _save(w.report_of(w.agency_a, "1.1.1"), w.officer_a, results="Dòng một\r\nDòng hai", funds_oda=10**12,
          status="behind", percent_complete=0)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    preview = _upload(client, w.cycle, w.agency_a, data).context["preview"]
    assert preview.ok and preview.changes == [] and preview.unchanged == 3, preview.messages


def test_a_typed_percentage_and_an_unaccented_status_are_understood(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[layout.SHEET]
    row = _row_of(data, "1.1.1")
    ws.cell(row=row, column=list(COL).index("percent_complete") + 1).value = 0.35
    ws.cell(row=row, column=list(COL).index("percent_complete") + 1).number_format = "0%"
    ws.cell(row=row, column=list(COL).index("status") + 1).value = "cham tien do"
    buf = io.BytesIO()
    wb.save(buf)
    preview = _upload(client, w.cycle, w.agency_a, buf.getvalue()).context["preview"]
    assert preview.ok, preview.messages
    assert {f.field: f.new for f in preview.changes[0].fields} == {"percent_complete": "35%", "status": "Chậm tiến độ"}


# --- bad workbooks ---------------------------------------------------------------------------

def _locked_after_download(w):
    r = w.report_of(w.agency_a, "1.1.1")
    workflow.report_submit(r, user=w.head_a)


def _saved_after_download(w):
    _save(w.report_of(w.agency_a, "1.1.1"), w.head_a, results="Bản của Hana")


def _prepare_for_lock(w):
    _save(w.report_of(w.agency_a, "1.1.1"), w.officer_a, status="on_schedule", percent_complete=10)


def _b_id(w):
    return w.report_of(w.agency_b).pk


BAD_CELLS = [
    # (id, edits (may use w), setup before download, change after download, expected column key, words)
    ("status-not-in-list", lambda w: {("1.1.1", "status"): "Đang làm"}, None, None, "status",
     ["“Đang làm” không thuộc danh sách", "Đúng tiến độ"]),
    ("percent-150", lambda w: {("1.1.1", "percent_complete"): 150}, None, None, "percent_complete",
     ["150", "từ 0 đến 100"]),
    ("percent-text", lambda w: {("1.1.1", "percent_complete"): ("text", "gần xong")}, None, None, "percent_complete",
     ["“gần xong”", "số nguyên từ 0 đến 100"]),
    ("negative-money", lambda w: {("1.1.1", "funds_central"): -5}, None, None, "funds_central", ["không được âm"]),
    ("negative-money-text", lambda w: {("1.1.1", "funds_oda"): ("text", "-1.000")}, None, None, "funds_oda",
     ["không được âm"]),
    ("money-words", lambda w: {("1.1.1", "funds_local"): ("text", "một triệu")}, None, None, "funds_local",
     ["“một triệu” không phải số tiền hợp lệ"]),
    ("money-fraction", lambda w: {("1.1.1", "funds_other"): 12.5}, None, None, "funds_other", ["không phải số nguyên"]),
    ("money-above-max", lambda w: {("1.1.1", "funds_central"): 10**15}, None, None, "funds_central",
     ["1.000.000.000.000.000", "999.999.999.999.999"]),
    ("money-above-max-text", lambda w: {("1.1.1", "funds_oda"): ("text", "1.000.000.000.000.000 đ")}, None, None,
     "funds_oda", ["999.999.999.999.999"]),
    ("money-above-max-double", lambda w: {("1.1.1", "funds_local"): 1e19}, None, None, "funds_local",
     ["999.999.999.999.999"]),
    ("formula", lambda w: {("1.1.1", "percent_complete"): ("formula", "=20+20")}, None, None, "percent_complete",
     ["công thức"]),
    ("formula-in-text", lambda w: {("1.1.1", "results"): ("formula", "=A1")}, None, None, "results", ["công thức"]),
    ("other-agency-id", lambda w: {("1.1.1", "id"): _b_id(w), ("1.1.1", "results"): ("text", "x")}, None, None, "id",
     ["không phải báo cáo của Sở Tài nguyên và Môi trường"]),
    ("locked-submitted", lambda w: {("1.1.1", "results"): ("text", "Sửa sau khi gửi")}, _prepare_for_lock,
     _locked_after_download, "results", ["Báo cáo đã gửi", "không sửa được"]),
    ("version-conflict", lambda w: {("1.1.1", "results"): ("text", "Bản của Alice")}, None, _saved_after_download,
     "results", ["xung đột", "Hana", "“Bản của Hana”", "“Bản của Alice”", "Không ghi đè"]),
]


@pytest.mark.parametrize("case", BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_a_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_saved(client, w, case):
    _name, edits, setup, after, key, words = case
    if setup:
        setup(w)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    row = _row_of(data, "1.1.1")
    if after:
        after(w)
    # A good change on another row rides along: it must not be saved either.
    edited = _edit(data, {**edits(w), ("1.1.2", "results"): ("text", "Thay đổi hợp lệ")})
    before = _checksum()
    response = _upload(client, w.cycle, w.agency_a, edited, name="so-tnmt.xlsx")
    assert response.status_code == 200
    problems = _problems(response)
    assert problems, "the bad cell was not reported"
    letter = layout.get_column_letter(list(COL).index(key) + 1)
    expected_where = f"so-tnmt.xlsx, trang “Báo cáo”, hàng {row}, cột {letter} “{COL[key]}”"
    match = [p for p in problems if p.startswith(expected_where)]
    assert match, problems
    for word in words:
        assert word in match[0], (word, match[0])
    body = response.content.decode()
    assert response.context["token"] is None and "Xác nhận và lưu" not in body
    assert COL[key] in body and "chưa lưu gì" in body
    # The good change is still listed, so the preview shows everything at once.
    assert any(c.report.item.code == "1.1.2" for c in response.context["preview"].changes)
    assert _checksum() == before


# --- nothing cut, nothing rounded ------------------------------------------------------------

def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_it_refuses_a_text_cell_over_the_limit_naming_the_cell_rather_than_saving_it(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    row = _row_of(data, "1.1.1")
    edited = _edit(data, {("1.1.1", "results"): ("text", "k" * 32_767)})  # as much as an Excel cell holds
    before = _checksum()
    response = _upload(client, w.cycle, w.agency_a, edited, name="so-tnmt.xlsx")
    problems = _problems(response)
    letter = layout.get_column_letter(list(COL).index("results") + 1)
    where = f"so-tnmt.xlsx, trang “Báo cáo”, hàng {row}, cột {letter} “Kết quả đạt được”: "
    match = [p for p in problems if p.startswith(where)]
    assert match, problems
    assert "32.767" in match[0] and _grouped(TEXT_MAX_CHARS) in match[0], match[0]
    assert response.context["token"] is None and _checksum() == before


def test_the_longest_text_allowed_round_trips_through_the_workbook_whole(client, w):
    line = "Đã hoàn thành kiểm kê khí nhà kính; “=SUM” vẫn là văn bản.\n"
    texts = {key: (f"{key}: " + line * (TEXT_MAX_CHARS // len(line) + 1))[:TEXT_MAX_CHARS - 1] + "ạ"
             for key in ("results", "outputs", "difficulties", "proposals")}
    _save(w.report_of(w.agency_a, "1.1.1"), w.officer_a, **texts)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    ws = load_workbook(io.BytesIO(data))[layout.SHEET]
    row = _row_of(data, "1.1.1")
    for key, text in texts.items():
        assert ws.cell(row=row, column=list(COL).index(key) + 1).value == text  # whole, not cut
    preview = _upload(client, w.cycle, w.agency_a, data).context["preview"]
    assert preview.ok and preview.changes == [] and preview.unchanged == 3, preview.messages


def _as_excel_saves_it(data: bytes) -> bytes:
    """Excel keeps every number as a double: what an unchanged workbook holds after Excel saved it."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[layout.SHEET]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.value = float(cell.value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_maximum_amount_round_trips_exactly_and_an_unchanged_reupload_changes_nothing(client, w):
    funds = {key: MONEY_MAX for key in ("funds_central", "funds_local", "funds_oda", "funds_other")}
    _save(w.report_of(w.agency_a, "1.1.1"), w.officer_a, **funds)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    ws = load_workbook(io.BytesIO(data))[layout.SHEET]
    row = _row_of(data, "1.1.1")
    for key in funds:
        cell = ws.cell(row=row, column=list(COL).index(key) + 1)
        assert (cell.value, type(cell.value), cell.data_type) == (MONEY_MAX, int, "n")  # an integer cell
    for upload in (data, _as_excel_saves_it(data)):
        before = _checksum()
        response = _upload(client, w.cycle, w.agency_a, upload)
        preview = response.context["preview"]
        assert preview.ok and preview.changes == [] and preview.unchanged == 3, preview.messages
        assert "Không có thay đổi nào" in response.content.decode() and _checksum() == before


@pytest.mark.parametrize("rename", [("Tỷ lệ hoàn thành (%)", "Tiến độ"), ("ID báo cáo", None)])
def test_a_missing_or_renamed_header_is_named(client, w, rename):
    old, new = rename
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[layout.SHEET]
    col = [c.value for c in ws[1]].index(old) + 1
    if new:
        ws.cell(row=1, column=col).value = new
    else:
        ws.delete_cols(col)
    buf = io.BytesIO()
    wb.save(buf)
    before = _checksum()
    problems = _problems(_upload(client, w.cycle, w.agency_a, buf.getvalue(), name="x.xlsx"))
    assert len(problems) == 1 and problems[0].startswith("x.xlsx, trang “Báo cáo”, hàng 1:"), problems
    assert f"thiếu cột “{old}”" in problems[0]
    if new:
        assert f"cột lạ: “{new}”" in problems[0]
    assert _checksum() == before


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (201 * 1024 * 1024))
    return buf.getvalue()


BAD_FILES = [
    ("not-xlsx", lambda: b"Day khong phai tep Excel, chi la van ban", "không phải tệp Excel .xlsx"),
    ("empty", lambda: b"", "tệp rỗng"),
    ("broken-zip", lambda: b"PK\x03\x04" + b"\0" * 100, "bị hỏng"),
    ("zip-bomb", _bomb, "giải nén quá lớn"),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_file_that_is_not_a_workbook_is_refused_by_name(client, w, case, monkeypatch):
    _id, make, words = case
    import tasks.importers.spreadsheet as reader

    def never(*a, **k):
        raise AssertionError("openpyxl must not read this file")

    monkeypatch.setattr(reader, "load_workbook", never)
    client.force_login(w.officer_a)
    before = _checksum()
    response = _upload(client, w.cycle, w.agency_a, make(), name="bao-cao-so.xlsx")
    assert response.status_code == 200
    problems = _problems(response)
    assert len(problems) == 1 and problems[0].startswith("bao-cao-so.xlsx: ") and words in problems[0], problems
    assert response.context["token"] is None
    assert _checksum() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, w, settings):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    settings.MAX_IMPORT_BYTES = len(data) - 1
    before = _checksum()
    problems = _problems(_upload(client, w.cycle, w.agency_a, _edit(data, {("1.1.1", "percent_complete"): 5})))
    assert len(problems) == 1 and "quá lớn" in problems[0] and problems[0].startswith("bao-cao.xlsx: "), problems
    assert _checksum() == before


def test_one_bad_row_among_good_ones_saves_nothing_even_when_forced(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    edited = _edit(data, {("1.1.1", "percent_complete"): 30, ("1.1.2", "percent_complete"): 150,
                          ("1.1.3", "percent_complete"): 60})
    before = _checksum()
    response = _upload(client, w.cycle, w.agency_a, edited)
    preview = response.context["preview"]
    assert len(preview.changes) == 2 and len(preview.problems) == 1 and response.context["token"] is None
    with pytest.raises(ApplyFailed):
        apply(preview, user=w.officer_a)
    assert _checksum() == before


def test_a_row_failing_while_saving_rolls_back_the_rows_saved_before_it(client, w):
    """The preview was clean, then the last report was submitted before apply ran."""
    _save(w.report_of(w.agency_a, "1.1.3"), w.officer_a, status="on_schedule", percent_complete=10)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    edited = _edit(data, {(code, "results"): ("text", f"Kết quả {code}") for code in ("1.1.1", "1.1.2", "1.1.3")})
    preview = read.read_upload(edited, "x.xlsx", cycle=w.cycle, agency=w.agency_a, user=w.officer_a)
    assert preview.ok and [c.report.item.code for c in preview.changes] == ["1.1.1", "1.1.2", "1.1.3"]
    workflow.report_submit(w.report_of(w.agency_a, "1.1.3"), user=w.head_a)
    before = _checksum()
    with pytest.raises(ApplyFailed) as failed:
        apply(preview, user=w.officer_a)
    assert "đã gửi" in failed.value.problems[0].message and failed.value.problems[0].row == _row_of(data, "1.1.3")
    assert _checksum() == before


def test_confirm_checks_again_and_saves_nothing_if_a_report_was_submitted_since_the_preview(client, w):
    _save(w.report_of(w.agency_a, "1.1.2"), w.officer_a, status="on_schedule", percent_complete=10)
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    edited = _edit(data, {("1.1.1", "percent_complete"): 20, ("1.1.2", "percent_complete"): 25})
    token = _upload(client, w.cycle, w.agency_a, edited).context["token"]
    assert token
    workflow.report_submit(w.report_of(w.agency_a, "1.1.2"), user=w.head_a)
    before = _checksum()
    response = _confirm(client, w.cycle, w.agency_a, token)
    assert response.status_code == 409
    assert any("Báo cáo đã gửi" in m and f"hàng {_row_of(data, '1.1.2')}" in m for m in _problems(response))
    assert _checksum() == before
    assert not default_storage.exists(pending.stored_name(token))


def test_cancelling_deletes_the_pending_file_and_saves_nothing(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    token = _upload(client, w.cycle, w.agency_a, _edit(data, {("1.1.1", "percent_complete"): 5})).context["token"]
    before = _checksum()
    assert _confirm(client, w.cycle, w.agency_a, token, action="cancel").status_code == 302
    assert _checksum() == before and not default_storage.exists(pending.stored_name(token))


def test_a_pending_upload_belongs_to_the_session_that_uploaded_it(client, w):
    data = _download(client, w.officer_a, w.cycle, w.agency_a)
    token = _upload(client, w.cycle, w.agency_a, _edit(data, {("1.1.1", "percent_complete"): 5})).context["token"]
    from django.test import Client

    other = Client()
    other.force_login(w.head_a)  # same agency, another session
    before = _checksum()
    assert _confirm(other, w.cycle, w.agency_a, token).status_code == 302
    assert _checksum() == before


# --- queries ---------------------------------------------------------------------------------

def test_the_upload_preview_issues_the_same_queries_for_10_and_100_rows(client, w):
    counts = []
    for n in (10, 100):
        plan = build_plan(jurisdiction=w.province, themes=1, groups=1, activities=1, lead=w.agency_a, code=f"q{n}")
        cycle = ReportingCycleFactory(plan=plan)
        bulk_reports(cycle, w.agency_a, n, theme="5", states=[Report.State.DRAFT])
        data = _download(client, w.officer_a, cycle, w.agency_a)
        codes = list(Report.objects.filter(cycle=cycle).values_list("item__code", flat=True))
        edited = _edit(data, {(code, "percent_complete"): 77 for code in codes})
        with CaptureQueriesContext(connection) as ctx:
            response = _upload(client, cycle, w.agency_a, edited)
        preview = response.context["preview"]
        assert preview.ok and len(preview.changes) == len(codes) >= n, preview.messages
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15, counts
