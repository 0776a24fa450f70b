"""Retrieval benchmark: R@1, R@5, MRR@10 and latency per method and question type on three sets.

    .venv/bin/python -m eval.retrieval [--sets smoke,project,alqac,alqac25,viquad] [--modes hybrid,dense,lexical]

1. smoke   — ../shared/dev-eval/retrieval_smoke.json; a hit is a chunk of the gold document
             holding most of a gold chunk's text (our chunks differ from the set's).
2. project — eval/questions.json (in-corpus rows); a hit is a chunk of the gold document (or
             of a document that also answers) holding the evidence phrase.
3. alqac   — ../shared/external-eval ALQAC, 304 articles ingested as their own corpus; a hit
             is the gold article. Measured, never tuned on.
4. alqac25 — ../shared/external-eval/alqac25-retrieval: 400 ALQAC 2025 questions over a pool of
             1,000 articles of 16 other laws (one file each); a hit is a gold article. Measured only.
5. viquad  — ../shared/external-eval/viquad2-urasys: the 633 answerable UIT-ViQuAD 2.0 questions
             over their 721 Wikipedia paragraphs (one file each); a hit is the question's own
             paragraph. Not legal text: a check that nothing is tuned to one genre. Measured only.
Documents are ranked by their best chunk (30 chunks retrieved, deduplicated by document) for
ALQAC, ALQAC 2025 and ViQuAD, whose unit is the article or paragraph; the other sets count chunks.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from eval.common import REPO, SHARED, alqac_corpus, norm, pct, services_for, table
from index.hybrid import FusionSettings


def _overlap(gold: str, text: str) -> float:
    g = norm(gold).split()
    t = set(norm(text).split())
    return sum(1 for w in g if w in t) / max(1, len(g))


def smoke_set() -> list[dict]:
    data = json.loads((SHARED / "dev-eval/retrieval_smoke.json").read_text())
    chunks = {c["id"]: c for c in data["chunks"]}
    out = []
    for q in data["questions"]:
        golds = [chunks[g] for g in q["gold"]]

        def judge(hit, golds=golds):
            return any(Path(hit.source).stem == g["doc"] and _overlap(g["text"], hit.text) >= 0.6 for g in golds) or any(
                Path(hit.source).stem == g["doc"] and _overlap(hit.text, g["text"]) >= 0.8 for g in golds)

        out.append({"question": q["question"], "type": q["type"], "judge": judge})
    return out


def project_set() -> list[dict]:
    data = json.loads((REPO / "eval/questions.json").read_text())
    out = []
    for q in data["questions"]:
        if not q.get("doc"):
            continue
        also = set(q.get("also_docs") or [])
        evidence = norm(q["evidence"])
        answers = [norm(a) for a in (q.get("answer") or []) if a]

        # The evidence phrase is verbatim only in the gold document; another document that
        # also answers counts when it holds an expected answer phrase.
        def judge(hit, gold=q["doc"], also=also, evidence=evidence, answers=answers):
            text = norm(hit.payload.get("context", "") + " " + hit.text)
            if hit.source == gold:
                return evidence in text
            return hit.source in also and any(a in text for a in answers)

        out.append({"question": q["question"], "type": q["type"], "judge": judge})
    return out


def alqac_set() -> tuple[Path, list[dict]]:
    corpus, rows = alqac_corpus()
    out = []
    for r in rows:
        out.append({"question": r["question"], "type": "alqac", "judge": (lambda hit, s=r["source"]: hit.source == s),
                    "by_doc": True})
    return corpus, out


ALQAC25 = SHARED / "external-eval/alqac25-retrieval"
VIQUAD = SHARED / "external-eval/viquad2-urasys"


def alqac25_set() -> tuple[Path, list[dict]]:
    out = []
    for line in (ALQAC25 / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        gold = {f"{a}.txt" for a in q["relevant_article_ids"]}
        out.append({"question": q["question"], "type": q["question_type"], "by_doc": True,
                    "judge": (lambda hit, gold=gold: hit.source in gold)})
    return ALQAC25 / "corpus", out


def viquad_set() -> tuple[Path, list[dict]]:
    out = []
    for line in (VIQUAD / "viquad2_sample.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q["is_impossible"]:
            continue  # its paragraph is a near miss by construction: not a retrieval question
        out.append({"question": q["question"], "type": "viquad", "by_doc": True,
                    "judge": (lambda hit, gold=f"{q['context_id']}.txt": hit.source == gold)})
    return VIQUAD / "corpus", out


# name → (questions and corpus, eval home name); the corpus of smoke/project is the product's own.
EXTERNAL_SETS = {"alqac": alqac_set, "alqac25": alqac25_set, "viquad": viquad_set}


def set_services(name: str, **kw) -> tuple[object, dict, list[dict]]:
    """Services over the corpus of set ``name`` (its own eval home), ingest stats, questions."""
    if name in EXTERNAL_SETS:
        corpus, questions = EXTERNAL_SETS[name]()
        services, stats = services_for(name, corpus, **kw)
    else:
        questions = smoke_set() if name == "smoke" else project_set()
        corpus = REPO / "corpus" / ("asean" if name == "smoke" else "")
        services, stats = services_for("asean" if name == "smoke" else "corpus", corpus, **kw)
    return services, stats, questions


def rank_of(question: dict, hits: list) -> int | None:
    """1-based rank of the first hit the question's judge accepts, within 10 (documents deduplicated
    for sets whose unit is the document)."""
    if question.get("by_doc"):
        seen, ranked = set(), []
        for h in hits:
            if h.doc_id not in seen:
                seen.add(h.doc_id)
                ranked.append(h)
        hits = ranked
    return next((i + 1 for i, h in enumerate(hits[:10]) if question["judge"](h)), None)


def evaluate(services, questions: list[dict], mode: str) -> dict:
    per_type: dict[str, list[tuple[int | None, float]]] = defaultdict(list)
    retriever = services.retriever
    retriever.search("khởi động", k=5, mode=mode)  # warm-up
    for q in questions:
        by_doc = q.get("by_doc", False)
        t0 = time.perf_counter()
        hits = retriever.search(q["question"], k=30 if by_doc else 10, mode=mode)
        ms = (time.perf_counter() - t0) * 1000
        rank = rank_of(q, hits)
        per_type[q["type"]].append((rank, ms))
        per_type["ALL"].append((rank, ms))
    rows = []
    for qtype, results in sorted(per_type.items(), key=lambda kv: (kv[0] == "ALL", kv[0])):
        ranks = [r for r, _ in results]
        times = [t for _, t in results]
        rows.append({
            "mode": mode, "type": qtype, "n": len(results),
            "R@1": sum(1 for r in ranks if r == 1) / len(ranks),
            "R@5": sum(1 for r in ranks if r and r <= 5) / len(ranks),
            "MRR@10": sum(1 / r for r in ranks if r) / len(ranks),
            "p50 ms": pct(times, 0.5), "p95 ms": pct(times, 0.95),
        })
    return {"rows": rows}


def sweep() -> None:
    """Fusion settings tried on the project's own set (and the smoke set as a check)."""
    project = project_set()
    smoke = smoke_set()
    svc_p, _ = services_for("corpus", REPO / "corpus")
    svc_s, _ = services_for("asean", REPO / "corpus" / "asean")
    rows = []
    for fusion, k, w, wn in [
        ("rrf", 60, (1.0, 1.0), (1.0, 1.0)),
        ("wrrf", 60, (1.0, 1.0), (1.0, 1.0)),
        ("wrrf", 60, (0.5, 1.0), (0.2, 1.0)),
        ("wrrf", 60, (0.7, 1.0), (0.3, 1.0)),
        ("wrrf", 20, (0.5, 1.0), (0.2, 1.0)),
        ("wrrf", 10, (0.5, 1.0), (0.2, 1.0)),
        ("wrrf", 10, (0.7, 1.0), (0.3, 1.0)),
        ("wrrf", 5, (0.5, 1.0), (0.2, 1.0)),
        ("wrrf", 10, (0.5, 1.0), (0.0, 1.0)),
        ("dbsf", 60, (1.0, 1.0), (1.0, 1.0)),
    ]:
        for name, svc, qs in (("project", svc_p, project), ("smoke", svc_s, smoke)):
            svc.retriever.fusion = FusionSettings(fusion=fusion, rrf_k=k, weights=w, nodiac_weights=wn)
            r = [x for x in evaluate(svc, qs, "hybrid")["rows"] if x["type"] in ("ALL", "nodiac")]
            for x in r:
                rows.append({"set": name, "type": x["type"], "fusion": fusion, "k": k, "w": w, "w_nodiac": wn,
                             "R@1": x["R@1"], "R@5": x["R@5"], "MRR@10": x["MRR@10"]})
    print(table(rows, ["set", "type", "fusion", "k", "w", "w_nodiac", "R@1", "R@5", "MRR@10"], "fusion sweep"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="smoke,project,alqac,alqac25,viquad")
    ap.add_argument("--modes", default="lexical,dense,hybrid")
    ap.add_argument("--rrf-k", type=int, default=None)
    ap.add_argument("--fusion", default=None)
    ap.add_argument("--sweep", action="store_true", help="try fusion settings on the project set")
    args = ap.parse_args()
    if args.sweep:
        return sweep()
    modes = args.modes.split(",")
    cols = ["mode", "type", "n", "R@1", "R@5", "MRR@10", "p50 ms", "p95 ms"]
    for name in args.sets.split(","):
        services, stats, questions = set_services(name)
        if args.rrf_k or args.fusion:
            services.retriever.fusion = FusionSettings(fusion=args.fusion or "rrf", rrf_k=args.rrf_k or 60)
        print(f"\n# {name}: {len(questions)} questions, index of {services.store.count()} chunks "
              f"(ingest {stats['seconds']:.1f}s this run)")
        rows = []
        for mode in modes:
            rows += evaluate(services, questions, mode)["rows"]
        print(table([r for r in rows if r["type"] == "ALL"], cols, f"{name}: overall"))
        print(table([r for r in rows if r["type"] != "ALL"], cols, f"{name}: by question type"))
        services.close()
    import resource

    print(f"\npeak memory (max RSS) of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
