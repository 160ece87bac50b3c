"""The build/deploy scaffolding itself: strict settings, a clean deploy check, one test command for
developers and CI, a valid production compose file, and pinned requirements matching pyproject."""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent
# Variables the settings read; removed from subprocess environments so each test states its own.
SETTINGS_VARS = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_POOLING",  # .ci/run runs the suite behind PgBouncer
    "DATABASE_DIRECT_URL",
    "DATABASE_PREPARE",
    "REDIS_URL",
    "EMAIL_URL",
    "REQUIRE_SERVICES",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest for Playwright; deploy check rightly rejects it
)


def django_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env["DJANGO_SETTINGS_MODULE"] = "greenplan.settings"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(overrides)
    return env


def run(args, env=None, timeout=120):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


SETUP = [sys.executable, "-c", "import django; django.setup()"]


# --- settings parse every variable strictly -----------------------------------------------------


def test_settings_load_with_embedded_defaults():
    result = run(SETUP, django_env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name, value",
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense://"),
        ("DATABASE_URL", "postgres://user@db:notaport/greenplan"),
        ("REDIS_URL", "http://x"),
        ("EMAIL_URL", "carrier-pigeon://"),
        ("REQUIRE_SERVICES", "sometimes"),
        ("SESSION_COOKIE_AGE", "8h"),
        ("MAX_UPLOAD_BYTES", "20MB"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(name, value):
    result = run(SETUP, django_env(**{name: value}))
    assert result.returncode != 0, f"{name}={value!r} was accepted"
    assert name in result.stderr, f"{name}={value!r} failed without naming {name}:\n{result.stderr[-2000:]}"


# --- prepared statements (psycopg 3) --------------------------------------------------------------

PRINT_DB_OPTIONS = [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                    "o = settings.DATABASES['default'].get('OPTIONS', {}); "
                    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"]


@pytest.mark.parametrize("extra, expected", [
    ({}, "True 2"),                                                     # straight to PostgreSQL: prepared
    ({"DATABASE_POOLING": "transaction"}, "True None"),                 # an old pooler would lose them
    ({"DATABASE_POOLING": "transaction", "DATABASE_PREPARE": "1"}, "True 2"),  # PgBouncer >= 1.21
    ({"DATABASE_PREPARE": "0"}, "True None"),
])
def test_statements_are_prepared_unless_a_transaction_pooler_cannot_keep_them(extra, expected):
    result = run(PRINT_DB_OPTIONS, django_env(DATABASE_URL="postgres://u@db:5432/greenplan", **extra))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_malformed_prepare_switch_stops_startup_naming_it():
    result = run(SETUP, django_env(DATABASE_URL="postgres://u@db:5432/greenplan", DATABASE_PREPARE="perhaps"))
    assert result.returncode != 0 and "DATABASE_PREPARE" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_postgresql_plans_a_repeated_statement_once_per_connection(postgres_required):
    """The third run of a page's statement uses the connection's prepared statement (planned
    once), as pg_prepared_statements shows; the first two are planned each time. Behind the test
    run's PgBouncer 1.18 (.ci/run) statements are not prepared by design, so the check opens a
    connection of the same settings straight to PostgreSQL, as production does with PgBouncer 1.24."""
    from django.db import connections

    from reporting.models import Report

    connection = connections["default"]  # the wrapper itself (`django.db.connection` is a proxy)
    settings_dict = {**connection.settings_dict, "OPTIONS": {**connection.settings_dict.get("OPTIONS", {})}}
    if settings.DATABASE_POOLING == "transaction":
        direct = settings.DATABASE_DIRECT
        settings_dict.update(HOST=direct["HOST"], PORT=direct["PORT"], USER=direct["USER"],
                             PASSWORD=direct["PASSWORD"])
        settings_dict["OPTIONS"]["prepare_threshold"] = 2
    else:
        assert settings_dict["OPTIONS"]["prepare_threshold"] == 2
    own = connection.__class__(settings_dict, alias="prepared-check")
    sql, params = Report.objects.filter(pk=1, state="draft").query.sql_with_params()
    try:
        def prepared():
            with own.cursor() as cursor:
                cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                               ['%"reporting_report"%'])
                return [row[0] for row in cursor.fetchall()]

        for run_number in range(3):
            with own.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            if run_number == 0:
                assert prepared() == []
        assert len(prepared()) == 1, prepared()
    finally:
        own.close()


# --- production deploy check -------------------------------------------------------------------------


def test_check_deploy_is_clean_in_production_mode():
    key = get_random_secret_key()
    assert len(key) == 50
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        django_env(DEBUG="0", SECRET_KEY=key),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


# --- one test command for developers and CI -------------------------------------------------------


def make_rule(target):
    """The recipe lines of `target` in the Makefile."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    recipe, inside = [], False
    for line in lines:
        if re.match(rf"^{re.escape(target)}\s*:(?!=)", line):
            inside = True
            continue
        if inside:
            if line.startswith("\t"):
                recipe.append(line.strip())
            elif line.strip() and not line.startswith("#"):
                break
    return recipe


def shell_commands(path):
    """Non-comment lines of a shell script."""
    return [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.strip().startswith("#")]


def test_make_test_runs_pytest_and_fails_on_exit_5():
    recipe = make_rule("test")
    assert recipe, "Makefile has no test target"
    pytest_lines = [l for l in recipe if re.search(r"\$\(PY\) -m pytest\b", l) and not l.startswith("echo")]
    assert len(pytest_lines) == 1, recipe
    assert "$(PYTEST_ARGS)" in pytest_lines[0]
    assert any(re.search(r'"?\$\$rc"?\s+-eq\s+5', l) for l in recipe), "exit 5 is not turned into a failure"
    assert re.search(r"^PY\s*:=\s*\$\(VENV\)/bin/python$", (ROOT / "Makefile").read_text(), re.M)
    assert re.search(r"^VENV\s*:=\s*\.venv$", (ROOT / "Makefile").read_text(), re.M)


def test_ci_runs_the_same_pytest_through_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run is not executable"
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    commands = shell_commands(script)
    # CI goes through `make test` (hence the same `$(PY) -m pytest $(PYTEST_ARGS)`) and never
    # runs pytest by some other route or with other arguments.
    make_calls = [c for c in commands if re.search(r"(^|[\s;&|(])make\b.*\btest\b", c)]
    assert make_calls, ".ci/run does not call make test"
    assert not any(re.search(r"\bpytest\b", c) and "echo" not in c for c in commands), "pytest called directly"
    assert not any("PYTEST_ARGS" in c for c in make_calls), "CI must not narrow the test selection"
    for needed in ("DATABASE_URL=postgres://", "REDIS_URL=redis://", "REQUIRE_SERVICES=1"):
        assert needed in text, needed


def test_make_dry_run_shows_the_pytest_command():
    if not shutil.which("make"):
        pytest.skip("make not installed")
    result = run(["make", "-n", "--no-print-directory", "test"])
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/python -m pytest" in result.stdout


def test_make_test_fails_when_no_test_is_collected():
    if not shutil.which("make"):
        pytest.skip("make not installed")
    if run(["make", "-q", "install"]).returncode != 0:
        pytest.skip(".venv is not current (run make install); not installing from inside the test run")
    env = dict(os.environ, SYSDEPS_OPTIONAL="1")
    selection = "tests/test_infrastructure.py -k no_test_has_this_name_xyz -p no:cacheprovider"
    result = run(["make", "--no-print-directory", "test", f"PYTEST_ARGS={selection}"], env, timeout=300)
    assert result.returncode != 0, result.stdout
    assert "collected no tests (exit 5)" in result.stderr, result.stdout + result.stderr


# --- dependencies --------------------------------------------------------------------------------


def _pins(*files):
    pins = {}
    for file in files or ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / file).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and line != "-r requirements.txt":
                name, sep, ver = line.partition("==")
                assert sep and ver, f"{file} line not pinned exactly: {line!r}"
                pins[re.sub(r"[-_.]+", "-", name).lower()] = ver
    return pins


def test_requirements_pin_every_pyproject_dependency():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "greenplan"
    assert project["requires-python"] == ">=3.11"
    pins = _pins()
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    for text in wanted:
        req = Requirement(text)
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key == "greenplan":
            continue
        assert key in pins, f"{req.name} is in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[key], prereleases=True), f"{req.name}=={pins[key]} outside {req}"


def test_the_image_holds_every_part_of_the_app():
    """The Dockerfile lists what it copies (no .dockerignore): an app or folder missing from it works in
    development and fails only in production (the English catalogue did, until it was listed)."""
    copied = set(re.findall(r"^COPY (\S+) \./(?:\1)?$", (ROOT / "Dockerfile").read_text(), re.M))
    needed = {"manage.py", "templates", "static", "fixtures", "locale"}
    needed |= {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"


def test_the_runtime_pins_hold_no_test_tool():
    """`make run` and the image install requirements.txt only: the test tools (and their weight, such as
    Playwright's driver) stay in requirements-test.txt, which starts by including the runtime pins."""
    runtime, test = _pins("requirements.txt"), _pins("requirements-test.txt")
    assert (ROOT / "requirements-test.txt").read_text().splitlines()[2] == "-r requirements.txt"
    for tool in ("pytest", "pytest-django", "playwright", "pytest-playwright", "hypothesis", "factory-boy"):
        assert tool not in runtime, f"{tool} is a test tool but pinned in requirements.txt"
        assert tool in test, f"{tool} missing from requirements-test.txt"
    assert not set(runtime) & set(test), "a package pinned in both files"


def test_installed_versions_match_the_pins():
    mismatched = {}
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            mismatched[name] = (pinned, installed)
    assert not mismatched, f"pinned vs installed (run make install or make requirements): {mismatched}"


def test_pytest_configuration():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["DJANGO_SETTINGS_MODULE"] == "greenplan.settings"
    assert config["testpaths"] == ["tests"]
    assert "--strict-markers" in shlex.split(config["addopts"])
    declared = {m.split(":")[0].strip() for m in config["markers"]}
    assert {"services", "browser", "faults"} <= declared


# --- production compose file --------------------------------------------------------------------


def compose_command():
    docker = shutil.which("docker")
    if docker and run([docker, "compose", "version"]).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy and run([legacy, "version"]).returncode == 0:
        return [legacy]
    pytest.skip("no docker compose client (docker compose plugin or docker-compose) installed")


COMPOSE_ENV = {"SECRET_KEY": "x" * 50, "POSTGRES_PASSWORD": "compose-config-check", "S3_ACCESS_KEY": "compose-key",
               "S3_SECRET_KEY": "compose-secret"}


@pytest.mark.services  # CI installs Debian's docker-compose: a missing client fails there
def test_compose_config_is_valid():
    compose = compose_command()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS} | COMPOSE_ENV
    result = run([*compose, "config", "-q"], env)
    assert result.returncode == 0, result.stderr


@pytest.mark.services  # CI installs Debian's docker-compose: a missing client fails there
def test_compose_requires_a_secret_key():
    compose = compose_command()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS and k != "POSTGRES_PASSWORD"}
    env.update(POSTGRES_PASSWORD="x", S3_ACCESS_KEY="k", S3_SECRET_KEY="s")
    result = run([*compose, "config", "-q"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.services  # CI installs Debian's docker-compose: a missing client fails there
def test_compose_services_are_wired_for_production():
    compose = compose_command()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS} | COMPOSE_ENV
    result = run([*compose, "config", "--format", "json"], env)
    if not result.stdout.lstrip().startswith("{"):
        import yaml  # Debian's docker-compose 1.29 prints the resolved file as YAML only

        result = run([*compose, "config"], env)
        assert result.returncode == 0, result.stderr
        services = yaml.safe_load(result.stdout)["services"]
    else:
        assert result.returncode == 0, result.stderr
        services = json.loads(result.stdout)["services"]
    assert {"web", "worker", "beat", "db", "redis", "balancer", "pgbouncer", "objects", "objects-init"} <= services.keys()
    for name in ("web", "db", "redis", "balancer", "pgbouncer", "objects"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat"):
        svc = services[name]
        command = " ".join(svc["command"]) if isinstance(svc["command"], list) else svc["command"]
        # gunicorn's option is --pid (it refuses --pidfile); Celery's is --pidfile.
        assert ("--pid=" if name == "web" else "--pidfile") in command, f"{name} runs without a pidfile"
        assert svc["environment"]["SECRET_KEY"] == COMPOSE_ENV["SECRET_KEY"]
        # Through the pooler, in transaction mode, with files in the bucket (any node serves them).
        assert svc["environment"]["DATABASE_URL"].startswith("postgres://greenplan:compose-config-check@pgbouncer:")
        assert svc["environment"]["DATABASE_POOLING"] == "transaction"
        # PgBouncer 1.24 keeps prepared statements across pooled connections, so the app may prepare.
        assert svc["environment"]["DATABASE_PREPARE"] == "1"
        assert svc["environment"]["STORAGE_URL"] == "s3+http://compose-key:compose-secret@objects:9000/greenplan"
        assert svc["environment"]["REDIS_URL"].startswith("redis://redis:6379")
        for dep in ("db", "redis"):
            assert svc["depends_on"][dep]["condition"] == "service_healthy", f"{name} -> {dep}"
    assert "gunicorn greenplan.wsgi" in " ".join(services["web"]["command"])
    assert "django_celery_beat.schedulers:DatabaseScheduler" in " ".join(services["beat"]["command"])
    for name in ("web", "worker"):
        assert int(services[name]["deploy"]["replicas"]) >= 2, f"one {name} only"
    assert int(services["beat"]["deploy"]["replicas"]) == 1  # two schedulers would run every job twice
    assert "@db:5432/" in services["migrate"]["environment"]["DATABASE_URL"]  # schema changes bypass the pooler
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert int(services["pgbouncer"]["environment"]["MAX_PREPARED_STATEMENTS"]) > 0
    bal = [_volume(v) for v in services["balancer"]["volumes"]]
    assert any(v["target"] == "/etc/nginx/conf.d/default.conf" for v in bal)
    assert "web:8000" in (Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf").read_text()
    assert not any(_volume(v)["target"] == "/app/var/media" for v in services["web"]["volumes"])


def _volume(entry) -> dict:
    """A service's volume as the long syntax says it; docker-compose 1.29 prints "source:target:mode"."""
    if isinstance(entry, dict):
        return entry
    source, target = entry.split(":")[:2]
    return {"source": source, "target": target, "type": "bind" if source.startswith(("/", ".")) else "volume"}


def test_the_web_command_is_one_gunicorn_accepts():
    """The compose file's gunicorn options must parse: a typo here only shows in production."""
    import shlex

    from gunicorn.config import Config

    compose = (Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text()
    parser = Config().parser()
    for token in ("--pid=/run/greenplan/gunicorn.pid",):
        assert token in compose
        parser.parse_args(shlex.split(token) + ["greenplan.wsgi"])
