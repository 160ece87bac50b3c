"""The province report as an editable Word file (python-docx), for changes before signing.

Same content as the PDF (reporting/province_report.py builds it once), laid out by the same
rules: A4, margins 22/18/22/32 mm, Times New Roman 14 pt (Liberation Serif is its metric twin
where Times is missing), page numbers centred at the top from page 2, the annex on landscape
pages. The charts are pictures of the same SVG (exports/chart_image.py), each after its table, which
holds the figures Word users edit.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reporting.province.build import NOT_REVIEWED
from reporting.province.chart_image import ChartImageUnavailable, svg_size, svg_to_png

FONT = "Times New Roman"
CENTER, JUSTIFY, LEFT, RIGHT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.RIGHT)


def _font(run_or_style, size=None, bold=None, italic=None):
    font = run_or_style.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)


def _para(container, text="", *, size=14, bold=False, italic=False, align=JUSTIFY, indent=True, before=0, after=6,
          keep_next=False):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = Mm(10) if indent and align == JUSTIFY else None
    fmt.keep_with_next = keep_next
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _run(p, text, *, size=14, bold=False, italic=False):
    run = p.add_run(text)
    _font(run, size, bold, italic)
    return run


def _page_number(paragraph):
    """A PAGE field: Word and LibreOffice fill in the number."""
    run = paragraph.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, widths_mm):
    """Fixed column widths that Word and LibreOffice both honour (grid and every cell)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _cell(cell, text, *, size=12, bold=False, italic=False, align=LEFT):
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    _run(p, str(text), size=size, bold=bold, italic=italic)
    return p


def _grid(doc, headers, rows, *, widths=None, size=12, numeric=()):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        _cell(table.rows[0].cells[i], h, size=size, bold=True, align=CENTER)
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row):
            _cell(cells[i], "" if value is None else value, size=size, align=RIGHT if i in numeric else LEFT)
    if widths:
        _widths(table, widths)
    return table


def _caption(doc, text):
    _para(doc, text, size=13, bold=True, align=CENTER, indent=False, before=6, after=3, keep_next=True)


def _chart(doc, chart, caption: str, *, max_width_mm: float = 150) -> None:
    """The chart as a picture (same drawing as page and PDF), or nothing if Poppler is missing:
    the table before it carries the same figures."""
    try:
        png = svg_to_png(str(chart.svg))
    except ChartImageUnavailable:
        return
    width, _height = svg_size(str(chart.svg))
    p = doc.add_paragraph()
    p.alignment = CENTER
    p.add_run().add_picture(io.BytesIO(png), width=Mm(min(max_width_mm, width * 0.2646)))
    _caption(doc, caption)


def province_report_docx(r) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    _font(normal, 14)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(22), Mm(22)
    section.left_margin, section.right_margin = Mm(32), Mm(18)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = CENTER
    _page_number(header_p)
    doc.core_properties.title = r.doc_title
    doc.core_properties.author = r.issuing_body_name

    # Heading: issuing body left, national heading right.
    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    _widths(head, [62, 98])
    left, right = head.rows[0].cells
    _cell(left, r.province_line, size=13, align=CENTER)
    _para(left, r.issuing_body, size=13, bold=True, align=CENTER, indent=False, after=0)
    _para(left, "───────", size=10, align=CENTER, indent=False, after=2)
    number = _para(left, f"Số: {r.meta.number}", size=13, align=CENTER, indent=False, after=0)
    number.paragraph_format.space_after = Pt(0)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=CENTER)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align=CENTER, indent=False, after=0)
    _para(right, "───────────────", size=10, align=CENTER, indent=False, after=2)
    _para(right, r.date_line, size=14, italic=True, align=CENTER, indent=False, after=0)

    _para(doc, "BÁO CÁO", bold=True, align=CENTER, indent=False, before=18, after=0)
    _para(doc, r.title, bold=True, align=CENTER, indent=False, after=0)
    _para(doc, "──────", size=10, align=CENTER, indent=False, after=6)
    _para(doc, f"Kính gửi: {r.meta.ministry}.", align=CENTER, indent=False, after=10)
    if r.sections:
        plans = "; ".join(f"{s.name} – {s.plan.title}" for s in r.sections)
        _para(doc, f"Thực hiện các kế hoạch về tăng trưởng xanh đang triển khai trên địa bàn: {plans}, trên cơ sở báo "
                   f"cáo của các cơ quan chủ trì, {r.issuing_body_name} tổng hợp kết quả thực hiện như sau:")
    else:
        _para(doc, f"Thực hiện {r.plan_name} – {r.plan.title}, trên cơ sở báo cáo của các cơ quan chủ trì, "
                   f"{r.issuing_body_name} tổng hợp kết quả thực hiện như sau:")

    h = r.headline
    _para(doc, "I. TÌNH HÌNH TRIỂN KHAI VÀ NỘP BÁO CÁO", bold=True, before=6, keep_next=True)
    text = (f"Trong kỳ, có {h['due']} nhiệm vụ, hoạt động phải báo cáo; đã nhận {h['submitted']} báo cáo "
            f"({h['on_time']} báo cáo đúng hạn, {h['late']} báo cáo nộp muộn), trong đó {h['state_accepted']} báo cáo "
            f"đã được thẩm định, chấp nhận; còn {h['missing']} báo cáo chưa nộp.")
    if r.unassigned:
        text += f" Ngoài ra có {r.unassigned} mục chưa được giao cơ quan chủ trì cụ thể."
    _para(doc, text)
    _caption(doc, "Bảng 1. Tình trạng báo cáo")
    _grid(doc, ["Tình trạng", "Số báo cáo"], [
        ["Phải nộp", h["due"]], ["Đã chấp nhận", h["state_accepted"]], ["Đã gửi, chờ thẩm định", h["state_submitted"]],
        ["Trả lại để sửa", h["state_returned"]], ["Đang soạn", h["state_draft"]], ["Chưa báo cáo", h["state_missing"]],
        ["Nộp đúng hạn", h["on_time"]], ["Nộp muộn", h["late"]],
    ], widths=[90, 40], numeric={1})
    if r.sections:
        _caption(doc, "Bảng 1a. Tình trạng báo cáo theo kế hoạch")
        _grid(doc, ["Kế hoạch", "Phải nộp", "Đã gửi", "Đúng hạn", "Nộp muộn", "Chưa nộp", "Tiến độ BQ"],
              [[s.name, s.headline["due"], s.headline["submitted"], s.headline["on_time"], s.headline["late"],
                s.headline["missing"], s.headline["mean_text"]] for s in r.sections]
              + [["Tổng cộng", h["due"], h["submitted"], h["on_time"], h["late"], h["missing"], h["mean_text"]]],
              widths=[62, 16, 16, 16, 16, 16, 18], size=11, numeric={1, 2, 3, 4, 5, 6})
    _chart(doc, r.charts["states"], f"Biểu đồ 1. {r.charts['states'].title}")
    _para(doc, f"Theo các báo cáo đã gửi: {h['status_completed']} nhiệm vụ hoàn thành, {h['status_on_schedule']} "
               f"nhiệm vụ đúng tiến độ, {h['status_behind']} nhiệm vụ chậm tiến độ, {h['status_not_started']} nhiệm vụ "
               f"chưa triển khai, {h['status_suspended']} nhiệm vụ tạm dừng; tỷ lệ hoàn thành bình quân "
               f"{h['mean_text']}.", before=6)

    _para(doc, "II. KẾT QUẢ THỰC HIỆN THEO CHỦ ĐỀ", bold=True, before=6, keep_next=True)
    p = _para(doc)
    _run(p, "Cách tính: ", italic=True, size=13)
    _run(p, r.method, size=13)
    _caption(doc, "Bảng 2. Kết quả thực hiện theo chủ đề")
    _grid(doc, ["Chủ đề", "Phải BC", "Đã BC", "Chưa BC", "Hoàn thành", "Đúng tiến độ", "Chậm", "Tiến độ BQ"],
          [[f"{t.figures['code']}. {t.figures['title']}", t.figures["due"], t.figures["submitted"],
            t.figures["not_reported"], t.figures["status_completed"], t.figures["status_on_schedule"],
            t.figures["status_behind"], t.figures["mean_text"]] for t in r.themes],
          widths=[58, 14, 14, 14, 16, 16, 14, 18], size=11, numeric={1, 2, 3, 4, 5, 6, 7})
    _chart(doc, r.charts["themes"], f"Biểu đồ 2. {r.charts['themes'].title}")
    section_of = {id(t): s for s in r.sections for t in s.themes}
    shown = None
    for n, t in enumerate(r.themes, 1):
        f = t.figures
        section = section_of.get(id(t))
        if section is not None and section is not shown:
            shown = section
            _para(doc, f"{section.name}: {section.headline['submitted']}/{section.headline['due']} mục đã báo cáo, "
                       f"tiến độ bình quân {section.headline['mean_text']}.", bold=True, italic=True, before=8,
                  keep_next=True)
        _para(doc, f"{n}. Chủ đề {f['code']}: {f['title']}", bold=True, before=6, keep_next=True)
        _para(doc, f"{f['submitted']}/{f['due']} mục đã báo cáo, {f['not_reported']} mục chưa báo cáo; "
                   f"tiến độ bình quân {f['mean_text']}.")
        if not t.results:
            _para(doc, "- Chưa có báo cáo được gửi.")
        for res in t.results:
            p = _para(doc)
            _run(p, "- ")
            _run(p, res["code"], bold=True)
            detail = res["agency"]
            if res["status_label"]:
                detail += f"; {res['status_label'].lower()}"
            if res["percent"] is not None:
                detail += f", {res['percent']}%"
            _run(p, f" ({detail}): {res['text']}")
            if res["not_reviewed"]:
                _run(p, f" {NOT_REVIEWED}", italic=True)

    _para(doc, "III. TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CƠ QUAN", bold=True, before=6, keep_next=True)
    _caption(doc, "Bảng 3. Tình hình nộp báo cáo theo cơ quan chủ trì")
    _grid(doc, ["Cơ quan", "Phải nộp", "Đúng hạn", "Muộn", "Chưa nộp", "Tiến độ BQ"],
          [[a["name"], a["due"], a["on_time"], a["late"], a["missing"], a["mean_text"]] for a in r.agencies],
          widths=[70, 18, 18, 16, 18, 20], size=12, numeric={1, 2, 3, 4, 5})
    _chart(doc, r.charts["agencies"], f"Biểu đồ 3. {r.charts['agencies'].title}")
    if r.indicators:
        _caption(doc, "Bảng 4. Kết quả các chỉ tiêu tăng trưởng xanh (số liệu đã thẩm định)")
        _grid(doc, ["Mã", "Chỉ tiêu", "Đơn vị", "Cơ sở", f"Năm {r.cycle.year - 1}", f"Năm {r.cycle.year}", "Mục tiêu",
                    "Đánh giá", "Cách tính"],
              [[i.code, i.name, i.unit, i.baseline, i.last_year, i.this_year, i.targets, i.status, i.method]
               for i in r.indicators],
              widths=[10, 30, 12, 16, 14, 14, 22, 16, 36], size=9, numeric={3, 4, 5})

    for heading, paragraphs, empty in (
        ("IV. KHÓ KHĂN, VƯỚNG MẮC", r.difficulties, "Các cơ quan không nêu khó khăn, vướng mắc."),
        ("V. ĐỀ XUẤT, KIẾN NGHỊ", r.proposals, "Các cơ quan không có đề xuất, kiến nghị."),
    ):
        _para(doc, heading, bold=True, before=6, keep_next=True)
        if not paragraphs:
            _para(doc, empty)
        for n, para in enumerate(paragraphs, 1):
            p = _para(doc)
            _run(p, f"{n}. {para.text} ")
            _run(p, f"({para.attribution})", italic=True, size=13)
    _para(doc, f"Trên đây là báo cáo kết quả thực hiện của {r.issuing_body_name}, kính báo cáo {r.meta.ministry} "
               f"xem xét, tổng hợp./.")

    # Closing: recipients left, signature right.
    foot = doc.add_table(rows=1, cols=2)
    _no_borders(foot)
    _widths(foot, [80, 80])
    left, right = foot.rows[0].cells
    _cell(left, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in r.meta.recipients:
        _para(left, f"- {line}", size=11, align=LEFT, indent=False, after=0)
    first = True
    for text, bold in ((r.meta.signer_authority, True), (r.meta.signer_title, True)):
        if not text:
            continue
        if first:
            _cell(right, text, size=14, bold=bold, align=CENTER)
            first = False
        else:
            _para(right, text, bold=bold, align=CENTER, indent=False, after=0)
    if first:
        _cell(right, "", size=14)
    for _ in range(4):
        _para(right, "", align=CENTER, indent=False, after=0)
    _para(right, r.meta.signer_name, bold=True, align=CENTER, indent=False, after=0)

    # Annex on landscape pages.
    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Mm(297), Mm(210)
    annex.top_margin, annex.bottom_margin = Mm(20), Mm(20)
    annex.left_margin, annex.right_margin = Mm(25), Mm(20)
    annex.different_first_page_header_footer = False
    _para(doc, "Phụ lục", bold=True, align=CENTER, indent=False, after=0)
    _para(doc, "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, HOẠT ĐỘNG", bold=True, align=CENTER, indent=False, after=0)
    _para(doc, f"(Kèm theo Báo cáo số {r.meta.number.strip()} ngày {r.meta.date:%d/%m/%Y})", size=13, italic=True,
          align=CENTER, indent=False, after=6)
    rows = []
    plan_name = None
    for a in r.annex:
        if r.sections and a.plan_name != plan_name:
            plan_name = a.plan_name
            rows.append([plan_name, "", "", "", "", "", ""])
        result = a.result + (f" {NOT_REVIEWED}" if a.not_reviewed and a.result else "")
        rows.append([a.code + (" (Cao)" if a.high_priority else ""), a.title, a.agency,
                     a.state_label + (" (muộn)" if a.late else ""), a.status_label,
                     "" if a.percent is None else a.percent, result])
    _grid(doc, ["Mã", "Nhiệm vụ, hoạt động", "Cơ quan chủ trì", "Tình trạng báo cáo", "Tình hình thực hiện", "%",
                "Kết quả chủ yếu"], rows, widths=[18, 72, 36, 24, 24, 11, 67], size=10, numeric={5})

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
