"""Vietnamese text normalisation: the quoted form and the searchable form of a text.

The *quoted* form keeps the document's own letters (NFC, clean spaces) so citations quote
exactly what the document says. The *searchable* form also puts tone marks in one canonical
place (hoá → hóa, thuỷ → thủy, HOÀ → HÒA) so old and new spelling match in the index.

>>> canonical_tones("Văn hoá, thuỷ lợi, quý, hoàn thành")
'Văn hóa, thủy lợi, quý, hoàn thành'
>>> fold_accents("Đơn vị chủ trì")
'Don vi chu tri'
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that are spaces in effect but not U+0020 (NBSP, thin, figure, ideographic ...).
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Zero-width characters and soft hyphens carry nothing a reader sees.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_MULTI_SPACE = re.compile(r" {2,}")

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_WORD = re.compile(r"[^\W\d_]+")


def clean_text(text: str) -> str:
    """NFC, odd spaces → plain spaces, invisible characters removed, runs of spaces collapsed.

    Newlines are kept: they still separate lines for the structure parser.
    """
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _MULTI_SPACE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


# A text has few distinct syllables (a few thousand in Vietnamese) among millions of tokens:
# each word is re-toned once, not once per occurrence (this cut the index's term analysis ~5x).
@lru_cache(maxsize=1 << 16)
def _retone_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word  # no tone, or not a Vietnamese syllable
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    lower = bare.lower()
    # Vowel nucleus: the first run of vowels, with the onsets "qu" and "gi" kept out of it.
    start = 0
    if lower.startswith("qu") or (lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS):
        start = 2
    i = start
    while i < len(lower) and lower[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(lower) and lower[j] in _VOWELS:
        j += 1
    if i == j or any(ch in _VOWELS for ch in lower[j:]):
        return word  # no vowel, or two vowel runs: not one syllable ("thôngchủ" glued), left as written
    nucleus = lower[i:j]
    has_coda = j < len(lower)
    marked = [k for k, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        pos = marked[-1]  # ươ → ơ, and any single marked vowel
    elif has_coda:
        pos = len(nucleus) - 1
    elif len(nucleus) == 3:
        pos = 1
    else:
        pos = 0  # open syllable: hóa, thủy, mía, múa
    target = i + pos
    out = unicodedata.normalize("NFD", bare[target]) + tones[0]
    return unicodedata.normalize("NFC", bare[:target] + out + bare[target + 1 :])


def canonical_tones(text: str) -> str:
    """Place every tone mark by one rule, so "hoá" and "hóa" become the same string."""
    return _WORD.sub(lambda m: _retone_syllable(m.group(0)), unicodedata.normalize("NFC", text))


def search_form(text: str) -> str:
    """The form the index sees: clean, NFC, canonical tones (case kept: names stay names)."""
    return canonical_tones(clean_text(text))


class _FoldTable(dict):
    """code point → the character without its marks, filled on first sight of each character.

    Decomposition works character by character, so folding each character of the NFC text
    equals folding the whole decomposed text; ``str.translate`` then does it in C."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code))
        folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold_accents(text: str) -> str:
    """Strip every diacritic (đ → d), for questions typed without them."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def fold_words(words: list[str]) -> list[str]:
    """``fold_accents`` of each word (words without spaces), in one pass over their text."""
    folded = fold_accents(" ".join(words)).split(" ")
    return folded if len(folded) == len(words) else [fold_accents(w) for w in words]


def has_diacritics(text: str) -> bool:
    return fold_accents(text) != unicodedata.normalize("NFC", text)
