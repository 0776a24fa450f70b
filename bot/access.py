"""The product as a caller of one access level sees it.

``view_for(services, level)`` is what every way out (HTTP routes, the OpenAI-compatible API,
MCP) answers from. It offers what those use of :class:`bot.services.Services` — ``retriever``,
``chat``, ``ledger``, ``store``, ``settings``, ``embedder``, ``term_stats`` … — with every read
of documents narrowed to the levels the caller may see: the store through
``index.access.LevelStore`` (the level added to every filter), the ledger through ``LedgerView``
(the same rule on its records). An attribute not listed here is refused rather than passed
through unfiltered.

Questions asked through a view are logged (bot/questions_log.py) and first matched against the
officials' approved answers (bot/approved.py).
"""
from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any

from bot.answer.chat import ChatResult, answer_payload
from bot.answer.conversation import SessionStore, Turn
from bot.approved import ApprovedMatcher
from bot.questions_log import ANSWERED, APPROVED, REFUSED, QuestionsLog
from bot.services import Services
from index.access import LedgerView, LevelStore, backfill_levels
from ingest.lang.normalize import has_diacritics
from ingest.levels import INTERNAL, PUBLIC, check_level

log = logging.getLogger(__name__)
_registry_lock = threading.Lock()
# Shared with Services as they are: nothing in them names a document a caller may not see.
_PASSTHROUGH = ("settings", "embedder", "lexical", "restorer", "term_stats", "answerer", "generator")


class _Registry:
    """Per-Services state the views share and that outlives ``Services.refresh()``: the ledger
    views (the task table is cached per ledger object), the internal sessions, the log."""

    def __init__(self, services: Services):
        self.services = services
        self.ledgers = {level: LedgerView(services.ledger, level) for level in (PUBLIC, INTERNAL)}
        s = services.settings
        # Internal conversations never share a store with public ones: a public caller who
        # learnt an internal session id would otherwise continue its thread.
        self.sessions = {PUBLIC: services.sessions,
                         INTERNAL: SessionStore(ttl_seconds=s.session_ttl_seconds, max_sessions=s.max_sessions)}
        self.log = QuestionsLog(s.questions_db, s.questions_retention_days)
        self.matcher = ApprovedMatcher(self.log, self._embed_question, s.approved_min_similarity)
        self.backfilled = False

    def _embed_question(self, question: str) -> list[float]:
        services = self.services
        text = services.restorer.restore(question) if not has_diacritics(question) else question
        return services.embedder.get_query_embedding(text)


def registry(services: Services) -> _Registry:
    reg = services.__dict__.get("_access_registry")
    if reg is None:
        with _registry_lock:
            reg = services.__dict__.get("_access_registry")
            if reg is None:
                reg = services.__dict__["_access_registry"] = _Registry(services)
    return reg


def questions_log(services: Services) -> QuestionsLog:
    return registry(services).log


class AccessView:
    def __init__(self, services: Services, level: str):
        self.services = services
        self.level = check_level(level)
        self._registry = registry(services)
        self.ledger = self._registry.ledgers[self.level]

    def __getattr__(self, name: str) -> Any:
        if name in _PASSTHROUGH:
            return getattr(self.services, name)
        raise AttributeError(f"AccessView has no {name!r}: add it in bot/access.py with the level applied")

    @property
    def store(self) -> LevelStore:
        reg = self._registry
        if not reg.backfilled:
            # An index built before levels existed has points without one: the filter would hide
            # them from everyone. Written once, from the ledger's records.
            backfill_levels(self.services.store, self.services.ledger.records())
            reg.backfilled = True
        return LevelStore(self.services.store, self.level)

    @property
    def retriever(self):
        # The services' own retriever (and so its wiring), reading through this level's store.
        retriever = copy.copy(self.services.retriever)
        retriever.store = self.store
        return retriever

    @property
    def chat(self):
        from ingest.task_table import cached_task_table

        chat = copy.copy(self.services.chat)
        for name in ("retriever", "sessions", "tasks", "records"):
            assert hasattr(chat, name), f"ChatService lost {name!r}: update bot/access.py"
        chat.retriever = self.retriever
        chat.sessions = self._registry.sessions[self.level]
        chat.tasks = lambda: cached_task_table(self.ledger)
        chat.records = self.ledger.by_doc
        return chat

    def chunk_payloads(self, doc_id: str) -> list[dict]:
        return self.services.chunk_payloads(doc_id) if self.ledger.record(doc_id) else []

    # -- questions: approved answers first, every one logged --------------------------------------

    def ask(self, message: str, session_id: str | None = None, *, channel: str = "web") -> ChatResult:
        started = time.perf_counter()
        chat = self.chat
        approved = self._registry.matcher.answer(message, self.ledger.document)
        if approved is not None:
            session = chat.sessions.get(session_id)
            c = approved.citations[0]
            chat.sessions.add_turn(session, Turn(message, c.doc_id, c.section, approved.text))
            result = ChatResult(approved, session.id, {"total_ms": round((time.perf_counter() - started) * 1000, 1)})
        else:
            result = chat.ask(message, session_id)
        self._log(message, result, started, channel)
        return result

    def ask_thread(self, questions: list[str], *, channel: str = "openai") -> ChatResult:
        started = time.perf_counter()
        approved = self._registry.matcher.answer(questions[-1], self.ledger.document)
        if approved is not None:
            result = ChatResult(approved, "", {"total_ms": round((time.perf_counter() - started) * 1000, 1)})
        else:
            result = self.chat.ask_thread(questions)
        self._log(questions[-1], result, started, channel)
        return result

    def _log(self, question: str, result: ChatResult, started: float, channel: str) -> None:
        answer = result.answer
        outcome = APPROVED if answer.debug.get("approved") else ANSWERED if answer.grounded else REFUSED
        try:
            answer.debug["question_id"] = self._registry.log.record(
                question, outcome=outcome, latency_ms=(time.perf_counter() - started) * 1000,
                level=self.level, channel=channel)
        except Exception:  # noqa: BLE001 - a full disk must not cost the user the answer
            log.exception("questions log write failed")


def view_for(services: Services, level: str) -> AccessView:
    return AccessView(services, level)


def payload(result: ChatResult) -> dict[str, Any]:
    """The chat payload of the HTTP API and MCP: ``answer_payload`` plus whether the answer is an
    approved one and the id to send feedback with."""
    out = answer_payload(result)
    out["approved"] = bool(result.answer.debug.get("approved"))
    out["question_id"] = result.answer.debug.get("question_id")
    return out
