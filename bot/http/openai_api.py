"""OpenAI-compatible chat: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Chat clients people already run (Open WebUI, LibreChat, the ``openai`` SDK) speak this schema, so
the product answers in it: the thread comes from ``messages`` (no server session; the earlier
user questions are replayed to rebuild what the thread is about), the reply is the grounded
answer with its numbered sources appended as text so plain clients show them, and the same
citations travel structured as an extension (``citations`` on the message and on the final
stream chunk). A refusal is an ordinary reply. Errors use OpenAI's error object.

Keys: ``Authorization: Bearer <key>`` checked against ``ASEANBOT_API_KEYS``, each key with its
own rate limit; with no keys configured only this machine (loopback) may call.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from typing import Any, AsyncIterator, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from bot.answer.chat import ChatResult, InputError, check_message
from bot.answer.citations import Citation
from bot.access import AccessView, view_for
from bot.http.access import caller_level
from bot.http.deps import get_services
from bot.http.ratelimit import limiter_for
from bot.services import Services

MODEL_ID = "aseanbot"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
router = APIRouter(prefix="/v1")


class OpenAIError(Exception):
    """An error answered in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""

    def __init__(self, status: int, message: str, type_: str, code: str | None = None, param: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type_, code, param
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class ContentPart(BaseModel):
    type: str
    text: str | None = None


class Message(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class CompletionRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    # Accepted and ignored: the answer is extracted from the documents, not sampled.
    temperature: float | None = None
    max_tokens: int | None = None
    user: str | None = None


def caller(request: Request) -> str:
    """The caller's rate-limit key after checking its API key; raises OpenAIError(401) otherwise."""
    settings = request.app.state.settings
    keys = settings.api_key_levels
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if keys:
        for key in keys:
            if token and hmac.compare_digest(token.encode(), key.encode()):
                return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
        raise OpenAIError(401, "Khóa API không hợp lệ hoặc bị thiếu (Authorization: Bearer <khóa>).",
                          "invalid_request_error", "invalid_api_key")
    host = request.client.host if request.client else ""
    if host not in LOOPBACK:
        raise OpenAIError(401, "Máy chủ chưa cấu hình khóa API (ASEANBOT_API_KEYS): chỉ nhận yêu cầu từ chính máy chủ.",
                          "invalid_request_error", "invalid_api_key")
    return "local:" + host


def _check_rate(request: Request, who: str) -> None:
    settings = request.app.state.settings
    retry = limiter_for(request, "openai", settings.rate_limit_per_minute).hit(who)
    if retry is not None:
        raise OpenAIError(429, "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau ít phút.", "rate_limit_error",
                          "rate_limit_exceeded", headers={"Retry-After": str(max(1, int(retry + 0.999)))})


def sources_text(citations: list[Citation]) -> str:
    """The numbered source list appended to the reply, for clients that show only text."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        doc = c.title.split(" · ")[0] if c.title else c.source  # "Kế hoạch 159/KH-UBND", or the title
        where = f", {c.section}" if c.section else ""
        page = f", trang {c.page}" if c.page else ""
        quote = c.quote if len(c.quote) <= 300 else c.quote[:297].rstrip() + "…"
        lines.append(f"[{c.n}] {doc}{where}{page}: “{quote}”")
    return "\n\nNguồn:\n" + "\n".join(lines)


def _questions(messages: list[Message], max_chars: int) -> list[str]:
    questions = [m.text() for m in messages if m.role == "user"]
    if not questions:
        raise OpenAIError(400, "Cần ít nhất một tin nhắn của người dùng (role \"user\").", "invalid_request_error",
                          param="messages")
    try:
        return [check_message(q, max_chars) for q in questions[:-1] if q.strip()] + [check_message(questions[-1], max_chars)]
    except InputError as exc:
        raise OpenAIError(400, str(exc), "invalid_request_error", param="messages") from exc


def _usage(questions: list[str], content: str) -> dict[str, int]:
    # Words stand in for tokens: there is no tokenizer in an extractive answerer.
    prompt, completion = sum(len(q.split()) for q in questions), len(content.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _reply(result: ChatResult) -> tuple[str, list[dict[str, Any]]]:
    answer = result.answer
    return answer.text + sources_text(answer.citations), [c.to_dict() for c in answer.citations]


@router.get("/models")
def models(request: Request) -> JSONResponse:
    try:
        caller(request)
    except OpenAIError as exc:
        return exc.response()
    return JSONResponse({"object": "list", "data": [
        {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "aseanbot"}]})


@router.post("/chat/completions")
async def chat_completions(request: Request, services: Services = Depends(get_services)):
    try:
        who = caller(request)
        # The key's level (internal keys see internal documents); loopback without keys: public.
        view = view_for(services, caller_level(request))
        _check_rate(request, who)
        try:
            body = CompletionRequest.model_validate(json.loads(await request.body() or b"null"))
        except (ValueError, ValidationError) as exc:
            raise OpenAIError(400, "Yêu cầu không hợp lệ: cần JSON theo lược đồ chat.completions "
                                   f"({_first_error(exc)}).", "invalid_request_error") from exc
        questions = _questions(body.messages, request.app.state.settings.max_message_chars)
    except OpenAIError as exc:
        return exc.response()
    completion_id = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())
    if body.stream:
        return StreamingResponse(_stream(view, questions, completion_id, created), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    result = await asyncio.to_thread(view.ask_thread, questions)
    content, citations = _reply(result)
    return JSONResponse({
        "id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "citations": citations},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(questions, content),
        "citations": citations, "grounded": result.answer.grounded,
        "approved": bool(result.answer.debug.get("approved")),
    })


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        return ".".join(str(x) for x in err.get("loc", ())) or "body"
    return "JSON không đọc được"


def _chunk(completion_id: str, created: int, delta: dict, finish: str | None = None, **extra: Any) -> str:
    data = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(view: AccessView, questions: list[str], completion_id: str, created: int) -> AsyncIterator[str]:
    yield _chunk(completion_id, created, {"role": "assistant", "content": ""})
    try:
        result = await asyncio.to_thread(view.ask_thread, questions)
    except Exception:  # noqa: BLE001 - the client gets OpenAI's error shape, the log the trace
        import logging

        logging.getLogger(__name__).exception("chat completion failed")
        err = {"error": {"message": "Đã có lỗi khi trả lời. Vui lòng thử lại.", "type": "server_error",
                         "param": None, "code": None}}
        yield f"data: {json.dumps(err, ensure_ascii=False)}\n\n"
        yield "data: [DONE]\n\n"
        return
    content, citations = _reply(result)
    for i in range(0, len(content), 48):
        yield _chunk(completion_id, created, {"content": content[i:i + 48]})
    yield _chunk(completion_id, created, {}, "stop", citations=citations, grounded=result.answer.grounded,
                 usage=_usage(questions, content))
    yield "data: [DONE]\n\n"
