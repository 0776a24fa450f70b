"""Where the verifier's mistakes come from, out of fold, over train+dev only (never test).

    .venv/bin/python -m eval.verifier_breakdown [--variants no-sentence-e5+versus …] [--fits trees150 …]

Reads the features ``eval/train_verifier.py`` cached (run it once first). For each variant and fit,
every train+dev question is scored by a model fitted on the other folds' documents (5 folds grouped
by document, as the training does), calibrated and thresholded for 0.80 precision as the training
does, and the questions answered wrongly at that threshold are sorted into:

- an unanswerable question answered (the verifier's yes/no);
- an answerable question whose pool holds a right candidate but another was ranked first (the
  candidates' ranking, not the threshold), from the same document or another;
- an answerable question whose pool holds no right candidate (candidate generation, retrieval).

It also prints the precision when the threshold and calibration of each fold come from the other
folds only (nested: is choosing the threshold on the same out-of-fold questions optimistic?), and
the spread of precision over draws of 10 documents (8 vbpl + 2 corpus, as the test split): how far
one small set of documents falls from the pooled figure by chance.
"""
from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from eval import train_verifier as tv
from eval.verifier_data import split_of


def breakdown(pool: list[dict], probs: list[np.ndarray], table: list, t: float) -> Counter:
    out: Counter = Counter()
    for q, p, (pp, ok, ans) in zip(pool, probs, table):
        has_right = any(c["y"] == 1 for c in q["cands"])
        if ans and has_right:
            out["answerable with a right candidate in the pool"] += 1
            out["  ... ranked first"] += ok
        if pp < t:
            continue
        out["answered"] += 1
        if ok:
            continue
        out["answered wrongly"] += 1
        if not ans:
            out["  unanswerable, answered"] += 1
        elif has_right:
            same = q["cands"][int(np.argmax(p))]["doc"] == q["doc"]
            out["  right candidate in the pool, another ranked first" + (" (same document)" if same else " (another document)")] += 1
        else:
            out["  no right candidate in the pool"] += 1
    return out


def nested(table: list, folds: list, target: float) -> dict:
    rows = []
    for fit_ix, held_ix in folds:
        other = [table[i] for i in fit_ix]
        cal = tv.platt(other)
        t = tv.choose_threshold(tv.calibrated(other, cal), target)
        rows += [(r, t) for r in tv.calibrated([table[i] for i in held_ix], cal)]
    answered = [r for r, t in rows if r[0] >= t]
    right = sum(r[1] for r in answered)
    return {"precision": right / max(1, len(answered)), "wrong_rate": (len(answered) - right) / len(rows),
            "recall": right / max(1, sum(r[2] for r, _ in rows))}


def ten_documents(pool: list[dict], table: list, t: float, draws: int = 2000) -> np.ndarray:
    rng = np.random.RandomState(0)
    by: dict[str, list] = {}
    for q, r in zip(pool, table):
        by.setdefault(q["doc"], []).append(r)
    vbpl = sorted(d for d in by if d.startswith("vbpl"))
    corpus = sorted(d for d in by if not d.startswith("vbpl"))
    ps = []
    for _ in range(draws):
        pick = list(rng.choice(vbpl, 8, replace=False)) + list(rng.choice(corpus, 2, replace=False))
        ps.append(tv.at_threshold([r for d in pick for r in by[d]], t)["precision"])
    return np.percentile(ps, [5, 25, 50])


def main() -> None:
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="*", default=["no-sentence-e5+versus", "no-sentence-e5+versus+pooled"])
    ap.add_argument("--fits", nargs="*", default=["trees150"])
    ap.add_argument("--target-precision", type=float, default=0.80)
    args = ap.parse_args()
    where = split_of()
    data = tv.load_cache()
    pool = [q for q in data if where.get(q["doc"]) == "train"] + [q for q in data if where.get(q["doc"]) == "dev"]
    folds = list(GroupKFold(n_splits=5).split(np.zeros(len(pool)), groups=[q["doc"] for q in pool]))
    columns = tv.variant_columns()
    for vname in args.variants:
        cols = columns[vname]
        for fit in args.fits:
            iters = int(fit.removeprefix("trees"))
            make = lambda qs, cols=cols, iters=iters: {**tv.fit_trees(qs, iters, cols), "_cols": cols}  # noqa: E731
            probs = tv.out_of_fold(pool, folds, make)
            raw = tv.question_table(pool, probs)
            table = tv.calibrated(raw, tv.platt(raw))
            t = tv.choose_threshold(table, args.target_precision)
            m = tv.at_threshold(table, t)
            print(f"{vname} {fit}: out-of-fold AP {tv.average_precision(raw):.3f}; at {t:.3f} precision "
                  f"{m['precision']:.3f} recall {m['recall']:.3f} wrong {m['wrong_rate']:.3f}")
            for k, v in sorted(breakdown(pool, probs, table, t).items()):
                print(f"  {k}: {v}")
            n = nested(raw, folds, args.target_precision)
            print(f"  nested threshold (from the other folds): precision {n['precision']:.3f} recall {n['recall']:.3f} "
                  f"wrong {n['wrong_rate']:.3f}")
            print("  precision of 10-document draws at the threshold, 5th/25th/50th percentile: "
                  + " / ".join(f"{x:.3f}" for x in ten_documents(pool, table, t)), flush=True)


if __name__ == "__main__":
    main()
