"""Composition: the Summary model, and how groups of chosen statements become its sections and
bullets — grouped by document, province or theme, common points first, each bullet's words made
of exact spans of its quotes, attributed ("Các kế hoạch của A và B đều nêu: …") and cited.

:func:`unsupported_parts` and :func:`duplicate_pairs` check a summary (tests, eval/summaries.py).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.answer.citations import Citation, CitationList
from bot.summary.labels import _join_names, _plural_label, document_heading, province_heading, summary_title
from bot.summary.selection import Tuning, _bigrams
from bot.summary.statements import _core, _render_parts, _Stmt
from bot.summary.themes import _THEME_BY_KEY, MAIN_THEME, OTHER_THEME, THEMES

if TYPE_CHECKING:  # the request type lives with the entry point, which imports this module
    from bot.summary.summarize import SummaryRequest


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


class Composer:
    """Sections and cited bullets for one summary of ``records`` (doc_id → ledger record, in the
    order the documents were asked for)."""

    def __init__(self, tuning: Tuning, records: dict[str, dict]):
        self.tuning = tuning
        self._records = records

    def assemble(self, request: SummaryRequest, records: list[dict], groups: list[list[_Stmt]],
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
