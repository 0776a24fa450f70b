"""One entry point for every file type: :func:`load` checks the file, then dispatches.

Checks come before any parsing and cost nothing: the extension, the size from ``stat`` (a
200 MB upload is refused without reading a byte), and a few magic bytes, so a ZIP renamed
.docx or an HTML error page saved as .pdf fails with a clear reason instead of a parser trace.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ingest.document import LoadedDocument, LoadError
from ingest.isolate import extend_budget
from ingest.lang.normalize import clean_text
from ingest.zipcheck import check_zip

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".docx", ".doc", ".html", ".htm", ".txt", ".md")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def load(
    path: Path,
    *,
    max_bytes: int,
    ocr: bool = True,
    max_ocr_pages: int | None = None,
) -> LoadedDocument:
    """Read ``path`` into blocks; raises :class:`LoadError` with a one-line reason on failure.

    ``ocr`` allows tesseract for scanned or garbled PDF pages; ``max_ocr_pages`` caps how many
    pages of one PDF are OCR'd (the rest are skipped with a warning).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if path.is_symlink():  # checked by ingest already; here again in case it changed since
        raise LoadError("symlink: not read")
    if ext not in SUPPORTED_EXTENSIONS:
        raise LoadError(f"unsupported file type: {ext}" if ext else "unsupported file type: (no extension)")
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise LoadError("file not found") from exc
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise LoadError("not a regular file")
    if size == 0:
        raise LoadError("empty file (0 bytes)")
    if size > max_bytes:
        raise LoadError(f"file too large: {_mb(size)} MB (limit {_mb(max_bytes)} MB)")

    with path.open("rb") as fh:
        head = fh.read(1024)
    try:
        doc = _dispatch(path, ext, head, ocr=ocr, max_ocr_pages=max_ocr_pages)
    except LoadError:
        raise
    except MemoryError as exc:
        raise LoadError("file too complex to load (out of memory)") from exc
    except Exception as exc:  # a parser bug must cost one file, not the whole ingest run
        log.exception("unexpected error loading %s", path)
        raise LoadError(f"could not read {ext} file: {type(exc).__name__}: {str(exc)[:100]}") from exc
    return _finish(doc)


def _dispatch(path: Path, ext: str, head: bytes, *, ocr: bool, max_ocr_pages: int | None) -> LoadedDocument:
    if head.startswith(b"PK"):
        # A zip is measured before anything inflates it (ingest/zipcheck.py); a big but honest
        # document.xml gets parse time in proportion: the largest real one (5.8 MiB) takes 5.3 s
        # with its tasks, 1 s per MiB is allowed on top of the base budget.
        sizes = check_zip(path)
        extend_budget(sizes.get("word/document.xml", 0) / (1024 * 1024))
    if ext == ".pdf":
        if b"%PDF-" not in head:  # the spec allows junk before the header, within 1 KB
            raise LoadError("corrupt or unreadable PDF: no %PDF header")
        from ingest.pdf import load_pdf

        return load_pdf(path, ocr=ocr, max_ocr_pages=max_ocr_pages)
    if ext == ".docx":
        if head.startswith(_OLE_MAGIC):
            return _with_warning(_load_doc(path), "file named .docx is a Word 97 .doc")
        if not _is_docx(path):
            raise LoadError("not a valid DOCX file")
        from ingest.word import load_docx

        return load_docx(path)
    if ext == ".doc":
        if head.startswith(b"PK") and _is_docx(path):
            from ingest.word import load_docx

            return _with_warning(load_docx(path), "file named .doc is a DOCX")
        return _load_doc(path)
    if ext in (".html", ".htm"):
        from ingest.webpage import load_html

        return load_html(path)
    from ingest.plaintext import load_text

    return load_text(path)


def _load_doc(path: Path) -> LoadedDocument:
    from ingest.word import load_doc

    return load_doc(path)


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _with_warning(doc: LoadedDocument, warning: str) -> LoadedDocument:
    doc.warnings.insert(0, warning)
    return doc


def _finish(doc: LoadedDocument) -> LoadedDocument:
    """Every block clean and non-empty, whatever the loader; no blocks is an error."""
    blocks = []
    for block in doc.blocks:
        block.text = clean_text(block.text).strip()
        if block.text:
            blocks.append(block)
    if not blocks:
        raise LoadError("empty document: no text")
    doc.blocks = blocks
    return doc


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
