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

        return get_embedding(self.settings.embed_model, self.settings.models_dir,
                             query_encoder=self.settings.query_encoder)

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
        def doc_numbers() -> dict[str, str]:
            # Built once per ledger version: a question must not walk every document.
            cached = self.__dict__.get("_doc_numbers")
            if cached is None or cached[0] != self.ledger.version:
                numbers = {fold_accents(r["number"]).lower(): r["doc_id"] for r in self.ledger.records() if r.get("number")}
                cached = self.__dict__["_doc_numbers"] = (self.ledger.version, numbers)
            return cached[1]

        retriever.doc_numbers = doc_numbers
        retriever.asked_part = asked_part
        retriever.doc_part = lambda doc_id, part: [s.payload for s in find_part(self.chunk_payloads(doc_id), part)]
        return retriever

    @cached_property
    def restorer(self):
        from bot.derived import chunk_texts
        from index.restore import DiacriticRestorer

        return self._derived("restorer", lambda: DiacriticRestorer(t for _, t in chunk_texts(self.ledger)))

    def _derived(self, name: str, build):
        """A statistic of every chunk, saved with the index for this ledger state (bot/derived.py):
        a server starts without reading every document again."""
        from ingest.saved import ledger_fingerprint, load_or_build

        return load_or_build(self.settings.state_dir / "derived" / f"{name}.pickle", ledger_fingerprint(self.ledger), build)

    @cached_property
    def ledger(self):
        from ingest.pipeline import Ledger

        return Ledger(self.settings.state_dir)

    @cached_property
    def term_stats(self):
        """Document frequencies over every indexed chunk, for evidence coverage."""
        from bot.answer.evidence import TermStats, terms
        from bot.derived import DocTerms, chunk_texts

        stats = self._derived("term_stats", lambda: TermStats(t for _, t in chunk_texts(self.ledger)))
        # Whether a document names what a question names is asked often: each document's terms,
        # computed on first use, the recent ones kept (every document's at once would be ~1 GB
        # at the scale corpus's size).
        stats.group_terms = DocTerms(self.chunk_payloads, terms, folder=self.settings.state_dir / "derived" / "terms",
                                     version=lambda doc_id: (self.ledger.record(doc_id) or {}).get("sha256"))
        return stats

    @cached_property
    def answerer(self):
        from bot.answer.extractive import ExtractiveAnswerer

        # The verifier compares the question's meaning with each candidate sentence's (e5).
        return ExtractiveAnswerer(self.term_stats, doc_chunks=self.chunk_payloads,
                                  embed=lambda texts: self.embedder.embed_passages(texts),
                                  embed_query=lambda question: self.embedder.get_query_embedding(question))

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

        return LLMGenerator.from_settings(self.settings, self.embedder, answerer=self.answerer)

    @cached_property
    def chat(self):
        from bot.answer.chat import ChatService

        from ingest.task_table import cached_task_table

        return ChatService(self.retriever, self.answerer, self.sessions, self.generator,
                           tasks=lambda: cached_task_table(self.ledger),
                           records=lambda: self.ledger.by_doc(),
                           doc_text=lambda doc_id: (self.ledger.document(doc_id) or {}).get("text", ""))

    def warm_up(self) -> None:
        """Load what answering needs (model, statistics, restorer, task table) before serving."""
        self.reconcile()
        if not self.ledger.records():
            return
        self.chat.ask("Đơn vị nào chủ trì?", None, use_llm=False)
        self.chat.tasks()

    def prepare(self) -> None:
        """Build and save what answering derives from every document (evidence statistics,
        diacritic restorer, task table), after an ingest: the next server start loads them
        instead of reading every document again."""
        from ingest.task_table import cached_task_table

        if not self.ledger.records():
            return
        from index.access import LedgerView
        from ingest.levels import LEVELS

        _ = self.restorer
        for record in self.ledger.records():  # each document's term set, read by the follow-up catalog
            self.term_stats.group_terms.get(record["doc_id"])
        # The tables requests read: each access level's view (one table when they see the same).
        for level in LEVELS:
            cached_task_table(LedgerView(self.ledger, level))

    def reconcile(self) -> list:
        """Bring the store back in line with the ledger after a crash (kill -9 mid-ingest or
        mid-upload): chunks no ledger entry knows are removed, documents whose chunks are
        missing are parsed and indexed again. Returns the report rows (empty when all agreed)."""
        from ingest.pipeline import IngestReport, ingest, parse_budget, reconcile
        from ingest.sources import Roots

        s = self.settings
        roots = Roots(s.corpus, s.uploads_dir)
        report = IngestReport()
        sink = self.indexer()
        stale = reconcile(self.ledger, sink, roots, report)
        if stale:
            paths = [p for p in (roots.readable(source) for source in sorted(stale)) if p is not None]
            report.rows += ingest(paths, corpus_root=s.corpus, uploads_root=s.uploads_dir, ledger=self.ledger,
                                  sink=sink, max_bytes=s.max_file_mb * 1024 * 1024, ocr=s.ocr,
                                  budget=parse_budget(s)).rows
            for source in stale:  # chunks incomplete and no file to parse again: not a document any more
                if source in self.ledger.entries and roots.readable(source) is None:
                    sink.remove(self.ledger.entries[source]["doc_id"])
                    self.ledger.drop(source)
        if report.rows:
            self.refresh()
        return report.rows

    def refresh(self) -> None:
        """Forget what is derived from the indexed documents (statistics, restorer, answerer),
        after an ingest in this process; sessions, the store and the model stay."""
        for name in ("term_stats", "restorer", "retriever", "answerer", "generator", "chat"):
            self.__dict__.pop(name, None)

    def indexer(self, on_progress=None):
        from index.indexer import Indexer

        self._check_vector_space()
        return Indexer(self.store, self.embedder, self.lexical, on_progress=on_progress)

    def _check_vector_space(self) -> None:
        """One index, one encoder: when the configured encoder is not the one that embedded the
        index (int8 e5-small after fp32, or another model folder), every document counts as
        changed, so this ingest embeds it again (new vectors written before old ones go)."""
        import json

        from index.embeddings import vector_space

        marker = self.settings.state_dir / "vectors.json"
        want = vector_space(self.settings.embed_model)
        try:
            have = json.loads(marker.read_text())["space"]
        except (OSError, ValueError, KeyError):
            # Indexes from before this marker were all embedded by fp32 e5-small.
            have = vector_space("e5-small-fp32") if self.ledger.entries else want
        if have != want:
            for entry in self.ledger.entries.values():
                entry["parser_version"] = None  # the ledger's own "re-parse me" signal
            self.ledger.save()
        if have != want or not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"space": want}))

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
