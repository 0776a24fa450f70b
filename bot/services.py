"""The product's components, built lazily from one Settings, shared by the CLI and the API.

Nothing is loaded until first used: `aseanbot ingest` on unchanged files never loads the model.
"""
from __future__ import annotations

from functools import cached_property

from ingest.settings import Settings


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)

    @cached_property
    def embedder(self):
        from index.embeddings import get_embedding

        return get_embedding(self.settings.embed_model, self.settings.models_dir)

    @cached_property
    def store(self):
        from index.vectorstore import open_store

        return open_store(self.settings)

    @cached_property
    def lexical(self):
        from index.lexical import LexicalEncoder

        return LexicalEncoder()

    @cached_property
    def retriever(self):
        from index.hybrid import Retriever

        from bot.answer.parts import asked_part, find_part
        from ingest.lang.normalize import fold_accents

        retriever = Retriever(self.store, self.embedder, self.lexical, restorer=self.restorer.restore)
        retriever.doc_numbers = lambda: {fold_accents(r["number"]).lower(): r["doc_id"]
                                         for r in self.ledger.records() if r.get("number")}
        retriever.asked_part = asked_part
        retriever.doc_part = lambda doc_id, part: [s.payload for s in find_part(self.chunk_payloads(doc_id), part)]
        return retriever

    @cached_property
    def restorer(self):
        from index.restore import DiacriticRestorer

        return DiacriticRestorer(self.chunk_texts)

    @cached_property
    def chunk_texts(self) -> list[str]:
        """Every indexed chunk's context and text, read once from the ledger."""
        return [text for _, text in self._chunk_texts_by_doc]

    @cached_property
    def _chunk_texts_by_doc(self) -> list[tuple[str, str]]:
        out = []
        for record in self.ledger.records():
            doc = self.ledger.document(record["doc_id"]) or {}
            out.extend((record["doc_id"], f"{c.get('context', '')}\n{c['text']}") for c in doc.get("chunks", []))
        return out

    @cached_property
    def ledger(self):
        from ingest.pipeline import Ledger

        return Ledger(self.settings.state_dir)

    @cached_property
    def term_stats(self):
        """Document frequencies over every indexed chunk, for evidence coverage."""
        from bot.answer.evidence import TermStats

        # Grouped by document too: whether a document names what a question names is asked often.
        return TermStats(self.chunk_texts, groups=[doc for doc, _ in self._chunk_texts_by_doc])

    @cached_property
    def answerer(self):
        from bot.answer.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(self.term_stats, doc_chunks=self.chunk_payloads)

    def chunk_payloads(self, doc_id: str) -> list[dict]:
        """A document's chunks with its metadata, shaped like search-hit payloads."""
        doc = self.ledger.document(doc_id)
        if not doc:
            return []
        record = doc["record"]
        keep = {k: record.get(k) for k in ("title", "number", "doc_type", "issuer", "province", "date", "signer")}
        return [{**keep, **c} for c in doc["chunks"]]

    @cached_property
    def sessions(self):
        from bot.answer.conversation import SessionStore

        s = self.settings
        return SessionStore(ttl_seconds=s.session_ttl_seconds, max_sessions=s.max_sessions)

    @cached_property
    def generator(self):
        """The optional LLM (None unless ASEANBOT_LLM_URL is set)."""
        if not self.settings.llm_url:
            return None
        from bot.answer.llm import LLMGenerator

        return LLMGenerator.from_settings(self.settings, self.embedder)

    @cached_property
    def chat(self):
        from bot.answer.chat import ChatService

        from ingest.task_table import cached_task_table

        return ChatService(self.retriever, self.answerer, self.sessions, self.generator,
                           tasks=lambda: cached_task_table(self.ledger),
                           records=lambda: {r["doc_id"]: r for r in self.ledger.records()},
                           doc_text=lambda doc_id: (self.ledger.document(doc_id) or {}).get("text", ""))

    def warm_up(self) -> None:
        """Load what answering needs (model, statistics, restorer, task table) before serving."""
        if not self.ledger.records():
            return
        self.chat.ask("Đơn vị nào chủ trì?", None, use_llm=False)
        self.chat.tasks()

    def refresh(self) -> None:
        """Forget what is derived from the indexed documents (statistics, restorer, answerer),
        after an ingest in this process; sessions, the store and the model stay."""
        for name in ("_chunk_texts_by_doc", "chunk_texts", "term_stats", "restorer", "retriever", "answerer", "chat"):
            self.__dict__.pop(name, None)

    def indexer(self, on_progress=None):
        from index.indexer import Indexer

        return Indexer(self.store, self.embedder, self.lexical, on_progress=on_progress)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
