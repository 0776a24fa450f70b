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

The steps live in their own modules: statements.py (cutting documents into statements),
themes.py (the pillars), embeddings.py (the vector cache), selection.py (choosing and merging),
labels.py (naming documents) and composition.py (sections, bullets, citations, the checks).
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from bot.summary.composition import Composer, Summary
from bot.summary.embeddings import embed_statements
from bot.summary.labels import document_labels
from bot.summary.selection import Selector, Tuning, has_content, merge, trim_pool, word_coverage
from bot.summary.statements import _Stmt, document_statements
from bot.summary.themes import ThemeClassifier, topic_themes

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


class Summarizer:
    """The steps of a summary, for one services object: documents, statements, selection, merging,
    composition. Kept per services object so the theme prototypes are embedded once."""

    def __init__(self, services, tuning: Tuning | None = None):
        self.services = services
        self.tuning = tuning or Tuning()
        self._themes = ThemeClassifier(services)
        self._selector = Selector(services, self.tuning, self._themes)
        self._records: dict[str, dict] = {}

    # -- documents --

    def resolve(self, doc_ids: list[str]) -> list[dict]:
        """Ledger records for ids or source paths; UnknownDocuments for any the ledger lacks."""
        # The ledger's own lookups (by doc_id, by source): no pass over every document.
        ledger = self.services.ledger
        out, missing = [], []
        for d in doc_ids:
            r = ledger.record(d) or ledger.entries.get(d)
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
        records = self.services.ledger.by_doc()
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
            return Composer(self.tuning, self._records).assemble(
                request, [], [], {}, ["Không tìm thấy tài liệu nào liên quan đến chủ đề."], t0)
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
            word_coverage([s for _, sents, tasks in docs.values() for s in sents + tasks],
                          request.topic or "", records)
            if not themes:
                pools = {d: [s for s in p if s.covered >= self.tuning.min_evidence] for d, p in pools.items()}
        pools = {d: trim_pool(p, topical) for d, p in pools.items()}

        everything = [s for p in pools.values() for s in p]
        step += 1
        progress("Tính biểu diễn câu", step, total_steps)
        embedded = 0

        def on_batch(n: int) -> None:  # the slow part of a long input: say how far it is
            nonlocal embedded
            embedded += n
            progress(f"Tính biểu diễn câu {embedded}/{len(everything)}", step, total_steps)

        embed_statements(self.services.embedder, everything, on_batch)
        self._themes.classify(everything)
        if task_mode:
            # who does what: tasks, and sentences that assign or organise, not the plan's content
            for doc_id in pools:
                pools[doc_id] = [s for s in pools[doc_id]
                                 if s.kind == "task" or s.assignment or s.theme == "organization"]

        step += 1
        progress("Chọn ý chính", step, total_steps)
        if topical:
            chosen = self._selector.select_by_topic(request, pools, records, task_mode)
        else:
            chosen = self._selector.select_by_salience(request, pools, docs)
        if not any(chosen.values()):
            notes.append("Các tài liệu đã chọn không có nội dung phù hợp với chủ đề." if topical else
                          "Không trích được nội dung nào từ các tài liệu đã chọn.")

        step += 1
        progress("Gộp ý trùng và sắp xếp", step, total_steps)
        groups = merge(chosen, pools, self.tuning)
        return Composer(self.tuning, self._records).assemble(request, records, groups, labels, notes, t0)


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
