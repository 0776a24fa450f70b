"""One row of the task table: what a plan assigns, to whom, by when, and the exact words.

:class:`Task` is what ``ingest.tasks`` extracts, ``ingest.task_table`` searches and answers from,
and ``ingest.task_export`` writes to CSV/XLSX; it is saved with each parsed document.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields

from ingest.assignments import BULLET, ROLES
from ingest.lang.normalize import clean_text
from ingest.unit_match import unit_matches

_TASK_CHARS = 220  # the "task" column: a readable summary, the quote holds the full words


@dataclass
class Task:
    task_id: str
    doc_id: str
    source: str
    section: str  # "II.1.3 Tuyên truyền trên hệ thống thông tin cơ sở"
    task: str  # what is to be done, in the document's words (shortened)
    lead_units: list[str] = field(default_factory=list)
    partner_units: list[str] = field(default_factory=list)
    focal_units: list[str] = field(default_factory=list)
    guiding_units: list[str] = field(default_factory=list)
    deadline: str | None = None
    # the deadline as data: {"text", "start", "end", "recurring"} (ingest.deadlines.deadline_data)
    deadline_data: dict | None = None
    report_to: list[str] = field(default_factory=list)  # recipients of a reporting duty
    page: int | None = None
    quote: str = ""  # == document text[char_start:char_end]: the words that assign the task
    char_start: int = 0
    char_end: int = 0
    scope: str | None = None  # whose units: "Quảng Ninh", "huyện Đông Sơn, Thanh Hóa", "Bộ Nội vụ"
    shape: str = ""  # lines, unit_heading, narrative
    # The whole task in the document (its content and its assignment), for matching and display.
    task_start: int = 0
    task_end: int = 0
    context: str = ""  # the heading that names the unit, for unit-headed duties
    doc_title: str = ""

    def units(self, role: str) -> list[str]:
        return getattr(self, f"{role}_units")

    def roles_of(self, unit_name: str) -> list[str]:
        return [r for r in ROLES if any(unit_matches(unit_name, u) for u in self.units(r))]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Task":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _summary(text: str, limit: int = _TASK_CHARS) -> str:
    text = BULLET.sub("", clean_text(text).replace("\n", " ")).strip()
    text = re.sub(r"^(?:để|và|đồng thời)\s+", "", text)  # a clause split off a sentence reads as a task
    text = text[:1].upper() + text[1:]
    text = text.rstrip(" .;:/")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + " …"


def _task_id(doc_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}:{start}:{end}:{text}".encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}:t{start}:{digest}"
