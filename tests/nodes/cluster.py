"""Several machines on one: two gunicorn "nodes", two Celery workers and beat, sharing nothing but
PostgreSQL (behind PgBouncer in transaction pooling), Redis and the S3 bucket, with nginx from
Debian in front as the balancer (round robin), all on loopback and free ports.

Every process is started here with a pid file and stopped here through it; nothing started
elsewhere is touched. The database is a fresh one made for the run on the PostgreSQL server that
DATABASE_URL names (whatever its database name), and dropped at the end; the Redis is REDIS_URL's
server, on a database number of its own that is flushed first.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.faults.conftest import (BASE_DIR, Browser, CeleryWorker, Gunicorn, _kill_pidfile, django_env, free_port,
                                   wait_until)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
REDIS_DB = 13  # the nodes' own Redis database number, flushed at the start


def missing_tools() -> list[str]:
    return [name for name, path in (("nginx", NGINX), ("pgbouncer", PGBOUNCER)) if not Path(path).exists()]


def _shared_dir(prefix: str) -> Path:
    """A tmp dir other users may read: PgBouncer refuses to run as root and runs as `postgres`."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")
    return ["-u", "postgres"]


class PgBouncer:
    """PgBouncer in transaction pooling in front of the server DATABASE_URL names."""

    def __init__(self, root: Path, host: str, port: int, user: str, password: str = ""):
        self.root, self.port = root, free_port(56432)
        self.pidfile, self.log, self.ini = root / "pgbouncer.pid", root / "pgbouncer.log", root / "pgbouncer.ini"
        (root / "users.txt").write_text(f'"{user}" ""\n')
        self.ini.write_text(f"""[databases]
* = host={host} port={port}{f" password={password}" if password else ""}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {root / 'users.txt'}
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
pidfile = {self.pidfile}
logfile = {self.log}
admin_users = {user}
""")
        for path in root.iterdir():
            path.chmod(0o644)
        self.process = None

    def start(self) -> "PgBouncer":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.process = subprocess.Popen([PGBOUNCER, *_run_as(), str(self.ini)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        import socket

        def listening():
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        wait_until(listening, 30, f"pgbouncer on {self.port}", self.log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            _kill_pidfile(self.pidfile, signal.SIGTERM, expect=self.process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


class Nginx:
    """nginx as the balancer: round robin over the nodes, as a production front would."""

    def __init__(self, root: Path, upstreams: list[int], forwarded_proto: str = "$scheme"):
        """forwarded_proto: what nginx tells the nodes the client's scheme was; "https" stands for a
        balancer that terminates TLS (the bench's, on plain-HTTP loopback)."""
        self.root, self.port = root, free_port(57080)
        self.pidfile, self.conf = root / "nginx.pid", root / "nginx.conf"
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in upstreams)
        user = "user root;" if os.geteuid() == 0 else ""
        self.conf.write_text(f"""{user}
daemon off;
worker_processes 1;
pid {self.pidfile};
error_log {root / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    access_log {root / 'access.log'};
    client_body_temp_path {root / 'body'};
    proxy_temp_path {root / 'proxy'};
    fastcgi_temp_path {root / 'fastcgi'};
    uwsgi_temp_path {root / 'uwsgi'};
    scgi_temp_path {root / 'scgi'};
    client_max_body_size 25m;
    upstream greenplan {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://greenplan;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto {forwarded_proto};
            proxy_read_timeout 120s;
        }}
    }}
}}
""")
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Nginx":
        self.process = subprocess.Popen([NGINX, "-p", str(self.root), "-c", str(self.conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: Browser(self.base).get("/healthz")[0] == 200, 30, "nginx in front of the nodes",
                   self.root / "error.log")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            _kill_pidfile(self.pidfile, signal.SIGQUIT, expect=self.process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


class Beat:
    def __init__(self, root: Path, env: dict):
        self.pidfile, self.log, self.env = root / "beat.pid", root / "beat.log", env
        self.schedule = root / "beat-schedule"
        self.process = None

    def start(self) -> "Beat":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "greenplan", "beat", "--loglevel=INFO", f"--pidfile={self.pidfile}",
             "--scheduler=django_celery_beat.schedulers:DatabaseScheduler"],
            cwd=BASE_DIR, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: b"beat: Starting" in self.log.read_bytes(), 60, "celery beat", self.log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            _kill_pidfile(self.pidfile, signal.SIGTERM, expect=self.process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


@dataclass
class Cluster:
    direct_url: str
    pooled_url: str
    redis_url: str
    storage_url: str
    nodes: list[Gunicorn] = field(default_factory=list)
    workers: list[CeleryWorker] = field(default_factory=list)
    stoppable: list = field(default_factory=list)
    balancer: Nginx | None = None

    @property
    def a(self) -> Gunicorn:
        return self.nodes[0]

    @property
    def b(self) -> Gunicorn:
        return self.nodes[1]

    def stop(self) -> None:
        for process in reversed(self.stoppable):
            with contextlib.suppress(Exception):
                process.stop()


def _database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _redis_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@contextlib.contextmanager
def cluster(database_url: str, redis_url: str, storage_url: str, **job_env):
    """Start everything; yield the Cluster; stop everything and drop the database."""
    import psycopg
    import redis

    server = urlsplit(database_url)
    name = f"gp_nodes_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(host=server.hostname or "127.0.0.1", port=server.port or 5432,
                            user=server.username or "postgres", password=server.password or None, dbname="postgres",
                            autocommit=True)
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    direct = _database_url(database_url, name)
    redis_db = _redis_url(redis_url)
    redis.Redis.from_url(redis_db).flushdb()
    root = _shared_dir("greenplan-nodes-")
    bouncer = PgBouncer(_shared_dir("greenplan-pgbouncer-"), server.hostname or "127.0.0.1", server.port or 5432,
                        server.username or "postgres", server.password or "")
    the = None
    try:
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                                 cwd=BASE_DIR, env=django_env(direct), capture_output=True, text=True, timeout=300)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        bouncer.start()
        pooled = urlunsplit(urlsplit(direct)._replace(netloc=f"{server.username or 'postgres'}@127.0.0.1:{bouncer.port}"))
        the = Cluster(direct, pooled, redis_db, storage_url, stoppable=[bouncer])
        # One deployment: one SECRET_KEY (sessions and signed values made on one node are read on another).
        shared = dict(STORAGE_URL=storage_url, DATABASE_POOLING="transaction", SECRET_KEY=secrets.token_urlsafe(50),
                      **job_env)
        for n in (1, 2):
            home = root / f"node{n}"
            home.mkdir()
            (home / "tmp").mkdir()
            node = Gunicorn(home, pooled, redis_db, workers=2, threads=4, TMPDIR=home / "tmp", **shared)
            node.args += ["--access-logfile", str(home / "access.log")]
            the.nodes.append(node.start())
            the.stoppable.append(node)
        for n in (1, 2):
            home = root / f"worker{n}"
            home.mkdir()
            worker = CeleryWorker(home, pooled, redis_db, home / "mail", home / "media", name=f"worker{n}", **shared)
            (home / "mail").mkdir()
            (home / "media").mkdir()
            the.workers.append(worker.start())
            the.stoppable.append(worker)
        (root / "beat").mkdir()
        beat = Beat(root / "beat", django_env(pooled, REDIS_URL=redis_db, LOG_LEVEL="INFO", **shared)).start()
        the.stoppable.append(beat)
        (root / "nginx").mkdir()
        the.balancer = Nginx(root / "nginx", [node.port for node in the.nodes]).start()
        the.stoppable.append(the.balancer)
        yield the
    finally:
        if the is not None:
            the.stop()
        bouncer.stop()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(bouncer.root, ignore_errors=True)
