"""Redis stopped: pages, saving and submitting still work, and the notifications due meanwhile go
out once Redis is back, from the outbox, once each.

gunicorn and a Celery worker run against a private PostgreSQL and a private Redis (the broker).
Redis is stopped. Then, over HTTP: the officer opens pages and saves, the head submits, the reviewer
opens the queue and returns one report (a notice is due to the agency at once) and accepts another;
and the daily reminder run plans its reminders (notices due to the agency and the reviewer). None
can reach the broker: every page must still answer promptly and every notice must wait in the
outbox (Notice rows "queued", nothing sent). Redis is started again; the worker reconnects by itself;
the outbox flush (what beat runs every minute) is published, and every waiting notice is delivered
exactly once. A second flush sends nothing more.
"""
import email
import email.header
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import BASE_DIR, Browser, django_env, hidden_value, run_django, seed, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.services]

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def delivered(mail_dir: Path) -> list[dict]:
    out = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                msg = email.message_from_bytes(chunk)
                out.append({"to": str(email.header.make_header(email.header.decode_header(msg["To"] or ""))),
                            "subject": str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))})
    return out


def notices(pg, tag):
    return pg.query("SELECT n.id, n.kind, n.state, n.attempts FROM reporting_notice n "
                    "JOIN reporting_reportingcycle c ON c.id = n.cycle_id JOIN tasks_plan p ON p.id = c.plan_id "
                    "WHERE p.code = %s ORDER BY n.id", (f"su-co-{tag}",))


def timed(call, *args):
    started = time.monotonic()
    status, body, headers = call(*args)
    return status, body, headers, time.monotonic() - started


def test_with_redis_down_pages_saves_and_submits_work_and_notices_go_out_once_when_it_is_back(
        private_postgres, private_redis, web, celery_worker):
    pg, redis = private_postgres, private_redis
    broker = redis.url(3)
    world = seed(pg.url(), reports=4, state="draft", due_in=3)
    first, second, third, fourth = world["reports"]
    # Two reports already submitted, for the reviewer to return and accept.
    pg.query("UPDATE reporting_report SET state = 'submitted', submitted_at = now() WHERE id IN (%s, %s) "
             "RETURNING id", (third, fourth))
    server = web(pg.url(), broker)
    worker = celery_worker(pg.url(), broker, server.mail, server.media)
    officer = Browser(server.base).login(world["officer"])
    head = Browser(server.base).login(world["head"])
    reviewer = Browser(server.base).login(world["reviewer"])

    redis.stop()
    assert not redis.ping()
    slow = []

    def ok(result, expected, what):
        status, body, headers, seconds = result
        assert status == expected, f"{what}: {status} {body[:800]}"
        slow.append((what, seconds))
        return body, headers

    body, _ = ok(timed(officer.get, "/reports/"), 200, "officer home")
    body, _ = ok(timed(officer.get, f"/reports/{first}/"), 200, "report page")
    version = hidden_value(body, "base_version")
    _, headers = ok(timed(officer.post, f"/reports/{first}/save/", {
        "status": "on_schedule", "percent_complete": "60", "results": "Lưu khi Redis dừng",
        "base_version": version}), 302, "save")
    assert headers["Location"].endswith("?saved=1")
    _, headers = ok(timed(head.post, f"/reports/{first}/submit/", {}), 302, "submit")
    ok(timed(reviewer.get, "/reports/review/"), 200, "review queue")
    ok(timed(reviewer.post, f"/reports/{third}/return/", {"comment": "Bổ sung số liệu kinh phí."}), 302, "return")
    ok(timed(reviewer.post, f"/reports/{fourth}/accept/", {"comment": ""}), 302, "accept")
    ok(timed(reviewer.get, f"/reports/{third}/"), 200, "returned report page")
    assert max(s for _, s in slow) < 8, slow  # the broker's connect timeout, not a hang

    states = dict(pg.query("SELECT id, state FROM reporting_report WHERE id = ANY(%s)", (world["reports"],)))
    assert states == {first: "submitted", second: "draft", third: "returned", fourth: "accepted"}

    # The daily reminder run, with the broker down (reporting.notices.jobs.send_reminders' body).
    run = run_django("""
        import json
        from reporting.notices import reminders
        record = reminders.run()
        print(json.dumps({"planned": record.planned}))
    """, pg.url(), REDIS_URL=broker, EMAIL_URL=f"filemail:///{server.mail}")
    assert run["planned"] >= 2  # the agency's reminder and the reviewer's digest

    waiting = notices(pg, world["tag"])
    kinds = sorted(k for _, k, _, _ in waiting)
    # Reviewed: returned and accepted; reminders: the agency's "due" and the reviewer's digest.
    assert set(kinds) == {"returned", "accepted", "due", "digest"} and len(kinds) == 4, kinds
    assert all(state == "queued" and attempts == 0 for _, _, state, attempts in waiting), waiting
    assert delivered(server.mail) == []
    ours = lambda: [m for m in delivered(server.mail) if world["tag"] in m["to"]]  # noqa: E731 (other tests' rows)

    # Redis back: the worker reconnects on its own; beat's flush empties the outbox.
    redis.start()
    assert worker.alive, worker.log.read_text()[-3000:]  # it kept retrying the broker; the delivery below
    # proves it reconnected without a restart
    call = [sys.executable, "-m", "celery", "-A", "greenplan", "call", "reporting.jobs.flush_outbox"]
    env = django_env(pg.url(), REDIS_URL=broker)
    subprocess.run(call, cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=60)
    wait_until(lambda: all(s == "sent" for _, _, s, _ in notices(pg, world["tag"]))
               and len(ours()) >= len(waiting), 90, "the outbox to be delivered", worker.log)

    subprocess.run(call, cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=60)
    time.sleep(3)  # anything a second flush could send has had time to go out
    after = notices(pg, world["tag"])
    assert [(i, k) for i, k, _, _ in after] == [(i, k) for i, k, _, _ in waiting]  # no new notice, none lost
    assert all(state == "sent" and attempts == 1 for _, _, state, attempts in after), after
    messages = ours()
    assert len(messages) == len(waiting)  # one e-mail per notice, none twice
    subjects = [m["subject"] for m in messages]
    assert any("bị trả lại" in s for s in subjects), subjects
    assert server.process.poll() is None
    print(json.dumps({"requests_during_outage": len(slow), "slowest_seconds": round(max(s for _, s in slow), 2),
                      "notices_kept_in_outbox": len(waiting), "delivered_after_recovery": len(messages),
                      "sent_twice": len(messages) - len(waiting)}))
