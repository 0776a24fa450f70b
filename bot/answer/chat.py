"""One chat turn: follow-up rewriting → retrieval → grounded answer (→ optional LLM, verified)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from bot.answer.citations import Citation
from bot.answer.conversation import SessionStore, Turn, rewrite
from bot.answer.extractive import ROLE_LABELS, Answer, ExtractiveAnswerer
from bot.answer.intent import Intent, classify
from index.hybrid import Retriever, SearchHit


class Generator(Protocol):
    """An LLM answerer that rewrites a grounded answer from the same passages (bot/answer/llm.py)."""

    def generate(self, question: str, hits: list[SearchHit], fallback: Answer) -> Answer: ...


class InputError(ValueError):
    """A question the API refuses, with the Vietnamese message to show."""


@dataclass
class ChatResult:
    answer: Answer
    session_id: str
    timing: dict[str, float]


def check_message(message: str, max_chars: int) -> str:
    text = (message or "").strip()
    if not text:
        raise InputError("Câu hỏi trống. Vui lòng nhập câu hỏi.")
    if len(text) > max_chars:
        raise InputError(f"Câu hỏi quá dài ({len(text)} ký tự); tối đa {max_chars} ký tự.")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text) or "\x7f" in text:
        raise InputError("Câu hỏi chứa ký tự điều khiển không hợp lệ.")
    return " ".join(text.split())


class TaskSource(Protocol):
    """The task table (ingest/task_table.py): answers who-owns-what questions from the plans' assignments."""

    def answer_unit_question(self, question: str, doc_ids: list[str] | None = None,
                             chunk_ids: list[str] | None = None) -> Any: ...


def unit_mention(text: str, task: Any, unit: str) -> tuple[int, int, str] | None:
    """Where the document itself names ``unit`` for ``task``: inside the assigning words, else the
    nearest mention above them (the heading of a unit's duties, "Giao Vụ … chủ trì" before a
    long sentence). Returns document offsets and the name as written there."""
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
    return None


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


def _asks_ownership(intent: Intent, question: str) -> bool:
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
    first = section.split(" ", 1)[0]
    return f"mục {first}" if re.match(r"^[\dIVXLC]", first) else section


def _within(citations: list[dict], hits: list[SearchHit]) -> bool:
    """The table's first cited task lies inside a passage retrieval found for the same question,
    so the table never answers from a plan the question is not about."""
    c = citations[0]
    return any(h.doc_id == c["doc_id"] and h.payload["char_start"] <= c["char_end"]
               and c["char_start"] <= h.payload["char_end"] for h in hits)


class ChatService:
    def __init__(self, retriever: Retriever, answerer: ExtractiveAnswerer, sessions: SessionStore,
                 generator: Generator | None = None, k: int = 8, tasks: Callable[[], TaskSource] | None = None,
                 records: Callable[[], dict[str, dict]] | None = None, doc_text: Callable[[str], str] | None = None):
        self.retriever = retriever
        self.answerer = answerer
        self.sessions = sessions
        self.generator = generator
        self.k = k
        self.tasks = tasks
        self.records = records or (lambda: {})
        self.doc_text = doc_text

    def retrieve(self, question: str, prefer_doc: str | None = None) -> list[SearchHit]:
        # A follow-up stays with the previous document when that document has an answer.
        return self.retriever.search(question, k=self.k, with_similarity=True, prefer_doc=prefer_doc, prefer_n=4)

    def ask(self, message: str, session_id: str | None = None, *, use_llm: bool = True) -> ChatResult:
        """One turn of a server-side session (the widget's and /api/chat's ``session_id``)."""
        session = self.sessions.get(session_id)
        previous = session.turns[-1] if session.turns else None
        answer, turn, timing = self.turn(message, previous, use_llm=use_llm)
        self.sessions.add_turn(session, turn)
        return ChatResult(answer, session.id, timing)

    def ask_thread(self, questions: list[str], *, use_llm: bool = True, max_replayed: int = 3) -> ChatResult:
        """The last question of a thread whose state lives only in its messages (OpenAI-style
        clients send the whole history): the earlier questions are replayed, without the LLM, to
        rebuild what the thread is about, then the last one is answered. Only the last
        ``max_replayed`` earlier questions count, so a long history costs a bounded time."""
        previous: Turn | None = None
        started = time.perf_counter()
        for question in questions[:-1][-max_replayed:]:
            _, previous, _ = self.turn(question, previous, use_llm=False)
        answer, _, timing = self.turn(questions[-1], previous, use_llm=use_llm)
        timing["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return ChatResult(answer, "", timing)

    def turn(self, message: str, previous: Turn | None, *, use_llm: bool = True) -> tuple[Answer, Turn, dict[str, float]]:
        """Answer ``message`` given the thread's previous turn; returns the answer, the turn to
        remember, and timings."""
        t0 = time.perf_counter()
        rewritten = rewrite(message, previous)
        hits = self.retrieve(rewritten.question, rewritten.prefer_doc)
        t1 = time.perf_counter()
        intent = classify(rewritten.question)
        answer = self.answerer.answer(rewritten.question, hits, intent)
        # Who-owns-what questions are answered from the task table when the evidence is there
        # (the extractive check above still decides whether the documents cover the question).
        if answer.grounded and self.tasks is not None and _asks_ownership(intent, rewritten.question):
            table_answer = self.tasks().answer_unit_question(
                rewritten.question, chunk_ids=[h.chunk_id for h in hits],
                doc_ids=[rewritten.prefer_doc] if rewritten.prefer_doc else None)
            if (table_answer is not None and table_answer.citations and _within(table_answer.citations, hits[:5])
                    and not self.answerer.missing_units(rewritten.question, table_answer.citations[0]["doc_id"])):
                answer = from_task_answer(table_answer, rewritten.question, self.records(), answer, self.doc_text)
        if self.generator is not None and use_llm and answer.grounded and answer.debug.get("source") != "tasks":
            answer = self.generator.generate(rewritten.question, hits, answer)
        t2 = time.perf_counter()
        answer.debug["rewritten"] = rewritten.rewritten
        top_doc = answer.citations[0].doc_id if answer.citations else (hits[0].doc_id if hits else None)
        top_section = answer.citations[0].section if answer.citations else None
        timing = {"retrieve_ms": round((t1 - t0) * 1000, 1), "answer_ms": round((t2 - t1) * 1000, 1),
                  "total_ms": round((t2 - t0) * 1000, 1)}
        return answer, Turn(rewritten.question, top_doc, top_section, answer.text), timing


def answer_payload(result: ChatResult) -> dict[str, Any]:
    a = result.answer
    return {
        "answer": a.text,
        "citations": [c.to_dict() for c in a.citations],
        "grounded": a.grounded,
        "session_id": result.session_id,
        "related": a.related if not a.grounded else [],
        "question": a.question,
    }
