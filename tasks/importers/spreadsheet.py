"""Read the plan spreadsheet (the layout `export_plan --format xlsx` writes) into an ImportBundle.

Every problem is collected with its sheet, row and column, so the admin sees them all at once.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile

from openpyxl import load_workbook

from agencies.text import fold, nfc

from ..codes import InvalidCode, normalize_code, parent_code
from ..sheet_format import (
    AGENCIES_SHEET, AGENCY_COLUMNS, EXAMPLE_HEADER, ITEM_COLUMNS, ITEMS_SHEET, KIND_LABELS, LEVEL_LABELS, LEVEL_WORDS,
    PLAN_FIELDS, PLAN_SHEET, YES, parse_reason_line,
)
from .document import Flag, ParsedAgency, ParsedItem, ParsedPlan
from .service import ImportBundle, ImportFailed, SuccessionRow

# A real appendix is a few MB at most when unpacked; anything far larger is a zip bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# A level is typed as its label, as one of its other Vietnamese words, or as the internal name;
# case and diacritics do not matter ("nhom nhiem vu" is "Nhóm nhiệm vụ").
_LEVELS = {fold(v): k for k, v in LEVEL_LABELS.items()} | {k: k for k in LEVEL_LABELS} | {
    fold(w): k for k, words in LEVEL_WORDS.items() for w in words}
LEVEL_HELP = "; ".join(f"{LEVEL_LABELS[k]} (hoặc: {', '.join(w for w in LEVEL_WORDS[k] if w != LEVEL_LABELS[k])})"
                       for k in LEVEL_LABELS)
_KINDS = {v: k for k, v in KIND_LABELS.items()} | {k: k for k in KIND_LABELS}
_TEXT_ITEM_COLUMNS = [c.key for c in ITEM_COLUMNS if c.kind == "text"]


@functools.cache  # fixed by the models; asked for on every row
def _max_length(model_path: str, field: str) -> int:
    """A column's length in the database: PostgreSQL refuses longer text (SQLite would keep it)."""
    from django.apps import apps

    return apps.get_model(model_path)._meta.get_field(field).max_length


def _fits(value, limit: int, where: str, errors: list[str]) -> bool:
    if isinstance(value, str) and len(value) > limit:
        errors.append(f"{where}: dài {len(value)} ký tự, tối đa {limit}.")
        return False
    return True


def read_plan_spreadsheet(data: bytes, name: str) -> ImportBundle:
    wb = open_workbook(data, name)
    try:
        return _read_workbook(wb, name)
    except ImportFailed:
        raise
    except Exception as exc:  # read-only sheets are parsed lazily: damaged XML surfaces while reading rows
        raise ImportFailed([f"{name}: không đọc được tệp Excel ({type(exc).__name__})."])
    finally:
        wb.close()


def _read_workbook(wb, name: str) -> ImportBundle:
    errors: list[str] = []
    for sheet in (PLAN_SHEET, ITEMS_SHEET, AGENCIES_SHEET):
        if sheet not in wb.sheetnames:
            errors.append(f"{name}: thiếu trang “{sheet}” (các trang có: {', '.join(wb.sheetnames)}).")
    if errors:
        raise ImportFailed(errors)
    plan = _read_plan(wb[PLAN_SHEET], name, errors)
    agencies, successions, agency_rows = _read_agencies(wb[AGENCIES_SHEET], name, errors)
    warnings: list[str] = []
    items = _read_items(wb[ITEMS_SHEET], name, errors, warnings)
    if errors:
        raise ImportFailed(errors)
    themes = [it for it in items if it.level == "theme"]
    others = [it for it in items if it.level != "theme"]
    parsed = ParsedPlan(
        number=plan.get("number"), title=plan.get("title") or "", issued_on=plan.get("issued_on"),
        jurisdiction=plan.get("jurisdiction") or "", issuing_body=plan.get("issuing_body") or "",
        focal_agency=plan.get("focal_agency"), period_start=plan.get("period_start"),
        period_end=plan.get("period_end"), themes=themes, items=others, agencies=agencies,
        flags=plan.get("review_reasons") or [], warnings=warnings,
    )
    return ImportBundle(parsed=parsed, source_file=name, source_kind="xlsx", successions=successions,
                        plan_code=None, create_agencies=False, agency_rows=agency_rows,
                        new_plan_code=plan.get("code"))


def open_workbook(data: bytes, name: str):
    if not data:
        raise ImportFailed([f"{name}: tệp rỗng."])
    if not data.startswith(b"PK"):
        raise ImportFailed([f"{name}: không phải tệp Excel .xlsx (nội dung không đúng định dạng)."])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportFailed([f"{name}: nội dung giải nén quá lớn ({unpacked // (1024 * 1024)} MB); tệp bị từ chối."])
            if "[Content_Types].xml" not in zf.namelist():
                raise ImportFailed([f"{name}: không phải tệp Excel .xlsx."])
    except zipfile.BadZipFile:
        raise ImportFailed([f"{name}: tệp .xlsx bị hỏng hoặc không đầy đủ (không đọc được)."])
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFailed([f"{name}: không đọc được tệp Excel ({type(exc).__name__})."])


def _cell_text(value) -> str | None:
    """The text of a cell; converting a value to text cannot fail, so there is no error to report."""
    if value is None:
        return None
    if isinstance(value, str):
        # Formulas are recognised by the cell's type (checked in _rows); text starting with "=" is text.
        value = nfc(value).strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _rows(ws, columns, name: str, errors: list[str], extra: tuple[str, ...] = ()):
    rows = ws.iter_rows(values_only=False)
    try:
        header = next(rows)
    except StopIteration:
        errors.append(f"{name}, trang “{ws.title}”: trang trống, thiếu dòng tiêu đề.")
        return
    found = [(_plain(c.value) or "") for c in header]
    expected = [c.header for c in columns]
    missing = [h for h in expected if h not in found]
    if missing:
        unknown = [h for h in found if h and h not in expected]
        msg = f"{name}, trang “{ws.title}”, hàng 1: thiếu cột {', '.join(f'“{m}”' for m in missing)}"
        if unknown:
            msg += f"; cột lạ: {', '.join(f'“{u}”' for u in unknown)}"
        errors.append(msg + ".")
        return
    # Where each column is, worked out once: this loop runs for every cell of the sheet.
    positions = [(col.key, col.header, found.index(col.header)) for col in columns]
    positions += [(header, header, found.index(header)) for header in extra if header in found]
    for row_no, row in enumerate(rows, start=2):
        cells = {}
        formula = False
        width = len(row)
        for key, header, i in positions:
            cell = row[i] if i < width else None
            if getattr(cell, "data_type", None) == "f":
                errors.append(f"{name}, trang “{ws.title}”, hàng {row_no}, cột “{header}”: ô chứa công thức; hãy nhập giá trị.")
                formula = True
                continue
            cells[key] = getattr(cell, "value", None)
        if formula:
            continue
        if all(v in (None, "") for v in cells.values()):
            continue
        yield row_no, cells


def _plain(value):
    return nfc(value).strip() if isinstance(value, str) else value


def _year(value, where: str, errors: list[str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip()) if not isinstance(value, float) else int(value)
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (ValueError, TypeError):
        errors.append(f"{where}: “{value}” không phải là năm (4 chữ số).")
        return None
    if not 1900 <= year <= 2200:
        errors.append(f"{where}: năm “{value}” không hợp lệ (phải có 4 chữ số).")
        return None
    return year


def _bool(value, where: str, errors: list[str]) -> bool:
    text = (str(value).strip().lower() if value is not None else "")
    if text in ("", "không", "khong", "no", "false", "0"):
        return False
    if text in (YES.lower(), "co", "x", "yes", "true", "1"):
        return True
    errors.append(f"{where}: “{value}” không phải Có/để trống.")
    return False


def _lines(value) -> list[str]:
    if not value:
        return []
    return [nfc(part).strip() for part in str(value).splitlines() if part.strip()]


def _agency_list(value) -> list[str]:
    """Agencies one per line, or several in a line separated by ';' (commas stay: they are part of
    names such as "Các sở, ban, ngành")."""
    return [p.strip() for line in _lines(value) for p in line.split(";") if p.strip()]


def _read_plan(ws, name: str, errors: list[str]) -> dict:
    labels = {label: key for key, label in PLAN_FIELDS}
    values: dict = {}
    too_long: set[str] = set()
    for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row_no == 1 or not row or row[0] is None:
            continue
        key = labels.get(_plain(row[0]))
        if key is None:
            continue
        where = f"{name}, trang “{PLAN_SHEET}”, hàng {row_no}, “{row[0]}”"
        raw = row[1] if len(row) > 1 else None
        if key in ("period_start", "period_end"):
            values[key] = _year(raw, where, errors)
        elif key == "issued_on":
            values[key] = _date(raw, where, errors)
        elif key == "review_reasons":
            values[key] = [Flag(code=c, message=m, line=None) for c, m in map(parse_reason_line, _lines(raw))]
        else:
            values[key] = _cell_text(raw)
            limit = {"number": ("tasks.Plan", "number"), "issuing_body": ("tasks.Plan", "issuing_body"),
                     "jurisdiction": ("agencies.Jurisdiction", "name")}.get(key)
            if limit and not _fits(values[key], _max_length(*limit), where, errors):
                values[key] = None
                too_long.add(key)
    for key in ("number", "jurisdiction", "period_start", "period_end"):
        if values.get(key) in (None, "") and key not in too_long:
            label = dict(PLAN_FIELDS)[key]
            errors.append(f"{name}, trang “{PLAN_SHEET}”: thiếu “{label}”.")
    if values.get("period_start") and values.get("period_end") and values["period_end"] < values["period_start"]:
        errors.append(f"{name}, trang “{PLAN_SHEET}”: “Đến năm” trước “Từ năm”.")
    return values


def _date(value, where: str, errors: list[str]):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    errors.append(f"{where}: ngày “{value}” không hợp lệ (dạng dd/mm/yyyy).")
    return None


def _read_agencies(ws, name: str, errors: list[str]):
    agencies: list[ParsedAgency] = []
    successions: list[SuccessionRow] = []
    rows: dict[str, int] = {}
    seen: dict[str, int] = {}
    for row_no, cells in _rows(ws, AGENCY_COLUMNS, name, errors):
        where = f"{name}, trang “{AGENCIES_SHEET}”, hàng {row_no}"
        agency_name = _cell_text(cells["name"])
        if not agency_name:
            errors.append(f"{where}, cột “Tên cơ quan”: trống.")
            continue
        if agency_name in seen:
            errors.append(f"{where}, cột “Tên cơ quan”: “{agency_name}” trùng với hàng {seen[agency_name]}.")
            continue
        seen[agency_name] = row_no
        short_name = _cell_text(cells["short_name"]) or ""
        aliases = _lines(cells["aliases"])
        fits = _fits(agency_name, _max_length("agencies.Agency", "name"), f"{where}, cột “Tên cơ quan”", errors)
        fits &= _fits(short_name, _max_length("agencies.Agency", "short_name"), f"{where}, cột “Tên viết tắt”", errors)
        alias_limit = _max_length("agencies.AgencyAlias", "name")
        for alias in aliases:
            fits &= _fits(alias, alias_limit, f"{where}, cột “Tên gọi khác”", errors)
        if not fits:
            continue
        kind_label = _cell_text(cells["kind"]) or "Khác"
        kind = _KINDS.get(kind_label)
        if kind is None:
            errors.append(f"{where}, cột “Loại”: “{kind_label}” không thuộc danh sách ({', '.join(KIND_LABELS.values())}).")
            kind = "other"
        pa = ParsedAgency(name=agency_name, kind=kind, is_group=_bool(cells["is_group"], f"{where}, cột “Nhóm chung”", errors),
                          aliases=set(_lines(cells["aliases"])))
        pa.short_name = _cell_text(cells["short_name"]) or ""
        pa.jurisdiction = _cell_text(cells["jurisdiction"]) or ""
        agencies.append(pa)
        rows[agency_name] = row_no
        succ_names, dates = _lines(cells["successors"]), _lines(cells["successor_dates"])
        if len(succ_names) != len(dates):
            errors.append(f"{where}, cột “Hiệu lực từ”: cần một ngày cho mỗi cơ quan kế thừa ({len(succ_names)} cơ quan, {len(dates)} ngày).")
            continue
        for succ, date_text in zip(succ_names, dates):
            when = _date(date_text, f"{where}, cột “Hiệu lực từ”", errors)
            if when:
                successions.append(SuccessionRow(predecessor=agency_name, successor=succ, effective_on=when,
                                                 kind="split" if len(succ_names) > 1 else "merge"))
    return agencies, successions, rows


def _read_items(ws, name: str, errors: list[str], warnings: list[str]) -> list[ParsedItem]:
    items: list[ParsedItem] = []
    parents: dict[str, str] = {}  # parent code as written → normal form; siblings repeat it
    examples: list[int] = []
    for row_no, cells in _rows(ws, ITEM_COLUMNS, name, errors, extra=(EXAMPLE_HEADER,)):
        where = f"{name}, trang “{ITEMS_SHEET}”, hàng {row_no}"
        if _cell_text(cells.get(EXAMPLE_HEADER)):
            examples.append(row_no)  # the template's worked examples are not part of the plan
            continue
        text = {k: _cell_text(cells[k]) for k in _TEXT_ITEM_COLUMNS}
        raw_code = text["code"]
        if not raw_code:
            errors.append(f"{where}, cột “Mã”: trống.")
            continue
        try:
            code = normalize_code(raw_code)
        except InvalidCode as exc:
            errors.append(f"{where}, cột “Mã”: {exc}")
            continue
        if not _fits(code, _max_length("tasks.PlanItem", "code"), f"{where}, cột “Mã”", errors):
            continue
        if not (_fits(text["printed_code"], _max_length("tasks.PlanItem", "printed_code"),
                      f"{where}, cột “Mã in trong văn bản”", errors)
                & _fits(text["source_file"], _max_length("tasks.PlanItem", "source_file"), f"{where}, cột “Tệp nguồn”",
                        errors)):
            continue
        level = _LEVELS.get(fold(text["level"] or "").strip(" .")) if text["level"] else None
        if level is None:
            errors.append(f"{where}, cột “Cấp”: “{text['level'] or ''}” không phải một cấp; dùng: {LEVEL_HELP}.")
            continue
        parent = text["parent_code"]
        if parent in parents:
            parent = parents[parent]
        elif parent:
            try:
                parent = parents[parent] = normalize_code(parent)
            except InvalidCode as exc:
                errors.append(f"{where}, cột “Mục cha”: {exc}")
        elif level != "theme":
            parent = parent_code(code)
        start = _year(cells["start_year"], f"{where}, cột “Năm bắt đầu”", errors)
        end = _year(cells["end_year"], f"{where}, cột “Năm kết thúc”", errors)
        if start and end and end < start:
            errors.append(f"{where}, cột “Năm kết thúc”: {end} trước năm bắt đầu {start}.")
        tags = [t.strip() for t in re.split(r"[,;]", text["group_tags"] or "") if t.strip()]
        reasons = [Flag(code=c, message=m, line=None) for c, m in map(parse_reason_line, _lines(cells["review_reasons"]))]
        # One lead; further names typed into the lead cell ("A; B") partner, as in the plan documents.
        leads = _agency_list(text["lead_agency"])
        supporting = list(dict.fromkeys([*leads[1:], *_agency_list(cells["supporting_agencies"])]))
        if len(leads) > 1:
            warnings.append(f"{where}, cột “Cơ quan chủ trì”: nhiều cơ quan; chủ trì: “{leads[0]}”, "
                            f"{', '.join(f'“{x}”' for x in leads[1:])} xếp vào phối hợp.")
        item = ParsedItem(
            code=code, printed_code=text["printed_code"] or "", level=level, parent_code=parent if level != "theme" else None,
            title=text["title"] or "", text=text["text"] or "",
            high_priority=_bool(cells["high_priority"], f"{where}, cột “Ưu tiên cao”", errors),
            group_tags=tags, start_year=start, end_year=end, lead_agency=leads[0] if leads else None,
            supporting_agencies=supporting, expected_outputs=text["expected_outputs"] or "",
            flags=reasons, source_line=_year_free_int(cells["source_line"]),
        )
        item.source_file = text["source_file"] or ""
        item.needs_review = _bool(cells["needs_review"], f"{where}, cột “Cần rà soát”", errors)
        # A blank name is an item the source lost (an exported scan import marks it for review); a
        # typed plan must name every item.
        if not text["title"] and not item.needs_review:
            errors.append(f"{where}, cột “Tên”: trống (chỉ để trống khi mục được đánh dấu “Cần rà soát” vì văn bản "
                          f"gốc thiếu nội dung).")
        item.sheet_row = row_no
        items.append(item)
    if examples:
        warnings.append(f"{name}, trang “{ITEMS_SHEET}”: bỏ qua {len(examples)} dòng ví dụ của mẫu (hàng "
                        f"{', '.join(map(str, examples))}; cột “{EXAMPLE_HEADER}” có đánh dấu).")
    return items


def _year_free_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
