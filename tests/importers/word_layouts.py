"""Word plans of four layouts, built with python-docx the way provinces publish them.

Each builder returns the .docx bytes; the tests import them and check every item. The plans are
invented (no copy of any real document): what varies is what varies between real provinces —
the heading table, the column order and wording of the appendix, merged theme rows, lettered
sub-items, a priority column or a marker in the text, timeline wordings, agency separators, and a
decision (Quyết định) that issues the plan attached to it.
"""
from __future__ import annotations

import io

from docx import Document

MERGE = object()  # a row merged across the whole table


def _heading(doc, body: str, number: str, place_date: str) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = body
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = f"Số: {number}"
    table.cell(1, 1).text = place_date


def _appendix(doc, header: list[str], rows: list, numbering: bool = False) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    for i, h in enumerate(header):
        table.rows[0].cells[i].text = h
    if numbering:
        cells = table.add_row().cells
        for i in range(len(header)):
            cells[i].text = f"({i + 1})"
    for row in rows:
        cells = table.add_row().cells
        if row[0] is MERGE:
            merged = cells[0].merge(cells[-1])
            merged.text = row[1]
            continue
        for i, value in enumerate(row):
            if isinstance(value, list):  # paragraphs of one cell
                cells[i].text = value[0]
                for more in value[1:]:
                    cells[i].add_paragraph(more)
            else:
                cells[i].text = value or ""


def _bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# 1. A plan (Kế hoạch) in the usual column order, themes merged across the table.
# --------------------------------------------------------------------------------------------

def plan_quang_tri() -> bytes:
    doc = Document()
    _heading(doc, "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ", "2151/KH-UBND", "Quảng Trị, ngày 12 tháng 5 năm 2023")
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Hành động tăng trưởng xanh tỉnh Quảng Trị giai đoạn 2023 - 2030")
    doc.add_paragraph("Căn cứ Quyết định số 882/QĐ-TTg ngày 22/7/2022 của Thủ tướng Chính phủ;")
    doc.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    doc.add_paragraph("Thực hiện tăng trưởng xanh trên địa bàn tỉnh Quảng Trị.")
    doc.add_paragraph("II. NỘI DUNG HÀNH ĐỘNG")
    doc.add_paragraph("Chủ đề 1: Giảm cường độ phát thải khí nhà kính, bao gồm 2 nhóm nhiệm vụ:")
    doc.add_paragraph("1.1. Tiết kiệm năng lượng trong công nghiệp.")
    doc.add_paragraph("1.2. Phát triển năng lượng tái tạo.")
    doc.add_paragraph("Chủ đề 2: Xanh hóa lối sống, bao gồm 1 nhóm nhiệm vụ:")
    doc.add_paragraph("2.1. Tiêu dùng bền vững.")
    doc.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    doc.add_paragraph("PHỤ LỤC")
    _appendix(doc, ["TT", "Nội dung nhiệm vụ, hoạt động", "Cơ quan chủ trì", "Cơ quan phối hợp",
                    "Thời gian thực hiện", "Sản phẩm dự kiến"], [
        (MERGE, "Chủ đề 1. Giảm cường độ phát thải khí nhà kính"),
        ["1.1.", "Tiết kiệm năng lượng trong công nghiệp", "", "", "", ""],
        ["1.1.1.", "Kiểm toán năng lượng các cơ sở sử dụng năng lượng trọng điểm (Cao)", "Sở Công Thương",
         ["Sở Tài chính", "Sở Khoa học và Công nghệ"], "2023 - 2030", "Báo cáo kiểm toán"],
        ["1.1.2.", "Thay thế thiết bị chiếu sáng công cộng tiết kiệm điện", "Sở Xây dựng",
         "UBND các huyện, thị xã, thành phố", "2023-2025", "Hệ thống chiếu sáng"],
        ["1.2.", "Phát triển năng lượng tái tạo", "", "", "", ""],
        ["1.2.1.", "Quy hoạch điện gió ven biển", "Sở Công Thương", "Sở Tài nguyên và Môi trường",
         "Năm 2024", "Đề án"],
        (MERGE, "Chủ đề 2. Xanh hóa lối sống"),
        ["2.1.", "Tiêu dùng bền vững", "", "", "", ""],
        ["2.1.1.", "Tuyên truyền tiêu dùng xanh trong trường học", "Sở Giáo dục và Đào tạo",
         "Các sở, ban, ngành, UBND các huyện, thị xã, thành phố", "Giai đoạn 2023 - 2030", "Chương trình truyền thông"],
    ])
    return _bytes(doc)


# --------------------------------------------------------------------------------------------
# 2. Columns reordered and reworded, a priority column, Roman theme rows, lettered sub-items,
#    agencies separated by ";", a column the importer does not know.
# --------------------------------------------------------------------------------------------

def plan_ha_tinh() -> bytes:
    doc = Document()
    _heading(doc, "UBND TỈNH HÀ TĨNH", "87/KH-UBND", "Hà Tĩnh, ngày 03 tháng 3 năm 2024")
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Thực hiện Chiến lược quốc gia về tăng trưởng xanh tỉnh Hà Tĩnh giai đoạn 2024 - 2030")
    doc.add_paragraph("Căn cứ Quyết định số 1658/QĐ-TTg;")
    _appendix(doc, ["STT", "Cơ quan chủ trì", "Nội dung nhiệm vụ", "Mức độ ưu tiên", "Thời gian hoàn thành",
                    "Cơ quan phối hợp", "Kinh phí (triệu đồng)"], [
        ["I", "", "Năng lượng sạch", "", "", "", ""],
        ["1.1", "", "Điện mặt trời mái nhà", "", "", "", ""],
        ["1.1.1", "Sở Công Thương", "Khuyến khích lắp điện mặt trời mái nhà", "Cao", "Quý IV/2024",
         "Sở Xây dựng; Sở Tài chính", "500"],
        ["1.1.2", "Sở Tài chính", "Hỗ trợ vốn cho hộ gia đình", "", "2024-2026",
         "Ngân hàng Nhà nước chi nhánh tỉnh; Sở Công Thương", ""],
        ["a)", "Sở Tài chính", "Hướng dẫn thủ tục vay vốn", "x", "Năm 2025", "", ""],
        ["b)", "Ngân hàng Nhà nước chi nhánh tỉnh", "Giải ngân vốn vay ưu đãi", "", "2025 - 2026",
         "Sở Tài chính", ""],
        ["II", "", "Đô thị xanh", "", "", "", ""],
        ["2.1", "", "Cây xanh đô thị", "", "", "", ""],
        ["2.1.1", "Sở Xây dựng", "Trồng mới cây xanh tại các đô thị", "Ưu tiên", "Giai đoạn 2024 - 2030",
         "UBND thành phố Hà Tĩnh; UBND thị xã Hồng Lĩnh", "1.200"],
    ])
    return _bytes(doc)


# --------------------------------------------------------------------------------------------
# 3. A decision (Quyết định) with the plan attached; body states themes and groups, the table
#    holds activities only; a "(Ưu tiên)" marker in the text; the header repeated with a
#    numbering row; and what is uncertain: no lead, an unreadable timeline, a code printed twice.
# --------------------------------------------------------------------------------------------

def decision_lao_cai() -> bytes:
    doc = Document()
    _heading(doc, "ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI", "1234/QĐ-UBND", "Lào Cai, ngày 05 tháng 6 năm 2022")
    doc.add_paragraph("QUYẾT ĐỊNH")
    doc.add_paragraph("Về việc ban hành Kế hoạch hành động tăng trưởng xanh tỉnh Lào Cai")
    doc.add_paragraph("ỦY BAN NHÂN DÂN TỈNH LÀO CAI")
    doc.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương;")
    doc.add_paragraph("QUYẾT ĐỊNH:")
    doc.add_paragraph("Điều 1. Ban hành kèm theo Quyết định này Kế hoạch hành động tăng trưởng xanh tỉnh Lào Cai "
                      "giai đoạn 2022 - 2030.")
    doc.add_paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Hành động tăng trưởng xanh tỉnh Lào Cai giai đoạn 2022 - 2030")
    doc.add_paragraph("(Ban hành kèm theo Quyết định số 1234/QĐ-UBND ngày 05/6/2022 của UBND tỉnh Lào Cai)")
    doc.add_paragraph("II. NỘI DUNG HÀNH ĐỘNG")
    doc.add_paragraph("Chủ đề 1: Nông nghiệp xanh, bao gồm 1 nhóm nhiệm vụ:")
    doc.add_paragraph("1.1. Canh tác bền vững.")
    doc.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    _appendix(doc, ["Số TT", "Tên nhiệm vụ, hoạt động", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện",
                    "Ghi chú"], [
        ["1.1.1.", "Nhân rộng mô hình canh tác hữu cơ (Ưu tiên)", "Sở Nông nghiệp và Phát triển nông thôn",
         "Hội Nông dân tỉnh", "2022 - 2025", ""],
        ["1.1.2.", "Giảm sử dụng phân bón hóa học", "", "Sở Nông nghiệp và Phát triển nông thôn", "2023 - 2030", ""],
        ["1.1.3.", "Theo dõi chất lượng đất canh tác", "Sở Tài nguyên và Môi trường", "", "Thường xuyên", ""],
        ["1.1.3.", "Phát triển thương hiệu nông sản sạch", "Sở Công Thương", "", "2024 - 2030", ""],
    ], numbering=True)
    return _bytes(doc)


# --------------------------------------------------------------------------------------------
# 4. Leads and partners on separate lines in one cell, a generic group whose name holds
#    commas, "Đơn vị"/"Tiến độ" wording, sub-items printed in the content cell, no theme rows
#    (the body states the themes), and the closing lead-agency summary.
# --------------------------------------------------------------------------------------------

def plan_can_tho() -> bytes:
    doc = Document()
    _heading(doc, "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ", "45/KH-UBND", "Cần Thơ, ngày 20 tháng 02 năm 2025")
    doc.add_paragraph("KẾ HOẠCH HÀNH ĐỘNG TĂNG TRƯỞNG XANH THÀNH PHỐ CẦN THƠ GIAI ĐOẠN 2025 - 2030")
    doc.add_paragraph("Căn cứ Quyết định số 882/QĐ-TTg;")
    doc.add_paragraph("II. NỘI DUNG HÀNH ĐỘNG")
    doc.add_paragraph("Chủ đề 1: Giao thông xanh, bao gồm 1 nhóm nhiệm vụ:")
    doc.add_paragraph("1.1. Phương tiện công cộng.")
    doc.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    _appendix(doc, ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Tiến độ", "Kết quả/sản phẩm"], [
        ["1.1.1", "Phát triển xe buýt điện", ["Sở Giao thông vận tải", "Sở Tài chính"],
         ["Sở Kế hoạch và Đầu tư", "Các sở, ban, ngành, UBND các quận, huyện"], "2025 - 2030", "Tuyến xe buýt điện"],
        ["", "a) Mở tuyến xe buýt điện nội đô", "Sở Giao thông vận tải", "", "Năm 2026", "02 tuyến"],
        ["", "b) Xây trạm sạc tại bến xe", "Sở Công Thương", "Sở Xây dựng", "2026-2027", "Trạm sạc"],
    ])
    doc.add_paragraph("Tóm tắt phân công cơ quan chủ trì")
    doc.add_paragraph("- Sở Giao thông vận tải chủ trì: 1.1.1, 1.1.1 a")
    doc.add_paragraph("- Sở Công Thương chủ trì: 1.1.1 b")
    return _bytes(doc)


# --------------------------------------------------------------------------------------------
# 5. The appendix split into two tables (a section break): the second has no header row.
# --------------------------------------------------------------------------------------------

def plan_split_table() -> bytes:
    doc = Document()
    _heading(doc, "ỦY BAN NHÂN DÂN\nTỈNH NINH BÌNH", "9/KH-UBND", "Ninh Bình, ngày 01 tháng 02 năm 2024")
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Hành động tăng trưởng xanh tỉnh Ninh Bình giai đoạn 2024 - 2030")
    header = ["TT", "Nội dung nhiệm vụ, hoạt động", "Cơ quan chủ trì", "Thời gian thực hiện"]
    _appendix(doc, header, [
        (MERGE, "Chủ đề 1. Du lịch xanh"),
        ["1.1", "Điểm đến xanh", "", ""],
        ["1.1.1", "Bộ tiêu chí điểm du lịch xanh", "Sở Du lịch", "2024"],
    ])
    doc.add_section()
    table = doc.add_table(rows=0, cols=len(header))
    for values in (["1.1.2", "Chứng nhận điểm du lịch xanh", "Sở Du lịch", "2025 - 2030"],
                   ["1.1.3", "Truyền thông du lịch xanh", "Sở Văn hóa, Thể thao", "2024 - 2030"]):
        cells = table.add_row().cells
        for i, value in enumerate(values):
            cells[i].text = value
    return _bytes(doc)
