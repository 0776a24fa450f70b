"""Numbered citations: exact spans of a document's text, with where they stand in it."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Citation:
    n: int
    doc_id: str
    source: str
    title: str
    number: str | None
    section: str
    page: int | None
    quote: str  # exact text of the document, its own letters
    chunk_id: str
    char_start: int  # offsets of ``quote`` in the document text
    char_end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def page_at(payload: dict[str, Any], offset: int) -> int | None:
    """Page of a character of a chunk, from the chunk's page map."""
    page = payload.get("page")
    for start, p in payload.get("page_map") or []:
        if start <= offset:
            page = p
    return page


class CitationList:
    """Collects quotes while an answer is built and numbers them in order of first use;
    quoting the same span twice gives the same number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def has(self, payload: dict[str, Any], start: int, end: int) -> bool:
        """Is ``payload["text"][start:end]`` already cited (exactly or inside a cited span)?"""
        doc_start, doc_end = payload["char_start"] + start, payload["char_start"] + end
        return any(c.doc_id == payload["doc_id"] and c.char_start <= doc_start and doc_end <= c.char_end
                   for c in self.items)

    def cite(self, payload: dict[str, Any], start: int, end: int) -> int:
        """Cite ``payload["text"][start:end]`` (trimmed) and return its number."""
        text = payload["text"]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        doc_start = payload["char_start"] + start
        doc_end = payload["char_start"] + end
        for c in self.items:
            if c.doc_id == payload["doc_id"] and c.char_start <= doc_start and doc_end <= c.char_end:
                return c.n
        citation = Citation(
            n=len(self.items) + 1,
            doc_id=payload["doc_id"],
            source=payload["source"],
            title=payload.get("title") or "",
            number=payload.get("number"),
            section=payload.get("section") or "",
            page=page_at(payload, start),
            quote=text[start:end],
            chunk_id=payload["chunk_id"],
            char_start=doc_start,
            char_end=doc_end,
        )
        self.items.append(citation)
        return citation.n
