"""TXT / Markdown → paragraph blocks, with the encoding detected rather than guessed.

Order of evidence: a BOM; strict UTF-8; UTF-16 without BOM (every other byte NUL); otherwise
Windows-1258 — the legacy Vietnamese code page — or charset-normalizer's guess, accepted only
when the decoded text reads as Vietnamese (valid-syllable share). cp1258 writes tones as
combining marks after the vowel, so the text is NFC-normalised after decoding (clean_text).
A file with NULs or control bytes that is not UTF-16 is binary, not text.
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Block, LoadedDocument, LoadError
from ingest.lang.normalize import clean_text
from ingest.paragraphs import join_lines, looks_vietnamese, typical_width, vietnamese_share
from ingest.tables import TableReader, html_rows, is_pipe_row, pipe_rows
from ingest.webpage import dateline, is_page_clutter

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 control bytes other than tab, LF, CR, FF and ESC: they never occur in text.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MARKDOWN_EXT = (".md", ".markdown")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises LoadError for binary data or an unknown encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise LoadError(f"text file with a {encoding} BOM does not decode as {encoding}") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    sample = data[:65536]
    if b"\x00" in sample or len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000):
        raise LoadError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detected(data)
    for encoding in ("cp1258", *detected):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if looks_vietnamese(clean_text(text), min_words=3):
            return text, encoding
    if detected:
        text = data.decode(detected[0], errors="replace")
        share, counted = vietnamese_share(clean_text(text))
        # Not Vietnamese at all (an English or French note) is fine; Vietnamese-looking
        # mojibake is a legacy font encoding (TCVN3, VNI) that no codec here can read.
        if counted < 20 or share >= 0.7:
            return text, detected[0]
    raise LoadError("unknown text encoding (legacy Vietnamese encoding such as TCVN3 or VNI?)")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text puts a NUL in every other byte for ASCII; Vietnamese letters break the
    pattern, so it is judged by one parity holding most NULs, then a strict decode."""
    sample = data[: 65536 - (len(data[:65536]) % 2)]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    for nuls, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= 0.3 * half and other <= 0.05 * half:
            try:
                text = data[: len(data) - len(data) % 2].decode(encoding)
            except UnicodeDecodeError:
                return None
            printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
            if printable >= 0.95 * max(len(text), 1):
                return text, encoding
    return None


def _detected(data: bytes) -> list[str]:
    """charset-normalizer's best guesses, most likely first."""
    from charset_normalizer import from_bytes

    return [m.encoding for m in from_bytes(data[: 1 << 20])][:3]


def load_text(path: Path) -> LoadedDocument:
    """Blank-line separated paragraphs; hard-wrapped lines inside one are joined."""
    text, encoding = decode_text(path.read_bytes())
    text = clean_text(text)
    markdown = path.suffix.lower() in _MARKDOWN_EXT
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    width = typical_width(text.split("\n"))  # the file's line width, if it is hard-wrapped
    tables = TableReader()
    for kind, part in _table_segments(text):
        if kind == "pipe":
            blocks.extend(tables.blocks(pipe_rows(part.split("\n"))))
        elif kind == "html":
            from bs4 import BeautifulSoup

            for table in BeautifulSoup(part, "lxml").find_all("table"):
                if table.find_parent("table") is None:
                    blocks.extend(tables.blocks(html_rows(table)))
        else:
            blocks.extend(_prose_blocks(part, width, markdown, meta))
    blocks = _dedupe(blocks)
    if not blocks:
        raise LoadError("empty document: no text")
    _mark_title(blocks)
    warnings = []
    if encoding not in ("utf-8", "ascii"):
        warnings.append(f"decoded as {encoding}")
    share, counted = vietnamese_share(text)
    if counted >= 20 and share < 0.7:
        warnings.append(f"text looks garbled ({share:.0%} valid Vietnamese syllables)")
    return LoadedDocument(blocks=blocks, pages=None, meta=meta, warnings=warnings, method="text")


_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)


def _table_segments(text: str) -> list[tuple[str, str]]:
    """The text cut into prose, Markdown pipe tables (runs of "| a | b |" lines) and the HTML
    <table> blocks a Markdown transcription may hold, in order."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _HTML_TABLE.finditer(text):
        out.extend(_pipe_segments(text[pos:m.start()]))
        out.append(("html", m.group(0)))
        pos = m.end()
    out.extend(_pipe_segments(text[pos:]))
    return out


def _pipe_segments(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    prose: list[str] = []
    pipes: list[str] = []
    for line in text.split("\n"):
        if is_pipe_row(line):
            pipes.append(line)
            continue
        if pipes:
            if len(pipes) >= 2:
                out.append(("text", "\n".join(prose)))
                out.append(("pipe", "\n".join(pipes)))
                prose = []
            else:
                prose.extend(pipes)
            pipes = []
        prose.append(line)
    if len(pipes) >= 2:
        out.append(("text", "\n".join(prose)))
        out.append(("pipe", "\n".join(pipes)))
    else:
        out.append(("text", "\n".join(prose + pipes)))
    return [(k, v) for k, v in out if v.strip()]


def _prose_blocks(text: str, width: int, markdown: bool, meta: dict[str, str]) -> list[Block]:
    """Blank-line separated paragraphs; datelines kept, page clutter dropped, # headings."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        lines = []
        for line in paragraph.split("\n"):
            date = dateline(line)
            if date is not None:
                # A news dateline: kept (without its view counter) as the page's publication date.
                meta.setdefault("published", date)
                blocks.extend(_paragraph_blocks(lines, width))
                lines = []
                blocks.append(Block(text=date, kind="paragraph"))
                continue
            if line.strip() and is_page_clutter(line):
                continue
            heading = _MD_HEADING.match(line) if markdown else None
            if heading:
                blocks.extend(_paragraph_blocks(lines, width))
                lines = []
                blocks.append(Block(text=heading.group(1), kind="heading"))
                continue
            lines.append(line)
        blocks.extend(_paragraph_blocks(lines, width))
    return blocks


def _paragraph_blocks(lines: list[str], width: int) -> list[Block]:
    return [Block(text=p, kind="paragraph") for _, p in join_lines(lines, width=width) if p.strip()]


def _dedupe(blocks: list[Block]) -> list[Block]:
    """News pages repeat the lead paragraph as the body's first paragraph."""
    out: list[Block] = []
    for block in blocks:
        if not out or out[-1].text != block.text:
            out.append(block)
    return out


def _mark_title(blocks: list[Block]) -> None:
    """A short first line without final punctuation, followed by body text, is the title
    (a news dateline above it does not count)."""
    skip = 1 if len(blocks) > 2 and dateline(blocks[0].text) else 0
    blocks = blocks[skip:]
    first = blocks[0]
    if (
        len(blocks) > 1
        and first.kind == "paragraph"
        and len(first.text) <= 200
        and "\n" not in first.text
        and not re.search(r"[.;:,]$", first.text)
    ):
        first.kind = "heading"
