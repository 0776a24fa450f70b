"""Train the answer verifier (bot/answer/verifier.py) and choose its one threshold.

    .venv/bin/python -m eval.train_verifier [--target-precision 0.80] [--folds 5] [--reuse]
        [--variants no-sentence-e5+versus+pooled …] [--fits trees150 …]

1. The labelled documents (corpus/ and the vbpl documents the rows name) are ingested into one
   eval home (``eval/verifier_data.py``), so every question is asked of the whole pool.
2. Each question runs through the real path: Query → hybrid retrieval → candidates and the
   document-card answer → the verifier's features (``ExtractiveAnswerer.propose``).
3. A candidate is positive when its question is answerable and it is a sentence of the gold
   document that holds the gold answer span (or, for yes/no and short spans, lies inside the
   gold passage); a sentence inside the gold passage that holds too little of the span is left
   out of training; every other candidate is negative.
4. Train and dev are pooled (49 documents) and cut into folds by document (GroupKFold): each
   model (logistic regression or gradient-boosted trees, with or without the sentence e5
   features and the pool-relative DERIVED features) scores every question from a fit that never
   saw its document. The model with the best out-of-fold average precision is kept; a Platt
   calibration is fitted on its out-of-fold best-candidate P (right or not), and the threshold
   is the lowest calibrated P at which the out-of-fold answered questions reach the target
   precision. The kept model is then refitted on all of train+dev. The test split is only
   reported (aggregates).
5. The model (features, standardisation or trees, calibration, threshold, figures) is written
   to var/eval/verifier-candidate.json, or with ``--out bot/answer/verifier_model.json`` over
   the shipped model. Nothing here reads ../shared/external-eval.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from eval.common import EVAL_HOME, REPO, norm, services_for
from eval.verifier_data import load_rows, pooled_corpus, split_of

FEATURE_CACHE = EVAL_HOME / "verifier-features.jsonl"
CANDIDATE_PATH = EVAL_HOME / "verifier-candidate.json"


def label(row: dict, source: str, text: str) -> int | None:
    """1: the candidate answers the row; 0: it does not; None: inside the gold passage but holding
    too little of the span to say. A span too short to search for ("có", "T") counts by the
    passage: the candidate must lie in it (or hold half of it) and, unless yes/no, write the span."""
    if not row["answerable"] or source != row["doc"]:
        return 0
    answer, cand = norm(row["answer"] or ""), norm(text)
    words = cand.split()
    passage = norm(row["passage"]).split()
    inside = sum(w in set(passage) for w in words) / max(1, len(words))
    covered = sum(w in set(words) for w in passage) / max(1, len(passage))
    yesno = row["answer_type"] == "yesno" or answer in ("co", "khong")
    if len(answer) < 4 or yesno:
        near = inside >= 0.6 or covered >= 0.5
        if near and (yesno or answer in words):
            return 1
        return None if near else 0
    if answer in cand:
        return 1
    if inside < 0.8 or len(words) < 3:
        return 0
    held = answer.split()
    share = sum(w in set(words) for w in held) / max(1, len(held))
    return 1 if share >= 0.6 else None


def collect(rows: list[dict]) -> list[dict]:
    from bot.answer.passages import with_assignments
    from bot.answer.verifier import FEATURES

    services, stats = services_for("verifier", pooled_corpus())
    print(f"pooled home: {len(services.ledger.records())} documents, ingest {stats['seconds']:.0f}s, "
          f"skipped {stats['skipped']}", flush=True)
    answerer, chat = services.answerer, services.chat
    answerer.features.need_sims = True  # every feature is collected; the model may use fewer
    out = []
    t0 = time.perf_counter()
    for i, row in enumerate(rows):
        q = answerer.query(row["question"])
        hits = chat.retrieve(q)
        prop = answerer.propose(q, hits)
        cands = []
        for s in prop.scored:
            c = s.cand
            # What an answer from this candidate can show: the sentence (with its list's lead-in)
            # and the assignment lines of its item (a unit or a deadline is answered from those).
            shown = with_assignments(c)
            cands.append({"f": [round(x, 5) for x in s.features], "y": label(row, c.hit.source, shown),
                          "doc": c.hit.source, "text": shown})
        out.append({"id": row["id"], "doc": row["doc"], "answerable": row["answerable"],
                    "kind": row.get("unanswerable_kind") or row["answer_type"], "style": row["style"],
                    "no_date": prop.fixed == "<no date of issue>", "cands": cands})
        if (i + 1) % 100 == 0:
            print(f"  {i + 1}/{len(rows)} questions, {time.perf_counter() - t0:.0f}s", flush=True)
    services.close()
    FEATURE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with FEATURE_CACHE.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"features": FEATURES}) + "\n")
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out


def load_cache() -> list[dict]:
    from bot.answer.verifier import FEATURES

    lines = FEATURE_CACHE.read_text(encoding="utf-8").splitlines()
    if json.loads(lines[0])["features"] != FEATURES:
        raise SystemExit("the cached features are not the verifier's: run without --reuse")
    return [json.loads(line) for line in lines[1:]]


def question_table(questions: list[dict], probs: list[np.ndarray]) -> list[tuple[float, bool, bool]]:
    """(P of the best candidate, it answers correctly, the question is answerable) per question;
    a candidate left unlabelled (inside the gold passage) counts as correct."""
    out = []
    for q, p in zip(questions, probs):
        if not len(p) or q["no_date"]:
            out.append((0.0, False, q["answerable"]))
            continue
        best = int(np.argmax(p))
        y = q["cands"][best]["y"]
        out.append((float(p[best]), y != 0, q["answerable"]))
    return out


def at_threshold(table: list[tuple[float, bool, bool]], t: float) -> dict:
    answered = [(ok, ans) for p, ok, ans in table if p >= t]
    n = len(table)
    n_ans = sum(1 for _, _, a in table if a)
    n_un = n - n_ans
    right = sum(ok for ok, _ in answered)
    return {
        "threshold": round(t, 3),
        "precision": right / len(answered) if answered else 1.0,
        "recall": right / n_ans if n_ans else 0.0,  # answerable questions answered correctly
        "wrong_rate": (len(answered) - right) / n if n else 0.0,
        "refused_unanswerable": sum(1 for p, _, a in table if not a and p < t) / n_un if n_un else 0.0,
    }


def average_precision(table: list[tuple[float, bool, bool]]) -> float:
    """The area under the question-level precision/recall curve (answering in order of P): a
    steadier way to compare models than recall at one precision, which a few dev questions move."""
    order = sorted(table, key=lambda r: -r[0])
    n_ans = sum(1 for _, _, a in table if a)
    right = total = 0
    ap = 0.0
    for p, ok, ans in order:
        total += 1
        if ans and ok:
            right += 1
            ap += right / total
    return ap / n_ans if n_ans else 0.0


def choose_threshold(table: list[tuple[float, bool, bool]], target: float, min_answered: int = 20) -> float:
    """The lowest threshold from which the answered questions keep ``target`` precision at every
    higher threshold that still answers at least ``min_answered`` (fewer say nothing): recall as
    high as the precision allows. 1.0 (never answer) when no threshold reaches it."""
    ps = sorted({round(p, 4) for p, _, _ in table})
    usable = [t for t in ps if sum(p >= t for p, _, _ in table) >= min_answered]
    good = [at_threshold(table, t)["precision"] >= target for t in usable]
    for i, t in enumerate(usable):
        if all(good[i:]):
            return t
    return 1.0


def matrix(q: dict) -> np.ndarray:
    """A question's candidate rows: the collected FEATURES, then the DERIVED ones (each candidate
    against the rest of its pool), as the Verifier computes them at serve time."""
    from bot.answer.verifier import versus

    if "_x" not in q:
        f = np.array([c["f"] for c in q["cands"]], np.float64)
        q["_x"] = np.hstack([f, versus(f)]) if len(f) else f
    return q["_x"]


def _xy(train: list[dict], cols: list[int]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for q in train:
        keep = [i for i, c in enumerate(q["cands"]) if c["y"] is not None]
        if keep:
            xs.append(matrix(q)[keep][:, cols])
            ys.extend(q["cands"][i]["y"] for i in keep)
    return np.vstack(xs), np.array(ys, np.int64)


def fit_logistic(train: list[dict], c: float, cols: list[int]) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = _xy(train, cols)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=5000).fit((x - scaler.mean_) / scale, y)
    return {"kind": "logistic regression over standardised features", "C": c,
            "mean": [round(float(v), 6) for v in scaler.mean_], "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 6),
            "candidates": len(y), "positive": int(y.sum())}


def fit_trees(train: list[dict], iters: int, cols: list[int]) -> dict:
    """Gradient-boosted trees (scikit-learn), exported as plain arrays the product walks itself."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = _xy(train, cols)
    clf = HistGradientBoostingClassifier(max_iter=iters, learning_rate=0.05, max_leaf_nodes=15, max_depth=6,
                                         min_samples_leaf=40, l2_regularization=1.0, random_state=0).fit(x, y)
    trees = []
    for (pred,) in clf._predictors:
        n = pred.nodes
        trees.append({"feature": n["feature_idx"].tolist(), "threshold": [float(v) for v in n["num_threshold"]],
                      "left": n["left"].tolist(), "right": n["right"].tolist(), "leaf": n["is_leaf"].astype(bool).tolist(),
                      "value": [round(float(v), 6) for v in n["value"]]})
    depth = max(int(pred.nodes["depth"].max()) for (pred,) in clf._predictors)
    return {"kind": "gradient-boosted trees", "iters": iters, "trees": trees, "max_depth": depth,
            "baseline": float(np.ravel(clf._baseline_prediction)[0]), "candidates": len(y), "positive": int(y.sum())}


def predict(questions: list[dict], cols: list[int], model: dict) -> list[np.ndarray]:
    from bot.answer.verifier import DERIVED, FEATURES, Verifier

    names = FEATURES + DERIVED
    v = Verifier({**model, "features": [names[i] for i in cols], "threshold": 0.5})
    return [v.probabilities([c["f"] for c in q["cands"]]) if q["cands"] else np.zeros(0) for q in questions]


def out_of_fold(pool: list[dict], folds: list[tuple[np.ndarray, np.ndarray]], make) -> list[np.ndarray]:
    """Each question's P from a model fitted on the other folds' documents: what the model says
    about documents it never saw, for choosing the model, its threshold and its calibration."""
    probs: list[np.ndarray] = [np.zeros(0)] * len(pool)
    for fit_ix, held_ix in folds:
        model = make([pool[i] for i in fit_ix])
        for i, p in zip(held_ix, predict([pool[i] for i in held_ix], model["_cols"], model)):
            probs[i] = p
    return probs


def platt(table: list[tuple[float, bool, bool]]) -> dict:
    """a, b such that sigmoid(a·logit(P) + b) is the chance that the best candidate at P is right,
    fitted on out-of-fold questions (one point each: its best candidate's P, right or not)."""
    from sklearn.linear_model import LogisticRegression

    pts = [(p, ok) for p, ok, _ in table if 0.0 < p < 1.0]
    z = np.array([[np.log(p / (1 - p))] for p, _ in pts])
    y = np.array([ok for _, ok in pts], np.int64)
    if len(set(y.tolist())) < 2:
        return {"a": 1.0, "b": 0.0}
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(z, y)
    return {"a": round(float(lr.coef_[0][0]), 6), "b": round(float(lr.intercept_[0]), 6), "points": len(pts)}


def calibrated(table: list[tuple[float, bool, bool]], cal: dict) -> list[tuple[float, bool, bool]]:
    out = []
    for p, ok, ans in table:
        if 0.0 < p < 1.0:
            p = float(1.0 / (1.0 + np.exp(-(cal["a"] * np.log(p / (1 - p)) + cal["b"]))))
        out.append((p, ok, ans))
    return out


def curve(table, thresholds=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)) -> list[dict]:
    return [at_threshold(table, t) for t in thresholds]


def variant_columns() -> dict[str, list[int]]:
    """The feature variants compared, as columns of ``matrix``: the candidate-relational FEATURES
    (never the question-only ones), with or without the sentence e5 ones, and DERIVED in two
    groups: the lead over the best other candidate (vs_, pool_size) and the z-score within the
    pool (z_, "pooled")."""
    from bot.answer.verifier import DERIVED, FEATURES, QUESTION_ONLY, SIM_FEATURES

    names = FEATURES + DERIVED
    relational = [i for i, n in enumerate(FEATURES) if n not in QUESTION_ONLY]
    derived = [len(FEATURES) + i for i in range(len(DERIVED))]
    no_e5 = [i for i in relational if FEATURES[i] not in SIM_FEATURES]
    lead = [i for i in derived if not names[i].startswith("z_")]
    pooled = [i for i in derived if names[i].startswith("z_")]
    return {"all": relational, "no-sentence-e5": no_e5,
            "all+versus": relational + lead,
            "no-sentence-e5+versus": no_e5 + [i for i in lead if names[i] not in SIM_FEATURES],
            "all+versus+pooled": relational + lead + pooled,
            "no-sentence-e5+versus+pooled": no_e5 + [i for i in lead if names[i] not in SIM_FEATURES] + pooled}


def main() -> None:
    from sklearn.model_selection import GroupKFold

    from bot.answer.verifier import DERIVED, FEATURES, MODEL_PATH

    ap = argparse.ArgumentParser()
    ap.add_argument("--target-precision", type=float, default=0.80)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="reuse the features of the last run")
    # A run writes a candidate beside the eval homes; the shipped model is replaced only when
    # named (`--out bot/answer/verifier_model.json`): twice a cross-validated choice raised the
    # held-out wrong-answer rate or refused a tested question, so it is measured first.
    ap.add_argument("--out", type=Path, default=CANDIDATE_PATH,
                    help=f"where to write the model (default {CANDIDATE_PATH.relative_to(REPO)}; "
                         f"the shipped one is {MODEL_PATH.relative_to(REPO)})")
    ap.add_argument("--variants", nargs="*", help="only these feature variants (default: all)")
    ap.add_argument("--fits", nargs="*", help="only these fits: logistic0.1 logistic1 trees150 trees300 (default: all)")
    args = ap.parse_args()
    where = split_of()
    rows = [r for r in load_rows() if r["doc"] in where]
    data = load_cache() if args.reuse and FEATURE_CACHE.exists() else collect(rows)
    parts = {name: [q for q in data if where.get(q["doc"]) == name] for name in ("train", "dev", "test")}
    for name, qs in parts.items():
        n_c = sum(len(q["cands"]) for q in qs)
        n_pos = sum(c["y"] == 1 for q in qs for c in q["cands"])
        reach = sum(any(c["y"] == 1 for c in q["cands"]) for q in qs if q["answerable"])
        print(f"{name}: {len(qs)} questions, {n_c} candidates, {n_pos} positive; answerable questions with a "
              f"positive candidate {reach}/{sum(q['answerable'] for q in qs)}")
    # Everything is chosen by cross-validation grouped by document over train+dev (49 documents),
    # not on one 12-document dev split, whose few documents moved the threshold: each fold's
    # questions are scored by a model that never saw their document. Test is only reported.
    pool = parts["train"] + parts["dev"]
    folds = list(GroupKFold(n_splits=args.folds).split(np.zeros(len(pool)), groups=[q["doc"] for q in pool]))
    names = FEATURES + DERIVED
    variants = variant_columns()
    fits = [("logistic", c, lambda qs, cols, c=c: fit_logistic(qs, c, cols)) for c in (0.1, 1.0)]
    fits += [("trees", k, lambda qs, cols, k=k: fit_trees(qs, k, cols)) for k in (150, 300)]
    best = None
    for vname, cols in variants.items():
        if args.variants and vname not in args.variants:
            continue
        for kind, size, fit in fits:
            if args.fits and f"{kind}{size:g}" not in args.fits:
                continue
            make = lambda qs, cols=cols, fit=fit: {**fit(qs, cols), "_cols": cols}  # noqa: E731
            table = question_table(pool, out_of_fold(pool, folds, make))
            t = choose_threshold(table, args.target_precision)
            m = at_threshold(table, t)
            ap_ = average_precision(table)
            print(f"{vname} {kind} {size}: out-of-fold AP {ap_:.3f}; threshold {t:.3f} precision {m['precision']:.3f} "
                  f"recall {m['recall']:.3f} wrong {m['wrong_rate']:.3f} "
                  f"refused-unanswerable {m['refused_unanswerable']:.3f}", flush=True)
            # The cheaper variant wins unless the e5 vectors add two points of AP (they cost an e5
            # pass per question, against a chat p95 budget of 150 ms).
            key = ap_ + (0.0 if vname.startswith("all") else 0.02)
            if best is None or key > best[0]:
                best = (key, vname, cols, fit, table)
    _, vname, cols, fit, table = best
    cal = platt(table)
    oof = calibrated(table, cal)
    for target in (0.80, 0.85, 0.90, 0.95):  # what each stated precision would cost, out of fold
        m = at_threshold(oof, choose_threshold(oof, target))
        print(f"  out-of-fold at target {target:.2f}: threshold {m['threshold']:.3f} precision {m['precision']:.3f} "
              f"recall {m['recall']:.3f} wrong {m['wrong_rate']:.3f} refused-unanswerable {m['refused_unanswerable']:.3f}")
    t = choose_threshold(oof, args.target_precision)
    # Per fold, at the chosen threshold: how much precision moves from one set of documents to another.
    fold_prec = []
    for _, held in folds:
        m = at_threshold([oof[i] for i in held], t)
        fold_prec.append(round(m["precision"], 3))
    model = fit(pool, cols)
    model["calibration"] = cal
    print(f"chosen: {vname} {model['kind']}, calibration a={cal['a']:.3f} b={cal['b']:.3f}, threshold {t:.3f}; "
          f"out-of-fold precision per fold {fold_prec}")
    report = {"out_of_fold": {"at_threshold": at_threshold(oof, t), "curve": curve(oof),
                              "precision_per_fold": fold_prec}}
    m = report["out_of_fold"]["at_threshold"]
    print(f"out-of-fold train+dev @ {t:.3f}: precision {m['precision']:.3f} recall {m['recall']:.3f} "
          f"wrong {m['wrong_rate']:.3f} refused-unanswerable {m['refused_unanswerable']:.3f}")
    chosen = {**model, "features": [names[i] for i in cols], "threshold": t}
    for name in ("train", "dev", "test"):
        tab = question_table(parts[name], predict(parts[name], cols, chosen))
        report[name] = {"at_threshold": at_threshold(tab, t), "curve": curve(tab)}
        m = report[name]["at_threshold"]
        fitted = " (fitted on)" if name != "test" else " (report only)"
        print(f"{name}{fitted} @ {t:.3f}: precision {m['precision']:.3f} recall {m['recall']:.3f} "
              f"wrong {m['wrong_rate']:.3f} refused-unanswerable {m['refused_unanswerable']:.3f}")
    model = {**model, "features": [names[i] for i in cols], "threshold": round(t, 4), "variant": vname,
             "target_precision": args.target_precision,
             "trained_on": {"questions": len(pool), "documents": len({q["doc"] for q in pool}),
                            "split": "train+dev of eval/verifier_split.json; chosen by "
                                     f"{args.folds}-fold cross-validation grouped by document"},
             "figures": report}
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (threshold {t:.3f}, {args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
