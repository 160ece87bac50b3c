"""Whether an indicator is on track, and the sentence that says how that was decided.

The method (shown next to the figure on pages and in the province report, and exported as
`status_method`): the latest accepted figure is compared with where the indicator should be that
year on the straight path from its baseline to the next target (a yearly rate compounds; a
"maintain" target is a flat line; a range is met anywhere inside it). Falling short of that by at
most the tolerance (default 5 % of the expected figure) is on track, by up to twice the tolerance
at risk, by more off track. Without an accepted figure, or without a target, there is no status.

Pure functions over plain values: callers load what they need once (pages prefetch), so working
out the status of a hundred indicators costs no query.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.indicators.numbers import format_number as n

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"
LABELS = {
    ON_TRACK: gettext_lazy("Đúng hướng"),
    AT_RISK: gettext_lazy("Có nguy cơ không đạt"),
    OFF_TRACK: gettext_lazy("Chệch hướng"),
    NO_DATA: gettext_lazy("Chưa có số liệu"),
}
ORDER = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)


@dataclass(frozen=True)
class Status:
    code: str
    method: str  # always a sentence, also without data
    year: int | None = None
    actual: Decimal | None = None
    expected: Decimal | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.code])


def default_tolerance() -> Decimal:
    return Decimal(str(getattr(settings, "INDICATOR_TOLERANCE_PERCENT", 5)))


def province_series(values, *, additive: bool, accepted_only: bool = True) -> dict[int, Decimal]:
    """Year → the figure for the whole province: its own row (no territory), or, for an additive
    indicator reported by territory, the sum of the territories' figures."""
    whole, parts = {}, {}
    for v in values:
        if v.value is None or (accepted_only and v.state != "accepted"):
            continue
        if v.territory:
            parts.setdefault(v.year, []).append(v.value)
        else:
            whole[v.year] = v.value
    if additive:
        for year, figures in parts.items():
            whole.setdefault(year, sum(figures, Decimal(0)))
    return whole


def _rate(target) -> Decimal | None:
    """A yearly rate given as a range ("down 1–1.5 % a year") is met at its less demanding end."""
    if target.value is not None:
        return Decimal(target.value)
    ends = [Decimal(x) for x in (target.min, target.max) if x is not None]
    return min(ends, key=abs) if ends else None


def target_goal(target, *, direction: str, baseline_value, baseline_year, series: dict) -> Decimal | None:
    """The figure the target asks for in its year (None when it cannot be known yet: a cut
    relative to a year with no figure, a rate without a baseline)."""
    kind = target.kind
    if kind == "value":
        return Decimal(target.value) if target.value is not None else None
    if kind == "range":
        low, high = Decimal(target.min), Decimal(target.max)
        return high if direction == "lower" else low if direction == "higher" else (low + high) / 2
    if kind == "maintain":
        if target.value is not None:
            return Decimal(target.value)
        return Decimal(baseline_value) if baseline_value is not None else None
    if kind == "rate":
        rate = _rate(target)
        if rate is None or baseline_value is None or baseline_year is None:
            return None
        return Decimal(baseline_value) * (1 + rate / 100) ** (target.year - baseline_year)
    if kind == "cut":
        base = (Decimal(baseline_value) if baseline_year == target.base_year and baseline_value is not None
                else series.get(target.base_year))
        if base is None:
            return None
        return base * (1 - Decimal(target.value) / 100)
    raise ValueError(f"unknown target kind {kind!r}")


def expected_at(year: int, target, goal: Decimal, *, baseline_value, baseline_year) -> Decimal:
    """Where the indicator should be in `year` on the way to `target`."""
    if target.kind == "maintain" or baseline_value is None or baseline_year is None or year >= target.year:
        return goal
    base = Decimal(baseline_value)
    if year <= baseline_year:
        return base
    if target.kind == "rate":
        return base * (1 + _rate(target) / 100) ** (year - baseline_year)
    return base + (goal - base) * Decimal(year - baseline_year) / Decimal(target.year - baseline_year)


def _shortfall(actual: Decimal, expected: Decimal, direction: str, target) -> Decimal:
    """How far (in % of the expected figure) the actual figure is behind; 0 or less: not behind."""
    if direction == "band" and target.kind == "range":
        low, high = Decimal(target.min), Decimal(target.max)
        gap = low - actual if actual < low else actual - high if actual > high else Decimal(0)
    elif direction == "higher":
        gap = expected - actual
    elif direction == "lower":
        gap = actual - expected
    else:
        gap = abs(actual - expected)
    scale = abs(expected) or Decimal(1)
    return gap / scale * 100


def compute(*, direction: str, baseline_value, baseline_year, targets, values=None, series=None,
            additive: bool = False, tolerance=None) -> Status:
    """The status of one plan indicator. `values`: its IndicatorValue rows (only accepted ones
    count), or `series` (year → figure) directly."""
    tolerance = default_tolerance() if tolerance is None else Decimal(tolerance)
    if series is None:
        series = province_series(values or (), additive=additive)
    targets = sorted(targets, key=lambda t: t.year)
    tol, tol2 = n(tolerance), n(tolerance * 2)
    if not targets:
        return Status(NO_DATA, _("Chưa có chỉ tiêu mục tiêu nên chưa đánh giá được."))
    if not series:
        last = targets[-1]
        return Status(NO_DATA, _("Chưa có số liệu được chấp nhận. Khi có, số liệu mới nhất được so với đường thẳng "
                                 "từ giá trị cơ sở đến chỉ tiêu năm %(year)s; đúng hướng khi không kém quá %(tol)s%% "
                                 "so với mức cần đạt.") % {"year": last.year, "tol": tol})
    year = max(series)
    actual = series[year]
    target = next((t for t in targets if t.year >= year), targets[-1])
    goal = target_goal(target, direction=direction, baseline_value=baseline_value, baseline_year=baseline_year,
                       series=series)
    if goal is None:
        return Status(NO_DATA, _("Chỉ tiêu năm %(year)s (%(kind)s) chưa quy ra được giá trị: thiếu giá trị cơ sở "
                                 "hoặc số liệu năm gốc.") % {"year": target.year, "kind": target.get_kind_display()},
                      year=year, actual=actual)
    expected = expected_at(year, target, goal, baseline_value=baseline_value, baseline_year=baseline_year)
    shortfall = _shortfall(actual, expected, direction, target)
    code = ON_TRACK if shortfall <= tolerance else AT_RISK if shortfall <= tolerance * 2 else OFF_TRACK
    params = {"year": year, "actual": n(actual, 2), "expected": n(expected, 2), "tyear": target.year,
              "goal": n(goal, 2), "tol": tol, "tol2": tol2, "kind": target.get_kind_display().lower(),
              "byear": baseline_year, "base": n(baseline_value, 2)}
    if direction == "band" and target.kind == "range":
        method = _("Số liệu năm %(year)s (%(actual)s) so với khoảng chỉ tiêu năm %(tyear)s (%(low)s – %(high)s); "
                   "đúng hướng khi nằm trong khoảng hoặc lệch không quá %(tol)s%%, có nguy cơ khi lệch đến %(tol2)s%%.") % {
            **params, "low": n(target.min, 2), "high": n(target.max, 2)}
    elif target.kind == "maintain" or baseline_value is None or year >= target.year:
        method = _("Số liệu năm %(year)s (%(actual)s) so trực tiếp với chỉ tiêu năm %(tyear)s (%(kind)s: %(goal)s); "
                   "đúng hướng khi không kém quá %(tol)s%%, có nguy cơ khi kém đến %(tol2)s%%.") % params
    elif target.kind == "rate":
        method = _("Theo tốc độ thay đổi hằng năm từ giá trị cơ sở %(base)s (năm %(byear)s), năm %(year)s cần đạt "
                   "%(expected)s, thực tế %(actual)s; đúng hướng khi không kém quá %(tol)s%%, có nguy cơ khi kém "
                   "đến %(tol2)s%%.") % params
    else:
        method = _("Theo đường thẳng từ giá trị cơ sở %(base)s (năm %(byear)s) đến chỉ tiêu %(goal)s năm %(tyear)s, "
                   "năm %(year)s cần đạt %(expected)s, thực tế %(actual)s; đúng hướng khi không kém quá %(tol)s%%, "
                   "có nguy cơ khi kém đến %(tol2)s%%.") % params
    return Status(code, method, year=year, actual=actual, expected=expected)


def plan_indicator_status(pi, *, values=None, accepted_only: bool = True) -> Status:
    """The status of a PlanIndicator whose indicator, targets and values are loaded (prefetched)."""
    values = pi.values.all() if values is None else values
    series = province_series(values, additive=pi.indicator.additive, accepted_only=accepted_only)
    return compute(direction=pi.indicator.direction, baseline_value=pi.baseline_value, baseline_year=pi.baseline_year,
                   targets=list(pi.targets.all()), series=series, tolerance=pi.tolerance)
