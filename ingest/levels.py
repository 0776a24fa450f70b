"""Access levels of documents, and the corrections an administrator makes after ingest.

Every document is ``public`` (anyone, the citizen widget included, may be answered from it) or
``internal`` (only callers holding an internal API key or an admin session). The level travels
with the document's metadata: the corpus manifest sets it (``level: internal``), the upload form
and the admin page set it too. Those later choices are kept in ``<state>/overrides.json`` (source
→ fields), beside the ledger, never in the corpus: the corpus may be a read-only checkout.

Ingest merges manifest and overrides into one set of corrections per source (overrides win), so
a document re-ingested later keeps what the administrator chose.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ingest.manifest import load_manifest

PUBLIC = "public"
INTERNAL = "internal"
LEVELS = (PUBLIC, INTERNAL)
# What a level is called where people read it.
LEVEL_NAMES = {PUBLIC: "Công khai", INTERNAL: "Nội bộ"}
OVERRIDES_FILE = "overrides.json"


class LevelError(ValueError):
    pass


def check_level(value: object) -> str:
    """``value`` as a level, or LevelError with a Vietnamese message."""
    level = str(value or "").strip().lower()
    if level not in LEVELS:
        raise LevelError(f"Mức truy cập không hợp lệ: {value!r}; chọn public (công khai) hoặc internal (nội bộ).")
    return level


def record_level(record: dict | None) -> str:
    """The level a ledger record states. Records written before levels existed state none: every
    document was public then, so that is what they stay until someone says otherwise."""
    level = (record or {}).get("level")
    return level if level in LEVELS else PUBLIC


def visible_levels(level: str) -> list[str]:
    """The document levels a caller of ``level`` may be answered from: the one rule of access."""
    return [PUBLIC, INTERNAL] if check_level(level) == INTERNAL else [PUBLIC]


def may_see(caller_level: str, record: dict | None) -> bool:
    return record_level(record) in visible_levels(caller_level)


class Overrides:
    """Fields an administrator set for a source (level, title, số hiệu …), in one JSON file.

    A lock orders this process's writers; the file is replaced atomically so a reader never sees
    half of it."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / OVERRIDES_FILE
        self._lock = threading.Lock()

    def all(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}

    def get(self, source: str) -> dict[str, str]:
        return self.all().get(source, {})

    def update(self, source: str, fields: dict[str, str | None]) -> dict[str, str]:
        """Set (or, with None or "", clear) fields of a source; returns its overrides after."""
        with self._lock:
            data = self.all()
            entry = data.get(source, {})
            for key, value in fields.items():
                if value in (None, ""):
                    entry.pop(key, None)
                else:
                    entry[key] = check_level(value) if key == "level" else str(value)
            if entry:
                data[source] = entry
            else:
                data.pop(source, None)
            self._write(data)
            return dict(entry)

    def forget(self, source: str) -> None:
        with self._lock:
            data = self.all()
            if data.pop(source, None) is not None:
                self._write(data)

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


def load_corrections(corpus_root: Path, state_dir: Path | None) -> dict[str, dict[str, str]]:
    """Manifest entries with the administrator's overrides on top, keyed by source."""
    merged = {source: dict(fields) for source, fields in load_manifest(corpus_root).items()}
    if state_dir is not None:
        for source, fields in Overrides(state_dir).all().items():
            merged[source] = {**merged.get(source, {}), **fields}
    return merged
