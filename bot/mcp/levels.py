"""The access level of an MCP call: the HTTP caller's (its key's level, like /v1), or internal
over stdio (the person running ``aseanbot mcp`` owns the home and its files).

The SDK runs each request in the session's task, not the HTTP request's, so the level is set
per request on a context variable by the server's handlers (``AseanbotMCP``) and read by the
services getter the tools and resources use; worker threads inherit it (anyio copies context).
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable

from starlette.requests import Request

from bot.access import AccessView, view_for
from bot.http.access import caller_level
from bot.services import Services
from ingest.levels import INTERNAL, PUBLIC

# Outside a request handler nothing has said who is asking: the public level.
CALLER_LEVEL: ContextVar[str] = ContextVar("aseanbot_mcp_level", default=PUBLIC)


def level_of(request_context: Any) -> str:
    request = getattr(request_context, "request", None)
    return caller_level(request) if isinstance(request, Request) else INTERNAL


def scoped(get_services: Callable[[], Services]) -> Callable[[], AccessView]:
    """A getter of the services as the current call's caller may see them."""
    return lambda: view_for(get_services(), CALLER_LEVEL.get())
