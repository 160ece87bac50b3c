"""Text helpers shared by every layer: diacritic folding for search and Vietnamese sorting.

Kept at the lowest layer (agencies) because agencies, plan items and reports all need them.
"""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Unicode NFC, which is how Vietnamese text is stored everywhere in the portal."""
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ/Đ → d) and collapse spaces.

    "Sở Kế hoạch và Đầu tư" → "so ke hoach va dau tu". Stored beside searchable text so
    that search ignores accents the same way on SQLite and PostgreSQL.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then tones in the order ngang, huyền, hỏi, ngã, sắc, nặng. Used by sort_key below.
_BASE_ORDER = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_SHAPES = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def sort_key(text: str) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects (Đ after D, Ư after U).

    Letters compare first; tones only break ties, as in a Vietnamese dictionary.
    """
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", (text or "").lower()):
        if unicodedata.category(ch) == "Mn":
            if ch in _LETTER_SHAPES and letters:
                base = _BASE_ORDER[letters[-1] - 1000] if letters[-1] >= 1000 else ""
                letters[-1] = _rank(unicodedata.normalize("NFC", base + ch))
            elif ch in _TONES and tones:
                tones[-1] = _TONES[ch]
            continue
        letters.append(_rank(ch))
        tones.append(0)
    return (tuple(letters), tuple(tones))


def _rank(ch: str) -> int:
    idx = _BASE_ORDER.find(ch) if len(ch) == 1 else -1
    if idx >= 0:
        return 1000 + idx
    return ord(ch[0]) if ord(ch[0]) < 1000 else 2000 + ord(ch[0])
