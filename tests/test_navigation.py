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


def _followed(client, url):
    response = client.get(url)
    assert response.status_code == 302
    return response["Location"]


def test_a_reviewer_menu_reaches_the_queue_the_status_and_the_province_report(client, world):
    labels = {label.strip(): url for url, label in _nav_links(client, world.reviewer)}
    assert labels["Thẩm định"] == reverse("reporting:queue")
    # The cycle places lead to the cycle the reviewer works on now, found when the link is followed.
    assert _followed(client, labels["Tình hình nộp"]) == reverse("dashboard:status", args=[world.cycle.pk])
    assert _followed(client, labels["Báo cáo tỉnh"]) == reverse("dashboard:province_report", args=[world.cycle.pk])
    assert _followed(client, labels["Bảng điều hành"]) == reverse("dashboard:cycle", args=[world.cycle.pk])


def test_the_menu_marks_the_place_the_user_is_on(client, world):
    client.force_login(world.reviewer)
    page = client.get(reverse("dashboard:status", args=[world.cycle.pk])).content.decode()
    current = re.findall(r'<a href="[^"]+" aria-current="page" data-place="([a-z_]+)"', page)
    assert current == ["status"]


def test_the_menu_finds_no_cycle_on_a_page_that_does_not_follow_it(client, world, django_assert_num_queries):
    """The menu of an overseer costs its access predicates only: the cycle it works on is found when
    a cycle place is followed, not on every page."""
    from agencies.access import one_scope_per_user

    with one_scope_per_user():
        menu(world.reviewer)  # the predicates' own queries, as any page has made them already
        with django_assert_num_queries(0):
            assert [link.key for link in menu(world.reviewer)][:5] == ["queue", "indicators", "status",
                                                                         "province_report", "dashboard"]


def test_an_overseer_finds_the_overview_of_their_plans_in_the_menu(client, world):
    client.force_login(world.leader)
    home = client.get("/", follow=True).content.decode()
    overview = reverse("dashboard:overview")
    assert f'href="{overview}"' in home and "Tổng quan" in home
    page = client.get(overview).content.decode()
    assert 'aria-current="page" data-place="overview"' in page
    assert "overview" not in [link.key for link in menu(world.officer_a)]  # an officer oversees nothing


def test_a_cycle_place_before_any_cycle_says_there_is_none(client, world):
    world.cycle.delete()
    client.force_login(world.reviewer)
    response = client.get(reverse("focus", args=["status"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard:overview")
    assert "Chưa có kỳ báo cáo nào cho các kế hoạch bạn theo dõi." in response.content.decode()


def test_a_cycle_place_that_is_not_the_users_is_not_found(client, world):
    client.force_login(world.leader)
    assert client.get(reverse("focus", args=["province_report"])).status_code == 404  # reviewers' place
    assert client.get(reverse("focus", args=["reports"])).status_code == 404  # not a cycle place
    assert client.get(reverse("focus", args=["nowhere"])).status_code == 404
    client.force_login(world.officer_a)
    assert client.get(reverse("focus", args=["dashboard"])).status_code == 404


def test_a_leader_menu_has_the_dashboard_but_not_the_province_report(client, world):
    keys = [link.key for link in menu(world.leader)]
    assert "dashboard" in keys and "status" in keys and "overview" in keys
    assert "province_report" not in keys and "queue" not in keys and "reports" not in keys


def test_the_home_page_of_an_officer_filters_by_a_status_chip(client, world):
    client.force_login(world.officer_a)
    page = client.get(reverse("reporting:home") + "?state=missing").content.decode()
    assert 'aria-current="true"' in page
    assert page.count('href="/reports/') >= 3  # A owes 1.1.1–1.1.3, all missing
    page = client.get(reverse("reporting:home") + "?state=accepted").content.decode()
    assert "Không có báo cáo nào ở trạng thái này." in page
