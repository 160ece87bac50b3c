"""A Celery worker killed mid-job: nothing sent twice or skipped.

The proof already exists in tests/services/test_celery_worker.py (a real `celery worker` process
started with --pidfile against PostgreSQL and Redis, SIGKILLed while it is sending a run of
reminders; a new worker finishes the run from the outbox and every reminder arrives exactly once).
It is imported here so that the fault step (`make test-faults`) runs it too, with the same
fixtures; it needs DATABASE_URL (PostgreSQL) and REDIS_URL, as CI provides, and fails under
REQUIRE_SERVICES=1 without them.
"""
import pytest

from tests.services.test_celery_worker import (  # noqa: F401  (fixtures and the test, collected here)
    broker_url,
    test_a_worker_killed_in_the_middle_of_a_run_loses_no_reminder_and_sends_none_twice,
    workers,
)

pytestmark = [pytest.mark.faults, pytest.mark.services]
