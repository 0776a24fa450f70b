"""Parts of a document that answer a question by their nature, wherever the question's words are.

Who signed a document is in its signature block, which never says "ký"; when it takes effect
is in its "có hiệu lực" clause; whom a letter is addressed to, in its "Kính gửi:" line. Neither
vector finds them reliably, so the retriever puts the asked part of the best document right
behind the best passage, and the answerer reads it there.

>>> asked_part("Ai ký Thông tư 15/2026/TT-BCT?"), asked_part("Thông tư 14 có hiệu lực từ ngày nào?")
('signature', 'effective')
>>> asked_part("Công văn 2265 được gửi tới cơ quan nào?")
'addressee'
>>> asked_part("Kế hoạch của tỉnh thực hiện quyết định nào?"), asked_part("Thông tư này căn cứ vào đâu?")
('basis', 'basis')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.clauses import short as _short
from bot.answer.intent import classify
from ingest.lang.abbreviations import equivalent_form
from ingest.lang.patterns import SIGNER_OFFICES
from ingest.lang.normalize import fold_accents

# A title line above a signer's name: "KT. BỘ TRƯỞNG", "TM. ỦY BAN NHÂN DÂN", "PHÓ CHỦ TỊCH".
_SIGNATURE_TITLE = re.compile(r"^(?:KT\.|TM\.|Q\.|TL\.|TUQ\.|THAY MẶT|PHÓ|" + SIGNER_OFFICES + ")")
# "… ngày 10/4/2026", "… ngày 10 tháng 4 năm 2026", "kể từ ngày ký".
_DATED = re.compile(r"ngày\s+\d{1,2}(?:/|\s+tháng)|\d{1,2}/\d{1,2}/\d{4}|ngày ký", re.I)


# "… được ban hành để thực hiện quyết định nào?", "… thực hiện theo văn bản nào của tỉnh?", "căn
# cứ vào đâu?": which documents a document implements or rests on. Its opening states them.
_BASIS_DOCS = r"(?:van ban|quyet dinh|nghi dinh|nghi quyet|ke hoach|thong tu|chi thi|chuong trinh|luat|cong van|ket luan)"
_ASKS_BASIS = re.compile(
    r"\b(?:thuc hien|trien khai|thi hanh|cu the hoa|can cu|dua tren|dua vao)\s+(?:(?:theo|vao|tren)\s+)?"
    r"(?:(?:nhung|cac)\s+)?" + _BASIS_DOCS + r"(?:\s+\w+){0,2}?\s+(?:nao|gi|so may|so bao nhieu)\b"
    r"|\bcan cu (?:phap ly )?(?:vao )?(?:dau|nhung gi|gi|la gi)\b"
    r"|\b(?:van ban|co so) (?:phap ly )?(?:lam )?can cu\b")
# The verbs that open a basis in a document's opening: the legal grounds of a decree ("Căn cứ
# Luật …;") and what a plan carries out ("Thực hiện Quyết định số 1160/QĐ-TTg …", "Triển khai …
# đã được phê duyệt tại Quyết định số …").
_BASIS_VERB = re.compile(r"(?:^|(?<=[\n.;:]))[\s\-–+•]*(Căn cứ|Thực hiện|Triển khai|Thi hành|Cụ thể hóa|Cụ thể hoá|Trên cơ sở)\b")
_REF_TYPES = (r"(?:Bộ luật|Luật|Pháp lệnh|Hiến pháp|Nghị quyết|Nghị định|Quyết định|Thông tư(?: liên tịch)?|Chỉ thị"
              r"|Kế hoạch|Công văn|Chương trình|Hiệp định|Kết luận|Thông báo|Hướng dẫn)")
# A numbered reference, its date and its issuer: "Quyết định số 1160/QĐ-TTg ngày 13/7/2021 của Thủ
# tướng Chính phủ" (the issuer stops before what the document is about: "về …", "phê duyệt …").
_DATE_OF = r"(?:\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
_NUMBERED_REF = re.compile(
    _REF_TYPES + r"(?:\s+số)?\s+\d+/[\w/.\-]*\w" + _DATE_OF
    + r"(?:\s+của\s+(?:(?!(?:về|phê duyệt|ban hành|quy định|hướng dẫn|triển khai|thực hiện)\b)[^\s,;.()]+\s*){1,6})?")


@dataclass
class Span:
    payload: dict  # a chunk, shaped like a search hit's payload
    start: int  # offsets in payload["text"]
    end: int
    value: str = ""  # what the span states (the signer's name)
    note: str = ""  # and how (the signer's titles)


# "có hiệu lực bao lâu?", "hiệu lực trong thời hạn mấy năm?": how long, answered by the same clause
# that says from when ("… có hiệu lực trong thời hạn 3 năm kể từ ngày ký").
# "trước khi hết hiệu lực bao lâu" asks a notice period, not this.
_SPAN = r"(?:bao lau|may nam|bao nhieu nam|may thang|bao nhieu thang)"
_HOW_LONG = re.compile(r"\b(?:co|duoc) hieu luc (?:(?:trong|keo dai|la) )?(?:(?:thoi han|thoi gian) )?" + _SPAN + r"\b"
                       r"|\bthoi han (?:co )?hieu luc (?:(?:cua|la) (?:\w+ ){0,6}?)?" + _SPAN + r"\b")


def asks_how_long(question: str) -> bool:
    """Does the question ask for how long (not from when) a document has effect?"""
    folded = fold_accents(equivalent_form(question) or question).lower()
    return "hieu luc" in folded and bool(_HOW_LONG.search(folded))


def asks_effect(question: str, kind: str) -> bool:
    """Does the question ask when, or for how long, a document has effect?"""
    folded = fold_accents(equivalent_form(question) or question).lower()
    return "hieu luc" in folded and kind in ("date", "yesno") or asks_how_long(question)


def asks_period(folded: str) -> bool:
    """"… cho giai đoạn nào?" (on the folded question): the period a document's title names."""
    return bool(re.search(r"\bgiai doan nao\b", folded))


def asked_part(question: str) -> str | None:
    """"signature" for who signed, "effective" for when a document takes effect, else None."""
    intent = classify(question)
    folded = fold_accents(question).lower()
    if intent.kind == "signer":
        return "signature"
    if "kinh gui" in folded or (intent.recipient and re.search(r"\b(?:cong van|van ban)\b", folded) and "gui" in folded):
        return "addressee"
    # "Công văn 1178 … là trả lời cho tỉnh nào?", "… gửi cho địa phương nào?": a letter answers
    # or is sent to whom its "Kính gửi" line names.
    if re.search(r"\bcong van\b", folded) and re.search(
            r"\b(?:tra loi|phuc dap|gui)(?: lai)?(?: cho| toi| den| ve)? (?:ai|(?:\w+ ){1,2}nao)\b", folded):
        return "addressee"
    if asks_effect(question, intent.kind):
        return "effective"
    if _ASKS_BASIS.search(folded):
        return "basis"
    return None


def find_part(chunks: list[dict], part: str) -> list[Span]:
    """Where a document states ``part``, best first."""
    if part == "signature":
        found = signature(chunks)
        return [found] if found else []
    if part == "effective":
        return effective_clauses(chunks)
    if part == "addressee":
        found = addressee(chunks)
        return [found] if found else []
    if part == "basis":
        return basis(chunks)
    return []


def addressee(chunks: list[dict]) -> Span | None:
    """A letter's "Kính gửi: …" line (and the "- …" lines listing more addressees under it)."""
    for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0))[:4]:
        text = payload["text"]
        m = re.search(r"Kính gửi\s*:?\s*([^\n]*)", text)
        if not m:
            continue
        end = m.end()
        for line in re.finditer(r"\n\s*[-–+]\s*[^\n]+", text[end:]):
            if line.start() != 0:
                break
            end += line.end()
        value = " ".join(text[m.start(1):end].split()) or ""
        return Span(payload, m.start(), end, value)
    return None


def signature(chunks: list[dict]) -> Span | None:
    """Where the document's signer (its metadata, read at ingest) signs: the span from the title
    lines above the name ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH") to the name, in a signature block first."""
    name = next((c.get("signer") for c in chunks if c.get("signer")), None)
    if not name:
        return None
    ordered = sorted(chunks, key=lambda c: (c.get("kind") != "signature", -c.get("ordinal", 0)))
    for payload in ordered:
        text = payload["text"]
        at = text.find(name)
        if at < 0:
            continue
        start = text.rfind("\n", 0, at) + 1
        # A title on the name's own line ("PHÓ CHỦ TỊCH Nguyễn Hồng Quang") or on the lines above.
        same_line = text[start:at].strip()
        titles = [same_line] if same_line and same_line.isupper() else []
        line_start = start
        for _ in range(3):  # the title lines right above the name
            if line_start == 0:
                break
            prev = text.rfind("\n", 0, line_start - 1) + 1
            line = text[prev:line_start].strip()
            if not _SIGNATURE_TITLE.match(line) or not line.isupper():
                break
            titles.insert(0, line)
            line_start = start = prev
        return Span(payload, start, at + len(name), name, " ".join(titles))
    return None


def effective_clauses(chunks: list[dict]) -> list[Span]:
    """"<Thông tư> này có hiệu lực (thi hành) (kể) từ ngày …" clauses, the document's own first:
    forms annexed to it name their own types."""
    own = f"{(chunks[0].get('doc_type') or '').lower()} này" if chunks else ""
    found = []
    for payload in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
        text = payload["text"]
        at = text.find("có hiệu lực")
        while at >= 0:
            # The clause around it, between the nearest line breaks, full stops or semicolons.
            start = max(text.rfind(ch, 0, at) for ch in "\n.;") + 1
            ends = [e for e in (text.find(ch, at) for ch in "\n.;") if e >= 0]
            end = min(ends) if ends else len(text)
            said = text[start:end]
            if _DATED.search(said):
                low = said.strip().lower()
                rank = 0 if own and low.startswith(own) else 1 if own and own in low else 2
                lead = len(said) - len(said.lstrip())
                found.append((rank, len(found), Span(payload, start + lead, end, said.strip())))
            at = text.find("có hiệu lực", end)
    return [span for _, _, span in sorted(found, key=lambda f: f[:2])]

_NAMED_GROUND = re.compile(r"Căn cứ\s+(?:(?:khoản|điểm) \S+ )*(?:Điều \d+ (?:của )?)?" + _REF_TYPES + r"\s+[A-ZĐÀ-Ỹ]")


def _opening(chunks: list[dict]) -> list[dict]:
    """The chunks of a document's opening: up to the one where its articles start ("Điều 1."),
    else its letterhead and preamble. Forms annexed to a decree open with "Căn cứ ……" of their
    own, and a plan's later sections "triển khai" other documents as tasks."""
    ordered = [c for c in sorted(chunks, key=lambda c: c.get("ordinal", 0)) if c.get("kind") != "recipients"]
    for i, payload in enumerate(ordered[:6]):
        if re.search(r"(?m)^\s*Điều\s+1\b", payload["text"]):
            return ordered[: i + 1]
    opening = [c for c in ordered[:4] if c.get("kind") in ("header", "preamble")]
    return opening or ordered[:2]


def basis(chunks: list[dict]) -> list[Span]:
    """The documents a document states it rests on or carries out, in its opening: each a span
    from the verb ("Căn cứ", "Thực hiện", "Triển khai …") to the end of its clause, with the
    reference itself as the value (a legal ground without a number, "Căn cứ Luật Đầu tư ngày 17
    tháng 6 năm 2020;", is the whole clause). The carried-out ones first: a plan implements one
    document and cites the grounds of its issuer's powers besides."""
    found: list[tuple[int, int, Span]] = []
    for payload in _opening(chunks):
        text = payload["text"]
        head = re.search(r"(?m)^\s*Điều\s+1\b", text)
        limit = head.start() if head else len(text)
        for m in _BASIS_VERB.finditer(text, 0, limit):
            ends = [e for e in (text.find(ch, m.end()) for ch in ";\n") if e >= 0]
            end = min(min(ends) if ends else len(text), limit)
            clause = text[m.start(1):end]
            ref = _NUMBERED_REF.search(clause)
            grounds = m.group(1) == "Căn cứ"
            if grounds and _NAMED_GROUND.match(clause):
                # A law by its name ("Căn cứ Luật Đầu tư ngày 17 tháng 6 năm 2020;"): the clause is the reference.
                value = _short(clause[len("Căn cứ"):].strip().rstrip(",."), 160)
            elif ref:
                value = ref.group(0).strip()
            else:
                continue
            if "…" in value or "..." in value:  # a form's blank, not a document
                continue
            found.append((0 if not grounds else 1, len(found), Span(payload, m.start(1), end, value)))
    return [span for _, _, span in sorted(found, key=lambda f: f[:2])]
