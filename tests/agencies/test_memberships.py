import datetime as dt

import pytest

from agencies.memberships import move_memberships
from agencies.models import Membership, Succession
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_merging_moves_every_member_to_the_successor_in_one_step_and_keeps_history():
    j = JurisdictionFactory()
    dpi, finance = AgencyFactory(jurisdiction=j, name="Sở KH&ĐT"), AgencyFactory(jurisdiction=j, name="Sở Tài chính")
    officer = MembershipFactory(agency=dpi, user=UserFactory(username="an")).user
    head = MembershipFactory(agency=dpi, user=UserFactory(username="binh"), role="head").user
    both = MembershipFactory(agency=dpi, user=UserFactory(username="cuong"), role="head").user
    MembershipFactory(agency=finance, user=both, role="officer")
    assert move_memberships(predecessor=dpi, successor=finance) == 3
    assert Membership.objects.get(user=officer, agency=finance).role == "officer"
    assert Membership.objects.get(user=head, agency=finance).role == "head"
    assert Membership.objects.get(user=both, agency=finance).role == "head"
    assert not Membership.objects.filter(agency=dpi, is_active=True).exists()
    assert Membership.objects.filter(agency=dpi).count() == 3  # deactivated, not deleted


def test_the_admin_action_moves_members_of_the_selected_successions(client):
    j = JurisdictionFactory()
    dpi, finance = AgencyFactory(jurisdiction=j), AgencyFactory(jurisdiction=j)
    member = MembershipFactory(agency=dpi).user
    s = Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.post("/admin/agencies/succession/", {"action": "move_members_to_successor", "_selected_action": [s.pk]})
    assert Membership.objects.get(user=member, agency=finance).is_active


def test_admin_search_ignores_diacritics(client):
    from agencies.models import Agency

    j = JurisdictionFactory()
    Agency.objects.create(jurisdiction=j, name="Sở Kế hoạch và Đầu tư")
    Agency.objects.create(jurisdiction=j, name="Sở Y tế")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    body = client.get("/admin/agencies/agency/", {"q": "so ke hoach"}).content.decode()
    assert "Sở Kế hoạch và Đầu tư" in body and "Sở Y tế" not in body


def test_a_head_grants_and_withdraws_may_submit_and_each_change_is_audited_with_who_did_it(hana, alice):
    from agencies.memberships import set_may_submit, submit_right_history

    m = alice.memberships.get()
    set_may_submit(m, allowed=True, by=hana)
    m.refresh_from_db()
    assert m.can_submit and m.may_submit
    set_may_submit(m, allowed=False, by=hana)
    m.refresh_from_db()
    assert not m.can_submit
    history = list(submit_right_history(m.agency_id))
    assert [h.history_change_reason for h in history] == ["Thu hồi quyền gửi báo cáo", "Cấp quyền gửi báo cáo"]
    assert {h.history_user for h in history} == {hana}


def test_a_head_needs_no_grant_and_is_refused_one(hana):
    from agencies.memberships import SubmitRightError, set_may_submit

    with pytest.raises(SubmitRightError, match="Lãnh đạo cơ quan luôn được gửi"):
        set_may_submit(hana.memberships.get(), allowed=True, by=hana)


def test_who_may_submit_lists_heads_first_then_allowed_officers_only(hana, alice, agency_a):
    from agencies.memberships import who_may_submit

    carol = MembershipFactory(agency=agency_a, user=UserFactory(username="carol"), can_submit=True).user
    assert [m.user for m in who_may_submit(agency_a.pk)] == [hana, carol]
