"""Pages for those who oversee a plan: the consolidated status, the leadership dashboard, the
overview across plans and the public summary page (the province report's pages are in
reporting/province/views.py). Figures come from reporting.dashboards.selectors; who may see what from reporting.reports.access."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.models import Plan

from reporting.reports import access
from reporting.reports.cycles import jurisdiction_cycle_for as cycles_collecting
from reporting.dashboards import charts, selectors
from reporting.dashboards.drawn_pages import (drawn_arrangement, drawn_comparison, drawn_dashboard, drawn_indicator_parts,
                                              drawn_indicators)
from reporting.dashboards.export import XLSX_CONTENT_TYPE, consolidated_xlsx
from reporting.indicators import selectors as indicator_selectors
from reporting.models import IndicatorValue, OfficialReport, PlanIndicator, Report, ReportingCycle

logger = logging.getLogger(__name__)

S = Report.State


# --- helpers -----------------------------------------------------------------------------------

def _report_url(report_id: int) -> str:
    try:
        return reverse("reporting:report", args=[report_id])
    except NoReverseMatch:
        return f"/reports/{report_id}/"


def _status_link(cycle):
    """link(**filters) → the consolidated status page of the cycle with those filters. The path is
    reversed once: a dashboard draws hundreds of these links (every theme, group, agency and bar)."""
    url = reverse("dashboard:status", args=[cycle.pk])

    def link(**params) -> str:
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{url}?{urlencode(params)}" if params else url
    return link


def _cycles_menu(plan):
    """The plan's cycles as the cycle switch names them (_cycle_nav.html: kind and year)."""
    return list(ReportingCycle.objects.filter(plan=plan).only("id", "kind", "year").order_by("-year", "kind"))


# --- overview ----------------------------------------------------------------------------------

def overview(request):
    """Every plan the user oversees, one row each (the national overview)."""
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    rows = selectors.national_overview(request.user, year)
    # The national view leads to the comparison of provinces on each national indicator they adopted.
    comparable = indicator_selectors.comparable_indicators() if rows else []
    return render(request, "reporting/dashboard/overview.html", {"rows": rows, "year": year,
                                                                 "comparable": comparable})


def plan_dashboard(request, code):
    """A plan's dashboard opens on its latest annual cycle that has started."""
    plan = get_object_or_404(Plan, code=code)
    if not access.is_overseer_of(request.user, plan):
        raise Http404
    cycles = ReportingCycle.objects.filter(plan=plan)
    year = timezone.localdate().year
    cycle = (cycles.filter(kind="annual", year__lte=year).order_by("-year").first()
             or cycles.order_by("-year").first())
    # This year's cycle may be the jurisdiction-wide one that collects the plan beside others: open
    # it on this plan.
    shared = cycles_collecting(plan, "annual", year)
    if shared is not None and (cycle is None or cycle.year < year):
        return redirect(f"{reverse('dashboard:cycle', args=[shared.pk])}?{urlencode({'plan': plan.code})}")
    if cycle is None:
        raise Http404(_("Kế hoạch chưa có kỳ báo cáo."))
    return redirect("dashboard:cycle", cycle.pk)


# --- dashboard ---------------------------------------------------------------------------------

def one_plan_of(cycle, request):
    """The plan `?plan=<code>` picks among those a jurisdiction-wide cycle collects; None for all
    of them (or for a cycle of one plan). A plan the cycle does not collect is a 404."""
    code = request.GET.get("plan")
    if not code or not cycle.consolidated:
        return None
    plan = next((p for p in cycle.plans() if p.code == code), None)
    if plan is None:
        raise Http404
    return plan


def cycle_dashboard(request, cycle_id):
    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    plan = cycle.plan
    chosen = one_plan_of(cycle, request)
    return render(request, "reporting/dashboard/dashboard.html", {
        "cycle": cycle, "plan": plan, "cycles": _cycles_menu(plan), "status_url": _status_link(cycle)(),
        "can_generate": access.is_reviewer_of(request.user, plan), "chosen": chosen,
        "plan_choices": [(p, p.display_name(timezone.localdate())) for p in cycle.plans()] if cycle.consolidated else [],
        "body": drawn_dashboard(cycle, lambda: _draw_dashboard(request, cycle, chosen), scope=chosen.code if chosen else ""),
        # Outside the cached body, whose fingerprint does not cover indicator rows: drawn once per
        # state of its own rows, in a few fixed queries whatever the number of indicators and values.
        "indicators_html": drawn_indicators(plan, lambda rows: _draw_indicators(request, plan, rows),
                                            variant="dashboard"),
    })


# --- indicators --------------------------------------------------------------------------------

@dataclass
class IndicatorPart:
    """One indicator of the section as drawn: its status (the counts) and its article."""

    pk: int
    status: str
    html: str


class Theme(NamedTuple):
    """A theme heading of the section (kept with the arrangement)."""

    pk: int
    code: str
    title: str


def indicator_section(plan, *, links: bool = True, rows=None) -> dict:
    """The plan's indicators by theme, each with its status, method, chart and numbers, from
    accepted figures (the only ones the section shows, to overseers and the public alike): four
    queries (the outline, the indicators, their targets, their accepted values). With `rows` (the
    section's fingerprint, reporting.dashboards.drawn_pages), what has not changed since it was
    drawn is taken as drawn: the arrangement by theme while the outline and the indicators' rows are
    unchanged, and each indicator while its own rows are; targets and values are read for the
    others only."""
    loaded: dict = {}

    def arrange():
        outline = selectors.plan_outline(plan)
        pis = indicator_selectors.plan_indicator_rows(plan)
        loaded.update((pi.pk, pi) for pi in pis)
        return [(Theme(theme.pk, theme.code, theme.title) if theme is not None else None, [pi.pk for pi in group])
                for theme, group in indicator_selectors.by_theme(pis, outline.by_id)]

    def draw(pks):
        if any(pk not in loaded for pk in pks):
            loaded.update((pi.pk, pi) for pi in indicator_selectors.plan_indicator_rows(plan, pks=pks, with_item=False))
        views = indicator_selectors.indicator_views([loaded[pk] for pk in pks if pk in loaded], accepted_only=True)
        return {v.pi.pk: (v.status.code, indicator_article(v, links=links)) for v in views}
    arrangement = drawn_arrangement(plan, rows, arrange)
    order = [pk for _, pks in arrangement for pk in pks]
    drawn = drawn_indicator_parts(plan, rows, "dashboard" if links else "public", order, draw)
    counts = {code: 0 for code in ("on_track", "at_risk", "off_track", "no_data")}
    themes = []
    for theme, pks in arrangement:
        parts = [IndicatorPart(pk, drawn[pk][0], mark_safe(drawn[pk][1])) for pk in pks if pk in drawn]  # ours
        for part in parts:
            counts[part.status] += 1
        themes.append((theme, parts))
    return {"themes": themes, "counts": counts, "total": sum(counts.values())}


def indicator_article(view, *, links: bool = True) -> str:
    """One indicator in the section: name, status, method, chart and its table. Built here rather
    than by a template include: a plan at national scale has forty of them."""
    pi, indicator = view.pi, view.indicator
    name = format_html("{} {}", pi.code, indicator.name)
    if links:
        name = format_html('<a href="{}">{}</a>', reverse("dashboard:indicator", args=[pi.pk]), name)
    unit = format_html(' <small class="muted">({})</small>', indicator.unit) if indicator.unit else ""
    compare = (format_html(' · <a href="{}">{}</a>', reverse("dashboard:indicator_compare", args=[indicator.pk]),
                           _("So sánh các tỉnh")) if links and indicator.plan_id is None else "")
    chart = charts.indicator_chart(view, title=f"{pi.code} {indicator.name}")
    return format_html(
        '<article class="indicator" id="indicator-{}" data-status="{}">\n<h4>{}{}</h4>\n'
        '<p><span class="indicator-status status-{}">{}</span>{}</p>\n'
        '<p class="method"><strong>{}</strong> {}</p>\n{}\n</article>',
        pi.pk, view.status.code, name, unit, view.status.code, view.status.label, compare,
        _("Cách tính:"), view.status.method, chart.figure)


def _draw_indicators(request, plan, rows=None, *, links: bool = True) -> str:
    section = indicator_section(plan, links=links, rows=rows)
    if not section["total"] and not links:
        return ""  # the public page says nothing of indicators a plan does not have
    return render_to_string("reporting/dashboard/_indicators.html", {"indicators": section}, request=request)


def indicator_detail(request, pk):
    """Drill-down: theme → indicator → its values (every state, for overseers), evidence and history."""
    pi = get_object_or_404(PlanIndicator.objects.select_related("plan", "indicator", "item", "lead_agency"), pk=pk)
    if not access.is_overseer_of(request.user, pi.plan):
        raise Http404
    view = indicator_selectors.plan_indicators(pi.plan, pk=pi.pk)[0]
    chart = charts.indicator_chart(view, title=f"{pi.code} {pi.indicator.name}")
    values = list(access.indicator_values_visible_to(IndicatorValue.objects.filter(plan_indicator=pi), request.user)
                  .select_related("agency").prefetch_related("events__actor").order_by("-year", "territory"))
    outline = selectors.plan_outline(pi.plan)
    item = pi.item
    while item is not None and item.parent_id in outline.by_id:
        item = outline.by_id[item.parent_id]
    cycle = ReportingCycle.objects.filter(plan=pi.plan, kind="annual", year__lte=timezone.localdate().year).order_by("-year").first()
    return render(request, "reporting/dashboard/indicator.html", {
        "pi": pi, "view": view, "chart": chart, "values": values, "theme": item, "cycle": cycle, "plan": pi.plan,
    })


def indicator_compare(request, pk):
    """One national indicator across the plans (provinces) the user oversees."""
    access.require_oversight(request.user)
    indicator, others = indicator_selectors.compared_and_others(pk)
    if indicator is None:
        raise Http404
    # The table is drawn once per state of its rows (reporting.dashboards.drawn_pages).
    table = drawn_comparison(indicator, access.plans_overseen_by(request.user),
                             lambda: _draw_comparison(indicator, request.user))
    other = _path_of("dashboard:indicator_compare")  # reversed once: every other indicator is linked
    choices = [(other(c.pk), f"{c.code} {c.name}" if c.code else c.name)
               for c in others]
    return render(request, "reporting/dashboard/indicator_compare.html", {
        "indicator": indicator, "table": table, "choices": choices,
    })


def _draw_comparison(indicator, user) -> str:
    rows = indicator_selectors.comparison(indicator, user)
    detail = _path_of("dashboard:indicator")
    for r in rows:
        r.href = detail(r.view.pi.pk)
    return render_to_string("reporting/dashboard/_indicator_compare_table.html", {"rows": rows})


def _path_of(name: str):
    """pk → the path of the URL `name` for that pk, reversed once."""
    marker = 987654321
    pattern = reverse(name, args=[marker])
    return lambda pk: pattern.replace(str(marker), str(int(pk)))


# The agencies' chart of the dashboard shows this many at most: those with the most reports missing
# or late. A province has a hundred lead agencies or more, and a bar each made the chart 1,500 px
# tall and most of the page's weight; the table under it keeps every agency's figures.
DASHBOARD_AGENCIES = 15


def _draw_dashboard(request, cycle, chosen=None) -> str:
    """The figures, charts and tables of the dashboard: the same for everyone who may open it."""
    data = selectors.dashboard(cycle, plan=chosen)
    link = _status_link(cycle)
    links = {
        "states": {s.key: link(state=s.key) for s in charts.STATES},
        "theme": {t["id"]: link(theme=t["id"]) for t in data["themes"]},
        "agency": {a["agency_id"]: {"on_time": link(agency=a["agency_id"], state="on_time"),
                                    "late": link(agency=a["agency_id"], state="late"),
                                    "missing": link(agency=a["agency_id"], state="not_submitted")}
                   for a in data["agencies"]},
    }
    figure = charts.report_charts(data["headline"], data["themes"], data["agencies"], links,
                                  agency_limit=DASHBOARD_AGENCIES)
    plan = cycle.plan
    plans = [chosen] if chosen else cycle.plans() if cycle.consolidated else [plan]
    years = range(min(p.period_start for p in plans), max(p.period_end for p in plans) + 1)
    today = timezone.localdate()
    figure["timeline"] = charts.timeline_chart(
        [{"label": f"{t.code}. {t.title}", "full": f"{t.code}. {t.title}", "per_year": t.per_year,
          "href": link(theme=t.theme_id)} for t in data["timeline"]],
        list(years), today=today, title=_("Tiến trình thực hiện các nhiệm vụ theo chủ đề"),
        desc=_("Số nhiệm vụ, hoạt động được triển khai trong từng năm của kế hoạch, theo chủ đề; "
               "đường nét đứt là ngày hôm nay."),
    )
    figure["history"] = charts.grouped_columns(
        [{"label": f"{h['year']}", "current": h["current"],
          "values": {"on_time_rate": h["on_time_rate"], "mean_percent": h["mean_percent"]}} for h in data["history"]],
        charts.HISTORY, title=_("So sánh với các kỳ trước"),
        desc=_("Tỷ lệ báo cáo nộp đúng hạn và tiến độ bình quân của các kỳ cùng loại."),
    )
    # The themes', agencies' and history's figures are in the tables beside their charts.
    figure["themes"].table_id, figure["agencies"].table_id, figure["history"].table_id = (
        "theme-table", "agency-table", "history-table")
    for g in data["groups"]:
        g["href"] = link(group=g["id"])
    for t in data["themes"]:
        t["href"] = link(theme=t["id"])
        t["missing_href"] = link(theme=t["id"], state="not_submitted")
    for a in data["agencies"]:
        a["href"] = link(agency=a["agency_id"])
    h = data["headline"]
    cards = [
        (_("Báo cáo phải nộp"), h["due"], link()),
        (_("Đã gửi"), h["submitted"], link(state="submitted")),
        (_("Đúng hạn"), h["on_time"], link(state="on_time")),
        (_("Nộp muộn"), h["late"], link(state="late")),
        (_("Chưa nộp"), h["missing"], link(state="not_submitted")),
        (_("Hoàn thành"), h["status_completed"], link(status="completed")),
        (_("Đúng tiến độ"), h["status_on_schedule"], link(status="on_schedule")),
        (_("Chậm tiến độ"), h["status_behind"], link(status="behind")),
    ]
    return render_to_string("reporting/dashboard/_dashboard_body.html", {
        "cycle": cycle, "plan": plan, "data": data, "charts": figure, "cards": cards, "today": today,
        "behind_rows": [(r, _report_url(r.report_id)) for r in data["behind"]],
        "agencies_cut": len(data["agencies"]) > DASHBOARD_AGENCIES,
        "status_url": link(),
    }, request=request)


# --- consolidated status -----------------------------------------------------------------------

STATE_FILTERS = [(c, l) for c, l in S.choices] + [
    ("submitted", gettext_lazy("Đã gửi (gồm đã chấp nhận)")), ("on_time", gettext_lazy("Nộp đúng hạn")),
    ("late", gettext_lazy("Nộp muộn")), ("not_submitted", gettext_lazy("Chưa nộp (chưa báo cáo, đang soạn, trả lại)")),
]
STATUS_FILTERS = list(Report.Status.choices) + [("none", gettext_lazy("Chưa có báo cáo đã gửi"))]


def consolidated(request, cycle_id):
    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    filters = selectors.StatusFilters.from_query(request.GET)
    # A jurisdiction-wide cycle lists every plan's reports: its theme and group menus cover them all.
    outline = selectors.plan_outline(cycle.plans() if cycle.consolidated else cycle.plan)
    rows = selectors.status_rows(cycle, filters)
    if request.GET.get("export") == "xlsx":
        data = consolidated_xlsx(cycle, rows, outline, filters_text=_describe(filters, outline))
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        name = f"tong-hop-{cycle.plan.code}-{cycle.file_word}-{cycle.year}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    agencies = selectors.cycle_agencies(cycle)
    params = filters.as_params()
    sort_links = {}
    for key in ("code", "agency", "state", "status", "percent"):
        target = f"-{key}" if filters.sort == key else key
        sort_links[key] = "?" + urlencode(filters.as_params(sort=target))
    return render(request, "reporting/dashboard/consolidated.html", {
        "cycle": cycle, "plan": cycle.plan, "filters": filters, "outline": outline, "agencies": agencies,
        "rows": [(r, _report_url(r.report_id)) for r in rows],
        "unassigned": [(u, _report_url(u["row"].report_id)) for u in selectors.unassigned_rows(cycle)],
        "state_choices": STATE_FILTERS, "status_choices": STATUS_FILTERS, "cycles": _cycles_menu(cycle.plan),
        "export_url": "?" + urlencode({**params, "export": "xlsx"}), "sort_links": sort_links,
        "described": _describe(filters, outline), "can_generate": access.is_reviewer_of(request.user, cycle.plan),
    })


def _describe(filters: selectors.StatusFilters, outline) -> str:
    parts = []
    for pk in (filters.theme, filters.group):
        if pk and pk in outline.by_id:
            parts.append(f"{outline.by_id[pk].code}. {outline.by_id[pk].title}")
    if filters.priority:
        parts.append(_("ưu tiên cao") if filters.priority == "high" else _("ưu tiên thường"))
    if filters.state:
        parts.append(str(dict(STATE_FILTERS).get(filters.state, filters.state)))
    if filters.status:
        parts.append(str(dict(STATUS_FILTERS).get(filters.status, filters.status)))
    if filters.agency:
        parts.append(_("cơ quan #%(id)s") % {"id": filters.agency})
    if filters.q:
        parts.append(f"“{filters.q}”")
    return "; ".join(parts)


# --- public page -------------------------------------------------------------------------------

@login_not_required
def public_plan(request, code):
    """Read-only progress by theme from ACCEPTED reports; off unless the admin enabled it."""
    plan = get_object_or_404(access.public_plans(Plan.objects.select_related("jurisdiction")), code=code)
    cycle = None
    if request.GET.get("year"):
        try:
            cycle = ReportingCycle.objects.get(plan=plan, kind="annual", year=int(request.GET["year"]))
        except (ValueError, ReportingCycle.DoesNotExist):
            raise Http404
    summary = selectors.public_summary(plan, cycle)
    chart = None
    if summary["themes"]:
        chart = charts.progress_bars(
            [{"label": f"{t['code']}. {t['title']}", "value": t["mean_percent"],
              "note": _("%(accepted)s/%(items)s mục") % {"accepted": t["accepted"], "items": t["items"]}} for t in summary["themes"]],
            title=_("Tiến độ theo chủ đề (báo cáo đã thẩm định)"), desc=summary["method"],
        )
    years = list(ReportingCycle.objects.filter(plan=plan, kind="annual", reports__state=S.ACCEPTED)
                 .values_list("year", flat=True).distinct().order_by("-year"))
    official = OfficialReport.objects.filter(cycle=summary["cycle"]).first() if summary.get("cycle") else None
    return render(request, "reporting/dashboard/public.html",
                  {"plan": plan, "summary": summary, "chart": chart, "years": years, "official": official,
                   # The public sees accepted figures only, and no link into the overseers' pages.
                   "indicators_html": drawn_indicators(plan, lambda rows: _draw_indicators(request, plan, rows, links=False),
                                                       variant="public")})

