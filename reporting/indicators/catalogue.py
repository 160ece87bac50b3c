"""The national indicator catalogue: the reviewed fixture (reporting/fixtures/indicator_catalogue.json,
the indicators of Circular 10/2023/TT-BKHĐT confirmed so far) and the spreadsheet an administrator
imports to complete it from the circular's annex.

The spreadsheet: one header row, then one indicator a row. Columns are found by their header
(Vietnamese as below, or the field name): Mã, Mã quốc gia, Tên chỉ tiêu, Tên tiếng Anh, Đơn vị,
Loại số liệu (tỷ lệ / số đếm / đại lượng), Chiều tốt (cao / thấp / khoảng), Kỳ công bố, Cơ quan
chủ trì, Phân tổ (separated by ";"), Cộng theo địa bàn (có / không). A row matches an existing
national indicator by its code, else by its name; otherwise it is new. Every row is checked first;
one bad cell refuses the whole file with the row and column named, and nothing is written.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.text import fold
from reporting.models import Indicator

COLUMNS = {
    "code": ("ma", "ma chi tieu", "code"),
    "national_code": ("ma quoc gia", "ma chi tieu thong ke quoc gia", "national_code"),
    "name": ("ten", "ten chi tieu", "name"),
    "name_en": ("ten tieng anh", "name_en"),
    "unit": ("don vi", "don vi tinh", "unit"),
    "measure": ("loai so lieu", "measure"),
    "direction": ("chieu tot", "chieu", "direction"),
    "frequency": ("ky cong bo", "frequency"),
    "lead_agency_kind": ("co quan chu tri", "lead_agency_kind"),
    "disaggregations": ("phan to", "disaggregations"),
    "additive": ("cong theo dia ban", "additive"),
}
WORDS = {
    "measure": {"ty le": "share", "share": "share", "so dem": "count", "count": "count", "dai luong": "quantity",
                "quantity": "quantity"},
    "direction": {"cao": "higher", "cang cao cang tot": "higher", "higher": "higher", "thap": "lower",
                  "cang thap cang tot": "lower", "lower": "lower", "khoang": "band", "giu trong khoang": "band",
                  "band": "band"},
    "frequency": {"nam": "yearly", "hang nam": "yearly", "yearly": "yearly", "2 nam": "biennial", "biennial": "biennial",
                  "5 nam": "five_yearly", "five_yearly": "five_yearly"},
    "additive": {"co": True, "yes": True, "x": True, "khong": False, "no": False},
}


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class CatalogueResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    names: list[str] = field(default_factory=list)


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _header_map(header) -> dict[str, int]:
    found = {}
    for idx, cell in enumerate(header):
        key = fold(_text(cell))
        for name, aliases in COLUMNS.items():
            if key in aliases:
                found[name] = idx
    return found


def _read_rows(rows, sheet_name: str) -> list[tuple[int, dict]]:
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise CatalogueError([_("Trang “%(sheet)s” trống.") % {"sheet": sheet_name}])
    columns = _header_map(header)
    if "name" not in columns:
        raise CatalogueError([_("Trang “%(sheet)s”, hàng 1: thiếu cột “Tên chỉ tiêu”.") % {"sheet": sheet_name}])
    letters = {name: _column_letter(idx) for name, idx in columns.items()}
    problems, parsed = [], []
    for number, row in enumerate(rows, start=2):
        cells = {name: _text(row[idx]) if idx < len(row) else "" for name, idx in columns.items()}
        if not any(cells.values()):
            continue
        data = {}
        for name, raw in cells.items():
            where = _("Trang “%(sheet)s”, ô %(cell)s") % {"sheet": sheet_name, "cell": f"{letters[name]}{number}"}
            if name in WORDS:
                if not raw:
                    continue
                key = fold(raw)
                if key not in WORDS[name]:
                    problems.append(_("%(where)s: “%(raw)s” không phải giá trị hợp lệ (%(allowed)s).") % {
                        "where": where, "raw": raw, "allowed": ", ".join(sorted(WORDS[name]))})
                    continue
                data[name] = WORDS[name][key]
            elif name == "disaggregations":
                data[name] = [p.strip() for p in raw.split(";") if p.strip()]
            else:
                limit = Indicator._meta.get_field(name).max_length
                if len(raw) > limit:
                    problems.append(_("%(where)s: dài quá %(limit)s ký tự.") % {"where": where, "limit": limit})
                data[name] = raw
        if not data.get("name"):
            problems.append(_("Trang “%(sheet)s”, ô %(cell)s: thiếu tên chỉ tiêu.")
                            % {"sheet": sheet_name, "cell": f"{letters['name']}{number}"})
            continue
        parsed.append((number, data))
    codes = {}
    for number, data in parsed:
        code = data.get("code", "")
        if code and code in codes:
            problems.append(_("Trang “%(sheet)s”, hàng %(row)s: mã %(code)s trùng với hàng %(other)s.")
                            % {"sheet": sheet_name, "row": number, "code": code, "other": codes[code]})
        codes.setdefault(code, number) if code else None
    if problems:
        raise CatalogueError(problems)
    return parsed


def _column_letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx + 1)


@transaction.atomic
def import_catalogue(fileobj, *, sheet: str | None = None) -> CatalogueResult:
    """Create or complete national indicators from a spreadsheet (all rows, or none)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:
        raise CatalogueError([_("Tệp không đọc được như một bảng tính Excel (.xlsx).")]) from None
    ws = book[sheet] if sheet else book.worksheets[0]
    parsed = _read_rows(ws.iter_rows(values_only=True), ws.title)
    existing = list(Indicator.objects.filter(plan__isnull=True))
    by_code = {i.code: i for i in existing if i.code}
    by_name = {fold(i.name): i for i in existing}
    result = CatalogueResult()
    for _number, data in parsed:
        found = by_code.get(data.get("code")) if data.get("code") else None
        found = found or by_name.get(fold(data["name"]))
        if found is None:
            indicator = Indicator.objects.create(**data)
            by_name[fold(indicator.name)] = indicator
            if indicator.code:
                by_code[indicator.code] = indicator
            result.created += 1
            result.names.append(indicator.name)
            continue
        # A blank cell completes nothing: it never erases what the catalogue already holds.
        changed = {k: v for k, v in data.items() if v not in ("", []) and getattr(found, k) != v}
        if not changed:
            result.unchanged += 1
            continue
        for k, v in changed.items():
            setattr(found, k, v)
        found.save()
        if found.code:
            by_code[found.code] = found
        result.updated += 1
    return result
