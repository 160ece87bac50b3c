"""Reads of indicators for pages: a plan's indicators with their status (the dashboard's section,
the public page, the province report) and one national indicator across plans (the national
comparison). Each loads in a fixed number of queries, whatever the number of indicators, years
and territories: one for the plan indicators (with their catalogue entry and theme), one for the
targets, one for the values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, prefetch_related_objects

from reporting.indicators.status import Status, compute, province_series
from reporting.models import Indicator, IndicatorValue, PlanIndicator
from reporting.reports import access

ACCEPTED = IndicatorValue.State.ACCEPTED


@dataclass
class IndicatorView:
    pi: PlanIndicator
    status: Status
    series: dict  # year → whole-province figure counted (accepted)
    values: list  # the figures shown (Figure rows; accepted only on public pages)
    targets: list
    theme: object = None
    by_territory: dict = field(default_factory=dict)  # territory → {year: figure}

    @property
    def indicator(self) -> Indicator:
        return self.pi.indicator

    def figure(self, year):
        return self.series.get(year)


class Figure(NamedTuple):
    """What the status, the charts and the tables read of a value, no more: a plan at national
    scale has ~1,000 figures, and building a model instance for each was most of the section's time."""

    id: int
    plan_indicator_id: int
    year: int
    territory: str
    value: Decimal | None
    state: str
    revision: int


def _with_figures(pis: list, *, accepted_only: bool) -> list[tuple[PlanIndicator, list]]:
    """`pis` with their targets and figures: two queries, none for no indicator."""
    figures: dict[int, list] = {pi.pk: [] for pi in pis}
    if pis:
        prefetch_related_objects(pis, "targets")
        rows = IndicatorValue.objects.filter(plan_indicator__in=list(figures))
        if accepted_only:
            rows = rows.filter(state=ACCEPTED)
        for row in rows.order_by("year", "territory").values_list(*Figure._fields):
            figures[row[1]].append(Figure._make(row))
    return [(pi, figures[pi.pk]) for pi in pis]


def _view(pi: PlanIndicator, values: list) -> IndicatorView:
    targets = list(pi.targets.all())
    series = province_series(values, additive=pi.indicator.additive)
    status = compute(direction=pi.indicator.direction, baseline_value=pi.baseline_value,
                     baseline_year=pi.baseline_year, targets=targets, series=series, tolerance=pi.tolerance)
    by_territory: dict = {}
    for v in values:
        if v.territory and v.state == ACCEPTED and v.value is not None:
            by_territory.setdefault(v.territory, {})[v.year] = v.value
    return IndicatorView(pi=pi, status=status, series=series, values=values, targets=targets,
                         by_territory=by_territory)


def plan_indicators(plan, *, accepted_only: bool = False, pk: int | None = None) -> list[IndicatorView]:
    """The plan's indicators (or the one `pk`) with their status (always from accepted figures).
    `accepted_only`: list only accepted values too (public page, province report). Three queries."""
    return indicator_views(plan_indicator_rows(plan, pks=None if pk is None else [pk]), accepted_only=accepted_only)


def plan_indicator_rows(plan, *, pks=None, with_item: bool = True) -> list[PlanIndicator]:
    """The plan's indicators (or those of `pks`) in their order, with their catalogue entry and item
    (`with_item`: only the arrangement by theme reads it), no figures: one query (the section arranges
    drawn parts with them). Their plan is `plan` itself, not joined again."""
    qs = PlanIndicator.objects.filter(plan=plan)
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    rows = list(qs.select_related(*(("indicator", "item") if with_item else ("indicator",))).order_by("sort_order", "code"))
    for pi in rows:
        pi.plan = plan
    return rows


def indicator_views(pis: list[PlanIndicator], *, accepted_only: bool = False) -> list[IndicatorView]:
    """The views of `pis` (from plan_indicator_rows): two queries, none for an empty list."""
    return [_view(pi, values) for pi, values in _with_figures(pis, accepted_only=accepted_only)]


def by_theme(views: list, outline_by_id: dict | None = None) -> list[tuple[object, list]]:
    """The indicators grouped under the theme of the item they belong to (plan-wide ones first)."""
    groups: dict = {}
    for v in views:
        item = getattr(v, "pi", v).item  # views or plan indicators
        theme = item
        while theme is not None and outline_by_id is not None and theme.parent_id and theme.parent_id in outline_by_id:
            theme = outline_by_id[theme.parent_id]
        groups.setdefault(theme, []).append(v)
    return sorted(groups.items(), key=lambda kv: (kv[0] is not None, getattr(kv[0], "sort_key", "")))


def status_counts(views: list[IndicatorView]) -> dict[str, int]:
    counts = {"on_track": 0, "at_risk": 0, "off_track": 0, "no_data": 0}
    for v in views:
        counts[v.status.code] += 1
    return counts


def comparable_indicators():
    """National indicators some plan has adopted: what the national comparison offers."""
    adopted = PlanIndicator.objects.values("indicator_id")
    return Indicator.objects.filter(plan__isnull=True, pk__in=adopted).only("id", "code", "name").order_by("code", "name")


def compared_and_others(pk: int) -> tuple[Indicator | None, list[Indicator]]:
    """The national indicator `pk` (None if there is none) and the other comparable indicators, in
    one query: the comparison page names the one (code, name, unit, direction) and links the others."""
    adopted = PlanIndicator.objects.values("indicator_id")
    found = list(Indicator.objects.filter(Q(pk=pk) | Q(pk__in=adopted), plan__isnull=True)
                 .only("id", "code", "name", "unit", "direction", "plan").order_by("code", "name"))
    return next((i for i in found if i.pk == pk), None), [i for i in found if i.pk != pk]


@dataclass
class ComparisonRow:
    plan: object
    view: IndicatorView
    latest_year: int | None
    latest: Decimal | None


def comparison(indicator: Indicator, user) -> list[ComparisonRow]:
    """Every plan the user oversees that adopted `indicator`, its latest accepted figure and its
    status, in three queries."""
    plans = access.plans_overseen_by(user)
    pis = list(PlanIndicator.objects.filter(indicator=indicator, plan__in=plans)
               .select_related("indicator", "plan__jurisdiction").order_by("sort_order", "code"))
    rows = []
    for pi, values in _with_figures(pis, accepted_only=True):
        view = _view(pi, values)
        year = max(view.series) if view.series else None
        rows.append(ComparisonRow(plan=pi.plan, view=view, latest_year=year,
                                  latest=view.series.get(year) if year else None))
    rows.sort(key=lambda r: r.plan.jurisdiction.name)
    return rows
