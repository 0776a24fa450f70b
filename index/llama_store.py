"""Any ``VectorStore`` as a llama-index vector store, so llama-index retrievers and query engines
run on the embedded shard or a Qdrant server alike (no llama-index integration for Qdrant Edge
exists).

Payload layout: the node's metadata at the top level (so filter fields such as ``doc_id`` and
``year`` are filterable), ``text`` with the node's raw text, and llama-index's own
``_node_content`` / ``_node_type`` / ``ref_doc_id`` keys to rebuild the node.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.schema import BaseNode, MetadataMode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    FilterCondition,
    FilterOperator,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict
from pydantic import PrivateAttr

from index.store import FusionName, Mode, Point, Query, SparseVector, VectorStore, point_id

# A node may carry its lexical vector here (a SparseVector or {"indices": [...], "values": [...]});
# it is taken out before the metadata becomes payload.
SPARSE_METADATA_KEY = "sparse_vector"
REF_DOC_KEY = "ref_doc_id"

_MODES: dict[VectorStoreQueryMode, Mode] = {
    VectorStoreQueryMode.DEFAULT: "dense",
    VectorStoreQueryMode.SPARSE: "lexical",
    VectorStoreQueryMode.HYBRID: "hybrid",
}


def _store_id(node_id: str) -> str:
    """Qdrant ids must be UUIDs; llama-index's usually are, chunk ids like "doc#3" are not."""
    try:
        return str(uuid.UUID(node_id))
    except ValueError:
        return point_id(node_id)


def _as_sparse(value: Any) -> SparseVector:
    if isinstance(value, SparseVector):
        return value
    return SparseVector(indices=list(value["indices"]), values=list(value["values"]))


def to_filters(filters: MetadataFilters | None) -> dict[str, Any]:
    """llama-index filters (EQ and IN, joined by AND) as our ``Query.filters``."""
    if filters is None:
        return {}
    if filters.condition not in (None, FilterCondition.AND) and len(filters.filters) > 1:
        raise NotImplementedError(f"only AND of filters is supported, not {filters.condition}")
    out: dict[str, Any] = {}
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            raise NotImplementedError("nested MetadataFilters are not supported")
        if f.key in out:
            raise NotImplementedError(f"two conditions on {f.key!r}")
        if f.operator == FilterOperator.EQ:
            out[f.key] = f.value
        elif f.operator == FilterOperator.IN:
            out[f.key] = list(f.value)  # type: ignore[arg-type]
        else:
            raise NotImplementedError(f"filter operator {f.operator} is not supported (EQ, IN are)")
    return out


class LlamaVectorStore(BasePydanticVectorStore):
    """Adapter from our ``VectorStore`` to llama-index.

    ``sparse_fn`` turns text into the lexical vector, for nodes without one in their metadata
    and for SPARSE / HYBRID queries; without it those queries fall back to dense. A query's
    ``alpha`` (1 = dense only, 0 = lexical only) becomes fusion weights ``(alpha, 1 - alpha)``.
    """

    stores_text: bool = True
    fusion: FusionName = "rrf"
    rrf_k: int = 60
    prefetch_k: int = 50

    _store: VectorStore = PrivateAttr()
    _sparse_fn: Callable[[str], SparseVector] | None = PrivateAttr(default=None)
    _dim_checked: bool = PrivateAttr(default=False)

    def __init__(
        self,
        store: VectorStore,
        sparse_fn: Callable[[str], SparseVector] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._store = store
        self._sparse_fn = sparse_fn

    @classmethod
    def class_name(cls) -> str:
        return "AseanbotVectorStore"

    @property
    def client(self) -> VectorStore:
        return self._store

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        points: list[Point] = []
        for node in nodes:
            embedding = node.get_embedding()
            metadata = dict(node.metadata)
            sparse_value = metadata.pop(SPARSE_METADATA_KEY, None)
            text = node.get_content(metadata_mode=MetadataMode.NONE)
            if sparse_value is not None:
                sparse = _as_sparse(sparse_value)
            elif self._sparse_fn is not None:
                sparse = self._sparse_fn(text)
            else:
                sparse = SparseVector([], [])
            clean = node.model_copy(update={"metadata": metadata})
            payload = node_to_metadata_dict(clean, remove_text=True)
            # llama-index writes the ref doc id into "doc_id"; our schema's doc_id is the
            # document's own id and filters depend on it.
            if "doc_id" in metadata:
                payload["doc_id"] = metadata["doc_id"]
            payload["text"] = text
            points.append(Point(id=_store_id(node.node_id), dense=list(embedding), sparse=sparse, payload=payload))
        if points and not self._dim_checked:
            self._store.ensure_collection(len(points[0].dense))
            self._dim_checked = True
        self._store.upsert(points)
        return [node.node_id for node in nodes]

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        self._store.delete_where(REF_DOC_KEY, ref_doc_id)

    def delete_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **delete_kwargs: Any,
    ) -> None:
        if filters is not None:
            raise NotImplementedError("delete_nodes by filters is not supported; use node_ids")
        self._store.delete([_store_id(i) for i in node_ids or []])

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        if query.mode not in _MODES:
            raise NotImplementedError(f"query mode {query.mode} is not supported")
        if query.node_ids:
            raise NotImplementedError("querying by node_ids is not supported")
        mode = _MODES[query.mode]
        filters = to_filters(query.filters)
        if query.doc_ids:
            filters[REF_DOC_KEY] = list(query.doc_ids)
        sparse = None
        if mode != "dense" and self._sparse_fn is not None and query.query_str:
            sparse = self._sparse_fn(query.query_str)
        if sparse is None:
            mode = "dense"
        k = query.similarity_top_k
        if mode == "hybrid" and query.hybrid_top_k:
            k = query.hybrid_top_k
        elif mode == "lexical" and query.sparse_top_k:
            k = query.sparse_top_k
        weights = None if query.alpha is None else (float(query.alpha), 1.0 - float(query.alpha))
        hits = self._store.search(
            Query(
                dense=query.query_embedding,
                sparse=sparse,
                k=k,
                mode=mode,
                filters=filters,
                prefetch_k=max(self.prefetch_k, query.similarity_top_k, query.sparse_top_k or 0),
                fusion=self.fusion,
                rrf_k=self.rrf_k,
                weights=weights,
            )
        )
        nodes = [metadata_dict_to_node(h.payload, text=h.payload.get("text")) for h in hits]
        return VectorStoreQueryResult(
            nodes=nodes, similarities=[h.score for h in hits], ids=[n.node_id for n in nodes]
        )
