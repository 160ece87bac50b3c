"""Time the province report PDF of plan 396's 2026 annual cycle (demo data); prints seconds.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/province_report_pdf.py

Not a test: the goal is under 10 s on the embedded default. Needs `manage.py setup_demo` first.
"""
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenplan.settings")

import django  # noqa: E402

django.setup()
for name in ("weasyprint", "fontTools", "axes"):
    logging.getLogger(name).setLevel(logging.WARNING)

from reporting.province.pdf import province_report_pdf  # noqa: E402
from reporting.models import ReportingCycle  # noqa: E402
from reporting.province.build import build  # noqa: E402


def main() -> None:
    cycle = (ReportingCycle.objects.filter(plan__number__startswith="396/", kind="annual", year=2026).first()
             or ReportingCycle.objects.filter(kind="annual", year=2026).first())
    if cycle is None:
        sys.exit("No 2026 annual cycle: run `manage.py setup_demo` first.")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        data = province_report_pdf(build(cycle))
        runs.append(time.perf_counter() - start)
    print(f"{min(runs):.2f}")
    print(f"# runs: {', '.join(f'{r:.2f}' for r in runs)} s; {len(data):,} bytes; cycle {cycle}", file=sys.stderr)


if __name__ == "__main__":
    main()
