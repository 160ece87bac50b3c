"""Scenario 10: another system syncs every report through the read API (greenplan/api).

    python bench/api_sync.py --page-size 500 [--max-pages N]   (bench/run.py sets the environment)

A national token (an administrator's, every jurisdiction in scope) lists /api/v1/reports/ with
`updated_since` far in the past and follows the pages to the end: every report of the data set.
For each page: the server time (Django's test client, in process) and the number of queries, which
must be the same on the first and the last page. Baseline: the SQL statements of one page (the
count, the page's rows and its evidence) of each page, captured while it is timed and replayed raw
through the same connection. `--max-pages` samples that many pages evenly (always the first and the last).
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time

from common import emit, setup_django, summary

os.environ["API_RATE_PER_MINUTE"] = str(10**9)  # the bench measures time, not the rate limit
setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from greenplan.api.tokens import issue_token  # noqa: E402
from reporting.models import Report  # noqa: E402

SINCE = "2000-01-01T00:00:00+07:00"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--max-pages", type=int, default=0, help="0: every page")
    args = parser.parse_args()
    user, _ = get_user_model().objects.get_or_create(username="bench-api", defaults={"is_superuser": True,
                                                                                      "is_staff": True})
    key = issue_token(user=user, name="bench").key
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Token {key}")
    total = Report.objects.count()
    pages = max(1, math.ceil(total / args.page_size))
    chosen = list(range(1, pages + 1))
    if args.max_pages and pages > args.max_pages:
        step = (pages - 1) / (args.max_pages - 1)
        chosen = sorted({1 + round(i * step) for i in range(args.max_pages)})

    def url(page):
        return f"/api/v1/reports/?updated_since={SINCE.replace('+', '%2B')}&page_size={args.page_size}&page={page}"

    for _ in range(2):  # warm-up: connection, translations, serializers
        assert client.get(url(1)).status_code == 200
    times, queries, seen, statements = [], {}, 0, {}
    for page in chosen:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url(page))
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (page, response.status_code)
        body = response.json()
        assert body["count"] == total
        seen += len(body["results"])
        queries[page] = len(ctx.captured_queries)
        # The page's own reads (count, rows, evidence): not the token's bookkeeping and scope.
        statements[page] = [q["sql"] for q in ctx.captured_queries
                            if q["sql"].lstrip().upper().startswith("SELECT") and "reporting_" in q["sql"]]
    base = []
    with connection.cursor() as cursor:
        for page in chosen:  # each page's SQL, replayed raw: the same pages as the timed ones
            start = time.perf_counter()
            for sql in statements[page]:
                cursor.execute(sql)
                cursor.fetchall()
            base.append(time.perf_counter() - start)
    result = {
        "name": "10. API sync: reports for a national token with updated_since, per page",
        "url": f"/api/v1/reports/?updated_since=…&page_size={args.page_size}",
        "data": f"{total:,} reports, {pages} pages of {args.page_size}"
                + (f" ({len(chosen)} sampled, first and last included)" if len(chosen) < pages else " (every page)"),
        **summary(times),
        "first_page_s": times[0], "last_page_s": times[-1],
        "queries": queries[chosen[0]], "queries_last": queries[chosen[-1]],
        "fixed_queries": len(set(queries.values())) == 1,
        "rows_seen": seen,
        "baseline": {"what": f"{len(statements[chosen[0]])} SQL statements of each page, replayed raw",
                     **summary(base)},
    }
    result["ratio"] = result["median_s"] / statistics.median(base)
    emit(result)


if __name__ == "__main__":
    main()
