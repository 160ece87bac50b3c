"""Two simultaneous moves on one report on SQLite, the embedded default `make run` serves: one is
made, the other is refused by the workflow in words, never "database is locked" (a 500).

SQLite has no row locks (select_for_update is a no-op there). With its default deferred
transactions both requests read the report, then both try to write: the second cannot upgrade
its read lock and SQLite answers SQLITE_BUSY at once, without waiting. Taking the write lock when
the transaction begins (BEGIN IMMEDIATE) makes the second request wait, then read the moved report
and be refused like on PostgreSQL (tests/faults/test_concurrent_transitions.py).

The database is a file (an in-memory one shares a cache and locks per table instead), migrated
once per session in a subprocess running Django with the project's own settings, as
`make run` does. The two moves run in two threads of one more subprocess, each with its own
connection; both are held, once inside the move's transaction, until the other one has read too
(or it is clear the other is waiting to begin), so the race happens on every run.
"""
import shutil
import subprocess
import sys

import pytest

from tests.faults.conftest import BASE_DIR, django_env, run_django, seed

RACE = """
import datetime as dt, json, threading, traceback
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from reporting.reports import workflow
from reporting.models import Extension, Report

MOVE, REPORT, AGENCY, CYCLE = {move!r}, {report}, {agency}, {cycle}
User = get_user_model()
people = {{u.username.split("-")[0]: u for u in User.objects.filter(pk__in={users})}}
report = Report.objects.get(pk=REPORT)
if MOVE == "reopen":
    workflow.report_accept(report, user=people["reviewer"])
extension = None
if MOVE == "grant":
    extension = workflow.extension_request(cycle=report.cycle, agency_id=AGENCY, user=people["officer"],
                                           reason="Chờ số liệu quyết toán")
connection.close()

# Both moves wait here, inside their transaction and after reading the row, for the other one. If
# the other cannot begin (it waits for the write lock), the barrier breaks after a while and each
# goes on alone.
barrier = threading.Barrier(2, timeout=3)


def held(read):
    def wrapper(obj):
        row = read(obj)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return row
    return wrapper


workflow._lock = held(workflow._lock)
workflow._lock_extension = held(workflow._lock_extension)
start = threading.Barrier(2, timeout=30)
lock = threading.Lock()
outcomes = []


def move(n):
    try:
        start.wait()
        if MOVE == "accept":
            workflow.report_accept(Report.objects.get(pk=REPORT), user=people["reviewer"], comment=f"đạt {{n}}")
        elif MOVE == "reopen":
            workflow.report_reopen(Report.objects.get(pk=REPORT), user=people["reviewer"], reason=f"mở lại {{n}}")
        else:
            workflow.extension_grant(Extension.objects.get(pk=extension.pk), user=people["reviewer"],
                                     new_due_on=timezone.localdate() + dt.timedelta(days=10 + n))
        result = "done"
    except workflow.WorkflowError as exc:
        result = "refused: " + str(exc)
    except Exception as exc:
        result = "error: " + type(exc).__name__ + ": " + str(exc)
    finally:
        connection.close()
    with lock:
        outcomes.append(result)


threads = [threading.Thread(target=move, args=(n,)) for n in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
report = Report.objects.get(pk=REPORT)
print(json.dumps({{"outcomes": sorted(outcomes), "state": report.state,
                  "events": list(report.events.order_by("id").values_list("kind", flat=True)),
                  "granted": Extension.objects.filter(cycle_id=CYCLE, agency_id=AGENCY, state="granted").count()}}))
"""


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A migrated SQLite file, made once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR,
                             env=django_env(f"sqlite:///{path}"), capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite, tmp_path):
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("move, expected_state, event, refusal", [
    pytest.param("accept", "accepted", ["accept"], "Chỉ chấp nhận được báo cáo đã gửi", id="accept-twice"),
    pytest.param("reopen", "returned", ["accept", "reopen"], "Chỉ mở lại được báo cáo đã chấp nhận", id="reopen-twice"),
    pytest.param("grant", "submitted", ["ext_ask", "ext_grant"], "Đề nghị này đã được xử lý", id="grant-twice"),
])
def test_two_simultaneous_moves_on_sqlite_give_one_success_and_one_refusal_not_database_is_locked(
        sqlite_url, tmp_path, move, expected_state, event, refusal):
    world = seed(sqlite_url, reports=1, state="submitted")
    outcome = run_django(RACE.format(move=move, report=world["reports"][0], agency=world["agency"],
                                     cycle=world["cycle"],
                                     users=[world["officer_id"], world["head_id"], world["reviewer_id"]]),
                         sqlite_url, EMAIL_URL=f"filemail:///{tmp_path}")
    done, refused = outcome["outcomes"]
    assert done == "done" and refused.startswith("refused: "), outcome["outcomes"]
    assert refusal in refused
    assert outcome["state"] == expected_state and outcome["events"] == event
    assert outcome["granted"] == (1 if move == "grant" else 0)
