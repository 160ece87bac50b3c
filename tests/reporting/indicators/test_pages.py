"""The indicator pages: the agency enters and submits, the reviewer accepts or returns, the
dashboard shows the status by theme, the drill-down the values and evidence, the national view
compares provinces, the public page accepted figures only."""
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.indicators import values as V
from reporting.models import IndicatorValue

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def without_chart_data(html: str) -> str:
    """The page less its charts' marks (numbers for static/js/charts.js, where "1,5" can be two
    coordinates): what a figure's absence is checked in."""
    return re.sub(r"data-shapes='[^']*'", "", html)


def login(client, user):
    client.force_login(user)
    return client


def add(client, ind, pi, **data):
    payload = {"cycle": ind.cycle.pk, "year": 2025, "value": "16,2", "source": "official", "note": "", **data}
    return client.post(reverse("reporting:indicator_value_add", args=[pi.pk]), payload)


def test_the_officer_sees_the_indicators_their_agency_answers_for_from_the_reports_home(client, indicators):
    login(client, indicators.world.officer_b)
    assert reverse("reporting:indicators") in client.get(reverse("reporting:home")).content.decode()
    page = client.get(reverse("reporting:indicators")).content.decode()
    assert "Tỷ trọng năng lượng tái tạo" in page
    assert "Số trạm sạc xe điện" not in page  # agency A's


def test_enter_submit_accept_and_the_dashboard_status_changes(client, indicators):
    w = indicators.world
    w.officer_b.memberships.update(can_submit=True)
    login(client, w.officer_b)
    add(client, indicators, indicators.renewables, value="15,2", evidence=SimpleUploadedFile("nien-giam.pdf", PDF))
    value = IndicatorValue.objects.get()
    assert (value.state, value.value, value.evidence_name) == ("draft", D("15.2"), "nien-giam.pdf")
    client.post(reverse("reporting:indicator_value_submit", args=[value.pk]))
    value.refresh_from_db()
    assert value.state == "submitted"

    login(client, w.reviewer)
    dashboard = reverse("dashboard:cycle", args=[indicators.cycle.pk])
    before = client.get(dashboard).content.decode()
    assert f'id="indicator-{indicators.renewables.pk}" data-status="no_data"' in before
    assert f'id="review-{value.pk}"' in client.get(reverse("reporting:indicators")).content.decode()
    client.post(reverse("reporting:indicator_value_accept", args=[value.pk]))
    value.refresh_from_db()
    assert value.state == "accepted"
    after = client.get(dashboard).content.decode()
    assert f'id="indicator-{indicators.renewables.pk}" data-status="on_track"' in after
    assert "đường thẳng" in after  # the method is shown next to the figure


def test_a_big_jump_comes_back_as_a_warning_and_is_saved_once_confirmed_with_a_note(client, indicators, settings):
    settings.INDICATOR_JUMP_PERCENT = 30
    login(client, indicators.world.officer_b)
    add(client, indicators, indicators.renewables, year=2024, value="10")
    response = add(client, indicators, indicators.renewables, value="20", follow=False)
    assert not IndicatorValue.objects.filter(year=2025).exists()
    page = client.get(reverse("reporting:indicators")).content.decode()
    assert "Xác nhận giá trị" in page and "vượt ngưỡng" in page
    add(client, indicators, indicators.renewables, value="20", confirmed="1", note="Điện mặt trời mái nhà")
    assert IndicatorValue.objects.get(year=2025).value == D(20)
    assert response.status_code == 302


def test_a_bad_figure_is_refused_with_the_field_named(client, indicators):
    login(client, indicators.world.officer_b)
    add(client, indicators, indicators.renewables, value="140")
    page = client.get(reverse("reporting:indicators")).content.decode()
    assert "Giá trị: tỷ lệ phải từ 0 đến 100" in page
    assert not IndicatorValue.objects.exists()


def test_another_agency_gets_404_and_a_reviewer_writing_a_figure_403(client, indicators):
    w = indicators.world
    value = V.value_create(plan_indicator=indicators.renewables, cycle=indicators.cycle, year=2025, user=w.officer_b,
                           value="15")
    login(client, w.officer_a)
    assert client.post(reverse("reporting:indicator_value_save", args=[value.pk]), {"value": "1"}).status_code == 404
    assert client.post(reverse("reporting:indicator_value_add", args=[indicators.renewables.pk]),
                       {"cycle": indicators.cycle.pk, "year": 2025, "value": "1"}).status_code == 404
    login(client, w.reviewer)
    assert add(client, indicators, indicators.renewables, year=2024).status_code == 403
    login(client, w.foreign_reviewer)
    assert client.get(reverse("dashboard:indicator", args=[indicators.renewables.pk])).status_code == 404


def _accepted(ind, pi, year, value, user, territory=""):
    w = ind.world
    v = V.value_create(plan_indicator=pi, cycle=ind.cycle, year=year, user=user, value=value, territory=territory)
    return V.value_accept(V.value_submit(v, user=w.head_a if user in (w.head_a, w.officer_a) else user), user=w.reviewer)


def test_the_drill_down_shows_values_evidence_and_revisions(client, indicators):
    w = indicators.world
    v = _accepted(indicators, indicators.intensity, 2024, "1", w.head_a)
    V.value_revise(v, user=w.head_a, cycle=indicators.cycle, value_raw="0,98", note="Niên giám 2025")
    login(client, w.reviewer)
    page = client.get(reverse("dashboard:indicator", args=[indicators.intensity.pk])).content.decode()
    assert "0,98" in page and "đã điều chỉnh" in page and "1 → 0,98" in page and "Niên giám 2025" in page


def test_the_public_page_shows_accepted_figures_only(client, indicators):
    w = indicators.world
    w.plan.public_enabled = True
    w.plan.save()
    _accepted(indicators, indicators.intensity, 2024, "0,97", w.head_a)
    V.value_create(plan_indicator=indicators.intensity, cycle=indicators.cycle, year=2025, user=w.head_a, value="0,91")
    page = client.get(reverse("public_plan", args=[w.plan.code])).content.decode()
    assert "0,97" in page and "0,91" not in without_chart_data(page)
    assert reverse("dashboard:indicator", args=[indicators.intensity.pk]) not in page


def test_territories_add_up_and_are_shown_by_year(client, indicators):
    w = indicators.world
    _accepted(indicators, indicators.stations, 2025, "3", w.head_a, territory="Thủ Dầu Một")
    _accepted(indicators, indicators.stations, 2025, "4", w.head_a, territory="Bình Dương cũ")
    login(client, w.reviewer)
    page = client.get(reverse("dashboard:cycle", args=[indicators.cycle.pk])).content.decode()
    section = page[page.index(f'id="indicator-{indicators.stations.pk}"'):]
    assert "<td class=\"num\">7</td>" in section[:6000]


def test_the_national_view_compares_provinces_on_one_indicator(client, indicators, admin_user):
    from reporting.indicators.adoption import adopt_indicator
    from tests.factories import JurisdictionFactory, PlanFactory

    w = indicators.world
    _accepted(indicators, indicators.intensity, 2024, "0,97", w.head_a)
    other = PlanFactory(jurisdiction=JurisdictionFactory(name="Đồng Nai"), code="dn-1")
    adopt_indicator(other, indicators.intensity.indicator, baseline=(2, 2023))
    login(client, admin_user)
    page = client.get(reverse("dashboard:indicator_compare", args=[indicators.intensity.indicator.pk])).content.decode()
    assert "Bình Dương" in page and "Đồng Nai" in page and "0,97" in page
    login(client, w.reviewer)
    page = client.get(reverse("dashboard:indicator_compare", args=[indicators.intensity.indicator.pk])).content.decode()
    assert "Bình Dương" in page and "Đồng Nai" not in page
    login(client, w.officer_a)
    assert client.get(reverse("dashboard:indicator_compare", args=[indicators.intensity.indicator.pk])).status_code == 404


def test_the_indicator_section_takes_a_fixed_number_of_queries(indicators):
    from reporting.dashboards.views import indicator_section

    with CaptureQueriesContext(connection) as few:
        indicator_section(indicators.world.plan)
    w = indicators.world
    for year in (2023, 2024, 2025):
        _accepted(indicators, indicators.intensity, year, "1", w.head_a)
        _accepted(indicators, indicators.stations, year, "2", w.head_a, territory="Thủ Dầu Một")
    with CaptureQueriesContext(connection) as more:
        indicator_section(indicators.world.plan)
    assert len(few) == len(more) == 4


def test_the_comparison_takes_a_fixed_number_of_queries(indicators, admin_user):
    from reporting.indicators.adoption import adopt_indicator
    from reporting.indicators.selectors import comparison
    from tests.factories import PlanFactory

    with CaptureQueriesContext(connection) as few:
        comparison(indicators.intensity.indicator, admin_user)
    for n in range(3):
        adopt_indicator(PlanFactory(), indicators.intensity.indicator, baseline=(2, 2023))
    with CaptureQueriesContext(connection) as more:
        comparison(indicators.intensity.indicator, admin_user)
    assert len(few) == len(more) <= 4


def test_the_drawn_section_is_kept_until_an_indicator_row_changes(postgres_required, client, indicators):
    """On PostgreSQL the section is drawn once per state of its rows: a new accepted figure shows at once."""
    from django.core.cache import cache

    from reporting.dashboards.drawn_pages import indicator_fingerprint

    cache.clear()
    w = indicators.world
    login(client, w.reviewer)
    dashboard = reverse("dashboard:cycle", args=[indicators.cycle.pk])
    before = indicator_fingerprint(w.plan)
    assert 'data-status="no_data"' in client.get(dashboard).content.decode()
    assert indicator_fingerprint(w.plan) == before
    with CaptureQueriesContext(connection) as warm:
        client.get(dashboard)
    _accepted(indicators, indicators.intensity, indicators.cycle.year, "0,93", w.head_a)
    assert indicator_fingerprint(w.plan) != before
    page = client.get(dashboard).content.decode()
    assert f'id="indicator-{indicators.intensity.pk}" data-status="on_track"' in page
    assert not any("reporting_indicatorvalue\".\"year" in q["sql"] for q in warm.captured_queries)


def test_a_changed_figure_redraws_its_indicator_only_and_shows_at_once(postgres_required, indicators):
    """Each indicator's part is kept per state of its own rows: after one figure changes, the other
    indicators are taken as drawn (no targets or values read for them) and the changed one shows."""
    from django.core.cache import cache

    from reporting.dashboards.drawn_pages import indicator_rows
    from reporting.dashboards.views import indicator_section

    def section_html():
        section = indicator_section(indicators.world.plan, rows=indicator_rows(indicators.world.plan))
        return "".join(str(part.html) for _, parts in section["themes"] for part in parts)

    cache.clear()
    w = indicators.world
    _accepted(indicators, indicators.stations, 2024, "3", w.head_a, territory="Thủ Dầu Một")
    assert f'id="indicator-{indicators.intensity.pk}" data-status="no_data"' in section_html()
    value = _accepted(indicators, indicators.intensity, indicators.cycle.year, "0,93", w.head_a)
    with CaptureQueriesContext(connection) as redraw:
        html = section_html()
    assert f'id="indicator-{indicators.intensity.pk}" data-status="on_track"' in html
    assert f'id="indicator-{indicators.renewables.pk}"' in html and f'id="indicator-{indicators.stations.pk}"' in html
    values_read = [q["sql"] for q in redraw.captured_queries if 'FROM "reporting_indicatorvalue"' in q["sql"]]
    assert len(values_read) == 1 and f"IN ({indicators.intensity.pk})" in values_read[0]

    IndicatorValue.objects.filter(pk=value.pk).update(value=D("1.2"))  # however it changes: a bulk UPDATE too
    html = section_html()
    assert f'id="indicator-{indicators.intensity.pk}" data-status="off_track"' in html
    assert "1,5" not in without_chart_data(html)
    indicators.intensity.targets.update(value=-50)  # a target's change shows as well
    assert "1,5" in without_chart_data(section_html())


def test_the_section_takes_the_same_queries_however_many_indicators_are_drawn_again(postgres_required, indicators):
    from django.core.cache import cache

    from reporting.dashboards.drawn_pages import indicator_rows
    from reporting.dashboards.views import indicator_section

    plan, w = indicators.world.plan, indicators.world
    cache.clear()
    with CaptureQueriesContext(connection) as all_drawn:
        indicator_section(plan, rows=indicator_rows(plan))
    _accepted(indicators, indicators.intensity, 2024, "1", w.head_a)
    with CaptureQueriesContext(connection) as one_drawn:
        indicator_section(plan, rows=indicator_rows(plan))
    _accepted(indicators, indicators.intensity, 2025, "1", w.head_a)
    _accepted(indicators, indicators.stations, 2024, "3", w.head_a, territory="Thủ Dầu Một")
    with CaptureQueriesContext(connection) as two_drawn:
        indicator_section(plan, rows=indicator_rows(plan))
    with CaptureQueriesContext(connection) as none_drawn:
        indicator_section(plan, rows=indicator_rows(plan))
    assert len(all_drawn) == 5  # the fingerprint, the outline, the indicators, their targets, their values
    assert len(one_drawn) == len(two_drawn) == 4  # the arrangement is kept: the changed indicators, targets, values
    assert len(none_drawn) == 1  # nothing changed: the fingerprint only


def test_a_moved_or_newly_adopted_indicator_shows_in_its_place_at_once(postgres_required, indicators):
    """The arrangement by theme is kept with the section's parts: moving an indicator under a theme,
    renaming the theme or adopting another indicator shows at the next drawing."""
    from django.core.cache import cache

    from reporting.dashboards.drawn_pages import indicator_rows
    from reporting.dashboards.views import indicator_section
    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator, PlanIndicator
    from tasks.models import PlanItem

    plan = indicators.world.plan
    theme = PlanItem.objects.filter(plan=plan, level="theme").order_by("sort_key").first()

    def arranged():
        section = indicator_section(plan, rows=indicator_rows(plan))
        return {(t.title if t else None): [p.pk for p in parts] for t, parts in section["themes"]}

    cache.clear()
    assert indicators.intensity.pk in arranged()[None]
    PlanIndicator.objects.filter(pk=indicators.intensity.pk).update(item=theme)
    assert arranged()[theme.title] == [indicators.intensity.pk]
    PlanItem.objects.filter(pk=theme.pk).update(title="Chủ đề đổi tên")
    assert arranged()["Chủ đề đổi tên"] == [indicators.intensity.pk]
    other = Indicator.objects.filter(plan__isnull=True).exclude(
        pk__in=[indicators.intensity.indicator_id, indicators.renewables.indicator_id,
                indicators.stations.indicator_id]).order_by("pk").first()
    adopted = adopt_indicator(plan, other, baseline=(1, 2023), sort_order=9)
    assert arranged()[None][-1] == adopted.pk


def test_the_drawn_comparison_shows_a_changed_figure_at_once(postgres_required, client, indicators, admin_user):
    """On PostgreSQL the comparison's table is kept per state of its rows (the plans overseen among
    them: test_the_national_view_compares_provinces_on_one_indicator): an accepted figure, or a bulk
    UPDATE of it, shows at the next view."""
    from django.core.cache import cache

    cache.clear()
    w = indicators.world
    url = reverse("dashboard:indicator_compare", args=[indicators.intensity.indicator.pk])
    login(client, admin_user)
    assert "0,97" not in client.get(url).content.decode()
    value = _accepted(indicators, indicators.intensity, indicators.cycle.year, "0,97", w.head_a)
    assert "0,97" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    assert not any('FROM "reporting_indicatorvalue"' in q["sql"] for q in kept.captured_queries)
    IndicatorValue.objects.filter(pk=value.pk).update(value=D("0.91"))
    page = client.get(url).content.decode()
    assert "0,91" in page and "0,97" not in page
