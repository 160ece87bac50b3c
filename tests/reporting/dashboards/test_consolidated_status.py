"""The consolidated status page: who sees it, its filters and accent-free search, links to the
reports, unassigned items apart, and the Excel export of exactly what is shown."""
import io

import pytest
from openpyxl import load_workbook


pytestmark = pytest.mark.django_db


def codes(response):
    return [row.code for row, _url in response.context["rows"]]


def test_officers_get_404_and_leaders_and_reviewers_see_it(client, scenario):
    url = scenario.url("status")
    client.force_login(scenario.officer)
    assert client.get(url).status_code == 404
    client.force_login(scenario.foreign_reviewer)
    assert client.get(url).status_code == 404
    for user in (scenario.leader, scenario.reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_it_lists_every_item_that_owes_a_report_and_unassigned_ones_apart(client, scenario):
    client.force_login(scenario.leader)
    response = client.get(scenario.url("status"))
    assert codes(response) == ["1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.2", "2.1.1", "2.1.2"]
    unassigned = response.context["unassigned"]
    assert [u["row"].code for u, _url in unassigned] == ["2.1.3"]
    assert unassigned[0][0]["reason"] == "Chưa có cơ quan chủ trì"
    body = response.content.decode()
    assert f'href="/reports/{scenario.reports["1.1.2"].pk}/"' in body
    assert "muộn" in body  # 1.1.2 was submitted late


@pytest.mark.parametrize("params, expected", [
    ({"state": "late"}, ["1.1.2", "2.1.2"]),
    ({"state": "on_time"}, ["1.1.1", "1.2.1"]),
    ({"state": "not_submitted"}, ["1.1.3", "1.2.2", "2.1.1"]),
    ({"state": "returned"}, ["1.2.2"]),
    ({"status": "behind"}, ["1.1.2"]),  # the returned 1.2.2 also says behind, but it is not submitted
    ({"status": "none"}, ["1.1.3", "1.2.2", "2.1.1"]),
    ({"priority": "high"}, ["1.1.2"]),
    ({"sort": "-percent", "state": "submitted"}, ["1.2.1", "1.1.1", "1.1.2", "2.1.2"]),
])
def test_filters_by_state_status_priority_and_sort(client, scenario, params, expected):
    client.force_login(scenario.reviewer)
    assert codes(client.get(scenario.url("status", **params))) == expected


def test_filters_by_theme_group_and_agency(client, scenario):
    client.force_login(scenario.reviewer)
    theme2 = scenario.themes["2"].pk
    assert codes(client.get(scenario.url("status", theme=theme2))) == ["2.1.1", "2.1.2"]
    group = scenario.plan.items.get(code="1.2").pk
    assert codes(client.get(scenario.url("status", group=group))) == ["1.2.1", "1.2.2"]
    assert codes(client.get(scenario.url("status", agency=scenario.agency_s.pk))) == ["1.2.1", "1.2.2", "2.1.2"]


def test_search_ignores_diacritics(client, scenario):
    client.force_login(scenario.reviewer)
    for q in ("xay dung", "XÂY DỰNG", "Sở Xây dựng"):
        assert codes(client.get(scenario.url("status", q=q))) == ["1.2.1", "1.2.2", "2.1.2"], q
    assert len(codes(client.get(scenario.url("status", q="nang luong xanh")))) == 7


def test_the_excel_export_respects_the_filters_and_writes_text_as_text(client, scenario):
    client.force_login(scenario.leader)
    response = client.get(scenario.url("status", agency=scenario.agency_s.pk, export="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Mã")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header_row + 1)]
    assert [r[0] for r in rows] == ["1.2.1", "1.2.2", "2.1.2"]
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header_row}")
    assert rows[0][5] == "Sở Xây dựng" and rows[0][6] == "Đã chấp nhận" and rows[0][10] == 100
    assert rows[2][7] == "Có"  # 2.1.2 late
    assert all(ws.cell(r, 2).data_type == "s" for r in range(header_row + 1, header_row + 4))


def test_the_export_cannot_smuggle_a_formula(scenario):
    from reporting.dashboards.export import consolidated_xlsx
    from reporting.dashboards.selectors import plan_outline, status_rows

    rows = status_rows(scenario.cycle)
    rows[0].title = "=HYPERLINK(\"http://x\",\"bấm\")"
    data = consolidated_xlsx(scenario.cycle, rows, plan_outline(scenario.plan))
    ws = load_workbook(io.BytesIO(data)).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
