"""Word plans (.docx) of four layouts go through `import_appendix` into the database; every item,
lead, timeline and priority is checked on the exported JSON, as a user would read it back."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency, Jurisdiction
from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed
from tasks.importers.word import read_timeline
from tasks.exports import plan_json
from tasks.models import ImportLog, Plan, PlanItem
from tests.importers import word_layouts

pytestmark = pytest.mark.django_db


def _import(tmp_path, builder, name=None):
    path = tmp_path / (name or f"{builder.__name__}.docx")
    path.write_bytes(builder())
    report = import_appendix(path)
    return report, Plan.objects.get(code=report.plan_code)


def _rows(plan):
    """code → (level, parent, title, lead, supporting, start, end, high priority, flags)."""
    data = plan_json(plan)
    out = {t["code"]: ("theme", None, t["title"]) for t in data["themes"]}
    for g in data["task_groups"]:
        out[g["code"]] = ("group", g["theme"], g["title"], g["lead_agency"], g["start_year"], g["end_year"],
                          g["high_priority"])
    for a in data["activities"]:
        out[a["code"]] = (a["parent"], a["title"], a["lead_agency"], a["supporting_agencies"], a["start_year"],
                          a["end_year"], a["high_priority"], [r["code"] for r in a["review_reasons"]])
    return out


def test_a_plan_in_the_usual_columns_with_merged_theme_rows(tmp_path):
    report, plan = _import(tmp_path, word_layouts.plan_quang_tri)
    assert (plan.number, plan.jurisdiction.name, plan.issuing_body, plan.issued_on.isoformat(),
            plan.period_start, plan.period_end) == (
        "2151/KH-UBND", "Quảng Trị", "Ủy ban nhân dân tỉnh Quảng Trị", "2023-05-12", 2023, 2030)
    assert plan.title == "Kế hoạch hành động tăng trưởng xanh tỉnh Quảng Trị giai đoạn 2023 - 2030"
    assert _rows(plan) == {
        "1": ("theme", None, "Giảm cường độ phát thải khí nhà kính"),
        "2": ("theme", None, "Xanh hóa lối sống"),
        "1.1": ("group", "1", "Tiết kiệm năng lượng trong công nghiệp", None, None, None, False),
        "1.2": ("group", "1", "Phát triển năng lượng tái tạo", None, None, None, False),
        "2.1": ("group", "2", "Tiêu dùng bền vững", None, None, None, False),
        "1.1.1": ("1.1", "Kiểm toán năng lượng các cơ sở sử dụng năng lượng trọng điểm", "Sở Công Thương",
                  ["Sở Khoa học và Công nghệ", "Sở Tài chính"], 2023, 2030, True, []),
        "1.1.2": ("1.1", "Thay thế thiết bị chiếu sáng công cộng tiết kiệm điện", "Sở Xây dựng",
                  ["UBND các huyện, thị xã, thành phố"], 2023, 2025, False, []),
        "1.2.1": ("1.2", "Quy hoạch điện gió ven biển", "Sở Công Thương", ["Sở Tài nguyên và Môi trường"],
                  2024, 2024, False, []),
        "2.1.1": ("2.1", "Tuyên truyền tiêu dùng xanh trong trường học", "Sở Giáo dục và Đào tạo",
                  ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"], 2023, 2030, False, []),
    }
    assert not plan.review_reasons and report.flags == []
    assert "cột nhận ra" in report.as_text() and "không có cột bị bỏ qua" in report.as_text()


def test_reordered_reworded_columns_a_priority_column_roman_themes_and_lettered_sub_items(tmp_path):
    report, plan = _import(tmp_path, word_layouts.plan_ha_tinh)
    assert (plan.number, plan.jurisdiction.name, plan.period_start, plan.period_end) == ("87/KH-UBND", "Hà Tĩnh", 2024, 2030)
    assert _rows(plan) == {
        "1": ("theme", None, "Năng lượng sạch"),
        "2": ("theme", None, "Đô thị xanh"),
        "1.1": ("group", "1", "Điện mặt trời mái nhà", None, None, None, False),
        "2.1": ("group", "2", "Cây xanh đô thị", None, None, None, False),
        "1.1.1": ("1.1", "Khuyến khích lắp điện mặt trời mái nhà", "Sở Công Thương", ["Sở Tài chính", "Sở Xây dựng"],
                  2024, 2024, True, []),
        "1.1.2": ("1.1", "Hỗ trợ vốn cho hộ gia đình", "Sở Tài chính",
                  ["Ngân hàng Nhà nước chi nhánh tỉnh", "Sở Công Thương"], 2024, 2026, False, []),
        "1.1.2 a": ("1.1.2", "Hướng dẫn thủ tục vay vốn", "Sở Tài chính", [], 2025, 2025, True, []),
        "1.1.2 b": ("1.1.2", "Giải ngân vốn vay ưu đãi", "Ngân hàng Nhà nước chi nhánh tỉnh", ["Sở Tài chính"],
                    2025, 2026, False, []),
        "2.1.1": ("2.1", "Trồng mới cây xanh tại các đô thị", "Sở Xây dựng",
                  ["UBND thành phố Hà Tĩnh", "UBND thị xã Hồng Lĩnh"], 2024, 2030, True, []),
    }
    text = report.as_text()
    assert "“Mức độ ưu tiên” → Mức độ ưu tiên" in text and "“Thời gian hoàn thành” → Thời gian thực hiện" in text
    assert "cột bỏ qua – “Kinh phí (triệu đồng)”" in text


def test_a_decision_with_the_plan_attached_flags_only_what_is_uncertain(tmp_path):
    report, plan = _import(tmp_path, word_layouts.decision_lao_cai)
    assert (plan.number, plan.jurisdiction.name, plan.issued_on.isoformat(), plan.period_start, plan.period_end) == (
        "1234/QĐ-UBND", "Lào Cai", "2022-06-05", 2022, 2030)
    assert plan.title == "Kế hoạch hành động tăng trưởng xanh tỉnh Lào Cai giai đoạn 2022 - 2030"
    assert _rows(plan) == {
        "1": ("theme", None, "Nông nghiệp xanh"),
        "1.1": ("group", "1", "Canh tác bền vững", None, None, None, False),
        "1.1.1": ("1.1", "Nhân rộng mô hình canh tác hữu cơ", "Sở Nông nghiệp và Phát triển nông thôn",
                  ["Hội Nông dân tỉnh"], 2022, 2025, True, []),
        "1.1.2": ("1.1", "Giảm sử dụng phân bón hóa học", None, ["Sở Nông nghiệp và Phát triển nông thôn"],
                  2023, 2030, False, ["no_lead"]),
        "1.1.3": ("1.1", "Theo dõi chất lượng đất canh tác", "Sở Tài nguyên và Môi trường", [], None, None, False,
                  ["invalid_timeline"]),
        "1.1.3#2": ("1.1", "Phát triển thương hiệu nông sản sạch", "Sở Công Thương", [], 2024, 2030, False,
                    ["duplicate_code"]),
    }
    # Only the three uncertain rows are flagged; the plan itself is not.
    assert sorted(code for code, _ in report.flags) == ["1.1.2", "1.1.3", "1.1.3#2"]
    assert plan.review_reasons == []
    assert "“Thường xuyên”" in report.as_text()


def test_agencies_on_separate_lines_sub_items_in_the_content_cell_and_a_closing_summary(tmp_path):
    report, plan = _import(tmp_path, word_layouts.plan_can_tho)
    assert (plan.number, plan.jurisdiction.name, plan.issuing_body) == (
        "45/KH-UBND", "Cần Thơ", "Ủy ban nhân dân thành phố Cần Thơ")
    assert plan.title == "Kế hoạch hành động tăng trưởng xanh thành phố Cần Thơ giai đoạn 2025 - 2030"
    assert _rows(plan) == {
        "1": ("theme", None, "Giao thông xanh"),
        "1.1": ("group", "1", "Phương tiện công cộng", None, None, None, False),
        # The second name in the lead cell (a new line) partners; the group's commas do not split it.
        "1.1.1": ("1.1", "Phát triển xe buýt điện", "Sở Giao thông vận tải",
                  ["Các sở, ban, ngành", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "UBND các quận, huyện"],
                  2025, 2030, False, []),
        "1.1.1 a": ("1.1.1", "Mở tuyến xe buýt điện nội đô", "Sở Giao thông vận tải", [], 2026, 2026, False, []),
        "1.1.1 b": ("1.1.1", "Xây trạm sạc tại bến xe", "Sở Công Thương", ["Sở Xây dựng"], 2026, 2027, False, []),
    }
    assert report.flags == []


def test_each_province_becomes_its_own_jurisdiction_with_its_own_agencies(tmp_path):
    _import(tmp_path, word_layouts.plan_quang_tri)
    _import(tmp_path, word_layouts.plan_ha_tinh)
    assert {"Quảng Trị", "Hà Tĩnh"} <= set(Jurisdiction.objects.values_list("name", flat=True))
    assert Agency.objects.filter(name="Sở Công Thương").count() == 2
    assert set(Agency.objects.filter(name="Sở Công Thương").values_list("jurisdiction__name", flat=True)) == {
        "Quảng Trị", "Hà Tĩnh"}


def test_importing_the_same_word_document_again_leaves_the_json_export_byte_identical(tmp_path):
    out1, out2 = tmp_path / "1.json", tmp_path / "2.json"
    report, plan = _import(tmp_path, word_layouts.plan_ha_tinh)
    call_command("export_plan", "--plan", plan.code, "--format", "json", "-o", str(out1), stderr=StringIO())
    again = import_appendix(tmp_path / "plan_ha_tinh.docx")
    call_command("export_plan", "--plan", plan.code, "--format", "json", "-o", str(out2), stderr=StringIO())
    assert not again.changed and again.unchanged == len(report.created)
    assert out1.read_bytes() == out2.read_bytes() and b"87/KH-UBND" in out1.read_bytes()
    assert ImportLog.objects.filter(status=ImportLog.Status.UNCHANGED).count() == 1


def test_a_changed_word_document_is_reported_as_a_diff(tmp_path):
    _, plan = _import(tmp_path, word_layouts.plan_quang_tri)
    PlanItem.objects.filter(plan=plan, code="1.2.1").update(end_year=2029)
    again = import_appendix(tmp_path / "plan_quang_tri.docx")
    assert again.updated == [("1.2.1", ["end_year"])]


def test_the_command_imports_a_docx(tmp_path):
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(word_layouts.plan_quang_tri())
    out = StringIO()
    call_command("import_appendix", str(path), stdout=out)
    assert "BÁO CÁO NHẬP DỮ LIỆU – ke-hoach.docx" in out.getvalue()
    assert Plan.objects.filter(number="2151/KH-UBND").exists()


def test_a_word_file_without_an_appendix_table_is_refused_and_only_logged(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Một văn bản không có bảng.")
    path = tmp_path / "khong-bang.docx"
    doc.save(path)
    with pytest.raises(CommandError) as exc:
        call_command("import_appendix", str(path))
    assert "không tìm thấy bảng Phụ lục" in str(exc.value) and "--template" in str(exc.value)
    assert not Plan.objects.exists() and ImportLog.objects.get().status == ImportLog.Status.FAILED


@pytest.mark.parametrize("cell,expected", [
    ("2023 - 2030", "2023 - 2030"), ("2023-2025", "2023 - 2025"), ("Năm 2023", "2023"),
    ("Giai đoạn 2023 - 2030", "2023 - 2030"), ("Quý IV/2024", "2024"), ("Từ năm 2024 đến năm 2026", "2024 - 2026"),
    ("Tháng 6/2025", "2025"), ("2023, 2025 và 2027", "2023 - 2027"), ("Thường xuyên", None), ("Hằng năm", None),
])
def test_timeline_wordings(cell, expected):
    assert read_timeline(cell) == expected


def test_failures_never_leave_a_plan_half_written(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFailed):
        import_appendix(path)
    assert not Plan.objects.exists()
    assert json.loads(json.dumps(ImportLog.objects.get().details))["errors"]


def test_the_admin_import_takes_a_word_plan_with_a_preview_first(client):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    preview = client.post("/admin/tasks/planitem/import/", {
        "format": "0", "resource": "0",
        "import_file": SimpleUploadedFile("ke-hoach-ha-tinh.docx", word_layouts.plan_ha_tinh())})
    body = preview.content.decode()
    assert preview.status_code == 200 and "1.1.2 a" in body and "process_import" in body
    assert not Plan.objects.exists()  # the preview wrote nothing
    confirm = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
    assert client.post("/admin/tasks/planitem/process_import/", confirm).status_code == 302
    assert Plan.objects.get().items.filter(level="subactivity").count() == 2


def test_an_appendix_split_into_two_tables_is_read_whole(tmp_path):
    _, plan = _import(tmp_path, word_layouts.plan_split_table)
    assert _rows(plan) == {
        "1": ("theme", None, "Du lịch xanh"),
        "1.1": ("group", "1", "Điểm đến xanh", None, None, None, False),
        "1.1.1": ("1.1", "Bộ tiêu chí điểm du lịch xanh", "Sở Du lịch", [], 2024, 2024, False, []),
        "1.1.2": ("1.1", "Chứng nhận điểm du lịch xanh", "Sở Du lịch", [], 2025, 2030, False, []),
        "1.1.3": ("1.1", "Truyền thông du lịch xanh", "Sở Văn hóa, Thể thao", [], 2024, 2030, False, []),
    }


def test_header_words_map_to_fields_whatever_the_wording():
    from tasks.importers.word import _header_fields

    assert _header_fields(["STT", "Nội dung nhiệm vụ, hoạt động", "Cơ quan chủ trì", "Cơ quan phối hợp",
                           "Thời gian hoàn thành", "Dự án, Đề án, Nhiệm vụ (Dự kiến)", "Mức độ ưu tiên", "Kinh phí"]) == [
        "code", "content", "lead", "support", "timeline", "outputs", "priority", None]
