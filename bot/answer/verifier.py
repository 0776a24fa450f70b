"""Does this sentence answer this question? A small trained model says how likely it is.

The answerer proposes candidates (a sentence or clause of a retrieved passage, with its
article and section); each is described by features that say whether the question's focus is
in the sentence itself or only somewhere in its article or document, whether the asked kind of
answer is there, whether the names, units, documents and figures the question states are the
document's, how close the sentence and its heading are in meaning (e5), and how retrieval
ranked it; and how far each candidate leads the others of its pool on those (DERIVED). A
logistic regression or gradient-boosted trees over these (``eval/train_verifier.py``, trained on
questions written blind over corpus/ and real legal documents, chosen by cross-validation
grouped by document) gives P(the candidate answers the question), calibrated on out-of-fold
predictions; one threshold, chosen out of fold for a stated precision, decides answer or refusal.

The model ships as ``verifier_model.json`` beside this module: feature names, standardisation
and coefficients (or trees as flat arrays), calibration and the threshold. Scoring is a dot
product or a walk of a few hundred small trees, so it costs nothing next to retrieval.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from bot.answer.answer_types import has_answer_type, holds_name, phrase_run
from bot.answer.evidence import coverage, terms
from bot.answer.passages import Candidate, with_assignments
from bot.answer.query import Query, holds_expected
from ingest.lang.normalize import fold_accents

if TYPE_CHECKING:
    from bot.answer.extractive import ExtractiveAnswerer

MODEL_PATH = Path(__file__).with_name("verifier_model.json")
INTENTS = ("unit", "signer", "date", "number", "count", "list", "yesno", "definition", "general")

FEATURES = [
    "own", "ctx", "reach", "doc_cov", "head_cov",
    "pred_own", "pred_reach", "ent_own", "ent_doc", "has_entity",
    "miss_sent", "miss_article", "miss_doc",
    "units_missing", "names_missing", "province_mismatch",
    "fig_sent", "fig_doc", "has_figures", "doc_ref", "ref_match",
    "type_sent", "type_item",
    *[f"intent_{k}" for k in INTENTS],
    "sim_sent", "sim_head", "sim_chunk", "sim_sent_gap", "sim_top",
    "rank_recip", "hit_score_rel", "top_gap", "cand_score_rel", "cand_order", "own_gap",
    "phrase", "log_len", "nodiac", "fixed", "log_terms",
    "expects", "expect_sent", "expect_chunk", "pair_own", "pred_pair_own", "novel",
    "own_rank", "sim_rank",
]


# Features of the question alone (its form, its intent): they let a model learn how often the
# labelled set's questions of each form were answerable, which does not carry over to other
# users' questions, so the shipped model judges candidates by how they relate to the question.
QUESTION_ONLY = ("doc_ref", "has_entity", "has_figures", "expects", "log_terms", "nodiac",
                 *[f"intent_{k}" for k in INTENTS])
# The features that need the sentences' and headings' own e5 vectors.
SIM_FEATURES = ("sim_sent", "sim_head", "sim_sent_gap", "sim_rank", "vs_sim_sent")

# Features of a candidate against the rest of its question's pool, computed by the Verifier from
# the pool's own feature rows: how far it leads (or trails) the best other candidate on each
# question-relative measure. Raw coverage means different things in a long legal document and a
# short notice; the lead over its neighbours in the same document pool carries over better.
VERSUS = ("own", "pair_own", "pred_own", "sim_sent", "type_sent", "cand_score_rel", "phrase",
          "fig_sent", "miss_sent", "expect_sent")
# And where it stands within its pool on each of POOLED: its z-score against the pool's mean and
# spread (0 when the pool does not vary). A sentence's coverage, retrieval score or length says
# little on its own across documents of different styles; how it compares with the other
# candidates retrieved for the same question carries over to documents never seen (grouped
# cross-validation, eval/README.md).
POOLED = ("own", "pair_own", "pred_own", "cand_score_rel", "phrase", "hit_score_rel", "ent_own", "reach",
          "ctx", "doc_cov", "fig_sent", "miss_sent", "type_sent", "expect_sent", "sim_chunk", "rank_recip",
          "novel", "log_len")
DERIVED = [f"vs_{n}" for n in VERSUS] + ["pool_size"] + [f"z_{n}" for n in POOLED]


@dataclass
class Scored:
    cand: Candidate
    features: list[float]
    p: float = 0.0


_DIGITS = re.compile(r"\d+")


def _digits(text: str) -> set[str]:
    return {d.lstrip("0") or "0" for d in _DIGITS.findall(text)}


def versus(rows: np.ndarray) -> np.ndarray:
    """DERIVED for a pool's feature rows (one row per candidate, FEATURES' order): per VERSUS
    feature, the candidate's value less the best (largest) value among the others (0 alone),
    the pool's size (log, scaled), and per POOLED feature the candidate's z-score in its pool."""
    x = np.asarray(rows, np.float64)
    n = len(x)
    cols = x[:, [FEATURES.index(name) for name in VERSUS]]
    if n < 2:
        gaps = np.zeros_like(cols)
    else:
        # The best other: the top value for all but the top row, which compares with the second.
        order = np.argsort(-cols, axis=0, kind="stable")
        top, second = cols[order[0], np.arange(cols.shape[1])], cols[order[1], np.arange(cols.shape[1])]
        is_top = np.zeros_like(cols, bool)
        is_top[order[0], np.arange(cols.shape[1])] = True
        gaps = cols - np.where(is_top, second, top)
    size = np.full((n, 1), math.log(1 + n) / math.log(50))
    pooled = x[:, [FEATURES.index(name) for name in POOLED]]
    sd = pooled.std(axis=0)
    z = np.where(sd > 1e-9, (pooled - pooled.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0), 0.0)
    return np.hstack([gaps, size, z])


def _heaviest_missing(weights: dict[str, float], have: set[str], top: float) -> float:
    """The weight of the rarest question word (a syllable, not a pair) the text lacks, as a share
    of the question's rarest word: one missing name or figure is what a near-miss question swaps."""
    gone = [w for t, w in weights.items() if "_" not in t and t not in have]
    return max(gone) / top if gone and top > 0 else 0.0


class FeatureBuilder:
    """Features of a question's candidates. ``embed`` maps passage texts to unit vectors
    (e5 "passage: "); sentence and heading vectors are cached across questions."""

    def __init__(self, answerer: "ExtractiveAnswerer", embed: Callable[[list[str]], np.ndarray] | None = None,
                 cache_size: int = 50_000):
        self.answerer = answerer
        self.embed = embed
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}
        self._doc_checks: dict[tuple[str, str], tuple[bool, bool, bool]] = {}
        # Sentence and heading vectors cost an e5 pass per question: only when the model uses them.
        self.need_sims = True

    def vectors(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.embed is None:
            return None
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            if len(self._vectors) + len(todo) > self.cache_size:
                self._vectors.clear()
            for t, v in zip(todo, self.embed(todo)):
                self._vectors[t] = np.asarray(v, np.float32)
        return np.stack([self._vectors[t] for t in texts]) if texts else None

    def _doc_checks_for(self, q: Query, doc_id: str, meta: str) -> tuple[bool, bool, bool]:
        """Units, names and the province the question states that the document never writes."""
        key = (q.question, doc_id)
        found = self._doc_checks.get(key)
        if found is None:
            a = self.answerer
            units = bool(a.missing_units(q.question, doc_id))
            names = bool(a.missing_names(q.question, doc_id))
            prov = bool(q.province) and fold_accents(q.province).lower() not in fold_accents(meta).lower()
            if prov:  # the province may be written in the body rather than the letterhead
                prov = not holds_name(terms(q.province), a.doc_terms(doc_id))
            if len(self._doc_checks) >= 5000:
                self._doc_checks.clear()  # bounded; cleared before the new entry, never after it
            found = self._doc_checks[key] = (units, names, prov)
        return found

    def build(self, q: Query, pool: list[Candidate], hits: list[Any], fixed: Candidate | None = None) -> list[Scored]:
        a = self.answerer
        items = list(pool) + ([fixed] if fixed is not None else [])
        if not items:
            return []
        w, fw, pw = q.weights, q.focus_weights, q.predicate_weights
        ent_w = {t: x for t, x in w.items() if t in q.entity_terms}
        top_idf = max((x for t, x in w.items() if "_" not in t), default=0.0)
        # Meaning: the question against each sentence and each passage's headings.
        sim_sent = sim_head = None
        if q.dense is not None and self.embed is not None and self.need_sims:
            qv = np.asarray(q.dense, np.float32)
            qv = qv / max(float(np.linalg.norm(qv)), 1e-9)
            # Cut short: a sentence's first 300 characters and a heading's 200 say what they are
            # about, and e5's cost grows with the length.
            sv = self.vectors([c.full_text[:300] for c in items])
            heads = [(c.hit.payload.get("context") or c.hit.title or c.hit.source)[-200:] for c in items]
            hv = self.vectors(heads)
            sim_sent, sim_head = sv @ qv, hv @ qv
        top_score = hits[0].score if hits else 1.0
        second = hits[1].score if len(hits) > 1 else 0.0
        top_gap = (top_score - second) / top_score if top_score else 0.0
        sim_top = max((h.similarity or 0.0) for h in hits[:3]) if hits else 0.0
        best_score = max(c.score for c in pool) if pool else 1.0
        best_own = max((c.own for c in items), default=0.0)
        max_sim = float(max(sim_sent)) if sim_sent is not None else 0.0
        ref_digits = [_digits(r) for r in q.doc_refs]
        # Where each candidate stands in the pool by its own coverage and by meaning.
        own_order = {id(c): r for r, c in enumerate(sorted(items, key=lambda c: -c.own))}
        sim_order = ({id(items[i]): r for r, i in enumerate(np.argsort(-sim_sent))} if sim_sent is not None else {})
        pairs = {t: x for t, x in fw.items() if "_" in t}
        pred_pairs = {t: x for t, x in pw.items() if "_" in t}
        q_uni = {t for t in terms(q.question) if "_" not in t}
        out = []
        per_hit: dict[str, tuple] = {}
        for i, c in enumerate(items):
            h = c.hit
            is_fixed = c is fixed
            s_terms = terms(c.full_text)
            s_uni = {t for t in s_terms if "_" not in t}
            if h.chunk_id not in per_hit:
                chunk_terms = terms(h.payload.get("context", "") + "\n" + h.text)
                meta = " ".join(str(h.payload.get(k) or "") for k in ("province", "title", "issuer", "number", "context"))
                per_hit[h.chunk_id] = (chunk_terms, terms(h.payload.get("context", "")),
                                       a.article_terms(h) | chunk_terms, a.doc_terms(h.doc_id) | chunk_terms,
                                       meta, terms(meta))
            chunk_terms, head_terms, article, doc, meta, meta_terms = per_hit[h.chunk_id]
            units, names, prov = self._doc_checks_for(q, h.doc_id, meta + " " + h.text)
            sent_digits = _digits(c.full_text)
            doc_digits = sent_digits | _digits(h.text) | _digits(meta)
            if q.figures:
                fig_sent = sum(f.lstrip("0") in sent_digits for f in q.figures) / len(q.figures)
                fig_doc = sum(f.lstrip("0") in doc_digits or f.lstrip("0") in doc for f in q.figures) / len(q.figures)
            else:
                fig_sent = fig_doc = 1.0
            number = str(h.payload.get("number") or "") + " " + str(h.payload.get("title") or "")
            # 1: the document the question names; -1: another one; 0: it names none.
            ref_match = (1.0 if any(ds and ds <= _digits(number) for ds in ref_digits) else -1.0) if ref_digits else 0.0
            item = with_assignments(c)
            f = {
                "own": c.own, "ctx": c.ctx, "reach": c.reach,
                "doc_cov": coverage(w, doc | meta_terms), "head_cov": coverage(w, head_terms | meta_terms),
                "pred_own": coverage(pw, s_terms) if pw else 1.0,
                "pred_reach": coverage(pw, s_terms | article) if pw else 1.0,
                "ent_own": coverage(ent_w, s_terms) if ent_w else 1.0,
                "ent_doc": coverage(ent_w, doc | meta_terms) if ent_w else 1.0,
                "has_entity": float(bool(ent_w)),
                "miss_sent": _heaviest_missing(fw, s_terms | head_terms, top_idf),
                "miss_article": _heaviest_missing(w, article | meta_terms, top_idf),
                "miss_doc": _heaviest_missing(w, doc | meta_terms, top_idf),
                "units_missing": float(units), "names_missing": float(names), "province_mismatch": float(prov),
                "fig_sent": fig_sent, "fig_doc": fig_doc, "has_figures": float(bool(q.figures)),
                "doc_ref": float(bool(q.doc_refs)), "ref_match": ref_match,
                "type_sent": float(has_answer_type(q.intent, q.question, c.full_text)),
                "type_item": float(has_answer_type(q.intent, q.question, item)),
                **{f"intent_{k}": float(q.intent.kind == k) for k in INTENTS},
                "sim_sent": float(sim_sent[i]) if sim_sent is not None else 0.0,
                "sim_head": float(sim_head[i]) if sim_head is not None else 0.0,
                "sim_chunk": float(h.similarity or 0.0),
                "sim_sent_gap": float(sim_sent[i]) - max_sim if sim_sent is not None else 0.0,
                "sim_top": sim_top,
                "rank_recip": 1.0 / (c.rank + 1),
                "hit_score_rel": h.score / top_score if top_score else 0.0,
                "top_gap": top_gap,
                "cand_score_rel": c.score / best_score if best_score > 0 else 0.0,
                "cand_order": 1.0 / (i + 1) if not is_fixed else 1.0,
                "own_gap": c.own - best_own,
                "phrase": phrase_run(q.q_tokens, c.full_text),
                "log_len": math.log(1 + len(c.full_text)) / math.log(500),
                "nodiac": float(not q.accented), "fixed": float(is_fixed),
                "log_terms": math.log(1 + sum(1 for t in w if "_" not in t)),
                # The kind of value asked ("bao lâu" → a duration) in the sentence, or only near it.
                "expects": float(bool(q.expects)),
                "expect_sent": float(holds_expected(q.expects, c.full_text)),
                "expect_chunk": float(holds_expected(q.expects, h.text)),
                # Word pairs say what is asked more precisely than syllables ("xóa kỷ luật").
                "pair_own": coverage(pairs, s_terms) if pairs else 1.0,
                "pred_pair_own": coverage(pred_pairs, s_terms) if pred_pairs else 1.0,
                # What the sentence says beyond the question's own words: an answer adds something.
                "novel": len(s_uni - q_uni) / max(1, len(s_uni)),
                "own_rank": 1.0 / (1 + own_order[id(c)]),
                "sim_rank": 1.0 / (1 + sim_order[id(c)]) if sim_order else 0.0,
            }
            out.append(Scored(c, [float(f[name]) for name in FEATURES]))
        return out


class Verifier:
    """P(candidate answers the question) from the shipped model: a logistic regression
    (``coef``) or gradient-boosted trees (``trees``), over standardised features, then mapped by
    the model's ``calibration`` (Platt: a, b on the logit), fitted on out-of-fold predictions so
    that P, and the threshold, mean the same on documents the model never saw.

    ``probabilities`` takes the rows of one question's whole pool: the DERIVED features compare
    each candidate with the others."""

    def __init__(self, model: dict[str, Any]):
        self.model = model
        names = model["features"]
        index = {n: i for i, n in enumerate(FEATURES + DERIVED)}
        missing = [n for n in names if n not in index]
        if missing:
            raise ValueError(f"verifier model uses unknown features {missing}")
        self._take = np.array([index[n] for n in names], np.int64)
        self._derived = any(n in DERIVED for n in names)
        cal = model.get("calibration") or {}
        self._cal = (float(cal["a"]), float(cal["b"])) if cal else None
        self.threshold = float(model["threshold"])
        if "trees" in model:
            # All trees in flat arrays, each row walking every tree at once (depth steps).
            t = model["trees"]
            sizes = [len(tree["feature"]) for tree in t]
            offsets = np.cumsum([0] + sizes[:-1])
            self._roots = np.asarray(offsets, np.int64)
            cat = lambda key, dtype: np.concatenate([np.asarray(tree[key], dtype) for tree in t])  # noqa: E731
            self._feat = cat("feature", np.int64)
            self._thr = cat("threshold", np.float64)
            self._left = np.concatenate([np.asarray(tree["left"], np.int64) + o for tree, o in zip(t, offsets)])
            self._right = np.concatenate([np.asarray(tree["right"], np.int64) + o for tree, o in zip(t, offsets)])
            self._leaf = cat("leaf", bool)
            self._value = cat("value", np.float64)
            self._depth = int(model["max_depth"])
            self._base = float(model["baseline"])
        else:
            self.mean = np.asarray(model["mean"], np.float64)
            self.scale = np.asarray(model["scale"], np.float64)
            self.coef = np.asarray(model["coef"], np.float64)
            self.intercept = float(model["intercept"])

    @classmethod
    def load(cls, path: Path | None = None) -> "Verifier | None":
        path = path or MODEL_PATH
        if not path.exists():
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        x = np.asarray(rows, np.float64)
        if self._derived:
            x = np.hstack([x, versus(x)])
        x = x[:, self._take]
        if "trees" in self.model:
            node = np.broadcast_to(self._roots, (len(x), len(self._roots))).copy()
            rows_ix = np.arange(len(x))[:, None]
            for _ in range(self._depth):
                leaf = self._leaf[node]
                go_left = x[rows_ix, self._feat[node]] <= self._thr[node]
                node = np.where(leaf, node, np.where(go_left, self._left[node], self._right[node]))
            z = self._base + self._value[node].sum(axis=1)
        else:
            z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        if self._cal is not None:
            z = self._cal[0] * z + self._cal[1]
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, scored: list[Scored]) -> list[Scored]:
        for s, p in zip(scored, self.probabilities([s.features for s in scored])):
            s.p = float(p)
        return scored


def fallback_probability(s: Scored) -> float:
    """Before a model is trained (``eval/train_verifier.py`` bootstraps from this): coverage only."""
    f = dict(zip(FEATURES, s.features))
    return min(f["own"] / 0.25, 1.0) * min(f["reach"] / 0.5, 1.0) * 0.5


