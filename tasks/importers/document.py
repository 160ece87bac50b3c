"""Parser for the text of a scanned provincial action plan (Kế hoạch hành động).

Pure Python, no Django: the import service (`service.py`) consumes the `ParsedPlan` this module
returns, and the tests run it without a database.

A plan of this kind has three parts that state overlapping facts, and the parser reads all three
because each one repairs gaps in the others:

1. the body, section II, lists the themes ("Chủ đề N: …, bao gồm: K nhóm nhiệm vụ") and the
   task-group titles ("1.1. …");
2. the appendix (PHỤ LỤC), a tab-separated table with one row per group, activity (1.1.1) or
   lettered sub-activity (1.1.3 a): content, timeline, lead agency, supporting agencies,
   expected outputs;
3. the closing summary ("Tóm tắt phân công cơ quan chủ trì"), which says per lead agency which
   codes it leads.

Scans are messy (page headers repeat, rows continue on rows without a code, columns shift, HTML
fragments remain, codes are printed twice or wrongly, pages are missing). The parser works from
the *structure* of such documents — never from the content of one particular plan — and records
every place where it had to decide something the document does not settle:

* `Flag` on an item or on the plan: a real uncertainty a person has to review;
* `ParsedPlan.warnings`: informational notes on what was done (e.g. an unnumbered group got the
  code "6.1", a page-header fragment was dropped), so nothing is merged or dropped silently.

`parse_plan_document` never raises: any text gives a (possibly empty) ParsedPlan. Whether that is
enough to import is decided by `require_plan`.
"""
from __future__ import annotations

import datetime
import html
import re
import unicodedata
from dataclasses import dataclass, field

from agencies.names import (
    AgencyRegistry,
    ParsedAgency,
    agency_key,
    clean_agency_text,
    fold_keep_length,
    is_agency_like,
    is_generic_group,
    split_agency_cell,
)
from agencies.text import fold, nfc
from tasks import codes

__all__ = [
    "DocumentParseError",
    "Flag",
    "ParsedAgency",
    "ParsedItem",
    "ParsedPlan",
    "normalize_code",
    "parse_plan_document",
    "require_plan",
]


# ============================================================================================
# Output types
# ============================================================================================

@dataclass
class Flag:
    """A real uncertainty in the document that a person must review."""

    code: str  # stable reason code ("lead_conflict", "missing_from_scan", …)
    message: str  # Vietnamese, names the values involved
    line: int | None  # 1-based source line


@dataclass
class ParsedItem:
    code: str  # normal form, unique in the plan ("1.1.3", "1.1.3 a", "1.1.3#2")
    printed_code: str  # as printed (whitespace normalised)
    level: str  # theme | group | activity | subactivity
    parent_code: str | None
    title: str
    text: str
    high_priority: bool = False
    group_tags: list[str] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    lead_agency: str | None = None
    supporting_agencies: list[str] = field(default_factory=list)
    expected_outputs: str = ""
    flags: list[Flag] = field(default_factory=list)
    source_line: int | None = None


@dataclass
class ParsedPlan:
    number: str | None
    title: str
    issued_on: datetime.date | None
    jurisdiction: str
    issuing_body: str
    focal_agency: str | None
    period_start: int | None
    period_end: int | None
    themes: list[ParsedItem] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    agencies: list[ParsedAgency] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class DocumentParseError(ValueError):
    """Raised by `require_plan` when the text holds nothing that looks like a plan."""


def require_plan(parsed: ParsedPlan) -> ParsedPlan:
    """The strict gate before importing: at least themes or table items must have been found."""
    if parsed.themes or parsed.items:
        return parsed
    missing = [
        "không tìm thấy chủ đề nào (dòng dạng “Chủ đề 1: …” trong phần II. NỘI DUNG HÀNH ĐỘNG)",
        "không tìm thấy bảng Phụ lục (các dòng phân cách bằng tab, bắt đầu bằng mã như 1.1 hoặc 1.1.1)",
    ]
    raise DocumentParseError("Văn bản không giống một kế hoạch hành động: " + "; ".join(missing) + ".")


# ============================================================================================
# Codes
# ============================================================================================

_CODE_RE = re.compile(
    r"(\d{1,3}(?:\s*\.\s*\d{1,3})*)\s*\.?\s*(?:([a-zA-ZđĐ])\s*\)?)?\s*(?:#\s*(\d{1,4}))?"
)


def normalize_code(raw: str | None) -> str:
    """Normal form of a printed code: "1.1.3a" / "1.1.3. A" / " 1 . 2 ." → "1.1.3 a" / "1.2".

    The one normal form is tasks.codes'; here it is lenient: text that is not a code comes back
    whitespace-normalised, so the function is idempotent on any input (a property the tests check).
    """
    s = re.sub(r"\s+", " ", nfc(raw or "")).strip()
    if not _CODE_RE.fullmatch(s):
        return s
    try:
        return codes.normalize_code(s)
    except codes.InvalidCode:
        return s


def _is_code(s: str) -> bool:
    return bool(_CODE_RE.fullmatch(re.sub(r"\s+", " ", s).strip())) if s.strip() else False


def _code_parts(code: str) -> tuple[tuple[int, ...], str]:
    base = code.partition("#")[0]
    digits, _, letter = base.partition(" ")
    try:
        return tuple(int(p) for p in digits.split(".")), letter
    except ValueError:
        return (), letter


def _sort_key(code: str) -> tuple:
    parts, letter = _code_parts(code)
    dup = code.partition("#")[2]
    return parts + ((ord(letter) if letter else 0), int(dup) if dup.isdigit() else 0)


def _level_of(parts: tuple[int, ...], letter: str) -> str:
    if len(parts) <= 1 and not letter:
        return "theme"
    if len(parts) == 2 and not letter:
        return "group"
    if len(parts) == 3 and not letter:
        return "activity"
    return "subactivity"


def _printed_parent(parts: tuple[int, ...], letter: str) -> str | None:
    if letter:
        return ".".join(map(str, parts))
    if len(parts) > 1:
        return ".".join(map(str, parts[:-1]))
    return None


# ============================================================================================
# Text helpers
# ============================================================================================

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/li|li|p|/ul|/ol|/div|/tr|/h\d)\b[^>]*>", re.I)
_WS = re.compile(r"\s+")
_MD = re.compile(r"(\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w))")


def _ws(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _paragraphs(cell: str) -> list[str]:
    """HTML-stripped paragraphs of a cell (block tags separate paragraphs)."""
    s = _BLOCK_END.sub("\n", cell or "")
    s = html.unescape(_TAG.sub(" ", s))
    return [p for p in (_ws(x) for x in s.split("\n")) if p]


def _plain(line: str) -> str:
    """A body line without markdown heading marks, emphasis or HTML."""
    s = re.sub(r"^\s*#+\s*", "", line or "")
    s = _MD.sub("", html.unescape(_TAG.sub(" ", s)))
    return _ws(s)


_PRIORITY = re.compile(r"\(\s*Cao\b[^)]*\)", re.I)
_TAGS_RE = re.compile(r"[(;,]\s*Nhóm\s+([A-Z](?:\s*(?:,|và)\s*[A-Z])*)\s*(?=[);,])")
_MARKER = re.compile(r"\s*\((?:\s*Cao\s*[;,]?)?(?:\s*Nhóm\s+[A-Z](?:\s*(?:,|và)\s*[A-Z])*)?\s*\)\s*[;.:]?", re.I)


def _priority_and_tags(paragraphs: list[str]) -> tuple[bool, list[str]]:
    text = " ".join(paragraphs)
    high = bool(_PRIORITY.search(text))
    tags: list[str] = []
    for m in _TAGS_RE.finditer(text):
        for t in re.split(r"\s*(?:,|và)\s*", m.group(1)):
            if t and t not in tags:
                tags.append(t)
    return high, tags


def _title(paragraphs: list[str], limit: int = 200) -> str:
    """Short title: the first sentence of the first paragraph, without priority/tag markers."""
    for p in paragraphs:
        t = p.strip().lstrip("-–•+* ").strip()
        if t:
            break
    else:
        return ""
    m = _MARKER.search(t)
    if m and m.group(0).strip("() ;.:") and m.start() >= 15:
        t = t[: m.start()]
    t = _MARKER.sub(" ", t)
    cut = re.search(r"(?<=[.;!?])\s+(?=[-–A-ZĐÀ-Ỹ])", t)
    if cut and cut.start() >= 15:
        t = t[: cut.start()]
    t = _ws(t).rstrip(" .;:,")
    if len(t) > limit:
        t = t[:limit].rsplit(" ", 1)[0].rstrip(" .;:,") + "…"
    return t


def _tokens(s: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(s)) if len(w) > 1}


def _containment(needle: str, hay: str) -> float:
    """Share of the words of `needle` that occur in `hay` (OCR-tolerant similarity)."""
    a = _tokens(needle)
    return len(a & _tokens(hay)) / len(a) if a else 0.0


def _same_text(a: str, b: str) -> bool:
    fa, fb = re.sub(r"\W+", " ", fold(a)).strip(), re.sub(r"\W+", " ", fold(b)).strip()
    if not fa or not fb:
        return False
    n = min(60, len(fa), len(fb))
    return n >= 25 and fa[:n] == fb[:n]


def _is_noise(p: str) -> bool:
    """Scan debris: page-header fragments of the outputs column, all-capitals captions."""
    letters = [c for c in p if c.isalpha()]
    if len(letters) >= 2 and not any(c.islower() for c in letters):
        return True
    f = fold(p)
    return len(f) < 80 and bool(
        re.search(r"nhiem vu\s*\([^)]*\)\s*$", f) and re.match(r"^(\w+\s+)*?(du an|de an|danh sach)\b", f)
    )


_YEAR_CELL = re.compile(r"\s*\d[\d\s]*(?:[-–—/]\s*\d[\d\s]*)?\s*")


def _parse_timeline(s: str) -> tuple[int | None, int | None, str | None]:
    """("2023 - 2030") → (2023, 2030, None); an impossible value → (None, None, reason)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-–—/]\s*(\d+))?\s*", s)
    if not m:
        return None, None, "không đọc được năm"
    a, b = m.group(1), m.group(2) or m.group(1)
    if len(a) != 4 or len(b) != 4:
        return None, None, "năm không có 4 chữ số"
    start, end = int(a), int(b)
    if not (1900 <= start <= 2200 and 1900 <= end <= 2200):
        return None, None, "năm ngoài khoảng hợp lý"
    if end < start:
        return None, None, f"năm kết thúc {end} trước năm bắt đầu {start}"
    return start, end, None


def _fold_lines(lines: list[str]) -> list[str]:
    return [fold(_plain(line)) for line in lines]


# ============================================================================================
# Internal structures
# ============================================================================================

@dataclass
class _Row:
    """One appendix row with its continuation rows joined."""

    line: int
    printed: str
    parts: tuple[int, ...]
    letter: str
    content: list[str] = field(default_factory=list)
    timelines: list[tuple[str, int]] = field(default_factory=list)
    leads: list[tuple[str, int]] = field(default_factory=list)
    extras: list[tuple[str, int]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    index: int = 0
    region: int | None = None
    misplaced: bool = False
    code: str = ""
    level: str = ""
    parent: str | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def is_theme(self) -> bool:
        return len(self.parts) == 1 and not self.letter

    @property
    def has_data(self) -> bool:
        return bool(self.timelines or self.leads or self.extras)

    def absorb(self, other: _Row) -> None:
        self.content += other.content
        self.timelines += other.timelines
        self.leads += other.leads
        self.extras += other.extras
        self.lines += other.lines


@dataclass
class _BodyTheme:
    number: int
    title: str
    text: str
    line: int
    stated_groups: int | None


@dataclass
class _BodyGroup:
    code: str
    theme: int
    title: str
    text: str
    line: int
    stated_activities: int | None = None
    unnumbered: bool = False


@dataclass
class _Node:
    item: ParsedItem
    pos: float | None  # table row index (document order); None for synthesized items
    lead_raw: str | None = None
    support_raw: list[str] = field(default_factory=list)
    timeline_texts: list[tuple[str, int]] = field(default_factory=list)
    missing: bool = False
    lead_from_summary: bool = False
    children: list[_Node] = field(default_factory=list)


# ============================================================================================
# Entry point
# ============================================================================================

def parse_plan_document(text: str) -> ParsedPlan:
    """Parse the text of a scanned plan. Never raises; see the module docstring."""
    try:
        return _Parser(text if isinstance(text, str) else str(text or "")).parse()
    except Exception as exc:  # pragma: no cover - the safety net the API promises
        plan = ParsedPlan(number=None, title="", issued_on=None, jurisdiction="", issuing_body="",
                          focal_agency=None, period_start=None, period_end=None)
        plan.flags.append(Flag("internal_error", f"Lỗi nội bộ khi đọc văn bản: {type(exc).__name__}: {exc}", None))
        return plan


_ROMAN_HEADING = re.compile(r"^(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\s*[.)]\s+\S")
_THEME_HEAD = re.compile(r"^(?:\d{1,2}\s*[.)]\s*)?chu de\s+(\d{1,2})\s*[:.]\s*")
_GROUP_HEAD = re.compile(r"^(\d{1,2})\s*\.\s*(\d{1,2})\s*\.?\s+(\S.*)$")
_HEADER_C0 = re.compile(r"^(?:stt|s/t|s/tt|so tt|so t/t|sit|so|tt|s tt|so thu tu)$")


class _Parser:
    def __init__(self, text: str):
        text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.folded = _fold_lines(self.lines)
        self.flags: list[Flag] = []
        self.warnings: list[str] = []
        self.registry = AgencyRegistry()
        # (line, column order, raw name): every spelling, registered in document order once the
        # whole text is read, so that "first seen" breaks ties as a reader would.
        self._occurrences: list[tuple[int, int, str]] = []

    # ----------------------------------------------------------------------------------------
    def parse(self) -> ParsedPlan:
        self._locate()
        plan = ParsedPlan(number=None, title="", issued_on=None, jurisdiction="", issuing_body="",
                          focal_agency=None, period_start=None, period_end=None)
        self._identity(plan)
        themes, groups = self._parse_body(plan)
        rows = self._parse_table()
        summary = self._parse_summary()
        focal_raw, focal_line = self._focal()
        if focal_raw:
            self._occurrences.append((focal_line, 0, focal_raw))
        self._assemble(plan, themes, groups, rows, summary)
        plan.focal_agency = self.registry.canonical(focal_raw) if focal_raw else None
        plan.agencies = self.registry.agencies()
        plan.flags = self.flags
        plan.warnings = self.warnings
        return plan

    # ----------------------------------------------------------------------------------------
    # Layout
    # ----------------------------------------------------------------------------------------
    def _locate(self) -> None:
        n = len(self.lines)
        self.appendix_start = n
        self.summary_start = n
        for i, f in enumerate(self.folded):
            if "\t" in self.lines[i]:
                continue
            if self.appendix_start == n and re.match(r"^phu luc\b", f):
                self.appendix_start = i
            if re.match(r"^tom tat phan cong\b", f) or ("phan cong co quan chu tri" in f and f.startswith("tom tat")):
                self.summary_start = i
                break
        if self.appendix_start == n:
            # No "PHỤ LỤC" heading: the table starts at the first tab row with a code or header.
            for i, line in enumerate(self.lines[: self.summary_start]):
                if "\t" in line:
                    c0 = fold(_plain(line.split("\t")[0]))
                    if _is_code(c0) or _HEADER_C0.match(c0):
                        self.appendix_start = i
                        break
        if self.summary_start < self.appendix_start:
            self.appendix_start = self.summary_start

    # ----------------------------------------------------------------------------------------
    # Identity: number, date, jurisdiction, title, period, issuing body
    # ----------------------------------------------------------------------------------------
    def _identity(self, plan: ParsedPlan) -> None:
        body_end = self.appendix_start
        head = [(i, self.lines[i]) for i in range(min(body_end, 40))]

        # Jurisdiction: the province the body names most often ("tỉnh Bình Dương").
        mentions: dict[str, list[int]] = {}
        kinds: dict[str, str] = {}
        for i in range(body_end):
            for kind, name in _province_mentions(self.lines[i]):
                mentions.setdefault(name, []).append(i + 1)
                kinds.setdefault(name, kind)
        if not mentions:
            for i in range(len(self.lines)):
                for kind, name in _province_mentions(self.lines[i]):
                    mentions.setdefault(name, []).append(i + 1)
                    kinds.setdefault(name, kind)
        jurisdiction = max(mentions, key=lambda k: (len(mentions[k]), -mentions[k][0])) if mentions else ""
        plan.jurisdiction = jurisdiction
        jkind = kinds.get(jurisdiction, "tỉnh")

        # Any other province named anywhere (captions included) contradicts the document.
        if jurisdiction:
            jf = fold(jurisdiction)
            reported: set[int] = set()
            for i, line in enumerate(self.lines):
                for kind, name in _province_mentions(line):
                    if fold(name) != jf and i not in reported:
                        reported.add(i)
                        example = mentions[jurisdiction][0]
                        self.flags.append(Flag(
                            "province_contradiction",
                            f"Dòng {i + 1} ghi “{kind} {name}” trong khi văn bản nêu {jkind} {jurisdiction} "
                            f"{len(mentions[jurisdiction])} lần (ví dụ dòng {example}); giữ {jkind} {jurisdiction}.",
                            i + 1))
                for m in re.finditer(r"\b(TỈNH|THÀNH PHỐ)\s+([A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ\s-]{2,40})", line):
                    words = m.group(2).split()
                    if not fold(" ".join(words)).startswith(jf) and len(words) >= 2 and i not in reported:
                        cand = " ".join(w.capitalize() for w in words[:2])
                        if fold(cand) != jf:
                            reported.add(i)
                            self.flags.append(Flag(
                                "province_contradiction",
                                f"Dòng {i + 1} ghi “{m.group(1)} {' '.join(words[:2])}” trong khi văn bản nêu "
                                f"{jkind} {jurisdiction}; giữ {jkind} {jurisdiction}.", i + 1))

        # Issue date: the "<place>, ngày dd tháng mm năm yyyy" line at the head of the document.
        date_stmts: list[tuple[datetime.date, int, str]] = []
        for i, line in head:
            f = fold(_plain(line))
            m = re.match(r"^[^\d,]{2,40},\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})", f)
            if m:
                d = _date(m.group(3), m.group(2), m.group(1))
                if d:
                    date_stmts.append((d, i + 1, "đầu văn bản"))
                    break

        # Number and caption ("Kèm theo Kế hoạch số: 396/KH-UBND ngày …"); the header "Số: …".
        numbers: list[tuple[str, str, int]] = []
        for i, line in enumerate(self.lines):
            if "\t" in line:
                continue
            p = _plain(line)
            fp = fold_keep_length(p)
            m = re.search(r"\bke\s*hoach\s*(?:hanh dong\s*)?so\s*[:.]?\s*(\d{1,5})\s*/\s*([a-z]+(?:\s*-\s*[a-z]+)*)", fp)
            if not m and i < 15:
                m = re.match(r"^\s*so\s*[:.]\s*(\d{1,5})\s*/\s*([a-z]+(?:\s*-\s*[a-z]+)*)", fp)
            if m:
                numbers.append((m.group(1), p[m.start(2): m.end(2)], i + 1))
                tail = fold(p[m.end():])
                dm = re.search(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})", tail) or re.search(
                    r"ngay\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", tail)
                if dm:
                    d = _date(dm.group(3), dm.group(2), dm.group(1))
                    if d:
                        date_stmts.append((d, i + 1, "số hiệu kế hoạch"))
        if numbers:
            digits, suffix, line_no = numbers[0]
            raw = f"{digits}/{re.sub(r'\s+', '', suffix)}"
            expected = "KH-UBND"  # a plan (Kế hoạch) issued by a People's Committee (UBND)
            got = re.sub(r"\s+", "", suffix).upper()
            if got == expected:
                plan.number = f"{digits}/{expected}"
            elif _edit_distance(got, expected) <= 3:
                plan.number = f"{digits}/{expected}"
                self.warnings.append(
                    f"Dòng {line_no}: số hiệu in là “{digits}/ {suffix}” (lỗi quét), chuẩn hoá thành “{plan.number}” "
                    f"theo dạng số hiệu kế hoạch của UBND.")
            else:
                plan.number = raw
            others = {d for d, _, _ in numbers[1:] if d != digits}
            if others:
                self.flags.append(Flag("number_contradiction",
                                       f"Số hiệu kế hoạch không thống nhất: {digits} (dòng {line_no}) và "
                                       f"{', '.join(sorted(others))}.", line_no))
        else:
            self.flags.append(Flag("missing_number", "Không tìm thấy số hiệu kế hoạch (dạng “Số: …/KH-UBND”) trong văn bản.", None))

        if date_stmts:
            plan.issued_on = date_stmts[0][0]
            for d, ln, where in date_stmts[1:]:
                if d != plan.issued_on:
                    self.flags.append(Flag("date_contradiction",
                                           f"Ngày ban hành {plan.issued_on:%d/%m/%Y} (dòng {date_stmts[0][1]}) khác ngày "
                                           f"{d:%d/%m/%Y} ghi ở {where} (dòng {ln}).", ln))
        else:
            self.flags.append(Flag("missing_date", "Không tìm thấy ngày ban hành kế hoạch.", None))

        # Title: the capitalised "KẾ HOẠCH …" heading and the lines that continue it.
        title_lines: list[tuple[str, int]] = []
        for i, line in head:
            p = _plain(line)
            if not title_lines:
                if p and fold(p).startswith("ke hoach") and p.upper() == p and len(p) < 200:
                    title_lines.append((p, i + 1))
            else:
                if not p or fold(p).startswith("can cu") or len(p) > 200:
                    break
                title_lines.append((p, i + 1))
        if title_lines:
            parts = []
            for k, (p, _) in enumerate(title_lines):
                if p.upper() == p:
                    p = p.lower()
                    if jurisdiction:
                        p = re.sub(re.escape(jurisdiction.lower()), jurisdiction, p)
                if k == 0:
                    p = p[:1].upper() + p[1:]
                else:
                    p = p[:1].lower() + p[1:]
                parts.append(p)
            plan.title = _ws(" ".join(parts))
        else:
            for i in range(body_end):
                m = re.search(r"ban hành (Kế hoạch .{10,250}?)(?: với| như sau|[.:]|$)", _plain(self.lines[i]))
                if m:
                    plan.title = m.group(1).strip()
                    break

        # Period: the title, the issuing statement and the "THỜI GIAN THỰC HIỆN" section must agree.
        stmts: list[tuple[int, int, int, str]] = []
        if plan.title:
            m = re.search(r"giai doan\s+(\d{4})\s*[-–—]\s*(\d{4})", fold(plan.title))
            if m:
                stmts.append((int(m.group(1)), int(m.group(2)), title_lines[0][1] if title_lines else 0, "tiêu đề"))
        for i in range(body_end):
            f = self.folded[i]
            m = None
            where = ""
            if re.search(r"ban hanh ke hoach", f):
                m, where = re.search(r"giai doan\s+(\d{4})\s*[-–—]\s*(\d{4})", f), "câu ban hành"
            elif re.match(r"^(?:[ivx]+\s*[.)]\s*)?thoi gian thuc hien\b", f):
                m, where = re.search(r"(\d{4})\s*[-–—]\s*(\d{4})", f), "mục thời gian thực hiện"
            if m:
                stmts.append((int(m.group(1)), int(m.group(2)), i + 1, where))
        if stmts:
            plan.period_start, plan.period_end = stmts[0][0], stmts[0][1]
            for s, e, ln, where in stmts[1:]:
                if (s, e) != (plan.period_start, plan.period_end):
                    self.flags.append(Flag("period_contradiction",
                                           f"Giai đoạn {plan.period_start}–{plan.period_end} ({stmts[0][3]}) khác "
                                           f"{s}–{e} ở {where} (dòng {ln}).", ln))
        else:
            self.flags.append(Flag("missing_period", "Không tìm thấy giai đoạn thực hiện của kế hoạch.", None))

        # Issuing body: "Ủy ban nhân dân tỉnh X ban hành …", else the jurisdiction's committee.
        for i in range(body_end):
            m = re.search(r"(?:Ủy|Uỷ|UỶ|ỦY) ban nhân dân (tỉnh|thành phố) (.+?) ban hành", _plain(self.lines[i]), re.I)
            if m:
                plan.issuing_body = f"Ủy ban nhân dân {m.group(1).lower()} {m.group(2).strip()}"
                break
        else:
            plan.issuing_body = f"Ủy ban nhân dân {jkind} {jurisdiction}" if jurisdiction else ""

    def _focal(self) -> tuple[str | None, int]:
        """Section III.1 "Đơn vị đầu mối: <agency> là cơ quan đầu mối …"."""
        for i in range(self.appendix_start):
            f = self.folded[i]
            if "don vi dau moi" in f:
                p = _plain(self.lines[i])
                after = p.split(":", 1)[1] if ":" in p else p
                name = clean_agency_text(after)
                if name and is_agency_like(name):
                    return name, i + 1
        return None, 0

    # ----------------------------------------------------------------------------------------
    # Body (section II)
    # ----------------------------------------------------------------------------------------
    def _parse_body(self, plan: ParsedPlan) -> tuple[list[_BodyTheme], list[_BodyGroup]]:
        themes: list[_BodyTheme] = []
        groups: list[_BodyGroup] = []
        stated_themes: tuple[int, int] | None = None
        current: _BodyTheme | None = None
        last_group: _BodyGroup | None = None
        expect_unnumbered = False
        for i in range(self.appendix_start):
            if "\t" in self.lines[i]:
                continue
            p = _plain(self.lines[i])
            f = fold(p)
            if not p:
                continue
            m = re.search(r"bao gom:?\s*(\d{1,3})\s*chu de", f)
            if m and stated_themes is None:
                stated_themes = (int(m.group(1)), i + 1)
            mt = _THEME_HEAD.match(f)
            if mt:
                number = int(mt.group(1))
                rest = p[mt.end():]
                sm = re.search(r"bao gom:?\s*(\d{1,3})\s*nhom", f)
                cut = len(rest)
                frest = fold(rest)
                for pat in (r"\s\(", r":\s", r",?\s*bao gom\b"):
                    mm = re.search(pat, frest)
                    if mm:
                        cut = min(cut, mm.start())
                title = rest[:cut].strip(" ,;:.")
                tm = re.search(r",?\s*bao gom\b", frest)
                text = rest[: tm.start()].strip(" ,;:.") if tm else rest.strip()
                current = _BodyTheme(number, title, text, i + 1, int(sm.group(1)) if sm else None)
                themes.append(current)
                last_group = None
                expect_unnumbered = current.stated_groups == 1
                continue
            if _ROMAN_HEADING.match(f) and current is not None:
                current, last_group, expect_unnumbered = None, None, False
                continue
            if current is None:
                continue
            mg = _GROUP_HEAD.match(p)
            if mg and int(mg.group(1)) == current.number:
                rest = mg.group(3).strip()
                am = re.search(r"\(\s*bao gồm\s+(\d+)\s+hoạt động\s*\)", rest, re.I)
                stated_acts = int(am.group(1)) if am else None
                if am:
                    rest = _ws(rest[: am.start()] + rest[am.end():]).rstrip(" ,;.") + ("." if rest.endswith(".") else "")
                last_group = _BodyGroup(f"{current.number}.{int(mg.group(2))}", current.number,
                                        _title([rest]), rest, i + 1, stated_acts)
                groups.append(last_group)
                expect_unnumbered = False
                continue
            if expect_unnumbered:
                # "bao gồm: 1 nhóm nhiệm vụ" followed by a paragraph without a number.
                code = f"{current.number}.1"
                last_group = _BodyGroup(code, current.number, _title([p]), p, i + 1, None, unnumbered=True)
                groups.append(last_group)
                expect_unnumbered = False
                continue
            if last_group is not None and p[:1].islower() and not re.search(r"[.;:!?)]$", last_group.text):
                # A paragraph broken across a page or blank line: continue the group above.
                last_group.text = f"{last_group.text} {p}"
                last_group.title = _title([last_group.text])
                continue
        if stated_themes and stated_themes[0] != len(themes):
            self.flags.append(Flag("theme_count_mismatch",
                                   f"Phần II nêu {stated_themes[0]} chủ đề (dòng {stated_themes[1]}) nhưng tìm thấy "
                                   f"{len(themes)} chủ đề.", stated_themes[1]))
        return themes, groups

    # ----------------------------------------------------------------------------------------
    # Appendix table
    # ----------------------------------------------------------------------------------------
    def _parse_table(self) -> list[_Row]:
        col_time, col_lead = 2, 3
        rows: list[_Row] = []
        current: _Row | None = None
        for i in range(self.appendix_start, self.summary_start):
            raw = self.lines[i]
            if "\t" not in raw:
                continue
            cells = raw.split("\t")
            plain = [_ws(html.unescape(_TAG.sub(" ", c))) for c in cells]
            if not any(plain):
                continue
            c0f = fold(plain[0])
            if _HEADER_C0.match(c0f) or (not _is_code(plain[0]) and any(
                    k in fold(c) for c in plain for k in ("nhiem vu, hoat dong cu the", "co quan chu tri", "co quan phoi hop"))):
                for j, c in enumerate(plain):
                    fc = fold(c)
                    if "thoi gian" in fc:
                        col_time = j
                    if "chu tri" in fc:
                        col_lead = j
                continue
            code, head_text = _split_code(plain[0])
            content: list[str] = []
            if head_text:
                content.append(head_text)
            if len(cells) > 1:
                content += _paragraphs(cells[1])
            row = _Row(line=i + 1, printed="", parts=(), letter="", content=content, lines=[i + 1])
            for j in range(2, len(cells)):
                if not plain[j]:
                    continue
                if j == col_lead:
                    row.leads.append((cells[j], i + 1))
                elif _YEAR_CELL.fullmatch(plain[j]) and len(plain[j]) <= 25:
                    row.timelines.append((plain[j], i + 1))
                else:
                    row.extras.append((cells[j], i + 1))
            if code is None:
                if current is None:
                    self.warnings.append(f"Dòng {i + 1}: dòng tiếp nối không có mục nào phía trên — bỏ qua.")
                    continue
                current.absorb(row)
                continue
            row.printed = code
            row.parts, row.letter = _code_parts(code)
            if not row.parts:
                continue
            row.index = len(rows)
            rows.append(row)
            current = row
        return rows

    # ----------------------------------------------------------------------------------------
    # Closing summary
    # ----------------------------------------------------------------------------------------
    def _parse_summary(self) -> list[tuple[str, str, int]]:
        """(agency as printed, code, line) for every code the summary assigns."""
        out: list[tuple[str, str, int]] = []
        for i in range(self.summary_start, len(self.lines)):
            p = _plain(self.lines[i])
            if not p or "\t" in self.lines[i]:
                continue
            fp = fold_keep_length(p)
            m = re.search(r"\bchu\s+tri\b", fp)
            if not m or ":" not in p[m.end():]:
                continue
            agency = clean_agency_text(p[: m.start()].lstrip("-–•+* "))
            tail = p[m.end():].split(":", 1)[1]
            for cm in re.finditer(r"\d{1,3}(?:\.\d{1,3})+(?:\s+[a-zđ](?![\w]))?", tail):
                out.append((agency, normalize_code(cm.group(0)), i + 1))
        return out

    # ----------------------------------------------------------------------------------------
    # Putting it together
    # ----------------------------------------------------------------------------------------
    def _assemble(self, plan, themes, groups, rows, summary) -> None:
        body_groups = {g.code: g for g in groups}
        body_themes = {t.number: t for t in themes}
        theme_rows = [r for r in rows if r.is_theme]
        rows = self._merge_adjacent(rows)
        self._regions(rows, theme_rows)
        self._resolve_duplicates(rows, body_groups)

        nodes: dict[str, _Node] = {}
        order_themes: list[int] = []

        # Themes: the body states them; a table theme row only stands in when the body is silent.
        for t in themes:
            if str(t.number) in nodes:
                continue
            it = ParsedItem(code=str(t.number), printed_code=str(t.number), level="theme", parent_code=None,
                            title=t.title, text=t.text, source_line=t.line)
            nodes[it.code] = _Node(it, pos=None)
            order_themes.append(t.number)
        for r in theme_rows:
            self._check_theme_row(r)
            code = str(r.parts[0])
            if code not in nodes:
                head = r.content[0] if r.content else ""
                title = _title([re.split(r":\s", head, maxsplit=1)[0]]) if head else ""
                it = ParsedItem(code=code, printed_code=r.printed, level="theme", parent_code=None, title=title,
                                text="\n".join(r.content), source_line=r.line)
                nodes[code] = _Node(it, pos=r.index)
                order_themes.append(r.parts[0])
                if themes:
                    it.flags.append(Flag("theme_not_in_body",
                                         f"Chủ đề {code} có trong Phụ lục (dòng {r.line}) nhưng phần II không nêu.", r.line))

        # Unnumbered single groups: keep the appendix's code when it prints another one.
        for g in groups:
            if g.unnumbered:
                table_codes = sorted({r.code for r in rows if r.level == "group" and r.parts[0] == g.theme
                                      and not r.misplaced and "#" not in r.code}, key=_sort_key)
                if len(table_codes) == 1 and table_codes[0] != g.code:
                    self.warnings.append(
                        f"Dòng {g.line}: Chủ đề {g.theme} có 1 nhóm nhiệm vụ không đánh số; Phụ lục in mã "
                        f"{table_codes[0]}, dùng mã đó.")
                    body_groups.pop(g.code, None)
                    g.code = table_codes[0]
                    body_groups[g.code] = g
                else:
                    also = " (khớp với mã in trong Phụ lục)" if table_codes == [g.code] else ""
                    self.warnings.append(
                        f"Dòng {g.line}: Chủ đề {g.theme} có 1 nhóm nhiệm vụ không đánh số; gán mã {g.code}{also}.")

        # Table rows → nodes.
        for r in rows:
            if r.is_theme:
                continue
            node = self._node_from_row(r)
            if r.level == "group" and r.code in body_groups:
                g = body_groups[r.code]
                node.item.title = g.title
                extra = [p for p in r.content if _containment(p, g.text) < 0.8]
                node.item.text = "\n".join([g.text, *extra])
            elif r.level == "group" and "#" not in r.code and groups and not r.misplaced:
                node.item.flags.append(Flag("group_not_in_body",
                                            f"Nhóm {r.code} có trong Phụ lục (dòng {r.line}) nhưng phần II không nêu.",
                                            r.line))
            nodes[r.code] = node

        # Body groups the scan lost.
        has_table = any(not r.is_theme for r in rows)
        for g in groups:
            if g.code in nodes:
                continue
            it = ParsedItem(code=g.code, printed_code="" if g.unnumbered else g.code, level="group",
                            parent_code=str(g.theme), title=g.title, text=g.text, source_line=g.line)
            node = _Node(it, pos=None)
            if has_table:
                node.missing = True
                it.flags.append(Flag("missing_from_scan",
                                     f"Nhóm nhiệm vụ {g.code} có trong phần II (dòng {g.line}) nhưng không có dòng nào "
                                     f"trong Phụ lục của bản quét (có thể trang bị thiếu); các hoạt động của nhóm có thể "
                                     f"đã mất.", g.line))
            nodes[g.code] = node

        # Group/activity counts the body states.
        for t in themes:
            found = [g.code for g in groups if g.theme == t.number]
            if t.stated_groups is not None and t.stated_groups != len(found):
                nodes[str(t.number)].item.flags.append(Flag(
                    "group_count_mismatch",
                    f"Chủ đề {t.number} nêu {t.stated_groups} nhóm nhiệm vụ nhưng phần II liệt kê {len(found)} nhóm"
                    f"{' (' + ', '.join(found) + ')' if found else ''}.", t.line))
        for g in groups:
            if g.stated_activities is None:
                continue
            printed = sorted({normalize_code(".".join(map(str, r.parts))) for r in rows
                              if len(r.parts) == 3 and not r.letter and r.parts[:2] == _code_parts(g.code)[0]
                              and not r.misplaced}, key=_sort_key)
            if rows and len(printed) != g.stated_activities:
                nodes[g.code].item.flags.append(Flag(
                    "activity_count_mismatch",
                    f"Nhóm {g.code} nêu “bao gồm {g.stated_activities} hoạt động” (dòng {g.line}) nhưng Phụ lục có "
                    f"{len(printed)} mã hoạt động ({', '.join(printed) or 'không có'}).", g.line))

        # Closing summary: an independent statement of lead agencies.
        self._apply_summary(nodes, summary)

        # Parents that only their children reveal.
        self._ensure_parents(nodes)

        # Tree, timelines, agencies, per-item checks.
        roots = self._tree(nodes, order_themes)
        self._timelines(plan, roots)
        self._agencies(nodes)
        self._leads_and_texts(roots)
        self._gaps(rows)

        plan.themes = [n.item for n in roots]
        items: list[ParsedItem] = []

        def walk(n: _Node) -> None:
            for c in n.children:
                items.append(c.item)
                walk(c)

        for r in roots:
            walk(r)
        plan.items = items

    # ----------------------------------------------------------------------------------------
    def _merge_adjacent(self, rows: list[_Row]) -> list[_Row]:
        """Resolve a code printed twice in a row by structure, before anything is disambiguated.

        * A bullet row ("- …") without a letter and without a lead, whose code the next row repeats,
          is a detail of the item above it (scans misalign the code column by one row).
        * A row without any data followed by a row with the same code is a title row: the two
          are one item.
        """
        out: list[_Row] = []
        i = 0
        while i < len(rows):
            r = rows[i]
            nxt = rows[i + 1] if i + 1 < len(rows) else None
            if nxt is not None and nxt.printed == r.printed and not r.is_theme:
                first = r.content[0].lstrip() if r.content else ""
                if first[:1] in "-–•+" and not r.letter and not r.leads and out and not out[-1].is_theme:
                    above = out[-1]
                    above.absorb(r)
                    self.warnings.append(
                        f"Dòng {r.line}: dòng gạch đầu dòng in mã {r.printed} (trùng mã dòng {nxt.line}) được gộp vào "
                        f"mục {above.printed} ở dòng {above.line} phía trên.")
                    i += 1
                    continue
                if not r.has_data:
                    r.absorb(nxt)
                    self.warnings.append(
                        f"Dòng {nxt.line}: mã {r.printed} in lại ngay sau dòng tiêu đề {r.line} (không có dữ liệu); "
                        f"hai dòng được gộp thành một mục.")
                    out.append(r)
                    i += 2
                    continue
            out.append(r)
            i += 1
        for k, r in enumerate(out):
            r.index = k
        return out

    def _regions(self, rows: list[_Row], theme_rows: list[_Row]) -> None:
        """Which theme's part of the table each row stands in; rows printed in another theme's
        part (before that theme's own heading row) are misplaced."""
        theme_at: dict[int, list[int]] = {}
        for r in rows:
            if r.is_theme:
                theme_at.setdefault(r.parts[0], []).append(r.index)
        current: int | None = None
        for r in rows:
            t = r.parts[0]
            if r.is_theme:
                current = t
                r.region = t
                continue
            later_heading = any(k > r.index for k in theme_at.get(t, []))
            if current is not None and t != current and later_heading:
                r.misplaced = True
                r.region = current
            else:
                current = t
                r.region = t

    def _resolve_duplicates(self, rows: list[_Row], body_groups: dict[str, _BodyGroup]) -> None:
        """Give every row a unique code, level and parent.

        Among rows sharing a printed code, one keeps it (the anchor): the one that stands in its
        own theme's part of the table, that resembles the body's title (groups) or that its lettered
        children follow (activities). Every other row is kept too, as "<code>#n", flagged.
        """
        by_code: dict[str, list[_Row]] = {}
        for r in rows:
            if not r.is_theme:
                by_code.setdefault(r.printed, []).append(r)
        for code, rs in by_code.items():
            anchor, reason = rs[0], ""
            if len(rs) > 1:
                cands = [r for r in rs if not r.misplaced] or rs
                g = body_groups.get(code)
                if len(rs[0].parts) == 2 and not rs[0].letter and g is not None:
                    anchor = max(cands, key=lambda r: (_containment(g.text, " ".join(r.content)), -r.index))
                    reason = "nội dung khớp với tên nhóm ở phần II"
                else:
                    anchor, reason = cands[0], "dòng in đầu tiên"
                    for r in cands:
                        nxt = rows[r.index + 1] if r.index + 1 < len(rows) else None
                        if nxt is not None and nxt.printed.startswith(code + " "):
                            anchor, reason = r, f"các mục con {nxt.printed}… đứng ngay sau dòng đó"
                            break
                if any(r.misplaced for r in rs) and not anchor.misplaced:
                    reason += f", nằm đúng phần Chủ đề {anchor.parts[0]}"
            n = 1
            all_lines = ", ".join(str(r.line) for r in rs)
            for r in rs:
                parts, letter = r.parts, r.letter
                r.level = _level_of(parts, letter)
                r.parent = _printed_parent(parts, letter)
                if r is anchor:
                    r.code = code
                    continue
                n += 1
                r.code = f"{code}#{n}"
                if r.misplaced:
                    where = (f"Dòng {r.line} in mã “{code}” nhưng nằm trong phần Chủ đề {r.region} của Phụ lục, trước "
                             f"dòng tiêu đề Chủ đề {parts[0]}; mã {code} được giữ cho dòng {anchor.line} ({reason}).")
                else:
                    where = (f"Mã “{code}” được in {len(rs)} lần (dòng {all_lines}); mã {code} được giữ cho dòng "
                             f"{anchor.line} ({reason}).")
                r.flags.append(Flag(
                    "duplicate_code",
                    f"{where} Dòng {r.line} được lưu riêng với mã {r.code} (mã in: {code}); cần xác định mã đúng.",
                    r.line))
        # Misplaced rows sit structurally beside their neighbours, not where their code points.
        prev: _Row | None = None
        for r in rows:
            if r.is_theme:
                prev = None
                continue
            if r.misplaced:
                if prev is not None:
                    if prev.level in ("activity", "subactivity"):
                        r.level, r.parent = prev.level, prev.parent
                    else:
                        r.level, r.parent = "activity" if prev.level == "group" else "group", prev.code
                    for fl in r.flags:
                        if fl.code == "duplicate_code":
                            fl.message += f" Tạm xếp dưới {r.parent} theo vị trí trong bảng."
                if not any(fl.code == "duplicate_code" for fl in r.flags):
                    r.flags.append(Flag("out_of_order_code",
                                        f"Mã {r.printed} (dòng {r.line}) nằm trong phần Chủ đề {r.region} của Phụ lục, "
                                        f"trước dòng tiêu đề Chủ đề {r.parts[0]}.", r.line))
                continue
            prev = r
        # Out-of-order codes among the rows that stand where they belong.
        last: _Row | None = None
        for r in rows:
            if r.is_theme or r.misplaced or "#" in r.code:
                continue
            if last is not None and _sort_key(r.code) < _sort_key(last.code) and r.parts[0] == last.parts[0]:
                r.flags.append(Flag("out_of_order_code",
                                    f"Mã {r.printed} (dòng {r.line}) in sau mã {last.printed} (dòng {last.line}); thứ tự "
                                    f"không khớp với cách đánh số, có thể mã bị in nhầm.", r.line))
            if last is None or _sort_key(r.code) > _sort_key(last.code):
                last = r

    def _check_theme_row(self, r: _Row) -> None:
        """Theme rows carry no timeline or agency; data there is debris from a shifted row."""
        stray = [c for c, _ in r.timelines + r.leads + r.extras
                 if not any(_is_noise(p) or _same_text(p, " ".join(r.content)) for p in _paragraphs(c))]
        if stray:
            self.warnings.append(
                f"Dòng {r.line}: dòng tiêu đề Chủ đề {r.parts[0]} có dữ liệu ở các cột thời gian/cơ quan/sản phẩm "
                f"(có thể lặp từ dòng trên) — không dùng cho chủ đề.")

    def _node_from_row(self, r: _Row) -> _Node:
        high, tags = _priority_and_tags(r.content)
        it = ParsedItem(code=r.code, printed_code=r.printed, level=r.level, parent_code=r.parent,
                        title=_title(r.content), text="\n".join(r.content), high_priority=high, group_tags=tags,
                        flags=list(r.flags), source_line=r.line)
        node = _Node(it, pos=r.index, timeline_texts=list(r.timelines))
        content = " ".join(r.content)
        outputs: list[str] = []
        dropped: list[tuple[str, int]] = []
        # Lead column: the name without the assignment formula. A generic group there is the
        # supporting column shifted left.
        leads: list[str] = []
        for cell, ln in r.leads:
            for p in _paragraphs(cell):
                if _is_noise(p):
                    dropped.append((p, ln))
                    continue
                name = clean_agency_text(p)
                if not is_agency_like(name):
                    outputs.append(p)
                    continue
                names, rest = split_agency_cell(name)
                for nm in names:
                    (node.support_raw if is_generic_group(nm) else leads).append(nm)
                if rest:
                    outputs.append(rest)
        for cell, ln in r.extras:
            for p in _paragraphs(cell):
                if _is_noise(p):
                    dropped.append((p, ln))
                elif _same_text(p, content):
                    self.warnings.append(f"Dòng {ln}: một cột lặp lại nội dung của mục {r.code} — bỏ qua bản lặp.")
                elif is_agency_like(p):
                    names, rest = split_agency_cell(clean_agency_text(p) if _has_formula(p) else p)
                    node.support_raw += names
                    if rest:
                        outputs.append(rest)
                else:
                    outputs.append(p)
        for d, ln in dropped:
            self.warnings.append(f"Dòng {ln}: bỏ mảnh tiêu đề trang/chữ quét lẫn vào bảng: “{d}”.")
        if leads:
            node.lead_raw = leads[0]
            if len(leads) > 1:
                self.warnings.append(f"Dòng {r.line}: cột chủ trì của {r.code} nêu nhiều cơ quan; "
                                     f"chủ trì: “{leads[0]}”, các cơ quan còn lại xếp vào phối hợp.")
                node.support_raw += leads[1:]
        it.expected_outputs = "\n".join(dict.fromkeys(o for o in outputs if o))
        return node

    def _apply_summary(self, nodes: dict[str, _Node], summary: list[tuple[str, str, int]]) -> None:
        seen: dict[str, tuple[str, int]] = {}
        summary_lines: set[int] = set()
        for agency, code, line in summary:
            if not agency or not code:
                continue
            if code in seen:
                prev_agency, prev_line = seen[code]
                if agency_key(prev_agency) != agency_key(agency):
                    target = nodes.get(code)
                    fl = Flag("summary_conflict",
                              f"Phần tóm tắt giao mã {code} cho cả “{prev_agency}” (dòng {prev_line}) và “{agency}” "
                              f"(dòng {line}).", line)
                    (target.item.flags if target else self.flags).append(fl)
                continue
            seen[code] = (agency, line)
            if line not in summary_lines:  # one spelling per summary line, however many codes it lists
                summary_lines.add(line)
                self._occurrences.append((line, 1, agency))
            node = nodes.get(code)
            if node is None:
                parts, letter = _code_parts(code)
                if not parts:
                    continue
                level = _level_of(parts, letter)
                it = ParsedItem(code=code, printed_code=code, level=level, parent_code=_printed_parent(parts, letter),
                                title="", text="", source_line=line)
                it.flags.append(Flag("missing_from_scan",
                                     f"Mã {code} chỉ có trong phần tóm tắt phân công (dòng {line}, chủ trì: “{agency}”); "
                                     f"dòng của mục này không có trong Phụ lục của bản quét (có thể trang bị thiếu).",
                                     line))
                node = _Node(it, pos=None, lead_raw=agency, missing=True)
                nodes[code] = node
                continue
            if node.lead_raw is None:
                node.lead_raw = agency
                node.lead_from_summary = True
            elif agency_key(node.lead_raw) != agency_key(agency):
                node.item.flags.append(Flag(
                    "lead_conflict",
                    f"Cơ quan chủ trì {code} trong Phụ lục là “{node.lead_raw}” (dòng {node.item.source_line}) nhưng "
                    f"phần tóm tắt phân công ghi “{agency}” (dòng {line}); giữ cơ quan của Phụ lục.", line))

    def _ensure_parents(self, nodes: dict[str, _Node]) -> None:
        changed = True
        while changed:
            changed = False
            for code, node in list(nodes.items()):
                parent = node.item.parent_code
                if parent is None or parent in nodes:
                    continue
                parts, letter = _code_parts(parent)
                if not parts:
                    node.item.parent_code = None
                    continue
                level = _level_of(parts, letter)
                children = sorted((c for c, n in nodes.items() if n.item.parent_code == parent), key=_sort_key)
                it = ParsedItem(code=parent, printed_code="", level=level,
                                parent_code=None if level == "theme" else _printed_parent(parts, letter),
                                title="", text="", source_line=None)
                it.flags.append(Flag("missing_from_scan",
                                     f"Mục {parent} không có trong bản quét; chỉ suy ra từ mục con "
                                     f"{', '.join(children)}.", None))
                nodes[parent] = _Node(it, pos=None, missing=True)
                changed = True

    def _tree(self, nodes: dict[str, _Node], order_themes: list[int]) -> list[_Node]:
        roots: list[_Node] = []
        for code, node in nodes.items():
            parent = node.item.parent_code
            if node.item.level == "theme" or parent is None:
                roots.append(node)
            else:
                nodes[parent].children.append(node)
        roots.sort(key=lambda n: _sort_key(n.item.code))

        def arrange(children: list[_Node]) -> list[_Node]:
            placed = sorted((c for c in children if c.pos is not None), key=lambda c: c.pos)
            for c in sorted((c for c in children if c.pos is None), key=lambda c: _sort_key(c.item.code)):
                key = _sort_key(c.item.code)
                at = 0
                for k, other in enumerate(placed):
                    if _sort_key(other.item.code) < key:
                        at = k + 1
                placed.insert(at, c)
            return placed

        def rec(n: _Node) -> None:
            n.children = arrange(n.children)
            for c in n.children:
                rec(c)

        for r in roots:
            rec(r)
        return roots

    def _timelines(self, plan: ParsedPlan, roots: list[_Node]) -> None:
        """Own timeline (envelope of the item's rows) → else nearest ancestor's → else children's."""
        ps, pe = plan.period_start, plan.period_end

        def own(n: _Node) -> None:
            it = n.item
            valid: list[tuple[int, int]] = []
            for text, line in n.timeline_texts:
                s, e, err = _parse_timeline(text)
                if err:
                    it.flags.append(Flag("invalid_timeline",
                                         f"Thời gian thực hiện “{text}” của {it.code} (dòng {line}) không hợp lệ ({err}); "
                                         f"để trống năm bắt đầu/kết thúc.", line))
                    continue
                valid.append((s, e))
                if ps is not None and pe is not None and (s < ps or e > pe):
                    it.flags.append(Flag("timeline_outside_period",
                                         f"Thời gian thực hiện “{text}” của {it.code} (dòng {line}) nằm ngoài giai đoạn "
                                         f"{ps}–{pe} của kế hoạch; giữ nguyên {s}–{e}.", line))
            if valid and not any(f.code == "invalid_timeline" for f in it.flags):
                it.start_year, it.end_year = min(s for s, _ in valid), max(e for _, e in valid)
            for c in n.children:
                own(c)

        def down(n: _Node, inherited: tuple[int, int] | None) -> None:
            it = n.item
            if it.start_year is None and inherited and it.level in ("activity", "subactivity") and not n.missing \
                    and not any(f.code == "invalid_timeline" for f in it.flags):
                it.start_year, it.end_year = inherited
            here = (it.start_year, it.end_year) if it.start_year is not None and it.level != "theme" else inherited
            for c in n.children:
                down(c, here)

        def up(n: _Node) -> tuple[int, int] | None:
            spans = [s for s in (up(c) for c in n.children) if s]
            it = n.item
            if it.start_year is None and spans and it.level in ("activity", "subactivity") \
                    and not any(f.code == "invalid_timeline" for f in it.flags):
                it.start_year, it.end_year = min(s for s, _ in spans), max(e for _, e in spans)
            if it.start_year is None and not n.children and it.level in ("activity", "subactivity") and not n.missing \
                    and not any(f.code == "invalid_timeline" for f in it.flags):
                it.flags.append(Flag("no_timeline",
                                     f"{it.code} (dòng {it.source_line}) không có thời gian thực hiện: ô trống ở dòng "
                                     f"của mục, các dòng tiếp nối và các mục cha.", it.source_line))
            return (it.start_year, it.end_year) if it.start_year is not None else None

        for r in roots:
            own(r)
            down(r, None)
            up(r)

    def _agencies(self, nodes: dict[str, _Node]) -> None:
        for n in nodes.values():
            if n.missing:
                continue  # its lead is the summary's, registered with the summary line
            line = n.item.source_line or 0
            if n.lead_raw and not n.lead_from_summary:
                self._occurrences.append((line, 3, n.lead_raw))
            for s in n.support_raw:
                self._occurrences.append((line, 4, s))
        for _, _, raw in sorted(self._occurrences, key=lambda o: (o[0], o[1])):
            self.registry.add(raw)
        for n in nodes.values():
            it = n.item
            it.lead_agency = self.registry.canonical(n.lead_raw) if n.lead_raw else None
            support: list[str] = []
            lead_key = agency_key(it.lead_agency) if it.lead_agency else None
            for s in n.support_raw:
                name = self.registry.canonical(s)
                if not name:
                    continue
                if lead_key and agency_key(name) == lead_key:
                    self.warnings.append(f"Dòng {it.source_line}: cơ quan chủ trì “{it.lead_agency}” của {it.code} cũng "
                                         f"được ghi ở cột phối hợp — bỏ khỏi danh sách phối hợp.")
                    continue
                if name not in support:
                    support.append(name)
            it.supporting_agencies = support

    def _leads_and_texts(self, roots: list[_Node]) -> None:
        def rec(n: _Node) -> None:
            it = n.item
            if it.level in ("activity", "subactivity") and not n.children and not n.missing and not it.lead_agency:
                it.flags.append(Flag("no_lead",
                                     f"{it.code} (dòng {it.source_line}) không có cơ quan chủ trì: ô trống trong Phụ lục "
                                     f"và phần tóm tắt phân công không nêu mã này.", it.source_line))
            seen: dict[str, _Node] = {}
            for c in n.children:
                key = re.sub(r"\W+", " ", fold(c.item.text)).strip()
                if len(key) >= 20 and key in seen:
                    other = seen[key].item
                    c.item.flags.append(Flag("duplicate_text",
                                             f"Nội dung của {c.item.code} (dòng {c.item.source_line}) trùng hệt "
                                             f"{other.code} (dòng {other.source_line}); có thể nội dung bị sao chép khi quét.",
                                             c.item.source_line))
                elif key:
                    seen.setdefault(key, c)
                rec(c)

        for r in roots:
            rec(r)

    def _gaps(self, rows: list[_Row]) -> None:
        """Name the places where whole stretches of the table are missing (informational)."""
        prev: _Row | None = None
        for r in rows:
            if r.misplaced or r.is_theme:
                continue
            if prev is not None and r.parts[0] > prev.parts[0] and len(r.parts) > 2:
                self.warnings.append(f"Dòng {prev.line}–{r.line}: bảng nhảy từ {prev.code} sang {r.code} — "
                                     f"có thể thiếu trang trong bản quét.")
            elif prev is not None and len(r.parts) >= 2 and len(prev.parts) >= 2 and r.parts[0] == prev.parts[0] \
                    and r.parts[1] > prev.parts[1] + 1:
                self.warnings.append(f"Dòng {prev.line}–{r.line}: bảng nhảy từ {prev.code} sang {r.code} — "
                                     f"có thể thiếu trang trong bản quét.")
            prev = r


# ============================================================================================
# Small helpers
# ============================================================================================

def _split_code(c0: str) -> tuple[str | None, str]:
    """First cell → (normalised code or None, text that shares the cell).

    "1.1.3 a" → code; "<b>4 Huy động …</b>" (a theme row whose code and title share the cell)
    → ("4", "Huy động …"); "(Cao)" → (None, "(Cao)").
    """
    s = _ws(c0)
    if not s:
        return None, ""
    if _is_code(s) and not re.fullmatch(r"\d{4,}", s):
        return normalize_code(s), ""
    m = re.match(r"^(\d{1,2})\s*[.)]?\s+([A-ZĐÀ-Ỹ].*)$", s)
    if m:
        return str(int(m.group(1))), m.group(2)
    return None, s


def _has_formula(p: str) -> bool:
    f = fold(p)
    return "tham muu" in f or "theo doi" in f


def _date(y: str, m: str, d: str) -> datetime.date | None:
    try:
        return datetime.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_NAME_WORD = re.compile(r"[^\W\d_][\w-]*")


def _province_mentions(line: str) -> list[tuple[str, str]]:
    """("tỉnh", "Bình Dương") for each "tỉnh/thành phố <Capitalised Name>" in a line.

    Table rows are read cell by cell: a name never runs across a tab ("… địa bàn tỉnh<TAB>Sở …").
    """
    out = []
    for cell in _plain(line.replace("\t", " \x00 ")).split("\x00") if "\t" in line else [line]:
        out += _province_mentions_cell(cell)
    return out


def _province_mentions_cell(line: str) -> list[tuple[str, str]]:
    out = []
    for m in re.finditer(r"\b(tỉnh|Tỉnh|thành phố|Thành phố)\s+", line):
        words = []
        for w in line[m.end():].split(" ")[:4]:
            w2 = w.strip(",.;:()[]*\"“”")
            if w2 == "-" and words:
                words.append("-")
                continue
            if not w2 or not w2[0].isupper() or w2.isupper() and len(w2) > 1:
                break
            words.append(w2)
            if w2 != w.rstrip():  # punctuation ended the name
                break
        while words and words[-1] == "-":
            words.pop()
        if words:
            out.append((m.group(1).lower(), " ".join(words)))
    return out
