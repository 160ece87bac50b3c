"""Each role lands on its work and its menu lists its places (greenplan/navigation.py, decided by
reporting.reports.access)."""
import re

import pytest
from django.urls import reverse

from greenplan.navigation import menu
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _landing(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    return response["Location"]


def _nav_links(client, user):
    client.force_login(user)
    html = client.get(reverse("tasks:plan_list")).content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav)


def test_an_officer_lands_on_the_reports_the_agency_owes(client, world):
    assert _landing(client, world.officer_a) == reverse("reporting:home")


def test_a_reviewer_lands_on_the_review_queue(client, world):
    assert _landing(client, world.reviewer) == reverse("reporting:queue")


def test_leadership_lands_on_the_dashboard_of_the_open_cycle(client, world):
    assert _landing(client, world.leader) == reverse("dashboard:cycle", args=[world.cycle.pk])


def test_an_admin_lands_on_what_needs_an_admin(client, world):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert _landing(client, admin) == reverse("attention")
    client.force_login(admin)
    page = client.get(reverse("attention")).content.decode()
    assert "Việc cần quản trị xử lý" in page and "Không có thông báo nào gửi lỗi." in page


def test_the_admin_page_is_hidden_from_everyone_else(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("attention")).status_code == 404


def test_someone_with_no_role_lands_on_the_plans(client, world):
    assert _landing(client, UserFactory(username="nobody")) == reverse("tasks:plan_list")


def test_the_login_sends_each_role_home(client, world):
    response = client.post(reverse("login"), {"username": world.reviewer.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:queue")


def test_an_officer_menu_shows_its_reports_and_no_oversight(client, world):
    keys = [link.key for link in menu(world.officer_a)]
    assert keys == ["reports", "contributions", "indicators", "plans", "agencies", "notifications"]
    labels = [label for _url, label in _nav_links(client, world.officer_a)]
    assert labels[:2] == ["Báo cáo của cơ quan", "Phối hợp"]


def test_a_reviewer_menu_reaches_the_queue_the_status_and_the_province_report(client, world):
    links = dict((url, label.strip()) for url, label in _nav_links(client, world.reviewer))
    assert links[reverse("reporting:queue")] == "Thẩm định"
    assert links[reverse("dashboard:status", args=[world.cycle.pk])] == "Tình hình nộp"
    assert links[reverse("dashboard:province_report", args=[world.cycle.pk])] == "Báo cáo tỉnh"
    assert links[reverse("dashboard:cycle", args=[world.cycle.pk])] == "Bảng điều hành"


def test_a_leader_menu_has_the_dashboard_but_not_the_province_report(client, world):
    keys = [link.key for link in menu(world.leader)]
    assert "dashboard" in keys and "status" in keys
    assert "province_report" not in keys and "queue" not in keys and "reports" not in keys


def test_the_home_page_of_an_officer_filters_by_a_status_chip(client, world):
    client.force_login(world.officer_a)
    page = client.get(reverse("reporting:home") + "?state=missing").content.decode()
    assert 'aria-current="true"' in page
    assert page.count('href="/reports/') >= 3  # A owes 1.1.1–1.1.3, all missing
    page = client.get(reverse("reporting:home") + "?state=accepted").content.decode()
    assert "Không có báo cáo nào ở trạng thái này." in page
