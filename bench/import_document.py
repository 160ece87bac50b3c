"""Time the import of the scanned plan 396 document into an empty database; prints seconds.

    .venv/bin/python bench/import_document.py

Each run migrates a fresh SQLite file, then times only `import_appendix` (parse + write, in one
transaction). Not a test: the goal is under 2 s.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"

TIMED = """
import time, django
django.setup()
from pathlib import Path
from tasks.importers.load import import_appendix
start = time.perf_counter()
report = import_appendix(Path({doc!r}))
print(time.perf_counter() - start, sum(1 for _ in report.created))
"""


def main(runs: int = 3) -> None:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "REDIS_URL": "",
                   "DJANGO_SETTINGS_MODULE": "greenplan.settings", "LOG_LEVEL": "WARNING"}
            python = sys.executable
            subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            out = subprocess.run([python, "-c", TIMED.format(doc=str(DOCUMENT))], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout.split()
            times.append(float(out[0]))
    print(f"{sorted(times)[len(times) // 2]:.2f}")
    print(f"# runs: {', '.join(f'{t:.2f}' for t in times)} s; {out[1]} items created each time", file=sys.stderr)


if __name__ == "__main__":
    main()
