"""The HTTP API: search, documents and chat (JSON or Server-Sent Events), plus the widget's routes."""
from __future__ import annotations

import asyncio
import json
import time
from typing import AsyncIterator

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from bot.access import AccessView, payload as chat_payload
from bot.answer.chat import InputError, check_message
from bot.http.access import get_view
from bot.http.deps import get_services
from bot.http.schemas import ChatRequest, ChatResponse, DocumentOut, DocumentsResponse, SearchRequest, SearchResponse
from bot.services import Services
from ingest.settings import Settings



def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="aseanbot", version="0.1.0",
                  description="Hỏi đáp tiếng Việt về kế hoạch, văn bản và ASEAN, có trích dẫn nguồn.")
    app.state.services = Services(settings)
    app.state.settings = settings

    from bot.http import pages
    from bot.http.limits import install as install_limits
    from bot.http.ratelimit import rate_limit

    # Body size limits and Vietnamese validation errors; added before CORS so refusals carry its headers.
    install_limits(app, settings)
    pages.add_cors(app, settings)
    app.include_router(pages.router)
    from bot.http.summary import router as summary_router
    from bot.http.tasks import router as tasks_router

    from bot.http.openai_api import OpenAIError, router as openai_router
    from bot.http.uploads import recover_uploads, router as upload_router

    app.include_router(tasks_router)
    app.include_router(summary_router)
    app.include_router(upload_router)
    recover_uploads(app.state.services)  # what an upload interrupted by a crash left behind
    app.include_router(openai_router)
    # MCP at /mcp (streamable HTTP), behind the same keys as /v1; also wraps the app's lifespan.
    from bot.mcp.http import mount_mcp

    mount_mcp(app)
    # The admin page (/admin) and its API; every route below answers at the caller's access level.
    from bot.http.admin import install as install_admin

    install_admin(app)

    @app.exception_handler(OpenAIError)
    async def _openai_error(request: Request, exc: OpenAIError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.get("/healthz")
    def healthz(services: Services = Depends(get_services)) -> dict:
        count = services.store.count()
        if count == 0:
            raise HTTPException(503, detail="Chỉ mục chưa có dữ liệu; hãy chạy `aseanbot ingest`.")
        return {"status": "ok", "chunks": count, "documents": len(services.ledger.records())}

    @app.post("/api/search", response_model=SearchResponse, dependencies=[Depends(rate_limit)])
    def search(req: SearchRequest, view: AccessView = Depends(get_view)) -> SearchResponse:
        query = check_message(req.query, settings.max_message_chars)
        hits = view.retriever.search(query, k=req.k, filters=req.filters, mode=req.mode)  # type: ignore[arg-type]
        return SearchResponse(hits=[{k: getattr(h, k) for k in
                                     ("chunk_id", "doc_id", "source", "title", "section", "page", "text", "score")}
                                    for h in hits])

    @app.get("/api/documents", response_model=DocumentsResponse)
    def documents(offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
                  view: AccessView = Depends(get_view)) -> DocumentsResponse:
        # Paged: a portal of thousands of documents answers one page, not the whole ledger.
        records = view.ledger.records()
        return DocumentsResponse(documents=[DocumentOut(**{**r, "title": r.get("title") or r["source"]})
                                            for r in records[offset : offset + limit]],
                                 total=len(records), offset=offset, limit=limit)

    @app.post("/api/chat", response_model=ChatResponse, dependencies=[Depends(rate_limit)])
    async def chat(req: ChatRequest, request: Request, view: AccessView = Depends(get_view)):
        message = check_message(req.message, settings.max_message_chars)
        if "text/event-stream" in request.headers.get("accept", ""):
            return StreamingResponse(_stream(request, view, message, req.session_id),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        result = await asyncio.to_thread(view.ask, message, req.session_id)
        return chat_payload(result)

    return app


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(request: Request, view: AccessView, message: str, session_id: str | None) -> AsyncIterator[str]:
    """Citations first, then the answer text in pieces, then a final event with timing.
    A client that leaves stops the stream (and the LLM's generation with it)."""
    started = time.perf_counter()
    try:
        result = await asyncio.to_thread(view.ask, message, session_id, channel="sse")
    except Exception:  # noqa: BLE001 - the client gets a message, the log gets the trace
        import logging

        logging.getLogger(__name__).exception("chat failed")
        yield _sse("error", {"message": "Đã có lỗi khi trả lời. Vui lòng thử lại."})
        return
    payload = chat_payload(result)
    # The question as understood travels first, so the widget shows it above the answer as it streams.
    yield _sse("citations", {"citations": payload["citations"], "session_id": result.session_id,
                             "understood": payload.get("understood")})
    first = (time.perf_counter() - started) * 1000
    text = payload["answer"]
    for i in range(0, len(text), 48):
        if await request.is_disconnected():
            return
        yield _sse("token", {"text": text[i : i + 48]})
    yield _sse("done", {"grounded": payload["grounded"], "related": payload["related"], "question": payload["question"],
                        "understood": payload.get("understood"),
                        "session_id": result.session_id, "approved": payload["approved"],
                        "question_id": payload["question_id"],
                        "timing": {**result.timing, "first_event_ms": round(first, 1),
                                   "total_ms": round((time.perf_counter() - started) * 1000, 1)}})
