"""Term analysis of Vietnamese text: searchable syllables grouped by punctuation-free segment,
their abbreviation-expanded variants, and the words that shape a question without naming what
is asked.

Vietnamese writes one syllable per space-separated token and most words are two syllables, so
syllables and their bigrams stand in for words (a segmenter measured worse, see
``eval/retrieval.py``). The lexical index, the evidence scorer and the task table all analyse
text here, so a word is one term everywhere.
"""
from __future__ import annotations

import re

from ingest.lang.abbreviations import equivalent_form, expand_abbreviations
from ingest.lang.normalize import search_form

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Bigrams never cross punctuation: "Sở Du lịch, Sở Văn hóa" has no bigram "lịch sở".
_SEGMENT = re.compile(r"[^\w\s&/-]+|\s[-–]\s")

# Words that shape a question but never name what is asked for.
QUESTION_WORDS = {
    "nào", "gì", "ai", "đâu", "sao", "mấy", "bao", "nhiêu", "không", "chăng", "nhỉ", "vậy", "ạ",
    "hả", "à", "thế", "hãy", "cho", "biết", "tôi", "mình", "em", "bạn", "có", "phải", "là", "được",
    "những", "các", "của", "và", "với", "về", "trong", "theo", "thì", "lâu", "nhé", "đấy",
}
# Two-word question phrases whose words are content words elsewhere: "bao giờ" asks when, "giờ"
# alone is an hour ("24 giờ"); typed without diacritics "khi nao", "luc nao" ask when, while
# "khi" alone may be "khí" (gas) and "luc" "lực" (force).
QUESTION_PAIRS = {("bao", "giờ"), ("bao", "gio"), ("khi", "nao"), ("luc", "nao")}
# Without diacritics a question word can be a content word ("co" is "có" or "cơ quan", "ban"
# is "bạn" or "Ban Tuyên giáo", "the" is "thế" or "thể thao"): only the unambiguous ones go.
FOLDED_QUESTION_WORDS = {
    "nao", "gi", "ai", "khong", "nhung", "cac", "cua", "va", "voi", "la", "duoc", "thi", "hay",
    "cho", "biet", "toi", "minh", "em", "ve", "theo", "phai", "sao", "bao", "nhieu", "vay", "nhi", "hang",
}


def analyze(text: str) -> list[list[str]]:
    """Searchable syllables, grouped by punctuation-free segment."""
    norm = search_form(text).lower()
    # "06 tháng" and "6 tháng" are the same number: legal texts pad days and months with zeros.
    return [[_unpad(t) for t in toks] for seg in _SEGMENT.split(norm) if (toks := _TOKEN.findall(seg))]


def _unpad(token: str) -> str:
    if token[0] == "0" and token.isdigit():
        return token.lstrip("0") or "0"
    return token


def variants(text: str) -> list[list[list[str]]]:
    """The analysed text as written and, when it has abbreviations, with them spelled out (and
    equivalent phrases in their canonical form, see ``ingest/lang/abbreviations.py``)."""
    expanded = expand_abbreviations(text)
    same = equivalent_form(expanded or text)
    return [analyze(text)] + [analyze(v) for v in (expanded, same) if v]
