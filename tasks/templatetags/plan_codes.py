"""How an item's code is shown: as printed in the plan, with a mark where the document printed the
same code twice (the stored "#2" suffix is never shown; tasks.codes.printed_part)."""
import re

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tasks.codes import printed_part
from tasks.models import shown_title as _shown_title

register = template.Library()


@register.filter
def shown_code(code):
    """HTML: "1.1.3" and, for the second item printed as 1.1.3, a marked "(2)" explained on hover."""
    base, dup = printed_part(str(code or ""))
    if dup is None:
        return base
    return format_html('{}<small class="dup-mark" title="{}"> ({})</small>', base,
                       _("Văn bản in trùng mã %(code)s: đây là mục thứ %(n)s mang mã này.") % {"code": base, "n": dup}, dup)


@register.filter
def shown_code_text(code):
    """Plain text (titles, labels, e-mails): "1.1.3 (mục thứ 2 cùng mã)"."""
    base, dup = printed_part(str(code or ""))
    if dup is None:
        return base
    return _("%(code)s (mục thứ %(n)s cùng mã)") % {"code": base, "n": dup}


_STORED = re.compile(r"\b(\d+(?:\.\d+)*(?: [a-zđ])?)#(\d+)")


@register.filter
def codes_as_printed(text):
    """A message (an import's review reason) with every stored code in it written as printed."""
    return _STORED.sub(lambda m: shown_code_text(m.group(0)), str(text or ""))


@register.filter
def shown_title(title):
    """An item's title, or the sentence that stands where the scan lost it (tasks.models.shown_title)."""
    return _shown_title(str(title or ""))
