"""Uploading a document to the running server: indexed at once; bad uploads lose nothing."""
from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS, make_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from bot.http.app import create_app

    root = tmp_path_factory.mktemp("upload-corpus")
    (root / "asean").mkdir()
    shutil.copy(CORPUS / "asean" / "bonoivu-1117-qd-bnv-2021.txt", root / "asean")
    settings = make_settings(tmp_path_factory.mktemp("upload-home"), corpus=root, max_upload_mb=1,
                             admin_token="s3cret")
    app = create_app(settings)
    services = app.state.services
    from ingest.pipeline import ingest

    ingest([root], corpus_root=root, ledger=services.ledger, sink=services.indexer(), max_bytes=1 << 20)
    with TestClient(app, headers={"Authorization": "Bearer s3cret"}) as c:
        yield c
    services.close()


PLAN = """KẾ HOẠCH
Tuyên truyền về ASEAN năm 2026 của huyện Vân Hồ

1. Tuyên truyền trên loa phát thanh xã
- Nội dung triển khai: Phát bản tin về Cộng đồng ASEAN mỗi tuần hai lần.
- Đơn vị chủ trì: Phòng Văn hóa và Thông tin huyện Vân Hồ.
- Thời gian thực hiện: Hằng tuần.
"""


def test_uploaded_plan_is_answerable_at_once(client):
    r = client.post("/api/documents", files={"file": ("ke-hoach-van-ho.txt", PLAN.encode("utf-8"), "text/plain")})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "ingested" and r.json()["chunks"] >= 1
    out = client.post("/api/chat", json={"message": "Ở huyện Vân Hồ, đơn vị nào chủ trì phát bản tin ASEAN trên loa phát thanh xã?"}).json()
    assert out["grounded"] and "Phòng Văn hóa và Thông tin huyện Vân Hồ" in out["answer"]
    assert out["citations"][0]["source"] == "uploads/ke-hoach-van-ho.txt"
    docs = {d["source"] for d in client.get("/api/documents").json()["documents"]}
    assert "uploads/ke-hoach-van-ho.txt" in docs


@pytest.mark.parametrize("name,content,status,fragment", [
    ("big.txt", b"a" * (2 * 1024 * 1024), 413, "quá lớn"),
    ("virus.exe", b"MZ\x00\x00", 415, "không được hỗ trợ"),
    ("broken.pdf", b"%PDF-1.4 not really a pdf", 422, "Không thể đưa tệp"),
    ("../../etc/passwd.txt", b"\x00\x01\x02" * 400, 422, "Không thể đưa tệp"),
])
def test_bad_uploads_get_a_clear_message_and_lose_nothing(client, name, content, status, fragment):
    before = client.get("/healthz").json()["chunks"]
    r = client.post("/api/documents", files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == status and fragment in r.json()["detail"]
    assert client.get("/healthz").json()["chunks"] == before
    assert client.post("/api/search", json={"query": "Vụ Hợp tác quốc tế", "k": 1}).json()["hits"]


def test_uploads_need_the_admin_token(client):
    r = client.post("/api/documents", files={"file": ("x.txt", PLAN.encode("utf-8"), "text/plain")},
                    headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "quản trị" in r.json()["detail"]


def test_without_a_token_only_this_machine_may_upload(tmp_path):
    from bot.http.app import create_app

    app = create_app(make_settings(tmp_path / "home", corpus=tmp_path / "corpus"))
    with TestClient(app) as c:  # TestClient's client host is "testclient", not loopback
        r = c.post("/api/documents", files={"file": ("x.txt", PLAN.encode("utf-8"), "text/plain")})
    assert r.status_code == 403 and "quản trị" in r.json()["detail"]
