"""An internal document never reaches a public caller, through any way out: search, chat (JSON
and SSE), tasks, summaries, the readable view, the original file, the document list,
suggestions, the OpenAI-compatible API and MCP. The same questions at the internal level (an
internal key) are answered from it, so the public refusals are not an accident of retrieval."""
from __future__ import annotations

import json

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.conftest import serve
from tests.leveled import ANSWER, INTERNAL_DOC, PUBLIC_DOC, QUESTION, leaks, leveled_app

ADMIN_TOKEN = "ma-quan-tri-thu-nghiem"
PUBLIC = {"Authorization": "Bearer khoa-cong-khai"}
INTERNAL = {"Authorization": "Bearer khoa-noi-bo"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = leveled_app(tmp_path_factory, admin_token=ADMIN_TOKEN)
    yield application
    application.state.services.close()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture(scope="module")
def live(app):
    with serve(app) as base:
        yield base


def ask(client, headers=None, message=QUESTION) -> dict:
    r = client.post("/api/chat", json={"message": message}, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


def sse(client, headers=None) -> str:
    with client.stream("POST", "/api/chat", json={"message": QUESTION},
                       headers={"Accept": "text/event-stream", **(headers or {})}) as r:
        assert r.status_code == 200
        return "".join(r.iter_text())


def openai(client, headers, stream=False) -> str:
    r = client.post("/v1/chat/completions", headers=headers,
                    json={"model": "aseanbot", "stream": stream, "messages": [{"role": "user", "content": QUESTION}]})
    assert r.status_code == 200, r.text
    return r.text


@pytest.mark.parametrize("headers", [{}, PUBLIC], ids=["widget", "public-key"])
def test_no_http_way_out_shows_the_internal_document_to_a_public_caller(client, headers):
    bodies = {
        "chat": json.dumps(ask(client, headers), ensure_ascii=False),
        "sse": sse(client, headers),
        "search": client.post("/api/search", json={"query": QUESTION, "k": 20}, headers=headers).text,
        "search by doc_id": client.post("/api/search", json={"query": QUESTION, "filters": {"doc_id": INTERNAL_DOC}},
                                        headers=headers).text,
        "search by level": client.post("/api/search", json={"query": QUESTION, "filters": {"level": "internal"}},
                                       headers=headers).text,
        "tasks": client.get("/api/tasks", params={"q": "diễn tập ứng phó sự cố"}, headers=headers).text,
        "all tasks": client.get("/api/tasks", headers=headers).text,
        "summary": client.post("/api/summarize", json={"topic": "Diễn tập ứng phó sự cố an ninh mạng"},
                               headers=headers).text,
        "documents": client.get("/api/documents", headers=headers).text,
        "suggestions": client.get("/api/suggestions", params={"limit": 12}, headers=headers).text,
    }
    if headers:
        bodies["openai"] = openai(client, headers)
        bodies["openai stream"] = openai(client, headers, stream=True)
    leaked = {name: leaks(body) for name, body in bodies.items() if leaks(body)}
    assert not leaked, leaked
    assert json.loads(bodies["search by doc_id"])["hits"] == []
    assert json.loads(bodies["search by level"])["hits"] == []
    # The public document is still there for them: the filter narrows, it does not blank out.
    assert PUBLIC_DOC in bodies["documents"] and PUBLIC_DOC in bodies["search"]


@pytest.mark.parametrize("headers", [{}, PUBLIC], ids=["widget", "public-key"])
def test_asking_for_the_internal_document_by_id_looks_like_asking_for_none(client, headers):
    for path in (f"/view/{INTERNAL_DOC}", f"/api/documents/{INTERNAL_DOC}/file"):
        hidden = client.get(path, headers=headers)
        missing = client.get(path.replace(INTERNAL_DOC, "khong-co-van-ban-nay"), headers=headers)
        assert hidden.status_code == missing.status_code == 404
        assert not leaks(hidden.text.replace(INTERNAL_DOC, ""))
    hidden = client.post("/api/summarize", json={"doc_ids": [INTERNAL_DOC]}, headers=headers)
    missing = client.post("/api/summarize", json={"doc_ids": ["khong-co-van-ban-nay"]}, headers=headers)
    assert hidden.status_code == missing.status_code
    assert hidden.text.replace(INTERNAL_DOC, "X") == missing.text.replace("khong-co-van-ban-nay", "X")
    assert client.get("/api/tasks", params={"doc_id": INTERNAL_DOC}, headers=headers).json()["tasks"] == []


def test_an_internal_key_is_answered_from_the_internal_document(client):
    out = ask(client, INTERNAL)
    assert out["grounded"] and ANSWER in out["answer"]
    assert out["citations"][0]["doc_id"] == INTERNAL_DOC
    assert ANSWER in sse(client, INTERNAL)
    assert ANSWER in openai(client, INTERNAL) and ANSWER in openai(client, INTERNAL, stream=True)
    hits = client.post("/api/search", json={"query": QUESTION}, headers=INTERNAL).json()["hits"]
    assert hits[0]["doc_id"] == INTERNAL_DOC
    assert client.get(f"/view/{INTERNAL_DOC}", headers=INTERNAL).status_code == 200
    assert client.get(f"/api/documents/{INTERNAL_DOC}/file", headers=INTERNAL).status_code == 200
    docs = {d["doc_id"]: d["level"] for d in client.get("/api/documents", headers=INTERNAL).json()["documents"]}
    assert docs == {INTERNAL_DOC: "internal", PUBLIC_DOC: "public"}
    tasks = client.get("/api/tasks", params={"doc_id": INTERNAL_DOC}, headers=INTERNAL).json()["tasks"]
    assert any(ANSWER in " ".join(t["lead_units"]) for t in tasks)


def _mcp(url: str, key: str):
    return streamable_http_client(url, http_client=create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}))


def _text(result) -> str:
    return "\n".join(b.text for b in result.content if b.type == "text") + json.dumps(
        result.structured_content or {}, ensure_ascii=False)


def test_mcp_tools_and_resources_follow_the_key_level(live):
    async def run(key: str) -> dict[str, str]:
        async with Client(_mcp(f"{live}/mcp", key), read_timeout_seconds=300) as c:
            out = {
                "ask": _text(await c.call_tool("ask", {"question": QUESTION})),
                "search": _text(await c.call_tool("search", {"query": QUESTION, "k": 10})),
                "tasks": _text(await c.call_tool("tasks", {"q": "diễn tập ứng phó sự cố"})),
                "summarize": _text(await c.call_tool("summarize", {"topic": "Diễn tập ứng phó sự cố an ninh mạng"})),
                "list_documents": _text(await c.call_tool("list_documents", {})),
                "resources": " ".join(str(r.uri) for r in (await c.list_resources()).resources),
                "documents resource": (await c.read_resource("aseanbot://documents")).contents[0].text,
            }
            try:
                out["document"] = (await c.read_resource(f"aseanbot://documents/{INTERNAL_DOC}")).contents[0].text
            except Exception as exc:  # noqa: BLE001 - the refusal is what a public key must get
                out["document"] = f"refused: {type(exc).__name__}"
            return out

    public = anyio.run(run, "khoa-cong-khai")
    leaked = {name: leaks(body) for name, body in public.items() if leaks(body)}
    assert not leaked, leaked
    assert public["document"].startswith("refused")
    internal = anyio.run(run, "khoa-noi-bo")
    assert ANSWER in internal["ask"] and INTERNAL_DOC in internal["resources"]
    assert "mã độc tống tiền" in internal["document"]


def test_level_changes_at_once_and_back(client):
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    r = client.patch(f"/api/documents/{INTERNAL_DOC}", json={"level": "public"}, headers=admin)
    assert r.status_code == 200 and r.json()["level"] == "public"
    try:
        assert ANSWER in ask(client)["answer"]
        assert client.get(f"/view/{INTERNAL_DOC}").status_code == 200
    finally:
        assert client.patch(f"/api/documents/{INTERNAL_DOC}", json={"level": "internal"},
                            headers=admin).json()["level"] == "internal"
    assert not leaks(json.dumps(ask(client), ensure_ascii=False))
    assert client.get(f"/view/{INTERNAL_DOC}").status_code == 404
    # Without the admin token the level cannot be changed, nor with a bad value.
    assert client.patch(f"/api/documents/{INTERNAL_DOC}", json={"level": "public"}).status_code in (401, 403)
    bad = client.patch(f"/api/documents/{INTERNAL_DOC}", json={"level": "secret"}, headers=admin)
    assert bad.status_code == 422 and "Mức truy cập không hợp lệ" in bad.json()["detail"]


def test_an_upload_marked_internal_is_never_public(client):
    plan = ("KẾ HOẠCH\nKiểm kê kho vật tư dự phòng năm 2026 của huyện Ngọc Hồi\n\n"
            "1. Kiểm kê kho vật tư dự phòng\n- Nội dung triển khai: Kiểm kê kho vật tư dự phòng thiên tai.\n"
            "- Đơn vị chủ trì: Đội Hậu cần số 3 huyện Ngọc Hồi.\n")
    r = client.post("/api/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                    files={"file": ("kiem-ke-ngoc-hoi.txt", plan.encode(), "text/plain")}, data={"level": "internal"})
    assert r.status_code == 201 and r.json()["level"] == "internal", r.text
    question = "Đơn vị nào chủ trì kiểm kê kho vật tư dự phòng ở huyện Ngọc Hồi?"
    assert "Đội Hậu cần số 3" not in json.dumps(ask(client, message=question), ensure_ascii=False)
    assert "Đội Hậu cần số 3" in ask(client, INTERNAL, message=question)["answer"]
    bad = client.post("/api/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                      files={"file": ("x.txt", plan.encode(), "text/plain")}, data={"level": "bi-mat"})
    assert bad.status_code == 422 and "Mức truy cập" in bad.json()["detail"]


def test_the_store_filter_only_narrows(tmp_path):
    from index.access import LevelStore, backfill_levels, level_filters
    from index.edge import EdgeStore
    from index.store import Point, Query, SparseVector

    assert level_filters({"doc_id": "a"}, "public") == {"doc_id": "a", "level": ["public"]}
    assert level_filters({"level": "internal"}, "public")["level"] != ["internal"]
    assert level_filters({"level": ["internal"]}, "internal")["level"] == ["internal"]
    store = EdgeStore(tmp_path / "shard")
    store.ensure_collection(2)
    # Points written before levels existed carry none: hidden from every caller until backfilled.
    store.upsert([Point(id=f"00000000-0000-0000-0000-00000000000{i}", dense=[1.0, float(i)],
                        sparse=SparseVector([1], [1.0]), payload={"doc_id": doc, "chunk_id": f"c{i}"})
                  for i, doc in enumerate(["pub", "int"], 1)])
    public = LevelStore(store, "public")
    assert public.count() == 0
    assert backfill_levels(store, [{"doc_id": "pub"}, {"doc_id": "int", "level": "internal"}]) == 2
    assert backfill_levels(store, [{"doc_id": "pub"}]) == 0  # nothing left to do
    hits = public.search(Query(dense=[1.0, 1.0], k=10, mode="dense"))
    assert [h.payload["doc_id"] for h in hits] == ["pub"]
    assert {p["doc_id"] for p in LevelStore(store, "internal").payloads()} == {"pub", "int"}
    with pytest.raises(PermissionError):
        public.delete_where("doc_id", "pub")
    store.close()


def test_a_misspelt_level_in_the_manifest_is_an_error(tmp_path):
    from ingest.manifest import ManifestError, load_manifest

    (tmp_path / "manifest.yaml").write_text("documents:\n  a.txt:\n    level: noi-bo\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="level"):
        load_manifest(tmp_path)
