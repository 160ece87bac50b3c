"""Numbers as officers type them, and what a value of an indicator may be.

Vietnamese writes 1.234.567,5: the dot groups thousands, the comma starts the decimals. A figure
that could be read two ways ("1.5", "1,234.5") is refused rather than guessed, with the field's
name and the way to write it, because a silent factor of a thousand in a statistic is worse than
a message.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from agencies.text import fold

# 1.234.567 (thousands grouped by dots), optionally followed by ,decimals
_VN_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_VN_PLAIN = re.compile(r"^\d+(,\d+)?$")
_NUMBER_AND_UNIT = re.compile(r"^\s*([+-]?[\d.,]*\d)\s*(.*?)\s*$")
# The largest figure a value holds (DecimalField(max_digits=20, decimal_places=4)).
VALUE_MAX = Decimal("9999999999999999")


class NumberError(ValueError):
    """A figure refused; the message names the field (or the workbook cell) and says why."""


def format_number(value, places: int | None = None) -> str:
    """A figure the Vietnamese way: 1.234,5 (no trailing zeros beyond what it holds)."""
    if value is None:
        return ""
    value = Decimal(value)
    if places is not None:
        value = round(value, places)
    sign = "-" if value < 0 else ""
    whole, _dot, frac = f"{abs(value):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    frac = frac.rstrip("0")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def parse_number(raw, *, field: str) -> tuple[Decimal | None, str]:
    """(the figure, the unit typed after it or "") from what an officer typed or a cell held.
    Empty is (None, ""). Numbers from a spreadsheet cell (int, float, Decimal) are taken as they are."""
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        raise NumberError(_("%(field)s: “%(raw)s” không phải là số.") % {"field": field, "raw": raw})
    if isinstance(raw, (int, float, Decimal)):
        return _checked(Decimal(str(raw)), field), ""
    text = str(raw).strip().replace("\u00a0", " ")
    if not text:
        return None, ""
    m = _NUMBER_AND_UNIT.match(text)
    if not m or re.search(r"\d", m.group(2) or ""):
        raise NumberError(_("%(field)s: “%(raw)s” không phải là số.") % {"field": field, "raw": text})
    number, unit = m.group(1).replace(" ", ""), m.group(2)
    sign = ""
    if number[0] in "+-":
        sign, number = ("-" if number[0] == "-" else ""), number[1:]
    if _VN_GROUPED.match(number) or _VN_PLAIN.match(number):
        value = Decimal(sign + number.replace(".", "").replace(",", "."))
        return _checked(value, field), unit
    raise NumberError(
        _("%(field)s: “%(raw)s” không rõ cách viết. Dùng dấu chấm ngăn cách hàng nghìn và dấu phẩy cho phần "
          "thập phân, ví dụ 1.234,5.") % {"field": field, "raw": text})


def _checked(value: Decimal, field: str) -> Decimal:
    try:
        if not value.is_finite() or abs(value) > VALUE_MAX:
            raise InvalidOperation
    except InvalidOperation:
        raise NumberError(_("%(field)s: giá trị vượt quá giới hạn cho phép.") % {"field": field}) from None
    return value


def _same_unit(typed: str, unit: str) -> bool:
    def norm(u):
        return fold(u).replace(" ", "")
    return norm(typed) == norm(unit)


def check_value(indicator, value: Decimal | None, *, field: str, typed_unit: str = "") -> None:
    """Refuse a figure the indicator cannot take: a unit other than its own, a share outside
    0–100, a negative or fractional count."""
    if typed_unit and not _same_unit(typed_unit, indicator.unit or ""):
        raise NumberError(_("%(field)s: đơn vị “%(typed)s” không khớp đơn vị của chỉ tiêu (%(unit)s).")
                          % {"field": field, "typed": typed_unit, "unit": indicator.unit or _("không có đơn vị")})
    if value is None:
        return
    if indicator.measure == indicator.Measure.SHARE and not (0 <= value <= 100):
        raise NumberError(_("%(field)s: tỷ lệ phải từ 0 đến 100 (nhận được %(value)s).")
                          % {"field": field, "value": format_number(value)})
    if indicator.measure == indicator.Measure.COUNT:
        if value < 0:
            raise NumberError(_("%(field)s: số đếm không được âm (nhận được %(value)s).")
                              % {"field": field, "value": format_number(value)})
        if value != value.to_integral_value():
            raise NumberError(_("%(field)s: số đếm phải là số nguyên (nhận được %(value)s).")
                              % {"field": field, "value": format_number(value)})


def jump_percent() -> Decimal:
    """How far (in % of last year's figure) a value may move before the officer must confirm it."""
    return Decimal(str(getattr(settings, "INDICATOR_JUMP_PERCENT", 30)))


def jump_warning(previous: Decimal | None, value: Decimal | None, *, limit: Decimal | None = None) -> str:
    """A warning (not a refusal) when `value` moves more than the limit from last year's figure;
    empty when it does not, or when there is nothing to compare."""
    if previous is None or value is None:
        return ""
    limit = jump_percent() if limit is None else limit
    if previous == 0:
        moved = value != 0
        change = None
    else:
        change = (value - previous) / abs(previous) * 100
        moved = abs(change) > limit
    if not moved:
        return ""
    if change is None:
        return _("Giá trị năm trước là 0, năm nay là %(value)s. Hãy kiểm tra lại và ghi chú xác nhận.") % {
            "value": format_number(value)}
    return _("Giá trị thay đổi %(change)s%% so với năm trước (%(previous)s → %(value)s), vượt ngưỡng %(limit)s%%. "
             "Hãy kiểm tra lại và ghi chú xác nhận.") % {
        "change": format_number(change, 1), "previous": format_number(previous), "value": format_number(value),
        "limit": format_number(limit)}
