"""Amounts in đồng typed and shown Vietnamese-style."""
import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from reporting.reports.forms import parse_money
from reporting.models import MONEY_MAX, Report
from reporting.reports.money import group_thousands
from tests.factories import UserFactory



@pytest.mark.parametrize("typed", ["1.234.567", "1234567", "1 234 567", "1\u00a0234\u00a0567", " 1.234.567 đ", "1.234.567 đồng"])
def test_vietnamese_amounts_parse_to_integer_dong(typed):
    assert parse_money(typed) == 1234567


@pytest.mark.parametrize("typed", ["-5", "-1.000", "abc", "12a", "1,5", "1.5", "1.23.456", "12.3456"])
def test_negative_letters_and_malformed_groups_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_money(typed)


def test_empty_is_no_amount():
    assert parse_money("") is None and parse_money("  ") is None


def test_filters_format_like_vietnamese_documents():
    out = Template("{% load reporting_tags %}{{ a|vnd }}|{{ b|vn_number }}|{{ c|vnd }}|{{ d|vn_number }}").render(
        Context({"a": 1234567, "b": 1234567, "c": None, "d": 999}))
    assert out == "1.234.567 đ|1.234.567|—|999"


@pytest.mark.django_db
def test_the_form_stores_integers_and_shows_them_grouped(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {
        "base_version": 0, "funds_central": "1.234.567", "funds_local": "1234567", "funds_oda": "1 234 567",
        "funds_other": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.funds_central, report.funds_local, report.funds_oda, report.funds_other) == (1234567, 1234567, 1234567, None)
    body = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert 'name="funds_central" value="1.234.567"' in body


@pytest.mark.django_db
def test_a_negative_or_lettered_amount_gets_a_field_error_and_nothing_is_saved(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {
        "base_version": 0, "results": "Giữ lại nội dung này", "funds_central": "-500", "funds_oda": "năm triệu"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Số tiền không được âm." in form.errors["funds_central"]
    assert "không phải số tiền hợp lệ" in form.errors["funds_oda"][0]
    body = response.content.decode()
    assert "Số tiền không được âm." in body and "Giữ lại nội dung này" in body  # typed text kept
    report.refresh_from_db()
    assert report.version == 0 and report.funds_central is None


# --- one money rule: the maximum amount (reporting.models.MONEY_MAX) --------------------------

TOO_LARGE = ["1.000.000.000.000.000", "1000000000000000", "1 000 000 000 000 000 đ", str(10**20),
             "9.223.372.036.854.775.808"]


@pytest.mark.parametrize("typed", TOO_LARGE)
def test_it_refuses_an_amount_above_the_maximum_however_it_is_written(typed):
    with pytest.raises(ValidationError) as refused:
        parse_money(typed)
    assert "999.999.999.999.999" in refused.value.messages[0]


def test_the_maximum_amount_is_exactly_representable_in_excel():
    # Excel keeps numbers as doubles and shows 15 significant digits: the maximum survives both.
    assert MONEY_MAX <= 2**53 - 1 and float(MONEY_MAX) == MONEY_MAX and len(str(MONEY_MAX)) <= 15
    assert parse_money(group_thousands(MONEY_MAX)) == MONEY_MAX


@pytest.mark.django_db
def test_it_refuses_on_the_form_an_amount_above_the_maximum_with_a_field_error_not_a_500(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {
        "base_version": 0, "results": "Giữ lại nội dung này", "funds_central": str(10**20),
        "funds_local": "1.000.000.000.000.000"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "999.999.999.999.999" in form.errors["funds_central"][0]
    assert "999.999.999.999.999" in form.errors["funds_local"][0]
    body = response.content.decode()
    assert "999.999.999.999.999" in body and "Giữ lại nội dung này" in body
    report.refresh_from_db()
    assert report.version == 0 and report.funds_central is None and report.funds_local is None


@pytest.mark.django_db
def test_the_maximum_amount_is_saved_from_the_form(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {
        "base_version": 0, "funds_oda": group_thousands(MONEY_MAX) + " đ"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.funds_oda == MONEY_MAX


@pytest.mark.django_db
def test_it_refuses_in_the_admin_an_amount_above_the_maximum(report):
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    form_class = admin.site._registry[Report].get_form(request, report, change=True)
    initial = form_class(instance=report).initial
    data = {name: "" if initial.get(name) is None else initial[name] for name in form_class.base_fields}
    form = form_class({**data, "funds_other": "1.000.000.000.000.000"}, instance=report)
    assert not form.is_valid() and "funds_other" in form.errors
    assert "999.999.999.999.999" in form.errors["funds_other"][0]
    form = form_class({**data, "funds_other": group_thousands(MONEY_MAX)}, instance=report)  # typed as on the form
    assert form.is_valid(), form.errors
    assert form.cleaned_data["funds_other"] == MONEY_MAX


@pytest.mark.django_db
def test_the_database_refuses_an_amount_above_the_maximum(report):
    for name in ("funds_central", "funds_local", "funds_oda", "funds_other"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.filter(pk=report.pk).update(**{name: MONEY_MAX + 1})
        Report.objects.filter(pk=report.pk).update(**{name: MONEY_MAX})
