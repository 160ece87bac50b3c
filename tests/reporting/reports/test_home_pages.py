"""The officer's home: this cycle's reports, counts, days left, what came back and why."""
import datetime as dt
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.models import ContributionRequest, Extension, Report
from tests.factories import MembershipFactory, UserFactory

from tests.reporting.factories import ReportingCycleFactory, bulk_reports

pytestmark = pytest.mark.django_db

MIX = [Report.State.MISSING, Report.State.DRAFT, Report.State.SUBMITTED, Report.State.RETURNED, Report.State.ACCEPTED]


def test_the_home_page_counts_reports_by_state_and_counts_down_to_the_deadline(client, alice, cycle, agency_a):
    bulk_reports(cycle, agency_a, 10, theme="5", states=MIX)
    client.force_login(alice)
    response = client.get(reverse("reporting:home"))
    group = response.context["groups"][0]
    assert dict((code, n) for code, _label, n in group["state_counts"]) == {s: 2 for s in MIX}
    assert group["days_left"] == 20 and not group["extended"]
    body = response.content.decode()
    assert "Còn 20 ngày" in body and timezone.localtime(cycle.due_at).strftime("%d/%m/%Y") in body
    assert "Bị trả lại, cần sửa" in body and "Bổ sung minh chứng" in body
    assert "Đã gửi 4/10 báo cáo." in body


def test_an_overdue_cycle_says_by_how_many_days(client, alice, plan, agency_a):
    today = timezone.localdate()
    from reporting.models import end_of_day
    cycle = ReportingCycleFactory(plan=plan, due_at=end_of_day(today - dt.timedelta(days=3)))
    bulk_reports(cycle, agency_a, 1, theme="5", states=[Report.State.DRAFT])
    client.force_login(alice)
    assert "Quá hạn 3 ngày" in client.get(reverse("reporting:home")).content.decode()


def test_other_agencies_reports_do_not_appear(client, alice, cycle, agency_b):
    bulk_reports(cycle, agency_b, 2, theme="6")
    client.force_login(alice)
    response = client.get(reverse("reporting:home"))
    assert response.context["groups"] == [] and "6.1.1" not in response.content.decode()


def test_a_user_with_no_agency_and_no_role_is_told_so(client):
    client.force_login(UserFactory(username="nobody"))
    assert "chưa thuộc cơ quan nào" in client.get(reverse("reporting:home")).content.decode()


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200
    return len(ctx), response


def test_home_and_queue_issue_the_same_queries_for_10_and_1000_reports(client, province, plan, rita, agency_a, agency_b, agency_s):
    """Two agencies of one province: A owes 10 reports, B owes 1,000, with returned ones,
    contribution requests and an extension on both sides."""
    small_cycle = ReportingCycleFactory(plan=plan)
    from tests.factories import build_plan
    big_plan = build_plan(jurisdiction=province, themes=1, groups=1, activities=1, lead=agency_b, code="bd-big")
    big_cycle = ReportingCycleFactory(plan=big_plan)
    small = bulk_reports(small_cycle, agency_a, 10, theme="5", states=MIX)
    big = bulk_reports(big_cycle, agency_b, 1000, theme="5", states=MIX)
    assert Report.objects.filter(agency=agency_b, cycle=big_cycle).count() == 1000
    for reports, cycle_ in ((small, small_cycle), (big, big_cycle)):
        for r in reports[:2]:
            ContributionRequest.objects.create(report=r, agency=agency_s, due_on=timezone.localdate())
    a_user = MembershipFactory(agency=agency_a, user=UserFactory(username="officer_small")).user
    b_user = MembershipFactory(agency=agency_b, user=UserFactory(username="officer_big")).user
    # And each officer is also asked for input by the other agency.
    ContributionRequest.objects.create(report=big[5], agency=agency_a, due_on=timezone.localdate())
    for r in small[5:9]:  # B is asked more often than A: the list stays one query (nothing loaded per row)
        ContributionRequest.objects.create(report=r, agency=agency_b, due_on=timezone.localdate())
    # An extension asked by each (B's granted): listed with their cycle, no query per row either.
    Extension.objects.create(cycle=small_cycle, agency=agency_a, reason="Thiếu số liệu", requested_by=a_user)
    Extension.objects.create(cycle=big_cycle, agency=agency_b, reason="Thiếu số liệu", requested_by=b_user,
                             state=Extension.State.GRANTED, new_due_at=big_cycle.due_at + dt.timedelta(days=5),
                             decision_comment="Đồng ý")
    Extension.objects.create(cycle=small_cycle, agency=agency_b, reason="Chờ số liệu", requested_by=b_user)

    home = reverse("reporting:home")
    client.force_login(a_user)
    n_small, r_small = _queries(client, home)
    client.force_login(b_user)
    n_big, r_big = _queries(client, home)
    assert len(r_small.context["groups"][0]["reports"]) == 10 and len(r_big.context["groups"][0]["reports"]) == 1000
    assert n_small == n_big, (n_small, n_big)
    assert n_small <= 15
    assert len(r_big.context["contributions"]) == 4 and len(r_big.context["extensions"]) == 2
    assert "Đồng ý" in r_big.content.decode()

    queue = reverse("reporting:queue")
    client.force_login(rita)
    n_small, r_small = _queries(client, queue, {"cycle": small_cycle.pk, "state": ""})
    n_big, r_big = _queries(client, queue, {"cycle": big_cycle.pk, "state": ""})
    assert len(r_small.context["reports"]) == 10 and len(r_big.context["reports"]) == 1000
    assert n_small == n_big, (n_small, n_big)
    n_sub_small, r_sub_small = _queries(client, queue, {"cycle": small_cycle.pk})
    n_sub_big, r_sub_big = _queries(client, queue, {"cycle": big_cycle.pk})
    assert len(r_sub_big.context["reports"]) == 200 and n_sub_small == n_sub_big
    assert n_small <= 20


# The row as the home page's template drew it before the report_row tag: the tag must give the same.
ROW_AS_TEMPLATE = """{% load reporting_tags plan_codes %}<tr><td><span class="code">{{ r.item.code|shown_code }}</span></td>
          <td><a href="{% url 'reporting:report' r.pk %}">{{ r.item.title|shown_title|truncatechars:110 }}</a></td>
          <td>{% report_state r %}</td>
          <td class="num">{{ r.percent_complete|default_if_none:"" }}</td>
          <td>{{ r.updated_at|date:"d/m/Y" }}</td></tr>"""


def test_a_home_row_is_drawn_as_the_template_drew_it(cycle, agency_a, plan):
    from django.template import Context, Template

    bulk_reports(cycle, agency_a, 4, theme="7", states=MIX[:4])
    reports = list(Report.objects.filter(cycle=cycle).select_related("item").order_by("pk"))
    late, odd, plain_ = reports[0], reports[1], reports[2]
    Report.objects.filter(pk=late.pk).update(late=True, submitted_at=timezone.now(), percent_complete=100)
    # A code printed twice (its stored "#2"), a title with markup and longer than the row shows.
    odd.item.code, odd.item.title = "7.1.2#2", "<b>Kiểm kê</b> & " + "rất dài " * 30
    plain_.item.title = ""  # a title lost by the scan: the row says so
    # A title typed with combining accents (NFD), short and long: shown as the filter shows it.
    reports[3].item.title = unicodedata.normalize("NFD", "Kiểm kê khí nhà kính")
    nfd_long = Report.objects.select_related("item").get(pk=reports[3].pk)
    nfd_long.item.title = unicodedata.normalize("NFD", "Tuyên truyền tăng trưởng xanh ") * 5
    reports.append(nfd_long)
    reports[0] = Report.objects.select_related("item").get(pk=late.pk)
    template = Template(ROW_AS_TEMPLATE)
    for r in reports:
        assert Template("{% load reporting_tags %}{% report_row r %}").render(Context({"r": r})) == \
            template.render(Context({"r": r}))
    # Several rows of one page: the link reversed once serves each row with its own key.
    rows = Template("{% load reporting_tags %}{% for r in rs %}{% report_row r %}{% endfor %}").render(Context({"rs": reports}))
    assert rows == "".join(template.render(Context({"r": r})) for r in reports)
    assert all(f'href="/reports/{r.pk}/"' in rows for r in reports)
