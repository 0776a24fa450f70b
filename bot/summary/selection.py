"""Selection: which of each document's statements a summary shows, and which say the same thing.

- ``Selector.select_by_topic``: relevance to the topic (dense likeness, IDF-weighted words, the
  theme the topic names, the retriever's rank of the chunk), a floor relative to the document's
  and the request's best, then MMR for variety;
- ``Selector.select_by_salience``: no topic, so greedy coverage of the document, specificity
  (rare words) and structure (the số hiệu sentence, the opening one, assignments, purpose);
- ``merge``: near-duplicates across documents (bigram containment, or embedding cosine with
  word overlap) become one group, credited to every document that says it.

``Tuning`` holds the knobs, shared with composition.
"""
from __future__ import annotations

import logging
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.answer.evidence import FUNCTION_WORDS, terms
from bot.summary.embeddings import _query_vec, embed_statements
from bot.summary.labels import short_label
from bot.summary.statements import _WORD, _fold_words, _Stmt, norm
from bot.summary.themes import ThemeClassifier, _word_hits, topic_themes
from ingest.lang.normalize import canonical_tones, fold_accents, has_diacritics
from ingest.lang.terms import QUESTION_WORDS

if TYPE_CHECKING:  # the request type lives with the entry point, which imports this module
    from bot.summary.summarize import SummaryRequest

log = logging.getLogger(__name__)


# ASEANBOT_SUMMARY_DEBUG=1 logs every statement's relevance, to see why one was left out.
_DEBUG = bool(os.environ.get("ASEANBOT_SUMMARY_DEBUG"))
# Words of a request, not of its subject.
_REQUEST_WORDS = "tóm tắt, tổng hợp, nội dung, chính, văn bản, tài liệu, ban hành, các, những, điểm, ý, quy định, của, về, trong"
_REQUEST_TERMS = {fold_accents(w) for w in _REQUEST_WORDS.replace(",", " ").split()}


def _naming_terms(records: list[dict], accented: bool | None = None, *, titles: bool = True) -> set[str]:
    """Words that name the chosen documents: their kind, số hiệu, issuer, province and (unless
    ``titles`` is False) title; folded as bot.evidence.terms has them, or as :func:`_lex_terms`
    in the given mode."""
    out: set[str] = set()
    for r in records:
        text = " ".join(filter(None, [r.get("title") if titles else None, r.get("issuer"), r.get("province"),
                                      r.get("number"), r.get("doc_type"), short_label(r)]))
        out |= terms(text) if accented is None else _lex_terms(text, accented)
    return out


_STOP_FOLDED = {fold_accents(w) for w in QUESTION_WORDS | FUNCTION_WORDS}
_PUNCT_SPLIT = re.compile(r"[^\w\s]+")


def _lex_terms(text: str, accented: bool, *, topic: bool = False) -> set[str]:
    """Lower-case syllables and syllable bigrams (never across punctuation), with diacritics in
    one canonical form or folded away. For a topic, question and function words go."""
    base = canonical_tones(text).lower() if accented else fold_accents(text).lower()
    out: set[str] = set()
    for segment in _PUNCT_SPLIT.split(base):
        words = _WORD.findall(segment)
        keep = [not (topic and fold_accents(w) in _STOP_FOLDED) for w in words]
        out.update(w for w, k in zip(words, keep) if k)
        out.update(f"{a}_{b}" for (a, ka), (b, kb) in zip(zip(words, keep), zip(words[1:], keep[1:])) if ka and kb)
    return out


def _request_terms(accented: bool) -> set[str]:
    return _lex_terms(_REQUEST_WORDS, accented)


def has_content(topic: str, records: list[dict]) -> bool:
    """Does a topic name a subject beyond the documents themselves? Two words that neither name
    the documents nor the request, or one that makes a word with its neighbour ("hình thức")."""
    naming = _naming_terms(records)
    found = terms(topic, for_question=True)
    content = {t for t in found
               if "_" not in t and t not in naming and t not in _REQUEST_TERMS and not t[:1].isdigit()}
    if len(content) >= 2:
        return True
    return any(t not in naming and any(w in content for w in t.split("_")) for t in found if "_" in t)


@dataclass
class Tuning:
    """Knobs of selection and merging (set once from eval/summaries.py, not per task)."""

    # Merge two statements when their syllable bigrams overlap this much (of the shorter one) ...
    dup_containment: float = 0.7
    # ... or when both their meaning and words are this close.
    dup_cosine: float = 0.965
    dup_cosine_overlap: float = 0.45
    # Topic mode: a statement must reach this relevance, this share of the mean of its document's
    # three best, and this share of the mean of the request's three best.
    min_relevance: float = 0.32
    relative_relevance: float = 0.55
    global_relevance: float = 0.45
    # A document takes part only if its best statement reaches this.
    min_document_relevance: float = 0.4
    # Share of the topic's (IDF-weighted) words a statement must hold, or its theme score.
    min_evidence: float = 0.3
    per_document: int = 10  # bullets per document with a topic
    per_pillar_section: int = 12
    mmr_lambda: float = 0.75
    task_chars: int = 900  # how much of a task's lines a task bullet quotes
    max_docs_corpus: int = 6  # documents a corpus-wide topic draws on


class Selector:
    """Scores and picks statements with the services' embedder, retriever and term statistics;
    one per Summarizer, sharing its tuning and theme classifier."""

    def __init__(self, services, tuning: Tuning, themes: ThemeClassifier):
        self.services = services
        self.tuning = tuning
        self.themes = themes

    def _relevance(self, stmts: list[_Stmt], topic: str, records: list[dict]) -> np.ndarray:
        """How well each statement fits the topic, 0 … ~1: meaning (dense), words (IDF over these
        statements, words that only name the chosen documents dropped), the theme the topic
        names, and the retriever's rank of the statement's chunk in its document."""
        n = len(stmts)
        q = _query_vec(self.services.embedder, topic)
        dense = np.array([float(s.emb @ q) for s in stmts])
        lo, hi = np.percentile(dense, 20), dense.max()
        dense_n = np.clip((dense - lo) / (hi - lo + 1e-6), 0, 1)

        covered = np.array([s.covered for s in stmts])
        lexical = covered / max(float(covered.max()), 0.5)

        themes = topic_themes(topic)
        theme = np.zeros(n)
        if themes:
            for i, s in enumerate(stmts):
                theme[i] = float(np.clip(max(s.theme_scores.get(k, 0.0) for k in themes) / 1.4, 0, 1))

        prior = np.zeros(n)
        ranks: dict[str, int] = {}
        for doc_id in dict.fromkeys(s.doc_id for s in stmts):
            try:
                hits = self.services.retriever.search(topic, k=10, filters={"doc_id": [doc_id]})
            except Exception:  # noqa: BLE001 - the prior is a hint; the statements decide
                log.exception("retrieval failed for %s", doc_id)
                hits = []
            for rank, h in enumerate(hits):
                ranks.setdefault(h.chunk_id, rank)
        for i, s in enumerate(stmts):
            r = ranks.get(s.chunk["chunk_id"])
            prior[i] = 0.0 if r is None else 1.0 / (1 + r) ** 0.5

        if themes:
            # The chosen documents are all about their subject (tuyên truyền ASEAN): likeness to
            # the whole topic says little, the theme it names says more.
            score = 0.15 * dense_n + 0.25 * lexical + 0.5 * theme + 0.1 * prior
        else:
            score = 0.45 * dense_n + 0.45 * lexical + 0.1 * prior
        # Dense likeness is relative (the best of any pool scores 1): a statement also needs
        # evidence of its own — the topic's words, or the theme it names — or it is no answer
        # ("giải bóng đá" over plans that never mention one).
        evidence = np.maximum(covered, theme)
        score = np.where(evidence >= self.tuning.min_evidence, score, 0.0)
        if _DEBUG:
            for s, d, l, t, p, v in zip(stmts, dense_n, lexical, theme, prior, score):
                log.warning("REL %.2f d%.2f l%.2f t%.2f p%.2f %s %s | %s", v, d, l, t, p, s.kind, s.doc_id[:14],
                            s.text[:90])
        return score

    def select_by_topic(self, request: SummaryRequest, pools: dict[str, list[_Stmt]], records: list[dict],
                        task_mode: bool) -> dict[str, list[_Stmt]]:
        tn = self.tuning
        topic = request.topic or ""
        everything = [s for p in pools.values() for s in p]
        if not everything:
            return {d: [] for d in pools}
        members = [m for s in everything for m in s.members]
        if members:
            embed_statements(self.services.embedder, members)
            self.themes.classify(members)
        scores = self._relevance(everything + members, topic, records)
        for s, v in zip(everything + members, scores):
            s.score = float(v)
        if task_mode:
            for s in everything:
                if s.kind == "task" or s.assignment:
                    s.score += 0.1  # the topic asks who does what

        cap = request.max_bullets_per_section or tn.per_document
        chosen: dict[str, list[_Stmt]] = {}
        overall = float(np.mean(sorted((s.score for s in everything), reverse=True)[:3]))
        for doc_id, pool in pools.items():
            if not pool:
                chosen[doc_id] = []
                continue
            ranked = sorted((s.score for s in pool), reverse=True)
            if ranked[0] < tn.min_document_relevance:
                chosen[doc_id] = []
                continue
            # Relative to the document's few best (one outlier does not raise the bar), and to
            # the request's: a plan that barely touches the topic offers its best, not its filler.
            floor = max(tn.min_relevance, tn.relative_relevance * float(np.mean(ranked[:3])),
                        tn.global_relevance * overall)
            cands = [s for s in pool if s.score >= floor]
            chosen[doc_id] = _mmr(cands, cap, tn.mmr_lambda)
        return chosen

    def select_by_salience(self, request: SummaryRequest, pools: dict[str, list[_Stmt]], docs):
        """Statements that together cover each document (greedy facility location over embedding
        similarity: each pick covers the statements like it), weighed with specificity (rare
        words: names, programmes, dates) and structure: the sentence naming the document's số
        hiệu, the opening statement, assignments, purpose."""
        chosen: dict[str, list[_Stmt]] = {}
        for doc_id, pool in pools.items():
            if not pool:
                chosen[doc_id] = []
                continue
            record = docs[doc_id][0]
            n = len(pool)
            m = np.stack([s.emb for s in pool])
            sim = m @ m.T
            # e5 puts any two sentences of one document close; only likeness above the
            # document's typical pair counts as covering
            base = float(np.median(sim[~np.eye(n, dtype=bool)])) if n > 1 else 0.0
            cover = np.clip((sim - base) / (1 - base + 1e-6), 0, 1)
            number = norm(record.get("number") or "") or None
            first = min(range(n), key=lambda i: pool[i].order)
            bonus = np.zeros(n)
            for i, s in enumerate(pool):
                b = 0.0
                if s.kind == "task" or s.assignment:
                    b += 0.5
                if number and number in norm(s.text):
                    b += 1.0  # the sentence that says what the document is
                if i == first:
                    b += 0.6
                if any(_word_hits(_fold_words(h), ("mục đích", "mục tiêu")) for h in s.headings):
                    b += 0.3
                length = len(s.text)
                b += 0.2 if 60 <= length <= 450 else 0.0
                bonus[i] = min(b, 1.0)
            spec = self._specificity(pool)
            # A short document (a news brief) is already dense: it keeps a larger share.
            cap = request.max_bullets_per_section or int(np.clip(math.ceil(3 * math.sqrt(n)), 5, 18))
            covered = np.zeros(n)
            taken: list[int] = []
            for _ in range(min(cap, n)):
                gain = np.maximum(cover - covered[None, :], 0).sum(axis=1)
                gain[taken] = -1
                top = gain.max()
                if top <= 0:
                    break
                total = 0.45 * gain / top + 0.25 * spec + 0.3 * bonus
                total[taken] = -1
                i = int(total.argmax())
                pool[i].score = float(total[i])
                taken.append(i)
                covered = np.maximum(covered, cover[i])
            chosen[doc_id] = [pool[i] for i in taken]
        return chosen

    def _specificity(self, pool: list[_Stmt]) -> np.ndarray:
        """Mean corpus IDF of a statement's rarest words, scaled to 0 … 1 within the document."""
        stats = self.services.term_stats
        raw = []
        for s in pool:
            idf = sorted((stats.idf(t) for t in terms(s.text) if "_" not in t), reverse=True)
            raw.append(float(np.mean(idf[:8])) if idf else 0.0)
        v = np.array(raw)
        return (v - v.min()) / (v.max() - v.min() + 1e-9) if len(v) else v


def trim_pool(pool: list[_Stmt], topical: bool, limit: int = 220) -> list[_Stmt]:
    """Long documents (decrees of hundreds of sentences): keep the likeliest statements before
    embedding them — the topic's words they hold, or their words' weight in the document."""
    if len(pool) <= limit:
        return pool
    if topical:
        scores = [s.covered + 0.2 * (1 - s.position) for s in pool]
    else:
        tf = [Counter(_bigrams(s.embed_text + " " + s.context)) for s in pool]
        df: Counter = Counter()
        for c in tf:
            df.update(c.keys())
        scores = [sum(math.log(len(tf) / df[t]) for t in c) / (1 + len(c)) ** 0.5 + 0.5 * (1 - s.position)
                  for c, s in zip(tf, pool)]
    keep = sorted(range(len(pool)), key=lambda i: -scores[i])[:limit]
    return [pool[i] for i in sorted(keep)]


def word_coverage(stmts: list[_Stmt], topic: str, records: list[dict]) -> None:
    """Set each statement's ``covered``: the share of the topic's IDF-weighted words (IDF over
    these statements) that it holds, itself or — counting half — in the headings above it."""
    n = len(stmts)
    # A topic typed with diacritics is matched with them: folded, "thế giới" would meet "thể
    # thao" and "vô địch" "dịch bệnh".
    accented = has_diacritics(topic)
    own_terms = [_lex_terms(s.embed_text, accented) for s in stmts]
    stmt_terms = [ts | _lex_terms(s.context, accented) for ts, s in zip(own_terms, stmts)]
    df: Counter = Counter()
    for ts in stmt_terms:
        df.update(ts)
    # Names (issuer, province, số hiệu) would favour the statements that repeat them; a
    # title's words ("thông tin, tuyên truyền") are common enough for IDF to discount.
    naming = _naming_terms(records, accented, titles=False)
    request_words = _request_terms(accented)
    weights: dict[str, float] = {}
    for t in _lex_terms(topic, accented, topic=True):
        if t in naming or t in request_words:
            continue  # names a document (its kind, issuer, province) or the request itself
        idf = math.log((n + 1) / (df.get(t, 0) + 0.5))
        if idf > 0:
            # a two-syllable word is the unit of meaning: "hình" alone also matches "hình ảnh"
            weights[t] = idf * (1.0 if "_" in t else 0.5)
    total = sum(weights.values())
    for s, own, ts in zip(stmts, own_terms, stmt_terms):
        s.covered = (max(sum(w for t, w in weights.items() if t in own),
                         0.5 * sum(w for t, w in weights.items() if t in ts)) / total) if total else 0.0


def merge(chosen: dict[str, list[_Stmt]], pools: dict[str, list[_Stmt]], tn: Tuning) -> list[list[_Stmt]]:
    """Groups of statements saying the same thing: each chosen statement with its near-duplicates
    among every document's candidates (so a plan that says it too is credited), no statement
    in two groups."""
    picked = sorted((s for lst in chosen.values() for s in lst), key=lambda s: -s.score)
    picked_ids = {id(s) for s in picked}
    used: set[int] = set()
    groups: list[list[_Stmt]] = []
    all_cands = [s for p in pools.values() for s in p]
    grams = {id(s): set(_bigrams(s.text)) for s in all_cands}
    for s in picked:
        if id(s) in used:
            continue
        group = [s]
        used.add(id(s))
        for other in all_cands:
            if id(other) in used or other.kind != s.kind:
                continue
            if not _near_duplicate(s, other, grams[id(s)], grams[id(other)], tn):
                continue
            if any(other.doc_id == g.doc_id for g in group):
                if id(other) in picked_ids:
                    used.add(id(other))  # the same document saying it twice: one bullet
                continue
            group.append(other)  # another document says it too: credited in the same bullet
            used.add(id(other))
        groups.append(group)
    return groups


def _mmr(cands: list[_Stmt], k: int, lam: float) -> list[_Stmt]:
    """Best statements with variety: each next one trades its score against its likeness to those
    already taken."""
    if len(cands) <= 1:
        return list(cands[:k])
    pool = sorted(cands, key=lambda s: -s.score)
    taken: list[_Stmt] = []
    while pool and len(taken) < k:
        def gain(s: _Stmt) -> float:
            if not taken:
                return s.score
            sim = max(float(s.emb @ t.emb) for t in taken)
            return lam * s.score - (1 - lam) * max(0.0, (sim - 0.8) / 0.2)
        best = max(pool, key=gain)
        taken.append(best)
        pool.remove(best)
    return taken


def _bigrams(text: str) -> list[str]:
    words = _fold_words(text).split()
    return [f"{a}_{b}" for a, b in zip(words, words[1:])]


def _near_duplicate(a: _Stmt, b: _Stmt, ga: set[str], gb: set[str], tn: Tuning) -> bool:
    if not ga or not gb:
        return False
    inter = len(ga & gb)
    shorter = min(len(ga), len(gb))
    if shorter >= 6 and inter / shorter >= tn.dup_containment:
        return True
    if a.emb is not None and b.emb is not None and float(a.emb @ b.emb) >= tn.dup_cosine:
        return inter / max(1, len(ga | gb)) >= tn.dup_cosine_overlap
    return False
