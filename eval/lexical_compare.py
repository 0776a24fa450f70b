"""Lexical analysers compared: syllables, + bigrams, + accent-folded copies, pyvi word segmentation.

    .venv/bin/python -m eval.lexical_compare [--sets smoke,project,alqac]

BM25 (k1 1.2, b 0.75, Qdrant's IDF formula) over the same chunks the product indexes (read from
each benchmark home's ledger; run eval.retrieval first), in memory, so analysers can be swapped
without re-indexing. The product's analyser (index/lexical.py) is "syllables+bigrams+folded".
"""
from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from types import SimpleNamespace

from eval.common import EVAL_HOME, table
from eval.retrieval import alqac_set, project_set, rank_of, smoke_set
from index.lexical import LexicalEncoder
from ingest.lang.normalize import search_form
from ingest.pipeline import Ledger

_TOKEN = re.compile(r"[^\W_]+")


def pyvi_tokens(text: str) -> list[str]:
    from pyvi import ViTokenizer

    return [t.lower() for t in ViTokenizer.tokenize(search_form(text)).split() if _TOKEN.search(t)]


def _idf_index(vectors: list[dict[int, float]]) -> dict[int, float]:
    df: Counter = Counter()
    for v in vectors:
        df.update(v.keys())
    n = len(vectors)
    return {t: math.log((n - c + 0.5) / (c + 0.5) + 1) for t, c in df.items()}


def _token_vector(tokens: list[str]) -> dict[int, float]:
    counts = Counter(tokens)
    norm = 1.2 * (1 - 0.75 + 0.75 * sum(counts.values()) / 220)
    return {hash(t): c * 2.2 / (c + norm) for t, c in counts.items()}


def analysers():
    """name → (document vector fn, query vector fn)."""
    full = LexicalEncoder()
    no_bigrams = LexicalEncoder(bigrams=False, folded=False)
    no_folded = LexicalEncoder(folded=False)

    def enc(e):
        return (lambda t: dict(zip(*_pair(e.encode_document(t)))), lambda q: dict(zip(*_pair(e.encode_query(q)))))

    return {
        "syllables": enc(no_bigrams),
        "syllables+bigrams": enc(no_folded),
        "syllables+bigrams+folded (product)": enc(full),
        "pyvi words": (lambda t: _token_vector(pyvi_tokens(t)), lambda q: {hash(t): 1.0 for t in pyvi_tokens(q)}),
    }


def _pair(v):
    return v.indices, v.values


def run(name: str, home: str, questions: list[dict]) -> list[dict]:
    ledger = Ledger(EVAL_HOME / home / "state")
    chunks = []
    for record in ledger.records():
        doc = ledger.document(record["doc_id"]) or {}
        for c in doc.get("chunks", []):
            chunks.append(SimpleNamespace(source=record["source"], doc_id=record["doc_id"], text=c["text"],
                                          payload={"context": c.get("context", "")},
                                          index_text=f"{c.get('context', '')}\n{c['text']}"))
    rows = []
    for label, (doc_fn, query_fn) in analysers().items():
        vectors = [doc_fn(c.index_text) for c in chunks]
        idf = _idf_index(vectors)
        ranks = []
        for q in questions:
            qv = query_fn(q["question"])
            scored = sorted(((sum(w * v.get(t, 0.0) * idf.get(t, 0.0) for t, w in qv.items()), i)
                             for i, v in enumerate(vectors)), reverse=True)[:30]
            ranks.append(rank_of(q, [chunks[i] for _, i in scored]))
        n = len(ranks)
        rows.append({"set": name, "analyser": label, "n": n,
                     "R@1": sum(r == 1 for r in ranks) / n, "R@5": sum(bool(r and r <= 5) for r in ranks) / n,
                     "MRR@10": sum(1 / r for r in ranks if r) / n})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="smoke,project,alqac")
    args = ap.parse_args()
    rows = []
    for name in args.sets.split(","):
        if name == "smoke":
            rows += run(name, "asean", smoke_set())
        elif name == "project":
            rows += run(name, "corpus", project_set())
        else:
            rows += run(name, "alqac", alqac_set()[1])
    print(table(rows, ["set", "analyser", "n", "R@1", "R@5", "MRR@10"], "lexical analysers (BM25, in memory)"))


if __name__ == "__main__":
    main()
