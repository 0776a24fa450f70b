"""When no candidate answers: say so, name the closest documents by their titles, and when the
question rests on something the documents contradict (a plan of another province, a figure the
document never states, a body it never names), say what the document does say instead.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.answer.citations import CitationList
from bot.answer.query import Query
from bot.answer.shaping import cite_candidate, support
from index.hybrid import SearchHit
from ingest.lang.normalize import fold_accents

if TYPE_CHECKING:
    from bot.answer.extractive import Answer, ExtractiveAnswerer
    from bot.answer.verifier import Scored

HOLDINGS = ("Trợ lý chỉ trả lời từ các văn bản hiện có trong hệ thống (kế hoạch, văn bản pháp luật và tài liệu "
            "về ASEAN); câu hỏi về kiến thức chung nằm ngoài các văn bản này.")
_DATELINE_LIKE = re.compile(r"^\W*(?:thứ\s+\w+|chủ nhật|\d{1,2}:\d{2}|\d{1,2}/\d{1,2}/\d{2,4})", re.I)


def doc_label(payload: dict[str, Any]) -> str:
    """A document as a reader knows it: its title, else its type and số hiệu, else its file name;
    never a web page's dateline standing in for a title."""
    from ingest.webpage import dateline

    title = " ".join(str(payload.get("title") or "").split())
    if title and (dateline(title) or _DATELINE_LIKE.match(title)):
        title = ""
    number, kind = payload.get("number"), payload.get("doc_type")
    if not title and number:
        title = f"{kind or 'Văn bản'} {number}"
    if not title and kind and payload.get("issuer"):
        title = f"{kind} của {payload['issuer']}"
    if not title:
        title = str(payload.get("source") or "").rsplit("/", 1)[-1]
    if len(title) > 140:
        title = title[:140].rsplit(" ", 1)[0] + " …"
    return title


def _doc_name(payload: dict[str, Any]) -> str:
    """"Kế hoạch 2502/KH-UBND" when the document has a số hiệu, else its label."""
    number = payload.get("number")
    return f"{payload.get('doc_type') or 'Văn bản'} {number}" if number else doc_label(payload)


def closest_documents(hits: list[SearchHit], limit: int = 3) -> list[str]:
    seen: dict[str, str] = {}
    for h in hits:
        if h.doc_id not in seen:
            seen[h.doc_id] = doc_label(h.payload)
    return list(seen.values())[:limit]


def premise(answerer: "ExtractiveAnswerer", q: Query, scored: list["Scored"], cites: CitationList) -> str | None:
    """What the named document says when the question names it but states something it does
    not: another province, a body or a name it never writes, a figure it never gives."""
    from bot.answer.verifier import FEATURES

    col = {n: i for i, n in enumerate(FEATURES)}
    named = [s for s in scored if s.features[col["ref_match"]] > 0 and not s.features[col["fixed"]]]
    if not named:
        return None
    best = max(named, key=lambda s: s.p)
    f = best.features
    payload = best.cand.hit.payload
    name = _doc_name(payload)
    doc_id = best.cand.hit.doc_id
    if f[col["province_mismatch"]] and q.province:
        # The document's own record (issuer, province) rather than the passage's payload.
        record = (answerer.doc_chunks(doc_id) or [payload])[0]
        owner = record.get("issuer") or payload.get("issuer") or record.get("province")
        if owner:
            header = _header_span(answerer, doc_id, owner, record.get("province"), record.get("number"))
            if header:
                n = cites.cite(*header)
                return (f"{name} là văn bản của {owner}, không phải của {q.province} [{n}]. "
                        f"Các tài liệu hiện có không có văn bản này của {q.province}.")
    units = answerer.missing_units(q.question, doc_id)
    # A name read inside a unit's name ("Bộ Y" of "Bộ Y tế") is that unit, said once.
    gone = units + [n for n in answerer.missing_names(q.question, doc_id)
                    if not any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", u.lower()) for u in units)]
    if gone:
        body, n = support(best.cand, q, cites)
        return f"{name} không nhắc đến {', '.join(gone)}. Văn bản này nêu: {body} [{n}]"
    if q.figures and f[col["fig_doc"]] < 1 and f[col["fig_sent"]] < 1:
        doc_text = " ".join(c["text"] for c in answerer.doc_chunks(doc_id))
        absent = [x for x in q.figures if not re.search(rf"(?<![\d.,]){re.escape(x)}(?![\d])", doc_text)]
        if absent and re.search(r"\d", best.cand.text):
            body, n = support(best.cand, q, cites)
            return (f"{name} không nêu con số {', '.join(absent)} như câu hỏi. Văn bản này quy định: {body} [{n}]")
    return None


def _header_span(answerer: "ExtractiveAnswerer", doc_id: str, *names: str) -> tuple[dict, int, int] | None:
    """The first sentence of the document that names its issuer, province or số hiệu (the
    letterhead when it has one): the words that say whose document it is."""
    from bot.answer.evidence import sentences

    chunks = sorted(answerer.doc_chunks(doc_id), key=lambda c: c.get("ordinal", 0))
    for name in names:
        want = fold_accents(name or "").lower().strip()
        if not want:
            continue
        for payload in chunks:
            for sent in sentences(payload["text"]):
                if want in fold_accents(sent.text).lower():
                    return payload, sent.start, sent.end
    return None


def refusal(answerer: "ExtractiveAnswerer", q: Query, hits: list[SearchHit], scored: list["Scored"],
            debug: dict[str, Any]) -> "Answer":
    from bot.answer.extractive import NOT_FOUND, Answer, related_docs

    cites = CitationList()
    corrected = premise(answerer, q, scored, cites) if scored else None
    lines = [corrected] if corrected else [NOT_FOUND]
    if corrected:
        debug = {**debug, "premise": True}
    docs = closest_documents(hits)
    if docs and not corrected:
        lines.append("Các văn bản gần nhất với câu hỏi: " + "; ".join(f"«{d}»" for d in docs) + ".")
    if not q.names_document and not corrected:
        lines.append(HOLDINGS)
    return Answer("\n".join(lines), cites.items, False, q.question, related_docs(hits), debug)


__all__ = ["refusal", "doc_label", "closest_documents", "HOLDINGS", "cite_candidate"]
