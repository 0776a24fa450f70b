"""Hostile files and hostile clients (issue 19), one small generated case per item:
nothing read outside the corpus, no file that can exhaust memory or a core, no document
silently lost, uploads only with credentials, and the smaller HTTP edges. eval/hostile.py
runs the full-size versions with timings and memory."""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS, make_settings

MB = 1024 * 1024
PLAN = """KẾ HOẠCH
Tuyên truyền về ASEAN năm 2026 của huyện {place}

1. Tuyên truyền trên loa phát thanh xã
- Nội dung triển khai: Phát bản tin về Cộng đồng ASEAN mỗi tuần hai lần.
- Đơn vị chủ trì: Phòng Văn hóa và Thông tin huyện {place}.
"""


def plan(place: str) -> bytes:
    return PLAN.format(place=place).encode("utf-8")


def run_ingest(root: Path, ledger, sink=None, uploads: Path | None = None, paths=None, **kw):
    from ingest.pipeline import ingest

    return ingest(paths or [root], corpus_root=root, ledger=ledger, sink=sink, max_bytes=5 * MB,
                  uploads_root=uploads, **kw)


def rows(report) -> dict:
    return {r.source: r for r in report.rows}


def ledger_matches_store(services) -> bool:
    stored = services.store.doc_ids()
    expected = {e["doc_id"]: e["chunks"] for e in services.ledger.entries.values()}
    return stored == expected


# --- 1. only regular files inside the corpus or the uploads folder ---------------------------------


def test_symlinks_special_files_and_outside_paths_are_never_read(tmp_path):
    from ingest.pipeline import Ledger, source_for

    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(plan("CANARY-OUTSIDE"))
    root = tmp_path / "corpus"
    (root / "asean").mkdir(parents=True)
    (root / "asean" / "real.txt").write_bytes(plan("Vân Hồ"))
    (root / "asean" / "passwd-link.txt").symlink_to("/etc/passwd")
    (root / "asean" / "secret-link.txt").symlink_to(secret)
    (root / "asean" / "inside-link.txt").symlink_to(root / "asean" / "real.txt")
    (root / "linked-dir").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(root / "asean" / "pipe.txt")  # reading it would block ingest forever
    (root / os.fsdecode(b"bad-\xff-name.txt")).write_bytes(plan("Mộc Châu"))
    ledger = Ledger(tmp_path / "state")
    # An entry an older version stored under an absolute path goes, with its chunks.
    ledger.entries["/etc/hostname"] = {"doc_id": "etc-hostname", "source": "/etc/hostname", "sha256": "x", "chunks": 1}
    report = run_ingest(root, ledger, paths=[root, secret, Path("/etc/hostname")])
    by = rows(report)
    assert by["asean/real.txt"].status == "ingested"
    for name in ("asean/passwd-link.txt", "asean/secret-link.txt", "asean/inside-link.txt", "linked-dir"):
        assert by[name].status == "skipped" and "symlink" in by[name].reason, name
    assert by["asean/pipe.txt"].status == "skipped" and "không phải tệp thông thường" in by["asean/pipe.txt"].reason
    assert "UTF-8" in by[os.fsdecode(b"bad-\xff-name.txt")].reason
    for outside in (str(secret), "/etc/hostname"):
        assert "ngoài thư mục" in by[outside].reason
    assert set(ledger.entries) == {"asean/real.txt"}
    assert not any("CANARY" in json.dumps(ledger.document(e["doc_id"]), ensure_ascii=False)
                   for e in ledger.entries.values())
    assert source_for(secret, root) is None
    assert source_for(root / "asean" / "real.txt", root, tmp_path / "up") == "asean/real.txt"


def test_original_file_route_serves_no_symlink(tmp_path):
    from bot.http.pages import original_path

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("x")
    (root / "b.txt").symlink_to("/etc/passwd")
    settings = make_settings(tmp_path / "home", corpus=root)
    assert original_path(settings, {"source": "a.txt"}) == root / "a.txt"
    for source in ("b.txt", "/etc/passwd", "../../etc/passwd"):
        assert original_path(settings, {"source": source}) is None


# --- 2. zip containers measured before they are opened ---------------------------------------------


def _docx(path: Path, members: dict[str, bytes | int]) -> Path:
    """A zip whose members are bytes, or an int: that many zero bytes, written in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            if isinstance(content, int):
                with zf.open(name, "w") as out:
                    for _ in range(content // MB):
                        out.write(b"\0" * MB)
            else:
                zf.writestr(name, content)
    return path


def test_zip_bombs_are_refused_before_inflating(tmp_path):
    from ingest.document import LoadError
    from ingest.loaders import load
    from ingest.zipcheck import MAX_MEMBER, check_zip

    xml = b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>'
    cases = {
        "member.docx": {"[Content_Types].xml": b"<Types/>", "word/document.xml": MAX_MEMBER + MB},
        "ratio.docx": {"[Content_Types].xml": b"<Types/>", "word/document.xml": xml, "word/media/blank.bin": 4 * MB},
        "members.docx": {"word/document.xml": xml, **{f"x/{i}": b"" for i in range(5200)}},
    }
    for name, members in cases.items():
        path = _docx(tmp_path / name, members)
        assert path.stat().st_size < 2 * MB
        started = time.perf_counter()
        with pytest.raises(LoadError, match="tệp giải nén quá lớn"):
            load(path, max_bytes=50 * MB)
        assert time.perf_counter() - started < 2, name
    # Real documents pass: the shipped DOCX files are far below every limit.
    for real in CORPUS.rglob("*.docx"):
        assert check_zip(real)["word/document.xml"] < MAX_MEMBER


# --- 3. HTML linear and capped; every parse under a time and memory budget ----------------------


@pytest.mark.parametrize("depth", [1000, 4000, 50_000])
def test_deep_html_is_refused_quickly(tmp_path, depth):
    from ingest.document import LoadError
    from ingest.webpage import load_html

    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * depth + "<p>Nội dung.</p>" + "</div>" * depth + "</body></html>")
    started = time.perf_counter()
    with pytest.raises(LoadError, match="lồng quá sâu|quá nhiều phần tử"):
        load_html(page)
    assert time.perf_counter() - started < 5


def test_html_with_too_many_tags_or_nested_tables_is_refused(tmp_path):
    from ingest.document import LoadError
    from ingest.webpage import MAX_ELEMENTS, load_html

    flat = tmp_path / "flat.html"
    flat.write_text("<html><body>" + "<p>Ủy ban nhân dân tỉnh.</p>" * (MAX_ELEMENTS + 1) + "</body></html>")
    with pytest.raises(LoadError, match="quá nhiều phần tử"):
        load_html(flat)
    tables = tmp_path / "tables.html"
    tables.write_text("<html><body>" + "<table><tr><td>" * 40 + "x" + "</td></tr></table>" * 40 + "</body></html>")
    with pytest.raises(LoadError, match="bảng lồng nhau"):
        load_html(tables)


def test_html_counts_equal_get_text(tmp_path):
    """The one-pass counts the heuristics use are exactly what bs4's get_text() gives."""
    from bs4 import BeautifulSoup

    from ingest.webpage import _DROP_TAGS, _Counts

    rng = random.Random(19)
    tags = ["div", "p", "span", "a", "h1", "ul", "li", "table", "tr", "td", "b", "rt", "section"]

    def tree(depth: int) -> str:
        if depth > 6 or rng.random() < 0.2:
            return rng.choice(["", "  ", "Ủy ban", " nhân dân \n tỉnh ", "ASEAN"])
        return "".join(f"<{t}>{rng.choice(['', ' x ', 'Kế hoạch'])}{tree(depth + 1)}</{t}>"
                       for t in rng.sample(tags, rng.randint(1, 3)))

    for _ in range(30):
        soup = BeautifulSoup(f"<html><body>{tree(0)}<script>var a;</script></body></html>", "lxml")
        for tag in soup.find_all(_DROP_TAGS):
            tag.decompose()
        counts = _Counts(soup)
        for tag in soup.find_all(True):
            assert counts.text_len(tag) == len(tag.get_text(" ", strip=True))
            links = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
            assert counts.link_density(tag) == (links / counts.text_len(tag) if counts.text_len(tag) else 0.0)
            assert counts.holds_h1(tag) == (tag.find("h1") is not None)


def test_a_parse_past_its_budget_is_ended_with_a_reason(tmp_path):
    from ingest.isolate import ParseBudget, parse_in_child

    page = tmp_path / "slow.html"
    page.write_text("<html><body>" + "<p>Ủy ban nhân dân tỉnh giao Sở chủ trì.</p>" * 40_000 + "</body></html>")
    started = time.perf_counter()
    out = parse_in_child(ParseBudget(seconds=0.5), path=page, source="slow.html", max_bytes=50 * MB)
    assert out.doc is None and "quá thời gian" in out.reason
    assert time.perf_counter() - started < 3
    out = parse_in_child(ParseBudget(memory_mb=1), path=page, source="slow.html", max_bytes=50 * MB)
    assert out.doc is None and "bộ nhớ" in out.reason


def test_a_parse_in_a_child_gives_what_a_parse_in_process_gives():
    from ingest.isolate import ParseBudget, parse_in_child
    from ingest.pipeline import parse_file

    for name in ("asean/quangninh-159-kh-ubnd-2021.docx", "asean/tayninh-2502-kh-ubnd-2019.html"):
        here = parse_file(CORPUS / name, name, max_bytes=50 * MB)
        there = parse_in_child(ParseBudget(seconds=60), path=CORPUS / name, source=name, max_bytes=50 * MB).doc
        assert there.record() == here.record() and there.text == here.text
        assert [c.to_dict() for c in there.chunks] == [c.to_dict() for c in here.chunks]
        assert there.tasks is not None


# --- 4. doc ids unique and stable; nothing lost, ledger and store reconciled -------------------------


def test_doc_ids_are_unique_stable_and_keep_the_shipped_ones():
    from ingest.pipeline import doc_id_for

    for source in ("asean/quangninh-159-kh-ubnd-2021.docx", "asean/tayninh-2502-kh-ubnd-2019.html",
                   "asean/bonoivu-1117-qd-bnv-2021.txt", "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"):
        assert doc_id_for(source) == source.replace("/", "-").replace(".", "-")
    groups = [("uploads/KH 07.txt", "uploads/kh-07.txt", "uploads/KH-07.txt", "uploads/kh_07.txt"),
              ("uploads/x.txt", "uploads/x.TXT", "uploads/X.txt"),
              ("uploads/Kế hoạch.txt", "uploads/Kể hoạch.txt", "uploads/Ke hoach.txt"),
              ("a/b.txt", "a-b.txt", "a/b/c.txt", "a/b-c.txt", "a.b.txt")]
    for group in groups:
        ids = [doc_id_for(s) for s in group]
        assert len(set(ids)) == len(ids), group
        assert ids == [doc_id_for(s) for s in group]  # a function of the name alone
    long_name = "uploads/" + "Kế hoạch tuyên truyền " * 20 + ".docx"
    assert len(doc_id_for(long_name)) < 120
    assert doc_id_for("uploads/Kế hoạch.txt") == doc_id_for("uploads/Ke\u0302\u0301 hoạch.txt")  # NFC


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A small real index (model and embedded store) over look-alike names."""
    from bot.services import Services

    root = tmp_path_factory.mktemp("collide")
    names = {"KH 07.txt": "Vân Hồ", "kh-07.txt": "Mộc Châu", "x.txt": "Mai Châu", "x.TXT": "Yên Châu",
             "Kế hoạch.txt": "Sốp Cộp", "Kể hoạch.txt": "Thuận Châu"}
    for name, place in names.items():
        (root / name).write_bytes(plan(place))
    # A file that fails (a "PDF" of text) and its byte-identical valid twin.
    (root / "twin.pdf").write_bytes(plan("Quỳnh Nhai"))
    (root / "twin.txt").write_bytes(plan("Quỳnh Nhai"))
    services = Services(make_settings(tmp_path_factory.mktemp("collide-home"), corpus=root))
    report = run_ingest(root, services.ledger, services.indexer())
    yield services, report, root
    services.close()


def test_look_alike_names_are_all_indexed_and_a_failing_file_claims_nothing(indexed):
    services, report, _ = indexed
    by = rows(report)
    for name in ("KH 07.txt", "kh-07.txt", "x.txt", "x.TXT", "Kế hoạch.txt", "Kể hoạch.txt", "twin.txt"):
        assert by[name].status == "ingested", (name, by[name])
    assert by["twin.pdf"].status == "skipped"
    assert len({e["doc_id"] for e in services.ledger.entries.values()}) == 7
    assert ledger_matches_store(services)


def test_store_and_ledger_are_reconciled_at_start(indexed):
    from ingest.pipeline import ParsedDocument, parse_file

    services, _, root = indexed
    sink = services.indexer()
    # A crash after the store write, before the ledger write: chunks nobody knows.
    (root / "orphan.txt").write_bytes(plan("Bắc Yên"))
    orphan: ParsedDocument = parse_file(root / "orphan.txt", "orphan.txt", max_bytes=MB)
    sink.replace(orphan)
    (root / "orphan.txt").unlink()
    # Chunks of a known document gone (a crash between deleting old chunks and writing new ones).
    victim = services.ledger.entries["x.TXT"]["doc_id"]
    services.store.delete_where("doc_id", victim)
    assert not ledger_matches_store(services)
    report = run_ingest(root, services.ledger, sink)
    by = rows(report)
    assert by[orphan.doc_id].status == "removed" and by["x.TXT"].status == "updated"
    assert services.store.doc_ids() == {e["doc_id"]: e["chunks"] for e in services.ledger.entries.values()}


# --- 5. uploads: credentials first, before the body; forwarded addresses only from our proxies ------


@pytest.fixture(scope="module")
def open_app(tmp_path_factory):
    """An app with no admin token (uploads from this machine only); nothing is ingested."""
    from bot.http.app import create_app

    app = create_app(make_settings(tmp_path_factory.mktemp("open-home"), corpus=tmp_path_factory.mktemp("c")))
    yield app
    app.state.services.close()


@pytest.mark.parametrize("headers,status", [
    ({}, 415),  # this machine, no browser: allowed (then refused for the file type)
    ({"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}, 415),
    ({"Origin": "https://evil.example"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-site"}, 403),
    ({"Host": "evil.example:8000"}, 403),  # DNS rebinding
    ({"X-Forwarded-For": "203.0.113.7"}, 403),  # through a proxy: from anywhere
])
def test_without_a_token_only_this_machine_and_no_other_site_may_upload(open_app, headers, status):
    with TestClient(open_app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 5000)) as c:
        r = c.post("/api/documents", files={"file": ("x.exe", b"MZ", "application/octet-stream")}, headers=headers)
    assert r.status_code == status, r.text
    if status == 403:
        assert "quản trị" in r.json()["detail"]


def _raw_post(base: str, headers: dict[str, str], send_body: int = 0) -> tuple[str, int]:
    """POST with the given headers, then up to ``send_body`` bytes of body while no answer has
    come; returns the status line and how many body bytes were sent before it came."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    lines = ["POST /api/documents HTTP/1.1", f"Host: {host}:{port}", *[f"{k}: {v}" for k, v in headers.items()]]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sent = 0
    sock.setblocking(False)
    answer = b""
    deadline = time.time() + 10
    while time.time() < deadline and b"\r\n" not in answer:
        try:
            answer += sock.recv(4096)
            continue
        except BlockingIOError:
            pass
        if sent < send_body:
            try:
                sent += sock.send(b"\0" * 65536)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        time.sleep(0.001)
    sock.close()
    return answer.split(b"\r\n")[0].decode(), sent


def test_uploads_are_refused_before_the_body_is_read(tmp_path):
    from bot.http.app import create_app
    from bot.http.serving import serve_in_thread

    app = create_app(make_settings(tmp_path / "home", corpus=tmp_path / "corpus", admin_token="s3cret"))
    try:
        with serve_in_thread(app) as base:
            gb = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(1 << 30)}
            status, sent = _raw_post(base, {**gb, "Authorization": "Bearer wrong"}, send_body=8 * MB)
            assert status.split()[1:2] == ["401"] and sent < 4 * MB
            status, sent = _raw_post(base, {**gb, "Authorization": "Bearer s3cret"}, send_body=8 * MB)
            assert status.split()[1:2] == ["413"] and sent < 4 * MB
    finally:
        app.state.services.close()


def test_forwarded_addresses_only_from_trusted_proxies():
    from starlette.requests import Request

    from bot.http.ratelimit import client_address
    from bot.http.serving import proxy_options

    def request(peer: str, xff: str) -> Request:
        return Request({"type": "http", "client": (peer, 1), "headers": [(b"x-forwarded-for", xff.encode())]})

    assert client_address(request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"
    assert client_address(request("127.0.0.1", "203.0.113.9"), ["10.0.0.0/8"]) == "127.0.0.1"
    assert client_address(request("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.0.0.2"), ["10.0.0.0/8"]) == "203.0.113.9"
    assert proxy_options(make_settings(Path("/tmp/x"))) == {"proxy_headers": False}
    assert proxy_options(make_settings(Path("/tmp/x"), trusted_proxies=["10.0.0.1"]))["forwarded_allow_ips"] == ["10.0.0.1"]


# --- 6. the smaller edges ------------------------------------------------------------------------


def test_control_characters_and_bidi_overrides_are_dropped_not_refused():
    from bot.answer.chat import check_message

    assert check_message("Đơn vị\x08 nào\u202e chủ trì\ud800?\x85", 100) == "Đơn vị nào chủ trì?"


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_a_lone_surrogate_neither_fails_nor_cuts_the_stream(client):
    body = b'{"message": "\\ud800 B\\u1ed9 N\\u1ed9i v\\u1ee5 giao \\u0111\\u01a1n v\\u1ecb n\\u00e0o l\\u00e0m \\u0111\\u1ea7u m\\u1ed1i?"}'
    r = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and "\ud800" not in r.json()["question"]
    events = []
    with client.stream("POST", "/api/chat", content=body,
                       headers={"Content-Type": "application/json", "Accept": "text/event-stream"}) as r:
        assert r.status_code == 200
        events = [line.split(":", 1)[1].strip() for line in r.iter_lines() if line.startswith("event:")]
    assert events[0] == "citations" and events[-1] == "done"


@pytest.mark.parametrize("filters", [{"year": "abc"}, {"doc_id": {"$ne": 1}}, {"year": [2021, {"x": 1}]},
                                     {"password": "x"}, {"province": 7}, {"year": 10**30}])
def test_wrongly_typed_filters_are_422_in_vietnamese(client, filters):
    r = client.post("/api/search", json={"query": "ASEAN", "filters": filters})
    assert r.status_code == 422 and "Bộ lọc" in r.json()["detail"]


def test_validation_errors_and_oversized_bodies_in_vietnamese(client):
    r = client.post("/api/chat", json={})
    assert r.status_code == 422 and r.json()["detail"] == "Trường 'message' là bắt buộc."
    r = client.post("/api/search", json={"query": "x", "k": 500})
    assert r.status_code == 422 and "nhỏ hơn hoặc bằng 50" in r.json()["detail"]
    r = client.post("/api/chat", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    big = b'{"message": "' + b"a" * (100 * 1024) + b'"}'
    r = client.post("/api/chat", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]

    def chunks():  # no Content-Length: refused as soon as it passes the limit
        yield b'{"message": "'
        for _ in range(50):
            yield b"a" * 8192
        yield b'"}'

    r = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_upload_names_are_cut_by_bytes_and_keep_their_extension():
    from bot.http.uploads import MAX_NAME_BYTES, safe_name

    name = safe_name("Kế hoạch tuyên truyền về Cộng đồng ASEAN của Ủy ban nhân dân tỉnh Quảng Ninh " * 4 + ".docx")
    assert name.endswith(".docx") and len(name.encode()) <= MAX_NAME_BYTES and "Kế-hoạch" in name
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\a\\Kế hoạch.pdf") == "Kế-hoạch.pdf"


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    from bot.http.app import create_app

    root = tmp_path_factory.mktemp("up-corpus")
    (root / "asean").mkdir()
    shutil.copy(CORPUS / "asean" / "bonoivu-1117-qd-bnv-2021.txt", root / "asean")
    home = tmp_path_factory.mktemp("up-home")
    # What a crash left: a partial upload, and a file an unfinished upload replaced.
    uploads = home / "uploads"
    uploads.mkdir()
    (uploads / ".half.txt.1234abcd.part").write_bytes(plan("Partial"))
    (uploads / "kept.txt").write_bytes(plan("Unfinished"))
    (uploads / ".kept.txt.prev").write_bytes(plan("Kept"))
    settings = make_settings(home, corpus=root, admin_token="s3cret")
    app = create_app(settings)
    services = app.state.services
    run_ingest(root, services.ledger, services.indexer(), uploads=settings.uploads_dir)
    with TestClient(app, headers={"Authorization": "Bearer s3cret"}) as c:
        yield c, services
    services.close()


def test_uploads_live_under_home_and_crashed_ones_leave_nothing(upload_app):
    c, services = upload_app
    uploads = services.settings.uploads_dir
    assert not (uploads / ".half.txt.1234abcd.part").exists()
    assert (uploads / "kept.txt").read_bytes() == plan("Kept") and not (uploads / ".kept.txt.prev").exists()
    r = c.post("/api/documents", files={"file": ("Kế hoạch Vân Hồ.txt", plan("Vân Hồ"), "text/plain")})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "uploads/Kế-hoạch-Vân-Hồ.txt" and (uploads / "Kế-hoạch-Vân-Hồ.txt").is_file()
    assert not list(services.settings.corpus.rglob("Kế-hoạch-Vân-Hồ.txt"))
    # The same bytes again under another name: 200, the existing document named.
    r = c.post("/api/documents", files={"file": ("copy.txt", plan("Vân Hồ"), "text/plain")})
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    assert r.json()["doc_id"] == services.ledger.entries["uploads/Kế-hoạch-Vân-Hồ.txt"]["doc_id"]
    assert not (uploads / "copy.txt").exists()
    assert ledger_matches_store(services)


def test_cli_ingest_without_arguments_reads_corpus_and_uploads(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_bytes(plan("Vân Hồ"))
    (tmp_path / "home" / "uploads").mkdir(parents=True)
    (tmp_path / "home" / "uploads" / "b.txt").write_bytes(plan("Mộc Châu"))
    env = {"ASEANBOT_HOME": str(tmp_path / "home"), "ASEANBOT_CORPUS": str(root),
           "ASEANBOT_MODEL_CACHE": str(make_settings(tmp_path).models_dir), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    cli = Path(sys.executable).parent / "aseanbot"
    out = subprocess.run([str(cli), "ingest"], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "ingested 2" in out.stdout and "uploads/b.txt" in out.stdout


def test_many_clients_at_once_get_no_errors(client):
    """A short version of eval/hostile.py's 50 clients for 60 s."""
    from concurrent.futures import ThreadPoolExecutor

    questions = ["Bộ Nội vụ giao đơn vị nào làm đầu mối theo dõi kế hoạch ASEAN?", "ASEAN", "Quảng Ninh"]

    def worker(i: int) -> list[int]:
        codes = []
        deadline = time.time() + 3
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            while time.time() < deadline:
                if i % 2:
                    codes.append(c.post("/api/search", json={"query": questions[i % 3], "k": 3}).status_code)
                else:
                    codes.append(c.get("/healthz").status_code)
        return codes

    with ThreadPoolExecutor(16) as pool:
        codes = [code for result in pool.map(worker, range(16)) for code in result]
    assert codes and set(codes) == {200}
