"""Benchmark of the task extractor against the hand-made gold tables.

Golds (each row: doc, section, task, lead_units, partner_units, deadline, evidence, shape):

- ``eval/gold_tasks.json``: the five ASEAN plans in ``corpus/`` (written while building the
  extractor; it must stay at 1.00);
- ``eval/gold_tasks_heldout_*.json``: documents the extractor was never built on, written blind
  by helpers who never saw the extractor (``doc`` relative to ``../shared/scale-corpus`` or to
  ``eval/heldout_docs``); ``gold_tasks_heldout_fresh.json`` (nine more vbpl documents, written
  blind after the work on DEV and TEST) and ``gold_tasks_heldout_fresh2.json`` (five more, written
  after session 11's work) are their own split, FRESH: measured, never tuned on.

The held-out documents are split by document into DEV (their rows and failures may be read
while improving the extractor) and TEST (only the aggregate figures printed here may be
looked at): see :data:`DEV_DOCS` and eval/README.md. ``--verbose`` lists rows only for the
corpus and the DEV documents.

Each gold document is parsed with the product's own ``parse_file`` and its tasks extracted.
A predicted task is matched to a gold task of the same document when the gold ``evidence``
phrase and the predicted quote overlap (accent-insensitive, tone-canonical, punctuation
ignored), or, failing that, when both sit in the same numbered section and share a lead
unit; matching is one-to-one, best overlap first. Then:

- (task, lead unit) pairs: a predicted pair is right when its task matched a gold task that
  names the same unit as lead (units compared by normalised name); every lead of an
  unmatched predicted task is wrong, every lead of an unmatched gold task is missed;
- partners: the same with partner units;
- deadlines: a predicted deadline is right when its matched gold task has the same one.

Figures are given per document, per shape (line, sentence, section, table: the gold's own
``shape``; an unmatched prediction counts under the shape it was extracted as) and overall.

Run:  .venv/bin/python -m eval.tasks [--verbose] [--gold corpus|sentences|tables|plans|fresh]
Targets on the held-out TEST documents: lead-pair precision ≥ 0.95, recall ≥ 0.90; partners
and deadlines ≥ 0.85; the corpus gold at 1.00.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from ingest.lang.normalize import fold_accents, search_form
from ingest.pipeline import parse_file
from ingest.tasks import Task, extract_tasks
from ingest.unit_match import match_score
from ingest.unit_names import unit_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SCALE = ROOT.parent / "shared" / "scale-corpus"
HELDOUT_DOCS = ROOT / "eval" / "heldout_docs"
GOLD = ROOT / "eval" / "gold_tasks.json"
GOLDS = {
    "corpus": GOLD,
    "sentences": ROOT / "eval" / "gold_tasks_heldout_sentences.json",
    "tables": ROOT / "eval" / "gold_tasks_heldout_tables.json",
    "plans": ROOT / "eval" / "gold_tasks_heldout_plans.json",
    # Written blind on 2026-12-06 after the extractor's work on DEV and TEST: nine more vbpl
    # documents, never read while building; its own split, FRESH, reported on its own.
    "fresh": ROOT / "eval" / "gold_tasks_heldout_fresh.json",
    # Written blind later on 2026-12-06 to widen DEV: five more vbpl documents (decrees and
    # National Assembly resolutions), all DEV, whose failures may be read.
    "dev2": ROOT / "eval" / "gold_tasks_heldout_dev2.json",
    # Written blind on 2026-12-06 (evening) by a helper who never saw the code: five more vbpl
    # documents (a Hà Nội plan filed as 03/2022/QH15, a QĐ-TTg, three laws), measured once as
    # written, then DEV.
    "dev3": ROOT / "eval" / "gold_tasks_heldout_dev3.json",
    # Written blind at the end of session 11 (2026-12-06, night) over five more vbpl laws, after
    # all the work above: part of FRESH, measured, never tuned on.
    "fresh2": ROOT / "eval" / "gold_tasks_heldout_fresh2.json",
    # Written blind in session 14 (2026-12-07) by a helper who never saw the code: six more vbpl
    # decrees and a State Bank circular, read once as written, then DEV.
    "dev4": ROOT / "eval" / "gold_tasks_heldout_dev4.json",
}
FRESH_GOLDS = ("fresh", "fresh2")
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90
TARGET_OTHER = 0.85
# The corpus gold has no "shape" field; its notes say how each plan assigns (lines in Quảng
# Ninh, unit-headed sections in Đông Sơn, sentences in the three news texts).
CORPUS_SHAPES = {"asean/quangninh-159-kh-ubnd-2021.docx": "line",
                 "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf": "section"}
PRED_SHAPES = {"lines": "line", "unit_heading": "section", "narrative": "sentence", "table": "table"}
SHAPES = ("line", "sentence", "section", "table")


def dev_docs() -> set[str]:
    """Held-out documents whose rows and failures may be read; every other one is TEST.

    Two vbpl documents, the first plan (alphabetically) of eval/heldout_docs, and every
    document of the dev2, dev3 and dev4 golds."""
    dev = {"vbpl/11-2017-q-ttg.docx", "vbpl/39-2015-tt-bct.docx"}
    for name in ("dev2", "dev3", "dev4"):
        if GOLDS[name].exists():
            dev |= {row["doc"] for row in json.loads(GOLDS[name].read_text())["tasks"]}
    plans = sorted(p for p in HELDOUT_DOCS.rglob("*") if p.is_file() and p.name not in ("SOURCES.md", "README.md")) \
        if HELDOUT_DOCS.exists() else []
    if plans:
        first = plans[0]
        dev |= {first.name, first.relative_to(HELDOUT_DOCS).as_posix(),
                first.relative_to(ROOT / "eval").as_posix(), first.relative_to(ROOT).as_posix()}
    return dev


DEV_DOCS = dev_docs()
# Documents a gold covers only in part: only predictions of the named shape are scored there
# (gold_tasks_heldout_plans.json records only 25/2016/TT-BCT's assignment table).
PARTIAL_DOCS = {"vbpl/25-2016-tt-bct.docx": "table"}
# Documents a gold labelled only in some articles (its notes say which): only predictions inside
# them are scored there. fresh2 labelled 33/2013/QH13 and 29/2013/QH13 in part.
SCOPED_DOCS = {"vbpl/33-2013-qh13.docx": ("27", "28", "29.2", "30.2", "31", "42", "43", "44", "47"),
               "vbpl/29-2013-qh13.docx": ("73", "74", "75", "76", "81")}


def in_scope(source: str, label: str | None) -> bool:
    """Is a prediction's section inside the articles its document's gold covers?"""
    scope = SCOPED_DOCS.get(source)
    key = _section_key(label)
    return scope is None or any(key == s or key.startswith(s + ".") for s in scope)


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


def _section_key(text: str | None) -> str:
    """A label's numbering without chapter and title: "Chương IV Điều 13.1.a Tên" and
    "Điều 13.1.a" → "13.1.a"; "III.2 Tên" → "III.2"."""
    text = text or ""
    m = re.search(r"Điều\s+(\d+[a-z]?(?:\.[\wđ]+)*)", text)
    return m.group(1) if m else text.split(" ")[0]


def match(preds: list[Task], golds: list[dict], text: str) -> list[tuple[int, int]]:
    """One-to-one (pred index, gold index) pairs."""
    scored: list[tuple[float, int, int]] = []
    quotes = [norm(text[p.char_start:p.char_end]) for p in preds]
    spans = [norm(text[p.task_start:p.task_end]) for p in preds]
    for gi, g in enumerate(golds):
        ev = norm(g.get("evidence", ""))
        for pi in range(len(preds)):
            s = overlap(ev, quotes[pi])
            if s < 0.6:
                s = 0.8 * overlap(ev, spans[pi]) if ev and ev in spans[pi] else 0.0
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
            if pi in used_p or _section_key(p.section) != _section_key(g["section"]):
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


_KEYS = ("lead_tp", "lead_pred", "lead_gold", "par_tp", "par_pred", "par_gold", "dl_tp", "dl_pred", "dl_gold",
         "rows_gold", "rows_pred", "rows_matched")


def _counts() -> dict[str, int]:
    return {k: 0 for k in _KEYS}


def resolve_doc(doc: str, gold_name: str) -> Path:
    roots = [CORPUS] if gold_name == "corpus" else [SCALE, HELDOUT_DOCS, ROOT / "eval", ROOT]
    for root in roots:
        if (root / doc).exists():
            return root / doc
    return roots[0] / doc


def score_document(source: str, golds: list[dict], path: Path, gold_name: str) -> tuple[dict, dict, list[str]]:
    """Counts for one document, overall and per shape, and the notes on every miss."""
    doc = parse_file(path, source, max_bytes=100 * 1024 * 1024, ocr=True)
    preds = [p for p in extract_tasks(doc) if in_scope(source, p.section)]
    if source in PARTIAL_DOCS and all(g.get("shape") == PARTIAL_DOCS[source] for g in golds):
        preds = [p for p in preds if PRED_SHAPES.get(p.shape) == PARTIAL_DOCS[source]]
    pairs = match(preds, golds, doc.text)
    gold_of = {pi: gi for pi, gi in pairs}
    pred_of = {gi: pi for pi, gi in pairs}
    c = _counts()
    by_shape: dict[str, dict] = defaultdict(_counts)
    notes: list[str] = []

    def gold_shape(g: dict) -> str:
        return g.get("shape") or CORPUS_SHAPES.get(g["doc"], "sentence")

    def add(shape: str, key: str, n: int = 1) -> None:
        c[key] += n
        by_shape[shape][key] += n

    for gi, g in enumerate(golds):
        shape = gold_shape(g)
        add(shape, "rows_gold")
        add(shape, "lead_gold", len(g.get("lead_units") or []))
        add(shape, "par_gold", len(g.get("partner_units") or []))
        add(shape, "dl_gold", 1 if g.get("deadline") else 0)
        pi = pred_of.get(gi)
        p = preds[pi] if pi is not None else None
        if p is not None:
            add(shape, "rows_matched")
        for u in g.get("lead_units") or []:
            if not p or not any(same_unit(u, v) for v in p.lead_units):
                notes.append(f"  FN lead  {u!r} [{g['id']}]" + ("" if p else " (row unmatched)"))
        for u in g.get("partner_units") or []:
            if not p or not any(same_unit(u, v) for v in p.partner_units):
                notes.append(f"  FN partner {u!r} [{g['id']}]")
        if g.get("deadline") and not (p and same_deadline(p.deadline, g["deadline"])):
            notes.append(f"  FN deadline {g['deadline']!r} [{g['id']}]" + (f" got {p.deadline!r}" if p else ""))
    for pi, p in enumerate(preds):
        gi = gold_of.get(pi)
        g = golds[gi] if gi is not None else None
        shape = gold_shape(g) if g else PRED_SHAPES.get(p.shape, "sentence")
        add(shape, "rows_pred")
        add(shape, "lead_pred", len(p.lead_units))
        add(shape, "par_pred", len(p.partner_units))
        add(shape, "dl_pred", 1 if p.deadline else 0)
        where = f" [gold {g['id']}]" if g else " [no gold row]"
        for u in p.lead_units:
            if g and any(same_unit(u, v) for v in g.get("lead_units") or []):
                add(shape, "lead_tp")
            else:
                notes.append(f"  FP lead  {u!r} ← {p.quote[:90]!r}{where}")
        for u in p.partner_units:
            if g and any(same_unit(u, v) for v in g.get("partner_units") or []):
                add(shape, "par_tp")
            else:
                notes.append(f"  FP partner {u!r} ← {p.quote[:80]!r}{where}")
        if p.deadline:
            if g and same_deadline(p.deadline, g.get("deadline")):
                add(shape, "dl_tp")
            else:
                notes.append(f"  FP deadline {p.deadline!r} ← {p.quote[:80]!r}{where}")
    return c, by_shape, notes


def _ratio(a: int, b: int) -> str:
    return f"{a:>3}/{b:<3} {a / b:.2f}" if b else f"{a:>3}/{b:<3}  -  "


def _line(label: str, c: dict) -> str:
    return (f"{label[:44]:44} {c['rows_gold']:>3}/{c['rows_pred']:>3}/{c['rows_matched']:>3}  "
            f"{_ratio(c['lead_tp'], c['lead_pred'])} {_ratio(c['lead_tp'], c['lead_gold'])}  "
            f"{_ratio(c['par_tp'], c['par_pred'])} {_ratio(c['par_tp'], c['par_gold'])}  "
            f"{_ratio(c['dl_tp'], c['dl_pred'])} {_ratio(c['dl_tp'], c['dl_gold'])}")


_HEAD = (f"{'':44} rows g/p/m    lead P       lead R        partner P    partner R     "
         f"deadline P   deadline R")


def _rate(tp: int, n: int) -> float:
    return tp / n if n else 1.0


def summary(c: dict) -> dict[str, float]:
    return {"lead_precision": _rate(c["lead_tp"], c["lead_pred"]), "lead_recall": _rate(c["lead_tp"], c["lead_gold"]),
            "partner_precision": _rate(c["par_tp"], c["par_pred"]), "partner_recall": _rate(c["par_tp"], c["par_gold"]),
            "deadline_precision": _rate(c["dl_tp"], c["dl_pred"]), "deadline_recall": _rate(c["dl_tp"], c["dl_gold"])}


def evaluate(verbose: bool = False, golds: list[str] | None = None) -> dict:
    """Prints every gold's figures; returns {gold or "held-out dev"/"held-out test": summary}."""
    results: dict[str, dict] = {}
    split_totals = {"dev": _counts(), "test": _counts(), "fresh": _counts()}
    split_shapes: dict[str, dict[str, dict]] = {k: defaultdict(_counts) for k in split_totals}
    for name in golds or list(GOLDS):
        path = GOLDS[name]
        if not path.exists():
            continue
        rows = json.loads(path.read_text(encoding="utf-8"))["tasks"]
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            by_doc[row["doc"]].append(row)
        total = _counts()
        shapes: dict[str, dict] = defaultdict(_counts)
        print(f"\n== {name}: {path.relative_to(ROOT)} ({len(rows)} rows)")
        print(_HEAD)
        started = time.perf_counter()
        for source in sorted(by_doc):
            split = ("fresh" if name in FRESH_GOLDS else name if name == "corpus"
                     else "dev" if source in DEV_DOCS else "test")
            c, by_shape, notes = score_document(source, by_doc[source], resolve_doc(source, name), name)
            tag = "" if split == "corpus" else f"[{split}] "
            print(_line(tag + source.split("/")[-1], c))
            if verbose and split in ("corpus", "dev"):
                for n in notes:
                    print(n)
            for k in _KEYS:
                total[k] += c[k]
                if split in split_totals:
                    split_totals[split][k] += c[k]
            for shape, sc in by_shape.items():
                for k in _KEYS:
                    shapes[shape][k] += sc[k]
                    if split in split_shapes:
                        split_shapes[split][shape][k] += sc[k]
        for shape in SHAPES:
            if shape in shapes:
                print(_line(f"  shape: {shape}", shapes[shape]))
        print(_line("ALL", total) + f"   ({time.perf_counter() - started:.1f}s)")
        results[name] = summary(total)
    for split in ("dev", "test", "fresh"):
        t = split_totals[split]
        if not t["rows_gold"]:
            continue
        print(f"\n== held-out {split.upper()} (all held-out golds, {split} documents)")
        print(_HEAD)
        for shape in SHAPES:
            if shape in split_shapes[split]:
                print(_line(f"  shape: {shape}", split_shapes[split][shape]))
        print(_line(f"HELD-OUT {split.upper()}", t))
        results[f"held-out {split}"] = summary(t)
    ok = True
    for key, s in results.items():
        if key == "corpus":
            met = s["lead_precision"] == 1.0 and s["lead_recall"] == 1.0
        elif key in ("held-out test", "held-out fresh"):
            met = (s["lead_precision"] >= TARGET_PRECISION and s["lead_recall"] >= TARGET_RECALL
                   and min(s["partner_precision"], s["partner_recall"], s["deadline_precision"],
                           s["deadline_recall"]) >= TARGET_OTHER)
        else:
            continue
        ok &= met
        print(f"{key}: (task, lead) P {s['lead_precision']:.3f} R {s['lead_recall']:.3f}; partner P "
              f"{s['partner_precision']:.3f} R {s['partner_recall']:.3f}; deadline P {s['deadline_precision']:.3f} "
              f"R {s['deadline_recall']:.3f}: {'met' if met else 'NOT met'}")
    results["ok"] = ok
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="list every wrong and missed pair (corpus and DEV documents only)")
    ap.add_argument("--gold", action="append", choices=list(GOLDS), help="only these golds (repeatable)")
    args = ap.parse_args()
    result = evaluate(verbose=args.verbose, golds=args.gold)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
