"""An agency's cycle workbook: download it, fill it offline, upload it back.

`build` writes one row per report of (cycle, agency) with its current values; `read_upload`
turns an uploaded copy into a `Preview` (every change, every invalid cell, with row and column);
`apply` saves the changes through `workflow.report_save(via="upload")` in one transaction.
The import format is exactly the export format: columns are found by their header, and the
report is found by the hidden ID column, never by position or by the item's code.

Decisions worth knowing:

* A row counts as changed only when a value differs from what is in the database now (text
  compared after NFC, trimming and line-end normalisation). Versions are compared only for rows
  that change something: re-uploading a file whose values are already saved is "no changes",
  not a conflict, even though the versions in the file are old.
* A changed row whose version moved since the download is a conflict (someone saved in between):
  both values are shown and nothing is overwritten. A changed row of a submitted or accepted
  report is refused with the reason. Unchanged rows of such reports are simply left alone, so a
  workbook downloaded while some reports were already submitted still uploads cleanly.
* Any error, conflict included, means nothing is saved.
* Nothing is cut: every text fits the one limit of free text (TEXT_MAX_CHARS, well under Excel's
  32,767 characters per cell), so a downloaded workbook holds each text whole, and a cell longer
  than the limit is refused with its row and column.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from agencies.access import one_scope_per_user
from agencies.text import fold, nfc
from tasks.exports import HEADER_FILL, write_text
from tasks.importers.service import ImportFailed
from tasks.importers.spreadsheet import open_workbook as open_xlsx

from reporting.reports import workflow
from reporting.reports.forms import check_amount, check_text_length, parse_money
from reporting.models import MONEY_MAX, TEXT_MAX_CHARS, Report
from reporting.reports.money import group_thousands, vnd

SHEET = "Báo cáo"
HELP_SHEET = "Hướng dẫn"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str  # id | version | info | status | percent | text | money
    help: str = ""


# Headers are fixed Vietnamese strings, whatever the interface language: they are the file format.
COLUMNS = (
    Column("id", "ID báo cáo", 10, "id", "Số hiệu báo cáo trên hệ thống (cột ẩn, không sửa)."),
    Column("version", "Phiên bản", 10, "version", "Phiên bản lúc tải về, để phát hiện người khác đã lưu sau đó (cột ẩn, không sửa)."),
    Column("code", "Mã", 10, "info", "Mã nhiệm vụ (chỉ để đọc, không được nhập lại)."),
    Column("title", "Nhiệm vụ", 55, "info", "Tên nhiệm vụ (chỉ để đọc, không được nhập lại)."),
    Column("state", "Trạng thái báo cáo", 18, "info", "Đang soạn, đã gửi... (chỉ để đọc). Báo cáo đã gửi hoặc đã chấp nhận không sửa được."),
    Column("status", "Tình hình thực hiện", 20, "status", "Chọn trong danh sách (xem bảng dưới); để trống nếu chưa đánh giá."),
    Column("percent_complete", "Tỷ lệ hoàn thành (%)", 13, "percent", "Số nguyên từ 0 đến 100, không có dấu %."),
    Column("results", "Kết quả đạt được", 50, "text", "Văn bản tự do; có thể xuống dòng trong ô (Alt+Enter)."),
    Column("outputs", "Sản phẩm đã có", 40, "text", "Văn bản tự do."),
    Column("difficulties", "Khó khăn, vướng mắc", 40, "text", "Văn bản tự do."),
    Column("proposals", "Đề xuất, kiến nghị", 40, "text", "Văn bản tự do."),
    Column("funds_central", "Ngân sách trung ương (đồng)", 20, "money", "Số nguyên đồng, không âm, ví dụ 1234567 hoặc 1.234.567."),
    Column("funds_local", "Ngân sách địa phương (đồng)", 20, "money", "Số nguyên đồng, không âm."),
    Column("funds_oda", "Vốn ODA (đồng)", 18, "money", "Số nguyên đồng, không âm."),
    Column("funds_other", "Tư nhân, nguồn khác (đồng)", 20, "money", "Số nguyên đồng, không âm."),
)
EDIT_COLUMNS = tuple(c for c in COLUMNS if c.kind in ("status", "percent", "text", "money"))
REQUIRED = tuple(c for c in COLUMNS if c.kind not in ("info",))
assert {c.key for c in EDIT_COLUMNS} == set(workflow.EDITABLE_FIELDS)
HEADER_OF = {c.key: c.header for c in COLUMNS}


def _status_labels() -> list[tuple[str, str]]:
    with translation.override("vi"):
        return [(value, str(label)) for value, label in Report.Status.choices]


def _state_label(state: str) -> str:
    with translation.override("vi"):
        return str(Report.State(state).label)


@functools.lru_cache(maxsize=1)
def _status_lookup() -> dict[str, str]:
    """Folded Vietnamese label, English label or code → code: "dung tien do" finds Đúng tiến độ."""
    lookup = {fold(value): value for value, _label in Report.Status.choices}
    for lang in ("en", "vi"):
        with translation.override(lang):
            lookup.update({fold(str(label)): value for value, label in Report.Status.choices})
    return lookup


# --- download ---------------------------------------------------------------------------------

def reports_for(cycle, agency):
    reports = list(Report.objects.filter(cycle=cycle, agency=agency)
                   .select_related("item", "updated_by").order_by("item__sort_key", "pk"))
    for report in reports:
        report.cycle = cycle  # one cycle for all: the workflow's refusal reads it per row
    return reports


def file_name(cycle, agency) -> str:
    who = slugify(fold(agency.short_name or agency.name)) or f"co-quan-{agency.pk}"
    return f"bao-cao-{cycle.kind}-{cycle.year}-{who}.xlsx"


def build(cycle, agency, *, user) -> bytes:
    """The cycle workbook of one agency, prefilled with every report's current values."""
    with one_scope_per_user():
        return _build(cycle, agency, user=user)


def _build(cycle, agency, *, user) -> bytes:
    reports = reports_for(cycle, agency)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for idx, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx)
        write_text(cell, col.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(idx)].width = col.width
    labels = dict(_status_labels())
    for row, report in enumerate(reports, start=2):
        values = {"id": report.pk, "version": report.version, "code": report.item.code, "title": report.item.title,
                  "state": _state_label(report.state), "status": labels.get(report.status, report.status or None)}
        editable = workflow.refusal(report, user, workflow.Move.EDIT) is None
        for idx, col in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=row, column=idx)
            value = values[col.key] if col.key in values else getattr(report, col.key)
            if col.kind in ("id", "version", "percent", "money"):
                cell.value = value
                if col.kind == "money":
                    cell.number_format = "#,##0"
            else:
                write_text(cell, value if value not in ("", None) else None)
                cell.number_format = "@"  # what is typed later stays text too ("=..." or "- ...")
            cell.alignment = Alignment(wrap_text=col.kind in ("info", "text"), vertical="top")
            if col in EDIT_COLUMNS and editable:
                cell.protection = Protection(locked=False)
            elif col in EDIT_COLUMNS:
                cell.fill = LOCKED_FILL
    last = max(len(reports) + 1, 2)
    _validations(ws, last)
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].hidden = True
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    # Protection without a password: it keeps the ID, version and read-only columns from being
    # typed over by accident; the upload checks everything anyway.
    ws.protection.sheet = True
    for allowed in ("autoFilter", "sort", "formatColumns", "formatRows"):
        setattr(ws.protection, allowed, False)
    _help_sheet(wb.create_sheet(HELP_SHEET), cycle, agency, user)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _letter(key: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key))


def _validations(ws, last: int) -> None:
    labels = [label for _value, label in _status_labels()]
    status = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Tình hình thực hiện",
                            error="Chọn một giá trị trong danh sách: " + ", ".join(labels) + ".")
    status.add(f"{_letter('status')}2:{_letter('status')}{last}")
    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, errorTitle="Tỷ lệ hoàn thành",
                             error="Nhập số nguyên từ 0 đến 100, không có dấu %.")
    percent.add(f"{_letter('percent_complete')}2:{_letter('percent_complete')}{last}")
    # "decimal" rather than "whole": Excel's whole-number check stops near 2,1 tỷ đồng, which real
    # budgets exceed. Fractions are refused on upload with a message instead.
    money = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(MONEY_MAX), allow_blank=True,
                           showErrorMessage=True, errorTitle="Số tiền (đồng)",
                           error=f"Nhập số tiền bằng đồng, từ 0 đến {vnd(MONEY_MAX)}, ví dụ 1234567.")
    for key in ("funds_central", "funds_local", "funds_oda", "funds_other"):
        money.add(f"{_letter(key)}2:{_letter(key)}{last}")
    for dv in (status, percent, money):
        ws.add_data_validation(dv)


def _help_sheet(ws, cycle, agency, user) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 45
    lines = [
        ("Hướng dẫn nhập báo cáo bằng Excel", None),
        ("Kế hoạch", f"{cycle.plan.number} – {cycle.plan.title}"),
        ("Kỳ báo cáo", f"{_kind_label(cycle)} {cycle.year}"),
        ("Cơ quan", agency.name),
        ("Tải về lúc", f"{timezone.localtime():%H:%M %d/%m/%Y}"
                       + (f" bởi {user.get_full_name() or user.get_username()}" if user is not None else "")),
        (None, None),
        ("1.", "Mỗi hàng của trang “Báo cáo” là một báo cáo. Chỉ sửa các ô nền trắng; không thêm, xóa hàng, "
               "không đổi tên cột, không sửa hai cột ẩn “ID báo cáo” và “Phiên bản”."),
        ("2.", "Nhập giá trị, không nhập công thức: ô có công thức sẽ bị từ chối. Nội dung bắt đầu bằng “=” hoặc "
               "“-” vẫn được giữ nguyên là văn bản."),
        ("3.", "Tải tệp lên trang “Nộp báo cáo bằng Excel”: hệ thống hiện mọi thay đổi và mọi ô sai (hàng, cột, lý do) "
               "trước khi lưu. Còn một ô sai thì không lưu gì; sửa tệp rồi tải lên lại."),
        ("4.", "Nếu có người lưu một báo cáo sau khi bạn tải bảng này, hàng đó bị báo xung đột và không ghi đè: "
               "hãy tải bảng mới rồi chép lại nội dung của bạn."),
        ("5.", "Báo cáo đã gửi hoặc đã được chấp nhận (ô nền xám) không sửa được bằng Excel."),
        (None, None),
    ]
    for label, text in lines:
        ws.append([None, None])
        write_text(ws.cell(row=ws.max_row, column=1), label)
        write_text(ws.cell(row=ws.max_row, column=2), text)
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([None, None, None])
    for idx, head in enumerate(("Cột", "Nội dung", "Giá trị hợp lệ"), start=1):
        cell = ws.cell(row=ws.max_row, column=idx)
        write_text(cell, head)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for col in COLUMNS:
        ws.append([None, None, None])
        write_text(ws.cell(row=ws.max_row, column=1), col.header)
        write_text(ws.cell(row=ws.max_row, column=2), col.help)
        write_text(ws.cell(row=ws.max_row, column=3), _accepted(col))
    ws.append([None, None])
    ws.append([None, None])
    write_text(ws.cell(row=ws.max_row, column=1), "Tình hình thực hiện")
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    with translation.override("vi"):
        for value, label in _status_labels():
            ws.append([None, None])
            write_text(ws.cell(row=ws.max_row, column=1), label)
            write_text(ws.cell(row=ws.max_row, column=2), str(Report.STATUS_HELP[value]))
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _kind_label(cycle) -> str:
    with translation.override("vi"):
        return str(cycle.get_kind_display())


def _accepted(col: Column) -> str:
    return {
        "status": ", ".join(label for _v, label in _status_labels()),
        "percent": "0 – 100",
        "money": f"0, 1234567, 1.234.567; tối đa {vnd(MONEY_MAX)}",
        "text": f"Văn bản, tối đa {group_thousands(TEXT_MAX_CHARS)} ký tự",
    }.get(col.kind, "Không sửa")


# --- upload: parse into a preview -------------------------------------------------------------

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

    def where(self, file_name: str) -> str:
        parts = [file_name]
        if self.row is not None:
            parts += [f"trang “{SHEET}”", _("hàng %(row)s") % {"row": self.row}]
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
class Preview:
    file_name: str
    changes: list[RowChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [p.text(self.file_name) for p in self.problems]

    def fingerprint(self) -> str:
        """What would be saved: confirm compares it with what the user was shown."""
        payload = [(c.report.pk, c.version, sorted(c.data.items())) for c in self.changes]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


class ApplyFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


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
    except Exception as exc:  # read-only sheets are parsed lazily: damaged XML surfaces while reading rows
        preview.problems.append(Problem(_("không đọc được tệp Excel (%(error)s).") % {"error": type(exc).__name__}))
        return preview
    finally:
        wb.close()
    if read is not None:
        with one_scope_per_user():  # the refusal asked per row reuses the user's scope
            _compare(*read, preview, cycle=cycle, agency=agency, user=user)
    return preview


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
    code = _status_lookup().get(fold(str(value))) if isinstance(value, str) else None
    if code is None:
        raise ValueError(_("“%(value)s” không thuộc danh sách: %(choices)s.")
                         % {"value": _shown(value), "choices": ", ".join(label for _v, label in _status_labels())})
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
        return dict(_status_labels()).get(value, value)
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


# --- apply ------------------------------------------------------------------------------------

def apply(preview: Preview, *, user) -> int:
    """Save every changed row, all or nothing; returns the number of reports saved."""
    if not preview.ok:
        raise ApplyFailed(preview.problems)
    with transaction.atomic():
        for change in preview.changes:
            try:
                workflow.report_save(change.report, user=user, data=change.data, base_version=change.version,
                                     via="upload")
            except workflow.WorkflowError as exc:
                # Leaving the atomic block with the exception rolls back the rows saved before it.
                raise ApplyFailed([Problem(str(exc), row=change.row, code=change.report.item.code,
                                           column=", ".join(f.column for f in change.fields))]) from exc
    return len(preview.changes)
