"""The national catalogue: the reviewed fixture and the administrator's spreadsheet import."""
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from reporting.indicators.catalogue import CatalogueError, import_catalogue
from reporting.models import Indicator

FIXTURE = Path(__file__).resolve().parents[3] / "reporting" / "fixtures" / "indicator_catalogue.json"
HEADER = ["Mã", "Mã quốc gia", "Tên chỉ tiêu", "Tên tiếng Anh", "Đơn vị", "Loại số liệu", "Chiều tốt", "Phân tổ",
          "Cộng theo địa bàn"]


def sheet(*rows, header=HEADER):
    book = Workbook()
    ws = book.active
    ws.title = "Danh mục"
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_the_fixture_ships_the_confirmed_codes_and_leaves_the_others_blank():
    rows = [r["fields"] for r in json.loads(FIXTURE.read_text(encoding="utf-8"))]
    coded = {r["code"]: r["name"] for r in rows if r["code"]}
    assert coded == {
        "1.1": "Cường độ phát thải khí nhà kính trên GDP", "1.2": "Tổng lượng phát thải khí nhà kính",
        "2.1": "Tổng cung năng lượng sơ cấp trên GDP", "2.2": "Tiêu thụ năng lượng cuối cùng trên GDP",
        "2.3": "Tỷ trọng năng lượng tái tạo trong tổng cung năng lượng sơ cấp"}
    assert len(rows) == 12
    assert all(r["national_code"] == "" and r["frequency"] == "" for r in rows)  # not confirmed: not invented


@pytest.mark.django_db
def test_the_fixture_loads():
    from django.core.management import call_command

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    assert Indicator.objects.filter(plan__isnull=True).count() == 12


@pytest.mark.django_db
def test_a_spreadsheet_completes_the_catalogue_by_code_or_name():
    from django.core.management import call_command

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    result = import_catalogue(sheet(
        ["1.1", "1.1-TK", "Cường độ phát thải khí nhà kính trên GDP", "", "tấn CO2tđ/tỷ đồng", "", "thấp", "", ""],
        ["2.4", "", "Số trạm sạc xe điện", "", "trạm", "số đếm", "cao", "Tỉnh; Loại trạm", "có"],
        ["3.1", "", "Tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý", "", "%", "tỷ lệ", "cao", "", ""],
    ))
    assert (result.created, result.updated) == (1, 2)
    intensity = Indicator.objects.get(code="1.1")
    assert (intensity.national_code, intensity.unit, intensity.name_en) == (
        "1.1-TK", "tấn CO2tđ/tỷ đồng", "Greenhouse gas emission intensity per GDP")  # blank cells erase nothing
    stations = Indicator.objects.get(name="Số trạm sạc xe điện")
    assert (stations.code, stations.measure, stations.disaggregations, stations.additive) == (
        "2.4", "count", ["Tỉnh", "Loại trạm"], True)
    assert Indicator.objects.get(code="3.1").measure == "share"


@pytest.mark.django_db
def test_one_bad_cell_refuses_the_whole_file_naming_the_sheet_and_cell():
    with pytest.raises(CatalogueError) as raised:
        import_catalogue(sheet(
            ["9.1", "", "Chỉ tiêu tốt", "", "%", "tỷ lệ", "cao", "", ""],
            ["9.2", "", "Chỉ tiêu sai", "", "%", "phần trăm", "cao", "", ""],
            ["9.3", "", "", "", "", "", "", "", ""],
            ["9.1", "", "Chỉ tiêu trùng mã", "", "", "", "", "", ""],
        ))
    problems = raised.value.problems
    assert any("ô F3" in p and "phần trăm" in p for p in problems)
    assert any("ô C4" in p and "thiếu tên" in p for p in problems)
    assert any("hàng 5" in p and "trùng" in p for p in problems)
    assert all("Danh mục" in p for p in problems)
    assert not Indicator.objects.exists()


@pytest.mark.django_db
def test_a_file_without_a_name_column_or_not_a_spreadsheet_is_refused():
    with pytest.raises(CatalogueError, match="thiếu cột"):
        import_catalogue(sheet(["1"], header=["Mã"]))
    with pytest.raises(CatalogueError, match="không đọc được"):
        import_catalogue(io.BytesIO(b"not a workbook"))


def test_an_admin_imports_the_catalogue_from_the_admin_page(admin_client):
    upload = sheet(["5.1", "", "Tỷ lệ mua sắm công xanh", "", "%", "tỷ lệ", "cao", "", ""])
    upload.name = "danh-muc.xlsx"
    page = admin_client.get("/admin/reporting/indicator/")
    assert "/admin/reporting/indicator/import/" in page.content.decode()
    response = admin_client.post("/admin/reporting/indicator/import/", {"file": upload})
    assert response.status_code == 302
    assert Indicator.objects.get(code="5.1").name == "Tỷ lệ mua sắm công xanh"


def test_the_admin_import_page_shows_the_problems(admin_client):
    upload = sheet(["5.1", "", "X", "", "%", "sai", "cao", "", ""])
    upload.name = "danh-muc.xlsx"
    response = admin_client.post("/admin/reporting/indicator/import/", {"file": upload})
    assert response.status_code == 200 and "ô F2" in response.content.decode()
