"""The status of an indicator by its stated method, for each target form and at the tolerance's edges."""
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from reporting.indicators.status import compute, province_series
from reporting.models import Target


def t(year, kind, value=None, min=None, max=None, base_year=None):
    return Target(year=year, kind=kind, value=value, min=min, max=max, base_year=base_year)


def status(direction, targets, series, baseline=(D(10), 2020), tolerance=5):
    return compute(direction=direction, baseline_value=baseline[0], baseline_year=baseline[1], targets=targets,
                   series=series, tolerance=tolerance)


# value target, straight path 10 (2020) → 20 (2030): 2025 expects 15; tolerance 5 % of 15 = 0.75
@pytest.mark.parametrize("actual, code", [
    (D("15"), "on_track"), (D("17"), "on_track"), (D("14.25"), "on_track"), (D("14.24"), "at_risk"),
    (D("13.5"), "at_risk"), (D("13.49"), "off_track"), (D("10"), "off_track"),
])
def test_a_value_target_follows_the_straight_path_with_its_tolerance(actual, code):
    s = status("higher", [t(2030, "value", D(20))], {2025: actual})
    assert s.code == code
    assert s.expected == D(15)
    assert "đường thẳng" in s.method and "2030" in s.method and "15" in s.method


@pytest.mark.parametrize("actual, code", [(D("15.75"), "on_track"), (D("15.76"), "at_risk"), (D("17"), "off_track")])
def test_lower_is_better_counts_being_above_the_path_as_behind(actual, code):
    assert status("lower", [t(2030, "value", D(20))], {2025: actual}).code == code


def test_the_next_target_is_the_one_judged_and_a_passed_year_compares_with_the_target_itself():
    targets = [t(2025, "value", D(12)), t(2030, "value", D(20))]
    assert status("higher", targets, {2023: D("11.2")}).expected == D("11.2")  # 10 → 12 over 5 years
    late = status("higher", targets, {2031: D(19)})
    assert late.expected == D(20) and late.code == "on_track"  # 5 % of 20 = 1
    assert "so trực tiếp" in late.method


def test_a_range_target_on_higher_is_better_needs_its_lower_end():
    s = status("higher", [t(2030, "range", min=D(15), max=D(20))], {2030: D("14.9")})
    assert s.expected == D(15) and s.code == "on_track"


@pytest.mark.parametrize("actual, code", [(D(42), "on_track"), (D(45), "on_track"), (D("38.5"), "at_risk"),
                                          (D(36), "off_track"), (D("48.5"), "at_risk")])
def test_a_band_is_met_anywhere_inside_it(actual, code):
    s = status("band", [t(2030, "range", min=D(40), max=D(46))], {2026: actual})
    assert s.code == code
    assert "khoảng" in s.method


@pytest.mark.parametrize("actual, code", [(D(42), "on_track"), (D("39.9"), "on_track"), (D("39.8"), "at_risk")])
def test_maintain_is_a_flat_line_at_its_level(actual, code):
    s = status("higher", [t(2030, "maintain", D(42))], {2026: actual}, baseline=(D(42), 2020))
    assert s.code == code and s.expected == D(42)


def test_maintain_without_a_level_keeps_the_baseline():
    assert status("higher", [t(2030, "maintain")], {2026: D(42)}, baseline=(D(42), 2020)).expected == D(42)


def test_a_yearly_rate_compounds_from_the_baseline():
    # down 1.5 % a year from 100 (2020): 2022 expects 100 × 0.985² = 97.0225
    s = status("lower", [t(2030, "rate", D("-1.5"))], {2022: D("97.0225")}, baseline=(D(100), 2020))
    assert s.expected == D("97.0225") and s.code == "on_track"
    assert "tốc độ" in s.method


def test_a_rate_range_is_met_at_its_less_demanding_end():
    s = status("lower", [t(2030, "rate", min=D("-1.5"), max=D("-1"))], {2021: D(99)}, baseline=(D(100), 2020))
    assert s.expected == D(99)


def test_a_cut_is_relative_to_the_base_year_figure():
    # 15 % below 2014 (1.0 = the baseline) by 2030: the goal is 0.85
    s = status("lower", [t(2030, "cut", D(15), base_year=2014)], {2030: D("0.85")}, baseline=(D(1), 2014))
    assert s.expected == D("0.85") and s.code == "on_track"


def test_a_cut_relative_to_a_year_without_a_figure_has_no_status_but_says_why():
    s = status("lower", [t(2030, "cut", D(15), base_year=2014)], {2025: D(1)}, baseline=(D(1), 2020))
    assert s.code == "no_data" and "năm gốc" in s.method


def test_without_an_accepted_figure_the_status_is_no_data_and_the_method_is_still_a_sentence():
    s = status("higher", [t(2030, "value", D(20))], {})
    assert s.code == "no_data" and s.method.endswith(".") and "2030" in s.method


def test_without_targets_the_status_is_no_data_with_a_sentence():
    s = status("higher", [], {2025: D(1)})
    assert s.code == "no_data" and s.method.endswith(".")


def test_without_a_baseline_the_figure_is_compared_with_the_target_directly():
    s = status("higher", [t(2030, "value", D(20))], {2025: D(19)}, baseline=(None, None))
    assert s.code == "on_track" and s.expected == D(20)


def test_the_tolerance_is_per_indicator():
    assert status("higher", [t(2030, "value", D(20))], {2025: D(14)}, tolerance=10).code == "on_track"


def _v(year, value, state="accepted", territory=""):
    return SimpleNamespace(year=year, value=D(value), state=state, territory=territory)


def test_only_accepted_figures_count_and_territories_add_up_where_additive():
    values = [_v(2024, 5, territory="A"), _v(2024, 7, territory="B"), _v(2025, 9, "submitted")]
    assert province_series(values, additive=True) == {2024: D(12)}
    assert province_series(values, additive=False) == {}
    assert province_series(values, additive=True, accepted_only=False) == {2024: D(12), 2025: D(9)}


def test_a_whole_province_figure_wins_over_the_sum_of_territories():
    values = [_v(2024, 5, territory="A"), _v(2024, 7, territory="B"), _v(2024, 13)]
    assert province_series(values, additive=True) == {2024: D(13)}
