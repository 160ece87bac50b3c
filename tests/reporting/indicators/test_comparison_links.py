"""The national overview leads to the comparison of provinces on each national indicator adopted."""
from django.urls import reverse


def test_the_overview_links_each_adopted_national_indicator_to_its_comparison(client, indicators):
    w = indicators.world
    client.force_login(w.leader)
    page = client.get(reverse("dashboard:overview")).content.decode()
    section = page[page.index('id="indicator-comparisons"'):]
    for adopted in (indicators.renewables, indicators.intensity):
        assert reverse("dashboard:indicator_compare", args=[adopted.indicator.pk]) in section
    assert client.get(reverse("dashboard:indicator_compare", args=[indicators.intensity.indicator.pk])).status_code == 200


def test_who_oversees_nothing_sees_no_comparison_links(client, indicators):
    client.force_login(indicators.world.officer_a)
    assert 'id="indicator-comparisons"' not in client.get(reverse("dashboard:overview")).content.decode()


def test_the_comparison_links_the_other_adopted_national_indicators_and_only_national_ones(client, indicators):
    from reporting.models import Indicator

    client.force_login(indicators.world.reviewer)
    intensity, renewables = indicators.intensity.indicator, indicators.renewables.indicator
    page = client.get(reverse("dashboard:indicator_compare", args=[intensity.pk])).content.decode()
    assert "<h1>1.1 " in page
    links = page[page.index("Chỉ tiêu khác:"):]
    assert reverse("dashboard:indicator_compare", args=[renewables.pk]) in links
    assert reverse("dashboard:indicator_compare", args=[intensity.pk]) not in links  # not itself
    never_adopted = Indicator.objects.filter(plan__isnull=True).exclude(
        pk__in=[intensity.pk, renewables.pk, indicators.stations.indicator.pk]).first()
    assert reverse("dashboard:indicator_compare", args=[never_adopted.pk]) not in links
    # A national indicator no plan adopted still has its (empty) comparison; a plan's own has none.
    assert client.get(reverse("dashboard:indicator_compare", args=[never_adopted.pk])).status_code == 200
    own = Indicator.objects.create(plan=indicators.world.plan, code="R1", name="Chỉ tiêu riêng", unit="%")
    assert client.get(reverse("dashboard:indicator_compare", args=[own.pk])).status_code == 404
    assert client.get(reverse("dashboard:indicator_compare", args=[987654])).status_code == 404
