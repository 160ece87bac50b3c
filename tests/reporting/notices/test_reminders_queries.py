"""The reminder job issues the same number of queries for 50 agencies as for 500 (so for 5,000):
planning reads everything in fixed queries and writes every new notice in one statement. Delivery
claims, loads and checks a batch of notices in fixed queries; what grows with the number of notices
is only each one's own mark (sent, with its in-app notifications), written right after its send."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Jurisdiction, JurisdictionRole, Membership
from reporting.notices import delivery as notices
from reporting.models import ContributionRequest, Extension, Notice, Report, ReportingCycle, end_of_day
from reporting.notices.reminders import collect, run
from tasks.models import Plan, PlanItem

pytestmark = pytest.mark.usefixtures("eager_jobs")

TODAY = dt.date(2026, 12, 3)  # overdue for most, 7 days before the extended ones and the ministry


def build(size: int, tag: str):
    """`size` agencies, two reports each, two people each; every fifth agency has an extension and
    every tenth a contribution request to answer. All written with bulk_create."""
    province = Jurisdiction.objects.create(name=f"Tỉnh {tag}")
    agencies = Agency.objects.bulk_create(
        [Agency(jurisdiction=province, name=f"Sở {tag} {i}", search_text=f"so {tag} {i}") for i in range(size)])
    plan = Plan.objects.create(code=f"p-{tag}", number=f"{tag}/KH-UBND", title="Kế hoạch", jurisdiction=province,
                               period_start=2023, period_end=2030, focal_agency=agencies[0])
    theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="Chủ đề")
    group = PlanItem.objects.create(plan=plan, level="group", code="1.1", parent=theme, title="Nhóm")
    items = [PlanItem(plan=plan, level="activity", code=f"1.1.{n + 1}", parent=group, title=f"Hoạt động {n}",
                      lead_agency=agencies[n // 2]) for n in range(2 * size)]
    for item in items:
        item.prepare()
    items = PlanItem.objects.bulk_create(items)
    cycle = ReportingCycle.objects.create(plan=plan, year=2026, opens_on=dt.date(2026, 1, 1),
                                          closes_on=dt.date(2026, 12, 31), due_at=end_of_day(dt.date(2026, 11, 30)),
                                          ministry_due_on=dt.date(2026, 12, 10))
    reports = Report.objects.bulk_create(
        [Report(cycle=cycle, item=item, agency_id=item.lead_agency_id,
                state=Report.State.RETURNED if n % 7 == 0 else Report.State.MISSING) for n, item in enumerate(items)])
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{tag}-{i}-{role}", email=f"{tag}-{i}-{role}@example.vn")
         for i in range(size) for role in ("officer", "head")])
    Membership.objects.bulk_create(
        [Membership(user=u, agency=agencies[n // 2], role="officer" if n % 2 == 0 else "head")
         for n, u in enumerate(users)])
    reviewer = User.objects.create(username=f"{tag}-reviewer", email=f"{tag}-reviewer@example.vn")
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
    Extension.objects.bulk_create(
        [Extension(cycle=cycle, agency=a, reason="Sáp nhập", state="granted",
                   new_due_at=end_of_day(dt.date(2026, 12, 10))) for a in agencies[::5]])
    ContributionRequest.objects.bulk_create(
        [ContributionRequest(report=r, agency=agencies[(n + 1) % size], due_on=dt.date(2026, 12, 6))
         for n, r in enumerate(reports[::20])])
    return cycle


def planning_queries(monkeypatch, size, tag):
    build(size, tag)
    handed = []
    monkeypatch.setattr(notices, "enqueue", lambda ids, **kw: handed.extend(ids))
    with CaptureQueriesContext(connection) as ctx:
        record = run(TODAY)
    return len(ctx.captured_queries), record, handed


def test_the_job_issues_the_same_number_of_queries_for_50_and_500_agencies(db, monkeypatch):
    small, small_run, small_ids = planning_queries(monkeypatch, 50, "a")
    ReportingCycle.objects.all().delete()  # the first world's reports, notices, extensions go too
    large, large_run, large_ids = planning_queries(monkeypatch, 500, "b")

    assert small == large, f"{small} queries for 50 agencies, {large} for 500"
    assert small <= 25
    # Every kind of reminder was planned, at both sizes.
    assert set(Notice.objects.values_list("kind", flat=True)) == {"due", "overdue", "digest", "contribution",
                                                                    "ministry"}
    assert large_run.planned == len(large_ids) and large_run.planned > 500


def test_planning_reads_a_fixed_number_of_queries_whatever_the_size(db, django_assert_num_queries):
    build(50, "c")
    with CaptureQueriesContext(connection) as small:
        collect(TODAY)
    build(500, "d")
    with django_assert_num_queries(len(small.captured_queries)):
        due = collect(TODAY)
    assert len(due) > 550


def test_delivering_one_notice_costs_the_same_queries_whatever_the_size_of_the_plan(db, monkeypatch):
    build(5, "e")
    build(400, "f")
    monkeypatch.setattr(notices, "enqueue", lambda ids, **kw: None)
    run(TODAY)
    small = Notice.objects.filter(kind="overdue", agency__name="Sở e 1").get()
    large = Notice.objects.filter(kind="overdue", agency__name="Sở f 1").get()
    counts = []
    for notice in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert notices.deliver(notice.pk, today=TODAY) == "sent"
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 12
    digests = Notice.objects.filter(kind="digest").order_by("pk")
    counts = []
    for notice in digests:
        with CaptureQueriesContext(connection) as ctx:
            assert notices.deliver(notice.pk, today=TODAY) == "sent"
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_delivering_50_notices_reads_as_many_queries_as_delivering_5(db, monkeypatch):
    build(60, "g")
    monkeypatch.setattr(notices, "enqueue", lambda ids, **kw: None)
    run(TODAY)
    ids = list(Notice.objects.filter(kind__in=["due", "overdue"]).order_by("pk").values_list("pk", flat=True))
    assert len(ids) >= 55

    def cost(batch):
        with CaptureQueriesContext(connection) as ctx:
            outcome = notices.deliver_many(batch, today=TODAY)
        assert list(outcome.values()) == ["sent"] * len(batch)
        statements = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
        return len(statements), sum(s.startswith("SELECT") for s in statements)

    total_5, reads_5 = cost(ids[:5])
    total_50, reads_50 = cost(ids[5:55])
    # Reads: the batch of notices, their reports still open, their recipients; whatever the number.
    assert reads_5 == reads_50 <= 4, (reads_5, reads_50)
    # Writes: one claim for the batch, then one mark per notice (one statement on PostgreSQL; an
    # UPDATE and an INSERT in a savepoint elsewhere).
    per_notice, rest = divmod(total_50 - total_5, 45)
    assert rest == 0 and per_notice == (1 if connection.vendor == "postgresql" else 4), (total_5, total_50)
    assert total_5 - 5 * per_notice == total_50 - 50 * per_notice <= 6
    assert Notice.objects.filter(pk__in=ids[:55], state="sent").count() == 55
