"""Browsing the plan: login required, filters, diacritic-insensitive search, fixed query counts."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Membership, Succession
from tasks.models import PlanItem
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return JurisdictionFactory(name="Bình Dương")


@pytest.fixture
def dpi(province):
    return AgencyFactory(jurisdiction=province, name="Sở Kế hoạch và Đầu tư")


@pytest.fixture
def officer(dpi):
    return MembershipFactory(agency=dpi, user=UserFactory(username="alice"), role=Membership.Role.OFFICER).user


@pytest.fixture
def plan(province, dpi):
    return build_plan(jurisdiction=province, themes=2, groups=2, activities=3, lead=dpi, code="bd-396")


def test_every_private_page_needs_a_login(client, plan):
    item = plan.items.filter(level="activity").first()
    for url in [reverse("tasks:plan_list"), reverse("tasks:plan_detail", args=[plan.code]),
                reverse("tasks:item_detail", args=[plan.code, item.pk]), reverse("agencies:list"),
                reverse("agencies:detail", args=[item.lead_agency_id])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_the_login_page_and_health_check_are_open(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_an_officer_browses_the_whole_plan(client, officer, plan):
    client.force_login(officer)
    response = client.get(reverse("tasks:plan_detail", args=[plan.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hoạt động 2.2.3" in body and "Chủ đề 1" in body
    assert "12 mục" not in body  # themes and groups count too
    assert f"{plan.items.count()} mục" in body


def test_search_ignores_diacritics_and_case_including_d_with_stroke(client, officer, plan, province):
    theme = plan.items.get(code="1")
    PlanItem.objects.create(plan=plan, level="group", code="1.9", parent=theme,
                            title="Thu hút Đầu tư xanh vào khu công nghiệp")
    client.force_login(officer)
    url = reverse("tasks:plan_detail", args=[plan.code])
    for query in ["thu hut dau tu", "THU HUT DAU TU", "Thu hút Đầu tư", "thu hut đau tu", "dau tu xanh"]:
        tree = client.get(url, {"q": query}).context["tree"]
        assert tree.matched_count == 1, query
    assert client.get(url, {"q": "khong co"}).context["tree"].matched_count == 0


def test_search_finds_items_by_their_agencys_name_typed_without_accents(client, officer, plan, province):
    client.force_login(officer)
    url = reverse("tasks:plan_detail", args=[plan.code])
    # Every activity of the fixture plan is led by Sở Kế hoạch và Đầu tư.
    assert client.get(url, {"q": "so ke hoach"}).context["tree"].matched_count == 12
    assert client.get(url, {"q": "SỞ KẾ HOẠCH VÀ ĐẦU TƯ"}).context["tree"].matched_count == 12


def test_filter_by_agency_follows_lineage(client, officer, plan, province, dpi):
    finance = AgencyFactory(jurisdiction=province, name="Sở Tài chính")
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    client.force_login(officer)
    url = reverse("tasks:plan_detail", args=[plan.code])
    tree = client.get(url, {"agency": finance.pk, "role": "lead"}).context["tree"]
    assert tree.matched_count == 12  # every activity the DPI led now falls to Sở Tài chính
    response = client.get(url, {"year": 2024})
    assert "→ 2024" not in response.content.decode()
    response = client.get(url, {"year": 2026})
    assert "→ 2026: Sở Tài chính" in response.content.decode()


def test_filters_by_theme_priority_and_year(client, officer, plan):
    PlanItem.objects.filter(plan=plan, code="2.1.1").update(high_priority=True)
    PlanItem.objects.filter(plan=plan, code="2.1.2").update(start_year=2023, end_year=2024)
    client.force_login(officer)
    url = reverse("tasks:plan_detail", args=[plan.code])
    assert client.get(url, {"theme": "2"}).context["tree"].matched_count == 1 + 2 + 6
    assert client.get(url, {"priority": "high"}).context["tree"].matched_count == 1
    assert client.get(url, {"year": 2027, "theme": "2"}).context["tree"].matched_count == 1 + 2 + 5


def test_officers_of_another_province_do_not_see_the_plan(client, plan):
    stranger = MembershipFactory(agency=AgencyFactory(jurisdiction=JurisdictionFactory(name="Đồng Nai"))).user
    client.force_login(stranger)
    assert client.get(reverse("tasks:plan_detail", args=[plan.code])).status_code == 404
    assert plan.number not in client.get(reverse("tasks:plan_list")).content.decode()


def test_the_agency_page_lists_what_it_leads_supports_and_inherited(client, officer, plan, province, dpi):
    finance = AgencyFactory(jurisdiction=province, name="Sở Tài chính")
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    PlanItem.objects.get(plan=plan, code="1.1.1").supporting_agencies.add(finance)
    client.force_login(officer)
    ctx = client.get(reverse("agencies:detail", args=[finance.pk])).context
    assert len(ctx["inherited"]) == 12 and len(ctx["supported"]) == 1 and ctx["predecessors"] == [dpi]


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("params", [{}, {"q": "hoat dong", "year": 2025, "priority": "high"}])
def test_browse_pages_issue_the_same_queries_for_20_and_2000_activities(client, officer, province, dpi, params):
    other = AgencyFactory(jurisdiction=province, name="Sở Xây dựng")
    small = build_plan(jurisdiction=province, themes=1, groups=2, activities=10, lead=dpi, supporting=[other], code="small")
    large = build_plan(jurisdiction=province, themes=10, groups=10, activities=20, lead=dpi, supporting=[other], code="large")
    assert small.items.filter(level="activity").count() == 20
    assert large.items.filter(level="activity").count() == 2000
    params = dict(params, agency=dpi.pk) if params else params
    client.force_login(officer)
    for name in ["tasks:plan_detail"]:
        assert _queries(client, reverse(name, args=["small"]), params) == _queries(client, reverse(name, args=["large"]), params)
    s_item, l_item = small.items.filter(level="activity").first(), large.items.filter(level="activity").first()
    assert _queries(client, reverse("tasks:item_detail", args=["small", s_item.pk])) == \
        _queries(client, reverse("tasks:item_detail", args=["large", l_item.pk]))
    assert _queries(client, reverse("agencies:detail", args=[dpi.pk])) <= 15
