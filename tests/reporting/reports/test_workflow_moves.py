"""Every workflow move, allowed and refused, with its audit event."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reporting.models import Extension, Report, ReportEvent
from reporting.reports.workflow import (
    EditConflict, Move, WorkflowError, allowed_moves, bulk_accept, refusal, contribution_answer, contribution_request, extension_grant,
    extension_refuse, extension_request, report_accept, report_reopen, report_return, report_save, report_submit,
)

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FILLED = {"status": "on_schedule", "percent_complete": 40, "results": "Đã ban hành kế hoạch", "funds_local": 1_234_567}


@pytest.fixture(autouse=True)
def _during_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 20))


def _drafted(world, user=None):
    report = world.report_of(world.agency_a)
    return report_save(report, user=user or world.officer_a, data=FILLED, base_version=report.version)


def _submitted(world, when=None):
    report = _drafted(world)
    return report_submit(report, user=world.head_a, now=when or dt.datetime(2026, 11, 25, 9, tzinfo=VN))


def test_an_officer_saves_a_draft_and_the_edit_is_kept_with_its_author(world):
    report = _drafted(world)
    assert report.state == "draft" and report.version == 1 and report.funds_local == 1_234_567
    assert report.history.first().history_user == world.officer_a
    assert list(report.events.values_list("kind", "from_state", "to_state")) == [("save", "missing", "draft")]


def test_an_officer_of_another_agency_cannot_save(world):
    report = world.report_of(world.agency_a)
    with pytest.raises(WorkflowError, match="không thuộc cơ quan"):
        report_save(report, user=world.officer_b, data=FILLED, base_version=0)


def test_a_second_editor_saving_over_a_newer_version_is_told_and_nothing_is_overwritten(world):
    report = world.report_of(world.agency_a)
    report_save(report, user=world.officer_a, data={"results": "bản của An"}, base_version=0)
    with pytest.raises(EditConflict) as conflict:
        report_save(report, user=world.head_a, data={"results": "bản của Hana"}, base_version=0)
    assert conflict.value.current.results == "bản của An" and conflict.value.mine == {"results": "bản của Hana"}
    assert Report.objects.get(pk=report.pk).results == "bản của An"


def test_only_the_head_or_an_allowed_officer_submits(world):
    report = _drafted(world)
    with pytest.raises(WorkflowError, match="lãnh đạo"):
        report_submit(report, user=world.officer_a)
    membership = world.officer_a.memberships.get()
    membership.can_submit = True
    membership.save()
    assert report_submit(report, user=world.officer_a).state == "submitted"


def test_a_report_without_status_or_percent_cannot_be_submitted(world):
    report = world.report_of(world.agency_a)
    report = report_save(report, user=world.officer_a, data={"results": "x"}, base_version=0)
    with pytest.raises(WorkflowError, match="tình hình thực hiện, tỷ lệ hoàn thành"):
        report_submit(report, user=world.head_a)


def test_a_missing_report_cannot_be_submitted(world):
    with pytest.raises(WorkflowError, match="chưa có nội dung"):
        report_submit(world.report_of(world.agency_a), user=world.head_a)


def test_a_submitted_report_is_locked_with_the_reason(world):
    report = _submitted(world)
    with pytest.raises(WorkflowError, match="đang chờ thẩm định"):
        report_save(report, user=world.officer_a, data=FILLED, base_version=report.version)


def test_the_reviewer_returns_with_a_comment_and_the_agency_resubmits(world):
    report = _submitted(world)
    with pytest.raises(WorkflowError, match="ghi rõ nội dung"):
        report_return(report, user=world.reviewer, comment="  ")
    report = report_return(report, user=world.reviewer, comment="Bổ sung số liệu kinh phí")
    assert report.state == "returned" and report.review_comment == "Bổ sung số liệu kinh phí"
    report = report_save(report, user=world.officer_a, data={"funds_central": 5_000_000}, base_version=report.version)
    assert report.state == "returned"  # still returned until resubmitted
    report = report_submit(report, user=world.head_a)
    assert report.state == "submitted"


def test_only_reviewers_of_the_plans_jurisdiction_review(world):
    report = _submitted(world)
    for user in (world.officer_a, world.head_a, world.leader, world.foreign_reviewer):
        with pytest.raises(WorkflowError, match="cán bộ thẩm định"):
            report_accept(report, user=user)


def test_accepting_locks_and_reopening_needs_a_reason_and_returns_it(world):
    report = report_accept(_submitted(world), user=world.reviewer)
    assert report.state == "accepted"
    with pytest.raises(WorkflowError, match="đã được chấp nhận"):
        report_save(report, user=world.officer_a, data=FILLED, base_version=report.version)
    with pytest.raises(WorkflowError, match="Chỉ trả lại được báo cáo đã gửi"):
        report_return(report, user=world.reviewer, comment="x")
    with pytest.raises(WorkflowError, match="lý do"):
        report_reopen(report, user=world.reviewer, reason="")
    report = report_reopen(report, user=world.reviewer, reason="Phát hiện sai số liệu")
    assert report.state == "returned"
    kinds = list(report.events.values_list("kind", "from_state", "to_state", "comment"))
    assert kinds[-2:] == [("accept", "submitted", "accepted", ""), ("reopen", "accepted", "returned", "Phát hiện sai số liệu")]


def test_accepting_twice_or_a_draft_is_refused(world):
    report = _drafted(world)
    with pytest.raises(WorkflowError, match="Chỉ chấp nhận được báo cáo đã gửi"):
        report_accept(report, user=world.reviewer)


def test_every_move_writes_who_when_from_to_and_comment(world):
    report = _submitted(world)
    report_return(report, user=world.reviewer, comment="Sửa")
    events = list(ReportEvent.objects.filter(report=report).order_by("pk"))
    assert [(e.kind, e.actor.username, e.from_state, e.to_state) for e in events] == [
        ("save", "alice", "missing", "draft"), ("submit", "hana", "draft", "submitted"),
        ("return", "rita", "submitted", "returned")]
    assert all(e.at for e in events)


def test_bulk_accept_is_all_or_nothing(world):
    first = _submitted(world)
    second = world.report_of(world.agency_a, "1.1.2")
    with pytest.raises(WorkflowError):
        bulk_accept([first, second], user=world.reviewer)  # the second is not submitted
    assert Report.objects.get(pk=first.pk).state == "submitted"
    assert bulk_accept([first], user=world.reviewer) == 1


# --- late mark around midnight of 30 November, Vietnam time ----------------------------------

@pytest.mark.parametrize("when, late", [
    (dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=VN), False),
    (dt.datetime(2026, 12, 1, 0, 0, 0, tzinfo=VN), True),
    # 17:00 UTC on 30 November is already 1 December in Vietnam.
    (dt.datetime(2026, 11, 30, 17, 0, 0, tzinfo=dt.timezone.utc), True),
    (dt.datetime(2026, 11, 30, 16, 59, 0, tzinfo=dt.timezone.utc), False),
])
def test_a_submission_after_the_deadline_in_vietnam_time_carries_a_late_mark(world, when, late):
    report = _submitted(world, when=when)
    assert report.late is late and report.state == "submitted"
    assert report.submitted_at == when


def test_an_extension_moves_the_agencys_deadline_and_the_late_mark(world):
    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    with pytest.raises(WorkflowError):
        extension_grant(ext, user=world.officer_a, new_due_on=dt.date(2026, 12, 10))
    with pytest.raises(WorkflowError, match="Hạn mới phải sau"):
        extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 11, 1))
    extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 10))
    report = _submitted(world, when=dt.datetime(2026, 12, 5, 10, tzinfo=VN))
    assert report.late is False
    b_report = world.report_of(world.agency_b)
    b_report = report_save(b_report, user=world.officer_b, data=FILLED, base_version=0)
    from agencies.models import Membership

    Membership.objects.filter(user=world.officer_b).update(role="head")

    b_report = report_submit(b_report, user=type(world.officer_b).objects.get(pk=world.officer_b.pk),
                             now=dt.datetime(2026, 12, 5, 10, tzinfo=VN))
    assert b_report.late is True  # agency B has no extension


def test_a_reports_deadline_loaded_with_the_report_is_the_agency_deadline(world, django_assert_num_queries):
    """report_deadline from the granted_due_at annotation (the report page, the submission's lock)
    gives what agency_deadline asks the database for, with and without a granted extension, and
    makes no query of its own."""
    from reporting.reports.workflow import agency_deadline, granted_due_at, report_deadline

    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 10))
    # B asked too and was refused: a refused extension moves nothing.
    ext_b = extension_request(cycle=world.cycle, agency_id=world.agency_b.pk, user=world.officer_b, reason="Chờ")
    extension_refuse(ext_b, user=world.reviewer, comment="Không có căn cứ")
    for agency in (world.agency_a, world.agency_b):
        report = Report.objects.select_related("cycle").annotate(granted_due_at=granted_due_at()).get(
            pk=world.report_of(agency).pk)
        expected = agency_deadline(report.cycle, report.agency_id)
        with django_assert_num_queries(0):
            assert report_deadline(report) == expected
    # A report loaded without it: asked for, the same.
    plain = Report.objects.select_related("cycle").get(pk=world.report_of(world.agency_a).pk)
    assert report_deadline(plain) == agency_deadline(plain.cycle, plain.agency_id)
    assert agency_deadline(world.cycle, world.agency_a.pk) != world.cycle.due_at
    assert agency_deadline(world.cycle, world.agency_b.pk) == world.cycle.due_at


def test_an_extension_granted_after_a_late_submission_clears_its_late_mark(world):
    report = _submitted(world, when=dt.datetime(2026, 12, 5, 10, tzinfo=VN))
    assert report.late is True
    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 10))
    report.refresh_from_db()
    assert report.late is False


def test_an_extension_that_ends_before_the_submission_leaves_it_late(world):
    report = _submitted(world, when=dt.datetime(2026, 12, 12, 10, tzinfo=VN))
    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 10))
    report.refresh_from_db()
    assert report.late is True


def test_an_extension_can_be_refused_with_a_reason_and_only_once(world):
    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    with pytest.raises(WorkflowError, match="đang chờ"):
        extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="lần 2")
    with pytest.raises(WorkflowError, match="lý do"):
        extension_refuse(ext, user=world.reviewer, comment="")
    ext = extension_refuse(ext, user=world.reviewer, comment="Không có căn cứ")
    assert ext.state == Extension.State.REFUSED
    with pytest.raises(WorkflowError, match="đã được xử lý"):
        extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 10))


def test_the_lead_asks_a_supporting_agency_which_answers(world):
    report = world.report_of(world.agency_a)
    with pytest.raises(WorkflowError, match="không được sau hạn nộp"):
        contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a, due_on=dt.date(2026, 12, 1))
    with pytest.raises(WorkflowError, match="cơ quan chủ trì"):
        contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_s, due_on=dt.date(2026, 11, 20))
    req = contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a,
                               due_on=dt.date(2026, 11, 20), message="Đề nghị cung cấp số liệu")
    with pytest.raises(WorkflowError, match="không thuộc cơ quan được đề nghị"):
        contribution_answer(req, user=world.officer_b, answer="x")
    req = contribution_answer(req, user=world.officer_s, answer="Đã hoàn thành 3 công trình")
    assert report.contributions.get().answer == "Đã hoàn thành 3 công trình"


def test_an_accepted_report_takes_no_new_input_request_and_the_page_offers_none(world):
    report = report_accept(_submitted(world), user=world.reviewer)
    with pytest.raises(WorkflowError, match="đã được chấp nhận"):
        contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a,
                             due_on=dt.date(2026, 11, 21))
    assert not report.contributions.exists()
    assert allowed_moves(report, world.officer_a)[Move.ASK_INPUT] is not None


def test_a_closed_cycle_refuses_edits_submissions_and_input_requests_with_one_message(world):
    report = _drafted(world)
    closed = report.cycle.closes_on + dt.timedelta(days=1)
    moves = allowed_moves(report, world.head_a, today=closed)
    expected = f"Kỳ báo cáo đã đóng ngày {report.cycle.closes_on:%d/%m/%Y}"
    for move in (Move.EDIT, Move.SUBMIT, Move.ASK_INPUT):
        assert expected in str(moves[move]) and not moves[move].forbidden, move


def test_the_refusal_says_whether_the_role_or_the_state_refuses(world):
    report = _submitted(world)
    assert refusal(report, world.officer_b, Move.EDIT).forbidden  # another agency: never
    assert refusal(report, world.leader, Move.ACCEPT).forbidden  # a leader never reviews
    assert not refusal(report, world.officer_a, Move.EDIT).forbidden  # her agency's, locked now
    assert refusal(report, world.reviewer, Move.ACCEPT) is None
    assert not refusal(report, world.reviewer, Move.REOPEN).forbidden  # not accepted yet


# --- a contribution's due date (issue 14, item 4) ---------------------------------------------------

def test_a_contribution_due_date_in_the_past_is_refused(world):
    report = world.report_of(world.agency_a)
    with pytest.raises(WorkflowError, match="đã qua"):
        contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a, due_on=dt.date(2026, 11, 19))
    assert not report.contributions.exists()


def test_a_contribution_may_be_due_on_the_agency_deadline_itself(world):
    report = world.report_of(world.agency_a)
    req = contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a, due_on=dt.date(2026, 11, 30))
    assert req.due_on == dt.date(2026, 11, 30)


def test_a_granted_extension_moves_the_latest_contribution_due_date_with_it(world):
    ext = extension_request(cycle=world.cycle, agency_id=world.agency_a.pk, user=world.officer_a, reason="Chờ số liệu")
    extension_grant(ext, user=world.reviewer, new_due_on=dt.date(2026, 12, 15))
    report = world.report_of(world.agency_a)
    req = contribution_request(report=report, agency_id=world.agency_s.pk, user=world.officer_a, due_on=dt.date(2026, 12, 10))
    assert req.due_on == dt.date(2026, 12, 10)
    with pytest.raises(WorkflowError, match="15/12/2026"):
        contribution_request(report=world.report_of(world.agency_a, "1.1.2"), agency_id=world.agency_s.pk,
                             user=world.officer_a, due_on=dt.date(2026, 12, 16))
