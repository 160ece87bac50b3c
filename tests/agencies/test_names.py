"""Agency-name normalisation (agencies/names.py): plain Python, run with `-p no:django`."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from agencies.names import (
    AgencyRegistry,
    agency_key,
    classify_agency,
    clean_agency_text,
    is_generic_group,
    split_agencies,
    split_agency_cell,
)


# Plain Python tests (`-p no:django`): the suite's Django-only autouse fixtures, shadowed.
from tests.plain_python import _isolated_media_and_mail, _test_http_settings  # noqa: E402,F401


FORMULA = "theo dõi, căn cứ hướng dẫn của Bộ, ngành để tham mưu, triển khai thực hiện"


@pytest.mark.parametrize("raw, expected", [
    (f"Sở Kế hoạch và Đầu tư {FORMULA}", "Sở Kế hoạch và Đầu tư"),
    ("Sở Tài nguyên và Môi trường theo dõi, cản cứ hướng dẫn của Bộ, ngành để tham mưu, triển khai thực hiện",
     "Sở Tài nguyên và Môi trường"),
    ("Sở Nông nghiệp và Phát triển nông thôn theo dõi, cản cứ hương dẫn của Bộ, ngành để tham mưu, triển khai thực hiện",
     "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Ngân hàng nhà nước VN - Chi nhánh tỉnh Bình Dương theo dõi, cản cứ hướng dẫn của Ngân hàng nhà nước Việt Nam "
     "để tham mưu, triển khai thực hiện", "Ngân hàng nhà nước VN - Chi nhánh tỉnh Bình Dương"),
    ("- Sở Y tế chủ trì, tham mưu triển khai thực hiện các nhiệm vụ", "Sở Y tế"),
    ("<p>Sở Xây dựng</p>", "Sở Xây dựng"),
    ("Cơ quan chủ trì: Sở Tài chính", "Sở Tài chính"),
    ("", ""),
    (None, ""),
])
def test_clean_agency_text(raw, expected):
    assert clean_agency_text(raw) == expected
    assert clean_agency_text(clean_agency_text(raw)) == clean_agency_text(raw)


def test_split_keeps_generic_groups_whole():
    cell = "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố, các Hội và các đơn vị có liên quan"
    assert split_agencies(cell) == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố",
                                    "Các Hội và các đơn vị có liên quan"]
    # OCR/typing slips in the commas do not split the group either.
    assert split_agencies("Các sở, ban, ngành UBND, các huyện, thị xã, thành phố") == [
        "Các sở, ban, ngành UBND, các huyện, thị xã, thành phố"]
    assert split_agencies("Các sở ban, ngành, UBND các huyện, thị xã, thành phố") == [
        "Các sở ban, ngành, UBND các huyện, thị xã, thành phố"]


def test_split_separates_agencies_and_keeps_the_rest():
    names, rest = split_agency_cell(
        "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố, các Hội và các đơn vị có liên quan "
        "Các văn bản hướng dẫn chương trình, dự án")
    assert names == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố", "Các Hội và các đơn vị có liên quan"]
    assert rest == "Các văn bản hướng dẫn chương trình, dự án"
    # "Bộ tiêu chí" is an output, not a ministry.
    names, rest = split_agency_cell("Các sở, ban, ngành, UBND các huyện, thị xã, thành phố, hỗ trợ, khuyến khích; "
                                    "Bộ tiêu chí đánh giá và hệ thống xếp hạng hàng năm;")
    assert names == ["Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"]
    assert rest.endswith("Bộ tiêu chí đánh giá và hệ thống xếp hạng hàng năm")
    # A repeated list item glued on without a comma is listed once.
    assert split_agencies("Các Hội và các đơn vị có liên quan các Hội và các đơn vị có liên quan; các ngân hàng "
                          "chính sách và các tổ chức tín dụng.") == [
        "Các Hội và các đơn vị có liên quan", "Các ngân hàng chính sách và các tổ chức tín dụng"]
    # A comma inside one agency's name does not split it.
    assert split_agencies("Sở Văn hóa, Thể thao và Du lịch, Sở Y tế") == ["Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế"]
    assert split_agencies("Sở Tài chính; Công an tỉnh; Bộ Chỉ huy Quân sự tỉnh") == [
        "Sở Tài chính", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh"]
    # Outputs are not agencies, even when they start with "Các".
    assert split_agency_cell("Các chương trình đào tạo ngành nghề xanh") == ([], "Các chương trình đào tạo ngành nghề xanh")
    assert split_agencies("Các bô sung, hướng dẫn thực hiện") == []  # OCR of "bổ sung", not "các bộ"


@pytest.mark.parametrize("a, b", [
    ("Sở Công thương", "Sở Công Thương"),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH & ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở GTVT", "Sở Giao thông vận tải"),
    ("Sở Giao thông và Vận tải", "Sở Giao thông vận tải"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hoá, thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Ngân hàng nhà nước VN - Chi nhánh tỉnh Bình Dương", "Ngân hàng Nhà nước Việt Nam – Chi nhánh tỉnh Bình Dương"),
    ("Sở Xây dựng theo dõi, cản cứ hướng dẫn của Bộ, ngành để tham mưu, triển khai thực hiện", "Sở Xây dựng"),
    ("Các sở, ban, ngành UBND các huyện, thị xã, thành phố", "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"),
    ("các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố"),
])
def test_agency_key_folds_variants_together(a, b):
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize("a, b", [
    ("Sở KH&ĐT", "Sở KH&CN"),
    ("Sở Tài chính", "Sở Tài nguyên và Môi trường"),
    ("Sở Giáo dục và Đào tạo", "Sở Giao thông vận tải"),
    ("Các sở, ban, ngành", "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố"),
])
def test_agency_key_keeps_different_agencies_apart(a, b):
    assert agency_key(a) != agency_key(b)


@pytest.mark.parametrize("name, expected", [
    ("Sở Kế hoạch và Đầu tư", ("department", False)),
    ("UBND tỉnh", ("peoples_committee", False)),
    ("Ủy ban nhân dân huyện Dầu Tiếng", ("peoples_committee", False)),
    ("Ngân hàng Nhà nước Việt Nam – Chi nhánh tỉnh Bình Dương", ("bank", False)),
    ("Công an tỉnh", ("police", False)),
    ("Bộ chỉ huy quân sự tỉnh", ("military", False)),
    ("Văn phòng UBND tỉnh", ("office", False)),
    ("Liên minh Hợp tác xã tỉnh", ("association", False)),
    ("Hội Nông dân tỉnh", ("association", False)),
    ("Các sở, ban, ngành", ("group", True)),
    ("UBND các huyện, thị xã, thành phố", ("group", True)),
    ("Các Hội và các đơn vị có liên quan", ("group", True)),
    ("Công ty Điện lực Bình Dương", ("other", False)),
])
def test_classify_agency(name, expected):
    assert classify_agency(name) == expected
    assert is_generic_group(name) == expected[1]


def test_registry_picks_the_most_common_well_formed_spelling():
    reg = AgencyRegistry()
    for raw in ["Sở KH&ĐT", "Sở KH&ĐT", "Sở KH&ĐT", f"Sở Kế hoạch và Đầu tư {FORMULA}",
                "Sở Công thương", "Sở Công Thương", "Sở Công Thương",
                "các Hội và các đơn vị có liên quan", "", None]:
        reg.add(raw)
    assert reg.canonical("Sở KH&ĐT") == "Sở Kế hoạch và Đầu tư"  # the abbreviation is not well formed
    assert reg.canonical("sở công thương") == "Sở Công Thương"
    agencies = {a.name: a for a in reg.agencies()}
    assert set(agencies) == {"Sở Kế hoạch và Đầu tư", "Sở Công Thương", "Các Hội và các đơn vị có liên quan"}
    assert agencies["Sở Kế hoạch và Đầu tư"].aliases == {"Sở KH&ĐT"}
    assert agencies["Sở Công Thương"].aliases == {"Sở Công thương"}
    assert agencies["Các Hội và các đơn vị có liên quan"].is_group
    assert "Sở KH&ĐT" in reg and "Sở Y tế" not in reg
    # Ties go to the spelling seen first.
    tie = AgencyRegistry()
    tie.add("Sở Công thương")
    tie.add("Sở Công Thương")
    assert tie.canonical("Sở Công Thương") == "Sở Công thương"


@given(st.text())
def test_names_functions_never_raise_and_are_stable(raw):
    cleaned = clean_agency_text(raw)
    assert clean_agency_text(cleaned) == cleaned
    assert agency_key(cleaned) == agency_key(raw) or not cleaned
    names, rest = split_agency_cell(raw)
    assert all(n and agency_key(n) for n in names)
    classify_agency(raw)
