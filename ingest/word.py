"""Word documents → blocks: DOCX through python-docx, legacy .doc through antiword (or catdoc).

Vietnamese administrative documents put their letterhead in a borderless table (issuer |
national motto; "Số: …" | "Hà Nội, ngày …") and their signature in another ("Nơi nhận: …" |
"KT. BỘ TRƯỞNG … name"). Those are layout, not data: the letterhead becomes ``meta`` and is not
emitted, the signature table is emitted cell by cell as ordinary paragraphs so the structure
parser sees "Nơi nhận:" and the signer like in a PDF. Real data tables become one
``table_row`` block per row, cells joined with " | ".
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import Block, LoadedDocument, LoadError
from ingest.lang.normalize import clean_text
from ingest.paragraphs import join_lines
from ingest.tables import Cell, TableReader
from ingest.zipcheck import check_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOC_TOOL_TIMEOUT = 60.0

_MOTTO = re.compile(r"C[ỘO]NG\s+H[ÒOÓÕ]A\s+X[ÃA]\s+H[ỘO]I\s+CH[ỦU]\s+NGH[ĨI]A|Độc\s+lập\s*-\s*Tự\s+do", re.I)
_NUMBER = re.compile(r"^Số\s*[:.]?\s*(.*)$")
_PLACE_DATE = re.compile(r"^(?P<place>[^,\d]{2,60}?),\s*(?P<date>ngày\b.*)$", re.I)
_SIGNATURE_HEAD = re.compile(r"^(?:TM|KT|TL|TUQ|Q|PP)\s*\.\s*\S")
_DECORATION = re.compile(r"^[-_=*.…·\s]+$")
_DATE_WORDS = re.compile(r"ngày\s*\S*\s*tháng\s*\S*\s*năm", re.I)
_SUBJECT = re.compile(r"^(?:V/v|Về\s+việc)\b", re.I)

# Left-column labels of the "Tóm tắt" summary table that legal-document sites append.
SUMMARY_KEYS = {
    "số hiệu": "number",
    "loại văn bản": "doc_type",
    "người ký": "signer",
    "ngày ban hành": "date",
    "cơ quan ban hành": "issuer",
    "nơi ban hành": "issuer",
    "ngày hiệu lực": "effective_date",
    "lĩnh vực": "field",
    "tình trạng": "status",
}


@dataclass
class _Table:
    rows: list[list[str]]  # cell texts, one line per paragraph inside the cell
    grid: list[list[Cell]] | None = None  # the same cells with their spans (DOCX), for ingest.tables


@dataclass
class _Para:
    text: str
    heading: bool = False


@dataclass
class _Assembly:
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --- DOCX -----------------------------------------------------------------------------------


def load_docx(path: Path) -> LoadedDocument:
    """Paragraphs and tables of a .docx in document order; letterhead and summary → meta."""
    check_zip(path)  # before python-docx inflates anything: a 1 MB DOCX can hold 1 GiB of XML
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                raise LoadError("not a valid DOCX file")
    except zipfile.BadZipFile as exc:
        raise LoadError("not a valid DOCX file") from exc
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(str(path))
    except LoadError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise LoadError("not a valid DOCX file") from exc
    except Exception as exc:  # lxml syntax errors in a damaged document.xml, etc.
        raise LoadError(f"corrupt DOCX file: {type(exc).__name__}") from exc
    items = list(_docx_items(document.element.body, document))
    return _assemble(items, method="text")


def _docx_items(container, document) -> Iterator[_Para | _Table]:
    from docx.oxml.ns import qn

    for child in container.iterchildren():
        tag = child.tag
        if tag == qn("w:p"):
            yield _Para(_paragraph_text(child), heading=_is_heading(child, document))
        elif tag == qn("w:tbl"):
            yield _Table(_docx_rows(child), _docx_grid(child))
        elif tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent")) if tag == qn("w:sdt") else child
            if content is not None:
                yield from _docx_items(content, document)


def _paragraph_text(p) -> str:
    """Visible text of a w:p: runs, hyperlinks, insertions; not deletions or fallbacks."""
    from docx.oxml.ns import qn

    skip = {qn("w:del"), qn("w:moveFrom"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
    t, tab, br, cr = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
    parts: list[str] = []
    for el in p.iter(t, tab, br, cr, qn("w:noBreakHyphen")):
        if any(a.tag in skip for a in el.iterancestors()):
            continue
        if el.tag == t:
            parts.append(el.text or "")
        elif el.tag == tab:
            parts.append("\t")
        elif el.tag in (br, cr):
            parts.append("\n")
        else:
            parts.append("-")
    return "".join(parts)


def _is_heading(p, document) -> bool:
    from docx.oxml.ns import qn

    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    if style is None:
        return False
    style_id = style.get(qn("w:val")) or ""
    try:
        name = document.styles.get_by_id(style_id, 1).name or style_id  # 1 = paragraph style
    except Exception:
        name = style_id
    name = name.lower()
    return name.startswith("heading") or name == "title"


def _docx_rows(tbl) -> list[list[str]]:
    """Rows of cell texts; a cell spanning several grid columns is read once."""
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                continue  # the merged text was already read in the row where the merge starts
            lines = []
            for child in tc.iterchildren():
                if child.tag == qn("w:p"):
                    lines.append(_paragraph_text(child))
                elif child.tag == qn("w:tbl"):
                    lines.extend(" | ".join(c.replace("\n", " ") for c in row) for row in _docx_rows(child))
            cells.append("\n".join(lines))
        rows.append(cells)
    return rows


def _docx_grid(tbl) -> list[list[Cell]]:
    """Rows of cells with their spans: a cell spanning grid columns (w:gridSpan) counts for each,
    a vertically merged one (w:vMerge) goes on in the rows below."""
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
            try:
                colspan = int(span.get(qn("w:val"))) if span is not None else 1
            except (TypeError, ValueError):
                colspan = 1
            continues = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
            lines = [_paragraph_text(p) for p in tc.iterchildren(qn("w:p"))]
            cells.append(Cell("\n".join(lines), colspan=max(1, min(colspan, 50)), continues=continues))
        rows.append(cells)
    return rows


# --- Legacy .doc ----------------------------------------------------------------------------


def load_doc(path: Path) -> LoadedDocument:
    """Word 97-2003 .doc via ``antiword -x db`` (keeps tables), else ``catdoc``."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head[:5] == b"{\\rtf":
        raise LoadError("this .doc is an RTF file, not Word 97; save it as .docx")
    if head != OLE_MAGIC:
        raise LoadError("not a valid Word 97 .doc file")
    antiword, catdoc = shutil.which("antiword"), shutil.which("catdoc")
    if antiword is None and catdoc is None:
        raise LoadError("legacy .doc needs antiword or catdoc (Debian package: antiword)")
    errors: list[str] = []
    if antiword is not None:
        try:
            xml = _run([antiword, "-x", "db", "-m", "UTF-8.txt", str(path)])
            plain = _run([antiword, "-w", "0", "-m", "UTF-8.txt", str(path)]).decode("utf-8", "replace")
            doc = _assemble(list(_docbook_items(xml, _line_breaks(plain))), method="antiword")
            if doc.blocks:
                return doc
            errors.append("antiword: no text")
        except LoadError as exc:
            errors.append(f"antiword: {exc.reason}")
    if catdoc is not None:
        text = _run([catdoc, "-d", "utf-8", "-w", str(path)]).decode("utf-8", "replace")
        items: list[_Para | _Table] = [_Para(line) for line in text.split("\n")]
        doc = _assemble(items, method="catdoc")
        if errors:
            doc.warnings.append("; ".join(errors) + "; read with catdoc (tables flattened)")
        return doc
    raise LoadError("; ".join(errors) or "could not read .doc file")


def _run(cmd: list[str]) -> bytes:
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=DOC_TOOL_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise LoadError(f"{Path(cmd[0]).name} timed out") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LoadError(f"not a readable Word 97 .doc file ({message[-1][:100] if message else 'error'})")
    return result.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _line_breaks(plain: str) -> dict[str, str]:
    """Paragraphs of antiword's plain output, keyed by their text without whitespace.

    The DocBook output keeps tables but drops manual line breaks ("GIẤY PHÉP" + "PHÂN PHỐI"
    comes out as "GIẤY PHÉPPHÂN PHỐI"); the plain output keeps them. Same paragraphs, same
    order, so the plain version of a paragraph can be found by its letters alone.
    """
    out: dict[str, str] = {}
    for para in re.split(r"\n\s*\n", plain):
        if para.strip() and not para.lstrip().startswith("|"):
            out.setdefault(_squash(para), para.strip("\n"))
    return out


def _docbook_items(xml: bytes, breaks: dict[str, str]) -> Iterator[_Para | _Table]:
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise LoadError("antiword produced unreadable output") from exc
    if root is None:
        raise LoadError("antiword produced no output")
    yield from _docbook_walk(root, breaks)


def _docbook_walk(el, breaks: dict[str, str]) -> Iterator[_Para | _Table]:
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("bookinfo", "date"):
            continue
        if tag in ("informaltable", "table"):
            rows = [
                ["\n".join(l.strip() for l in (entry.xpath("string()") or "").split("\n")) for entry in row.iter("entry")]
                for row in child.iter("row")
            ]
            yield _Table(rows)
        elif tag == "para" and child.find(".//informaltable") is None and child.find(".//table") is None:
            text = child.xpath("string()")
            yield _Para(breaks.get(_squash(text), text))
        elif tag == "title":
            text = child.xpath("string()")
            if text.strip():
                yield _Para(text, heading=True)
        else:
            yield from _docbook_walk(child, breaks)


# --- Shared assembly ------------------------------------------------------------------------


def _clean_lines(cell: str) -> list[str]:
    return [l for l in (clean_text(x).strip() for x in cell.split("\n")) if l]


def _assemble(items: list[_Para | _Table], *, method: str) -> LoadedDocument:
    out = _Assembly()
    seen_text = False
    tables = TableReader()
    for item in items:
        if isinstance(item, _Para):
            text = clean_text(item.text).strip()
            if text:
                out.blocks.append(Block(text=text, kind="heading" if item.heading else "paragraph"))
                seen_text = True
            continue
        rows = item.rows
        if not any(_clean_lines(c) for row in rows for c in row):
            continue
        if not seen_text and _is_letterhead(rows):
            for key, value in _letterhead_meta(rows).items():
                out.meta.setdefault(key, value)
            # Kept as "header" blocks too: the structure parser files them apart from the body,
            # and "ký ngày nào?" can still be answered by quoting the letterhead itself.
            out.blocks.extend(Block(text=b.text, kind="header") for b in _layout_blocks(rows))
            continue
        summary = _summary_meta(rows)
        if summary:
            for key, value in summary.items():
                out.meta.setdefault(key, value)
        if not summary and _is_layout_table(rows):
            out.blocks.extend(_layout_blocks(rows))
        else:
            grid = item.grid if item.grid is not None else [[Cell(c) for c in row] for row in rows]
            # a "Số hiệu | …" summary is key/value pairs, not a table with a header row
            out.blocks.extend(tables.plain(grid) if summary else tables.blocks(grid))
        seen_text = True
    if not out.blocks:
        raise LoadError("empty document: no text")
    return LoadedDocument(blocks=out.blocks, pages=None, meta=out.meta, warnings=out.warnings, method=method)


def _is_letterhead(rows: list[list[str]]) -> bool:
    """The borderless issuer | motto table that opens an administrative document."""
    if len(rows) > 4:
        return False
    lines = [l for row in rows for c in row for l in _clean_lines(c)]
    return any(_MOTTO.search(l) for l in lines) or (
        any(_NUMBER.match(l) for l in lines) and any(_PLACE_DATE.match(l) for l in lines)
    )


def _letterhead_meta(rows: list[list[str]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    columns: dict[int, list[str]] = {}
    for row in rows:
        for i, cell in enumerate(row):
            columns.setdefault(i, []).extend(_clean_lines(cell))
    issuer: list[str] = []
    for col, lines in sorted(columns.items()):
        number_seen = False
        for k, line in enumerate(lines):
            number = _NUMBER.match(line)
            place_date = _PLACE_DATE.match(line)
            if number and "number" not in meta:
                value = number.group(1).strip()
                if re.search(r"[\w]", value):
                    meta["number"] = value
                number_seen = True
            elif place_date and "date_text" not in meta:
                # The whole line, as printed: "Quảng Ninh, ngày 26 tháng 8 năm 2021".
                meta["place"] = place_date.group("place").strip()
                meta["date_text"] = line
            elif _SUBJECT.match(line) and "subject" not in meta:
                # The trích yếu under the number wraps over the rest of the cell.
                rest = [line] + [l for l in lines[k + 1 :] if not _NUMBER.match(l) and not _PLACE_DATE.match(l)]
                meta["subject"] = " ".join(rest)
            elif col == 0 and not number_seen and not _DECORATION.match(line) and not _MOTTO.search(line):
                issuer.append(line)
    if issuer:
        meta["issuer"] = " ".join(issuer)
    return meta


def _summary_meta(rows: list[list[str]]) -> dict[str, str]:
    """Key/value pairs of a "Số hiệu | 159/KH-UBND" summary table, or {} for other tables."""
    meta: dict[str, str] = {}
    labelled = 0
    for row in rows:
        cells = [" ".join(_clean_lines(c)) for c in row]
        cells = [c for c in cells if c]
        if not cells:
            continue
        key = SUMMARY_KEYS.get(cells[0].rstrip(":").strip().lower())
        if key is None:
            continue
        labelled += 1
        if len(cells) >= 2:
            meta.setdefault(key, cells[1])
    return meta if labelled >= 3 else {}


def _is_layout_table(rows: list[list[str]]) -> bool:
    """A signature block or a later letterhead: few cells, "Nơi nhận", TM./KT., the motto."""
    if len(rows) > 3 or any(len(r) > 3 for r in rows):
        return False
    for row in rows:
        for cell in row:
            lines = _clean_lines(cell)
            if not lines:
                continue
            if lines[0].lower().startswith("nơi nhận") or _SIGNATURE_HEAD.match(lines[0]):
                return True
            if any(_MOTTO.search(l) for l in lines):
                return True
            # A form's signature box: "…, ngày … tháng … năm …" above a title in capitals.
            if any(_DATE_WORDS.search(l) for l in lines) and any(l.isupper() for l in lines):
                return True
    return False


def _layout_blocks(rows: list[list[str]]) -> list[Block]:
    """Each cell's lines as paragraphs; lines a narrow cell wrapped ("thành phố" / "trực thuộc
    TW;") are joined back like a PDF's."""
    blocks = []
    for row in rows:
        for cell in row:
            lines = [l for l in _clean_lines(cell) if not _DECORATION.match(l)]
            blocks.extend(Block(text=text, kind="paragraph") for _, text in join_lines(lines, width=0))
    return blocks
