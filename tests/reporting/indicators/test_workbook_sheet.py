"""The offline workbook carries the agency's indicator figures on its own sheet."""
import io

from django.urls import reverse
from openpyxl import load_workbook

from reporting.indicators import values as V
from reporting.workbook.layout import INDICATOR_HEADERS, INDICATOR_SHEET


def test_the_workbook_lists_the_agencys_indicators_and_figures_only(client, indicators):
    w, c = indicators.world, indicators.cycle
    V.value_create(plan_indicator=indicators.intensity, cycle=c, year=c.year - 1, user=w.head_a, value="1.234,5")
    V.value_create(plan_indicator=indicators.stations, cycle=c, year=c.year - 1, user=w.head_a, value="4",
                   territory="Thủ Dầu Một", source="estimate")
    V.value_create(plan_indicator=indicators.renewables, cycle=c, year=c.year - 1, user=w.officer_b, value="15")
    client.force_login(w.officer_a)
    response = client.get(reverse("reporting:workbook_download", args=[c.pk, w.agency_a.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))[INDICATOR_SHEET]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert tuple(rows[0]) == INDICATOR_HEADERS
    ev, ghg = "Số trạm sạc xe điện", "Cường độ phát thải khí nhà kính trên GDP"
    owed = [None, None, "Chưa có số liệu", None, None]
    assert rows[1:] == [  # the figures written, then a row for each of this year's not written yet
        ["EV", ev, None, c.year - 1, "Thủ Dầu Một", "4", "Ước tính của cơ quan", "Đang soạn", 0, None],
        ["EV", ev, None, c.year, "Toàn tỉnh", *owed],
        ["EV", ev, None, c.year, "Bình Dương cũ", *owed],
        ["EV", ev, None, c.year, "Thủ Dầu Một", *owed],
        ["1.1", ghg, None, c.year - 1, "Toàn tỉnh", "1.234,5", None, "Đang soạn", 0, None],
        ["1.1", ghg, None, c.year, "Toàn tỉnh", *owed],
    ]  # agency B's renewables are not A's to see


def _upload(client, ind, agency, book, name="bao-cao.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    book.save(out)
    kwargs = {"cycle_id": ind.cycle.pk, "agency_id": agency.pk}
    return client.post(reverse("reporting:workbook_upload", kwargs=kwargs),
                       {"file": SimpleUploadedFile(name, out.getvalue())})


def _download(client, ind, user, agency):
    client.force_login(user)
    response = client.get(reverse("reporting:workbook_download", args=[ind.cycle.pk, agency.pk]))
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def _row(ws, code, territory="Toàn tỉnh"):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code and ws.cell(r, 5).value == territory)


def test_figures_typed_in_the_workbook_are_saved_as_drafts_after_the_preview(client, indicators):
    from reporting.models import IndicatorValue

    w, c = indicators.world, indicators.cycle
    book = _download(client, indicators, w.officer_a, w.agency_a)
    ws = book[INDICATOR_SHEET]
    ws.cell(_row(ws, "1.1"), 6).value = "0,95"
    ws.cell(_row(ws, "EV", "Thủ Dầu Một"), 6).value = 12
    response = _upload(client, indicators, w.agency_a, book)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="indicator-changes"' in page and "0,95" in page
    assert not IndicatorValue.objects.exists()  # a preview saves nothing
    token = response.context["token"]
    client.post(reverse("reporting:workbook_confirm", kwargs={"cycle_id": c.pk, "agency_id": w.agency_a.pk}),
                {"token": token, "action": "save"})
    saved = {(v.plan_indicator.code, v.territory): (v.value, v.state, v.events.get().kind)
             for v in IndicatorValue.objects.select_related("plan_indicator")}
    from decimal import Decimal as D
    assert saved == {("1.1", ""): (D("0.95"), "draft", "upload"), ("EV", "Thủ Dầu Một"): (D(12), "draft", "upload")}


def test_a_bad_figure_in_the_workbook_is_refused_naming_sheet_row_and_cell(client, indicators):
    from reporting.models import IndicatorValue

    w = indicators.world
    book = _download(client, indicators, w.officer_a, w.agency_a)
    ws = book[INDICATOR_SHEET]
    row = _row(ws, "EV", "Thủ Dầu Một")
    ws.cell(row, 6).value = "-3"
    ws.cell(_row(ws, "1.1"), 6).value = "1,234.5"
    response = _upload(client, indicators, w.agency_a, book)
    problems = {(p.sheet, p.row, p.letter): p for p in response.context["preview"].problems}
    assert problems[("Chỉ tiêu", row, "F")].text("bao-cao.xlsx") == (
        f"bao-cao.xlsx, trang “Chỉ tiêu”, hàng {row}, cột F “Giá trị”: Giá trị: số đếm không được âm (nhận được -3).")
    page = response.content.decode()
    assert f"Chỉ tiêu · {row}" in page and "số đếm không được âm" in page
    assert "dấu phẩy cho phần thập phân" in page
    assert not IndicatorValue.objects.exists()
