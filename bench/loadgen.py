"""A small, bounded HTTP load generator (asyncio, HTTP/1.1 on raw sockets) for the deadline-day burst.

    python bench/loadgen.py --port 8123 --plan plan.json --healthz-seconds 20 --mix-seconds 60

Only 127.0.0.1 is ever contacted. Every simulated user logs in once with Django's login form
(CSRF token, session cookie), then:

1. the baseline phase: every user requests --baseline-path (/healthz, or the smallest logged-in
   page for the saturation scenario) back to back, no think time, for --healthz-seconds: the
   ceiling of this stack and this generator for that view;
2. mix phase: for --mix-seconds each user works on its own agency's reports with a think time
   between requests (--think-max 0: none, the saturation scenario): about 60% page views (home, report form; the form refreshes base_version),
   30% draft saves (POST /reports/<id>/save/ with base_version) and 10% submissions (heads only).

Every answer is classified: ok, refused (a legitimate 409 conflict or a workflow refusal) or error.
Successful saves (302 to ?saved=1) and submissions (302 carrying a success message) are counted per
report, so the caller can compare them with the ReportEvent rows in the database. Prints one JSON
document.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import re
import resource
import time
import zlib
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
BASE_VERSION = re.compile(rb'name="base_version" value="(\d+)"')
TIMEOUT = 30.0
EDITABLE = ("missing", "draft", "returned")
SUBMITTABLE = ("draft", "returned")
STATUSES = ["on_schedule", "behind", "completed", "not_started"]


class Response:
    __slots__ = ("status", "headers", "cookies", "body")

    def __init__(self, status, headers, cookies, body):
        self.status, self.headers, self.cookies, self.body = status, headers, cookies, body


async def request(port: int, method: str, path: str, *, cookies: dict, body: bytes = b"", extra=()) -> Response:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), TIMEOUT)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "X-Forwarded-Proto: https",
                 "Connection: close", "User-Agent: greenplan-bench", "Accept-Language: vi"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
                      f"Origin: https://{HOST}:{port}"]
        lines += list(extra)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), TIMEOUT)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split(" ", 2)[1])
    headers, set_cookies = {}, {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            k, _, rest = value.partition("=")
            set_cookies[k] = rest.split(";", 1)[0]
        else:
            headers[name] = value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _unchunk(payload)
    return Response(status, headers, set_cookies, payload)


def _unchunk(data: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = data.find(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2:end + 2 + size])
        pos = end + 2 + size + 2


def message_levels(cookie_value: str) -> list[int]:
    """Levels of the messages in Django's signed `messages` cookie (25 success, 40 error), read
    without the key: the generator only needs to know which answer the user saw."""
    value = cookie_value.strip('"')
    payload = value.rsplit(":", 1)[0] if ":" in value else value
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        data = zlib.decompress(data)
    levels = []

    def walk(obj):
        if isinstance(obj, list):
            if obj and obj[0] == "__json_message" and len(obj) >= 3:
                levels.append(int(obj[2]))
            else:
                for o in obj:
                    walk(o)
    walk(json.loads(data))
    return levels


class Stats:
    def __init__(self):
        self.samples = []  # (kind, latency_s, outcome)
        self.errors: dict[str, int] = {}
        self.successes: dict[str, dict[str, int]] = {"save": {}, "submit": {}}

    def add(self, kind, latency, outcome, detail=""):
        self.samples.append((kind, latency, outcome))
        if outcome == "error":
            self.errors[detail] = self.errors.get(detail, 0) + 1

    def success(self, kind, report_id):
        d = self.successes[kind]
        d[str(report_id)] = d.get(str(report_id), 0) + 1


class User:
    def __init__(self, spec, port, rng):
        self.username, self.role = spec["username"], spec["role"]
        self.reports = {r["id"]: dict(r) for r in spec["reports"]}
        self.port, self.rng = port, rng
        self.cookies: dict[str, str] = {}
        self.baseline_path = "/healthz"

    async def call(self, method, path, body=b""):
        response = await request(self.port, method, path, cookies=self.cookies, body=body)
        for k, v in response.cookies.items():
            if k != "messages":  # a browser would show them once; the generator reads them instead
                self.cookies[k] = v
        return response

    async def login(self, password):
        page = await self.call("GET", "/accounts/login/")
        token = CSRF_FIELD.search(page.body)
        if page.status != 200 or not token:
            raise RuntimeError(f"{self.username}: login page answered {page.status}")
        body = urlencode({"username": self.username, "password": password,
                          "csrfmiddlewaretoken": token.group(1).decode()}).encode()
        answer = await self.call("POST", "/accounts/login/", body)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username}: login answered {answer.status}")

    def pick(self, states, need_status=False):
        ids = [i for i, r in self.reports.items() if r["state"] in states and (r["status"] or not need_status)]
        return self.rng.choice(ids) if ids else None

    def choose(self) -> tuple[str, int | None]:
        roll = self.rng.random()
        if roll < 0.6:
            return ("home", None) if self.rng.random() < 0.5 else ("form", self.rng.choice(list(self.reports)))
        wants_submit = self.role == "head" and roll >= 0.8  # heads: 20% submits, 20% saves; officers: 40% saves
        if wants_submit:
            target = self.pick(SUBMITTABLE, need_status=True)
            if target:
                return "submit", target
        target = self.pick(EDITABLE)
        if target:
            return "save", target
        return "form", self.rng.choice(list(self.reports))

    async def act(self, stats: Stats, kind: str, report_id):
        start = time.perf_counter()
        outcome, detail = "ok", ""
        try:
            if kind == "healthz":
                r = await self.call("GET", self.baseline_path)
                outcome = "ok" if r.status == 200 else "error"
                detail = f"{self.baseline_path} {r.status}"
            elif kind == "home":
                r = await self.call("GET", "/reports/")
                outcome, detail = ("ok", "") if r.status == 200 else ("error", f"home {r.status}")
            elif kind == "form":
                r = await self.call("GET", f"/reports/{report_id}/")
                if r.status == 200:
                    m = BASE_VERSION.search(r.body)
                    if m:
                        self.reports[report_id]["version"] = int(m.group(1))
                else:
                    outcome, detail = "error", f"form {r.status}"
            elif kind == "save":
                rep = self.reports[report_id]
                status = rep["status"] or self.rng.choice(STATUSES)
                body = urlencode({
                    "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "base_version": rep["version"],
                    "status": status, "percent_complete": self.rng.randint(5, 95),
                    "results": f"Cập nhật kết quả lúc {time.strftime('%H:%M:%S')}: đã triển khai các nội dung theo kế hoạch.",
                    "outputs": "Báo cáo đánh giá", "difficulties": "", "proposals": "",
                    "funds_local": f"{self.rng.randint(1, 900)}.000.000",
                }).encode()
                r = await self.call("POST", f"/reports/{report_id}/save/", body)
                if r.status == 302 and "saved=1" in r.headers.get("location", ""):
                    rep.update(version=rep["version"] + 1, status=status,
                               state="draft" if rep["state"] == "missing" else rep["state"])
                    stats.success("save", report_id)
                elif r.status == 409:
                    outcome, detail = "refused", "save 409 conflict"
                    m = BASE_VERSION.search(r.body)
                    if m:
                        rep["version"] = int(m.group(1))
                elif r.status == 302 and "/accounts/login/" not in r.headers.get("location", ""):
                    outcome, detail = "refused", "save refused"
                else:
                    outcome, detail = "error", f"save {r.status}"
            elif kind == "submit":
                rep = self.reports[report_id]
                body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()
                r = await self.call("POST", f"/reports/{report_id}/submit/", body)
                levels = message_levels(r.cookies["messages"]) if "messages" in r.cookies else []
                if r.status == 302 and 25 in levels:
                    rep["state"] = "submitted"
                    stats.success("submit", report_id)
                elif r.status == 302 and 40 in levels:
                    outcome, detail = "refused", "submit refused"
                else:
                    outcome, detail = "error", f"submit {r.status} {levels}"
        except Exception as exc:  # timeouts, resets: errors, never retried
            outcome, detail = "error", f"{kind}: {type(exc).__name__}"
        stats.add(kind, time.perf_counter() - start, outcome, detail)


async def phase(users, *, seconds, think, mix: bool, rng) -> tuple[Stats, float, float]:
    stats = Stats()
    deadline = time.perf_counter() + seconds

    async def loop(user: User):
        if think:
            await asyncio.sleep(rng.uniform(0, think[1]))  # spread the start
        while time.perf_counter() < deadline:
            kind, target = user.choose() if mix else ("healthz", None)
            await user.act(stats, kind, target)
            if think:
                await asyncio.sleep(user.rng.uniform(*think))

    cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    stats.started_at = time.time()  # wall clock: burst.py matches it with its CPU samples of the server
    start = time.perf_counter()
    await asyncio.gather(*(loop(u) for u in users))
    wall = time.perf_counter() - start
    stats.ended_at = time.time()
    cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu0
    return stats, wall, cpu


def report(stats: Stats, wall: float, cpu: float, cores: int) -> dict:
    from common import percentile

    lat = [s[1] for s in stats.samples]
    by_kind = {}
    for kind in sorted({s[0] for s in stats.samples}):
        ks = [s for s in stats.samples if s[0] == kind]
        by_kind[kind] = {"n": len(ks), "ok": sum(s[2] == "ok" for s in ks), "refused": sum(s[2] == "refused" for s in ks),
                         "errors": sum(s[2] == "error" for s in ks),
                         "p50_s": percentile([s[1] for s in ks], 50), "p95_s": percentile([s[1] for s in ks], 95)}
    return {"requests": len(lat), "seconds": wall, "rps": len(lat) / wall if wall else 0,
            "p50_s": percentile(lat, 50), "p95_s": percentile(lat, 95), "p99_s": percentile(lat, 99),
            "max_s": max(lat) if lat else 0, "errors": sum(s[2] == "error" for s in stats.samples),
            "refused": sum(s[2] == "refused" for s in stats.samples), "error_kinds": stats.errors,
            "by_kind": by_kind, "generator_cpu_s": cpu, "generator_cores": cpu / wall if wall else 0,
            "generator_cpu_share": cpu / wall / cores if wall else 0,
            "started_at": getattr(stats, "started_at", None), "ended_at": getattr(stats, "ended_at", None),
            "successes": stats.successes}


async def main_async(args) -> dict:
    import os

    spec = json.loads(open(args.plan).read())
    rng = random.Random(args.seed)
    users = [User(u, args.port, random.Random(f"{args.seed}-{u['username']}")) for u in spec["users"]]
    cores = os.cpu_count() or 1
    sem = asyncio.Semaphore(args.login_concurrency)
    failures = []

    async def login(u):
        async with sem:
            try:
                await u.login(spec["password"])
            except Exception as exc:
                failures.append(f"{u.username}: {exc}")

    t0 = time.perf_counter()
    await asyncio.gather(*(login(u) for u in users))
    login_s = time.perf_counter() - t0
    users = [u for u in users if "sessionid" in u.cookies]
    out = {"users": len(users), "login_failures": failures, "login_seconds": login_s,
           "baseline_path": args.baseline_path}
    for u in users:
        u.baseline_path = args.baseline_path
    # The pages of the phases a few times before anything is timed, so that no phase pays for the
    # workers' first template compilations and imports (GET only: nothing is written).
    warm = Stats()
    for u in users[:12]:
        await asyncio.gather(*(u.act(warm, kind, target) for kind, target in
                               (("healthz", None), ("home", None), ("form", next(iter(u.reports))))))
    if args.healthz_seconds > 0:
        stats, wall, cpu = await phase(users, seconds=args.healthz_seconds, think=None, mix=False, rng=rng)
        out["healthz"] = report(stats, wall, cpu, cores)
    print(json.dumps({"marker": "mix-start", "t": time.time()}), flush=True)
    think = (args.think_min, args.think_max) if args.think_max > 0 else None
    stats, wall, cpu = await phase(users, seconds=args.mix_seconds, think=think, mix=True, rng=rng)
    out["mix"] = report(stats, wall, cpu, cores)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plan", required=True, help="JSON: password and users with their reports")
    parser.add_argument("--healthz-seconds", type=float, default=20, help="length of the baseline phase")
    parser.add_argument("--baseline-path", default="/healthz")
    parser.add_argument("--mix-seconds", type=float, default=60)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=2.5)
    parser.add_argument("--login-concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
