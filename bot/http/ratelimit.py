"""Per-client sliding-window rate limiting for the public endpoints.

A sliding window (timestamps of the last minute's requests) rather than a fixed one, so a
client cannot send twice the limit by straddling a minute boundary. State is in-process: one
server process per home is how the product runs; several workers would each count separately.

Use as a dependency: ``@router.post("/api/chat", dependencies=[Depends(rate_limit)])``.
"""
from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict, deque
from typing import Callable

from fastapi import HTTPException, Request

WINDOW_SECONDS = 60.0
TOO_MANY_MESSAGE = "Bạn gửi quá nhiều câu hỏi, vui lòng thử lại sau ít phút."


class RateLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.clock = clock
        # Ordered by last use, so the clients to forget under memory pressure are at the front.
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Record one request; None if allowed, else the seconds until the next one would be."""
        if self.limit <= 0:
            return None
        now = self.clock()
        with self._lock:
            times = self._hits.get(key)
            if times is None:
                times = self._hits[key] = deque()
                self._evict(now)
            else:
                self._hits.move_to_end(key)
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return max(times[0] + self.window - now, 0.0)
            times.append(now)
            return None

    def _evict(self, now: float) -> None:
        # Bounded memory under a flood of distinct addresses: idle clients go first, then the
        # least recently seen (who lose nothing but a partly used window).
        if len(self._hits) <= self.max_keys:
            return
        for key in [k for k, t in self._hits.items() if not t or t[-1] <= now - self.window]:
            del self._hits[key]
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)


def _settings(request: Request):
    state = request.app.state
    settings = getattr(state, "settings", None)
    return settings if settings is not None else state.services.settings


def _trusted(host: str, proxies: list[str]) -> bool:
    if not proxies or not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in proxies  # a name, such as the test client's "testclient"
    for proxy in proxies:
        try:
            if address in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request, trusted_proxies: list[str] | None = None) -> str:
    """The client's address. X-Forwarded-For is believed only from a configured proxy
    (ASEANBOT_TRUSTED_PROXIES), read from the right: the first hop that is not one of our
    proxies is the client (hops to its left are whatever the client chose to send)."""
    peer = request.client.host if request.client else ""
    proxies = trusted_proxies or []
    if not _trusted(peer, proxies):
        return peer or "unknown"
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def client_key(request: Request) -> str:
    """The rate limit's key for a request: its client address."""
    return client_address(request, _settings(request).trusted_proxies)


_create_lock = threading.Lock()


def limiter_for(request: Request, scope: str, limit: int) -> RateLimiter:
    # One limiter per app and scope, created on first use so tests' apps never share counts.
    state = request.app.state
    limiters = getattr(state, "rate_limiters", None)
    if limiters is None or scope not in limiters:
        with _create_lock:
            limiters = getattr(state, "rate_limiters", None)
            if limiters is None:
                limiters = state.rate_limiters = {}
            if scope not in limiters:
                limiters[scope] = RateLimiter(limit)
    return limiters[scope]


def make_rate_limit(scope: str, factor: int = 1) -> Callable[[Request], None]:
    """A dependency allowing ``factor × settings.rate_limit_per_minute`` requests per client."""

    def dependency(request: Request) -> None:
        settings = _settings(request)
        limiter = limiter_for(request, scope, settings.rate_limit_per_minute * factor)
        retry_after = limiter.hit(client_key(request))
        if retry_after is not None:
            raise HTTPException(429, detail=TOO_MANY_MESSAGE,
                                headers={"Retry-After": str(max(1, int(retry_after + 0.999)))})

    dependency.__name__ = f"rate_limit_{scope}"
    return dependency


# Questions (chat and search) share one budget: both cost a retrieval.
rate_limit = make_rate_limit("api")
# Feedback is cheap but still written to disk: a separate, looser budget, so rating answers
# never uses up a citizen's questions.
feedback_rate_limit = make_rate_limit("feedback", factor=2)
