"""Agency-name normalisation for text that came out of scans and hand-typed tables.

Pure Python (no Django): the document parser, the import service and the spreadsheet reader all
need the same answer to "are these two spellings the same agency?", and the parser runs outside
Django in tests.

What goes wrong in real plan documents, and which function handles it:

* A lead-agency cell carries boilerplate after the name ("Sở X theo dõi, căn cứ hướng dẫn của Bộ,
  ngành để tham mưu, triển khai thực hiện"), often OCR-damaged ("cản cứ", "hương dẫn")
  → `clean_agency_text`.
* A supporting-agency cell is a list whose generic groups contain commas ("Các sở, ban, ngành,
  UBND các huyện, thị xã, thành phố"), and the expected outputs are sometimes glued on after the
  list → `split_agency_cell` / `split_agencies`.
* One agency is spelt several ways: capitalisation ("Sở Công thương"/"Sở Công Thương"), an
  abbreviation ("Sở KH&ĐT"), a conjunction ("Giao thông và Vận tải"), a dash or its absence
  ("Lao động - Thương binh") → `agency_key`, a folding key built from general rules plus a small
  table of *standard* Vietnamese administrative abbreviations (not names from any one document).
* Which variant to show → `AgencyRegistry`: the most common well-formed spelling wins; every other
  spelling is kept as an alias so that nothing the document said is lost.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from agencies.text import fold, nfc

__all__ = [
    "ParsedAgency",
    "AgencyRegistry",
    "agency_key",
    "classify_agency",
    "clean_agency_text",
    "display_name",
    "fold_keep_length",
    "is_agency_like",
    "is_generic_group",
    "split_agencies",
    "split_agency_cell",
]

_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]*>")


@dataclass
class ParsedAgency:
    """An agency as found in a parsed document (the import service turns it into an Agency)."""

    name: str  # canonical spelling
    kind: str  # department | peoples_committee | bank | police | military | office | association | group | other
    is_group: bool  # a generic group ("Các sở, ban, ngành") rather than one body
    aliases: set[str] = field(default_factory=set)  # other spellings seen, canonical excluded


# --------------------------------------------------------------------------------------------
# Folding that keeps character positions
# --------------------------------------------------------------------------------------------

def fold_keep_length(text: str) -> str:
    """Like `agencies.text.fold` but one output character per input character.

    Regexes that recognise boilerplate are written against folded text (so that OCR tone errors
    such as "cản cứ" for "căn cứ" do not matter), and the match positions are then applied to
    the original text, which must therefore keep its length. Spaces are not collapsed.
    """
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn").lower()
        out.append(base if len(base) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch))
    return "".join(out)


def _ws(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _strip_html(text: str) -> str:
    return _ws(html.unescape(_TAGS.sub(" ", text or "")))


# --------------------------------------------------------------------------------------------
# Boilerplate
# --------------------------------------------------------------------------------------------

# Everything from "theo dõi" / "căn cứ hướng dẫn" / "chủ trì, tham mưu" to the end of the cell is
# the standard assignment formula, not part of the name. Written on folded text with OCR slack:
# vowels may lose or change their marks, so "can cu", "cản cứ" and "căn cứ" all fold alike.
_BOILERPLATE = [
    re.compile(r"[\s,;:(-]*\btheo\s*doi\b.*$"),
    re.compile(r"[\s,;:(-]*\bcan\s*cu\s+h\w*ng\s+dan\b.*$"),
    re.compile(r"[\s,;:(-]*\bde\s+tham\s+m\w*u\b.*$"),
    re.compile(r"[\s,;:(-]*\bchu\s+tri\b(\s*[,;:]|\s+(tham|trien|thuc|phoi|va)\b|\s*$).*$"),
    re.compile(r"[\s,;:(-]*\bla\s+co\s+quan\s+dau\s+moi\b.*$"),
]
_LABEL = re.compile(r"^\s*(co\s+quan\s+(chu\s+tri|phoi\s+hop)|don\s+vi\s+dau\s+moi)\s*[:\-]\s*")


def clean_agency_text(raw: str | None) -> str:
    """The agency name in a lead-agency cell, without HTML, labels or the assignment formula.

    "Sở Tài nguyên và Môi trường theo dõi, cản cứ hướng dẫn của Bộ, ngành để tham mưu, triển khai
    thực hiện" → "Sở Tài nguyên và Môi trường". Idempotent; returns "" for nothing.
    """
    text = _strip_html(nfc(raw or ""))
    if not text:
        return ""
    folded = fold_keep_length(text)
    m = _LABEL.match(folded)
    if m:
        text, folded = text[m.end():], folded[m.end():]
    for pattern in _BOILERPLATE:
        m = pattern.search(folded)
        if m and m.start() > 0:
            text, folded = text[: m.start()], folded[: m.start()]
    return _ws(text).strip(" ,;:.-–")


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------

# Standard abbreviations in Vietnamese administrative writing, as folded regex → folded expansion.
# They are general (every province uses them), so they belong here and not in a parser.
_ABBREVIATIONS: list[tuple[re.Pattern, str]] = [
    (re.compile(p), e)
    for p, e in [
        (r"\bvh\s*[,.&-]?\s*tt\s*(?:&|va|-)?\s*dl\b", " van hoa the thao va du lich "),
        (r"\bld\s*[-,.]?\s*tb\s*(?:&|va|-)?\s*xh\b", " lao dong thuong binh va xa hoi "),
        (r"\bnn\s*(?:&|va|-)\s*ptnt\b|\bnnptnt\b", " nong nghiep va phat trien nong thon "),
        (r"\bkh\s*(?:&|va|-)\s*dt\b|\bkhdt\b", " ke hoach va dau tu "),
        (r"\btn\s*(?:&|va|-)\s*mt\b|\btnmt\b", " tai nguyen va moi truong "),
        (r"\btt\s*(?:&|va|-)\s*tt\b", " thong tin va truyen thong "),
        (r"\bkh\s*(?:&|va|-)\s*cn\b|\bkhcn\b", " khoa hoc va cong nghe "),
        (r"\bgd\s*(?:&|va|-)\s*dt\b|\bgddt\b", " giao duc va dao tao "),
        (r"\bgtvt\b", " giao thong van tai "),
        (r"\bubnd\b", " uy ban nhan dan "),
        (r"\bhdnd\b", " hoi dong nhan dan "),
        (r"\bmttq\b", " mat tran to quoc "),
        (r"\bnhnn\b", " ngan hang nha nuoc "),
        (r"\bbchqs\b|\bbch\s*qs\b", " bo chi huy quan su "),
        (r"\bhtx\b", " hop tac xa "),
        (r"\btnhh\b", " trach nhiem huu han "),
        (r"\bvn\b", " viet nam "),
        (r"\btp\b\.?", " thanh pho "),
    ]
]
_ABBREV_TOKENS = re.compile(
    r"(?<![\w])(KH&ĐT|TN&MT|NN&PTNT|LĐTB&XH|LĐ-TB&XH|GTVT|TT&TT|KH&CN|GD&ĐT|VH,TT&DL|VHTT&DL|NHNN|VN|BCHQS|MTTQ)(?![\w])"
)
_FILLER = {"va"}


def agency_key(name: str | None) -> str:
    """A folding key: two spellings of one agency give the same key.

    Rules (general, not per document): drop boilerplate and HTML; lower-case and strip
    diacritics; expand standard abbreviations; "&" means "và"; punctuation and dashes are
    spacing; the conjunction "và" is not distinctive ("Giao thông và Vận tải" = "Giao thông vận
    tải"); district-level groups are "UBND các huyện, thị xã, thành phố" with or without "UBND".
    """
    text = clean_agency_text(name)
    f = " " + fold(text) + " "
    for pattern, expansion in _ABBREVIATIONS:
        f = pattern.sub(expansion, f)
    f = f.replace("&", " va ")
    f = re.sub(r"[^\w\s]", " ", f)
    tokens = [t for t in f.split() if t not in _FILLER]
    key = " ".join(tokens)
    # A list of districts means their People's Committees, with or without the "UBND".
    key = re.sub(r"^(?:(?:uy ban nhan dan|ubnd) )?(?:cac )?huyen thi xa thanh pho\b", "uy ban nhan dan cac huyen thi xa thanh pho", key)
    return key


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------

_PLURAL_NOUNS = (
    r"so|ban|nganh|bo|hoi|hiep hoi|don vi|co quan|huyen|xa|phuong|ngan hang|to chuc|doanh nghiep|"
    r"dia phuong|doan the|cong ty|vien|truong|tinh|thanh vien|chu dau tu|quy|trung tam|ubnd|uy ban"
)
# The plural head is checked on the lower-cased text *with* diacritics: folded, "các bổ sung"
# (OCR "bô sung") would read as "các bộ" and "các quy chuẩn" as "các quỹ".
_PLURAL_NOUNS_VI = (
    r"sở|ban|ngành|bộ|hội|hiệp hội|đơn vị|cơ quan|huyện|xã|phường|ngân hàng|tổ chức|doanh nghiệp|"
    r"địa phương|đoàn thể|công ty|viện|trường|tỉnh|thành viên|chủ đầu tư|quỹ|trung tâm|ubnd|ủy ban|uỷ ban"
)
_PLURAL_HEAD_VI = re.compile(rf"^các\s+(?:{_PLURAL_NOUNS_VI})(?![\w])")
_GENERIC = re.compile(
    r"^(?:cac\s+(?:{p})\b|(?:ubnd|uy ban nhan dan)\s+(?:cac|cap)\s+(?:huyen|xa)\b|"
    r"(?:cac\s+)?huyen\s*,?\s*thi xa\b)".format(p=_PLURAL_NOUNS)
)


def _plural_head(text: str) -> bool:
    return bool(_PLURAL_HEAD_VI.match(nfc(text).lower().strip()))


def is_generic_group(name: str | None) -> bool:
    """A generic group ("Các sở, ban, ngành", "UBND các huyện, thị xã, thành phố") - not one body."""
    cleaned = clean_agency_text(name)
    f = fold(cleaned)
    if f.startswith("cac "):
        return _plural_head(cleaned)
    return bool(_GENERIC.match(f))


def classify_agency(name: str | None) -> tuple[str, bool]:
    """(kind, is_group) from the name alone. Generic groups are kind "group"."""
    if is_generic_group(name):
        return "group", True
    f = " " + agency_key(name) + " "
    rules = [
        ("military", r" (bo chi huy quan su|chi huy quan su|bo doi bien phong|quan su) "),
        ("police", r" cong an "),
        ("bank", r"^ (ngan hang|chi nhanh ngan hang|kho bac) "),
        ("office", r"^ van phong "),
        ("peoples_committee", r"^ uy ban nhan dan "),
        ("department", r"^ (so|ban quan ly|ban dan toc|thanh tra|cuc|chi cuc) "),
        ("association", r"^ (hoi|lien minh|lien doan|hiep hoi|mat tran|tinh doan|doan thanh nien|hoi dong) "),
    ]
    for kind, pattern in rules:
        if re.search(pattern, f):
            return kind, False
    return "other", False


# --------------------------------------------------------------------------------------------
# Splitting a supporting-agencies cell
# --------------------------------------------------------------------------------------------

# Words that open an agency name. Case matters for the ambiguous ones: "Bộ Kế hoạch" is a
# ministry but "Bộ tiêu chí" is an output; "Ban Quản lý" an agency, "ban hành" a verb.
_PROPER_HEAD = re.compile(
    r"^(?:Sở|Ủy ban|Uỷ ban|UBND|HĐND|Văn phòng|Công an|Ngân hàng|Kho bạc|Chi cục|Cục|Tổng cục|"
    r"Liên minh|Liên đoàn|Mặt trận|Tỉnh đoàn|Công ty|Tổng công ty|Trung tâm|Viện|Đài|Bảo hiểm xã hội|"
    r"Thanh tra|Tòa án|Viện kiểm sát|Điện lực|Bộ [Cc]hỉ huy|BCHQS|MTTQ|NHNN|"
    r"(?:Bộ|Ban|Hội|Đoàn|Báo|Quỹ|Hiệp hội|Trường)\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ])"
)


# Words that join a clause, never a name: "Công ty Cổ phần Công nghệ thông tin vào công tác quản
# trị, điều hành các cơ quan" (plan 396, 5.2.2) is the row's text wrapped into the supporting
# column, not a company. Matched with diacritics: folded, "để" would also be "đề" (Đề án).
_CLAUSE_WORD = re.compile(r"(?<!\w)(?:vào|nhằm|để|đối với|thông qua|bằng cách|theo hướng)(?!\w)")


def reads_as_clause(text: str | None) -> bool:
    """Does this agency-looking text go on as a clause ("... vào công tác ...")? Then it is text."""
    return bool(_CLAUSE_WORD.search(nfc(text or "").lower()))


def is_agency_like(text: str | None) -> bool:
    """Does this text start like an agency name or a generic group of agencies?"""
    t = _strip_html(nfc(text or "")).lstrip(" -–•+*")
    if not t:
        return False
    t_cap = t[0].upper() + t[1:]
    if fold(t).startswith("cac "):
        return _plural_head(t)
    return bool(_PROPER_HEAD.match(t_cap) or _GENERIC.match(fold(t)))


# Generic groups whose own commas must not split them. Folded regexes; tolerant of the comma
# and "UBND" slips that OCR and typists produce.
_SBN = r"cac\s+so\s*,?\s*ban\s*,?\s*nganh(?:\s+tinh)?"
_DISTRICTS = r"(?:(?:ubnd|uy\s+ban\s+nhan\s+dan)\s*,?\s*)?(?:cac\s+)?huyen\s*,?\s*thi\s+xa\s*,?\s*thanh\s+pho"
_PROTECTED = re.compile(rf"{_SBN}(?:\s*[,;]?\s*{_DISTRICTS})?|{_DISTRICTS}")
_RELATED_THEN_TEXT = re.compile(r"\bco\s+lien\s+quan\b\.?\s+(?=\S)")
_SEPARATOR = re.compile(r"[,;]")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def display_name(raw: str) -> str:
    """How a variant is recorded: cleaned, NFC, single spaces, first letter capitalised.

    The first letter's case only reflects where the name stood in a sentence ("…, các Hội và
    các đơn vị có liên quan"), so it is not a spelling variant worth keeping.
    """
    return _cap(clean_agency_text(raw))


def split_agency_cell(raw: str | None) -> tuple[list[str], str]:
    """Split a supporting-agencies cell into (agency names, remaining text).

    The list of agencies is read from the start of the cell; as soon as something that is not an
    agency appears (scanned tables glue the expected outputs onto the list), the rest of the
    cell is returned as text for the caller to keep. Generic groups stay whole. Duplicates
    (same key) are listed once.
    """
    text = _strip_html(nfc(raw or ""))
    if not text:
        return [], ""
    folded = fold_keep_length(text)
    rest = ""
    # "... các đơn vị có liên quan Các văn bản hướng dẫn ...": an agency list cannot continue with
    # a capitalised sentence after "có liên quan", so the sentence is the outputs.
    for m in _RELATED_THEN_TEXT.finditer(folded):
        nxt = text[m.end()] if m.end() < len(text) else ""
        if nxt.isupper() or nxt.isdigit() or nxt == "(":
            rest = text[m.end():].strip()
            text, folded = text[: m.end()].rstrip(), folded[: m.end()].rstrip()
            break

    # "... các đơn vị có liên quan các Hội ...": a new plural list item glued on without a comma.
    for m in re.finditer(r"\bco\s+lien\s+quan( )(?=cac\b)", folded):
        i = m.start(1)
        text, folded = text[:i] + ";" + text[i + 1:], folded[:i] + ";" + folded[i + 1:]

    # Tokens: protected generic groups, then comma/semicolon pieces of what lies between them.
    tokens: list[tuple[str, bool, int]] = []  # (text, protected, start offset)
    pos = 0
    for m in _PROTECTED.finditer(folded):
        tokens.extend(_pieces(text, pos, m.start()))
        tokens.append((text[m.start(): m.end()], True, m.start()))
        pos = m.end()
    tokens.extend(_pieces(text, pos, len(text)))

    names: list[str] = []
    current: str | None = None
    current_plural = current_protected = False
    stop_at: int | None = None
    for k, (piece, protected, start) in enumerate(tokens):
        piece_s = piece.strip(" ,;.:")
        if not piece_s:
            continue
        if protected:
            if current:
                names.append(current)
            current, current_plural, current_protected = piece_s, False, True
            continue
        if is_agency_like(piece_s) and not reads_as_clause(piece_s):
            if current:
                names.append(current)
            current = piece_s
            current_plural, current_protected = fold(piece_s).startswith("cac "), False
            continue
        # "các bộ, ngành và các đơn vị có liên quan": a lower-case piece right after a plural head
        # continues that list.
        if current and current_plural and piece_s[:1].islower() and len(piece_s.split()) <= 8:
            current = f"{current}, {piece_s}"
            continue
        # "Sở Văn hóa, Thể thao và Du lịch": a short piece after a single agency, followed by
        # another agency or by nothing, is part of that agency's name.
        if current and not current_plural and not current_protected and len(piece_s.split()) <= 5 and _next_is_agency_or_end(tokens, k):
            current = f"{current}, {piece_s}"
            continue
        stop_at = start
        break
    if current:
        names.append(current)
    if stop_at is not None:
        tail = text[stop_at:].strip(" ,;")
        rest = f"{tail} {rest}".strip() if rest else tail

    out, seen = [], set()
    for name in names:
        shown = display_name(name)
        key = agency_key(shown)
        if shown and key and key not in seen:
            seen.add(key)
            out.append(shown)
    return out, rest


def _next_is_agency_or_end(tokens: list[tuple[str, bool, int]], k: int) -> bool:
    for piece, protected, _ in tokens[k + 1:]:
        p = piece.strip(" ,;.:")
        if p:
            return protected or is_agency_like(p)
    return True


def _pieces(text: str, start: int, end: int) -> list[tuple[str, bool, int]]:
    out = []
    pos = start
    for m in _SEPARATOR.finditer(text, start, end):
        out.append((text[pos: m.start()], False, pos))
        pos = m.end()
    out.append((text[pos:end], False, pos))
    return out


def split_agencies(raw: str | None) -> list[str]:
    """The individual agency names in a supporting-agencies cell (generic groups kept whole)."""
    return split_agency_cell(raw)[0]


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

class AgencyRegistry:
    """Collects every spelling of every agency seen while parsing one document.

    `add` during parsing; `canonical` and `agencies` afterwards. The canonical name of a key is the
    most common well-formed spelling (no abbreviation, no "&"); ties go to the spelling seen
    first. All other spellings become aliases.
    """

    def __init__(self) -> None:
        self._counts: dict[str, Counter] = {}
        self._first: dict[str, dict[str, int]] = {}
        self._order: list[str] = []
        self._seq = 0

    def add(self, raw: str | None) -> str | None:
        """Record one occurrence; returns its key (None if the text holds no name)."""
        name = display_name(raw or "")
        key = agency_key(name)
        if not name or not key:
            return None
        if key not in self._counts:
            self._counts[key] = Counter()
            self._first[key] = {}
            self._order.append(key)
        self._counts[key][name] += 1
        self._seq += 1
        self._first[key].setdefault(name, self._seq)
        return key

    def __contains__(self, raw: str | None) -> bool:
        return agency_key(raw) in self._counts

    @staticmethod
    def _well_formed(name: str) -> int:
        return 0 if (_ABBREV_TOKENS.search(name) or "&" in name) else 1

    def canonical(self, raw: str | None) -> str | None:
        """Canonical spelling for any variant (or key) of a registered agency, else the display name."""
        key = agency_key(raw)
        if not key:
            return None
        counts = self._counts.get(key)
        if not counts:
            return display_name(raw or "") or None
        first = self._first[key]
        return max(counts, key=lambda n: (self._well_formed(n), counts[n], -first[n]))

    def agencies(self) -> list[ParsedAgency]:
        out = []
        for key in self._order:
            name = self.canonical(next(iter(self._counts[key])))
            kind, is_group = classify_agency(name)
            aliases = {n for n in self._counts[key] if n != name}
            out.append(ParsedAgency(name=name, kind=kind, is_group=is_group, aliases=aliases))
        return out
