"""The charts: drawn once in Python, written as SVG for the documents and as a compact list of
marks for the pages (static/js/charts.js makes the elements; tests/browser/test_dashboard_charts_browser.py
checks that the browser gets the same SVG). No database."""
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from reporting.dashboards import charts

SVG = "{http://www.w3.org/2000/svg}"


def agency(name, on_time, late, missing, pk):
    return {"agency_id": pk, "name": name, "on_time": on_time, "late": late, "missing": missing}


def compliance(rows):
    return charts.stacked_bars(
        [{"label": a["name"], "values": {"on_time": a["on_time"], "late": a["late"], "missing": a["missing"]},
          "hrefs": {"missing": f"/status/?agency={a['agency_id']}&state=not_submitted"}} for a in rows],
        charts.COMPLIANCE, title="Nộp báo cáo", desc="Đúng hạn, muộn, chưa nộp")


def placeholder_of(figure: str) -> tuple[dict, str]:
    """The page's <svg> of a figure: its attributes, and what it holds as HTML."""
    found = {}

    class Reader(HTMLParser):
        depth = 0

        def handle_starttag(self, tag, attrs):
            if tag == "svg":
                found["attrs"], found["inner"], self.depth = dict(attrs), [], 1
            elif self.depth:
                found["inner"].append(f"<{tag}>")
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                found["inner"].append(data)

    Reader().feed(str(figure))
    return found["attrs"], "".join(found["inner"])


def count_marks(marks) -> int:
    """Marks in the page's list, those inside links and patterns included."""
    return sum(1 + (count_marks(m[-1]) if isinstance(m[-1], list) else 0) for m in marks)


def test_the_page_gets_the_marks_as_data_and_the_documents_as_svg():
    chart = compliance([agency("Sở Công Thương", 1, 1, 2, 7), agency("Sở Xây dựng", 1, 1, 1, 8)])
    attrs, inner = placeholder_of(chart.figure)
    # the page's SVG holds its name and description only; its marks travel as data
    assert inner == "<title>Nộp báo cáo<desc>Đúng hạn, muộn, chưa nộp"
    assert "<rect" not in str(chart.figure) and attrs["role"] == "img"
    shapes = json.loads(attrs["data-shapes"])
    # the same marks as the document's SVG, element for element
    document = ET.fromstring(str(chart.svg))
    elements = [e for e in document.iter() if e.tag not in (f"{SVG}svg", f"{SVG}title", f"{SVG}desc")]
    assert count_marks(shapes["m"]) == len(elements) > 20
    # each look is sent once: the three segments' counts share one
    assert len(shapes["s"]) < len(elements) / 2


def test_the_pages_list_says_each_marks_place_and_text():
    chart = compliance([agency("Sở Công Thương", 1, 1, 2, 7)])
    shapes = json.loads(placeholder_of(chart.figure)[0]["data-shapes"])
    looks = shapes["s"]
    texts = [(looks[m[0]][0], dict(zip(looks[m[0]][2], m[1:])), m[-1]) for m in shapes["m"] if looks[m[0]][0] == "text"]
    assert ("text", {"x": 300, "y": 48}, "Sở Công Thương") in texts  # the row's label, right-aligned at 300
    link = next(m for m in shapes["m"] if looks[m[0]][0] == "a" and "not_submitted" in m[1])
    assert link[1] == "/status/?agency=7&state=not_submitted" and isinstance(link[-1], list)
    document = ET.fromstring(str(chart.svg))
    label = next(e for e in document.iter(f"{SVG}text") if e.text == "Sở Công Thương")
    assert (label.get("x"), label.get("y"), label.get("text-anchor")) == ("300", "48", "end")


def test_a_name_that_could_end_the_attribute_or_open_a_tag_comes_back_unchanged():
    name = "Sở <Xây> & \"Dựng\" 'mới'"
    chart = compliance([agency(name, 1, 0, 0, 7)])
    figure = str(chart.figure)
    data = re.search(r"data-shapes='([^']*)'", figure).group(1)  # the attribute is not cut short
    assert "<" not in data and "&" not in data
    assert any(m[-1] == name for m in json.loads(placeholder_of(figure)[0]["data-shapes"])["m"])


def test_a_mark_has_a_tooltip_only_for_what_is_not_written_beside_it():
    rows = [agency("Ủy ban nhân dân xã Tân Định, thành phố Bến Cát (mới)", 30, 1, 0, 1), agency("Sở Y tế", 2, 0, 3, 2)]
    document = ET.fromstring(str(compliance(rows).svg))
    tips = [t.text for t in document.iter(f"{SVG}title")][1:]  # the chart's own title first
    # the shortened label says its full name; the one-report segment is too narrow for its count
    assert tips == ["Ủy ban nhân dân xã Tân Định, thành phố Bến Cát (mới)",
                    "Ủy ban nhân dân xã Tân Định, thành phố Bến Cát (mới) – Muộn hạn: 1"]


def test_the_dashboard_shows_the_agencies_most_behind_and_the_document_all_of_them():
    agencies = [agency(f"Sở số {n:02}", on_time=5, late=n % 3, missing=n % 5, pk=n) for n in range(1, 21)]
    headline = {"due": 0, **{f"state_{s.key}": 0 for s in charts.STATES}}
    shown = charts.report_charts(headline, [], agencies, agency_limit=15)["agencies"]
    every = charts.report_charts(headline, [], agencies)["agencies"]
    assert [row[0] for row in every.rows] == [a["name"] for a in agencies]
    assert len(shown.rows) == 15
    behind = [int(row[2]) + int(row[3]) for row in shown.rows]  # late + not submitted
    assert behind == sorted(behind, reverse=True) and behind[0] == 6
    left_out = {a["name"] for a in agencies} - {row[0] for row in shown.rows}
    assert all(a["late"] + a["missing"] <= behind[-1] for a in agencies if a["name"] in left_out)
    assert str(shown.title) == "15 cơ quan có nhiều báo cáo chưa nộp và nộp muộn nhất (trong 20 cơ quan)"
    # as many as the limit: all of them, as before
    assert len(charts.report_charts(headline, [], agencies[:15], agency_limit=15)["agencies"].rows) == 15


def test_a_chart_whose_figures_are_in_a_table_of_the_page_links_to_it():
    chart = compliance([agency("Sở Y tế", 2, 0, 3, 2)])
    assert "<details" in str(chart.figure) and "<tbody>" in str(chart.figure)
    chart.table_id = "agency-table"
    assert "<tbody>" not in str(chart.figure) and 'href="#agency-table"' in str(chart.figure)
