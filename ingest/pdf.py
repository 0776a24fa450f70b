"""PDF → blocks with page numbers: pypdf text layer, glyph-map repair, OCR for scans.

Three things go wrong with Vietnamese government PDFs, and each has its module:

* **Wrong glyph maps** (:mod:`ingest.pdf_glyphs`). Word 2010's ToUnicode CMaps turn "ư" into
  "ƣ" and "Ò" into "Õ"; the embedded font's own cmap says which letter a glyph really is.
* **Legacy fonts / garbage** (:mod:`ingest.pdf_text`). A page whose words are mostly not
  Vietnamese syllables (TCVN3, VNI, missing ToUnicode) is sent to OCR instead of being indexed
  as mojibake.
* **No text layer** (:mod:`ingest.pdf_ocr`). Scanned pages are rendered at 300 dpi and read by
  ``tesseract -l vie``, one subprocess per page, pages in parallel.

This module puts the pages together: it picks text or OCR per page, drops running headers,
footers and page numbers, and joins wrapped lines into paragraphs across page turns.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ingest.document import Block, LoadedDocument, LoadError
from ingest.isolate import extend_budget
from ingest.glued_words import repair_glued
from ingest.lang.normalize import clean_text
from ingest.paragraphs import join_lines, vietnamese_share
from ingest.pdf_glyphs import LOOKALIKE_RE, LOOKALIKES
from ingest.pdf_ocr import OCR_PAGE_TIMEOUT, run_ocr
from ingest.pdf_tables import candidate_pages, read_tables
from ingest.pdf_text import PageText, extract_text_layer, text_problem
from ingest.tables import TableReader

_PAGING_WORDS = re.compile(r"\b(?:trang|page|công báo|cong bao)\b", re.I)
_BARE_PAGE_NUMBER = re.compile(r"^(?:trang|page)?\s*[-–—]?\s*(\d{1,4})\s*[-–—]?(?:\s*/\s*\d{1,4})?$", re.I)


def load_pdf(
    path: Path,
    *,
    ocr: bool = True,
    max_ocr_pages: int | None = None,
    ocr_timeout: float = OCR_PAGE_TIMEOUT,
) -> LoadedDocument:
    """Read a PDF into paragraph blocks, each carrying the 1-based page it starts on.

    ``ocr=False`` never runs tesseract (pages without text are skipped with a warning, a
    fully scanned file is a LoadError). ``max_ocr_pages`` caps how many pages are OCR'd.
    """
    warnings: list[str] = []
    texts, repaired, has_images = extract_text_layer(path, warnings)
    n_pages = len(texts)
    if n_pages == 0:
        raise LoadError("corrupt or unreadable PDF: no pages")
    # Long PDFs get parse time by their pages (a text page takes ~0.07 s; 0.25 allowed).
    extend_budget(n_pages * 0.25)

    pages: list[PageText] = []
    to_ocr: list[int] = []
    reasons: dict[int, str] = {}
    lookalikes: Counter[str] = Counter()
    for number, raw in enumerate(texts, start=1):
        text = clean_text(raw)
        if vietnamese_share(text)[1] and LOOKALIKE_RE.search(text):
            lookalikes.update(LOOKALIKE_RE.findall(text))
            text = LOOKALIKE_RE.sub(lambda m: LOOKALIKES[m.group(0)], text)
        problem = text_problem(text)
        if problem is None:
            pages.append(PageText(number, text, "text"))
            continue
        pages.append(PageText(number, "", "none"))
        if problem == "no text layer" and not has_images[number - 1]:
            continue  # a genuinely blank page: nothing to read
        to_ocr.append(number)
        reasons[number] = problem

    repaired |= {(wrong, LOOKALIKES[wrong]) for wrong in lookalikes}
    if repaired:
        pairs = ", ".join(f"{a}→{b}" for a, b in sorted(repaired))
        warnings.append(f"text layer had wrong glyph mappings, repaired: {pairs}")

    ocr_done = run_ocr(path, pages, to_ocr, reasons, ocr, max_ocr_pages, ocr_timeout, warnings)

    page_lines = _drop_page_furniture([p.text.split("\n") if p.text else [] for p in pages])
    # Assignment tables: the grid from pdfplumber where pypdf's lines would interleave the cells.
    found = read_tables(path, candidate_pages([p.text if p.source == "text" else "" for p in pages]))
    tables: dict[int, list] = {}
    for number, pt in found.items():
        tables[number] = pt.tables
        page_lines[number - 1] = [*clean_text(pt.above).split("\n"), _TABLE_MARK, *clean_text(pt.below).split("\n")]
    # Tesseract's blank lines split its layout blocks, often mid-sentence: not paragraph breaks.
    blocks = _to_blocks(page_lines, soft_blanks=[p.source == "ocr" for p in pages], tables=tables)
    if not blocks:
        raise LoadError("empty document: no text")

    text_pages = sum(1 for p in pages if p.source == "text")
    parts = []
    if text_pages:
        parts.append("repaired-glyphs" if repaired else "text")
    if ocr_done:
        parts.append("ocr")
    return LoadedDocument(blocks=blocks, pages=n_pages, warnings=warnings, method="+".join(parts))


# --- Page furniture and paragraphs ----------------------------------------------------------


def _edge_indices(lines: list[str], k: int = 2) -> list[int]:
    filled = [i for i, l in enumerate(lines) if l.strip()]
    return sorted(set(filled[:k] + filled[-k:]))


def _drop_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers/footers and bare page numbers from the top and bottom lines.

    A line repeated verbatim at the edge of most pages is a running header: its first
    occurrence is kept (it may be a real title or a table's header row), the repeats go. A
    line repeated with changing numbers is furniture only when it is on nearly every page and
    reads like a gazette/page header ("CÔNG BÁO/Số 1234 + 1235", "Trang 3/12"): "Mẫu số 01",
    "Mẫu số 02" opening successive form pages are content.
    """
    n = len(pages)
    if n == 0:
        return pages
    exact: dict[str, list[int]] = {}
    numbered: dict[str, list[tuple[int, int]]] = {}
    for page_no, lines in enumerate(pages, start=1):
        for i in _edge_indices(lines):
            line = " ".join(lines[i].lower().split())
            exact.setdefault(line, []).append(page_no)
            digits = re.findall(r"\d+", line)
            if digits:
                numbered.setdefault(re.sub(r"\d+", "#", line), []).append((page_no, int(digits[0])))
    enough = max(3, (n + 1) // 2)
    repeated = {key for key, on in exact.items() if n >= 3 and len(set(on)) >= enough}
    paging = {
        key
        for key, hits in numbered.items()
        if n >= 4
        and len({p for p, _ in hits}) >= 0.8 * n
        and len(key) <= 80
        and (_PAGING_WORDS.search(key) or "#/#" in key.replace(" ", ""))
    }
    out = []
    seen: set[str] = set()
    for page_no, lines in enumerate(pages, start=1):
        drop = set()
        for i in _edge_indices(lines):
            line = lines[i].strip()
            key = " ".join(line.lower().split())
            m = _BARE_PAGE_NUMBER.match(line)
            if m and 0 < int(m.group(1)) <= n + 5:
                drop.add(i)
            elif re.sub(r"\d+", "#", key) in paging:
                drop.add(i)
            elif key in repeated:
                if key in seen:
                    drop.add(i)
                seen.add(key)
        out.append([l for i, l in enumerate(lines) if i not in drop])
    return out


_TABLE_MARK = "\x00table\x00"  # where a page's tables go between its lines; never in text


def _to_blocks(pages: list[list[str]], soft_blanks: list[bool], tables: dict[int, list] | None = None,
               first_page: int = 1, reader: TableReader | None = None) -> list[Block]:
    """Join wrapped lines across the whole document; a paragraph keeps the page it starts on.
    A page's tables (from :mod:`ingest.pdf_tables`) go where its table mark is."""
    for i, lines in enumerate(pages):
        if _TABLE_MARK in lines:
            at, number = lines.index(_TABLE_MARK), first_page + i
            reader = reader or TableReader()  # one per document: a table cut by a page break goes on
            rows = [Block(b.text, number, b.kind, b.cells)
                    for grid in (tables or {}).get(number, []) for b in reader.blocks(grid, page=number)]
            return (_to_blocks(pages[:i] + [lines[:at]], soft_blanks[:i + 1], None, first_page) + rows
                    + _to_blocks([lines[at + 1:]] + pages[i + 1:], soft_blanks[i:], tables, number, reader))
    flat: list[str] = []
    page_of: list[int] = []
    for number, (lines, soft) in enumerate(zip(pages, soft_blanks), start=first_page):
        # Text layers that put a blank line after every line use blanks as spacing, not breaks.
        filled = [i for i, l in enumerate(lines) if l.strip()]
        if not filled:
            continue
        # Blank lines at a page's edges are layout, not a paragraph break across the page turn.
        lines = lines[filled[0] : filled[-1] + 1]
        blank = sum(1 for l in lines if not l.strip())
        spaced = soft or (len(lines) > 6 and blank / len(lines) > 0.4)
        for line in lines:
            if spaced and not line.strip():
                continue
            flat.append(line)
            page_of.append(number)
    blocks = []
    for first, text in join_lines(flat):
        text = repair_glued(clean_text(text).strip())  # runs drawn without a space between words
        if text:
            blocks.append(Block(text=text, page=page_of[first], kind="paragraph"))
    return blocks
