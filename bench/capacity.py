"""On paper: what a national deployment needs on deadline day, from the CPU per request this run
measured (bench/saturation.py: gunicorn workers and PostgreSQL, per mix request) and stated
assumptions about the load. bench/run.py writes the result into BENCHMARKS.md, so the model moves
with the code's measured cost.

Every assumption is a named constant below; change one and the next `make bench` restates the model.
"""
from __future__ import annotations

import math

# --- the load of deadline day (assumptions, stated in BENCHMARKS.md) ---------------------------------
PROVINCES = 34
AGENCIES_PER_PROVINCE = 60  # departments, districts and communes that report on a province's plan
USERS_PER_AGENCY = 3  # officers who type, the head who submits
ACTIVE_SHARE = 0.8  # of those users, active during the last three days before the deadline
SESSIONS_PER_ACTIVE_USER = 3  # over the three days
REQUESTS_PER_SESSION = 60  # page views, saves and submissions in the burst's mix (60/30/10)
DAYS = 3
WORKING_HOURS_PER_DAY = 8
PEAK_FACTOR = 4  # the busiest hour (the deadline's afternoon) against the average working hour
# --- how much of a machine to plan on -------------------------------------------------------------
TARGET_UTILISATION = 0.6  # of a core, so the peak hour's own bursts still queue little
WORKERS_PER_WEB_CORE = 2  # gunicorn sync workers per core (a request waits on the database part of the time)
# --- background work on deadline day (Celery) -------------------------------------------------------
PROVINCE_REPORTS_PER_PROVINCE_IN_PEAK_HOUR = 6  # drafts of the province report generated while reports arrive
REMINDER_RUNS_IN_PEAK_HOUR = 1
# --- the database server ----------------------------------------------------------------------------
DB_MAX_CONNECTIONS = 100  # PostgreSQL's default max_connections
DB_RESERVED_CONNECTIONS = 10  # superuser, backups, migrations, monitoring
DB_CORES = 8  # the database machine the model checks against


def model(*, app_ms: float, db_ms: float, pdf_s: float | None, reminders_s: float | None, mix_p50_s: float,
          nproc: int) -> dict:
    users = PROVINCES * AGENCIES_PER_PROVINCE * USERS_PER_AGENCY
    requests = users * ACTIVE_SHARE * SESSIONS_PER_ACTIVE_USER * REQUESTS_PER_SESSION
    average_rps = requests / (DAYS * WORKING_HOURS_PER_DAY * 3600)
    peak_rps = average_rps * PEAK_FACTOR
    web_cores = peak_rps * app_ms / 1000 / TARGET_UTILISATION
    db_cores = peak_rps * db_ms / 1000 / TARGET_UTILISATION
    web_cores_n = max(1, math.ceil(web_cores))
    # Little's law: requests in service at once = arrival rate × time in the system (the burst's median);
    # a sync worker serves one at a time, so there must be enough of them to stay below the target too.
    busy_workers = peak_rps * mix_p50_s
    workers_needed = max(WORKERS_PER_WEB_CORE * web_cores, busy_workers / TARGET_UTILISATION)
    web_workers = max(web_cores_n * WORKERS_PER_WEB_CORE, math.ceil(workers_needed))
    job_seconds = (PROVINCES * PROVINCE_REPORTS_PER_PROVINCE_IN_PEAK_HOUR * (pdf_s or 0)
                   + REMINDER_RUNS_IN_PEAK_HOUR * (reminders_s or 0))
    celery_workers = max(1, math.ceil(job_seconds / 3600 / TARGET_UTILISATION))
    connections = web_workers + celery_workers + 1  # + beat
    usable = DB_MAX_CONNECTIONS - DB_RESERVED_CONNECTIONS
    # How many times the assumed peak the deployment carries before each limit: the first is the
    # smallest. Connections grow with the web workers the load needs (one each, held: CONN_MAX_AGE),
    # i.e. with the web cores; behind PgBouncer they are bounded by its pool instead.
    scale_connections = (usable - celery_workers - 1) / workers_needed if workers_needed else math.inf
    scale_db_cpu = DB_CORES * TARGET_UTILISATION / (peak_rps * db_ms / 1000) if db_ms else math.inf
    scale_this_machine = nproc * TARGET_UTILISATION / (peak_rps * (app_ms + db_ms) / 1000)
    first = min((scale_connections, "database connections (without a pooler)"),
                (scale_db_cpu, f"database CPU ({DB_CORES} cores)"))
    return {"users": users, "requests": requests, "average_rps": average_rps, "peak_rps": peak_rps,
            "web_cores": web_cores, "web_cores_n": web_cores_n, "web_workers": web_workers,
            "busy_workers": busy_workers, "db_cores": db_cores, "db_cores_n": max(1, math.ceil(db_cores)),
            "job_seconds": job_seconds, "celery_workers": celery_workers, "connections": connections,
            "usable_connections": usable, "scale_connections": scale_connections, "scale_db_cpu": scale_db_cpu,
            "scale_this_machine": scale_this_machine, "first_limit": first[1], "first_limit_scale": first[0],
            "app_ms": app_ms, "db_ms": db_ms, "pdf_s": pdf_s, "reminders_s": reminders_s, "nproc": nproc}


def markdown(m: dict) -> list[str]:
    pdf = f"{m['pdf_s']:.1f} s" if m["pdf_s"] else "not measured in this run"
    reminders = f"{m['reminders_s']:.1f} s" if m["reminders_s"] else "not measured in this run"
    return [
        "\n## Capacity model: a national deployment on deadline day (on paper)\n",
        "Computed by `bench/capacity.py` from the dearest CPU per mix request this run measured (scenarios 4, "
        f"4a and 4b, each part at its highest: **{m['app_ms']:.1f} ms** of gunicorn worker CPU and "
        f"**{m['db_ms']:.1f} ms** of PostgreSQL CPU) and "
        "these assumptions (constants in that file):\n",
        f"- {PROVINCES} provinces × {AGENCIES_PER_PROVINCE} agencies × {USERS_PER_AGENCY} users = "
        f"**{m['users']:,}** users; {ACTIVE_SHARE:.0%} of them active in the last {DAYS} days, "
        f"{SESSIONS_PER_ACTIVE_USER} sessions each, {REQUESTS_PER_SESSION} requests per session (the burst's mix) "
        f"→ {m['requests']:,.0f} requests;",
        f"- spread over {DAYS} × {WORKING_HOURS_PER_DAY} working hours: {m['average_rps']:.1f} req/s on average; "
        f"the busiest hour carries {PEAK_FACTOR}× the average → **{m['peak_rps']:.1f} req/s** at peak;",
        f"- cores planned at {TARGET_UTILISATION:.0%} utilisation; {WORKERS_PER_WEB_CORE} gunicorn sync workers per "
        f"web core; Celery: {PROVINCE_REPORTS_PER_PROVINCE_IN_PEAK_HOUR} province-report PDFs per province and "
        f"{REMINDER_RUNS_IN_PEAK_HOUR} reminder run in the peak hour (this run: PDF {pdf}, reminders {reminders});",
        f"- PostgreSQL: max_connections {DB_MAX_CONNECTIONS} ({DB_RESERVED_CONNECTIONS} kept for administration), "
        f"a {DB_CORES}-core database machine.\n",
        "| Resource | Needed at the peak hour | How |",
        "|---|---|---|",
        f"| Web (gunicorn) cores | {m['web_cores']:.2f} → **{m['web_cores_n']}** | peak req/s × "
        f"{m['app_ms']:.1f} ms ÷ {TARGET_UTILISATION:.0%} |",
        f"| gunicorn workers | **{m['web_workers']}** ({m['busy_workers']:.1f} busy at once on average) | "
        f"at least {WORKERS_PER_WEB_CORE} per core, and busy ÷ {TARGET_UTILISATION:.0%} (Little's law: peak req/s × "
        "the burst's median time) |",
        f"| Database cores | {m['db_cores']:.2f} → **{m['db_cores_n']}** | peak req/s × {m['db_ms']:.1f} ms ÷ "
        f"{TARGET_UTILISATION:.0%} |",
        f"| Celery workers | **{m['celery_workers']}** ({m['job_seconds']:.0f} s of jobs in the hour) | "
        "job seconds ÷ 3600 ÷ utilisation |",
        f"| Database connections | **{m['connections']}** of {m['usable_connections']} usable | one per gunicorn "
        "and Celery worker process (held between requests: CONN_MAX_AGE), + beat |",
        "",
        f"Where the first limit falls: the deployment carries **{m['first_limit_scale']:.0f}×** the assumed peak "
        f"before **{m['first_limit']}** runs out (connections at {m['scale_connections']:.0f}×, database CPU at "
        f"{m['scale_db_cpu']:.0f}×). Each web core adds {WORKERS_PER_WEB_CORE} held connections whatever the "
        "database does with them; behind PgBouncer in transaction pooling (scenario 4c, "
        "`DATABASE_POOLING=transaction`) the server sees only the pool's connections (20 by default), so "
        f"connections stop being a limit and the database's CPU is the one left ({m['scale_db_cpu']:.0f}× here; a "
        "bigger database machine moves it). With more workers per core than assumed (threads, or gunicorn's "
        f"2 × cores + 1), connections run out proportionally sooner. This machine alone ({m['nproc']} cores, web and "
        "database together) "
        f"would carry {m['scale_this_machine']:.1f}× the assumed peak at {TARGET_UTILISATION:.0%} utilisation.\n",
    ]
