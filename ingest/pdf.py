"""PDF → blocks with page numbers: pypdf text layer, glyph-map repair, OCR for scans.

Three things go wrong with Vietnamese government PDFs, and each is handled here:

* **Wrong glyph maps.** Word 2010 writes ToUnicode CMaps with ranges that assume consecutive
  glyphs have consecutive code points. In Times New Roman they do not, so "ư" comes out as
  "ƣ" (U+01A3 LATIN SMALL LETTER OI) and "Ò" as "Õ" ("CỘNG HÕA"). The embedded font program
  still maps every glyph to the right code point, so where the two disagree on a letter the
  font's own cmap wins (:func:`_repair_font_maps`). Look-alikes that survive (fonts without a
  usable cmap) are mapped back by :data:`LOOKALIKES`.
* **Legacy fonts / garbage.** A page whose words are mostly not Vietnamese syllables (TCVN3,
  VNI, missing ToUnicode) is sent to OCR instead of being indexed as mojibake.
* **No text layer.** Scanned pages are rendered at 300 dpi and read by ``tesseract -l vie``,
  one subprocess per page, pages in parallel.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest.document import Block, LoadedDocument, LoadError
from ingest.normalize import clean_text
from ingest.paragraphs import foreign_letter_share, join_lines, vietnamese_share

log = logging.getLogger(__name__)
# pypdf logs every recoverable syntax slip of real-world PDFs as a warning: noise in ingest logs.
logging.getLogger("pypdf").setLevel(logging.ERROR)

OCR_DPI = 300
OCR_PAGE_TIMEOUT = 180.0  # seconds; a dense A4 page takes 2-5 s on one core
OCR_MISSING = "scanned PDF with no text layer; OCR tools not installed (tesseract-ocr, tesseract-ocr-vie)"

# Code points that no Vietnamese text uses but broken fonts emit for Vietnamese letters.
LOOKALIKES = {"Ƣ": "Ư", "ƣ": "ư", "Ð": "Đ", "ð": "đ", "Ɖ": "Đ"}
_LOOKALIKE_RE = re.compile("[" + "".join(LOOKALIKES) + "]")

_MIN_LETTERS = 10  # fewer letters than this on a page: no usable text layer
_PAGING_WORDS = re.compile(r"\b(?:trang|page|công báo|cong bao)\b", re.I)
_BARE_PAGE_NUMBER = re.compile(r"^(?:trang|page)?\s*[-–—]?\s*(\d{1,4})\s*[-–—]?(?:\s*/\s*\d{1,4})?$", re.I)


@dataclass(slots=True)
class _PageText:
    number: int  # 1-based
    text: str
    source: str  # "text", "ocr" or "none"


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
    texts, repaired, has_images = _extract_text_layer(path, warnings)
    n_pages = len(texts)
    if n_pages == 0:
        raise LoadError("corrupt or unreadable PDF: no pages")

    pages: list[_PageText] = []
    to_ocr: list[int] = []
    reasons: dict[int, str] = {}
    lookalikes: Counter[str] = Counter()
    for number, raw in enumerate(texts, start=1):
        text = clean_text(raw)
        if vietnamese_share(text)[1] and _LOOKALIKE_RE.search(text):
            lookalikes.update(_LOOKALIKE_RE.findall(text))
            text = _LOOKALIKE_RE.sub(lambda m: LOOKALIKES[m.group(0)], text)
        problem = _text_problem(text)
        if problem is None:
            pages.append(_PageText(number, text, "text"))
            continue
        pages.append(_PageText(number, "", "none"))
        if problem == "no text layer" and not has_images[number - 1]:
            continue  # a genuinely blank page: nothing to read
        to_ocr.append(number)
        reasons[number] = problem

    repaired |= {(wrong, LOOKALIKES[wrong]) for wrong in lookalikes}
    if repaired:
        pairs = ", ".join(f"{a}→{b}" for a, b in sorted(repaired))
        warnings.append(f"text layer had wrong glyph mappings, repaired: {pairs}")

    ocr_done = _run_ocr(path, pages, to_ocr, reasons, ocr, max_ocr_pages, ocr_timeout, warnings)

    page_lines = _drop_page_furniture([p.text.split("\n") if p.text else [] for p in pages])
    # Tesseract's blank lines split its layout blocks, often mid-sentence: not paragraph breaks.
    blocks = _to_blocks(page_lines, soft_blanks=[p.source == "ocr" for p in pages])
    if not blocks:
        raise LoadError("empty document: no text")

    text_pages = sum(1 for p in pages if p.source == "text")
    parts = []
    if text_pages:
        parts.append("repaired-glyphs" if repaired else "text")
    if ocr_done:
        parts.append("ocr")
    return LoadedDocument(blocks=blocks, pages=n_pages, warnings=warnings, method="+".join(parts))


# --- Text layer -----------------------------------------------------------------------------


def _extract_text_layer(path: Path, warnings: list[str]) -> tuple[list[str], set[tuple[str, str]], list[bool]]:
    """Per-page text from pypdf (after glyph-map repair), or from pdfium when pypdf cannot.

    Also says which pages draw an image: an empty page without one is blank, not a scan.
    """
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _decrypt_empty(reader):
            raise LoadError("encrypted PDF (password required)")
        repaired = _repair_font_maps(reader)
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
        warnings.append(f"pypdf could not parse the file ({_short(exc)}); read with pdfium")
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
        raise LoadError(f"corrupt or unreadable PDF: {_short(pypdf_error)}") from pypdf_error
    try:
        pdf = pdfium.PdfDocument(str(path), password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise LoadError("encrypted PDF (password required)") from exc
        raise LoadError(f"corrupt or unreadable PDF: {_short(pypdf_error or exc)}") from exc
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


def _short(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else ""
    text = text or (type(exc).__name__ if exc is not None else "unknown error")
    return text[:120]


def _text_problem(text: str) -> str | None:
    """Why this page's text layer should not be used, or None when it is fine."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < _MIN_LETTERS:
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


# --- Glyph-map repair -----------------------------------------------------------------------


def _repair_font_maps(reader: PdfReader) -> set[tuple[str, str]]:
    """Fix ToUnicode entries that contradict the embedded font's own cmap; returns the fixes."""
    fixes: set[tuple[str, str]] = set()
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), depth=0):
            if id(font) in seen:
                continue
            seen.add(id(font))
            try:
                fixes |= _repair_font(font)
            except Exception:  # a malformed font just keeps its map
                log.debug("font repair skipped", exc_info=True)
    return fixes


def _fonts(resources: object, depth: int) -> Iterator[DictionaryObject]:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or depth > 3:
        return
    fonts = _resolve(resources.get("/Font"))
    if isinstance(fonts, DictionaryObject):
        for ref in fonts.values():
            font = _resolve(ref)
            if isinstance(font, DictionaryObject):
                yield font
    xobjects = _resolve(resources.get("/XObject"))
    if isinstance(xobjects, DictionaryObject):
        for ref in xobjects.values():
            xobj = _resolve(ref)
            if isinstance(xobj, DictionaryObject) and xobj.get("/Subtype") == "/Form":
                yield from _fonts(xobj.get("/Resources"), depth + 1)


def _resolve(obj: object) -> object:
    return obj.get_object() if hasattr(obj, "get_object") and obj is not None else obj


def _repair_font(font: DictionaryObject) -> set[tuple[str, str]]:
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") not in ("/Identity-H", "/Identity-V"):
        return set()
    to_unicode = _resolve(font.get("/ToUnicode"))
    descendants = _resolve(font.get("/DescendantFonts"))
    if to_unicode is None or not descendants:
        return set()
    cid_font = _resolve(descendants[0])
    if cid_font.get("/Subtype") != "/CIDFontType2" or cid_font.get("/CIDToGIDMap", "/Identity") != "/Identity":
        return set()  # without an identity CID→GID map the CIDs are not the font's glyph ids
    descriptor = _resolve(cid_font.get("/FontDescriptor"))
    font_file = _resolve(descriptor.get("/FontFile2")) if descriptor else None
    if font_file is None:
        return set()
    glyph_chars = truetype_glyph_chars(font_file.get_data())
    if not glyph_chars:
        return set()
    mapping = parse_tounicode(to_unicode.get_data())
    fixes: set[tuple[str, str]] = set()
    for cid, text in list(mapping.items()):
        if len(text) != 1 or not text.isalpha():
            continue
        truth = glyph_chars.get(cid)
        if not truth or text in truth:
            continue
        letters = [c for c in truth if c.isalpha()]
        if len(letters) != 1:
            continue  # ambiguous glyph: leave the PDF's word for it
        mapping[cid] = letters[0]
        fixes.add((text, letters[0]))
    if fixes:
        stream = DecodedStreamObject()
        stream.set_data(build_tounicode(mapping))
        font[NameObject("/ToUnicode")] = stream
    return fixes


def parse_tounicode(data: bytes) -> dict[int, str]:
    """bfchar/bfrange entries of a ToUnicode CMap as {code: text}."""
    text = data.decode("latin-1")
    mapping: dict[int, str] = {}
    for body in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", body):
            mapping[int(src, 16)] = _utf16_hex(dst)
    for body in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", body):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if hi_i < lo_i or hi_i - lo_i > 0xFFFF:
                continue
            if dst.startswith("["):
                for k, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    mapping[lo_i + k] = _utf16_hex(item)
            else:
                base = _utf16_hex(dst[1:-1])
                if len(base) != 1:
                    continue
                for k in range(hi_i - lo_i + 1):
                    mapping[lo_i + k] = chr(ord(base) + k)
    return mapping


def _utf16_hex(hexstr: str) -> str:
    try:
        return bytes.fromhex(hexstr).decode("utf-16-be", errors="replace")
    except ValueError:
        return ""


def build_tounicode(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap (2-byte codes) with one bfchar entry per code."""
    items = sorted(mapping.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(items), 100):  # the CMap spec caps a section at 100 entries
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def truetype_glyph_chars(data: bytes) -> dict[int, set[str]]:
    """Glyph id → the characters a TrueType font's Unicode cmap maps to that glyph."""
    try:
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            return {}
        num_tables = struct.unpack(">H", data[4:6])[0]
        cmap_off = None
        for i in range(num_tables):
            tag, _, off, _ = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
            if tag == b"cmap":
                cmap_off = off
        if cmap_off is None:
            return {}
        n_sub = struct.unpack(">H", data[cmap_off + 2 : cmap_off + 4])[0]
        subtables: dict[tuple[int, int], int] = {}
        for i in range(n_sub):
            pid, eid, off = struct.unpack(">HHI", data[cmap_off + 4 + 8 * i : cmap_off + 12 + 8 * i])
            subtables[(pid, eid)] = cmap_off + off
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0)):
            if key in subtables:
                pairs = _cmap_pairs(data, subtables[key])
                if pairs is not None:
                    out: dict[int, set[str]] = {}
                    for code, gid in pairs:
                        if gid:
                            out.setdefault(gid, set()).add(chr(code))
                    return out
    except (struct.error, IndexError, ValueError):
        pass
    return {}


def _cmap_pairs(data: bytes, off: int) -> Iterable[tuple[int, int]] | None:
    fmt = struct.unpack(">H", data[off : off + 2])[0]
    pairs: list[tuple[int, int]] = []
    if fmt == 4:
        seg_count = struct.unpack(">H", data[off + 6 : off + 8])[0] // 2
        ends = off + 14
        starts = ends + 2 * seg_count + 2
        deltas = starts + 2 * seg_count
        range_offsets = deltas + 2 * seg_count
        for s in range(seg_count):
            end = struct.unpack(">H", data[ends + 2 * s : ends + 2 * s + 2])[0]
            start = struct.unpack(">H", data[starts + 2 * s : starts + 2 * s + 2])[0]
            delta = struct.unpack(">h", data[deltas + 2 * s : deltas + 2 * s + 2])[0]
            ro_pos = range_offsets + 2 * s
            ro = struct.unpack(">H", data[ro_pos : ro_pos + 2])[0]
            for code in range(start, min(end, 0xFFFE) + 1):
                if ro == 0:
                    gid = (code + delta) & 0xFFFF
                else:
                    addr = ro_pos + ro + 2 * (code - start)
                    gid = struct.unpack(">H", data[addr : addr + 2])[0]
                    gid = (gid + delta) & 0xFFFF if gid else 0
                pairs.append((code, gid))
        return pairs
    if fmt == 12:
        n_groups = struct.unpack(">I", data[off + 12 : off + 16])[0]
        for g in range(n_groups):
            start, end, gid = struct.unpack(">III", data[off + 16 + 12 * g : off + 28 + 12 * g])
            if end - start > 0x20000:
                continue
            pairs.extend((c, gid + k) for k, c in enumerate(range(start, min(end, 0x10FFFF) + 1)))
        return pairs
    return None


# --- OCR ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def ocr_unavailable() -> str | None:
    """Why OCR cannot run here, or None when tesseract with Vietnamese is installed."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return "tesseract not installed"
    try:
        result = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "tesseract does not run"
    langs = {line.strip() for line in (result.stdout + result.stderr).splitlines()}
    if "vie" not in langs:
        return "tesseract has no Vietnamese language data"
    if shutil.which("pdftoppm") is None:
        try:
            import pypdfium2  # noqa: F401
        except ImportError:
            return "no PDF renderer (pdftoppm or pypdfium2)"
    return None


def _run_ocr(
    path: Path,
    pages: list[_PageText],
    to_ocr: list[int],
    reasons: dict[int, str],
    enabled: bool,
    max_pages: int | None,
    timeout: float,
    warnings: list[str],
) -> int:
    """OCR the pages that need it, in place; returns how many pages got OCR text."""
    if not to_ocr:
        return 0
    has_text = any(p.source == "text" for p in pages)
    # What the file is, for an error when nothing readable is left: scan or mojibake.
    what = "scanned PDF with no text layer" if reasons[to_ocr[0]] == "no text layer" else reasons[to_ocr[0]]
    if not enabled:
        if not has_text:
            raise LoadError(f"{what}; OCR is turned off")
        warnings.append(f"{_pages(to_ocr)} skipped ({reasons[to_ocr[0]]}); OCR is turned off")
        return 0
    missing = ocr_unavailable()
    if missing is not None:
        if not has_text:
            raise LoadError(OCR_MISSING if what.startswith("scanned") else f"{what}; {OCR_MISSING.split('; ')[1]}")
        warnings.append(f"{_pages(to_ocr)} skipped ({reasons[to_ocr[0]]}); {missing}")
        return 0
    chosen = to_ocr if max_pages is None else to_ocr[: max(max_pages, 0)]
    skipped = to_ocr[len(chosen) :]
    if skipped:
        warnings.append(f"{_pages(skipped)} not OCR'd (limit of {max_pages} OCR pages)")
    if not chosen:
        if not has_text:
            raise LoadError(f"{what}; OCR page limit is 0")
        return 0

    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        images = _render_pages(path, chosen, Path(tmp), timeout)
        workers = max(1, min(len(chosen), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda n: _tesseract(images[n], timeout), chosen))
    done = 0
    for number, (text, error) in zip(chosen, results):
        if error:
            warnings.append(f"page {number}: OCR failed ({error})")
            continue
        text = clean_text(text)
        if sum(1 for c in text if c.isalpha()) < _MIN_LETTERS:
            warnings.append(f"page {number}: OCR found no text (blank page?)")
            continue
        share, counted = vietnamese_share(text)
        if counted >= 15 and share < 0.5:
            warnings.append(f"page {number}: OCR text unusable ({share:.0%} valid Vietnamese syllables), page skipped")
            continue
        if counted >= 15 and share < 0.7:
            warnings.append(f"page {number}: OCR text is poor ({share:.0%} valid Vietnamese syllables)")
        pages[number - 1] = _PageText(number, text, "ocr")
        done += 1
    by_reason: dict[str, list[int]] = {}
    for number in chosen:
        by_reason.setdefault(reasons[number], []).append(number)
    for reason, numbers in by_reason.items():
        warnings.append(f"{_pages(numbers)}: {reason}, read by OCR (tesseract vie)")
    if done == 0 and not has_text:
        raise LoadError("scanned PDF with no text layer; OCR produced no text")
    return done


def _render_pages(path: Path, numbers: list[int], tmp: Path, timeout: float) -> dict[int, Path | str]:
    """Page images for OCR at OCR_DPI: pdfium (fast, in-process), else pdftoppm.

    Annotations are not drawn: digital-signature stamps ("Ký bởi: ...") are not document text.
    Returns a path per page, or an error message for pages that could not be rendered.
    """
    out: dict[int, Path | str] = {}
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path), password="")
        try:
            for number in numbers:
                page = pdf[number - 1]
                bitmap = page.render(scale=OCR_DPI / 72, grayscale=True, draw_annots=False, may_draw_forms=False)
                image = tmp / f"page-{number}.png"
                bitmap.to_pil().save(image, compress_level=1)
                out[number] = image
                page.close()
        finally:
            pdf.close()
        return out
    except Exception as exc:  # pdfium missing or unable: poppler may still manage
        log.debug("pdfium render failed, trying pdftoppm", exc_info=True)
        if shutil.which("pdftoppm") is None:
            return {n: out.get(n, f"render: {_short(exc)}") for n in numbers}
    for number in numbers:
        if number in out:
            continue
        image = tmp / f"page-{number}.png"
        cmd = ["pdftoppm", "-r", str(OCR_DPI), "-gray", "-png", "-hide-annotations", "-singlefile",
               "-f", str(number), "-l", str(number), str(path), str(image.with_suffix(""))]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
            out[number] = image
        except (subprocess.SubprocessError, OSError) as exc:
            out[number] = f"render: {_short(exc)}"
    return out


def _tesseract(image: Path | str, timeout: float) -> tuple[str, str | None]:
    """(text, error) for one page image, tesseract in its own process."""
    if isinstance(image, str):
        return "", image
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page; pages run in parallel
    try:
        result = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "vie"], capture_output=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        return "", f"timed out after {timeout:.0f} s"
    except OSError as exc:
        return "", _short(exc)
    if result.returncode != 0:
        return "", _short(Exception(result.stderr.decode("utf-8", "replace")))
    return result.stdout.decode("utf-8", "replace").replace("\f", "\n"), None


def _has_image(resources: object, depth: int) -> bool:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or depth > 3:
        return False
    xobjects = _resolve(resources.get("/XObject"))
    if not isinstance(xobjects, DictionaryObject):
        return False
    for ref in xobjects.values():
        xobj = _resolve(ref)
        if not isinstance(xobj, DictionaryObject):
            continue
        if xobj.get("/Subtype") == "/Image":
            return True
        if xobj.get("/Subtype") == "/Form" and _has_image(xobj.get("/Resources"), depth + 1):
            return True
    return False


def _pages(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → 'pages 1-3, 5'; [4] → 'page 4'."""
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {_ranges(numbers)}"


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → '1-3, 5'."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


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


def _to_blocks(pages: list[list[str]], soft_blanks: list[bool]) -> list[Block]:
    """Join wrapped lines across the whole document; a paragraph keeps the page it starts on."""
    flat: list[str] = []
    page_of: list[int] = []
    for number, (lines, soft) in enumerate(zip(pages, soft_blanks), start=1):
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
        text = clean_text(text).strip()
        if text:
            blocks.append(Block(text=text, page=page_of[first], kind="paragraph"))
    return blocks
