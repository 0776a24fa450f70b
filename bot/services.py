"""The product's components, built lazily from one Settings, shared by the CLI and the API.

Nothing is loaded until first used: `aseanbot ingest` on unchanged files never loads the model.
"""
from __future__ import annotations

from functools import cached_property

from bot.settings import Settings


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

        return Retriever(self.store, self.embedder, self.lexical)

    @cached_property
    def ledger(self):
        from ingest.pipeline import Ledger

        return Ledger(self.settings.state_dir)

    def indexer(self, on_progress=None):
        from index.indexer import Indexer

        return Indexer(self.store, self.embedder, self.lexical, on_progress=on_progress)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
