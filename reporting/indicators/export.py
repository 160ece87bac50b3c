"""Indicators in machine-readable form: JSON (every key always present) and SDMX-CSV 1.0, so
statistical tools (.Stat, pandasdmx, R's rsdmx) read them. Values in every state, each with its
state: a consumer decides what to trust; the status counts accepted figures only.

Loaded in a fixed number of queries whatever the number of plans and indicators.
"""
from __future__ import annotations

import csv
from decimal import Decimal

from django.db.models import Prefetch

from reporting.indicators.status import plan_indicator_status
from reporting.models import IndicatorValue, PlanIndicator

DATAFLOW = "GREENPLAN:GG_INDICATORS(1.0)"
SDMX_COLUMNS = ["DATAFLOW", "REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS",
                "PLAN", "TERRITORY", "VALUE_STATE", "REVISED"]
# SDMX's observation status (CL_OBS_STATUS): an accepted figure is normal (A) or estimated (E),
# one not yet accepted is provisional (P).
_OBS_STATUS = {"official": "A", "survey": "A", "estimate": "E", "": "A"}


def plan_indicators(plans=None):
    """Every plan indicator (of `plans`, a queryset, or of every plan) with what the export and the
    status need, in three queries."""
    qs = PlanIndicator.objects.select_related("plan__jurisdiction", "indicator").prefetch_related(
        "targets", Prefetch("values", queryset=IndicatorValue.objects.order_by("year", "territory")))
    if plans is not None:
        qs = qs.filter(plan__in=plans)
    return qs.order_by("plan__code", "sort_order", "code")


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_record(pi) -> dict:
    status = plan_indicator_status(pi)
    ind = pi.indicator
    return {
        "plan": pi.plan.code,
        "code": pi.code,
        "national_code": ind.national_code or "",
        "name": ind.name,
        "unit": ind.unit or "",
        "direction": ind.direction,
        "baseline": {"value": _number(pi.baseline_value), "year": pi.baseline_year},
        "targets": [{"year": t.year, "kind": t.kind, "value": _number(t.value), "min": _number(t.min),
                     "max": _number(t.max), "base_year": t.base_year} for t in pi.targets.all()],
        "values": [{"year": v.year, "territory": v.territory, "value": _number(v.value), "source": v.source,
                    "state": v.state, "revised": v.revised} for v in pi.values.all()],
        "status": status.code,
        "status_method": status.method,
    }


def as_json(plans=None) -> dict:
    return {"indicators": [indicator_record(pi) for pi in plan_indicators(plans)]}


def sdmx_rows(plans=None):
    for pi in plan_indicators(plans):
        for v in pi.values.all():
            if v.value is None:
                continue
            yield {
                "DATAFLOW": DATAFLOW, "REF_AREA": pi.plan.jurisdiction.name, "INDICATOR": pi.code,
                "TIME_PERIOD": str(v.year), "OBS_VALUE": format(Decimal(v.value).normalize(), "f"),
                "UNIT_MEASURE": pi.indicator.unit or "",
                "OBS_STATUS": _OBS_STATUS.get(v.source, "A") if v.state == "accepted" else "P",
                "PLAN": pi.plan.code, "TERRITORY": v.territory, "VALUE_STATE": v.state,
                "REVISED": "true" if v.revised else "false",
            }


# A text cell starting with one of these is a formula to a spreadsheet that opens the file: such a
# cell gets a leading apostrophe. The figure and the year are written by us as plain numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_COLUMNS = {"OBS_VALUE", "TIME_PERIOD"}


def neutralised(row: dict) -> dict:
    return {k: (f"'{v}" if k not in NUMERIC_COLUMNS and isinstance(v, str) and v.startswith(FORMULA_START) else v)
            for k, v in row.items()}


def write_csv(out, plans=None) -> int:
    writer = csv.DictWriter(out, fieldnames=SDMX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in sdmx_rows(plans):
        writer.writerow(neutralised(row))
        n += 1
    return n
