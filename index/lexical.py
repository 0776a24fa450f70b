"""Vietnamese lexical vectors: BM25-style sparse vectors of syllables and syllable bigrams.

Vietnamese writes one syllable per space-separated token, and most words are two syllables,
so syllable bigrams recover words without a segmenter (measured against pyvi in
``eval/retrieval.py``). Features come from the searchable form (NFC, canonical tone
placement, abbreviations expanded, lower case) and, for questions typed without
diacritics, from the accent-folded form:

- ``u:`` / ``b:``  syllables / bigrams of the accented text
- ``fu:`` / ``fb:`` the same over accent-folded text
- ``n:`` document numbers as one token ("159/kh-ubnd"), so a số hiệu matches exactly

Documents carry all features with a BM25 term-frequency weight; Qdrant's IDF modifier supplies
the inverse document frequency from its own collection statistics, so nothing here needs
corpus-wide counts and an incremental ingest stays correct. A question with diacritics uses
the accented features (and the folded ones at a low weight, to forgive a missing mark); a
question without diacritics uses only the folded ones.

>>> a = LexicalEncoder()
>>> q1 = a.encode_query("don vi nao chu tri")
>>> q2 = a.encode_query("đơn vị nào chủ trì")
>>> bool(set(q1.indices) & set(a.encode_document("Đơn vị chủ trì: Sở Du lịch").indices))
True
"""
from __future__ import annotations

import zlib
from collections import Counter

from index.store import SparseVector
from ingest.lang.normalize import fold_accents, has_diacritics, search_form
from ingest.lang.patterns import NUMBER
from ingest.lang.terms import FOLDED_QUESTION_WORDS, QUESTION_WORDS, variants

K1 = 1.2
B = 0.75
AVG_LEN = 220.0  # typical chunk length in features; BM25 length normalisation needs a scale


def feature_id(feature: str) -> int:
    """Stable 32-bit id of a feature string (Qdrant sparse indices are u32)."""
    return zlib.crc32(feature.encode("utf-8"))


def _merge_counts(feature_lists: list[list[str]]) -> Counter:
    """Per feature, the highest count in any variant: an expansion adds features, never doubles them."""
    merged: Counter = Counter()
    for feats in feature_lists:
        for f, c in Counter(feats).items():
            merged[f] = max(merged[f], c)
    return merged


def _features(segments: list[list[str]], prefix: str, drop: set[str] | None = None) -> list[str]:
    feats: list[str] = []
    for seg in segments:
        kept = [t for t in seg if not drop or t not in drop]
        feats.extend(f"{prefix}u:{t}" for t in kept)
        feats.extend(f"{prefix}b:{a}_{b}" for a, b in zip(seg, seg[1:]) if not drop or (a not in drop and b not in drop))
    return feats


def _numbers(text: str) -> list[str]:
    return [f"n:{m.lower()}" for m in NUMBER.findall(search_form(text))]


class LexicalEncoder:
    """Text → :class:`SparseVector`. ``bigrams=False`` and ``folded=False`` exist for the benchmark."""

    def __init__(self, bigrams: bool = True, folded: bool = True, folded_weight: float = 0.3,
                 bigram_weight: float = 1.0):
        self.bigrams = bigrams
        self.folded = folded
        self.folded_weight = folded_weight
        self.bigram_weight = bigram_weight  # query weight of a bigram relative to a syllable

    def _doc_features(self, segs: list[list[str]]) -> list[str]:
        feats = _features(segs, "")
        if self.folded:
            feats += _features([[fold_accents(t) for t in s] for s in segs], "f")
        if not self.bigrams:
            feats = [f for f in feats if not f.split(":")[0].endswith("b")]
        return feats

    def encode_document(self, text: str) -> SparseVector:
        counts = _merge_counts([self._doc_features(segs) for segs in variants(text)])
        counts.update(_numbers(text))
        length = sum(counts.values()) / (2 if self.folded else 1)
        norm = K1 * (1 - B + B * length / AVG_LEN)
        weights: dict[int, float] = {}
        for feat, tf in counts.items():
            fid = feature_id(feat)
            weights[fid] = weights.get(fid, 0.0) + tf * (K1 + 1) / (tf + norm)
        return _sparse(weights)

    def encode_query(self, text: str) -> SparseVector:
        weights: dict[int, float] = {}

        def add(feats: list[str], w: float) -> None:
            for f in feats:
                is_bigram = f.split(":")[0].endswith("b")
                if not self.bigrams and is_bigram:
                    continue
                fid = feature_id(f)
                weights[fid] = max(weights.get(fid, 0.0), w * (self.bigram_weight if is_bigram else 1.0))

        accented = has_diacritics(text) or not self.folded
        for segs in variants(text):
            folded = [[fold_accents(t) for t in s] for s in segs]
            if accented:
                add(_features(segs, "", QUESTION_WORDS), 1.0)
                if self.folded:
                    add(_features(folded, "f", FOLDED_QUESTION_WORDS), self.folded_weight)
            else:
                add(_features(folded, "f", FOLDED_QUESTION_WORDS), 1.0)
        add(_numbers(text), 1.5)
        return _sparse(weights)


def _sparse(weights: dict[int, float]) -> SparseVector:
    items = sorted(weights.items())
    return SparseVector(indices=[i for i, _ in items], values=[round(v, 5) for _, v in items])
