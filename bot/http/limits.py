"""What every request must respect before a route sees it: a body size limit, and validation
errors answered in Vietnamese.

FastAPI reads a whole JSON body into memory before validating it: a 200 MB body to /api/chat
cost ~490 MB of RSS and was answered 200. Here a body is refused with 413 by its declared
Content-Length before a byte is read, or, sent without one (chunked), as soon as it passes
the limit. Uploads have their own limit (bot/http/uploads.py), checked the same way.
"""
from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

# Multipart uploads: their route checks its own (much larger) limit before reading.
UPLOAD_PATHS = {"/api/documents"}
# OpenAI-compatible clients send the whole thread every turn (answers with their sources
# included): 16 x the JSON limit.
THREAD_PREFIXES = ("/v1/",)
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# An oversized body up to this size is read (and dropped) before the 413, so the client gets
# the answer; a bigger one is answered at once and its connection closed.
_DRAIN = 1024 * 1024


def install(app: FastAPI, settings: Any) -> None:
    app.add_middleware(BodyLimit, limit=settings.max_body_kb * 1024)
    app.add_exception_handler(RequestValidationError, validation_error)


def too_large_message(limit: int) -> str:
    return f"Nội dung yêu cầu quá lớn: tối đa {limit // 1024} KB."


class BodyLimit:
    """Pure ASGI, so nothing of an oversized body is buffered by the framework first."""

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit

    def _limit_for(self, scope: dict) -> int | None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            return None
        path = scope.get("path", "")
        if path in UPLOAD_PATHS:
            return None
        if path.startswith(THREAD_PREFIXES):
            return self.limit * 16
        return self.limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        limit = self._limit_for(scope)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = None
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                declared = value
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _respond(send, 400, "Độ dài nội dung (Content-Length) không hợp lệ.")
                return
            if size > limit:
                if size <= _DRAIN:
                    await _drain(receive)
                await _respond(send, 413, too_large_message(limit))
                return
            # The HTTP server delivers no more than the declared length.
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read up to the limit here, then hand the body on.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _drain(receive, _DRAIN - len(body))
                await _respond(send, 413, too_large_message(limit))
                return
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _drain(receive: Any, budget: int = 1 << 62) -> None:
    """Read and drop a small oversized body: a server that closes a connection with unread
    data resets it, and the client may never see the 413 explaining why."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _respond(send: Any, status: int, message: str) -> None:
    payload = json.dumps({"detail": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


# Pydantic's error types → Vietnamese, "{field}" and the error's context filled in.
_MESSAGES = {
    "missing": "Trường '{field}' là bắt buộc.",
    "string_type": "Trường '{field}' phải là chuỗi ký tự.",
    "string_too_long": "Trường '{field}' quá dài (tối đa {max_length} ký tự).",
    "string_too_short": "Trường '{field}' quá ngắn (ít nhất {min_length} ký tự).",
    "string_pattern_mismatch": "Giá trị của trường '{field}' không hợp lệ.",
    "int_type": "Trường '{field}' phải là số nguyên.",
    "int_parsing": "Trường '{field}' phải là số nguyên.",
    "int_from_float": "Trường '{field}' phải là số nguyên.",
    "float_type": "Trường '{field}' phải là số.",
    "float_parsing": "Trường '{field}' phải là số.",
    "bool_type": "Trường '{field}' phải là true hoặc false.",
    "bool_parsing": "Trường '{field}' phải là true hoặc false.",
    "greater_than_equal": "Trường '{field}' phải lớn hơn hoặc bằng {ge}.",
    "greater_than": "Trường '{field}' phải lớn hơn {gt}.",
    "less_than_equal": "Trường '{field}' phải nhỏ hơn hoặc bằng {le}.",
    "less_than": "Trường '{field}' phải nhỏ hơn {lt}.",
    "dict_type": "Trường '{field}' phải là một đối tượng JSON.",
    "list_type": "Trường '{field}' phải là một danh sách.",
    "literal_error": "Trường '{field}' chỉ nhận: {expected}.",
    "enum": "Trường '{field}' chỉ nhận: {expected}.",
    "extra_forbidden": "Trường '{field}' không được hỗ trợ.",
    "json_invalid": "Nội dung yêu cầu không phải JSON hợp lệ.",
    "model_attributes_type": "Nội dung yêu cầu phải là một đối tượng JSON.",
    "model_type": "Nội dung yêu cầu phải là một đối tượng JSON.",
}


def error_message(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(loc) or "nội dung"
    kind = error.get("type", "")
    if kind == "value_error":  # our own validators' messages are Vietnamese already
        ctx_error = (error.get("ctx") or {}).get("error")
        return str(ctx_error) if ctx_error else f"Giá trị của trường '{field}' không hợp lệ."
    template = _MESSAGES.get(kind)
    if template is None:
        return f"Giá trị của trường '{field}' không hợp lệ."
    if kind == "missing" and not loc:
        return "Thiếu nội dung yêu cầu (một đối tượng JSON)."
    try:
        return template.format(field=field, **(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return f"Giá trị của trường '{field}' không hợp lệ."


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one Vietnamese sentence per error: ``detail`` joins them (what clients show),
    ``errors`` lists them with the field each is about."""
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        errors.append({"field": ".".join(loc) or None, "message": error_message(error)})
    detail = " ".join(dict.fromkeys(e["message"] for e in errors)) or "Yêu cầu không hợp lệ."
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)
