"""OCR for PDF pages without a usable text layer: each page rendered at 300 dpi (pdfium, else
pdftoppm) and read by ``tesseract -l vie``, one subprocess per page, pages in parallel.

OCR is optional: :func:`ocr_unavailable` says why it cannot run on this machine, and a file
that has nothing readable left without it becomes a LoadError that says so. OCR'd text is
checked like a text layer (enough letters, enough valid Vietnamese syllables) before it
replaces a page.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from ingest.document import LoadError
from ingest.isolate import extend_budget
from ingest.lang.normalize import clean_text
from ingest.paragraphs import vietnamese_share
from ingest.pdf_text import MIN_LETTERS, PageText, short_error

log = logging.getLogger(__name__)

OCR_DPI = 300
OCR_PAGE_ALLOWANCE = 30.0  # seconds of parse budget (ingest/isolate.py) per page to OCR
OCR_PAGE_TIMEOUT = 180.0  # seconds; a dense A4 page takes 2-5 s on one core
OCR_MISSING = "scanned PDF with no text layer; OCR tools not installed (tesseract-ocr, tesseract-ocr-vie)"


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


def run_ocr(
    path: Path,
    pages: list[PageText],
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

    # OCR'd pages get parse time of their own: 2-5 s a page on one core, 30 allowed.
    extend_budget(len(chosen) * OCR_PAGE_ALLOWANCE)
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
        if sum(1 for c in text if c.isalpha()) < MIN_LETTERS:
            warnings.append(f"page {number}: OCR found no text (blank page?)")
            continue
        share, counted = vietnamese_share(text)
        if counted >= 15 and share < 0.5:
            warnings.append(f"page {number}: OCR text unusable ({share:.0%} valid Vietnamese syllables), page skipped")
            continue
        if counted >= 15 and share < 0.7:
            warnings.append(f"page {number}: OCR text is poor ({share:.0%} valid Vietnamese syllables)")
        pages[number - 1] = PageText(number, text, "ocr")
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
            return {n: out.get(n, f"render: {short_error(exc)}") for n in numbers}
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
            out[number] = f"render: {short_error(exc)}"
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
        return "", short_error(exc)
    if result.returncode != 0:
        return "", short_error(Exception(result.stderr.decode("utf-8", "replace")))
    return result.stdout.decode("utf-8", "replace").replace("\f", "\n"), None


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
