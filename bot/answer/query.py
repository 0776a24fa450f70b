"""One question, read once: its normalised and folded text, weighted terms, what it asks for,
what it is about (names, units, documents, figures) and what it says of it.

``ChatService.turn`` builds a ``Query`` and hands the same object to retrieval (which fills in
its embedding), to the answerer's candidates and verifier, and to answer shaping, so that no
stage re-reads the question string its own way.

>>> from bot.answer.evidence import TermStats
>>> q = build_query("Kế hoạch 2502/KH-UBND của Quảng Ninh giao Sở nào chủ trì?", TermStats([]))
>>> q.intent.kind, q.doc_refs, q.province
('unit', ['2502/KH-UBND'], 'Quảng Ninh')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.answer.answer_types import LAW_NAME, count_noun, folded_tokens, proper_names
from bot.answer.evidence import TermStats, terms
from bot.answer.intent import Intent, classify
from ingest.lang.normalize import clean_text, fold_accents, has_diacritics, search_form
from ingest.lang.patterns import NUMBER, find_province

# "Theo Bộ luật Dân sự 2015, …": the source named up front chose the document; the rest of the
# question chooses the sentence.
SOURCE_PREFIX = re.compile(
    r"^\s*(?:theo|căn cứ|tại)\s+(?:quy định (?:của|tại)\s+)?(?:bộ luật|luật|nghị định|thông tư|quyết định|kế hoạch|"
    r"chỉ thị|công văn|hiệp định|kh|tt|nđ|ct|qđ)\b[^,?]{0,80},\s*", re.I)
# A document named by its type and number: "Thông tư 02/2023", "KH 159", "Nghị định số 32/2024/NĐ-CP".
_DOC_REF = re.compile(
    r"\b(?:kế hoạch|quyết định|thông tư|nghị định|chỉ thị|công văn|văn bản|nghị quyết|luật|hiệp định|"
    r"ke hoach|quyet dinh|thong tu|nghi dinh|chi thi|cong van|van ban|nghi quyet|luat|hiep dinh|"
    r"kh|qđ|qd|tt|nđ|nd|ct|cv)\s+(?:số\s+|so\s+)?(\d{1,5}(?:/\d{4})?(?:/[\w-]+)?)", re.I)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_DOC_WORDS = re.compile(
    r"\b(?:ke hoach|quyet dinh|thong tu|nghi dinh|chi thi|cong van|van ban|nghi quyet|luat|hiep dinh|thong bao)\b")


# The kind of value a question expects, beyond its intent: "bao lâu?" a duration, "phạt bao
# nhiêu?" a sum of money, "tỷ lệ bao nhiêu?" a percentage, "bao nhiêu tuổi?" an age. Read on the
# folded question; the value is looked for in the folded sentence.
EXPECTS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("age", re.compile(r"\b(?:bao nhieu|may) tuoi\b|\bdo tuoi\b|\btu du bao nhieu\b"),
     re.compile(r"\btuoi\b")),
    ("percent", re.compile(r"\bbao nhieu (?:%|phan tram)|\bty le\b|\bti le\b|\bphan tram\b"),
     re.compile(r"%|\bphan tram\b")),
    ("money", re.compile(r"\bbao nhieu tien\b|\bphat (?:tien )?(?:toi da |toi thieu )?bao nhieu\b|\b(?:muc|le) phi\b"
                         r"|\bbao nhieu dong\b|\bgia\b.*\bbao nhieu\b|\bmuc (?:phat|luong|thu|ho tro)\b"),
     re.compile(r"\d\s*(?:dong|trieu|ty|nghin|ngan|usd|vnd)\b|\b(?:trieu|ty|nghin) dong\b")),
    ("duration", re.compile(r"\bbao lau\b|\bthoi han\b|\b(?:bao nhieu|may) (?:ngay|thang|nam|gio|tuan|phut)\b"
                            r"|\btrong bao nhieu\b"),
     re.compile(r"(?:\d+|\bmot|\bhai|\bba|\bbon|\bnam|\bsau|\bbay|\btam|\bchin|\bmuoi)\s*(?:\([^)]*\)\s*)?"
                r"(?:ngay|thang|nam|gio|tuan|phut|quy)\b")),
    ("count", re.compile(r"\bbao nhieu\b|\bmay\s+\w"), re.compile(r"\d|\b(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\b")),
]


def expected_value(folded_question: str) -> str | None:
    return next((name for name, asks, _ in EXPECTS if asks.search(folded_question)), None)


def holds_expected(expects: str | None, text: str) -> bool:
    """Whether ``text`` holds a value of the expected kind (True when nothing in particular is expected)."""
    if not expects:
        return True
    pattern = next(found for name, _, found in EXPECTS if name == expects)
    return bool(pattern.search(fold_accents(text).lower()))


@dataclass
class Query:
    question: str  # as asked (after a follow-up's rewrite)
    text: str  # NFC, one tone placement, single spaces
    folded: str  # accent-folded, lower case
    intent: Intent
    weights: dict[str, float]  # the question's terms by IDF, less the words that only say what is asked
    focus: str  # the question without a source named up front
    focus_weights: dict[str, float]
    q_tokens: list[str]  # folded words of ``focus``, for the longest repeated run
    # What is asked about: the terms of its names, units, documents and figures; the rest of
    # its weighted terms say what is asked of it (the predicate).
    entity_terms: set[str]
    predicate_weights: dict[str, float]
    units: list[str]
    names: list[str]
    doc_refs: list[str]  # số hiệu or document numbers it names ("2502/KH-UBND", "159")
    figures: list[str]  # other numbers it states ("90 ngày" → "90")
    province: str | None
    count_noun: str | None
    names_document: bool  # it speaks of a document ("kế hoạch", "thông tư" …)
    expects: str | None = None  # age, percent, money, duration, count: see EXPECTS
    filters: dict[str, Any] = field(default_factory=dict)
    dense: list[float] | None = None  # the question's embedding, filled in by retrieval

    @property
    def accented(self) -> bool:
        return has_diacritics(self.question)


def _weights(stats: TermStats, text: str, intent: Intent) -> dict[str, float]:
    """The question's terms and weights, less the words that only say what is asked: "ký"
    asks for a signer the way "ai" does, and the signature block never says "ký"."""
    weights = stats.weights(text)
    folded = fold_accents(text).lower()
    if intent.kind == "signer" or (intent.kind == "date" and re.search(r"\bky (?:ngay|hom|bua|khi|vao|luc)\b", folded)):
        # "ký ngày nào?" asks the date of signing, which the dateline states without "ký".
        weights = {t: w for t, w in weights.items() if "ky" not in t.split("_")}
    if intent.kind == "date":
        # "hôm nào", "bữa nào" ask "ngày nào" in everyday words no document writes.
        asked = {w for w in ("hom", "bua") if re.search(rf"\b{w} nao\b", folded)}
        weights = {t: w for t, w in weights.items() if not asked & set(t.split("_"))} or weights
    return weights


def build_query(question: str, stats: TermStats, intent: Intent | None = None) -> Query:
    from ingest.units import find_units

    text = " ".join(search_form(clean_text(question)).split()) if question else ""
    folded = fold_accents(text).lower()
    intent = intent or classify(question)
    weights = _weights(stats, question, intent)
    focus = SOURCE_PREFIX.sub("", question)
    if focus != question:
        kept = terms(focus, for_question=True)
        focus_weights = {t: w for t, w in weights.items() if t in kept} or weights
    else:
        focus_weights = weights
    units = [u.name for u in find_units(question) if not LAW_NAME.match(u.name)]
    names = proper_names(question)
    doc_refs = list(dict.fromkeys([m.group(0) for m in NUMBER.finditer(question)]
                                  + [m.group(1) for m in _DOC_REF.finditer(question)]))
    ref_digits = {d for r in doc_refs for d in re.findall(r"\d+", r)}
    figures = [f for f in _FIGURE.findall(question) if f not in ref_digits and f.lstrip("0")]
    province = find_province(question)
    entity_terms: set[str] = set()
    for part in [*units, *names, *doc_refs, *figures, *([province] if province else [])]:
        entity_terms |= terms(part)
    entity_terms &= set(weights)
    predicate = {t: w for t, w in focus_weights.items() if t not in entity_terms}
    return Query(
        question=question, text=text, folded=folded, intent=intent, weights=weights, focus=focus,
        focus_weights=focus_weights, q_tokens=folded_tokens(focus), entity_terms=entity_terms,
        predicate_weights=predicate, units=units, names=names, doc_refs=doc_refs, figures=figures,
        province=province, count_noun=count_noun(question) if intent.kind == "count" else None,
        names_document=bool(_DOC_WORDS.search(folded) or doc_refs),
        expects=expected_value(folded),
    )
