"""A Vietnamese plan's numbered structure: blocks → items with section paths and assignments.

Administrative documents number their parts in a fixed hierarchy: parts and chapters
("Phần I", "Chương II"), roman sections ("II. NỘI DUNG"), articles in legal texts
("Điều 5."), numbered items ("1.", "1.2.", "1.2.3."), lettered items ("a)"), then bullets
("-", "+") that are body text, not headings. An item runs until the next heading of any
level; its "Đơn vị chủ trì: …" style lines belong to it, so they are parsed here as
:class:`Assignment` and never separated from their item by the chunker.

>>> blocks = [Block("II. NỘI DUNG"), Block("1.3. Tuyên truyền trên hệ thống thông tin cơ sở"),
...           Block("- Đơn vị chủ trì: Sở Thông tin và Truyền thông.")]
>>> items = parse_structure(blocks).items
>>> items[-1].label, items[-1].assignments[0].role
('II.1.3 Tuyên truyền trên hệ thống thông tin cơ sở', 'lead')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.document import Block
from ingest.lang.normalize import fold_accents

_ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"

# (kind, pattern). Order matters: the first match wins.
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^(?:PHẦN|Phần)\s+(?P<id>{_ROMAN}|\d+|thứ \w+)\b[.:]?\s*(?P<title>.*)$")),
    ("chapter", re.compile(rf"^(?:CHƯƠNG|Chương)\s+(?P<id>{_ROMAN}|\d+)\b[.:]?\s*(?P<title>.*)$")),
    ("section", re.compile(r"^(?:MỤC|Mục)\s+(?P<id>\d+)\b[.:]?\s*(?P<title>.*)$")),
    ("article", re.compile(r"^(?:ĐIỀU|Điều)\s+(?P<id>\d+[a-z]?)\s*[.:]\s*(?P<title>.*)$")),
    # A treaty's "Điều 3" alone on its line, the article's words below it.
    ("article", re.compile(r"^(?:ĐIỀU|Điều)\s+(?P<id>\d+[a-z]?)(?P<title>)$")),
    ("roman", re.compile(rf"^(?P<id>{_ROMAN})\s*[.)/]\s*(?P<title>\S.*)$")),
    # "1.", "1.2", "1.2.3." — a lone number needs its dot ("10 quốc gia" is not a heading).
    ("number", re.compile(r"^(?P<id>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?P<title>\S.*)$")),
    ("number", re.compile(r"^(?P<id>\d{1,2})[.)]\s+(?P<title>\S.*)$")),
    ("letter", re.compile(r"^(?P<id>[a-zđ])\)\s*(?P<title>\S.*)$")),
]
_BULLET = re.compile(r"^[-–—+•*·]\s*")

# Blocks that close a document: recipients, signature.
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(?:TM\.|T/M|KT\.|K/T|Q\.|TL\.|TUQ\.|CHỦ TỊCH\b|PHÓ CHỦ TỊCH\b|BỘ TRƯỞNG\b|THỨ TRƯỞNG\b|"
    r"THỦ TƯỚNG\b|PHÓ THỦ TƯỚNG\b|GIÁM ĐỐC\b|CỤC TRƯỞNG\b|VỤ TRƯỞNG\b)"
)
_CLOSING = re.compile(r"^Trên đây là\b")

# Assignment lines: "Đơn vị chủ trì thực hiện và triển khai: …", "Thời gian thực hiện: …".
_ROLE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("partner", re.compile(r"ph[oố]i h[ơợ]p")),
    ("focal", re.compile(r"đ[ầa]u m[ốo]i")),
    ("guiding", re.compile(r"đ[ịi]nh h[ưướ]+ng")),
    ("lead", re.compile(r"ch[ủu] tr[ìi]|th[ựu]c hi[ệe]n|tri[ểe]n khai|ph[ụu] tr[áa]ch")),
]
_ASSIGNMENT = re.compile(
    r"^(?P<key>(?:Đơn vị|Cơ quan|Các đơn vị|Đơn vị, địa phương)\s[^:]{2,60}|Trách nhiệm (?:thực hiện|chủ trì|triển khai)"
    r"|Thời gian(?:\s[^:]{0,40})?|Thời hạn(?:\s[^:]{0,40})?)\s*:\s*(?P<value>.+)$",
    re.IGNORECASE,
)

_NOT_TASK_ITEMS = ("preamble", "header", "recipients", "signature", "annex")
MAX_TITLE_CHARS = 110  # a heading's words up to this long are a title; a longer line is a clause
_MAX_SIGNATURE_LINE = 100  # title, name, seal notes: a signature block has no long lines
SPECIAL_LABELS = {"recipients": "Nơi nhận", "signature": "Người ký", "preamble": "Mở đầu",
                  "annex": "Nội dung kèm theo",
                  "header": "Phần đầu văn bản (cơ quan ban hành, số hiệu, ngày ban hành)"}


@dataclass
class Assignment:
    """One "role: units" line of an item. ``role`` is lead, partner, focal, guiding or deadline."""

    role: str
    value: str
    text: str  # the whole line as the document writes it


@dataclass
class Paragraph:
    text: str
    page: int | None
    kind: str = "paragraph"  # heading, paragraph, bullet, table_row, assignment
    start: int = 0  # offset of text in ParsedStructure.text
    cells: list[tuple[str, str]] | None = None  # a table row's (header, value) pairs


@dataclass
class Item:
    """A heading (possibly none, for a preamble) with the paragraphs up to the next heading."""

    kind: str  # preamble, part, chapter, section (Mục), roman, article, number, letter, recipients, signature, body
    number: str  # the heading's own number as written: "II", "1.3", "a"; "" for none
    title: str  # the heading's words, without the number
    path: list[tuple[str, str, str]]  # ancestors and self: (kind, number, title)
    heading: str = ""  # the heading line as written
    page: int | None = None
    # The heading line (kind "heading") first when there is one, then the body in order.
    paragraphs: list[Paragraph] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Human-readable section path, e.g. ``II.1.3 Tuyên truyền trên hệ thống thông tin cơ sở``."""
        return section_label(self.path)

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind != "heading"]


@dataclass
class ParsedStructure:
    """Items in document order, and the document text their paragraph offsets point into
    (the blocks' texts joined by newlines)."""

    items: list[Item]
    text: str


_KIND_WORDS = {"part": "Phần", "chapter": "Chương", "section": "Mục"}


def section_label(path: list[tuple[str, str, str]]) -> str:
    """Compose a numbering path: roman + deepest number + letter, e.g. "II.1.3.a"."""
    if not path:
        return ""
    parts: list[str] = []
    deepest_number = ""
    for kind, number, _ in path:
        if kind in ("part", "chapter", "section"):
            parts.append(f"{_KIND_WORDS[kind]} {number}")
        elif kind == "article":
            parts.append(f"Điều {number}")
        elif kind == "roman":
            parts.append(number)
        elif kind == "number":
            deepest_number = number
        elif kind == "letter":
            if deepest_number:
                parts.append(deepest_number)
                deepest_number = ""
            parts.append(number)
        elif kind in SPECIAL_LABELS:
            return SPECIAL_LABELS[kind]
    if deepest_number:
        parts.append(deepest_number)
    # Legal numbering reads "Chương II Điều 5.1"; plan numbering reads "II.1.3".
    numbering = ""
    for part in parts:
        if not numbering:
            numbering = part
        elif part[0].isdigit() or len(part) == 1 or re.fullmatch(_ROMAN, part):
            numbering += "." + part
        else:
            numbering += " " + part
    title = path[-1][2]
    return f"{numbering} {title}".strip() if title else numbering


def _rank(kind: str, number: str) -> int:
    """Depth in the hierarchy; a heading closes every open heading of equal or deeper rank."""
    if kind == "part":
        return 0
    if kind == "chapter":
        return 1
    if kind in ("section", "roman"):  # "Mục 1" groups articles inside a chapter
        return 2
    if kind == "article":
        return 3
    if kind == "number":
        return 3 + number.count(".") + 1
    if kind == "letter":
        return 10
    return 0


def _short_title(rest: str) -> str:
    """A heading's title: up to its colon or first sentence, capped, for section labels."""
    cut = re.split(r":\s|(?<=[.;])\s", rest, maxsplit=1)[0].rstrip(":.; ")
    if len(cut) > MAX_TITLE_CHARS:
        cut = cut[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    return cut


def match_heading(text: str) -> tuple[str, str, str] | None:
    """(kind, number, title) when a block opens a heading, else None."""
    for kind, pattern in _HEADINGS:
        m = pattern.match(text)
        if not m:
            continue
        number = m.group("id").rstrip(".")
        title = m.group("title").strip()
        if kind == "roman":
            if not number or not (title[:1].isupper() or title[:1].isdigit()):
                continue  # "I. am" or "V. v." style false positives
        if kind == "number" and re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b", text):
            continue  # a date like 19.10.2021
        return kind, number, title
    return None


def classify_assignment(line: str) -> Assignment | None:
    """Parse "Đơn vị chủ trì …: X" / "Thời gian thực hiện: Y" (after a bullet, if any)."""
    body = _BULLET.sub("", line).strip()
    m = _ASSIGNMENT.match(body)
    if not m:
        return None
    key = fold_accents(m.group("key")).lower()
    value = m.group("value").strip().rstrip(".;")
    if key.startswith(("thoi gian", "thoi han")):
        return Assignment("deadline", value, body)
    low = m.group("key").lower()
    if "nội dung" in low:
        return None
    for role, pattern in _ROLE_WORDS:
        if pattern.search(low):
            return Assignment(role, value, body)
    return None


def _numbered_line(heading: tuple[str, str, str] | None, current: Item) -> Assignment | None:
    """An assignment line numbered like a heading (``heading``, from :func:`match_heading`: "a) Cơ
    quan chủ trì: …"): a unit field, or a deadline field after one, inside a numbered item (a
    plan's task), never the document's opening."""
    if heading is None or heading[0] not in ("letter", "number") or current.kind in _NOT_TASK_ITEMS:
        return None
    line = classify_assignment(heading[2])
    if line is None or (line.role == "deadline" and not current.assignments):
        return None
    return line


def parse_structure(blocks: list[Block]) -> ParsedStructure:
    """Group blocks into items along the document's numbering."""
    items: list[Item] = []
    stack: list[tuple[int, tuple[str, str, str]]] = []
    current = Item(kind="preamble", number="", title="", path=[("preamble", "", "")])
    closing: str | None = None  # once "Nơi nhận" or a signature starts, no more body headings
    parts: list[str] = []
    offset = 0

    def start(kind: str, number: str, title: str, page: int | None) -> None:
        nonlocal current
        if current.paragraphs:
            items.append(current)
        if kind in ("recipients", "signature", "header", "preamble", "annex"):
            path = [(kind, "", title)]
        else:
            rank = _rank(kind, number)
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, (kind, number, _short_title(title))))
            path = [entry for _, entry in stack]
        current = Item(kind=kind, number=number, title=_short_title(title), path=path, page=page)

    def add(text: str, page: int | None, kind: str, cells=None) -> None:
        if current.page is None and not current.paragraphs:
            current.page = page
        current.paragraphs.append(Paragraph(text, page, kind, offset, cells))

    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        kind = "paragraph"
        is_row = block.kind == "table_row"
        numbered = match_heading(text)  # read once: the letterhead's end, a numbered field, a heading
        if current.kind == "header" and block.kind != "header" and not numbered:
            start("preamble", "", "", block.page)  # the body starts after the letterhead
        if block.kind == "header":
            if current.kind != "header":
                start("header", "", "", block.page)
        elif _RECIPIENTS.match(text) and closing != "recipients":
            closing = "recipients"
            start("recipients", "", "Nơi nhận", block.page)
            kind = "heading"
        elif (_SIGNATURE.match(text) and not is_row) or (is_row and _SIGNATURE.search(text.split("|")[-1].strip())):
            if closing != "signature":
                closing = "signature"
                start("signature", "", "Người ký", block.page)
        elif closing and _BULLET.match(text):
            kind = "bullet"
        elif not is_row and (line := _numbered_line(numbered, current)):
            # "a) Cơ quan chủ trì: Sở X", "b) Cơ quan phối hợp: …", "c) Thời gian thực hiện: …" under
            # "1. <task>": lettered fields of the item above, not sub-items of their own
            closing = None
            current.assignments.append(line)
            kind = "assignment"
        elif not is_row and (heading := numbered):
            closing = None
            start(heading[0], heading[1], heading[2], block.page)
            current.heading = text
            kind = "heading"
        elif closing == "signature" and not _CLOSING.match(text) and len(text) <= _MAX_SIGNATURE_LINE:
            pass
        elif closing == "signature" and not _CLOSING.match(text):
            # Prose after the signature is an annex or a form, not part of the signature block.
            closing = None
            start("annex", "", "", block.page)
        elif closing == "recipients" and len(text) < 120:
            pass
        else:
            closing = None
            assignment = classify_assignment(text) if block.cells is None else None
            if assignment:
                current.assignments.append(assignment)
                kind = "assignment"
            elif is_row:
                kind = "table_row"
            elif _BULLET.match(text):
                kind = "bullet"
        add(text, block.page, kind, block.cells if kind == "table_row" else None)
        parts.append(text)
        offset += len(text) + 1
    if current.paragraphs:
        items.append(current)
    return ParsedStructure(items=items, text="\n".join(parts))
