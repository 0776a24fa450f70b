"""The MCP server, driven by the real ``mcp`` SDK client: over stdio (``aseanbot mcp`` spawned
as a subprocess, as Claude Desktop or Cursor would) and over streamable HTTP at ``/mcp`` on the
live server, with and without API keys."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from tests.conftest import CORPUS, MODEL_CACHE, REPO, make_settings, serve

QUESTION = "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?"
TOOLS = {"search", "ask", "tasks", "summarize", "list_documents"}
KEY = "mcp-test-key-0123456789"


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def exercise(client: Client) -> dict[str, Any]:
    """List the tools and call each one, checking that every result is cited; read the cited
    document as a resource. Returns what the transport-specific tests look at further."""
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert set(listed) == TOOLS
    for tool in listed.values():
        assert tool.description and tool.output_schema  # Vietnamese descriptions, structured results
        assert all(p.get("description") for p in tool.input_schema["properties"].values())
        assert tool.annotations.read_only_hint
    assert "Câu hỏi" in listed["search"].input_schema["properties"]["query"]["description"]

    asked = await client.call_tool("ask", {"question": QUESTION})
    assert not asked.is_error
    assert "các huyện, thị xã, thành phố" in text_of(asked) and "Nguồn:" in text_of(asked)
    answer = asked.structured_content
    assert answer["grounded"] and "các huyện, thị xã, thành phố" in answer["answer"]
    first = answer["citations"][0]
    assert first["doc_id"].startswith("asean-quangninh")
    assert first["quote"] and first["section"] and first["source"].startswith("asean/")
    assert first["uri"] == f"aseanbot://documents/{first['doc_id']}"

    found = await client.call_tool("search", {"query": "tuyen truyen tren he thong thong tin co so", "k": 3})
    hits = found.structured_content["hits"]
    assert not found.is_error and 1 <= len(hits) <= 3
    assert all(h["doc_id"] and h["source"] and h["quote"] for h in hits)
    assert any(h["doc_id"].startswith("asean-quangninh") for h in hits)

    tasks = await client.call_tool("tasks", {"q": "tuyên truyền trên hệ thống thông tin cơ sở",
                                             "province": "Quảng Ninh", "limit": 5})
    rows = tasks.structured_content["tasks"]
    assert not tasks.is_error and rows
    assert any("Ủy ban nhân dân các huyện, thị xã, thành phố" in r["lead_units"] for r in rows)
    assert all(r["doc_id"] and r["source"] and r["section"] and r["quote"] for r in rows)
    assert "Chủ trì:" in text_of(tasks)

    documents = (await client.call_tool("list_documents", {})).structured_content["documents"]
    quangninh = next(d for d in documents if d["doc_id"] == first["doc_id"])
    assert quangninh["number"] == "159/KH-UBND" and quangninh["uri"] == first["uri"]

    summary = await client.call_tool("summarize", {"doc_ids": [first["doc_id"]], "max_bullets_per_section": 3})
    data = summary.structured_content
    assert not summary.is_error and data["sections"] and data["references"]
    assert all(b["citations"] for s in data["sections"] for b in s["bullets"])
    assert all(r["doc_id"] == first["doc_id"] and r["quote"] for r in data["references"])
    assert "Tài liệu tham khảo" in text_of(summary)

    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    assert {"aseanbot://documents", first["uri"]} <= resources
    document = (await client.read_resource(first["uri"])).contents[0]
    assert document.mime_type == "text/plain"
    assert document.text[first["char_start"]:first["char_end"]] == first["quote"]  # the citation points into it
    with pytest.raises(MCPError, match="Không tìm thấy văn bản"):
        await client.read_resource("aseanbot://documents/khong-co-van-ban-nay")

    empty = await client.call_tool("ask", {"question": "   "})
    assert empty.is_error and "Câu hỏi trống" in text_of(empty)
    return {"answer": answer}


def run(main) -> Any:
    return anyio.run(main)


# --- stdio -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stdio_home(services, tmp_path_factory) -> Path:
    """A copy of the session's indexed home: the embedded store admits one process, and this
    test process already holds the session's."""
    home = tmp_path_factory.mktemp("mcp") / "home"
    shutil.copytree(services.settings.home, home)
    return home


def test_stdio_serves_cited_tools_and_documents(stdio_home):
    server = StdioServerParameters(
        command=str(Path(sys.executable).parent / "aseanbot"), args=["mcp"], cwd=str(REPO),
        env={"ASEANBOT_HOME": str(stdio_home), "ASEANBOT_CORPUS": str(CORPUS), "ASEANBOT_MODEL_CACHE": str(MODEL_CACHE),
             "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})

    async def main():
        async with Client(server, read_timeout_seconds=300) as client:
            assert client.server_info.name == "aseanbot"
            await exercise(client)

    run(main)


# --- streamable HTTP -------------------------------------------------------------------------------

def test_http_on_loopback_serves_the_same_tools(live_server):
    async def main():
        async with Client(f"{live_server}/mcp", read_timeout_seconds=300) as client:
            return await exercise(client)

    out = run(main)
    assert out["answer"]["session_id"]


@pytest.fixture(scope="module")
def keyed_server(services):
    """The session's index behind an app that requires an API key."""
    from bot.http.app import create_app

    application = create_app(make_settings(services.settings.home, api_keys=[KEY]))
    application.state.services = services
    with serve(application) as base:
        yield base


def keyed(url: str, key: str):
    return streamable_http_client(url, http_client=create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}))


def test_http_with_the_right_key_answers(keyed_server):
    async def main():
        async with Client(keyed(f"{keyed_server}/mcp", KEY), read_timeout_seconds=300) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            result = await client.call_tool("ask", {"question": QUESTION})
            return result.structured_content

    answer = run(main)
    assert answer["citations"][0]["doc_id"].startswith("asean-quangninh")


def test_http_refuses_a_wrong_or_missing_key(keyed_server):
    url = f"{keyed_server}/mcp"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    for auth in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": KEY}):
        reply = httpx.post(url, json=body, headers={**headers, **auth}, timeout=30)
        assert reply.status_code == 401
        assert reply.headers["www-authenticate"].startswith("Bearer")
        assert "Khóa API" in reply.json()["error"]["message"]

    async def main():
        async with Client(keyed(url, "wrong-key"), read_timeout_seconds=30) as client:
            await client.list_tools()

    with pytest.raises((MCPError, ExceptionGroup)) as caught:
        run(main)
    assert any(isinstance(e, MCPError) for e in leaves(caught.value))


def leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [exc]


def test_http_tool_calls_count_against_the_rate_limit(services):
    """Each tool call over HTTP spends the caller's budget (here 2 a minute); the third is refused
    as a tool error the assistant can read, in Vietnamese."""
    from bot.http.app import create_app

    application = create_app(make_settings(services.settings.home, rate_limit_per_minute=2))
    application.state.services = services

    async def main(base):
        async with Client(f"{base}/mcp", read_timeout_seconds=300) as client:
            return [await client.call_tool("list_documents", {}) for _ in range(3)]

    with serve(application) as base:
        results = run(lambda: main(base))
    assert [r.is_error for r in results] == [False, False, True]
    assert "quá nhiều yêu cầu" in text_of(results[2])
