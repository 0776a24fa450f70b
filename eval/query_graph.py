"""Which weight matrices of the int8 query graph to leave in float32: greedy sensitivity.

The int8 query graph (``index/e5_quantize.py``, ``ASEANBOT_QUERY_ENCODER=int8``) quantises every
MatMul of the fused e5 graph. Some matter more than others: this script quantises all but one
matrix at a time and ranks them by how much keeping that one in float32 raises the mean cosine
of question vectors to the fp32 graph's, then adds them greedily and prints the curve.

Questions: 300 drawn (seed 0) from the verifier's *training* split (``eval/verifier_data.py``),
written blind by helpers over ``corpus/`` and ``../shared/scale-corpus``; none of the retrieval
sets that measure the encoder (project, smoke, ALQAC, ALQAC 2025, ViQuAD) is read here.

    .venv/bin/python -m eval.query_graph [--questions 300] [--steps 6]

``index.e5_quantize.FP32_MATMULS`` holds the first two of the ranking this printed on
2026-12-06 (layer 4's and layer 0's FFN down-projection); retrieval with the resulting graph is
measured by ``python -m eval.encoder_bench --variants bf16-q8 --quality-only``.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from eval.common import MODEL_CACHE
from index.e5_quantize import int8_matmuls, quiet_tools, unquantized_query_graph
from index.e5_build import ONNX_FILE
from index.embeddings import OnnxEncoder


def main() -> None:
    import onnx

    from eval.verifier_data import rows_in

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--steps", type=int, default=6)
    args = ap.parse_args()
    folder = MODEL_CACHE / "e5-small"
    if not (folder / ONNX_FILE).exists():
        raise SystemExit(f"no model at {folder}: run `aseanbot setup` first")
    questions = [r["question"] for r in rows_in("train")]
    pick = np.random.default_rng(0).choice(len(questions), min(args.questions, len(questions)), replace=False)
    texts = ["query: " + questions[i] for i in pick]
    ref = OnnxEncoder(folder).encode(texts, 1)
    quiet_tools()
    cfg = json.loads((folder / "config.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        compact, trial = Path(tmp) / "compact.onnx", Path(tmp) / "trial.onnx"
        unquantized_query_graph(folder / ONNX_FILE, compact, num_heads=cfg["num_attention_heads"],
                                hidden_size=cfg["hidden_size"])
        matmuls = [n.name for n in onnx.load(str(compact)).graph.node if n.op_type == "MatMul"]

        def cosine(keep: list[str]) -> float:
            int8_matmuls(str(compact), trial, tuple(keep))
            vecs = OnnxEncoder(folder, model_file=str(trial)).encode(texts, 1)
            return float((vecs * ref).sum(1).mean())

        base = cosine([])
        print(f"{len(texts)} training questions; all {len(matmuls)} MatMuls int8: mean cosine {base:.5f}")
        gain = {n: cosine([n]) - base for n in matmuls}
        ranked = sorted(matmuls, key=lambda n: -gain[n])
        print("\nkept alone in float32 (gain in mean cosine):")
        for n in ranked[:10]:
            print(f"  {gain[n]:+.5f}  {n}")
        print("\ngreedy (kept in float32 → mean cosine):")
        for k in range(1, args.steps + 1):
            print(f"  {k:2d}  {cosine(ranked[:k]):.5f}  + {ranked[k - 1]}")


if __name__ == "__main__":
    main()
