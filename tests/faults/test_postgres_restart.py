"""PostgreSQL restarted under load: requests fail cleanly while it is down, the same web process
recovers by itself, and no save that was answered with success is missing afterwards.

gunicorn (2 workers × 4 threads, DEBUG=0, persistent connections with health checks as in
production) serves a private PostgreSQL. Six officers save their own report in a loop (GET the
page for its version, POST the form); a seventh client polls /healthz. Under that load the database
is stopped (`pg_ctl stop -m fast`: open connections are cut), kept down ~3 s, and started again.

Checked: while it is down every answer is an HTTP 5xx (no hang, no dropped connection, no
traceback shown); once it is back saves succeed again within seconds, without restarting gunicorn
(same master, same workers); every save answered "saved" (302 → ?saved=1) is in the database
afterwards (its text is in the report's history, with its save event), and each report's current
text is the last one acknowledged or one sent after it.
"""
import json
import threading
import time
from collections import Counter

import pytest

from .conftest import Browser, hidden_value, seed, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.services]

WRITERS = 6


class Writer(threading.Thread):
    def __init__(self, base, username, report_id, n, stop):
        super().__init__(daemon=True)
        self.browser = Browser(base, timeout=20).login(username)
        self.report_id, self.n, self.stop = report_id, n, stop
        self.acked, self.sent, self.answers = [], [], []  # answers: (time, phase-free status, seconds)

    def run(self):
        url = f"/reports/{self.report_id}/"
        k = 0
        while not self.stop.is_set():
            started = time.monotonic()
            status, body, _ = self.browser.get(url)
            self.answers.append((started, status, time.monotonic() - started, body[:300] if status >= 500 else ""))
            version = hidden_value(body, "base_version") if status == 200 else None
            if version is None:
                time.sleep(0.05)
                continue
            text = f"người {self.n}, lần lưu {k}"
            k += 1
            self.sent.append(text)
            started = time.monotonic()
            status, body, headers = self.browser.post(url + "save/", {
                "status": "on_schedule", "percent_complete": str(k % 101), "results": text, "base_version": version})
            self.answers.append((started, status, time.monotonic() - started, body[:300] if status >= 500 else ""))
            if status == 302 and headers.get("Location", "").endswith("?saved=1"):
                self.acked.append(text)
            time.sleep(0.01)


def test_postgres_restarted_under_load_fails_cleanly_recovers_in_process_and_loses_no_acknowledged_save(
        private_postgres, web):
    pg = private_postgres
    world = seed(pg.url(), reports=WRITERS, state="draft")
    server = web(pg.url())
    master, workers = server.master_pid, server.worker_pids()
    assert workers

    stop = threading.Event()
    writers = [Writer(server.base, world["officer"], rid, n, stop) for n, rid in enumerate(world["reports"])]
    health = []

    def poll():
        b = Browser(server.base, timeout=20)
        while not stop.is_set():
            started = time.monotonic()
            status, _, _ = b.get("/healthz")
            health.append((started, status, time.monotonic() - started))
            time.sleep(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    for w in writers:
        w.start()
    poller.start()
    try:
        time.sleep(3)
        before_outage = sum(len(w.acked) for w in writers)
        assert before_outage > 0, "no save succeeded before the outage"
        down_at = time.monotonic()
        pg.stop("fast")
        time.sleep(3)
        up_at = time.monotonic()
        pg.start()
        wait_until(lambda: any(a[0] > up_at + 0.5 and a[1] == 302 for w in writers for a in list(w.answers)), 30,
                   "a save to succeed after the restart", server.log)
        recovered_at = min(a[0] for w in writers for a in w.answers if a[0] > up_at + 0.5 and a[1] == 302)
        time.sleep(3)
    finally:
        stop.set()
        for w in writers:
            w.join(30)
        poller.join(30)

    answers = [a for w in writers for a in w.answers] + [(t, s, d, "") for t, s, d in health]
    during = [a for a in answers if down_at + 0.2 < a[0] < up_at - 0.2]
    after = [a for a in answers if a[0] > recovered_at]
    statuses = {"before": Counter(a[1] for a in answers if a[0] < down_at),
                "during": Counter(a[1] for a in during), "after": Counter(a[1] for a in after)}
    # Down: clean HTTP errors, quickly, with nothing of the internals shown.
    assert during, statuses
    assert all(500 <= a[1] < 600 for a in during), statuses
    assert all(a[2] < 10 for a in during), max(a[2] for a in during)
    assert not any("Traceback" in a[3] or "psycopg" in a[3] or "OperationalError" in a[3] for a in during)
    assert any(a[1] == 503 for a in during if a[3] == "")  # /healthz says "database unavailable"
    # Back: the same process serves again, every answer normal.
    assert all(a[1] in (200, 302) for a in after), statuses
    assert recovered_at - up_at < 15
    assert server.process.poll() is None and server.master_pid == master and server.worker_pids() == workers

    # Nothing acknowledged is missing.
    lost = []
    for w in writers:
        history = {text for (text,) in pg.query(
            "SELECT results FROM reporting_historicalreport WHERE id = %s", (w.report_id,))}
        lost += [(w.report_id, text) for text in w.acked if text not in history]
        (current, version), = pg.query("SELECT results, version FROM reporting_report WHERE id = %s", (w.report_id,))
        if w.acked:
            assert current in w.sent[w.sent.index(w.acked[-1]):], (current, w.acked[-1])
        (saves,), = pg.query("SELECT count(*) FROM reporting_reportevent WHERE report_id = %s AND kind = 'save'",
                             (w.report_id,))
        assert saves == version >= len(w.acked)
    assert lost == []
    print(json.dumps({"acknowledged_saves": sum(len(w.acked) for w in writers),
                      "attempted_saves": sum(len(w.sent) for w in writers), "lost": len(lost),
                      "outage_seconds": round(up_at - down_at, 1), "recovery_seconds": round(recovered_at - up_at, 1),
                      "answers": {k: dict(v) for k, v in statuses.items()}}))
