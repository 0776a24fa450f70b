"""A task-table answer as a chat answer: the unit as the plan writes it, the task, where.

The task table (ingest/task_table.py) answers who-owns-what questions from the plans'
assignments; these functions turn its answer into the chat's ``Answer``, citing the words
that name each unit and the task's own words, and say which questions it answers."""
from __future__ import annotations

import re
from typing import Any, Callable

from bot.answer.citations import Citation
from bot.answer.extractive import ROLE_LABELS, Answer
from bot.answer.focus import section_ref
from bot.answer.intent import Intent
from index.hybrid import SearchHit


def unit_mention(text: str, task: Any, unit: str) -> tuple[int, int, str] | None:
    """Where the document itself names ``unit`` for ``task``: inside the assigning words, else the
    nearest mention above them (the heading of a unit's duties, "Giao Vụ … chủ trì" before a
    long sentence), else the nearest below (a letter's recipients). Returns document offsets and
    the name as written there."""
    from ingest.unit_names import unit_key
    from ingest.units import find_units

    key = unit_key(unit)

    def mentions(lo: int, hi: int) -> list[tuple[int, int, str]]:
        return [(lo + s.start, lo + s.end, s.text) for s in find_units(text[lo:hi]) if unit_key(s.name) == key]

    inside = mentions(task.char_start, task.char_end)
    if inside:
        return inside[0]
    # Line by line upwards, nearest first: finding units is slow, and the heading is usually close.
    hi, floor = task.char_start, max(0, task.char_start - 2000)
    while hi > floor:
        lo = max(floor, text.rfind("\n", 0, hi - 1) + 1)
        found = mentions(lo, hi)
        if found:
            return found[-1]
        hi = lo
    # Below, last: a letter's "Nơi nhận" names its partners after its requests.
    below = mentions(task.char_end, min(len(text), task.char_end + 3000))
    return below[0] if below else None


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole line(s) holding text[start:end]."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, line_end if line_end >= 0 else len(text)


def from_task_answer(task_answer: Any, question: str, records: dict[str, dict], fallback: Answer,
                     doc_text: Callable[[str], str] | None = None) -> Answer:
    """A task-table answer as a chat answer: its lines carry [n], its quotes become citations.

    A who-question's answer names the unit as the plan writes it ("UBND các xã, thị trấn") and
    cites the words that name it, as well as the task."""
    citations = []
    for i, c in enumerate(task_answer.citations, 1):
        record = records.get(c["doc_id"], {})
        citations.append(Citation(n=i, doc_id=c["doc_id"], source=c["source"], title=record.get("title") or "",
                                  number=record.get("number"), section=c.get("section") or "", page=c.get("page"),
                                  quote=c["quote"], chunk_id=c.get("chunk_id") or "", char_start=c["char_start"],
                                  char_end=c["char_end"]))
    lines = task_answer.text.split("\n")
    numbered = [i for i, line in enumerate(lines) if re.match(r"^\d+\.\s", line)]
    role = task_answer.role or "lead"
    debug = {**fallback.debug, "source": "tasks", "task_intent": task_answer.intent}
    if task_answer.intent == "who" and len(task_answer.tasks) == len(citations) and role in ROLE_LABELS:
        # Lead with what was asked: the unit, then the other roles, the task and where the plan says so.
        out: list[str] = []
        cited: list[Citation] = []
        for c, task in zip(citations, task_answer.tasks):
            block = _who_block(c, task, role, records, doc_text, cited)
            if block is None:
                out = []
                break
            out.append(block)
        if out:
            return Answer("\n".join(out), cited, True, question, fallback.related, debug)
    if numbered and len(numbered) == len(citations):
        for n, i in enumerate(numbered, 1):
            lines[i] = f"{lines[i]} [{n}]"
        text = "\n".join(lines)
    else:
        text = task_answer.text + " " + "".join(f"[{c.n}]" for c in citations)
    return Answer(text, citations, True, question, fallback.related, debug)


_DUTY_WORDS = re.compile(r"\b(?:nhiem vu|duoc giao|phai lam|giao cho|trach nhiem)\b")


def asks_ownership(intent: Intent, question: str) -> bool:
    """Questions the task table answers: who owns a task (in the plans' own role words), or what
    a unit is assigned. "Báo cáo cho cơ quan nào?" asks a recipient, not an owner: passages answer it."""
    from ingest.lang.normalize import fold_accents

    if intent.kind == "unit":
        return not intent.recipient
    return intent.kind in ("list", "general") and bool(_DUTY_WORDS.search(fold_accents(question).lower()))


def _who_block(c: Citation, task: Any, role: str, records: dict[str, dict],
               doc_text: Callable[[str], str] | None, cited: list[Citation]) -> str | None:
    """"Đơn vị chủ trì: X [1]. / Đơn vị phối hợp: Y. / Nhiệm vụ: … (Kế hoạch 159/KH-UBND, mục 1.3) [2]"."""
    text = doc_text(c.doc_id) if doc_text else ""

    def cite(start: int, end: int) -> int:
        for old in cited:
            if old.doc_id == c.doc_id and old.char_start <= start and end <= old.char_end:
                return old.n
        cited.append(Citation(n=len(cited) + 1, doc_id=c.doc_id, source=c.source, title=c.title, number=c.number,
                              section=c.section, page=c.page, quote=text[start:end] if text else c.quote,
                              chunk_id=c.chunk_id, char_start=start, char_end=end))
        return cited[-1].n

    def named(units: list[str]) -> tuple[str, int | None]:
        """The units as written, and the citation of the words that name them when the task's own
        quote does not."""
        shown, n = [], None
        for unit in units:
            at = unit_mention(text, task, unit) if text else None
            if not at:
                shown.append(unit)
                continue
            start, end, written = at
            shown.append(written.strip(" :;,.-"))
            if not (c.char_start <= start and end <= c.char_end) and n is None:
                n = cite(*_line_around(text, start, end))
        return ", ".join(shown), n

    if role == "deadline":
        if not task.deadline:
            return None
        n = cite(c.char_start, c.char_end)
        head = [f"{ROLE_LABELS['deadline']}: {task.deadline} [{n}]."]
    else:
        units = task.units(role)
        if not units:
            return None
        shown, n_unit = named(units)
        n = cite(c.char_start, c.char_end)
        head = [f"{ROLE_LABELS[role]}: {shown} [{n_unit or n}]."]
    for other in ("lead", "partner"):
        if other != role and task.units(other):
            shown, n_other = named(task.units(other))
            head.append(f"{ROLE_LABELS[other]}: {shown}" + (f" [{n_other}]." if n_other else "."))
    where = " ".join(x for x in (c.number and f"{records.get(c.doc_id, {}).get('doc_type') or 'Văn bản'} {c.number}",
                                  _section_ref(c.section)) if x)
    n_task = cite(c.char_start, c.char_end)
    return "\n".join(head) + f"\nNhiệm vụ: {task.task}" + (f" ({where})" if where else "") + f" [{n_task}]."


def _section_ref(section: str) -> str:
    """"mục 1.3" for a numbered section, the section's name otherwise ("Mở đầu")."""
    if not section:
        return ""
    # "Chương VIII Điều 28.1 …" is "Điều 28", not "mục Chương".
    return section_ref(section) or section


def within(citations: list[dict], hits: list[SearchHit]) -> bool:
    """The table's first cited task lies inside a passage retrieval found for the same question,
    so the table never answers from a plan the question is not about."""
    c = citations[0]
    return any(h.doc_id == c["doc_id"] and h.payload["char_start"] <= c["char_end"]
               and c["char_start"] <= h.payload["char_end"] for h in hits)
