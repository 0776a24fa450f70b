"""Diacritics restored from the corpus itself, for questions typed without them.

The lexical side matches "chu tri" through its accent-folded features, but the e5 embedding of
"don vi nao chu tri" is far from that of "đơn vị nào chủ trì". Restoring the marks with the
corpus's own usage — the most frequent accented form of each folded bigram, then of each
syllable — gives the dense side a question in the documents' language. A general dictionary
restorer (pyvi's) was measured poor on this domain ("chu tri" → "chủ trị"); the corpus knows
its own terms.

>>> r = DiacriticRestorer(["Đơn vị chủ trì: Sở Du lịch", "đơn vị phối hợp"])
>>> r.restore("don vi nao chu tri")
'đơn vị nao chủ trì'
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Iterable

from ingest.lang.normalize import fold_accents, has_diacritics, search_form

_TOKEN = re.compile(r"[^\W_]+")


class DiacriticRestorer:
    def __init__(self, texts: Iterable[str], candidates: int = 6):
        unigrams: dict[str, Counter] = defaultdict(Counter)
        self.bigrams: Counter = Counter()
        for text in texts:
            tokens = _TOKEN.findall(search_form(text).lower())
            for t in tokens:
                unigrams[fold_accents(t)][t] += 1
            self.bigrams.update(zip(tokens, tokens[1:]))
        self.forms = {k: [w for w, _ in c.most_common(candidates)] for k, c in unigrams.items()}
        self.unigrams = {k: dict(c) for k, c in unigrams.items()}

    def restore(self, question: str) -> str:
        """The question with the marks the corpus would write; unknown words stay as typed.

        A Viterbi pass over each word's accented forms, scored by how often the corpus writes
        each adjacent pair, so "thong tin co so" becomes "thông tin cơ sở", not "thông tin cổ
        sở" (from "thông tin cổ động").
        """
        if has_diacritics(question):
            return question
        words = _TOKEN.findall(question.lower())
        if not words:
            return question
        options = [self.forms.get(w, [w]) for w in words]
        # best[i][form] = (score, previous form)
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, forms in enumerate(options):
            layer: dict[str, tuple[float, str | None]] = {}
            for form in forms:
                unigram = math.log1p(self.unigrams.get(words[i], {}).get(form, 0)) * 0.1
                if i == 0:
                    layer[form] = (unigram, None)
                    continue
                layer[form] = max(
                    ((score + 2.0 * math.log1p(self.bigrams.get((prev, form), 0)) + unigram, prev)
                     for prev, (score, _) in best[-1].items()),
                    key=lambda x: x[0],
                )
            best.append(layer)
        form = max(best[-1], key=lambda f: best[-1][f][0])
        out = [form]
        for i in range(len(best) - 1, 0, -1):
            form = best[i][form][1]  # type: ignore[assignment]
            out.append(form)
        return " ".join(reversed(out))
