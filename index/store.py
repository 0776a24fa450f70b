"""One vector-store schema, two backends: Qdrant Edge (embedded, default) and a Qdrant server.

Everything above this module speaks only these types, so swapping the embedded shard for a
Qdrant server or cluster (``ASEANBOT_QDRANT_URL``) changes no other code.

Schema: one collection, a named dense vector ``dense`` (cosine) and a named sparse vector
``lexical`` (IDF modifier, so BM25-style weights come from Qdrant's own statistics), and the
chunk's metadata as payload. Point ids are UUIDs derived from chunk ids.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

DENSE = "dense"
LEXICAL = "lexical"
# Payload fields that filters may use; indexed where the backend supports payload indexes.
# "level" is the access level (ingest/levels.py): index/access.py filters every read on it.
FILTER_FIELDS = ("doc_id", "doc_type", "issuer", "province", "year", "source", "level")

Mode = Literal["hybrid", "dense", "lexical"]
# How hybrid mode merges the dense and lexical candidate lists (see ``Query.fusion``).
FusionName = Literal["rrf", "wrrf", "dbsf", "linear"]


def point_id(chunk_id: str) -> str:
    """Stable UUID for a chunk id (Qdrant ids must be ints or UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aseanbot:{chunk_id}"))


@dataclass
class SparseVector:
    indices: list[int]
    values: list[float]


@dataclass
class Point:
    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict[str, Any]


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass
class Query:
    """A search request. ``filters`` maps a FILTER_FIELDS name to a value or a list of values
    (any of them matches)."""

    dense: list[float] | None = None
    sparse: SparseVector | None = None
    k: int = 10
    mode: Mode = "hybrid"
    filters: dict[str, Any] = field(default_factory=dict)
    # Candidates each prefetch hands to fusion.
    prefetch_k: int = 50
    # Hybrid only. "rrf": the engine's reciprocal rank fusion, 1 / (rrf_k + rank0); with
    # ``weights`` the engine's weighted form 1 / ((rank0 + 1) / w + rrf_k - 1), which at large
    # rrf_k makes a bigger weight *flatten* that list's ranking, so weights only behave as
    # expected with a small rrf_k. "wrrf": textbook weighted RRF, w / (rrf_k + rank0), computed
    # here over the two lists (equals "rrf" when both weights are 1). "dbsf": the engine's
    # distribution-based score fusion (each list's scores normalised by mean ± 3 sigma, then
    # summed; unweighted). "linear": the engine's formula w_dense * cosine + w_lexical * sparse
    # score (raw scores, 0 when a point is missing from a list).
    fusion: FusionName = "rrf"
    rrf_k: int = 60
    # (dense, lexical); None means equal.
    weights: tuple[float, float] | None = None


class StoreLockedError(RuntimeError):
    """The embedded store's folder is held by another open store (this or another process)."""


def resolve_mode(query: Query) -> Mode:
    """The mode a query can actually run: hybrid degrades to the side that has a vector, so a
    query whose words are all unknown to the lexical vocabulary still gets dense results."""
    has_dense = query.dense is not None
    has_sparse = query.sparse is not None and len(query.sparse.indices) > 0
    if query.mode == "hybrid":
        if has_dense and has_sparse:
            return "hybrid"
        return "dense" if has_dense else "lexical"
    return query.mode


def normalize_filters(filters: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Filters as field -> non-empty list of values. None and empty lists mean "no constraint"
    (an HTTP client sends [] for "nothing selected"); ``year`` is coerced to int because the
    payload stores it as an int and "2021" would silently match nothing."""
    out: dict[str, list[Any]] = {}
    for name, value in (filters or {}).items():
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        values = [v for v in values if v is not None]
        if not values:
            continue
        if name == "year":
            values = [int(v) for v in values]
        out[name] = values
    return out


def weighted_rrf(
    lists: list[list[Hit]], k: int, weights: tuple[float, ...] | None, limit: int
) -> list[Hit]:
    """Sum of w / (k + rank0) over the lists a hit appears in; rank0 is 0-based so that equal
    weights reproduce Qdrant's own RRF scores. Ties break by id for a stable order."""
    ws = weights or tuple(1.0 for _ in lists)
    if len(ws) != len(lists):
        raise ValueError("one weight per list")
    scores: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for w, hits in zip(ws, lists):
        for rank0, hit in enumerate(hits):
            scores[hit.id] = scores.get(hit.id, 0.0) + w / (k + rank0)
            first.setdefault(hit.id, hit)
    order = sorted(scores, key=lambda i: (-scores[i], i))[:limit]
    return [Hit(id=i, score=scores[i], payload=first[i].payload) for i in order]


class VectorStore(Protocol):
    def ensure_collection(self, dim: int) -> None: ...
    def upsert(self, points: list[Point]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...
    def delete_where(self, field: str, value: Any) -> None: ...
    def set_payload_where(self, field: str, value: Any, payload: dict[str, Any]) -> None: ...
    def search(self, query: Query) -> list[Hit]: ...
    def payloads(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def count(self, filters: dict[str, Any] | None = None) -> int: ...
    # Every doc_id with its number of points: how ingest finds what a crash left half-written.
    def doc_ids(self) -> dict[str, int]: ...
    def optimize(self) -> None: ...
    def close(self) -> None: ...
