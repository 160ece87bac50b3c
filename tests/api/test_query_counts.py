"""The reports list costs a fixed number of queries per page, whatever the page's number or size:
a national token syncing 70,000 reports with `updated_since` pays the same per page on page 1 and
page 140 (bench/run.py's "API sync" scenario times it)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.models import Attachment, Report
from reporting.reports.cycles import create_cycles
from tests.factories import build_plan

PER_PAGE = 7  # the token used and read (2), its scope (2), count, the page, its evidence (an admin: no membership queries)


def queries(client, key, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/reports/", {"updated_since": "2020-01-01T00:00:00+07:00", **params},
                              HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    return len(captured), response.json()


def test_a_national_token_pages_reports_in_a_fixed_number_of_queries(world, api_key, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.vn", "x-long-password-1")
    key = api_key(root)
    for report in Report.objects.all():
        Attachment.objects.create(report=report, original_name="a.pdf", content_type="application/pdf", size=1,
                                  file="evidence/a.pdf", sha256=f"{report.pk:064d}")
    counts = {(size, page): queries(client, key, page_size=size, page=page) for size, page in ((1, 1), (1, 4), (2, 2), (4, 1))}
    assert {n for n, _ in counts.values()} == {PER_PAGE}
    assert {body["count"] for _, body in counts.values()} == {4}


def test_an_officers_token_costs_the_same_on_every_page(world, api_key, client):
    key = api_key(world.officer_a)
    Report.objects.filter(agency=world.agency_a).update(updated_at=timezone.now())
    first, _ = queries(client, key, page_size=1, page=1)
    last, body = queries(client, key, page_size=1, page=3)
    assert first == last and body["count"] == 3


def test_every_list_costs_the_same_whatever_the_page_size(api_scene, api_key, client):
    w = api_scene
    build_plan(jurisdiction=w.province, themes=1, groups=1, activities=1, lead=w.agency_b, code="bd-khac")
    create_cycles(w.plan, years=[2025])
    key = api_key(w.reviewer)
    for url in ("/api/v1/plans/", "/api/v1/plan-items/", "/api/v1/agencies/", "/api/v1/cycles/", "/api/v1/reports/",
                "/api/v1/indicators/"):
        counts = []
        for size in (1, 50):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, {"page_size": size}, HTTP_AUTHORIZATION=f"Token {key}")
            assert response.json()["count"] > 1, url  # more than one object: the sizes differ
            counts.append(len(captured))
        assert counts[0] == counts[1], (url, counts)
