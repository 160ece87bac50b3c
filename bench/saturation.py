"""Deadline day at saturation: the burst's mix with no think time, next to the smallest logged-in
page (the empty notifications list: session, user, middleware, menu and page frame, nothing of its
own) back to back, on the same gunicorn and PostgreSQL. The mix's throughput as a share of the
floor's says how much a mix request costs above what every logged-in request costs anyway; the CPU
per request (gunicorn workers, PostgreSQL) says where it goes.

    python bench/saturation.py --users 24 --seconds 30 --workers 3

Users as in the burst (bench/burst.py): one per agency, so no two edit the same report; enough of
them to keep every worker busy (a sync worker serves one request at a time), few enough that the
generator on the same machine takes little of it. Prints one JSON document.
"""
from __future__ import annotations

import argparse
import os

from burst import burst
from common import emit

FLOOR_PATH = "/notifications/"  # the floor of bench/pages.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase (floor, then mix)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    args = parser.parse_args()
    result = burst(users=args.users, workers=args.workers, mix_seconds=args.seconds, think=None,
                   baseline_seconds=args.seconds, baseline_path=FLOOR_PATH, name="4a. Deadline day at saturation")
    result["floor"] = result.pop("healthz")
    result["share_of_floor"] = result["mix"]["rps"] / result["floor"]["rps"] if result["floor"]["rps"] else 0
    emit(result)


if __name__ == "__main__":
    main()
