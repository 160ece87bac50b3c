"""The demo's plan 396 carries indicators that show every feature: at least 8, from the national list
and the plan's own, with baselines, 2025 and 2030 targets, figures 2023–2026 in every state, one
revised, one off track, one split by territory."""
import pytest
from django.core.management import call_command

from reporting.indicators.selectors import plan_indicators
from reporting.models import IndicatorValue, PlanIndicator
from tasks.models import Plan


@pytest.fixture
def demo_plan(db):
    call_command("setup_demo", stdout=open("/dev/null", "w"))
    return Plan.objects.order_by("pk").first()


def test_plan_396_carries_the_indicators_the_readme_promises(demo_plan):
    pis = list(PlanIndicator.objects.filter(plan=demo_plan).select_related("indicator").prefetch_related("targets"))
    assert len(pis) >= 8
    assert any(pi.indicator.plan_id is None for pi in pis) and any(pi.indicator.plan_id == demo_plan.pk for pi in pis)
    for pi in pis:
        assert pi.baseline_value is not None and pi.baseline_year
        assert {2025, 2030} <= {t.year for t in pi.targets.all()}
    values = IndicatorValue.objects.filter(plan_indicator__plan=demo_plan)
    assert set(values.values_list("year", flat=True)) == {2023, 2024, 2025, 2026}
    assert set(values.values_list("state", flat=True)) == {"draft", "submitted", "returned", "accepted"}
    revised = values.get(revision__gt=0)
    assert revised.state == "accepted" and revised.events.filter(kind="revise").exists()
    assert values.exclude(territory="").values("plan_indicator").distinct().count() == 1
    statuses = {v.pi.code: v.status.code for v in plan_indicators(demo_plan)}
    assert "off_track" in statuses.values() and "on_track" in statuses.values()


def test_running_the_set_up_again_adds_no_indicator(demo_plan):
    before = (PlanIndicator.objects.count(), IndicatorValue.objects.count())
    call_command("setup_demo", stdout=open("/dev/null", "w"))
    assert (PlanIndicator.objects.count(), IndicatorValue.objects.count()) == before


def test_the_synthetic_data_set_carries_indicators_at_the_size_asked(db, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.devdata.synthetic import Size, build
    from reporting.indicators.selectors import comparison

    size = Size(jurisdictions=2, agencies_per_jurisdiction=12, themes=2, groups_per_theme=2, activities_per_group=2,
                agencies_with_users=4, years=(2025, 2026), indicators_per_plan=5, territories=3)
    counts = build(size)
    assert counts["indicator_values"] == 2 * 5 * 2 * 3 == IndicatorValue.objects.count()
    assert PlanIndicator.objects.values("indicator").distinct().count() == 5  # one catalogue, adopted by both plans
    first = PlanIndicator.objects.order_by("pk").first()
    with CaptureQueriesContext(connection) as queries:
        rows = comparison(first.indicator, admin_user)
    assert len(rows) == 2 and len(queries) <= 4
