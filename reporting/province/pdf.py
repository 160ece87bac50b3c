"""The province report as PDF (WeasyPrint): templates/reporting/pdf/province_report.html laid
out by static/css/print.css. Fonts are found through fontconfig and embedded (subset) in the
file, so the document prints the same on a machine without Liberation Serif."""
from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


def _stylesheet_path() -> str:
    return finders.find("css/print.css") or str(settings.BASE_DIR / "static" / "css" / "print.css")


def province_report_pdf(report) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("vi"):
        html = render_to_string("reporting/pdf/province_report.html", {"r": report})
    fonts = FontConfiguration()
    css = CSS(filename=_stylesheet_path(), font_config=fonts)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[css], font_config=fonts)
