"""Assignment tables in PDFs with a text layer, read with pdfplumber from the ruling lines.

pypdf gives a page's words in reading order but loses the grid: a table row comes out as lines
that interleave its cells. Pages whose text names roles ("chủ trì", "phối hợp", "thực hiện")
and tasks ("nhiệm vụ", "nội dung") — few, so the cost stays small — are opened with
pdfplumber; a table there whose header names a task column and a lead column replaces the
page's text with: the words above it, the table's rows (:class:`ingest.tables.TableReader`),
the words below it. Other pages, and pages where pdfplumber finds no such table, keep pypdf's
text. Cells pdfplumber reports as None are covered by a merged cell: the text of the cell
above goes on there.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.tables import Cell, is_assignment_header

log = logging.getLogger(__name__)

# A table's header names a lead column, a deadline column and a task column close together;
# running text that merely mentions "chủ trì" rarely does, so few pages pay for pdfplumber.
_CUE_ROLE = re.compile(r"chủ\s*trì|(?:trách\s*nhiệm|cơ\s*quan|đơn\s*vị)\s*thực\s*hiện", re.IGNORECASE)
_CUE_NEAR = [re.compile(r"thời\s*(?:gian|hạn)|tiến\s*độ|hoàn\s*thành", re.IGNORECASE),
             re.compile(r"nhiệm\s*vụ|nội\s*dung|hoạt\s*động|công\s*việc", re.IGNORECASE)]
_WINDOW = 250
MAX_PAGES = 40


@dataclass
class PageTables:
    above: str
    tables: list[list[list[Cell]]] = field(default_factory=list)
    below: str = ""


def candidate_pages(texts: list[str]) -> list[int]:
    """1-based numbers of pages whose text layer may hold an assignment table."""
    out = []
    for i, t in enumerate(texts, start=1):
        for m in _CUE_ROLE.finditer(t or ""):
            near = t[max(0, m.start() - _WINDOW):m.end() + _WINDOW]
            if all(p.search(near) for p in _CUE_NEAR):
                out.append(i)
                break
    return out[:MAX_PAGES]


def read_tables(path: Path, pages: list[int]) -> dict[int, PageTables]:
    """Assignment tables of the given pages: {page number: text above, tables, text below}."""
    if not pages:
        return {}
    try:
        import pdfplumber
    except ImportError:  # an optional reader: without it PDF tables stay as pypdf's lines
        return {}
    out: dict[int, PageTables] = {}
    try:
        with pdfplumber.open(str(path)) as pdf:
            for number in pages:
                if number - 1 >= len(pdf.pages):
                    continue
                page = pdf.pages[number - 1]
                found = [t for t in page.find_tables() if _is_assignment(t)]
                if not found:
                    continue
                top = min(t.bbox[1] for t in found)
                bottom = max(t.bbox[3] for t in found)
                above = page.crop((0, 0, page.width, max(top, 0.1))).extract_text() or ""
                below = page.crop((0, min(bottom, page.height - 0.1), page.width, page.height)).extract_text() or ""
                out[number] = PageTables(above, [_grid(t.extract()) for t in found], below)
    except Exception:  # a PDF pdfplumber cannot lay out keeps pypdf's text
        log.debug("pdfplumber failed on %s", path, exc_info=True)
        return {}
    return out


def _is_assignment(table) -> bool:
    try:
        rows = table.extract()
    except Exception:
        return False
    head = [" ".join((c or "").split()) for c in (rows[0] if rows else [])]
    return len(head) >= 2 and is_assignment_header(head)


def _grid(rows: list[list[str | None]]) -> list[list[Cell]]:
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            # None: covered by a merged cell; the one above goes on (spans across columns are
            # rare in assignment tables, and a task's unit cell is often merged downwards)
            cells.append(Cell(value or "", continues=value is None and r > 0))
        out.append(cells)
    return out
