"""Benchmark of the task extractor against the hand-made gold table (eval/gold_tasks.json).

Each gold document is parsed with the product's own ``parse_file`` and its tasks extracted.
A predicted task is matched to a gold task of the same document when the gold ``evidence``
phrase and the predicted quote overlap (accent-insensitive, tone-canonical, punctuation
ignored), or, failing that, when both sit in the same numbered section and share a lead
unit; matching is one-to-one, best overlap first. Then:

- (task, lead unit) pairs: a predicted pair is right when its task matched a gold task that
  names the same unit as lead (units compared by normalised name); every lead of an
  unmatched predicted task is wrong, every lead of an unmatched gold task is missed;
- deadlines: a predicted deadline is right when its matched gold task has the same one.

Run:  .venv/bin/python -m eval.tasks [--verbose]
Targets: lead-pair precision ≥ 0.95, recall ≥ 0.90.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

from ingest.lang.normalize import fold_accents, search_form
from ingest.pipeline import parse_file
from ingest.tasks import Task, extract_tasks
from ingest.unit_match import match_score
from ingest.unit_names import unit_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "eval" / "gold_tasks.json"
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90


def norm(text: str) -> str:
    folded = fold_accents(search_form(text or "")).lower()
    return " ".join(re.sub(r"[^\w/]+", " ", folded).split())


def overlap(a: str, b: str) -> float:
    """1.0 when one phrase holds the other, else the longest shared run over the shorter one."""
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size / min(len(a), len(b))


def same_unit(a: str, b: str) -> bool:
    return unit_key(a) == unit_key(b) or match_score(a, b) >= 0.9


def section_number(label: str | None) -> str:
    return (label or "").split(" ")[0]


def match(preds: list[Task], golds: list[dict], text: str) -> list[tuple[int, int]]:
    """One-to-one (pred index, gold index) pairs."""
    scored: list[tuple[float, int, int]] = []
    for gi, g in enumerate(golds):
        ev = norm(g.get("evidence", ""))
        for pi, p in enumerate(preds):
            quote = norm(text[p.char_start:p.char_end])
            s = overlap(ev, quote)
            if s < 0.6:
                span = norm(text[p.task_start:p.task_end])
                s = 0.8 * overlap(ev, span) if ev and ev in span else 0.0
            if s >= 0.6:
                scored.append((s, pi, gi))
    scored.sort(key=lambda x: -x[0])
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, pi, gi in scored:
        if pi in used_p or gi in used_g:
            continue
        used_p.add(pi)
        used_g.add(gi)
        pairs.append((pi, gi))
    # Fallback: same numbered section and a shared lead unit.
    for gi, g in enumerate(golds):
        if gi in used_g or not g.get("section"):
            continue
        for pi, p in enumerate(preds):
            if pi in used_p or section_number(p.section) != g["section"]:
                continue
            if any(same_unit(a, b) for a in p.lead_units for b in g.get("lead_units") or []):
                used_p.add(pi)
                used_g.add(gi)
                pairs.append((pi, gi))
                break
    return pairs


def same_deadline(a: str | None, b: str | None) -> bool:
    x, y = norm(a or ""), norm(b or "")
    return bool(x and y and (x in y or y in x))


def evaluate(verbose: bool = False) -> dict:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    by_doc: dict[str, list[dict]] = {}
    for row in gold["tasks"]:
        by_doc.setdefault(row["doc"], []).append(row)
    totals = {"lead_tp": 0, "lead_pred": 0, "lead_gold": 0, "dl_tp": 0, "dl_pred": 0, "dl_gold": 0,
              "rows_gold": 0, "rows_pred": 0, "rows_matched": 0}
    rows = []
    for source in sorted(by_doc):
        golds = by_doc[source]
        doc = parse_file(CORPUS / source, source, max_bytes=100 * 1024 * 1024, ocr=True)
        preds = extract_tasks(doc)
        pairs = match(preds, golds, doc.text)
        matched_gold = {pi: gi for pi, gi in pairs}
        c = {k: 0 for k in totals}
        c["rows_gold"], c["rows_pred"], c["rows_matched"] = len(golds), len(preds), len(pairs)
        c["lead_gold"] = sum(len(g.get("lead_units") or []) for g in golds)
        c["lead_pred"] = sum(len(p.lead_units) for p in preds)
        c["dl_gold"] = sum(1 for g in golds if g.get("deadline"))
        c["dl_pred"] = sum(1 for p in preds if p.deadline)
        notes: list[str] = []
        for pi, p in enumerate(preds):
            gi = matched_gold.get(pi)
            g = golds[gi] if gi is not None else None
            g_leads = (g.get("lead_units") or []) if g else []
            for u in p.lead_units:
                if any(same_unit(u, v) for v in g_leads):
                    c["lead_tp"] += 1
                else:
                    notes.append(f"  FP lead  {u!r} ← {p.quote[:90]!r}" + (f" [gold {g['id']}]" if g else " [no gold row]"))
            if p.deadline:
                if g and same_deadline(p.deadline, g.get("deadline")):
                    c["dl_tp"] += 1
                else:
                    notes.append(f"  FP deadline {p.deadline!r} ← {p.quote[:80]!r}")
        matched_g = set(matched_gold.values())
        for gi, g in enumerate(golds):
            p = next((preds[pi] for pi, gj in pairs if gj == gi), None)
            for u in g.get("lead_units") or []:
                if not p or not any(same_unit(u, v) for v in p.lead_units):
                    notes.append(f"  FN lead  {u!r} [{g['id']}]" + ("" if gi in matched_g else " (row unmatched)"))
            if g.get("deadline") and not (p and same_deadline(p.deadline, g["deadline"])):
                notes.append(f"  FN deadline {g['deadline']!r} [{g['id']}]")
        for k in totals:
            totals[k] += c[k]
        rows.append((source, c, notes))
    print(f"{'document':52} rows g/p/m   lead P    lead R    deadline P  deadline R")
    for source, c, notes in rows:
        print(f"{source[:52]:52} {c['rows_gold']:>2}/{c['rows_pred']:>2}/{c['rows_matched']:>2}   "
              f"{_ratio(c['lead_tp'], c['lead_pred'])}  {_ratio(c['lead_tp'], c['lead_gold'])}  "
              f"{_ratio(c['dl_tp'], c['dl_pred'])}    {_ratio(c['dl_tp'], c['dl_gold'])}")
        if verbose:
            for n in notes:
                print(n)
    t = totals
    p_lead = t["lead_tp"] / t["lead_pred"] if t["lead_pred"] else 0.0
    r_lead = t["lead_tp"] / t["lead_gold"] if t["lead_gold"] else 0.0
    print(f"{'OVERALL':52} {t['rows_gold']:>2}/{t['rows_pred']:>2}/{t['rows_matched']:>2}   "
          f"{_ratio(t['lead_tp'], t['lead_pred'])}  {_ratio(t['lead_tp'], t['lead_gold'])}  "
          f"{_ratio(t['dl_tp'], t['dl_pred'])}    {_ratio(t['dl_tp'], t['dl_gold'])}")
    ok = p_lead >= TARGET_PRECISION and r_lead >= TARGET_RECALL
    print(f"(task, lead unit) precision {p_lead:.3f} (target {TARGET_PRECISION}), recall {r_lead:.3f} "
          f"(target {TARGET_RECALL}): {'met' if ok else 'NOT met'}")
    return {"lead_precision": p_lead, "lead_recall": r_lead, "totals": t, "ok": ok}


def _ratio(a: int, b: int) -> str:
    return f"{a:>2}/{b:<2} {a / b:.2f}" if b else f"{a:>2}/{b:<2}  -  "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="list every wrong and missed pair")
    args = ap.parse_args()
    result = evaluate(verbose=args.verbose)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
