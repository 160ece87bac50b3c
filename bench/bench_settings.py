"""Production settings (greenplan.settings, unchanged) with the collected static files in a folder of
the bench run's own (BENCH_STATIC_ROOT), so a bench run never writes into the repository's var/."""
import os
from pathlib import Path

from greenplan.settings import *  # noqa: F401,F403

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
