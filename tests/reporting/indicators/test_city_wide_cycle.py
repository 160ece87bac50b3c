"""A legacy plan's indicator after the merger: its figure is owed in the city-wide annual cycle, by the
successor of the agency the plan named, and that agency's officer finds it on the indicators page."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Membership
from reporting.indicators import values as moves
from reporting.indicators.adoption import adopt_indicator
from reporting.models import Indicator
from reporting.reports.cycles import create_jurisdiction_cycle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_cycle(merged_city, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 25))
    call_command("loaddata", "indicator_catalogue", verbosity=0)
    pi = adopt_indicator(merged_city.legacy_plan, Indicator.objects.get(code="2.3"), baseline=(10, 2020),
                         lead_agency=merged_city.old_env, targets=[{"year": 2030, "kind": "value", "value": 20}])
    cycle = create_jurisdiction_cycle(merged_city.city, 2026)
    officer = UserFactory(username="tam")
    Membership.objects.create(user=officer, agency=merged_city.env, role="head")
    return merged_city, pi, cycle, officer


def test_the_legacy_plans_figure_is_owed_in_the_city_wide_cycle(city_cycle):
    city, pi, cycle, officer = city_cycle
    assert moves.annual_cycle(city.legacy_plan, 2026) == cycle
    value = moves.value_create(plan_indicator=pi, cycle=cycle, year=2026, user=officer, value="12,5")
    assert value.agency == city.env and value.cycle == cycle


def test_the_successors_officer_finds_it_on_the_indicators_page(client, city_cycle):
    city, pi, cycle, officer = city_cycle
    client.force_login(officer)
    body = client.get(reverse("reporting:indicators")).content.decode()
    assert pi.indicator.name in body and "chưa được giao chỉ tiêu" not in body
