"""The report forms' widgets drawn in Python (reporting.reports.rendering) give exactly the HTML of
Django's widget templates: every widget, option and error list the officer's pages show, empty,
filled, bound with errors, with text that needs escaping."""
from types import SimpleNamespace

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from agencies.models import Agency
from reporting.models import Report
from reporting.reports.forms import ContributionRequestForm, ExtensionRequestForm, ReportForm
from reporting.reports.rendering import FORM_RENDERER, PlainWidgets

TEMPLATES = DjangoTemplates()
TRICKY = 'Đã làm <b>“xong”</b> & "còn" lại\n  dòng hai  '


def _drawn(form) -> list[str]:
    """Everything of a form a page may show: each field, its errors, each radio's tag, the form's
    own errors."""
    out = [str(form.non_field_errors())]
    for field in form:
        out += [str(field), str(field.errors), field.label_tag()]
        if field.name == "status":
            out += [radio.tag() for radio in field] + [str(radio) for radio in field]
    return out


def _both(make):
    plain, templated = make(), make()
    templated.renderer = TEMPLATES
    return _drawn(plain), _drawn(templated)


def test_the_officers_forms_use_the_plain_renderer():
    report = Report(version=3)
    assert isinstance(ReportForm(report=report).renderer, PlainWidgets)
    assert ExtensionRequestForm(targets=[]).renderer is FORM_RENDERER
    assert ContributionRequestForm(agencies=Agency.objects.none()).renderer is FORM_RENDERER


@pytest.mark.parametrize("values", [
    {},
    {"status": "behind", "percent_complete": 40, "results": TRICKY, "outputs": "<script>x</script>",
     "funds_central": 1234567, "funds_local": 0, "difficulties": mark_safe("<i>safe</i>")},
])
def test_report_form_unbound_is_drawn_as_by_the_templates(values):
    report = Report(version=7, **values)
    plain, templated = _both(lambda: ReportForm(report=report))
    assert plain == templated


@pytest.mark.parametrize("data", [
    {"base_version": "x", "status": "nonsense", "percent_complete": "101", "funds_oda": '12,5 <"&">', "results": TRICKY},
    {"base_version": "2", "status": "completed", "percent_complete": "100", "funds_other": "1.000.000 đ"},
    {},
])
def test_report_form_bound_with_errors_is_drawn_as_by_the_templates(data):
    def make():
        form = ReportForm(data, report=Report(version=2))
        form.is_valid()
        form.add_error(None, "Lỗi chung <của> biểu mẫu")
        return form

    plain, templated = _both(make)
    assert plain == templated
    assert any('class="errorlist' in html for html in plain)


def test_input_request_form_with_groups_is_drawn_as_by_the_templates():
    named = Agency(pk=1, name='Sở "Tài chính" & <Kế hoạch>')
    grouped = [Agency(pk=2, name="UBND huyện A"), Agency(pk=3, name="UBND huyện B")]
    group = SimpleNamespace(name="Các huyện <thị xã>")
    for askable in ([(named, None)], [(named, None)] + [(a, group) for a in grouped]):
        plain, templated = _both(lambda: ContributionRequestForm.to_display(askable))
        assert plain == templated


def test_extension_request_form_is_drawn_as_by_the_templates():
    targets = [(SimpleNamespace(pk=4), SimpleNamespace(pk=9, name="Sở <Y tế>")),
               (SimpleNamespace(pk=5), SimpleNamespace(pk=9, name="Sở & Xây dựng"))]
    plain, templated = _both(lambda: ExtensionRequestForm(targets=targets))
    assert plain == templated

    def bound():
        form = ExtensionRequestForm({"target": "5:9", "proposed_due_on": "31/02/2026", "reason": TRICKY},
                                    targets=targets)
        form.is_valid()
        return form

    plain, templated = _both(bound)
    assert plain == templated and " selected>" in plain[1]


def test_other_templates_still_go_through_django():
    form = ReportForm(report=Report(version=1))
    # A form drawn whole (its div template) is not one of the plain widgets: the template draws it,
    # with the plain widgets inside.
    templated = ReportForm(report=Report(version=1))
    templated.renderer = TEMPLATES
    assert str(form) == str(templated)
