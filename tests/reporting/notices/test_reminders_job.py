"""The reminder job, day by day, with dates passed in explicitly (no clock is frozen).

The world of tests/conftest.py: agency A owes three reports, agency B one, in the 2026 annual cycle due 30/11/2026;
S supports A's activities. alice and hana (head) work for A, bob for B, sam for S, rita reviews
the province, leo leads it, yann reviews another province.
"""
import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Membership, Succession
from reporting.reports.cycles import create_cycles
from reporting.models import (
    ContributionRequest, Extension, Notice, Notification, ReminderPolicy, Report, end_of_day,
)
from reporting.notices.reminders import collect, pending, run
from tests.factories import AgencyFactory, JurisdictionFactory, JurisdictionRoleFactory, MembershipFactory, UserFactory
from tests.factories import build_plan

pytestmark = pytest.mark.usefixtures("eager_jobs")

DEADLINE = dt.date(2026, 11, 30)


def day(offset: int) -> dt.date:
    """A day relative to the common deadline: day(-7) is 23/11/2026."""
    return DEADLINE + dt.timedelta(days=offset)


def sent_to(username_or_email):
    address = username_or_email if "@" in username_or_email else f"{username_or_email}@example.vn"
    return [m for m in mail.outbox if address in m.to]


def notices_for(agency, kind=None):
    qs = Notice.objects.filter(agency=agency)
    return list(qs.filter(kind=kind) if kind else qs)


def submit_all(world, agency):
    Report.objects.filter(cycle=world.cycle, agency=agency).update(
        state=Report.State.SUBMITTED, submitted_at=timezone.now())


# --- before the deadline --------------------------------------------------------------------------

def test_every_agency_with_missing_reports_is_reminded_30_days_before_its_deadline(world):
    run(day(-30), inline=True)

    a_mail, = sent_to("alice")
    assert sorted(a_mail.to) == ["alice@example.vn", "hana@example.vn"]  # officers and head, one e-mail
    assert sent_to("bob") and not sent_to("sam") and not sent_to("rita")
    assert "Còn 30 ngày đến hạn" in a_mail.subject and "còn 3 báo cáo chưa gửi" in a_mail.subject
    html = a_mail.alternatives[0][0]
    for report in Report.objects.filter(cycle=world.cycle, agency=world.agency_a):
        link = f"https://greenplan.example.vn/reports/{report.pk}/"
        assert link in a_mail.body and link in html
        assert report.item.code in a_mail.body
    assert "30/11/2026" in a_mail.body
    notice, = notices_for(world.agency_a)
    assert (notice.kind, notice.rule, notice.scheduled_for, notice.state) == ("due", "d-30", day(-30), "sent")


@pytest.mark.parametrize("before", [14, 7, 3, 1, 0])
def test_reminders_go_out_14_7_3_and_1_days_before_and_on_the_day(world, before):
    run(day(-before), inline=True)

    notice, = notices_for(world.agency_a)
    assert notice.rule == f"d-{before}" and notice.scheduled_for == day(-before)
    subject = sent_to("alice")[0].subject
    assert ("Hôm nay hết hạn" in subject) if before == 0 else (f"Còn {before} ngày" in subject)


def test_days_between_reminder_days_send_nothing_new(world):
    run(day(-7), inline=True)
    mail.outbox.clear()
    for offset in (-6, -5, -4):
        run(day(offset), inline=True)
    assert not sent_to("alice") and not sent_to("bob")  # the reviewers' digest is daily; see below


def test_reminders_missed_while_the_job_was_down_are_caught_up_once_not_in_a_burst(world):
    run(day(-14), inline=True)
    mail.outbox.clear()
    # The job did not run on days −7 and −3 ...
    run(day(-2), inline=True)

    # ... so on day −2 it sends the −3 reminder only, once per agency.
    assert [n.rule for n in notices_for(world.agency_a)] == ["d-3", "d-14"]
    assert len(sent_to("alice")) == 1 and len(sent_to("bob")) == 1
    assert "Còn 2 ngày" in sent_to("alice")[0].subject  # counted from the day it goes out
    mail.outbox.clear()
    run(day(-2), inline=True)
    assert mail.outbox == []
    run(day(-1), inline=True)
    assert len(sent_to("alice")) == 1 and notices_for(world.agency_a)[0].rule == "d-1"


def test_running_the_job_twice_on_a_day_sends_nothing_new(world):
    first = run(day(-7), inline=True)
    count = len(mail.outbox)
    second = run(day(-7), inline=True)

    assert count == 3 and len(mail.outbox) == 3  # A, B, the reviewers' digest
    assert (first.planned, second.planned) == (3, 0)
    assert Notice.objects.count() == 3
    assert Notification.objects.count() == 4  # alice, hana, bob, rita: one each


def test_each_recipient_gets_an_unread_in_app_notification(world):
    run(day(-3), inline=True)

    note = Notification.objects.get(user=world.officer_a)
    assert note.read_at is None and "Còn 3 ngày" in note.title
    assert "Cơ quan còn 3 báo cáo chưa gửi" in note.body
    assert note.url == "/reports/"
    assert Notification.objects.filter(user=world.head_a).count() == 1
    assert not Notification.objects.filter(user=world.officer_s).exists()


def test_an_agency_that_submitted_everything_gets_nothing(world):
    submit_all(world, world.agency_b)
    run(day(-7), inline=True)

    assert sent_to("alice") and not sent_to("bob")
    assert notices_for(world.agency_b) == []


def test_only_reports_not_yet_submitted_are_listed_and_a_returned_one_shows_what_to_fix(world):
    first, second, third = Report.objects.filter(cycle=world.cycle, agency=world.agency_a).order_by("item__sort_key")
    Report.objects.filter(pk=first.pk).update(state=Report.State.SUBMITTED, submitted_at=timezone.now())
    Report.objects.filter(pk=second.pk).update(state=Report.State.RETURNED, submitted_at=timezone.now(),
                                               review_comment="Bổ sung số liệu kinh phí năm 2026.")
    run(day(-3), inline=True)

    message, = sent_to("alice")
    assert f"/reports/{first.pk}/" not in message.body
    assert f"/reports/{second.pk}/" in message.body and f"/reports/{third.pk}/" in message.body
    assert "Trả lại để sửa" in message.body and "Bổ sung số liệu kinh phí năm 2026." in message.body
    assert "Bổ sung số liệu kinh phí năm 2026." in message.alternatives[0][0]
    assert "còn 2 báo cáo chưa gửi" in message.subject


def test_a_report_submitted_after_planning_but_before_sending_is_left_out(world):
    """The job plans, then the agency submits before the worker sends: nothing is sent."""
    due = collect(day(-3))
    from reporting.notices.reminders import _insert_new

    _insert_new(due, batch="x", now=timezone.now())
    submit_all(world, world.agency_b)
    from reporting.notices.delivery import flush

    flush()
    assert not sent_to("bob") and sent_to("alice")
    assert notices_for(world.agency_b)[0].state == "skipped"


# --- extensions -----------------------------------------------------------------------------------

def test_a_granted_extension_moves_the_agencys_reminders_to_its_new_deadline(world):
    Extension.objects.create(cycle=world.cycle, agency=world.agency_a, reason="Sáp nhập", state="granted",
                             new_due_at=end_of_day(dt.date(2026, 12, 10)))
    run(day(0), inline=True)
    assert "Hôm nay hết hạn" in sent_to("bob")[0].subject
    assert not any(n.rule == "d-0" for n in notices_for(world.agency_a))
    mail.outbox.clear()

    run(dt.date(2026, 12, 3), inline=True)  # 7 days before A's new deadline; B is 3 days late

    a_mail, = sent_to("alice")
    assert "Còn 7 ngày" in a_mail.subject and "10/12/2026" in a_mail.body and "gia hạn" in a_mail.body
    assert [n.rule for n in notices_for(world.agency_a, "due")][0] == "d-7"
    assert "Quá hạn 3 ngày" in sent_to("bob")[0].subject


# --- after the deadline ---------------------------------------------------------------------------

def test_overdue_notices_go_the_day_after_and_then_every_three_days_until_everything_is_submitted(world):
    sent_days = []
    for offset in range(1, 12):
        mail.outbox.clear()
        run(day(offset), inline=True)
        if sent_to("alice"):
            sent_days.append(offset)
            assert f"Quá hạn {offset} ngày" in sent_to("alice")[0].subject
        if offset == 8:
            submit_all(world, world.agency_a)
    assert sent_days == [1, 4, 7]
    assert [n.rule for n in notices_for(world.agency_b, "overdue")] == ["d+10", "d+7", "d+4", "d+1"]


def test_overdue_catch_up_sends_the_latest_missed_notice_only(world):
    run(day(6), inline=True)
    assert [n.rule for n in notices_for(world.agency_a)] == ["d+4"]
    assert len(sent_to("alice")) == 1


def test_nothing_is_sent_once_the_cycle_has_closed(world):
    run(dt.date(2027, 1, 2), inline=True)
    assert mail.outbox == [] and Notice.objects.count() == 0


# --- the reviewers' digest ------------------------------------------------------------------------

def test_reviewers_get_a_daily_digest_of_who_is_missing_in_the_last_seven_days(world):
    run(day(-8), inline=True)
    assert not sent_to("rita")

    run(day(-7), inline=True)
    digest, = sent_to("rita")
    assert digest.to == ["rita@example.vn"]  # not the leader, not another province's reviewer
    assert not sent_to("leo") and not sent_to("yann")
    assert "2 cơ quan chưa gửi đủ báo cáo" in digest.subject
    assert world.agency_a.name in digest.body and world.agency_b.name in digest.body
    for report in Report.objects.filter(cycle=world.cycle):
        assert f"https://greenplan.example.vn/reports/{report.pk}/" in digest.body

    run(day(-6), inline=True)
    assert len(sent_to("rita")) == 2  # daily


def test_the_digest_continues_after_the_deadline_and_drops_agencies_that_are_done(world):
    submit_all(world, world.agency_b)
    run(day(2), inline=True)

    digest, = sent_to("rita")
    assert "1 cơ quan chưa gửi đủ" in digest.subject
    assert world.agency_a.name in digest.body and "quá hạn 2 ngày" in digest.body
    assert world.agency_b.name not in digest.body


def test_a_missed_digest_day_is_not_sent_later(world):
    run(day(-7), inline=True)
    run(day(-3), inline=True)  # days −6 to −4 missed
    assert [n.scheduled_for for n in Notice.objects.filter(kind="digest")] == [day(-3), day(-7)]


def test_reviewers_of_the_jurisdiction_the_province_merged_into_get_the_digest(world):
    city = JurisdictionFactory(name="Hồ Chí Minh")
    world.province.merged_into, world.province.merged_on = city, dt.date(2025, 7, 1)
    world.province.save()
    JurisdictionRoleFactory(user=UserFactory(username="hoa", email="hoa@example.vn"), jurisdiction=city)
    run(day(-1), inline=True)

    digest, = [m for m in mail.outbox if "rita@example.vn" in m.to]
    assert sorted(digest.to) == ["hoa@example.vn", "rita@example.vn"]


# --- contributions --------------------------------------------------------------------------------

def contribution(world, due_on, **kw):
    report = world.report_of(world.agency_a)
    return ContributionRequest.objects.create(report=report, agency=world.agency_s, due_on=due_on,
                                              message="Đề nghị cung cấp số liệu.", **kw)


def test_supporting_agencies_are_reminded_7_3_and_1_days_before_their_contribution_is_due(world):
    due_on = dt.date(2026, 11, 20)
    request = contribution(world, due_on)
    sent = {}
    for offset in range(-9, 1):
        mail.outbox.clear()
        run(due_on + dt.timedelta(days=offset), inline=True)
        if sent_to("sam"):
            sent[offset] = sent_to("sam")[0]
    assert sorted(sent) == [-7, -3, -1]
    message = sent[-3]
    assert "Nhắc góp ý phối hợp" in message.subject and "20/11/2026" in message.subject
    assert request.report.item.code in message.body and "Đề nghị cung cấp số liệu." in message.body
    assert "https://greenplan.example.vn/reports/contributions/" in message.body


def test_answered_contribution_requests_are_not_reminded(world):
    contribution(world, dt.date(2026, 11, 20), answer="Đã gửi", answered_at=timezone.now())
    run(dt.date(2026, 11, 17), inline=True)
    assert not sent_to("sam")


# --- the focal agency and the ministry ------------------------------------------------------------

def test_the_focal_agency_as_it_is_today_is_reminded_before_the_ministry_deadline(world):
    old_focal = AgencyFactory(jurisdiction=world.province, name="Sở Kế hoạch và Đầu tư")
    new_focal = AgencyFactory(jurisdiction=world.province, name="Sở Tài chính")
    Succession.objects.create(predecessor=old_focal, successor=new_focal, effective_on=dt.date(2025, 3, 1))
    MembershipFactory(agency=old_focal, user=UserFactory(username="old", email="old@example.vn"))
    MembershipFactory(agency=new_focal, user=UserFactory(username="fin", email="fin@example.vn"),
                      role=Membership.Role.HEAD)
    world.plan.focal_agency = old_focal
    world.plan.save()

    sent = {}
    for date in (dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 7), dt.date(2026, 12, 9),
                 dt.date(2026, 12, 10)):
        mail.outbox.clear()
        run(date, inline=True)
        ministry = [m for m in sent_to("fin") if "Bộ" in m.subject]
        if ministry:
            sent[date.day] = ministry[0]
    assert sorted(sent) == [3, 7, 9]
    assert "Còn 7 ngày" in sent[3].subject and "10/12/2026" in sent[3].subject
    assert "Bộ Tài chính" in sent[3].subject
    assert world.agency_a.name in sent[3].body  # who is still missing
    assert not any("old@example.vn" in m.to for m in mail.outbox)


# --- lineage --------------------------------------------------------------------------------------

def test_a_merged_agencys_officers_are_reminded_for_its_predecessors_activities(db):
    province = JurisdictionFactory(name="Bình Phước")
    predecessor = AgencyFactory(jurisdiction=province, name="Sở Giao thông vận tải")
    merged = AgencyFactory(jurisdiction=province, name="Sở Xây dựng")
    Succession.objects.create(predecessor=predecessor, successor=merged, effective_on=dt.date(2025, 3, 1))
    MembershipFactory(agency=predecessor, user=UserFactory(username="tom", email="tom@example.vn"))
    MembershipFactory(agency=merged, user=UserFactory(username="xuan", email="xuan@example.vn"))
    plan = build_plan(jurisdiction=province, themes=1, groups=1, activities=2, lead=predecessor)
    create_cycles(plan, years=[2026])

    run(day(-7), inline=True)

    message, = [m for m in mail.outbox if "xuan@example.vn" in m.to]
    assert "còn 2 báo cáo chưa gửi" in message.subject
    for report in Report.objects.filter(cycle__plan=plan, cycle__kind="annual"):
        assert report.item.lead_agency == predecessor and report.agency == merged
        assert f"/reports/{report.pk}/" in message.body
    assert not any("tom@example.vn" in m.to for m in mail.outbox)


# --- recipients and policy ------------------------------------------------------------------------

def test_inactive_people_and_people_without_an_address_are_not_written_to(world):
    Membership.objects.filter(user=world.head_a).update(is_active=False)
    world.officer_b.email = ""
    world.officer_b.save()
    run(day(-7), inline=True)

    assert sent_to("alice")[0].to == ["alice@example.vn"]
    notice_b, = notices_for(world.agency_b)
    assert notice_b.state == "skipped" and "Không có người nhận" in notice_b.last_error


def test_a_plans_policy_changes_the_days_and_can_switch_reminders_off(world):
    policy = ReminderPolicy.objects.create(plan=world.plan, days_before=[10, 2], overdue_every_days=0,
                                           digest_enabled=False)
    run(day(-7), inline=True)
    assert [n.rule for n in Notice.objects.filter(agency=world.agency_a)] == ["d-10"]
    run(day(5), inline=True)
    assert not Notice.objects.filter(kind__in=["overdue", "digest"]).exists()

    policy.enabled = False
    policy.save()
    mail.outbox.clear()
    run(day(-2), inline=True)
    assert mail.outbox == []


# --- the command ----------------------------------------------------------------------------------

def test_a_dry_run_changes_nothing_and_prints_one_line_per_reminder(world, capsys):
    call_command("send_reminders", "--date", "2026-11-23", "--dry-run")

    lines = capsys.readouterr().out.strip().splitlines()
    assert Notice.objects.count() == 0 and mail.outbox == [] and Notification.objects.count() == 0
    assert sorted(lines) == sorted([
        f"2026-11-23\tdue:d-7\t{world.agency_a.name}\trecipients=2\titems=3",
        f"2026-11-23\tdue:d-7\t{world.agency_b.name}\trecipients=1\titems=1",
        f"2026-11-23\tdigest:daily\tTổng hợp – {world.plan.number}\trecipients=1\titems=4",
    ])


def test_a_dry_run_after_a_real_run_lists_nothing(world, capsys):
    call_command("send_reminders", "--date", "2026-11-23")
    capsys.readouterr()
    call_command("send_reminders", "--date", "2026-11-23", "--dry-run")
    assert capsys.readouterr().out == ""


def test_the_command_runs_the_job_in_process(world, capsys):
    call_command("send_reminders", "--date", "2026-11-23")
    assert "3 new reminder(s)" in capsys.readouterr().out
    assert len(mail.outbox) == 3


def test_the_command_refuses_a_malformed_date(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "30/11/2026")


def test_pending_excludes_what_was_already_planned(world):
    due = collect(day(-7))
    run(day(-7), inline=True)
    assert len(due) == 3 and pending(due) == []


def test_every_email_has_a_subject_a_text_and_an_html_part_in_vietnamese(world):
    contribution(world, day(-4))
    run(day(-7), inline=True)
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert kinds == {"due", "digest", "contribution"}
    for message in mail.outbox:
        assert message.subject.startswith("[greenplan] ")
        assert "Kính gửi" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and '<html lang="vi">' in html
        assert not re.search(r"&amp;|&lt;|\{\{|\{%", message.body + message.subject)
