"""Approved answers: an official's answer with its citation, served when a new question matches
an approved question closely (Dify calls these "annotation replies").

A match is the cosine of the two questions' e5 query embeddings (a question typed without
diacritics is embedded with them restored, as retrieval does), and the same numbers and province
in both: e5 puts "Kế hoạch 159 ban hành ngày nào?" and "Kế hoạch 2502 …" at .945, paraphrases
of one question at .95-.99. The answer is served only while
its cited passage still stands in a document the caller may see: a deleted document, a passage
gone from a new version, or an internal document asked about at the public level, and the
question goes to the ordinary answerer instead.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Callable

import numpy as np

from bot.answer.citations import Citation, page_at
from bot.answer.extractive import Answer
from bot.questions_log import QuestionsLog
from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import find_province

APPROVED_NOTE = "(Câu trả lời đã được cán bộ phụ trách duyệt.)"


def distinctive(question: str) -> tuple[frozenset[str], str | None]:
    """What two questions must share to be the same question: their numbers and province."""
    return frozenset(re.findall(r"\d+", fold_accents(question))), find_province(question)


def locate_quote(text: str, quote: str, start: int | None = None, end: int | None = None) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``: at the given offsets if it still does, else its first
    occurrence with runs of spaces and line breaks read as one space; None when it is gone."""
    quote = quote.strip()
    if not quote:
        return None
    if start is not None and end is not None and text[start:end] == quote:
        return start, end
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    words = quote.split()
    # Same words, any whitespace between them: a quote pasted from the rendered page.
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (m.start(), m.end()) if m else None


def citation_for(doc: dict, start: int, end: int) -> Citation:
    """Citation [1] of a document span, with the section and page of the chunk holding it."""
    record = doc.get("record") or {}
    chunk = next((c for c in doc.get("chunks") or [] if c["char_start"] <= start < c["char_end"]), None) or {}
    page = page_at(chunk, start - chunk.get("char_start", 0)) if chunk else None
    return Citation(n=1, doc_id=record.get("doc_id", ""), source=record.get("source", ""),
                    title=record.get("title") or record.get("source", ""), number=record.get("number"),
                    section=chunk.get("section") or "", page=page, quote=doc["text"][start:end],
                    chunk_id=chunk.get("chunk_id") or "", char_start=start, char_end=end)


def approved_answer(item: dict[str, Any], doc: dict, question: str, similarity: float) -> Answer | None:
    span = locate_quote(doc.get("text") or "", item["quote"], item.get("char_start"), item.get("char_end"))
    if span is None:
        return None
    citation = citation_for(doc, *span)
    text = f"{item['answer'].rstrip()} [1]\n\n{APPROVED_NOTE}"
    return Answer(text=text, citations=[citation], grounded=True, question=question,
                  debug={"source": "approved", "approved": True, "approved_id": item["id"],
                         "similarity": round(similarity, 4)})


class ApprovedMatcher:
    """Finds the approved answer closest to a question. Embeddings of the approved questions are
    computed once per set of approved answers."""

    def __init__(self, log: QuestionsLog, embed: Callable[[str], list[float]], min_similarity: float):
        self.log = log
        self.embed = embed
        self.min_similarity = min_similarity
        self._lock = threading.Lock()
        self._cache: tuple[str, list[dict[str, Any]], np.ndarray] | None = None

    def _items(self) -> tuple[list[dict[str, Any]], np.ndarray]:
        stamp = self.log.approved_stamp()
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1], self._cache[2]
        items = self.log.approved()
        matrix = np.array([_unit(self.embed(i["question"])) for i in items]) if items else np.zeros((0, 1))
        with self._lock:
            self._cache = (stamp, items, matrix)
        return items, matrix

    def candidates(self, question: str) -> list[tuple[dict[str, Any], float]]:
        """Approved answers at or above the threshold, closest first."""
        if not self.log.approved_stamp():  # none approved: no embedding spent
            return []
        items, matrix = self._items()
        if not items:
            return []
        scores = matrix @ _unit(self.embed(question))
        order = np.argsort(-scores)
        mine = distinctive(question)
        return [(items[i], float(scores[i])) for i in order
                if scores[i] >= self.min_similarity and distinctive(items[i]["question"]) == mine]

    def answer(self, question: str, document: Callable[[str], dict | None]) -> Answer | None:
        """The approved answer for ``question`` whose cited passage ``document`` (the caller's
        view of the ledger) still shows, else None."""
        for item, score in self.candidates(question):
            doc = document(item["doc_id"])
            if doc is None:
                continue
            answer = approved_answer(item, doc, question, score)
            if answer is not None:
                return answer
        return None


def _unit(vector: Any) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    n = float(np.linalg.norm(v))
    return v / n if n else v
