"""`make bench`: build the national synthetic data set in a PostgreSQL database of its own, run every
scenario with production settings, and write BENCHMARKS.md.

    .venv/bin/python bench/run.py                      # full run (~10 min on 2 cores)
    .venv/bin/python bench/run.py --small --output /tmp/b.md   # CI: tiny data, < 2 minutes
    .venv/bin/python bench/run.py --small --only api --output /tmp/b.md   # one scenario (or a comma-separated few)

The database server is the one of BENCH_DATABASE_URL, else of DATABASE_URL when it is PostgreSQL,
else postgres://postgres@127.0.0.1:5432; the bench database (gp_bench, or gp_bench_small) is
dropped and created again. Each scenario runs in its own process (bench/pages.py, batch.py,
burst.py) and reports JSON; a scenario that breaks makes this script exit non-zero, a goal that is
missed does not: misses are reported in the file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable


def server_url() -> str:
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def reset_database(url: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(with_db(url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def run(cmd: list[str], env: dict, *, what: str, timeout: float = 1800, cwd=ROOT) -> str:
    print(f"bench: {what} …", file=sys.stderr, flush=True)
    start = time.time()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"bench: {what} failed (exit {proc.returncode})")
    print(f"bench: {what} done in {time.time() - start:.1f} s", file=sys.stderr, flush=True)
    return proc.stdout


LOAD: list[tuple[str, str, str]] = []  # (scenario, load average before, after): other work on the machine shows


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def scenario(cmd: list[str], env: dict, what: str, timeout: float = 1800) -> dict:
    before = loadavg()
    out = run([PY] + cmd, env, what=what, timeout=timeout, cwd=BENCH)
    LOAD.append((what, before, loadavg()))
    return json.loads(out.strip().splitlines()[-1])


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def machine() -> dict:
    lscpu = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in sh("lscpu").splitlines())}
    mem = sh("free -h | awk '/^Mem:/ {print $2}'")
    commit = sh(f"git -C {ROOT} rev-parse --short HEAD")
    # The files this script writes do not make the code "uncommitted".
    dirty = bool(sh(f"git -C {ROOT} status --porcelain --untracked-files=no -- . ':!BENCHMARKS.md' ':!BENCHMARKS.json'"))
    return {"cpu": lscpu.get("Model name", platform.processor()), "nproc": sh("nproc"), "memory": mem,
            "os": sh("uname -sr"), "python": platform.python_version(),
            "postgres": sh("psql --version").replace("psql (PostgreSQL) ", ""),
            "commit": commit + (" + uncommitted changes" if dirty else ""),
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


# --- goals -----------------------------------------------------------------------------------------

def ms(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def mb(b):
    return f"{b / 2**20:.0f} MB" if b >= 2**20 else f"{b / 1024:.0f} kB"


def page_goal(r: dict) -> tuple[str, bool]:
    name = r["name"]
    if name.startswith("5."):  # indicators (issue 16): fixed queries, within 3× their raw SQL
        ok = r["ratio"] <= 3 and r.get("fixed_queries", True)
        return "≤ 3× baseline, fixed queries", ok
    if "National overview" in name or "national user" in name:
        ok = r["median_s"] <= 0.300 and r["ratio"] <= 3 and r.get("fixed_queries", True)
        return "median ≤ 300 ms, ≤ 3× baseline, fixed queries", ok
    if name.startswith("3."):
        return "median ≤ 60 ms", r["median_s"] <= 0.060
    ok = r["median_s"] <= 0.150 and r.get("fixed_queries", True)
    return "median ≤ 150 ms, fixed queries", ok


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_markdown(path: Path, info: dict, results: dict, args, wall: float) -> list[tuple]:
    rows = []  # scenario, goal, measured, ratio, verdict
    L = []
    L.append("# greenplan benchmarks\n")
    L.append(f"Written by `make bench` (`bench/run.py{' --small' if args.small else ''}`) on {info['date']}; "
             f"commit {info['commit']}. {'**Small CI run: tiny data, few iterations — not the figures to judge by.**' if args.small else ''}\n")
    L.append(f"Machine: {info['cpu']}, {info['nproc']} cores, {info['memory']} memory; {info['os']}; "
             f"Python {info['python']}; PostgreSQL {info['postgres']}. Whole run: {wall / 60:.1f} min.\n")
    L.append(f"Data (`manage.py make_bench_data{' --small' if args.small else ''}`): {results['data']}\n")
    L.append("Settings: production (DEBUG=0, a random 50-character SECRET_KEY, collectstatic done, "
             "`X-Forwarded-Proto: https` on every request as the reverse proxy sends). Pages are timed in process "
             "with Django's test client (server time, no network); each figure is the median and 95th percentile of "
             f"{args.runs} runs after 2 warm-up requests. **Baseline** = measured in the same run: for pages, the SQL "
             "statements that the page's selectors issue, captured once and replayed as raw SQL through the same "
             "connection; for batch jobs, see each row. *Ratio* = median / baseline median. Peak memory: for pages, "
             "the peak of Python allocations during one request (tracemalloc); for batch jobs, the process's peak RSS "
             "(ru_maxrss, includes Django itself, ~80 MB).\n")

    L.append("\n## Summary\n")
    L.append("| Scenario | Goal | Measured | Ratio to baseline | Result |")
    L.append("|---|---|---|---|---|")
    summary_at = len(L)

    if results.get("pages"):
        L.append("\n## 1–3. Pages (server time, in process)\n")
        L.append("| Scenario | Data | Median | p95 | Queries (smallest plan) | Baseline median | Ratio | Peak (Python) | Goal | Result |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in results.get("pages", []):
        goal, ok = page_goal(r)
        fixed = "fixed" if r.get("fixed_queries") else "**varies**"
        L.append(f"| {r['name']} (`{r['url']}`) | {r['data']} | {ms(r['median_s'])} | {ms(r['p95_s'])} | "
                 f"{r['queries']} ({r.get('queries_small', '?')}: {fixed}) | {ms(r['baseline']['median_s'])} | "
                 f"{r['ratio']:.2f}× | {mb(r['peak_py_bytes'])} | {goal} | {verdict(ok)} |")
        rows.append((r["name"], goal, f"{ms(r['median_s'])} (p95 {ms(r['p95_s'])}), {r['queries']} queries",
                     f"{r['ratio']:.2f}×", ok))
    floor = results.get("page_floor")
    if floor:
        L.append(f"\nFloor, in the same run: {floor['name'].lower()} takes {ms(floor['median_s'])} "
                 f"({floor['queries']} queries) — session, user, middleware and page frame, before a page does "
                 "anything of its own. Above the floor, the pages take: "
                 + "; ".join(f"{r['name']} {(r['median_s'] - floor['median_s']) / r['baseline']['median_s']:.2f}× "
                             "its baseline" for r in results["pages"] if page_goal(r)[0].count("3×")) + ".\n")

    if "burst" in results:
        b = results["burst"]
        mix, hz = b["mix"], b["healthz"]
        worst_rss = max(b["worker_peak_rss_bytes"] or [0])
        ok_burst = (mix["rps"] >= 100 and mix["p95_s"] <= 0.5 and mix["errors"] == 0 and b["db_consistent"]
                    and worst_rss < 300 * 2**20 and not b["login_failures"])
        share = mix["rps"] / hz["rps"] if hz["rps"] else 0
        L.append("\n## 4. Deadline-day burst (gunicorn + PostgreSQL, load generator on 127.0.0.1)\n")
        L.append(f"gunicorn {b['workers']} sync workers (`--pid`, `--worker-tmp-dir /dev/shm`, access log to a file), "
                 f"production settings; generator `bench/loadgen.py` (asyncio, one connection per request, as gunicorn's "
                 f"sync workers close each). {b['users']} users logged in through the login form once each "
                 f"({b['login_seconds']:.1f} s; failures: {len(b['login_failures'])}): {b['heads']} heads and "
                 f"{b['users'] - b['heads']} officers, one per agency, the agencies with the most editable 2026 reports "
                 f"({b['reports_of_users']} reports in all). Think time {args.think_min}–{args.think_max} s between requests.\n")
        L.append("| Phase | Duration | Requests | Throughput | p50 | p95 | p99 | Errors | Refused (409/refusal) | Generator CPU "
                 "| CPU per request: app + database |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for label, p in (("Baseline: `/healthz`, no think time", hz), ("Mix (views, saves, submits)", mix)):
            per_request = (f"{p['app_cpu_ms_per_request']:.1f} + {p['db_cpu_ms_per_request']:.1f} ms "
                           f"({p['app_cores']:.2f} + {p['db_cores']:.2f} cores)" if "app_cpu_ms_per_request" in p else "—")
            L.append(f"| {label} | {p['seconds']:.0f} s | {p['requests']:,} | {p['rps']:.1f} req/s | {ms(p['p50_s'])} | "
                     f"{ms(p['p95_s'])} | {ms(p['p99_s'])} | {p['errors']} {p['error_kinds'] or ''} | {p['refused']} | "
                     f"{p['generator_cores']:.2f} cores ({100 * p['generator_cpu_share']:.0f}% of the machine) | {per_request} |")
        L.append("\n| Request kind | Count | OK | Refused | Errors | p50 | p95 |")
        L.append("|---|---|---|---|---|---|---|")
        for kind, k in mix["by_kind"].items():
            L.append(f"| {kind} | {k['n']:,} | {k['ok']:,} | {k['refused']} | {k['errors']} | {ms(k['p50_s'])} | {ms(k['p95_s'])} |")
        c = b["db_check"]
        L.append(f"\nDatabase afterwards: saves answered with success {c['save']['answered_ok']}, ReportEvent(save) rows "
                 f"{c['save']['rows_in_db']}; submissions answered with success {c['submit']['answered_ok']}, "
                 f"ReportEvent(submit) rows {c['submit']['rows_in_db']}; reports whose counts differ: "
                 f"{c['save']['reports_differing'] + c['submit']['reports_differing']} → "
                 f"{'consistent' if b['db_consistent'] else '**INCONSISTENT**'}. Worker peak RSS (from /proc): "
                 f"{', '.join(mb(x) for x in b['worker_peak_rss_bytes'])}. Mix throughput = {100 * share:.0f}% of the "
                 f"`/healthz` baseline.\n")
        L.append(f"Goal: ≥ 100 req/s, p95 ≤ 500 ms, no errors, database consistent, each worker < 300 MB → {verdict(ok_burst)}.\n")
        rows.append(("4. Deadline-day burst", "≥ 100 req/s, p95 ≤ 500 ms, 0 errors, DB consistent, workers < 300 MB",
                      f"{mix['rps']:.1f} req/s, p95 {ms(mix['p95_s'])}, {mix['errors']} errors, "
                      f"{'consistent' if b['db_consistent'] else 'INCONSISTENT'}, max worker {mb(worst_rss)}",
                      f"{100 * share:.0f}% of /healthz throughput", ok_burst))

    batch = [k for k in ("import", "pdf", "excel", "reminders", "reminders_worst") if k in results]
    if batch:
        L.append("\n## 5–7. Batch jobs\n")
        L.append("| Scenario | Data | Runs | Median | p95 | Baseline | Baseline median | Ratio | Peak RSS | Goal | Result |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    goals = {
        "import": ("≤ 10 s and ≤ 3× openpyxl read", lambda r: r["median_s"] <= 10 and r["ratio"] <= 3),
        "pdf": ("≤ 10 s, peak ≤ 1.5 GB", lambda r: r["median_s"] <= 10 and r["peak_rss_bytes"] <= 1.5 * 2**30),
        "excel": ("≤ 15 s, ≤ 2× openpyxl write-only, peak ≤ 1.5 GB",
                  lambda r: r["median_s"] <= 15 and r["ratio"] <= 2 and r["peak_rss_bytes"] <= 1.5 * 2**30),
        "reminders": ("≤ 30 s", lambda r: r["median_s"] <= 30),
        "reminders_worst": ("≤ 30 s", lambda r: r["median_s"] <= 30),
    }
    for key in ("import", "pdf", "excel", "reminders", "reminders_worst"):
        if key not in results:
            continue
        r = results[key]
        goal, check = goals[key]
        ok = check(r)
        base = r.get("baseline")
        ratio = f"{r['ratio']:.2f}×" if "ratio" in r else "—"
        L.append(f"| {r['name']} | {r['data']} | {r['runs']} | {ms(r['median_s'])} | {ms(r['p95_s'])} | "
                 f"{base['what'] if base else '—'} | {ms(base['median_s']) if base else '—'} | {ratio} | "
                 f"{mb(r['peak_rss_bytes'])} | {goal} | {verdict(ok)} |")
        rows.append((r["name"], goal, f"{ms(r['median_s'])} (p95 {ms(r['p95_s'])}), peak {mb(r['peak_rss_bytes'])}",
                     ratio, ok))
    if "api" in results.get("reminders", {}):
        L.append(f"\nReminder job measured through `{results['reminders']['api']}` (plans the notices and delivers "
                 "them in this process; e-mail through Django's file backend into a temporary folder). The worst "
                 "day is the same day with every agency owing reports (changed inside the rolled-back transaction, "
                 "before the clock starts): one reminder per agency.")
    if batch:
        L.append("\nBatch jobs that write (import, reminders) run inside a transaction rolled back after each run, so "
                 "every run starts from the same data; the PDF is built for the 2026 cycle of the largest plan.\n")

    if "weight" in results:
        L.extend(weight_section(results["weight"], rows))
    if "api" in results:
        L.extend(api_section(results["api"], rows))

    if not args.small and not args.only:  # the recorded run is a full one: comparing a small run with it says nothing
        L.extend(before_and_after(results))
    L.append("\n## Load on the machine\n")
    L.append("Load averages (1, 5, 15 min) before and after each scenario: on 2 cores, anything well above the "
             "scenario's own load means other work shared the machine and the figures are pessimistic.\n")
    L.append("| Scenario | Before | After |")
    L.append("|---|---|---|")
    L.extend(f"| {w} | {b} | {a} |" for w, b, a in LOAD)
    notes = BENCH / "NOTES.md"
    if notes.exists():
        L.append("\n" + notes.read_text())
    summary_rows = [f"| {s} | {g} | {m} | {r} | {verdict(ok)} |" for s, g, m, r, ok in rows]
    L[summary_at:summary_at] = summary_rows
    path.write_text("\n".join(L) + "\n")
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:.1f} kB"


def weight_section(w: dict, rows: list) -> list[str]:
    """Scenario 9: bytes on the wire per page (first and repeat visit) and the report form on a slow link."""
    L = ["\n## 9. Slow intranets: what a page sends, and the report form on a slow link\n",
         "Through nginx with the balancer's compression (`deploy/gzip.conf`) in front of gunicorn (production "
         "settings, collected static files with hashed names cached for a year); Debian's Chromium through "
         "Playwright counts the response bodies as they travel (compressed; headers not counted). First visit: "
         "empty cache. Repeat visit: the same page again (only what is not cached travels).\n",
         "| Page | First: HTML | CSS | JS | Other | **Total** | Repeat: total | Goal (first / repeat) | Result |",
         "|---|---|---|---|---|---|---|---|---|"]
    for name, p in w["pages"].items():
        first, repeat = p["first"], p["repeat"]
        goal_first, goal_repeat = p["goal_kb"]
        ok = (goal_first is None or first["total"] <= goal_first * 1024) and repeat["total"] <= goal_repeat * 1024
        goal = f"{'≤ ' + str(goal_first) + ' kB' if goal_first else '—'} / ≤ {goal_repeat} kB"
        L.append(f"| {name} (`{p['path']}`) | {kb(first['html'])} | {kb(first['css'])} | {kb(first['js'])} | "
                 f"{kb(first['other'])} | **{kb(first['total'])}** | {kb(repeat['total'])} | {goal} | {verdict(ok)} |")
        rows.append((f"9. Page weight: {name}", goal, f"{kb(first['total'])} first, {kb(repeat['total'])} repeat", "—", ok))
    t = w["typable"]
    ok = t["max_s"] <= t["goal_s"]
    L.append(f"\nThe report form on a slow link ({t['link']}, Chromium's network emulation, empty cache): from "
             f"the navigation to a text area that takes typing, median {t['median_s']:.2f} s, worst "
             f"{t['max_s']:.2f} s over {t['runs']} runs; goal ≤ {t['goal_s']} s → {verdict(ok)}.\n")
    rows.append(("9. Report form typable on 1 Mbit/s, 150 ms", f"≤ {t['goal_s']} s",
                 f"{t['median_s']:.2f} s (worst {t['max_s']:.2f} s)", "—", ok))
    return L


def api_section(r: dict, rows: list) -> list[str]:
    """Scenario 10: another system pages through every report with a national token (bench/api_sync.py)."""
    ok = r["fixed_queries"] and r["ratio"] <= 3
    goal = "fixed queries per page, ≤ 3× its raw SQL"
    L = ["\n## 10. API sync: every report through /api/v1/reports/ with a national token\n",
         "A national token (an administrator's, every jurisdiction in scope) lists reports with `updated_since` far "
         "in the past and follows the pages to the end (Django's test client, in process; the token's use is "
         "recorded on every request). *Baseline*: each page's own SQL (count, rows, evidence) replayed raw.\n",
         "| Scenario | Data | Median per page | p95 | First page | Last page | Queries (first / last) | Baseline median "
         "| Ratio | Goal | Result |",
         "|---|---|---|---|---|---|---|---|---|---|---|",
         f"| {r['name']} (`{r['url']}`) | {r['data']} | {ms(r['median_s'])} | {ms(r['p95_s'])} | {ms(r['first_page_s'])} "
         f"| {ms(r['last_page_s'])} | {r['queries']} / {r['queries_last']} "
         f"({'fixed' if r['fixed_queries'] else '**varies**'}) | {ms(r['baseline']['median_s'])} | {r['ratio']:.2f}× "
         f"| {goal} | {verdict(ok)} |"]
    rows.append((r["name"], goal, f"{ms(r['median_s'])} per page (p95 {ms(r['p95_s'])}), {r['queries']} queries",
                 f"{r['ratio']:.2f}×", ok))
    return L


BEFORE = BENCH / "before.json"  # the full run before the performance work of issue 8 (commit 88c3cb8)


def before_and_after(results: dict) -> list[str]:
    """This run beside the recorded run before the fixes (bench/before.json), scenario by scenario."""
    if not BEFORE.exists():
        return []
    before = json.loads(BEFORE.read_text())
    old, info = before["results"], before["machine"]
    L = ["\n## Before and after the fixes\n",
         f"*Before*: the full run of {info['date']} (commit {info['commit']}; {info['cpu']}, {info['nproc']} cores, "
         f"{info['memory']}), kept in "
         "`bench/before.json`; *after*: this run. Each cell is the median (ratio to the same run's baseline).\n",
         "| Scenario | Before | After |", "|---|---|---|"]

    def cell(r):
        ratio = f" ({r['ratio']:.2f}×)" if r.get("ratio") is not None and "baseline" in r else ""
        return f"{ms(r['median_s'])}{ratio}"
    old_pages = {p["name"]: p for p in old.get("pages", [])}
    for page in results.get("pages", []):
        was = old_pages.get(page["name"])
        L.append(f"| {page['name']} | {cell(was) if was else '— (new in this run)'} | {cell(page)} |")
    for key in ("import", "pdf", "excel", "reminders", "reminders_worst"):
        if key in results:
            was = old.get(key)
            L.append(f"| {results[key]['name']} | {cell(was) if was else '— (new in this run)'} | {cell(results[key])} |")
    if "burst" in results and "burst" in old:
        def burst(b):
            m = b["mix"]
            return f"{m['rps']:.1f} req/s, p95 {ms(m['p95_s'])}, p50 {ms(m['p50_s'])}, {m['errors']} errors"
        L.append(f"| 4. Deadline-day burst | {burst(old['burst'])} | {burst(results['burst'])} |")
    return L


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="CI: tiny data, few iterations, short burst (< 2 min)")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--db", default=None, help="bench database name (dropped and created)")
    parser.add_argument("--runs", type=int, default=None, help="runs per page (default 20; small 3)")
    parser.add_argument("--batch-runs", type=int, default=None, help="runs per batch job (default 5; small 1)")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--mix-seconds", type=float, default=None)
    parser.add_argument("--healthz-seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=2.5)
    parser.add_argument("--only", default="", help="comma-separated scenarios to run: pages, import, pdf, excel, "
                        "reminders, burst, weight, api, document (default: all)")
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def wanted(key: str) -> bool:
        return not only or key in only
    small = args.small
    args.runs = args.runs or (3 if small else 20)
    args.batch_runs = args.batch_runs or (1 if small else 5)
    args.users = args.users or (10 if small else 200)
    args.mix_seconds = args.mix_seconds or (8 if small else 60)
    args.healthz_seconds = args.healthz_seconds or (3 if small else 20)
    db = args.db or ("gp_bench_small" if small else "gp_bench")
    started = time.time()

    url = server_url()
    reset_database(url, db)
    mail = Path(tempfile.mkdtemp(prefix="gp-bench-mail-"))
    static = Path(tempfile.mkdtemp(prefix="gp-bench-static-"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=with_db(url, db), DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
               EMAIL_URL=f"filemail:///{mail}", LOG_LEVEL="WARNING", PYTHONPATH=f"{ROOT}{os.pathsep}{BENCH}",
               DJANGO_SETTINGS_MODULE="bench_settings", BENCH_STATIC_ROOT=str(static))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    try:
        manage = [PY, str(ROOT / "manage.py")]
        run(manage + ["migrate", "--noinput", "-v", "0"], env, what="migrate")
        run(manage + ["collectstatic", "--noinput", "-v", "0"], env, what="collectstatic")
        start = time.time()
        out = run(manage + ["make_bench_data"] + (["--small"] if small else []), env, what="make_bench_data")
        results = {"data": out.strip().splitlines()[-1] + f" (built in {time.time() - start:.0f} s)"}
        if wanted("pages"):
            results.update(scenario(["pages.py", "--runs", str(args.runs)], env, "pages (scenarios 1–3)"))
        rows = str(1000 if small else 10_000)
        if wanted("import"):
            results["import"] = scenario(["batch.py", "import", "--runs", str(args.batch_runs), "--rows", rows], env,
                                         "import (scenario 5)")
        if wanted("pdf"):
            results["pdf"] = scenario(["batch.py", "pdf", "--runs", str(args.batch_runs)], env, "province PDF (6)")
        if wanted("excel"):
            results["excel"] = scenario(["batch.py", "excel", "--runs", str(args.batch_runs)], env, "national Excel (6)")
        if wanted("reminders"):
            results["reminders"] = scenario(["batch.py", "reminders", "--runs", str(args.batch_runs)], env,
                                            "reminders (7)")
            results["reminders_worst"] = scenario(["batch.py", "reminders", "--worst", "--runs", str(args.batch_runs)],
                                                  env, "reminders, worst day (7)")
        if wanted("burst"):
            results["burst"] = scenario(
                ["burst.py", "--users", str(args.users), "--mix-seconds", str(args.mix_seconds), "--healthz-seconds",
                 str(args.healthz_seconds), "--workers", str(args.workers), "--think-min", str(args.think_min),
                 "--think-max", str(args.think_max)], env, "deadline-day burst (4)",
                timeout=args.mix_seconds + args.healthz_seconds + 900)
        if wanted("weight"):
            results["weight"] = scenario(["page_weight.py", "--runs", "1" if small else "5"], env,
                                         "page weight and the slow link (9)", timeout=600)
        if wanted("api"):
            results["api"] = scenario(["api_sync.py", "--page-size", "500"], env, "API sync (10)")
    finally:
        shutil.rmtree(mail, ignore_errors=True)
        shutil.rmtree(static, ignore_errors=True)
    info = machine()
    out_path = Path(args.output)
    (out_path.with_suffix(".json")).write_text(json.dumps({"machine": info, "results": results}, indent=1, default=str)) \
        if not small and not only else None
    rows = write_markdown(out_path, info, results, args, time.time() - started)
    if wanted("document"):
        # The scanned plan document's import (issue 4: under 2 s), on the embedded default database.
        doc = subprocess.run([PY, str(BENCH / "import_document.py")], capture_output=True, text=True, check=True)
        seconds = float(doc.stdout.split()[0])
        with out_path.open("a") as fh:
            fh.write(f"\n## Import of the scanned plan 396 document (issue 4)\n\nGoal under 2 s: median {seconds:.2f} s "
                     f"({doc.stderr.strip().lstrip('# ')}), SQLite, parse and write in one transaction → "
                     f"{'met' if seconds < 2 else '**missed**'}.\n")
        rows.append(("Import of the plan 396 document", "≤ 2 s", f"{seconds:.2f} s", "—", seconds < 2))
    print(f"bench: wrote {out_path} in {(time.time() - started) / 60:.1f} min", file=sys.stderr)
    for s, g, m, r, ok in rows:
        print(f"{'met   ' if ok else 'MISSED'} {s}: {m} [{r}] (goal: {g})")


if __name__ == "__main__":
    main()
