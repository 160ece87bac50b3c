"""Shared by the bench scripts: Django set-up with production settings, timing and statistics.

Every scenario script runs in its own process (started by bench/run.py) so that its peak memory
(ru_maxrss) is its own, and prints one JSON document on stdout.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    """Production settings (DEBUG off); the orchestrator sets DATABASE_URL and SECRET_KEY."""
    import logging

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenplan.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    for name in ("weasyprint", "fontTools", "axes", "django.request", "reporting", "tasks"):
        logging.getLogger(name).setLevel(logging.ERROR)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(seconds: list[float]) -> dict:
    return {"runs": len(seconds), "median_s": statistics.median(seconds), "p95_s": percentile(seconds, 95),
            "min_s": min(seconds), "max_s": max(seconds)}


def timed(func, *, runs: int, warmup: int = 1) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def traced_peak(func) -> tuple[int, object]:
    """Peak of Python allocations (bytes) during one call, by tracemalloc."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def max_rss_bytes() -> int:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def emit(data) -> None:
    json.dump(data, sys.stdout, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
