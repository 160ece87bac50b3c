"""Plan item codes: one normal form and a numeric order.

Normal form: digits joined by dots ("1.1.3"); a lettered sub-item as "1.1.3 a" (one space,
lower-case letter). An item that duplicates a printed code is stored with a disambiguating
suffix "#2" ("1.1.3#2") and keeps its printed code beside it.
"""
import re

# Lettered lists follow the Vietnamese alphabet, so "đ" comes between "d" and "e".
CODE_PATTERN = r"^[0-9]+(\.[0-9]+)*( [a-zđ])?(#[0-9]+)?$"
_CODE_RE = re.compile(CODE_PATTERN)
_LOOSE = re.compile(r"^\s*(\d+(?:\s*\.\s*\d+)*)\s*\.?\s*(?:[\s.,)(-]*([A-Za-zđĐ]))?\s*\)?\s*(?:#\s*(\d+))?\s*$")


class InvalidCode(ValueError):
    pass


def normalize_code(raw: str) -> str:
    """'1.1.3a', '1.1.3. A', ' 1 . 2 . ' → '1.1.3 a', '1.1.3 a', '1.2'. Raises InvalidCode."""
    match = _LOOSE.match(raw or "")
    if not match:
        raise InvalidCode(f"Mã “{raw}” không đúng dạng (ví dụ 1.1.3 hoặc 1.1.3 a).")
    digits = ".".join(part.strip() for part in match.group(1).split("."))
    digits = ".".join(str(int(part)) for part in digits.split("."))
    code = digits
    if match.group(2):
        code += " " + match.group(2).lower()
    if match.group(3):
        code += f"#{int(match.group(3))}"
    return code


def is_normal(code: str) -> bool:
    return bool(_CODE_RE.match(code or ""))


def code_sort_key(code: str) -> str:
    """A string that sorts numerically in SQL: '1.2' before '1.10', '1.1.3' before '1.1.3 a'."""
    base, _, dup = code.partition("#")
    digits, _, letter = base.partition(" ")
    parts = [f"{int(p):05d}" for p in digits.split(".") if p.isdigit()]
    key = ".".join(parts)
    if letter:
        # '~' sorts after '.', so sub-items follow their parent's children; đ sorts after d.
        key += "~" + ("d~" if letter == "đ" else letter)
    if dup:
        key += f"#{int(dup):03d}"
    return key


def parent_code(code: str) -> str | None:
    base = code.partition("#")[0]
    if " " in base:
        return base.split(" ")[0]
    if "." in base:
        return base.rsplit(".", 1)[0]
    return None


def printed_part(code: str) -> tuple[str, int | None]:
    """'1.1.3#2' → ('1.1.3', 2); '1.1.3' → ('1.1.3', None). The "#2" is the store's own way to keep
    two items that the document printed with the same code apart; people see the printed code and
    a mark saying it is the second item with that code, never the "#"."""
    base, sep, dup = (code or "").partition("#")
    return base, (int(dup) if sep and dup.isdigit() else None)
