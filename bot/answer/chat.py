"""One chat turn: follow-up rewriting → retrieval → grounded answer (→ optional LLM, verified)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol

from bot.answer.compound import combine, split_questions
from bot.answer.conversation import Item, SessionStore, Turn
from bot.answer.evidence import terms
from bot.answer.focus import (
    answer_items, asked_label, attribute_answer, attribute_values, body_of, by_shared_words, field_answer, item_answer,
    labeled_field, lines_of, named_items, not_stated, task_for_question, place_of, siblings_stating,
    tasks_in_focus, tasks_with_figures, unit_tasks_stating, where,
)
from bot.answer.followup import Catalog, Reading, read, topic_of
from bot.answer.extractive import NOT_FOUND, Answer, ExtractiveAnswerer
from bot.answer.query import Query
from bot.answer.task_answers import asks_ownership, from_task_answer, unit_mention, within
from ingest.lang.framing import strip_framing
from index.hybrid import Retriever, SearchHit


class Generator(Protocol):
    """An LLM answerer that rewrites a grounded answer from the same passages (bot/answer/llm.py)."""

    def generate(self, question: str, hits: list[SearchHit], fallback: Answer, context: str = "") -> Answer: ...


class InputError(ValueError):
    """A question the API refuses, with the Vietnamese message to show."""


@dataclass
class ChatResult:
    answer: Answer
    session_id: str
    timing: dict[str, float]


# Characters a question never means and a user never sees: C0/C1 controls (text pasted from
# PDFs carries \x08: 4 ALQAC questions do), bidi embeddings, overrides, isolates and marks
# (they make a text display other than it reads), and lone surrogates (not text at all: an
# answer echoing one cannot be encoded). They are dropped, the question kept.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069\ud800-\udfff]")


def check_message(message: str, max_chars: int) -> str:
    text = _INVISIBLE.sub("", message or "").strip()
    if not text:
        raise InputError("Câu hỏi trống. Vui lòng nhập câu hỏi.")
    if len(text) > max_chars:
        raise InputError(f"Câu hỏi quá dài ({len(text)} ký tự); tối đa {max_chars} ký tự.")
    return " ".join(text.split())


class TaskSource(Protocol):
    """The task table (ingest/task_table.py): answers who-owns-what questions from the plans' assignments."""

    def answer_unit_question(self, question: str, doc_ids: list[str] | None = None,
                             chunk_ids: list[str] | None = None) -> Any: ...


def _addresses(answer: Answer, reading: Reading, focus: set[str] | None) -> bool:
    """A follow-up about something the thread named that adds words of its own ("địa điểm … ở
    đâu" of "các hội thảo đó") is answered only by a passage that has at least half of
    them: the rest of its words are the thread's, which every passage of the thread matches."""
    parsed = reading.parsed
    if parsed is None or not any(r.kind in ("topic", "task", "pronoun") for r in parsed.references):
        return True  # the whole document is asked about: the answerer's own coverage check decides
    new = parsed.own - (focus or set())
    if not new:
        return True
    cited = {t for c in answer.citations for t in terms(c.quote) if "_" not in t}
    return sum(1 for t in new if t in cited) >= len(new) / 2


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
        # Catalogs of documents by the set of documents they cover; shared with copies of this
        # service (an access level's view), each of which sees its own set.
        self._catalogs: dict[tuple[str, ...], Catalog] = {}

    def retrieve(self, question: "str | Query", prefer_doc: str | None = None) -> list[SearchHit]:
        # A document the thread is about (``prefer_doc``) has its best passages ranked first.
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
        """Answer ``message`` given the thread's state after its previous turn (see ``_one``); a
        message asking several things ("ai ký, ký hôm nào?") is asked part by part, each later
        part as a follow-up of the one before (bot/answer/compound.py)."""
        message = strip_framing(message)  # "ok cảm ơn. Cho mình hỏi …": the question only
        # Asked whole first: one sentence often answers both ("Làm tại Hà Nội ngày …" for "ký ở
        # đâu, ngày nào?"), and the first part of a yes/no pair is the premise of the second.
        whole = self._one(message, previous, use_llm=use_llm)
        parts = split_questions(message)
        if len(parts) < 2:
            return whole
        t0 = time.perf_counter()
        answered: list[tuple[str, Answer]] = []
        state, states = previous, []
        for i, part in enumerate(parts):
            answer, state, _ = self._one(part, state, use_llm=use_llm, continuing=i > 0)
            answered.append((part, answer))
            states.append(state)
        if not any(a.grounded for _, a in answered):
            return whole  # neither part is answered: the whole message's refusal
        fields = {st.card_field for st in states}
        if whole[0].grounded and not (all(a.grounded for _, a in answered) and None not in fields
                                      and len(fields) == len(parts)):
            # The whole's answer holds both as often as not ("Làm tại Hà Nội ngày …" for "ký ở
            # đâu, ngày nào?"); only fields of the document's card, each answered on its own
            # ("… hiệu lực từ khi nào, ai ký?"), are known to be two answers where it gave one.
            return whole
        answer = combine(message, answered)
        # What the thread is about after it: the last part that was answered.
        state = next((st for st, (_, a) in zip(reversed(states), reversed(answered)) if a.grounded), states[-1])
        state = replace(state, question=message, understood=answer.debug.get("understood") or state.understood)
        total = round((time.perf_counter() - t0) * 1000, 1)
        return answer, state, {"retrieve_ms": 0.0, "answer_ms": total, "total_ms": total}

    def _one(self, message: str, previous: Turn | None, *, use_llm: bool = True,
             continuing: bool = False) -> tuple[Answer, Turn, dict[str, float]]:
        """Answer ``message`` given the thread's state after its previous turn; returns the
        answer, the state to remember, and timings.

        The message is read for what it changes and keeps (bot/answer/followup.py): a task's
        other attribute is answered from that task, an item of the last list from the document,
        anything else by retrieval limited to the documents the thread is about. A message that
        points back never gets an answer from another document: when its task or document does
        not say, the answer says so for that task or document."""
        t0 = time.perf_counter()
        catalog = self.catalog()
        focus = self._focus_terms(previous)
        if previous is not None and not previous.items and previous.doc_id and self._text(previous.doc_id):
            # "Trụ cột thứ hai …" after an answer that showed no list: the document's list of that kind.
            named = named_items(message, self._text(previous.doc_id), previous.doc_id)
            previous = replace(previous, items=named) if named else previous
        reading = read(message, previous, catalog, focus, continuing)
        answer: Answer | None = None
        t1 = t0
        if reading.kind == "list_item" and previous is not None:
            item = reading.item
            if item is not None and reading.asked and self._text(item.doc_id):
                # "Ý thứ hai do đơn vị nào chủ trì?": the attribute of that item's task.
                start, end = body_of(self._text(item.doc_id), item.start)
                answer = self._attributes(reading, previous, catalog, [(item.doc_id, start, end)])
                if (answer is None or not answer.grounded) and self.tasks is not None:
                    # "b) Ủy ban nhân dân cấp huyện;" is no task: that unit's own task says it
                    named = unit_tasks_stating(self.tasks().of_document(item.doc_id), item.text, reading.asked,
                                               reading.question)
                    if named:
                        answer = attribute_answer(reading.question, reading.asked, named[:1], [],
                                                  self._text(item.doc_id), self.answerer.doc_chunks(item.doc_id),
                                                  catalog.label(item.doc_id), named[0].section, unit_mention)
            answer = answer or self._item(reading, previous)
        elif reading.kind == "other_role" and previous is not None:
            answer = self._attributes(reading, previous, catalog)
        if reading.kind in ("fresh", "same_doc") and previous and previous.spans and not reading.named_docs():
            doc_id, start, _ = previous.spans[0]  # "Nội dung triển khai là gì?": a field of the task in focus
            found = labeled_field(message, self._text(doc_id), start) if self._text(doc_id) else None
            if found:
                answer = field_answer(message, found, self._text(doc_id), self.answerer.doc_chunks(doc_id))
                reading.kind, reading.doc_ids = "other_role", [doc_id]
        if answer is None:
            context = self._context(reading, previous, catalog)
            answer, t1 = self._answer(reading.question, reading.doc_ids, use_llm=use_llm, context=context,
                                      prefer=reading.prefer, named=reading.named_docs())
            if answer.grounded and reading.kind == "same_doc" and not _addresses(answer, reading, focus):
                answer = Answer(NOT_FOUND, [], False, reading.question, answer.related,
                                {**answer.debug, "reason": "the answer leaves out what the follow-up adds"})
            if reading.doc_ids is not None and not answer.grounded and previous is not None:
                if reading.strong or not reading.doc_ids:
                    # "Công văn 2265 … thì đề nghị ai tổ chức cấp phép?": the one task of the
                    # document the thread turned to that holds the question's words, else not stated
                    answer = ((self._task_answer(reading, answer, catalog, reading.doc_ids[0])
                               if reading.asked and reading.doc_ids and self.tasks is not None else None)
                              or (self._duties_answer(reading, answer) if self.tasks is not None else None)
                              or self._not_stated(reading, previous, catalog, answer))
                else:
                    # No cue tied the message to the thread; it was only short: the documents at large.
                    reading.kind, reading.doc_ids = "fresh", None
                    answer, t1 = self._answer(reading.parsed.text if reading.parsed else message, None,
                                              use_llm=use_llm)
        if not answer.grounded and reading.kind in ("first", "fresh") and self.tasks is not None:
            answer = ((self._task_answer(reading, answer, catalog) if reading.asked else None)
                      or self._duties_answer(reading, answer) or answer)
        t2 = time.perf_counter()
        state = self._state(reading, answer, previous, catalog)
        answer.debug.update({"reading": reading.kind, "understood": state.understood})
        timing = {"retrieve_ms": round((max(t1, t0) - t0) * 1000, 1), "answer_ms": round((t2 - max(t1, t0)) * 1000, 1),
                  "total_ms": round((t2 - t0) * 1000, 1)}
        return answer, state, timing

    def _answer(self, question: str, doc_ids: list[str] | None, *, use_llm: bool,
                context: str = "", prefer: str | None = None, named: list[str] | None = None) -> tuple[Answer, float]:
        """Retrieval and a grounded answer, from ``doc_ids`` only when given; ``named``: the
        documents the question itself names, whose task table alone answers who owns what."""
        if doc_ids is not None and not doc_ids:  # a place or document the collection does not hold
            return Answer(NOT_FOUND, [], False, question, [], {"reason": "no document named"}), time.perf_counter()
        # The question is read once (bot/answer/query.py); retrieval adds its embedding, the
        # verifier and the answer's shape read the same object.
        query = self.answerer.query(question)
        if doc_ids is not None:
            query.filters = {**(query.filters or {}), "doc_id": list(doc_ids)}
        hits = self.retrieve(query, prefer)
        t1 = time.perf_counter()
        intent = query.intent
        answer = self.answerer.answer(query, hits)
        if not answer.grounded:
            # What retrieval ranked first though no sentence answered: a refused turn's thread is
            # about these passages (a follow-up asking another attribute means their task).
            answer.debug["ranked"] = [(h.doc_id, h.payload["char_start"], h.payload["char_end"], h.section)
                                      for h in hits[:4]]
        # Who-owns-what questions are answered from the task table when the evidence is there
        # (the extractive check above still decides whether the documents cover the question).
        if answer.grounded and self.tasks is not None and asks_ownership(intent, question) \
                and answer.debug.get("source") != "document card":  # who issued it is no task's owner
            table_answer = self.tasks().answer_unit_question(
                question, chunk_ids=[h.chunk_id for h in hits], doc_ids=list(doc_ids) if doc_ids else (named or None))
            if (table_answer is not None and table_answer.citations and within(table_answer.citations, hits[:5])
                    and not self.answerer.missing_units(question, table_answer.citations[0]["doc_id"])):
                answer = from_task_answer(table_answer, question, self.records(), answer, self.doc_text)
        if self.generator is not None and use_llm and answer.grounded and answer.debug.get("source") != "tasks":
            # The thread's state goes with the question: what it is about, and the passages of
            # its documents only.
            answer = (self.generator.generate(question, hits, answer, context=context) if context
                      else self.generator.generate(question, hits, answer))
        return answer, t1

    # -- the thread --------------------------------------------------------------------------------

    def catalog(self) -> Catalog:
        """The documents as a follow-up names them, built once per set of documents (a view of
        another access level has its own records, so its own catalog)."""
        records = self.records()
        key = tuple(sorted(records))
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = Catalog(records, self.answerer.doc_terms)
            if len(self._catalogs) >= 4:
                self._catalogs.pop(next(iter(self._catalogs)), None)
            self._catalogs[key] = catalog
        return catalog

    def _text(self, doc_id: str) -> str:
        return self.doc_text(doc_id) if self.doc_text else ""

    def _focus_terms(self, previous: Turn | None) -> set[str] | None:
        """The words of what the thread is about: its question, its answer and the lines in focus."""
        if previous is None:
            return None
        parts = [previous.question, previous.answer]
        for doc_id, start, end in previous.spans[:4]:
            text = self._text(doc_id)
            parts += [text[a:b] for a, b in lines_of(text, start, end)]
        return {t for t in terms("\n".join(parts)) if "_" not in t}

    def _item(self, reading: Reading, previous: Turn) -> Answer | None:
        item = reading.item
        if item is None and reading.item_number is not None:
            return Answer(f"Câu trả lời trước chỉ có {len(previous.items)} ý.", [], False, reading.question, [],
                          {"reason": "no such item"})
        if item is None:  # "cụ thể hơn": the passage in focus, in full
            if not previous.spans:
                return None
            doc_id, start, end = previous.spans[0]
            item = Item(doc_id, start, end, self._text(doc_id)[start:end])
        text = self._text(item.doc_id)
        if not text:
            return None
        return item_answer(reading.question, item, text, self.answerer.doc_chunks(item.doc_id))

    def _attributes(self, reading: Reading, previous: Turn, catalog: Catalog,
                    focus_spans: list[tuple[str, int, int]] | None = None) -> Answer | None:
        """Another attribute of the task in focus (``focus_spans``, else the thread's passages),
        from the task table; None when the document has no tasks at all (then its passages answer)."""
        doc_id = (reading.doc_ids or [previous.doc_id])[0]
        spans = [(s, e) for d, s, e in (focus_spans or previous.spans) if d == doc_id]
        if self.tasks is None or not doc_id or not spans:
            return None
        table = self.tasks()
        own = table.of_document(doc_id)
        if not own:
            return None
        text = self._text(doc_id)
        chunks = self.answerer.doc_chunks(doc_id)
        focus = tasks_in_focus(own, doc_id, spans, text, chunks)
        if not previous.grounded:
            # The passage in focus is only what retrieval ranked first for a refused question: of
            # its tasks, the one that shares most words with that question is what it was about.
            focus = by_shared_words(focus, previous.question)
        swapped = tasks_with_figures(own, focus, reading.asked, reading.parsed.text if reading.parsed else
                                     reading.question, text)
        focus = swapped or self._subject_tasks(reading, own, focus) or \
            focus + siblings_stating(own, focus, reading.asked, reading.question)
        named = previous.units[:1] if reading.parsed and any(r.kind == "unit" for r in reading.parsed.references) else []
        return attribute_answer(reading.question, reading.asked, focus, named, text, chunks, catalog.label(doc_id),
                                previous.section, unit_mention)

    @staticmethod
    def _subject_tasks(reading: Reading, own: list, focus: list) -> list:
        """"Sở GTVT thì lại báo cáo lên đâu?" after the enterprises' reporting duty: a unit the
        message names itself (not by "Sở đó"), which leads none of the tasks in focus, asks the
        same of its own task in the document."""
        from ingest.unit_names import unit_key
        from ingest.units import find_units

        if reading.parsed is None or any(r.kind == "unit" for r in reading.parsed.references):
            return []
        units = find_units(reading.parsed.text)
        if len(units) != 1 or unit_key(units[0].name) in {unit_key(u) for t in focus for u in t.units("lead")}:
            return []
        return unit_tasks_stating(own, units[0].name, reading.asked, reading.question)[:1]

    def _task_answer(self, reading: Reading, refused: Answer, catalog: Catalog,
                     doc_id: str | None = None) -> Answer | None:
        """A refused question asking a task's attribute, answered from the task table when one task
        of ``doc_id`` (else the document retrieval ranked first) holds all its distinctive words."""
        doc_id = doc_id or (refused.debug.get("ranked") or [(None,)])[0][0]
        text = self._text(doc_id) if doc_id else ""
        chunks = self.answerer.doc_chunks(doc_id) if text else []
        head = " ".join(str(chunks[0].get(k) or "") for k in ("title", "issuer", "province", "number")) if chunks else ""
        own = self.tasks().of_document(doc_id)
        task = task_for_question(own, self.answerer.query(reading.question).weights, reading.asked, text, head)
        stating = [t for t in own if all(attribute_values(t, a) for a in reading.asked)]
        if task is None and reading.strong and reading.kind == "same_doc" and len(stating) == 1:
            # "văn bản này gửi những cục nào … để phối hợp?": the document the thread points at
            # states what is asked once; that statement answers, whatever words it is asked in.
            task = stating[0]
        return attribute_answer(reading.question, reading.asked, [task], [], text, chunks, catalog.label(doc_id),
                                task.section, unit_mention) if task else None

    def _duties_answer(self, reading: Reading, refused: Answer) -> Answer | None:
        """"Chỉ thị 07 giao Bộ Tài chính làm gì?": a unit's duties in a document the question
        names, from the task table. No one sentence holds a unit's several duties, so the
        verifier refuses them; the table's assignments are the document's own words for them."""
        named = reading.named_docs()
        if not named:
            return None
        table = self.tasks().answer_unit_question(reading.question, doc_ids=named)
        if table is None or table.intent != "duties" or not table.citations:
            return None
        if self.answerer.missing_units(reading.question, table.citations[0]["doc_id"]):
            return None
        return from_task_answer(table, reading.question, self.records(), refused, self.doc_text)

    def _not_stated(self, reading: Reading, previous: Turn, catalog: Catalog, answer: Answer) -> Answer:
        if not reading.doc_ids:
            return answer
        doc_id = reading.doc_ids[0]
        section = previous.section if reading.kind == "other_role" and previous.doc_id == doc_id else None
        refusal = not_stated(reading.question, place_of(catalog.label(doc_id), section) if section else
                             catalog.label(doc_id), reading.asked or None)
        refusal.debug = {**answer.debug, **refusal.debug}
        return refusal

    def _context(self, reading: Reading, previous: Turn | None, catalog: Catalog) -> str:
        """The thread's state in words, for the LLM."""
        if previous is None or reading.kind in ("first", "fresh"):
            return ""
        about = previous.understood or (catalog.label(previous.doc_id) if previous.doc_id else "")
        scope = ", ".join(catalog.label(d) for d in reading.doc_ids or [])
        parts = [f"lượt trước hỏi: {previous.question}"]
        if about:
            parts.append(f"đang nói về: {about}")
        if scope:
            parts.append(f"chỉ trả lời theo: {scope}")
        return "; ".join(parts)

    def _state(self, reading: Reading, answer: Answer, previous: Turn | None, catalog: Catalog) -> Turn:
        """What the thread is about after this turn, from the question and its answer alone."""
        from ingest.units import find_units

        cites = answer.citations
        keep = previous is not None and reading.kind in ("other_role", "list_item")
        if cites:
            doc_id = cites[0].doc_id
            docs = list(dict.fromkeys(c.doc_id for c in cites))
            spans = [(c.doc_id, c.char_start, c.char_end) for c in cites if c.doc_id == doc_id]
            section = cites[0].section
        elif keep or (previous is not None and reading.doc_ids and previous.doc_id in reading.doc_ids):
            # Refused within the thread: it stays on its task and document.
            doc_id, docs, spans, section = previous.doc_id, previous.docs, previous.spans, previous.section
        else:
            # Refused with no thread to keep: the documents the question named stay in focus (a
            # follow-up "quyết định này …" still means them), without a passage or a task.
            docs = list(reading.doc_ids or reading.named_docs())
            doc_id = docs[0] if docs else None
            ranked = [r for r in answer.debug.get("ranked", []) if r[0] == doc_id][:1]
            spans = [(d, s, e) for d, s, e, _ in ranked]
            section = ranked[0][3] if ranked else None
        items = previous.items if keep and reading.kind == "list_item" else answer_items(answer, self._text)
        head = answer.text.split("\n", 1)[0]  # the unit asked comes first: "Đơn vị chủ trì: X [1]."
        units = [u.name for u in find_units(head)] if answer.grounded else (previous.units if keep else [])
        topic = previous.topic if keep else topic_of(reading.question, catalog)
        question = reading.question
        understood, card_field = self._understood(reading, answer, doc_id, section, catalog)
        return Turn(question, doc_id, section, answer.text, docs, spans, list(reading.asked), units, items, topic,
                    understood, reading.kind, answer.grounded, card_field)

    @staticmethod
    def _understood(reading: Reading, answer: Answer, doc_id: str | None, section: str | None,
                    catalog: Catalog) -> tuple[str | None, str | None]:
        """The question as understood, in a few words ("Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục
        1.3"), and the field of the document's own card it asked ("Người ký"), if it asked one."""
        if doc_id is None or (not answer.grounded and reading.doc_ids is None):
            return None, None
        label, task_level = asked_label(reading)
        scope = where(catalog.label(doc_id), section) if task_level else catalog.label(doc_id)
        return f"{label} — {scope}", None if task_level else label


def answer_payload(result: ChatResult) -> dict[str, Any]:
    a = result.answer
    return {
        "answer": a.text,
        "citations": [c.to_dict() for c in a.citations],
        "grounded": a.grounded,
        "session_id": result.session_id,
        "related": a.related if not a.grounded else [],
        "question": a.question,
        # The question as understood, in a few words ("Đơn vị phối hợp — Kế hoạch 159/KH-UBND,
        # mục 1.3"): the widget shows it above the answer, so a wrong reading is visible.
        "understood": a.debug.get("understood"),
    }
