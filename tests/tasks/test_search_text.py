"""An item's search text is folded a word at a time; that must give exactly what `fold` gives
for the whole text, or the search would stop finding what it found before."""
import sys
import unicodedata
from pathlib import Path

from django.conf import settings as django_settings
from hypothesis import given, settings, strategies as st

from agencies.text import fold
from tasks.models import fold_words

DOCUMENT = Path(django_settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
# The characters where word-by-word folding could go wrong: every kind of space, combining
# marks (a "word" of marks alone folds to nothing), đ, Greek capital sigma (lower-cased by
# context), dotted capital I (lower-cases to two characters) and Vietnamese letters.
TRICKY = st.sampled_from(WHITESPACE + ["\u0301", "\u0323", "\u0309", "đ", "Đ", "Σ", "Α", "İ", "ẫ", "Ư", "ơ", "'", "."])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.characters()), max_size=40).map("".join))
def test_folding_word_by_word_is_folding_the_whole_text(text):
    assert fold_words(text) == fold(text)


def test_no_character_folds_to_or_from_whitespace():
    """Why the two agree: a character's decomposition is whitespace exactly when the character
    is, and lower-casing never makes whitespace."""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        parts = unicodedata.normalize("NFD", ch) + ch.lower()
        assert all(p.isspace() for p in parts) if ch.isspace() else not any(p.isspace() for p in parts), hex(cp)


def test_the_plan_document_folds_alike():
    for line in DOCUMENT.read_text(encoding="utf-8").splitlines():
        assert fold_words(line) == fold(line)
