"""HTTP-level tests of the widget's routes (bot/http/pages.py) and the rate limiter, through the real
app (bot.api.create_app) over a ledger built by the real ingest (parsing only: these routes
never touch the vector index, so no model is loaded)."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.http.ratelimit import TOO_MANY_MESSAGE, RateLimiter

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
PORTAL = "https://portal.example.gov.vn"
REAL_FILES = [
    "asean/quangninh-159-kh-ubnd-2021.docx",
    "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf",
    "asean/tayninh-2502-kh-ubnd-2019.html",
]
# A document that tries to run script wherever its text or title is shown.
HOSTILE_TEXT = """KẾ HOẠCH <script>window.__pwned=1</script>
Tuyên truyền về ASEAN trên địa bàn <img src=x onerror="window.__pwned=2">

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao nhận thức của người dân về Cộng đồng ASEAN </p><script>alert(document.cookie)</script> và vai trò của Việt Nam.

II. NHIỆM VỤ
1. Tuyên truyền trên hệ thống thông tin cơ sở
Đài truyền thanh cấp xã phát tin về ASEAN hằng tháng.
Đơn vị chủ trì: Sở Thông tin và Truyền thông.
"""


@pytest.fixture(scope="module")
def web_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web-corpus")
    for name in REAL_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, root / name)
    (root / "asean" / "hostile-plan.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    # Outside the corpus: must never be reachable through the file route.
    (root.parent / "secret.txt").write_text("mật khẩu", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def web_home(tmp_path_factory, web_corpus) -> Path:
    from ingest.pipeline import Ledger, ingest

    home = tmp_path_factory.mktemp("web-home")
    ledger = Ledger(home / "state")
    report = ingest([web_corpus], corpus_root=web_corpus, ledger=ledger, sink=None,
                    max_bytes=50 * 1024 * 1024, ocr=False)
    assert report.count("ingested") == len(REAL_FILES) + 1, [(r.source, r.status, r.reason) for r in report.rows]
    return home


def make_client(home: Path, corpus: Path, **overrides) -> TestClient:
    from bot.http.app import create_app
    from ingest.settings import Settings

    fields = {"home": home, "corpus": corpus, "allowed_origins": [PORTAL], "rate_limit_per_minute": 1000}
    settings = Settings(**{**fields, **overrides})
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def client(web_home, web_corpus) -> TestClient:
    with make_client(web_home, web_corpus) as c:
        yield c


def doc_id(client: TestClient, suffix: str) -> str:
    from ingest.pipeline import doc_id_for

    return doc_id_for(next(n for n in REAL_FILES + ["asean/hostile-plan.txt"] if n.endswith(suffix)))


# --- demo page and widget ------------------------------------------------------------------------


def test_demo_page_embeds_the_widget_with_one_script_tag(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.text.count("<script") == 1
    assert '<script src="/widget.js" data-title="Hỏi đáp về ASEAN" async></script>' in r.text


def test_widget_js_is_javascript_with_a_short_cache(client):
    r = client.get("/widget.js")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["cache-control"] == "public, max-age=300"
    assert r.headers["x-content-type-options"] == "nosniff"
    # The safety rule of the widget, checked at the source: nothing is ever parsed as HTML.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in r.text, sink


def test_suggestions_come_from_the_corpus(client):
    from bot.http.pages import corpus_questions

    # Who leads a task, drawn from a plan's "Đơn vị chủ trì" lines, and what a document holds.
    drawn = corpus_questions(client.app.state.services)
    assert len(drawn) > 4 and all(q.endswith("?") for q in drawn)
    assert any(q.startswith("Đơn vị nào chủ trì") for q in drawn), drawn
    r = client.get("/api/suggestions")
    assert r.status_code == 200
    data = r.json()
    assert data["max_message_chars"] == 1000
    # This module's home has a ledger but no vector index: the bot answers none of them, and a
    # suggestion it would refuse is not offered (test_widget_browser asks each offered one).
    assert data["suggestions"] == []


# --- feedback ------------------------------------------------------------------------------------


def feedback_lines(home: Path) -> list[dict]:
    path = home / "feedback.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_feedback_is_appended_as_json_lines(client, web_home):
    before = len(feedback_lines(web_home))
    body = {"session_id": "s1", "message_id": "m1", "question": "Đơn vị nào chủ trì <b>?</b>",
            "answer": "Sở Thông tin và Truyền thông [1].", "rating": "up",
            "citations": [{"n": 1, "doc_id": "d", "title": "Kế hoạch", "quote": "…", "page": 2, "unknown": "x"}]}
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 201 and r.json() == {"ok": True}
    r = client.post("/api/feedback", json={**body, "rating": "down", "comment": "Thiếu đơn vị phối hợp"})
    assert r.status_code == 201
    lines = feedback_lines(web_home)[before:]
    assert [line["rating"] for line in lines] == ["up", "down"]
    assert lines[0]["question"] == "Đơn vị nào chủ trì <b>?</b>"
    assert lines[1]["comment"] == "Thiếu đơn vị phối hợp"
    assert lines[0]["citations"][0]["doc_id"] == "d" and "unknown" not in lines[0]["citations"][0]
    assert lines[0]["ts"].endswith("+00:00")


def test_feedback_rejects_a_bad_rating(client):
    assert client.post("/api/feedback", json={"rating": "meh"}).status_code == 422
    assert client.post("/api/feedback", json={"rating": "up", "comment": "x" * 5000}).status_code == 422


def test_concurrent_feedback_never_interleaves(client, web_home):
    before = len(feedback_lines(web_home))
    long_answer = "Câu trả lời dài. " * 500

    def post(i: int) -> None:
        assert client.post("/api/feedback", json={"rating": "up", "question": f"q{i}", "answer": long_answer}).status_code == 201

    threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = feedback_lines(web_home)[before:]  # json.loads of every line: none is torn
    assert sorted(line["question"] for line in lines) == sorted(f"q{i}" for i in range(16))


# --- original files ------------------------------------------------------------------------------


def test_original_files_have_their_media_type(client):
    r = client.get(f"/api/documents/{doc_id(client, '.pdf')}/file")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.content.startswith(b"%PDF")
    r = client.get(f"/api/documents/{doc_id(client, '.docx')}/file")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.content == (CORPUS / REAL_FILES[0]).read_bytes()
    # A web page from the corpus would run its scripts on our origin: it downloads, sandboxed.
    r = client.get(f"/api/documents/{doc_id(client, '.html')}/file")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path", [
    "/api/documents/khong-co/file",
    "/api/documents/..%2F..%2Fsecret.txt/file",
    "/api/documents/%2e%2e/file",
    "/api/documents/..%5Csecret/file",
    "/api/documents/ASEAN-QUANGNINH-159-KH-UBND-2021-DOCX/file",
    "/api/documents/asean-quangninh-159-kh-ubnd-2021-docx.json/file",
])
def test_unknown_or_crafted_ids_are_404_in_vietnamese(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "mật khẩu" not in r.text
    if r.headers["content-type"].startswith("application/json"):
        assert r.json()["detail"] in ("Không tìm thấy văn bản.", "Not Found")
    r = client.get("/api/documents/khong-co/file")
    assert r.json() == {"detail": "Không tìm thấy văn bản."}


def test_a_browser_gets_a_vietnamese_page_for_a_missing_file(client):
    r = client.get("/api/documents/khong-co/file", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Không tìm thấy văn bản." in r.text


def test_a_ledger_record_pointing_outside_the_corpus_is_not_served(client, web_home):
    # A tampered or stale ledger entry is no way out of the corpus folder either.
    docs = web_home / "state" / "documents"
    original = json.loads((docs / f"{doc_id(client, '.docx')}.json").read_text())
    for i, source in enumerate(["../secret.txt", "/etc/passwd", "asean/../../secret.txt"]):
        evil = {**original, "record": {**original["record"], "doc_id": f"evil-{i}", "source": source}}
        (docs / f"evil-{i}.json").write_text(json.dumps(evil, ensure_ascii=False))
        r = client.get(f"/api/documents/evil-{i}/file")
        assert r.status_code == 404, source
        # A document JSON the ledger does not list is no document at all (bot/access.py's ledger
        # view), so it may be refused before its file is looked for.
        assert r.json()["detail"] in ("Không tìm thấy tệp gốc của văn bản này.", "Không tìm thấy văn bản.")
        (docs / f"evil-{i}.json").unlink()


# --- readable view -------------------------------------------------------------------------------


def test_view_escapes_all_document_text_and_highlights_the_passage(client, web_home):
    from ingest.pipeline import Ledger

    hostile = doc_id(client, "hostile-plan.txt")
    doc = Ledger(web_home / "state").document(hostile)
    text = doc["text"]
    start = text.index("Nâng cao nhận thức")
    end = text.index("vai trò của Việt Nam.") + len("vai trò của Việt Nam.")
    r = client.get(f"/view/{hostile}", params={"start": start, "end": end})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    body = r.text
    # The only <script> is our own nonce'd scroll line; the document's tags are inert text.
    assert body.count("<script") == 1 and "<script nonce=" in body
    assert "<img" not in body and "<script>window" not in body and "</p><script>" not in body
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in body
    assert '<mark id="hl" tabindex="-1">Nâng cao nhận thức' in body
    assert "script-src 'nonce-" in r.headers["content-security-policy"]
    assert "Tải tệp gốc" in body


def test_view_highlight_spanning_paragraphs_and_bad_offsets(client, web_home):
    from ingest.pipeline import Ledger

    qn = doc_id(client, ".docx")
    text = Ledger(web_home / "state").document(qn)["text"]
    # A line break between two lines longer than the 20 characters taken on either side.
    lines = text.split("\n")
    i = next(i for i in range(1, len(lines)) if len(lines[i - 1]) > 25 and len(lines[i]) > 25)
    cut = len("\n".join(lines[:i]))
    r = client.get(f"/view/{qn}?start={cut - 20}&end={cut + 20}")
    assert r.text.count("<mark") == 3  # the note's, then one per paragraph the passage spans
    assert r.text.count('id="hl"') == 1
    for query in ("start=abc&end=9", "start=50&end=10", "start=-5&end=-1", "start=99999999&end=999999999", ""):
        r = client.get(f"/view/{qn}?{query}")
        assert r.status_code == 200 and 'id="hl"' not in r.text and "<script" not in r.text


def test_view_of_an_unknown_document_is_a_vietnamese_404_page(client):
    r = client.get("/view/khong-co")
    assert r.status_code == 404 and "Không tìm thấy văn bản." in r.text


# --- CORS ----------------------------------------------------------------------------------------


def test_cors_allows_the_listed_portal_only(client):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    r = client.options("/api/chat", headers={"Origin": PORTAL, **pre})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == PORTAL
    assert "POST" in r.headers["access-control-allow-methods"]
    r = client.options("/api/chat", headers={"Origin": "https://evil.example.com", **pre})
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/suggestions", headers={"Origin": PORTAL})
    assert r.headers["access-control-allow-origin"] == PORTAL
    r = client.get("/api/suggestions", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers


# --- rate limit ----------------------------------------------------------------------------------


def test_rate_limit_answers_429_in_vietnamese(web_home, web_corpus):
    with make_client(web_home, web_corpus, rate_limit_per_minute=3) as c:
        # Empty questions are refused by the handler (422), after the limiter has counted them,
        # so no index is needed; chat and search share one budget.
        for path, body in [("/api/chat", {"message": ""}), ("/api/search", {"query": ""}), ("/api/chat", {"message": ""})]:
            assert c.post(path, json=body).status_code == 422
        r = c.post("/api/chat", json={"message": "Đơn vị nào chủ trì?"})
        assert r.status_code == 429
        assert r.json() == {"detail": TOO_MANY_MESSAGE}
        assert "vui lòng thử lại sau ít phút" in r.json()["detail"]
        assert 1 <= int(r.headers["retry-after"]) <= 60
        # An untrusted X-Forwarded-For is no way around the limit.
        r = c.post("/api/search", json={"query": "ASEAN"}, headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 429
        # Feedback has its own budget: rating answers never costs a citizen a question.
        assert c.post("/api/feedback", json={"rating": "up"}).status_code == 201


def test_trusted_proxy_limits_each_forwarded_client(web_home, web_corpus):
    with make_client(web_home, web_corpus, rate_limit_per_minute=1, trusted_proxies=["testclient"]) as c:
        a = {"X-Forwarded-For": "203.0.113.1, 10.0.0.1"}
        b = {"X-Forwarded-For": "203.0.113.2"}
        assert c.post("/api/chat", json={"message": ""}, headers=a).status_code == 422
        assert c.post("/api/chat", json={"message": ""}, headers=a).status_code == 429
        assert c.post("/api/chat", json={"message": ""}, headers=b).status_code == 422


def test_sliding_window():
    now = [1000.0]
    limiter = RateLimiter(3, window=60, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == pytest.approx(60)
    assert limiter.hit("b") is None  # clients are counted apart
    now[0] += 30
    assert limiter.hit("a") == pytest.approx(30)
    now[0] += 30.001  # the first three leave the window together
    assert limiter.hit("a") is None
    assert RateLimiter(0).hit("a") is None  # 0 disables the limit


def test_limiter_memory_is_bounded():
    now = [0.0]
    limiter = RateLimiter(5, window=60, max_keys=100, clock=lambda: now[0])
    for i in range(1000):
        now[0] += 0.01
        limiter.hit(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._hits) <= 101
