"""Statements: the sentences and task blocks a summary is made of, cut from a ledger document.

    sentences, tasks = document_statements(ledger.document(doc_id))

A chunk's text is read as logical lines (hard-wrapped PDF lines joined), then sentences (a very
long one cut at "; " into clauses); clutter (header rows, recipients, signatures, lead-ins, the
document's own title) is dropped. A heading line opens a block; a block with lines that assign
it ("Đơn vị chủ trì: …"), or under a heading that names a unit, is a task: its title, its lines
and those assignment lines. Every statement keeps its span in the chunk's text, so a bullet
quotes and cites exactly what it shows.

The line, heading and unit rules here work on the chunks' text with rules of their own, apart
from those ingest/ already applies to the same text (wrapped lines: ingest/paragraphs.py;
headings: ingest/structure.py; units and assignment lines: ingest/tasks.py). The two sets of
rules can disagree on a line; only the chunk's ``headings`` and ``assignments`` are shared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest.lang.normalize import canonical_tones, fold_accents
from ingest.lang.sentences import split_sentences


# --- text helpers ---------------------------------------------------------------------------------

def norm(text: str) -> str:
    """Comparable form: tone marks in one place, accents folded, lower case, single spaces."""
    return " ".join(fold_accents(canonical_tones(text)).lower().split())


_END_PUNCT = " \t\n.;:,!?…/-–"


def _core(text: str) -> str:
    """Normalised, with punctuation trimmed at both ends (a part may end in "." its quote lacks)."""
    return norm(text).strip(_END_PUNCT + "\"'“”()")


def _fold_words(text: str) -> str:
    """Folded words between single spaces, padded at both ends: " a b " finds whole words only."""
    return " " + " ".join(re.sub(r"[^\w]+", " ", fold_accents(canonical_tones(text)).lower()).split()) + " "


_BULLET = re.compile(r"^\s*(?:[-–+•*·●▪◦]\s*)+")
_NUMBERING = re.compile(r"^\s*(?:(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)](?:\s+|(?=[A-ZĐÀ-Ỹ]))|\d+(?:\.\d+)+\s+)")
_LEGAL_HEAD = re.compile(r"^\s*(?:Điều\s+\d+[a-zđ]?|Chương\s+[IVXLC\d]+|Mục\s+\d+|Phần\s+(?:thứ\s+)?[IVXLC\d\w]+)\b[.:]?\s*",
                         re.IGNORECASE)
# Discourse connectives that point at a neighbour sentence: out of context they mislead.
_CONNECTIVE = re.compile(r"^(?:Đồng thời|Bên cạnh đó|Theo đó|Ngoài ra|Qua đó|Do đó|Vì vậy|Vì thế|Mặt khác|"
                         r"Trên cơ sở đó|Cụ thể|Tuy nhiên|Cùng với đó|Như vậy)\s*,\s*", re.IGNORECASE)
_UNIT_WORD = re.compile(
    r"^(?:Sở|Phòng|Trung tâm|UBND|Ủy ban|Uỷ ban|Ban|Đài|Vụ|Cục|Bộ|Văn phòng|Báo|Công an|Tỉnh đoàn|Huyện đoàn|"
    r"Hội|Các sở|Các cơ quan|Các đơn vị|Cơ quan|Thủ trưởng|Viện|Tổng cục|Bộ Chỉ huy|Liên đoàn|Mặt trận|"
    r"Đoàn|Thanh tra|Kho bạc|Ngân hàng|Chi cục|Hạt|Trường)\b")
_ASSIGN_LINE = re.compile(
    r"^\s*(?:[-–+•]\s*)?(?:(?:Đơn vị|Cơ quan)\s+(?:chủ trì|phối hợp|đầu mối|định hướng|thực hiện|triển khai|"
    r"chịu trách nhiệm)[^:\n]{0,60}|Thời gian(?: thực hiện)?|Thời hạn(?: thực hiện| hoàn thành)?|"
    r"Chủ trì|Phối hợp|Đầu mối)\s*:", re.IGNORECASE)
# Words that give a unit a duty ("phối hợp" alone also says "the countries cooperate").
_ROLE_WORDS = re.compile(r"\b(?:chủ trì|đầu mối|giao cho|giao (?:Sở|Vụ|Ban|Phòng|Trung tâm|UBND|Ủy ban|Cục)|"
                         r"chịu trách nhiệm|có trách nhiệm|báo cáo (?:kết quả|tiến độ)|định hướng thông tin|"
                         r"phối hợp (?:chặt chẽ )?với (?:các )?(?:Sở|Phòng|Ban|Bộ|Cục|Vụ|cơ quan|đơn vị|UBND|Ủy ban|"
                         r"Trung tâm))")
_CLUTTER = re.compile(
    r"^(?:File gốc|Tóm tắt$|Tình trạng|Nơi nhận|Lưu\s*:?\s*(?:VT|Văn thư)|Trên đây là|"
    r"(?:Thứ (?:hai|ba|tư|năm|sáu|bảy)|Chủ nhật)\b.{0,30}\d{1,2}:\d{2}|"
    r"(?:Số|Số hiệu|Ngày ban hành|Ngày hiệu lực|Người ký|Loại văn bản|Lĩnh vực|Cơ quan ban hành)\s*[:|]|"
    r"(?:TM|KT|TL|TUQ)\.\s|CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI|Độc lập\s*[-–]\s*Tự do|"
    r"(?:https?://\S+)$)", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def condense(text: str) -> str:
    """Light condensation that keeps the words: one line, no bullet, numbering or connective,
    no trailing ";" or ",", first letter capitalised."""
    t = " ".join(text.split())
    t = _BULLET.sub("", t)
    t = _NUMBERING.sub("", t)
    t = _BULLET.sub("", t)
    t = _CONNECTIVE.sub("", t)
    t = t.rstrip(" ;,-–")
    if t.endswith("./."):
        t = t[:-2]
    if t and t[0].islower():
        t = t[0].upper() + t[1:]
    return t


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", "…", ":", ";", ")", "\"", "”"))


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _is_heading(line: str) -> bool:
    """A structural line (numbered title, ALL CAPS, "Điều 5."), not a statement of its own."""
    body = _BULLET.sub("", line).strip()
    if not body or len(body) > 220:
        return False
    if _is_caps(body):
        return True
    if body.endswith(":") and _UNIT_WORD.match(body) and len(body) < 120:
        return True  # "Sở Thông tin và Truyền thông:" heads the lines that are its duties
    numbered = bool(_NUMBERING.match(body)) or bool(_LEGAL_HEAD.match(body))
    if not numbered:
        return False
    rest = _NUMBERING.sub("", body)
    if _LEGAL_HEAD.match(body):
        rest = _LEGAL_HEAD.sub("", body)
    # "1.2. Trụ cột Kinh tế" or "1. Phòng Văn hoá và Thông tin huyện:" — a title, not a sentence.
    return not rest.rstrip().endswith((".", ";", "!", "?")) or len(rest) < 60


def _heading_title(line: str) -> str:
    t = _BULLET.sub("", " ".join(line.split()))
    t = _LEGAL_HEAD.sub("", t) if _LEGAL_HEAD.match(t) else _NUMBERING.sub("", t)
    return t.strip()


def _is_unit_heading(line: str) -> bool:
    """"1. Phòng Văn hoá và Thông tin huyện:" — a unit's name heading the lines of its duties
    (not "UBND huyện xây dựng Kế hoạch … như sau:", a lead-in)."""
    title = _heading_title(line)
    return (bool(_UNIT_WORD.match(title)) and len(title.split()) <= 14
            and not re.search(r"\b(?:như sau|gồm|bao gồm|sau đây)\b", title, re.IGNORECASE))


@dataclass
class _Span:
    start: int
    end: int


def _logical_lines(text: str) -> list[_Span]:
    """Lines, with hard-wrapped continuations joined: a line that starts in lower case or with
    "(" after a line without closing punctuation is the same sentence (PDF wrapping)."""
    out: list[_Span] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start += lead
        end = start + len(stripped)
        if out:
            prev = text[out[-1].start:out[-1].end]
            first = stripped[0]
            if (not _ends_sentence(prev) and not _BULLET.match(stripped) and not _NUMBERING.match(stripped)
                    and (first.islower() or first in "(),;" or (first.isdigit() and not re.match(r"\d+[.)]\s", stripped)))):
                out[-1].end = end
                continue
        out.append(_Span(start, end))
    return out


# Longer sentences are cut at "; " into clauses. Plans enumerate with "; " and capitalised
# proper names ("… ASEAN + 3; Khung phục hồi …"), so shorter ones stay whole.
MAX_SENTENCE = 1000
MIN_CLAUSE = 90


def _sentences(text: str, span: _Span) -> list[_Span]:
    """Sentences of one logical line (offsets in ``text``, see ingest/lang/sentences.py); a sentence
    over MAX_SENTENCE characters is cut at "; " into clauses."""
    line = text[span.start:span.end]
    out: list[_Span] = []
    for a, b in split_sentences(line):
        p = _Span(span.start + a, span.start + b)
        out.extend(_clauses(text, p) if p.end - p.start > MAX_SENTENCE else [p])
    return [p for p in out if text[p.start:p.end].strip()]


def _clauses(text: str, span: _Span) -> list[_Span]:
    s = text[span.start:span.end]
    depth = 0
    bounds = []
    for i, ch in enumerate(s):
        depth += ch in "(["
        depth -= ch in ")]" and depth > 0
        if ch == ";" and depth == 0 and s[i + 1:i + 2] == " ":
            bounds.append(i)
    if not bounds:
        return [span]
    pieces = []
    pos = 0
    for b in bounds:
        pieces.append([pos, b + 1])
        pos = b + 2
    pieces.append([pos, len(s)])
    merged: list[list[int]] = []
    for p in pieces:
        # a short clause reads badly alone; it joins the clause after it (or before, at the end)
        if merged and merged[-1][1] - merged[-1][0] < MIN_CLAUSE:
            merged[-1][1] = p[1]
        else:
            merged.append(p)
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < MIN_CLAUSE:
        last = merged.pop()
        merged[-1][1] = last[1]
    return [_Span(span.start + a, span.start + b) for a, b in merged]


def _clutter(sentence: str, title_core: str) -> bool:
    s = " ".join(sentence.split())
    body = condense(s)
    if _CLUTTER.match(_BULLET.sub("", s)) or _CLUTTER.match(body):
        return True
    words = _WORD.findall(body)
    if len(words) < 6:
        return True
    if " | " in s and len(s) < 120 and s.count("|") <= 2:
        return True  # a metadata row of a web page's table ("Cơ quan ban hành | …")
    if _core(body) == title_core or (title_core and _core(body) in title_core and len(body) > 30):
        return True  # the document's title: it is in the report's headings already
    if body.endswith(":") and len(body) < 140 and not _is_unit_heading(body):
        return True  # a lead-in ("Nội dung triển khai:") says nothing without what follows
    if len(body) < 60 and _UNIT_WORD.match(body) and not _ROLE_WORDS.search(body) and len(words) < 10:
        return True  # a bare unit name: a line of a recipients list
    return False


# --- statements -----------------------------------------------------------------------------------

@dataclass(eq=False)  # compared by identity: statements hold numpy vectors
class _Stmt:
    doc_id: str
    chunk: dict
    start: int  # the span to cite, in the chunk's text
    end: int
    kind: str  # "sentence" or "task"
    parts: list[tuple[int, int]]  # spans the bullet's words come from (sentence: one)
    headings: list[str]
    order: int  # offset in the document, for document order
    position: float  # 0 … 1 through the document
    assignment: bool = False
    block: int | None = None  # the task block a sentence belongs to
    members: list["_Stmt"] = field(default_factory=list)  # a task's sentences
    heading_part: tuple[int, int] | None = None  # a task's title line
    assign_parts: list[tuple[int, int]] = field(default_factory=list)
    unit_task: bool = False
    score: float = 0.0
    theme: str = ""
    theme_scores: dict[str, float] = field(default_factory=dict)
    emb: np.ndarray | None = None
    covered: float = 0.0  # share of the topic's weighted words it holds

    def part_text(self, span: tuple[int, int]) -> str:
        return condense(self.chunk["text"][span[0]:span[1]])

    @property
    def text(self) -> str:
        """The sentence, or a task's title, lines and assignment lines, as one text."""
        if self.kind == "sentence":
            return self.part_text(self.parts[0])
        return _render_parts([self.part_text(p) for p in self.parts], self.heading_part is not None)

    @property
    def embed_text(self) -> str:
        if self.kind == "sentence":
            return self.text
        pieces = []
        if self.heading_part:
            pieces.append(self.part_text(self.heading_part))
        pieces += [self.part_text(p) for p in self.assign_parts]
        pieces += [m.text for m in self.members]
        return " ".join(pieces)[:700]

    @property
    def context(self) -> str:
        return " › ".join(self.headings)


def _render_parts(parts: list[str], has_heading: bool) -> str:
    out = ""
    for i, p in enumerate(parts):
        if not p:
            continue
        if not out:
            out = p
            if has_heading and i == 0 and len(parts) > 1 and not p.endswith(":"):
                out += ":"
            continue
        if not _ends_sentence(out):
            out += "."
        out += " " + p
    return out


def _chunk_headings(chunk: dict, title_core: str) -> list[str]:
    heads = [h for h in (chunk.get("headings") or []) if h]
    section = chunk.get("section") or ""
    if section and section not in heads:
        heads.append(section)
    out = []
    for h in heads:
        h = " ".join(h.split())
        if h and _core(h) != title_core and h not in out:
            out.append(h)
    return out


def document_statements(doc: dict) -> tuple[list[_Stmt], list[_Stmt]]:
    """A ledger document's sentence statements and task blocks, in document order."""
    record = doc.get("record") or {}
    title_core = _core(record.get("title") or "")
    total = max(1, len(doc.get("text") or "") or sum(len(c["text"]) for c in doc.get("chunks", [])))
    sentences: list[_Stmt] = []
    tasks: list[_Stmt] = []
    for chunk in doc.get("chunks", []):
        if chunk.get("kind") in ("header", "recipients", "signature"):
            continue
        text = chunk["text"]
        base = chunk.get("char_start", 0)
        heads = _chunk_headings(chunk, title_core)
        assign_texts = [a.get("text", "") for a in chunk.get("assignments") or [] if a.get("text")]
        lines = _logical_lines(text)
        local_heads: list[str] = []
        # Blocks: a heading line opens one; a run of assignment lines closes one.
        block: dict[str, Any] = {"heading": None, "lines": [], "assign": [], "unit": False}

        def close_block() -> None:
            b = dict(block)
            if b["assign"] or (b["unit"] and b["lines"]):
                spans = ([b["heading"]] if b["heading"] else []) + b["lines"] + b["assign"]
                start, end = min(s.start for s in spans), max(s.end for s in spans)
                members = [s for s in sentences if s.chunk is chunk and start <= s.start and s.end <= end]
                t = _Stmt(doc_id=chunk["doc_id"], chunk=chunk, start=start, end=end, kind="task",
                          parts=[], headings=heads + local_heads, order=base + start,
                          position=(base + start) / total, assignment=True,
                          heading_part=(b["heading"].start, b["heading"].end) if b["heading"] else None,
                          assign_parts=[(s.start, s.end) for s in b["assign"]], unit_task=b["unit"],
                          members=members)
                t.parts = ([t.heading_part] if t.heading_part else []) + [(m.start, m.end) for m in members] \
                    + t.assign_parts
                for m in members:
                    m.block = len(tasks)
                tasks.append(t)
            block.update({"heading": None, "lines": [], "assign": [], "unit": False})

        for span in lines:
            line = text[span.start:span.end]
            if _is_heading(line):
                close_block()
                title = _heading_title(line)
                if title:
                    local_heads.append(title)
                block["heading"] = span
                block["unit"] = _is_unit_heading(line)
                continue
            is_assign = bool(_ASSIGN_LINE.match(line)) or any(a and a in line and len(a) > len(line) * 0.6
                                                              for a in assign_texts)
            if is_assign:
                block["assign"].append(span)
                continue
            if block["assign"]:
                close_block()
            block["lines"].append(span)
            for sp in _sentences(text, span):
                raw = text[sp.start:sp.end]
                if _clutter(raw, title_core):
                    continue
                sentences.append(_Stmt(doc_id=chunk["doc_id"], chunk=chunk, start=sp.start, end=sp.end,
                                       kind="sentence", parts=[(sp.start, sp.end)], headings=heads + local_heads,
                                       order=base + sp.start, position=(base + sp.start) / total,
                                       assignment=bool(_ROLE_WORDS.search(raw))))
        close_block()
    sentences = _unique(sentences)
    return sentences, tasks


def _unique(stmts: list[_Stmt]) -> list[_Stmt]:
    """A document that repeats a sentence (a news article's lead and body) keeps the first."""
    seen: set[str] = set()
    out = []
    for s in stmts:
        key = _core(s.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out
