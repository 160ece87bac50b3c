"""One length limit for every free text of the reporting models (reporting.models.TEXT_MAX_CHARS),
refused by every path with a message naming the field and the limit, never cut; and a report
page whose history stays small however long the texts are.

The incident: a 109,999-character text was accepted (texts of ~5 MB were), the offline workbook
cut it to Excel's cell limit and an unchanged re-upload saved the cut text.
"""
import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from reporting.reports import workflow
from reporting.reports.views import HISTORY_SHOWN
from reporting.models import (
    TEXT_MAX_CHARS, ContributionRequest, Extension, ProvinceReportSettings, Report, ReportEvent,
)
from tests.factories import UserFactory


pytestmark = pytest.mark.django_db

INCIDENT = 109_999  # the length of the text the workbook once cut to 32,766


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _submitted(report, alice, hana):
    workflow.report_save(report, user=alice, data={"status": "on_schedule", "percent_complete": 40}, base_version=0)
    return workflow.report_submit(report, user=hana)


# --- the report form -------------------------------------------------------------------------

def test_it_refuses_on_the_report_form_a_text_over_the_limit_naming_the_field_and_the_limit(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {
        "base_version": 0, "results": "Giữ lại nội dung này", "difficulties": "x" * INCIDENT})
    assert response.status_code == 200  # the form again, with the error; nothing saved
    errors = response.context["form"].errors["difficulties"]
    assert len(errors) == 1
    assert "Khó khăn, vướng mắc" in errors[0] and _grouped(INCIDENT) in errors[0], errors
    assert _grouped(TEXT_MAX_CHARS) in errors[0], errors
    body = response.content.decode()
    assert _grouped(TEXT_MAX_CHARS) in body and "Giữ lại nội dung này" in body  # the error shown, the typing kept
    # A textarea with maxlength would let the browser cut a pasted text without a word.
    textareas = re.findall(r"<textarea[^>]*>", body)
    assert len(textareas) >= 4 and not [t for t in textareas if "maxlength" in t], textareas
    report.refresh_from_db()
    assert report.version == 0 and report.difficulties == "" and report.results == ""


def test_a_text_of_exactly_the_limit_is_saved_whole_from_the_report_form(client, alice, report):
    text = ("Đã trồng cây xanh đô thị.\n" * (TEXT_MAX_CHARS // 20))[:TEXT_MAX_CHARS - 1] + "ạ"
    assert len(text) == TEXT_MAX_CHARS
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), {"base_version": 0, "results": text})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.results == text


# --- comments, contributions, extensions -----------------------------------------------------

def test_it_refuses_a_return_comment_over_the_limit_and_leaves_the_report_submitted(client, alice, hana, rita, report):
    _submitted(report, alice, hana)
    client.force_login(rita)
    response = client.post(reverse("reporting:return", args=[report.pk]), {"comment": "y" * INCIDENT}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and _grouped(TEXT_MAX_CHARS) in errors[0] and "Ý kiến" in errors[0], errors
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and report.review_comment == ""
    assert not report.events.filter(kind=ReportEvent.Kind.RETURN).exists()


def test_it_refuses_an_accept_comment_over_the_limit_instead_of_dropping_it(client, alice, hana, rita, report):
    _submitted(report, alice, hana)
    client.force_login(rita)
    response = client.post(reverse("reporting:accept", args=[report.pk]), {"comment": "y" * INCIDENT}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and _grouped(TEXT_MAX_CHARS) in errors[0], errors
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED  # not accepted with the comment silently dropped


def test_it_refuses_a_contribution_answer_over_the_limit(client, alice, sam, report, agency_s):
    request = ContributionRequest.objects.create(report=report, agency=agency_s, requested_by=alice,
                                                 due_on=report.cycle.due_at.date() - dt.timedelta(days=3))
    client.force_login(sam)
    response = client.post(reverse("reporting:contribution_answer", args=[request.pk]),
                           {f"c{request.pk}-answer": "z" * INCIDENT}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and "Nội dung đóng góp" in errors[0] and _grouped(TEXT_MAX_CHARS) in errors[0], errors
    request.refresh_from_db()
    assert request.answer == "" and request.answered_at is None


def test_it_refuses_an_extension_reason_over_the_limit_with_the_limit_not_a_wrong_reason(client, alice, report):
    client.force_login(alice)
    target = f"{report.cycle.pk}:{report.agency_id}"
    response = client.post(reverse("reporting:extension_request"), {"target": target, "reason": "w" * INCIDENT},
                           follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and _grouped(TEXT_MAX_CHARS) in errors[0] and "Lý do" in errors[0], errors
    assert not Extension.objects.exists()


# --- the admin -------------------------------------------------------------------------------

def _admin_form(model, obj, **changes):
    """The admin's change form of `obj`, posted back with `changes`."""
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    form_class = admin.site._registry[model].get_form(request, obj, change=True)
    initial = form_class(instance=obj).initial
    data = {name: "" if initial.get(name) is None else initial[name] for name in form_class.base_fields}
    return form_class({**data, **changes}, instance=obj)


def test_it_refuses_in_the_admin_a_text_over_the_limit_naming_the_field_and_the_limit(report):
    form = _admin_form(Report, report, proposals="p" * INCIDENT)
    assert not form.is_valid()
    error = form.errors["proposals"][0]
    assert "Đề xuất, kiến nghị" in error and _grouped(TEXT_MAX_CHARS) in error, error
    assert "maxlength" not in str(form["proposals"])  # no browser cut either
    report.refresh_from_db()
    assert report.proposals == ""


# --- the database ----------------------------------------------------------------------------

def _rows(report, alice, agency_s):
    contribution = ContributionRequest.objects.create(report=report, agency=agency_s, due_on=dt.date.today())
    extension = Extension.objects.create(cycle=report.cycle, agency=report.agency, reason="Cần thêm thời gian")
    event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.SAVE, actor=alice)
    settings_row, _created = ProvinceReportSettings.objects.get_or_create(plan=report.cycle.plan)
    return [
        (report, ["results", "outputs", "difficulties", "proposals", "review_comment"]),
        (event, ["comment"]),
        (contribution, ["message", "answer"]),
        (extension, ["reason", "decision_comment"]),
        (settings_row, ["recipients"]),
    ]


def test_the_database_refuses_a_text_over_the_limit_whatever_path_writes_it(report, alice, agency_s):
    for row, fields in _rows(report, alice, agency_s):
        for name in fields:
            with pytest.raises(IntegrityError), transaction.atomic():
                type(row).objects.filter(pk=row.pk).update(**{name: "q" * INCIDENT})
            with pytest.raises(IntegrityError), transaction.atomic():
                type(row).objects.filter(pk=row.pk).update(**{name: "q" * (TEXT_MAX_CHARS + 1)})
            type(row).objects.filter(pk=row.pk).update(**{name: "ạ" * TEXT_MAX_CHARS})  # the limit itself fits


def test_every_free_text_of_the_reporting_models_carries_the_one_limit():
    from django.apps import apps

    system_written = {("notice", "last_error"), ("notification", "body"), ("reminderrun", "error"),
                      ("officialreport", "verification")}
    for model in apps.get_app_config("reporting").get_models():
        if model.__name__.startswith("Historical"):
            continue  # the history keeps whatever was saved; its rows are never edited
        for field in model._meta.get_fields():
            if field.get_internal_type() == "TextField" and (model._meta.model_name, field.name) not in system_written:
                assert field.max_length == TEXT_MAX_CHARS, (model.__name__, field.name)
                names = {c.name for c in model._meta.constraints}
                assert f"{model._meta.model_name}_{field.name}_max_chars" in names, (model.__name__, field.name)


# --- the report page's history ---------------------------------------------------------------

def test_the_history_of_long_texts_is_condensed_around_the_change_and_says_so(client, alice, report):
    base = "Nội dung dài của báo cáo, lặp lại nhiều lần. " * 340  # ~15,000 characters per field
    for n in range(5):
        data = {f: base[:7000] + f" [lần lưu {n} của {f}] " + base[7000:]
                for f in ("results", "outputs", "difficulties", "proposals")}
        workflow.report_save(report, user=alice, data=data, base_version=n)
    client.force_login(alice)
    body = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    history = body[body.index('id="history"'):]
    assert len(history) < 40_000, len(history)  # five saves of four 15,000-character texts, shown whole: ~600 KB
    assert "[lần lưu 3 của results]" in history and "[lần lưu 4 của results]" in history  # the change itself is shown
    assert "rút gọn" in history  # and it says it was condensed
    assert len(body) < 4 * len(base) + 60_000, len(body)  # the page: the form's four texts and little more


def test_the_report_page_shows_only_the_latest_saves_and_says_that_older_ones_are_not_shown(client, alice, report):
    for n in range(HISTORY_SHOWN + 2):
        workflow.report_save(report, user=alice, data={"percent_complete": n}, base_version=n)
    client.force_login(alice)
    response = client.get(reverse("reporting:report", args=[report.pk]))
    changes = response.context["changes"]
    assert len(changes) == HISTORY_SHOWN
    assert {c["field"]: c["new"] for c in changes[0]["changes"]} == {"percent_complete": f"{HISTORY_SHOWN + 1}%"}
    assert response.context["older_changes_hidden"]
    assert "lần lưu gần nhất" in response.content.decode()
