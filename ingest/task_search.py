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
from collections.abc import Callable

import numpy as np

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
    its cost follows how many tasks share its words, not how many tasks there are.

    The postings are one compressed-sparse-row table (task ids and each posting's finished
    term score in two flat arrays, a row per term): at the scale corpus's 32k tasks a dict of
    dicts held ~2.7M boxed entries (hundreds of MB) and scored a long question in a Python
    loop; here a question is a ``bincount`` over its rows, computed with the same float64
    operations in the same order, so the scores are the per-task formula's to the bit."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(docs)
        lens = np.fromiter((len(d) for d in docs), dtype=np.float64, count=self.n)
        self.avg = float(lens.sum() / self.n) if self.n else 1.0
        rows: dict[str, tuple[list[int], list[int]]] = {}
        for i, d in enumerate(docs):
            for t, f in Counter(d).items():
                ids, tfs = rows.setdefault(t, ([], []))
                ids.append(i)
                tfs.append(f)
        self.terms = {t: r for r, t in enumerate(rows)}
        sizes = np.fromiter((len(ids) for ids, _ in rows.values()), dtype=np.int64, count=len(rows))
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.ids = np.fromiter((i for ids, _ in rows.values() for i in ids), dtype=np.int32, count=int(sizes.sum()))
        tf = np.fromiter((f for _, tfs in rows.values() for f in tfs), dtype=np.float64, count=len(self.ids))
        idf = np.array([math.log(1 + (self.n - k + 0.5) / (k + 0.5)) for k in sizes.tolist()])
        norm = self.k1 * (1 - self.b + self.b * lens[self.ids] / (self.avg or 1))
        self.weights = np.repeat(idf, sizes) * tf * (self.k1 + 1) / (tf + norm)

    def _row(self, t: str) -> slice | None:
        r = self.terms.get(t)
        return None if r is None else slice(int(self.starts[r]), int(self.starts[r + 1]))

    def _rows(self, query: list[str]) -> list[slice]:
        return [s for s in map(self._row, dict.fromkeys(query)) if s is not None]

    def score_array(self, query: list[str]) -> np.ndarray:
        """Every task's score (0 for a task holding no query term), indexed by task."""
        rows = self._rows(query)
        if not rows:
            return np.zeros(self.n)
        ids = np.concatenate([self.ids[s] for s in rows])
        return np.bincount(ids, weights=np.concatenate([self.weights[s] for s in rows]), minlength=self.n)

    def coverage_array(self, query: list[str]) -> np.ndarray:
        """Per task, the share of the query's syllables (not bigrams) it holds."""
        syl = [t for t in dict.fromkeys(query) if "_" not in t]
        rows = self._rows(syl)
        if not rows:
            return np.zeros(self.n)
        return np.bincount(np.concatenate([self.ids[s] for s in rows]), minlength=self.n) / len(syl)


def best_first(scores: np.ndarray, pool: list[int] | None, limit: int | None,
               tiebreak: Callable[[int], tuple]) -> list[int]:
    """The tasks of ``pool`` (None: every task) with a positive score, best first, equal scores
    in ``tiebreak`` order; with ``limit``, only the best ``limit`` are sorted — every task
    scoring at least the limit-th best is kept for the sort, so the cut matches a full sort's."""
    cand = np.flatnonzero(scores) if pool is None else np.asarray(pool, dtype=np.int64)
    if pool is not None and len(cand):
        cand = cand[scores[cand] > 0]
    if limit and len(cand) > limit:
        s = scores[cand]
        cand = cand[s >= np.partition(s, len(s) - limit)[len(s) - limit]]
    order = sorted(zip((-scores[cand]).tolist(), cand.tolist()), key=lambda x: (x[0], *tiebreak(x[1])))
    return [i for _, i in order][:limit] if limit else [i for _, i in order]
