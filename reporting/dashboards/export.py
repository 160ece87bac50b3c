"""Excel exports: the consolidated status (as filtered on the page) and every report of every plan
(the national export); the province report's workbook (reporting/province/excel.py) is laid out by
the same sheet writer.

Every sheet has a frozen, filterable header and set column widths. Every text cell is written as
text (`data_type = "s"`), so a result starting with "=" or "-" is never taken for a formula.
"""
from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8F3EC")
WRAP = Alignment(wrap_text=True, vertical="top")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _put(ws, row: int, col: int, value):
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, bool):
        value = "Có" if value else ""
    if isinstance(value, (int, float)):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # text stays text: "=SUM(…)" or "-2" typed in a report is not a formula
    cell.alignment = WRAP
    return cell


def write_sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], widths: list[int], *, first=False,
           preamble: list[str] = ()):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    r = 1
    for line in preamble:
        _put(ws, r, 1, line).font = Font(bold=r == 1)
        r += 1
    if preamble:
        r += 1
    header_row = r
    for c, h in enumerate(headers, 1):
        cell = _put(ws, r, c, h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for values in rows:
        r += 1
        for c, v in enumerate(values, 1):
            _put(ws, r, c, v)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(r, header_row)}"
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _local(dt_value):
    return timezone.localtime(dt_value).strftime("%d/%m/%Y %H:%M") if dt_value else ""


STATUS_HEADERS = ["Mã", "Nhiệm vụ, hoạt động", "Chủ đề", "Nhóm nhiệm vụ", "Ưu tiên cao", "Cơ quan chủ trì",
                  "Tình trạng báo cáo", "Nộp muộn", "Gửi lúc", "Tình hình thực hiện", "Tỷ lệ hoàn thành (%)", "Mã báo cáo"]


def consolidated_xlsx(cycle, rows, outline, *, filters_text: str = "") -> bytes:
    """The consolidated status rows exactly as the page shows them (same filters, same order)."""
    wb = Workbook()
    label = lambda pk: f"{outline.by_id[pk].code}. {outline.by_id[pk].title}" if pk in outline.by_id else ""  # noqa: E731
    data = [[r.code, r.title, label(r.theme_id), label(r.group_id), r.high_priority, r.agency_name, r.state_label,
             r.late, _local(r.submitted_at), r.status_label if r.reported else "",
             r.percent if r.reported else None, r.report_id] for r in rows]
    preamble = [f"Tổng hợp tình hình báo cáo – {cycle}", f"Xuất lúc {_local(timezone.now())} (GMT+7)"]
    if filters_text:
        preamble.append(f"Bộ lọc: {filters_text}")
    write_sheet(wb, "Tổng hợp", STATUS_HEADERS, data, [10, 60, 30, 30, 10, 32, 18, 10, 17, 18, 12, 11], first=True,
           preamble=preamble)
    return workbook_bytes(wb)


# --- national export of every report -----------------------------------------------------------

ALL_REPORTS_HEADERS = [
    "Tỉnh/thành phố", "Kế hoạch", "Kỳ báo cáo", "Năm", "Mã", "Nhiệm vụ, hoạt động", "Cấp", "Cơ quan chủ trì",
    "Tình trạng báo cáo", "Nộp muộn", "Gửi lúc", "Tình hình thực hiện", "Tỷ lệ hoàn thành (%)",
    "Kết quả đạt được", "Sản phẩm đã có", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị",
    "Ngân sách trung ương (đồng)", "Ngân sách địa phương (đồng)", "Vốn ODA (đồng)", "Tư nhân, nguồn khác (đồng)",
    "Phiên bản", "Thẩm định lúc", "Ý kiến thẩm định", "Mã báo cáo",
]
ALL_REPORTS_FIELDS = (
    "cycle__plan__jurisdiction__name", "cycle__plan__number", "cycle__kind", "cycle__year", "item__code",
    "item__title", "item__level", "agency__name", "state", "late", "submitted_at", "status", "percent_complete",
    "results", "outputs", "difficulties", "proposals", "funds_central", "funds_local", "funds_oda", "funds_other",
    "version", "reviewed_at", "review_comment", "id",
)
ALL_REPORTS_WIDTHS = [18, 16, 14, 6, 10, 60, 12, 32, 18, 9, 17, 18, 12, 60, 40, 40, 40, 16, 16, 16, 16, 9, 17, 40, 11]


def all_reports_rows(queryset=None, *, chunk_size: int = 2000):
    """Every report as a row of plain values (labels, local times as text), streamed from the
    database (a server-side cursor on PostgreSQL): memory does not grow with the number of reports."""
    from tasks.models import PlanItem

    from reporting.models import Report, ReportingCycle

    kinds, levels = dict(ReportingCycle.Kind.choices), dict(PlanItem.Level.choices)
    states, statuses = dict(Report.State.choices), dict(Report.Status.choices)
    qs = (queryset if queryset is not None else Report.objects.all()).order_by(
        "cycle__plan__jurisdiction__name", "cycle__plan__code", "cycle__year", "cycle__kind", "item__sort_key", "id")
    tz = timezone.get_current_timezone()
    for row in qs.values_list(*ALL_REPORTS_FIELDS).iterator(chunk_size=chunk_size):
        row = list(row)
        row[2] = str(kinds.get(row[2], row[2]))
        row[6] = str(levels.get(row[6], row[6]))
        row[8] = str(states.get(row[8], row[8]))
        row[9] = "Có" if row[9] else ""
        row[10] = row[10].astimezone(tz).strftime("%d/%m/%Y %H:%M") if row[10] else None
        row[11] = str(statuses[row[11]]) if row[11] else None
        row[22] = row[22].astimezone(tz).strftime("%d/%m/%Y %H:%M") if row[22] else None
        yield row


def all_reports_xlsx(target, queryset=None) -> int:
    """The national export: every report of every plan and cycle, one row each, written to `target`
    (a path or a binary file object) in openpyxl's write-only mode, so rows stream from the database
    to the file. Text stays text: a value typed as "=SUM(…)" is written as a string cell, never as a
    formula. Returns the number of reports written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    for c, w in enumerate(ALL_REPORTS_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = "A2"
    header = []
    for h in ALL_REPORTS_HEADERS:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)

    def text(value):
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):  # openpyxl would take it for a formula
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value

    n = 0
    for row in all_reports_rows(queryset):
        ws.append([text(v) if isinstance(v, str) and v else v for v in row])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ALL_REPORTS_HEADERS))}{n + 1}"
    wb.save(target)
    return n
