"""Scenarios 5–7, one per process (so that ru_maxrss is the scenario's own peak):

    python bench/batch.py import    --runs 5 --rows 10000
    python bench/batch.py pdf       --runs 5
    python bench/batch.py excel     --runs 5
    python bench/batch.py reminders --runs 5 --day 2026-11-29
    python bench/batch.py reminders --runs 5 --worst   # every agency due that day

Each prints one JSON document: timings, the baseline measured in the same process, data size and
peak memory. Runs that write (import, reminders) happen inside a transaction that is rolled back,
so every run starts from the same data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from common import emit, max_rss_bytes, setup_django, summary

setup_django()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from reporting.models import Report, ReportingCycle  # noqa: E402


class Rollback(Exception):
    pass


def rolled_back(func, prepare=None):
    """Run func in a transaction that is always rolled back; return its result and duration.
    `prepare`, if given, runs first in the same transaction, untimed (a data change to measure on)."""
    holder = {}
    try:
        with transaction.atomic():
            if prepare is not None:
                prepare()
            start = time.perf_counter()
            holder["result"] = func()
            holder["seconds"] = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return holder["result"], holder["seconds"]


# --- 5. import of a 10,000-row appendix ---------------------------------------------------------

def make_appendix(rows: int, path: Path) -> int:
    """A plan of about `rows` items in a scratch jurisdiction, exported by tasks.exports.plan_xlsx
    (the import layout), then rolled back: the file imports as a new plan."""
    from agencies.models import Agency, Jurisdiction
    from reporting.devdata.synthetic import Size, _items
    from tasks.exports import plan_xlsx
    from tasks.models import Plan, PlanItem

    activities = 24
    groups = 20
    themes = max(1, round(rows / (1 + groups * (1 + activities))))
    size = Size(themes=themes, groups_per_theme=groups, activities_per_group=activities)

    def build():
        jurisdiction = Jurisdiction.objects.create(name="Tỉnh Nhập Thử Benchmark", kind="province")
        agencies = Agency.objects.bulk_create([Agency(jurisdiction=jurisdiction, name=f"Sở Thử Nghiệm số {i + 1}",
                                                      kind="department", search_text="") for i in range(40)])
        plan = Plan.objects.create(code="bench-import", number="999/KH-UBND", jurisdiction=jurisdiction,
                                   title="Kế hoạch thử nghiệm nhập 10.000 dòng giai đoạn 2023 - 2030",
                                   period_start=2023, period_end=2030, focal_agency=agencies[0])
        _items(plan, agencies, size, random.Random(5))
        path.write_bytes(plan_xlsx(plan))
        return PlanItem.objects.filter(plan=plan).count()

    n, _ = rolled_back(build)
    return n


def scenario_import(args) -> dict:
    from openpyxl import load_workbook

    from tasks.importers.load import import_appendix

    path = Path(args.tmp) / "appendix-10000.xlsx"
    items = make_appendix(args.rows, path)

    def read_only():  # what openpyxl needs just to read the file, in the importer's own mode
        wb = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
        return cells

    def one_import():
        report = import_appendix(path)
        assert not getattr(report, "errors", None), report.errors
        return report

    times, base = [], []
    rolled_back(one_import)  # warm-up
    read_only()
    for _ in range(args.runs):
        report, seconds = rolled_back(one_import)
        times.append(seconds)
        start = time.perf_counter()
        cells = read_only()
        base.append(time.perf_counter() - start)
    return {"name": "5. Import of the appendix spreadsheet", **summary(times),
            "data": f"{items:,} item rows ({path.stat().st_size / 1e6:.1f} MB, {cells:,} cells)",
            "baseline": {"what": "openpyxl load_workbook(read_only) reading every cell of the same file", **summary(base)},
            "ratio": statistics.median(times) / statistics.median(base), "peak_rss_bytes": max_rss_bytes(),
            "items": items}


# --- 6a. province report PDF --------------------------------------------------------------------

def biggest_cycle():
    return (ReportingCycle.objects.filter(kind="annual", year=2026).annotate(n=Count("reports"))
            .order_by("-n", "pk").first())


def scenario_pdf(args) -> dict:
    from reporting.province.pdf import province_report_pdf
    from reporting.province.build import build

    cycle = biggest_cycle()
    times, build_times, size = [], [], 0
    province_report_pdf(build(cycle))  # warm-up: fonts, templates
    for _ in range(args.runs):
        start = time.perf_counter()
        report = build(cycle)
        middle = time.perf_counter()
        data = province_report_pdf(report)
        times.append(time.perf_counter() - start)
        build_times.append(middle - start)
        size = len(data)
    n = Report.objects.filter(cycle=cycle).count()
    return {"name": "6. Province report PDF, one plan", **summary(times),
            "data": f"plan {cycle.plan.code}, cycle {cycle.year}: {n} reports; PDF {size / 1e3:.0f} kB",
            "build_median_s": statistics.median(build_times), "peak_rss_bytes": max_rss_bytes()}


# --- 6b. national Excel export ------------------------------------------------------------------

def scenario_excel(args) -> dict:
    from openpyxl import Workbook

    from reporting.dashboards.export import ALL_REPORTS_HEADERS, all_reports_rows, all_reports_xlsx

    target = Path(args.tmp) / "all-reports.xlsx"
    all_reports_xlsx(target)  # warm-up
    times = []
    n = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        n = all_reports_xlsx(target)
        times.append(time.perf_counter() - start)
    export_rss = max_rss_bytes()
    size = target.stat().st_size
    rows = list(all_reports_rows())  # the same cells, in memory, for the baseline only

    def write_only():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Báo cáo")
        ws.append(ALL_REPORTS_HEADERS)
        for row in rows:
            ws.append(row)
        wb.save(Path(args.tmp) / "baseline.xlsx")

    base = []
    write_only()
    for _ in range(args.runs):
        start = time.perf_counter()
        write_only()
        base.append(time.perf_counter() - start)
    return {"name": "6. National Excel export, all reports", **summary(times),
            "data": f"{n:,} reports × {len(ALL_REPORTS_HEADERS)} columns; file {size / 1e6:.1f} MB",
            "baseline": {"what": "openpyxl write_only writing the same cells (already in memory) to a file",
                         **summary(base)},
            "ratio": statistics.median(times) / statistics.median(base), "peak_rss_bytes": export_rss,
            "note": "peak memory measured before the baseline loads every row into memory"}


# --- 7. reminder job ----------------------------------------------------------------------------

def make_every_agency_due() -> None:
    """The worst day: every agency of the data set owes reports in the open 2026 annual cycles. The
    2026 reports of each plan are dealt out in turn over all the agencies of the plan's province
    (≈200 reports over 150 agencies, so each leads one or two) and put back to "draft". Runs inside
    the rolled-back transaction, before the clock starts."""
    from agencies.models import Agency

    by_province: dict[int, list[int]] = {}
    for pk, jurisdiction_id in Agency.objects.order_by("pk").values_list("pk", "jurisdiction_id"):
        by_province.setdefault(jurisdiction_id, []).append(pk)
    reports = list(Report.objects.filter(cycle__kind="annual", cycle__year=2026)
                   .order_by("cycle_id", "pk").values_list("pk", "cycle_id", "cycle__plan__jurisdiction_id"))
    dealt, position = [], {}
    for pk, cycle_id, jurisdiction_id in reports:
        agencies = by_province.get(jurisdiction_id)
        if not agencies:
            continue
        n = position.get(cycle_id, 0)
        position[cycle_id] = n + 1
        dealt.append(Report(pk=pk, agency_id=agencies[n % len(agencies)], state=Report.State.DRAFT))
    Report.objects.bulk_update(dealt, ["agency", "state"], batch_size=2000)


def scenario_reminders(args) -> dict:
    from agencies.models import Agency
    from reporting.notices import reminders
    from reporting.models import Notice

    day = dt.date.fromisoformat(args.day)
    agencies = Agency.objects.count()
    prepare = make_every_agency_due if args.worst else None

    def measured(func):
        """rolled_back(func), with the worst day's data change made first, untimed."""
        return rolled_back(func, prepare)

    def dry():
        return reminders.pending(reminders.collect(day))

    def real():
        record = reminders.run(day, inline=True)
        sent = Notice.objects.filter(state="sent").count()
        return record.planned, record.dispatched, sent

    due, _ = measured(dry)
    measured(real)  # warm-up
    times, dry_times, outcome = [], [], None
    for _ in range(args.runs):
        outcome, seconds = measured(real)
        times.append(seconds)
        _, seconds = measured(dry)
        dry_times.append(seconds)
    planned, dispatched, sent = outcome
    reminded = len({d.agency_id for d in due if d.agency_id})
    data = f"{agencies:,} agencies; on {day}: {planned:,} reminders for {reminded:,} agencies, {sent:,} delivered"
    if args.worst:
        data += (" — worst day: every agency owes reports (each plan's 2026 reports dealt out over all the agencies "
                 "of its province and set back to draft)")
    return {"name": "7. Reminder job" + (", worst day (every agency due)" if args.worst else ""), **summary(times),
            "data": data,
            "baseline": {"what": "the same day's dry run (collect + pending: reads only, nothing written or sent)",
                         **summary(dry_times)},
            "ratio": statistics.median(times) / statistics.median(dry_times), "peak_rss_bytes": max_rss_bytes(),
            "api": "reporting.notices.reminders.run(day, inline=True)", "reminders": planned, "agencies_reminded": reminded}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["import", "pdf", "excel", "reminders"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--day", default="2026-11-29")
    parser.add_argument("--worst", action="store_true",
                        help="reminders: the worst day, every agency owes reports (data changed, then rolled back)")
    parser.add_argument("--tmp", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gp-bench-") as tmp:
        args.tmp = args.tmp or tmp
        func = {"import": scenario_import, "pdf": scenario_pdf, "excel": scenario_excel,
                "reminders": scenario_reminders}[args.scenario]
        emit(func(args))


if __name__ == "__main__":
    main()
