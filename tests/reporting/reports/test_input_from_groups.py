"""Asking for input when the plan names only a group of supporting agencies (plan 396's "Các sở, ban,
ngành…"): the lead picks an agency the group stands for; the item keeps the plan's wording."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import GroupMember
from reporting.models import ContributionRequest
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped(report, province, agency_a, agency_b, agency_s):
    """1.1.1 supported only by the group "Các sở, ban, ngành", which stands for S and B (and A)."""
    group = AgencyFactory(jurisdiction=province, name="Các sở, ban, ngành", kind="group", is_group=True)
    report.item.supporting_agencies.set([group])
    for member in (agency_a, agency_b, agency_s):
        GroupMember.objects.create(group=group, agency=member)
    return group


def test_the_lead_picks_an_agency_of_the_group_under_the_groups_wording(client, alice, report, grouped, agency_s, agency_a):
    client.force_login(alice)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "Thuộc “Các sở, ban, ngành”" in page
    assert f'<option value="{agency_s.pk}">Sở Xây dựng</option>' in page
    assert f'<option value="{agency_a.pk}">' not in page  # never the lead itself
    due = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(reverse("reporting:contribution_request", args=[report.pk]),
                           {"agency": agency_s.pk, "due_on": due.strftime("%d/%m/%Y"), "message": "Xin số liệu"},
                           follow=True)
    assert "Đã gửi đề nghị phối hợp tới Sở Xây dựng." in response.content.decode()
    assert list(report.item.supporting_agencies.all()) == [grouped]  # the plan's wording is kept


def test_an_agency_outside_the_item_and_its_groups_cannot_be_asked(client, alice, report, grouped, province):
    stranger = AgencyFactory(jurisdiction=province, name="Sở Y tế")
    client.force_login(alice)
    due = timezone.localdate() + dt.timedelta(days=2)
    client.post(reverse("reporting:contribution_request", args=[report.pk]),
                {"agency": stranger.pk, "due_on": due.strftime("%d/%m/%Y")})
    assert not ContributionRequest.objects.exists()


def test_a_group_nobody_has_reviewed_yet_says_why_nobody_can_be_asked(client, alice, report, grouped):
    GroupMember.objects.all().delete()
    client.force_login(alice)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert 'id="nobody-to-ask"' in page


def test_a_past_due_date_is_refused_on_the_page_with_the_reason(client, alice, report, agency_s):
    client.force_login(alice)
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(reverse("reporting:contribution_request", args=[report.pk]),
                           {"agency": agency_s.pk, "due_on": past.strftime("%d/%m/%Y")}, follow=True)
    assert "đã qua" in response.content.decode()
    assert not ContributionRequest.objects.exists()
