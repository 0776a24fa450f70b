"""How well a passage covers a question: IDF-weighted overlap of accent-folded syllables and bigrams.

A question's rare words ("Cà Mau", "bóng đá", "ACCSM") carry most of its meaning; a passage
that lacks them does not answer it, however similar it looks. Document frequencies come from
every indexed chunk (the ledger), so a word the corpus never uses weighs the most — which is
what makes out-of-corpus questions easy to recognise.
"""
from __future__ import annotations

import math
from functools import lru_cache
from itertools import repeat
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from ingest.lang.terms import FOLDED_QUESTION_WORDS, QUESTION_PAIRS, QUESTION_WORDS, variants
from ingest.lang.normalize import fold_accents, fold_words, has_diacritics
from ingest.lang.sentences import split_sentences

# Function words and colloquial glue: a passage need not contain "ở", "lo", "lại" to answer.
FUNCTION_WORDS = set(
    "ở lại còn ngoài để đã sẽ cần phải việc làm lo cho với thì mà nên như thế này đó kia ấy hay hoặc "
    "rằng nếu khi bị bởi vì do tại từ đến tới ra vào lên xuống đi qua sau rồi vẫn cũng đều chỉ rất "
    "nhiều mỗi mọi cả chưa muốn thể nhất hơn nữa đang vừa mới bằng nhau theo trong ngoài gồm bao gồm "
    "liên hệ chính nội dung cụ thể nhằm người".split()
)
# Calendar words: the numbers beside them carry the meaning.
_CALENDAR = {"năm", "ngày", "tháng"}
_STOP = QUESTION_WORDS | FUNCTION_WORDS | _CALENDAR
# Typed without diacritics, only the words no content word folds to (see index/lexical.py).
_FOLDED_STOP = FOLDED_QUESTION_WORDS | {"o", "de", "da", "se", "can", "lam", "lo", "nam", "ngay", "thang", "nguoi"}


def terms(text: str, *, for_question: bool = False) -> frozenset[str]:
    """Accent-folded syllables and bigrams (question words dropped from questions).

    Cached: the same passages and sentences are read for question after question, and the
    Vietnamese normalisation behind them is the answerer's main cost."""
    return _terms(text, for_question)


@lru_cache(maxsize=20_000)
def _terms(text: str, for_question: bool) -> frozenset[str]:
    out: set[str] = set()
    forms = variants(text)
    if for_question and len(forms) > 1:
        # A question's abbreviation counts through its expansion: "Sở TT&TT" is answered by
        # a passage that writes "Sở Thông tin và Truyền thông".
        forms = forms[-1:]
    accented = has_diacritics(text)
    for segs in forms:
        for seg in segs:
            folded = fold_words(seg)
            # Stop words are recognised in the letters the question was typed in: "nội" is not "nói".
            stop = [for_question and ((t in _STOP) if accented else (f in _FOLDED_STOP)) for t, f in zip(seg, folded)]
            if for_question:
                for i in range(1, len(seg)):
                    if (seg[i - 1], seg[i]) in QUESTION_PAIRS:
                        stop[i - 1] = stop[i] = True
            for f, is_stop in zip(folded, stop):
                if not is_stop:
                    out.add(f)
            for i in range(len(folded) - 1):
                if not (stop[i] or stop[i + 1]):
                    out.add(f"{folded[i]}_{folded[i + 1]}")
    return frozenset(out)


class TermStats:
    """Document frequencies over the indexed chunks."""

    def __init__(self, texts: Iterable[str], groups: Iterable[str] | None = None):
        """``groups`` (one per text, e.g. its document) also collects every term of each group."""
        self.df: Counter = Counter()
        self.n = 0
        self.group_terms: dict[str, set[str]] = {}
        for text, group in zip(texts, groups if groups is not None else repeat(None)):
            self.n += 1
            found = terms(text)
            self.df.update(found)
            if group is not None:
                self.group_terms.setdefault(group, set()).update(found)

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 0.5))

    def weights(self, question: str) -> dict[str, float]:
        """Question terms and their weights; bigrams count half (their syllables already count)."""
        return {t: self.idf(t) * (0.5 if "_" in t else 1.0) for t in terms(question, for_question=True)}


def coverage(weights: dict[str, float], text_terms: set[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in text_terms) / total


def missing(weights: dict[str, float], text_terms: set[str], top: int = 3) -> list[str]:
    """The heaviest question terms the text lacks (for logs and for the abstention message)."""
    gone = sorted(((w, t) for t, w in weights.items() if t not in text_terms and "_" not in t), reverse=True)
    return [t for _, t in gone[:top]]


@dataclass
class Sentence:
    text: str
    start: int  # offset in the chunk text
    end: int


def sentences(text: str) -> list[Sentence]:
    """Lines, then sentences within a line (";" ends one too), with offsets into ``text``."""
    out: list[Sentence] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        for a, b in split_sentences(line, semicolons=True):
            out.append(Sentence(line[a:b], line_start + a, line_start + b))
    return out
