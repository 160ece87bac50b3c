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
    assert rows[1:] == [
        ["EV", "Số trạm sạc xe điện", None, c.year - 1, "Thủ Dầu Một", "4", "Ước tính của cơ quan", "Đang soạn", 0],
        ["1.1", "Cường độ phát thải khí nhà kính trên GDP", None, c.year - 1, "Toàn tỉnh", "1.234,5", None, "Đang soạn", 0],
    ]  # agency B's renewables are not A's to see
