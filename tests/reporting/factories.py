"""Factories for reporting rows (cycles and reports); people and plans come from tests/factories.py."""
import datetime as dt

import factory
from django.utils import timezone

from reporting.models import Report, ReportingCycle, end_of_day
from tests.factories import PlanFactory


def _today():
    return timezone.localdate()


class ReportingCycleFactory(factory.django.DjangoModelFactory):
    """An annual cycle open today, due in 20 days, whatever day the suite runs."""

    class Meta:
        model = ReportingCycle

    plan = factory.SubFactory(PlanFactory)
    kind = ReportingCycle.Kind.ANNUAL
    year = factory.LazyFunction(lambda: _today().year)
    opens_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=200))
    closes_on = factory.LazyFunction(lambda: _today() + dt.timedelta(days=60))
    due_at = factory.LazyFunction(lambda: end_of_day(_today() + dt.timedelta(days=20)))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    cycle = factory.SubFactory(ReportingCycleFactory)
    item = factory.LazyAttribute(lambda o: o.cycle.plan.items.filter(level="activity").first())
    agency = factory.LazyAttribute(lambda o: o.item.lead_agency)
    state = Report.State.MISSING
