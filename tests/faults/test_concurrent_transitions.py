"""Twenty concurrent transitions on one report leave it in one consistent state with a complete
audit trail (PostgreSQL, private instance).

Twenty threads in one Django process, each with its own database connection, start together at a
barrier and each make 12 random moves on the SAME report: the officer saves, the head submits, the
reviewer returns, accepts or reopens. Every move goes through reporting.reports.workflow, which locks the
row (select_for_update). A move that is not allowed in the state it finds is refused with a
WorkflowError; anything else (deadlock, integrity error) is a failure.

Afterwards: the ReportEvent trail, in commit order, is a chain (each event's from_state is the
previous event's to_state, the first starts from the seeded state, the last ends in report.state),
every move answered with success has exactly its one event and no refused move has any, each save
bumped the version by exactly one (version = number of save events) and the historical versions
never go backwards.
"""
import json

import pytest

from .conftest import run_django, seed

pytestmark = [pytest.mark.faults, pytest.mark.services]

THREADS, MOVES = 20, 12

STORM = """
import json, random, threading, traceback
from collections import Counter
from django.contrib.auth import get_user_model
from django.db import connection
from reporting.reports import workflow
from reporting.models import Report

REPORT, THREADS, MOVES = {report}, {threads}, {moves}
User = get_user_model()
people = {{u.username.split("-")[0]: u for u in User.objects.filter(pk__in={users})}}
barrier = threading.Barrier(THREADS)
lock = threading.Lock()
done, refused, errors = Counter(), Counter(), []


def actor(n):
    rnd = random.Random(n)
    try:
        barrier.wait(timeout=60)
        for k in range(MOVES):
            move = rnd.choice(["save", "submit", "return", "accept", "reopen"])
            report = Report.objects.get(pk=REPORT)
            try:
                if move == "save":
                    workflow.report_save(report, user=people["officer"], base_version=report.version,
                                         data={{"results": f"luồng {{n}} lần {{k}}", "status": "on_schedule",
                                               "percent_complete": rnd.randint(0, 100)}})
                elif move == "submit":
                    workflow.report_submit(report, user=people["head"])
                elif move == "return":
                    workflow.report_return(report, user=people["reviewer"], comment=f"trả lại {{n}}/{{k}}")
                elif move == "accept":
                    workflow.report_accept(report, user=people["reviewer"], comment=f"đạt {{n}}/{{k}}")
                else:
                    workflow.report_reopen(report, user=people["reviewer"], reason=f"mở lại {{n}}/{{k}}")
            except workflow.WorkflowError:
                with lock:
                    refused[move] += 1
            else:
                with lock:
                    done[move] += 1
    except Exception:
        with lock:
            errors.append(traceback.format_exc())
    finally:
        connection.close()


threads = [threading.Thread(target=actor, args=(n,)) for n in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({{"done": done, "refused": refused, "errors": errors}}))
"""


def test_twenty_concurrent_transitions_leave_one_consistent_state_and_a_complete_trail(private_postgres, tmp_path):
    url = private_postgres.url()
    world = seed(url, reports=1, state="draft")
    report_id = world["reports"][0]
    users = [world["officer_id"], world["head_id"], world["reviewer_id"]]
    outcome = run_django(STORM.format(report=report_id, threads=THREADS, moves=MOVES, users=users), url,
                         EMAIL_URL=f"filemail:///{tmp_path}")
    assert outcome["errors"] == [], "\n".join(outcome["errors"])
    done, refused = outcome["done"], outcome["refused"]
    assert sum(done.values()) + sum(refused.values()) == THREADS * MOVES
    assert sum(done.values()) >= 20 and sum(refused.values()) > 0  # real contention, both outcomes seen

    pg = private_postgres
    (state, version), = pg.query("SELECT state, version FROM reporting_report WHERE id = %s", (report_id,))
    events = pg.query("SELECT id, kind, from_state, to_state FROM reporting_reportevent WHERE report_id = %s "
                      "ORDER BY id", (report_id,))
    # Every success has its one event, and nothing refused left one.
    kinds = {}
    for _id, kind, _f, _t in events:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == {k: v for k, v in done.items() if v}, (kinds, done)
    # The trail is a chain from the seeded state to the current one.
    previous = "draft"
    for _id, kind, from_state, to_state in events:
        assert from_state == previous, (kind, from_state, previous, events)
        previous = to_state
    assert previous == state
    # One version per save, never going backwards in history.
    assert version == done.get("save", 0)
    versions = [v for (v,) in pg.query("SELECT version FROM reporting_historicalreport WHERE id = %s "
                                       "ORDER BY history_id", (report_id,))]
    assert versions == sorted(versions) and (not versions or versions[-1] == version)
    print(json.dumps({"moves": THREADS * MOVES, "done": done, "refused": refused, "final_state": state,
                      "events": len(events)}))
