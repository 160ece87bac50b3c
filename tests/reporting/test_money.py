"""Amounts in đồng typed and shown Vietnamese-style."""
import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from reporting.reports.forms import parse_money

from .page_fixtures import *  # noqa: F401,F403


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
