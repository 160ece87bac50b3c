"""Shared test infrastructure only: browser launch, service gating, isolation of media/mail.

Domain fixtures (plans, agencies, users, ...) belong in tests/fixtures.py.

Service gating: a test that needs PostgreSQL or Redis requests `postgres_required` /
`redis_required` (or calls `require_service("postgres")`). Without the service it is skipped on
a laptop; with REQUIRE_SERVICES=1 (CI) it fails instead. Likewise any skipped test marked
`services` or `browser` becomes a failure under REQUIRE_SERVICES=1, so CI can never go green by
silently skipping the parts that need real infrastructure.
"""
pytest_plugins = ["tests.fixtures"]

import functools
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM
# calls from it ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Fixtures that start a browser: tests using them are marked `browser` automatically.
BROWSER_FIXTURES = {"page", "context", "browser", "new_context", "browser_context_args"}
SERVICE_FIXTURES = {"postgres_required", "redis_required"}
GATED_MARKERS = ("services", "browser")


def _truthy(value):
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def services_required():
    """settings.REQUIRE_SERVICES, or the raw variable when settings cannot be read."""
    try:
        from django.conf import settings

        return bool(settings.REQUIRE_SERVICES)
    except Exception:
        return _truthy(os.environ.get("REQUIRE_SERVICES", ""))


# --- browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches the system Chromium (no downloaded browser builds here)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if services_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    args = list(browser_type_launch_args.get("args") or [])
    args += [a for a in CHROMIUM_ARGS if a not in args]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


# --- services ------------------------------------------------------------------------------------


def _tcp_open(host, port, timeout=2.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@functools.lru_cache(maxsize=None)
def _probe(name):
    """Return None when the service is usable, else the reason it is not."""
    from django.conf import settings

    if name == "postgres":
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            return f"DATABASE_URL does not point at PostgreSQL (engine {db['ENGINE']})"
        host, port = db.get("HOST") or "", int(db.get("PORT") or 5432)
        if host and not host.startswith("/") and not _tcp_open(host, port):
            return f"PostgreSQL not answering on {host}:{port}"
        return None
    if name == "redis":
        url = getattr(settings, "REDIS_URL", "")
        if not url:
            return "REDIS_URL is not set (Celery runs eagerly in-process)"
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        except Exception as exc:  # connection refused, auth, bad db number...
            parts = urlsplit(url)
            return f"Redis at {parts.hostname}:{parts.port or 6379} not usable: {exc}"
        return None
    raise ValueError(f"unknown service {name!r} (known: postgres, redis)")


def require_service(name):
    """Skip the calling test when `name` is not configured/reachable; fail under REQUIRE_SERVICES."""
    reason = _probe(name)
    if reason is None:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {name} is unavailable: {reason}", pytrace=False)
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture
def postgres_required():
    require_service("postgres")


@pytest.fixture
def redis_required():
    require_service("redis")


# --- REQUIRE_SERVICES: a skipped services/browser test is a failure ------------------------------


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if names & SERVICE_FIXTURES and not item.get_closest_marker("services"):
            item.add_marker(pytest.mark.services)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and any(item.get_closest_marker(m) for m in GATED_MARKERS)
        and services_required()
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        markers = ", ".join(m for m in GATED_MARKERS if item.get_closest_marker(m))
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1: a test marked {markers} may not skip ({reason})"
    return report


# --- isolation: tests never write into the repository's var/ -------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _isolated_media_and_mail(tmp_path_factory):
    """MEDIA_ROOT and EMAIL_FILE_PATH point into a session tmp dir, here and in subprocesses."""
    from django.conf import settings
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("media")
    mail = tmp_path_factory.mktemp("mail")
    saved = {k: os.environ.get(k) for k in ("MEDIA_ROOT", "EMAIL_URL")}
    # Subprocesses started by tests (workers, manage.py) read these through settings.py.
    os.environ["MEDIA_ROOT"] = str(media)
    if not os.environ.get("EMAIL_URL", "filemail://").startswith("filemail:"):
        saved.pop("EMAIL_URL")  # a real mail backend chosen on purpose: leave it alone
    else:
        os.environ["EMAIL_URL"] = f"filemail:///{mail}"
    # override_settings sends setting_changed, so default_storage forgets any cached location.
    override = override_settings(MEDIA_ROOT=str(media), EMAIL_FILE_PATH=str(mail)) if settings.configured else None
    if override:
        override.enable()
    try:
        yield
    finally:
        if override:
            override.disable()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
