"""A generic group of a plan stands for agencies: proposed by kind, reviewed as data."""
import datetime as dt

import pytest

from agencies.groups import fill_group, kinds_named_by, members_by_group, proposed_members
from agencies.models import Agency, GroupMember
from tests.factories import AgencyFactory, JurisdictionFactory

pytestmark = pytest.mark.django_db


def test_the_groups_wording_names_the_kinds_it_covers():
    assert kinds_named_by("Các sở, ban, ngành, UBND các huyện, thị xã, thành phố") >= {"department", "peoples_committee"}
    assert kinds_named_by("Các Hội") == {"association"}
    assert "association" not in kinds_named_by("Các sở, ban, ngành")


def test_a_group_of_a_merged_province_proposes_the_current_citys_departments_too_and_no_ended_agency():
    city = JurisdictionFactory(name="Hồ Chí Minh", kind="city")
    old = JurisdictionFactory(name="Bình Dương", merged_into=city, merged_on=dt.date(2025, 7, 1))
    group = AgencyFactory(jurisdiction=old, name="Các sở, ban, ngành", kind="group", is_group=True)
    ended = AgencyFactory(jurisdiction=old, name="Sở Xây dựng", active_to=dt.date(2025, 6, 30))
    city_dept = AgencyFactory(jurisdiction=city, name="Sở Xây dựng")
    association = AgencyFactory(jurisdiction=old, name="Hội Nông dân", kind="association")
    elsewhere = AgencyFactory(jurisdiction=JurisdictionFactory(name="Đồng Nai"), name="Sở Xây dựng")
    proposed = set(proposed_members(group, dt.date(2026, 11, 20)))
    assert city_dept in proposed
    assert not proposed & {ended, association, elsewhere, group}


def test_filling_a_group_twice_adds_nothing_the_second_time_and_keeps_an_admins_additions():
    j = JurisdictionFactory()
    group = AgencyFactory(jurisdiction=j, name="Các Hội", kind="group", is_group=True)
    farmers = AgencyFactory(jurisdiction=j, name="Hội Nông dân", kind="association")
    odd = AgencyFactory(jurisdiction=j, name="Liên minh Hợp tác xã", kind="other")
    GroupMember.objects.create(group=group, agency=odd)  # an admin's decision
    assert fill_group(group) == 1
    assert fill_group(group) == 0
    assert [a.name for a in members_by_group([group.pk])[group.pk]] == ["Hội Nông dân", "Liên minh Hợp tác xã"]
    assert Agency.objects.get(pk=farmers.pk).in_groups.get().group == group


def test_the_admin_reviews_a_groups_members_on_the_groups_page(admin_client):
    j = JurisdictionFactory()
    group = AgencyFactory(jurisdiction=j, name="Các Hội", kind="group", is_group=True)
    GroupMember.objects.create(group=group, agency=AgencyFactory(jurisdiction=j, name="Hội Nông dân", kind="association"))
    page = admin_client.get(f"/admin/agencies/agency/{group.pk}/change/").content.decode()
    assert "Các cơ quan nhóm này đại diện" in page and "Hội Nông dân" in page
