"""The report page for each role: who sees it, who may edit it, who only reads it."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from reporting.reports import workflow
from reporting.models import ContributionRequest, Report


pytestmark = pytest.mark.django_db


def page(client, user, report):
    client.force_login(user)
    return client.get(reverse("reporting:report", args=[report.pk]))


def test_the_report_page_needs_a_login(client, report):
    response = client.get(reverse("reporting:report", args=[report.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_officer_opens_her_agencys_report_with_the_form(client, alice, report):
    response = page(client, alice, report)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="report-form"' in body and f'name="base_version" value="{report.version}"' in body
    assert "Đề án kiểm kê khí nhà kính cấp tỉnh" in body  # expected outputs of the item
    for meaning in Report.STATUS_HELP.values():
        assert str(meaning) in body  # each status says what it means
    assert "Sở Xây dựng" in body  # supporting agency


def test_an_officer_gets_404_on_another_agencys_report(client, alice, report_b):
    assert page(client, alice, report_b).status_code == 404


def test_an_officer_of_agency_b_gets_404_on_agency_as_report(client, bob, report, report_b):
    assert page(client, bob, report).status_code == 404
    assert page(client, bob, report_b).status_code == 200


def test_a_reviewer_of_the_province_sees_the_report_without_the_edit_form(client, rita, report):
    response = page(client, rita, report)
    assert response.status_code == 200
    assert 'id="report-form"' not in response.content.decode()


def test_a_reviewer_of_another_province_gets_404(client, yann, report):
    assert page(client, yann, report).status_code == 404


def test_a_leader_reads_only_no_form_no_buttons_and_posts_are_forbidden(client, leo, report, hana, alice):
    workflow.report_save(report, user=alice, data={"status": "on_schedule", "percent_complete": 40}, base_version=0)
    workflow.report_submit(report, user=hana)
    response = page(client, leo, report)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="report-form"' not in body and 'id="workflow-actions"' not in body
    assert "Đúng tiến độ" in body  # the values are shown read-only
    for name, data in [("reporting:accept", {}), ("reporting:return", {"comment": "Sửa lại"}),
                       ("reporting:save", {"base_version": 1, "results": "leo was here"})]:
        response = client.post(reverse(name, args=[report.pk]), data)
        # Leo sees the report, but a leader's role never makes these moves: 403 with the reason.
        assert response.status_code == 403, name
        assert 'id="forbidden-reason"' in response.content.decode(), name
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and "leo" not in report.results


def test_a_supporting_agency_gets_404_on_the_report_but_sees_its_contribution_request(client, sam, alice, report, agency_s):
    ContributionRequest.objects.create(report=report, agency=agency_s, due_on=report.cycle.due_at.date(),
                                       message="Xin số liệu công trình xanh", requested_by=alice)
    assert page(client, sam, report).status_code == 404
    response = client.get(reverse("reporting:contributions"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Xin số liệu công trình xanh" in body and report.item.title in body
    home = client.get(reverse("reporting:home")).content.decode()
    assert 'id="contributions"' in home and report.item.title in home and "Chưa trả lời" in home


def test_the_lead_asks_a_supporting_agency_which_answers_and_the_answer_shows_in_the_report(client, alice, sam, report, agency_s):
    client.force_login(alice)
    due = report.cycle.due_at.date() - dt.timedelta(days=3)
    response = client.post(reverse("reporting:contribution_request", args=[report.pk]),
                           {"agency": agency_s.pk, "due_on": due.strftime("%d/%m/%Y"), "message": "Cần số liệu"}, follow=True)
    assert "Đã gửi đề nghị phối hợp" in response.content.decode()
    request = ContributionRequest.objects.get(report=report, agency=agency_s)
    client.force_login(sam)
    client.post(reverse("reporting:contribution_answer", args=[request.pk]),
                {f"c{request.pk}-answer": "Đã hoàn thành 3 công trình xanh"})
    client.force_login(alice)
    body = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "Đã hoàn thành 3 công trình xanh" in body and "Sở Xây dựng" in body


def test_a_contribution_due_after_the_report_deadline_is_refused_with_the_workflow_message(client, alice, report, agency_s):
    client.force_login(alice)
    late = timezone.localtime(report.cycle.due_at).date() + dt.timedelta(days=1)
    response = client.post(reverse("reporting:contribution_request", args=[report.pk]),
                           {"agency": agency_s.pk, "due_on": late.strftime("%d/%m/%Y")}, follow=True)
    assert "Hạn góp ý không được sau hạn nộp báo cáo của cơ quan" in response.content.decode()
    assert not ContributionRequest.objects.exists()


def test_last_years_report_is_shown_beside_the_form_even_from_a_predecessor_agency(client, alice, report, last_year, province, agency_a):
    from agencies.models import Succession
    from tests.factories import AgencyFactory

    old = AgencyFactory(jurisdiction=province, name="Sở Tài nguyên cũ")
    Succession.objects.create(predecessor=old, successor=agency_a, effective_on=last_year.closes_on)
    Report.objects.create(cycle=last_year, item=report.item, agency=old, state=Report.State.DRAFT,
                          results="Năm trước đã kiểm kê 12 nguồn phát thải", status=Report.Status.BEHIND,
                          percent_complete=35, funds_local=1_234_567, funds_oda=1_000_000)
    body = page(client, alice, report).content.decode()
    assert "Năm trước đã kiểm kê 12 nguồn phát thải" in body and "Sở Tài nguyên cũ" in body
    aside = body[body.index('id="previous-report"'):]
    aside = aside[:aside.index("</aside>")]
    assert f"{last_year.year}" in aside and str(Report.Status.BEHIND.label) in aside and "35%" in aside
    assert "2.234.567 đ" in aside and str(Report.State.DRAFT.label) in aside


def test_history_shows_who_changed_which_field_from_what_to_what(client, alice, report):
    workflow.report_save(report, user=alice, data={"percent_complete": 10, "funds_local": 1000000}, base_version=0)
    workflow.report_save(report, user=alice, data={"percent_complete": 35, "funds_local": 2500000}, base_version=1)
    response = page(client, alice, report)
    changes = response.context["changes"]
    newest = {c["field"]: (c["old"], c["new"]) for c in changes[0]["changes"]}
    assert newest["percent_complete"] == ("10%", "35%")
    assert newest["funds_local"] == ("1.000.000 đ", "2.500.000 đ")
    assert changes[0]["user"] == alice
    body = response.content.decode()
    assert "2.500.000 đ" in body and "Lưu nháp" in body


def test_the_log_lists_the_moves_and_each_save_once_under_what_changed(client, alice, hana, report):
    for version in range(3):
        workflow.report_save(report, user=alice, data={"percent_complete": 10 * (version + 1), "status": "on_schedule"},
                             base_version=version)
    response = page(client, alice, report)
    assert response.context["events"] == []  # three saves: no move yet
    assert len(response.context["changes"]) == 3
    body = response.content.decode()
    assert "Chưa có thao tác nào ngoài lưu nháp." in body and 'id="saves-below"' in body
    report.refresh_from_db()
    workflow.report_submit(report, user=hana)  # the head
    response = page(client, alice, report)
    assert [e.kind for e in response.context["events"]] == ["submit"]
    assert len(response.context["changes"]) == 4  # the submission's own change of state is listed too


def _queries_before_and_after_saves(client, alice, report, url, saves):
    """The queries of a view of `url` after one save and after `saves` in all, and the last response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    workflow.report_save(report, user=alice, data={"percent_complete": 1}, base_version=0)
    client.force_login(alice)
    client.get(url)  # the first view of the session reads what later ones find cached
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for version in range(1, saves):
        workflow.report_save(report, user=alice, data={"percent_complete": 1 + version}, base_version=version)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    return len(few), len(many), response


def test_more_saves_cost_the_report_page_no_more_queries(client, alice, report):
    few, many, response = _queries_before_and_after_saves(client, alice, report, reverse("reporting:report", args=[report.pk]), 8)
    assert many == few
    assert len(response.context["changes"]) == 8 and response.context["events"] == []


def test_the_report_page_loads_the_draft_keeping_script_and_no_inline_script(client, alice, report):
    response = page(client, alice, report)
    body = response.content.decode()
    assert '<script src="/static/js/report.js" defer></script>' in body
    assert f'data-report-id="{report.pk}"' in body and f'data-version="{report.version}"' in body
    assert 'id="draft-notice"' in body and 'id="draft-discard"' in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # CSP: no inline script
    assert not re.search(r"\son[a-z]+=", body)  # nor on* handlers
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_after_a_successful_save_the_page_tells_the_script_to_clear_its_copy(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {"base_version": 0, "results": "Đã làm"})
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    body = client.get(response["Location"]).content.decode()
    assert 'data-just-saved="1"' in body
    assert 'data-just-saved' not in client.get(reverse("reporting:report", args=[report.pk])).content.decode()


def test_a_save_bounced_to_login_comes_back_to_the_report_page_not_a_405(client, alice, report):
    save = reverse("reporting:save", args=[report.pk])
    response = client.post(save, {"base_version": 0, "results": "typed before the session expired"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(alice)
    response = client.get(save)  # where the login page sends her back
    assert response.status_code == 302 and response["Location"] == reverse("reporting:report", args=[report.pk])
    report.refresh_from_db()
    assert report.results == ""  # nothing was saved behind her back


def test_the_first_save_of_a_bulk_created_report_still_shows_what_it_set(client, alice, cycle, agency_a):
    from tests.reporting.factories import bulk_reports

    report = bulk_reports(cycle, agency_a, 1, theme="4", states=[Report.State.MISSING])[0]
    report = Report.objects.get(pk=report.pk)
    assert not report.history.exists()  # bulk_create writes no history row
    workflow.report_save(report, user=alice, data={"results": "Lần lưu đầu tiên", "funds_oda": 7000000}, base_version=0)
    changes = page(client, alice, report).context["changes"]
    assert len(changes) == 1 and changes[0]["user"] == alice
    got = {c["field"]: (c["old"], c["new"]) for c in changes[0]["changes"]}
    assert got["results"] == ("—", "Lần lưu đầu tiên") and got["funds_oda"] == ("—", "7.000.000 đ")


def test_the_lead_may_ask_each_named_supporting_agency_and_is_told_when_there_is_none(client, alice, report):
    body = page(client, alice, report).content.decode()
    choices = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', body[body.index('name="agency"'):])
    assert [name for _, name in choices] == ["Sở Xây dựng"]
    assert 'id="nobody-to-ask"' not in body

    # Only a group of agencies supports the task: no empty choice to make, a sentence instead.
    group = Agency.objects.create(jurisdiction=report.agency.jurisdiction, name="Các sở, ban, ngành", is_group=True)
    report.item.supporting_agencies.set([group])
    body = page(client, alice, report).content.decode()
    assert 'id="nobody-to-ask"' in body and 'name="agency"' not in body
    assert "Các sở, ban, ngành" in body  # still listed among the supporting agencies


def _history_rows(body: str) -> list[str]:
    """The rows of the history's event table, as text: time, who, what, note."""
    table = body[body.index('id="history"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_history_shows_the_agencys_extension_requests_and_the_reviewers_decisions(
        client, alice, rita, cycle, agency_a, report, report_b):
    from django.utils import timezone

    from reporting.models import Extension

    other = Report.objects.create(cycle=cycle, item=report.item.plan.items.get(code="1.1.3"), agency=agency_a)
    ask = {"target": f"{cycle.pk}:{agency_a.pk}"}
    client.force_login(alice)
    client.post(reverse("reporting:extension_request"), {**ask, "reason": "Chờ số liệu quyết toán"})
    client.force_login(rita)
    client.post(reverse("reporting:extension_refuse", args=[Extension.objects.get().pk]),
                {"comment": "Chưa nêu số liệu nào còn thiếu"})
    client.force_login(alice)
    client.post(reverse("reporting:extension_request"), {**ask, "reason": "Thiếu số liệu quý IV của Cục Thống kê"})
    new_day = timezone.localtime(cycle.due_at).date() + dt.timedelta(days=10)
    client.force_login(rita)
    client.post(reverse("reporting:extension_grant", args=[Extension.objects.get(state="requested").pk]),
                {"new_due_on": new_day.strftime("%d/%m/%Y"), "comment": "Đồng ý"})
    assert Extension.objects.filter(state="granted").count() == 1

    for owed in (report, other):  # the extension is the agency's, for the cycle: every report of it shows it
        rows = _history_rows(page(client, alice, owed).content.decode())
        assert [row.split(" ", 2)[2] for row in rows] == [
            "Alice Đề nghị gia hạn Chờ số liệu quyết toán",
            "Rita Từ chối gia hạn Chưa nêu số liệu nào còn thiếu",
            "Alice Đề nghị gia hạn Thiếu số liệu quý IV của Cục Thống kê",
            f"Rita Chấp thuận gia hạn Gia hạn đến {new_day:%d/%m/%Y}. Đồng ý",
        ]
    assert not report_b.events.exists()  # another agency's report is not concerned


def test_the_report_page_asks_for_its_lists_only_when_they_have_something(client, alice, report, agency_s):
    """Evidence and input requests are read only when the report's own row says there are some: a
    bare report costs two queries fewer, and a full one still shows everything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.models import Attachment

    def queries():
        client.force_login(alice)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("reporting:report", args=[report.pk]))
        assert response.status_code == 200
        return len(ctx), response.content.decode()

    bare, body = queries()
    assert "Chưa có minh chứng." in body and "Chưa đề nghị cơ quan nào phối hợp." in body
    Attachment.objects.create(report=report, original_name="bien-ban.pdf", content_type="application/pdf", size=3,
                              file="evidence/bien-ban.pdf", uploaded_by=alice)
    ContributionRequest.objects.create(report=report, agency=agency_s, due_on=timezone.localdate(), message="Góp ý giúp")
    full, body = queries()
    assert full == bare + 2, (bare, full)
    assert "bien-ban.pdf" in body and "Góp ý giúp" in body and agency_s.name in body


def test_every_save_is_on_the_reports_page_of_changes_newest_first_a_page_at_a_time(client, alice, report, monkeypatch):
    from reporting.reports import views

    monkeypatch.setattr(views, "CHANGES_PER_PAGE", 4)
    for n in range(views.HISTORY_SHOWN + 3):  # saves 0 … 12, each setting the percentage to n
        workflow.report_save(report, user=alice, data={"percent_complete": n}, base_version=n)
    body = page(client, alice, report).content.decode()
    assert 'id="older-changes-hidden"' in body and 'id="all-changes"' in body
    url = reverse("reporting:changes", args=[report.pk])
    assert f'href="{url}"' in body
    shown, number = [], 1
    while True:
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        assert all(c["user"] == alice for c in response.context["changes"])
        shown += [{ch["field"]: ch["new"] for ch in c["changes"]}["percent_complete"] for c in response.context["changes"]]
        if not response.context["older_page"]:
            break
        assert f'href="?page={number + 1}"' in response.content.decode()
        number += 1
    assert shown == [f"{n}%" for n in range(views.HISTORY_SHOWN + 2, -1, -1)]  # all 13, the first one included
    assert number == 4 and response.context["newer_page"] == 3
    assert client.get(url, {"page": 5}).status_code == 404
    assert client.get(url, {"page": "abc"}).context["page"] == 1


def test_a_report_without_saves_has_an_empty_page_of_changes(client, alice, report):
    client.force_login(alice)
    response = client.get(reverse("reporting:changes", args=[report.pk]))
    assert response.status_code == 200 and "Báo cáo chưa được lưu lần nào." in response.content.decode()
    assert 'id="all-changes"' not in page(client, alice, report).content.decode()


def test_the_page_of_changes_is_hidden_from_whoever_may_not_see_the_report(client, alice, bob, yann, rita, report):
    workflow.report_save(report, user=alice, data={"percent_complete": 5}, base_version=0)
    url = reverse("reporting:changes", args=[report.pk])
    for outsider in (bob, yann):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(rita)  # the province's reviewer reads it
    response = client.get(url)
    assert response.status_code == 200 and len(response.context["changes"]) == 1


def test_the_page_of_changes_costs_the_same_queries_for_few_and_many_saves(client, alice, report):
    few, many, response = _queries_before_and_after_saves(client, alice, report, reverse("reporting:changes", args=[report.pk]), 30)
    assert many == few and len(response.context["changes"]) == 30


def test_the_one_report_rule_agrees_with_the_report_query_for_every_user_and_report(
        alice, hana, bob, sam, rita, leo, yann, report, report_b, last_year, province, agency_a, agency_b):
    from agencies.models import Succession
    from reporting.reports import access
    from tests.factories import AgencyFactory, UserFactory
    from tests.reporting.reports.rules import assert_rule_agrees_with_query

    old = AgencyFactory(jurisdiction=province, name="Sở Tài nguyên cũ")
    Succession.objects.create(predecessor=old, successor=agency_a, effective_on=last_year.closes_on)
    Report.objects.create(cycle=last_year, item=report.item, agency=old)
    Report.objects.create(cycle=last_year, item=report_b.item, agency=agency_b)
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert_rule_agrees_with_query(
        (alice, hana, bob, sam, rita, leo, yann, admin), list(Report.objects.select_related("cycle__plan")),
        query=lambda user: access.reports_visible_to(Report.objects.all(), user),
        rule=lambda user, r: access.report_visible_to(user, agency_id=r.agency_id,
                                                      plan_jurisdiction_id=r.cycle.plan.jurisdiction_id))


def test_last_years_report_by_an_agency_the_officer_does_not_follow_is_not_shown_but_the_reviewer_sees_it(
        client, alice, rita, report, last_year, agency_b):
    Report.objects.create(cycle=last_year, item=report.item, agency=agency_b, results="Báo cáo năm trước của cơ quan khác")
    assert "Báo cáo năm trước của cơ quan khác" not in page(client, alice, report).content.decode()
    assert page(client, alice, report).context["previous"] is None
    body = page(client, rita, report).content.decode()
    assert "Báo cáo năm trước của cơ quan khác" in body


def test_last_years_report_without_funds_shows_a_dash_not_zero_dong(client, alice, report, last_year):
    earlier = Report.objects.create(cycle=last_year, item=report.item, agency=report.agency, results="Năm trước")

    def previous_funds():
        body = page(client, alice, report).content.decode()
        box = body[body.index('id="previous-report"'):]
        return re.search(r"Kinh phí</dt><dd>([^<]*)</dd>", box).group(1)

    assert previous_funds() == "—"  # nothing entered: not "0 đ"
    Report.objects.filter(pk=earlier.pk).update(funds_local=0)
    assert previous_funds() == "0 đ"  # a zero someone wrote
    Report.objects.filter(pk=earlier.pk).update(funds_oda=1_234_567)
    assert previous_funds() == "1.234.567 đ"
