"""Where a reply is cut: a passage's clauses (at commas, semicolons, colons, dashes and brackets),
the run of them that covers the question within a length, and the marks that say it was cut."""
from __future__ import annotations

import re

from bot.answer.evidence import coverage, terms
from bot.answer.query import Query
from ingest.lang.normalize import fold_accents

_CLAUSE_CUT = re.compile(r"[,;:]\s+|\s+[-–]\s+|\s+\((?=\w)")


def clauses(text: str) -> list[tuple[int, int]]:
    """The text cut at commas, semicolons, colons, dashes and brackets, with offsets."""
    out, pos = [], 0
    for m in _CLAUSE_CUT.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.start() if m.group().strip().startswith("(") else m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out or [(0, len(text))]


def window(text: str, q: Query, limit: int, anchor: tuple[int, int] | None = None) -> tuple[int, int]:
    """The run of clauses of ``text`` at most ``limit`` long that covers most of the question
    (and holds ``anchor``, the short answer, when there is one); the whole text when it fits."""
    text_len = len(text.rstrip())
    if text_len <= limit:
        return 0, text_len
    parts = clauses(text)
    best, best_key = (0, min(text_len, limit)), (-1.0, 0)
    for i in range(len(parts)):
        for j in range(i, len(parts)):
            a, b = parts[i][0], parts[j][1]
            if b - a > limit:
                break
            if anchor and not (a <= anchor[0] and anchor[1] <= b):
                continue
            # Coverage of the question, then what the clauses add after the matched words: an
            # answer follows what it answers ("X là …", "… thì bị phạt tù từ …").
            key = (round(coverage(q.focus_weights, terms(text[a:b])), 3), b - a)
            if key > best_key:
                best, best_key = (a, b), key
    if best_key[0] < 0 and anchor:  # the anchor's own clause is too long: cut around it
        a = max(0, anchor[0] - limit // 3)
        return a, min(text_len, a + limit)
    a, b = best
    # Room left: the next clause, then the one before.
    for k, (x, y) in enumerate(parts):
        if x >= b and y - a <= limit:
            b = y
        elif x >= b:
            break
    return a, b


_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|[a-zđ]\)|\d{1,2}\)|[-–+•*])\s+")


def cut(text: str, span: tuple[int, int]) -> str:
    """The clauses of ``text`` in ``span``, "…" where cut, without the clause's own numbering
    ("7.", "a)"): the citation card keeps the document's numbering."""
    a, b = span
    out = text[a:b].strip().rstrip(",;:")
    if a == 0:
        out = _NUMBERING.sub("", out, count=1)
    if a > 0:
        out = "… " + out
    if b < len(text.rstrip()):
        out = out + " …"
    return out


def first_clauses(text: str, limit: int) -> int:
    """Where the first clauses of ``text`` that fit in ``limit`` characters end (at least one)."""
    end = 0
    for a, b in clauses(text):
        # a label ("Nội dung triển khai:") says nothing alone: its value's first clause goes with it
        if end and b > limit and not text[end:].lstrip().startswith(":"):
            break
        end = b
    return min(end, len(text)) if end <= limit * 2 else limit


def as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "…", "?", "!", ":")) else text + "."


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# "… phối hợp giữa những cơ quan nào?", "… hợp tác với những nước nào?": the units asked for are
# those the sentence writes after the same preposition.
_ASKED_AFTER = re.compile(r"\b(giua|voi)\s+(?:nhung\s+|cac\s+)?(?:co quan|don vi|to chuc|ben|nuoc|quoc gia|ai)(?:\s+nao)?\b")
_CLAUSE_END = re.compile(r"[;.]|\s(?:de|nham)\s")  # folded: a clause ends, or its purpose starts


def after_asked_preposition(text: str, q: Query) -> tuple[int, int] | None:
    """The words after the preposition the question asks across ("giữa", "với"), up to the end of
    their clause, where the words before it share most with the question; None when the
    question asks no such thing or the text does not write it."""
    asked = _ASKED_AFTER.search(q.folded)
    if not asked:
        return None
    folded = fold_accents(text).lower()
    q_words = set(q.folded.split())
    best: tuple[int, int, int] | None = None
    for m in re.finditer(r"(?<!\w)" + asked.group(1) + r"\s+", folded):
        end = _CLAUSE_END.search(folded, m.end())
        stop = end.start() if end else len(text)
        before = folded[max(0, m.start() - 40):m.start()].split()[-4:]
        score = sum(w in q_words for w in before)
        if stop - m.end() >= 3 and (best is None or score > best[0]):
            best = (score, m.end(), stop)
    return (best[1], best[2]) if best else None
