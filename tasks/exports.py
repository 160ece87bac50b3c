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
    AGENCIES_SHEET, AGENCY_COLUMNS, ITEM_COLUMNS, ITEMS_SHEET, KIND_LABELS, LEVEL_LABELS, PLAN_FIELDS, PLAN_SHEET,
    YES, reason_line,
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
             "start_year": g.start_year, "end_year": g.end_year, "high_priority": g.high_priority}
            for g in groups
        ],
        "activities": [
            {"code": a.code, "printed_code": a.printed_code or None, "parent": a.parent.code if a.parent else None,
             "title": a.title, "text": a.text or None, "high_priority": a.high_priority,
             "group_tags": list(a.group_tags or []), "start_year": a.start_year, "end_year": a.end_year,
             "lead_agency": a.lead_agency.name if a.lead_agency else None, "supporting_agencies": names(a),
             "expected_outputs": a.expected_outputs or None, "needs_review": a.needs_review,
             "review_reasons": [{"code": r.get("code"), "message": r.get("message")} for r in a.review_reasons or []]}
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
