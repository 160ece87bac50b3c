"""Scenario 9, slow intranets: what a page sends, and how soon the report form can be typed into on a
slow link.

gunicorn with production settings behind nginx from Debian (gzip on, as deploy/nginx.conf), Debian's
Chromium through Playwright. For the login page, the officer's report form and the leadership
dashboard: the bytes on the wire (compressed, headers excluded) of the HTML, CSS, JS and the rest,
on a first visit (empty cache) and on a repeat visit (static files cached for a year under hashed
names, so only the HTML travels again). Then the report form on a throttled link (Chromium's network
emulation: 1 Mbit/s both ways, 150 ms round trip): the time from the click on the link until its
first text area is visible and editable. Prints one JSON document.

    python bench/page_weight.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, emit, setup_django

setup_django()

from agencies.models import JurisdictionRole, Membership  # noqa: E402
from reporting.devdata.synthetic import PASSWORD  # noqa: E402
from reporting.models import Report  # noqa: E402

PY = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 1_000_000 / 8, "uploadThroughput": 1_000_000 / 8}
GOALS_KB = {"report form": (60, 20), "dashboard": (150, 20), "login page": (None, 20)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def nginx_conf(root: Path, port: int, upstream: int) -> Path:
    """The balancer's compression and proxying (deploy/nginx.conf), on loopback."""
    user = "user root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(f"""{user}
daemon off;
worker_processes 1;
pid {root / 'nginx.pid'};
error_log {root / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root / 'body'};
    proxy_temp_path {root / 'proxy'};
    fastcgi_temp_path {root / 'fastcgi'};
    uwsgi_temp_path {root / 'uwsgi'};
    scgi_temp_path {root / 'scgi'};
    include {ROOT / 'deploy' / 'gzip.conf'};
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
""")
    return conf


def users() -> dict:
    officer = (Membership.objects.filter(role="officer", agency__reports__cycle__year=2026,
                                         agency__reports__state__in=["missing", "draft", "returned"])
               .select_related("user").order_by("pk").first())
    report = (Report.objects.filter(agency_id=officer.agency_id, cycle__year=2026,
                                    state__in=["missing", "draft", "returned"]).order_by("pk").first())
    leader = JurisdictionRole.objects.filter(role="leader").select_related("user").order_by("pk").first()
    cycle = report.cycle_id
    return {"officer": officer.user.username, "report": report.pk, "leader": leader.user.username,
            "dashboard_cycle": cycle}


def kind_of(response) -> str:
    ctype = (response.headers.get("content-type") or "").split(";")[0]
    if response.request.resource_type == "document":
        return "html"
    if ctype == "text/css":
        return "css"
    if "javascript" in ctype:
        return "js"
    return "other"


def weigh(page, url: str) -> dict:
    """Bytes on the wire by kind while `url` loads (responses served from the cache weigh nothing)."""
    sizes = {"html": 0, "css": 0, "js": 0, "other": 0}
    finished = []

    def done(request):
        finished.append(request)

    page.on("requestfinished", done)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", done)
    for request in finished:
        response = request.response()
        if response is None or response.from_service_worker:
            continue
        body = request.sizes()["responseBodySize"]
        if response.status == 304 or body < 0:
            body = 0
        sizes[kind_of(response)] += body
    sizes["total"] = sum(sizes.values())
    return sizes


def login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def measure(base: str, who: dict, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    pages = {
        "login page": (None, "/accounts/login/"),
        "report form": (who["officer"], f"/reports/{who['report']}/"),
        "dashboard": (who["leader"], f"/dashboard/cycle/{who['dashboard_cycle']}/"),
    }
    out = {"pages": {}, "typable_s": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, (user, path) in pages.items():
                context = browser.new_context()
                page = context.new_page()
                if user:
                    login(page, base, user)
                    # The login's own page view filled the cache with the shared CSS/JS: start empty.
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.clearBrowserCache")
                first = weigh(page, base + path)
                repeat = weigh(page, base + path)
                out["pages"][name] = {"path": path, "first": first, "repeat": repeat,
                                      "goal_kb": GOALS_KB[name]}
                context.close()
            # The report form on a slow link: from the click in the officer's list to a text area that
            # takes typing. Each run starts with an empty cache (the worst case: the first visit).
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                login(page, base, who["officer"])
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.clearBrowserCache")
                cdp.send("Network.emulateNetworkConditions", SLOW)
                started = time.perf_counter()
                page.goto(base + f"/reports/{who['report']}/", wait_until="commit")
                area = page.locator("textarea").first
                area.wait_for(state="visible", timeout=30_000)
                while not area.is_editable():
                    time.sleep(0.01)
                out["typable_s"].append(time.perf_counter() - started)
                context.close()
        finally:
            browser.close()
    out["typable"] = {"median_s": statistics.median(out["typable_s"]), "max_s": max(out["typable_s"]),
                      "runs": len(out["typable_s"]), "link": "1 Mbit/s, 150 ms round trip", "goal_s": 3}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    who = users()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-weight-"))
    tmp.chmod(0o755)
    app_port, front_port = free_port(), free_port()
    gunicorn = subprocess.Popen(
        [str(Path(PY).with_name("gunicorn")), "greenplan.wsgi", "--bind", f"127.0.0.1:{app_port}", "--workers", "2",
         "--pid", str(tmp / "gunicorn.pid"), "--worker-tmp-dir", "/dev/shm"],
        cwd=ROOT, env=os.environ | {"SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nginx = None
    try:
        wait_http(f"http://127.0.0.1:{app_port}/healthz")
        nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(nginx_conf(tmp, front_port, app_port))],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{front_port}/healthz")
        result = measure(f"http://127.0.0.1:{front_port}", who, args.runs)
    finally:
        for proc, sig in ((nginx, signal.SIGQUIT), (gunicorn, signal.SIGTERM)):
            if proc is not None and proc.poll() is None:
                proc.send_signal(sig)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    emit(result)


if __name__ == "__main__":
    main()
