"""Files made from reports: the consolidated status export and the province report in PDF, Word
and Excel. Each export is a function of already-selected data returning bytes; none of them
decides who may see what (views and the command do, through reporting.reports.access)."""

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
        from reporting.dashboards.export import province_report_xlsx

        return province_report_xlsx(report)
    raise ValueError(f"unknown format {fmt!r} (pdf, docx, xlsx)")
