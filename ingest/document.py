"""What a loader hands on: a document's text as ordered blocks, each knowing its page.

Loaders turn a file into a :class:`LoadedDocument`; everything after them (normalisation,
structure, chunks) works on blocks and never touches the file again.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class LoadError(Exception):
    """A file that cannot be ingested. ``reason`` is one short line for the ingest summary."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Block:
    """One paragraph (or one table row) of a document, in the document's own letters.

    ``kind`` is "paragraph", "table_row", "heading" or "header" (letterhead). ``page`` is
    1-based, None for formats without pages.
    """

    text: str
    page: int | None = None
    kind: str = "paragraph"
    # A table's data row: (column header, value) pairs, so a reader of the row knows each
    # value's column without the table (:mod:`ingest.tables`); None for everything else.
    cells: list[tuple[str, str]] | None = None


@dataclass
class LoadedDocument:
    """A file's text as blocks, plus metadata the container itself states (a DOCX header table)."""

    blocks: list[Block]
    pages: int | None = None
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # How the text was obtained: "text", "ocr", "repaired-glyphs", "antiword", ...
    method: str = "text"
