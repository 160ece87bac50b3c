"""The plan spreadsheet: exact round trip, idempotent re-import, revisions that keep history,
and bad files that write nothing."""
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from agencies.models import Agency
from tasks.exports import plan_json, plan_xlsx
from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed
from tasks.models import ImportLog, Plan, PlanItem
from tasks.sheet_format import ITEM_COLUMNS, ITEMS_SHEET

pytestmark = pytest.mark.django_db
DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"


@pytest.fixture
def plan():
    report = import_appendix(DOCUMENT)
    return Plan.objects.get(code=report.plan_code)


@pytest.fixture
def xlsx(plan, tmp_path):
    path = tmp_path / "plan-396.xlsx"
    path.write_bytes(plan_xlsx(plan))
    return path


def cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _snapshot():
    """Every row of the plan tables, to prove that nothing was written."""
    return (list(PlanItem.objects.order_by("pk").values()), list(Agency.objects.order_by("pk").values()),
            list(Plan.objects.order_by("pk").values()))


def _edit(path: Path, out: Path, fn) -> Path:
    wb = load_workbook(path)
    fn(wb)
    wb.save(out)
    return out


def _row_of(ws, code):
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code:
            return row
    raise KeyError(code)


def test_importing_the_exported_spreadsheet_into_an_existing_plan_changes_nothing(plan, xlsx):
    before = _snapshot()
    report = import_appendix(xlsx)
    assert not report.changed and report.unchanged == PlanItem.objects.count()
    assert _snapshot() == before


def test_a_spreadsheet_resaved_by_excel_is_still_a_no_op(plan, xlsx, tmp_path):
    def reformat(wb):  # what a person's re-save changes: layout, not content
        wb[ITEMS_SHEET].column_dimensions["A"].width = 30
        wb[ITEMS_SHEET]["A1"].font = wb[ITEMS_SHEET]["A1"].font.copy(italic=True)

    resaved = _edit(xlsx, tmp_path / "resaved.xlsx", reformat)
    assert resaved.read_bytes() != xlsx.read_bytes()
    assert not import_appendix(resaved).changed


def test_round_trip_into_a_fresh_database_gives_the_same_cells(plan, xlsx):
    first = xlsx.read_bytes()
    Plan.objects.all().delete()
    from agencies.models import AgencyAlias, Jurisdiction, Succession

    Succession.objects.all().delete()
    AgencyAlias.objects.all().delete()
    Agency.objects.all().delete()
    Jurisdiction.objects.all().delete()
    report = import_appendix(xlsx)
    again = plan_xlsx(Plan.objects.get(code=report.plan_code))
    assert cells(again) == cells(first)


def test_text_cells_are_written_as_text_never_as_formulas(plan, tmp_path):
    item = PlanItem.objects.filter(plan=plan, level="activity").first()
    item.expected_outputs = "=HYPERLINK(\"http://x\")"
    item.title = "- gạch đầu dòng"
    item.save()
    wb = load_workbook(io.BytesIO(plan_xlsx(plan)))
    row = _row_of(wb[ITEMS_SHEET], item.code)
    headers = [c.header for c in ITEM_COLUMNS]
    out = row[headers.index("Sản phẩm dự kiến")]
    assert out.data_type == "s" and out.value == "=HYPERLINK(\"http://x\")"
    assert row[headers.index("Tên")].value == "- gạch đầu dòng"
    path = tmp_path / "with-equals.xlsx"
    path.write_bytes(plan_xlsx(plan))
    assert not import_appendix(path).changed  # and it reads back as the same text


def test_a_revised_spreadsheet_updates_only_what_changed_and_retires_what_disappeared(plan, xlsx, tmp_path):
    headers = [c.header for c in ITEM_COLUMNS]

    def revise(wb):
        ws = wb[ITEMS_SHEET]
        _row_of(ws, "3.1.1")[headers.index("Tên")].value = "Tên mới của 3.1.1"
        ws.delete_rows(_row_of(ws, "18.2.2")[0].row)

    revised = _edit(xlsx, tmp_path / "revised.xlsx", revise)
    report = import_appendix(revised)
    assert report.updated == [("3.1.1", ["title"])]
    assert report.retired == ["18.2.2"] and not report.created
    retired = PlanItem.objects.get(plan=plan, code="18.2.2")
    assert retired.retired_at is not None  # kept, with its history
    assert PlanItem.objects.get(plan=plan, code="3.1.1").history.count() == 2
    assert "18.2.2" not in [r[0] for r in cells(plan_xlsx(plan))[ITEMS_SHEET]]


def test_a_recoded_item_keeps_its_identity_so_reports_follow(plan, xlsx, tmp_path):
    headers = [c.header for c in ITEM_COLUMNS]
    original = PlanItem.objects.get(plan=plan, code="1.1.3#2")

    def recode(wb):
        ws = wb[ITEMS_SHEET]
        _row_of(ws, "1.1.3#2")[headers.index("Mã")].value = "1.1.5"

    revised = _edit(xlsx, tmp_path / "recoded.xlsx", recode)
    mapping = tmp_path / "corrections.json"
    mapping.write_text(json.dumps({"code_map": {"1.1.3#2": "1.1.5"}}), encoding="utf-8")
    report = import_appendix(revised, corrections=mapping)
    assert report.recoded == [("1.1.3#2", "1.1.5")] and not report.retired and not report.created
    assert PlanItem.objects.get(pk=original.pk).code == "1.1.5"


def test_corrections_apply_only_when_named_and_each_needs_a_reason(plan, tmp_path):
    corr = tmp_path / "corr.json"
    corr.write_text(json.dumps({"items": [{"code": "10.3.2", "set": {"start_year": 2023}}]}), encoding="utf-8")
    before = _snapshot()
    with pytest.raises(ImportFailed, match="thiếu lý do"):
        import_appendix(DOCUMENT, corrections=corr)
    assert _snapshot() == before
    corr.write_text(json.dumps({"items": [{"code": "10.3.2", "set": {"start_year": 2023, "clear_flags": ["timeline_outside_period"]},
                                           "reason": "Kế hoạch bắt đầu năm 2023"}]}), encoding="utf-8")
    report = import_appendix(DOCUMENT, corrections=corr)
    item = PlanItem.objects.get(plan=plan, code="10.3.2")
    assert item.start_year == 2023 and "10.3.2: start_year, clear_flags – Kế hoạch bắt đầu năm 2023" in report.corrections_applied


# --- bad input: a clear message naming file, row and field; nothing written --------------------

def _bad(path, match):
    before = _snapshot()
    logs = ImportLog.objects.count()
    with pytest.raises(ImportFailed) as failure:
        import_appendix(path)
    assert _snapshot() == before
    assert ImportLog.objects.count() == logs + 1 and ImportLog.objects.first().status == "failed"
    text = "\n".join(failure.value.errors)
    assert path.name in text
    for m in ([match] if isinstance(match, str) else match):
        assert m in text, text
    return text


def test_a_wrong_file_type_is_refused(plan, tmp_path):
    exe = tmp_path / "appendix.xlsx"
    exe.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 200)
    _bad(exe, "không phải tệp văn bản hay tệp Excel")


def test_an_empty_file_is_refused(plan, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    _bad(empty, "tệp rỗng")


def test_a_truncated_spreadsheet_is_refused(plan, xlsx, tmp_path):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(xlsx.read_bytes()[:3000])
    _bad(cut, "bị hỏng")


def test_a_missing_or_renamed_column_is_named(plan, xlsx, tmp_path):
    bad = _edit(xlsx, tmp_path / "renamed.xlsx", lambda wb: setattr(wb[ITEMS_SHEET].cell(row=1, column=11), "value", "Chủ trì"))
    _bad(bad, ["trang “Mục kế hoạch”, hàng 1", "thiếu cột “Cơ quan chủ trì”", "cột lạ: “Chủ trì”"])


def test_an_unknown_agency_is_an_error_with_row_and_column(plan, xlsx, tmp_path):
    def unknown(wb):
        _row_of(wb[ITEMS_SHEET], "3.1.1")[10].value = "Sở Không Tồn Tại"
    bad = _edit(xlsx, tmp_path / "unknown.xlsx", unknown)
    row = _row_of(load_workbook(bad)[ITEMS_SHEET], "3.1.1")[0].row
    _bad(bad, [f"hàng {row}", "cột “Cơ quan chủ trì”", "Sở Không Tồn Tại"])


def test_impossible_years_are_errors(plan, xlsx, tmp_path):
    def years(wb):
        r = _row_of(wb[ITEMS_SHEET], "3.1.1")
        r[8].value, r[9].value = 2030, 2023
        _row_of(wb[ITEMS_SHEET], "3.1.2")[8].value = 203
    bad = _edit(xlsx, tmp_path / "years.xlsx", years)
    _bad(bad, ["2023 trước năm bắt đầu 2030", "năm “203” không hợp lệ"])


def test_duplicate_codes_within_a_spreadsheet_are_errors(plan, xlsx, tmp_path):
    bad = _edit(xlsx, tmp_path / "dup.xlsx", lambda wb: setattr(_row_of(wb[ITEMS_SHEET], "3.1.2")[0], "value", "3.1.1"))
    _bad(bad, "mã “3.1.1” trùng với hàng")


def test_formulas_in_cells_are_refused(plan, xlsx, tmp_path):
    bad = _edit(xlsx, tmp_path / "formula.xlsx", lambda wb: setattr(_row_of(wb[ITEMS_SHEET], "3.1.1")[12], "value", "=1+1"))
    _bad(bad, ["cột “Sản phẩm dự kiến”", "công thức"])


def test_a_50_mb_file_is_refused_before_reading(plan, tmp_path, settings):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    _bad(big, "tệp quá lớn")


# --- JSON, commands and speed ------------------------------------------------------------------

def test_the_json_export_always_has_every_documented_key(plan):
    data = plan_json(plan)
    assert set(data["plan"]) >= {"code", "title", "jurisdiction", "issued_on", "period_start", "period_end"}
    assert {"code", "title"} == set(data["themes"][0])
    assert set(data["task_groups"][0]) >= {"code", "theme", "title", "lead_agency", "start_year", "end_year", "high_priority"}
    keys = {"code", "printed_code", "parent", "title", "text", "high_priority", "group_tags", "start_year", "end_year",
            "lead_agency", "supporting_agencies", "expected_outputs", "needs_review", "review_reasons"}
    assert all(keys <= set(a) for a in data["activities"])
    assert set(data["agencies"][0]) >= {"name", "kind", "jurisdiction", "aliases"}
    json.dumps(data)  # serialisable


def test_export_and_import_commands(plan, tmp_path, capsys):
    out = tmp_path / "p.xlsx"
    call_command("export_plan", "--plan", plan.code, "--format", "xlsx", "-o", str(out))
    call_command("import_appendix", str(out), "--dry-run")
    assert "CHẠY THỬ" in capsys.readouterr().out


def _sheet_with_rows(n: int, tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    for row in [("Trường", "Giá trị"), ("Số hiệu", "1/KH-UBND"), ("Tên kế hoạch", "Kế hoạch thử"),
                ("Tỉnh/thành phố", "Tỉnh Thử"), ("Từ năm", 2023), ("Đến năm", 2030)]:
        ws.append(row)
    items = wb.create_sheet(ITEMS_SHEET)
    items.append([c.header for c in ITEM_COLUMNS])
    items.append(["1", None, "Chủ đề", None, "Chủ đề 1"] + [None] * 12)
    groups = max(1, n // 50)
    for g in range(1, groups + 1):
        items.append([f"1.{g}", None, "Nhóm nhiệm vụ", "1", f"Nhóm {g}"] + [None] * 12)
        for a in range(1, 50 + 1):
            items.append([f"1.{g}.{a}", None, "Nhiệm vụ, hoạt động", f"1.{g}", f"Hoạt động {g}.{a}", "Nội dung", None,
                          None, 2023, 2030, "Sở A", "Sở B", "Sản phẩm", None, None, None, None])
    ag = wb.create_sheet("Cơ quan")
    from tasks.sheet_format import AGENCY_COLUMNS

    ag.append([c.header for c in AGENCY_COLUMNS])
    ag.append(["Sở A", None, "Sở, ban, ngành", None, "Tỉnh Thử", None, None, None])
    ag.append(["Sở B", None, "Sở, ban, ngành", None, "Tỉnh Thử", None, None, None])
    path = tmp_path / f"rows-{n}.xlsx"
    wb.save(path)
    return path


def _import_queries(path):
    with CaptureQueriesContext(connection) as ctx:
        import_appendix(path)
    return len(ctx)


def test_importing_a_spreadsheet_issues_queries_that_do_not_grow_per_row(tmp_path):
    small, large = _sheet_with_rows(100, tmp_path), _sheet_with_rows(1000, tmp_path)
    q_small = _import_queries(small)
    Plan.objects.all().delete()
    q_large = _import_queries(large)
    # Rows are written in bulk batches: the count grows with the number of batches (SQLite caps a
    # query at 999 parameters, so its batches are ~40 rows; PostgreSQL's are 500), never per row.
    extra_rows = 1000 - 100
    assert q_large - q_small < extra_rows / 20, (q_small, q_large)


class _Rollback(Exception):
    pass


def _fresh_import_queries(path) -> list[str]:
    """The statements of importing `path` into a database without its plan, agencies or province."""
    with CaptureQueriesContext(connection) as ctx:
        try:
            with transaction.atomic():
                import_appendix(path)
                raise _Rollback
        except _Rollback:
            pass
    return [q["sql"] for q in ctx.captured_queries]


def test_the_import_issues_the_same_queries_for_50_and_500_activities(tmp_path):
    small = _fresh_import_queries(_sheet_with_rows(50, tmp_path))
    large = _fresh_import_queries(_sheet_with_rows(500, tmp_path))

    def others(queries):  # ids and savepoint names aside
        return [re.sub(r"\d+", "0", q) for q in queries if not q.startswith("INSERT")]

    # Only the bulk INSERTs carry the rows; every other query is the same whatever the size.
    assert others(small) == others(large)
    if connection.vendor == "postgresql":  # 500 rows fit one batch: not one query more
        assert len(large) == len(small), (len(small), len(large))
    else:  # SQLite caps a query at 999 parameters, so its item batches hold ~50 rows
        assert len(large) - len(small) <= (500 - 50) // 20, (len(small), len(large))
