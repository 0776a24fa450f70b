"""Parse the next file while this process embeds the current one.

Ingest alternates two kinds of work: parsing a file (in a child process, ingest/isolate.py)
and embedding its chunks (the encoder, native code that releases the GIL). Done one after the
other, each waits for the other; so while document *n* is embedded and written, document *n+1*
is already being parsed in its child, on the other core. One file ahead is enough: parsing a
legal DOCX takes ~0.1 s, embedding it tens of times that.

The parse ahead is a guess made with the same checks the ingest loop makes (file readable and
supported, content changed since the ledger's version); the loop takes the result only when
it asks for exactly the same parse (same path, source, hash and corrections), so a wrong guess
costs one wasted parse, never a wrong document.
"""
from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable


class ParsePrefetch:
    def __init__(self, parse: Callable[..., Any]):
        self._parse = parse
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="aseanbot-parse-ahead")
        self._pending: tuple[str, Future] | None = None
        self._scanned = 0  # files before this index were already considered

    def next_after(self, files: list[Path], index: int, needs_parse: Callable[[Path], tuple[str, dict] | None]) -> None:
        """Start parsing the first file after ``files[index]`` that ``needs_parse`` says needs it
        (it returns the source and the parse's arguments, or None); each file is checked once."""
        for j in range(max(index + 1, self._scanned), len(files)):
            self._scanned = j + 1
            found = needs_parse(files[j])
            if found is not None:
                self.start(files[j], found[0], **found[1])
                return

    @staticmethod
    def _key(path: Path, source: str, kwargs: dict) -> str:
        return json.dumps([str(path), source, kwargs], sort_keys=True, default=str)

    def start(self, path: Path, source: str, **kwargs: Any) -> None:
        """Begin parsing ``path`` in the background (one file ahead at most)."""
        key = self._key(path, source, kwargs)
        if self._pending is not None:
            if self._pending[0] == key:
                return
            self._pending[1].result()  # bounded by the parse budget; its child must not linger
        self._pending = (key, self._pool.submit(self._parse, path, source, **kwargs))

    def take(self, path: Path, source: str, **kwargs: Any) -> Any | None:
        """The parse started for exactly these arguments (waiting for it), else None."""
        if self._pending is None or self._pending[0] != self._key(path, source, kwargs):
            return None
        _, future = self._pending
        self._pending = None
        return future.result()

    def close(self) -> None:
        if self._pending is not None:
            try:
                self._pending[1].result()
            except Exception:  # noqa: BLE001 - a guessed parse nobody asked for
                pass
            self._pending = None
        self._pool.shutdown(wait=True)
