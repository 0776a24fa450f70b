"""The default answerer: answers built from the retrieved passages' own words, no LLM.

It picks the sentence that best covers the question (IDF-weighted overlap, see
``bot/answer/evidence.py``), then shapes the answer by what is asked: the unit named in the item's
assignment line, the date or số hiệu in the sentence, the bullet items of a list. Every
statement carries [n], and [n] quotes an exact span of the document. When the best evidence
does not cover the question's distinctive words, it says so instead of answering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.answer.citations import Citation, CitationList
from bot.answer.evidence import TermStats, coverage, missing, sentences, terms
from bot.answer.intent import Intent, classify
from bot.answer.answer_types import (
    DATE_OR_PERIOD, LAW_NAME, TEMPORAL_CLAUSE, folded_tokens, has_answer_type, holds_name, phrase_run, proper_names,
)
from bot.answer.document_facts import NO_DATE, fixed_place
from bot.answer.passages import (
    CLAUSE_HEAD, Candidate, assignment_for, clause_around, items_after, lead_in, where_label, with_assignments,
)
from ingest.lang.abbreviations import equivalent_form
from index.hybrid import SearchHit
from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import NUMBER, find_province

ROLE_LABELS = {
    "lead": "Đơn vị chủ trì",
    "partner": "Đơn vị phối hợp",
    "focal": "Đơn vị đầu mối",
    "guiding": "Đơn vị định hướng thông tin",
    "deadline": "Thời gian thực hiện",
}
NOT_FOUND = "Các tài liệu hiện có không đề cập đến nội dung này."

_SOURCE_PREFIX = re.compile(
    r"^\s*(?:theo|căn cứ|tại)\s+(?:quy định (?:của|tại)\s+)?(?:bộ luật|luật|nghị định|thông tư|quyết định|kế hoạch|"
    r"chỉ thị|công văn|hiệp định|kh|tt|nđ|ct|qđ)\b[^,?]{0,80},\s*", re.I)
_ASKS_DEFINITION = re.compile(r"\bla (?:gi|ai|nguoi nhu the nao|nhu the nao)\b|\bdinh nghia\b|\bduoc hieu\b")
_ROLE_VERBS = re.compile(r"chủ trì|phối hợp|đầu mối|giao |định hướng|phụ trách|chịu trách nhiệm|thực hiện", re.I)
_UNIT_HEAD = re.compile(
    r"^(?:Sở|Phòng|Trung tâm|UBND|Ủy ban|Uỷ ban|Ban|Đài|Vụ|Cục|Bộ|Văn phòng|Báo|Công an|Tỉnh đoàn|Hội|Các sở|Các cơ quan)\b"
)
_BULLET = re.compile(r"^\s*[-–+•*]\s*")


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
    """Thresholds calibrated by ``eval/answers.py`` on the project's set plus out-of-corpus questions."""

    min_context_coverage: float = 0.5
    min_sentence_coverage: float = 0.25
    # Candidates within this share of the best score may supply an answer of the asked type.
    type_window: float = 0.8
    # Supporting sentences added to a general answer, and how close to the best they must score.
    extra_sentences: int = 2
    extra_window: float = 0.7
    # A numbered clause up to this long is quoted whole when its sentence is the best match.
    clause_chars: int = 400
    # Weight of the longest run of the question's words a sentence repeats in order (0 to 1).
    phrase_weight: float = 0.1
    # Weight of the retrieval rank of a sentence's passage (1/rank).
    rank_weight: float = 0.03
    # Share of a sentence's own coverage that leaves out the words its passage's headings hold.
    distinct_share: float = 0.5
    # Whether to answer is judged on the sentence's whole article; a document without articles
    # up to this long counts as one (longer plans and news pages reach only their chunk).
    unit_chars: int = 3000


def _chunk_terms(chunks: list[dict]) -> set[str]:
    """Every term of some chunks: their texts and their context (title, headings)."""
    return terms("\n".join(f"{c.get('context', '')}\n{c['text']}" for c in chunks))


_ARTICLE = re.compile(r"\bĐiều (\d+[a-z]?)")


def _article_of(payload: dict) -> str | None:
    m = _ARTICLE.search(payload.get("section") or "")
    return m.group(1) if m else None



def related_docs(hits: list[SearchHit], limit: int = 3) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for h in hits:
        if h.doc_id not in seen:
            seen[h.doc_id] = {"doc_id": h.doc_id, "source": h.source, "title": h.title}
    return list(seen.values())[:limit]


_UNIT_RUNS_ON = re.compile(r"\s+(?:bằng|để|theo|với|cho|tại|trong|khi|nếu|muốn|phải|đã|sẽ|được|có)\s", re.I)
_GENERIC_UNIT = re.compile(r"^(?:các|những|mọi)\s", re.I)


class ExtractiveAnswerer:
    """``doc_chunks(doc_id)`` gives a document's chunks as payloads, for what a document states in
    fixed places (its letterhead date, its signature) rather than where the question's words are."""

    def __init__(self, stats: TermStats, policy: AbstainPolicy | None = None, max_hits: int = 8,
                 doc_chunks: Callable[[str], list[dict]] | None = None):
        self.stats = stats
        self.policy = policy or AbstainPolicy()
        self.max_hits = max_hits
        self.doc_chunks = doc_chunks or (lambda doc_id: [])
        self._doc_terms: dict[str, set[str]] = {}
        self._article_terms: dict[tuple[str, str], set[str]] = {}

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
        article = _article_of(hit.payload)
        key = (hit.doc_id, article or "")
        if key not in self._article_terms:
            chunks = self.doc_chunks(hit.doc_id)
            if article:
                group = [c for c in chunks if _article_of(c) == article]
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

    # -- evidence -------------------------------------------------------------------------
    def _weights(self, question: str, intent: Intent) -> dict[str, float]:
        """The question's terms and weights, less the words that only say what is asked: "ký"
        asks for a signer the way "ai" does, and the signature block never says "ký"."""
        weights = self.stats.weights(question)
        if intent.kind == "signer":
            weights = {t: w for t, w in weights.items() if "ky" not in t.split("_")}
        return weights

    def candidates(self, question: str, hits: list[SearchHit], intent: Intent) -> list[Candidate]:
        weights = self._weights(question, intent)
        # "Theo Bộ luật Dân sự 2015, người thành niên là …": the source named up front chose the
        # document; the rest of the question chooses the sentence.
        focus = _SOURCE_PREFIX.sub("", question)
        if focus != question:
            kept = terms(focus, for_question=True)
            own_weights = {t: w for t, w in weights.items() if t in kept} or weights
        else:
            own_weights = weights
        out: list[Candidate] = []
        q_tokens = folded_tokens(focus)
        for rank, hit in enumerate(hits[: self.max_hits]):
            chunk_terms = terms(hit.payload.get("context", "") + "\n" + hit.text)
            article_terms = self.article_terms(hit) | chunk_terms
            # Words the headings supply (an article's title above each of its clauses) say
            # which article, not which clause: choosing among its sentences, they count less.
            heading_terms = terms(hit.payload.get("context", ""))
            distinct_weights = {t: w for t, w in own_weights.items() if t not in heading_terms} or own_weights
            for s in sentences(hit.text):
                lead = lead_in(hit.text, s.start)
                s_terms = terms(s.text if not lead else hit.text[lead[0]:lead[1]] + "\n" + s.text)
                own = coverage(own_weights, s_terms)
                ctx = coverage(weights, s_terms | chunk_terms)
                reach = coverage(weights, s_terms | article_terms)
                d = self.policy.distinct_share
                choose = (1 - d) * own + d * coverage(distinct_weights, s_terms)
                score = 0.55 * choose + 0.45 * ctx + self.policy.rank_weight / (rank + 1) + self._cue_bonus(intent, s.text, question)
                score += self.policy.phrase_weight * phrase_run(q_tokens, s.text)
                if intent.kind == "list":
                    # A list is asked by its heading ("những hình thức tuyên truyền nào" → "3. Hình thức tuyên truyền").
                    score += 0.3 * coverage(weights, terms(hit.section or ""))
                out.append(Candidate(hit, rank, s.start, s.end, s.text, score, own, ctx, reach, lead))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    @staticmethod
    def _cue_bonus(intent: Intent, text: str, question: str = "") -> float:
        if _ASKS_DEFINITION.search(fold_accents(question).lower()) and re.search(r"\blà\b", text):
            return 0.05  # "X là người như thế nào?" is answered by "X là …"
        if intent.kind in ("unit",) and not intent.recipient and _ROLE_VERBS.search(text):
            return 0.06
        if intent.kind == "date" and DATE_OR_PERIOD.search(text):
            return 0.08
        if intent.kind == "number" and NUMBER.search(text):
            return 0.08
        return 0.0

    def _entity_mismatch(self, question: str, best: Candidate) -> bool:
        """A province named in the question that the evidence's document never names."""
        asked = find_province(question)
        if not asked:
            return False
        where = " ".join(
            str(best.hit.payload.get(k) or "") for k in ("province", "title", "issuer", "context")
        ) + " " + best.hit.text
        return fold_accents(asked).lower() not in fold_accents(where).lower()

    # -- answer -----------------------------------------------------------------------------
    def answer(self, question: str, hits: list[SearchHit], intent: Intent | None = None) -> Answer:
        intent = intent or classify(question)
        cands = self.candidates(question, hits, intent)
        related = related_docs(hits)
        if not cands:
            return Answer(NOT_FOUND, [], False, question, related, {"reason": "no hits"})
        # The best-scoring sentence that covers the question decides; a higher-scoring one that
        # does not (a sentence of another document sharing the question's name words) does not veto it.
        passing = [c for c in cands if c.reach >= self.policy.min_context_coverage
                   and c.own >= self.policy.min_sentence_coverage]
        if passing:
            cands = passing + [c for c in cands if c not in passing]
        best = cands[0]
        weights = self._weights(question, intent)
        top_similarity = max((h.similarity or 0.0) for h in hits[:3])
        debug = {
            "intent": intent.kind, "role": intent.role, "own": round(best.own, 3), "reach": round(best.reach, 3),
            "sim": round(top_similarity, 4),
            "missing": missing(weights, terms(best.hit.payload.get("context", "") + " " + best.hit.text)),
        }
        if (best.reach < self.policy.min_context_coverage or best.own < self.policy.min_sentence_coverage
                or self._entity_mismatch(question, best)):
            debug["reason"] = "evidence does not cover the question"
            return Answer(NOT_FOUND, [], False, question, related, debug)
        gone = self.missing_units(question, best.hit.doc_id) + self.missing_names(question, best.hit.doc_id)
        if gone:
            debug["reason"] = f"the document does not name {gone}"
            return Answer(NOT_FOUND, [], False, question, related, debug)
        cites = CitationList()
        fixed = fixed_place(self, question, intent, hits, cites)
        if fixed == NO_DATE:
            debug["reason"] = "the document states no date of issue"
            return Answer(NOT_FOUND, [], False, question, related, debug)
        if fixed:
            return Answer(fixed, cites.items, True, question, related, {**debug, "source": "document card"})
        typed = [c for c in cands[:12] if c.score >= self.policy.type_window * best.score
                 and has_answer_type(intent, question, with_assignments(c))]
        if not typed:
            # The asked figure is often in a sibling clause of the same passage ("Người phạm tội
            # còn có thể bị phạt tiền từ …" closing the article): look there before giving up.
            typed = [c for c in cands[:40] if c.hit.doc_id == best.hit.doc_id
                     and abs(c.hit.payload.get("ordinal", 0) - best.hit.payload.get("ordinal", 0)) <= 1
                     and c.reach >= self.policy.min_context_coverage
                     and has_answer_type(intent, question, with_assignments(c))][:3]
        if not typed:
            debug["reason"] = f"no {intent.kind} in the evidence"
            return Answer(NOT_FOUND, [], False, question, related, debug)
        # Candidates that hold the asked kind of answer go first, the rest keep their order.
        cands = typed + [c for c in cands if c not in typed]
        builder = {
            "unit": self._unit, "date": self._date, "number": self._number, "count": self._general,
            "list": self._list, "signer": self._signer,
        }.get(intent.kind, self._general)
        text = builder(question, intent, cands, cites)
        return Answer(text, cites.items, True, question, related, debug)

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

    def _general(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        best = cands[0]
        first_line = best.hit.text.split("\n", 1)[0]
        if (best.end <= len(first_line) and CLAUSE_HEAD.match(first_line) and "\n" in best.hit.text
                and len(first_line) < 150 and not first_line.rstrip().endswith((".", ";"))):
            # The best match is an item's heading: what the item says is the answer.
            body = [c for c in sorted(cands, key=lambda c: c.start) if c.hit.chunk_id == best.hit.chunk_id and c.start > best.start]
            if body:
                last = body[min(1, len(body) - 1)]
                n = cites.cite(best.hit.payload, best.start, last.end)
                text = best.hit.text[body[0].start:last.end].strip()
                return f"{best.text.strip()}: {text} [{n}]"
        clause = clause_around(best.hit.text, best.start, best.end, self.policy.clause_chars)
        if clause and not best.lead:
            # A short numbered clause is answered whole: its condition and its consequence are
            # often separate sentences ("… trong thời hạn bảo hành. Bên bán không phải bồi thường nếu …").
            first = (best.hit, clause[0], clause[1], None)
            inside = lambda c: c.hit.chunk_id == best.hit.chunk_id and clause[0] <= c.start < clause[1]  # noqa: E731
        else:
            first = (best.hit, best.start, best.end, best.lead)
            inside = lambda c: False  # noqa: E731
        # Up to two more sentences when nearly as good: the question's words often spread over the
        # condition and the clause that answers it ("… thì bị phạt tù từ 02 năm đến 07 năm").
        more = self._more(best, cands, lambda c: not inside(c))
        return self._render([first] + [(c.hit, c.start, c.end, c.lead) for c in more], cites)

    def _more(self, best: Candidate, cands: list[Candidate], keep: Callable[[Candidate], bool]) -> list[Candidate]:
        """Up to ``extra_sentences`` more sentences nearly as good as ``best`` (and kept by
        ``keep``): the question's words often spread over a condition and the clause that answers
        it, and two dated clauses that match alike are both shown rather than one guessed."""
        out: list[Candidate] = []
        seen = {best.text.strip()}
        for c in cands[1:8]:
            if len(out) >= self.policy.extra_sentences:
                break
            if (c.score >= self.policy.extra_window * best.score and c.text.strip() not in seen
                    and c.own >= 0.5 * best.own and keep(c)):
                seen.add(c.text.strip())
                out.append(c)
        return out

    def _unit(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        if intent.recipient:  # whom a report goes to: the sentence that says so, not an assignment line
            return self._general(question, intent, cands, cites)
        best = cands[0]
        role = intent.role or "lead"
        # 1. The matched item's own assignment line.
        for cand in cands[:5]:
            if cand.hit.chunk_id != best.hit.chunk_id and cand.score < 0.9 * best.score:
                continue
            line = assignment_for(cand, role)
            if line:
                start, end, value, found_role = line
                n = cites.cite(cand.hit.payload, start, end)
                label = ROLE_LABELS[found_role]
                where = where_label(cand.hit)
                head = f"{label}: {value} [{n}]."
                if found_role != role:
                    head = f"Tài liệu không nêu {ROLE_LABELS[role].lower()} cho nội dung này; {label.lower()} là {value} [{n}]."
                return f"{head}\n{where}: {self._support(cand, cites)}" if cand.text.strip() not in head else head
        # 2. A duty under a unit heading ("1. Phòng Văn hóa và Thông tin huyện: …"), the heading
        # in this chunk or, when the item ran over a chunk, in its section path.
        title = (best.hit.section or "").split(" ", 1)[-1].rstrip(": ")
        if _UNIT_HEAD.match(title):
            heading_line = best.hit.text.split("\n", 1)[0]
            if heading_line.lstrip("0123456789. ").startswith(title[:20]) and best.start > 0:
                n = cites.cite(best.hit.payload, 0, len(heading_line))
                return f"{title} [{n}].\nNhiệm vụ: {self._support(best, cites)}"
            return f"{title}: {self._support(best, cites)}"
        # 3. A narrative sentence that assigns ("Giao Vụ Hợp tác quốc tế chủ trì …").
        for cand in cands[:6]:
            if _ROLE_VERBS.search(cand.text) and cand.score >= 0.85 * best.score:
                return self._support(cand, cites)
        return self._general(question, intent, cands, cites)

    def _date(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        for cand in cands[:4]:
            if cand.score < 0.85 * cands[0].score:
                break
            line = assignment_for(cand, "deadline")
            if line:
                start, end, value, _ = line
                n = cites.cite(cand.hit.payload, start, end)
                return f"Thời gian thực hiện: {value} [{n}]."
            dates = DATE_OR_PERIOD.findall(cand.text)
            if dates:
                more = self._more(cand, cands, lambda c: bool(DATE_OR_PERIOD.search(c.text)))
                return f"{dates[0].strip()}: " + self._render([(c.hit, c.start, c.end, c.lead) for c in [cand, *more]], cites)
            if cand is cands[0] and TEMPORAL_CLAUSE.search(cand.text):
                # "… tạm dừng … cho đến khi có chỉ đạo của Thủ tướng": an event, not a date, answers.
                return self._support(cand, cites)
        return self._general(question, intent, cands, cites)

    def _number(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        for cand in cands[:4]:
            if cand.score < 0.85 * cands[0].score:
                break
            numbers = [m for m in NUMBER.findall(cand.text) if m not in question]
            if numbers:
                more = self._more(cand, cands, lambda c: bool(NUMBER.search(c.text)))
                return f"Số {numbers[0]}: " + self._render([(c.hit, c.start, c.end, c.lead) for c in [cand, *more]], cites)
        return self._general(question, intent, cands, cites)

    def _signer(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        for cand in cands[:8]:
            signer = cand.hit.payload.get("signer") or ""
            if cand.hit.payload.get("kind") == "signature" or (signer and signer in cand.text):
                return self._support(cand, cites)
        return self._general(question, intent, cands, cites)

    def _list(self, question: str, intent: Intent, cands: list[Candidate], cites: CitationList) -> str:
        best = cands[0]
        text = best.hit.text
        # A list is its lead-in ("… bao gồm:") and the items under it, whichever of them matched best.
        head = best.lead or ((best.start, best.end) if best.text.rstrip().endswith(":") else None)
        items = items_after(text, head[1]) if head else None
        if items:
            n = cites.cite(best.hit.payload, head[0], items[1])
            return f"{text[head[0]:items[1]].strip()} [{n}]"
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        # The run of bullet lines around the best sentence, or the items after "gồm:".
        idx = next((i for i, (s, e) in enumerate(lines) if s <= best.start < e + 1), 0)
        bullets = [i for i, (s, e) in enumerate(lines) if _BULLET.match(text[s:e])]
        if len(bullets) >= 2 and not re.search(r"gồm\s*:|bao gồm|như\s*:", best.text):
            run = [i for i in bullets if abs(i - idx) <= 6][:6]
            if run:
                start, end = lines[run[0]][0], lines[run[-1]][1]
                n = cites.cite(best.hit.payload, start, end)
                items = "\n".join(text[lines[i][0] : lines[i][1]].strip() for i in run)
                head = lines[0]
                heading = text[head[0] : head[1]].strip() if not _BULLET.match(text[head[0] : head[1]]) else ""
                intro = f"{heading}:" if heading and len(heading) < 160 else "Các nội dung gồm:"
                return f"{intro}\n{items} [{n}]"
        return self._general(question, intent, cands, cites)

