"""The default answerer: answers built from the retrieved passages' own words, no LLM.

It picks the sentence that best covers the question (IDF-weighted overlap, see
``bot/evidence.py``), then shapes the answer by what is asked: the unit named in the item's
assignment line, the date or số hiệu in the sentence, the bullet items of a list. Every
statement carries [n], and [n] quotes an exact span of the document. When the best evidence
does not cover the question's distinctive words, it says so instead of answering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.citations import Citation, CitationList
from bot.evidence import TermStats, coverage, missing, sentences, terms
from bot.intent import Intent, classify
from bot.parts import addressee, asked_part, effective_clauses, signature
from index.abbreviations import equivalent_form
from index.hybrid import SearchHit
from ingest.metadata import NUMBER, PERSON, find_province
from ingest.normalize import fold_accents, has_diacritics
from ingest.webpage import dateline

ROLE_LABELS = {
    "lead": "Đơn vị chủ trì",
    "partner": "Đơn vị phối hợp",
    "focal": "Đơn vị đầu mối",
    "guiding": "Đơn vị định hướng thông tin",
    "deadline": "Thời gian thực hiện",
}
NOT_FOUND = "Các tài liệu hiện có không đề cập đến nội dung này."
# _fixed_place's answer when the document names no date of issue: abstain, don't look elsewhere.
NO_DATE = "<no date of issue>"

# A particular day: "ngày 19/10", "ngày 22 tháng 11 năm 1994", "19/10/2021".
_DAY_WORDS = r"ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
_DAY_SLASH = r"\b\d{1,2}/\d{1,2}/\d{4}\b"
_DAY = re.compile(_DAY_WORDS + "|" + _DAY_SLASH, re.I)
# Any date or period an answer to "khi nào?" may give.
_DATE = re.compile(
    r"(?:(?:trước |từ |đến |vào )?" + _DAY_WORDS + ")|" + _DAY_SLASH
    + r"|\btháng\s+\d{1,2}(?:/\d{4}|\s+năm\s+\d{4})?|\bquý\s+[IV1-4]+(?:/\d{4})?"
    r"|\bhằng năm\b|\bhàng năm\b|\btheo sự kiện\b|\bnăm\s+\d{4}\b|\bgiai đoạn\s+\d{4}\s*[-–]\s*\d{4}\b",
    re.IGNORECASE,
)
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
class _Candidate:
    hit: SearchHit
    rank: int
    start: int
    end: int
    text: str
    score: float
    own: float  # coverage by the sentence alone (with its list's lead-in, for a list item)
    ctx: float  # coverage by the sentence and its chunk (title, headings, neighbours)
    reach: float  # coverage by the sentence and its whole article: whether to answer at all
    # A list item's lead-in line ("Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt
    # tù từ 07 năm đến 15 năm:" above "đ) Tái phạm nguy hiểm."): the item means nothing without it.
    lead: tuple[int, int] | None = None

    @property
    def full_text(self) -> str:
        if not self.lead:
            return self.text
        return f"{self.hit.text[self.lead[0]:self.lead[1]]} {self.text}"


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


_TEMPORAL = re.compile(r"\b(?:kể từ|từ thời điểm|tại thời điểm|trong thời hạn|thời hạn|sau khi|trước khi|khi)\b", re.I)
_TEMPORAL_CLAUSE = re.compile(r"\b(?:kể từ|từ thời điểm|tại thời điểm|trong thời hạn|sau khi|trước khi|đến khi)\b", re.I)
_NUM_WORD = r"(?:\d[\d.,]*|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ)"
_UNIT_ANYWHERE = re.compile(
    r"\b(?:Sở|Phòng|Trung tâm|UBND|Ủy ban|Uỷ ban|Ban|Đài|Vụ|Cục|Bộ|Văn phòng|Báo|Công an|Tỉnh đoàn|Hội|"
    r"Chính phủ|Thủ tướng|cơ quan|đơn vị|sở, ban, ngành|các sở|địa phương)\b"
)


_PEOPLE = {"nguoi", "thanh", "dai", "can", "cong", "vien"}  # người, thành viên, đại biểu, cán bộ, công chức, viên chức
_NOT_A_NOUN = {"la", "den", "thi", "tro", "va", "hay", "hoac", "de", "moi", "cho", "trong", "khi", "neu"}


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", fold_accents(text).lower())


def _phrase_run(q_tokens: list[str], text: str) -> float:
    """The longest run of the question's words that the sentence repeats in order, as a share of
    eight words: a question that copies a clause's phrasing points at that clause."""
    t = _tokens(text)
    if not q_tokens or not t:
        return 0.0
    best = 0
    prev = [0] * (len(t) + 1)
    for a in q_tokens:
        cur = [0] * (len(t) + 1)
        for j, b in enumerate(t, 1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return min(best, 8) / 8


def _count_noun(question: str) -> str | None:
    """The noun a "bao nhiêu …"/"mấy …" question counts ("bao nhiêu tỷ đồng" → "ty dong")."""
    q = fold_accents(equivalent_form(question) or question).lower()  # "héc-ta" is counted in "ha"
    m = re.search(r"\bbao nhieu\b\s*(\w+(?:\s+\w+)?)?", q)
    if not m and ("mấy" in question.lower() or not has_diacritics(question)):  # "mấy bộ", not "máy móc"
        m = re.search(r"\bmay\b\s*(\w+(?:\s+\w+)?)?", q)
    if not m:
        return None
    noun = m.group(1)
    first = noun.split()[0] if noun else None
    if first in {"nam", "ngay", "lan"}:
        return first
    if first is None or first in _NOT_A_NOUN:
        # "phạt tiền từ bao nhiêu đến bao nhiêu?": the measure is named before ("tiền" → đồng).
        before = " ".join(q[: m.start()].split()[-4:])
        for phrase in ("phat tien", "phat tu"):
            if phrase in before:
                return phrase
        return None
    return noun


def _chunk_terms(chunks: list[dict]) -> set[str]:
    """Every term of some chunks: their texts and their context (title, headings)."""
    return terms("\n".join(f"{c.get('context', '')}\n{c['text']}" for c in chunks))


_ARTICLE = re.compile(r"\bĐiều (\d+[a-z]?)")


def _article_of(payload: dict) -> str | None:
    m = _ARTICLE.search(payload.get("section") or "")
    return m.group(1) if m else None


def _names(form: set[str], doc: set[str]) -> bool:
    """Whether a document's terms hold a name: most of its syllable pairs, or its one word."""
    pairs = [t for t in form if "_" in t]
    if pairs:
        return sum(p in doc for p in pairs) / len(pairs) >= 0.6
    return bool(form) and form <= doc


def proper_names(question: str) -> list[str]:
    """Runs of two or more capitalised words after the question's first word: "Hữu Nghị" and
    "Hữu Nghị Quan" in "cửa khẩu Hữu Nghị - Hữu Nghị Quan", "Cà Mau". A hyphen ends a run: "Việt
    - Trung" is written "Việt Nam - Trung Quốc". Acronyms (UBND, QN) are left to the abbreviation rules."""
    words = list(re.finditer(r"\S+", question))
    names: list[str] = []
    run: list[re.Match] = []
    for m in words[1:] + [None]:
        word = m.group().strip(",.;:?!()\"'“”") if m else ""
        if m and word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower()):  # "Hữu", "Á", not "UBND"
            run.append(m)
            continue
        if len(run) >= 2:
            name = question[run[0].start():run[-1].end()].strip(",.;:?!()\"'“”")
            before = question[:run[0].start()].split()[-1:]  # "Bộ" in "Bộ Luật Dân sự"
            if not _LAW_NAME.match(" ".join(before + [name])) and not _LAW_NAME.match(name):
                names.append(name)
        run = []
    return names


def has_answer_type(intent: Intent, question: str, text: str) -> bool:
    """Does a passage hold the kind of thing asked for: a date, a count of the asked noun, a số hiệu,
    a unit, a person? A passage on the right topic without it does not answer the question."""
    if intent.kind == "date":
        # "Khi nào?" is answered by a date, or by the event or period that sets it
        # ("kể từ thời điểm mở thừa kế", "trong thời hạn 30 ngày").
        return bool(_DATE.search(text) or _TEMPORAL.search(text))
    if intent.kind == "number":
        return bool(NUMBER.search(text))
    if intent.kind == "count":
        noun = _count_noun(question)
        folded = fold_accents(text).lower()
        if noun and noun.startswith(("phan tram", "ty le")):
            return bool(re.search(r"\d\s*%|phan tram", folded))
        if noun and noun.startswith("phat "):
            # A penalty asked by its kind: the figure follows it ("phạt tiền từ 10.000.000 đồng").
            return bool(re.search(r"\b" + noun + r"\s+(?:\w+\s+){0,3}\d", folded))
        if noun:
            head = noun.split()[0]
            # "mấy thành viên?" is answered by "05 người".
            heads = "|".join(sorted(_PEOPLE)) if head in _PEOPLE else re.escape(head)
            num = fold_accents(_NUM_WORD).lower()
            # "05 người", or the noun then its figure ("có số điểm từ 50 trở lên").
            # "03 (ba) bộ": the figure may be spelled out in brackets before the noun.
            return bool(re.search(num + r"\s+(?:\(\w+\)\s+)?(?:\w+\s+)?(?:" + heads + r")\b", folded)
                        or re.search(r"\b(?:" + heads + r")\s+(?:\w+\s+){0,2}\d", folded))
        return bool(re.search(r"\d", text))
    if intent.kind == "unit":
        # "Ai …?" may ask for a person ("người đang chiếm hữu"), "đơn vị nào" for a body.
        asks_who = re.search(r"\bai\b", fold_accents(question).lower())
        return bool(_UNIT_ANYWHERE.search(text) or (asks_who and re.search(r"\b(?:người|cá nhân|tổ chức)\b", text, re.I)))
    if intent.kind == "signer":
        return bool(PERSON.search(text))
    return True


_DOC_TYPES = ("thong tu", "nghi dinh", "quyet dinh", "ke hoach", "hiep dinh", "cong van", "chi thi", "nghi quyet",
              "luat", "thong bao", "bao cao", "nghi dinh thu")
_POSTED_WORDS = {"dang", "tai", "bai", "viet", "tin", "gioi", "thieu", "xuat", "ban"}
_OUTLINE_WORDS = {"nhom", "chinh", "phan", "muc", "bo", "cuc"}
def related_docs(hits: list[SearchHit], limit: int = 3) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for h in hits:
        if h.doc_id not in seen:
            seen[h.doc_id] = {"doc_id": h.doc_id, "source": h.source, "title": h.title}
    return list(seen.values())[:limit]


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
            if _GENERIC_UNIT.match(unit.name) or _LAW_NAME.match(unit.name):
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
            if not any(_names(form, doc) for form in forms):
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

    def candidates(self, question: str, hits: list[SearchHit], intent: Intent) -> list[_Candidate]:
        weights = self._weights(question, intent)
        # "Theo Bộ luật Dân sự 2015, người thành niên là …": the source named up front chose the
        # document; the rest of the question chooses the sentence.
        focus = _SOURCE_PREFIX.sub("", question)
        if focus != question:
            kept = terms(focus, for_question=True)
            own_weights = {t: w for t, w in weights.items() if t in kept} or weights
        else:
            own_weights = weights
        out: list[_Candidate] = []
        q_tokens = _tokens(focus)
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
                score += self.policy.phrase_weight * _phrase_run(q_tokens, s.text)
                if intent.kind == "list":
                    # A list is asked by its heading ("những hình thức tuyên truyền nào" → "3. Hình thức tuyên truyền").
                    score += 0.3 * coverage(weights, terms(hit.section or ""))
                out.append(_Candidate(hit, rank, s.start, s.end, s.text, score, own, ctx, reach, lead))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    @staticmethod
    def _cue_bonus(intent: Intent, text: str, question: str = "") -> float:
        if _ASKS_DEFINITION.search(fold_accents(question).lower()) and re.search(r"\blà\b", text):
            return 0.05  # "X là người như thế nào?" is answered by "X là …"
        if intent.kind in ("unit",) and not intent.recipient and _ROLE_VERBS.search(text):
            return 0.06
        if intent.kind == "date" and _DATE.search(text):
            return 0.08
        if intent.kind == "number" and NUMBER.search(text):
            return 0.08
        return 0.0

    def _entity_mismatch(self, question: str, best: _Candidate) -> bool:
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
        fixed = self._fixed_place(question, intent, hits, cites)
        if fixed == NO_DATE:
            debug["reason"] = "the document states no date of issue"
            return Answer(NOT_FOUND, [], False, question, related, debug)
        if fixed:
            return Answer(fixed, cites.items, True, question, related, {**debug, "source": "document card"})
        typed = [c for c in cands[:12] if c.score >= self.policy.type_window * best.score
                 and has_answer_type(intent, question, _with_assignments(c))]
        if not typed:
            # The asked figure is often in a sibling clause of the same passage ("Người phạm tội
            # còn có thể bị phạt tiền từ …" closing the article): look there before giving up.
            typed = [c for c in cands[:40] if c.hit.doc_id == best.hit.doc_id
                     and abs(c.hit.payload.get("ordinal", 0) - best.hit.payload.get("ordinal", 0)) <= 1
                     and c.reach >= self.policy.min_context_coverage
                     and has_answer_type(intent, question, _with_assignments(c))][:3]
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

    def _fixed_place(self, question: str, intent: Intent, hits: list[SearchHit], cites: CitationList) -> str | None:
        """Who signed a document and when it was issued are stated in its signature block and
        its letterhead: read them there, from the document the question is about."""
        folded = fold_accents(question).lower()
        # "… có hiệu lực từ ngày nào?" (or "bắt đầu áp dụng từ khi nào?"); not "giấy phép cấp trước
        # ngày Thông tư có hiệu lực thì xử lý thế nào?".
        effective = intent.kind in ("date", "yesno") and "hieu luc" in fold_accents(equivalent_form(question) or question).lower()
        # "Bài viết … được đăng ngày nào?": a web page's dateline ("đăng" folds to "dang", as "đang" does).
        posted = intent.kind == "date" and (re.search(r"\bđăng\b|\bxuất bản\b", question.lower())
                                            or re.search(r"\b(?:duoc dang|dang tai|dang vao|dang ngay)\b", folded))
        # "<Kế hoạch 159> ký/ban hành ngày nào?" asks about a document; "ký kết hợp đồng" does not.
        names_document = re.search(r"\b(?:" + "|".join(_DOC_TYPES) + r"|van ban)\b", folded)
        issued = (intent.kind == "date" and re.search(r"\b(?:ky|ban hanh)\b", folded) and not effective
                  and not posted and names_document)
        outline = intent.kind == "list" and re.search(r"\b(?:noi dung chinh|nhom noi dung|nhung phan|nhung muc|bo cuc)\b", folded)
        addressed = asked_part(question) == "addressee"
        if intent.kind != "signer" and not issued and not effective and not outline and not posted and not addressed:
            return None
        doc_ids = list(dict.fromkeys(h.doc_id for h in hits[:3]))
        # "Ai ký Hiệp định …" is about a hiệp định, not the thông tư that implements it.
        asked = {t for t in _DOC_TYPES if re.search(rf"\b{t}\b", folded)}
        if asked and not posted:  # a news page is about a plan without being one
            doc_ids = [d for d in doc_ids if fold_accents((self.doc_chunks(d) or [{}])[0].get("doc_type") or "").lower() in asked]
        for doc_id in doc_ids[:1]:
            # Only for the document the question is about: every distinctive word of the question
            # is somewhere in it (words, not word pairs: a question phrases things its own way).
            words = {t: w for t, w in self._weights(question, intent).items() if "_" not in t}
            if outline:  # "những nhóm nội dung chính" asks for the outline; the outline never says "nhóm"
                words = {t: w for t, w in words.items() if t not in _OUTLINE_WORDS}
            if posted:  # "bài viết", "tin", "đăng": the page itself, not what it says
                words = {t: w for t, w in words.items() if t not in _POSTED_WORDS}
            if coverage(words, self.doc_terms(doc_id)) < 0.9:
                return None
            chunks = self.doc_chunks(doc_id)
            if addressed:
                found = addressee(chunks)
                if not found:
                    return None
                n = cites.cite(found.payload, found.start, found.end)
                return f"Kính gửi: {found.value} [{n}]."
            if posted:
                for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0))[:3]:
                    for line in re.finditer(r"[^\n]+", payload["text"]):
                        if dateline(line.group(0)):
                            n = cites.cite(payload, line.start(), line.end())
                            return f"Ngày đăng: {line.group(0).strip()} [{n}]."
                return None
            if effective:
                clauses = effective_clauses(chunks)
                if clauses:
                    span = clauses[0]
                    n = cites.cite(span.payload, span.start, span.end)
                    return f"{span.value} [{n}]."
                return None
            if outline:
                heads = []
                for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
                    first = payload["text"].split("\n", 1)[0]
                    if re.match(r"^(?:[IVX]+|\d{1,2})\.\s+\S", first) and len(first) < 200:
                        n = cites.cite(payload, 0, len(first))
                        heads.append(f"{first.strip()} [{n}]")
                if len(heads) >= 2:
                    return "Các nội dung chính:\n" + "\n".join(heads[:12])
                return None
            if intent.kind == "signer":
                signed = signature(chunks)
                if signed:
                    n = cites.cite(signed.payload, signed.start, signed.end)
                    return f"Người ký: {signed.value}" + (f" ({signed.note})" if signed.note else "") + f" [{n}]."
            else:
                # A number the question names that is not this document's own ("Kế hoạch 217 ban
                # hành ngày nào?" answered inside the Đông Sơn plan that cites it): the passages answer.
                own = " ".join(str(chunks[0].get(k) or "") for k in ("number", "title")) if chunks else ""
                if any(d not in own for d in re.findall(r"\d{2,}", question)):
                    return None
                for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0))[:3]:
                    m = re.search(r"[^\n]{0,40}ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}", payload["text"])
                    if m and payload.get("kind") in ("header", "preamble"):
                        n = cites.cite(payload, m.start(), m.end())
                        date = re.search(r"ngày.*", m.group(0)).group(0)
                        return f"Ngày ban hành: {date} [{n}]."
                # No dated letterhead: a sentence that says when this document was signed ("Ngày
                # 19/10, Bộ trưởng … ký Quyết định …", a treaty's "Làm tại Hà Nội ngày …").
                # The sentence must name this document: its số hiệu, "<type> này", or a treaty's closing.
                names = [x for x in ((chunks[0].get("number") or "").lower(),
                                     f"{(chunks[0].get('doc_type') or '').lower()} này", "làm tại") if x.strip() != "này"]
                for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
                    for sent in sentences(payload["text"]):
                        low = sent.text.lower()
                        if (_DAY.search(sent.text) and re.search(r"\bký\b|ban hành|làm tại", low)
                                and any(x and x in low for x in names)):
                            n = cites.cite(payload, sent.start, sent.end)
                            return f"{_DAY.search(sent.text).group(0)}: {sent.text.strip()} [{n}]"
                # The document the question is about states no date of issue: any other date in
                # it (a period, a deadline) would be a wrong answer.
                return NO_DATE
        return None

    # -- shapes -------------------------------------------------------------------------------
    def _support(self, cand: _Candidate, cites: CitationList) -> str:
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

    def _general(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        best = cands[0]
        first_line = best.hit.text.split("\n", 1)[0]
        if (best.end <= len(first_line) and _CLAUSE.match(first_line) and "\n" in best.hit.text
                and len(first_line) < 150 and not first_line.rstrip().endswith((".", ";"))):
            # The best match is an item's heading: what the item says is the answer.
            body = [c for c in sorted(cands, key=lambda c: c.start) if c.hit.chunk_id == best.hit.chunk_id and c.start > best.start]
            if body:
                last = body[min(1, len(body) - 1)]
                n = cites.cite(best.hit.payload, best.start, last.end)
                text = best.hit.text[body[0].start:last.end].strip()
                return f"{best.text.strip()}: {text} [{n}]"
        clause = _clause_around(best.hit.text, best.start, best.end, self.policy.clause_chars)
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

    def _more(self, best: _Candidate, cands: list[_Candidate], keep: Callable[[_Candidate], bool]) -> list[_Candidate]:
        """Up to ``extra_sentences`` more sentences nearly as good as ``best`` (and kept by
        ``keep``): the question's words often spread over a condition and the clause that answers
        it, and two dated clauses that match alike are both shown rather than one guessed."""
        out: list[_Candidate] = []
        seen = {best.text.strip()}
        for c in cands[1:8]:
            if len(out) >= self.policy.extra_sentences:
                break
            if (c.score >= self.policy.extra_window * best.score and c.text.strip() not in seen
                    and c.own >= 0.5 * best.own and keep(c)):
                seen.add(c.text.strip())
                out.append(c)
        return out

    def _unit(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        if intent.recipient:  # whom a report goes to: the sentence that says so, not an assignment line
            return self._general(question, intent, cands, cites)
        best = cands[0]
        role = intent.role or "lead"
        # 1. The matched item's own assignment line.
        for cand in cands[:5]:
            if cand.hit.chunk_id != best.hit.chunk_id and cand.score < 0.9 * best.score:
                continue
            line = _assignment_for(cand, role)
            if line:
                start, end, value, found_role = line
                n = cites.cite(cand.hit.payload, start, end)
                label = ROLE_LABELS[found_role]
                where = _where(cand.hit)
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

    def _date(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        for cand in cands[:4]:
            if cand.score < 0.85 * cands[0].score:
                break
            line = _assignment_for(cand, "deadline")
            if line:
                start, end, value, _ = line
                n = cites.cite(cand.hit.payload, start, end)
                return f"Thời gian thực hiện: {value} [{n}]."
            dates = _DATE.findall(cand.text)
            if dates:
                more = self._more(cand, cands, lambda c: bool(_DATE.search(c.text)))
                return f"{dates[0].strip()}: " + self._render([(c.hit, c.start, c.end, c.lead) for c in [cand, *more]], cites)
            if cand is cands[0] and _TEMPORAL_CLAUSE.search(cand.text):
                # "… tạm dừng … cho đến khi có chỉ đạo của Thủ tướng": an event, not a date, answers.
                return self._support(cand, cites)
        return self._general(question, intent, cands, cites)

    def _number(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        for cand in cands[:4]:
            if cand.score < 0.85 * cands[0].score:
                break
            numbers = [m for m in NUMBER.findall(cand.text) if m not in question]
            if numbers:
                more = self._more(cand, cands, lambda c: bool(NUMBER.search(c.text)))
                return f"Số {numbers[0]}: " + self._render([(c.hit, c.start, c.end, c.lead) for c in [cand, *more]], cites)
        return self._general(question, intent, cands, cites)

    def _signer(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        for cand in cands[:8]:
            signer = cand.hit.payload.get("signer") or ""
            if cand.hit.payload.get("kind") == "signature" or (signer and signer in cand.text):
                return self._support(cand, cites)
        return self._general(question, intent, cands, cites)

    def _list(self, question: str, intent: Intent, cands: list[_Candidate], cites: CitationList) -> str:
        best = cands[0]
        text = best.hit.text
        # A list is its lead-in ("… bao gồm:") and the items under it, whichever of them matched best.
        head = best.lead or ((best.start, best.end) if best.text.rstrip().endswith(":") else None)
        items = _items_after(text, head[1]) if head else None
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


def _with_assignments(cand: _Candidate) -> str:
    """A sentence plus its item's assignment lines and section (where a unit question's answer lives)."""
    lines = [a["text"] for a in cand.hit.payload.get("assignments") or []]
    return " ".join([cand.full_text, cand.hit.section or "", *lines])


_ITEM = re.compile(r"^\s*(?:(?P<letter>[a-zđ]\))|(?P<dash>[-–])|(?P<plus>[+•*])|(?P<num>\d{1,2}\)))\s*")


_CLAUSE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|[IVXLC]+\.|Điều\s+\d+|Chương\s|Mục\s|Phần\s)")


_UNIT_RUNS_ON = re.compile(r"\s+(?:bằng|để|theo|với|cho|tại|trong|khi|nếu|muốn|phải|đã|sẽ|được|có)\s", re.I)
_GENERIC_UNIT = re.compile(r"^(?:các|những|mọi)\s", re.I)
# A law cited by name ("Theo Bộ luật Dân sự", "Luật An ninh mạng") is the question's source, not
# a body or a name the answering passage must write.
_LAW_NAME = re.compile(r"^(?:Bộ luật|Luật|Hiến pháp|Pháp lệnh|Nghị định|Nghị quyết|Thông tư|Chỉ thị|Hiệp định|Công ước)\b", re.I)
_NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*\.\s")


def _items_after(text: str, pos: int, limit: int = 700) -> tuple[int, int] | None:
    """The run of list items ("a) …", "- …") right after ``pos`` (a lead-in's end), while they
    fit in ``limit`` characters; None when no item follows."""
    end = None
    for m in re.finditer(r"[^\n]+", text[pos:]):
        line = m.group(0)
        if not line.strip():
            continue
        if not _ITEM.match(line):
            break
        if end is not None and m.end() > limit:
            break
        end = pos + m.end()
    return (pos, end) if end is not None else None


def _clause_around(text: str, start: int, end: int, limit: int) -> tuple[int, int] | None:
    """The numbered clause ("2. …" up to the next "3. …") holding ``text[start:end]`` when it is
    at most ``limit`` characters and holds more than that sentence, else None."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    at = next((i for i, (a, b, _) in enumerate(lines) if a <= start <= b), None)
    if at is None:
        return None
    first = next((i for i in range(at, -1, -1) if _NUMBERED.match(lines[i][2])), None)
    if first is None:
        return None
    last = next((i - 1 for i in range(at + 1, len(lines)) if _NUMBERED.match(lines[i][2])), len(lines) - 1)
    c_start, c_end = lines[first][0], lines[last][1]
    if c_end - c_start > limit or (c_start >= start and c_end <= end):
        return None
    return c_start, c_end


def lead_in(text: str, start: int) -> tuple[int, int] | None:
    r"""The line that introduces the list item starting at ``start`` (its siblings skipped), when it
    ends with ":" — or None when ``start`` is not at the start of a list item.

    >>> t = "2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 07 năm đến 15 năm:\na) Lợi dụng chức vụ;\nđ) Tái phạm nguy hiểm."
    >>> s, e = lead_in(t, t.index("đ)")); t[s:e].endswith("đến 15 năm:")
    True
    """
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None  # a sentence inside a line, not the item's first
    m = _ITEM.match(text[line_start:start + 8])
    if not m:
        return None
    pos = line_start
    for _ in range(12):
        if pos <= 0:
            break
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        prev = text[prev_start:pos - 1]
        if prev.rstrip().endswith(":"):
            # The sentence that ends with the colon, not the whole paragraph before it.
            last = sentences(prev)[-1]
            return prev_start + last.start, prev_start + last.end
        if _CLAUSE.match(prev):
            return None  # a clause of a higher level that introduces no list
        pos = prev_start  # a sibling item, or a paragraph continuing one
    return None


def _assignment_for(cand: _Candidate, role: str) -> tuple[int, int, str, str] | None:
    """(start, end, units, role) of the chunk's assignment line for ``role`` (or the lead line),
    choosing the line that closes the task the matched sentence belongs to."""
    payload = cand.hit.payload
    text = payload["text"]
    found: list[tuple[int, int, str, str]] = []
    for a in payload.get("assignments") or []:
        pos = text.find(a["text"])
        if pos >= 0:
            found.append((pos, pos + len(a["text"]), a["value"], a["role"]))
    if not found:
        return None
    # The first assignment line at or after the matched sentence closes its task.
    after = [f for f in found if f[0] >= cand.start] or found
    first_pos = min(f[0] for f in after)
    # The task's block of assignment lines: consecutive lines starting at first_pos.
    block = sorted(f for f in after if f[0] - first_pos < 400)
    for wanted in (role, "lead"):
        for f in block:
            if f[3] == wanted:
                return f
    return None if role == "deadline" else None


def _where(hit: SearchHit) -> str:
    number = hit.payload.get("number")
    doc = f"{hit.payload.get('doc_type') or 'Văn bản'} {number}" if number else (hit.title or hit.source)
    return f"Theo {doc}, mục {hit.section}" if hit.section else f"Theo {doc}"
