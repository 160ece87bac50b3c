"""The database itself refuses bad plan data, not only the forms."""
import pytest
from django.db import IntegrityError, transaction

from agencies.models import Agency
from tasks.models import PlanItem
from tests.factories import AgencyFactory, JurisdictionFactory, PlanFactory

pytestmark = pytest.mark.django_db


def _refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(**kwargs)


def test_codes_are_unique_within_a_plan_but_not_across_plans():
    plan, other = PlanFactory(), PlanFactory()
    PlanItem.objects.create(plan=plan, level="theme", code="1", title="A")
    PlanItem.objects.create(plan=other, level="theme", code="1", title="A")
    _refused(plan=plan, level="theme", code="1", title="B")


def test_a_code_not_in_normal_form_is_refused_by_the_database():
    plan = PlanFactory()
    _refused(plan=plan, level="theme", code="1.1.3a", title="A")
    _refused(plan=plan, level="theme", code="1.1.3 A", title="A")


def test_a_timeline_ending_before_it_starts_is_refused():
    plan = PlanFactory()
    _refused(plan=plan, level="theme", code="1", title="A", start_year=2030, end_year=2023)
    _refused(plan=plan, level="theme", code="2", title="A", start_year=203, end_year=2023)


def test_only_themes_may_have_no_parent():
    plan = PlanFactory()
    _refused(plan=plan, level="activity", code="1.1.1", title="A")


def test_a_plan_period_must_be_ordered():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(period_start=2030, period_end=2023)


def test_a_report_deadline_must_be_a_real_day_and_month():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(report_deadline_month=13)


def test_agency_names_are_unique_per_jurisdiction_so_each_province_has_its_own_so_tai_chinh():
    a, b = JurisdictionFactory(name="Bình Dương"), JurisdictionFactory(name="Đồng Nai")
    Agency.objects.create(jurisdiction=a, name="Sở Tài chính")
    Agency.objects.create(jurisdiction=b, name="Sở Tài chính")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(jurisdiction=a, name="Sở Tài chính")


def test_an_agency_cannot_succeed_itself():
    from agencies.models import Succession

    agency = AgencyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(predecessor=agency, successor=agency, effective_on="2025-03-01")


def test_defaults_follow_the_plan_document():
    plan = PlanFactory()
    assert (plan.report_deadline_day, plan.report_deadline_month) == (30, 11)
    assert (plan.ministry_deadline_day, plan.ministry_deadline_month) == (10, 12)


def test_items_are_listed_in_numeric_code_order():
    plan = PlanFactory()
    theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="T")
    for code in ["1.10", "1.2", "1.1"]:
        PlanItem.objects.create(plan=plan, level="group", code=code, title=code, parent=theme)
    assert list(plan.items.values_list("code", flat=True)) == ["1", "1.1", "1.2", "1.10"]


def test_active_in_year_is_a_query_and_no_timeline_means_every_year():
    plan = PlanFactory()
    theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="T")
    early = PlanItem.objects.create(plan=plan, level="group", code="1.1", title="a", parent=theme, start_year=2023, end_year=2024)
    late = PlanItem.objects.create(plan=plan, level="group", code="1.2", title="b", parent=theme, start_year=2026, end_year=2030)
    assert set(PlanItem.objects.filter(plan=plan).active_in(2024)) == {theme, early}
    assert set(PlanItem.objects.filter(plan=plan).active_in(2027)) == {theme, late}


def test_a_sub_activity_without_timeline_shows_its_parents():
    plan = PlanFactory()
    theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="T")
    group = PlanItem.objects.create(plan=plan, level="group", code="1.1", title="G", parent=theme)
    act = PlanItem.objects.create(plan=plan, level="activity", code="1.1.1", title="A", parent=group, start_year=2023, end_year=2025)
    sub = PlanItem.objects.create(plan=plan, level="subactivity", code="1.1.1 a", title="a", parent=act)
    assert (sub.effective_start_year, sub.effective_end_year) == (2023, 2025)
