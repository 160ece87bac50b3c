"""The report forms' widgets drawn in Python: the same HTML as Django's widget templates, cheaper.

Django draws every widget, every radio and select option and every (even empty) error list through
a template of its own, with includes (attrs.html, input.html): on the report page that was some 24
template renders per request, about a tenth of the page's time, and the report page and the officer's
home are most of the requests on deadline day. `FORM_RENDERER` draws the templates below with a few
string joins that follow the template text line by line (same attributes, same escaping, same
whitespace: tests/reporting/reports/test_rendering.py compares the two for every widget the report
forms use); any other template (a widget added later, a form template) goes through Django's
templates as before. The report forms opt in with `default_renderer`; other forms are untouched.
"""
from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_INPUT = "django/forms/widgets/input.html"


def _shown(value) -> str:
    """`{{ value }}` in a template: localized, then escaped unless marked safe."""
    return conditional_escape(value if isinstance(value, str) else localize(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" % value (stringformat keeps a safe value safe), escaped."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    # attrs.html
    return "".join(
        f" {_shown(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items() if value is not False)


def _input(widget: dict) -> str:
    # input.html (and text, number, hidden, date… which only include it); the file ends with a newline.
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _input_option(widget: dict) -> str:
    # input_option.html (radio_option.html includes it, and adds its own final newline)
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{_shown(label_for)}">' if label_for else "<label>"
    return f"{opening}{_input(widget)} {_shown(widget['label'])}</label>\n"


def _radio_option(widget: dict) -> str:
    return _input_option(widget) + "\n"


def _in_groups(optgroups, open_group: str, item: str, close_group: str) -> str:
    """The options of a select or of radio buttons, each drawn by its own template's function,
    within their groups: `open_group` takes the group's name, `item` the option's HTML."""
    out = []
    for group, options, _index in optgroups:
        if group:
            out.append(open_group.format(_shown(group)))
        for option in options:
            out.append(item.format(_OPTIONS[option["template_name"]](option)))
        if group:
            out.append(close_group)
    return "".join(out)


def _multiple_input(widget: dict) -> str:
    # multiple_input.html (radio.html includes it)
    id_ = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    opening = "".join(["<div", f' id="{_shown(id_)}"' if id_ else "", f' class="{_shown(css)}"' if css else "", ">"])
    return (opening + _in_groups(widget["optgroups"], "\n  <div><label>{}</label>", "<div>\n    {}</div>", "\n  </div>")
            + "\n</div>\n")


def _select_option(widget: dict) -> str:
    return f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>{_shown(widget["label"])}</option>\n'


def _select(widget: dict) -> str:
    return (f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>'
            + _in_groups(widget["optgroups"], '\n  <optgroup label="{}">', "\n  {}", "\n  </optgroup>")
            + "\n</select>\n")


def _textarea(widget: dict) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


def _error_list(errors, error_class) -> str:
    # errors/list/ul.html (default.html includes it)
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_ = f' id="{_shown(field_id)}_error"' if field_id else ""
    return f'<ul class="{_shown(error_class)}"{id_}>' + "".join(f"<li>{_shown(e)}</li>" for e in errors) + "</ul>"


_OPTIONS = {
    "django/forms/widgets/radio_option.html": _radio_option,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/select_option.html": _select_option,
}
_WIDGETS = {
    **{f"django/forms/widgets/{name}.html": _input
       for name in ("input", "text", "number", "hidden", "date", "email", "url", "password", "search", "tel")},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/radio.html": _multiple_input,
    "django/forms/widgets/multiple_input.html": _multiple_input,
    "django/forms/widgets/select.html": _select,
    **_OPTIONS,
}
_ERROR_LISTS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


class PlainWidgets(DjangoTemplates):
    """Django's template renderer, with the widgets and error lists above drawn in Python."""

    def render(self, template_name, context, request=None):
        draw = _WIDGETS.get(template_name)
        if draw is not None and set(context) == {"widget"}:
            return draw(context["widget"]).strip()  # BaseRenderer.render strips what the template gives
        if template_name in _ERROR_LISTS and set(context) == {"errors", "error_class"}:
            return _error_list(context["errors"], context["error_class"]).strip()
        return super().render(template_name, context, request)


FORM_RENDERER = PlainWidgets()
