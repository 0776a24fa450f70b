"""Terms a document defines in passing: "… cơ chế hợp tác ASEAN do Bộ Nội vụ phụ trách về các vấn
đề công vụ (sau đây gọi là ACCSM)", "Hiệp định Đối tác Kinh tế Toàn diện Khu vực (RCEP)".

"ACCSM là cơ chế gì?" is then answered by the words the document itself gives the term, from the
documents the question retrieved, nearest first. The answer is a candidate the verifier judges like
any other (see :meth:`bot.answer.extractive.ExtractiveAnswerer.propose`).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.citations import CitationList
from index.hybrid import SearchHit

if TYPE_CHECKING:  # pragma: no cover
    from bot.answer.extractive import ExtractiveAnswerer
    from bot.answer.query import Query

# The term asked about: an abbreviation ("ACCSM", "AEC", "TT&TT") or a quoted phrase.
_ACRONYM = re.compile(r"(?<![\wÀ-ỹ/\-])([A-ZĐ][A-ZĐ0-9&\-]{1,11})(?![\wÀ-ỹ/])")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,60})[”\"]")
# "(sau đây gọi là X)", "(gọi tắt là X)", "(viết tắt là X)", "(sau đây gọi chung là X)"
_NAMING = r"\(\s*(?:sau đây\s+)?(?:gọi(?:\s+(?:tắt|chung))?\s+là|viết tắt(?:\s+là)?)\s*[“\"]?{term}[”\"]?\s*\)"
# Where the phrase a gloss names starts, reading back from the parenthesis.
_PHRASE_START = re.compile(r"(?:[.;:!?\n]|,\s|(?<![\wÀ-ỹ])(?:trong|của|cho|với|tại|thông qua|là)\s)")
_CONNECTORS = {"và", "về", "của", "giữa", "các", "những", "-", "–"}
MAX_PHRASE = 160


def asked_term(q: "Query") -> str | None:
    """The abbreviation or quoted term a definition question asks about, if any."""
    if q.intent.kind != "definition" and not re.search(r"\bviet tat\b", q.folded):  # "… là viết tắt của gì?"
        return None
    quoted = _QUOTED.search(q.text)
    if quoted:
        return quoted.group(1).strip()
    # the last abbreviation named before "là" ("ACRF là viết tắt của khung gì trong ASEAN?"), else
    # the last one: "Trong Kế hoạch này hay nhắc ACCSM, là gì?"
    found = [m for m in _ACRONYM.finditer(q.text) if not re.fullmatch(r"[IVXL]+|\d+", m.group(1))]
    copula = re.search(r"(?<![\wÀ-ỹ])là(?![\wÀ-ỹ])", q.text)
    subject = [m for m in found if copula and m.end() <= copula.start()]
    return (subject or found)[-1].group(1) if found else None


def _class_noun(q: "Query", term: str) -> str | None:
    """"là cơ chế gì?" names the kind of thing the term is: its phrase starts there."""
    m = re.search(r"\blà\s+((?:[a-zà-ỹđ]+\s+){1,2}?)(?:gì|nào)\b", q.text)
    return m.group(1).strip() if m else None


def _named_phrase(text: str, at: int, term: str, head: str | None) -> tuple[int, str] | None:
    """The phrase ending at ``at`` that a gloss names: from the question's class noun when it is
    there, from the term's own first word when the term is a word ("… (gọi tắt là Chương
    trình)"), else the proper name just before (:func:`_full_name`) or the clause after its last
    boundary."""
    window_start = max(0, at - MAX_PHRASE)
    before = text[window_start:at].rstrip()
    word_term = not term.isupper() and term.split()[0]
    for start_word in (head, word_term):
        if start_word:
            h = before.lower().rfind(start_word.lower())
            if h >= 0:
                return window_start + h, before[h:]
    run = _full_name(text, at)
    if run is not None:
        return run
    cut = 0
    for m in _PHRASE_START.finditer(before):
        cut = m.end()
    phrase = before[cut:].strip()
    return (window_start + before.find(phrase, cut), phrase) if len(phrase.split()) >= 2 else None


def _full_name(text: str, at: int) -> tuple[int, str] | None:
    """"Hiệp định Đối tác Kinh tế Toàn diện Khu vực (RCEP)": the proper name before ``at``. A
    Vietnamese name capitalises each word's first syllable, so a lower-case syllable belongs to
    it only after a capitalised one ("Toàn diện", "Điện lực")."""
    base = max(0, at - MAX_PHRASE)
    words = list(re.finditer(r"[^\s()]+", text[base:at]))
    keep: list[re.Match] = []
    for i in range(len(words) - 1, -1, -1):
        token = words[i].group(0).strip(",;:")
        if token != words[i].group(0):
            break  # a comma ends the name
        previous = words[i - 1].group(0) if i > 0 else ""
        if token[:1].isupper() or token in _CONNECTORS or previous[:1].isupper():
            keep.append(words[i])
            continue
        break
    while keep and keep[-1].group(0) in _CONNECTORS:
        keep.pop()
    if len(keep) < 2 or not keep[-1].group(0)[:1].isupper():
        return None
    start = base + keep[-1].start()
    return start, text[start:at].strip()


def gloss_in(text: str, term: str, head: str | None) -> tuple[int, int, str] | None:
    """(start, end, phrase) of the first place ``text`` gives ``term`` its words."""
    m = re.search(_NAMING.format(term=re.escape(term)), text)
    found = _named_phrase(text, m.start(), term, head) if m else None
    if found is None:
        m = re.search(r"\(\s*" + re.escape(term) + r"\s*\)", text)
        found = (_full_name(text, m.start()) or _capitalised_clause(text, m.start())) if m else None
    return (found[0], m.end(), found[1]) if found and m else None


def _capitalised_clause(text: str, at: int) -> tuple[int, str] | None:
    """"…; Khung phục hồi tổng thể ASEAN (ACRF)": a name written in sentence case, from the last
    list boundary before the parenthesis, when it opens with a capital and is short."""
    before = text[max(0, at - MAX_PHRASE):at]
    cut = max(before.rfind(";"), before.rfind(","), before.rfind(":"), before.rfind("\n"))
    phrase = before[cut + 1:].strip()
    if not phrase[:1].isupper() or not 2 <= len(phrase.split()) <= 10:
        return None
    return at - len(before) + before.find(phrase, cut + 1), phrase


def defines(q: "Query", chunks: list[dict]) -> bool:
    """Does the document in ``chunks`` give the term the question asks about its words? Then the
    document answers as surely as its signature names its signer: the term is its own."""
    term = asked_term(q)
    return term is not None and any(gloss_in(c["text"], term, None) for c in chunks)


def gloss_place(answerer: "ExtractiveAnswerer", q: "Query", hits: list[SearchHit],
                cites: CitationList) -> str | None:
    """"<term> là <what the document calls it> [n]." for a term a retrieved document defines."""
    term = asked_term(q)
    if term is None or not hits:
        return None
    head = _class_noun(q, term)
    for doc_id in list(dict.fromkeys(h.doc_id for h in hits[:5])):
        for payload in sorted(answerer.doc_chunks(doc_id), key=lambda c: c.get("ordinal", 0)):
            found = gloss_in(payload["text"], term, head)
            if found is None:
                continue
            start, end, phrase = found
            n = cites.cite(payload, start, end)
            return f"{term} là {phrase} [{n}]."
    return None
