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


def bulk_reports(cycle, agency, n, *, theme="1", submitted_at=None, states=None):
    """`n` activities under one new theme of the cycle's plan, each with a report by `agency`,
    written with bulk_create (a thousand in well under a second). `states` cycles through the
    given states; submitted and accepted ones get `submitted_at`."""
    from tasks.models import PlanItem

    plan = cycle.plan
    root = PlanItem.objects.create(plan=plan, level="theme", code=theme, title=f"Chủ đề {theme}")
    group = PlanItem.objects.create(plan=plan, level="group", code=f"{theme}.1", parent=root, title=f"Nhóm {theme}.1")
    items = []
    for i in range(1, n + 1):
        item = PlanItem(plan=plan, level="activity", code=f"{theme}.1.{i}", parent=group, title=f"Hoạt động {theme}.1.{i}",
                        lead_agency=agency, start_year=2023, end_year=2030)
        item.prepare()
        items.append(item)
    items = PlanItem.objects.bulk_create(items, batch_size=500)
    states = states or [Report.State.SUBMITTED]
    submitted_at = submitted_at or timezone.now()
    reports = []
    for i, item in enumerate(items):
        state = states[i % len(states)]
        done = state in (Report.State.SUBMITTED, Report.State.ACCEPTED)
        reports.append(Report(cycle=cycle, item=item, agency=agency, state=state, percent_complete=50, status="on_schedule",
                              submitted_at=submitted_at if done else None,
                              review_comment="Bổ sung minh chứng" if state == Report.State.RETURNED else ""))
    return Report.objects.bulk_create(reports, batch_size=500)
