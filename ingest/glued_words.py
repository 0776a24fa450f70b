"""Words glued where an HTML tag or a PDF text run ended ("Truyền thôngchủ trì", "KẾ
HOẠCHTRIỂN KHAI", "thànhphố"): split back with a space, never changing a letter.

A token is split only when it is not itself a Vietnamese syllable, carries Vietnamese letters
(English words and abbreviations are left alone), and reads as two or three valid syllables in
exactly one way with the fewest parts, each part in a consistent case ("thông|chủ", "HOẠCH|TRIỂN", "Truyền|thông").
The repair only ever inserts spaces: :func:`repair_glued` checks that the letters are unchanged.

>>> repair_glued("Sở Thông tin và Truyền thôngchủ trì, KẾ HOẠCHTRIỂN KHAI tại thànhphố")
'Sở Thông tin và Truyền thông chủ trì, KẾ HOẠCH TRIỂN KHAI tại thành phố'
"""
from __future__ import annotations

import re
import unicodedata

from ingest.paragraphs import is_vietnamese_syllable

_TOKEN = re.compile(r"[^\W\d_]{4,}")


def _is_vowel(ch: str) -> bool:
    return unicodedata.normalize("NFD", ch.lower())[0] in "aeiouy"


def _case_ok(part: str) -> bool:
    return part.islower() or part.isupper() or (part[0].isupper() and part[1:].islower())


def _splits(word: str, depth: int = 0) -> list[list[str]]:
    """Every way to read ``word`` as 1–3 valid syllables, each in a consistent case."""
    if is_vietnamese_syllable(word) and _case_ok(word):
        return [[word]]
    if depth >= 2:
        return []
    out: list[list[str]] = []
    for i in range(1, len(word)):
        left = word[:i]
        if not (is_vietnamese_syllable(left) and _case_ok(left)):
            continue
        if _is_vowel(left[-1]) and _is_vowel(word[i]):
            continue  # "Đư|òng", "thụ|ận": a misplaced tone inside one word, not two words
        for rest in _splits(word[i:], depth + 1):
            out.append([left] + rest)
    return out


def split_glued(word: str) -> str | None:
    """The word with spaces between its glued syllables, or None when it is no such word."""
    if word.isascii() or is_vietnamese_syllable(word):
        return None
    readings = [r for r in _splits(word) if len(r) > 1]
    fewest = min((len(r) for r in readings), default=0)
    readings = [r for r in readings if len(r) == fewest]  # "HOẠCH|TRIỂN", not "HO|ẠCH|TRIỂN"
    if len(readings) != 1:
        return None  # not syllables, or ambiguous: leave the document's letters alone
    parts = readings[0]
    # A capital inside a lower-case word is a new word ("thôngChủ"); all parts share one case
    # otherwise ("HOẠCHTRIỂN", "thànhphố"), or a capitalised word runs on ("Truyềnthông").
    if word.isupper() or word.islower() or (parts[0][0].isupper() and all(p.islower() for p in parts[1:])) \
            or all(p[0].isupper() for p in parts):
        return " ".join(parts)
    return None


def repair_glued(text: str) -> str:
    """Split glued words in ``text``; only spaces are ever added."""
    def fix(m: re.Match) -> str:
        return split_glued(m.group(0)) or m.group(0)

    out = _TOKEN.sub(fix, text)
    assert out.replace(" ", "") == text.replace(" ", ""), "glue repair must not change a letter"
    return out
