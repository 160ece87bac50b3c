"""export_indicators: JSON with every key always present, SDMX-CSV read back with the csv module."""
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.indicators import values as V
from reporting.indicators.export import SDMX_COLUMNS, as_json

KEYS = {"plan", "code", "national_code", "name", "unit", "direction", "baseline", "targets", "values", "status",
        "status_method"}


@pytest.fixture
def figures(indicators):
    w, c = indicators.world, indicators.cycle
    accepted = V.value_create(plan_indicator=indicators.renewables, cycle=c, year=2025, user=w.officer_b, value="14,8",
                              source="official")
    w.officer_b.memberships.update(can_submit=True)
    V.value_accept(V.value_submit(accepted, user=w.officer_b), user=w.reviewer)
    V.value_create(plan_indicator=indicators.stations, cycle=c, year=2025, user=w.head_a, value="7",
                   territory="Thủ Dầu Một", source="estimate")
    return indicators


def run(*args):
    out = io.StringIO()
    call_command("export_indicators", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_key_for_every_indicator_also_without_data(figures):
    data = json.loads(run("--format", "json"))
    assert set(data) == {"indicators"}
    by_code = {i["code"]: i for i in data["indicators"]}
    assert set(by_code) == {"2.3", "EV", "1.1"}
    for record in data["indicators"]:
        assert set(record) == KEYS
        assert record["plan"] == "bd-396"
        assert set(record["baseline"]) == {"value", "year"}
        for t in record["targets"]:
            assert set(t) == {"year", "kind", "value", "min", "max", "base_year"}
        for v in record["values"]:
            assert set(v) == {"year", "territory", "value", "source", "state", "revised"}
        assert record["status_method"].endswith(".")
    re = by_code["2.3"]
    assert re["baseline"] == {"value": 10, "year": 2020}
    assert re["targets"] == [{"year": 2025, "kind": "value", "value": 15, "min": None, "max": None, "base_year": None},
                             {"year": 2030, "kind": "range", "value": None, "min": 15, "max": 20, "base_year": None}]
    assert re["values"] == [{"year": 2025, "territory": "", "value": 14.8, "source": "official", "state": "accepted",
                             "revised": False}]
    assert re["status"] == "on_track"
    ev = by_code["EV"]
    assert ev["values"][0]["state"] == "draft" and ev["status"] == "no_data"  # a draft is exported, never counted
    assert by_code["1.1"]["values"] == [] and by_code["1.1"]["status"] == "no_data"


def test_a_plan_code_limits_the_export_and_an_unknown_one_is_an_error(figures, plan):
    from tests.factories import PlanFactory

    PlanFactory(code="other")
    assert len(json.loads(run("--plan", "bd-396", "--format", "json"))["indicators"]) == 3
    assert json.loads(run("--plan", "other", "--format", "json")) == {"indicators": []}
    with pytest.raises(CommandError, match="nope"):
        run("--plan", "nope", "--format", "json")


def test_sdmx_csv_reads_back_with_the_csv_module(figures, tmp_path):
    target = tmp_path / "chi-tieu.csv"
    run("--format", "csv", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert list(rows[0]) == SDMX_COLUMNS
    assert rows[0]["DATAFLOW"] == "GREENPLAN:GG_INDICATORS(1.0)"
    by_indicator = {r["INDICATOR"]: r for r in rows}
    re = by_indicator["2.3"]
    assert (re["REF_AREA"], re["TIME_PERIOD"], re["OBS_VALUE"], re["UNIT_MEASURE"], re["OBS_STATUS"]) == (
        "Bình Dương", "2025", "14.8", "%", "A")
    ev = by_indicator["EV"]
    assert (ev["OBS_STATUS"], ev["TERRITORY"], ev["VALUE_STATE"], ev["REVISED"]) == ("P", "Thủ Dầu Một", "draft", "false")


def test_the_export_takes_a_fixed_number_of_queries(figures):
    with CaptureQueriesContext(connection) as few:
        as_json()
    V.value_create(plan_indicator=figures.intensity, cycle=figures.cycle, year=2024, user=figures.world.head_a, value="1")
    with CaptureQueriesContext(connection) as more:
        as_json()
    assert len(few) == len(more) == 3  # indicators with plan and catalogue entry, targets, values
