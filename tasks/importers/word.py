"""Read a plan from a Word document (.docx): the heading, the body and the appendix table.

Provinces publish their plans as Word files whose appendix is a table; the column order and the
header wording vary from one province to the next, rows may be themes merged across the table,
task groups ("1.1."), activities ("1.1.1.") or lettered sub-items ("a)") printed without their
parent's code. This reader does what only a Word file needs (find the table by its header row,
map the columns by their header words, read merged rows, lettered items, timeline wordings and a
priority column) and writes the document out as the plain text the plan-document parser reads:
one paragraph per line, one table row per tab-separated line in the parser's column order. The
parser then builds the plan (body themes and groups, closing summary, flags) exactly as for the
scan, so both paths share one intermediate form and one import service.

Line numbers in the import report count the document's paragraphs and table rows in order.
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from agencies.text import fold, nfc

from .document import Flag, ParsedPlan, normalize_code, parse_plan_document

# Header words → field. The first field whose words a header cell contains wins, so the more
# specific phrases come first ("cơ quan chủ trì" before the generic "nhiệm vụ").
HEADER_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("lead", ("chu tri",)),
    ("support", ("phoi hop",)),
    ("timeline", ("thoi gian", "thoi han", "tien do", "nam thuc hien", "nam hoan thanh")),
    ("priority", ("uu tien",)),
    # "Dự án, Đề án, Nhiệm vụ (Dự kiến)" is plan 396's outputs column, not a second content column.
    ("outputs", ("san pham", "ket qua", "du kien", "du an", "de an")),
    ("code", ("stt", "tt", "so tt", "so thu tu", "ma", "ma so")),
    ("content", ("noi dung", "nhiem vu", "hoat dong", "ten nhiem vu")),
]
FIELD_LABELS = {
    "code": "Số thứ tự/mã", "content": "Nội dung nhiệm vụ, hoạt động", "lead": "Cơ quan chủ trì",
    "support": "Cơ quan phối hợp", "timeline": "Thời gian thực hiện", "priority": "Mức độ ưu tiên",
    "outputs": "Sản phẩm dự kiến",
}
# The parser's column order (document.py reads the timeline in column 2 and the lead in column 3).
PARSER_COLUMNS = ("code", "content", "timeline", "lead", "support", "outputs")
PARSER_HEADER = "TT\tNội dung nhiệm vụ, hoạt động cụ thể\tThời gian thực hiện\tCơ quan chủ trì\tCơ quan phối hợp\tSản phẩm"
PRIORITY_YES = {"cao", "uu tien", "x", "co", "rat cao", "uu tien cao", "√", "v"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11,
          "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19, "xx": 20}


class NotADocx(ValueError):
    pass


def is_docx(data: bytes) -> bool:
    """A .docx is a zip holding word/document.xml (an .xlsx is a zip too)."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


# ============================================================================================
# Entry point
# ============================================================================================

@dataclass
class _RowMeta:
    high_priority: bool = False
    bad_timeline: str | None = None


@dataclass
class WordText:
    """The document as the parser's text, with what only the Word reader knows."""

    lines: list[str] = field(default_factory=list)
    rows: dict[int, _RowMeta] = field(default_factory=dict)  # 1-based line → row facts
    recognised: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    table_found: bool = False
    table_rows: int = 0
    columns: list[str | None] = field(default_factory=list)  # the appendix table's, for a table that continues it


def parse_plan_docx(data: bytes) -> tuple[ParsedPlan, WordText]:
    """Parse a .docx into the plan-document intermediate form. Raises NotADocx for a broken file."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NotADocx(f"không mở được tệp Word ({exc})") from exc
    wt = _document_text(document)
    parsed = parse_plan_document("\n".join(wt.lines))
    _heading(parsed, wt.lines)
    _row_facts(parsed, wt)
    if wt.table_found:
        parsed.warnings.insert(0, "Tệp Word: cột nhận ra – " + ", ".join(wt.recognised)
                               + ("; cột bỏ qua – " + ", ".join(wt.ignored) if wt.ignored else "; không có cột bị bỏ qua")
                               + ".")
        parsed.warnings.insert(1, "Tệp Word: số dòng trong báo cáo là số thứ tự đoạn văn và hàng bảng của tệp.")
    return parsed, wt


# ============================================================================================
# Document → lines
# ============================================================================================

def _document_text(document) -> WordText:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    wt = WordText()
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            wt.lines.append(_clean(Paragraph(block, document).text))
        elif tag == "tbl":
            _table(Table(block, document), wt)
    return wt


def _clean(s: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", nfc(s or "")).strip()


def _cell_paragraphs(cell) -> list[str]:
    out: list[str] = []
    for p in cell.paragraphs:
        for piece in (p.text or "").split("\n"):  # a soft line break (Shift+Enter) is a new line too
            piece = _clean(piece)
            if piece:
                out.append(piece)
    return out


def _unique_cells(cells) -> list:
    """The row's cells, a merged cell once (python-docx repeats it in every grid column)."""
    seen, out = set(), []
    for cell in cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell)
    return out


def _header_fields(texts: list[str]) -> list[str | None]:
    fields: list[str | None] = []
    for t in texts:
        f = re.sub(r"[^\w\s]", " ", fold(t))
        f = re.sub(r"\s+", " ", f).strip()
        found = None
        for name, words in HEADER_WORDS:
            if any(re.search(rf"(?:^|\s){re.escape(w)}(?:$|\s)", f) for w in words):
                found = name
                break
        fields.append(found)
    return fields


def _is_header(fields: list[str | None]) -> bool:
    return "content" in fields and bool({"lead", "timeline", "support"} & set(fields))


def _table(table, wt: WordText) -> None:
    rows = list(table.rows)
    columns: list[str | None] | None = None
    header_texts: list[str] = []
    for row in rows:
        cells = list(row.cells)
        texts = ["\n".join(_cell_paragraphs(c)) for c in cells]
        if columns is None:
            fields = _header_fields(texts)
            if not _is_header(fields) and wt.columns and len(cells) == len(wt.columns) \
                    and re.match(r"^\d{1,2}(?:\.\d{1,3})*\.?$", texts[wt.columns.index("code")].strip()
                                 if "code" in wt.columns else ""):
                # A table that goes on where the appendix table stopped (Word splits tables at
                # section breaks): same columns, first row a coded row, no header of its own.
                columns = wt.columns
            elif _is_header(fields):
                columns, header_texts = fields, texts
                wt.columns = fields
                wt.table_found = True
                wt.lines.append(PARSER_HEADER)
                continue
            else:
                # Not (yet) the appendix: the heading table and the like, one line per paragraph.
                for cell in _unique_cells(cells):
                    wt.lines.extend(_cell_paragraphs(cell))
                continue
        if _header_fields(texts) == columns or _is_numbering_row(texts):
            continue  # the header repeated on a new page, or the "(1) (2) (3)" row under it
        if not any(texts):
            continue
        _data_row(cells, columns, wt)
    if columns is not None:
        seen: set[str] = set()
        for text, name in zip(header_texts, columns):
            label = _ws(text)
            if not label or label in seen:
                continue
            seen.add(label)
            if name is None:
                wt.ignored.append(f"“{label}”")
            else:
                wt.recognised.append(f"“{label}” → {FIELD_LABELS[name]}")


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def _is_numbering_row(texts: list[str]) -> bool:
    vals = [t.strip() for t in texts if t.strip()]
    return len(vals) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?|[A-Z]", v) for v in vals)


_THEME_CELL = re.compile(r"^(?:chu de|linh vuc|phan)\s+(\d{1,2}|[ivx]{1,5})\s*[.:)\-–]?\s*(.*)$", re.S)
_LETTER_CELL = re.compile(r"^([a-zđ])\s*[).]?$")
_LETTER_TEXT = re.compile(r"^([a-zđ])\)\s+(.*)$", re.S)
_CODE_TEXT = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){1,3})\.?\s+(.*)$", re.S)


def _data_row(cells, columns: list[str | None], wt: WordText) -> None:
    values: dict[str, list[str]] = {}
    seen_tc: set[int] = set()
    for cell, name in zip(cells, columns):
        if name is None or id(cell._tc) in seen_tc:
            continue
        seen_tc.add(id(cell._tc))
        values.setdefault(name, []).extend(_cell_paragraphs(cell))
    unique = _unique_cells(cells)
    joined = " ".join(_cell_paragraphs(unique[0])) if unique else ""

    # A theme: one cell merged across the table, or "Chủ đề N. …" / a Roman numeral in the code cell.
    theme = None
    if len(unique) == 1:
        theme = _theme_of(joined)
        if theme is None:
            theme = ("", joined)
    else:
        code_text = " ".join(values.get("code", []))
        content_text = " ".join(values.get("content", []))
        if not code_text and _theme_of(content_text):
            theme = _theme_of(content_text)
        elif fold(code_text).strip(" .") in _ROMAN and content_text:
            theme = (str(_ROMAN[fold(code_text).strip(" .")]), content_text)
        elif _theme_of(code_text) and _theme_of(code_text)[1]:
            theme = _theme_of(code_text)
    if theme is not None:
        number, title = theme
        if number:
            wt.lines.append(f"{number}\t{title}")
            wt.table_rows += 1
        else:
            wt.lines.append(title)  # a caption across the table, not a numbered part
        return

    code = _ws(" ".join(values.get("code", [])))
    content = list(values.get("content", []))
    if not code and content:
        # The code printed at the start of the content ("1.1.2. Hỗ trợ …", "a) Mở tuyến …").
        numbered, lettered = _CODE_TEXT.match(content[0]), _LETTER_TEXT.match(content[0])
        if numbered:
            code, content[0] = numbered.group(1), numbered.group(2)
        elif lettered:
            code, content[0] = lettered.group(1) + ")", lettered.group(2)
    letter = _LETTER_CELL.match(fold(code))
    if letter:
        parent = _last_activity(wt)
        code = f"{parent} {letter.group(1)}" if parent else ""
    elif code:
        code = normalize_code(code.rstrip(". "))

    meta = _RowMeta()
    prio = values.get("priority", [])
    if prio and fold(" ".join(prio)).strip(" .") in PRIORITY_YES:
        meta.high_priority = True
    if re.search(r"\(\s*(?:cao|uu tien)\s*\)", fold(" ".join(content))):
        meta.high_priority = True
    timeline = ""
    raw_time = _ws(" ".join(values.get("timeline", [])))
    if raw_time:
        timeline = read_timeline(raw_time)
        if timeline is None:
            meta.bad_timeline, timeline = raw_time, ""
    cols = {
        "code": code, "content": "<br>".join(content), "timeline": timeline,
        "lead": "<br>".join(_agency_pieces(values.get("lead", []))),
        "support": "<br>".join(_agency_pieces(values.get("support", []))),
        "outputs": "<br>".join(values.get("outputs", [])),
    }
    wt.lines.append("\t".join(cols[c].replace("\t", " ") for c in PARSER_COLUMNS))
    wt.table_rows += 1
    if code:
        wt.rows[len(wt.lines)] = meta
    elif wt.rows:
        # A continuation row adds to the row above it.
        last = wt.rows[max(wt.rows)]
        last.high_priority |= meta.high_priority
        last.bad_timeline = last.bad_timeline or meta.bad_timeline


def _theme_of(text: str) -> tuple[str, str] | None:
    m = _THEME_CELL.match(fold(text).strip())
    if not m:
        return None
    num = m.group(1)
    number = str(int(num)) if num.isdigit() else str(_ROMAN.get(num, ""))
    title = text.strip()[len(text.strip()) - len(m.group(2)):].strip(" .:-–") if m.group(2) else ""
    return (number, title) if number else None


def _last_activity(wt: WordText) -> str | None:
    """The code of the activity above a lettered sub-item (the sub-item's parent)."""
    for line in reversed(wt.lines):
        if "\t" not in line:
            continue
        code = line.split("\t", 1)[0]
        if re.fullmatch(r"\d+(?:\.\d+){2,}", code):
            return code
        if re.fullmatch(r"\d+(?:\.\d+)*", code) and code.count(".") < 2:
            return None  # a group or theme came first: nothing to hang the letter on
    return None


def _agency_pieces(paragraphs: list[str]) -> list[str]:
    """Agencies one per paragraph; a new line or ';' separates them (commas do not: "Các sở, ban,
    ngành" is one name, and the parser keeps such groups whole)."""
    out: list[str] = []
    for p in paragraphs:
        for piece in p.split(";"):
            piece = piece.strip(" -–+•.,")
            if piece:
                out.append(piece)
    return out


_QUARTER = re.compile(r"^(?:quy|q)\s*([ivx]{1,3}|[1-4])\s*[/,.\-–]?\s*(?:nam\s*)?(\d{4})$")


def read_timeline(text: str) -> str | None:
    """A timeline cell in the parser's form ("2023 - 2030", "2024"), or None when unreadable.

    "2023 - 2030", "2023-2025", "Năm 2023", "Giai đoạn 2023 - 2030", "Từ 2023 đến 2025",
    "Quý IV/2024", "Tháng 6/2024", "2023, 2025".
    """
    f = fold(text).strip(" .")
    f = re.sub(r"^(?:giai doan|nam|tu nam|tu|trong nam|thoi gian)\s+", "", f)
    f = re.sub(r"\s*(?:den|toi)\s*(?:nam\s*)?", " - ", f)
    m = _QUARTER.match(f)
    if m:
        return m.group(2)
    m = re.fullmatch(r"(?:thang\s*)?\d{1,2}\s*/\s*(\d{4})", f)
    if m:
        return m.group(1)
    m = re.fullmatch(r"(\d{4})\s*(?:[-–—]\s*(\d{4}))?", f)
    if m:
        return f"{m.group(1)} - {m.group(2)}" if m.group(2) else m.group(1)
    years = re.findall(r"\b(\d{4})\b", f)
    if years and re.fullmatch(r"[\d\s,;-]+", re.sub(r"\bva\b", ",", f)):  # "2023, 2025 và 2027"
        return f"{min(years)} - {max(years)}" if len(set(years)) > 1 else years[0]
    return None


# ============================================================================================
# Heading: what the Word layout states more plainly than the parser can guess
# ============================================================================================

def _heading(parsed: ParsedPlan, lines: list[str]) -> None:
    head = [ln for ln in lines[:60] if "\t" not in ln]
    drop: set[str] = set()
    # Issuing body and province: "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" / "UBND THÀNH PHỐ …", often on two lines.
    joined = [f"{a} {b}" if fold(a).strip() in ("uy ban nhan dan", "ubnd") else a for a, b in zip(head, head[1:] + [""])]
    for ln in joined:
        m = re.match(r"^(?:ủy|uỷ) ban nhân dân\s+(tỉnh|thành phố)\s+(.+)$|^ubnd\s+(tỉnh|thành phố)\s+(.+)$",
                     ln.lower().strip())
        if m:
            kind = m.group(1) or m.group(3)
            name = _proper(ln.strip()[len(ln.strip()) - len(m.group(2) or m.group(4)):])
            if fold(parsed.jurisdiction or "") != fold(name):
                # The parser counted mentions and chose another name; its contradictions are about that one.
                parsed.flags = [f for f in parsed.flags if f.code != "province_contradiction"]
            parsed.jurisdiction = name
            parsed.issuing_body = f"Ủy ban nhân dân {kind} {name}"
            break
    # Number: "Số: 2151/KH-UBND" (or the decision's "Số: 1234/QĐ-UBND" that issues the plan).
    for ln in head[:20]:
        m = re.match(r"^số\s*[:.]?\s*(\d{1,5})\s*/\s*([A-ZĐ]+(?:\s*-\s*[A-ZĐ]+)*)", ln.strip(), re.I)
        if m:
            parsed.number = f"{m.group(1)}/{re.sub(r'\s+', '', m.group(2)).upper()}"
            drop |= {"missing_number", "number_contradiction"}
            parsed.warnings = [w for w in parsed.warnings if "chuẩn hoá thành" not in w]
            break
    # Date: "<nơi>, ngày 12 tháng 5 năm 2023".
    for ln in head[:20]:
        m = re.search(r",\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})", fold(ln))
        if m:
            try:
                parsed.issued_on = datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                drop |= {"missing_date", "date_contradiction"}
            except ValueError:
                pass
            break
    # Title: the "KẾ HOẠCH" heading (a decision attaches it after its articles) and its next lines.
    title = _title(head)
    if title:
        parsed.title = title
        m = re.search(r"(\d{4})\s*[-–—]\s*(\d{4})", title)
        if m:
            parsed.period_start, parsed.period_end = int(m.group(1)), int(m.group(2))
            drop |= {"missing_period", "period_contradiction"}
    parsed.flags = [f for f in parsed.flags if f.code not in drop]


def _proper(name: str) -> str:
    name = name.strip(" .,")
    return name.title() if name.isupper() else name


def _title(head: list[str]) -> str:
    for i, ln in enumerate(head):
        if not (fold(ln).startswith("ke hoach") and ln.upper() == ln and len(ln) < 250):
            continue
        parts = [ln]
        for nxt in head[i + 1:]:
            f = fold(nxt)
            if not nxt or f.startswith(("(ban hanh", "ban hanh kem", "can cu", "kem theo", "i.", "i ")) or len(nxt) > 250:
                break
            if nxt.startswith("-") or f.startswith("---"):
                break
            parts.append(nxt)
        text = " ".join(p.strip().lower() if p.upper() == p else p.strip() for p in parts)
        text = text[:1].upper() + text[1:]
        text = re.sub(r"^(Kế hoạch)\s+(\S)", lambda m: f"{m.group(1)} {m.group(2).lower()}", text)
        return _restore_names(text, head)
    return ""


def _restore_names(text: str, head: list[str]) -> str:
    """Capitalise the province name a lowered capital heading lost ("tỉnh quảng trị" → "tỉnh Quảng Trị")."""
    def cap(m):
        words = m.group(2).split()
        return m.group(1) + " " + " ".join(w[:1].upper() + w[1:] for w in words)

    return re.sub(r"\b(tỉnh|thành phố)\s+((?:[^\W\d_]+\s?){1,3}?)(?=\s+giai đoạn|\s+năm|\s*$|\s+đến|,)",
                  cap, text)


# ============================================================================================
# Row facts the parser's text cannot carry
# ============================================================================================

def _row_facts(parsed: ParsedPlan, wt: WordText) -> None:
    # A Word file has no lost pages: a group the body states is "missing" from the table only if
    # none of its activities is there either, and then it is said in those words.
    parents = {it.parent_code for it in parsed.items}
    for it in parsed.items:
        if it.level != "group" or not any(f.code == "missing_from_scan" for f in it.flags):
            continue
        it.flags = [f for f in it.flags if f.code != "missing_from_scan"]
        if it.code not in parents:
            it.flags.append(Flag("group_without_activities",
                                 f"Nhóm nhiệm vụ {it.code} có trong phần nội dung (dòng {it.source_line}) nhưng bảng "
                                 f"Phụ lục không có dòng nào của nhóm.", it.source_line))
    for it in parsed.items:
        meta = wt.rows.get(it.source_line or -1)
        if meta is None:
            continue
        if meta.high_priority:
            it.high_priority = True
            it.title = re.sub(r"\s*\(\s*[Ưư]u tiên\s*\)", "", it.title).strip()
        if meta.bad_timeline and it.start_year is None:
            it.flags = [f for f in it.flags if f.code != "no_timeline"]
            it.flags.append(Flag("invalid_timeline",
                                 f"Thời gian thực hiện “{meta.bad_timeline}” của {it.code} (dòng {it.source_line}) "
                                 f"không đọc được thành năm; để trống năm bắt đầu/kết thúc.", it.source_line))
