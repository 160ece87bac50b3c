"""The province report's indicators table, cell by cell, in PDF text, Word and Excel: baseline, last
year, this year, targets, status and method, from accepted figures only."""
import io
from decimal import Decimal as D

import pytest
from docx import Document
from openpyxl import load_workbook

from reporting.indicators import values as V
from reporting.province.build import build, indicator_rows
from reporting.province.formats import render_province_report


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text in the order it was written (-raw: cell after cell, row after row), one space apart."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(text.split())


@pytest.fixture
def figures(indicators):
    """2.3: 14,8 (2025) and 16,2 (2026) accepted; 1.1: 2026 accepted at 1,2 (off track: the path to
    0,85 in 2030 expects 0,95); EV: a draft only (no data)."""
    w, c = indicators.world, indicators.cycle
    w.officer_b.memberships.update(can_submit=True)

    def accepted(pi, year, value, user):
        v = V.value_create(plan_indicator=pi, cycle=c, year=year, user=user, value=value)
        return V.value_accept(V.value_submit(v, user=user), user=w.reviewer)

    accepted(indicators.renewables, c.year - 1, "14,8", w.officer_b)
    accepted(indicators.renewables, c.year, "16,2", w.officer_b)
    accepted(indicators.intensity, c.year, "1,2", w.head_a)
    V.value_create(plan_indicator=indicators.stations, cycle=c, year=c.year, user=w.head_a, value="9",
                   territory="Thủ Dầu Một")
    return indicators


def expected_rows(ind):
    y = ind.cycle.year
    rows = {r.code: r for r in indicator_rows(ind.world.plan, y)}
    return [
        ["2.3", "Tỷ trọng năng lượng tái tạo trong tổng cung năng lượng sơ cấp", "%", "10 (2020)", "14,8", "16,2",
         "2025: 15; 2030: 15 – 20", "Đúng hướng", rows["2.3"].method],
        ["EV", "Số trạm sạc xe điện", "", "0 (2023)", "", "", "2030: 200", "Chưa có số liệu", rows["EV"].method],
        ["1.1", "Cường độ phát thải khí nhà kính trên GDP", "", "1 (2023)", "", "1,2", "2030: giảm 15% so với 2023",
         "Chệch hướng", rows["1.1"].method],
    ]


def test_the_rows_follow_the_status_method(figures):
    rows = {r.code: r for r in indicator_rows(figures.world.plan, figures.cycle.year)}
    assert rows["2.3"].status_code == "on_track" and rows["1.1"].status_code == "off_track"
    assert rows["EV"].status_code == "no_data" and rows["EV"].method.endswith(".")
    assert rows["2.3"].this_figure == D("16.2") and rows["EV"].this_figure is None


def test_the_excel_sheet_holds_every_cell(figures):
    report = build(figures.cycle)
    wb = load_workbook(io.BytesIO(render_province_report(report, "xlsx")))
    ws = wb["Chỉ tiêu"]
    y = figures.cycle.year
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert got[0] == ["Mã", "Chỉ tiêu", "Đơn vị", "Giá trị cơ sở", f"Năm {y - 1}", f"Năm {y}", "Mục tiêu", "Trạng thái",
                      "Cách tính"]
    numbers = {"14,8": 14.8, "16,2": 16.2, "1,2": 1.2, "": None}
    want = [[cell if i not in (4, 5) else numbers[cell] for i, cell in enumerate(row)] for row in expected_rows(figures)]
    assert [[("" if v is None and i not in (4, 5) else v) for i, v in enumerate(row)] for row in got[1:]] == want


def test_the_word_table_holds_every_cell(figures):
    report = build(figures.cycle)
    doc = Document(io.BytesIO(render_province_report(report, "docx")))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:4] == ["Mã", "Chỉ tiêu", "Đơn vị", "Cơ sở"])
    got = [[c.text for c in row.cells] for row in table.rows]
    y = figures.cycle.year
    assert got[0] == ["Mã", "Chỉ tiêu", "Đơn vị", "Cơ sở", f"Năm {y - 1}", f"Năm {y}", "Mục tiêu", "Đánh giá", "Cách tính"]
    assert got[1:] == expected_rows(figures)


def test_the_pdf_says_every_cell_in_order(figures, tmp_path):
    report = build(figures.cycle)
    text = pdf_text(render_province_report(report, "pdf"), tmp_path)
    start = text.index("Bảng 4. Kết quả các chỉ tiêu tăng trưởng xanh")
    section = text[start:text.index("IV. KHÓ KHĂN")]
    position = 0
    for row in expected_rows(figures):
        for cell in row[:8] + ["Cách tính: " + row[8]]:
            if not cell:
                continue
            found = section.find(cell, position)
            assert found >= 0, (cell, section[position:position + 300])
            position = found + len(cell)
    assert "9" not in section.split("Số trạm sạc xe điện")[1][:40]  # the draft figure is not printed
