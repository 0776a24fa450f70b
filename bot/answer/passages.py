"""Shapes inside a retrieved passage that an answer quotes: the candidate sentence with its list
lead-in, the list items after a lead-in, the numbered clause around a sentence, and the assignment
line ("Đơn vị chủ trì: …") that closes the task a sentence belongs to."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.evidence import sentences
from index.hybrid import SearchHit


@dataclass
class Candidate:
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




def with_assignments(cand: Candidate) -> str:
    """A sentence plus its item's assignment lines and section (where a unit question's answer lives)."""
    lines = [a["text"] for a in cand.hit.payload.get("assignments") or []]
    return " ".join([cand.full_text, cand.hit.section or "", *lines])


LIST_ITEM = re.compile(r"^\s*(?:(?P<letter>[a-zđ]\))|(?P<dash>[-–])|(?P<plus>[+•*])|(?P<num>\d{1,2}\)))\s*")


CLAUSE_HEAD = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|[IVXLC]+\.|Điều\s+\d+|Chương\s|Mục\s|Phần\s)")


NUMBERED_CLAUSE = re.compile(r"^\s*\d+(?:\.\d+)*\.\s")


_ARTICLE = re.compile(r"\bĐiều (\d+[a-z]?)")


def article_of(payload: dict) -> str | None:
    """The number of the article a chunk (or any dict with a ``section``) lies in, else None."""
    m = _ARTICLE.search(payload.get("section") or "")
    return m.group(1) if m else None


def items_after(text: str, pos: int, limit: int = 700) -> tuple[int, int] | None:
    """The run of list items ("a) …", "- …") right after ``pos`` (a lead-in's end), while they
    fit in ``limit`` characters; None when no item follows."""
    end = None
    for m in re.finditer(r"[^\n]+", text[pos:]):
        line = m.group(0)
        if not line.strip():
            continue
        if not LIST_ITEM.match(line):
            break
        if end is not None and m.end() > limit:
            break
        end = pos + m.end()
    return (pos, end) if end is not None else None


def clause_around(text: str, start: int, end: int, limit: int) -> tuple[int, int] | None:
    """The numbered clause ("2. …" up to the next "3. …") holding ``text[start:end]`` when it is
    at most ``limit`` characters and holds more than that sentence, else None."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    at = next((i for i, (a, b, _) in enumerate(lines) if a <= start <= b), None)
    if at is None:
        return None
    first = next((i for i in range(at, -1, -1) if NUMBERED_CLAUSE.match(lines[i][2])), None)
    if first is None:
        return None
    last = next((i - 1 for i in range(at + 1, len(lines)) if NUMBERED_CLAUSE.match(lines[i][2])), len(lines) - 1)
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
    m = LIST_ITEM.match(text[line_start:start + 8])
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
        if CLAUSE_HEAD.match(prev):
            return None  # a clause of a higher level that introduces no list
        pos = prev_start  # a sibling item, or a paragraph continuing one
    return None


def assignment_for(cand: Candidate, role: str) -> tuple[int, int, str, str] | None:
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


def where_label(hit: SearchHit) -> str:
    number = hit.payload.get("number")
    doc = f"{hit.payload.get('doc_type') or 'Văn bản'} {number}" if number else (hit.title or hit.source)
    return f"Theo {doc}, mục {hit.section}" if hit.section else f"Theo {doc}"
