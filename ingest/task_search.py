"""Lexical ranking of tasks against a question: accent-folded syllables and syllable bigrams
scored with BM25, with the words every assignment shares ("đơn vị", "chủ trì", "nhiệm vụ") left
out of the question, since they say nothing about which task it means. A question typed without
diacritics is compared folded, one typed with them accented, so "cơ sở" keeps "cơ" though "có"
is dropped.
"""
from __future__ import annotations

import math
import re
from collections import Counter

from ingest.lang.normalize import fold_accents, fold_words, has_diacritics
from ingest.lang.terms import QUESTION_WORDS, analyze

# Words every assignment shares: they say nothing about which task a question means.
BOILERPLATE = set(QUESTION_WORDS) | {
    "đơn", "vị", "chủ", "trì", "phối", "hợp", "đầu", "mối", "định", "hướng", "nhiệm", "vụ",
    "thực", "hiện", "triển", "khai", "việc", "làm", "gì", "nào", "ai", "phải", "được", "giao", "trách",
    "hạn", "thời", "gian", "khi", "bao", "giờ", "những", "công", "tác", "trong", "kế", "hoạch", "có",
}

_ASKING_UNIT = re.compile(r"\b(?:đơn vị|cơ quan|sở|ban|phòng|bộ|vụ|cục|tổ chức|don vi|co quan|so|phong|bo|to chuc)\s+(?:nào|nao)\b",
                          re.IGNORECASE)


def task_terms(text: str, drop: set[str] | None = None) -> list[str]:
    """Accent-folded syllables and syllable bigrams (bigrams never cross punctuation).

    ``drop`` holds words to leave out, accented; a text typed with diacritics is compared
    accented ("cơ sở" keeps "cơ" though "có" is dropped), one typed without them folded."""
    out: list[str] = []
    if drop:
        text = _ASKING_UNIT.sub(" ", text)  # "cơ quan nào" asks; it names nothing
    accented = has_diacritics(text)
    folded_drop = {fold_accents(w) for w in drop} if drop else set()
    for seg in analyze(text):
        folded = fold_words(seg)
        if not drop:
            keep = [True] * len(seg)
        elif accented:
            keep = [t not in drop for t in seg]
        else:
            keep = [f not in folded_drop for f in folded]
        out.extend(f for f, k in zip(folded, keep) if k)
        out.extend(f"{folded[i]}_{folded[i + 1]}" for i in range(len(seg) - 1) if keep[i] and keep[i + 1])
    return out


class BM25:
    """Okapi BM25 over an inverted index: a question reads the postings of its own terms, so
    its cost follows how many tasks share its words, not how many tasks there are."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.lens = [len(d) for d in docs]
        self.avg = (sum(self.lens) / len(self.lens)) if self.lens else 1.0
        self.postings: dict[str, dict[int, int]] = {}
        for i, d in enumerate(docs):
            for t, f in Counter(d).items():
                self.postings.setdefault(t, {})[i] = f
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def _term(self, t: str, f: int, i: int) -> float:
        return self.idf[t] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.lens[i] / (self.avg or 1)))

    def scores(self, query: list[str]) -> dict[int, float]:
        """Every task holding a query term → its score (tasks holding none are absent)."""
        out: dict[int, float] = {}
        for t in set(query):
            for i, f in self.postings.get(t, {}).items():
                out[i] = out.get(i, 0.0) + self._term(t, f, i)
        return out

    def score(self, query: list[str], i: int) -> float:
        s = 0.0
        for t in set(query):
            f = self.postings.get(t, {}).get(i)
            if f:
                s += self._term(t, f, i)
        return s

    def coverage(self, query: list[str], i: int) -> float:
        """Share of the query's syllables (not bigrams) the task holds."""
        syl = {t for t in query if "_" not in t}
        return sum(1 for t in syl if i in self.postings.get(t, {})) / len(syl) if syl else 0.0
