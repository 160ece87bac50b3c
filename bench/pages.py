"""Scenarios 1–3: pages timed server-side with Django's test client, in process, production settings.

    python bench/pages.py --runs 20      (bench/run.py sets DATABASE_URL, DEBUG=0, SECRET_KEY)

For each page: median and 95th percentile of the server time, the number of queries (and whether it
stays the same on the smallest plan: a fixed number), the peak of Python allocations during one
request (tracemalloc), and the baseline: the SQL statements that the page's selectors issue, captured
once and replayed as raw SQL through the same connection (`connection.cursor()`), so the page's
time is also a ratio of the database time it cannot avoid.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
from decimal import Decimal
import time

from common import emit, setup_django, summary, traced_peak

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reporting.dashboards import selectors  # noqa: E402
from reporting.models import Report, ReportingCycle  # noqa: E402

User = get_user_model()
YEAR = 2026


def national_user():
    user, _ = User.objects.get_or_create(username="bench-national", defaults={"is_superuser": True, "is_staff": True})
    return user


def cycles_by_size():
    """2026 annual cycles, smallest and largest by number of reports (ties by id: deterministic)."""
    rows = list(ReportingCycle.objects.filter(kind="annual", year=YEAR, plan__code__startswith="bench-")
                .annotate(n=Count("reports")).order_by("n", "pk"))
    return rows[0], rows[-1]


def reviewer_of(cycle):
    return User.objects.filter(jurisdiction_roles__jurisdiction=cycle.plan.jurisdiction_id,
                               jurisdiction_roles__role="reviewer").order_by("pk").first()


def busiest_officer(cycle):
    """The officer of the agency with the most reports in the cycle, and its richest editable report."""
    agency_id = (Report.objects.filter(cycle=cycle, agency__isnull=False, agency__memberships__role="officer")
                 .values("agency_id").annotate(n=Count("id")).order_by("-n", "agency_id").first()["agency_id"])
    officer = User.objects.filter(memberships__agency_id=agency_id, memberships__role="officer").order_by("pk").first()
    report = (Report.objects.filter(cycle=cycle, agency_id=agency_id, state__in=["draft", "returned"])
              .annotate(n=Count("events") + Count("attachments")).order_by("-n", "pk").first()
              or Report.objects.filter(cycle=cycle, agency_id=agency_id).order_by("pk").first())
    return officer, report


def capture_sql(func) -> list[str]:
    connection.queries_log.clear()  # a full log (maxlen 9000) would make the capture look empty
    with CaptureQueriesContext(connection) as ctx:
        func()
    # Reads only: a page's session writes are not part of what it needs to compute.
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


def replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no params: the captured text has them bound already
            cursor.fetchall()


def measure(name, url, user, *, runs, baseline_sql=None, check=None, data="", before_each=None):
    """`before_each`: called (untimed) before every request, e.g. to empty the drawn-page cache so
    that each view is the first one after a change."""
    before_each = before_each or (lambda: None)
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    for _ in range(2):  # warm-up: templates, caches, connection
        before_each()
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
    times = []
    for _ in range(runs):
        before_each()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    before_each()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    n_queries = len(ctx.captured_queries)  # now: a later capture on the same connection may reset the log
    before_each()
    peak, _ = traced_peak(lambda: client.get(url))
    result = {"name": name, "url": url, "user": user.username, "data": data, **summary(times),
              "queries": n_queries, "peak_py_bytes": peak, "bytes": len(response.content)}
    if check is not None:  # the same page on the smallest plan: same number of queries?
        before_each()
        check[1].get(check[0])  # as warm (or as cold) as the measured page
        before_each()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx2:
            r = check[1].get(check[0])
            assert r.status_code == 200
        result["queries_small"] = len(ctx2.captured_queries)
        # Every user's scope is one query (agencies.access.SCOPE_ROWS), so the comparison user's page
        # makes as many as the measured user's when the count is fixed.
        result["fixed_queries"] = result["queries_small"] == result["queries"]
    if baseline_sql:
        replay(baseline_sql)
        base = []
        for _ in range(runs):
            start = time.perf_counter()
            replay(baseline_sql)
            base.append(time.perf_counter() - start)
        result["baseline"] = {"what": f"{len(baseline_sql)} SQL statement(s) of the page's selectors, replayed raw",
                              **summary(base)}
        result["ratio"] = result["median_s"] / statistics.median(base)
    return result


def client_for(user):
    c = Client(HTTP_X_FORWARDED_PROTO="https")
    c.force_login(user)
    return c


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the scenarios whose name starts with this (repeatable), e.g. --only 5.")
    args = parser.parse_args()
    if args.only:  # while working on one page: the others are skipped, the floor is always measured
        global measure
        every = measure

        def measure(name, *a, **kw):
            if name.startswith("The smallest") or any(name.startswith(p) for p in args.only):
                return every(name, *a, **kw)
            return None
    small, big = cycles_by_size()
    national = national_user()
    reviewer, small_reviewer = reviewer_of(big), reviewer_of(small)
    n_big = Report.objects.filter(cycle=big).count()
    n_small = Report.objects.filter(cycle=small).count()
    overview_cycles = ReportingCycle.objects.filter(kind="annual", year=YEAR).count()
    overview_reports = Report.objects.filter(cycle__kind="annual", cycle__year=YEAR).count()
    plan_size = f"plan {big.plan.code} ({big.plan.jurisdiction.name}), cycle {big.year}: {n_big:,} reports"
    results = []

    status_url = f"/dashboard/cycle/{big.pk}/status/"
    status_sql = capture_sql(lambda: (selectors.status_rows(big, selectors.StatusFilters()),
                                      selectors.unassigned_rows(big), selectors.cycle_agencies(big),
                                      selectors.plan_outline(big.plan)))
    results.append(measure("1. Consolidated status, one plan", status_url, reviewer, runs=args.runs,
                           baseline_sql=status_sql, data=plan_size,
                           check=(f"/dashboard/cycle/{small.pk}/status/", client_for(small_reviewer))))

    overview_sql = capture_sql(lambda: selectors.national_overview(national))
    results.append(measure("1. National overview, all plans", "/dashboard/", national, runs=args.runs,
                           baseline_sql=overview_sql,
                           data=f"{overview_cycles} plans, {overview_reports:,} reports in their {YEAR} cycles",
                           check=("/dashboard/", client_for(User.objects.get(pk=small_reviewer.pk)))))

    dash_url = f"/dashboard/cycle/{big.pk}/"
    dash_sql = capture_sql(lambda: selectors.dashboard(big))
    small_dash = (f"/dashboard/cycle/{small.pk}/", client_for(small_reviewer))
    results.append(measure("2. Leadership dashboard, one plan (reviewer)", dash_url, reviewer, runs=args.runs,
                           baseline_sql=dash_sql, data=plan_size, check=small_dash))
    total_reports = Report.objects.count()
    national_data = f"{plan_size}; national admin, {total_reports:,} reports in all"
    results.append(measure("2. Leadership dashboard, national user", dash_url, national, runs=args.runs,
                           baseline_sql=dash_sql, data=national_data,
                           check=(f"/dashboard/cycle/{small.pk}/", client_for(national))))
    # The dashboard is drawn once per state of its rows (reporting.dashboards.drawn_pages): the rows above are
    # views of a drawn page; these are first views after a change, each drawn from the database.
    results.append(measure("2. Leadership dashboard, one plan (reviewer), first view after a change", dash_url,
                           reviewer, runs=args.runs, baseline_sql=dash_sql, data=plan_size, check=small_dash,
                           before_each=cache.clear))
    results.append(measure("2. Leadership dashboard, national user, first view after a change", dash_url, national,
                           runs=args.runs, baseline_sql=dash_sql, data=national_data,
                           check=(f"/dashboard/cycle/{small.pk}/", client_for(national)), before_each=cache.clear))

    # 5. Indicators (issue 16): the dashboard's indicators section is drawn once per state of its rows
    # (its own fingerprint, beside the body's), and each indicator's part once per state of its own
    # rows. Measured here as the first view after a change: before each request one accepted figure
    # of the plan changes (a real UPDATE, committed), so the section is drawn again from the
    # database: the changed indicator from its rows, the others as they were drawn. The body comes
    # from its cache (no report changed). The national comparison: one national indicator across
    # every plan.
    from reporting.dashboards.drawn_pages import dashboard_fingerprint, indicator_fingerprint
    from reporting.dashboards.views import indicator_section
    from reporting.indicators.selectors import comparison
    from reporting.models import IndicatorValue, PlanIndicator

    n_values = IndicatorValue.objects.filter(plan_indicator__plan=big.plan).count()
    n_ind = PlanIndicator.objects.filter(plan=big.plan).count()
    section_sql = capture_sql(lambda: (dashboard_fingerprint(big), indicator_fingerprint(big.plan),
                                       indicator_section(big.plan)))
    changed = {c.pk: IndicatorValue.objects.filter(plan_indicator__plan=c.plan, state="accepted", territory="")
               .order_by("-year", "pk").first() or IndicatorValue.objects.filter(plan_indicator__plan=c.plan,
                                                                               state="accepted").order_by("-year", "pk").first()
               for c in (big, small)}

    turns = itertools.count()

    def change_a_figure():  # one accepted figure of each plan, up and down by turns
        step = Decimal("0.01") if next(turns) % 2 == 0 else Decimal("-0.01")
        for value in changed.values():
            value.value += step
            IndicatorValue.objects.filter(pk=value.pk).update(value=value.value)
    results.append(measure("5. Dashboard indicators section, one plan (reviewer), first view after a change",
                           dash_url, reviewer, runs=args.runs, baseline_sql=section_sql, check=small_dash,
                           before_each=change_a_figure, data=f"{plan_size}; {n_ind} indicators, {n_values:,} figures; "
                                                             "one figure changed before each view"))
    first = PlanIndicator.objects.filter(plan=big.plan).order_by("sort_order", "pk").first()
    if first is not None:
        compare_url = f"/dashboard/indicators/compare/{first.indicator_id}/"
        compare_sql = capture_sql(lambda: comparison(first.indicator, national))
        n_plans = PlanIndicator.objects.filter(indicator_id=first.indicator_id).count()
        n_figures = IndicatorValue.objects.filter(plan_indicator__indicator_id=first.indicator_id).count()
        results.append(measure("5. National comparison of provinces on one indicator", compare_url, national,
                               runs=args.runs, baseline_sql=compare_sql,
                               data=f"{n_plans} plans, {n_figures:,} figures of indicator {first.code}",
                               check=(compare_url, client_for(User.objects.get(pk=small_reviewer.pk)))))

    officer, report = busiest_officer(big)
    mine = Report.objects.filter(agency__memberships__user=officer, cycle__year=YEAR).count()
    small_officer, small_report = busiest_officer(small)
    home_sql = capture_sql(lambda: client_for(officer).get("/reports/"))
    results.append(measure("3. Officer's home", "/reports/", officer, runs=args.runs, baseline_sql=home_sql,
                           data=f"{officer.username}: {mine} reports in {YEAR}",
                           check=("/reports/", client_for(small_officer))))
    form_url = f"/reports/{report.pk}/"
    form_sql = capture_sql(lambda: client_for(officer).get(form_url))
    results.append(measure("3. Report form", form_url, officer, runs=args.runs, baseline_sql=form_sql,
                           data=f"report {report.pk} ({report.state}, {report.events.count()} events, "
                                f"{report.history.count()} history rows, {report.attachments.count()} attachments)",
                           check=(f"/reports/{small_report.pk}/", client_for(small_officer))))
    # The floor: what any logged-in page costs before it does anything of its own (session, user,
    # middleware, the page frame), on the smallest page there is. The overview's ratio is read with it.
    floor = measure("The smallest logged-in page (the empty notifications list)", "/notifications/", national,
                    runs=args.runs)
    emit({"pages": [r for r in results if r is not None], "page_floor": floor})


if __name__ == "__main__":
    main()
