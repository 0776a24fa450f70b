"""MCP over streamable HTTP at ``/mcp`` on the product's FastAPI app.

Same door as ``/v1``: ``Authorization: Bearer <key>`` from ``ASEANBOT_API_KEYS`` (``caller`` of
the OpenAI-compatible API, so both interfaces accept and refuse the same callers), or, with no
keys configured, this machine only. Each tool call counts against the key's own rate limit.

The MCP endpoint is a route at ``/mcp`` exactly (a Starlette ``Mount`` would answer ``/mcp`` with
a redirect to ``/mcp/``). Its session manager needs a running task group, which a mounted sub-app
would start in its own lifespan, but Starlette never runs a mounted app's lifespan: so the app's
lifespan is wrapped here to run it. A session manager runs once, so each lifespan (each server
or TestClient over the same app) gets a fresh one.

DNS rebinding: with no keys, the loopback-only server also checks Host and Origin against
loopback names (a web page that rebinds its name to 127.0.0.1 would otherwise reach it from
the user's browser); with keys, the key is the check and any host name may front the server.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI
from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bot.http.openai_api import OpenAIError, caller
from bot.http.ratelimit import limiter_for
from bot.mcp.server import AseanbotMCP, Refused, build_server
from ingest.settings import Settings

PATH = "/mcp"
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def transport_security(settings: Settings) -> TransportSecuritySettings:
    if settings.api_key_levels:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=LOOPBACK_HOSTS,
                                     allowed_origins=LOOPBACK_ORIGINS)


def throttle(ctx: Context) -> None:
    """Per-key rate limit of tool calls made over HTTP (stdio calls carry no HTTP request)."""
    request = getattr(ctx.request_context, "request", None)
    if not isinstance(request, Request):
        return
    try:
        who = caller(request)
    except OpenAIError as exc:
        raise Refused(exc.message) from None
    settings = request.app.state.settings
    if limiter_for(request, "mcp", settings.rate_limit_per_minute).hit(who) is not None:
        raise Refused("Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau ít phút.")


class MCPEndpoint:
    """The ASGI endpoint: checks the key, then hands the request to the running session manager."""

    def __init__(self, server: AseanbotMCP):
        self.server = server
        self._managers: list[StreamableHTTPSessionManager] = []

    @asynccontextmanager
    async def running(self, settings: Settings) -> AsyncIterator[None]:
        # streamable_http_app() builds a new session manager each call; its Starlette app is not used.
        self.server.streamable_http_app(streamable_http_path=PATH, transport_security=transport_security(settings))
        manager = self.server.session_manager
        async with manager.run():
            self._managers.append(manager)
            try:
                yield
            finally:
                self._managers.remove(manager)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            caller(Request(scope, receive))
        except OpenAIError as exc:
            exc.headers.setdefault("WWW-Authenticate", 'Bearer realm="aseanbot"')
            await exc.response()(scope, receive, send)
            return
        if not self._managers:
            response = JSONResponse({"detail": "Máy chủ MCP chưa sẵn sàng, vui lòng thử lại sau."}, status_code=503)
            await response(scope, receive, send)
            return
        await self._managers[-1].handle_request(scope, receive, send)


def mount_mcp(app: FastAPI) -> MCPEndpoint:
    """Serve MCP at ``/mcp`` on ``app`` (tools read ``app.state.services`` at each call)."""
    endpoint = MCPEndpoint(build_server(lambda: app.state.services, guard=throttle))
    app.router.routes.append(Route(PATH, endpoint=endpoint, include_in_schema=False))
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with outer(application) as state, endpoint.running(app.state.settings):
            yield state

    app.router.lifespan_context = lifespan
    app.state.mcp = endpoint
    return endpoint
