"""Figures as officers type them, and what an indicator's value may be."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reporting.indicators.numbers import NumberError, check_value, format_number, jump_warning, parse_number
from reporting.models import Indicator


def ind(measure="quantity", unit=""):
    return SimpleNamespace(measure=measure, unit=unit, Measure=Indicator.Measure)


@pytest.mark.parametrize("raw, expected", [
    ("1.234,5", Decimal("1234.5")), ("1234,5", Decimal("1234.5")), ("1.234.567", Decimal("1234567")),
    ("12", Decimal("12")), ("-3,25", Decimal("-3.25")), (" 0,5 ", Decimal("0.5")), (7, Decimal("7")),
    (2.5, Decimal("2.5")), (Decimal("4.1"), Decimal("4.1")),
])
def test_vietnamese_numbers_are_read_with_dot_thousands_and_comma_decimals(raw, expected):
    assert parse_number(raw, field="Giá trị")[0] == expected


def test_empty_is_no_figure():
    assert parse_number("  ", field="Giá trị") == (None, "")
    assert parse_number(None, field="Giá trị") == (None, "")


@pytest.mark.parametrize("raw", ["1,234.5", "1.5", "12.75", "1.23.4"])
def test_a_figure_that_could_be_read_two_ways_is_refused_naming_the_field(raw):
    with pytest.raises(NumberError, match=r"^Giá trị: .*dấu phẩy cho phần thập phân"):
        parse_number(raw, field="Giá trị")


@pytest.mark.parametrize("raw", ["mười hai", "abc", "12 3a"])
def test_text_in_a_number_is_refused(raw):
    with pytest.raises(NumberError, match="Giá trị"):
        parse_number(raw, field="Giá trị")


def test_a_unit_typed_after_the_figure_is_returned_and_checked():
    assert parse_number("45 %", field="Giá trị") == (Decimal("45"), "%")
    check_value(ind("share", "%"), Decimal(45), field="Giá trị", typed_unit="%")
    with pytest.raises(NumberError, match="đơn vị “tấn” không khớp"):
        check_value(ind("share", "%"), Decimal(45), field="Giá trị", typed_unit="tấn")


def test_a_share_is_between_0_and_100():
    check_value(ind("share"), Decimal(100), field="Tỷ lệ")
    check_value(ind("share"), Decimal(0), field="Tỷ lệ")
    with pytest.raises(NumberError, match="Tỷ lệ: tỷ lệ phải từ 0 đến 100 \\(nhận được 140\\)"):
        check_value(ind("share"), Decimal(140), field="Tỷ lệ")
    with pytest.raises(NumberError):
        check_value(ind("share"), Decimal("-0.1"), field="Tỷ lệ")


def test_a_count_is_a_whole_number_and_never_negative():
    check_value(ind("count"), Decimal(12), field="Số trạm")
    with pytest.raises(NumberError, match="không được âm"):
        check_value(ind("count"), Decimal(-1), field="Số trạm")
    with pytest.raises(NumberError, match="số nguyên"):
        check_value(ind("count"), Decimal("1.5"), field="Số trạm")


def test_a_quantity_may_be_negative():
    check_value(ind("quantity"), Decimal(-5), field="Giá trị")


def test_numbers_are_written_the_vietnamese_way():
    assert format_number(Decimal("1234567.5")) == "1.234.567,5"
    assert format_number(Decimal("12.0000")) == "12"
    assert format_number(Decimal("-0.25")) == "-0,25"
    assert format_number(Decimal("2.3456"), 2) == "2,35"
    assert format_number(None) == ""


def test_a_jump_beyond_the_limit_is_a_warning_and_within_it_none(settings):
    settings.INDICATOR_JUMP_PERCENT = 30
    assert jump_warning(Decimal(100), Decimal(130)) == ""
    warning = jump_warning(Decimal(100), Decimal(131))
    assert "31" in warning and "100 → 131" in warning
    assert jump_warning(Decimal(100), Decimal(60))
    assert jump_warning(None, Decimal(5)) == ""
    assert jump_warning(Decimal(0), Decimal(5))
    settings.INDICATOR_JUMP_PERCENT = 50
    assert jump_warning(Decimal(100), Decimal(140)) == ""
