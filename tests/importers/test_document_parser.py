"""The plan-document parser on the real scan of plan 396/KH-UBND and on synthetic plans.

Plain pytest, no database: run with `python -m pytest -p no:django tests/importers`.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from agencies.names import agency_key
from tasks.importers.document import (
    DocumentParseError,
    ParsedPlan,
    normalize_code,
    parse_plan_document,
    require_plan,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
TEXT = FIXTURE.read_text(encoding="utf-8")
CODE_FORM = re.compile(r"^[0-9]+(\.[0-9]+)*( [a-z])?(#[0-9]+)?$")  # the portal's normal form (tasks/codes.py)


# Plain Python tests (`-p no:django`): the suite's Django-only autouse fixtures, shadowed.
from tests.plain_python import _isolated_media_and_mail, _test_http_settings  # noqa: E402,F401


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_plan_document(TEXT)


def by_code(plan: ParsedPlan) -> dict:
    return {it.code: it for it in [*plan.themes, *plan.items]}


def flag_codes(item) -> set[str]:
    return {f.code for f in item.flags}


# --------------------------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------------------------

def test_identity_comes_from_the_text(plan):
    assert plan.number == "396/KH-UBND"  # printed "396/ KHH-TBND" in the appendix caption
    assert str(plan.issued_on) == "2023-08-04"
    assert plan.jurisdiction == "Bình Dương"
    assert plan.issuing_body == "Ủy ban nhân dân tỉnh Bình Dương"
    assert plan.title == "Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Bình Dương giai đoạn 2023 - 2030"
    assert (plan.period_start, plan.period_end) == (2023, 2030)
    assert plan.focal_agency == "Sở Kế hoạch và Đầu tư"
    assert any("KHH-TBND" in w and "396/KH-UBND" in w for w in plan.warnings)


def test_caption_naming_another_province_is_a_plan_flag(plan):
    contradictions = [f for f in plan.flags if f.code == "province_contradiction"]
    assert len(contradictions) == 1
    f = contradictions[0]
    assert f.line == 227 and "Bình Phước" in f.message and "Bình Dương" in f.message
    assert [f.code for f in plan.flags] == ["province_contradiction"]


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------

def test_eighteen_themes_in_order_with_titles(plan):
    assert [t.code for t in plan.themes] == [str(n) for n in range(1, 19)]
    assert all(t.level == "theme" and t.parent_code is None for t in plan.themes)
    titles = {t.code: t.title for t in plan.themes}
    assert titles["7"] == "Bình đẳng trong chuyển đổi xanh"
    assert titles["8"] == "Năng lượng"
    assert titles["15"] == "Quản lý tài nguyên nước, tài nguyên đất đai, đa dạng sinh học; phát triển kinh tế biển xanh"
    assert titles["17"] == "Y tế"
    assert not any(t.flags for t in plan.themes)  # stated group counts all match


def test_forty_seven_groups_matching_the_stated_counts(plan):
    groups = [it for it in plan.items if it.level == "group"]
    assert len(groups) == 47
    per_theme = Counter(g.parent_code for g in groups)
    stated = {"1": 2, "2": 2, "3": 2, "4": 3, "5": 2, "6": 1, "7": 2, "8": 2, "9": 1, "10": 6, "11": 4, "12": 5,
              "13": 2, "14": 2, "15": 5, "16": 2, "17": 2, "18": 2}
    assert dict(per_theme) == stated
    items = by_code(plan)
    assert items["1.1"].title.startswith("Rà soát, kiến nghị Trung ương hoàn thiện khung cơ chế")
    assert "bao gồm 4 hoạt động" not in items["1.1"].text
    # A paragraph broken by a blank line in the body is one title.
    assert "cho các nhóm yếu thế" in items["7.1"].text
    # "11.3 Thúc đẩy …" is printed without the dot after the code.
    assert items["11.3"].title.startswith("Thúc đẩy phát triển công trình xanh")


def test_unnumbered_single_groups_get_n1_with_an_info_not_a_flag(plan):
    items = by_code(plan)
    for code, theme in (("6.1", "6"), ("9.1", "9")):
        g = items[code]
        assert g.parent_code == theme and g.level == "group"
        assert not g.flags
        assert any(f"Chủ đề {theme} có 1 nhóm nhiệm vụ không đánh số" in w and code in w for w in plan.warnings)
    assert items["6.1"].lead_agency == "Sở Kế hoạch và Đầu tư"


def test_levels_parents_and_unique_codes(plan):
    codes = [it.code for it in [*plan.themes, *plan.items]]
    assert len(codes) == len(set(codes))
    known = set(codes)
    levels = Counter(it.level for it in plan.items)
    assert levels == {"group": 47, "activity": 104, "subactivity": 39}
    for it in plan.items:
        assert CODE_FORM.match(it.code), it.code
        assert it.parent_code in known, (it.code, it.parent_code)
        parent = by_code(plan)[it.parent_code]
        expected_parent_level = {"group": "theme", "activity": "group", "subactivity": "activity"}[it.level]
        assert parent.level == expected_parent_level, it.code


def test_rows_carry_priority_tags_timeline_and_agencies(plan):
    items = by_code(plan)
    a = items["1.1.1"]
    assert a.high_priority and (a.start_year, a.end_year) == (2023, 2023)
    assert a.lead_agency == "Sở Kế hoạch và Đầu tư"
    assert a.supporting_agencies == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố",
                                     "Các Hội và các đơn vị có liên quan"]
    assert a.expected_outputs.startswith("Quyết định của Chủ tịch UBND tỉnh")
    assert a.title == "Tổ chức Ban Chỉ đạo tỉnh về tăng trưởng xanh (sau đây gọi tắt là Ban Chỉ đạo)"
    assert items["3.2.1"].group_tags == ["B", "E"] and not items["3.2.1"].high_priority
    assert items["15.4.2"].group_tags == ["A", "D"] and items["15.4.2"].high_priority
    # A "(Cao)" that sits alone on a continuation row belongs to the row above.
    assert items["1.1.3"].high_priority
    # Lettered sub-activities hang under their activity; an empty timeline is the parent's.
    sub = items["1.1.3 a"]
    assert sub.level == "subactivity" and sub.parent_code == "1.1.3"
    assert sub.lead_agency == "Sở Tài nguyên và Môi trường"  # printed with "cản cứ" boilerplate
    assert (sub.start_year, sub.end_year) == (2023, 2030)
    # HTML lists are flattened; the outputs glued after the agencies are outputs.
    b = items["1.2.3"]
    assert "<" not in b.text and b.text.startswith("Báo cáo thường niên")
    assert b.supporting_agencies[0] == "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"
    assert b.expected_outputs.startswith("Văn bản hướng dẫn/triển khai")
    # Continuation rows (empty code) fill the item above.
    assert items["16.2.2"].lead_agency == "Sở Kế hoạch và Đầu tư"
    assert (items["16.2.2"].start_year, items["16.2.2"].end_year) == (2024, 2030)
    assert items["13.1.1"].lead_agency == "Sở Tài nguyên và Môi trường"
    # A generic group in the lead column is the supporting column shifted left: no lead.
    assert items["1.2"].lead_agency is None
    assert "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố" in items["1.2"].supporting_agencies


def test_no_html_or_boilerplate_left_anywhere(plan):
    for it in [*plan.themes, *plan.items]:
        for value in (it.text, it.title, it.expected_outputs, it.lead_agency or "", *it.supporting_agencies):
            assert "<" not in value and ">" not in value, it.code
        for name in (it.lead_agency, *it.supporting_agencies):
            assert name is None or "tham mưu" not in name, it.code


# --------------------------------------------------------------------------------------------
# Uncertainties
# --------------------------------------------------------------------------------------------

def test_codes_only_the_summary_names_are_missing_from_scan(plan):
    items = by_code(plan)
    summary_only = {c for c, it in items.items()
                    if any(f.code == "missing_from_scan" and "chỉ có trong phần tóm tắt" in f.message for f in it.flags)}
    assert summary_only == {"7.2.1 a", "7.2.1 b", "7.2.1 c", "7.2.2", "11.3.5", "12.3.1", "14.1.1", "15.5.2",
                            "16.1.1 a", "16.1.1 b", "16.1.1 c", "16.1.1 d", "16.1.1 e"}
    assert items["7.2.1 c"].lead_agency == "Văn phòng UBND tỉnh"
    assert items["15.5.2"].lead_agency == "Sở Tài nguyên và Môi trường"
    assert items["16.1.1 b"].lead_agency == "Sở Công Thương"
    # Groups the body states but the scan lost, and parents only their children reveal.
    lost = {c for c, it in items.items() if "missing_from_scan" in flag_codes(it)} - summary_only
    assert lost == {"8.1", "8.2", "13.2", "14.1", "16.1", "8.2.1", "16.1.1"}
    assert items["8.1"].lead_agency == "Sở Công Thương"  # from the summary
    assert items["8.2.1"].parent_code == "8.2" and items["8.2.1 a"].parent_code == "8.2.1"


def test_lead_conflicts_keep_the_table_and_name_both(plan):
    items = by_code(plan)
    conflicts = {c: it for c, it in items.items() if "lead_conflict" in flag_codes(it)}
    assert set(conflicts) == {"10.1.1", "15.3.2 a", "15.3.2 b"}
    it = conflicts["15.3.2 b"]
    assert it.lead_agency == "Sở Nông nghiệp và Phát triển nông thôn"
    msg = next(f.message for f in it.flags if f.code == "lead_conflict")
    assert "Sở Nông nghiệp và Phát triển nông thôn" in msg and "Sở Công thương" in msg
    assert items["10.1.1"].lead_agency == "Sở Giao thông vận tải"


def test_duplicate_codes_are_resolved_or_kept_and_flagged(plan):
    items = by_code(plan)
    printed_113 = [it for it in plan.items if it.printed_code == "1.1.3"]
    assert len(printed_113) == 4  # nothing dropped or merged
    keeper = items["1.1.3"]
    assert keeper.source_line == 239 and not keeper.flags  # its lettered children follow it
    assert [items[f"1.1.3 {x}"].parent_code for x in "abcd"] == ["1.1.3"] * 4
    for code, line in (("1.1.3#2", 236), ("1.1.3#3", 237), ("1.1.3#4", 238)):
        assert items[code].source_line == line and items[code].parent_code == "1.1"
        assert "duplicate_code" in flag_codes(items[code])
    # Codes printed in theme 10's part of the table, before theme 11's heading row.
    for code in ("11.1#2", "11.2#2"):
        assert items[code].parent_code == "10.6" and "duplicate_code" in flag_codes(items[code])
    assert items["11.1"].source_line == 377 and items["11.2"].source_line == 381
    # Resolved by structure, with a note: a bullet row belongs to the item above; a title row
    # and a repeated code form one item.
    assert "Thành lập Ban chỉ đạo" in items["1.1.1"].text
    assert items["1.1.2"].source_line == 235 and not items["1.1.2"].flags
    assert items["2.2"].lead_agency == "Sở Kế hoạch và Đầu tư" and not items["2.2"].flags
    assert any("1.1.2" in w and "1.1.1" in w for w in plan.warnings)
    assert any("mã 2.2 in lại" in w for w in plan.warnings)
    # Printed after 11.2.3: kept as printed, flagged.
    assert "out_of_order_code" in flag_codes(items["11.2.2 b"])


def test_timeline_outside_the_period_is_kept_and_flagged(plan):
    it = by_code(plan)["10.3.2"]
    assert (it.start_year, it.end_year) == (2022, 2030)
    msg = next(f.message for f in it.flags if f.code == "timeline_outside_period")
    assert "2022 - 2030" in msg and "2023–2030" in msg


def test_flag_census_and_clean_majority(plan):
    """Flags only where the document is really uncertain; clean rows carry none."""
    counts = Counter(f.code for it in [*plan.themes, *plan.items] for f in it.flags)
    assert counts == {
        "missing_from_scan": 20, "no_timeline": 9, "no_lead": 8, "duplicate_code": 5, "lead_conflict": 3,
        "duplicate_text": 2, "timeline_outside_period": 1, "out_of_order_code": 1,
    }
    scanned = [it for it in plan.items if not any(f.code == "missing_from_scan" for f in it.flags)]
    clean = [it for it in scanned if not it.flags]
    assert len(clean) / len(scanned) > 0.85
    items = by_code(plan)
    for code in ("1.2.1", "2.1", "4.1.1", "10.5.3 a", "12.5.1", "17.1.1", "18.2.2", "3.2.1 a"):
        assert items[code].flags == [], code
    assert not any(f.code == "internal_error" for f in plan.flags)


def test_every_agency_once_with_all_spellings_as_aliases(plan):
    keys = [agency_key(a.name) for a in plan.agencies]
    assert len(keys) == len(set(keys))
    by_name = {a.name: a for a in plan.agencies}
    assert by_name["Sở Công Thương"].aliases == {"Sở Công thương"}
    assert by_name["Sở Giao thông vận tải"].aliases == {"Sở Giao thông và Vận tải"}
    nh = by_name["Ngân hàng Nhà nước Việt Nam – Chi nhánh tỉnh Bình Dương"]
    assert nh.kind == "bank" and "Ngân hàng nhà nước VN - Chi nhánh tỉnh Bình Dương" in nh.aliases
    group = by_name["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"]
    assert group.is_group and group.kind == "group"
    assert "Các sở, ban, ngành UBND các huyện, thị xã, thành phố" in group.aliases
    assert by_name["Bộ chỉ huy quân sự tỉnh"].kind == "military"
    assert by_name["Công an tỉnh"].kind == "police"
    assert by_name["Văn phòng UBND tỉnh"].kind == "office"
    assert all(a.name not in a.aliases for a in plan.agencies)
    used = {it.lead_agency for it in plan.items if it.lead_agency} | {s for it in plan.items for s in it.supporting_agencies}
    assert used <= set(by_name)


def test_parses_well_under_two_seconds():
    start = time.perf_counter()
    parse_plan_document(TEXT)
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------------------------
# Another plan of the same shape: nothing in the parser is specific to plan 396
# --------------------------------------------------------------------------------------------

SYNTHETIC = "\n".join([
    "Đồng Nai, ngày 12 tháng 3 năm 2024",
    "",
    "**KẾ HOẠCH HÀNH ĐỘNG**",
    "**Về tăng trưởng xanh trên địa bàn tỉnh Đồng Nai**",
    "**Giai đoạn 2024 - 2030**",
    "",
    "Ủy ban nhân dân tỉnh Đồng Nai ban hành Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Đồng Nai "
    "giai đoạn 2024 – 2030 với những nội dung chủ yếu sau đây:",
    "",
    "## II. NỘI DUNG HÀNH ĐỘNG",
    "",
    "UBND tỉnh Đồng Nai đề ra các hoạt động. Bao gồm: 2 chủ đề, cụ thể như sau:",
    "",
    "**1. Chủ đề 1: Năng lượng sạch**, bao gồm: 2 nhóm nhiệm vụ, hoạt động như sau:",
    "",
    "1.1. Phát triển điện mặt trời mái nhà.",
    "",
    "1.2. Tiết kiệm năng lượng trong công nghiệp.",
    "",
    "**2. Chủ đề 2: Đô thị xanh**, bao gồm: 2 nhóm nhiệm vụ, hoạt động như sau:",
    "",
    "2.1. Phát triển giao thông công cộng.",
    "",
    "### **III. TỔ CHỨC THỰC HIỆN**",
    "",
    "**1. Đơn vị đầu mối:** Sở KH&ĐT là cơ quan đầu mối phối hợp triển khai.",
    "",
    "PHỤ LỤC",
    "",
    "(Kèm theo Kế hoạch số: 58/KH-UBND ngày 12 tháng 3 năm 2024 của Ủy ban nhân dân tỉnh Đồng Nai)",
    "",
    "STT\tNhiệm vụ, hoạt động cụ thể (Mức độ ưu tiên)\tThời gian thực hiện\tPhân công trách nhiệm\t\tDự án, Đề án, Nhiệm vụ (Dự kiến)",
    "\t\t\tCơ quan chủ trì\tCơ quan phối hợp\t",
    "1\t<b>Chủ đề 1: Năng lượng sạch</b>\t\t\t\t",
    "1.1\tPhát triển điện mặt trời mái nhà.\t\t\t\t",
    "1.1.1\tHỗ trợ hộ gia đình lắp điện mặt trời (Cao)\t2024 - 2030\tSở Công Thương theo dõi, căn cứ hướng dẫn của Bộ, ngành để tham mưu, triển khai thực hiện\tCác sở, ban, ngành, UBND các huyện, thị xã, thành phố\tChương trình hỗ trợ",
    "1.1.2\tLắp điện mặt trời cho trụ sở cơ quan\t2030 - 2025\tSở Xây dựng\t\t",
    "1.2\tTiết kiệm năng lượng trong công nghiệp.\t\t\t\t",
    "1.2.1\tKiểm toán năng lượng (Nhóm A, C)\t2024 - 2027\tSở Công thương\tCác Hội và các đơn vị có liên quan\t",
    "1.2.1 a\t- Doanh nghiệp lớn\t\tSở KH&ĐT\t\t",
    "\t- Doanh nghiệp vừa và nhỏ (Cao)\t\t\t\t",
    "1.2.2\tĐào tạo kiểm toán viên\t24 - 2030\tSở Lao động - Thương binh và Xã hội\t\t",
    "2\t<b>Đô thị xanh</b>\t\t\t\t",
    "2.1\tPhát triển giao thông công cộng.\t\t\t\t",
    "2.1.1\tMở tuyến xe buýt điện\t2024 - 2030\tSở Giao thông vận tải\tCác sở, ban, ngành\tĐề án xe buýt điện",
    "2.1.2\tMở tuyến xe buýt điện\t2024 - 2030\tSở GTVT\t\t",
    "",
    "Tóm tắt phân công cơ quan chủ trì các nhiệm vụ, hoạt động như sau:",
    "",
    "- Sở Kế hoạch và Đầu tư chủ trì, tham mưu triển khai thực hiện các nhiệm vụ, hoạt động cụ thể: 1.2.1 a, 2.2.1.",
    "- Sở Xây dựng chủ trì, tham mưu triển khai thực hiện các nhiệm vụ, hoạt động cụ thể: 1.1.1.",
])


def test_synthetic_plan_of_another_province():
    p = parse_plan_document(SYNTHETIC)
    assert require_plan(p) is p
    assert (p.number, str(p.issued_on), p.jurisdiction) == ("58/KH-UBND", "2024-03-12", "Đồng Nai")
    assert p.issuing_body == "Ủy ban nhân dân tỉnh Đồng Nai"
    assert (p.period_start, p.period_end) == (2024, 2030)
    assert p.focal_agency == "Sở Kế hoạch và Đầu tư"  # "Sở KH&ĐT" in section III, full name elsewhere
    assert [t.title for t in p.themes] == ["Năng lượng sạch", "Đô thị xanh"]
    items = by_code(p)
    assert items["1.1.1"].high_priority and items["1.1.1"].lead_agency == "Sở Công Thương"
    assert items["1.1.1"].supporting_agencies == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"]
    assert items["1.1.1"].expected_outputs == "Chương trình hỗ trợ"
    assert items["1.2.1"].group_tags == ["A", "C"]
    sub = items["1.2.1 a"]
    assert sub.parent_code == "1.2.1" and sub.high_priority and "vừa và nhỏ" in sub.text
    assert (sub.start_year, sub.end_year) == (2024, 2027)
    # The summary's 1.1.1 lead differs from the table → conflict naming both.
    conflict = next(f for f in items["1.1.1"].flags if f.code == "lead_conflict")
    assert "Sở Công Thương" in conflict.message and "Sở Xây dựng" in conflict.message
    # Impossible timelines are errors: flagged, years left empty.
    for code in ("1.1.2", "1.2.2"):
        assert "invalid_timeline" in flag_codes(items[code])
        assert items[code].start_year is None and items[code].end_year is None
    # A summary-only code, whose group the body never numbered, is created with its parent.
    assert "missing_from_scan" in flag_codes(items["2.2.1"])
    assert items["2.2.1"].lead_agency == "Sở Kế hoạch và Đầu tư" and items["2.2"].level == "group"
    # Theme 2 states 2 groups but lists 1.
    assert "group_count_mismatch" in flag_codes(items["2"])
    assert "duplicate_text" in flag_codes(items["2.1.2"])
    # One agency for "Sở Công Thương"/"Sở Công thương" and for "Sở GTVT"/"Sở Giao thông vận tải".
    names = {a.name: a for a in p.agencies}
    assert names["Sở Giao thông vận tải"].aliases == {"Sở GTVT"}
    assert len([a for a in p.agencies if agency_key(a.name) == agency_key("Sở Công thương")]) == 1
    assert not p.flags


def test_contradictions_in_identity_are_plan_flags():
    text = SYNTHETIC.replace("ngày 12 tháng 3 năm 2024 của", "ngày 15 tháng 3 năm 2024 của").replace(
        "Ủy ban nhân dân tỉnh Đồng Nai)", "Ủy ban nhân dân tỉnh Bình Phước)")
    p = parse_plan_document(text)
    codes = {f.code for f in p.flags}
    assert codes == {"date_contradiction", "province_contradiction"}
    assert p.jurisdiction == "Đồng Nai" and str(p.issued_on) == "2024-03-12"


def test_missing_identity_is_flagged_not_invented():
    body = SYNTHETIC.split("## II.")[1]
    p = parse_plan_document("## II." + body.replace("Kế hoạch số: 58/KH-UBND ngày 12 tháng 3 năm 2024 ", ""))
    codes = {f.code for f in p.flags}
    assert {"missing_number", "missing_date"} <= codes
    assert p.number is None and p.issued_on is None
    assert len(p.themes) == 2


def test_require_plan_names_what_is_missing():
    with pytest.raises(DocumentParseError) as exc:
        require_plan(parse_plan_document("Một văn bản bất kỳ.\nKhông có chủ đề hay bảng nào."))
    assert "chủ đề" in str(exc.value) and "Phụ lục" in str(exc.value)
    assert require_plan(parse_plan_document(TEXT))


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

LINES = TEXT.split("\n")


def _check_shape(p: ParsedPlan) -> None:
    assert isinstance(p, ParsedPlan)
    assert not any(f.code == "internal_error" for f in p.flags), [f.message for f in p.flags]
    codes = [it.code for it in [*p.themes, *p.items]]
    assert len(codes) == len(set(codes))
    known = set(codes)
    for it in p.items:
        assert it.parent_code in known
        assert CODE_FORM.match(it.code)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    _check_shape(parse_plan_document(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_never_raises_on_mutated_slices_of_the_real_document(data):
    start = data.draw(st.integers(0, len(LINES) - 1))
    end = data.draw(st.integers(start, len(LINES)))
    lines = LINES[start:end]
    for _ in range(data.draw(st.integers(0, 6))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "tabs", "swap", "junk"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "tabs":
            lines[i] = lines[i].replace("\t", data.draw(st.sampled_from(["", "\t\t", " "])))
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = data.draw(st.text(max_size=40))
    _check_shape(parse_plan_document("\n".join(lines)))


@given(st.text())
def test_normalize_code_is_idempotent(raw):
    once = normalize_code(raw)
    assert normalize_code(once) == once


@given(st.lists(st.integers(0, 120), min_size=1, max_size=4), st.sampled_from(["", "a", "B", "đ"]),
       st.sampled_from([" ", "", ". ", " . "]))
def test_normalize_code_reaches_the_normal_form(parts, letter, sep):
    raw = sep.join(str(p) for p in parts) if sep.strip() == "." else ".".join(str(p) for p in parts)
    code = normalize_code(f" {raw}{sep}{letter} ")
    assert code == ".".join(str(p) for p in parts) + (f" {letter.lower()}" if letter else "")
    assert normalize_code(code) == code


def test_normalize_code_examples():
    assert normalize_code("1.1.3a") == "1.1.3 a"
    assert normalize_code(" 1 . 2 . ") == "1.2"
    assert normalize_code("1.1.3. A") == "1.1.3 a"
    assert normalize_code("01.1") == "1.1"
    assert normalize_code("1.1.3#2") == "1.1.3#2"
    assert normalize_code("(Cao)") == "(Cao)"


def test_a_wrapped_clause_in_the_supporting_column_is_kept_as_text_not_made_a_company(plan):
    # Line 319 of the scan (5.2.2): "...thành phố; Công ty Cổ phần Công nghệ thông tin vào công tác quản
    # trị, điều hành các cơ quan". "vào công tác" goes on as a clause: no company of that name exists.
    item = by_code(plan)["5.2.2"]
    assert item.supporting_agencies == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"]
    assert "Công ty Cổ phần Công nghệ thông tin vào công tác quản trị" in item.expected_outputs
    named = {s for it in plan.items for s in it.supporting_agencies} | {it.lead_agency for it in plan.items}
    assert not [n for n in named if n and n.startswith("Công ty")]


def test_a_real_company_in_the_supporting_column_is_still_an_agency():
    from agencies.names import split_agency_cell

    names, rest = split_agency_cell("Sở Xây dựng; Công ty Cổ phần Nước - Môi trường Bình Dương")
    assert names == ["Sở Xây dựng", "Công ty Cổ phần Nước - Môi trường Bình Dương"] and rest == ""
