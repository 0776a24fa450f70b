"""Several questions in one message: "kế hoạch này ai ký, ký hôm nào?", "nộp báo cáo cho cơ quan
nào, bao lâu một lần?", "gửi cho ai, theo biểu mẫu nào?".

People ask two things at once, each with its own question word, joined by a comma, a semicolon
or "và". Read as one question, the pair asks for a sentence that holds both answers, which few
documents write, so neither gets answered. A message the documents do not answer whole is
split where both sides carry a question word and enough words to ask something (one sentence
often does answer both: "Làm tại Hà Nội ngày …" for "ký ở đâu, ngày nào?", so the whole is asked
first); the first part is asked as the message would have been, each later part as a follow-up
of the part before it (it shares its subject: "ký hôm nào" is about the plan "ai ký" was), and
the answers are joined, their citations numbered in one sequence.

>>> split_questions("Kế hoạch này ai ký vậy, ký hôm nào?")
['Kế hoạch này ai ký vậy?', 'ký hôm nào?']
>>> split_questions("Quyết định này có hiệu lực từ khi nào, ai ký?")
['Quyết định này có hiệu lực từ khi nào?', 'ai ký?']
>>> split_questions("Sở Nội vụ, Sở Ngoại vụ làm gì?")
['Sở Nội vụ, Sở Ngoại vụ làm gì?']
"""
from __future__ import annotations

import re
from dataclasses import replace

from bot.answer.extractive import Answer
from ingest.lang.normalize import fold_accents

# Question words read on the folded text: each asks something by itself. "mấy" and "đâu" fold
# to words that are not questions ("máy", "đầu"), so they are matched with their accents.
_ASKS_FOLDED = re.compile(r"\b(?:ai|gi|nao|bao nhieu|bao lau|bao gio|sao|the nao)\b")
_ASKS_ACCENTED = re.compile(r"(?<!\w)(?:mấy|đâu)(?!\w)|(?<!\w)có\b.*\b(?:không|chưa)\s*$", re.I)
# A part that ends on its question word ("trích dẫn khoản nào") before a part that opens on one
# ("điều nào của Thông tư …") coordinates two question words over one predicate: one question.
_ENDS_ASKING = re.compile(r"\b(?:nao|gi|ai|dau)\s*$")
_OPENS_ASKING = re.compile(r"^\s*\w+\s+(?:nao|gi)\b")
# Where a message joins two questions: a comma or semicolon (with an optional "và", "còn"), or "và".
_JOINT = re.compile(r"\s*[,;]\s*(?:(?:và|còn|rồi|thế|với lại)\s+)?|\s+và\s+", re.I)
_MIN_WORDS = 3  # "gửi cho ai", "ký hôm nào": fewer is a fragment of one question ("Sở nào")
# "ai" before a word asks who does it ("ai ký", "ai duyệt"): a whole question in two words, where
# a noun before its question word ("Sở nào") is only a fragment.
_WHO_DOES = re.compile(r"^\s*ai\s+\w+\s*$")
MAX_PARTS = 3


def _asks(text: str) -> bool:
    return bool(_ASKS_FOLDED.search(fold_accents(text).lower()) or _ASKS_ACCENTED.search(text.strip(" ?.!")))


def _long_enough(part: str) -> bool:
    return len(part.split()) >= _MIN_WORDS or bool(_WHO_DOES.match(fold_accents(part).lower()))


def split_questions(message: str) -> list[str]:
    """The questions ``message`` asks, in order; the message alone when it asks one thing."""
    text = message.strip()
    body = text.rstrip(" ?.!")
    cuts = [m for m in _JOINT.finditer(body)]
    parts: list[str] = []
    start = 0
    for m in cuts:
        head, rest = body[start:m.start()], body[m.end():]
        coordinated = (_ENDS_ASKING.search(fold_accents(head).lower())
                       and _OPENS_ASKING.match(fold_accents(rest).lower()))
        if (_long_enough(head) and _long_enough(rest)
                and _asks(head) and _asks(rest) and not coordinated):
            parts.append(head.strip())
            start = m.end()
    if not parts:
        return [text]
    parts.append(body[start:].strip())
    if len(parts) > MAX_PARTS:
        return [text]
    return [p + "?" for p in parts]


def _renumbered(answer: Answer, offset: int) -> tuple[str, list]:
    """The answer's text and citations with every [n] moved on by ``offset``."""
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + offset}]", answer.text)
    return text, [replace(c, n=c.n + offset) for c in answer.citations]


def combine(message: str, parts: list[tuple[str, Answer]]) -> Answer:
    """One answer to the message from the answers to its parts, at least one of them grounded:
    each grounded answer in turn, its citations numbered after the ones before; a part the
    documents do not answer says so in one line."""
    lines: list[str] = []
    citations: list = []
    related: list[dict[str, str]] = []
    for question, answer in parts:
        if answer.grounded:
            text, cites = _renumbered(answer, len(citations))
            lines.append(text)
            citations += cites
        else:
            lines.append(f"«{question.rstrip('?')}»: {answer.text.split(chr(10))[0]}")
        related += [r for r in answer.related if r not in related]
    first_grounded = next(a for _, a in parts if a.grounded)
    debug = {**first_grounded.debug, "parts": [q for q, _ in parts],
             "understood": " · ".join(a.debug.get("understood") or q for q, a in parts)}
    return Answer("\n".join(lines), citations, True, message, related, debug)
