"""The scale-out backend: a Qdrant server or cluster through ``qdrant-client``.

Same schema as the embedded shard (named dense ``dense`` cosine, named sparse ``lexical`` with
the IDF modifier, keyword/integer payload indexes on the filter fields), same Query API
(prefetch + fusion), so results match the embedded store's.

``path=`` opens qdrant-client's local mode instead: a pure-Python imitation of the server that
ignores payload indexes and scans sparse vectors in Python. It is here only so the tests can run
the server code path on a machine without a Qdrant server; never ship it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient, models

from index.store import (
    DENSE,
    FILTER_FIELDS,
    LEXICAL,
    Hit,
    Point,
    Query,
    SparseVector,
    normalize_filters,
    resolve_mode,
    weighted_rrf,
)

_SCROLL_PAGE = 1024
_FACET_LIMIT = 10_000_000  # more than any store holds documents


def _server_filter(filters: dict[str, Any] | None) -> models.Filter | None:
    conditions: list[models.Condition] = []
    for name, values in normalize_filters(filters).items():
        match: models.MatchValue | models.MatchAny = (
            models.MatchValue(value=values[0]) if len(values) == 1 else models.MatchAny(any=values)
        )
        conditions.append(models.FieldCondition(key=name, match=match))
    return models.Filter(must=conditions) if conditions else None


def _sparse(v: SparseVector) -> models.SparseVector:
    return models.SparseVector(indices=list(v.indices), values=[float(x) for x in v.values])


def _hits(points: list[models.ScoredPoint]) -> list[Hit]:
    return [Hit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in points]


class ServerStore:
    """A ``VectorStore`` on one collection of a Qdrant server (``url``) or, for tests only, of
    qdrant-client's local mode (``path``). ``shard_number`` and ``replication_factor`` apply when
    this store creates the collection (cluster deployments); an existing collection keeps its own.

    ``large=True`` creates the collection for a corpus past what RAM should hold (README,
    "Scaling out"): dense vectors on disk with an int8 scalar-quantised copy in RAM, HNSW m=16 /
    ef_construct=128, payloads on disk; searches then read the quantised copy (hnsw_ef=128) and
    rescore 2x the candidates with the exact vectors.
    """

    def __init__(
        self,
        url: str | None,
        api_key: str | None,
        collection: str,
        *,
        path: Path | None = None,
        shard_number: int | None = None,
        replication_factor: int | None = None,
        batch_size: int = 256,
        timeout: int = 60,
        large: bool = False,
    ):
        if (url is None) == (path is None):
            raise ValueError("give exactly one of url (a Qdrant server) or path (local mode, tests only)")
        self._local = path is not None
        self.client = (
            QdrantClient(path=str(path)) if path is not None else QdrantClient(url=url, api_key=api_key, timeout=timeout)
        )
        self.collection = collection
        self.shard_number = shard_number
        self.replication_factor = replication_factor
        self.batch_size = batch_size
        self.large = large
        # Exact vectors rescore the quantised search's candidates (ignored without quantisation).
        self._dense_params = models.SearchParams(
            hnsw_ef=128, quantization=models.QuantizationSearchParams(rescore=True, oversampling=2.0)) if large else None
        self._ready = self.client.collection_exists(collection)

    def ensure_collection(self, dim: int) -> None:
        if not self._ready and not self.client.collection_exists(self.collection):
            large = {}
            if self.large:
                large = {
                    "quantization_config": models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                        type=models.ScalarType.INT8, quantile=0.99, always_ram=True)),
                    "hnsw_config": models.HnswConfigDiff(m=16, ef_construct=128),
                    "on_disk_payload": True,
                }
            self.client.create_collection(
                self.collection,
                vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE,
                                                           on_disk=True if self.large else None)},
                sparse_vectors_config={LEXICAL: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                shard_number=self.shard_number,
                replication_factor=self.replication_factor,
                **large,
            )
            # Local mode has no payload indexes and warns on every call, so only a server gets them.
            if not self._local:
                for name in FILTER_FIELDS:
                    schema = models.PayloadSchemaType.INTEGER if name == "year" else models.PayloadSchemaType.KEYWORD
                    self.client.create_payload_index(self.collection, name, field_schema=schema, wait=True)
            self._ready = True
            return
        self._ready = True
        existing = self.dim()
        if existing is not None and existing != dim:
            raise ValueError(f"collection {self.collection} holds {existing}-d vectors, not {dim}-d")

    def dim(self) -> int | None:
        if not self.client.collection_exists(self.collection):
            return None
        vectors = self.client.get_collection(self.collection).config.params.vectors
        if isinstance(vectors, dict) and DENSE in vectors:
            return int(vectors[DENSE].size)
        return None

    def optimize(self) -> None:
        return None  # a server's optimizers run on their own

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ServerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes --------------------------------------------------------------------------

    def upsert(self, points: list[Point]) -> None:
        for start in range(0, len(points), self.batch_size):
            batch = [
                models.PointStruct(
                    id=p.id,
                    vector={DENSE: [float(x) for x in p.dense], LEXICAL: _sparse(p.sparse)},
                    payload=p.payload,
                )
                for p in points[start : start + self.batch_size]
            ]
            self.client.upsert(self.collection, points=batch, wait=True)

    def delete(self, ids: list[str]) -> None:
        if ids and self._ready:
            self.client.delete(self.collection, points_selector=models.PointIdsList(points=list(ids)), wait=True)

    def delete_where(self, field: str, value: Any) -> None:
        flt = _server_filter({field: value})
        if flt is not None and self._ready:
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=flt), wait=True)

    def set_payload_where(self, field: str, value: Any, payload: dict[str, Any]) -> None:
        """Set payload keys on every point matching ``field == value`` (vectors untouched)."""
        flt = _server_filter({field: value})
        if flt is not None and self._ready:
            self.client.set_payload(self.collection, payload=payload, points=models.FilterSelector(filter=flt), wait=True)

    # -- reads ---------------------------------------------------------------------------

    def search(self, query: Query) -> list[Hit]:
        if not self._ready:
            return []
        mode = resolve_mode(query)
        flt = _server_filter(query.filters)
        dense = None if query.dense is None else [float(x) for x in query.dense]
        sparse = None if query.sparse is None or not query.sparse.indices else _sparse(query.sparse)
        if mode == "dense" or mode == "lexical":
            vector = dense if mode == "dense" else sparse
            if vector is None:
                return []
            using = DENSE if mode == "dense" else LEXICAL
            res = self.client.query_points(
                self.collection, query=vector, using=using, query_filter=flt, limit=query.k, with_payload=True,
                search_params=self._dense_params if mode == "dense" else None,
            )
            return _hits(res.points)
        if query.fusion == "wrrf":
            requests = [
                models.QueryRequest(query=v, using=u, filter=flt, limit=query.prefetch_k, with_payload=True,
                                    params=self._dense_params if u == DENSE else None)
                for v, u in ((dense, DENSE), (sparse, LEXICAL))
            ]
            lists = self.client.query_batch_points(self.collection, requests=requests)
            return weighted_rrf([_hits(r.points) for r in lists], query.rrf_k, query.weights, query.k)
        # Qdrant applies the top-level filter inside the prefetches as well.
        prefetch = [
            models.Prefetch(query=dense, using=DENSE, limit=query.prefetch_k, params=self._dense_params),
            models.Prefetch(query=sparse, using=LEXICAL, limit=query.prefetch_k),
        ]
        res = self.client.query_points(
            self.collection,
            prefetch=prefetch,
            query=self._fusion(query),
            query_filter=flt,
            limit=query.k,
            with_payload=True,
        )
        return _hits(res.points)

    @staticmethod
    def _fusion(query: Query) -> models.RrfQuery | models.FusionQuery | models.FormulaQuery:
        weights = list(query.weights) if query.weights is not None else None
        if query.fusion == "rrf":
            return models.RrfQuery(rrf=models.Rrf(k=query.rrf_k, weights=weights))
        if query.fusion == "dbsf":
            return models.FusionQuery(fusion=models.Fusion.DBSF)
        if query.fusion == "linear":
            w_dense, w_lexical = weights or [1.0, 1.0]
            return models.FormulaQuery(
                formula=models.SumExpression(
                    sum=[
                        models.MultExpression(mult=[w_dense, "$score[0]"]),
                        models.MultExpression(mult=[w_lexical, "$score[1]"]),
                    ]
                ),
                defaults={"$score[0]": 0.0, "$score[1]": 0.0},
            )
        raise ValueError(f"unknown fusion {query.fusion!r}")

    def payloads(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if not self._ready:
            return []
        flt = _server_filter(filters)
        out: list[dict[str, Any]] = []
        offset: Any = None
        while True:
            records, offset = self.client.scroll(
                self.collection, scroll_filter=flt, limit=_SCROLL_PAGE, offset=offset, with_payload=True, with_vectors=False
            )
            out.extend(dict(r.payload or {}) for r in records)
            if offset is None:
                return out

    def count(self, filters: dict[str, Any] | None = None) -> int:
        if not self._ready:
            return 0
        return int(self.client.count(self.collection, count_filter=_server_filter(filters), exact=True).count)

    def doc_ids(self) -> dict[str, int]:
        if not self._ready:
            return {}
        # A facet on the indexed doc_id field counts in one call, without reading payloads.
        response = self.client.facet(self.collection, key="doc_id", limit=_FACET_LIMIT, exact=True)
        # A deleted document can stay in the index with a count of 0.
        return {str(h.value): int(h.count) for h in response.hits if h.count}
