"""Pick the backend from settings: a Qdrant URL means the server, otherwise the embedded shard."""
from __future__ import annotations

from ingest.settings import Settings
from index.store import VectorStore


def open_store(settings: Settings) -> VectorStore:
    """Open (not create) the store; callers that write call ``ensure_collection(dim)`` first.

    The embedded shard is single-opener: this raises ``StoreLockedError`` while another store
    (e.g. the running server) holds ``settings.qdrant_path``.
    """
    # Imports are deferred: each backend's client library is heavy and the other one is unused.
    if settings.qdrant_url:
        from index.server import ServerStore

        return ServerStore(settings.qdrant_url, settings.qdrant_api_key, settings.collection,
                           large=settings.qdrant_large)
    from index.edge import EdgeStore

    return EdgeStore(settings.qdrant_path)
