"""The MCP tools and resources, independent of the transport.

Assistants that speak the Model Context Protocol pick tools by their descriptions and read what
they return, so each tool answers twice: a text block written for the model (the result with its
numbered sources and quotes, in Vietnamese) and the same result as structured content whose
schema is published (citations with doc_id, source, section, quote), for clients that render or
check sources. Every result is read from the documents, never generated, so every result cites.

The documents are resources too (``aseanbot://documents/{doc_id}`` → the document's text, whose
offsets the citations' ``char_start``/``char_end`` point into), so a client can open the passage
it was given.

The tools close over a getter, not a Services object: the HTTP app swaps its services (the tests
do), and stdio builds them once after start-up.
"""
from __future__ import annotations

import json
import logging
import threading
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any, AsyncIterator, Callable, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, Resource, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from bot.access import payload as chat_payload
from bot.answer.chat import InputError, check_message
from bot.http.schemas import DocumentOut
from bot.http.summary import MAX_BULLETS, MAX_DOCS, SummaryOut
from bot.http.tasks import MAX_TASKS, TaskOut
from bot.mcp.levels import CALLER_LEVEL, level_of, scoped
from bot.services import Services
from bot.summary.report import to_markdown
from bot.summary.summarize import SummaryError, SummaryRequest, summarize as run_summary
from index.store import StoreLockedError
from ingest.lang.normalize import fold_accents
from ingest.settings import Settings
from ingest.task_table import cached_task_table

log = logging.getLogger(__name__)

DOCUMENTS_URI = "aseanbot://documents"
QUOTE_CHARS = 300
TEXT_TASKS = 30  # tasks written out in the text block; the structured content has them all
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
INSTRUCTIONS = (
    "Tra cứu kế hoạch, văn bản của cơ quan nhà nước Việt Nam và tài liệu về ASEAN. Mọi kết quả được trích "
    "nguyên văn từ văn bản, kèm nguồn [n] (doc_id, mục, trang, trích dẫn); hãy giữ các nguồn này khi trả lời "
    "người dùng. Dùng `ask` để hỏi đáp, `search` để tìm đoạn văn bản, `tasks` cho câu hỏi đơn vị nào chủ trì, "
    "phối hợp, thời hạn, `summarize` để tổng hợp, `list_documents` để xem các văn bản; toàn văn một văn bản "
    "ở tài nguyên aseanbot://documents/{doc_id}."
)


class Refused(Exception):
    """A call the transport turns away (e.g. over the rate limit); the message is shown as is."""


# --- structured results ---------------------------------------------------------------------------

class Cited(BaseModel):
    """One source: where in which document, and its exact words."""

    n: int = Field(description="Số thứ tự nguồn, như [n] trong văn bản trả lời.")
    doc_id: str
    source: str = Field(description="Đường dẫn tệp trong kho văn bản.")
    title: str
    number: str | None = Field(None, description="Số, ký hiệu văn bản.")
    section: str = Field(description="Mục, phần của văn bản.")
    page: int | None = None
    quote: str = Field(description="Trích nguyên văn từ văn bản.")
    char_start: int | None = Field(None, description="Vị trí của trích dẫn trong toàn văn (tài nguyên uri).")
    char_end: int | None = None
    uri: str = Field(description="Tài nguyên MCP chứa toàn văn văn bản.")


class Hit(Cited):
    chunk_id: str
    score: float


class SearchOut(BaseModel):
    hits: list[Hit]


class AskOut(BaseModel):
    answer: str
    grounded: bool = Field(description="true khi câu trả lời dựa trên trích dẫn; false khi không tìm thấy.")
    citations: list[Cited]
    session_id: str = Field(description="Gửi lại ở câu hỏi tiếp theo để hỏi nối tiếp.")
    question: str | None = Field(None, description="Câu hỏi đã được trả lời (sau khi ghép với câu trước).")
    related: list[dict[str, Any]] = Field(default_factory=list)
    approved: bool = Field(False, description="true khi câu trả lời do cán bộ phụ trách duyệt sẵn cho câu hỏi này.")


class TasksOut(BaseModel):
    tasks: list[TaskOut]


class DocumentItem(DocumentOut):
    uri: str


class DocumentsOut(BaseModel):
    documents: list[DocumentItem]


# --- text for the model ---------------------------------------------------------------------------

def document_uri(doc_id: str) -> str:
    return f"{DOCUMENTS_URI}/{doc_id}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_line(c: dict[str, Any], quote_chars: int = QUOTE_CHARS) -> str:
    """``[n] Kế hoạch 159/KH-UBND — II.1.3 …, trang 3 (aseanbot://documents/…): “quote”``."""
    doc = (c.get("title") or c["source"]).split(" · ")[0]
    where = ", ".join(x for x in (c.get("section"), f"trang {c['page']}" if c.get("page") else "") if x)
    where = f" — {where}" if where else ""
    return f"[{c['n']}] {doc}{where} ({document_uri(c['doc_id'])}): “{_short(c['quote'], quote_chars)}”"


def _result(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=data.model_dump(mode="json"))


def _error(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _cited(c: dict[str, Any]) -> Cited:
    return Cited(**{k: c.get(k) for k in Cited.model_fields if k != "uri"}, uri=document_uri(c["doc_id"]))


def _task_text(i: int, t: TaskOut, title: str = "") -> str:
    roles = [("Chủ trì", t.lead_units), ("Phối hợp", t.partner_units), ("Đầu mối", t.focal_units),
             ("Hướng dẫn", t.guiding_units), ("Báo cáo", t.report_to)]
    parts = [f"{name}: {', '.join(units)}" for name, units in roles if units]
    if t.deadline:
        parts.append(f"Thời hạn: {t.deadline}")
    src = source_line({"n": i, "doc_id": t.doc_id, "source": t.source, "title": title, "section": t.section,
                       "page": t.page, "quote": t.quote})
    return f"{i}. {_short(t.task, 300)}\n   {'; '.join(parts) or 'Chưa rõ đơn vị.'}\n   Nguồn {src}"


# --- the server -----------------------------------------------------------------------------------

class AseanbotMCP(MCPServer):
    """MCPServer whose resource list also names every indexed document, read from the ledger on
    each listing, so documents ingested after start-up appear without a restart."""

    def __init__(self, get_services: Callable[[], Services], **kwargs: Any):
        super().__init__(**kwargs)
        self.get_services = get_services

    # Each request sets the caller's access level for the services getter (bot/mcp/levels.py).
    async def _handle_call_tool(self, ctx: Any, params: Any) -> Any:
        token = CALLER_LEVEL.set(level_of(ctx))
        try:
            return await super()._handle_call_tool(ctx, params)
        finally:
            CALLER_LEVEL.reset(token)

    async def _handle_list_resources(self, ctx: Any, params: Any) -> Any:
        token = CALLER_LEVEL.set(level_of(ctx))
        try:
            return await super()._handle_list_resources(ctx, params)
        finally:
            CALLER_LEVEL.reset(token)

    async def _handle_read_resource(self, ctx: Any, params: Any) -> Any:
        token = CALLER_LEVEL.set(level_of(ctx))
        try:
            return await super()._handle_read_resource(ctx, params)
        finally:
            CALLER_LEVEL.reset(token)

    async def list_resources(self) -> list[Resource]:
        records = await anyio.to_thread.run_sync(lambda: self.get_services().ledger.records())
        return [*await super().list_resources(),
                *(Resource(uri=document_uri(r["doc_id"]), name=r["doc_id"], title=r.get("title") or r["source"],
                           mime_type="text/plain", description=_describe(r)) for r in records)]


def _describe(record: dict[str, Any]) -> str:
    return " · ".join(str(x) for x in (record.get("number"), record.get("doc_type"), record.get("issuer"),
                                       record.get("date"), record["source"]) if x)


def build_server(get_services: Callable[[], Services], guard: Callable[[Context], None] | None = None,
                 lifespan: Callable[[Any], AbstractAsyncContextManager[Any]] | None = None) -> AseanbotMCP:
    """The MCP server over ``get_services()`` (called in a worker thread, per call). ``guard`` runs
    before each tool call and raises ``Refused`` to turn it away (the HTTP rate limit)."""
    # Tools and resources see the services at the caller's access level only.
    get_services = scoped(get_services)  # type: ignore[assignment]
    server = AseanbotMCP(get_services, name="aseanbot", title="ASEAN bot",
                         description="Hỏi đáp tiếng Việt về kế hoạch, văn bản và ASEAN, có trích dẫn nguồn.",
                         instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING", lifespan=lifespan)

    async def call(ctx: Context, work: Callable[[Services], CallToolResult]) -> CallToolResult:
        """Run ``work`` off the event loop (retrieval and embedding are CPU-bound), with the
        failures a user can act on answered in Vietnamese and the rest logged."""
        try:
            if guard is not None:
                guard(ctx)
            return await anyio.to_thread.run_sync(lambda: work(get_services()))
        except Refused as exc:
            return _error(str(exc))
        except (InputError, SummaryError) as exc:
            return _error(str(exc))
        except StoreLockedError:
            return _error("Chỉ mục đang được một tiến trình khác (ví dụ `aseanbot serve`) sử dụng. Hãy dừng tiến "
                          "trình đó, hoặc kết nối tới máy chủ HTTP tại /mcp.")
        except Exception:  # noqa: BLE001 - the client gets a message, the log gets the trace
            log.exception("MCP tool failed")
            return _error("Đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại.")

    @server.tool(name="search", title="Tìm đoạn văn bản", annotations=READ_ONLY, description=(
        "Tìm các đoạn văn bản liên quan nhất đến câu hỏi hoặc từ khóa (tìm kết hợp ngữ nghĩa và từ khóa, "
        "gõ có hoặc không dấu). Mỗi kết quả kèm doc_id, mục, trang và nguyên văn đoạn văn bản."))
    async def search(
        ctx: Context,
        query: Annotated[str, Field(description="Câu hỏi hoặc từ khóa, có hoặc không dấu.")],
        k: Annotated[int, Field(ge=1, le=20, description="Số đoạn văn bản trả về.")] = 5,
        mode: Annotated[Literal["hybrid", "dense", "lexical"],
                        Field(description="hybrid: kết hợp; dense: theo ngữ nghĩa; lexical: theo từ khóa.")] = "hybrid",
        doc_ids: Annotated[list[str] | None, Field(description="Chỉ tìm trong các văn bản này (doc_id).")] = None,
        doc_type: Annotated[str | None, Field(description="Loại văn bản, ví dụ: Kế hoạch, Quyết định.")] = None,
        province: Annotated[str | None, Field(description="Tỉnh, thành phố ban hành, ví dụ: Quảng Ninh.")] = None,
        year: Annotated[int | None, Field(ge=1900, le=2100, description="Năm ban hành.")] = None,
    ) -> Annotated[CallToolResult, SearchOut]:
        def work(services: Services) -> CallToolResult:
            q = check_message(query, services.settings.max_message_chars)
            filters = {name: value for name, value in (("doc_id", doc_ids), ("doc_type", doc_type),
                                                       ("province", province), ("year", year)) if value}
            found = services.retriever.search(q, k=k, filters=filters or None, mode=mode)
            hits = [Hit(n=i, chunk_id=h.chunk_id, doc_id=h.doc_id, source=h.source, title=h.title, section=h.section,
                        page=h.page, quote=h.text, score=h.score, uri=document_uri(h.doc_id))
                    for i, h in enumerate(found, 1)]
            if not hits:
                return _result("Không tìm thấy đoạn văn bản nào phù hợp.", SearchOut(hits=[]))
            lines = [source_line(h.model_dump(), 800) for h in hits]
            return _result(f"Các đoạn văn bản liên quan đến “{q}”:\n\n" + "\n\n".join(lines), SearchOut(hits=hits))

        return await call(ctx, work)

    @server.tool(name="ask", title="Hỏi đáp có trích dẫn", annotations=READ_ONLY, description=(
        "Trả lời một câu hỏi tiếng Việt bằng nguyên văn các văn bản (kế hoạch, quyết định, tài liệu ASEAN), "
        "mỗi ý kèm số nguồn [n] với trích dẫn. Khi văn bản không có thông tin, công cụ nói rõ là không tìm thấy "
        "(grounded=false) thay vì đoán. Gửi lại session_id để hỏi nối tiếp."))
    async def ask(
        ctx: Context,
        question: Annotated[str, Field(
            description="Câu hỏi, ví dụ: Đơn vị nào chủ trì tuyên truyền về ASEAN ở Quảng Ninh?")],
        session_id: Annotated[str | None, Field(
            max_length=100, description="Phiên hỏi đáp trước (để hỏi nối tiếp).")] = None,
    ) -> Annotated[CallToolResult, AskOut]:
        def work(services: Services) -> CallToolResult:
            message = check_message(question, services.settings.max_message_chars)
            payload = chat_payload(services.ask(message, session_id, channel="mcp"))
            out = AskOut(**{**payload, "citations": [_cited(c) for c in payload["citations"]]})
            text = payload["answer"]
            if out.citations:
                text += "\n\nNguồn:\n" + "\n".join(source_line(c) for c in payload["citations"])
            return _result(text, out)

        return await call(ctx, work)

    @server.tool(name="tasks", title="Bảng phân công nhiệm vụ", annotations=READ_ONLY, description=(
        "Bảng phân công trong các kế hoạch: nhiệm vụ nào, đơn vị chủ trì, phối hợp, hướng dẫn, thời hạn, kèm "
        "nguyên văn câu giao nhiệm vụ. Lọc theo đơn vị, văn bản, tỉnh; xếp theo từ khóa nhiệm vụ."))
    async def tasks(
        ctx: Context,
        q: Annotated[str | None, Field(max_length=500, description="Từ khóa về nhiệm vụ (có hoặc không dấu).")] = None,
        unit: Annotated[str | None, Field(
            max_length=200, description="Đơn vị, viết đầy đủ hoặc tắt: Sở TT&TT, UBND…")] = None,
        doc_id: Annotated[str | None, Field(
            max_length=500, description="Một hoặc nhiều doc_id, cách nhau bởi dấu phẩy.")] = None,
        province: Annotated[str | None, Field(
            max_length=100, description="Tỉnh, thành phố (phạm vi của văn bản).")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_TASKS, description="Số nhiệm vụ tối đa.")] = 50,
    ) -> Annotated[CallToolResult, TasksOut]:
        def work(services: Services) -> CallToolResult:
            found = cached_task_table(services.ledger).query(q=q or None, unit=unit or None, doc_id=doc_id or None,
                                                              province=province or None, limit=limit)
            rows = [TaskOut(**{k: getattr(t, k) for k in TaskOut.model_fields}) for t in found]
            if not rows:
                return _result("Không tìm thấy nhiệm vụ nào phù hợp.", TasksOut(tasks=[]))
            shown = (_task_text(i, t, f.doc_title) for i, (t, f) in enumerate(zip(rows[:TEXT_TASKS], found), 1))
            text = f"{len(rows)} nhiệm vụ:\n\n" + "\n\n".join(shown)
            if len(rows) > TEXT_TASKS:
                text += f"\n\n(Còn {len(rows) - TEXT_TASKS} nhiệm vụ khác trong kết quả có cấu trúc.)"
            return _result(text, TasksOut(tasks=rows))

        return await call(ctx, work)

    @server.tool(name="summarize", title="Tổng hợp có trích dẫn", annotations=READ_ONLY, description=(
        "Tổng hợp một chủ đề hoặc một số văn bản thành các mục, mỗi ý kèm nguồn [n] và danh mục tài liệu tham "
        "khảo có trích dẫn (bản nháp báo cáo, dạng Markdown). Cần chủ đề hoặc danh sách doc_id."))
    async def summarize(
        ctx: Context,
        topic: Annotated[str | None, Field(
            description="Chủ đề cần tổng hợp, ví dụ: Nội dung về trụ cột Kinh tế.")] = None,
        doc_ids: Annotated[list[str] | None, Field(
            max_length=MAX_DOCS, description="doc_id hoặc đường dẫn nguồn của các văn bản.")] = None,
        group_by: Annotated[Literal["document", "pillar", "province"] | None,
                            Field(description="Nhóm theo văn bản (document), trụ cột (pillar) "
                                              "hoặc địa phương (province).")] = None,
        max_bullets_per_section: Annotated[int | None, Field(
            ge=1, le=MAX_BULLETS, description="Số ý tối đa mỗi mục.")] = None,
    ) -> Annotated[CallToolResult, SummaryOut]:
        def work(services: Services) -> CallToolResult:
            if topic:
                check_message(topic, services.settings.max_message_chars)
            summary = run_summary(services, SummaryRequest(topic=topic, doc_ids=doc_ids, group_by=group_by,
                                                           max_bullets_per_section=max_bullets_per_section))
            return _result(to_markdown(summary), SummaryOut(**summary.to_dict()))

        return await call(ctx, work)

    @server.tool(name="list_documents", title="Danh sách văn bản", annotations=READ_ONLY, description=(
        "Liệt kê các văn bản đã được lập chỉ mục (doc_id, tiêu đề, số hiệu, loại, ngày, cơ quan ban hành), để "
        "lọc tìm kiếm theo doc_id hoặc đọc toàn văn ở tài nguyên aseanbot://documents/{doc_id}."))
    async def list_documents(
        ctx: Context,
        doc_type: Annotated[str | None, Field(description="Chỉ loại văn bản này, ví dụ: Kế hoạch.")] = None,
        province: Annotated[str | None, Field(description="Chỉ văn bản của tỉnh, thành phố này.")] = None,
    ) -> Annotated[CallToolResult, DocumentsOut]:
        def work(services: Services) -> CallToolResult:
            docs = [d for d in _documents(services)
                    if _matches(d.doc_type, doc_type) and _matches(d.province, province)]
            if not docs:
                return _result("Không có văn bản nào phù hợp.", DocumentsOut(documents=[]))
            lines = [f"- {d.title} — {', '.join(x for x in (d.number, d.doc_type, d.date) if x) or d.source} "
                     f"({d.uri})" for d in docs]
            return _result(f"{len(docs)} văn bản:\n" + "\n".join(lines), DocumentsOut(documents=docs))

        return await call(ctx, work)

    @server.resource(DOCUMENTS_URI, name="documents", title="Danh sách văn bản", mime_type="application/json",
                     description="Các văn bản đã được lập chỉ mục, mỗi văn bản kèm địa chỉ tài nguyên toàn văn.")
    async def documents() -> str:
        docs = await anyio.to_thread.run_sync(lambda: _documents(get_services()))
        return json.dumps({"documents": [d.model_dump(mode="json") for d in docs]}, ensure_ascii=False)

    @server.resource(f"{DOCUMENTS_URI}/{{doc_id}}", name="document", title="Toàn văn văn bản", mime_type="text/plain",
                     description="Toàn văn một văn bản theo doc_id; vị trí char_start/char_end của trích dẫn "
                                 "trỏ vào văn bản này.")
    async def document(doc_id: str) -> str:
        doc = await anyio.to_thread.run_sync(lambda: get_services().ledger.document(doc_id))
        if not doc:
            raise ResourceNotFoundError(f"Không tìm thấy văn bản: {doc_id}")
        return doc["text"]

    return server


def _documents(services: Services) -> list[DocumentItem]:
    return [DocumentItem(**{**r, "title": r.get("title") or r["source"], "uri": document_uri(r["doc_id"])})
            for r in services.ledger.records()]


def _matches(value: str | None, wanted: str | None) -> bool:
    return not wanted or fold_accents(wanted).lower() in fold_accents(value or "").lower()


def run_stdio(settings: Settings) -> None:
    """Serve over stdin/stdout until the client closes them. The model and statistics load in a
    background thread from the start, so the first question does not also pay for them; tool
    calls wait for that load rather than race it. The load starts from the server's lifespan,
    that is once the SDK has pointed fd 1 at stderr: nothing a library prints can reach the wire."""
    services = Services(settings)
    ready = threading.Event()

    def warm() -> None:
        try:
            services.warm_up()
        except Exception:  # noqa: BLE001 - a tool call meets the same failure and reports it
            log.warning("warm-up failed", exc_info=True)
        finally:
            ready.set()

    @asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[None]:
        threading.Thread(target=warm, name="aseanbot-warm-up", daemon=True).start()
        yield

    def get_services() -> Services:
        ready.wait()
        return services

    try:
        build_server(get_services, lifespan=lifespan).run("stdio")
    finally:
        services.close()
