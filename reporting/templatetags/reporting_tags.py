"""Template filters and tags of the report pages; number formats come from reporting.reports.money."""
from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reporting.models import Report
from reporting.reports import money

register = template.Library()


register.filter("vn_number", money.vn_number)
register.filter("vnd", money.vnd)


@register.filter
def status_help(code):
    return Report.STATUS_HELP.get(code, "")


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def get_field(form, name):
    return form[name]


@register.filter
def person(user):
    """A user's full name, else the login name; "—" for nobody (a deleted account)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.simple_tag
def report_state(report):
    """A report's state badge and, if it came in after its deadline, the late mark with the time.
    A tag, not an included template: lists show it on every row, and an include per row cost
    more than the rest of the row (BENCHMARKS.md)."""
    badge = format_html('<span class="state state-{}">{}</span>', report.state, report.get_state_display())
    if report.late:
        at = timezone.localtime(report.submitted_at).strftime("%H:%M %d/%m/%Y") if report.submitted_at else ""
        # The project's own icon, not an emoji: servers and phones without an emoji font draw a box.
        badge += format_html(' <span class="badge late"><img class="icon" src="{}" alt=""> {} {}</span>',
                             static("img/clock.svg"), _("Nộp muộn"), at)
    return badge


@register.filter
def vn_decimal(value):
    """An indicator's figure the Vietnamese way (1.234,5); empty for none."""
    from reporting.indicators.numbers import format_number

    return format_number(value)
