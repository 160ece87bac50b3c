"""A user's scope (agencies.access.UserScope): their memberships, roles and the jurisdictions merged
into those they work for, read in one query."""
import datetime as dt

import pytest

from agencies.access import UserScope
from agencies.models import JurisdictionRole, Membership
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_scope_is_read_in_one_query_and_covers_merged_jurisdictions(province, agency_a, hana, rita,
                                                                      django_assert_num_queries):
    city = JurisdictionFactory(name="Thành phố Hồ Chí Minh")
    province.merged_into, province.merged_on = city, dt.date(2025, 7, 1)
    province.save()
    old_town = JurisdictionFactory(name="Thị xã cũ", merged_into=province, merged_on=dt.date(2020, 1, 1))  # twice over
    city_department = AgencyFactory(jurisdiction=city, name="Sở Tài chính")
    MembershipFactory(user=hana, agency=city_department, role=Membership.Role.OFFICER, can_submit=True)
    MembershipFactory(user=hana, agency=AgencyFactory(jurisdiction=city, name="Sở cũ"), is_active=False)
    JurisdictionRole.objects.create(user=hana, jurisdiction=city, role="leader")

    scope = UserScope(hana)
    with django_assert_num_queries(1):
        assert scope.agency_ids == {agency_a.pk, city_department.pk}  # the inactive one is not theirs
        head, officer = scope.memberships
        assert (head.agency_id, head.role, head.may_submit) == (agency_a.pk, "head", True)
        assert (officer.agency_id, officer.role, officer.may_submit) == (city_department.pk, "officer", True)
        assert [(r.jurisdiction_id, r.role) for r in scope.roles] == [(city.pk, "leader")]
        assert scope.leader_jurisdiction_ids == {city.pk, province.pk, old_town.pk}
        assert scope.reviewer_jurisdiction_ids == set()
        assert scope.jurisdiction_ids == {city.pk, province.pk, old_town.pk}
    assert officer.agency == city_department  # the agency itself, loaded when asked for

    reviewer = UserScope(rita)
    with django_assert_num_queries(1):
        assert reviewer.agency_ids == set()
        assert reviewer.reviewer_jurisdiction_ids == {province.pk, old_town.pk}


def test_an_anonymous_visitor_has_an_empty_scope_and_costs_no_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    scope = UserScope(AnonymousUser())
    with django_assert_num_queries(0):
        assert scope.memberships == [] and scope.roles == [] and scope.jurisdiction_ids == set()
