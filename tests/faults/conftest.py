"""Fault injection: private PostgreSQL, Redis, gunicorn and Celery processes this suite may stop
and start without disturbing anything else.

* The tests marked `faults` run only in their own step (`make test-faults`, which sets
  RUN_FAULTS=1 or selects `-m faults`); the main `make test` run deselects them here.
* PostgreSQL: `initdb` into a tmp dir (as the `postgres` user when running as root, since initdb
  refuses root), started with `pg_ctl` on a free port from 55432, schema made by `manage.py migrate`
  in a subprocess. Redis: `redis-server` on a free port from 56379 with a pid file.
* The web process is gunicorn (started with --pid, its pid-file option), the worker is `celery worker` (--pidfile);
  only processes started here are ever stopped, each through its own pid file.
* Without the PostgreSQL binaries or redis-server these tests skip on a laptop and FAIL under
  REQUIRE_SERVICES=1 (CI), like every `services` test.

Nothing here touches pytest-django's test database: data is written and read through subprocesses
running Django against the private database, and through psycopg.
"""
from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "faults-Passw0rd-396"


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


# --- the main run leaves fault tests out ---------------------------------------------------------------

def pytest_collection_modifyitems(config, items):
    wanted = _truthy(os.environ.get("RUN_FAULTS", "")) or "faults" in (config.option.markexpr or "")
    if wanted and "not faults" not in (config.option.markexpr or ""):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("faults") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def unavailable(reason: str):
    """Skip on a laptop; under REQUIRE_SERVICES=1 the fault step must fail instead."""
    if _truthy(os.environ.get("REQUIRE_SERVICES", "")):
        pytest.fail(f"REQUIRE_SERVICES=1 but the fault tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {start}")


def wait_until(condition, seconds: float, what: str, log: Path | None = None, interval: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(interval)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {seconds}s waiting for {what}\n{tail}")


def _kill_pidfile(pidfile: Path, sig=signal.SIGTERM, expect: int | None = None, wait: float = 20) -> None:
    """Signal the process named by `pidfile` (ours: its pid is checked when we know it)."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    if expect is not None and pid != expect:
        raise AssertionError(f"{pidfile} names {pid}, not the process started here ({expect})")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- PostgreSQL -------------------------------------------------------------------------------------------

class Postgres:
    """A private cluster: trust authentication on 127.0.0.1 only, fsync on (durability is tested)."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.data, self.log = root / "data", root / "postgres.log"
        self.socket_dir = root / "socket"
        self.run_as = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no `postgres` user to run initdb as")
            self.run_as = "postgres"

    def _cmd(self, *args: str, check=True, timeout=120) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--"] + cmd
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout, cwd=self.root)

    def init(self) -> None:
        self.socket_dir.mkdir()
        if self.run_as:
            shutil.chown(self.root, self.run_as)
            shutil.chown(self.socket_dir, self.run_as)
        self._cmd(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")

    def start(self) -> None:
        self._cmd(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.socket_dir} -c max_connections=200",
                  "start")

    def stop(self, mode: str = "fast") -> None:
        self._cmd(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    @property
    def running(self) -> bool:
        return self._cmd(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, db: str = "greenplan") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "greenplan"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=db, connect_timeout=5)

    def query(self, sql: str, params=(), db: str = "greenplan") -> list[tuple]:
        conn = self.connect(db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall() if cur.description else []
            conn.commit()
            return rows
        finally:
            conn.close()


@pytest.fixture(scope="session")
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        unavailable(f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql; or set PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="greenplan-faults-pg-"))
    root.chmod(0o755)
    try:
        pg = Postgres(root, free_port(55432))
        pg.init()
        pg.start()
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or ""
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"cannot start a private PostgreSQL: {exc} {detail}")
    try:
        conn = pg.connect("postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE greenplan")
        conn.close()
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR,
                                 env=django_env(pg.url()), capture_output=True, text=True, timeout=300)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        yield pg
    finally:
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# --- Redis ----------------------------------------------------------------------------------------------------

class Redis:
    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.pidfile, self.log = root / "redis.pid", root / "redis.log"

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.pidfile),
                        "--logfile", str(self.log), "--dir", str(self.root)], check=True, timeout=30)
        wait_until(self.ping, 20, f"redis on {self.port}", self.log)

    def stop(self) -> None:
        _kill_pidfile(self.pidfile, signal.SIGTERM)
        wait_until(lambda: not self.ping(), 20, "redis to stop", self.log)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def private_redis():
    if shutil.which("redis-server") is None:
        unavailable("redis-server not found (apt-get install redis-server)")
    root = Path(tempfile.mkdtemp(prefix="greenplan-faults-redis-"))
    redis = Redis(root, free_port(56379))
    try:
        redis.start()
    except Exception as exc:
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"cannot start a private Redis: {exc}")
    try:
        yield redis
    finally:
        if redis.pidfile.exists():
            redis.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- Django in subprocesses ---------------------------------------------------------------------------------

def django_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_ALLOW"))}
    env.update({"DATABASE_URL": database_url, "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "greenplan.settings",
                "REQUIRE_SERVICES": "0", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(BASE_DIR)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_django(code: str, database_url: str, timeout: float = 240, **env) -> dict:
    """Run `code` with Django set up against `database_url`; it prints one JSON object last."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=django_env(database_url, **env),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"subprocess failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED = """
import datetime as dt, json, uuid
from django.contrib.auth import get_user_model
from django.utils import timezone
from agencies.models import Agency, Jurisdiction, JurisdictionRole, Membership
from reporting.models import Report, ReportingCycle, end_of_day
from tasks.models import Plan, PlanItem

N, STATE, PASSWORD = {n}, {state!r}, {password!r}
tag = uuid.uuid4().hex[:6]
today = timezone.localdate()
province = Jurisdiction.objects.create(name=f"Tỉnh Sự Cố {{tag}}")
agency = Agency.objects.create(jurisdiction=province, name=f"Sở Sự Cố {{tag}}")
plan = Plan.objects.create(code=f"su-co-{{tag}}", number=f"{{tag}}/KH-UBND", title="Kế hoạch thử sự cố",
                           jurisdiction=province, period_start=2023, period_end=2030)
theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="Chủ đề")
group = PlanItem.objects.create(plan=plan, level="group", code="1.1", parent=theme, title="Nhóm")
cycle = ReportingCycle.objects.create(plan=plan, year=today.year, opens_on=today - dt.timedelta(days=30),
                                      closes_on=today + dt.timedelta(days=60),
                                      due_at=end_of_day(today + dt.timedelta(days={due_in})))
reports = []
for n in range(N):
    item = PlanItem.objects.create(plan=plan, level="activity", code=f"1.1.{{n + 1}}", parent=group,
                                   title=f"Hoạt động {{n + 1}}", lead_agency=agency, start_year=2023, end_year=2030)
    fields = {{}}
    if STATE != "missing":
        fields = dict(state=STATE, status="on_schedule", percent_complete=50, results="Bản đầu")
        if STATE == "submitted":
            fields["submitted_at"] = timezone.now()
    reports.append(Report.objects.create(cycle=cycle, item=item, agency=agency, **fields).pk)
User = get_user_model()

def person(role):
    return User.objects.create_user(f"{{role}}-{{tag}}", f"{{role}}-{{tag}}@example.vn", PASSWORD, first_name=role)

officer, head, reviewer = person("officer"), person("head"), person("reviewer")
Membership.objects.create(user=officer, agency=agency, role="officer")
Membership.objects.create(user=head, agency=agency, role="head")
JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
print(json.dumps({{"tag": tag, "reports": reports, "cycle": cycle.pk, "agency": agency.pk,
                  "officer": officer.username, "head": head.username, "reviewer": reviewer.username,
                  "officer_id": officer.pk, "head_id": head.pk, "reviewer_id": reviewer.pk}}))
"""


def seed(database_url: str, *, reports: int = 3, state: str = "draft", due_in: int = 3) -> dict:
    """A province, one agency owing `reports` reports (in `state`), an officer, a head, a reviewer."""
    return run_django(SEED.format(n=reports, state=state, password=PASSWORD, due_in=due_in), database_url)


# --- the web process ---------------------------------------------------------------------------------------------

class Gunicorn:
    """gunicorn serving greenplan like production (DEBUG=0), stopped through its pid file."""

    def __init__(self, root: Path, database_url: str, redis_url: str = "", workers: int = 2, threads: int = 4, **env):
        self.root = root
        self.port = free_port(58000)
        self.pidfile, self.log = root / "gunicorn.pid", root / "gunicorn.log"
        self.media, self.mail = root / "media", root / "mail"
        self.media.mkdir(exist_ok=True)
        self.mail.mkdir(exist_ok=True)
        # Production settings, but plain static storage (no collectstatic manifest in a test tmp dir).
        (root / "faults_settings.py").write_text(
            "from greenplan.settings import *  # noqa\n"
            "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': "
            "'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n")
        self.env = django_env(
            database_url, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="faults_settings",
            PYTHONPATH=f"{root}{os.pathsep}{BASE_DIR}", DEBUG="0", SECRET_KEY=env.pop("SECRET_KEY", None) or
            secrets.token_urlsafe(50),
            SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", ALLOWED_HOSTS="127.0.0.1,localhost",
            MEDIA_ROOT=self.media, EMAIL_URL=f"filemail:///{self.mail}", SITE_URL="https://greenplan.test",
            LOG_LEVEL="ERROR", **env)
        self.args = [sys.executable, "-m", "gunicorn", "greenplan.wsgi:application", "--bind",
                     f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class", "gthread", "--threads",
                     str(threads), "--timeout", "60", "--graceful-timeout", "5", "--pid", str(self.pidfile),
                     "--error-logfile", str(self.log), "--chdir", str(BASE_DIR)]
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gunicorn":
        self.process = subprocess.Popen(self.args, cwd=BASE_DIR, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(lambda: self.pidfile.exists() and Browser(self.base).get("/healthz")[0] == 200, 60,
                   "gunicorn to answer /healthz", self.log)
        return self

    @property
    def master_pid(self) -> int:
        return int(self.pidfile.read_text().strip())

    def worker_pids(self) -> set[int]:
        pids = set()
        for task in Path(f"/proc/{self.master_pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids |= {int(p) for p in (task / "children").read_text().split()}
        return pids

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        _kill_pidfile(self.pidfile, signal.SIGTERM, expect=self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(15)


class CeleryWorker:
    def __init__(self, root: Path, database_url: str, redis_url: str, mail: Path, media: Path, name: str = "faults",
                 **env):
        self.pidfile, self.log = root / "celery.pid", root / "celery.log"
        self.name = name
        self.env = django_env(database_url, REDIS_URL=redis_url, EMAIL_URL=f"filemail:///{mail}", MEDIA_ROOT=media,
                              SITE_URL="https://greenplan.test", LOG_LEVEL="INFO", **env)
        self.process = None

    def start(self) -> "CeleryWorker":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "greenplan", "worker", "--pool=solo", "--loglevel=INFO",
             f"--pidfile={self.pidfile}", f"--hostname={self.name}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], cwd=BASE_DIR, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: b" ready." in self.log.read_bytes(), 60, "celery worker ready", self.log)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.alive:
            return
        _kill_pidfile(self.pidfile, signal.SIGTERM, expect=self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(15)


@pytest.fixture
def web(tmp_path_factory):
    """`web(database_url, redis_url)` starts gunicorn; every one started is stopped afterwards."""
    started = []

    def start(database_url, redis_url="", **kw):
        server = Gunicorn(tmp_path_factory.mktemp("gunicorn"), database_url, redis_url, **kw).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def celery_worker(tmp_path_factory):
    started = []

    def start(database_url, redis_url, mail, media):
        worker = CeleryWorker(tmp_path_factory.mktemp("celery"), database_url, redis_url, mail, media).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


# --- a browser with a cookie jar -----------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Plain HTTP with cookies and CSRF, never following redirects. Answers (status, body, headers);
    status 0 means no HTTP answer at all (connection refused or reset, timeout)."""

    def __init__(self, base: str, timeout: float = 20):
        self.base, self.timeout = base, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if method == "POST":
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
            req.add_header("X-CSRFToken", self._csrf())
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode(errors="replace"), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace"), dict(err.headers or {})
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            return 0, repr(err), {}

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data)

    def login(self, username: str, password: str = PASSWORD) -> "Browser":
        self.get("/accounts/login/")
        status, body, headers = self.post("/accounts/login/", {"username": username, "password": password})
        assert status == 302, f"login of {username} failed: {status} {body[:500]}"
        return self


def hidden_value(body: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', body) or re.search(rf'value="([^"]*)" name="{name}"', body)
    return match.group(1) if match else None
