"""The leadership dashboard is drawn once per state of its data (reporting.dashboards.drawn_pages): a second
view reuses the drawing, and any change to a row behind it, however it is made, is shown at once.

The fingerprint reads PostgreSQL's row versions, so these tests run there (CI); on SQLite the page is
drawn on every view, which the other dashboard tests cover."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from reporting.reports import workflow
from reporting.dashboards.drawn_pages import dashboard_fingerprint
from reporting.models import Report
from tasks.models import PlanItem
from tests.reporting.dashboards.test_dashboard_figures import headline_cards

pytestmark = pytest.mark.usefixtures("postgres_required")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def view(client, scenario):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(scenario.url("cycle"))
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def drawing(body: str) -> str:
    return body[body.index('<section aria-labelledby="h-figures">'):body.index("</main>")]


def test_a_second_view_reuses_the_drawing_with_fewer_queries(client, scenario):
    client.force_login(scenario.leader)
    first, drawn_queries = view(client, scenario)
    second, reused_queries = view(client, scenario)
    assert reused_queries < drawn_queries - 5, (drawn_queries, reused_queries)
    assert headline_cards(second) == headline_cards(first)
    assert drawing(second) == drawing(first)  # the rest differs by the masked CSRF token only


def test_a_workflow_move_is_shown_on_the_next_view(client, scenario):
    client.force_login(scenario.leader)
    before = headline_cards(view(client, scenario)[0])
    workflow.report_return(Report.objects.get(pk=scenario.reports["1.1.2"].pk), user=scenario.reviewer,
                           comment="Bổ sung số liệu.")
    after = headline_cards(view(client, scenario)[0])
    assert after["Đã gửi"] == before["Đã gửi"] - 1
    assert after["Chưa nộp"] == before["Chưa nộp"] + 1


def test_changes_made_outside_the_workflow_are_shown_too(client, scenario):
    """A bulk UPDATE sends no signal and bumps no timestamp: the row versions still change."""
    client.force_login(scenario.leader)
    body, _ = view(client, scenario)
    assert headline_cards(body)["Chưa nộp"] == 3
    Report.objects.filter(cycle=scenario.cycle, item__code="2.1.1").update(
        state="submitted", status="on_schedule", percent_complete=50,
        submitted_at=dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.timezone.utc))
    body, _ = view(client, scenario)
    assert headline_cards(body)["Chưa nộp"] == 2

    Agency.objects.filter(pk=scenario.agency_s.pk).update(name="Sở Xây dựng (đổi tên)")
    assert "Sở Xây dựng (đổi tên)" in view(client, scenario)[0]

    PlanItem.objects.filter(pk=scenario.themes["2"].pk).update(title="Chủ đề thứ hai, tên mới")
    assert "Chủ đề thứ hai, tên mới" in view(client, scenario)[0]


def test_two_updates_of_one_row_in_one_transaction_give_two_fingerprints(scenario):
    report = Report.objects.get(cycle=scenario.cycle, item__code="2.1.1")
    seen = {dashboard_fingerprint(scenario.cycle)}
    for percent in (10, 20):
        Report.objects.filter(pk=report.pk).update(percent_complete=percent)
        seen.add(dashboard_fingerprint(scenario.cycle))
    assert len(seen) == 3


def test_each_language_has_its_own_drawing(client, scenario):
    client.force_login(scenario.leader)
    vietnamese, _ = view(client, scenario)
    client.cookies["django_language"] = "en"
    english, _ = view(client, scenario)
    assert "Số liệu chính" in vietnamese and "Số liệu chính" not in english
    client.cookies["django_language"] = "vi"
    assert "Số liệu chính" in view(client, scenario)[0]


def test_the_drawing_holds_nothing_of_the_viewer(client, scenario):
    """Drawn for a reviewer, reused for a leader: the reviewer-only button is outside the drawing."""
    client.force_login(scenario.reviewer)
    assert "Tạo báo cáo tỉnh" in view(client, scenario)[0]
    client.force_login(scenario.leader)
    body, queries = view(client, scenario)
    assert "Tạo báo cáo tỉnh" not in body
    assert scenario.reviewer.get_full_name() not in body
