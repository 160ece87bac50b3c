"""The province report (báo cáo kết quả thực hiện) assembled once, rendered three ways.

`build(cycle, meta)` gathers every figure, table, chart and paragraph in a fixed number of
queries; exports/pdf.py, exports/docx.py and exports/excel.py only lay the result out, so the
three formats always say the same thing.

Narrative (results, difficulties, proposals) comes from ACCEPTED reports; reports submitted but
not yet reviewed are included only marked "(chưa thẩm định)"; drafts never appear.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.lineage import Lineage
from agencies.models import Agency
from agencies.text import sort_key

from reporting.dashboards import charts, selectors
from reporting.indicators import selectors as indicator_selectors
from reporting.indicators.numbers import format_number
from reporting.models import ProvinceReportSettings, Report, ReportingCycle

S = Report.State
NOT_REVIEWED = "(chưa thẩm định)"
KIND_TITLES = {
    ReportingCycle.Kind.ANNUAL: "Kết quả thực hiện {plan} năm {year}",
    ReportingCycle.Kind.MIDTERM: "Sơ kết giữa kỳ thực hiện {plan} giai đoạn {start} - {year}",
    ReportingCycle.Kind.FINAL: "Tổng kết thực hiện {plan} giai đoạn {start} - {year}",
}
_TAIL = re.compile(r"\s+(trên địa bàn|của|giai đoạn|đến năm|thời kỳ)\b.*$", re.IGNORECASE)


# --- document metadata --------------------------------------------------------------------------

@dataclass
class DocMeta:
    """What the reviewer fills in before generating: number, date, signer, recipients, ministry."""

    number: str
    date: dt.date
    place: str
    signer_name: str
    signer_title: str
    signer_authority: str
    recipients: list[str]
    ministry: str

    def as_json(self) -> dict:
        return {**self.__dict__, "date": self.date.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> "DocMeta":
        # A job's parameters may also name one plan of a jurisdiction-wide cycle ("plan"): not metadata.
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "date": dt.date.fromisoformat(data["date"])})


def abbreviation(agency: Agency | None) -> str:
    """“Sở Tài chính” → “STC”, “Sở Kế hoạch và Đầu tư” → “SKHĐT” (the short name wins if set)."""
    if agency is None:
        return "UBND"
    if agency.short_name:
        return agency.short_name
    words = [w for w in re.split(r"[\s\-–]+", agency.name) if w and w.lower() not in ("và", "các")]
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def settings_for(plan) -> ProvinceReportSettings:
    """The plan's saved defaults, or unsaved defaults when none were configured."""
    try:
        return plan.province_report_settings
    except ProvinceReportSettings.DoesNotExist:
        return ProvinceReportSettings(plan=plan)


def current_focal_agency(plan, on: dt.date, lineage: Lineage | None = None) -> Agency | None:
    """The plan's focal agency as it is on `on` (the day, not only the year): Bình Dương's Sở Kế
    hoạch và Đầu tư → its Sở Tài chính from 1 March 2025 → Hồ Chí Minh City's Sở Tài chính from
    1 July 2025."""
    if not plan.focal_agency_id:
        return None
    lineage = lineage or Lineage.load()
    resolved = lineage.responsible(plan.focal_agency_id, on.year, on=on).agency_id or plan.focal_agency_id
    return Agency.objects.select_related("jurisdiction").get(pk=resolved)


def issuing_jurisdiction(plan, on: dt.date, focal: Agency | None = None):
    """Who issues a report dated `on`: the jurisdiction of the focal agency then, or of the plan,
    followed to the jurisdiction it had merged into by that date (a 2026 report on Bình Dương's
    legacy plan is issued by Hồ Chí Minh City)."""
    base = focal.jurisdiction if focal else plan.jurisdiction
    return base.current(on)


def place_name(jurisdiction) -> str:
    """The place in the date line: “Bình Dương” for a province, “Thành phố Hồ Chí Minh” for a
    centrally-run city, as the documents of each are dated."""
    if jurisdiction.kind == jurisdiction.Kind.CITY:
        return f"Thành phố {jurisdiction.name}"
    return jurisdiction.name


def default_meta(cycle: ReportingCycle, today: dt.date | None = None) -> DocMeta:
    plan = cycle.plan
    today = today or timezone.localdate()
    prefs = settings_for(plan)
    focal = current_focal_agency(plan, today)
    # A place saved for the plan holds while the plan's own province issues its reports; once the
    # province has merged away, the place follows the issuing jurisdiction, not the saved text.
    issuer = issuing_jurisdiction(plan, today, focal)
    place = prefs.place if prefs.place and issuer.pk == plan.jurisdiction_id else place_name(issuer)
    ministry = prefs.ministry
    return DocMeta(
        number=prefs.number_pattern.format(abbr=abbreviation(focal), year=cycle.year),
        date=today, place=place, signer_name=prefs.signer_name, signer_title=prefs.signer_title,
        signer_authority=prefs.signer_authority,
        recipients=[line.strip().format(ministry=ministry) for line in prefs.recipients.splitlines() if line.strip()],
        ministry=ministry,
    )


def vn_date_line(place: str, day: dt.date) -> str:
    """“Bình Dương, ngày 05 tháng 12 năm 2026”: days below 10 and months 1–2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def plan_short_name(title: str) -> str:
    """“Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Bình Dương giai đoạn 2023 - 2030”
    → “Kế hoạch hành động về tăng trưởng xanh”."""
    short = _TAIL.sub("", " ".join(title.split()))
    return short or title


def report_title(cycle: ReportingCycle, plan=None) -> str:
    """The title of the report on one plan, or, for a jurisdiction-wide cycle, on all its plans."""
    if plan is None and cycle.consolidated:
        plans = cycle.plans()
        names = "các kế hoạch về tăng trưởng xanh (" + ", ".join(f"Kế hoạch số {p.number}" for p in plans) + ")"
        return KIND_TITLES[cycle.kind].format(plan=names, year=cycle.year,
                                              start=min(p.period_start for p in plans))
    plan = plan or cycle.plan
    return KIND_TITLES[cycle.kind].format(plan=plan_short_name(plan.title), year=cycle.year, start=plan.period_start)


# --- content ------------------------------------------------------------------------------------

@dataclass
class Source:
    agency: str
    codes: list[str]
    not_reviewed: bool = False


@dataclass
class Paragraph:
    """One consolidated difficulty or proposal and where it came from."""

    text: str
    sources: list[Source] = field(default_factory=list)

    @property
    def attribution(self) -> str:
        parts = []
        for s in self.sources:
            marker = f" {NOT_REVIEWED}" if s.not_reviewed else ""
            noun = "mục" if len(s.codes) == 1 else "các mục"
            parts.append(f"{s.agency}, báo cáo {noun} {', '.join(s.codes)}{marker}")
        return "; ".join(parts)


@dataclass
class ThemeSection:
    figures: dict
    results: list[dict]  # {code, title, agency, text, status_label, percent, not_reviewed}


@dataclass
class AnnexRow:
    code: str
    title: str
    agency: str
    state_label: str
    late: bool
    status_label: str
    percent: int | None
    result: str
    not_reviewed: bool
    high_priority: bool
    plan_name: str = ""  # in a jurisdiction-wide report, the plan the item belongs to


@dataclass
class PlanSection:
    """One plan of a jurisdiction-wide report: its name (legacy plans marked “(cũ)”), figures,
    themes and annex rows."""

    plan: object
    name: str
    headline: dict
    themes: list[ThemeSection]
    annex: list[AnnexRow]


@dataclass
class IndicatorRow:
    """One line of the indicators table: accepted figures only, written the Vietnamese way."""
    code: str
    name: str
    unit: str
    baseline: str  # "10 (2020)"
    last_year: str  # the figure of the year before the cycle's
    this_year: str  # the figure of the cycle's year
    last_figure: object  # the same two as numbers (Excel), None when absent
    this_figure: object
    targets: str  # "2025: 15; 2030: 15 – 20"
    status: str  # translated label
    status_code: str
    method: str


def target_text(t) -> str:
    """A target as the tables print it: its year and what it asks, in its own form."""
    n = format_number
    if t.kind == "range":
        what = f"{n(t.min)} – {n(t.max)}"
    elif t.kind == "maintain":
        what = f"duy trì {n(t.value)}" if t.value is not None else "duy trì mức cơ sở"
    elif t.kind == "rate":
        rate = n(t.value) if t.value is not None else f"{n(t.min)} – {n(t.max)}"
        what = f"{rate}%/năm"
    elif t.kind == "cut":
        what = f"giảm {n(t.value)}% so với {t.base_year}"
    else:
        what = n(t.value)
    return f"{t.year}: {what}"


def indicator_rows(plan, year: int) -> list[IndicatorRow]:
    """The plan's indicators for the report of `year`: three queries."""
    rows = []
    for v in indicator_selectors.plan_indicators(plan, accepted_only=True):
        pi = v.pi
        last, this = v.series.get(year - 1), v.series.get(year)
        rows.append(IndicatorRow(
            code=pi.code, name=pi.indicator.name, unit=pi.indicator.unit,
            baseline=(f"{format_number(pi.baseline_value)} ({pi.baseline_year})" if pi.baseline_value is not None else ""),
            last_year=format_number(last), this_year=format_number(this), last_figure=last, this_figure=this,
            targets="; ".join(target_text(t) for t in v.targets), status=v.status.label, status_code=v.status.code,
            method=v.status.method))
    return rows


@dataclass
class ProvinceReport:
    cycle: ReportingCycle
    meta: DocMeta
    province_line: str
    issuing_body: str  # upper case, as printed in the heading
    issuing_body_name: str  # as written in a sentence
    title: str
    date_line: str
    headline: dict
    themes: list[ThemeSection]
    agencies: list[dict]
    difficulties: list[Paragraph]
    proposals: list[Paragraph]
    annex: list[AnnexRow]
    unassigned: int
    charts: dict
    method: str = field(default_factory=lambda: str(selectors.PROGRESS_METHOD))
    indicators: list[IndicatorRow] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=timezone.now)
    sections: list[PlanSection] = field(default_factory=list)  # a jurisdiction-wide report: one per plan
    one_plan: object = None  # the plan picked from a jurisdiction-wide cycle
    plan_name: str = ""  # “Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)”
    # The generation's identifier, written into the PDF so a signed copy is recognised later
    # (reporting/province/verify.py); empty for a report built outside a generation job.
    document_id: str = ""

    @property
    def plan(self):
        return self.one_plan or self.cycle.plan

    @property
    def doc_title(self) -> str:
        return f"Báo cáo {self.title[0].lower()}{self.title[1:]}"

    @property
    def filename_stem(self) -> str:
        scope = self.plan.code if self.one_plan or not self.sections else f"{self.plan.code}-tong-hop"
        return f"bao-cao-{scope}-{self.cycle.file_word}-{self.cycle.year}"


def _people_committee_line(jurisdiction) -> str:
    prefix = "UBND TỈNH" if jurisdiction.kind == jurisdiction.Kind.PROVINCE else "UBND THÀNH PHỐ"
    return f"{prefix} {jurisdiction.name.upper()}"


def short_result(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _consolidate(rows, attr: str) -> list[Paragraph]:
    """Identical sentences from several reports become one paragraph naming every source."""
    by_text: dict[str, Paragraph] = {}
    for row in rows:
        text = " ".join((getattr(row, attr) or "").split())
        if not text:
            continue
        para = by_text.setdefault(text.casefold(), Paragraph(text))
        not_reviewed = row.state != S.ACCEPTED
        source = next((s for s in para.sources if s.agency == row.agency_name and s.not_reviewed == not_reviewed), None)
        if source is None:
            para.sources.append(Source(row.agency_name, [row.code], not_reviewed))
        else:
            source.codes.append(row.code)
    paragraphs = list(by_text.values())
    for p in paragraphs:
        p.sources.sort(key=lambda s: (s.not_reviewed, sort_key(s.agency)))
    # The most widely shared first: that is what the province needs to act on.
    paragraphs.sort(key=lambda p: -sum(len(s.codes) for s in p.sources))
    return paragraphs


def build(cycle: ReportingCycle, meta: DocMeta | None = None, *, progress=None, plan=None) -> ProvinceReport:
    """Assemble the report; `progress(percent, message)` is called as parts are gathered. A
    jurisdiction-wide cycle gives a report on all its plans (a section per plan, totals across)
    unless `plan` picks one of them."""
    progress = progress or (lambda pct, msg: None)
    cycle = ReportingCycle.objects.select_related("plan__jurisdiction", "plan__focal_agency").get(pk=cycle.pk)
    meta = meta or default_meta(cycle)
    one_plan = plan if cycle.consolidated else None
    plan = one_plan or cycle.plan
    plans = [plan] if one_plan or not cycle.consolidated else cycle.plans()
    focal = current_focal_agency(cycle.plan, meta.date)
    issuer = issuing_jurisdiction(cycle.plan, meta.date, focal)
    progress(10, "Tổng hợp số liệu")
    outline = selectors.plan_outline(plans)
    headline = selectors.headline(cycle, plan=one_plan)
    theme_figures = selectors.progress_by(cycle, "theme", outline=outline, plan=one_plan)
    agencies = selectors.agency_compliance(cycle, plan=one_plan)
    progress(30, "Tổng hợp nội dung các báo cáo")
    rows = selectors.status_rows(cycle, with_results=True, plan=one_plan)
    # difficulties and proposals are not in StatusRow; one more query for the narrative fields
    narrative = {r["id"]: r for r in Report.objects.filter(cycle=cycle, agency__isnull=False, state__in=selectors.REPORTED)
                 .values("id", "difficulties", "proposals")}
    reported = [r for r in rows if r.reported]
    for r in reported:
        r.difficulties = narrative.get(r.report_id, {}).get("difficulties", "")
        r.proposals = narrative.get(r.report_id, {}).get("proposals", "")
    by_theme: dict[int, list[dict]] = {}
    for r in reported:
        if r.results.strip():
            by_theme.setdefault(r.theme_id, []).append({
                "code": r.code, "title": r.title, "agency": r.agency_name, "text": " ".join(r.results.split()),
                "status_label": r.status_label, "percent": r.percent, "not_reviewed": r.state != S.ACCEPTED,
            })
    themes = [ThemeSection(t, by_theme.get(t["id"], [])) for t in theme_figures]
    annex = [AnnexRow(code=r.code, title=r.title, agency=r.agency_name, state_label=r.state_label, late=r.late,
                      status_label=r.status_label if r.reported else "",
                      percent=r.percent if r.reported else None,
                      result=short_result(r.results) if r.reported else "", not_reviewed=r.state == S.SUBMITTED,
                      high_priority=r.high_priority) for r in rows]
    sections = []
    if len(plans) > 1:
        # Themes and rows carry no plan: split them by the plan of their theme (the outline knows).
        plan_of_theme = {t.pk: t.plan_id for t in outline.themes}
        annex_plan = [plan_of_theme.get(r.theme_id) for r in rows]
        for p in plans:
            name = p.display_name(meta.date)
            rows_of_plan = [a for a, pid in zip(annex, annex_plan) if pid == p.pk]
            for a in rows_of_plan:
                a.plan_name = name
            sections.append(PlanSection(
                plan=p, name=name, headline=selectors.headline(cycle, plan=p),
                themes=[t for t in themes if t.figures.get("plan_id") == p.pk], annex=rows_of_plan,
            ))
        annex = [a for section in sections for a in section.annex]
    progress(50, "Vẽ biểu đồ")
    report = ProvinceReport(
        cycle=cycle, meta=meta,
        province_line=_people_committee_line(issuer),
        issuing_body=(focal.name if focal else plan.issuing_body).upper(),
        issuing_body_name=focal.name if focal else plan.issuing_body,
        sections=sections, one_plan=one_plan, plan_name=plan.display_name(meta.date),
        title=report_title(cycle, one_plan), date_line=vn_date_line(meta.place, meta.date),
        headline=headline, themes=themes, agencies=agencies,
        difficulties=_consolidate(reported, "difficulties"), proposals=_consolidate(reported, "proposals"),
        annex=annex, unassigned=headline["unassigned"], charts=charts.report_charts(headline, theme_figures, agencies),
        indicators=indicator_rows(plan, cycle.year),
    )
    progress(60, "Đã tổng hợp nội dung")
    return report
