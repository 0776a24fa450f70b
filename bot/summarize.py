"""Cited, cross-document summaries for report writers: every bullet is a document's own words.

    summarize(services, SummaryRequest(topic="Nội dung về trụ cột Kinh tế", doc_ids=[...]))

Extractive, no LLM. The documents' chunks (from the ledger) are cut into statements:
sentences (hard-wrapped lines joined, brackets never cut, only very long ones cut at "; "),
and task blocks (an item's title, its lines and the "Đơn vị chủ trì: …" lines that assign it,
or the lines under a heading that names a unit). Clutter goes first: header, recipients,
signature, metadata rows, bylines, lead-ins, the document's own title. Then:

- with a topic, statements are scored by relevance: dense similarity to the topic, IDF-weighted
  word overlap (IDF over the chosen documents' statements; issuer, province and số hiệu left
  out), the theme the topic names (keyword + heading + embedding-prototype classifier below),
  and the hybrid retriever's rank of the statement's chunk in its document. A statement needs
  evidence of its own (enough of the topic's words, or the theme) to count at all. A topic
  about who does what ("nhiệm vụ", "giao", "chủ trì") offers task blocks instead of their lines;
- without a topic — or with one that only names the chosen documents ("Tóm tắt Quyết định
  1117/QĐ-BNV") — by salience: greedy coverage of the document (embedding similarity),
  specificity (rare words) and structure (the sentence naming the số hiệu, the opening one,
  assignments, purpose).

Each document keeps its best statements (MMR for variety), near-duplicates across documents
(bigram containment, or embedding cosine with word overlap) are merged into one bullet citing
every document ("Các kế hoạch của A và B đều nêu: …"), and bullets are grouped by document,
province or theme ("pillar"), common points first. A bullet's text is made of parts, each an
exact span of a cited quote, only lightly condensed (leading "- "/"+ " and numbering,
connectives such as "Đồng thời," and trailing ";" removed, first letter capitalised):
:func:`unsupported_parts` checks that, :func:`duplicate_pairs` that no bullet repeats another.
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

import numpy as np

from bot.citations import Citation, CitationList
from bot.evidence import FUNCTION_WORDS, terms
from index.lexical import QUESTION_WORDS
from ingest.normalize import canonical_tones, fold_accents, has_diacritics
from ingest.sentences import split_sentences

log = logging.getLogger(__name__)

GROUPS = ("document", "pillar", "province")
Progress = Callable[[str, int, int], None]


# --- public types ---------------------------------------------------------------------------------

class SummaryError(ValueError):
    """A request the summarizer cannot serve; ``status`` is the HTTP status it maps to."""

    status = 422


class UnknownDocuments(SummaryError):
    status = 404

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("Không tìm thấy tài liệu: " + ", ".join(missing))


@dataclass
class SummaryRequest:
    topic: str | None = None
    doc_ids: list[str] | None = None
    group_by: str | None = None  # "document" when doc_ids are given, else "pillar"
    max_bullets_per_section: int | None = None  # None: sized by the documents

    def __post_init__(self) -> None:
        self.topic = " ".join((self.topic or "").split()) or None
        self.doc_ids = [d.strip() for d in (self.doc_ids or []) if d and d.strip()] or None
        if not self.group_by:
            self.group_by = "document" if self.doc_ids else "pillar"
        if self.group_by not in GROUPS:
            raise SummaryError("Cách nhóm không hợp lệ: chọn một trong " + ", ".join(GROUPS) + ".")
        if not self.topic and not self.doc_ids:
            raise SummaryError("Cần nêu chủ đề (topic) hoặc danh sách tài liệu (doc_ids) để tóm tắt.")
        if self.max_bullets_per_section is not None and self.max_bullets_per_section < 1:
            raise SummaryError("Số ý tối đa mỗi mục phải lớn hơn 0.")


@dataclass
class Bullet:
    text: str
    citations: list[int]
    lead: str = ""  # attribution before the words: "Quảng Ninh", "Các kế hoạch của A và B đều nêu"
    parts: list[str] = field(default_factory=list)  # the extracts the text is made of
    doc_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "lead": self.lead,
                "parts": list(self.parts), "doc_ids": list(self.doc_ids)}


@dataclass
class Section:
    heading: str
    bullets: list[Bullet] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "bullets": [b.to_dict() for b in self.bullets]}


@dataclass
class Summary:
    title: str
    generated_at: datetime
    sections: list[Section]
    references: list[Citation]
    topic: str | None = None
    group_by: str = "document"
    documents: dict[str, dict] = field(default_factory=dict)  # doc_id → ledger record
    notes: list[str] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)

    @property
    def bullets(self) -> list[Bullet]:
        return [b for s in self.sections for b in s.bullets]

    def reference_dict(self, c: Citation) -> dict[str, Any]:
        record = self.documents.get(c.doc_id) or {}
        return {**c.to_dict(), "doc_type": record.get("doc_type"), "issuer": record.get("issuer"),
                "date": record.get("date")}

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "topic": self.topic,
            "group_by": self.group_by,
            "sections": [s.to_dict() for s in self.sections],
            "references": [self.reference_dict(c) for c in self.references],
            "notes": list(self.notes),
            "timing": {k: round(v, 1) for k, v in self.timing.items()},
        }


# --- text helpers ---------------------------------------------------------------------------------

def norm(text: str) -> str:
    """Comparable form: tone marks in one place, accents folded, lower case, single spaces."""
    return " ".join(fold_accents(canonical_tones(text)).lower().split())


_END_PUNCT = " \t\n.;:,!?…/-–"


def _core(text: str) -> str:
    """Normalised, with punctuation trimmed at both ends (a part may end in "." its quote lacks)."""
    return norm(text).strip(_END_PUNCT + "\"'“”()")


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
    """Sentences of one logical line (offsets in ``text``, see ingest/sentences.py); a sentence
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


# --- themes (the "pillar" grouping) -----------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    key: str
    heading: str
    heading_words: tuple[str, ...]  # a section heading with one of these files a sentence here
    words: tuple[str, ...]  # vocabulary of the theme
    description: str  # what the prototype embedding is made from


THEMES: tuple[Theme, ...] = (
    Theme("purpose", "Mục đích, yêu cầu",
          ("mục đích", "yêu cầu", "mục tiêu", "quan điểm", "sự cần thiết"),
          ("mục đích", "mục tiêu", "yêu cầu", "nâng cao nhận thức", "hiểu biết", "đồng thuận", "niềm tin",
           "sự ủng hộ", "ý thức", "quán triệt", "nhận thức"),
          "Mục đích, yêu cầu của kế hoạch: nâng cao nhận thức, hiểu biết, tạo sự đồng thuận, niềm tin và ủng hộ "
          "của người dân; yêu cầu triển khai đồng bộ, thiết thực, hiệu quả."),
    Theme("politics", "Trụ cột Chính trị – An ninh",
          ("chính trị - an ninh", "chính trị – an ninh", "chính trị-an ninh", "an ninh", "quốc phòng"),
          ("an ninh", "chính trị", "quốc phòng", "hòa bình", "ổn định", "đối ngoại", "ngoại giao", "biển đông",
           "an ninh biển", "an ninh mạng", "hiến chương", "phi truyền thống", "chủ quyền", "khủng bố",
           "tội phạm xuyên quốc gia", "thù địch", "xuyên tạc", "phản bác", "luận điệu", "hiệp ước"),
          "Trụ cột Chính trị - An ninh: hòa bình, an ninh, ổn định khu vực, quan hệ đối ngoại, an ninh biển, "
          "an ninh mạng, thách thức an ninh phi truyền thống, Hiến chương ASEAN."),
    Theme("economy", "Trụ cột Kinh tế",
          ("kinh tế",),
          ("kinh tế", "thương mại", "đầu tư", "doanh nghiệp", "fta", "xuất khẩu", "nhập khẩu", "thị trường",
           "hải quan", "xuất xứ", "chuỗi cung ứng", "thương mại điện tử", "kinh doanh", "tăng trưởng", "msme",
           "rcep", "thuế quan", "logistics", "chuyển đổi số", "doanh nhân", "tài chính", "hàng hóa", "sản xuất"),
          "Trụ cột Kinh tế: thương mại, đầu tư, doanh nghiệp, hiệp định thương mại tự do FTA, xuất nhập khẩu, "
          "thị trường, hải quan, chuỗi cung ứng, thương mại điện tử."),
    Theme("society", "Trụ cột Văn hóa – Xã hội",
          ("văn hóa - xã hội", "văn hóa – xã hội", "văn hoá - xã hội", "văn hoá – xã hội", "bản sắc"),
          ("văn hóa", "xã hội", "giáo dục", "lao động", "việc làm", "an sinh", "môi trường", "du lịch",
           "thanh niên", "phụ nữ", "trẻ em", "bình đẳng giới", "di sản", "lịch sử", "bản sắc", "con người",
           "thể thao", "thiên tai", "nhóm yếu thế", "phát triển bền vững", "nguồn nhân lực", "công vụ"),
          "Trụ cột Văn hóa - Xã hội: văn hóa, giáo dục, lao động việc làm, an sinh xã hội, môi trường, "
          "bản sắc và con người ASEAN, du lịch, thanh niên, phụ nữ, trẻ em."),
    Theme("covid", "Hợp tác ứng phó COVID-19",
          ("covid", "đại dịch", "dịch bệnh"),
          ("covid", "đại dịch", "dịch bệnh", "vắc xin", "vaccine", "vật tư y tế", "phục hồi",
           "y tế khẩn cấp", "phòng chống dịch", "hành lang đi lại"),
          "Hợp tác ASEAN ứng phó đại dịch COVID-19: quỹ ứng phó, vật tư y tế, phục hồi sau đại dịch, "
          "y tế khẩn cấp, dịch bệnh."),
    Theme("forms", "Hình thức tuyên truyền",
          ("hình thức", "phương thức tuyên truyền", "phương tiện thông tin", "phương tiện truyền thông",
           "hạ tầng truyền thông", "kênh thông tin", "kênh truyền thông"),
          ("báo chí", "báo in", "báo điện tử", "phát thanh", "truyền hình", "truyền thanh", "mạng xã hội",
           "facebook", "zalo", "youtube", "fanpage", "cổng thông tin", "trang thông tin", "pano", "pa nô",
           "áp phích", "băng rôn", "cổ động", "trực quan", "lưu động", "loa", "bảng tin", "hội nghị", "hội thảo",
           "tọa đàm", "cuộc thi", "triển lãm", "ấn phẩm", "tờ rơi", "infographic", "video", "chuyên mục",
           "chuyên trang", "tập huấn", "phóng sự", "livestream", "ứng dụng", "email", "wifi", "tin, bài",
           "sân khấu", "văn nghệ", "hội chợ", "giao lưu", "internet", "website"),
          "Hình thức tuyên truyền: báo chí, phát thanh, truyền hình, mạng xã hội, cổng thông tin điện tử, "
          "pano, áp phích, hội nghị, hội thảo, tọa đàm, cuộc thi, triển lãm, ấn phẩm."),
    Theme("organization", "Tổ chức thực hiện",
          ("tổ chức thực hiện", "trách nhiệm", "phân công", "kinh phí", "điều khoản thi hành", "hiệu lực"),
          # ("giao" alone would match "giao lưu", "trách nhiệm" a "thành viên có trách nhiệm")
          ("chủ trì", "phối hợp với", "đầu mối", "giao cho", "được giao", "giao nhiệm vụ", "chịu trách nhiệm",
           "báo cáo kết quả", "báo cáo định kỳ", "kinh phí", "tổng hợp kết quả", "đôn đốc", "kiểm tra",
           "giám sát", "thời hạn", "định kỳ", "xây dựng kế hoạch", "tổ chức thực hiện", "triển khai thực hiện",
           "theo dõi"),
          "Tổ chức thực hiện: đơn vị chủ trì, phối hợp, đầu mối, giao nhiệm vụ, báo cáo kết quả, kinh phí, "
          "hướng dẫn, đôn đốc, kiểm tra."),
)
OTHER_THEME = "Nội dung khác"
MAIN_THEME = "Nội dung chính"
_THEME_BY_KEY = {t.key: t for t in THEMES}


def _fold_words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w]+", " ", fold_accents(canonical_tones(text)).lower()).split()) + " "


def _word_hits(folded: str, words: Iterable[str]) -> int:
    return sum(1 for w in words if _fold_words(w) in folded)


def topic_themes(topic: str) -> list[str]:
    """The themes a topic names by their words ("trụ cột Kinh tế", "hình thức", "COVID", "giao
    nhiệm vụ"); empty when it names none, or too many to mean one."""
    folded = _fold_words(topic)
    hits = []
    for t in THEMES:
        if t.key == "purpose":
            continue
        n = _word_hits(folded, t.heading_words) * 2 + _word_hits(folded, t.words)
        if t.key == "organization":
            n += 2 * bool(_ORG_TOPIC.search(folded))
        if n:
            hits.append((n, t.key))
    hits.sort(reverse=True)
    if not hits:
        return []
    return [k for n, k in hits if n >= hits[0][0]][:2]


# ASEANBOT_SUMMARY_DEBUG=1 logs every statement's relevance, to see why one was left out.
_DEBUG = bool(os.environ.get("ASEANBOT_SUMMARY_DEBUG"))
# Words of a request, not of its subject.
_REQUEST_WORDS = "tóm tắt, tổng hợp, nội dung, chính, văn bản, tài liệu, ban hành, các, những, điểm, ý, quy định, của, về, trong"
_REQUEST_TERMS = {fold_accents(w) for w in _REQUEST_WORDS.replace(",", " ").split()}


def _naming_terms(records: list[dict], accented: bool | None = None, *, titles: bool = True) -> set[str]:
    """Words that name the chosen documents: their kind, số hiệu, issuer, province and (unless
    ``titles`` is False) title; folded as bot.evidence.terms has them, or as :func:`_lex_terms`
    in the given mode."""
    out: set[str] = set()
    for r in records:
        text = " ".join(filter(None, [r.get("title") if titles else None, r.get("issuer"), r.get("province"),
                                      r.get("number"), r.get("doc_type"), short_label(r)]))
        out |= terms(text) if accented is None else _lex_terms(text, accented)
    return out


_STOP_FOLDED = {fold_accents(w) for w in QUESTION_WORDS | FUNCTION_WORDS}
_PUNCT_SPLIT = re.compile(r"[^\w\s]+")


def _lex_terms(text: str, accented: bool, *, topic: bool = False) -> set[str]:
    """Lower-case syllables and syllable bigrams (never across punctuation), with diacritics in
    one canonical form or folded away. For a topic, question and function words go."""
    base = canonical_tones(text).lower() if accented else fold_accents(text).lower()
    out: set[str] = set()
    for segment in _PUNCT_SPLIT.split(base):
        words = _WORD.findall(segment)
        keep = [not (topic and fold_accents(w) in _STOP_FOLDED) for w in words]
        out.update(w for w, k in zip(words, keep) if k)
        out.update(f"{a}_{b}" for (a, ka), (b, kb) in zip(zip(words, keep), zip(words[1:], keep[1:])) if ka and kb)
    return out


def _request_terms(accented: bool) -> set[str]:
    return _lex_terms(_REQUEST_WORDS, accented)


def has_content(topic: str, records: list[dict]) -> bool:
    """Does a topic name a subject beyond the documents themselves? Two words that neither name
    the documents nor the request, or one that makes a word with its neighbour ("hình thức")."""
    naming = _naming_terms(records)
    found = terms(topic, for_question=True)
    content = {t for t in found
               if "_" not in t and t not in naming and t not in _REQUEST_TERMS and not t[:1].isdigit()}
    if len(content) >= 2:
        return True
    return any(t not in naming and any(w in content for w in t.split("_")) for t in found if "_" in t)


_ORG_TOPIC = re.compile(r"\b(?:nhiem vu|giao (?:cho|nhiem vu)|phan cong|chu tri|phoi hop|trach nhiem|"
                        r"to chuc thuc hien|don vi nao|co quan nao|dau moi)\b")


# --- the summarizer ----------------------------------------------------------------------------------

_EMB_CACHE: "OrderedDict[tuple[int, str], np.ndarray]" = OrderedDict()
_EMB_LOCK = threading.Lock()
_EMB_CACHE_MAX = 50_000


def _embed(embedder, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Unit-length passage embeddings, cached per text: the same plans are summarised again and again."""
    key = id(embedder)
    out: list[np.ndarray | None] = []
    todo: list[str] = []
    with _EMB_LOCK:
        for t in texts:
            v = _EMB_CACHE.get((key, t))
            if v is not None:
                _EMB_CACHE.move_to_end((key, t))
            out.append(v)
            if v is None:
                todo.append(t)
    todo = list(dict.fromkeys(todo))
    fresh: dict[str, np.ndarray] = {}
    step = 32
    for i in range(0, len(todo), step):
        batch = todo[i:i + step]
        vecs = np.asarray(embedder.get_text_embedding_batch(batch), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        fresh.update(zip(batch, vecs))
        if on_batch:
            on_batch(len(batch))
    with _EMB_LOCK:
        for t, v in fresh.items():
            _EMB_CACHE[(key, t)] = v
        while len(_EMB_CACHE) > _EMB_CACHE_MAX:
            _EMB_CACHE.popitem(last=False)
    dim = next((v.shape[0] for v in list(fresh.values()) + [o for o in out if o is not None]), 384)
    return np.stack([o if o is not None else fresh.get(t, np.zeros(dim, np.float32)) for o, t in zip(out, texts)]) \
        if texts else np.zeros((0, dim), np.float32)


def _query_vec(embedder, text: str) -> np.ndarray:
    v = np.asarray(embedder.get_query_embedding(text), dtype=np.float32)
    return v / (np.linalg.norm(v) + 1e-9)


@dataclass
class Tuning:
    """Knobs of selection and merging (set once from eval/summaries.py, not per task)."""

    # Merge two statements when their syllable bigrams overlap this much (of the shorter one) ...
    dup_containment: float = 0.7
    # ... or when both their meaning and words are this close.
    dup_cosine: float = 0.965
    dup_cosine_overlap: float = 0.45
    # Topic mode: a statement must reach this relevance, this share of the mean of its document's
    # three best, and this share of the mean of the request's three best.
    min_relevance: float = 0.32
    relative_relevance: float = 0.55
    global_relevance: float = 0.45
    # A document takes part only if its best statement reaches this.
    min_document_relevance: float = 0.4
    # Share of the topic's (IDF-weighted) words a statement must hold, or its theme score.
    min_evidence: float = 0.3
    per_document: int = 10  # bullets per document with a topic
    per_pillar_section: int = 12
    mmr_lambda: float = 0.75
    task_chars: int = 900  # how much of a task's lines a task bullet quotes
    max_docs_corpus: int = 6  # documents a corpus-wide topic draws on


_DOC_TYPES_PLURAL = {"Kế hoạch": "Các kế hoạch", "Quyết định": "Các quyết định", "Thông tư": "Các thông tư",
                     "Nghị định": "Các nghị định", "Công văn": "Các công văn", "Chỉ thị": "Các chỉ thị"}


class Summarizer:
    def __init__(self, services, tuning: Tuning | None = None):
        self.services = services
        self.tuning = tuning or Tuning()
        self._theme_vecs: np.ndarray | None = None
        self._records: dict[str, dict] = {}

    # -- documents --

    def resolve(self, doc_ids: list[str]) -> list[dict]:
        """Ledger records for ids or source paths; UnknownDocuments for any the ledger lacks."""
        records = self.services.ledger.records()
        by_id = {r["doc_id"]: r for r in records}
        by_source = {r["source"]: r for r in records}
        out, missing = [], []
        for d in doc_ids:
            r = by_id.get(d) or by_source.get(d)
            if r is None:
                missing.append(d)
            elif r not in out:
                out.append(r)
        if missing:
            raise UnknownDocuments(missing)
        return out

    def _corpus_documents(self, topic: str) -> list[dict]:
        """Documents a topic without doc_ids draws on: those the retriever ranks near the best."""
        hits = self.services.retriever.search(topic, k=40)
        score: Counter = Counter()
        for rank, h in enumerate(hits):
            score[h.doc_id] += 1.0 / (rank + 3)
        if not score:
            return []
        best = max(score.values())
        records = {r["doc_id"]: r for r in self.services.ledger.records()}
        chosen = [d for d, s in score.most_common() if s >= 0.25 * best and d in records]
        return [records[d] for d in chosen[: self.tuning.max_docs_corpus]]

    # -- main --

    def summarize(self, request: SummaryRequest, on_progress: Progress | None = None) -> Summary:
        t0 = time.perf_counter()
        progress = on_progress or (lambda msg, done, total: None)
        records = self.resolve(request.doc_ids) if request.doc_ids else self._corpus_documents(request.topic or "")
        self._records = {r["doc_id"]: r for r in records}
        notes: list[str] = []
        if not records:
            return self._assemble(request, [], [], {}, ["Không tìm thấy tài liệu nào liên quan đến chủ đề."], t0)
        labels = document_labels(records)
        total_steps = len(records) + 3
        step = 0
        docs: dict[str, tuple[dict, list[_Stmt], list[_Stmt]]] = {}
        for r in records:
            step += 1
            progress(f"Đọc {labels[r['doc_id']]}", step, total_steps)
            data = self.services.ledger.document(r["doc_id"]) or {}
            sentences, tasks = document_statements(data)
            docs[r["doc_id"]] = (r, sentences, tasks)

        # "Tóm tắt Quyết định 1117/QĐ-BNV": a topic that only names the chosen documents asks for
        # their summary, not for a subject inside them.
        topical = bool(request.topic) and has_content(request.topic or "", records)
        themes = topic_themes(request.topic or "") if topical else []
        task_mode = "organization" in themes
        pools: dict[str, list[_Stmt]] = {}
        for doc_id, (r, sentences, tasks) in docs.items():
            if topical and not task_mode:
                pool = list(sentences)
            else:
                # who does what: a task block stands for its lines (they are not offered twice)
                pool = [s for s in sentences if s.block is None] + tasks
            pools[doc_id] = pool
        if topical:
            # Word coverage is cheap and decides early: without a theme named, a statement that
            # holds too little of the topic's words can never qualify, so it is never embedded.
            self._word_coverage([s for _, sents, tasks in docs.values() for s in sents + tasks],
                                request.topic or "", records)
            if not themes:
                pools = {d: [s for s in p if s.covered >= self.tuning.min_evidence] for d, p in pools.items()}
        pools = {d: self._trim_pool(p, topical) for d, p in pools.items()}

        everything = [s for p in pools.values() for s in p]
        step += 1
        progress("Tính biểu diễn câu", step, total_steps)
        embedded = 0

        def on_batch(n: int) -> None:  # the slow part of a long input: say how far it is
            nonlocal embedded
            embedded += n
            progress(f"Tính biểu diễn câu {embedded}/{len(everything)}", step, total_steps)

        self._embed_all(everything, on_batch)
        self._classify(everything)
        if task_mode:
            # who does what: tasks, and sentences that assign or organise, not the plan's content
            for doc_id in pools:
                pools[doc_id] = [s for s in pools[doc_id]
                                 if s.kind == "task" or s.assignment or s.theme == "organization"]

        step += 1
        progress("Chọn ý chính", step, total_steps)
        if topical:
            chosen = self._select_by_topic(request, pools, records, task_mode)
        else:
            chosen = self._select_by_salience(request, pools, docs)
        if not any(chosen.values()):
            notes.append("Các tài liệu đã chọn không có nội dung phù hợp với chủ đề." if topical else
                          "Không trích được nội dung nào từ các tài liệu đã chọn.")

        step += 1
        progress("Gộp ý trùng và sắp xếp", step, total_steps)
        groups = self._merge(chosen, pools)
        return self._assemble(request, records, groups, labels, notes, t0)

    # -- candidates --

    def _trim_pool(self, pool: list[_Stmt], topical: bool, limit: int = 220) -> list[_Stmt]:
        """Long documents (decrees of hundreds of sentences): keep the likeliest statements before
        embedding them — the topic's words they hold, or their words' weight in the document."""
        if len(pool) <= limit:
            return pool
        if topical:
            scores = [s.covered + 0.2 * (1 - s.position) for s in pool]
        else:
            tf = [Counter(_bigrams(s.embed_text + " " + s.context)) for s in pool]
            df: Counter = Counter()
            for c in tf:
                df.update(c.keys())
            scores = [sum(math.log(len(tf) / df[t]) for t in c) / (1 + len(c)) ** 0.5 + 0.5 * (1 - s.position)
                      for c, s in zip(tf, pool)]
        keep = sorted(range(len(pool)), key=lambda i: -scores[i])[:limit]
        return [pool[i] for i in sorted(keep)]

    def _embed_all(self, stmts: list[_Stmt], on_batch: Callable[[int], None] | None = None) -> None:
        vecs = _embed(self.services.embedder, [s.embed_text for s in stmts], on_batch)
        for s, v in zip(stmts, vecs):
            s.emb = v

    def _theme_matrix(self) -> np.ndarray:
        if self._theme_vecs is None:
            self._theme_vecs = _embed(self.services.embedder, [t.description for t in THEMES])
        return self._theme_vecs

    def _classify(self, stmts: list[_Stmt]) -> None:
        """Theme of each statement: its nearest section heading that names a theme, the theme's
        words in it, and its embedding's nearest theme prototype."""
        if not stmts:
            return
        protos = self._theme_matrix()
        sims = np.stack([s.emb for s in stmts]) @ protos.T
        # centre per statement: what matters is which prototype is nearest, not e5's high baseline
        sims = (sims - sims.mean(axis=1, keepdims=True)) / (sims.std(axis=1, keepdims=True) + 1e-6)
        for s, row in zip(stmts, sims):
            folded = _fold_words(s.embed_text)
            scores: dict[str, float] = {}
            head_theme = None
            for depth, h in enumerate(reversed(s.headings)):
                fh = _fold_words(h)
                for t in THEMES:
                    if _word_hits(fh, t.heading_words):
                        head_theme = (t.key, depth)
                        break
                if head_theme:
                    break
            kws = {t.key: _word_hits(folded, t.words) for t in THEMES}
            for i, t in enumerate(THEMES):
                kw = kws[t.key]
                scores[t.key] = 0.35 * float(row[i]) + 1.0 * (1 - math.exp(-kw / 1.5))
                if head_theme and head_theme[0] == t.key:
                    # A heading is strong evidence, not the last word: documents lose headings
                    # (a "Văn hóa – Xã hội" line under "Kinh tế" when the heading between was lost).
                    contradicted = kw == 0 and max(v for k, v in kws.items() if k != t.key) >= 1
                    bonus = 0.7 if head_theme[1] == 0 else 0.45
                    scores[t.key] += bonus * (0.3 if contradicted else 1.0)
            if s.kind == "task" or s.assignment:
                scores["organization"] += 0.8
            s.theme_scores = scores
            best = max(scores, key=scores.get)
            # Filed under a theme only on evidence in words (its own or its heading's): the
            # embedding alone would file a road-transport permit under some ASEAN pillar.
            evidence = kws[best] > 0 or (head_theme is not None and head_theme[0] == best) or (
                best == "organization" and (s.kind == "task" or s.assignment))
            s.theme = best if scores[best] >= 0.7 and evidence else ""

    # -- scoring --

    def _word_coverage(self, stmts: list[_Stmt], topic: str, records: list[dict]) -> None:
        """Set each statement's ``covered``: the share of the topic's IDF-weighted words (IDF over
        these statements) that it holds, itself or — counting half — in the headings above it."""
        n = len(stmts)
        # A topic typed with diacritics is matched with them: folded, "thế giới" would meet "thể
        # thao" and "vô địch" "dịch bệnh".
        accented = has_diacritics(topic)
        own_terms = [_lex_terms(s.embed_text, accented) for s in stmts]
        stmt_terms = [ts | _lex_terms(s.context, accented) for ts, s in zip(own_terms, stmts)]
        df: Counter = Counter()
        for ts in stmt_terms:
            df.update(ts)
        # Names (issuer, province, số hiệu) would favour the statements that repeat them; a
        # title's words ("thông tin, tuyên truyền") are common enough for IDF to discount.
        naming = _naming_terms(records, accented, titles=False)
        request_words = _request_terms(accented)
        weights: dict[str, float] = {}
        for t in _lex_terms(topic, accented, topic=True):
            if t in naming or t in request_words:
                continue  # names a document (its kind, issuer, province) or the request itself
            idf = math.log((n + 1) / (df.get(t, 0) + 0.5))
            if idf > 0:
                # a two-syllable word is the unit of meaning: "hình" alone also matches "hình ảnh"
                weights[t] = idf * (1.0 if "_" in t else 0.5)
        total = sum(weights.values())
        for s, own, ts in zip(stmts, own_terms, stmt_terms):
            s.covered = (max(sum(w for t, w in weights.items() if t in own),
                             0.5 * sum(w for t, w in weights.items() if t in ts)) / total) if total else 0.0

    def _relevance(self, stmts: list[_Stmt], topic: str, records: list[dict]) -> np.ndarray:
        """How well each statement fits the topic, 0 … ~1: meaning (dense), words (IDF over these
        statements, words that only name the chosen documents dropped), the theme the topic
        names, and the retriever's rank of the statement's chunk in its document."""
        n = len(stmts)
        q = _query_vec(self.services.embedder, topic)
        dense = np.array([float(s.emb @ q) for s in stmts])
        lo, hi = np.percentile(dense, 20), dense.max()
        dense_n = np.clip((dense - lo) / (hi - lo + 1e-6), 0, 1)

        covered = np.array([s.covered for s in stmts])
        lexical = covered / max(float(covered.max()), 0.5)

        themes = topic_themes(topic)
        theme = np.zeros(n)
        if themes:
            for i, s in enumerate(stmts):
                theme[i] = float(np.clip(max(s.theme_scores.get(k, 0.0) for k in themes) / 1.4, 0, 1))

        prior = np.zeros(n)
        ranks: dict[str, int] = {}
        for doc_id in dict.fromkeys(s.doc_id for s in stmts):
            try:
                hits = self.services.retriever.search(topic, k=10, filters={"doc_id": [doc_id]})
            except Exception:  # noqa: BLE001 - the prior is a hint; the statements decide
                log.exception("retrieval failed for %s", doc_id)
                hits = []
            for rank, h in enumerate(hits):
                ranks.setdefault(h.chunk_id, rank)
        for i, s in enumerate(stmts):
            r = ranks.get(s.chunk["chunk_id"])
            prior[i] = 0.0 if r is None else 1.0 / (1 + r) ** 0.5

        if themes:
            # The chosen documents are all about their subject (tuyên truyền ASEAN): likeness to
            # the whole topic says little, the theme it names says more.
            score = 0.15 * dense_n + 0.25 * lexical + 0.5 * theme + 0.1 * prior
        else:
            score = 0.45 * dense_n + 0.45 * lexical + 0.1 * prior
        # Dense likeness is relative (the best of any pool scores 1): a statement also needs
        # evidence of its own — the topic's words, or the theme it names — or it is no answer
        # ("giải bóng đá" over plans that never mention one).
        evidence = np.maximum(covered, theme)
        score = np.where(evidence >= self.tuning.min_evidence, score, 0.0)
        if _DEBUG:
            for s, d, l, t, p, v in zip(stmts, dense_n, lexical, theme, prior, score):
                log.warning("REL %.2f d%.2f l%.2f t%.2f p%.2f %s %s | %s", v, d, l, t, p, s.kind, s.doc_id[:14],
                            s.text[:90])
        return score

    def _select_by_topic(self, request: SummaryRequest, pools: dict[str, list[_Stmt]], records: list[dict],
                         task_mode: bool) -> dict[str, list[_Stmt]]:
        tn = self.tuning
        topic = request.topic or ""
        everything = [s for p in pools.values() for s in p]
        if not everything:
            return {d: [] for d in pools}
        members = [m for s in everything for m in s.members]
        if members:
            self._embed_all(members)
            self._classify(members)
        scores = self._relevance(everything + members, topic, records)
        for s, v in zip(everything + members, scores):
            s.score = float(v)
        if task_mode:
            for s in everything:
                if s.kind == "task" or s.assignment:
                    s.score += 0.1  # the topic asks who does what

        cap = request.max_bullets_per_section or tn.per_document
        chosen: dict[str, list[_Stmt]] = {}
        overall = float(np.mean(sorted((s.score for s in everything), reverse=True)[:3]))
        for doc_id, pool in pools.items():
            if not pool:
                chosen[doc_id] = []
                continue
            ranked = sorted((s.score for s in pool), reverse=True)
            if ranked[0] < tn.min_document_relevance:
                chosen[doc_id] = []
                continue
            # Relative to the document's few best (one outlier does not raise the bar), and to
            # the request's: a plan that barely touches the topic offers its best, not its filler.
            floor = max(tn.min_relevance, tn.relative_relevance * float(np.mean(ranked[:3])),
                        tn.global_relevance * overall)
            cands = [s for s in pool if s.score >= floor]
            chosen[doc_id] = _mmr(cands, cap, tn.mmr_lambda)
        return chosen

    def _select_by_salience(self, request: SummaryRequest, pools: dict[str, list[_Stmt]], docs):
        """Statements that together cover each document (greedy facility location over embedding
        similarity: each pick covers the statements like it), weighed with specificity (rare
        words: names, programmes, dates) and structure: the sentence naming the document's số
        hiệu, the opening statement, assignments, purpose."""
        chosen: dict[str, list[_Stmt]] = {}
        for doc_id, pool in pools.items():
            if not pool:
                chosen[doc_id] = []
                continue
            record = docs[doc_id][0]
            n = len(pool)
            m = np.stack([s.emb for s in pool])
            sim = m @ m.T
            # e5 puts any two sentences of one document close; only likeness above the
            # document's typical pair counts as covering
            base = float(np.median(sim[~np.eye(n, dtype=bool)])) if n > 1 else 0.0
            cover = np.clip((sim - base) / (1 - base + 1e-6), 0, 1)
            number = norm(record.get("number") or "") or None
            first = min(range(n), key=lambda i: pool[i].order)
            bonus = np.zeros(n)
            for i, s in enumerate(pool):
                b = 0.0
                if s.kind == "task" or s.assignment:
                    b += 0.5
                if number and number in norm(s.text):
                    b += 1.0  # the sentence that says what the document is
                if i == first:
                    b += 0.6
                if any(_word_hits(_fold_words(h), ("mục đích", "mục tiêu")) for h in s.headings):
                    b += 0.3
                length = len(s.text)
                b += 0.2 if 60 <= length <= 450 else 0.0
                bonus[i] = min(b, 1.0)
            spec = self._specificity(pool)
            # A short document (a news brief) is already dense: it keeps a larger share.
            cap = request.max_bullets_per_section or int(np.clip(math.ceil(3 * math.sqrt(n)), 5, 18))
            covered = np.zeros(n)
            taken: list[int] = []
            for _ in range(min(cap, n)):
                gain = np.maximum(cover - covered[None, :], 0).sum(axis=1)
                gain[taken] = -1
                top = gain.max()
                if top <= 0:
                    break
                total = 0.45 * gain / top + 0.25 * spec + 0.3 * bonus
                total[taken] = -1
                i = int(total.argmax())
                pool[i].score = float(total[i])
                taken.append(i)
                covered = np.maximum(covered, cover[i])
            chosen[doc_id] = [pool[i] for i in taken]
        return chosen

    def _specificity(self, pool: list[_Stmt]) -> np.ndarray:
        """Mean corpus IDF of a statement's rarest words, scaled to 0 … 1 within the document."""
        stats = self.services.term_stats
        raw = []
        for s in pool:
            idf = sorted((stats.idf(t) for t in terms(s.text) if "_" not in t), reverse=True)
            raw.append(float(np.mean(idf[:8])) if idf else 0.0)
        v = np.array(raw)
        return (v - v.min()) / (v.max() - v.min() + 1e-9) if len(v) else v

    # -- merging --

    def _merge(self, chosen: dict[str, list[_Stmt]], pools: dict[str, list[_Stmt]]) -> list[list[_Stmt]]:
        """Groups of statements saying the same thing: each chosen statement with its near-duplicates
        among every document's candidates (so a plan that says it too is credited), no statement
        in two groups."""
        tn = self.tuning
        picked = sorted((s for lst in chosen.values() for s in lst), key=lambda s: -s.score)
        picked_ids = {id(s) for s in picked}
        used: set[int] = set()
        groups: list[list[_Stmt]] = []
        all_cands = [s for p in pools.values() for s in p]
        grams = {id(s): set(_bigrams(s.text)) for s in all_cands}
        for s in picked:
            if id(s) in used:
                continue
            group = [s]
            used.add(id(s))
            for other in all_cands:
                if id(other) in used or other.kind != s.kind:
                    continue
                if not _near_duplicate(s, other, grams[id(s)], grams[id(other)], tn):
                    continue
                if any(other.doc_id == g.doc_id for g in group):
                    if id(other) in picked_ids:
                        used.add(id(other))  # the same document saying it twice: one bullet
                    continue
                group.append(other)  # another document says it too: credited in the same bullet
                used.add(id(other))
            groups.append(group)
        return groups

    # -- assembly --

    def _assemble(self, request: SummaryRequest, records: list[dict], groups: list[list[_Stmt]],
                  labels: dict[str, str], notes: list[str], t0: float) -> Summary:
        tn = self.tuning
        order = {r["doc_id"]: i for i, r in enumerate(records)}
        by_id = {r["doc_id"]: r for r in records}
        plural = _plural_label(records)
        sections: "OrderedDict[str, list[list[_Stmt]]]" = OrderedDict()
        common_heading = f"Nội dung chung của {plural[0].lower()}"

        def key_of(group: list[_Stmt]) -> str:
            if request.group_by == "pillar":
                theme = group[0].theme
                return _THEME_BY_KEY[theme].heading if theme else OTHER_THEME
            if len({g.doc_id for g in group}) > 1:
                return common_heading
            if request.group_by == "province":
                return province_heading(by_id[group[0].doc_id], records)
            return document_heading(by_id[group[0].doc_id])

        # Section order: common points first, then documents / provinces in request order, themes
        # in their fixed order.
        if request.group_by == "pillar":
            for t in THEMES:
                sections[t.heading] = []
            sections[OTHER_THEME] = []
        else:
            sections[common_heading] = []
            for r in records:
                k = province_heading(r, records) if request.group_by == "province" else document_heading(r)
                sections.setdefault(k, [])
        for g in groups:
            sections.setdefault(key_of(g), []).append(g)

        cap_pillar = request.max_bullets_per_section or tn.per_pillar_section
        out_sections: list[Section] = []
        citations = CitationList()
        seen_texts: set[str] = set()
        if request.group_by == "pillar" and [h for h, items in sections.items() if items] == [OTHER_THEME]:
            sections = OrderedDict([(MAIN_THEME, sections[OTHER_THEME])])  # nothing fits a theme
        for heading, items in sections.items():
            if not items:
                continue
            if request.group_by == "pillar" and len(items) > cap_pillar:
                items = sorted(items, key=lambda g: -max(s.score for s in g))[:cap_pillar]
            items.sort(key=lambda g: (-len({s.doc_id for s in g}) if heading == common_heading else 0,
                                      min(order.get(s.doc_id, 99) for s in g), g[0].order))
            docs_here = {s.doc_id for g in items for s in g}
            bullets = []
            for group in items:
                # a bullet is credited to its document wherever the heading does not say which
                attribute = (len(docs_here) > 1 or heading == common_heading
                             or (request.group_by == "pillar" and len(records) > 1))
                draft = self._compose(group, labels, plural, attribute=attribute)
                key = _core(draft["text"])
                if key in seen_texts:
                    continue  # checked before citing: a dropped bullet leaves no reference behind
                seen_texts.add(key)
                bullets.append(self._cite(draft, citations))
            if bullets:
                out_sections.append(Section(heading, bullets))
        cited = {c.doc_id for c in citations.items}
        if not request.doc_ids:
            records = [r for r in records if r["doc_id"] in cited]  # drawn on, not merely searched
        return Summary(
            title=summary_title(request, records),
            generated_at=datetime.now().astimezone(),
            sections=out_sections,
            references=list(citations.items),
            topic=request.topic,
            group_by=request.group_by or "document",
            documents={r["doc_id"]: r for r in records},
            notes=notes,
            timing={"total_ms": (time.perf_counter() - t0) * 1000},
        )

    def _compose(self, group: list[_Stmt], labels: dict[str, str], plural: tuple[str, str], *,
                 attribute: bool) -> dict[str, Any]:
        """A bullet's words and attribution, before its citations are numbered."""
        group = sorted(group, key=lambda s: -s.score)
        head = group[0]
        # The words shown: the statement the others contain best (what every cited plan says),
        # not the longest one's extra details that only one plan has.
        if len(group) > 1:
            grams = [set(_bigrams(s.text)) for s in group]

            def shared(i: int) -> float:
                return min((len(grams[i] & grams[j]) / max(1, len(grams[i])) for j in range(len(group)) if j != i),
                           default=1.0)
            head = group[max(range(len(group)), key=lambda i: (round(shared(i), 2), group[i].score))]
        spans = self._shown_parts(head)
        parts = [head.part_text(p) for p in spans]
        body = _render_parts(parts, head.kind == "task" and head.heading_part is not None
                             and spans[:1] == [head.heading_part])
        rank = {d: i for i, d in enumerate(self._records)}  # named in the order the documents were asked for
        docs_in = sorted({s.doc_id for s in group}, key=lambda d: rank.get(d, len(rank)))
        lead = ""
        if len(docs_in) > 1:
            lead = f"{plural[0]} của {_join_names([labels[d] for d in docs_in])} đều nêu"
        elif attribute:
            lead = labels[docs_in[0]]
        return {"head": head, "others": [s for s in group if s is not head], "spans": spans, "parts": parts,
                "lead": lead, "text": f"{lead}: {body}" if lead else body, "doc_ids": docs_in}

    def _cite(self, draft: dict[str, Any], citations: CitationList) -> Bullet:
        """Number the quotes of a bullet: the statement shown first (for a task, only the span its
        shown lines cover), then every other document's own statement."""
        nums: list[int] = []
        for s in [draft["head"]] + draft["others"]:
            if s is draft["head"] and s.kind == "task":
                start, end = min(a for a, _ in draft["spans"]), max(b for _, b in draft["spans"])
            else:
                start, end = s.start, s.end
            n = citations.cite(_payload(s, self._record(s.doc_id)), start, end)
            if n not in nums:
                nums.append(n)
        return Bullet(text=draft["text"], citations=nums, lead=draft["lead"], parts=draft["parts"],
                      doc_ids=draft["doc_ids"])

    def _shown_parts(self, s: _Stmt) -> list[tuple[int, int]]:
        """A sentence: itself. A task: its title, its most relevant lines up to a length, and the
        lines that assign it — in document order."""
        if s.kind == "sentence":
            return list(s.parts)
        budget = self.tuning.task_chars
        members = sorted(s.members, key=lambda m: (-m.score, m.order))
        keep: list[_Stmt] = []
        used = 0
        for m in members:
            length = m.end - m.start
            if keep and used + length > budget:
                continue
            keep.append(m)
            used += length
        spans = ([s.heading_part] if s.heading_part else []) + sorted((m.start, m.end) for m in keep) + s.assign_parts
        return spans

    def _record(self, doc_id: str) -> dict:
        return self._records.get(doc_id) or {}


def _payload(s: _Stmt, record: dict) -> dict:
    c = s.chunk
    return {**c, "title": record.get("title") or c.get("source"), "number": record.get("number"),
            "doc_id": c["doc_id"], "source": c["source"]}


def _mmr(cands: list[_Stmt], k: int, lam: float) -> list[_Stmt]:
    """Best statements with variety: each next one trades its score against its likeness to those
    already taken."""
    if len(cands) <= 1:
        return list(cands[:k])
    pool = sorted(cands, key=lambda s: -s.score)
    taken: list[_Stmt] = []
    while pool and len(taken) < k:
        def gain(s: _Stmt) -> float:
            if not taken:
                return s.score
            sim = max(float(s.emb @ t.emb) for t in taken)
            return lam * s.score - (1 - lam) * max(0.0, (sim - 0.8) / 0.2)
        best = max(pool, key=gain)
        taken.append(best)
        pool.remove(best)
    return taken


def _bigrams(text: str) -> list[str]:
    words = _fold_words(text).split()
    return [f"{a}_{b}" for a, b in zip(words, words[1:])]


def _near_duplicate(a: _Stmt, b: _Stmt, ga: set[str], gb: set[str], tn: Tuning) -> bool:
    if not ga or not gb:
        return False
    inter = len(ga & gb)
    shorter = min(len(ga), len(gb))
    if shorter >= 6 and inter / shorter >= tn.dup_containment:
        return True
    if a.emb is not None and b.emb is not None and float(a.emb @ b.emb) >= tn.dup_cosine:
        return inter / max(1, len(ga | gb)) >= tn.dup_cosine_overlap
    return False


# --- labels ---------------------------------------------------------------------------------------

_LOCAL = re.compile(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\b|Ủy ban nhân dân|Uỷ ban nhân dân|"
                    r"UBND|Hội đồng nhân dân", re.IGNORECASE)
_LOCALITY = re.compile(r"\b(huyện|quận|thị xã|thành phố|tỉnh)\s+((?:[A-ZĐÀ-Ỹ][^\s,;.()]*)(?:\s+[A-ZĐÀ-Ỹ][^\s,;.()]*)*)")


def _is_local(record: dict) -> bool:
    return bool(_LOCAL.search(record.get("issuer") or ""))


def _locality(record: dict) -> tuple[str, str] | None:
    """("huyện", "Đông Sơn") for a district's document, ("tỉnh", "Quảng Ninh") for a province's."""
    issuer = record.get("issuer") or ""
    found = [(m.group(1).lower(), m.group(2)) for m in _LOCALITY.finditer(issuer)]
    for level in ("huyện", "quận", "thị xã", "thành phố", "tỉnh"):
        for lv, name in found:
            if lv == level:
                return lv, name
    return None


def short_label(record: dict) -> str:
    """How a bullet names a document's author: "Quảng Ninh", "Đông Sơn", "Bộ Nội vụ"."""
    if _is_local(record):
        loc = _locality(record)
        if loc and loc[0] in ("huyện", "quận", "thị xã") or (loc and loc[0] == "thành phố"
                                                            and loc[1] != (record.get("province") or "")):
            return loc[1]
        if record.get("province"):
            return record["province"]
        if loc:
            return loc[1]
    if record.get("issuer"):
        return record["issuer"]
    if record.get("number"):
        return f"{record.get('doc_type') or 'Văn bản'} {record['number']}"
    return record.get("title") or record.get("source") or record.get("doc_id", "")


def document_labels(records: list[dict]) -> dict[str, str]:
    """Short labels, made unique: two documents of one issuer are told apart by số hiệu or title."""
    labels = {r["doc_id"]: short_label(r) for r in records}
    counts = Counter(labels.values())
    for r in records:
        if counts[labels[r["doc_id"]]] > 1:
            extra = r.get("number") or _shorten(r.get("title") or r.get("source") or "", 40)
            labels[r["doc_id"]] = f"{labels[r['doc_id']]} ({extra})"
    return labels


def _format_date(iso: str | None) -> str:
    if not iso:
        return ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        return iso
    return f"{int(m.group(3))}/{int(m.group(2))}/{m.group(1)}"


def document_heading(record: dict) -> str:
    """"Kế hoạch 159/KH-UBND của Ủy ban nhân dân tỉnh Quảng Ninh ngày 26/8/2021"."""
    kind = record.get("doc_type") or "Văn bản"
    text = kind + (f" {record['number']}" if record.get("number") else "")
    if record.get("issuer"):
        text += f" của {record['issuer']}"
    elif record.get("title"):
        text += f": {_shorten(record['title'], 120)}"
    if record.get("date"):
        text += f" ngày {_format_date(record['date'])}"
    if not record.get("number") and not record.get("issuer") and not record.get("title"):
        text = record.get("source") or record.get("doc_id", "")
    return text


def province_heading(record: dict, records: list[dict]) -> str:
    if not _is_local(record):
        return record.get("issuer") or document_heading(record)
    province = record.get("province") or short_label(record)
    subs = []
    for r in records:
        if _is_local(r) and (r.get("province") or short_label(r)) == province:
            loc = _locality(r)
            if loc and loc[0] != "tỉnh" and loc[1] != province:
                name = f"{loc[0]} {loc[1]}"
                if name not in subs:
                    subs.append(name)
    return f"{province} ({', '.join(subs)})" if subs else province


def _plural_label(records: list[dict]) -> tuple[str, str]:
    kinds = {r.get("doc_type") for r in records}
    if len(kinds) == 1 and next(iter(kinds)) in _DOC_TYPES_PLURAL:
        return _DOC_TYPES_PLURAL[next(iter(kinds))], (next(iter(kinds)) or "").lower()
    return "Các văn bản", "văn bản"


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def summary_title(request: SummaryRequest, records: list[dict]) -> str:
    if request.topic:
        t = request.topic
        return t[0].upper() + t[1:]
    if len(records) == 1:
        r = records[0]
        kind = r.get("doc_type") or "văn bản"
        name = f"{kind} {r['number']}" if r.get("number") else kind
        if r.get("issuer"):
            name += f" của {r['issuer']}"
        return f"Tóm tắt {name[0].lower() + name[1:] if not r.get('number') else name}"
    return f"Tóm tắt nội dung {len(records)} văn bản"


# --- checks (tests and eval/summaries.py) -----------------------------------------------------------

def unsupported_parts(bullet: Bullet | dict, references: list[Citation] | list[dict]) -> list[str]:
    """Parts of a bullet no cited quote contains (accent-, tone- and case-insensitive): [] when
    every word shown comes from its sources."""
    b = bullet if isinstance(bullet, dict) else bullet.to_dict()
    refs = {(c["n"] if isinstance(c, dict) else c.n): (c["quote"] if isinstance(c, dict) else c.quote)
            for c in references}
    quotes = [_core(refs[n]) for n in b["citations"] if n in refs]
    parts = b.get("parts") or [b["text"][len(b.get("lead") or "") + 2:] if b.get("lead") else b["text"]]
    return [p for p in parts if not any(_core(p) in q for q in quotes)]


def duplicate_pairs(bullets: list[Bullet] | list[dict], threshold: float = 0.8) -> list[tuple[int, int]]:
    """Pairs of bullets whose words are near-identical (bigram overlap of the shorter one)."""
    texts = [(b["text"] if isinstance(b, dict) else b.text) for b in bullets]
    grams = [set(_bigrams(t)) for t in texts]
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = grams[i], grams[j]
            if a and b and len(a & b) / min(len(a), len(b)) >= threshold:
                out.append((i, j))
    return out


def summarize(services, request: SummaryRequest, on_progress: Progress | None = None) -> Summary:
    """One summary with the services' ledger, retriever and embedder. The Summarizer (and its
    theme prototypes) is kept per services object, without touching the object itself."""
    with _SUMMARIZERS_LOCK:
        summarizer = _SUMMARIZERS.get(services)
        if summarizer is None:
            summarizer = _SUMMARIZERS[services] = Summarizer(services)
    return summarizer.summarize(request, on_progress)


_SUMMARIZERS: "weakref.WeakKeyDictionary[Any, Summarizer]" = weakref.WeakKeyDictionary()
_SUMMARIZERS_LOCK = threading.Lock()
