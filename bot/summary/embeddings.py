"""Passage and query embeddings for the summarizer, unit length, cached per text in the process.

The same plans are summarised again and again (the HTTP route, the CLI, the benchmark), so a
statement's vector is kept (least recently used first out) instead of re-encoded each time.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

import numpy as np

from bot.summary.statements import _Stmt


_EMB_CACHE: "OrderedDict[tuple[int, str], np.ndarray]" = OrderedDict()
_EMB_LOCK = threading.Lock()
_EMB_CACHE_MAX = 50_000


def _embed(embedder, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Unit-length passage embeddings, cached per text: the same plans are summarised again and again."""
    key = id(embedder)
    out: list[np.ndarray | None] = []
    todo: list[str] = []
    with _EMB_LOCK:
        for t in texts:
            v = _EMB_CACHE.get((key, t))
            if v is not None:
                _EMB_CACHE.move_to_end((key, t))
            out.append(v)
            if v is None:
                todo.append(t)
    todo = list(dict.fromkeys(todo))
    fresh: dict[str, np.ndarray] = {}
    step = 32
    for i in range(0, len(todo), step):
        batch = todo[i:i + step]
        vecs = np.asarray(embedder.get_text_embedding_batch(batch), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        fresh.update(zip(batch, vecs))
        if on_batch:
            on_batch(len(batch))
    with _EMB_LOCK:
        for t, v in fresh.items():
            _EMB_CACHE[(key, t)] = v
        while len(_EMB_CACHE) > _EMB_CACHE_MAX:
            _EMB_CACHE.popitem(last=False)
    dim = next((v.shape[0] for v in list(fresh.values()) + [o for o in out if o is not None]), 384)
    return np.stack([o if o is not None else fresh.get(t, np.zeros(dim, np.float32)) for o, t in zip(out, texts)]) \
        if texts else np.zeros((0, dim), np.float32)


def _query_vec(embedder, text: str) -> np.ndarray:
    v = np.asarray(embedder.get_query_embedding(text), dtype=np.float32)
    return v / (np.linalg.norm(v) + 1e-9)


def embed_statements(embedder, stmts: list[_Stmt], on_batch: Callable[[int], None] | None = None) -> None:
    """Set each statement's ``emb``: the unit-length embedding of its ``embed_text``."""
    vecs = _embed(embedder, [s.embed_text for s in stmts], on_batch)
    for s, v in zip(stmts, vecs):
        s.emb = v
