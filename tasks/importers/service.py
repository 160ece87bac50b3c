"""Apply a parsed plan (from the scanned document or from the spreadsheet) to the database.

Both readers produce the same intermediate form (`ParsedPlan`), so there is one way to write a
plan: in one transaction, matching agencies by name and alias, items by code, updating only what
changed, retiring (never deleting) what disappeared, and keeping an import report.
"""
from __future__ import annotations

import datetime as dt
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from agencies.models import Agency, AgencyAlias, Jurisdiction, Succession
from agencies.names import agency_key
from agencies.text import nfc

from ..codes import code_sort_key
from ..models import ImportLog, Plan, PlanItem
from .document import Flag, ParsedAgency, ParsedItem, ParsedPlan
from .history import create_with_history

# Fields compared to decide whether an item changed; the export writes exactly these.
ITEM_FIELDS = (
    "level", "parent_code", "printed_code", "title", "text", "high_priority", "group_tags",
    "start_year", "end_year", "lead_agency", "supporting_agencies", "expected_outputs",
    "needs_review", "review_reasons", "source_file", "source_line",
)


class ImportFailed(Exception):
    """The file cannot be imported; `errors` say where (file, row or line, field) and why."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class SuccessionRow:
    predecessor: str
    successor: str
    effective_on: dt.date
    kind: str = "merge"
    legal_basis: str = ""


@dataclass
class ImportBundle:
    """What a reader hands the service."""

    parsed: ParsedPlan
    source_file: str
    source_kind: str  # "document" | "xlsx"
    successions: list[SuccessionRow] = field(default_factory=list)
    plan_code: str | None = None
    # Spreadsheets name agencies that must already exist (in its sheet or the database);
    # the scanned document creates the agencies it finds.
    create_agencies: bool = True
    agency_rows: dict[str, int] = field(default_factory=dict)  # canonical name → source row
    # The code typed on the spreadsheet's plan sheet, used when the import creates the plan.
    new_plan_code: str | None = None


# The import report's counts in words (the keys stay English in the log's data, for tools).
COUNT_LABELS = {
    "themes": "chủ đề", "groups": "nhóm nhiệm vụ", "activities": "hoạt động", "subactivities": "hoạt động con",
    "flagged_items": "mục cần rà soát", "agencies": "cơ quan", "existing_before": "mục có sẵn trước khi nhập",
}


def counts_text(counts: dict) -> str:
    return ", ".join(f"{COUNT_LABELS.get(k, k)}: {v}" for k, v in (counts or {}).items())


def _shown(value) -> str:
    """A field's value as the import preview shows it: "—" for empty, lists joined, long texts cut."""
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "có" if value else "không"
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


@dataclass
class ImportReport:
    plan_code: str = ""
    source_file: str = ""
    dry_run: bool = False
    counts: dict = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    recoded: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    agencies_created: list[tuple[str, list[str]]] = field(default_factory=list)
    aliases_added: list[tuple[str, str]] = field(default_factory=list)
    flags: list[tuple[str, Flag]] = field(default_factory=list)
    plan_flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warnings_before: list[str] = field(default_factory=list)  # said by the service before the reader's notes
    corrections_applied: list[str] = field(default_factory=list)
    # What each update changes, field by field, as the admin's preview shows it: (code, field, old, new).
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.recoded or self.agencies_created
                    or self.aliases_added)

    def as_text(self) -> str:
        line_word = "dòng"
        out = [f"BÁO CÁO NHẬP DỮ LIỆU – {self.source_file}" + (" (CHẠY THỬ, chưa ghi gì)" if self.dry_run else "")]
        out.append(f"Kế hoạch: {self.plan_code}")
        out.append("Số lượng: " + counts_text(self.counts))
        out.append(f"Tạo mới: {len(self.created)}; cập nhật: {len(self.updated)}; không đổi: {self.unchanged}; "
                   f"ngừng theo dõi: {len(self.retired)}; đổi mã: {len(self.recoded)}")
        if self.corrections_applied:
            out.append("\nĐÍNH CHÍNH ĐÃ ÁP DỤNG:")
            out += [f"  - {c}" for c in self.corrections_applied]
        if self.plan_flags:
            out.append("\nCẦN RÀ SOÁT – THÔNG TIN KẾ HOẠCH:")
            out += [f"  - {f.message}" + (f" ({line_word} {f.line})" if f.line else "") for f in self.plan_flags]
        if self.flags:
            out.append(f"\nCẦN RÀ SOÁT – CÁC MỤC ({len(self.flags)}):")
            out += [f"  - {code}: {f.message}" + (f" ({line_word} {f.line})" if f.line else "")
                    for code, f in self.flags]
        if self.agencies_created:
            out.append(f"\nCƠ QUAN TẠO MỚI ({len(self.agencies_created)}):")
            for name, variants in self.agencies_created:
                out.append(f"  - {name}" + (f"  ← {' | '.join(variants)}" if variants else ""))
        if self.aliases_added:
            out.append("\nTÊN GỌI KHÁC BỔ SUNG:")
            out += [f"  - {alias} → {name}" for name, alias in self.aliases_added]
        if self.created and self.counts.get("existing_before"):
            out.append("\nMỤC TẠO MỚI: " + ", ".join(self.created))
        if self.updated:
            out.append("\nMỤC CẬP NHẬT:")
            out += [f"  - {code}: {', '.join(fields)}" for code, fields in self.updated]
        if self.recoded:
            out.append("\nĐỔI MÃ: " + ", ".join(f"{a} → {b}" for a, b in self.recoded))
        if self.retired:
            out.append("\nNGỪNG THEO DÕI (không còn trong tệp, giữ lại lịch sử): " + ", ".join(self.retired))
        if self.warnings:
            out.append("\nGHI CHÚ:")
            out += [f"  - {w}" for w in self.warnings]
        return "\n".join(out)

    def as_dict(self) -> dict:
        return {
            "counts": self.counts, "created": self.created, "updated": self.updated, "retired": self.retired,
            "recoded": self.recoded, "unchanged": self.unchanged, "agencies_created": self.agencies_created,
            "aliases_added": self.aliases_added,
            "flags": [{"item": c, "code": f.code, "message": f.message, "line": f.line} for c, f in self.flags],
            "plan_flags": [{"code": f.code, "message": f.message, "line": f.line} for f in self.plan_flags],
        }


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after computing its report."""


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the duration of an import. A 10,000-row appendix
    keeps ~100,000 objects alive while it is read and written, and each automatic collection walks
    all of them again (three full passes, ~7% of the import); nothing an import makes needs the
    collector before it ends. Restores the previous state, so nesting is harmless."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_bundle(bundle: ImportBundle, *, dry_run: bool = False, code_map: dict[str, str] | None = None,
                  user=None) -> ImportReport:
    """Import in one transaction. A failure writes nothing but its entry in the import log."""
    log = ImportLog(source_file=bundle.source_file, source_kind=bundle.source_kind, user=user)
    report = ImportReport(source_file=bundle.source_file, dry_run=dry_run)
    try:
        with collector_paused(), transaction.atomic():
            plan = _apply(bundle, report, code_map or {})
            if dry_run:
                raise _DryRun
    except _DryRun:
        plan = Plan.objects.filter(code=report.plan_code).first()
        log.status = ImportLog.Status.DRY_RUN
    except ImportFailed as failure:
        log.status = ImportLog.Status.FAILED
        log.report = "NHẬP DỮ LIỆU THẤT BẠI – không có gì được ghi.\n" + "\n".join(failure.errors)
        log.details = {"errors": failure.errors}
        log.finished_at = timezone.now()
        log.plan = Plan.objects.filter(code=bundle.plan_code).first() if bundle.plan_code else None
        log.save()
        raise
    else:
        log.status = ImportLog.Status.APPLIED if report.changed else ImportLog.Status.UNCHANGED
    log.plan = plan
    log.counts = report.counts
    log.report = report.as_text()
    log.details = report.as_dict()
    log.finished_at = timezone.now()
    log.save()
    return report


def _apply(bundle: ImportBundle, report: ImportReport, code_map: dict[str, str]) -> Plan:
    parsed = bundle.parsed
    errors: list[str] = []
    jurisdiction = _jurisdiction(parsed, errors, bundle)
    if errors:
        raise ImportFailed(errors)
    agencies = AgencyBook(jurisdiction, report, bundle)
    for pa in parsed.agencies:
        if _elsewhere(pa, jurisdiction):
            agencies.adopt_from_elsewhere(pa, errors)
        else:
            agencies.ensure(pa)
    for row in bundle.successions:
        agencies.succession(row, errors)
    plan = _plan(bundle, jurisdiction, agencies, report, errors)
    items = [*parsed.themes, *parsed.items]
    _check_items(items, bundle, agencies, errors, plan)
    if errors:
        raise ImportFailed(errors)
    _apply_items(plan, items, agencies, report, code_map, bundle)
    report.plan_code = plan.code
    report.plan_flags = list(parsed.flags)
    report.warnings = report.warnings_before + list(getattr(parsed, "warnings", []) or [])
    by_level: dict[str, int] = {}
    for it in items:
        by_level[it.level] = by_level.get(it.level, 0) + 1
    report.counts.update({
        "themes": by_level.get("theme", 0), "groups": by_level.get("group", 0),
        "activities": by_level.get("activity", 0), "subactivities": by_level.get("subactivity", 0),
        "flagged_items": sum(1 for it in items if it.flags), "agencies": len(parsed.agencies),
    })
    report.flags = [(it.code, f) for it in items for f in it.flags]
    return plan


def _jurisdiction(parsed: ParsedPlan, errors: list[str], bundle: ImportBundle) -> Jurisdiction | None:
    if bundle.plan_code:
        plan = Plan.objects.filter(code=bundle.plan_code).select_related("jurisdiction").first()
        if plan is None:
            errors.append(f"{bundle.source_file}: không có kế hoạch mã “{bundle.plan_code}” (--plan).")
            return None
        return plan.jurisdiction
    name = nfc(parsed.jurisdiction or "").strip()
    if not name:
        errors.append(f"{bundle.source_file}: không xác định được tỉnh/thành phố của kế hoạch.")
        return None
    jurisdiction, _ = Jurisdiction.objects.get_or_create(name=name)
    return jurisdiction


class AgencyBook:
    """Agencies of one jurisdiction by folding key, names and aliases alike."""

    def __init__(self, jurisdiction: Jurisdiction, report: ImportReport, bundle: ImportBundle):
        self.jurisdiction = jurisdiction
        self.report = report
        self.bundle = bundle
        self.by_key: dict[str, Agency] = {}
        self.alias_keys: dict[int, set[str]] = {}
        # Name as written → folding key. A plan names the same few dozen agencies on thousands of
        # rows, and folding a name (boilerplate, abbreviations, diacritics) is the costly part.
        self._keys: dict[str, str] = {}
        for agency in Agency.objects.filter(jurisdiction=jurisdiction):
            self.by_key.setdefault(self.key(agency.name), agency)
            self.alias_keys.setdefault(agency.pk, set()).add(self.key(agency.name))
        for alias in AgencyAlias.objects.filter(agency__jurisdiction=jurisdiction).select_related("agency"):
            key = self.key(alias.name)
            self.by_key.setdefault(key, alias.agency)
            self.alias_keys.setdefault(alias.agency_id, set()).add(key)
        self.known_aliases = {
            (a, n) for a, n in AgencyAlias.objects.filter(agency__jurisdiction=jurisdiction).values_list("agency_id", "folded")
        }

    def key(self, name: str) -> str:
        """`agency_key`, computed once per distinct spelling."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = agency_key(name)
        return key

    def find(self, name: str | None) -> Agency | None:
        if not name:
            return None
        return self.by_key.get(self.key(name))

    def ensure(self, pa: ParsedAgency) -> Agency:
        agency = self.find(pa.name)
        if agency is None:
            for alias in sorted(pa.aliases):
                agency = self.find(alias)
                if agency:
                    break
        if agency is None:
            agency = Agency.objects.create(
                jurisdiction=self.jurisdiction, name=pa.name, kind=pa.kind or Agency.Kind.OTHER,
                is_group=pa.is_group, short_name=getattr(pa, "short_name", "") or "",
            )
            self.report.agencies_created.append((agency.name, sorted(pa.aliases)))
            self.by_key[self.key(agency.name)] = agency
        for alias in sorted(pa.aliases):
            self._alias(agency, alias)
        return agency

    def adopt_from_elsewhere(self, pa: ParsedAgency, errors: list[str]) -> None:
        """An agency the sheet places in another jurisdiction is that jurisdiction's agency: it must
        exist there already (a plan import never creates another province's agencies)."""
        row = self.bundle.agency_rows.get(pa.name)
        where = f"{self.bundle.source_file}, trang “Cơ quan”" + (f", hàng {row}" if row else "")
        other = _find_jurisdiction(pa.jurisdiction)
        found = None
        if other is not None:
            names = [pa.name, *sorted(pa.aliases)]
            keys = {self.key(n) for n in names}
            candidates = [(a, a.name) for a in Agency.objects.filter(jurisdiction=other)]
            candidates += [(al.agency, al.name) for al in AgencyAlias.objects.filter(agency__jurisdiction=other)
                           .select_related("agency")]
            found = next((a for a, n in candidates if self.key(n) in keys), None)
        if found is None:
            errors.append(f"{where}, cột “Tỉnh/thành phố”: cơ quan “{pa.name}” ghi thuộc “{pa.jurisdiction}”, khác "
                          f"{self.jurisdiction.name} của kế hoạch, nhưng không có trong danh sách cơ quan của "
                          f"“{pa.jurisdiction}”. Nếu là cơ quan của {self.jurisdiction.name}, hãy sửa cột này; nếu là "
                          f"cơ quan của tỉnh/thành phố khác, cơ quan đó phải có sẵn ở đó.")
            return
        for name in [pa.name, *pa.aliases]:
            self.by_key.setdefault(self.key(name), found)

    def _alias(self, agency: Agency, alias: str) -> None:
        from agencies.text import fold

        alias = nfc(alias).strip()
        if not alias or fold(alias) == fold(agency.name) or (agency.pk, fold(alias)) in self.known_aliases:
            return
        AgencyAlias.objects.create(agency=agency, name=alias)
        self.known_aliases.add((agency.pk, fold(alias)))
        self.by_key.setdefault(self.key(alias), agency)
        if not any(name == agency.name for name, _ in self.report.agencies_created):
            self.report.aliases_added.append((agency.name, alias))

    def succession(self, row: SuccessionRow, errors: list[str]) -> None:
        pred, succ = self.find(row.predecessor), self.find(row.successor)
        where = f"{self.bundle.source_file}, trang Cơ quan"
        if pred is None or succ is None:
            missing = row.predecessor if pred is None else row.successor
            errors.append(f"{where}: cơ quan kế thừa “{missing}” không có trong trang Cơ quan hay cơ sở dữ liệu.")
            return
        Succession.objects.update_or_create(
            predecessor=pred, successor=succ,
            defaults={"effective_on": row.effective_on, "kind": row.kind, "legal_basis": row.legal_basis},
        )


def _elsewhere(pa: ParsedAgency, jurisdiction: Jurisdiction) -> bool:
    from agencies.text import fold

    named = (getattr(pa, "jurisdiction", "") or "").strip()
    return bool(named) and fold(named) != fold(jurisdiction.name)


def _find_jurisdiction(name: str) -> Jurisdiction | None:
    from agencies.text import fold

    wanted = fold(nfc(name or "").strip())
    return next((j for j in Jurisdiction.objects.all() if fold(j.name) == wanted), None)


def _typed_code(bundle: ImportBundle, jurisdiction, errors: list[str]) -> str | None:
    """The plan code typed on the sheet: a short slug not used by another plan."""
    code = (bundle.new_plan_code or "").strip()
    if not code:
        return None
    where = f"{bundle.source_file}, trang “Kế hoạch”, “Mã kế hoạch”"
    limit = Plan._meta.get_field("code").max_length
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code) or len(code) > limit:
        errors.append(f"{where}: “{code}” không dùng được; mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch "
                      f"ngang (tối đa {limit} ký tự), ví dụ “quang-tri-2151-2023”.")
        return None
    other = Plan.objects.filter(code=code).select_related("jurisdiction").first()
    if other is not None:
        errors.append(f"{where}: mã “{code}” đã dùng cho kế hoạch {other.number} của {other.jurisdiction.name}.")
        return None
    return code


def _plan(bundle: ImportBundle, jurisdiction, agencies: AgencyBook, report: ImportReport, errors) -> Plan:
    parsed = bundle.parsed
    plan = None
    if bundle.plan_code:
        plan = Plan.objects.get(code=bundle.plan_code)
    elif parsed.number:
        plan = Plan.objects.filter(jurisdiction=jurisdiction, number=parsed.number).first()
    focal = agencies.find(parsed.focal_agency)
    if plan is None:
        if not parsed.number or parsed.period_start is None or parsed.period_end is None:
            errors.append(f"{bundle.source_file}: thiếu số hiệu hoặc giai đoạn của kế hoạch; dùng --plan để nhập vào một kế hoạch có sẵn.")
            raise ImportFailed(errors)
        typed = _typed_code(bundle, jurisdiction, errors)
        if errors:
            raise ImportFailed(errors)
        plan = Plan.objects.create(
            code=typed or _plan_code(parsed, jurisdiction), number=parsed.number, title=parsed.title or parsed.number,
            jurisdiction=jurisdiction, issuing_body=parsed.issuing_body or "", issued_on=parsed.issued_on,
            period_start=parsed.period_start, period_end=parsed.period_end, focal_agency=focal,
            needs_review=bool(parsed.flags), source=bundle.source_file,
            review_reasons=[{"code": f.code, "message": f.message} for f in parsed.flags],
        )
        report.counts["existing_before"] = 0
    else:
        if bundle.new_plan_code and bundle.new_plan_code.strip() != plan.code:
            report.warnings_before.append(
                f"Kế hoạch {plan.number} của {jurisdiction.name} đã có với mã “{plan.code}”; mã “{bundle.new_plan_code}” "
                f"ghi trên trang Kế hoạch không được dùng (không đổi mã của kế hoạch đã có).")
        report.counts["existing_before"] = plan.items.count()
        if focal and plan.focal_agency_id is None:
            plan.focal_agency = focal
            plan.save(update_fields=["focal_agency"])
    return plan


def _plan_code(parsed: ParsedPlan, jurisdiction: Jurisdiction) -> str:
    from django.utils.text import slugify

    from agencies.text import fold

    number = (parsed.number or "").split("/")[0]
    base = slugify(f"{fold(jurisdiction.name)} {number} {parsed.period_start or ''}")[:50] or "plan"
    code, n = base, 2
    while Plan.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


def _check_items(items: list[ParsedItem], bundle, agencies: AgencyBook, errors: list[str], plan: Plan) -> None:
    seen: dict[str, int | None] = {}
    codes = {it.code for it in items}
    for it in items:
        row = getattr(it, "sheet_row", None) or it.source_line
        where = (f"{bundle.source_file}, trang “Mục kế hoạch”, hàng {row}" if bundle.source_kind == "xlsx"
                 else f"{bundle.source_file}, dòng {row or '?'}")
        if it.code in seen:
            errors.append(f"{where}, cột “Mã”: mã “{it.code}” trùng với hàng {seen[it.code]}.")
        seen[it.code] = row
        if it.parent_code and it.parent_code not in codes:
            errors.append(f"{where}, cột “Mục cha”: mục cha “{it.parent_code}” của {it.code} không có trong tệp.")
        for name in [it.lead_agency, *it.supporting_agencies]:
            if name and agencies.find(name) is None:
                errors.append(f"{where}, cột “{'Cơ quan chủ trì' if name == it.lead_agency else 'Cơ quan phối hợp'}”: "
                              f"cơ quan “{name}” không có trong trang Cơ quan hay cơ sở dữ liệu.")
        if it.start_year is not None and it.end_year is not None and it.end_year < it.start_year:
            errors.append(f"{where}, cột “Năm kết thúc”: năm kết thúc {it.end_year} trước năm bắt đầu {it.start_year}.")
        for label, year in (("Năm bắt đầu", it.start_year), ("Năm kết thúc", it.end_year)):
            if year is not None and not 1900 <= year <= 2200:
                errors.append(f"{where}, cột “{label}”: năm “{year}” không hợp lệ (phải có 4 chữ số).")


def _values(it: ParsedItem, agencies: AgencyBook, source_file: str) -> dict:
    lead = agencies.find(it.lead_agency)
    return {
        "level": it.level, "parent_code": it.parent_code, "printed_code": it.printed_code or "",
        # Items known only from the summary have no title in the scan: stored blank and flagged, so no
        # made-up name enters the data; pages say why (PlanItem.shown_title).
        "title": nfc(it.title).strip(), "text": nfc(it.text).strip(), "high_priority": bool(it.high_priority),
        "group_tags": list(it.group_tags or []), "start_year": it.start_year, "end_year": it.end_year,
        "lead_agency": lead.pk if lead else None,
        "supporting_agencies": sorted({agencies.find(n).pk for n in it.supporting_agencies if agencies.find(n)}),
        "expected_outputs": nfc(it.expected_outputs or "").strip(),
        "needs_review": bool(getattr(it, "needs_review", False) or it.flags),
        "review_reasons": [{"code": f.code, "message": f.message} for f in it.flags],
        "source_file": getattr(it, "source_file", None) or source_file,
        "source_line": it.source_line,
    }


def _current_values(item: PlanItem, parent_codes: dict[int, str], supporting: dict[int, list[int]]) -> dict:
    return {
        "level": item.level, "parent_code": parent_codes.get(item.parent_id), "printed_code": item.printed_code,
        "title": item.title, "text": item.text, "high_priority": item.high_priority, "group_tags": item.group_tags,
        "start_year": item.start_year, "end_year": item.end_year, "lead_agency": item.lead_agency_id,
        "supporting_agencies": sorted(supporting.get(item.pk, [])), "expected_outputs": item.expected_outputs,
        "needs_review": item.needs_review, "review_reasons": item.review_reasons,
        "source_file": item.source_file, "source_line": item.source_line,
    }


def _apply_items(plan: Plan, items: list[ParsedItem], agencies: AgencyBook, report: ImportReport,
                 code_map: dict[str, str], bundle: ImportBundle) -> None:
    existing = {it.code: it for it in PlanItem.objects.filter(plan=plan)}
    # Code changes first, so that the item (and the reports pointing at it) is updated, not replaced.
    for old, new in code_map.items():
        if old in existing and new not in existing:
            item = existing.pop(old)
            item.code = new
            item.sort_key = code_sort_key(new)
            item.save(update_fields=["code", "sort_key"])
            existing[new] = item
            report.recoded.append((old, new))
    parent_codes = {it.pk: it.code for it in existing.values()}
    Through = PlanItem.supporting_agencies.through
    supporting: dict[int, list[int]] = {}
    for item_id, agency_id in Through.objects.filter(planitem__plan=plan).values_list("planitem_id", "agency_id"):
        supporting.setdefault(item_id, []).append(agency_id)

    to_create, to_update, update_fields = [], [], set()
    wanted: dict[str, dict] = {}
    for it in items:
        values = _values(it, agencies, bundle.source_file)
        wanted[it.code] = values
        item = existing.get(it.code)
        if item is None:
            item = PlanItem(plan=plan, code=it.code)
            _assign(item, values)
            item.prepare()
            to_create.append(item)
            report.created.append(it.code)
            continue
        current = _current_values(item, parent_codes, supporting)
        changed = [k for k in ITEM_FIELDS if current[k] != values[k]]
        if item.retired_at is not None:
            changed.append("retired_at")
            item.retired_at = None
        if changed:
            _assign(item, values)
            item.prepare()
            to_update.append(item)
            update_fields.update(f for f in changed if f not in ("parent_code", "supporting_agencies", "lead_agency"))
            if "lead_agency" in changed:
                update_fields.add("lead_agency")
            report.updated.append((it.code, changed))
            report.changes += [(it.code, k, _shown(current.get(k)), _shown(values.get(k))) for k in changed
                               if k not in ("review_reasons", "source_file", "source_line")]
        else:
            report.unchanged += 1
    # Parents before children: the database refuses a non-theme item without a parent.
    by_code = {code: it.pk for code, it in existing.items()}
    for depth_items in _by_depth(to_create, wanted):
        for item in depth_items:
            parent_code = wanted[item.code]["parent_code"]
            item.parent_id = by_code.get(parent_code) if parent_code else None
        # The rows come back with their ids, so the next layer finds its parents without a query.
        created = create_with_history(depth_items, PlanItem, batch_size=500)
        by_code.update((item.code, item.pk) for item in created)
    reparent = []
    for code, item in existing.items():
        if code not in wanted:
            continue
        parent_code = wanted[code]["parent_code"]
        parent_id = by_code.get(parent_code) if parent_code else None
        if item.parent_id != parent_id:
            item.parent_id = parent_id
            reparent.append(item)
    if reparent:
        PlanItem.objects.bulk_update(reparent, ["parent"], batch_size=500)
    if to_update:
        fields = sorted(update_fields | {"search_text", "sort_key", "title", "text"})
        fields = [f for f in fields if f != "lead_agency"] + (["lead_agency"] if "lead_agency" in update_fields else [])
        bulk_update_with_history(to_update, PlanItem, fields, batch_size=500)
    # Supporting agencies: replace the rows of items whose set changed.
    changed_support = [code for code, v in wanted.items()
                       if sorted(supporting.get(by_code[code], [])) != v["supporting_agencies"]]
    if changed_support:
        # Items created just now have no rows to delete.
        ids = [by_code[c] for c in changed_support if c in existing]
        if ids:
            Through.objects.filter(planitem_id__in=ids).delete()
        Through.objects.bulk_create(
            [Through(planitem_id=by_code[c], agency_id=a) for c in changed_support for a in wanted[c]["supporting_agencies"]],
            batch_size=1000,
        )
    # Items no longer in the file are retired, never deleted: reports and history point at them.
    gone = [it for code, it in existing.items() if code not in wanted and it.retired_at is None]
    if gone:
        now = timezone.now()
        for it in gone:
            it.retired_at = now
        bulk_update_with_history(gone, PlanItem, ["retired_at"], batch_size=500)
        report.retired = sorted((it.code for it in gone), key=code_sort_key)


def _assign(item: PlanItem, values: dict) -> None:
    for key in ("level", "printed_code", "title", "text", "high_priority", "group_tags", "start_year", "end_year",
                "expected_outputs", "needs_review", "review_reasons", "source_file", "source_line"):
        setattr(item, key, values[key])
    item.lead_agency_id = values["lead_agency"]


def _by_depth(items: list[PlanItem], wanted: dict[str, dict]) -> list[list[PlanItem]]:
    def depth(code: str) -> int:
        n, seen = 0, set()
        while code and code not in seen:
            seen.add(code)
            code = wanted.get(code, {}).get("parent_code")
            n += 1 if code else 0
        return n

    layers: dict[int, list[PlanItem]] = {}
    for item in items:
        layers.setdefault(depth(item.code), []).append(item)
    return [layers[d] for d in sorted(layers)]
