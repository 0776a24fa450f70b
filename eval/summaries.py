"""Summary benchmark on eval/summary_tasks.json: coverage of required points, support, duplicates, time.

    .venv/bin/python -m eval.summaries [--show] [--task S2]

For each task the summarizer runs on the task's topic, documents and grouping (as a report
writer would call it), then:
- coverage: share of the task's points covered — a bullet citing the point's document whose
  cited quote (or the bullet's own text) holds the point's evidence phrase, compared
  accent-, tone- and case-insensitively;
- support: share of bullets whose every part is contained in one of its cited quotes (the
  extractive summarizer must reach 1.0);
- duplicates: bullets whose text is near-identical to another bullet's (target 0);
- seconds per task (the first task also pays for loading the model).
Targets: coverage ≥ 0.8, support 1.0, no duplicates.
"""
from __future__ import annotations

import argparse
import json
import time

from eval.common import REPO, norm, table

TASKS = REPO / "eval" / "summary_tasks.json"


def judge(task: dict, payload: dict) -> dict:
    """Coverage, support and duplicates of one summary (the JSON the API returns)."""
    from bot.summary.composition import duplicate_pairs, unsupported_parts

    refs = {c["n"]: c for c in payload["references"]}
    bullets = [b for s in payload["sections"] for b in s["bullets"]]
    covered, missed = [], []
    for p in task["points"]:
        phrase = norm(p["evidence"])
        hit = False
        for b in bullets:
            cites = [refs[n] for n in b["citations"] if n in refs]
            if not any(c["source"] == p["doc"] for c in cites):
                continue
            if any(c["source"] == p["doc"] and phrase in norm(c["quote"]) for c in cites) or phrase in norm(b["text"]):
                hit = True
                break
        (covered if hit else missed).append(p)
    unsupported = [b for b in bullets if unsupported_parts(b, payload["references"])]
    dups = duplicate_pairs(bullets)
    return {
        "coverage": len(covered) / max(1, len(task["points"])),
        "support": 1 - len(unsupported) / max(1, len(bullets)),
        "duplicates": len(dups),
        "bullets": len(bullets),
        "missed": missed,
        "unsupported": unsupported,
        "dup_pairs": [(bullets[i]["text"][:80], bullets[j]["text"][:80]) for i, j in dups],
    }


def run(services, tasks: list[dict], show: bool = False) -> list[dict]:
    from bot.summary.summarize import SummaryRequest, summarize

    rows = []
    for task in tasks:
        request = SummaryRequest(topic=task.get("topic"), doc_ids=task.get("doc_ids") or None,
                                 group_by=task.get("group_by"))
        t0 = time.perf_counter()
        summary = summarize(services, request)
        seconds = time.perf_counter() - t0
        payload = summary.to_dict()
        j = judge(task, payload)
        rows.append({"task": task["id"], "group_by": request.group_by, "points": len(task["points"]),
                     "coverage": j["coverage"], "support": j["support"], "duplicates": j["duplicates"],
                     "bullets": j["bullets"], "sections": len(payload["sections"]),
                     "references": len(payload["references"]), "seconds": seconds, "_judge": j,
                     "_payload": payload})
        if show:
            print(f"\n===== {task['id']}: {payload['title']}")
            for s in payload["sections"]:
                print(f"  ## {s['heading']}")
                for b in s["bullets"]:
                    print(f"   - {b['text'][:400]} {''.join(f'[{n}]' for n in b['citations'])}")
        for p in j["missed"]:
            print(f"  {task['id']} MISSED [{p['doc'].split('/')[-1]}] {p['evidence']}")
        for b in j["unsupported"]:
            print(f"  {task['id']} UNSUPPORTED {b['text'][:120]}")
        for a, b in j["dup_pairs"]:
            print(f"  {task['id']} DUPLICATE {a!r} ~ {b!r}")
    return rows


def main() -> None:
    from eval.common import services_for

    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every summary")
    ap.add_argument("--task", action="append", help="only these task ids")
    args = ap.parse_args()
    tasks = json.loads(TASKS.read_text(encoding="utf-8"))["tasks"]
    if args.task:
        tasks = [t for t in tasks if t["id"] in args.task]
    services, _ = services_for("corpus", REPO / "corpus")
    try:
        rows = run(services, tasks, show=args.show)
    finally:
        services.close()
    n_points = sum(r["points"] for r in rows)
    n_bullets = sum(r["bullets"] for r in rows)
    total = {
        "task": "ALL", "points": n_points,
        "coverage": sum(r["coverage"] * r["points"] for r in rows) / max(1, n_points),
        "support": sum(r["support"] * r["bullets"] for r in rows) / max(1, n_bullets),
        "duplicates": sum(r["duplicates"] for r in rows), "bullets": n_bullets,
        "seconds": sum(r["seconds"] for r in rows),
    }
    print(table(rows + [total], ["task", "group_by", "points", "coverage", "support", "duplicates", "bullets",
                                 "sections", "references", "seconds"], "summaries (eval/summary_tasks.json)"))
    ok = total["coverage"] >= 0.8 and total["support"] >= 1.0 and total["duplicates"] == 0
    print(f"\ntargets (coverage ≥ 0.8, support 1.0, no duplicates): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
