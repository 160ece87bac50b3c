# greenplan: build, run and test with no activated virtualenv (everything goes through .venv/bin/python).
#
#   make install       create .venv (Python 3.12, else 3.11) and install requirements.txt (runtime only); a no-op when current
#   make install-test  install requirements-test.txt too (the test tools: pytest, Playwright, pyHanko's CLI...)
#   make sysdeps       Debian packages needed by WeasyPrint, PDF checks and browser tests
#   make run           migrate, load the demo plan/accounts (setup_demo), serve on 127.0.0.1:8000 with DEBUG=1
#   make test          the whole pytest suite (environment passed through: DATABASE_URL, REDIS_URL, REQUIRE_SERVICES...)
#   make test-faults   fault injection (tests/faults): private PostgreSQL/Redis/gunicorn/worker stopped and restarted
#   make test-nodes    several nodes (tests/nodes): 2 gunicorn + 2 workers + beat behind nginx, PgBouncer, SeaweedFS
#   make check         manage.py check --deploy as production runs it (DEBUG=0, strong SECRET_KEY)
#   make bench         bench/run.py, when present
#   make plan-fixture  import the scanned plan into a scratch db and export fixtures/plan-396.xlsx (what make run loads)
#   make backup       dump the database and uploaded files to var/backups/ (BACKUP=file to choose)
#   make restore      BACKUP=file: replace all data with the archive's, then verify it
#   make requirements  re-pin requirements.txt (runtime) and requirements-test.txt (extras) from pyproject.toml and .venv
#
# Variables: PYTHON_BOOTSTRAP=/path/to/python3.12 (interpreter for a new .venv), PYTEST_ARGS="-k foo -x",
# RUN_ADDR=127.0.0.1:8000, BENCH_ARGS=..., SYSDEPS_OPTIONAL=1 (warn instead of failing on missing packages).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.stamp
TEST_STAMP := $(VENV)/.requirements-test.stamp
PYTHON_BOOTSTRAP ?=
PYTEST_ARGS ?=
RUN_ADDR ?= 127.0.0.1:8000
BENCH_ARGS ?=
SYSDEPS_OPTIONAL ?= 0
# Chromium for Playwright; Liberation fonts, HarfBuzz subsetting and Pango for WeasyPrint; Poppler to read PDFs back.
SYSDEPS := chromium fonts-liberation2 libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0

.PHONY: help install install-test sysdeps run test test-faults test-nodes check bench fixtures plan-fixture requirements clean backup restore

help:
	@sed -n '2,13p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

install: $(STAMP)

# The test tools stay out of `make run` and the image (faster first start, smaller attack surface).
install-test: $(TEST_STAMP)

# A missing (or dangling, after a pyenv upgrade) .venv/bin/python rebuilds the venv; the stamp lives inside .venv,
# so a rebuilt venv always reinstalls, and so does a newer requirements.txt.
$(PY):
	@ok() { [ -x "$$1" ] && "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
	py="$(PYTHON_BOOTSTRAP)"
	if [ -z "$$py" ]; then
	  want=$$(head -n1 .python-version 2>/dev/null | tr -d '[:space:]' || true)
	  candidates=()
	  if [ -n "$$want" ]; then
	    if command -v pyenv >/dev/null 2>&1; then
	      prefix=$$(pyenv prefix "$$want" 2>/dev/null || true)
	      [ -n "$$prefix" ] && candidates+=("$$prefix/bin/python")
	    fi
	    candidates+=($$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/"$$want"*/bin/python 2>/dev/null | sort -rV || true))
	  fi
	  candidates+=($$(ls -d /root/.pyenv/versions/3.12*/bin/python 2>/dev/null | sort -rV || true))
	  candidates+=($$(command -v python3.12 || true) $$(command -v python3.11 || true))
	  for c in "$${candidates[@]}"; do
	    if ok "$$c"; then py=$$c; break; fi
	  done
	fi
	if ! ok "$$py"; then
	  echo "make install: no Python >= 3.11 found (tried .python-version/pyenv, /root/.pyenv/versions/3.12*, python3.12, python3.11); set PYTHON_BOOTSTRAP=/path/to/python3.12" >&2
	  exit 1
	fi
	echo "make install: creating $(VENV) with $$py ($$("$$py" -V 2>&1))"
	rm -rf $(VENV)
	"$$py" -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements.txt
	touch $@

$(TEST_STAMP): requirements-test.txt $(STAMP)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements-test.txt
	touch $@

sysdeps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then
	  echo "make sysdeps: not a Debian system; install the equivalents of: $(SYSDEPS)" >&2
	  exit 0
	fi
	missing=""
	for p in $(SYSDEPS); do
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"
	done
	[ -z "$$missing" ] && exit 0
	if [ "$$(id -u)" = 0 ]; then
	  echo "make sysdeps: installing$$missing"
	  if DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; then
	    exit 0
	  fi
	  echo "make sysdeps: apt-get failed for:$$missing" >&2
	else
	  echo "make sysdeps: missing Debian packages:$$missing" >&2
	  echo "  run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing" >&2
	fi
	if [ "$(SYSDEPS_OPTIONAL)" = 1 ]; then
	  echo "make sysdeps: continuing without them (PDF export and browser tests need them)" >&2
	  exit 0
	fi
	exit 1

# Embedded defaults: SQLite db.sqlite3, Celery eager in-process (no REDIS_URL), mail written to var/mail.
run: install
	$(MAKE) --no-print-directory sysdeps SYSDEPS_OPTIONAL=1
	export DEBUG=1
	# Links in e-mails point at the address this server answers on (unless SITE_URL is set).
	export SITE_URL="$${SITE_URL:-http://$(RUN_ADDR)}"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	exec $(PY) manage.py runserver $(RUN_ADDR)

# The one pytest invocation, for developers and for .ci/run alike. Exit 5 (nothing collected) is a failure.
test: install-test sysdeps
	@rc=0
	echo "$(PY) -m pytest $(PYTEST_ARGS)"
	$(PY) -m pytest $(PYTEST_ARGS) || rc=$$?
	if [ "$$rc" -eq 5 ]; then
	  echo "make test: pytest collected no tests (exit 5); failing" >&2
	  exit 1
	fi
	exit "$$rc"

# Fault injection, its own step: `make test` deselects tests marked `faults` (tests/faults/conftest.py).
# They start their own PostgreSQL and Redis on free ports; the worker-killed proof also uses DATABASE_URL/REDIS_URL.
test-faults: install-test
	@rc=0
	echo "RUN_FAULTS=1 $(PY) -m pytest tests/faults -m faults $(PYTEST_ARGS)"
	RUN_FAULTS=1 $(PY) -m pytest tests/faults -m faults $(PYTEST_ARGS) || rc=$$?
	if [ "$$rc" -eq 5 ]; then
	  echo "make test-faults: pytest collected no tests (exit 5); failing" >&2
	  exit 1
	fi
	exit "$$rc"

# Several nodes, its own step like the faults: needs DATABASE_URL (PostgreSQL, any database name) and REDIS_URL;
# installs Debian's nginx and pgbouncer itself (SeaweedFS comes with requirements-test.txt).
NODES_SYSDEPS := nginx-light pgbouncer
test-nodes: install-test
	@$(MAKE) --no-print-directory sysdeps SYSDEPS="$(NODES_SYSDEPS)"
	rc=0
	echo "RUN_NODES=1 $(PY) -m pytest tests/nodes -m nodes $(PYTEST_ARGS)"
	RUN_NODES=1 $(PY) -m pytest tests/nodes -m nodes $(PYTEST_ARGS) || rc=$$?
	if [ "$$rc" -eq 5 ]; then
	  echo "make test-nodes: pytest collected no tests (exit 5); failing" >&2
	  exit 1
	fi
	exit "$$rc"

check: install
	unset DJANGO_ALLOW_ASYNC_UNSAFE
	export DEBUG=0
	export SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"
	$(PY) manage.py check --deploy --fail-level WARNING

# The benchmarks put nginx and PgBouncer in front of the app (4c, 9) and drive Chromium (9): like
# test-nodes, bench installs what it needs.
bench: install-test
	@$(MAKE) --no-print-directory sysdeps SYSDEPS="$(SYSDEPS) $(NODES_SYSDEPS)"
	if [ -f bench/run.py ]; then
	  $(PY) bench/run.py $(BENCH_ARGS)
	else
	  echo "make bench: bench/run.py not present; nothing to run"
	fi

# Database dump plus uploaded files, in one archive with a manifest of checksums and row counts.
backup: install
	$(PY) manage.py backup $(if $(BACKUP),-o $(BACKUP),)

# make restore BACKUP=var/backups/greenplan-….tar.gz  (replaces all data; checks the result)
restore: install
	@[ -n "$(BACKUP)" ] || { echo "make restore: set BACKUP=path/to/archive.tar.gz" >&2; exit 2; }
	$(PY) manage.py restore --yes $(BACKUP)

fixtures: plan-fixture

# Plan 396 as the import spreadsheet, built from the scanned source in a scratch SQLite database (the dev db is
# untouched): reproducible, so the shipped fixture can always be regenerated and compared.
PLAN_SOURCE ?= fixtures/ke-hoach-396-tang-truong-xanh-2023-2030.txt
PLAN_FIXTURE ?= fixtures/plan-396.xlsx
plan-fixture: install
	scratch=$$(mktemp -d)
	trap 'rm -rf "$$scratch"' EXIT
	export DATABASE_URL="sqlite:///$$scratch/plan.sqlite3" REDIS_URL= MEDIA_ROOT="$$scratch/media"
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py import_appendix $(PLAN_SOURCE)
	$(PY) manage.py export_plan --format xlsx --output $(PLAN_FIXTURE)

# Pins every package that pyproject.toml needs (all extras, transitively) at the version installed in .venv.
requirements: | $(PY)
	$(PY) -c "$$REQUIREMENTS_PY" roots > $(VENV)/roots.txt
	$(PY) -m pip install --disable-pip-version-check --quiet -r $(VENV)/roots.txt
	for kind in runtime test; do
	  out=$$([ $$kind = runtime ] && echo requirements.txt || echo requirements-test.txt)
	  $(PY) -c "$$REQUIREMENTS_PY" $$kind > $$out.new
	  if cmp -s $$out.new $$out; then rm $$out.new; echo "$$out is current"; else mv $$out.new $$out; echo "$$out updated"; fi
	done

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache test-results

define REQUIREMENTS_PY
import sys, tomllib
from importlib.metadata import PackageNotFoundError, distribution
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
own = canonicalize_name(project["name"])
roots = list(project["dependencies"])
for extra_reqs in project.get("optional-dependencies", {}).values():
    roots += [r for r in extra_reqs if canonicalize_name(Requirement(r).name) != own]
if sys.argv[1] == "roots":
    print("\n".join(roots))
    raise SystemExit(0)

def closure(texts):
    pins, seen = {}, set()
    todo = [Requirement(r) for r in texts]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(req.name)
        state = (key, frozenset(req.extras))
        if state in seen:
            continue
        seen.add(state)
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            raise SystemExit(f"{req.name} is not installed in .venv")
        if not req.specifier.contains(dist.version, prereleases=True):
            raise SystemExit(f"installed {req.name} {dist.version} does not satisfy {req}")
        pins[key] = (dist.metadata["Name"], dist.version)
        extras = set(req.extras) | {""}
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                sub.marker = None
                todo.append(sub)
    return pins

runtime = closure(project["dependencies"])
if sys.argv[1] == "runtime":
    print("# Runtime pins (pyproject's dependencies, transitively) generated by `make requirements`; do not edit.")
    print("# Install with: .venv/bin/python -m pip install -r requirements.txt (make run, the image)")
    pins = runtime
else:
    print("# Test and development pins (pyproject's extras, transitively, beyond the runtime) by `make requirements`.")
    print("# Install with: .venv/bin/python -m pip install -r requirements-test.txt (make test, make bench, CI)")
    print("-r requirements.txt")
    pins = {k: v for k, v in closure(roots).items() if k not in runtime}
for key in sorted(pins):
    name, version = pins[key]
    print(f"{name}=={version}")
endef
export REQUIREMENTS_PY
