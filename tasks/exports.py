"""Plan exports: functions of a plan returning its data, as JSON or as the import spreadsheet."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agencies.lineage import Lineage
from agencies.models import Agency, AgencyAlias, Succession

from .models import Plan, PlanItem
from .sheet_format import (
    AGENCIES_SHEET, AGENCY_COLUMNS, EXAMPLE_HEADER, EXAMPLE_MARK, INSTRUCTIONS_SHEET, ITEM_COLUMNS, ITEMS_SHEET,
    KIND_LABELS, LEVEL_LABELS, LEVEL_WORDS, LISTS_SHEET, PLAN_FIELDS, PLAN_SHEET, YES, reason_line,
)


def plan_rows(plan: Plan) -> dict:
    """The plan as plain data (the JSON export; also what the spreadsheet writes)."""
    items = list(
        PlanItem.objects.filter(plan=plan).current().select_related("lead_agency", "parent")
        .prefetch_related("supporting_agencies").order_by("sort_key")
    )
    used = {it.lead_agency_id for it in items if it.lead_agency_id}
    used |= {a.pk for it in items for a in it.supporting_agencies.all()}
    if plan.focal_agency_id:
        used.add(plan.focal_agency_id)
    lineage = Lineage.load()
    for agency_id in list(used):
        used |= lineage.descendants(agency_id)
    agencies = list(Agency.objects.filter(pk__in=used).select_related("jurisdiction").order_by("name"))
    aliases: dict[int, list[str]] = {}
    for agency_id, name in AgencyAlias.objects.filter(agency__in=agencies).order_by("name").values_list("agency_id", "name"):
        aliases.setdefault(agency_id, []).append(name)
    successions: dict[int, list[tuple[str, str]]] = {}
    for s in Succession.objects.filter(predecessor__in=agencies).select_related("successor").order_by("effective_on", "successor__name"):
        successions.setdefault(s.predecessor_id, []).append((s.successor.name, s.effective_on.isoformat()))

    def names(it):
        return sorted(a.name for a in it.supporting_agencies.all())

    themes = [it for it in items if it.level == PlanItem.Level.THEME]
    groups = [it for it in items if it.level == PlanItem.Level.GROUP]
    activities = [it for it in items if it.level in (PlanItem.Level.ACTIVITY, PlanItem.Level.SUBACTIVITY)]
    return {
        "plan": {
            "code": plan.code, "title": plan.title, "number": plan.number, "jurisdiction": plan.jurisdiction.name,
            "issuing_body": plan.issuing_body or None,
            "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
            "period_start": plan.period_start, "period_end": plan.period_end,
            "focal_agency": plan.focal_agency.name if plan.focal_agency else None,
            "review_reasons": plan.review_reasons or [],
        },
        "themes": [{"code": t.code, "title": t.title} for t in themes],
        "task_groups": [
            {"code": g.code, "theme": g.parent.code if g.parent else None, "title": g.title,
             "lead_agency": g.lead_agency.name if g.lead_agency else None,
             "start_year": g.start_year, "end_year": g.end_year, "high_priority": g.high_priority,
             # A group can be flagged too (a group the scan lost, a count that does not match).
             "needs_review": g.needs_review, "review_reasons": _reasons(g)}
            for g in groups
        ],
        "activities": [
            {"code": a.code, "printed_code": a.printed_code or None, "parent": a.parent.code if a.parent else None,
             "title": a.title, "text": a.text or None, "high_priority": a.high_priority,
             "group_tags": list(a.group_tags or []), "start_year": a.start_year, "end_year": a.end_year,
             "lead_agency": a.lead_agency.name if a.lead_agency else None, "supporting_agencies": names(a),
             "expected_outputs": a.expected_outputs or None, "needs_review": a.needs_review,
             "review_reasons": _reasons(a)}
            for a in activities
        ],
        "agencies": [
            {"name": ag.name, "kind": ag.kind, "jurisdiction": ag.jurisdiction.name, "aliases": aliases.get(ag.pk, []),
             "short_name": ag.short_name or None, "is_group": ag.is_group,
             "successors": [{"name": n, "effective_on": d} for n, d in successions.get(ag.pk, [])]}
            for ag in agencies
        ],
        "_items": items,
    }


def _reasons(item: PlanItem) -> list[dict]:
    return [{"code": r.get("code"), "message": r.get("message")} for r in item.review_reasons or []]


def plan_json(plan: Plan) -> dict:
    data = plan_rows(plan)
    data.pop("_items")
    return data


HEADER_FILL = PatternFill("solid", fgColor="DDEBE2")


def write_text(cell, value) -> None:
    """Write user text as text: a value starting with '=' or '-' must never become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.number_format = "@"


def plan_xlsx(plan: Plan) -> bytes:
    data = plan_rows(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    plan_values = dict(data["plan"])
    plan_values["review_reasons"] = "\n".join(reason_line(r["code"], r["message"]) for r in plan.review_reasons or [])
    if plan_values.get("issued_on"):
        plan_values["issued_on"] = _ddmmyyyy(plan_values["issued_on"])  # as people type it (and the reader reads it)
    ws.append(["Trường", "Giá trị"])
    for key, label in PLAN_FIELDS:
        value = plan_values.get(key)
        ws.append([label, None])
        write_text(ws.cell(row=ws.max_row, column=2), value if not isinstance(value, str) else value)
    _style(ws, [24, 90])

    ws = wb.create_sheet(ITEMS_SHEET)
    ws.append([c.header for c in ITEM_COLUMNS])
    for it in data["_items"]:
        values = {
            "code": it.code, "printed_code": it.printed_code, "level": LEVEL_LABELS[it.level],
            "parent_code": it.parent.code if it.parent else None, "title": it.title, "text": it.text,
            "high_priority": it.high_priority, "group_tags": ", ".join(it.group_tags or []),
            "start_year": it.start_year, "end_year": it.end_year,
            "lead_agency": it.lead_agency.name if it.lead_agency else None,
            "supporting_agencies": sorted(a.name for a in it.supporting_agencies.all()),
            "expected_outputs": it.expected_outputs, "needs_review": it.needs_review,
            "review_reasons": [reason_line(r.get("code", ""), r.get("message", "")) for r in it.review_reasons or []],
            "source_file": it.source_file, "source_line": it.source_line,
        }
        _append(ws, ITEM_COLUMNS, values)
    _style(ws, [c.width for c in ITEM_COLUMNS])

    ws = wb.create_sheet(AGENCIES_SHEET)
    ws.append([c.header for c in AGENCY_COLUMNS])
    for ag in data["agencies"]:
        _append(ws, AGENCY_COLUMNS, {
            "name": ag["name"], "short_name": ag["short_name"], "kind": KIND_LABELS.get(ag["kind"], ag["kind"]),
            "is_group": ag["is_group"], "jurisdiction": ag["jurisdiction"], "aliases": ag["aliases"],
            "successors": [s["name"] for s in ag["successors"]],
            "successor_dates": [_ddmmyyyy(s["effective_on"]) for s in ag["successors"]],
        })
    _style(ws, [c.width for c in AGENCY_COLUMNS])
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ddmmyyyy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _append(ws, columns, values: dict) -> None:
    row = ws.max_row + 1
    for idx, col in enumerate(columns, start=1):
        value = values.get(col.key)
        cell = ws.cell(row=row, column=idx)
        if col.kind == "bool":
            write_text(cell, YES if value else None)
        elif col.kind == "lines":
            write_text(cell, "\n".join(value) if value else None)
        elif col.kind == "int":
            cell.value = value
        else:
            write_text(cell, value if value not in ("", None) else None)


def _style(ws, widths) -> None:
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
        head = ws.cell(row=1, column=idx)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


# --------------------------------------------------------------------------------------------
# The template: an empty workbook in the import layout, to type a plan into
# --------------------------------------------------------------------------------------------

PLAN_HINTS = {
    "code": "Mã ngắn, chữ thường không dấu và dấu gạch ngang, ví dụ: quang-tri-2151-2023 (bỏ trống: tự tạo)",
    "number": "Bắt buộc. Ví dụ: 2151/KH-UBND",
    "title": "Ví dụ: Kế hoạch hành động tăng trưởng xanh tỉnh Quảng Trị giai đoạn 2023 - 2030",
    "jurisdiction": "Bắt buộc. Tên tỉnh/thành phố, ví dụ: Quảng Trị",
    "issuing_body": "Ví dụ: Ủy ban nhân dân tỉnh Quảng Trị",
    "issued_on": "Dạng dd/mm/yyyy, ví dụ: 12/05/2023",
    "period_start": "Bắt buộc. Năm 4 chữ số, ví dụ: 2023",
    "period_end": "Bắt buộc. Năm 4 chữ số, ví dụ: 2030",
    "focal_agency": "Tên cơ quan đầu mối, phải có trong trang “Cơ quan”",
    "review_reasons": "Bỏ trống",
}

EXAMPLES = (
    {"code": "1", "level": "theme", "title": "Giảm cường độ phát thải khí nhà kính"},
    {"code": "1.1", "level": "group", "parent_code": "1", "title": "Tiết kiệm năng lượng trong công nghiệp"},
    {"code": "1.1.1", "level": "activity", "parent_code": "1.1", "high_priority": True,
     "title": "Kiểm toán năng lượng các cơ sở trọng điểm", "start_year": 2023, "end_year": 2030,
     "lead_agency": "Sở Công Thương", "supporting_agencies": ["Sở Tài chính", "Sở Khoa học và Công nghệ"],
     "expected_outputs": "Báo cáo kiểm toán năng lượng"},
    {"code": "1.1.1 a", "level": "subactivity", "parent_code": "1.1.1", "title": "Kiểm toán các nhà máy xi măng",
     "start_year": 2024, "end_year": 2025, "lead_agency": "Sở Công Thương"},
)


def _instructions() -> list[str]:
    levels = [f"    • {LEVEL_LABELS[k]} (cũng nhận: {', '.join(w for w in LEVEL_WORDS[k] if w != LEVEL_LABELS[k])})"
              for k in LEVEL_LABELS]
    return [
        "MẪU NHẬP KẾ HOẠCH HÀNH ĐỘNG",
        "",
        "Tệp này nhập được bằng nút “Nhập” ở trang Mục kế hoạch trong trang quản trị, hoặc lệnh "
        "import_appendix TỆP.xlsx. Nhập lại cùng tệp sau khi sửa chỉ cập nhật những gì đã đổi.",
        "",
        "1. Trang “Kế hoạch”: điền cột “Giá trị” (cột “Ghi chú” chỉ để hướng dẫn). Bắt buộc: Số hiệu, "
        "Tỉnh/thành phố, Từ năm, Đến năm. Mã kế hoạch nếu điền sẽ được dùng làm mã của kế hoạch mới.",
        "2. Trang “Mục kế hoạch”: mỗi hàng là một mục. Bốn hàng đầu là ví dụ (cột “Dòng ví dụ” ghi "
        f"“{EXAMPLE_MARK}”): khi nhập, các hàng này được bỏ qua và báo cáo nhập ghi rõ. Có thể xoá chúng.",
        "   • Mã: 1 (chủ đề), 1.1 (nhóm nhiệm vụ), 1.1.1 (nhiệm vụ, hoạt động), 1.1.1 a (hoạt động con).",
        "   • Cấp: chọn trong danh sách. Cũng nhận các từ sau (không phân biệt hoa thường, có dấu hay không):",
        *levels,
        "   • Mục cha: mã của mục cấp trên; bỏ trống thì suy ra từ mã.",
        f"   • Ưu tiên cao: chọn “{YES}” hoặc để trống.",
        "   • Năm bắt đầu, Năm kết thúc: năm 4 chữ số, trong giai đoạn của kế hoạch.",
        "   • Cơ quan chủ trì: một cơ quan. Cơ quan phối hợp: mỗi cơ quan một dòng trong ô (Alt+Enter), hoặc "
        "cách nhau bằng dấu chấm phẩy “;”. Dấu phẩy không tách cơ quan (“Các sở, ban, ngành” là một tên).",
        "   • Để trống: Cần rà soát, Lý do cần rà soát, Tệp nguồn, Dòng nguồn.",
        "3. Trang “Cơ quan”: mỗi cơ quan được nêu ở trang Mục kế hoạch một hàng; Loại chọn trong danh sách. "
        "Cột “Tỉnh/thành phố”: bỏ trống hoặc ghi tỉnh/thành phố của kế hoạch thì cơ quan được tạo mới; ghi "
        "tỉnh/thành phố khác thì cơ quan đó phải có sẵn ở tỉnh/thành phố đó (nếu không, tệp bị từ chối).",
        "4. Khi có lỗi, không có gì được ghi; thông báo nêu tên trang, hàng và cột cần sửa.",
    ]


def plan_template_xlsx() -> bytes:
    """An empty workbook in the import layout, with instructions, examples and drop-down lists."""
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    for line in _instructions():
        ws.append([line])
    ws.column_dimensions["A"].width = 120
    ws["A1"].font = Font(bold=True, size=14)

    lists = wb.create_sheet(LISTS_SHEET)
    columns = {"A": list(LEVEL_LABELS.values()), "B": [YES], "C": list(KIND_LABELS.values())}
    lists.append(["Cấp", "Có/không", "Loại cơ quan"])
    for i in range(max(len(v) for v in columns.values())):
        lists.append([columns[c][i] if i < len(columns[c]) else None for c in "ABC"])
    _style(lists, [24, 12, 24])

    def choice(column: str, n: int, prompt: str) -> DataValidation:
        dv = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${column}$2:${column}${n + 1}", allow_blank=True,
                            showErrorMessage=False, promptTitle="Chọn trong danh sách", prompt=prompt)
        dv.showInputMessage = True
        return dv

    def years() -> DataValidation:
        return DataValidation(type="whole", operator="between", formula1="1900", formula2="2200", allow_blank=True,
                              showErrorMessage=True, errorTitle="Năm không hợp lệ", error="Nhập năm 4 chữ số, ví dụ 2025.")

    ws = wb.create_sheet(PLAN_SHEET)
    ws.append(["Trường", "Giá trị", "Ghi chú"])
    for key, label in PLAN_FIELDS:
        ws.append([label, None, PLAN_HINTS.get(key)])
    year_dv = years()
    ws.add_data_validation(year_dv)
    for n, (key, _label) in enumerate(PLAN_FIELDS, start=2):
        ws.cell(row=n, column=2).number_format = "@" if key not in ("period_start", "period_end") else "0"
        if key in ("period_start", "period_end"):
            year_dv.add(f"B{n}")
    _style(ws, [24, 60, 80])

    ws = wb.create_sheet(ITEMS_SHEET)
    ws.append([c.header for c in ITEM_COLUMNS] + [EXAMPLE_HEADER])
    grey = Font(italic=True, color="777777")
    for example in EXAMPLES:
        values = dict(example, level=LEVEL_LABELS[example["level"]])
        _append(ws, ITEM_COLUMNS, values)
        ws.cell(row=ws.max_row, column=len(ITEM_COLUMNS) + 1).value = EXAMPLE_MARK
        for cell in ws[ws.max_row]:
            cell.font = grey
    keys = [c.key for c in ITEM_COLUMNS]
    letter = {k: get_column_letter(keys.index(k) + 1) for k in keys}
    rows = "2:1000"
    first, last = rows.split(":")
    level_dv = choice("A", len(LEVEL_LABELS), "Chủ đề, Nhóm nhiệm vụ, Nhiệm vụ/hoạt động hoặc Hoạt động con")
    prio_dv = choice("B", 1, f"“{YES}” nếu ưu tiên cao, để trống nếu không")
    year_dv = years()
    for dv in (level_dv, prio_dv, year_dv):
        ws.add_data_validation(dv)
    level_dv.add(f"{letter['level']}{first}:{letter['level']}{last}")
    prio_dv.add(f"{letter['high_priority']}{first}:{letter['high_priority']}{last}")
    year_dv.add(f"{letter['start_year']}{first}:{letter['start_year']}{last}")
    year_dv.add(f"{letter['end_year']}{first}:{letter['end_year']}{last}")
    _style(ws, [c.width for c in ITEM_COLUMNS] + [12])

    ws = wb.create_sheet(AGENCIES_SHEET)
    ws.append([c.header for c in AGENCY_COLUMNS])
    kind_dv = choice("C", len(KIND_LABELS), "Loại cơ quan")
    ws.add_data_validation(kind_dv)
    kinds = get_column_letter([c.key for c in AGENCY_COLUMNS].index("kind") + 1)
    kind_dv.add(f"{kinds}2:{kinds}1000")
    _style(ws, [c.width for c in AGENCY_COLUMNS])
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
