"""An officer without the right to submit is told why and by whom; the head grants the right on a
page of their own (reporting.reports.views.submitters, access.submitters_agency_or_404)."""
import pytest
from django.urls import reverse

from agencies.models import Membership

pytestmark = pytest.mark.django_db


def test_an_officer_who_may_not_submit_sees_why_and_who_may(client, world):
    report = world.report_of(world.agency_a)
    client.force_login(world.officer_a)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert 'id="no-submit-right"' in page and 'id="submit-form"' not in page
    assert "Chỉ lãnh đạo cơ quan, hoặc chuyên viên được lãnh đạo cho phép" in page
    assert "Hana" in page and "Quyền gửi báo cáo" in page


def test_the_head_sees_no_such_notice_and_the_submit_button(client, world):
    report = world.report_of(world.agency_a)
    report.state = "draft"
    report.save()
    client.force_login(world.head_a)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert 'id="no-submit-right"' not in page and 'id="submit-form"' in page


def test_the_head_reaches_the_page_from_the_home_and_grants_then_withdraws(client, world):
    client.force_login(world.head_a)
    url = reverse("reporting:submitters", args=[world.agency_a.pk])
    assert url in client.get(reverse("reporting:home")).content.decode()
    m = Membership.objects.get(user=world.officer_a)
    response = client.post(url, {"membership": m.pk, "allowed": "1"}, follow=True)
    assert "Đã cho phép Alice gửi báo cáo." in response.content.decode()
    m.refresh_from_db()
    assert m.can_submit
    page = client.get(url).content.decode()
    assert "Cấp quyền gửi báo cáo" in page and "Thu hồi quyền" in page
    client.post(url, {"membership": m.pk, "allowed": "0"})
    m.refresh_from_db()
    assert not m.can_submit


def test_an_officer_gets_403_with_the_reason_and_an_outsider_404(client, world):
    url = reverse("reporting:submitters", args=[world.agency_a.pk])
    client.force_login(world.officer_a)
    response = client.get(url)
    assert response.status_code == 403 and "Chỉ lãnh đạo cơ quan mới cấp" in response.content.decode()
    client.force_login(world.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 404


def test_a_head_cannot_change_a_member_of_another_agency(client, world):
    client.force_login(world.head_a)
    bob = Membership.objects.get(user=world.officer_b)
    response = client.post(reverse("reporting:submitters", args=[world.agency_a.pk]),
                           {"membership": bob.pk, "allowed": "1"})
    assert response.status_code == 404
    bob.refresh_from_db()
    assert not bob.can_submit
