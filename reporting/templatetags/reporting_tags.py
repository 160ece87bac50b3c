"""Template filters and tags of the report pages; number formats come from reporting.reports.money."""
import unicodedata

from django import template
from django.template.defaultfilters import truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reporting.models import Report
from reporting.reports import money
from tasks.templatetags.plan_codes import shown_code, shown_title

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


# The officer's home lists every report the agency owes (the page most requested on deadline day):
# one tag per row, which draws what the row's template did (code, link, title, state, %, last saved)
# with the same filters, instead of seven template nodes per row. The link is reversed once per page
# and the row's key put in it: reversing it per row was half the row's time (~50 µs each).
_ROW = ('<tr><td><span class="code">{}</span></td>\n'
        '          <td><a href="{}">{}</a></td>\n'
        '          <td>{}</td>\n'
        '          <td class="num">{}</td>\n'
        '          <td>{}</td></tr>')
_ANY_PK = 2147483647


def _truncated(text: str, limit: int) -> str:
    """truncatechars's answer, without its ~13 µs for the usual title that fits: a text in NFC and no
    longer than `limit` is what truncatechars gives back unchanged."""
    if len(text) <= limit and unicodedata.is_normalized("NFC", text):
        return text
    return truncatechars(text, limit)


@register.simple_tag(takes_context=True)
def report_row(context, report):
    """One row of the officer's home list (templates/reporting/home.html)."""
    link = context.render_context.get("report_row_link")
    if link is None:  # the report page's address split where the key goes, for this page
        link = context.render_context["report_row_link"] = reverse("reporting:report", args=[_ANY_PK]).split(str(_ANY_PK))
    percent, saved = report.percent_complete, report.updated_at
    if saved is not None:  # the date filter's "d/m/Y", in the current time zone, without a DateFormat per row
        saved = timezone.template_localtime(saved)
        saved = f"{saved.day:02d}/{saved.month:02d}/{saved.year:04d}"
    return format_html(_ROW, shown_code(report.item.code), str(report.pk).join(link),
                       _truncated(shown_title(report.item.title), 110), report_state(report),
                       "" if percent is None else localize(percent), saved or "")


@register.filter
def vn_decimal(value):
    """An indicator's figure the Vietnamese way (1.234,5); empty for none."""
    from reporting.indicators.numbers import format_number

    return format_number(value)
