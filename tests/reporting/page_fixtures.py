"""Named people and one plan for the report-page tests (imported by those test modules).

Province Bình Dương: agency A (Sở Tài nguyên và Môi trường) leads every activity, agency C
(Sở Xây dựng) supports them, agency B (Sở Công Thương) leads nothing in this plan.
alice: officer of A; hana: head of A; bob: officer of B; sam: officer of C;
rita: reviewer of Bình Dương; rob: reviewer of Đồng Nai; leo: leader of Bình Dương.
"""
import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import JurisdictionRole, Membership
from reporting.models import Report, end_of_day
from tests.factories import AgencyFactory, JurisdictionFactory, JurisdictionRoleFactory, MembershipFactory, UserFactory, build_plan

from .factories import ReportingCycleFactory


@pytest.fixture
def province():
    return JurisdictionFactory(name="Bình Dương")


@pytest.fixture
def agency_a(province):
    return AgencyFactory(jurisdiction=province, name="Sở Tài nguyên và Môi trường")


@pytest.fixture
def agency_b(province):
    return AgencyFactory(jurisdiction=province, name="Sở Công Thương")


@pytest.fixture
def agency_c(province):
    return AgencyFactory(jurisdiction=province, name="Sở Xây dựng")


def _member(agency, username, role=Membership.Role.OFFICER, **kw):
    user = UserFactory(username=username, first_name=username.capitalize())
    MembershipFactory(user=user, agency=agency, role=role, **kw)
    return user


@pytest.fixture
def alice(agency_a):
    return _member(agency_a, "alice")


@pytest.fixture
def hana(agency_a):
    return _member(agency_a, "hana", Membership.Role.HEAD)


@pytest.fixture
def bob(agency_b):
    return _member(agency_b, "bob")


@pytest.fixture
def sam(agency_c):
    return _member(agency_c, "sam")


@pytest.fixture
def rita(province):
    return JurisdictionRoleFactory(user=UserFactory(username="rita"), jurisdiction=province,
                                   role=JurisdictionRole.Role.REVIEWER).user


@pytest.fixture
def rob():
    return JurisdictionRoleFactory(user=UserFactory(username="rob"), jurisdiction=JurisdictionFactory(name="Đồng Nai"),
                                   role=JurisdictionRole.Role.REVIEWER).user


@pytest.fixture
def leo(province):
    return JurisdictionRoleFactory(user=UserFactory(username="leo"), jurisdiction=province,
                                   role=JurisdictionRole.Role.LEADER).user


@pytest.fixture
def plan(province, agency_a, agency_c):
    plan = build_plan(jurisdiction=province, themes=1, groups=1, activities=3, lead=agency_a, supporting=[agency_c],
                      code="bd-396")
    plan.items.filter(code="1.1.1").update(expected_outputs="Đề án kiểm kê khí nhà kính cấp tỉnh")
    return plan


@pytest.fixture
def cycle(plan):
    return ReportingCycleFactory(plan=plan)


@pytest.fixture
def last_year(plan):
    today = timezone.localdate()
    return ReportingCycleFactory(plan=plan, year=today.year - 1, opens_on=today - dt.timedelta(days=560),
                                 closes_on=today - dt.timedelta(days=300),
                                 due_at=end_of_day(today - dt.timedelta(days=330)))


@pytest.fixture
def report(cycle, plan, agency_a):
    return Report.objects.create(cycle=cycle, item=plan.items.get(code="1.1.1"), agency=agency_a)


@pytest.fixture
def report_b(cycle, plan, agency_b):
    """A report owed by agency B (an item reassigned to B for this test)."""
    return Report.objects.create(cycle=cycle, item=plan.items.get(code="1.1.2"), agency=agency_b)
