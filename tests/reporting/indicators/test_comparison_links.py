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
