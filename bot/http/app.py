"""The HTTP API: search, documents and chat (JSON or Server-Sent Events), plus the widget's routes."""
from __future__ import annotations

import asyncio
import json
import time
from typing import AsyncIterator

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse

from bot.answer.chat import InputError, answer_payload, check_message
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
    from bot.http.ratelimit import rate_limit

    pages.add_cors(app, settings)
    app.include_router(pages.router)
    from bot.http.summary import router as summary_router
    from bot.http.tasks import router as tasks_router

    from bot.http.openai_api import OpenAIError, router as openai_router
    from bot.http.uploads import router as upload_router

    app.include_router(tasks_router)
    app.include_router(summary_router)
    app.include_router(upload_router)
    app.include_router(openai_router)

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
    def search(req: SearchRequest, services: Services = Depends(get_services)) -> SearchResponse:
        query = check_message(req.query, settings.max_message_chars)
        hits = services.retriever.search(query, k=req.k, filters=req.filters, mode=req.mode)  # type: ignore[arg-type]
        return SearchResponse(hits=[{k: getattr(h, k) for k in
                                     ("chunk_id", "doc_id", "source", "title", "section", "page", "text", "score")}
                                    for h in hits])

    @app.get("/api/documents", response_model=DocumentsResponse)
    def documents(services: Services = Depends(get_services)) -> DocumentsResponse:
        return DocumentsResponse(documents=[DocumentOut(**{**r, "title": r.get("title") or r["source"]})
                                            for r in services.ledger.records()])

    @app.post("/api/chat", response_model=ChatResponse, dependencies=[Depends(rate_limit)])
    async def chat(req: ChatRequest, request: Request, services: Services = Depends(get_services)):
        message = check_message(req.message, settings.max_message_chars)
        if "text/event-stream" in request.headers.get("accept", ""):
            return StreamingResponse(_stream(request, services, message, req.session_id),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        result = await asyncio.to_thread(services.chat.ask, message, req.session_id)
        return answer_payload(result)

    return app


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(request: Request, services: Services, message: str, session_id: str | None) -> AsyncIterator[str]:
    """Citations first, then the answer text in pieces, then a final event with timing.
    A client that leaves stops the stream (and the LLM's generation with it)."""
    started = time.perf_counter()
    try:
        result = await asyncio.to_thread(services.chat.ask, message, session_id)
    except Exception:  # noqa: BLE001 - the client gets a message, the log gets the trace
        import logging

        logging.getLogger(__name__).exception("chat failed")
        yield _sse("error", {"message": "Đã có lỗi khi trả lời. Vui lòng thử lại."})
        return
    payload = answer_payload(result)
    yield _sse("citations", {"citations": payload["citations"], "session_id": result.session_id})
    first = (time.perf_counter() - started) * 1000
    text = payload["answer"]
    for i in range(0, len(text), 48):
        if await request.is_disconnected():
            return
        yield _sse("token", {"text": text[i : i + 48]})
    yield _sse("done", {"grounded": payload["grounded"], "related": payload["related"], "question": payload["question"],
                        "session_id": result.session_id,
                        "timing": {**result.timing, "first_event_ms": round(first, 1),
                                   "total_ms": round((time.perf_counter() - started) * 1000, 1)}})
