"""The report page's plain statements (reporting/reports/reads.py) read what the ORM reads, and only
what the access functions let the user see."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.models import Attachment, ContributionRequest, Extension, Report, ReportEvent
from reporting.reports import reads, workflow
from reporting.reports.views import DIFF_FIELDS

pytestmark = pytest.mark.django_db


def same_fields(read, loaded):
    assert type(read) is type(loaded)
    for field in type(loaded)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(loaded, field.attname), field.name


def saved(report, user, n=1, **data):
    for i in range(n):  # each save changes something, so each is an entry of what changed
        report.refresh_from_db()
        workflow.report_save(report, user=user, base_version=report.version, data={
            "status": "on_schedule", "percent_complete": 40 + report.version % 50, "results": "Đã triển khai",
            "funds_local": 1_234_567_890_123, **data})
    report.refresh_from_db()
    return report


def test_the_report_page_reads_the_report_its_cycle_plan_item_and_agency_as_the_orm_does(alice, report):
    saved(report, alice)
    read = reads.report_page(alice, report.pk)
    loaded = Report.objects.select_related("cycle__plan", "item", "agency").get(pk=report.pk)
    same_fields(read, loaded)
    for relation in ("cycle", "item", "agency"):
        same_fields(getattr(read, relation), getattr(loaded, relation))
    same_fields(read.cycle.plan, loaded.cycle.plan)
    assert timezone.is_aware(read.updated_at) and timezone.is_aware(read.cycle.due_at)
    assert read.funds_local == 1_234_567_890_123 and read.late is False  # no rounding, a real boolean
    assert read.get_deferred_fields() == set()  # nothing left to load behind the page's back


def test_the_report_page_read_says_what_the_report_has(alice, hana, rita, report, agency_s):
    read = reads.report_page(alice, report.pk)
    assert (read.has_attachments, read.has_contributions, read.has_events, read.granted_due_at) == (
        False, False, False, None)

    saved(report, alice)
    assert reads.report_page(alice, report.pk).has_events is False  # saves are listed under what changed
    Attachment.objects.create(report=report, file="x.pdf", original_name="x.pdf", content_type="application/pdf",
                              size=1, uploaded_by=alice)
    ContributionRequest.objects.create(report=report, agency=agency_s, due_on=dt.date(2026, 11, 20), requested_by=alice)
    ext = workflow.extension_request(cycle=report.cycle, agency_id=report.agency_id, user=hana, reason="Chờ số liệu")
    workflow.extension_grant(ext, user=rita, new_due_on=timezone.localtime(report.cycle.due_at).date() + dt.timedelta(days=10))
    read = reads.report_page(alice, report.pk)
    assert (read.has_attachments, read.has_contributions, read.has_events) == (True, True, True)
    assert read.granted_due_at == Extension.objects.get(pk=ext.pk).new_due_at
    assert workflow.report_deadline(read) == workflow.report_deadline(Report.objects.get(pk=report.pk))


def test_a_report_the_user_may_not_see_is_not_read(alice, bob, yann, rita, report, report_b):
    assert reads.report_page(bob, report.pk) is None and reads.report_key(bob, report.pk) is None
    assert reads.report_page(yann, report.pk) is None  # a reviewer of another province
    assert reads.report_page(rita, report.pk).pk == report.pk and reads.report_key(rita, report.pk).pk == report.pk
    assert reads.report_key(alice, report.pk).agency_id == report.agency_id
    missing = Report.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    assert reads.report_page(alice, missing) is None and reads.report_key(alice, missing) is None


def test_the_history_read_is_the_orm_values_newest_first(alice, report):
    saved(report, alice, n=3)
    saved(report, alice, results="Hoàn thành phần lớn", percent_complete=90)
    names = (*DIFF_FIELDS, "history_date", "history_type", "history_user_id")
    orm = list(report.history.order_by("-history_date", "-history_id").values(*names))
    assert reads.history_rows(report.pk, DIFF_FIELDS, skip=0, count=10) == orm
    assert reads.history_rows(report.pk, DIFF_FIELDS, skip=1, count=2) == orm[1:3]
    assert timezone.is_aware(orm[0]["history_date"])


def test_the_supporting_agencies_and_the_people_are_read_as_the_orm_reads_them(alice, bob, report, agency_b):
    report.item.supporting_agencies.add(agency_b)
    loaded = list(report.item.supporting_agencies.all())
    read = reads.supporting_agencies(report.item)
    assert [a.pk for a in read] == [a.pk for a in loaded] and len(read) == 2
    for a, b in zip(read, loaded):
        same_fields(a, b)
    people = reads.users({alice.pk, bob.pk})
    for pk, user in get_user_model().objects.in_bulk([alice.pk, bob.pk]).items():
        same_fields(people[pk], user)


def test_the_report_page_costs_the_same_queries_however_often_the_report_was_saved(client, alice, report):
    client.force_login(alice)
    url = reverse("reporting:report", args=[report.pk])
    saved(report, alice)
    client.get(url)
    with CaptureQueriesContext(connection) as once:
        assert client.get(url).status_code == 200
    saved(report, alice, n=15)
    with CaptureQueriesContext(connection) as often:
        body = client.get(url).content.decode()
    assert len(often.captured_queries) == len(once.captured_queries)
    assert 'id="older-changes-hidden"' in body
    # No evidence, input request nor log entry: their lists are not asked for.
    for model in (Attachment, ContributionRequest, ReportEvent):
        assert not any(q["sql"].startswith(f'SELECT "{model._meta.db_table}".') for q in often.captured_queries)


# --- the officer's home ------------------------------------------------------------------------

@pytest.fixture
def busy_home(alice, bob, sam, hana, rita, cycle, last_year, report, report_b, agency_a, agency_b, agency_s):
    """Alice's agency owes reports in the open cycle and last year's; it asked for input and was asked
    (answered and not, on an open cycle and a closed one); it has two extensions."""
    from tests.reporting.factories import bulk_reports

    bulk_reports(cycle, agency_a, 6, theme="5", states=[Report.State.DRAFT, Report.State.RETURNED, Report.State.SUBMITTED])
    bulk_reports(last_year, agency_a, 2, theme="7")
    old = bulk_reports(last_year, agency_b, 2, theme="8")
    now = timezone.now()
    ContributionRequest.objects.create(report=report_b, agency=agency_a, due_on=dt.date(2026, 11, 25), requested_by=bob)
    ContributionRequest.objects.create(report=old[0], agency=agency_a, due_on=dt.date(2025, 11, 1), requested_by=bob,
                                       answered_at=now, answer="Đã góp ý")  # closed cycle, answered: not listed
    ContributionRequest.objects.create(report=old[1], agency=agency_a, due_on=dt.date(2025, 11, 2), requested_by=bob)
    ContributionRequest.objects.create(report=report, agency=agency_s, due_on=dt.date(2026, 11, 24), requested_by=alice)
    workflow.extension_request(cycle=cycle, agency_id=agency_a.pk, user=hana, reason="Chờ số liệu")
    Extension.objects.create(cycle=last_year, agency=agency_a, reason="Năm trước", state=Extension.State.REFUSED)
    return alice


def test_the_homes_reports_are_the_visible_reports_the_query_gave(busy_home, agency_a, bob):
    from reporting.reports import access
    from reporting.reports.views import _HOME_COLUMNS

    today = timezone.localdate()
    for user, agencies in ((busy_home, {agency_a.pk}), (bob, {agency_a.pk})):  # bob sees none of A's
        orm = list(access.reports_visible_to(Report.objects.all(), user)
                   .filter(agency_id__in=agencies, cycle__opens_on__lte=today, cycle__closes_on__gte=today)
                   .order_by("-cycle__year", "cycle_id", "agency__name", "item__sort_key").values(*_HOME_COLUMNS))
        assert reads.home_lines(user, agencies, today, _HOME_COLUMNS) == orm
    assert len(orm) == 0 and len(reads.home_lines(busy_home, {agency_a.pk}, today, _HOME_COLUMNS)) == 7


def test_the_homes_extensions_and_input_requests_are_what_the_queries_gave(busy_home, agency_a, agency_b):
    from django.db.models import Q

    from reporting.reports import access

    today = timezone.localdate()
    orm = list(Extension.objects.filter(agency_id__in=[agency_a.pk], cycle__closes_on__gte=today)
               .select_related("cycle", "agency"))
    read = reads.home_extensions({agency_a.pk}, today)
    assert len(read) == 1
    for a, b in zip(read, orm, strict=True):
        for read_one, loaded in ((a, b), (a.cycle, b.cycle), (a.agency, b.agency)):
            same_fields(read_one, loaded)

    orm = list(access.contributions_visible_to(ContributionRequest.objects.all(), busy_home)
               .filter(Q(report__cycle__closes_on__gte=today) | Q(answered_at__isnull=True), agency_id__in=[agency_a.pk])
               .select_related("report__item", "report__agency", "agency").order_by("answered_at", "due_on"))
    read = reads.home_contributions(busy_home, {agency_a.pk}, today)
    assert [c.pk for c in read] == [c.pk for c in orm] and len(read) == 2
    for a, b in zip(read, orm):
        assert (a.due_on, a.answered, a.agency.name, a.report.agency.name, a.report.item.code, a.report.item.title) == (
            b.due_on, b.answered, b.agency.name, b.report.agency.name, b.report.item.code, b.report.item.title)
        assert (a.agency_id, a.report_id, a.report.agency_id, a.report.item_id) == (
            b.agency_id, b.report_id, b.report.agency_id, b.report.item_id)
    assert reads.agencies_by_name({agency_b.pk, agency_a.pk}) == sorted([agency_a, agency_b], key=lambda a: a.name)


def test_the_one_input_request_rule_agrees_with_the_query_for_every_user_and_request(busy_home, hana, bob, sam, rita, leo, yann):
    from reporting.reports import access
    from tests.factories import UserFactory
    from tests.reporting.reports.rules import assert_rule_agrees_with_query

    admin = UserFactory(is_superuser=True, is_staff=True)
    assert_rule_agrees_with_query(
        (busy_home, hana, bob, sam, rita, leo, yann, admin),
        list(ContributionRequest.objects.select_related("report__cycle__plan")),
        query=lambda user: access.contributions_visible_to(ContributionRequest.objects.all(), user),
        rule=lambda user, c: access.contribution_visible_to(
            user, agency_id=c.agency_id, report_agency_id=c.report.agency_id,
            plan_jurisdiction_id=c.report.cycle.plan.jurisdiction_id))


def test_last_years_report_is_read_with_the_fields_the_page_shows_in_their_places(alice, report, last_year):
    from reporting.reports.reads import _PREVIOUS_FIELDS

    earlier = Report.objects.create(cycle=last_year, item=report.item, agency=report.agency, state="draft",
                                    status="behind", percent_complete=35, results="Năm trước", funds_oda=9_000_000_000)
    previous = reads.previous_report(alice, Report.objects.select_related("cycle").get(pk=report.pk))
    for name in _PREVIOUS_FIELDS:
        assert getattr(previous, name) == getattr(earlier, name), name
    assert (previous.cycle.pk, previous.cycle.year, previous.agency.name) == (last_year.pk, last_year.year,
                                                                               report.agency.name)
    assert {"review_comment", "version"} <= previous.get_deferred_fields()  # read if asked for, never a default


def test_a_partial_instance_takes_its_values_by_name_in_any_order():
    from reporting.reports.plain import partial

    request = partial(ContributionRequest, answered_at=None, report_id=7, id=3, agency_id=5)
    assert (request.pk, request.report_id, request.agency_id) == (3, 7, 5)
    with pytest.raises(TypeError, match="nonsense"):
        partial(ContributionRequest, id=1, nonsense=2)
