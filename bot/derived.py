"""Corpus statistics that answering needs, kept beside the index so a server starts in seconds.

The evidence statistics (document frequency of every term over every chunk) and the diacritic
restorer are built from the text of every chunk: at the scale corpus's size (450 laws, ~45k
chunks) that is a minute or more on 2 cores, and the chunk texts themselves hundreds of MB. So
each is saved with the ledger's fingerprint (:mod:`ingest.saved`) and loaded when it matches;
otherwise built once, from the ledger's documents read one at a time, and saved.

A document's own term set ("does this document name what the question names") is not kept for
every document at once: :class:`DocTerms` computes it from the document's chunks once per version
of the document, saves it (``derived/terms/``), and keeps the most recently used ones in memory;
the follow-up catalog, which reads every document's set once, then loads instead of computing.
"""
from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterator

from ingest.saved import FORMAT, save


def chunk_texts(ledger: Any) -> Iterator[tuple[str, str]]:
    """(doc_id, context + text) of every chunk, one document in memory at a time."""
    for record in ledger.records():
        doc = ledger.document(record["doc_id"]) or {}
        for c in doc.get("chunks", []):
            yield record["doc_id"], f"{c.get('context', '')}\n{c['text']}"


class DocTerms:
    """doc_id → every term of the document (its chunks' text and context), computed on first
    use and saved under ``folder`` per document version (``version(doc_id)``, e.g. its content
    hash); the ``size`` most recently used documents are kept. Answers ``get`` like a dict."""

    def __init__(self, chunks_of: Callable[[str], list[dict]], terms: Callable[[str], set[str]], size: int = 64,
                 folder: Path | None = None, version: Callable[[str], str | None] | None = None):
        self.chunks_of, self.terms, self.size = chunks_of, terms, size
        self.folder, self.version = folder, version
        self._cache: OrderedDict[str, set[str]] = OrderedDict()
        self._lock = threading.Lock()

    def _file(self, doc_id: str) -> Path | None:
        stamp = self.version(doc_id) if self.version else None
        if self.folder is None or not stamp:
            return None
        return self.folder / f"{doc_id}.{hashlib.sha1(f'{FORMAT}:{stamp}'.encode()).hexdigest()[:16]}.pickle"

    def get(self, doc_id: str, default: Any = None) -> Any:
        with self._lock:
            found = self._cache.get(doc_id)
            if found is not None:
                self._cache.move_to_end(doc_id)
                return found
        path = self._file(doc_id)
        found = None
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    found = pickle.load(fh)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError):
                found = None
        if found is None:
            chunks = self.chunks_of(doc_id)
            if not chunks:
                return default
            found = set()
            for c in chunks:
                found |= self.terms(f"{c.get('context', '')}\n{c['text']}")
            if path is not None:
                save(path, found)
        with self._lock:
            self._cache[doc_id] = found
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return found
