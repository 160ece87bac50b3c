"""`make bench` must not rot: the small run of bench/run.py builds its tiny data set in a PostgreSQL
database of its own, runs every scenario and writes a file with every scenario's heading. No timing
is asserted here: a missed goal is reported in the file, not failed."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = [
    "## Summary",
    "## 1–3. Pages",
    "1. Consolidated status, one plan",
    "1. National overview, all plans",
    "2. Leadership dashboard, one plan",
    "2. Leadership dashboard, national user",
    "3. Officer's home",
    "3. Report form",
    "## 4. Deadline-day burst",
    "## 4a. Deadline day at saturation",
    "## 4b. Twice today's offered load",
    "## 4c. Through nginx, two nodes and PgBouncer",
    "## Capacity model",
    "## 5–7. Batch jobs",
    "5. Import of the appendix spreadsheet",
    "6. Province report PDF, one plan",
    "6. National Excel export, all reports",
    "7. Reminder job",
]


@pytest.mark.services
def test_small_bench_run_writes_every_scenario(postgres_required, tmp_path):
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    out = tmp_path / "BENCHMARKS.md"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
    env["BENCH_DATABASE_URL"] = url
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--small", "--output", str(out),
                           "--db", "gp_bench_ci"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = out.read_text()
    missing = [h for h in HEADINGS if h not in text]
    assert not missing, f"missing from BENCHMARKS.md: {missing}"
    assert "**INCONSISTENT**" not in text  # the burst's saves and submits all reached the database once


def _capacity():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_capacity", ROOT / "bench" / "capacity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_capacity_model_names_the_limit_reached_at_the_smaller_multiple_of_the_peak():
    capacity = _capacity()
    cheap_db = capacity.model(app_ms=14, db_ms=0.5, pdf_s=3, reminders_s=10, mix_p50_s=0.05, nproc=2)
    assert cheap_db["first_limit"].startswith("database connections")
    assert cheap_db["first_limit_scale"] == cheap_db["scale_connections"] < cheap_db["scale_db_cpu"]
    costly_db = capacity.model(app_ms=14, db_ms=20, pdf_s=3, reminders_s=10, mix_p50_s=0.05, nproc=2)
    assert costly_db["first_limit"].startswith("database CPU")
    assert costly_db["first_limit_scale"] == costly_db["scale_db_cpu"] < costly_db["scale_connections"]


def test_the_capacity_model_scales_cores_with_the_measured_cpu_per_request():
    capacity = _capacity()
    one = capacity.model(app_ms=10, db_ms=2, pdf_s=None, reminders_s=None, mix_p50_s=0.05, nproc=2)
    two = capacity.model(app_ms=20, db_ms=4, pdf_s=None, reminders_s=None, mix_p50_s=0.05, nproc=2)
    assert two["web_cores"] == 2 * one["web_cores"] and two["db_cores"] == 2 * one["db_cores"]
    assert one["peak_rps"] == two["peak_rps"] > 0
    assert "| Web (gunicorn) cores |" in "\n".join(capacity.markdown(one))
