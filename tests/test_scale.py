"""What keeps the product fast at real size: lookups that do not walk the corpus per question,
a paged document list, one encoder per index, and an ingest of real scale-corpus documents."""
from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

from index.hybrid import NumberIndex, _names

REPO = Path(__file__).resolve().parent.parent
SCALE = REPO.parent / "shared" / "scale-corpus" / "vbpl"


def test_number_index_finds_what_a_scan_of_every_number_finds():
    numbers = {n: f"doc-{i}" for i, n in enumerate([
        "159/kh-ubnd", "2502/kh-ubnd", "14/2024/tt-bct", "15/2026/tt-bct", "32/2024/nd-cp", "1117/qd-bnv",
        "05/1998/qh10", "15/1999/qh10", "12-nq/tw", "2265/bct-atmt", "07/2012/ct-ttg", "159", "14/2024/nd-cp",
        "-x/1", "01/2021/tt-nhnn"])}
    index = NumberIndex(numbers)
    words = ["ke hoach", "thong tu", "nghi dinh", "so", "quyet dinh", "kh", "tt", "cong van", "luat"]
    pieces = [n for n in numbers] + ["14/2024", "159", "2502", "15/2026", "05/1998", "12-nq", "12", "2024",
                                     "/14/2024", "a14/2024", "1599", "159/kh", "-x/1", "2265"]
    rng = random.Random(7)
    for _ in range(3000):
        text = " ".join(rng.choice([*words, *pieces, "ai", "ky", "?", "ngay", "nao", "(", ")", ","])
                        for _ in range(rng.randint(1, 7)))
        for sep in ("", "/", "-"):
            t = text.replace(" ", sep, 1) if sep else text
            assert index.named(t) == {d for n, d in numbers.items() if _names(t, n)}, t


def test_ledger_lookups_follow_every_save(tmp_path):
    from ingest.pipeline import Ledger

    ledger = Ledger(tmp_path)
    ledger.entries["b.txt"] = {"doc_id": "b-txt", "source": "b.txt"}
    ledger.save()
    assert [r["doc_id"] for r in ledger.records()] == ["b-txt"] and ledger.record("b-txt")["source"] == "b.txt"
    version = ledger.version
    ledger.entries["a.txt"] = {"doc_id": "a-txt", "source": "a.txt"}
    ledger.save()
    assert ledger.version > version
    assert [r["doc_id"] for r in ledger.records()] == ["a-txt", "b-txt"]
    assert set(ledger.by_doc()) == {"a-txt", "b-txt"} and ledger.record("zzz") is None
    ledger.drop("b.txt")
    assert ledger.record("b-txt") is None and [r["source"] for r in ledger.records()] == ["a.txt"]


def test_ledger_view_checks_the_level_at_each_lookup(tmp_path):
    from index.access import LedgerView
    from ingest.pipeline import Ledger

    ledger = Ledger(tmp_path)
    ledger.entries = {"a.txt": {"doc_id": "a", "source": "a.txt", "level": "public"},
                      "b.txt": {"doc_id": "b", "source": "b.txt", "level": "internal"}}
    ledger.save()
    public = LedgerView(ledger, "public")
    assert [r["doc_id"] for r in public.records()] == ["a"]
    assert "a" in public.by_doc() and "b" not in public.by_doc() and public.by_doc().get("b") is None
    ledger.entries["a.txt"]["level"] = "internal"  # a level change counts before the save, too
    assert public.record("a") is None and public.by_doc().get("a") is None
    ledger.save()
    assert public.records() == []


def test_task_table_cache_follows_the_ledger_object_and_its_version(tmp_path):
    from ingest.pipeline import Ledger
    from ingest.task_table import cached_task_table

    first = Ledger(tmp_path / "one")
    table = cached_task_table(first)
    assert cached_task_table(first) is table
    first.entries["a.txt"] = {"doc_id": "a", "source": "a.txt", "sha256": "1", "chunks": 0}
    first.save()
    assert cached_task_table(first) is not table
    assert cached_task_table(Ledger(tmp_path / "two")) is not cached_task_table(first)


def test_vector_space_names():
    from index.embeddings import vector_space

    assert vector_space("e5-small-int8") == "e5-small/int8"
    fp32 = {vector_space(n) for n in ("e5-small", "e5-small-bf16", "e5-small-fp32", "e5-small-onnx", "e5-small-torch")}
    assert fp32 == {"e5-small/fp32"}


def test_documents_list_is_paged(client):
    every = client.get("/api/documents").json()
    assert every["total"] == len(every["documents"]) > 3 and every["offset"] == 0
    page = client.get("/api/documents", params={"offset": 1, "limit": 2}).json()
    assert [d["doc_id"] for d in page["documents"]] == [d["doc_id"] for d in every["documents"][1:3]]
    assert page["total"] == every["total"] and page["limit"] == 2
    assert client.get("/api/documents", params={"limit": 0}).status_code == 422
    assert client.get("/api/documents", params={"offset": -1}).status_code == 422
    assert client.get("/api/documents", params={"offset": 10_000}).json()["documents"] == []


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def _small_scale_docs(n: int) -> list[Path]:
    return sorted(SCALE.glob("*.docx"), key=lambda p: p.stat().st_size)[:n]


@pytest.mark.skipif(not SCALE.is_dir(), reason="no scale corpus next to the repository")
def test_scale_documents_ingest_and_a_crash_costs_only_the_document_in_flight(tmp_path):
    import shutil

    from bot.services import Services
    from ingest.pipeline import ingest
    from tests.conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in _small_scale_docs(4):
        shutil.copyfile(p, corpus / p.name)
    settings = make_settings(tmp_path / "home", corpus=corpus)
    services = Services(settings)
    real = services.indexer()
    calls: list[str] = []

    class Crashing:  # the machine dies while the third document is being indexed
        def replace(self, doc):
            calls.append(doc.doc_id)
            if len(calls) == 3:
                raise KeyboardInterrupt
            real.replace(doc)

        def remove(self, doc_id):
            real.remove(doc_id)

        def doc_ids(self):
            return real.doc_ids()

    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], corpus_root=corpus, ledger=services.ledger, sink=Crashing(),
               max_bytes=50 << 20)
    assert len(services.ledger.entries) == 2  # what was committed, and only that
    report = ingest([corpus], corpus_root=corpus, ledger=services.ledger, sink=services.indexer(),
                    max_bytes=50 << 20)
    assert sorted(r.status for r in report.rows) == ["ingested", "ingested", "unchanged", "unchanged"]
    stored = services.store.doc_ids()
    assert {e["doc_id"]: e["chunks"] for e in services.ledger.entries.values()} == stored
    assert json.loads((settings.state_dir / "vectors.json").read_text()) == {"space": "e5-small/fp32"}
    hits = services.retriever.search("Điều 1. Phạm vi điều chỉnh", k=3)
    assert hits and all(h.doc_id in stored for h in hits)
    services.close()


def test_a_new_encoder_embeds_every_document_again(tmp_path):
    from bot.services import Services
    from ingest.pipeline import ingest
    from tests.conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Điều 1. Sở Thông tin và Truyền thông chủ trì tuyên truyền.", encoding="utf-8")
    old = Services(make_settings(tmp_path / "home", corpus=corpus, embed_model="e5-small-fp32"))
    ingest([corpus], corpus_root=corpus, ledger=old.ledger, sink=old.indexer(), max_bytes=1 << 20)
    old.close()
    new = Services(make_settings(tmp_path / "home", corpus=corpus, embed_model="e5-small-int8"))
    again = ingest([corpus], corpus_root=corpus, ledger=new.ledger, sink=new.indexer(), max_bytes=1 << 20)
    assert [r.status for r in again.rows] == ["updated"]
    assert [r.status for r in ingest([corpus], corpus_root=corpus, ledger=new.ledger, sink=new.indexer(),
                                     max_bytes=1 << 20).rows] == ["unchanged"]
    new.close()


@pytest.mark.filterwarnings("ignore:Local mode performs exact")
def test_the_large_server_collection_answers_like_the_plain_one(tmp_path):
    # qdrant-client's local mode takes the large-corpus settings (on-disk vectors, int8
    # quantisation, HNSW, rescoring) and searches exactly, so both must agree; a real server
    # applies them (README "Scaling out").
    import numpy as np

    from index.server import ServerStore
    from index.store import Point, Query, SparseVector, point_id

    rng = np.random.default_rng(3)
    points = []
    for i in range(200):
        v = rng.normal(size=16)
        points.append(Point(id=point_id(f"p{i}"), dense=(v / np.linalg.norm(v)).tolist(),
                            sparse=SparseVector([i % 7, 7 + i % 11], [1.0, 0.5]), payload={"doc_id": f"d{i % 5}"}))
    plain = ServerStore(None, None, "plain", path=tmp_path / "a")
    large = ServerStore(None, None, "large", path=tmp_path / "b", large=True)
    for store in (plain, large):
        store.ensure_collection(16)
        store.upsert(points)
    for fusion in ("dbsf", "wrrf"):
        for mode in ("dense", "hybrid"):
            q = Query(dense=points[5].dense, sparse=SparseVector([3], [1.0]), k=5, mode=mode, fusion=fusion,
                      weights=(1.0, 1.0), filters={"doc_id": ["d0", "d1"]})
            assert [h.id for h in large.search(q)] == [h.id for h in plain.search(q)]
    plain.close()
    large.close()


def test_task_bm25_postings_score_as_the_per_task_formula():
    from ingest.task_search import BM25

    docs = [["sở", "y", "tế", "sở_y"], ["sở", "giáo", "dục"], ["y", "y", "tế"], []]
    bm25 = BM25(docs)
    query = ["y", "tế", "dục", "không_có"]
    scores = bm25.score_array(query)
    assert set(np.flatnonzero(scores).tolist()) == {0, 1, 2}  # only tasks holding a query term
    # Okapi BM25 per task, term by term in the query's order, with Qdrant's IDF formula.
    avg = sum(map(len, docs)) / len(docs)
    for i, d in enumerate(docs):
        expected = 0.0
        for t in dict.fromkeys(query):
            f, df = d.count(t), sum(t in e for e in docs)
            if f:
                idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                expected += idf * f * (bm25.k1 + 1) / (f + bm25.k1 * (1 - bm25.b + bm25.b * len(d) / avg))
        assert scores[i] == expected
    assert bm25.coverage_array(query)[2] == 2 / 3


def test_best_first_cuts_where_a_full_sort_would():
    import random

    import numpy as np

    from ingest.task_search import best_first

    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 60)
        scores = np.array([rng.choice([0.0, 0.5, 1.0, 1.5, rng.random()]) for _ in range(n)])
        tie = {i: (rng.randint(0, 3), rng.randint(0, 100)) for i in range(n)}
        pool = None if rng.random() < 0.5 else rng.sample(range(n), rng.randint(0, n))
        limit = rng.choice([None, 1, 3, 10])
        full = sorted((i for i in (range(n) if pool is None else pool) if scores[i] > 0),
                      key=lambda i: (-scores[i], *tie[i]))
        assert best_first(scores, pool, limit, tie.__getitem__) == (full[:limit] if limit else full)


def test_task_table_is_saved_beside_the_ledger_and_loaded_by_a_new_process(tmp_path):
    from ingest.pipeline import Ledger
    from ingest.task_table import _CACHE, cached_task_table

    ledger = Ledger(tmp_path)
    ledger.entries["a.txt"] = {"doc_id": "a", "source": "a.txt", "sha256": "1", "chunks": 0}
    (tmp_path / "documents" / "a.json").write_text(
        '{"record": {"doc_id": "a", "source": "a.txt"}, "text": "x", "chunks": [], "tasks": []}')
    ledger.save()
    cached_task_table(ledger)
    [saved] = (tmp_path / "derived").glob("task_table-*.pickle")
    _CACHE.clear()
    inode = saved.stat().st_ino  # a rebuild writes a new file in its place
    cached_task_table(Ledger(tmp_path))  # another process: loads, does not rebuild
    assert saved.stat().st_ino == inode
    ledger.entries["a.txt"]["sha256"] = "2"  # a changed document: built again, in a file of its own
    ledger.save()
    cached_task_table(ledger)
    assert len(list((tmp_path / "derived").glob("task_table-*.pickle"))) == 2


def test_views_that_see_the_same_documents_share_one_task_table(tmp_path):
    from index.access import LedgerView
    from ingest.pipeline import Ledger
    from ingest.task_table import cached_task_table

    ledger = Ledger(tmp_path)
    ledger.entries["a.txt"] = {"doc_id": "a", "source": "a.txt", "sha256": "1", "chunks": 0, "level": "public"}
    (tmp_path / "documents" / "a.json").write_text(
        '{"record": {"doc_id": "a", "source": "a.txt"}, "text": "x", "chunks": [], "tasks": []}')
    ledger.save()
    public, internal = LedgerView(ledger, "public"), LedgerView(ledger, "internal")
    assert cached_task_table(public) is cached_task_table(internal)
