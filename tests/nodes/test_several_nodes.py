"""Several web nodes and workers that share nothing but PostgreSQL (through PgBouncer in transaction
pooling), Redis and the S3 bucket, behind nginx: what one node received, another serves.

Run by `make test-nodes` and by `.ci/run` (marker `nodes`; the main `make test` run leaves these
out). Needs DATABASE_URL (PostgreSQL) and REDIS_URL, Debian's nginx and pgbouncer, and SeaweedFS
(`weed`); without them the tests skip on a laptop and fail under REQUIRE_SERVICES=1.
"""
import json
import os
import re
import signal
import time
import urllib.request
import uuid

import pytest

from tests.faults.conftest import PASSWORD, Browser, seed, unavailable, wait_until
from tests.nodes.cluster import cluster, missing_tools

pytestmark = [pytest.mark.nodes, pytest.mark.services]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JOB_DELAY = 6  # seconds a province report run waits at 70 %, so that its worker can be killed mid-job
LEASE_MINUTES = 0.25  # 15 s without a sign of life: the run is dead (a live one beats every 10 s)


@pytest.fixture(scope="module")
def nodes(object_store):
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        unavailable("DATABASE_URL does not name a PostgreSQL server")
    if not redis_url:
        unavailable("REDIS_URL is not set")
    if missing_tools():
        unavailable(f"not installed: {', '.join(missing_tools())} (make test-nodes installs them)")
    prefix = f"nodes-{uuid.uuid4().hex[:8]}"
    with cluster(database_url, redis_url, object_store.url(prefix), GREENPLAN_TEST_JOB_DELAY=JOB_DELAY,
                 PROVINCE_REPORT_JOB_LEASE_MINUTES=LEASE_MINUTES) as the:
        the.people = seed(the.direct_url, reports=4, state="submitted")
        the.store, the.prefix = object_store, prefix
        yield the


def query(the, sql, params=()):
    import psycopg

    with psycopg.connect(the.direct_url.replace("postgres://", "postgresql://", 1)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def on(base, browser):
    """The same person (cookies) talking to another node."""
    other = Browser(base)
    other.jar, other.opener = browser.jar, browser.opener
    return other


def upload(browser, path, filename, content):
    boundary = uuid.uuid4().hex
    csrf = next(c.value for c in browser.jar if c.name == "csrftoken")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(browser.base + path, data=body, method="POST")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    request.add_header("Referer", browser.base + path)
    try:
        with browser.opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def fetch(browser, path):
    with browser.opener.open(browser.base + path, timeout=30) as response:
        return response.status, response.read()


def figures(body):
    """What the dashboard says: its figure cards and the numbers of its tables (progress counts only
    accepted reports)."""
    return re.findall(r'data-figure="\d+">([^<]*)<', body) + re.findall(r'data-sort="([^"]*)"', body)


def generate_report(browser, cycle):
    status, body, headers = browser.post(f"/dashboard/cycle/{cycle}/province-report/", {
        "number": "12/BC-STC", "date": "05/12/2026", "place": "Thử nghiệm", "signer_title": "GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Nút", "signer_authority": "", "ministry": "Bộ Tài chính",
        "recipients": "Bộ Tài chính;\nLưu: VT.", "format": "xlsx"})
    assert status == 302, body[:500]
    return int(re.search(r"/jobs/(\d+)/", headers["Location"]).group(1))


def test_a_session_started_on_one_node_continues_on_the_other(nodes):
    officer = Browser(nodes.a.base).login(nodes.people["officer"], PASSWORD)
    assert officer.get("/reports/")[0] == 200
    status, body, headers = on(nodes.b.base, officer).get("/reports/")
    assert status == 200 and "Hoạt động 1" in body, (status, headers.get("Location"), [c.name for c in officer.jar])


def test_the_balancer_sends_requests_to_both_nodes(nodes):
    before = [len((n.root / "access.log").read_text().splitlines()) for n in nodes.nodes]
    visitor = Browser(nodes.balancer.base)
    for _ in range(10):
        assert visitor.get("/accounts/login/")[0] == 200

    def served():  # a worker writes its access line just after the answer: wait for the last ones
        return [len((n.root / "access.log").read_text().splitlines()) - b for n, b in zip(nodes.nodes, before)]

    wait_until(lambda: sum(served()) == 10, 10, "every request in a node's access log")
    assert min(served()) >= 4, served()  # round robin: about half each


def test_evidence_uploaded_through_node_a_downloads_through_node_b(nodes):
    people = nodes.people
    officer = Browser(nodes.a.base).login(people["officer"], PASSWORD)
    report = people["reports"][0]
    query(nodes, "UPDATE reporting_report SET state = 'draft' WHERE id = %s", (report,))
    assert upload(officer, f"/reports/{report}/attachments/", "bien-ban.pdf", PDF) == 302
    status, body, _ = on(nodes.b.base, officer).get(f"/reports/{report}/")
    attachment = re.search(r"/reports/attachments/(\d+)/\"", body).group(1)
    assert fetch(on(nodes.b.base, officer), f"/reports/attachments/{attachment}/") == (200, PDF)
    assert not [p for n in nodes.nodes for p in n.media.rglob("*") if p.is_file()]  # on no node's disk: in the bucket


def test_the_dashboard_drawn_on_a_shows_a_change_made_on_b_at_once(nodes):
    people, cycle = nodes.people, nodes.people["cycle"]
    reviewer = Browser(nodes.a.base).login(people["reviewer"], PASSWORD)
    # Drawn (and kept in the drawn-page cache) by every process of node A: several views, all alike.
    first = reviewer.get(f"/dashboard/cycle/{cycle}/")[1]
    assert figures(first) and all(figures(reviewer.get(f"/dashboard/cycle/{cycle}/")[1]) == figures(first)
                                  for _ in range(8))
    # On B the reviewer returns a submitted report: it no longer counts as reported.
    status, body, _ = on(nodes.b.base, reviewer).post(f"/reports/{people['reports'][1]}/return/",
                                                      {"comment": "Bổ sung số liệu"})
    assert status == 302, body[:300]
    assert query(nodes, "SELECT state FROM reporting_report WHERE id = %s", (people["reports"][1],)) == [("returned",)]
    seen = [figures(reviewer.get(f"/dashboard/cycle/{cycle}/")[1]) for _ in range(8)]
    assert all(after != figures(first) for after in seen)  # no process of A serves its older drawing


def test_the_login_lockout_counts_across_nodes(nodes):
    head = nodes.people["head"]
    for base, times in ((nodes.a.base, 3), (nodes.b.base, 2)):
        browser = Browser(base)
        browser.get("/accounts/login/")
        for _ in range(times):
            status, _, _ = browser.post("/accounts/login/", {"username": head, "password": "sai-mat-khau"})
            assert status != 302
    for base in (nodes.a.base, nodes.b.base):
        browser = Browser(base)
        browser.get("/accounts/login/")
        status, body, _ = browser.post("/accounts/login/", {"username": head, "password": PASSWORD})
        assert status != 302 and "tạm khóa" in body.lower(), (status, body[:300])


def test_the_password_reset_limit_counts_across_nodes(nodes):
    """At most three reset mails an hour to one address, however the requests are spread."""
    address = f"officer-{nodes.people['tag']}@example.vn"
    for base in (nodes.a.base, nodes.b.base, nodes.a.base, nodes.b.base, nodes.a.base):
        browser = Browser(base)
        browser.get("/accounts/password/reset/")
        status, body, _ = browser.post("/accounts/password/reset/", {"email": address})
        assert status == 302, body[:300]
    sent = [m for n in nodes.nodes for m in n.mail.glob("*") if address.encode() in m.read_bytes()]
    assert len(sent) == 3, len(sent)


def test_a_province_report_made_by_a_worker_downloads_through_either_node(nodes):
    reviewer = Browser(nodes.balancer.base).login(nodes.people["reviewer"], PASSWORD)
    job = generate_report(reviewer, nodes.people["cycle"])
    wait_until(lambda: json.loads(reviewer.get(f"/dashboard/jobs/{job}/status.json")[1])["status"] == "done", 90,
               "the province report job")
    files = [fetch(on(node.base, reviewer), f"/dashboard/jobs/{job}/download/") for node in nodes.nodes]
    assert files[0] == files[1] and files[0][0] == 200 and files[0][1].startswith(b"PK")


def test_a_worker_killed_mid_job_is_finished_by_the_other_exactly_once_within_a_minute(nodes):
    marker = b"Task reporting.generate_province_report["
    before = {w.name: w.log.read_bytes().count(marker) for w in nodes.workers}
    reviewer = Browser(nodes.balancer.base).login(nodes.people["reviewer"], PASSWORD)
    job = generate_report(reviewer, nodes.people["cycle"])
    wait_until(lambda: query(nodes, "SELECT status, progress FROM reporting_provincereportjob WHERE id = %s",
                             (job,))[0] == ("running", 70), 60, "the job to reach its long step")
    victim = next(w for w in nodes.workers if w.log.read_bytes().count(marker) > before[w.name])
    survivor = next(w for w in nodes.workers if w is not victim)
    os.kill(victim.process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    victim.process.wait(10)
    wait_until(lambda: query(nodes, "SELECT status FROM reporting_provincereportjob WHERE id = %s",
                             (job,))[0][0] == "done", 75, "another worker to finish the job", survivor.log)
    took = time.monotonic() - killed_at
    status, attempts, path = query(nodes, "SELECT status, attempts, file_path FROM reporting_provincereportjob "
                                          "WHERE id = %s", (job,))[0]
    assert took < 60, f"finished {took:.0f} s after the kill"
    # Two claims (the dead run's and the survivor's), one finished run, one file.
    assert (status, attempts) == ("done", 2) and path.startswith(f"province-reports/{job}/")
    log = survivor.log.read_bytes()
    assert f"province report job {job} silent since".encode() in log
    assert log.count(marker) > before[survivor.name]  # the survivor ran it
    prefix = f"{nodes.prefix}/province-reports/{job}/"
    stored = nodes.store.client().list_objects_v2(Bucket=nodes.store.bucket, Prefix=prefix).get("Contents", [])
    assert len(stored) == 1  # the dead run wrote nothing
    assert fetch(on(nodes.a.base, reviewer), f"/dashboard/jobs/{job}/download/")[0] == 200
