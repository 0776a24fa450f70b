"""The text layer of a PDF, page by page: pypdf (after glyph-map repair), pdfium when pypdf
cannot parse or decrypt the file, and the verdict on whether a page's text can be used at all.

A page whose text is missing (a scan), mostly not Vietnamese syllables (TCVN3, VNI, a missing
ToUnicode map) or full of unmapped glyphs is reported by :func:`text_problem` so that
:mod:`ingest.pdf_ocr` reads it instead of the index storing mojibake. Which pages draw an image
is recorded too: an empty page without one is blank, not a scan.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import DictionaryObject

from ingest.document import LoadError
from ingest.paragraphs import foreign_letter_share, vietnamese_share
from ingest.pdf_glyphs import repair_font_maps, resolve

log = logging.getLogger(__name__)
# pypdf logs every recoverable syntax slip of real-world PDFs as a warning: noise in ingest logs.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MIN_LETTERS = 10  # fewer letters than this on a page: no usable text layer


@dataclass(slots=True)
class PageText:
    number: int  # 1-based
    text: str
    source: str  # "text", "ocr" or "none"


def extract_text_layer(path: Path, warnings: list[str]) -> tuple[list[str], set[tuple[str, str]], list[bool]]:
    """Per-page text from pypdf (after glyph-map repair), or from pdfium when pypdf cannot.

    Also says which pages draw an image: an empty page without one is blank, not a scan.
    """
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _decrypt_empty(reader):
            raise LoadError("encrypted PDF (password required)")
        repaired = repair_font_maps(reader)
        texts, images = [], []
        for i, page in enumerate(reader.pages, start=1):
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # one bad content stream must not sink the file
                warnings.append(f"page {i}: text extraction failed ({type(exc).__name__})")
                texts.append("")
            try:
                images.append(_has_image(page.get("/Resources"), 0))
            except Exception:
                images.append(True)  # when unsure, let OCR decide
        return texts, repaired, images
    except LoadError:
        raise
    except DependencyError:
        warnings.append("pypdf cannot decrypt this file (AES without 'cryptography'); read with pdfium")
        texts = _extract_with_pdfium(path, pypdf_error=None)
        return texts, set(), [True] * len(texts)
    except Exception as exc:
        log.debug("pypdf failed on %s", path, exc_info=True)
        texts = _extract_with_pdfium(path, pypdf_error=exc)
        warnings.append(f"pypdf could not parse the file ({short_error(exc)}); read with pdfium")
        return texts, set(), [True] * len(texts)


def _decrypt_empty(reader: PdfReader) -> bool:
    """Many official PDFs are 'encrypted' against editing only: the user password is empty."""
    try:
        return bool(reader.decrypt(""))
    except DependencyError:
        raise
    except Exception:
        return False


def _extract_with_pdfium(path: Path, *, pypdf_error: Exception | None) -> list[str]:
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise LoadError(f"corrupt or unreadable PDF: {short_error(pypdf_error)}") from pypdf_error
    try:
        pdf = pdfium.PdfDocument(str(path), password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise LoadError("encrypted PDF (password required)") from exc
        raise LoadError(f"corrupt or unreadable PDF: {short_error(pypdf_error or exc)}") from exc
    try:
        texts = []
        for page in pdf:
            try:
                textpage = page.get_textpage()
                texts.append(textpage.get_text_range().replace("\r\n", "\n"))
                textpage.close()
            except pdfium.PdfiumError:
                texts.append("")  # this page goes to OCR like a scan
            page.close()
        return texts
    finally:
        pdf.close()


def short_error(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else ""
    text = text or (type(exc).__name__ if exc is not None else "unknown error")
    return text[:120]


def text_problem(text: str) -> str | None:
    """Why this page's text layer should not be used, or None when it is fine."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < MIN_LETTERS:
        return "no text layer"
    share, counted = vietnamese_share(text)
    if counted >= 15 and share < 0.7:
        return f"garbled text layer ({share:.0%} valid Vietnamese syllables)"
    if foreign_letter_share(text) > 0.05:
        return "garbled text layer (legacy font encoding)"
    # Control, private-use and unassigned code points: glyphs with no Unicode meaning at all.
    junk = sum(
        1 for c in text if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") and c not in "\n\t")
    )
    if junk / max(len(text), 1) > 0.05:
        return "garbled text layer (unmapped glyphs)"
    return None


def _has_image(resources: object, depth: int) -> bool:
    resources = resolve(resources)
    if not isinstance(resources, DictionaryObject) or depth > 3:
        return False
    xobjects = resolve(resources.get("/XObject"))
    if not isinstance(xobjects, DictionaryObject):
        return False
    for ref in xobjects.values():
        xobj = resolve(ref)
        if not isinstance(xobj, DictionaryObject):
            continue
        if xobj.get("/Subtype") == "/Image":
            return True
        if xobj.get("/Subtype") == "/Form" and _has_image(xobj.get("/Resources"), depth + 1):
            return True
    return False
