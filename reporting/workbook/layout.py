"""The agency's cycle workbook as it is downloaded: one row per report of (cycle, agency) with
its current values, a help sheet, drop-downs and locked columns.

The import format is exactly the export format (`read.py` reads it back): columns are found by
their header, and the report by the hidden ID column, never by position or by the item's code.
Nothing is cut: every text fits the one limit of free text (TEXT_MAX_CHARS, well under Excel's
32,767 characters per cell), so a downloaded workbook holds each text whole.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from agencies.access import one_scope_per_user
from agencies.text import fold
from tasks.exports import HEADER_FILL, write_text

from reporting.reports import workflow
from reporting.models import MONEY_MAX, TEXT_MAX_CHARS, Report
from reporting.reports.money import group_thousands, vnd


SHEET = "Báo cáo"
HELP_SHEET = "Hướng dẫn"
INDICATOR_SHEET = "Chỉ tiêu"
INDICATOR_HEADERS = ("Mã", "Chỉ tiêu", "Đơn vị", "Năm", "Địa bàn", "Giá trị", "Nguồn", "Trạng thái", "Số lần điều chỉnh",
                     "Ghi chú")
WHOLE_PROVINCE = "Toàn tỉnh"
# On the indicators sheet the officer types a figure (column F) and, for a figure far from last
# year's, a note confirming it (column J): the upload writes them as drafts, like the indicators page.
INDICATOR_VALUE_COLUMN, INDICATOR_NOTE_COLUMN = 6, 10
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


def status_labels() -> list[tuple[str, str]]:
    with translation.override("vi"):
        return [(value, str(label)) for value, label in Report.Status.choices]


def _state_label(state: str) -> str:
    with translation.override("vi"):
        return str(Report.State(state).label)


@functools.lru_cache(maxsize=1)
def status_lookup() -> dict[str, str]:
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
    return f"bao-cao-{cycle.file_word}-{cycle.year}-{who}.xlsx"


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
    labels = dict(status_labels())
    for row, report in enumerate(reports, start=2):
        values = {"id": report.pk, "version": report.version, "code": report.item.code, "title": report.item.shown_title,
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
    _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), cycle, agency)
    _help_sheet(wb.create_sheet(HELP_SHEET), cycle, agency, user)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def indicator_values_for(cycle, agency):
    """The figures of the indicators the agency answers for in the cycle's plan, and a row for an
    indicator with none yet, so the sheet lists what it owes. Three queries."""
    from agencies.lineage import Lineage
    from reporting.models import PlanIndicator

    lineage = Lineage.load()
    pis = [pi for pi in PlanIndicator.objects.filter(plan_id=cycle.plan_id, lead_agency__isnull=False)
           .select_related("indicator").prefetch_related("values").order_by("sort_order", "code")
           if pi.responsible_agency_id(cycle.year, lineage) == agency.pk]
    rows = []
    for pi in pis:
        values = sorted(pi.values.all(), key=lambda v: (v.year, v.territory))
        for v in values:
            rows.append((pi, v, v.year, v.territory))
        # This year's figures not written yet: a row each (per territory, and for the province)
        written = {(v.year, v.territory) for v in values}
        for territory in ["", *(pi.territories or [])]:
            if (cycle.year, territory) not in written:
                rows.append((pi, None, cycle.year, territory))
    return rows


def _indicator_sheet(ws, cycle, agency) -> None:
    """The agency's indicator figures, as the portal holds them (to read offline and prepare the
    year's figures; they are entered and submitted on the indicators page)."""
    from reporting.indicators.numbers import format_number

    rows = indicator_values_for(cycle, agency)
    for idx, header in enumerate(INDICATOR_HEADERS, start=1):
        cell = ws.cell(row=1, column=idx)
        write_text(cell, header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    open_now = cycle.is_open()
    for row, (pi, v, year, territory) in enumerate(rows, start=2):
        cells = [pi.code, pi.indicator.name, pi.indicator.unit or None, year, territory or WHOLE_PROVINCE,
                 format_number(v.value) if v and v.value is not None else None,
                 (str(v.get_source_display()) or None) if v else None, _state_label(v.state) if v else "Chưa có số liệu",
                 v.revision if v else None, None]
        for idx, value in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=idx)
            if isinstance(value, int):
                cell.value = value
            else:
                write_text(cell, value)
                cell.number_format = "@"  # "1.234,5" stays as typed
        editable = open_now and (v is None or v.state in ("draft", "returned"))
        for idx in (INDICATOR_VALUE_COLUMN, INDICATOR_NOTE_COLUMN):
            if editable:
                ws.cell(row=row, column=idx).protection = Protection(locked=False)
            else:
                ws.cell(row=row, column=idx).fill = LOCKED_FILL
    for idx, width in enumerate((8, 50, 14, 8, 18, 14, 28, 18, 10, 40), start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C2"
    ws.protection.sheet = True


def _letter(key: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key))


def _validations(ws, last: int) -> None:
    labels = [label for _value, label in status_labels()]
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
        for value, label in status_labels():
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
        "status": ", ".join(label for _v, label in status_labels()),
        "percent": "0 – 100",
        "money": f"0, 1234567, 1.234.567; tối đa {vnd(MONEY_MAX)}",
        "text": f"Văn bản, tối đa {group_thousands(TEXT_MAX_CHARS)} ký tự",
    }.get(col.kind, "Không sửa")
