"""An uploaded workbook read into a `Preview`: every change, every invalid cell, with its row
and column, and nothing saved (`apply.py` saves).

Decisions worth knowing:

* A row counts as changed only when a value differs from what is in the database now (text
  compared after NFC, trimming and line-end normalisation). Versions are compared only for rows
  that change something: re-uploading a file whose values are already saved is "no changes",
  not a conflict, even though the versions in the file are old.
* A changed row whose version moved since the download is a conflict (someone saved in between):
  both values are shown and nothing is overwritten. A changed row of a report the workflow does
  not let this user edit is refused with the workflow's reason. Unchanged rows of such reports are
  simply left alone, so a workbook downloaded while some reports were already submitted still
  uploads cleanly.
* Any error, conflict included, means nothing is saved.
* A cell longer than TEXT_MAX_CHARS or an amount above MONEY_MAX is refused with its row and
  column, never cut or rounded.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from agencies.access import one_scope_per_user
from agencies.text import fold, nfc
from tasks.importers.service import ImportFailed
from tasks.importers.spreadsheet import open_workbook as open_xlsx

from reporting.reports import workflow
from reporting.reports.forms import check_amount, check_text_length, parse_money
from reporting.models import Report
from reporting.reports.money import vnd
from reporting.workbook.layout import (
    COLUMNS, HEADER_OF, INDICATOR_HEADERS, INDICATOR_NOTE_COLUMN, INDICATOR_SHEET, INDICATOR_VALUE_COLUMN, REQUIRED,
    SHEET, WHOLE_PROVINCE, indicator_values_for, reports_for, status_labels, status_lookup,
)


@dataclass
class Problem:
    """One thing wrong, and where: `row` and `column` are None for the file as a whole."""

    message: str
    row: int | None = None
    column: str | None = None
    letter: str = ""
    code: str = ""
    conflict: bool = False
    theirs: str = ""
    mine: str = ""
    sheet: str = SHEET

    @property
    def other_sheet(self) -> str:
        """The sheet's name when it is not the reports sheet (pages name it beside the row)."""
        return self.sheet if self.sheet != SHEET else ""

    def where(self, file_name: str) -> str:
        parts = [file_name]
        if self.row is not None:
            parts += [f"trang “{self.sheet}”", _("hàng %(row)s") % {"row": self.row}]
        if self.column:
            parts.append(_("cột %(letter)s “%(column)s”") % {"letter": self.letter, "column": self.column}
                         if self.letter else _("cột “%(column)s”") % {"column": self.column})
        return ", ".join(parts)

    def text(self, file_name: str) -> str:
        return f"{self.where(file_name)}: {self.message}"


@dataclass
class FieldChange:
    field: str
    column: str
    old: str
    new: str


@dataclass
class RowChange:
    row: int
    report: Report
    version: int
    data: dict
    fields: list[FieldChange]


@dataclass
class IndicatorChange:
    """A figure typed on the indicators sheet: a new one (value None) or a change of a draft."""
    row: int
    plan_indicator: object
    value: object  # the IndicatorValue changed, or None for a new figure
    year: int
    territory: str
    new: object  # Decimal
    note: str
    old: str  # as shown


@dataclass
class Preview:
    file_name: str
    changes: list[RowChange] = field(default_factory=list)
    indicator_changes: list[IndicatorChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.indicator_changes)

    @property
    def messages(self) -> list[str]:
        return [p.text(self.file_name) for p in self.problems]

    def fingerprint(self) -> str:
        """What would be saved: confirm compares it with what the user was shown."""
        payload = [(c.report.pk, c.version, sorted(c.data.items())) for c in self.changes]
        payload += [(c.plan_indicator.pk, c.value.pk if c.value else None, c.year, c.territory, str(c.new), c.note)
                    for c in self.indicator_changes]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


def _size_mb(n: int) -> str:
    return f"{n / 1048576:.1f}".replace(".", ",")


def check_size(size: int) -> Problem | None:
    limit = settings.MAX_IMPORT_BYTES
    if size > limit:
        return Problem(_("tệp quá lớn (%(size)s MB); dung lượng tối đa là %(limit)s MB.")
                       % {"size": _size_mb(size), "limit": f"{limit / 1048576:g}".replace(".", ",")})
    return None


def read_upload(data: bytes, name: str, *, cycle, agency, user) -> Preview:
    """Everything the upload would change and everything wrong with it; saves nothing."""
    preview = Preview(file_name=name)
    too_big = check_size(len(data))
    if too_big:
        preview.problems.append(too_big)
        return preview
    try:
        # Empty, not a zip, not an xlsx, zip bomb: refused before openpyxl parses anything.
        wb = open_xlsx(data, name)
    except ImportFailed as failure:
        prefix = f"{name}: "
        preview.problems += [Problem(e[len(prefix):] if e.startswith(prefix) else e) for e in failure.errors]
        return preview
    try:
        if SHEET not in wb.sheetnames:
            preview.problems.append(Problem(_("không có trang “%(sheet)s” (các trang có: %(found)s); hãy dùng bảng tải về "
                                              "từ hệ thống.") % {"sheet": SHEET, "found": ", ".join(wb.sheetnames)}))
            return preview
        read = _read_rows(wb[SHEET], preview)
        indicator_rows = list(wb[INDICATOR_SHEET].iter_rows(values_only=True)) if INDICATOR_SHEET in wb.sheetnames else []
    except Exception as exc:  # read-only sheets are parsed lazily: damaged XML surfaces while reading rows
        preview.problems.append(Problem(_("không đọc được tệp Excel (%(error)s).") % {"error": type(exc).__name__}))
        return preview
    finally:
        wb.close()
    if read is not None:
        with one_scope_per_user():  # the refusal asked per row reuses the user's scope
            _compare(*read, preview, cycle=cycle, agency=agency, user=user)
            _compare_indicators(indicator_rows, preview, cycle=cycle, agency=agency, user=user)
    return preview


def _compare_indicators(rows: list[tuple], preview: Preview, *, cycle, agency, user) -> None:
    """The figures typed on the indicators sheet, checked as the indicators page checks them (number,
    unit, range, whose figure, its state); each problem names the sheet, row and column."""
    from reporting.indicators import values as moves
    from reporting.indicators.numbers import NumberError, check_value, format_number, parse_number

    if len(rows) < 2:
        return
    header = [str(h or "").strip() for h in rows[0]]
    if header[: len(INDICATOR_HEADERS)] != list(INDICATOR_HEADERS):
        preview.problems.append(Problem(_("trang “%(sheet)s” không đúng mẫu tải về; hãy dùng bảng tải về từ hệ thống.")
                                        % {"sheet": INDICATOR_SHEET}))
        return
    own = {}
    for pi, v, year, territory in indicator_values_for(cycle, agency):
        own[(pi.code, year, territory)] = (pi, v)
    value_col, note_col = INDICATOR_VALUE_COLUMN - 1, INDICATOR_NOTE_COLUMN - 1
    letter = get_column_letter(INDICATOR_VALUE_COLUMN)
    seen = {}
    for number, cells in enumerate(rows[1:], start=2):
        cells = list(cells) + [None] * (len(INDICATOR_HEADERS) - len(cells))
        code, year, territory = str(cells[0] or "").strip(), cells[3], str(cells[4] or "").strip()
        territory = "" if territory == WHOLE_PROVINCE else territory
        raw, note = cells[value_col], str(cells[note_col] or "").strip()
        where = {"row": number, "sheet": INDICATOR_SHEET, "code": code}
        key = (code, year, territory)
        if key not in own:
            if raw not in (None, ""):
                preview.problems.append(Problem(_("chỉ tiêu %(code)s, năm %(year)s, địa bàn “%(t)s” không thuộc bảng "
                                                  "tải về của cơ quan; hàng này không được nhập.")
                                                % {"code": code, "year": year, "t": territory or WHOLE_PROVINCE}, **where))
            continue
        if key in seen:
            preview.problems.append(Problem(_("trùng với hàng %(first)s (cùng chỉ tiêu, năm và địa bàn).")
                                            % {"first": seen[key]}, **where))
            continue
        seen[key] = number
        pi, value = own[key]
        try:
            figure, unit = parse_number(raw, field=INDICATOR_HEADERS[value_col])
            check_value(pi.indicator, figure, field=INDICATOR_HEADERS[value_col], typed_unit=unit)
        except NumberError as exc:
            preview.problems.append(Problem(str(exc), column=INDICATOR_HEADERS[value_col], letter=letter, **where))
            continue
        current = value.value if value is not None else None
        if figure is None or figure == current:
            continue
        refused = moves.refusal(value, user, workflow.Move.EDIT) if value is not None else None
        if refused is not None:
            preview.problems.append(Problem(str(refused), column=INDICATOR_HEADERS[value_col], letter=letter, **where))
            continue
        preview.indicator_changes.append(IndicatorChange(
            row=number, plan_indicator=pi, value=value, year=year, territory=territory, new=figure, note=note,
            old=format_number(current)))


@dataclass
class _Row:
    number: int
    report_id: int | None
    version: int | None
    values: dict  # field → parsed value, only for cells that parsed


def _read_rows(ws, preview: Preview) -> tuple[list[_Row], dict[str, str]] | None:
    it = ws.iter_rows(values_only=False)
    header = next(it, None)
    found = [nfc(c.value).strip() if isinstance(c.value, str) else c.value for c in (header or ())]
    expected = [c.header for c in REQUIRED]
    missing = [h for h in expected if h not in found]
    dupes = sorted({h for h in expected if found.count(h) > 1})
    if missing or dupes:
        known = {c.header for c in COLUMNS}
        unknown = [str(h) for h in found if h not in (None, "") and h not in known]
        if missing:
            msg = _("thiếu cột %(cols)s") % {"cols": ", ".join(f"“{h}”" for h in missing)}
            if unknown:
                msg += _("; cột lạ: %(cols)s") % {"cols": ", ".join(f"“{h}”" for h in unknown)}
            preview.problems.append(Problem(msg + _(". Đừng đổi tên hay xóa cột; hãy dùng bảng tải về từ hệ thống."), row=1))
        for h in dupes:
            preview.problems.append(Problem(_("cột “%(col)s” xuất hiện hai lần.") % {"col": h}, row=1))
        return None
    index = {c.key: found.index(c.header) for c in REQUIRED}
    letters = {key: get_column_letter(i + 1) for key, i in index.items()}
    preview.ignored_columns = [str(h) for h in found if h not in (None, "") and h not in {c.header for c in COLUMNS}]
    rows = []
    for number, cells in enumerate(it, start=2):
        raw = {}
        for col in REQUIRED:
            i = index[col.key]
            raw[col.key] = cells[i] if i < len(cells) else None
        if all(getattr(c, "value", None) in (None, "") for c in raw.values()):
            continue
        row = _Row(number, None, None, {})
        for col in REQUIRED:
            cell = raw[col.key]
            if getattr(cell, "data_type", None) == "f":
                why = _("ô chứa công thức; hãy nhập giá trị (không nhận công thức).")
            else:
                try:
                    parsed = _PARSERS[col.kind](getattr(cell, "value", None), cell)
                    if col.kind == "text":
                        check_text_length(parsed, col.header)
                    why = None
                except ValueError as exc:
                    why = str(exc)
                except ValidationError as exc:
                    why = " ".join(exc.messages)
            if why:
                preview.problems.append(Problem(why, row=number, column=col.header, letter=letters[col.key]))
                continue
            if col.kind == "id":
                row.report_id = parsed
            elif col.kind == "version":
                row.version = parsed
            else:
                row.values[col.key] = parsed
        rows.append(row)
    return rows, letters


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value:%d/%m/%Y}"
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(value, cell, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.datetime, dt.date, dt.time)):
        raise ValueError(_("“%(value)s” không phải %(what)s.") % {"value": _shown(value), "what": what})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(_("“%(value)s” không phải số nguyên.") % {"value": _shown(value)})
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    raise ValueError(_("“%(value)s” không phải %(what)s.") % {"value": _shown(value), "what": what})


def _parse_id(value, cell):
    n = _whole(value, cell, _("số hiệu báo cáo"))
    if n is None:
        raise ValueError(_("trống: không rõ hàng này là báo cáo nào. Bảng chỉ sửa được các báo cáo đã có; "
                           "đừng thêm hàng mới hay xóa số hiệu."))
    return n


def _parse_version(value, cell):
    n = _whole(value, cell, _("số phiên bản"))
    if n is None:
        raise ValueError(_("trống: hãy dùng bảng tải về từ hệ thống, không xóa cột ẩn “Phiên bản”."))
    return n


def _parse_status(value, cell):
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    code = status_lookup().get(fold(str(value))) if isinstance(value, str) else None
    if code is None:
        raise ValueError(_("“%(value)s” không thuộc danh sách: %(choices)s.")
                         % {"value": _shown(value), "choices": ", ".join(label for _v, label in status_labels())})
    return code


def _parse_percent(value, cell):
    if isinstance(value, float) and "%" in (getattr(cell, "number_format", "") or ""):
        value = round(value * 100, 6)  # typed as "40%" in Excel: stored as 0.4
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1].strip()
    n = _whole(value, cell, _("số nguyên từ 0 đến 100"))
    if n is not None and not 0 <= n <= 100:
        raise ValueError(_("%(value)s nằm ngoài khoảng cho phép: tỷ lệ hoàn thành là số nguyên từ 0 đến 100.")
                         % {"value": n})
    return n


def _parse_text(value, cell):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = f"{value:%d/%m/%Y}"
    return _norm_text(str(value))


def _parse_money(value, cell):
    if isinstance(value, str):
        try:
            n = parse_money(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages))
    else:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ValueError(_("số tiền không được âm (ô có %(value)s).") % {"value": _shown(value)})
        n = _whole(value, cell, _("số tiền (số nguyên đồng, ví dụ 1.234.567)"))
        if n is not None:
            try:
                check_amount(n)
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages))
    return n


_PARSERS = {"id": _parse_id, "version": _parse_version, "status": _parse_status, "percent": _parse_percent,
            "text": _parse_text, "money": _parse_money}


def _norm_text(text: str) -> str:
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _current(report: Report, key: str):
    value = getattr(report, key)
    if key in ("results", "outputs", "difficulties", "proposals"):
        return _norm_text(value or "")
    if key == "status":
        return value or ""
    return value


def display(key: str, value) -> str:
    if value in (None, ""):
        return "—"
    if key == "status":
        return dict(status_labels()).get(value, value)
    if key == "percent_complete":
        return f"{value}%"
    if key.startswith("funds_"):
        return vnd(value)
    return str(value)


def _compare(rows: list[_Row], letters: dict[str, str], preview: Preview, *, cycle, agency, user) -> None:
    # One query whatever the number of rows: every report of this agency in this cycle.
    own = {r.pk: r for r in reports_for(cycle, agency)}
    seen: dict[int, int] = {}
    for row in rows:
        if row.report_id is None:
            continue
        if row.report_id in seen:
            preview.problems.append(Problem(
                _("báo cáo này đã có ở hàng %(first)s; mỗi báo cáo chỉ một hàng.") % {"first": seen[row.report_id]},
                row=row.number, column=HEADER_OF["id"], letter=letters["id"]))
            continue
        seen[row.report_id] = row.number
        report = own.get(row.report_id)
        if report is None:
            preview.problems.append(Problem(
                _("báo cáo số %(id)s không phải báo cáo của %(agency)s trong kỳ này; hàng này không được nhập. "
                  "Hãy dùng bảng tải về cho đúng cơ quan và kỳ báo cáo.") % {"id": row.report_id, "agency": agency.name},
                row=row.number, column=HEADER_OF["id"], letter=letters["id"]))
            continue
        changed = {key: new for key, new in row.values.items() if new != _current(report, key)}
        if not changed:
            preview.unchanged += 1
            continue
        where = {"row": row.number, "code": report.item.code}
        refused = workflow.refusal(report, user, workflow.Move.EDIT)
        if refused is not None:
            reason = str(refused)
            for key in changed:
                preview.problems.append(Problem(reason, column=HEADER_OF[key], letter=letters[key], **where))
            continue
        if row.version is not None and row.version != report.version:
            who = (report.updated_by.get_full_name() or report.updated_by.get_username()) if report.updated_by else _("người khác")
            for key, new in changed.items():
                preview.problems.append(Problem(
                    _("xung đột: %(who)s đã lưu báo cáo lúc %(at)s, sau khi bảng được tải về (phiên bản %(mine)s → "
                      "%(now)s). Không ghi đè: trên hệ thống là “%(theirs_v)s”, trong bảng là “%(mine_v)s”. Hãy tải bảng "
                      "mới rồi chép lại nội dung của bạn.")
                    % {"who": who, "at": f"{timezone.localtime(report.updated_at):%H:%M %d/%m/%Y}", "mine": row.version,
                       "now": report.version, "theirs_v": display(key, _current(report, key)), "mine_v": display(key, new)},
                    column=HEADER_OF[key], letter=letters[key], conflict=True, theirs=display(key, _current(report, key)),
                    mine=display(key, new), **where))
            continue
        if row.version is None:
            continue  # its cell error is already listed
        preview.changes.append(RowChange(
            row=row.number, report=report, version=row.version, data=changed,
            fields=[FieldChange(key, HEADER_OF[key], display(key, _current(report, key)), display(key, new))
                    for key, new in changed.items()]))
    if preview.changes and not cycle.is_open(timezone.localdate()):
        preview.problems.append(Problem(_("kỳ báo cáo đã đóng ngày %(day)s; không sửa được nữa.")
                                        % {"day": f"{cycle.closes_on:%d/%m/%Y}"}))
