"""Serve an app on a free loopback port in a background thread, for as long as a block runs.

Used by the tests (the real app over HTTP, the widget in Chromium) and by the latency benchmark.

    with serve_in_thread(app) as base:
        httpx.get(f"{base}/healthz")
"""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator


def proxy_options(settings: Any) -> dict[str, Any]:
    """uvicorn's proxy-header options: off unless ASEANBOT_TRUSTED_PROXIES names our proxies.
    uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so any local client could pass
    itself off as any address (the rate limit, upload rights)."""
    proxies = list(getattr(settings, "trusted_proxies", None) or [])
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


@contextmanager
def serve_in_thread(application: Any, timeout: float = 30.0) -> Iterator[str]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    settings = getattr(getattr(application, "state", None), "settings", None)
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           **proxy_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + timeout
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
