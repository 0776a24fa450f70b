"""Answers that live in fixed places of a document rather than in its running text: the
signer (signature block), the date of issue (dateline), when it takes effect (the 'có hiệu lực'
clause), whom it is addressed to (Kính gửi), when an article was posted. A question naming a
document by its type ("Thông tư này do ai ký?") is answered from that document's part."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer.citations import CitationList
from bot.answer.evidence import coverage, sentences
from bot.answer.glossary import defines
from bot.answer.intent import mentions_signing
from bot.answer.parts import addressee, asked_part, asks_effect, asks_period, basis, effective_clauses, signature
from index.hybrid import SearchHit
from ingest.lang.abbreviations import equivalent_form, expand_abbreviations
from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import DAY
from ingest.webpage import dateline

if TYPE_CHECKING:
    from bot.answer.extractive import ExtractiveAnswerer
    from bot.answer.query import Query

# fixed_place's answer when the document names no date of issue: abstain, don't look elsewhere.
NO_DATE = "<no date of issue>"
# …and when the document has no signature and never says who signed it.
NO_SIGNER = "<no signer>"
# …and when the document carries no số hiệu of its own (a news page, an unnumbered plan).
NO_NUMBER = "<no number>"

_DOC_TYPES = ("thong tu", "nghi dinh", "quyet dinh", "ke hoach", "hiep dinh", "cong van", "chi thi", "nghi quyet",
              "luat", "thong bao", "bao cao", "nghi dinh thu")
_POSTED_WORDS = {"dang", "tai", "bai", "viet", "tin", "gioi", "thieu", "xuat", "ban"}
# "Kế hoạch … có số hiệu bao nhiêu?" asks the document's own number; these words ask it.
_NUMBER_WORDS = {"so", "hieu", "bao", "nhieu", "may", "day", "du"}
# "… là trả lời cho tỉnh nào?", "… gửi tới đâu?": the words that ask for a letter's addressee.
_ADDRESS_WORDS = {"tra", "loi", "phuc", "dap", "gui", "cho", "toi", "den", "tinh", "dia", "phuong", "co", "quan"}
# "… thực hiện quyết định nào?", "căn cứ vào đâu?": the words that ask for a document's basis.
_BASIS_WORDS = {"thuc", "hien", "trien", "khai", "thi", "hanh", "cu", "the", "hoa", "can", "dua", "tren", "vao", "theo",
                "nao", "gi", "dau", "so", "may", "bao", "nhieu", "duoc", "ban", "de", "van", "phap", "ly", "co", "lam",
                "nhung", "cac"}
_OUTLINE_WORDS = {"nhom", "chinh", "phan", "muc", "bo", "cuc", "nhiem", "vu"}
# "áp dụng cho giai đoạn nào?" asks the period the document names for itself; these words ask,
# they need not be in it.
_PERIOD_WORDS = {"ap", "dung", "thuc", "hien", "trien", "khai", "giai", "doan", "cho", "trong", "nao"}
_PERIOD = re.compile(r"giai\s+đoạn\s+\d{4}\s*[-–—]\s*\d{4}|từ\s+năm\s+\d{4}\s+đến\s+(?:năm\s+)?\d{4}", re.I)
# A top-level heading line: "II. Nội dung", "3. Chia sẻ dữ liệu" (not "3.1.", not a long sentence).
_TOP_HEADING = re.compile(r"^\s*(?:([IVX]+)|(\d{1,2}))\.\s+\S")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12}


def fixed_place(answerer: "ExtractiveAnswerer", q: "Query", hits: list[SearchHit], cites: CitationList) -> str | None:
    """Who signed a document and when it was issued are stated in its signature block and
    its letterhead: read them there, from the document the question is about."""
    question, intent = q.question, q.intent
    folded = q.folded
    # "… có hiệu lực từ ngày nào?" (or "bắt đầu áp dụng từ khi nào?"); not "giấy phép cấp trước
    # ngày Thông tư có hiệu lực thì xử lý thế nào?".
    effective = asks_effect(question, intent.kind)
    # "Bài viết … được đăng ngày nào?": a web page's dateline ("đăng" folds to "dang", as "đang" does).
    posted = intent.kind == "date" and (re.search(r"\bđăng\b|\bxuất bản\b", question.lower())
                                        or re.search(r"\b(?:duoc dang|dang tai|dang vao|dang ngay)\b", folded))
    # "<Kế hoạch 159> ký/ban hành ngày nào?" asks about a document; "ký kết hợp đồng" does not.
    names_document = re.search(r"\b(?:" + "|".join(_DOC_TYPES) + r"|van ban)\b", folded)
    issued = (intent.kind == "date" and (re.search(r"\bban hanh\b", folded) or mentions_signing(question)) and not effective
              and not posted and names_document)
    outline, period = _asks_outline(folded, intent.kind), _asks_period(folded, intent.kind, bool(names_document))
    part = asked_part(question)
    addressed = part == "addressee"
    numbered = intent.kind == "number" and bool(names_document) and bool(re.search(r"\bso hieu\b", folded))
    based = part == "basis"
    by_whom = asks_issuer(folded)
    if (intent.kind != "signer" and not issued and not effective and not outline and not posted and not addressed
            and not period and not numbered and not based and not by_whom):
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
        if period:
            words = {t: w for t, w in words.items() if t not in _PERIOD_WORDS}
        if numbered:
            words = {t: w for t, w in words.items() if t not in _NUMBER_WORDS}
        if addressed:
            words = {t: w for t, w in words.items() if t not in _ADDRESS_WORDS}
        if based:
            words = {t: w for t, w in words.items() if t not in _BASIS_WORDS}
        if coverage(words, answerer.doc_terms(doc_id)) < 0.9:
            return None
        chunks = answerer.doc_chunks(doc_id)
        if (period or outline) and not _names_only_its_numbers(question, chunks):
            return None
        if based:
            return _basis_answer(folded, chunks, cites)
        if by_whom:
            return _issuer_answer(chunks, cites)
        if numbered:
            return _own_number(chunks, cites)
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
        if period:
            found = period_span(chunks)
            if not found:
                return None
            payload, start, end = found
            n = cites.cite(payload, start, end)
            return f"{payload['text'][start:end].strip()} [{n}]."
        if outline:
            heads = [f"{payload['text'][a:b].strip()} [{cites.cite(payload, a, b)}]" for payload, a, b in outline_heads(chunks)]
            if len(heads) >= 2:
                return "Các nội dung chính:\n" + "\n".join(heads[:12])
            return None
        if intent.kind == "signer":
            signed = signature(chunks)
            if signed:
                n = cites.cite(signed.payload, signed.start, signed.end)
                return f"Người ký: {signed.value}" + (f" ({signed.note})" if signed.note else "") + f" [{n}]."
            if not any(re.search(r"\bký\b", c["text"], re.I) for c in chunks):
                # No signature block and no word of signing anywhere in it: any capitalised name
                # elsewhere in the document would be a wrong answer.
                return NO_SIGNER
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

# "… do cơ quan nào ban hành?", "Cơ quan nào ban hành kế hoạch …?", "ai ban hành …?": the issuer.
# Not "giao đơn vị nào ban hành văn bản …": that asks whom a document assigns the issuing to.
_ASKS_ISSUER = re.compile(r"\bdo (?:co quan|don vi|ai|cap)(?: nao)? ban hanh\b|\bban hanh boi (?:co quan|don vi|ai)\b|"
                          r"(?<!giao )(?<!yeu cau )(?<!de nghi )(?<!chi dao )\b(?:co quan|don vi|ai|cap) (?:nao )?(?:da )?"
                          r"ban hanh (?:" + "|".join(_DOC_TYPES) + r"|van ban (?:nay|do))\b")


def asks_issuer(folded: str) -> bool:
    """Does the (folded) question ask who issued the document it names?"""
    return bool(re.search(r"\b(?:" + "|".join(_DOC_TYPES) + r"|van ban)\b", folded)) and bool(_ASKS_ISSUER.search(folded))


def _issuer_answer(chunks: list[dict], cites: CitationList) -> str | None:
    """Who issued the document: its record's issuer, cited where its opening names it (a
    letterhead in capitals, or "UBND tỉnh …" spelt short)."""
    issuer = (chunks[0].get("issuer") or "").strip() if chunks else ""
    if not issuer:
        return None
    # Folded, any spacing (a letterhead breaks the name over lines: "ỦY BAN NHÂN DÂN\nTỈNH …"); a
    # letterhead may write only the name's head ("ỦY BAN NHÂN DÂN"), the record the whole name.
    words = fold_accents(issuer).lower().split()
    first = sorted(chunks, key=lambda c: c.get("ordinal", 0))[:3]
    for size in range(len(words), 1, -1):
        want = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words[:size]) + r"(?!\w)")
        for payload in first:
            m = want.search(fold_accents(payload["text"]).lower())
            if m:
                n = cites.cite(payload, m.start(), m.end())
                return f"Cơ quan ban hành: {issuer} [{n}]."
    return None


def _own_number(chunks: list[dict], cites: CitationList) -> str:
    """The document's số hiệu where its letterhead states it ("Số: 159/KH-UBND"); NO_NUMBER when
    its record has none: a number it cites ("Thực hiện Kế hoạch số 217/KH-UBND …") is another
    document's."""
    number = (chunks[0].get("number") or "").strip() if chunks else ""
    if not number:
        return NO_NUMBER
    for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0))[:3]:
        at = payload["text"].find(number)
        if at >= 0:
            start = payload["text"].rfind("\n", 0, at) + 1
            end = payload["text"].find("\n", at)
            end = end if end >= 0 else len(payload["text"])
            if end - start <= 120:  # the letterhead's line, not a sentence that cites it
                n = cites.cite(payload, start, end)
                return f"Số hiệu: {number} [{n}]."
    return f"Số hiệu: {number}."


def _basis_answer(folded: str, chunks: list[dict], cites: CitationList) -> str | None:
    """The documents this one carries out or rests on, as its opening names them; only those of
    the asked type when the question names one ("… thực hiện quyết định nào?")."""
    spans = basis(chunks)
    asked = re.search(r"\b(" + "|".join(_DOC_TYPES) + r"|van ban)(?:\s+\w+){0,2}?\s+(?:nao|gi|so may)\b", folded)
    if asked and asked.group(1) != "van ban":
        typed = [s for s in spans if fold_accents(s.value).lower().startswith(asked.group(1))]
        spans = typed or spans
    if not spans:
        return None
    lines = [f"{s.value} [{cites.cite(s.payload, s.start, s.end)}]" for s in spans[:8]]
    if len(lines) == 1:
        return lines[0] + "."
    return "Các văn bản căn cứ:\n" + "\n".join(f"- {line}" for line in lines)


def _asks_outline(folded: str, kind: str) -> bool:
    """"Những nhóm nội dung chính", "gồm những nhóm nhiệm vụ nào": the document's top headings."""
    return kind == "list" and bool(re.search(
        r"\b(?:noi dung chinh|nhom noi dung|nhung phan|nhung muc|bo cuc|nhung nhom \w+(?: \w+)? nao)\b", folded))


def _asks_period(folded: str, kind: str, names_document: bool) -> bool:
    """"Kế hoạch này áp dụng cho giai đoạn nào?": the period the document names in its title."""
    return names_document and kind not in ("signer", "list") and asks_period(folded)


def _names_only_its_numbers(question: str, chunks: list[dict]) -> bool:
    """Every number the question names is in the document's own name (số hiệu, title) or its
    date ("hiệp định … ký năm 1994"): "Kế hoạch 217 …" asked inside a plan that only cites Kế
    hoạch 217 is not about that plan."""
    own = " ".join(str(chunks[0].get(k) or "") for k in ("number", "title", "date")) if chunks else ""
    own_digits = re.sub(r"\D+", " ", own).split()
    return all(d in own_digits or d.lstrip("0") in own_digits for d in re.findall(r"\d{2,}", question))


def read_from_structure(q: "Query", chunks: list[dict]) -> bool:
    """Whether ``q`` asks what the structure of the document in ``chunks`` states: its outline,
    its period (a heading or a title line, which no sentence-level judgement recognises as
    answering) or its signer (a name under a title, the same). Once fixed_place has checked that
    the document is the one asked about, and every number the question names is in the
    document's own name, its structure answers."""
    folded = q.folded
    names_document = bool(re.search(r"\b(?:" + "|".join(_DOC_TYPES) + r"|van ban)\b", folded))
    asks = (_asks_outline(folded, q.intent.kind) or _asks_period(folded, q.intent.kind, names_document)
            or ((q.intent.kind == "signer" or asked_part(q.question) in ("addressee", "basis")) and names_document)
            or asks_issuer(fold_accents(q.question).lower())  # its issuer: the letterhead's name, no sentence
            # the date of issue: a dateline ("Quảng Ninh, ngày …") is no sentence either
            or (q.intent.kind == "date" and names_document and not asks_effect(q.question, q.intent.kind)
                and bool(re.search(r"\bban hanh\b", folded) or mentions_signing(q.question))))
    return ((asks and _names_only_its_numbers(q.question, chunks)) or named_section(q, chunks) is not None
            or defines(q, chunks))


# Words that ask or glue rather than name a section ("Kế hoạch có mục đích gì?").
_ASKING = {"la", "gi", "nao", "co", "cua", "the", "ra", "sao", "nhung", "gom", "bao", "nhu", "thi", "con", "vay",
           "nay", "do", "ay", "ve", "duoc", "cho", "biet", "neu", "o", "tai", "trong", "van", "ban",
           # "quy định những hình thức nào": the document speaking, not the section's name
           "quy", "dinh"}


def named_section(q: "Query", chunks: list[dict]) -> tuple[list[dict], str] | None:
    """The numbered section a question names by its heading and nothing else: "Kế hoạch của Quảng
    Ninh có mục đích gì?" → "1. Mục đích" (the question's words, less those naming the document
    and those that only ask, are exactly the heading's). Its chunks in order and its title."""
    if q.intent.kind in ("signer", "date", "number", "count", "unit", "yesno") or not chunks:
        return None
    head = " ".join(str(chunks[0].get(k) or "") for k in ("title", "issuer", "province", "number", "doc_type"))
    known = set(re.findall(r"\w+", fold_accents(head).lower())) | {w for t in _DOC_TYPES for w in t.split()} | _ASKING
    # "UBND huyện …" names the issuer the head spells out.
    asked = q.question or q.text or ""
    own = set(re.findall(r"\w+", fold_accents(expand_abbreviations(asked) or asked).lower())) - known
    if not own:
        return None
    for c in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
        m = re.match(r"^(?:[IVXL]+|\d+)(?:\.(?:\d+|[a-zđ]))*\s+(.+)$", c.get("section") or "")
        # The heading's words, less those the document's name already holds ("Hình thức tuyên
        # truyền" of a plan titled "… tuyên truyền …" is asked as "những hình thức nào").
        heading = set(re.findall(r"\w+", fold_accents(m.group(1)).lower())) if m else set()
        if m and 1 <= len(own) <= 4 and (heading == own or heading - known == own):
            return [x for x in chunks if x.get("section") == c.get("section")], m.group(1).strip()
    return None


def section_place(answerer: "ExtractiveAnswerer", q: "Query", hits: list[SearchHit], cites: CitationList) -> str | None:
    """A section named by its heading, answered with what is under it, from the document ranked
    first (the words naming the document are in it, as fixed_place checks)."""
    if not hits:
        return None
    chunks = answerer.doc_chunks(hits[0].doc_id)
    words = {t: w for t, w in q.weights.items() if "_" not in t}
    found = named_section(q, chunks) if coverage(words, answerer.doc_terms(hits[0].doc_id)) >= 0.9 else None
    if not found:
        return None
    parts, title = found
    first = sorted(parts, key=lambda c: c.get("ordinal", 0))[0]
    text = first["text"]
    # The heading line itself ("1. Mục đích"), not a line above that only mentions it ("I. MỤC ĐÍCH, YÊU CẦU").
    at = next((m.end() for m in re.finditer(r"[^\n]+", text)
               if re.sub(r"^\s*(?:[IVXL]+|\d+)(?:\.\d+)*[.)]?\s*", "", m.group(0)).strip(" :").lower() == title.lower()), 0)
    start = at + 1 if text[at:at + 1] == "\n" else at
    end = min(len(text), start + 600)
    end = text.rfind("\n", start, end) if end < len(text) and text.rfind("\n", start, end) > start else end
    body = " ".join(re.sub(r"^\s*[-+•*]\s*", "", ln).strip() for ln in text[start:end].split("\n") if ln.strip())
    if not body:
        return None
    n = cites.cite(first, start, end)
    return f"{title}: {body} [{n}]"


def period_span(chunks: list[dict]) -> tuple[dict, int, int] | None:
    """The line of the document's opening (its title, its first paragraph) that names the period
    it covers ("… giai đoạn 2019 - 2020 …"): a period in the body is some task's, not the document's."""
    for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0))[:2]:
        if payload.get("kind") not in ("header", "preamble") and payload.get("ordinal", 0) > 0:
            continue
        for line in re.finditer(r"[^\n]+", payload["text"][:1500]):
            if _PERIOD.search(line.group(0)):
                return payload, line.start(), line.end()
    return None


def outline_heads(chunks: list[dict]) -> list[tuple[dict, int, int]]:
    """The document's top-level headings in order ("1. …", "2. …" or "I. …", "II. …"), wherever
    they fall in its chunks (a short section may share a chunk with the one before it). Only a run
    numbered 1, 2, 3 … counts, so a numbered list inside a paragraph is no heading."""
    found: dict[str, list[tuple[dict, int, int, int]]] = {"roman": [], "arabic": []}
    for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
        for line in re.finditer(r"[^\n]+", payload["text"]):
            m = _TOP_HEADING.match(line.group(0))
            if not m or len(line.group(0)) >= 200:
                continue
            scheme, number = ("roman", _ROMAN.get(m.group(1))) if m.group(1) else ("arabic", int(m.group(2)))
            run = found[scheme]
            if number is not None and number == (run[-1][3] + 1 if run else 1):
                run.append((payload, line.start(), line.end(), number))
    # Roman numerals head the parts when there are any; the arabic ones are then inside them.
    best = found["roman"] if len(found["roman"]) >= 2 else found["arabic"]
    return [(payload, a, b) for payload, a, b, _ in best]


# -- shapes -------------------------------------------------------------------------------
