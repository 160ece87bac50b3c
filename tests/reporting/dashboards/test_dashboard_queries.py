"""The consolidated page and the dashboard issue the same number of queries with 20 items as
with 2,000 (data built with bulk_create)."""
import datetime as dt
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, JurisdictionRole
from reporting.models import Report, ReportingCycle, end_of_day
from tasks.models import PlanItem
from tests.factories import JurisdictionFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

STATES = ["missing", "draft", "submitted", "returned", "accepted"]
STATUSES = ["on_schedule", "behind", "completed", "not_started", "suspended"]


def build(n_items: int):
    """A plan with n activities in groups of 50 under themes of 4 groups, 10 agencies, a cycle
    with one report per activity in every state; rows made with bulk_create."""
    rng = random.Random(n_items)
    province = JurisdictionFactory(name=f"Tỉnh {n_items}")
    agencies = Agency.objects.bulk_create([Agency(jurisdiction=province, name=f"Sở số {i}", search_text=f"so so {i}")
                                           for i in range(10)])
    plan = PlanFactory(jurisdiction=province, code=f"p{n_items}")
    n_groups = max(1, (n_items + 49) // 50)
    n_themes = max(1, (n_groups + 3) // 4)

    def item(**kw):
        it = PlanItem(plan=plan, **kw)
        it.prepare()
        return it

    themes = PlanItem.objects.bulk_create([item(level="theme", code=str(t + 1), title=f"Chủ đề {t + 1}")
                                           for t in range(n_themes)])
    groups = PlanItem.objects.bulk_create([
        item(level="group", code=f"{g // 4 + 1}.{g % 4 + 1}", parent=themes[g // 4], title=f"Nhóm {g}")
        for g in range(n_groups)])
    activities = PlanItem.objects.bulk_create([
        item(level="activity", code=f"{groups[i // 50].code}.{i % 50 + 1}", parent=groups[i // 50],
             title=f"Hoạt động {i}", lead_agency=agencies[i % 10], start_year=2023, end_year=2030,
             high_priority=i % 7 == 0)
        for i in range(n_items)])
    cycle = ReportingCycle.objects.create(plan=plan, kind="annual", year=2026, opens_on=dt.date(2026, 1, 1),
                                          closes_on=dt.date(2026, 12, 31), due_at=end_of_day(dt.date(2026, 11, 30)))
    ReportingCycle.objects.create(plan=plan, kind="annual", year=2025, opens_on=dt.date(2025, 1, 1),
                                  closes_on=dt.date(2025, 12, 31), due_at=end_of_day(dt.date(2025, 11, 30)))
    reports = []
    for i, act in enumerate(activities):
        state = STATES[i % 5]
        reports.append(Report(
            cycle=cycle, item=act, agency_id=act.lead_agency_id, state=state, status=rng.choice(STATUSES),
            percent_complete=rng.randint(0, 100), late=i % 3 == 0,
            submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc) if state in ("submitted", "accepted") else None))
    Report.objects.bulk_create(reports, batch_size=1000)
    reviewer = UserFactory(username=f"rev{n_items}")
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
    return reviewer, cycle


def count_queries(client, user, url):
    client.force_login(user)
    client.get(url)  # warm caches (content types, sessions)
    cache.clear()  # but draw the dashboard again (reporting.dashboards.drawn_pages): count the drawing's queries
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("page", ["dashboard:status", "dashboard:cycle"])
def test_the_same_number_of_queries_for_20_and_2000_items(client, page):
    small_user, small_cycle = build(20)
    big_user, big_cycle = build(2000)
    small, small_response = count_queries(client, small_user, reverse(page, args=[small_cycle.pk]))
    big, big_response = count_queries(client, big_user, reverse(page, args=[big_cycle.pk]))
    assert small == big, (small, big)
    assert small <= 25
    if page == "dashboard:status":
        assert len(small_response.context["rows"]) == 20 and len(big_response.context["rows"]) == 2000


def test_filters_and_export_do_not_add_queries_per_row(client):
    small_user, small_cycle = build(20)
    big_user, big_cycle = build(2000)
    params = "?state=accepted&priority=high&q=hoat+dong&sort=-percent"
    small, _ = count_queries(client, small_user, reverse("dashboard:status", args=[small_cycle.pk]) + params)
    big, _ = count_queries(client, big_user, reverse("dashboard:status", args=[big_cycle.pk]) + params)
    assert small == big
    small, _ = count_queries(client, small_user, reverse("dashboard:status", args=[small_cycle.pk]) + "?export=xlsx")
    big, _ = count_queries(client, big_user, reverse("dashboard:status", args=[big_cycle.pk]) + "?export=xlsx")
    assert small == big
