"""Answers that live in fixed places of a document rather than in its running text: the
signer (signature block), the date of issue (dateline), when it takes effect (the 'có hiệu lực'
clause), whom it is addressed to (Kính gửi), when an article was posted. A question naming a
document by its type ("Thông tư này do ai ký?") is answered from that document's part."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.citations import CitationList
from bot.answer.evidence import coverage, sentences
from bot.answer.parts import addressee, asked_part, effective_clauses, signature
from index.hybrid import SearchHit
from ingest.lang.abbreviations import equivalent_form
from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import DAY
from ingest.webpage import dateline

if TYPE_CHECKING:
    from bot.answer.extractive import ExtractiveAnswerer
    from bot.answer.query import Query

# fixed_place's answer when the document names no date of issue: abstain, don't look elsewhere.
NO_DATE = "<no date of issue>"

_DOC_TYPES = ("thong tu", "nghi dinh", "quyet dinh", "ke hoach", "hiep dinh", "cong van", "chi thi", "nghi quyet",
              "luat", "thong bao", "bao cao", "nghi dinh thu")
_POSTED_WORDS = {"dang", "tai", "bai", "viet", "tin", "gioi", "thieu", "xuat", "ban"}
_OUTLINE_WORDS = {"nhom", "chinh", "phan", "muc", "bo", "cuc"}


def fixed_place(answerer: "ExtractiveAnswerer", q: "Query", hits: list[SearchHit], cites: CitationList) -> str | None:
    """Who signed a document and when it was issued are stated in its signature block and
    its letterhead: read them there, from the document the question is about."""
    question, intent = q.question, q.intent
    folded = q.folded
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
        doc_ids = [d for d in doc_ids if fold_accents((answerer.doc_chunks(d) or [{}])[0].get("doc_type") or "").lower() in asked]
    for doc_id in doc_ids[:1]:
        # Only for the document the question is about: every distinctive word of the question
        # is somewhere in it (words, not word pairs: a question phrases things its own way).
        words = {t: w for t, w in q.weights.items() if "_" not in t}
        if outline:  # "những nhóm nội dung chính" asks for the outline; the outline never says "nhóm"
            words = {t: w for t, w in words.items() if t not in _OUTLINE_WORDS}
        if posted:  # "bài viết", "tin", "đăng": the page itself, not what it says
            words = {t: w for t, w in words.items() if t not in _POSTED_WORDS}
        if coverage(words, answerer.doc_terms(doc_id)) < 0.9:
            return None
        chunks = answerer.doc_chunks(doc_id)
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
                    if (DAY.search(sent.text) and re.search(r"\bký\b|ban hành|làm tại", low)
                            and any(x and x in low for x in names)):
                        n = cites.cite(payload, sent.start, sent.end)
                        return f"{DAY.search(sent.text).group(0)}: {sent.text.strip()} [{n}]"
            # The document the question is about states no date of issue: any other date in
            # it (a period, a deadline) would be a wrong answer.
            return NO_DATE
    return None

# -- shapes -------------------------------------------------------------------------------
