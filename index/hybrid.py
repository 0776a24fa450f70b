"""Question → hits: dense (e5) and lexical (syllables + bigrams) search fused in Qdrant.

Both prefetches and the fusion run inside Qdrant's Query API, so the embedded shard and a
Qdrant server rank the same way.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.lexical import LexicalEncoder
from index.store import Mode, Query, VectorStore
from ingest.lang.normalize import fold_accents, has_diacritics, search_form


_DOC_WORD = r"(?:ke hoach|quyet dinh|thong tu|nghi dinh|chi thi|cong van|van ban|kh|qd|tt|nd|ct|so)\s+(?:so\s+)?"


def _names(text: str, number: str) -> bool:
    """Whether folded ``text`` names ``number``: in full ("14/2024/tt-bct"), by its leading part
    ("14/2024"), or by its bare number after a document word ("Kế hoạch 2502")."""
    parts = number.split("/")
    short = "/".join(parts[:2]) if len(parts) > 2 else number
    if re.search(r"(?<![\w/])" + re.escape(short) + r"(?![\w])", text):
        return True
    return re.search(_DOC_WORD + re.escape(parts[0]) + r"(?![\w/])", text) is not None


class NumberIndex:
    """Số hiệu → doc_id, looked up by the question's own words instead of trying every number.

    Every way ``_names`` accepts a number starts, in the question, with the number's leading
    word (its first run of letters and digits: "14" of "14/2024/tt-bct") standing as a whole word
    not after a "/"; so only the numbers led by such a word of the question are checked, and the
    cost of a question does not grow with the number of documents."""

    _LEAD = re.compile(r"\w+")
    _WORDS = re.compile(r"(?<![\w/])\w+")

    def __init__(self, numbers: dict[str, str]):
        self.numbers = numbers
        self.by_lead: dict[str, list[tuple[str, str]]] = {}
        self.other: list[tuple[str, str]] = []  # numbers that start with a sign: checked always
        for number, doc in numbers.items():
            m = self._LEAD.match(number)
            (self.by_lead.setdefault(m.group(0), []) if m else self.other).append((number, doc))

    def named(self, text: str) -> set[str]:
        """doc_ids of the numbers folded ``text`` names."""
        candidates = [c for w in set(self._WORDS.findall(text)) for c in self.by_lead.get(w, ())] + self.other
        return {doc for number, doc in candidates if _names(text, number)}


@dataclass
class SearchHit:
    chunk_id: str
    doc_id: str
    source: str
    title: str
    section: str
    page: int | None
    text: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict, repr=False)
    similarity: float | None = None  # cosine of question and passage, when asked for

    @classmethod
    def from_payload(cls, payload: dict[str, Any], score: float) -> "SearchHit":
        return cls(
            chunk_id=payload["chunk_id"],
            doc_id=payload["doc_id"],
            source=payload["source"],
            title=payload.get("title") or "",
            section=payload.get("section") or "",
            page=payload.get("page"),
            text=payload["text"],
            score=score,
            payload=payload,
        )


@dataclass
class FusionSettings:
    """Chosen on the project's own question set (eval/retrieval.py --sweep), never on ALQAC.

    Weights are (dense, lexical). A question typed without diacritics gets its own weights:
    e5 reads "chu tri" far worse than "chủ trì", while the folded lexical features do not care.
    """

    # DBSF (each list's scores normalised by mean ± 3σ, then summed) won the sweep on both the
    # project set and the smoke set; weights apply to the RRF variants only.
    fusion: str = "dbsf"
    rrf_k: int = 10
    weights: tuple[float, float] = (0.5, 1.0)
    nodiac_weights: tuple[float, float] = (0.2, 1.0)
    prefetch_k: int = 100


class Retriever:
    def __init__(self, store: VectorStore, embedder: BaseEmbedding, lexical: LexicalEncoder,
                 fusion: FusionSettings | None = None, restorer: Callable[[str], str] | None = None):
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.fusion = fusion or FusionSettings()
        # Questions typed without diacritics are embedded with the corpus's own marks restored.
        self.restorer = restorer
        # số hiệu → doc_id of the indexed documents (e.g. "159/kh-ubnd"), to honour a named document.
        self.doc_numbers: Callable[[], dict[str, str]] = lambda: {}
        # The part of a document a question asks for by its nature ("Ai ký …?" → "signature"),
        # and a document's chunks holding it, best first (bot/answer/parts.py): a signature block never
        # says "ký", so neither vector finds it, yet it is where the answer is.
        self.asked_part: Callable[[str], str | None] = lambda question: None
        self.doc_part: Callable[[str, str], list[dict[str, Any]]] = lambda doc_id, kind: []
        # The NumberIndex of the last doc_numbers() mapping; a dict, so shallow copies of this
        # retriever (one per caller's access view) share it.
        self._number_cache: dict[str, Any] = {}
        # The last search's embedding and store times, for the caller's logs.
        self.last_timing: dict[str, float] = {}

    def named_document(self, question: str) -> str | None:
        """The one indexed document whose số hiệu the question names ("Thông tư 14/2024/TT-BCT",
        or just "14/2024"), else None; a number cited by many documents names none of them."""
        numbers = self.doc_numbers()
        if not numbers:
            return None
        index = self._number_cache.get("index")
        if index is None or index.numbers is not numbers:
            index = self._number_cache["index"] = NumberIndex(numbers)
        found = index.named(fold_accents(search_form(question)).lower())
        return found.pop() if len(found) == 1 else None

    def search(self, question: Any, k: int = 5, *, filters: dict[str, Any] | None = None,
               mode: Mode = "hybrid", with_similarity: bool = False, prefer_doc: str | None = None,
               prefer_n: int = 3) -> list[SearchHit]:
        """``question``: the text, or a query object read once upstream (bot/answer/query.py)
        with ``.question`` and ``.filters``; its ``.dense`` gets the question's embedding, so
        later stages compare meaning without embedding the question again."""
        t0 = time.perf_counter()
        asked = None if isinstance(question, str) else question
        if asked is not None:
            question = asked.question
            filters = {**(getattr(asked, "filters", None) or {}), **(filters or {})} or None
        dense_text = self.restorer(question) if self.restorer and not has_diacritics(question) else question
        dense = self.embedder.get_query_embedding(dense_text) if mode != "lexical" else None
        if asked is not None and dense is not None:
            asked.dense = dense
        t1 = time.perf_counter()
        sparse = self.lexical.encode_query(question) if mode != "dense" else None
        if sparse is not None and not sparse.indices:
            sparse = None
            if mode == "lexical":
                return []
            mode = "dense"
        f = self.fusion
        query = Query(dense=dense, sparse=sparse, k=k, mode=mode, filters=dict(filters or {}),
                      prefetch_k=max(f.prefetch_k, k), fusion=f.fusion, rrf_k=f.rrf_k,  # type: ignore[arg-type]
                      weights=f.weights if has_diacritics(question) else f.nodiac_weights)
        hits = self.store.search(query)
        # A document the caller prefers (a follow-up's), or one the question names by its số hiệu:
        # its best passages come first.
        first = None if (filters or {}).get("doc_id") else prefer_doc or self.named_document(question)
        if first:
            own = self.store.search(Query(**{**query.__dict__, "filters": {**query.filters, "doc_id": first},
                                             "k": min(k, prefer_n)}))
            seen = {h.id for h in own}
            hits = (own + [h for h in hits if h.id not in seen])[:k]
        out = [SearchHit.from_payload(h.payload, h.score) for h in hits]
        part = self.asked_part(question) if out else None
        if part:
            chosen = self.doc_part(out[0].doc_id, part)[:1]  # best first
            if chosen and chosen[0]["chunk_id"] != out[0].chunk_id:
                # Second place: the best passage still leads, the asked part is right behind it.
                rest = [h for h in out[1:] if h.chunk_id != chosen[0]["chunk_id"]]
                out = (out[:1] + [SearchHit.from_payload(chosen[0], out[0].score)] + rest)[:k]
        if with_similarity and dense is not None and out:
            # Cosine of the question to each hit, from the exact dense search of the same store:
            # the answerer weighs meaning next to word overlap when it decides to answer.
            near = self.store.search(Query(dense=dense, k=max(3 * k, 30), mode="dense", filters=dict(filters or {})))
            cosine = {h.payload["chunk_id"]: h.score for h in near}
            floor = min(cosine.values()) if cosine else 0.0
            for h in out:
                h.similarity = cosine.get(h.chunk_id, floor)
        t2 = time.perf_counter()
        self.last_timing = {"embed_ms": (t1 - t0) * 1000, "search_ms": (t2 - t1) * 1000}
        return out
