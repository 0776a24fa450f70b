"""Parsed documents → points in the vector store (the ingest pipeline's sink).

A changed document's new chunks are written before its old ones are deleted, so a search
running during ingest always finds a complete version of every document.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.lexical import LexicalEncoder
from index.store import Point, VectorStore, point_id
from ingest.chunks import Chunk
from ingest.pipeline import ParsedDocument


def chunk_payload(chunk: Chunk, doc: ParsedDocument) -> dict:
    meta = doc.meta
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "source": chunk.source,
        "title": meta.title,
        "number": meta.number,
        "doc_type": meta.doc_type,
        "issuer": meta.issuer,
        "province": meta.province,
        "date": meta.date,
        "year": meta.year,
        # The store filters every read on it (index/access.py): who may be answered from this chunk.
        "level": meta.level,
        "section": chunk.section,
        "kind": chunk.kind,
        "page": chunk.page,
        "page_end": chunk.page_end,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "text": chunk.text,
        "context": chunk.context,
        "assignments": chunk.assignments,
        "page_map": chunk.page_map,
    }


class Indexer:
    """Embeds chunks (dense + lexical) and keeps the store in step with the ledger."""

    def __init__(
        self,
        store: VectorStore,
        embedder: BaseEmbedding,
        lexical: LexicalEncoder,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.on_progress = on_progress
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            dim = len(self.embedder.get_query_embedding("ping"))
            self.store.ensure_collection(dim)
            self._ready = True

    def points(self, doc: ParsedDocument, batch_size: int = 32) -> list[Point]:
        texts = [c.index_text for c in doc.chunks]
        # The lexical vectors (Python) are built on a second thread while the encoder (native
        # code, GIL released) embeds: its serial stretches leave a core to them.
        with ThreadPoolExecutor(1, thread_name_prefix="aseanbot-lexical") as pool:
            sparse = pool.submit(lambda: [self.lexical.encode_document(t) for t in texts])
            dense = self._dense(texts, batch_size)
            lexical = sparse.result()
        return [
            Point(id=point_id(c.chunk_id), dense=vec, sparse=lex, payload=chunk_payload(c, doc))
            for c, vec, lex in zip(doc.chunks, dense, lexical)
        ]

    def _dense(self, texts: list[str], batch_size: int) -> list[list[float]]:
        bulk = getattr(self.embedder, "embed_passages", None)
        if bulk is not None:
            # The whole document in one call: the encoder sorts its chunks by length and cuts
            # batches by a token budget (index/embeddings.py), up to 256 rows of short ones.
            return bulk(texts, batch_size=max(batch_size, 256), progress=self.on_progress, bulk=True).tolist()
        dense: list[list[float]] = []
        for i in range(0, len(texts), batch_size):
            dense.extend(self.embedder.get_text_embedding_batch(texts[i : i + batch_size]))
            if self.on_progress:
                self.on_progress(min(i + batch_size, len(texts)), len(texts))
        return [list(map(float, vec)) for vec in dense]

    def replace(self, doc: ParsedDocument) -> None:
        self._ensure()
        old_ids = {p["chunk_id"] for p in self.store.payloads({"doc_id": doc.doc_id})}
        points = self.points(doc)
        self.store.upsert(points)
        stale = old_ids - {c.chunk_id for c in doc.chunks}
        if stale:
            self.store.delete([point_id(cid) for cid in stale])

    def remove(self, doc_id: str) -> None:
        # No _ensure(): a store without the collection holds nothing to remove, and removing
        # must not load the model.
        self.store.delete_where("doc_id", doc_id)

    def doc_ids(self) -> dict[str, int]:
        return self.store.doc_ids()
