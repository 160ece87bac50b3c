"""Scenario 4, the deadline-day burst: gunicorn with production settings in front of PostgreSQL, the
load generator (bench/loadgen.py) on 127.0.0.1, then the database is checked against the answers.

    python bench/burst.py --users 200 --mix-seconds 60 --healthz-seconds 20 --workers 3

Users: the heads and officers of the agencies with the most editable reports in the 2026 cycle, one
user per agency (so no two simulated users edit the same report): heads on the busiest half (they
submit), officers on the other half. Prints one JSON document.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from common import ROOT, emit, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count, Max, Q  # noqa: E402

from agencies.models import Membership  # noqa: E402
from reporting.models import Report, ReportEvent  # noqa: E402
from reporting.devdata.synthetic import PASSWORD  # noqa: E402

PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plan_users(n: int, year: int = 2026) -> list[dict]:
    editable = Q(reports__cycle__year=year, reports__cycle__kind="annual", reports__state__in=["missing", "draft", "returned"])
    agencies = list(Membership.objects.filter(role="head").values_list("agency_id", flat=True))
    from agencies.models import Agency

    ranked = list(Agency.objects.filter(pk__in=agencies).annotate(n=Count("reports", filter=editable))
                  .filter(n__gt=0).order_by("-n", "pk").values_list("pk", flat=True)[:n])
    users = []
    for i, agency_id in enumerate(ranked):
        role = "head" if i < (len(ranked) + 1) // 2 else "officer"
        m = Membership.objects.select_related("user").filter(agency_id=agency_id, role=role).order_by("pk").first()
        reports = list(Report.objects.filter(agency_id=agency_id, cycle__year=year, cycle__kind="annual")
                       .order_by("pk").values("id", "state", "version", "status"))
        users.append({"username": m.user.username, "role": role, "agency_id": agency_id, "reports": reports})
    return users


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on the machine (the bench is its only client while it runs)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def cpu_between(samples: list[tuple[float, dict[int, float], dict[int, float]]], start: float, end: float) -> dict:
    """CPU seconds the gunicorn workers and PostgreSQL used between two wall-clock times, from the
    per-process samples (a process seen only once counts from zero: a backend opened mid-phase)."""
    inside = [s for s in samples if start <= s[0] <= end]
    if len(inside) < 2:
        return {}
    first, last = inside[0], inside[-1]
    out = {}
    for i, name in ((1, "app_cpu_s"), (2, "db_cpu_s"), (3, "front_cpu_s")):
        out[name] = sum(v - first[i].get(pid, 0.0) for pid, v in last[i].items())
    out["seconds"] = last[0] - first[0]
    return out


def wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
            if urllib.request.urlopen(req, timeout=2).status == 200:
                return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz")


class Stack:
    """The web tier under test, started here and stopped here through pid files: one gunicorn in
    front of PostgreSQL, or (nodes=2) two gunicorn "nodes" behind nginx (round robin) with PgBouncer
    in transaction pooling between them and PostgreSQL (tests/nodes/cluster.py's balancer and pooler)."""

    def __init__(self, tmp: Path, *, workers: int, nodes: int = 1):
        self.tmp, self.workers, self.nodes = tmp, workers, nodes
        self.gunicorns: list[tuple[subprocess.Popen, Path]] = []
        self.balancer = self.pooler = None
        self.port = 0

    def start(self) -> "Stack":
        env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        if self.nodes > 1:
            from urllib.parse import urlsplit, urlunsplit

            from tests.nodes.cluster import PgBouncer, _shared_dir

            server = urlsplit(os.environ["DATABASE_URL"])
            self.pooler = PgBouncer(_shared_dir("gp-bench-pgbouncer-"), server.hostname or "127.0.0.1",
                                    server.port or 5432, server.username or "postgres", server.password or "").start()
            pooled = server._replace(netloc=f"{server.username or 'postgres'}@127.0.0.1:{self.pooler.port}")
            env.update(DATABASE_URL=urlunsplit(pooled), DATABASE_POOLING="transaction")
        ports = []
        for n in range(self.nodes):
            home = self.tmp / f"node{n + 1}"
            home.mkdir()
            port = free_port()
            pidfile = home / "gunicorn.pid"
            proc = subprocess.Popen(
                [str(Path(PY).with_name("gunicorn")), "greenplan.wsgi", "--bind", f"127.0.0.1:{port}", "--pid",
                 str(pidfile), "--no-control-socket", "--worker-tmp-dir", "/dev/shm", "--workers", str(self.workers),
                 "--timeout", "120", "--access-logfile", str(home / "access.log"), "--error-logfile",
                 str(home / "error.log")],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.gunicorns.append((proc, pidfile))
            wait_healthy(port)
            assert pidfile.exists(), "gunicorn wrote no pid file"
            ports.append(port)
        self.port = ports[0]
        if self.nodes > 1:
            from tests.nodes.cluster import Nginx

            root = self.tmp / "nginx"
            root.mkdir()
            root.chmod(0o755)
            self.balancer = Nginx(root, ports, forwarded_proto="https").start()
            self.port = self.balancer.port
        return self

    def masters(self) -> list[int]:
        return [proc.pid for proc, _ in self.gunicorns]

    def front_pids(self) -> list[int]:
        """nginx and PgBouncer processes (their CPU is the price of the balancer and the pooler)."""
        pids = []
        if self.balancer and self.balancer.process:
            pids += [self.balancer.process.pid] + worker_pids(self.balancer.process.pid)
        if self.pooler and self.pooler.pidfile.exists():
            pids.append(int(self.pooler.pidfile.read_text().strip() or 0))
        return pids

    def stop(self) -> None:
        if self.balancer:
            self.balancer.stop()
        for proc, pidfile in self.gunicorns:
            if pidfile.exists():
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            else:
                proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.pooler:
            self.pooler.stop()
            shutil.rmtree(self.pooler.root, ignore_errors=True)


def per_request(phase: dict, samples: list) -> None:
    """Where the machine's CPU went during a phase, per request: the app (gunicorn workers), the
    database (PostgreSQL processes) and, through the balancer, nginx + PgBouncer."""
    if not (phase and phase.get("started_at") and phase["requests"]):
        return
    used = cpu_between(samples, phase["started_at"], phase["ended_at"])
    if used:
        n = phase["requests"] * used["seconds"] / phase["seconds"]  # requests inside the sampled span
        for key, name in (("app_cpu_s", "app"), ("db_cpu_s", "db"), ("front_cpu_s", "front")):
            phase[f"{name}_cpu_ms_per_request"] = used[key] / n * 1000
            phase[f"{name}_cores"] = used[key] / used["seconds"]


def db_check(watermark: int, successes: dict) -> tuple[dict, bool]:
    """The database against the answers: every success written once, nothing else."""
    rows = (ReportEvent.objects.filter(id__gt=watermark, kind__in=["save", "submit"])
            .values_list("kind", "report_id").annotate(n=Count("id")))
    in_db = {"save": Counter(), "submit": Counter()}
    for kind, report_id, n in rows:
        in_db[kind][str(report_id)] = n
    answered = {k: Counter(v) for k, v in successes.items()}
    check = {}
    for kind in ("save", "submit"):
        check[kind] = {"answered_ok": sum(answered[kind].values()), "rows_in_db": sum(in_db[kind].values()),
                       "reports_differing": sum(1 for r in set(answered[kind]) | set(in_db[kind])
                                                if answered[kind][r] != in_db[kind][r])}
    return check, all(c["answered_ok"] == c["rows_in_db"] and c["reports_differing"] == 0 for c in check.values())


def burst(*, users: int, workers: int, mix_seconds: float, think: tuple[float, float] | None,
          baseline_seconds: float, baseline_path: str = "/healthz", nodes: int = 1, name: str = "") -> dict:
    """Log `users` users in, run the baseline phase (`baseline_path` back to back) and the mix (with
    `think` seconds between a user's requests, or none: saturation), then check the database."""
    planned = plan_users(users)
    tmp = Path(tempfile.mkdtemp(prefix="gp-burst-"))
    tmp.chmod(0o755)
    (tmp / "plan.json").write_text(json.dumps({"password": PASSWORD, "users": planned}))
    stack = Stack(tmp, workers=workers, nodes=nodes)
    peak_rss: dict[int, int] = {}
    cpu_samples: list[tuple[float, dict[int, float], dict[int, float], dict[int, float]]] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            workers_now = [pid for master in stack.masters() for pid in worker_pids(master)]
            for pid in workers_now:
                peak_rss[pid] = max(peak_rss.get(pid, 0), rss_bytes(pid))
            cpu_samples.append((time.time(), {p: cpu_seconds(p) for p in workers_now},
                                {p: cpu_seconds(p) for p in postgres_pids()},
                                {p: cpu_seconds(p) for p in stack.front_pids()}))
            stop.wait(0.5)

    result = {"name": name, "workers": workers, "nodes": nodes, "users_planned": len(planned),
              "heads": sum(u["role"] == "head" for u in planned), "think": think,
              "reports_of_users": sum(len(u["reports"]) for u in planned)}
    try:
        stack.start()
        watermark = ReportEvent.objects.aggregate(m=Max("id"))["m"] or 0
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        think_min, think_max = think or (0, 0)
        gen = subprocess.run(
            [PY, str(ROOT / "bench" / "loadgen.py"), "--port", str(stack.port), "--plan", str(tmp / "plan.json"),
             "--mix-seconds", str(mix_seconds), "--healthz-seconds", str(baseline_seconds), "--baseline-path",
             baseline_path, "--think-min", str(think_min), "--think-max", str(think_max)],
            cwd=ROOT / "bench", capture_output=True, text=True, timeout=mix_seconds + baseline_seconds + 600)
        stop.set()
        if gen.returncode != 0:
            raise RuntimeError(f"load generator failed: {gen.stderr[-2000:]}")
        result.update(json.loads(gen.stdout.strip().splitlines()[-1]))
        for phase_name in ("healthz", "mix"):
            per_request(result.get(phase_name), cpu_samples)
    finally:
        stop.set()
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    result["db_check"], result["db_consistent"] = db_check(watermark, result["mix"].pop("successes"))
    result["worker_peak_rss_bytes"] = sorted(peak_rss.values(), reverse=True)
    result.get("healthz", {}).pop("successes", None)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--mix-seconds", type=float, default=60)
    parser.add_argument("--healthz-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)),
                        help="gunicorn sync workers (per node)")
    parser.add_argument("--nodes", type=int, default=1, help="2: two gunicorn nodes behind nginx and PgBouncer")
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=2.5)
    parser.add_argument("--name", default="4. Deadline-day burst")
    args = parser.parse_args()
    emit(burst(users=args.users, workers=args.workers, mix_seconds=args.mix_seconds,
               think=(args.think_min, args.think_max), baseline_seconds=args.healthz_seconds, nodes=args.nodes,
               name=args.name))


if __name__ == "__main__":
    main()
