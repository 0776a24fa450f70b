"""One behavioural suite for both vector-store backends: the embedded Qdrant Edge shard and the
server code path (run against qdrant-client's local mode, the only Qdrant server shape here)."""
from __future__ import annotations

import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.edge import EdgeStore
from index.server import ServerStore
from index.store import Point, Query, SparseVector, StoreLockedError, VectorStore, point_id

DIM = 16
N = 60
DOC_TYPES = ("ke-hoach", "quyet-dinh", "cong-van")
# Hand-made lexical terms, far above the random ones (< 500).
RARE, COMMON, ONLY_Y, EVERYWHERE = 10_000, 10_001, 10_002, 10_003


def _unit(v: np.ndarray) -> list[float]:
    return (v / np.linalg.norm(v)).tolist()


def _payload(i: int) -> dict:
    return {
        "chunk_id": f"c{i}",
        "doc_id": f"d{i % 6}",
        "doc_type": DOC_TYPES[i % 3],
        "issuer": "UBND" if i % 2 else "HĐND",
        "province": "Quảng Ninh" if i % 4 == 0 else "Hà Nội",
        "year": 2018 + i % 6,
        "source": f"asean/doc-{i % 6}.docx",
    }


def make_points(seed: int = 7) -> list[Point]:
    """N random unit vectors with a few random terms each, plus hand-made terms:
    RARE only in c0, COMMON in half the points (c1 with the highest raw weight), ONLY_Y in c2,
    EVERYWHERE in all."""
    rng = np.random.default_rng(seed)
    points = []
    for i in range(N):
        terms = {int(t): float(rng.uniform(0.1, 1.0)) for t in rng.choice(500, 6, replace=False)}
        terms[EVERYWHERE] = 1.0
        if i == 0:
            terms[RARE] = 1.0
        if i % 2 == 1:
            terms[COMMON] = 2.0 if i == 1 else 1.0
        if i == 2:
            terms[ONLY_Y] = 1.0
        idx = sorted(terms)
        points.append(
            Point(
                id=point_id(f"c{i}"),
                dense=_unit(rng.normal(size=DIM)),
                sparse=SparseVector(idx, [terms[t] for t in idx]),
                payload=_payload(i),
            )
        )
    return points


def open_backend(kind: str, path: Path) -> VectorStore:
    if kind == "edge":
        return EdgeStore(path / "edge")
    return ServerStore(None, None, "test", path=path / "local")


@pytest.fixture(params=["edge", "local"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(kind: str, tmp_path: Path) -> Iterator[VectorStore]:
    s = open_backend(kind, tmp_path)
    s.ensure_collection(DIM)
    s.upsert(make_points())
    yield s
    s.close()


@pytest.fixture(scope="module")
def points() -> list[Point]:
    return make_points()


def ids(hits: list) -> list[str]:
    return [h.id for h in hits]


def ranked(query: Query, hits: list) -> object:
    """What a search must keep when the store rebuilds its segments. Dense and lexical: the scores
    in order and the ids scored above the last one (hits tied on a score may swap places, and the
    last place may go to either of two tied hits). Hybrid: the first hit — its fused scores rest on
    the ranks within each list, and tied hits there may come in either order."""
    if query.mode == "hybrid":
        return hits[0].id if hits else None
    scores = [round(h.score, 6) for h in hits]
    return scores, {h.id for h in hits if scores and round(h.score, 6) > scores[-1]}


def brute_force_dense(points: list[Point], q: list[float], k: int) -> list[str]:
    m = np.array([p.dense for p in points])
    scores = m @ np.array(q)
    return [points[i].id for i in np.argsort(-scores)[:k]]


# -- basics ----------------------------------------------------------------------------


def test_empty_store_answers_without_collection(kind: str, tmp_path: Path) -> None:
    s = open_backend(kind, tmp_path)
    assert s.count() == 0
    assert s.search(Query(dense=[1.0] * DIM)) == []
    assert s.payloads() == []
    s.delete_where("doc_id", "d0")
    s.close()


def test_upsert_and_count(store: VectorStore) -> None:
    assert store.count() == N
    assert store.count({"doc_id": "d0"}) == 10
    store.ensure_collection(DIM)  # idempotent
    assert store.count() == N


def test_dimension_mismatch_is_refused(store: VectorStore) -> None:
    with pytest.raises(ValueError):
        store.ensure_collection(DIM + 1)


def test_dense_search_matches_brute_force(store: VectorStore, points: list[Point]) -> None:
    for i in (0, 17, 42):
        hits = store.search(Query(dense=points[i].dense, k=5, mode="dense"))
        assert ids(hits) == brute_force_dense(points, points[i].dense, 5)
        assert hits[0].score == pytest.approx(1.0, abs=1e-5)
        assert hits[0].payload["chunk_id"] == f"c{i}"


def test_lexical_search_uses_idf(store: VectorStore) -> None:
    # c1 has the biggest raw weight on COMMON, but COMMON is in half the points, so the IDF
    # modifier must rank c0's RARE term above it.
    hits = store.search(Query(sparse=SparseVector([RARE, COMMON], [1.0, 1.0]), k=3, mode="lexical"))
    assert ids(hits)[:2] == [point_id("c0"), point_id("c1")]
    only = store.search(Query(sparse=SparseVector([ONLY_Y], [1.0]), k=5, mode="lexical"))
    assert ids(only) == [point_id("c2")]


@pytest.mark.parametrize("fusion", ["rrf", "wrrf", "dbsf", "linear"])
def test_hybrid_fuses_both_sides(store: VectorStore, points: list[Point], fusion: str) -> None:
    # Dense side points at c5; lexical side at c2 (ONLY_Y) and c0 (RARE).
    q = Query(dense=points[5].dense, sparse=SparseVector([ONLY_Y, RARE], [1.0, 0.5]), k=10, fusion=fusion)  # type: ignore[arg-type]
    got = ids(store.search(q))
    assert len(got) == 10
    assert {point_id("c5"), point_id("c2"), point_id("c0")} <= set(got)
    if fusion != "linear":  # raw lexical scores dwarf cosine in a plain sum
        assert got[0] in {point_id("c5"), point_id("c2")}


def test_unweighted_wrrf_equals_engine_rrf(store: VectorStore, points: list[Point]) -> None:
    base = Query(dense=points[9].dense, sparse=points[9].sparse, k=10, rrf_k=20)
    rrf = store.search(base)
    wrrf = store.search(Query(**{**base.__dict__, "fusion": "wrrf"}))
    assert [round(h.score, 6) for h in rrf] == [round(h.score, 6) for h in wrrf]
    assert set(ids(rrf)) == set(ids(wrrf))


def test_weights_shift_hybrid(store: VectorStore, points: list[Point]) -> None:
    q = Query(dense=points[5].dense, sparse=SparseVector([ONLY_Y], [1.0]), k=3, fusion="wrrf")
    assert ids(store.search(Query(**{**q.__dict__, "weights": (5.0, 1.0)})))[0] == point_id("c5")
    assert ids(store.search(Query(**{**q.__dict__, "weights": (1.0, 5.0)})))[0] == point_id("c2")


def test_hybrid_without_sparse_degrades_to_dense(store: VectorStore, points: list[Point]) -> None:
    q = points[3].dense
    dense_only = ids(store.search(Query(dense=q, k=5, mode="dense")))
    assert ids(store.search(Query(dense=q, k=5))) == dense_only
    assert ids(store.search(Query(dense=q, sparse=SparseVector([], []), k=5))) == dense_only
    assert store.search(Query(sparse=SparseVector([], []), mode="lexical")) == []


# -- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters, check",
    [
        ({"doc_id": "d1"}, lambda p: p["doc_id"] == "d1"),
        ({"doc_type": ["ke-hoach", "cong-van"]}, lambda p: p["doc_type"] in ("ke-hoach", "cong-van")),
        ({"year": 2020}, lambda p: p["year"] == 2020),
        ({"year": ["2019", 2021]}, lambda p: p["year"] in (2019, 2021)),
        ({"province": "Quảng Ninh", "issuer": "HĐND"}, lambda p: p["province"] == "Quảng Ninh" and p["issuer"] == "HĐND"),
        ({"source": "asean/doc-3.docx", "year": None, "doc_type": []}, lambda p: p["source"] == "asean/doc-3.docx"),
    ],
)
@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_filters(store: VectorStore, points: list[Point], filters: dict, check, mode: str) -> None:
    expected = [p for p in points if check(p.payload)]
    assert store.count(filters) == len(expected)
    sparse = SparseVector([COMMON, EVERYWHERE], [1.0, 1.0])
    q = Query(dense=points[0].dense, sparse=sparse, k=20, mode=mode, filters=filters, prefetch_k=20)  # type: ignore[arg-type]
    hits = store.search(q)
    assert hits and all(check(h.payload) for h in hits)
    # Every point has a dense vector and the EVERYWHERE term, so the filter must not shrink k;
    # in hybrid mode that holds only if the filter applies inside the prefetches.
    assert len(hits) == min(20, len(expected))
    assert sorted(p["chunk_id"] for p in store.payloads(filters)) == sorted(p.payload["chunk_id"] for p in expected)


def test_payloads_pages_through_everything(store: VectorStore) -> None:
    assert len(store.payloads()) == N
    assert {p["chunk_id"] for p in store.payloads()} == {f"c{i}" for i in range(N)}


# -- writes ----------------------------------------------------------------------------


def test_delete_by_ids(store: VectorStore, points: list[Point]) -> None:
    store.delete([point_id("c0"), point_id("c7")])
    assert store.count() == N - 2
    assert point_id("c0") not in ids(store.search(Query(dense=points[0].dense, k=5, mode="dense")))
    store.delete([])
    assert store.count() == N - 2


def test_delete_where_doc_id(store: VectorStore) -> None:
    store.delete_where("doc_id", "d2")
    assert store.count() == N - 10
    assert store.count({"doc_id": "d2"}) == 0
    assert all(p["doc_id"] != "d2" for p in store.payloads())


def test_upsert_same_id_replaces(store: VectorStore, points: list[Point]) -> None:
    new_vec = _unit(np.arange(1, DIM + 1, dtype=float))
    store.upsert([Point(id=point_id("c4"), dense=new_vec, sparse=SparseVector([ONLY_Y], [3.0]), payload={**_payload(4), "year": 1999})])
    assert store.count() == N
    assert store.count({"year": 1999}) == 1
    assert ids(store.search(Query(dense=new_vec, k=1, mode="dense"))) == [point_id("c4")]
    assert point_id("c4") not in ids(store.search(Query(dense=points[4].dense, k=1, mode="dense")))
    assert ids(store.search(Query(sparse=SparseVector([ONLY_Y], [1.0]), k=1, mode="lexical"))) == [point_id("c4")]


def test_reopen_sees_data(kind: str, tmp_path: Path, points: list[Point]) -> None:
    s = open_backend(kind, tmp_path)
    s.ensure_collection(DIM)
    s.upsert(points)
    s.delete([point_id("c1")])
    s.close()
    again = open_backend(kind, tmp_path)
    assert again.count() == N - 1
    assert ids(again.search(Query(dense=points[8].dense, k=1, mode="dense"))) == [point_id("c8")]
    assert again.count({"year": 2020}) == sum(1 for p in points if p.payload["year"] == 2020 and p.payload["chunk_id"] != "c1")
    again.close()


# -- Edge folder lock --------------------------------------------------------------------

_OPEN_IN_CHILD = """
import sys
from pathlib import Path
from index.edge import EdgeStore
from index.store import StoreLockedError
try:
    s = EdgeStore(Path(sys.argv[1]))
except StoreLockedError:
    sys.exit(3)
print(s.count())
s.close()
"""


def _child_open(path: Path) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-c", _OPEN_IN_CHILD, str(path)], cwd=root, capture_output=True, text=True, timeout=60
    )


def test_edge_folder_is_single_opener(tmp_path: Path, points: list[Point]) -> None:
    path = tmp_path / "edge"
    s = EdgeStore(path)
    s.ensure_collection(DIM)
    s.upsert(points[:10])
    with pytest.raises(StoreLockedError):
        EdgeStore(path)
    assert _child_open(path).returncode == 3
    s.close()
    # Upserts are flushed, so a fresh process sees them once the folder is free.
    child = _child_open(path)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "10"
    with EdgeStore(path) as again:
        assert again.count() == 10


# -- the two backends agree ------------------------------------------------------------------


def test_edge_and_local_mode_agree_on_top10(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    n, dim = 500, 32
    vocab = 2_000
    zipf = 1.0 / np.arange(1, vocab + 1)
    zipf /= zipf.sum()
    pts = []
    for i in range(n):
        terms = sorted(set(rng.choice(vocab, 20, p=zipf).tolist()))
        pts.append(
            Point(
                id=point_id(f"r{i}"),
                dense=_unit(rng.normal(size=dim)),
                sparse=SparseVector(terms, rng.uniform(0.1, 2.0, len(terms)).tolist()),
                payload={"doc_id": f"d{i % 10}", "year": 2015 + i % 8},
            )
        )
    edge = EdgeStore(tmp_path / "edge")
    local = ServerStore(None, None, "agree", path=tmp_path / "local")
    for s in (edge, local):
        s.ensure_collection(dim)
        s.upsert(pts)
    for _ in range(20):
        dense = _unit(rng.normal(size=dim))
        terms = sorted(set(rng.choice(vocab, 4, p=zipf).tolist()))
        sparse = SparseVector(terms, [1.0] * len(terms))
        for mode in ("dense", "lexical"):
            q = Query(dense=dense, sparse=sparse, k=10, mode=mode)  # type: ignore[arg-type]
            assert ids(edge.search(q)) == ids(local.search(q)), mode
        # RRF scores tie often (rank i + j == j + i) and the engines break ties differently,
        # so hybrid agreement is on the score sequence.
        for fusion, weights in (("rrf", None), ("rrf", (3.0, 1.0)), ("dbsf", None), ("linear", (1.0, 0.2))):
            hq = Query(dense=dense, sparse=sparse, k=10, filters={"year": [2016, 2017, 2018]}, fusion=fusion, weights=weights)  # type: ignore[arg-type]
            expected = [h.score for h in local.search(hq)]
            assert [h.score for h in edge.search(hq)] == pytest.approx(expected, rel=1e-4), (fusion, weights)
    edge.close()
    local.close()


# -- llama-index adapter ---------------------------------------------------------------------


def toy_sparse(text: str) -> SparseVector:
    """Token counts hashed to ids: enough for lexical tests, not the product's tokenizer."""
    counts = Counter(zlib.crc32(w.encode()) % (1 << 20) for w in text.lower().split())
    idx = sorted(counts)
    return SparseVector(idx, [float(counts[i]) for i in idx])


def test_llama_index_retrieval(kind: str, tmp_path: Path) -> None:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.embeddings import MockEmbedding
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

    from index.llama_store import LlamaVectorStore

    texts = [
        ("A", 2020, "kế hoạch tuyên truyền ASEAN năm 2020"),
        ("A", 2020, "ngân sách thực hiện kế hoạch"),
        ("B", 2021, "hội nhập quốc tế của tỉnh Quảng Ninh"),
        ("C", 2022, "đào tạo nguồn nhân lực ngoại ngữ"),
    ]
    nodes = []
    for i, (doc, year, text) in enumerate(texts):
        node = TextNode(text=text, id_=f"{doc}#{i}", metadata={"doc_id": doc, "year": year, "chunk_id": f"{doc}#{i}"})
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=f"ref-{doc}")
        nodes.append(node)

    adapter = LlamaVectorStore(open_backend(kind, tmp_path), sparse_fn=toy_sparse)
    index = VectorStoreIndex.from_vector_store(adapter, embed_model=MockEmbedding(embed_dim=8))
    index.insert_nodes(nodes)
    assert adapter.client.count() == 4

    sparse = index.as_retriever(similarity_top_k=1, vector_store_query_mode="sparse").retrieve("ngân sách")
    assert [r.node.node_id for r in sparse] == ["A#1"]
    assert sparse[0].node.get_content() == "ngân sách thực hiện kế hoạch"
    assert sparse[0].node.metadata["doc_id"] == "A"  # not overwritten by the ref doc id

    hybrid = index.as_retriever(similarity_top_k=2, vector_store_query_mode="hybrid").retrieve("Quảng Ninh")
    assert hybrid[0].node.node_id == "B#2"

    year = MetadataFilters(filters=[MetadataFilter(key="year", value=2022)])
    dense = index.as_retriever(similarity_top_k=4, filters=year).retrieve("bất kỳ")
    assert [r.node.node_id for r in dense] == ["C#3"]
    docs = MetadataFilters(filters=[MetadataFilter(key="doc_id", value=["A", "C"], operator=FilterOperator.IN)])
    assert {r.node.node_id for r in index.as_retriever(similarity_top_k=4, filters=docs).retrieve("x")} == {"A#0", "A#1", "C#3"}

    adapter.delete("ref-A")
    assert adapter.client.count() == 2
    adapter.delete_nodes(["B#2"])
    assert [p["chunk_id"] for p in adapter.client.payloads()] == ["C#3"]
    adapter.client.close()


def test_llama_adapter_takes_sparse_from_metadata(kind: str, tmp_path: Path) -> None:
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores.types import VectorStoreQuery, VectorStoreQueryMode

    from index.llama_store import SPARSE_METADATA_KEY, LlamaVectorStore

    adapter = LlamaVectorStore(open_backend(kind, tmp_path), sparse_fn=toy_sparse)
    a = TextNode(text="một", embedding=[1.0, 0.0], metadata={SPARSE_METADATA_KEY: {"indices": [5], "values": [1.0]}})
    b = TextNode(text="hai", embedding=[0.0, 1.0], metadata={SPARSE_METADATA_KEY: SparseVector([6], [1.0])})
    adapter.add([a, b])
    assert all(SPARSE_METADATA_KEY not in p for p in adapter.client.payloads())
    res = adapter.query(VectorStoreQuery(query_embedding=[0.1, 1.0], similarity_top_k=1))
    assert res.ids == [b.node_id]
    hits = adapter.client.search(Query(sparse=SparseVector([5], [1.0]), mode="lexical"))
    assert [h.payload["text"] for h in hits] == ["một"]
    res = adapter.query(VectorStoreQuery(query_embedding=[0.0, 1.0], mode=VectorStoreQueryMode.HYBRID, query_str="x", similarity_top_k=2))
    assert res.ids and res.ids[0] == b.node_id
    adapter.client.close()


def test_optimize_keeps_hits_and_survives_reopen(tmp_path: Path, points: list[Point]) -> None:
    """After a bulk ingest the embedded store is optimised (one segment, indexes on disk): every
    kind of search answers as before, also from a fresh open; later writes still land. (A
    server optimises on its own: its ``optimize`` does nothing.)"""
    kind = "edge"
    s = open_backend(kind, tmp_path)
    s.ensure_collection(DIM)
    s.upsert(points)
    queries = [Query(dense=points[i].dense, sparse=points[i].sparse, k=5, mode=mode)
               for i in (0, 7, 31) for mode in ("dense", "lexical", "hybrid")]
    before = [ranked(q, s.search(q)) for q in queries]
    s.optimize()
    assert [ranked(q, s.search(q)) for q in queries] == before
    s.close()
    s = open_backend(kind, tmp_path)
    try:
        assert [ranked(q, s.search(q)) for q in queries] == before
        extra = make_points(seed=99)[0]
        extra = Point(id=point_id("late"), dense=extra.dense, sparse=extra.sparse, payload={**extra.payload, "chunk_id": "late"})
        s.upsert([extra])
        assert s.count() == N + 1
        assert ids(s.search(Query(dense=extra.dense, k=1, mode="dense"))) == [extra.id]
    finally:
        s.close()
