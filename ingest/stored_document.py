"""A ledger document rebuilt, from its stored JSON, into enough of a parsed document for
:func:`ingest.tasks.extract_tasks`: a document ingested before its tasks were saved is
re-extracted from the very text its chunks cite, so offsets agree."""
from __future__ import annotations

from ingest.document import Block
from ingest.metadata import DocMeta
from ingest.structure import parse_structure


class StoredDocument:
    """Enough of a ParsedDocument, rebuilt from a ledger JSON, for :func:`extract_tasks`."""

    def __init__(self, data: dict):
        record = data.get("record") or {}
        self.doc_id = record.get("doc_id", "")
        self.source = record.get("source", "")
        self.text = data.get("text", "")
        self.meta = DocMeta(**{k: record.get(k) for k in
                               ("title", "number", "doc_type", "issuer", "place", "province", "date", "signer")
                               if k in record})
        if self.meta.title is None:
            self.meta.title = ""
        pages = _page_marks(data.get("chunks") or [])
        blocks: list[Block] = []
        offset = 0
        for line in self.text.split("\n"):
            blocks.append(Block(line, _page_of(pages, offset)))
            offset += len(line) + 1
        self.structure = parse_structure(blocks)
        if self.structure.text != self.text:
            # blank or padded lines do not survive parsing; offsets would drift, so keep none
            self.structure.items = []


def _page_marks(chunks: list[dict]) -> list[tuple[int, int]]:
    marks: list[tuple[int, int]] = []
    for c in chunks:
        start = c.get("char_start", 0)
        if c.get("page_map"):
            marks.extend((start + off, page) for off, page in c["page_map"])
        elif c.get("page") is not None:
            marks.append((start, c["page"]))
    return sorted(marks)


def _page_of(marks: list[tuple[int, int]], offset: int) -> int | None:
    page = None
    for start, p in marks:
        if start > offset:
            break
        page = p
    return page
