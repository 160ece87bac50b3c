"""The template to type a plan into (`export_plan --template`, the admin download), and the fixes
found while typing a small plan: the typed plan code, the agencies sheet's jurisdiction column,
`;` between agencies, the level in Vietnamese words. The round trip fill → import → export gives
back the cells that were typed."""
from __future__ import annotations

import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from agencies.models import Agency
from tasks.exports import plan_template_xlsx, plan_xlsx
from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed
from tasks.models import ImportLog, Plan, PlanItem
from tasks.sheet_format import (
    AGENCIES_SHEET, AGENCY_COLUMNS, EXAMPLE_HEADER, INSTRUCTIONS_SHEET, ITEM_COLUMNS, ITEMS_SHEET, PLAN_FIELDS, PLAN_SHEET,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SCAN = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
TYPED = ("code", "level", "parent_code", "title", "text", "high_priority", "start_year", "end_year", "lead_agency",
         "supporting_agencies", "expected_outputs")

PLAN = {"code": "qt-tang-truong-xanh", "number": "2151/KH-UBND",
        "title": "Kế hoạch hành động tăng trưởng xanh tỉnh Quảng Trị giai đoạn 2023 - 2030",
        "jurisdiction": "Quảng Trị", "issuing_body": "Ủy ban nhân dân tỉnh Quảng Trị", "issued_on": "12/05/2023",
        "period_start": 2023, "period_end": 2030}
ITEMS = [
    {"code": "1", "level": "Chủ đề", "title": "Năng lượng sạch"},
    {"code": "1.1", "level": "Nhóm nhiệm vụ", "parent_code": "1", "title": "Điện mặt trời"},
    {"code": "1.1.1", "level": "Nhiệm vụ, hoạt động", "parent_code": "1.1", "title": "Khảo sát mái nhà công sở",
     "text": "Khảo sát toàn bộ mái nhà công sở của tỉnh.", "high_priority": "Có", "start_year": 2023, "end_year": 2025,
     "lead_agency": "Sở Công Thương", "supporting_agencies": "Sở Tài chính\nSở Xây dựng",
     "expected_outputs": "Báo cáo khảo sát"},
    {"code": "1.1.2", "level": "Nhiệm vụ, hoạt động", "parent_code": "1.1", "title": "Lắp điện mặt trời cho trường học",
     "start_year": 2024, "end_year": 2030, "lead_agency": "Sở Giáo dục và Đào tạo",
     "supporting_agencies": "Sở Công Thương"},
    {"code": "1.1.2 a", "level": "Hoạt động con", "parent_code": "1.1.2", "title": "Thí điểm ở 5 trường",
     "start_year": 2024, "end_year": 2024, "lead_agency": "Sở Giáo dục và Đào tạo"},
]
AGENCIES = [
    {"name": "Sở Công Thương", "kind": "Sở, ban, ngành", "jurisdiction": "Quảng Trị"},
    {"name": "Sở Giáo dục và Đào tạo", "kind": "Sở, ban, ngành", "jurisdiction": "Quảng Trị"},
    {"name": "Sở Tài chính", "kind": "Sở, ban, ngành", "jurisdiction": "Quảng Trị"},
    {"name": "Sở Xây dựng", "kind": "Sở, ban, ngành", "jurisdiction": "Quảng Trị"},
]


def fill(template: bytes, plan=PLAN, items=ITEMS, agencies=AGENCIES) -> bytes:
    """Type a plan into the template, as a person would: plan values, item rows under the examples."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[PLAN_SHEET]
    labels = dict(PLAN_FIELDS)
    for row in ws.iter_rows(min_row=2):
        key = next((k for k, label in labels.items() if label == row[0].value), None)
        if key in plan:
            row[1].value = plan[key]
    for sheet, columns, rows in ((ITEMS_SHEET, ITEM_COLUMNS, items), (AGENCIES_SHEET, AGENCY_COLUMNS, agencies)):
        ws = wb[sheet]
        keys = [c.key for c in columns]
        for values in rows:
            r = ws.max_row + 1
            for key, value in values.items():
                ws.cell(row=r, column=keys.index(key) + 1).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_rows(data: bytes, sheet: str, columns, keys) -> list[dict]:
    ws = load_workbook(io.BytesIO(data))[sheet]
    header = [c.value for c in ws[1]]
    out = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        if EXAMPLE_HEADER in header and row[header.index(EXAMPLE_HEADER)]:
            continue
        cells = {c.key: row[header.index(c.header)] for c in columns if c.key in keys}
        if any(v not in (None, "") for v in cells.values()):
            out.append(cells)
    return out


def _write(tmp_path, data: bytes, name="ke-hoach-quang-tri.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_command_writes_the_template_and_template_implies_xlsx(tmp_path):
    out = tmp_path / "plan-mau.xlsx"
    call_command("export_plan", "--template", "-o", str(out), stderr=StringIO())
    wb = load_workbook(out)
    assert wb.sheetnames[0] == INSTRUCTIONS_SHEET and {PLAN_SHEET, ITEMS_SHEET, AGENCIES_SHEET} <= set(wb.sheetnames)
    assert "MẪU NHẬP KẾ HOẠCH" in wb[INSTRUCTIONS_SHEET]["A1"].value
    assert wb[AGENCIES_SHEET].max_row == 1  # the agencies sheet is empty
    with pytest.raises(CommandError):
        call_command("export_plan", "--template", "--format", "json", "-o", str(out))
    with pytest.raises(CommandError):
        call_command("export_plan", "--template")


def test_the_template_has_one_marked_example_per_level_drop_downs_and_year_checks():
    wb = load_workbook(io.BytesIO(plan_template_xlsx()))
    ws = wb[ITEMS_SHEET]
    header = [c.value for c in ws[1]]
    examples = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[header.index(EXAMPLE_HEADER)]]
    assert [r[header.index("Cấp")] for r in examples] == ["Chủ đề", "Nhóm nhiệm vụ", "Nhiệm vụ, hoạt động", "Hoạt động con"]
    rules = {(dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation}
    assert ("list", "C2:C1000") in rules and ("list", "G2:G1000") in rules
    assert any(t == "whole" and "I2:I1000" in ref and "J2:J1000" in ref for t, ref in rules)
    kinds = {(dv.type, str(dv.sqref)) for dv in wb[AGENCIES_SHEET].data_validations.dataValidation}
    assert ("list", "C2:C1000") in kinds
    years = [dv for dv in wb[PLAN_SHEET].data_validations.dataValidation]
    assert years and years[0].type == "whole" and (years[0].formula1, years[0].formula2) == ("1900", "2200")


def test_fill_import_export_gives_back_the_typed_cells(tmp_path):
    filled = fill(plan_template_xlsx())
    report = import_appendix(_write(tmp_path, filled))
    assert report.plan_code == "qt-tang-truong-xanh"  # the typed code, not one made from the number
    assert any("bỏ qua 4 dòng ví dụ" in w for w in report.warnings)
    exported = plan_xlsx(Plan.objects.get(code=report.plan_code))
    assert _sheet_rows(exported, ITEMS_SHEET, ITEM_COLUMNS, TYPED) == _sheet_rows(filled, ITEMS_SHEET, ITEM_COLUMNS, TYPED)
    agency_keys = ("name", "kind", "jurisdiction")
    assert (_sheet_rows(exported, AGENCIES_SHEET, AGENCY_COLUMNS, agency_keys)
            == _sheet_rows(filled, AGENCIES_SHEET, AGENCY_COLUMNS, agency_keys))
    plan_sheet = {r[0]: r[1] for r in load_workbook(io.BytesIO(exported))[PLAN_SHEET].iter_rows(min_row=2, values_only=True)}
    assert {k: plan_sheet[dict(PLAN_FIELDS)[k]] for k in PLAN} == PLAN
    # and the export imports again without a change
    again = import_appendix(_write(tmp_path, exported, "xuat-lai.xlsx"))
    assert not again.changed


def test_an_agency_of_another_jurisdiction_must_exist_there(tmp_path, province, agency_b):
    # Sở Công Thương of Bình Dương exists: the item may name it, and no Quảng Trị copy is made.
    agencies = [*AGENCIES[1:], {"name": "Sở Công Thương", "kind": "Sở, ban, ngành", "jurisdiction": "Bình Dương"}]
    report = import_appendix(_write(tmp_path, fill(plan_template_xlsx(), agencies=agencies)))
    item = PlanItem.objects.get(plan__code=report.plan_code, code="1.1.1")
    assert item.lead_agency == agency_b
    assert not Agency.objects.filter(name="Sở Công Thương", jurisdiction__name="Quảng Trị").exists()
    # Sở Ngoại vụ of Bình Dương does not exist: an error naming the row and the column, nothing written.
    Plan.objects.all().delete()
    before = Agency.objects.count()
    agencies = [*AGENCIES, {"name": "Sở Ngoại vụ", "kind": "Sở, ban, ngành", "jurisdiction": "Bình Dương"}]
    with pytest.raises(ImportFailed) as exc:
        import_appendix(_write(tmp_path, fill(plan_template_xlsx(), agencies=agencies), "loi.xlsx"))
    assert any(e.startswith("loi.xlsx, trang “Cơ quan”, hàng 6, cột “Tỉnh/thành phố”: cơ quan “Sở Ngoại vụ”")
               for e in exc.value.errors)
    assert not Plan.objects.exists() and Agency.objects.count() == before


def test_agencies_separated_by_semicolons_and_levels_in_vietnamese_words(tmp_path):
    items = [dict(it) for it in ITEMS]
    items[0]["level"] = "chu de"
    items[1]["level"] = "Nhóm"
    items[2]["level"] = "hoạt động"
    items[2]["supporting_agencies"] = "Sở Tài chính; Sở Xây dựng"
    items[3]["level"] = "Nhiệm vụ"
    items[3]["lead_agency"] = "Sở Giáo dục và Đào tạo; Sở Công Thương"
    items[3]["supporting_agencies"] = None
    items[4]["level"] = "hoạt động con"
    report = import_appendix(_write(tmp_path, fill(plan_template_xlsx(), items=items)))
    got = {it.code: (it.level, it.lead_agency.name if it.lead_agency else None,
                     sorted(a.name for a in it.supporting_agencies.all()))
           for it in PlanItem.objects.filter(plan__code=report.plan_code)}
    assert got == {
        "1": ("theme", None, []), "1.1": ("group", None, []),
        "1.1.1": ("activity", "Sở Công Thương", ["Sở Tài chính", "Sở Xây dựng"]),
        "1.1.2": ("activity", "Sở Giáo dục và Đào tạo", ["Sở Công Thương"]),
        "1.1.2 a": ("subactivity", "Sở Giáo dục và Đào tạo", []),
    }
    assert any("“Sở Công Thương” xếp vào phối hợp" in w for w in report.warnings)


def test_an_unknown_level_is_refused_naming_the_words_accepted(tmp_path):
    items = [dict(it) for it in ITEMS]
    items[2]["level"] = "Dự án"
    with pytest.raises(ImportFailed) as exc:
        import_appendix(_write(tmp_path, fill(plan_template_xlsx(), items=items)))
    message = next(e for e in exc.value.errors if "cột “Cấp”" in e)
    assert "hàng 8" in message and "“Dự án” không phải một cấp" in message
    assert "Nhóm nhiệm vụ (hoặc: Nhóm, Nhiệm vụ lớn)" in message and "Hoạt động con (hoặc: Mục con" in message
    assert ImportLog.objects.get().status == ImportLog.Status.FAILED and not Plan.objects.exists()


def test_a_typed_plan_code_used_by_another_plan_is_an_error(tmp_path, plan):
    with pytest.raises(ImportFailed) as exc:
        import_appendix(_write(tmp_path, fill(plan_template_xlsx(), plan=dict(PLAN, code=plan.code))))
    assert any("“Mã kế hoạch”: mã “bd-396” đã dùng cho kế hoạch" in e for e in exc.value.errors)
    with pytest.raises(ImportFailed) as exc:
        import_appendix(_write(tmp_path, fill(plan_template_xlsx(), plan=dict(PLAN, code="Quảng Trị 2151"))))
    assert any("không dùng được" in e for e in exc.value.errors)


def test_a_new_user_downloads_the_template_types_a_plan_of_another_province_and_sees_it_beside_plan_396(client):
    import_appendix(SCAN)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get("/admin/tasks/planitem/import/")
    link = re.search(r'href="([^"]+)"[^>]*>Tải mẫu nhập liệu', page.content.decode()).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Disposition"] == 'attachment; filename="plan-mau.xlsx"'
    typed = fill(download.content, items=[
        {"code": "1", "level": "Chủ đề", "title": "Nông nghiệp xanh"},
        {"code": "1.1", "level": "Nhóm nhiệm vụ", "title": "Canh tác bền vững"},
        {"code": "1.1.1", "level": "Hoạt động", "title": "Mô hình lúa giảm phát thải", "start_year": 2024,
         "end_year": 2026, "lead_agency": "Sở Nông nghiệp và Môi trường"},
        {"code": "1.1.2", "level": "Hoạt động", "title": "Tưới tiết kiệm nước", "start_year": 2025, "end_year": 2030,
         "lead_agency": "Sở Nông nghiệp và Môi trường", "supporting_agencies": "Sở Tài chính"},
        {"code": "1.1.3", "level": "Hoạt động", "title": "Thu gom phụ phẩm rơm rạ", "high_priority": "Có",
         "start_year": 2024, "end_year": 2030, "lead_agency": "Sở Tài chính"},
    ], agencies=[
        {"name": "Sở Nông nghiệp và Môi trường", "kind": "Sở, ban, ngành"},
        {"name": "Sở Tài chính", "kind": "Sở, ban, ngành"},
    ])
    preview = client.post("/admin/tasks/planitem/import/", {
        "format": "0", "resource": "0", "import_file": SimpleUploadedFile("ke-hoach-quang-tri.xlsx", typed)})
    body = preview.content.decode()
    assert preview.status_code == 200 and "1.1.3" in body and "process_import" in body
    confirm = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
    assert client.post("/admin/tasks/planitem/process_import/", confirm).status_code == 302
    listing = client.get("/plans/").content.decode()
    assert "2151/KH-UBND" in listing and "396/KH-UBND" in listing
    quang_tri = Plan.objects.get(number="2151/KH-UBND")
    assert (quang_tri.code, quang_tri.jurisdiction.name) == ("qt-tang-truong-xanh", "Quảng Trị")
    assert quang_tri.items.filter(level="activity").count() == 3


def test_the_admin_template_download_is_for_those_who_may_import(client):
    client.force_login(UserFactory(username="clerk", is_staff=True))
    assert client.get("/admin/tasks/planitem/template/").status_code == 403


def test_a_typed_item_needs_a_name_unless_it_is_marked_for_review_as_lost_from_the_source(tmp_path):
    items = [dict(it) for it in ITEMS]
    items[3]["title"] = None
    with pytest.raises(ImportFailed) as exc:
        import_appendix(_write(tmp_path, fill(plan_template_xlsx(), items=items)))
    message = next(e for e in exc.value.errors if "cột “Tên”" in e)
    assert "hàng 9" in message and "“Cần rà soát”" in message
    assert not Plan.objects.exists()

    items[3]["needs_review"] = "Có"
    import_appendix(_write(tmp_path, fill(plan_template_xlsx(), items=items), name="lan-2.xlsx"))
    item = PlanItem.objects.get(code="1.1.2")
    assert item.title == "" and item.needs_review and "bản quét" in item.shown_title
