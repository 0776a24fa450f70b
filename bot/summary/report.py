"""Summaries as editable report drafts: a DOCX in the shape of a Vietnamese administrative report
(Nghị định 30/2020/NĐ-CP layout: A4, Times New Roman 13–14 pt, national motto, date line,
Roman-numbered headings, "- " bullets) and Markdown. Every bullet keeps its [n] markers and the
numbered "Tài liệu tham khảo" list at the end says where each quote stands: document, số hiệu,
cơ quan ban hành, ngày, mục, trang.

    to_docx(summary, "bao-cao.docx")      # or a binary file object; None returns the bytes
    to_markdown(summary)
"""
from __future__ import annotations

import io
import re
from os import PathLike
from pathlib import Path
from typing import IO

from bot.answer.citations import Citation
from bot.summary.composition import Summary

FONT = "Times New Roman"
BODY_PT = 13
HEADING_PT = 14
BULLET_STYLE = "Ý tóm tắt"  # one style for every bullet, so a writer restyles them all at once
REFERENCE_STYLE = "Tài liệu tham khảo"
REFERENCES_HEADING = "TÀI LIỆU THAM KHẢO"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
          "XVI", "XVII", "XVIII", "XIX", "XX"]
QUOTE_CHARS = 300


def roman(n: int) -> str:
    return _ROMAN[n - 1] if 0 < n <= len(_ROMAN) else str(n)


def date_line(summary: Summary, place: str = "……") -> str:
    d = summary.generated_at
    return f"{place}, ngày {d.day} tháng {d.month} năm {d.year}"


def markers(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _date(iso: str | None) -> str:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return f"{int(m.group(3))}/{int(m.group(2))}/{m.group(1)}" if m else (iso or "")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def reference_parts(summary: Summary, c: Citation, *, full: bool = True) -> list[str]:
    """The pieces of one reference: what the document is, who issued it, when, where inside.
    ``full=False`` (the document was described in an earlier reference) keeps the kind, số hiệu
    and issuer, and drops the date and title."""
    record = summary.documents.get(c.doc_id) or {}
    kind = record.get("doc_type") or "Văn bản"
    parts = [f"{kind} {c.number}" if c.number else kind]
    if record.get("issuer"):
        parts.append(record["issuer"])
    if full and record.get("date"):
        parts.append(f"ngày {_date(record['date'])}")
    title = record.get("title") or c.title
    if full and title:
        parts.append(f"“{_short(title, 160)}”")
    section = (c.section or "").strip()
    if section and section not in ("Mở đầu",):
        parts.append(f"mục {_short(section, 90)}")
    if c.page:
        parts.append(f"trang {c.page}")
    if not record and c.source:
        parts.append(c.source)
    return parts


def reference_line(summary: Summary, c: Citation, *, full: bool = True) -> str:
    return ", ".join(reference_parts(summary, c, full=full)) + "."


def reference_lines(summary: Summary) -> list[tuple[Citation, str]]:
    """Each reference with its line: the document in full the first time it is cited, briefly after."""
    seen: set[str] = set()
    out = []
    for c in summary.references:
        out.append((c, reference_line(summary, c, full=c.doc_id not in seen)))
        seen.add(c.doc_id)
    return out


def _intro(summary: Summary) -> str:
    n_docs = len({c.doc_id for c in summary.references})
    return (f"(Bản tổng hợp trích nguyên văn từ {n_docs} văn bản; số trong ngoặc vuông [n] sau mỗi ý chỉ "
            f"tài liệu tham khảo ở cuối báo cáo.)")


# --- Markdown -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_])")


def _md(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return re.sub(r"^([#>+-])", r"\\\1", text)


def to_markdown(summary: Summary) -> str:
    lines = [f"# {_md(summary.title)}", "", f"*{date_line(summary)}*", "", f"*{_intro(summary)}*", ""]
    for note in summary.notes:
        lines += [f"> {_md(note)}", ""]
    for i, section in enumerate(summary.sections, 1):
        lines += [f"## {roman(i)}. {_md(section.heading)}", ""]
        for b in section.bullets:
            body = b.text[len(b.lead) + 2:] if b.lead and b.text.startswith(b.lead + ": ") else b.text
            lead = f"**{_md(b.lead)}:** " if b.lead and body is not b.text else ""
            lines.append(f"- {lead}{_md(body)} {markers(b.citations)}")
        lines.append("")
    if summary.references:
        lines += ["## Tài liệu tham khảo", ""]
        for c, line in reference_lines(summary):
            label = f"{c.n}. "
            lines.append(f"{label}{_md(line)}")
            # the quote belongs to the list item: indented as far as the item's text
            lines.append(" " * len(label) + f"> {_md(_short(c.quote, QUOTE_CHARS))}")
        lines.append("")
    return "\n".join(lines)


# --- DOCX -----------------------------------------------------------------------------------------

def _font(run_or_style, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    # Word takes the font of Vietnamese letters from the East Asian / complex-script slots too.
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    # a theme font (the template's headings use one) would win over the names above
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    normal = doc.styles["Normal"]
    _font(normal, BODY_PT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", HEADING_PT), ("Heading 1", HEADING_PT), ("Heading 2", BODY_PT)):
        st = doc.styles[name]
        _font(st, size, bold=True, italic=False)
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.paragraph_format.space_before = Pt(10)
        st.paragraph_format.space_after = Pt(4)
        st.paragraph_format.keep_with_next = True
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _drop(title.element.pPr, "w:pBdr")  # the template underlines titles with a blue rule
    bullet = doc.styles.add_style(BULLET_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    bullet.base_style = normal
    _font(bullet, BODY_PT)
    bullet.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    bullet.paragraph_format.first_line_indent = Cm(1)
    bullet.paragraph_format.space_after = Pt(6)
    ref = doc.styles.add_style(REFERENCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    ref.base_style = normal
    _font(ref, 12)
    ref.paragraph_format.left_indent = Cm(0.9)
    ref.paragraph_format.first_line_indent = Cm(-0.9)
    ref.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    ref.paragraph_format.space_after = Pt(4)


def _drop(parent, tag: str) -> None:
    from docx.oxml.ns import qn

    if parent is None:
        return
    for el in parent.findall(qn(tag)):
        parent.remove(el)


def _page(doc) -> None:
    from docx.shared import Cm

    for s in doc.sections:
        s.page_height, s.page_width = Cm(29.7), Cm(21.0)
        s.top_margin, s.bottom_margin = Cm(2), Cm(2)
        s.left_margin, s.right_margin = Cm(3), Cm(2)
        _page_number(s)


def _page_number(section) -> None:
    """A centred PAGE field in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, 12)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _no_borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _line(cell_or_doc, text: str, *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          center: bool = True, first: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    run = p.add_run(text)
    _font(run, size, bold=bold, italic=italic)
    return p


def _header(doc, summary: Summary) -> None:
    """The administrative header: issuing body (left, to be filled in) and the national motto with
    the date line (right)."""
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    widths = (Cm(6.0), Cm(10.0))
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths):
        column.width = width  # the grid (LibreOffice reads it)
        cell.width = width  # and each cell (Word reads it)
    left, right = table.rows[0].cells
    _line(left, "TÊN CƠ QUAN, ĐƠN VỊ", size=12, bold=True, first=True)
    _line(left, "———", size=12)
    _line(left, "Số: …/BC-…", size=BODY_PT)
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True)
    _line(right, "———————————", size=12)
    _line(right, date_line(summary), size=BODY_PT, italic=True)


def to_docx(summary: Summary, path_or_file: str | PathLike | IO[bytes] | None = None):
    """Write the report; returns the path written, or the bytes when no target is given."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    _styles(doc)
    _page(doc)
    doc.core_properties.title = summary.title
    doc.core_properties.subject = "Báo cáo tổng hợp có trích dẫn nguồn"
    doc.core_properties.language = "vi-VN"
    _header(doc, summary)

    title = doc.add_paragraph("BÁO CÁO", style="Title")
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(0)
    sub = doc.add_paragraph(style="Title")
    sub.paragraph_format.space_before = Pt(0)
    _font(sub.add_run(summary.title), HEADING_PT, bold=True)
    intro = doc.add_paragraph()
    intro.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(intro.add_run(_intro(summary)), 12, italic=True)
    for note in summary.notes:
        p = doc.add_paragraph()
        _font(p.add_run(note), BODY_PT, italic=True)

    for i, section in enumerate(summary.sections, 1):
        doc.add_paragraph(f"{roman(i)}. {section.heading}", style="Heading 1")
        for b in section.bullets:
            p = doc.add_paragraph(style=BULLET_STYLE)
            _font(p.add_run("- "), BODY_PT)
            body = b.text
            if b.lead and b.text.startswith(b.lead + ": "):
                _font(p.add_run(b.lead + ": "), BODY_PT, bold=True)
                body = b.text[len(b.lead) + 2:]
            _font(p.add_run(body + " "), BODY_PT)
            _font(p.add_run(markers(b.citations)), BODY_PT)

    if summary.references:
        doc.add_paragraph(REFERENCES_HEADING, style="Heading 1")
        for c, line in reference_lines(summary):
            p = doc.add_paragraph(style=REFERENCE_STYLE)
            _font(p.add_run(f"[{c.n}] "), 12, bold=True)
            _font(p.add_run(line), 12)
            _font(p.add_run(f" Trích: “{_short(c.quote, QUOTE_CHARS)}”"), 12, italic=True)

    if path_or_file is None:
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
    if isinstance(path_or_file, (str, PathLike)):
        path = Path(path_or_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
        return path
    doc.save(path_or_file)
    return path_or_file

