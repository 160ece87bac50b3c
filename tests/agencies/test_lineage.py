import datetime as dt

import pytest

from agencies.lineage import Lineage
from agencies.models import Succession
from tasks.models import PlanItem, SplitDecision
from tasks.selectors import responsible_resolver
from tests.factories import AgencyFactory, JurisdictionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def binh_duong():
    j = JurisdictionFactory(name="Bình Dương")
    dpi = AgencyFactory(jurisdiction=j, name="Sở Kế hoạch và Đầu tư")
    finance = AgencyFactory(jurisdiction=j, name="Sở Tài chính")
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    return j, dpi, finance


def test_an_activity_led_by_the_dpi_resolves_to_the_finance_department_from_2025(binh_duong):
    j, dpi, finance = binh_duong
    lineage = Lineage.load()
    assert lineage.responsible(dpi.pk, 2024).agency_id == dpi.pk
    assert lineage.responsible(dpi.pk, 2025).agency_id == finance.pk
    assert lineage.responsible(dpi.pk, 2030).agency_id == finance.pk


def test_successions_chain_through_several_reorganisations(binh_duong):
    j, dpi, finance = binh_duong
    hcmc = AgencyFactory(jurisdiction=JurisdictionFactory(name="Hồ Chí Minh"), name="Sở Tài chính")
    Succession.objects.create(predecessor=finance, successor=hcmc, effective_on=dt.date(2025, 7, 1))
    lineage = Lineage.load()
    assert lineage.responsible(dpi.pk, 2026).agency_id == hcmc.pk
    assert lineage.ancestors(hcmc.pk) == {dpi.pk, finance.pk}


def test_a_split_asks_for_a_choice_per_activity_and_lists_it_until_decided():
    j = JurisdictionFactory(name="Bình Dương")
    labour = AgencyFactory(jurisdiction=j, name="Sở Lao động - Thương binh và Xã hội")
    home = AgencyFactory(jurisdiction=j, name="Sở Nội vụ")
    edu = AgencyFactory(jurisdiction=j, name="Sở Giáo dục và Đào tạo")
    for succ in (home, edu):
        Succession.objects.create(predecessor=labour, successor=succ, effective_on=dt.date(2025, 3, 1), kind="split")
    plan = PlanFactory(jurisdiction=j)
    theme = PlanItem.objects.create(plan=plan, level="theme", code="3", title="T")
    item = PlanItem.objects.create(plan=plan, level="group", code="3.2", title="Đào tạo nghề", parent=theme, lead_agency=labour)

    resolve = responsible_resolver(Lineage.load())
    assert resolve(item, 2024) == (labour.pk, False)
    assert resolve(item, 2025) == (None, True)  # undecided: an admin must choose

    SplitDecision.objects.create(item=item, predecessor=labour, successor=edu)
    resolve = responsible_resolver(Lineage.load())
    assert resolve(item, 2025) == (edu.pk, False)


def test_a_cycle_in_the_data_does_not_hang():
    j = JurisdictionFactory()
    a, b = AgencyFactory(jurisdiction=j), AgencyFactory(jurisdiction=j)
    lineage = Lineage()
    lineage.add(a.pk, b.pk, dt.date(2025, 1, 1))
    lineage.add(b.pk, a.pk, dt.date(2025, 1, 1))
    assert lineage.responsible(a.pk, 2026).agency_ids  # terminates


def test_the_split_page_lists_undecided_items_and_records_the_admins_choice(client):
    from tests.factories import UserFactory

    j = JurisdictionFactory(name="Bình Dương")
    labour = AgencyFactory(jurisdiction=j, name="Sở Lao động - Thương binh và Xã hội")
    home = AgencyFactory(jurisdiction=j, name="Sở Nội vụ")
    edu = AgencyFactory(jurisdiction=j, name="Sở Giáo dục và Đào tạo")
    other = AgencyFactory(jurisdiction=j, name="Sở Y tế")
    for succ in (home, edu):
        Succession.objects.create(predecessor=labour, successor=succ, effective_on=dt.date(2025, 3, 1), kind="split")
    plan = PlanFactory(jurisdiction=j, code="bd")
    theme = PlanItem.objects.create(plan=plan, level="theme", code="3", title="T")
    item = PlanItem.objects.create(plan=plan, level="group", code="3.2", title="Đào tạo nghề", parent=theme, lead_agency=labour)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    rows = client.get("/plans/bd/splits/").context["rows"]
    assert [(r["item"], r["predecessor"], r["candidates"]) for r in rows] == [(item, labour, [edu, home])]
    client.post(f"/plans/bd/splits/{item.pk}/", {"predecessor": labour.pk, "successor": other.pk})
    assert not SplitDecision.objects.exists()  # not a successor: refused
    client.post(f"/plans/bd/splits/{item.pk}/", {"predecessor": labour.pk, "successor": edu.pk})
    assert SplitDecision.objects.get().successor == edu
    assert client.get("/plans/bd/splits/").context["rows"] == []


def test_only_admins_reach_the_split_page(client):
    from tests.factories import UserFactory

    plan = PlanFactory(code="bd2")
    client.force_login(UserFactory(username="officer"))
    assert client.get(f"/plans/{plan.code}/splits/").status_code == 302
