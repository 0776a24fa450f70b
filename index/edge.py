"""The embedded backend: one Qdrant Edge shard in a folder (``qdrant-edge-py`` 0.9.0, beta).

Every ``qdrant_edge`` class stays inside this module, so an API change in the beta touches
nothing else.

Facts this module relies on (measured with 0.9.0, see ``/work/shared/notes/vector-store.md``):

- An open shard holds an exclusive, non-blocking ``flock`` on ``<path>/wal``: a second
  ``EdgeShard.load`` of the same folder fails at once, from another process *and* from the same
  process, until the first is closed (or garbage-collected, or its process dies). There is no
  read-only open; a shard created with ``wal_enabled=False`` takes no lock, but a second handle
  then fails or loses writes while the first one writes, so we keep the WAL.
- Writes sit in the WAL until ``flush()``; a reopen replays the WAL (even after ``kill -9``),
  but we flush after every write call anyway so the segments on disk are current.
- HNSW is built only by ``optimize()`` (after a bulk ingest, see :meth:`EdgeStore.optimize`)
  and only above Qdrant's indexing threshold. On random data the graph cut dense recall hard;
  on real e5 vectors of the scale corpus, recall@60 against exact search was 0.997 at the
  default ef and 0.999 at ef 256, so searches ask for ef 256.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from index.store import (
    DENSE,
    FILTER_FIELDS,
    LEXICAL,
    Hit,
    Point,
    Query,
    SparseVector,
    StoreLockedError,
    normalize_filters,
    resolve_mode,
    weighted_rrf,
)

# Upserts are split so one call never builds a huge Rust-side batch from Python objects.
_BATCH = 512
_SCROLL_PAGE = 1024
_FACET_LIMIT = 10_000_000  # more than any store holds documents
_CONFIG_FILE = "edge_config.json"
# The HNSW beam for dense searches (ignored by a segment without a graph): see optimize().
_HNSW_EF = 256
_DENSE_PARAMS = qe.SearchParams(hnsw_ef=_HNSW_EF)


def _index_schema(name: str) -> qe.PayloadSchemaType:
    return qe.PayloadSchemaType.Integer if name == "year" else qe.PayloadSchemaType.Keyword


def _edge_filter(filters: dict[str, Any] | None) -> qe.Filter | None:
    conditions: list[Any] = []
    for name, values in normalize_filters(filters).items():
        match = qe.MatchValue(values[0]) if len(values) == 1 else qe.MatchAny(values)
        conditions.append(qe.FieldCondition(name, match=match))
    return qe.Filter(must=conditions) if conditions else None


def _sparse(v: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(list(v.indices), [float(x) for x in v.values])


def _hits(points: list[Any]) -> list[Hit]:
    return [Hit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in points]


class EdgeStore:
    """A ``VectorStore`` on a Qdrant Edge shard at ``path``.

    Opening an existing shard takes its folder lock (``StoreLockedError`` if another store holds
    it); a missing shard is created by ``ensure_collection``. Until then reads return nothing.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._shard: qe.EdgeShard | None = None
        if (self.path / _CONFIG_FILE).exists():
            self._shard = self._load()
            self._ensure_indexes()

    # -- lifecycle -----------------------------------------------------------------------

    def _load(self) -> qe.EdgeShard:
        try:
            return qe.EdgeShard.load(str(self.path))
        except Exception as exc:  # the binding raises a bare Exception
            if "WouldBlock" in str(exc):
                raise StoreLockedError(
                    f"{self.path} is open in another store (the server or another command); "
                    "Qdrant Edge allows one open shard per folder"
                ) from exc
            raise

    def ensure_collection(self, dim: int) -> None:
        if self._shard is None:
            config = qe.EdgeConfig(
                vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
                sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            )
            self.path.mkdir(parents=True, exist_ok=True)
            self._shard = qe.EdgeShard.create(str(self.path), config)
            self._ensure_indexes()
            self._shard.flush()
            return
        existing = self.dim()
        if existing is not None and existing != dim:
            raise ValueError(f"{self.path} holds {existing}-d vectors, not {dim}-d; re-index into a new home")

    def dim(self) -> int | None:
        """The dense size on disk, or None before the shard exists."""
        try:
            config = json.loads((self.path / _CONFIG_FILE).read_text())
            return int(config["vectors"][DENSE]["size"])
        except (OSError, KeyError, ValueError, TypeError):
            return None

    def _ensure_indexes(self) -> None:
        shard = self._require()
        have = set(shard.info().payload_schema)
        for name in FILTER_FIELDS:
            if name not in have:
                shard.update(qe.UpdateOperation.create_field_index(name, _index_schema(name)))

    def _require(self) -> qe.EdgeShard:
        if self._shard is None:
            raise RuntimeError(f"no collection at {self.path}: call ensure_collection(dim) first")
        return self._shard

    def optimize(self) -> None:
        """Merge what was written into one optimised segment, after a bulk ingest.

        Writes land in an appendable segment that keeps every vector and its sparse inverted
        index in RAM and rebuilds that index on every load (at 62k chunks: 1.7 s and ~730 MB).
        The optimised segment keeps its indexes on disk: it loads in ~0.5 s with about half the
        memory, and above Qdrant's indexing threshold (~10 MB of vectors) the dense vectors get
        an HNSW graph, searched with ``_HNSW_EF`` (recall@60 0.999 against exact search on the
        scale corpus's own vectors; exact search took 5 ms there, the graph under 1 ms)."""
        if self._shard is not None:
            self._shard.optimize()
            self._shard.flush()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.flush()
            self._shard.close()
            self._shard = None

    def __enter__(self) -> EdgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes --------------------------------------------------------------------------

    def upsert(self, points: list[Point]) -> None:
        shard = self._require()
        for start in range(0, len(points), _BATCH):
            batch = [
                qe.Point(
                    str(uuid.UUID(p.id)),
                    {DENSE: [float(x) for x in p.dense], LEXICAL: _sparse(p.sparse)},
                    p.payload,
                )
                for p in points[start : start + _BATCH]
            ]
            shard.update(qe.UpdateOperation.upsert_points(batch))
        shard.flush()

    def delete(self, ids: list[str]) -> None:
        if not ids:
            return
        shard = self._require()
        shard.update(qe.UpdateOperation.delete_points([str(uuid.UUID(i)) for i in ids]))
        shard.flush()

    def delete_where(self, field: str, value: Any) -> None:
        flt = _edge_filter({field: value})
        if self._shard is None or flt is None:
            return
        self._shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
        self._shard.flush()

    def set_payload_where(self, field: str, value: Any, payload: dict[str, Any]) -> None:
        """Set payload keys on every point matching ``field == value`` (vectors untouched)."""
        flt = _edge_filter({field: value})
        if self._shard is None or flt is None:
            return
        self._shard.update(qe.UpdateOperation.set_payload_by_filter(flt, payload))
        self._shard.flush()

    # -- reads ---------------------------------------------------------------------------

    def search(self, query: Query) -> list[Hit]:
        if self._shard is None:
            return []
        mode = resolve_mode(query)
        flt = _edge_filter(query.filters)
        dense = self._prefetch_query(query, DENSE)
        lexical = self._prefetch_query(query, LEXICAL)
        if mode != "hybrid":
            single = dense if mode == "dense" else lexical
            if single is None:
                return []
            params = _DENSE_PARAMS if mode == "dense" else None
            return _hits(self._shard.query(qe.QueryRequest(limit=query.k, query=single, filter=flt, with_payload=True,
                                                           params=params)))
        if query.fusion == "wrrf":
            # Two plain searches in one call, fused here: Edge's own weighted RRF has a
            # different curve (see Query.fusion). Payloads are fetched for the fused top k
            # only: converting 2 x prefetch_k payloads to Python cost more than both searches.
            lists = self._shard.query_batch(
                qe.QueryBatchRequest(
                    [
                        qe.QueryRequest(limit=query.prefetch_k, query=q, filter=flt, with_payload=False, params=p)
                        for q, p in ((dense, _DENSE_PARAMS), (lexical, None))
                    ]
                )
            )
            fused = weighted_rrf([_hits(r) for r in lists], query.rrf_k, query.weights, query.k)
            records = self._shard.retrieve([h.id for h in fused], with_payload=True, with_vector=False)
            payloads = {str(r.id): dict(r.payload or {}) for r in records}
            return [Hit(id=h.id, score=h.score, payload=payloads.get(h.id, {})) for h in fused]
        # The top-level filter also applies inside the prefetches (checked), so each list holds
        # prefetch_k matching candidates, not prefetch_k candidates of which few match.
        prefetches = [qe.Prefetch(limit=query.prefetch_k, query=q, params=p)
                      for q, p in ((dense, _DENSE_PARAMS), (lexical, None))]
        request = qe.QueryRequest(
            limit=query.k, prefetches=prefetches, query=self._fusion(query), filter=flt, with_payload=True
        )
        return _hits(self._shard.query(request))

    @staticmethod
    def _prefetch_query(query: Query, using: str) -> Any:
        if using == DENSE:
            return None if query.dense is None else qe.Query.Nearest([float(x) for x in query.dense], using=DENSE)
        if query.sparse is None or not query.sparse.indices:
            return None
        return qe.Query.Nearest(_sparse(query.sparse), using=LEXICAL)

    @staticmethod
    def _fusion(query: Query) -> Any:
        weights = list(query.weights) if query.weights is not None else None
        if query.fusion == "rrf":
            return qe.Fusion.Rrf(k=query.rrf_k, weights=weights)
        if query.fusion == "dbsf":
            return qe.Fusion.Dbsf()
        if query.fusion == "linear":
            w_dense, w_lexical = weights or [1.0, 1.0]
            e = qe.Expression
            formula = e.Sum(
                [
                    e.Mult([e.Constant(w_dense), e.Variable("$score[0]")]),
                    e.Mult([e.Constant(w_lexical), e.Variable("$score[1]")]),
                ]
            )
            return qe.Formula(formula, defaults={"$score[0]": 0.0, "$score[1]": 0.0})
        raise ValueError(f"unknown fusion {query.fusion!r}")

    def payloads(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if self._shard is None:
            return []
        flt = _edge_filter(filters)
        out: list[dict[str, Any]] = []
        offset: Any = None
        while True:
            records, offset = self._shard.scroll(
                qe.ScrollRequest(offset=offset, limit=_SCROLL_PAGE, filter=flt, with_payload=True, with_vector=False)
            )
            out.extend(dict(r.payload or {}) for r in records)
            if offset is None:
                return out

    def count(self, filters: dict[str, Any] | None = None) -> int:
        if self._shard is None:
            return 0
        return int(self._shard.count(qe.CountRequest(filter=_edge_filter(filters), exact=True)))

    def doc_ids(self) -> dict[str, int]:
        if self._shard is None:
            return {}
        # A facet on the indexed doc_id field counts in one call, without reading payloads.
        response = self._shard.facet(qe.FacetRequest("doc_id", limit=_FACET_LIMIT, exact=True))
        # A deleted document can stay in the index with a count of 0.
        return {str(h.value): int(h.count) for h in response.hits if h.count}
