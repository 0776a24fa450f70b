"""Where access levels are enforced for retrieval: one store wrapper that adds the caller's level
to the filter of every read, so no search, scroll or count can reach a document the caller may
not see, whatever filters the code above passes (a ``level`` filter of its own only narrows).

The ledger-based reads (document list, full text, task table) use :class:`LedgerView`, which
applies the same rule (``ingest.levels.visible_levels``) to the ledger's records.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from index.store import Hit, Query, VectorStore
from ingest.levels import LEVELS, check_level, may_see, record_level, visible_levels

log = logging.getLogger(__name__)
FIELD = "level"
# Matches no point: a caller asking for levels it may not see gets nothing, not everything.
_NOTHING = "\x00none"


def level_filters(filters: dict[str, Any] | None, level: str) -> dict[str, Any]:
    """``filters`` with the level condition of a caller of ``level`` added (or narrowed)."""
    allowed = visible_levels(level)
    out = dict(filters or {})
    asked = out.get(FIELD)
    if asked is not None and asked != []:
        asked_list = list(asked) if isinstance(asked, (list, tuple, set)) else [asked]
        allowed = [lv for lv in allowed if lv in asked_list] or [_NOTHING]
    out[FIELD] = allowed
    return out


class LevelStore:
    """A read-only view of a store for one caller level. Writes go to the real store, never
    through a caller's view."""

    def __init__(self, store: VectorStore, level: str):
        self.inner = store
        self.level = check_level(level)

    def search(self, query: Query) -> list[Hit]:
        return self.inner.search(Query(**{**query.__dict__, "filters": level_filters(query.filters, self.level)}))

    def payloads(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.inner.payloads(level_filters(filters, self.level))

    def count(self, filters: dict[str, Any] | None = None) -> int:
        return self.inner.count(level_filters(filters, self.level))

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionError("a caller's view of the store is read-only")

    ensure_collection = upsert = delete = delete_where = set_payload_where = optimize = _read_only

    def close(self) -> None:  # the real store is closed by its owner
        return None


class LedgerView:
    """The ledger as a caller of ``level`` sees it: records, entries and documents of the levels
    it may see, nothing else. Read-only; the rest (``path``, ``dir``) passes through."""

    def __init__(self, ledger: Any, level: str):
        self.inner = ledger
        self.level = check_level(level)

    @property
    def entries(self) -> dict[str, dict]:
        # list(): an upload in another thread may add an entry meanwhile.
        return {s: e for s, e in list(self.inner.entries.items()) if may_see(self.level, e)}

    def records(self) -> list[dict]:
        # Filtered once per ledger version (every change of entries or levels saves the ledger).
        cached = self.__dict__.get("_records")
        if cached is None or cached[0] != self.inner.version:
            cached = self.__dict__["_records"] = (self.inner.version,
                                                  [r for r in self.inner.records() if may_see(self.level, r)])
        return list(cached[1])

    def record(self, doc_id: str) -> dict | None:
        # The ledger's doc_id lookup (rebuilt per ledger version), the level checked on the live
        # entry: a question does not walk every entry, and a level change counts at once.
        entry = self.inner.record(doc_id)
        return entry if entry is not None and may_see(self.level, entry) else None

    def by_doc(self) -> "_VisibleRecords":
        """doc_id → record, for the documents this level may see (checked at each lookup)."""
        return _VisibleRecords(self)

    @property
    def version(self) -> int:
        return self.inner.version

    def document(self, doc_id: str) -> dict | None:
        if self.record(doc_id) is None:
            return None
        doc = self.inner.document(doc_id)
        # The stored copy states the level too; both must allow it (a change writes both).
        return doc if doc is not None and may_see(self.level, doc.get("record")) else None

    def __getattr__(self, name: str) -> Any:
        if name in ("path", "dir", "docs_dir"):
            return getattr(self.inner, name)
        raise AttributeError(f"LedgerView has no {name!r}: add it here with the level rule applied")


class _VisibleRecords(Mapping):
    """A read-only mapping doc_id → record through a LedgerView's level rule: lookups check the
    live entry; iteration (the follow-up catalog walks it) lists the visible documents."""

    def __init__(self, view: LedgerView):
        self.view = view

    def _visible(self) -> list[str]:
        return [r["doc_id"] for r in self.view.records()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._visible())

    def __len__(self) -> int:
        return len(self._visible())

    def get(self, doc_id: str, default: Any = None) -> Any:
        record = self.view.record(doc_id)
        return default if record is None else record

    def __getitem__(self, doc_id: str) -> dict:
        record = self.view.record(doc_id)
        if record is None:
            raise KeyError(doc_id)
        return record

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.view.record(doc_id) is not None


def backfill_levels(store: VectorStore, records: list[dict]) -> int:
    """Give every point of a ledger document the level its record states, when some point has
    none (an index built before levels existed). Returns the number of documents updated."""
    total = store.count()
    if total == 0 or store.count({FIELD: list(LEVELS)}) == total:
        return 0
    for record in records:
        store.set_payload_where("doc_id", record["doc_id"], {FIELD: record_level(record)})
    log.info("access levels written on the points of %d documents", len(records))
    return len(records)
