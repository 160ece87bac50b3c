"""Indicator values move through the report workflow's rules: draft, submit, return with a comment,
accept (locked), reopen; revisions of past years are audited; bad input is refused whole."""
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from reporting.indicators import values as V
from reporting.models import IndicatorValue, IndicatorValueEvent


def create(ind, pi=None, *, user=None, year=2025, value="12,5", **kw):
    return V.value_create(plan_indicator=pi or ind.intensity, cycle=ind.cycle, year=year,
                          user=user or ind.world.head_a, value=value, **kw)


def test_a_first_figure_is_a_draft_of_the_agency_answering_for_the_indicator(indicators):
    v = create(indicators, value="1,2", source="official", note="Cục Thống kê")
    assert (v.state, v.value, v.agency, v.source) == ("draft", D("1.2"), indicators.world.agency_a, "official")
    assert list(v.events.values_list("kind", "from_state", "to_state")) == [("save", "missing", "draft")]


def test_an_officer_of_another_agency_may_not_write_the_figure(indicators):
    with pytest.raises(V.MoveForbidden):
        create(indicators, user=indicators.world.officer_b)
    assert not IndicatorValue.objects.exists()


def test_the_responsible_agency_follows_a_merger(indicators):
    from agencies.models import Succession
    from tests.factories import AgencyFactory

    w = indicators.world
    successor = AgencyFactory(jurisdiction=w.province, name="Sở Nông nghiệp và Môi trường")
    Succession.objects.create(predecessor=w.agency_a, successor=successor, effective_on=indicators.cycle.opens_on)
    assert indicators.intensity.responsible_agency_id(indicators.cycle.year) == successor.pk
    with pytest.raises(V.MoveForbidden):
        create(indicators)  # hana's agency no longer answers for it


def test_submit_accept_locks_and_reopen_returns_with_reason(indicators):
    w = indicators.world
    v = create(indicators)
    v = V.value_submit(v, user=w.head_a)
    assert v.state == "submitted" and v.submitted_by == w.head_a
    with pytest.raises(V.WorkflowError, match="đã gửi"):
        V.value_save(v, user=w.head_a, value_raw="13")
    v = V.value_accept(v, user=w.reviewer)
    assert v.state == "accepted" and v.is_locked
    with pytest.raises(V.WorkflowError):
        V.value_save(v, user=w.head_a, value_raw="13")
    with pytest.raises(V.WorkflowError, match="lý do mở lại"):
        V.value_reopen(v, user=w.reviewer, reason=" ")
    v = V.value_reopen(v, user=w.reviewer, reason="Số liệu chưa khớp niên giám")
    assert v.state == "returned" and v.review_comment == "Số liệu chưa khớp niên giám"
    kinds = list(v.events.values_list("kind", flat=True))
    assert kinds == ["save", "submit", "accept", "reopen"]


def test_return_needs_a_comment_and_lets_the_agency_correct_and_resubmit(indicators):
    w = indicators.world
    v = V.value_submit(create(indicators), user=w.head_a)
    with pytest.raises(V.WorkflowError, match="nội dung cần sửa"):
        V.value_return(v, user=w.reviewer, comment="")
    v = V.value_return(v, user=w.reviewer, comment="Ghi rõ nguồn")
    v = V.value_save(v, user=w.officer_a, value_raw="12,4", source="survey")
    assert (v.state, v.value, v.source) == ("returned", D("12.4"), "survey")
    assert V.value_submit(v, user=w.head_a).state == "submitted"


def test_an_officer_without_the_right_to_submit_cannot_submit(indicators):
    v = create(indicators, user=indicators.world.officer_a)
    with pytest.raises(V.MoveForbidden, match="lãnh đạo"):
        V.value_submit(v, user=indicators.world.officer_a)


def test_the_agency_cannot_accept_its_own_figure_and_a_foreign_reviewer_neither(indicators):
    w = indicators.world
    v = V.value_submit(create(indicators), user=w.head_a)
    for user in (w.head_a, w.foreign_reviewer):
        with pytest.raises(V.MoveForbidden):
            V.value_accept(v, user=user)
    with pytest.raises(V.WorkflowError, match="đã gửi"):
        V.value_accept(V.value_accept(v, user=w.reviewer), user=w.reviewer)


def test_the_moves_offered_are_the_report_workflows(indicators):
    w = indicators.world
    v = create(indicators)
    moves = V.allowed_moves(v, w.head_a)
    assert moves["edit"] is None and moves["submit"] is None and moves["accept"] is not None
    assert V.allowed_moves(v, w.reviewer)["accept"] is not None  # a draft is not for review yet


def test_a_closed_cycle_takes_no_figure(indicators):
    c = indicators.cycle
    c.closes_on = c.opens_on
    c.save()
    with pytest.raises(V.WorkflowError, match="đã đóng"):
        create(indicators)


def test_a_duplicate_figure_for_one_year_and_territory_is_refused(indicators):
    create(indicators)
    with pytest.raises(V.WorkflowError, match="Đã có số liệu của chỉ tiêu 1.1 năm 2025"):
        create(indicators)
    pi = indicators.stations
    create(indicators, pi, territory="Thủ Dầu Một", value="3")
    create(indicators, pi, territory="Bình Dương cũ", value="4")
    with pytest.raises(V.WorkflowError, match="địa bàn Thủ Dầu Một"):
        create(indicators, pi, territory="Thủ Dầu Một", value="5")
    with pytest.raises(V.WorkflowError, match="không thuộc danh sách địa bàn"):
        create(indicators, pi, territory="Dĩ An", value="5")
    assert IndicatorValue.objects.count() == 3


@pytest.mark.parametrize("raw, message", [
    ("mười", "không phải là số"), ("1,234.5", "dấu phẩy"), ("140", "từ 0 đến 100"), ("45 tấn", "không khớp"),
])
def test_bad_figures_are_refused_naming_the_field_and_nothing_is_written(indicators, raw, message):
    w = indicators.world
    with pytest.raises(V.NumberError, match=f"Giá trị: .*{message}"):
        V.value_create(plan_indicator=indicators.renewables, cycle=indicators.cycle, year=2025, user=w.officer_b,
                       value=raw)
    assert not IndicatorValue.objects.exists() and not IndicatorValueEvent.objects.exists()


def test_a_negative_count_is_refused(indicators):
    with pytest.raises(V.NumberError, match="không được âm"):
        create(indicators, indicators.stations, value="-2", territory="Thủ Dầu Một")


def test_a_future_year_is_refused(indicators):
    with pytest.raises(V.WorkflowError, match="chưa đến năm"):
        create(indicators, year=indicators.cycle.year + 1)


def test_a_big_jump_is_a_warning_the_officer_confirms_with_a_note(indicators, settings):
    settings.INDICATOR_JUMP_PERCENT = 30
    create(indicators, year=2024, value="1")
    with pytest.raises(V.JumpToConfirm) as raised:
        create(indicators, year=2025, value="2")
    assert "100" in raised.value.warning and not IndicatorValue.objects.filter(year=2025).exists()
    with pytest.raises(V.WorkflowError, match="ghi chú"):
        create(indicators, year=2025, value="2", confirmed=True)
    v = create(indicators, year=2025, value="2", confirmed=True, note="Nhà máy mới đi vào hoạt động")
    assert v.value == D(2)
    assert create(indicators, year=2023, value="1,1").value == D("1.1")  # no earlier year: nothing to compare


def test_a_past_accepted_figure_is_revised_with_its_reason_audited_and_reviewed_again(indicators):
    w = indicators.world
    v = V.value_accept(V.value_submit(create(indicators, year=2024, value="1"), user=w.head_a), user=w.reviewer)
    with pytest.raises(V.WorkflowError, match="lý do điều chỉnh"):
        V.value_revise(v, user=w.officer_a, cycle=indicators.cycle, value_raw="1,05", note="")
    with pytest.raises(V.MoveForbidden):
        V.value_revise(v, user=w.officer_b, cycle=indicators.cycle, value_raw="1,05", note="Niên giám")
    v = V.value_revise(v, user=w.officer_a, cycle=indicators.cycle, value_raw="1,05", note="Niên giám thống kê 2025")
    assert (v.state, v.value, v.revision, v.revised) == ("draft", D("1.05"), 1, True)
    event = v.events.get(kind="revise")
    assert (event.old_value, event.new_value, event.from_state) == (D(1), D("1.05"), "accepted")
    assert V.revision_note(event) == "1 → 1,05: Niên giám thống kê 2025"
    assert v.history.count() >= 4


def test_only_an_accepted_figure_is_revised(indicators):
    v = create(indicators)
    with pytest.raises(V.WorkflowError, match="Chỉ điều chỉnh"):
        V.value_revise(v, user=indicators.world.officer_a, cycle=indicators.cycle, value_raw="1", note="x")


def test_a_target_year_outside_the_plan_period_is_refused_and_nothing_is_written(world):
    from django.core.management import call_command

    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator, PlanIndicator

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    with pytest.raises(ValidationError) as raised:
        adopt_indicator(world.plan, Indicator.objects.get(code="2.3"), baseline=(10, 2020),
                        targets=[{"year": 2025, "kind": "value", "value": 15}, {"year": 2035, "kind": "value", "value": 30}])
    assert "targets[2035].year" in raised.value.message_dict
    assert "ngoài thời kỳ" in raised.value.message_dict["targets[2035].year"][0]
    assert not PlanIndicator.objects.exists()


@pytest.mark.parametrize("spec, field", [
    ({"kind": "range", "min": 20, "max": 15}, "max"), ({"kind": "range", "min": 20}, "min"),
    ({"kind": "cut", "value": 15}, "base_year"), ({"kind": "cut", "value": 15, "base_year": 2031}, "base_year"),
    ({"kind": "value"}, "value"), ({"kind": "rate"}, "value"),
])
def test_each_target_form_needs_its_figures(world, spec, field):
    from django.core.management import call_command

    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    with pytest.raises(ValidationError) as raised:
        adopt_indicator(world.plan, Indicator.objects.get(code="2.3"), targets=[{"year": 2030, **spec}])
    assert f"targets[2030].{field}" in raised.value.message_dict
