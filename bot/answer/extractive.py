"""The default answerer: answers built from the retrieved passages' own words, no LLM.

It proposes candidates — each sentence of the retrieved passages, scored by IDF-weighted
overlap with the question (``bot/answer/evidence.py``) — and a trained verifier
(``bot/answer/verifier.py``) says how likely each is to answer the question. One threshold,
chosen on held-out questions for a stated precision, decides whether to answer at all. The
answer comes first and short, shaped by what is asked (``bot/answer/shaping.py``); every
statement carries [n], and [n] quotes an exact span of the document. When no candidate passes,
it says the documents do not cover the question, names the closest documents, and corrects a
question built on a premise the documents contradict.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.answer.citations import Citation, CitationList
from bot.answer.evidence import TermStats, coverage, missing, sentences, terms
from bot.answer.intent import Intent
from bot.answer.answer_types import LAW_NAME, has_answer_type, holds_name, phrase_run, proper_names
from bot.answer.contrast import contrast
from bot.answer.document_facts import NO_DATE, NO_NUMBER, NO_SIGNER, fixed_place, read_from_structure, section_place
from bot.answer.glossary import gloss_place
from bot.answer.passages import Candidate, article_of, lead_in, with_assignments
from bot.answer.query import Query, build_query
from bot.answer.refusal import refusal
from bot.answer.shaping import ROLE_LABELS, shape
from bot.answer.verifier import SIM_FEATURES, FeatureBuilder, Scored, Verifier, fallback_probability
from ingest.lang.abbreviations import equivalent_form
from index.hybrid import SearchHit
from ingest.lang.patterns import DATE_OR_PERIOD, NUMBER

__all__ = ["Answer", "AbstainPolicy", "VERIFIER_REFUSED", "ExtractiveAnswerer", "NOT_FOUND", "ROLE_LABELS", "related_docs"]

NOT_FOUND = "Các tài liệu hiện có không đề cập đến nội dung này."
VERIFIER_REFUSED = "the verifier finds no sentence that answers"

_ASKS_DEFINITION = re.compile(r"\bla (?:gi|ai|nguoi nhu the nao|nhu the nao)\b|\bdinh nghia\b|\bduoc hieu\b")
_ROLE_VERBS = re.compile(r"chủ trì|phối hợp|đầu mối|giao |định hướng|phụ trách|chịu trách nhiệm|thực hiện", re.I)


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    grounded: bool
    question: str
    related: list[dict[str, str]] = field(default_factory=list)
    debug: dict[str, Any] = field(default_factory=dict)


@dataclass
class AbstainPolicy:
    """How candidates are proposed. Whether to answer is the verifier's (its threshold ships
    with the model); these only order the sentences it is shown."""

    # Candidates the verifier judges: the best-scoring sentences, and a few more further down
    # that hold the asked kind of answer (a figure in a sibling clause).
    pool: int = 10
    typed_extra: int = 4
    # Weight of the longest run of the question's words a sentence repeats in order (0 to 1).
    phrase_weight: float = 0.1
    # Weight of the retrieval rank of a sentence's passage (1/rank).
    rank_weight: float = 0.03
    # Share of a sentence's own coverage that leaves out the words its passage's headings hold.
    distinct_share: float = 0.5
    # A document without articles up to this long counts as one article (longer plans and news
    # pages reach only their chunk).
    unit_chars: int = 3000


@dataclass
class Proposal:
    cands: list[Candidate]  # every sentence of the top passages, best covered first
    scored: list[Scored]  # the pool the verifier judges, with features (p not yet set)
    fixed_cand: Candidate | None  # the span a document-card answer cites, when there is one
    fixed: str | None  # that answer's text (or NO_DATE)
    fixed_cites: CitationList


def _chunk_terms(chunks: list[dict]) -> set[str]:
    """Every term of some chunks: their texts and their context (title, headings)."""
    return terms("\n".join(f"{c.get('context', '')}\n{c['text']}" for c in chunks))


def related_docs(hits: list[SearchHit], limit: int = 3) -> list[dict[str, str]]:
    from bot.answer.refusal import doc_label

    seen: dict[str, dict[str, str]] = {}
    for h in hits:
        if h.doc_id not in seen:
            seen[h.doc_id] = {"doc_id": h.doc_id, "source": h.source, "title": doc_label(h.payload)}
    return list(seen.values())[:limit]


_UNIT_RUNS_ON = re.compile(r"\s+(?:bằng|để|theo|với|cho|tại|trong|khi|nếu|muốn|phải|đã|sẽ|được|có)\s", re.I)
_GENERIC_UNIT = re.compile(r"^(?:các|những|mọi)\s", re.I)


class ExtractiveAnswerer:
    """``doc_chunks(doc_id)`` gives a document's chunks as payloads, for what a document states in
    fixed places (its letterhead date, its signature) rather than where the question's words are.
    ``embed`` maps passage texts to unit vectors and ``embed_query`` a question to its vector
    (e5), for the verifier's similarity features; ``verifier`` defaults to the shipped model."""

    def __init__(self, stats: TermStats, policy: AbstainPolicy | None = None, max_hits: int = 8,
                 doc_chunks: Callable[[str], list[dict]] | None = None, embed: Callable[[list[str]], Any] | None = None,
                 embed_query: Callable[[str], Any] | None = None, verifier: Verifier | None | bool = True):
        self.stats = stats
        self.policy = policy or AbstainPolicy()
        self.max_hits = max_hits
        self.doc_chunks = doc_chunks or (lambda doc_id: [])
        self.embed_query = embed_query
        self.verifier = Verifier.load() if verifier is True else (verifier or None)
        self.features = FeatureBuilder(self, embed)
        self.features.need_sims = self.verifier is None or any(n in SIM_FEATURES for n in self.verifier.model["features"])
        self._doc_terms: dict[str, set[str]] = {}
        self._article_terms: dict[tuple[str, str], set[str]] = {}

    @property
    def threshold(self) -> float:
        return self.verifier.threshold if self.verifier else 0.5

    def doc_terms(self, doc_id: str) -> set[str]:
        """Every term of a document (its text and its chunks' context), cached per document."""
        known = self.stats.group_terms.get(doc_id)
        if known is not None:
            return known
        if doc_id not in self._doc_terms:
            self._doc_terms[doc_id] = _chunk_terms(self.doc_chunks(doc_id))
        return self._doc_terms[doc_id]

    def article_terms(self, hit: SearchHit) -> set[str]:
        """Every term of the article a passage belongs to, its other chunks too: a question often
        names an article's subject and one clause's detail, which chunks may hold apart. A short
        document without articles (a letter, an article on its own) is one unit; a long one has
        no unit above its chunks."""
        article = article_of(hit.payload)
        key = (hit.doc_id, article or "")
        if key not in self._article_terms:
            chunks = self.doc_chunks(hit.doc_id)
            if article:
                group = [c for c in chunks if article_of(c) == article]
            elif sum(len(c["text"]) for c in chunks) <= self.policy.unit_chars:
                group = chunks
            else:
                group = []
            self._article_terms[key] = _chunk_terms(group)
        return self._article_terms[key]

    def missing_units(self, question: str, doc_id: str) -> list[str]:
        """Units the question names that the document never names ("Bộ Công Thương" asked of
        the Bộ Nội vụ plan): most of a unit's syllable pairs must occur in the document."""
        from ingest.units import find_units

        doc = self.doc_terms(doc_id)
        if not doc:
            return []
        gone = []
        for unit in find_units(question):
            if _GENERIC_UNIT.match(unit.name) or LAW_NAME.match(unit.name):
                continue  # "các tổ chức", "các đơn vị": a kind of body, not one the document must name
            # The head and the next syllables name the unit; a question's span can run on
            # into its own words ("Bộ Nội vụ muốn …", "Bộ Công Thương bằng cách nào").
            name = _UNIT_RUNS_ON.split(unit.name, maxsplit=1)[0]
            head = " ".join(name.split()[:5])
            pairs = [t for t in terms(head) if "_" in t]
            if pairs and sum(p in doc for p in pairs) / len(pairs) < 0.6:
                gone.append(unit.name)
        return gone

    def missing_names(self, question: str, doc_id: str) -> list[str]:
        """Proper names the question asks about ("cặp cửa khẩu Hữu Nghị - Hữu Nghị Quan") that the
        document never writes: it cannot say anything about them, whatever else matches."""
        doc = self.doc_terms(doc_id)
        gone = []
        for name in proper_names(question):
            # A name the documents write another way counts in that form ("Đông Nam Á" = ASEAN).
            forms = [terms(f) for f in (name, equivalent_form(name)) if f]
            if not any(holds_name(form, doc) for form in forms):
                gone.append(name)
        return gone

    def _weights(self, question: str, intent: Intent) -> dict[str, float]:
        """The question's terms and weights (see ``Query.weights``)."""
        return build_query(question, self.stats, intent).weights

    def query(self, question: str, intent: Intent | None = None) -> Query:
        return build_query(question, self.stats, intent)

    # -- candidates -----------------------------------------------------------------------
    def candidates(self, q: Query, hits: list[SearchHit]) -> list[Candidate]:
        """Every sentence of the top passages, best first by how well it covers the question."""
        weights, own_weights = q.weights, q.focus_weights
        out: list[Candidate] = []
        for rank, hit in enumerate(hits[: self.max_hits]):
            chunk_terms = terms(hit.payload.get("context", "") + "\n" + hit.text)
            article_terms = self.article_terms(hit) | chunk_terms
            # Words the headings supply (an article's title above each of its clauses) say
            # which article, not which clause: choosing among its sentences, they count less.
            heading_terms = terms(hit.payload.get("context", ""))
            distinct_weights = {t: w for t, w in own_weights.items() if t not in heading_terms} or own_weights
            section_cov = coverage(weights, terms(hit.section or "")) if q.intent.kind == "list" else 0.0
            # A labelled assignment line ("Đơn vị chủ trì: …") says who does the task its item's
            # heading names: read alone it holds only the role and the unit.
            assigned = [a["text"] for a in hit.payload.get("assignments") or []]
            task_terms = terms(hit.section or "") if assigned else set()
            for s in sentences(hit.text):
                lead = lead_in(hit.text, s.start)
                s_terms = terms(s.text if not lead else hit.text[lead[0]:lead[1]] + "\n" + s.text)
                if task_terms and any(s.text.strip() and (s.text.strip() in a or a in s.text) for a in assigned):
                    s_terms |= task_terms
                own = coverage(own_weights, s_terms)
                ctx = coverage(weights, s_terms | chunk_terms)
                reach = coverage(weights, s_terms | article_terms)
                d = self.policy.distinct_share
                choose = (1 - d) * own + d * coverage(distinct_weights, s_terms)
                score = 0.55 * choose + 0.45 * ctx + self.policy.rank_weight / (rank + 1) + self._cue_bonus(q, s.text)
                score += self.policy.phrase_weight * phrase_run(q.q_tokens, s.text)
                # A list is asked by its heading ("những hình thức tuyên truyền nào" → "3. Hình thức tuyên truyền").
                score += 0.3 * section_cov
                out.append(Candidate(hit, rank, s.start, s.end, s.text, score, own, ctx, reach, lead))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    @staticmethod
    def _cue_bonus(q: Query, text: str) -> float:
        intent = q.intent
        if _ASKS_DEFINITION.search(q.folded) and re.search(r"\blà\b", text):
            return 0.05  # "X là người như thế nào?" is answered by "X là …"
        if intent.kind == "unit" and not intent.recipient and _ROLE_VERBS.search(text):
            return 0.06
        if intent.kind == "date" and DATE_OR_PERIOD.search(text):
            return 0.08
        if intent.kind == "number" and NUMBER.search(text):
            return 0.08
        return 0.0

    def pool(self, q: Query, cands: list[Candidate]) -> list[Candidate]:
        """The candidates the verifier judges: the best-scoring sentences, and further down those
        holding the asked kind of answer (the figure is often in a sibling clause)."""
        p = self.policy
        head = [c for c in cands[: p.pool] if c.text.strip()]
        if q.intent.kind in ("general", "yesno", "definition"):
            return head
        typed = [c for c in cands[p.pool: p.pool * 4]
                 if c.text.strip() and has_answer_type(q.intent, q.question, with_assignments(c))]
        return head + typed[: p.typed_extra]

    def span_candidate(self, q: Query, hit: SearchHit, rank: int, start: int, end: int) -> Candidate:
        """Any span of a passage as a candidate, covered like a sentence (an LLM's evidence, a
        document card's line)."""
        text = hit.text[start:end]
        s_terms = terms(text)
        chunk_terms = terms(hit.payload.get("context", "") + "\n" + hit.text)
        own = coverage(q.focus_weights, s_terms)
        return Candidate(hit, rank, start, end, text, 0.0, own, coverage(q.weights, s_terms | chunk_terms),
                         coverage(q.weights, s_terms | self.article_terms(hit) | chunk_terms))

    def verify_spans(self, question: "str | Query", hits: list[SearchHit],
                     spans: list[tuple[SearchHit, int, int]]) -> list[float]:
        """The verifier's P for arbitrary spans of retrieved passages (the LLM path's evidence)."""
        q = question if isinstance(question, Query) else self.query(question)
        if not spans:
            return []
        if q.dense is None and self.embed_query is not None:
            q.dense = self.embed_query(q.question)
        ranks = {h.chunk_id: i for i, h in enumerate(hits)}
        cands = [self.span_candidate(q, h, ranks.get(h.chunk_id, len(hits)), a, b) for h, a, b in spans]
        best = max(c.own for c in cands)
        for c in cands:  # spans have no heuristic score: order them by coverage
            c.score = c.own / best if best > 0 else 0.0
        return [s.p for s in self.judge_in_order(self.features.build(q, cands, hits))]

    def judge_in_order(self, scored: list[Scored]) -> list[Scored]:
        if self.verifier is not None:
            return self.verifier.score(scored)
        for s in scored:
            s.p = fallback_probability(s)
        return scored

    def _fixed_candidate(self, q: Query, hits: list[SearchHit], cites: CitationList) -> Candidate | None:
        """The span a document-card answer cites (its signature, dateline, Kính gửi line), as a
        candidate the verifier judges like the others."""
        if not cites.items:
            return None
        c = cites.items[0]
        payload = next((p for p in self.doc_chunks(c.doc_id) if p.get("chunk_id") == c.chunk_id), None)
        if payload is None:
            return None
        hit = next((h for h in hits if h.chunk_id == c.chunk_id), None) or SearchHit.from_payload(
            payload, hits[0].score if hits else 0.0)
        rank = next((i for i, h in enumerate(hits) if h.chunk_id == c.chunk_id), len(hits))
        start, end = c.char_start - payload["char_start"], c.char_end - payload["char_start"]
        text = payload["text"][start:end]
        s_terms = terms(text)
        doc = self.doc_terms(c.doc_id)
        own = coverage(q.focus_weights, s_terms | terms(payload.get("context", "")))
        return Candidate(hit, rank, start, end, text, 0.0, own, coverage(q.weights, s_terms | doc),
                         coverage(q.weights, s_terms | doc))

    def judge(self, scored: list[Scored]) -> list[Scored]:
        """The pool scored by the verifier, most likely answer first (ties keep the pool's order)."""
        return sorted(self.judge_in_order(scored), key=lambda s: -s.p)

    # -- answer -----------------------------------------------------------------------------
    def propose(self, q: Query, hits: list[SearchHit]) -> "Proposal":
        """Everything the decision rests on: the candidates, the document-card answer when the
        question asks for one, and the pool with its features (unscored). ``eval/train_verifier.py``
        labels exactly these."""
        cands = self.candidates(q, hits)
        fixed_cites = CitationList()
        fixed = (fixed_place(self, q, hits, fixed_cites) or section_place(self, q, hits, fixed_cites)
                 or gloss_place(self, q, hits, fixed_cites)) if cands else None
        if fixed in (NO_DATE, NO_SIGNER, NO_NUMBER):
            return Proposal(cands, [], None, fixed, fixed_cites)
        fixed_cand = self._fixed_candidate(q, hits, fixed_cites) if fixed else None
        if q.dense is None and self.embed_query is not None and hits:
            q.dense = self.embed_query(q.question)
        scored = self.features.build(q, self.pool(q, cands), hits, fixed_cand) if cands else []
        return Proposal(cands, scored, fixed_cand, fixed, fixed_cites)

    def answer(self, question: "str | Query", hits: list[SearchHit], intent: Intent | None = None) -> Answer:
        q = question if isinstance(question, Query) else self.query(question, intent)
        related = related_docs(hits)
        prop = self.propose(q, hits)
        if not prop.cands:
            return refusal(self, q, hits, [], {"reason": "no hits"})
        if prop.fixed in (NO_DATE, NO_SIGNER, NO_NUMBER):
            # The document the question is about states no date of issue (or no signer): any other
            # date (a period, a deadline) or name in it would be a wrong answer.
            what = {NO_DATE: "date of issue", NO_SIGNER: "signer", NO_NUMBER: "number"}[prop.fixed]
            return refusal(self, q, hits, [], {"reason": f"the document states no {what}"})
        scored = contrast(q, self.judge(prop.scored))
        best = scored[0]
        debug = {
            "intent": q.intent.kind, "role": q.intent.role, "own": round(best.cand.own, 3),
            "reach": round(best.cand.reach, 3), "p": round(best.p, 3), "threshold": round(self.threshold, 3),
            "sim": round(max((h.similarity or 0.0) for h in hits[:3]), 4),
            "missing": missing(q.weights, terms(best.cand.hit.payload.get("context", "") + " " + best.cand.hit.text)),
        }
        if best.p < self.threshold and not (prop.fixed_cand is not None and read_from_structure(
                q, self.doc_chunks(prop.fixed_cand.hit.doc_id))):
            debug["reason"] = VERIFIER_REFUSED
            return refusal(self, q, hits, scored, debug)
        if prop.fixed_cand is not None:
            # A question about the document itself (its signer, date, addressee) is answered
            # from where the document states it, once the verifier has accepted to answer.
            return Answer(prop.fixed, prop.fixed_cites.items, True, q.question, related, {**debug, "source": "document card"})
        cites = CitationList()
        ranked = [s.cand for s in scored if s.cand is not prop.fixed_cand]
        ranked += [c for c in prop.cands if c not in ranked]
        text = shape(self, q, ranked, cites)
        return Answer(text, cites.items, True, q.question, related, debug)

    # -- quoting ------------------------------------------------------------------------------
    def _support(self, cand: Candidate, cites: CitationList) -> str:
        return self._render([(cand.hit, cand.start, cand.end, cand.lead)], cites)

    def _render(self, spans: list[tuple[SearchHit, int, int, tuple[int, int] | None]], cites: CitationList) -> str:
        """Quote passages, each with its citation; sentences that follow one another in the same
        passage are quoted as one span, so the answer reads as the document does."""
        groups: list[list] = []
        for hit, start, end, lead in spans:
            for g in groups:
                if g[0].chunk_id == hit.chunk_id and (not hit.text[g[2]:start].strip() or not hit.text[end:g[1]].strip()):
                    g[1], g[2] = min(g[1], start), max(g[2], end)
                    g[3] = g[3] or lead
                    break
            else:
                groups.append([hit, start, end, lead])
        out = []
        for hit, start, end, lead in groups:
            prefix = ""
            if lead and lead[1] <= start and not cites.has(hit.payload, *lead):  # items of one list share their lead-in
                m = cites.cite(hit.payload, *lead)
                prefix = f"{hit.text[lead[0]:lead[1]].strip()} [{m}] … "
            n = cites.cite(hit.payload, start, end)
            out.append(f"{prefix}{hit.text[start:end].strip()} [{n}]")
        return " ".join(out)
