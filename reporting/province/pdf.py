"""The province report as PDF (WeasyPrint): templates/reporting/pdf/province_report.html laid
out by static/css/print.css. Fonts are found through fontconfig and embedded (subset) in the
file, so the document prints the same on a machine without Liberation Serif.

Two facts go into the file's document information for signing (reporting/province/signing.py):
the generation's identifier, by which an uploaded signed copy is recognised as this report, and
the box of the signer's signature space (page, then x1,y1,x2,y2 in points from the bottom left),
found from the laid-out page so the visible signature lands where Decree 30/2020 puts it."""
from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF counts points (72 per inch)


def _stylesheet_path() -> str:
    return finders.find("css/print.css") or str(settings.BASE_DIR / "static" / "css" / "print.css")


def signature_box(document) -> str:
    """“page,x1,y1,x2,y2” of the signature space (#chu-ky), or "" when the layout has none."""
    for index, page in enumerate(document.pages):
        if "chu-ky" in page.anchors:
            left, top, right, bottom = page.anchors["chu-ky"]  # CSS px from the top left
            inset = (right - left) * 0.1
            box = ((left + inset) * PX_TO_PT, (page.height - bottom) * PX_TO_PT,
                   (right - inset) * PX_TO_PT, (page.height - top) * PX_TO_PT)
            return f"{index}," + ",".join(f"{v:.1f}" for v in box)
    return ""


def province_report_pdf(report) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("vi"):
        html = render_to_string("reporting/pdf/province_report.html", {"r": report})
    fonts = FontConfiguration()
    css = CSS(filename=_stylesheet_path(), font_config=fonts)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(stylesheets=[css], font_config=fonts)
    custom = document.metadata.custom
    custom.clear()  # only what is said here goes into the file's information dictionary
    if report.document_id:
        custom["GreenplanReport"] = report.document_id
    box = signature_box(document)
    if box:
        custom["GreenplanSignatureBox"] = box
    return document.write_pdf(custom_metadata=True)
