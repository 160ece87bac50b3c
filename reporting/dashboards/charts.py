"""Charts for the dashboard, the public page and the province report (PDF and Word).

A chart is drawn once, in Python, as a list of marks (a rectangle here, a label there: what is
drawn and where). The documents get those marks as SVG markup (`Chart.svg`). Pages get them as a
compact list (`Chart.figure`: each kind of mark described once, then only the numbers and texts of
each mark), which static/js/charts.js turns into the same SVG elements: a dashboard's forty-odd
charts would otherwise be most of what a leader's browser downloads on every visit (logged-in pages
are never cached). charts.js knows nothing of charts: it makes the elements it is told to, so what
a chart shows is decided here only. Without JavaScript a page shows each chart's caption and its
table of figures instead.

The same function draws a chart for the page and for the PDF (the page passes drill-down links,
the PDF does not). Every chart is readable in black and white: series differ by pattern (solid,
hatched, dotted, empty) as well as colour, and values are written as numbers. Each chart carries
<title> and <desc>, and comes with a table of the same figures as its text alternative. A mark has
its own tooltip only where it says something that is not written beside it (a shortened label's
full text, a count too narrow to be written, an indicator's figure).
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1d2330"
_ids = itertools.count(1)


class Mark(NamedTuple):
    """One element of a chart. `names` and `values` say where it is (its own attributes, numbers
    already placed: see _place); `look` how it looks (shared by every mark of its kind: a page sends
    each look once per chart)."""

    tag: str
    names: tuple  # (attribute, ...)
    values: tuple  # (value, ...)
    look: tuple = ()  # ((attribute, value), ...)
    title: str | None = None  # its tooltip
    content: str | tuple | None = None  # its text, or the marks inside it (a link, a pattern)


def _fill(width, height, fill) -> Mark:
    return Mark("rect", (), (), (("width", width), ("height", height), ("fill", fill)))


# pattern name → (the pattern's look, the marks of one tile)
PATTERNS = {
    "solid": ((("width", 8), ("height", 8)), (_fill(8, 8, "#1f6f43"),)),
    "hatch": ((("width", 6), ("height", 6), ("patternTransform", "rotate(45)")),
              (_fill(6, 6, "#fff4e0"), _fill(2.6, 6, "#9a5b00"))),
    "cross": ((("width", 7), ("height", 7)),
              (_fill(7, 7, "#fdecec"),
               Mark("path", (), (), (("d", "M0 0L7 7M7 0L0 7"), ("stroke", "#a4262c"), ("stroke-width", 1.2))))),
    "dots": ((("width", 6), ("height", 6)),
             (_fill(6, 6, "#ffffff"), Mark("circle", (), (), (("cx", 3), ("cy", 3), ("r", 1.3), ("fill", "#3d4656"))))),
    "light": ((("width", 8), ("height", 8)),
              (_fill(8, 8, "#8fc3a3"),
               Mark("path", (), (), (("d", "M0 4H8"), ("stroke", "#1f6f43"), ("stroke-width", 1))))),
    "empty": ((("width", 8), ("height", 8)), (_fill(8, 8, "#ffffff"),)),
}


@dataclass
class Series:
    key: str
    label: str
    pattern: str


def _e(text) -> str:
    return escape(str(text), quote=True)


def _h(value) -> str:
    """As a template prints a value: escaped unless it is already HTML."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value), quote=True)


def _place(value):
    """A mark's own number (a coordinate) as both the SVG and the page's list write it: one decimal
    at most, none when whole. A look's numbers are written as given."""
    if type(value) is float:
        value = round(value, 1)
        return int(value) if value.is_integer() else value
    return value


@functools.lru_cache(maxsize=64)
def _text_look(size, anchor: str, weight: str, fill: str) -> tuple:
    """A label's look, built once: a dashboard writes thousands of labels in a dozen looks."""
    return (("font-size", size), *((("text-anchor", anchor),) if anchor != "start" else ()),
            *((("font-weight", weight),) if weight != "normal" else ()), ("fill", fill))


def _in_attribute(data: str) -> str:
    """JSON made safe for a single-quoted attribute: what would end it or start a character
    reference is written as a JSON escape (these characters only occur inside JSON strings).
    str.replace rather than str.translate: a page writes ~45 lists and translate is slow on text
    that is not ASCII."""
    return data.replace("&", "\\u0026").replace("'", "\\u0027").replace("<", "\\u003C").replace(">", "\\u003E")


@dataclass(frozen=True)
class Drawing:
    """A chart's marks on its canvas, written as SVG markup or as the page's compact list."""

    uid: str
    title: str
    desc: str
    width: int
    height: int
    marks: tuple

    def markup(self) -> SafeString:
        """The SVG itself (the PDF, the Word file's pictures)."""
        uid = _e(self.uid)
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
            f'font-family="{FONT}" id="{uid}">'
            f'<title id="{uid}-t">{_e(self.title)}</title><desc id="{uid}-d">{_e(self.desc)}</desc>'
            + "".join(_markup(m) for m in self.marks) + "</svg>")

    def shapes(self) -> dict:
        """The marks as the page sends them: {"s": [[tag, look, names of its own attributes], ...],
        "m": [[look index, its own values..., tooltip or 0, text or inner marks], ...]} (trailing
        empties left out). static/js/charts.js makes the same elements from it."""
        looks: dict = {}

        def compact(mark: Mark) -> list:
            key = (mark.tag, mark.look, mark.names)
            index = looks.get(key)
            if index is None:
                index = looks[key] = len(looks)
            item = [index, *mark.values]
            content = [compact(m) for m in mark.content] if isinstance(mark.content, tuple) else mark.content
            if content is not None:
                item += [mark.title or 0, content]
            elif mark.title:
                item.append(mark.title)
            return item

        marks = [compact(m) for m in self.marks]
        return {"s": [[tag, dict(look), list(names)] for tag, look, names in looks],
                "m": marks}

    def placeholder(self) -> SafeString:
        """The page's SVG: its size, title and description (its accessible name and description), and
        its marks as data for charts.js. Short, as a page holds dozens: no ids to tie the title to
        the image (the first <title> and <desc> of an SVG name and describe it), the font from the
        style sheet."""
        data = _in_attribute(json.dumps(self.shapes(), ensure_ascii=False, separators=(",", ":")))
        return mark_safe(f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
                         f"height=\"{self.height}\" role=\"img\" data-shapes='{data}'>"
                         f"<title>{_e(self.title)}</title><desc>{_e(self.desc)}</desc></svg>")


def _markup(mark: Mark) -> str:
    attributes = "".join(f' {name}="{_e(v)}"' for name, v in (*zip(mark.names, mark.values), *mark.look))
    inner = f"<title>{_e(mark.title)}</title>" if mark.title else ""
    if isinstance(mark.content, tuple):
        inner += "".join(_markup(m) for m in mark.content)
    elif mark.content is not None:
        inner += _e(mark.content)
    return f"<{mark.tag}{attributes}>{inner}</{mark.tag}>" if inner else f"<{mark.tag}{attributes}/>"


@dataclass
class Chart:
    """A drawing and the table that says the same in text."""

    uid: str
    title: str
    desc: str
    drawing: Drawing
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    # The id of a table of the page that already gives the chart's figures: the page's figure
    # then links to it rather than carrying the same figures twice.
    table_id: str | None = None

    @property
    def svg(self) -> SafeString:
        """The chart as SVG markup, for documents (the PDF, the Word file)."""
        return self.drawing.markup()

    @property
    def table_body(self) -> SafeString:
        """The data table's rows as HTML: the first cell heads its row, the rest are numbers. Built
        here rather than in a template loop: a dashboard's tables hold over a thousand cells."""
        return mark_safe("".join(
            f'<tr><th scope="row">{_h(row[0])}</th>'
            f'{"".join(f"<td class=\"num\">{_h(v)}</td>" if v != "" else "<td></td>" for v in row[1:])}</tr>'
            for row in self.rows))

    @property
    def figure(self) -> SafeString:
        """The chart on a page, its caption and its data table (what templates/reporting/dashboard/_chart.html
        shows): built here, as a page draws up to fifty of them and a template include per chart
        cost more than drawing the chart. The marks travel as data for static/js/charts.js."""
        label = _h(gettext("Bảng số liệu của biểu đồ"))
        if self.table_id:
            data = f'  <p class="chart-data"><a href="#{_h(self.table_id)}">{label}</a></p>\n'
        else:
            headers = "".join(f'<th scope="col">{_h(h)}</th>' for h in self.headers)
            data = (f'  <details class="chart-data">\n    <summary>{label}</summary>\n'
                    f'    <table class="table compact">\n      <caption class="visually-hidden">{_h(self.desc)}</caption>\n'
                    f'      <thead><tr>{headers}</tr></thead>\n      <tbody>{self.table_body}</tbody>\n    </table>\n'
                    f'  </details>\n')
        return mark_safe(f'<figure class="chart-figure">\n  {self.drawing.placeholder()}\n'
                         f'  <figcaption>{_h(self.title)}</figcaption>\n{data}</figure>')


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _pct(value) -> str:
    if value is None:
        return "—"
    value = round(float(value), 1)
    return (f"{value:.1f}".rstrip("0").rstrip(".")).replace(".", ",") + "%"


class _Svg:
    """The marks of a chart being drawn."""

    def __init__(self, title: str, desc: str, patterns=()):
        self.uid = f"c{next(_ids)}"
        self.title, self.desc = title, desc
        self.marks: list[Mark] = []
        self.patterns = set(patterns)

    def fill(self, pattern: str) -> str:
        if pattern == "solid":  # a plain fill: pattern tiles of one colour show seams in some renderers
            return "#1f6f43"
        self.patterns.add(pattern)
        return f"url(#{self.uid}-{pattern})"

    def sub(self) -> "_Svg":
        """A group of marks drawn with the same patterns, to be wrapped in one link."""
        child = _Svg.__new__(_Svg)
        child.uid, child.title, child.desc, child.patterns, child.marks = self.uid, "", "", self.patterns, []
        return child

    def add_group(self, child: "_Svg", href: str | None) -> None:
        if href:
            self.marks.append(Mark("a", ("href",), (href,), content=tuple(child.marks)))
        else:
            self.marks.extend(child.marks)

    def mark(self, tag: str, at: dict, look: dict | tuple, *, title=None, content=None) -> None:
        self.marks.append(Mark(tag, tuple(at), tuple(map(_place, at.values())),
                               look if type(look) is tuple else tuple(look.items()),
                               str(title) if title else None, None if content is None else str(content)))

    def text(self, x, y, content, *, size=12, anchor="start", weight="normal", fill=INK, title=None) -> None:
        self.marks.append(Mark("text", ("x", "y"), (_place(float(x)), _place(float(y))),
                               _text_look(size, anchor, weight, fill), str(title) if title else None, str(content)))

    def label(self, x, y, label, full, chars: int, **look) -> None:
        """A row's label, shortened to `chars`; the full text as its tooltip when it was shortened."""
        shown = _short(label, chars)
        self.text(x, y, shown, title=full if shown != " ".join(str(full).split()) else None, **look)

    def rect(self, x, y, w, h, pattern, *, stroke=INK, title=None) -> None:
        self.marks.append(Mark("rect", ("x", "y", "width", "height"),
                               (_place(float(x)), _place(float(y)), _place(float(max(w, 0))), _place(float(h))),
                               (("fill", self.fill(pattern)), ("stroke", stroke), ("stroke-width", 0.8)),
                               str(title) if title else None))

    def line(self, x1, y1, x2, y2, **look) -> None:
        self.mark("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2}, look)

    def done(self, width: int, height: int) -> Drawing:
        marks = self.marks
        if self.patterns:
            defs = tuple(Mark("pattern", ("id",), (f"{self.uid}-{p}",),
                              (("patternUnits", "userSpaceOnUse"), *PATTERNS[p][0]), content=PATTERNS[p][1])
                         for p in sorted(self.patterns))
            marks = [Mark("defs", (), (), content=defs), *marks]
        return Drawing(self.uid, str(self.title), str(self.desc), width, height, tuple(marks))


def _text_width(text: str, size: float = 12) -> float:
    """A generous estimate of a label's width in Liberation Sans."""
    return 0.56 * size * len(str(text))


def _legend(svg: _Svg, series: list[Series], x: float, y: float, right: float = 690) -> float:
    """Draw the legend from (x, y), wrapping at `right`; returns the y of its last line."""
    start = x
    for s in series:
        w = 28 + _text_width(s.label)
        if x + w > right and x > start:
            x, y = start, y + 18
        svg.rect(x, y - 10, 14, 12, s.pattern)
        svg.text(x + 19, y, s.label, size=12)
        x += w
    return y


# --- charts ------------------------------------------------------------------------------------

def progress_bars(rows: list[dict], *, title: str, desc: str, label_width: int = 300, width: int = 700,
                  value_label: str = _("Tiến độ bình quân")) -> Chart:
    """Horizontal bars 0–100 %: rows of {label, full, value (None = no report), note, href}."""
    svg = _Svg(title, desc)
    row_h, top = 26, 26
    bar_x, bar_w = label_width + 10, width - label_width - 10 - 170
    height = top + row_h * len(rows) + 10
    for pct in (0, 25, 50, 75, 100):
        x = bar_x + bar_w * pct / 100
        svg.line(float(x), top - 6, float(x), height - 8, stroke="#c9ced6", **{"stroke-dasharray": "2 3"})
        svg.text(x, top - 10, f"{pct}%", size=10, anchor="middle", fill="#5b6472")
    for i, row in enumerate(rows):
        y = top + i * row_h
        inner = svg.sub()
        inner.label(label_width, y + 15, row["label"], row.get("full") or row["label"], int(label_width / 6.4),
                    size=12, anchor="end")
        inner.rect(bar_x, y + 4, bar_w, 14, "empty", stroke="#9aa3af")
        value = row.get("value")
        if value is not None:  # its figure is written beside it
            inner.rect(bar_x, y + 4, bar_w * min(float(value), 100) / 100, 14, "solid")
        note = _pct(value) if value is not None else str(_("chưa có BC"))
        if row.get("note"):
            note += f" · {row['note']}"
        inner.text(bar_x + bar_w + 6, y + 15, note, size=11, weight="bold" if value is not None else "normal")
        svg.add_group(inner, row.get("href"))
    headers = [_("Mục"), value_label, _("Ghi chú")]
    table = [[row.get("full") or row["label"], _pct(row.get("value")), row.get("note", "")] for row in rows]
    return Chart(svg.uid, title, desc, svg.done(width, height), headers, table)


def stacked_bars(rows: list[dict], series: list[Series], *, title: str, desc: str, label_width: int = 300,
                 width: int = 700, total_label: str = _("Tổng")) -> Chart:
    """Horizontal stacked bars: rows of {label, full, values {key: n}, hrefs {key: url}}; bar
    lengths share one scale (the largest total), each segment labelled with its count."""
    svg = _Svg(title, desc)
    row_h = 24
    bar_x, bar_w = label_width + 10, width - label_width - 10 - 50
    top = _legend(svg, series, bar_x, 14, right=width) + 20
    height = top + row_h * len(rows) + 8
    biggest = max([sum(r["values"].get(s.key, 0) for s in series) for r in rows] + [1])
    for i, row in enumerate(rows):
        y = top + i * row_h
        full = row.get("full") or row["label"]
        svg.label(label_width, y + 14, row["label"], full, int(label_width / 6.4), size=12, anchor="end")
        x = bar_x
        for s in series:
            n = row["values"].get(s.key, 0)
            if not n:
                continue
            w = bar_w * n / biggest
            inner = svg.sub()
            written = w >= 16
            # a segment too narrow for its count says it as a tooltip
            inner.rect(x, y + 3, w, 15, s.pattern, title=None if written else f"{full} – {s.label}: {n}")
            if written:
                fill = "#ffffff" if s.pattern == "solid" else INK
                # a white box behind the count keeps it readable over a pattern
                if s.pattern not in ("solid", "empty"):
                    inner.mark("rect", {"x": float(x + w / 2 - 8), "y": float(y + 5)},
                               {"width": 16, "height": 11, "fill": "#ffffff", "opacity": 0.85})
                inner.text(x + w / 2, y + 14.5, n, size=10, anchor="middle", weight="bold", fill=fill)
            svg.add_group(inner, (row.get("hrefs") or {}).get(s.key))
            x += w
        total = sum(row["values"].get(s.key, 0) for s in series)
        svg.text(x + 5, y + 14.5, total, size=11, fill="#5b6472")
    headers = [_("Mục")] + [s.label for s in series] + [total_label]
    table = [[row.get("full") or row["label"]] + [str(row["values"].get(s.key, 0)) for s in series]
             + [str(sum(row["values"].get(s.key, 0) for s in series))] for row in rows]
    return Chart(svg.uid, title, desc, svg.done(width, height), headers, table)


def grouped_columns(categories: list[dict], series: list[Series], *, title: str, desc: str, width: int = 700,
                    height: int = 230, unit: str = "%") -> Chart:
    """Vertical columns, one group per category {label, values {key: number}, current: bool}; each
    column's figure is written above it."""
    svg = _Svg(title, desc)
    top, bottom, left = 40, 34, 40
    plot_h = height - top - bottom
    _legend(svg, series, left, 16)
    maximum = 100 if unit == "%" else max([v or 0 for c in categories for v in c["values"].values()] + [1])
    for tick in range(0, 101, 25):
        value = maximum * tick / 100
        y = top + plot_h - plot_h * tick / 100
        svg.line(left, float(y), width - 10, float(y), stroke="#e1e5ea")
        svg.text(left - 4, y + 4, f"{round(value)}{unit}", size=10, anchor="end", fill="#5b6472")
    group_w = (width - left - 20) / max(len(categories), 1)
    col_w = min(34, (group_w - 16) / max(len(series), 1))
    for i, cat in enumerate(categories):
        gx = left + 10 + i * group_w + (group_w - col_w * len(series)) / 2
        for j, s in enumerate(series):
            v = cat["values"].get(s.key)
            x = gx + j * col_w
            if v is None:
                svg.text(x + col_w / 2, top + plot_h - 4, "—", size=11, anchor="middle")
                continue
            h = plot_h * min(float(v), maximum) / maximum
            svg.rect(x + 1, top + plot_h - h, col_w - 2, h, s.pattern)
            svg.text(x + col_w / 2, top + plot_h - h - 4, _pct(v) if unit == "%" else v, size=10, anchor="middle",
                     weight="bold")
        svg.text(left + 10 + i * group_w + group_w / 2, height - 12, cat["label"], size=12, anchor="middle",
                 weight="bold" if cat.get("current") else "normal")
    svg.line(left, top + plot_h, width - 10, top + plot_h, stroke=INK)
    headers = [_("Kỳ")] + [s.label for s in series]
    table = [[cat["label"]] + [(_pct(cat["values"].get(s.key)) if unit == "%" else str(cat["values"].get(s.key)))
                               for s in series] for cat in categories]
    return Chart(svg.uid, title, desc, svg.done(width, height), headers, table)


SHADES = (0.15, 0.3, 0.45, 0.6, 0.75)


def timeline_chart(rows: list[dict], years: list[int], *, today: dt.date, title: str, desc: str,
                   label_width: int = 250, width: int = 700) -> Chart:
    """Themes × years: each cell holds the number of activities running that year (shade and
    number), a dashed line marks today. rows: {label, full, per_year {year: n}, href}."""
    svg = _Svg(title, desc)
    row_h, top = 20, 40
    col_w = (width - label_width - 20) / max(len(years), 1)
    height = top + row_h * len(rows) + 12
    biggest = max([n for r in rows for n in r["per_year"].values()] + [1])
    for j, year in enumerate(years):
        svg.text(label_width + 10 + j * col_w + col_w / 2, top - 6, year, size=11, anchor="middle",
                 weight="bold" if year == today.year else "normal")
    for i, row in enumerate(rows):
        y = top + i * row_h
        inner = svg.sub()
        inner.label(label_width, y + 14, row["label"], row.get("full") or row["label"], int(label_width / 6.4),
                    size=11, anchor="end")
        for j, year in enumerate(years):
            n = row["per_year"].get(year, 0)
            x = label_width + 10 + j * col_w
            if n:  # the cell's number is written in it, under its year's heading; its shade in five steps
                inner.mark("rect", {"x": float(x + 1), "y": y + 2},
                           {"width": round(col_w - 2, 1), "height": row_h - 4, "fill": "#1f6f43",
                            "fill-opacity": SHADES[min(int(5 * n / biggest), 4)], "stroke": INK, "stroke-width": 0.5})
                inner.text(x + col_w / 2, y + 14, n, size=10, anchor="middle", weight="bold")
        svg.add_group(inner, row.get("href"))
    if years and years[0] <= today.year <= years[-1]:
        frac = (today - dt.date(today.year, 1, 1)).days / 365.25
        x = label_width + 10 + (years.index(today.year) + frac) * col_w
        svg.line(float(x), top - 2, float(x), height - 6, stroke="#a4262c",
                 **{"stroke-width": 2, "stroke-dasharray": "5 3"})
        svg.text(min(x, width - 60), 12, _("Hôm nay %(day)s") % {"day": f"{today:%d/%m/%Y}"}, size=11,
                 anchor="middle", weight="bold", fill="#a4262c")
    headers = [_("Chủ đề")] + [str(y) for y in years]
    table = [[row.get("full") or row["label"]] + [str(row["per_year"].get(y, 0) or "") for y in years] for row in rows]
    return Chart(svg.uid, title, desc, svg.done(width, height), headers, table)


# --- series used across the portal -------------------------------------------------------------

COMPLIANCE = [Series("on_time", _("Đúng hạn"), "solid"), Series("late", _("Muộn hạn"), "hatch"),
              Series("missing", _("Chưa nộp"), "dots")]
STATES = [Series("accepted", _("Đã chấp nhận"), "solid"), Series("submitted", _("Đã gửi, chờ thẩm định"), "light"),
          Series("returned", _("Trả lại để sửa"), "cross"), Series("draft", _("Đang soạn"), "hatch"),
          Series("missing", _("Chưa báo cáo"), "dots")]
HISTORY = [Series("on_time_rate", _("Tỷ lệ nộp đúng hạn"), "solid"), Series("mean_percent", _("Tiến độ bình quân"), "hatch")]


def most_behind(agencies: list[dict], limit: int) -> list[dict]:
    """The `limit` agencies with the most reports missing or late (missing first on a tie, then in
    the order given), most first."""
    return sorted(agencies, key=lambda a: (-(a["missing"] + a["late"]), -a["missing"]))[:limit]


def report_charts(headline: dict, themes: list[dict], agencies: list[dict], links=None, *,
                  agency_limit: int | None = None) -> dict:
    """The charts of the report; the dashboard draws the same ones with drill-down `links`.
    Labels follow the active language: the dashboard's, or Vietnamese for the document. With
    `agency_limit`, the agencies' chart shows only that many, those with the most reports missing
    or late (the dashboard; its table lists them all), when there are more."""
    links = links or {}
    states = stacked_bars(
        [{"label": _("Báo cáo phải nộp"), "values": {s.key: headline[f"state_{s.key}"] for s in STATES},
          "hrefs": links.get("states", {})}],
        STATES, title=_("Tình trạng báo cáo của kỳ"),
        desc=_("%(due)s báo cáo phải nộp, chia theo tình trạng gửi và thẩm định.") % {"due": headline["due"]},
        label_width=130,
    )
    theme_rows = [{"label": f"{t['code']}. {t['title']}", "value": t["mean_percent"],
                   "note": _("%(submitted)s/%(due)s mục đã BC") % {"submitted": t["submitted"], "due": t["due"]},
                   "href": links.get("theme", {}).get(t["id"])}
                  for t in themes]
    progress = progress_bars(
        theme_rows, title=_("Tiến độ theo chủ đề"),
        desc=_("Trung bình cộng tỷ lệ hoàn thành của các mục đã gửi báo cáo, theo từng chủ đề; bên cạnh là số mục "
               "đã báo cáo trên tổng số mục phải báo cáo."),
    )
    title = _("Tình hình nộp báo cáo của các cơ quan")
    desc = _("Số báo cáo nộp đúng hạn, nộp muộn và chưa nộp của từng cơ quan chủ trì.")
    if agency_limit is not None and len(agencies) > agency_limit:
        numbers = {"shown": agency_limit, "total": len(agencies)}
        agencies = most_behind(agencies, agency_limit)
        title = _("%(shown)s cơ quan có nhiều báo cáo chưa nộp và nộp muộn nhất (trong %(total)s cơ quan)") % numbers
        desc = _("Số báo cáo nộp đúng hạn, nộp muộn và chưa nộp của %(shown)s cơ quan chủ trì có nhiều báo cáo chưa "
                 "nộp và nộp muộn nhất, xếp từ nhiều đến ít; số liệu của cả %(total)s cơ quan ở bảng bên "
                 "dưới.") % numbers
    agency_rows = [{"label": a["name"], "values": {"on_time": a["on_time"], "late": a["late"], "missing": a["missing"]},
                    "hrefs": links.get("agency", {}).get(a["agency_id"], {})} for a in agencies]
    compliance = stacked_bars(agency_rows, COMPLIANCE, title=title, desc=desc)
    return {"states": states, "themes": progress, "agencies": compliance}


# --- indicators ----------------------------------------------------------------------------------

def _vn(value, places=2) -> str:
    from reporting.indicators.numbers import format_number

    return format_number(value, places) if value is not None else "—"


def indicator_chart(view, *, title: str, width: int = 460, height: int = 220) -> Chart:
    """One indicator over the years: the baseline (square), the accepted figures (solid line and
    dots), the path to each target (dashed) and the targets (diamonds; a range as a bar). Readable
    in black and white: each mark has its own shape, and its figure as a tooltip and in the table."""
    from reporting.indicators.status import expected_at, target_goal

    _ = gettext  # translated once per call, not lazily per use: a plan draws forty of these
    pi = view.pi
    direction = pi.indicator.direction
    goals = {}
    for t in view.targets:
        goals[t.year] = target_goal(t, direction=direction, baseline_value=pi.baseline_value,
                                    baseline_year=pi.baseline_year, series=view.series)
    years = sorted({*view.series, *goals, *([pi.baseline_year] if pi.baseline_year else [])})
    desc = _("Giá trị cơ sở, số liệu đã chấp nhận, đường cần đạt và chỉ tiêu. Trạng thái: %(status)s. %(method)s") % {
        "status": view.status.label, "method": view.status.method}
    svg = _Svg(title, desc)
    svg.uid = f"i{pi.pk}"  # one chart per indicator on a page: drawn parts kept apart keep distinct ids
    numbers = [float(v) for v in view.series.values()] + [float(g) for g in goals.values() if g is not None]
    numbers += [float(x) for t in view.targets for x in (t.min, t.max) if x is not None]
    if pi.baseline_value is not None:
        numbers.append(float(pi.baseline_value))
    left, right, top, bottom = 56, width - 16, 16, height - 30
    if not years or not numbers:
        svg.text(width / 2, height / 2, _("Chưa có số liệu"), anchor="middle")
        return Chart(svg.uid, title, desc, svg.done(width, height), [_("Năm")], [])
    low, high = min(numbers + [0.0]), max(numbers)
    if high == low:
        high = low + 1
    high += (high - low) * 0.08
    span_years = max(years[-1] - years[0], 1)

    def x(year):
        return left + (year - years[0]) / span_years * (right - left)

    def y(value):
        return bottom - (float(value) - low) / (high - low) * (bottom - top)

    svg.line(left, bottom, right, bottom, stroke=INK, **{"stroke-width": 0.8})
    for frac in (0, 0.5, 1):
        value = low + (high - low) * frac
        svg.text(left - 4, y(value) + 4, _vn(value, 1), size=10, anchor="end")
    for year in years:
        svg.text(x(year), bottom + 16, year, size=10, anchor="middle")
    # the target path: from the baseline through each target, dashed
    if pi.baseline_value is not None and pi.baseline_year is not None:
        points = [(pi.baseline_year, pi.baseline_value)]
        for t in sorted(view.targets, key=lambda t: t.year):
            if goals.get(t.year) is not None and t.year > points[-1][0]:
                if t.kind == "rate":  # a compounding path: one point a year
                    for yr in range(points[-1][0] + 1, t.year):
                        points.append((yr, expected_at(yr, t, goals[t.year], baseline_value=pi.baseline_value,
                                                      baseline_year=pi.baseline_year)))
                points.append((t.year, goals[t.year]))
        if len(points) > 1:
            path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in points)
            svg.mark("polyline", {"points": path}, {"fill": "none", "stroke": "#9a5b00", "stroke-width": 1.6,
                                                    "stroke-dasharray": "6 4"}, title=_("Đường cần đạt"))
        bx, by = x(pi.baseline_year), y(pi.baseline_value)
        svg.mark("rect", {"x": bx - 5, "y": by - 5}, {"width": 10, "height": 10, "fill": "#ffffff", "stroke": INK,
                                                      "stroke-width": 1.5},
                 title=f"{_('Giá trị cơ sở')} {pi.baseline_year}: {_vn(pi.baseline_value)}")
    for t in view.targets:
        tx = x(t.year)
        if t.kind == "range" and t.min is not None and t.max is not None:
            svg.mark("rect", {"x": tx - 4, "y": y(t.max), "height": float(max(y(t.min) - y(t.max), 1))},
                     {"width": 8, "fill": svg.fill("hatch"), "stroke": INK, "stroke-width": 0.8},
                     title=f"{_('Chỉ tiêu')} {t.year}: {_vn(t.min)} – {_vn(t.max)}")
        elif goals.get(t.year) is not None:
            ty = y(goals[t.year])
            diamond = f"M{tx:.1f} {ty - 7:.1f}L{tx + 7:.1f} {ty:.1f}L{tx:.1f} {ty + 7:.1f}L{tx - 7:.1f} {ty:.1f}Z"
            svg.mark("path", {"d": diamond},
                     {"fill": "#9a5b00", "stroke": INK, "stroke-width": 0.8},
                     title=f"{_('Chỉ tiêu')} {t.year}: {_vn(goals[t.year])}")
    observed = sorted(view.series.items())
    if len(observed) > 1:
        path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in observed)
        svg.mark("polyline", {"points": path}, {"fill": "none", "stroke": "#1f6f43", "stroke-width": 2.2})
    for yr, v in observed:  # the figures are not written on the chart: each says its own as a tooltip
        svg.mark("circle", {"cx": x(yr), "cy": y(v)}, {"r": 4.5, "fill": "#1f6f43", "stroke": INK, "stroke-width": 0.8},
                 title=f"{yr}: {_vn(v)}")
    headers = [_("Năm"), _("Giá trị cơ sở"), _("Số liệu đã chấp nhận"), _("Chỉ tiêu")]
    rows = []
    for year in years:
        target = next((t for t in view.targets if t.year == year), None)
        if target is not None and target.kind == "range":
            target_text = f"{_vn(target.min)} – {_vn(target.max)}"
        else:
            target_text = _vn(goals.get(year)) if target is not None else ""
        rows.append([str(year), _vn(pi.baseline_value) if year == pi.baseline_year else "",
                     _vn(view.series[year]) if year in view.series else "", target_text])
    return Chart(svg.uid, title, desc, svg.done(width, height), headers, rows)
