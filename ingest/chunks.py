"""Structure → chunks: one chunk per item where it fits, never splitting an item from its
assignment lines, long items split at paragraph then sentence boundaries.

Every chunk's ``text`` is an exact slice of the document text (``text == doc_text[start:end]``),
so a citation can quote it and point at it. What the chunk cannot hold of its surroundings —
the document title and the section headings above it — goes into ``context``, which is
indexed with the text but never quoted.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from ingest.lang.sentences import split_sentences
from ingest.structure import MAX_TITLE_CHARS, Item, Paragraph, ParsedStructure

TARGET_CHARS = 700
MAX_CHARS = 1100

# Sentence ends: ".", "!", "?", ";" followed by space and an upper-case letter, a digit or a bullet.


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    source: str
    ordinal: int
    section: str  # human-readable section path: "II.1.3 Tuyên truyền trên hệ thống thông tin cơ sở"
    kind: str  # body, preamble, recipients, signature
    text: str  # exact slice of the document text, in the document's own letters
    context: str  # title and headings above the text, for indexing and display
    page: int | None
    page_end: int | None
    char_start: int
    char_end: int
    assignments: list[dict] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # ancestor headings, outermost first
    # [offset into text, page] wherever the page changes, so a quote inside knows its page.
    page_map: list[list[int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """Page of the character at ``offset`` (relative to ``text``)."""
        page = self.page
        for start, p in self.page_map:
            if start <= offset:
                page = p
        return page

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def index_text(self) -> str:
        """What the index sees: context first, so "ở Quảng Ninh" matches a chunk of its plan."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass
class _Span:
    start: int
    end: int
    page: int | None
    is_assignment: bool = False


def _segments(item: Item) -> list[list[Paragraph]]:
    """Paragraph groups that each end with their assignment lines.

    An item whose sub-headings were lost (excerpts, flattened DOCX) can hold several tasks,
    each closed by its own "Đơn vị chủ trì: …" line; a group boundary after each run of
    assignment lines keeps each task with the line that assigns it.
    """
    groups: list[list[Paragraph]] = [[]]
    for para in item.paragraphs:
        prev = groups[-1][-1] if groups[-1] else None
        if prev is not None and prev.kind == "assignment" and para.kind != "assignment":
            groups.append([])
        groups[-1].append(para)
    return [g for g in groups if g]


def _sentence_spans(para: Paragraph) -> list[_Span]:
    spans = [_Span(para.start + a, para.start + b, para.page) for a, b in split_sentences(para.text, semicolons=True)]
    # Pieces over the limit (no sentence ends) are cut at a space.
    out: list[_Span] = []
    for s in spans:
        while s.end - s.start > MAX_CHARS:
            cut = para.text.rfind(" ", s.start - para.start, s.start - para.start + TARGET_CHARS)
            cut = para.start + cut if cut > s.start - para.start else s.start + TARGET_CHARS
            out.append(_Span(s.start, cut, s.page))
            s = _Span(cut + 1, s.end, s.page)
        out.append(s)
    return out


def _pack(spans: list[_Span], target: int) -> list[list[_Span]]:
    """Greedy packing of consecutive spans into runs of about ``target`` characters."""
    runs: list[list[_Span]] = []
    for span in spans:
        if runs:
            run = runs[-1]
            size = span.end - run[0].start
            if size <= target or (span.is_assignment and size <= MAX_CHARS * 1.3):
                run.append(span)
                continue
        runs.append([span])
    return runs


def _item_runs(item: Item) -> list[list[_Span]]:
    runs: list[list[_Span]] = []
    total = sum(len(p.text) + 1 for p in item.paragraphs)
    segments = [item.paragraphs] if total <= MAX_CHARS else _segments(item)
    for group in segments:
        size = group[-1].start + len(group[-1].text) - group[0].start
        if size <= MAX_CHARS:
            runs.append([_Span(p.start, p.start + len(p.text), p.page) for p in group])
            continue
        spans = []
        for para in group:
            if len(para.text) > MAX_CHARS:
                spans.extend(_sentence_spans(para))
            else:
                spans.append(_Span(para.start, para.start + len(para.text), para.page, para.kind == "assignment"))
        runs.extend(_pack(spans, TARGET_CHARS))
    return runs


def has_content(item: Item) -> bool:
    """Whether an item says something itself, rather than only naming what follows.

    A legal clause is often all heading line ("1. Nghị định này quy định về …", "a) Giết 02
    người trở lên;"): that line is the content. A title ("Điều 36. Khen thưởng và xử lý vi
    phạm", "1. Hình thức tuyên truyền") or a lead-in ending in ":" only introduces what follows.
    """
    if item.body:
        return True
    line = item.heading.rstrip()
    if item.kind not in ("number", "letter") or not line or line.endswith(":"):
        return False
    return line.endswith((".", ";")) or len(line) > MAX_TITLE_CHARS


def _merge_small_items(items: list[Item]) -> list[list[Item]]:
    """Runs of items to chunk together: headings that only name what follows join the next
    item; untitled narrative paragraphs (news articles) are packed to the target size."""
    groups: list[list[Item]] = []
    pending: list[Item] = []
    for item in items:
        if not has_content(item) and item.kind not in ("recipients", "signature", "header"):
            pending.append(item)  # a bare heading: its words belong with what follows
            continue
        groups.append(pending + [item])
        pending = []
    if pending:
        groups.append(pending)
    return _merge_siblings(groups)


def _merge_siblings(groups: list[list[Item]]) -> list[list[Item]]:
    """Short items of one article (its clauses "1.", "2." and their points "a)", "b)"), or of one
    section where there are no articles, share a chunk: the whole article when it fits in
    ``MAX_CHARS``, else runs up to ``TARGET_CHARS``. Items that carry assignment lines stay
    alone: each is a task of its own."""
    # Runs of consecutive groups that could share a chunk, then each run packed.
    runs: list[list[list[Item]]] = []
    for group in groups:
        if runs and _joinable(runs[-1][-1], group):
            runs[-1].append(group)
        else:
            runs.append([group])
    out: list[list[Item]] = []
    for run in runs:
        if sum(_size(g) for g in run) <= MAX_CHARS:
            out.append([it for g in run for it in g])
            continue
        out.append(run[0])
        for group in run[1:]:
            if _size(out[-1]) + _size(group) <= TARGET_CHARS:
                out[-1] = out[-1] + group
            else:
                out.append(group)
    return out


def _size(group: list[Item]) -> int:
    return sum(len(p.text) + 1 for it in group for p in it.paragraphs)


def _scope(item: Item) -> list[tuple[str, str]]:
    """The unit items may share a chunk within: the enclosing article, else the enclosing
    section (Phần, Chương, Mục, I.), else the document."""
    path = [p[:2] for p in item.path]
    for kinds in (("article",), ("part", "chapter", "section", "roman")):
        found = [i for i, (kind, _) in enumerate(path) if kind in kinds]
        if found:
            return path[: found[-1] + 1]
    return []


def _joinable(a: list[Item], b: list[Item]) -> bool:
    last, nxt = a[-1], b[-1]
    # An article's own lead-in ("Trong Hiệp định này, thuật ngữ … như sau:") takes its clauses too.
    return (not any(it.assignments for it in a + b) and last.kind in ("article", "number", "letter")
            and nxt.kind in ("number", "letter") and _scope(last) == _scope(nxt))


def _chunk_id(doc_id: str, ordinal: int, text: str) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}:{ordinal:04d}:{digest}"


def chunk_structure(structure: ParsedStructure, *, doc_id: str, source: str, title: str) -> list[Chunk]:
    """Cut a parsed document into chunks; see the module docstring for the rules."""
    doc_text = structure.text
    chunks: list[Chunk] = []
    for group in _merge_small_items(structure.items):
        # The first item with content names the chunk; bare headings before it are its context.
        item = next((it for it in group if has_content(it)), group[-1])
        # Headings of the enclosing sections, for context (the item's own heading is in its text
        # unless the item had to be split).
        headings = [f"{number} {title_}".strip() for _, number, title_ in item.path[:-1] if title_ or number]
        kind = item.kind if item.kind in ("preamble", "recipients", "signature", "header") else "body"
        if not item.heading:
            # No heading line of its own in the text (signature, header, preamble): its label is context.
            headings.append(item.label)
        merged = Item(kind=item.kind, number=item.number, title=item.title, path=item.path,
                      heading=item.heading, page=group[0].page,
                      paragraphs=[p for it in group for p in it.paragraphs],
                      assignments=[a for it in group for a in it.assignments])
        runs = _item_runs(merged)
        for i, run in enumerate(runs):
            start, end = run[0].start, max(s.end for s in run)
            text = doc_text[start:end].strip()
            if not text:
                continue
            start = doc_text.index(text, start)
            end = start + len(text)
            ctx_headings = list(headings)
            if i > 0 and item.heading:
                ctx_headings.append(item.heading[:200])  # split item: repeat its heading
            context = " › ".join([title] + ctx_headings) if title else " › ".join(ctx_headings)
            pages = [s.page for s in run if s.page is not None]
            page_map: list[list[int]] = []
            for s_ in run:
                if s_.page is not None and (not page_map or page_map[-1][1] != s_.page):
                    page_map.append([max(0, s_.start - start), s_.page])
            assignments = [
                {"role": a.role, "value": a.value, "text": a.text}
                for a in item.assignments
                if a.text in text
            ]
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=_chunk_id(doc_id, ordinal, text),
                    doc_id=doc_id,
                    source=source,
                    ordinal=ordinal,
                    section=item.label,
                    kind=kind,
                    text=text,
                    context=context,
                    page=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    char_start=start,
                    char_end=end,
                    assignments=assignments,
                    headings=ctx_headings,
                    page_map=page_map,
                )
            )
    return chunks
