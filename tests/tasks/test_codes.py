import pytest

from tasks.codes import InvalidCode, code_sort_key, normalize_code, parent_code


@pytest.mark.parametrize("raw, expected", [
    ("1.1.3", "1.1.3"), ("1.1.3a", "1.1.3 a"), ("1.1.3 A", "1.1.3 a"), ("1.1.3. a", "1.1.3 a"),
    (" 1 . 2 . ", "1.2"), ("01.02", "1.2"), ("12", "12"), ("1.1.3#2", "1.1.3#2"),
])
def test_codes_are_written_in_one_normal_form(raw, expected):
    assert normalize_code(raw) == expected
    assert normalize_code(expected) == expected


@pytest.mark.parametrize("raw", ["", "abc", "1..2", "a.1", "1.1.3 ab"])
def test_it_refuses_a_code_that_is_not_a_code(raw):
    with pytest.raises(InvalidCode):
        normalize_code(raw)


def test_codes_order_numerically_not_as_text():
    codes = ["1.10", "1.2", "1.1.3 a", "1.1.3", "1.1.10", "10", "2", "1.1.4", "1"]
    assert sorted(codes, key=code_sort_key) == ["1", "1.1.3", "1.1.3 a", "1.1.4", "1.1.10", "1.2", "1.10", "2", "10"]


def test_parent_of_a_code():
    assert parent_code("1.1.3 a") == "1.1.3"
    assert parent_code("1.1.3") == "1.1"
    assert parent_code("1") is None


def test_vietnamese_lettered_items_include_d_with_stroke_after_d():
    assert normalize_code("2.1.1Đ") == "2.1.1 đ"
    assert sorted(["2.1.1 e", "2.1.1 đ", "2.1.1 d"], key=code_sort_key) == ["2.1.1 d", "2.1.1 đ", "2.1.1 e"]
