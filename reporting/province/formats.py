"""The province report's file formats: PDF, Word and Excel. Each is a function of the built report
returning bytes; none of them decides who may see what (views and the command do, through
reporting.reports.access)."""

from reporting.dashboards.export import XLSX_CONTENT_TYPE

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX_CONTENT_TYPE,
}


def render_province_report(report, fmt: str) -> bytes:
    """The province report in `fmt` ("pdf", "docx" or "xlsx")."""
    if fmt == "pdf":
        from reporting.province.pdf import province_report_pdf

        return province_report_pdf(report)
    if fmt == "docx":
        from reporting.province.docx import province_report_docx

        return province_report_docx(report)
    if fmt == "xlsx":
        from reporting.province.excel import province_report_xlsx

        return province_report_xlsx(report)
    raise ValueError(f"unknown format {fmt!r} (pdf, docx, xlsx)")
