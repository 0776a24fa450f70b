"""The admin API behind /admin: sign-in, CSRF, expiry and lock-out refused in Vietnamese;
document operations; the questions log, its review and export, approved answers; the CLI."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from fastapi.testclient import TestClient

from bot.admin.auth import CSRF_MISSING, CSRF_WRONG, EXPIRED, LOCKED, NOT_SIGNED_IN, WRONG_PASSWORD
from tests.conftest import MODEL_CACHE
from tests.leveled import ANSWER, INTERNAL_DOC, PUBLIC_DOC, QUESTION, leaks, leveled_app

USER, PASSWORD = "canbo.vanthu", "mat-khau-rat-dai-2026"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from bot.admin.auth import AdminAuth

    application = leveled_app(tmp_path_factory)
    AdminAuth(application.state.settings.admin_db).create_user(USER, PASSWORD)
    yield application
    application.state.services.close()


def new_client(app) -> TestClient:
    # https: the cookies are Secure, and a client keeps them for https only.
    return TestClient(app, base_url="https://testserver")


def sign_in(client, username=USER, password=PASSWORD):
    token = client.get("/admin/api/session").json()["csrf"]
    return client.post("/admin/api/login", json={"username": username, "password": password},
                       headers={"X-CSRF-Token": token})


@pytest.fixture
def admin(app):
    with new_client(app) as c:
        r = sign_in(c)
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf"]
        yield c


def test_sign_in_sets_a_strict_secure_cookie(app):
    with new_client(app) as c:
        r = sign_in(c)
        assert r.status_code == 200 and r.json()["user"] == USER
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("__Host-aseanbot-admin="))
        assert all(flag in cookie.lower() for flag in ("httponly", "secure", "samesite=strict", "path=/"))
        assert c.get("/admin/api/session").json()["signed_in"]


def test_refusals_are_clear_and_vietnamese(app):
    with new_client(app) as c:
        assert c.get("/admin/api/documents").json()["detail"] == NOT_SIGNED_IN
        wrong = sign_in(c, password="khong-dung-mat-khau")
        assert wrong.status_code == 401 and wrong.json()["detail"] == WRONG_PASSWORD
        unknown = sign_in(c, username="khong-co-ai", password="khong-dung-mat-khau")
        assert unknown.json()["detail"] == WRONG_PASSWORD  # the same words: no telling who exists
        no_token = c.post("/admin/api/login", json={"username": USER, "password": PASSWORD})
        assert no_token.status_code == 403 and no_token.json()["detail"] == CSRF_MISSING
        r = sign_in(c)
        csrf = r.json()["csrf"]
        change = f"/admin/api/documents/{PUBLIC_DOC}"
        missing = c.patch(change, json={"level": "public"})
        assert missing.status_code == 403 and missing.json()["detail"] == CSRF_MISSING
        forged = c.patch(change, json={"level": "public"}, headers={"X-CSRF-Token": "gia-mao"})
        assert forged.status_code == 403 and forged.json()["detail"] == CSRF_WRONG
        other_site = c.patch(change, json={"level": "public"},
                             headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
        assert other_site.status_code == 403 and "trang khác" in other_site.json()["detail"]
        upload = c.post("/api/documents", files={"file": ("a.txt", b"KE HOACH", "text/plain")})
        assert upload.status_code == 403 and upload.json()["detail"] == CSRF_MISSING
        assert c.patch(change, json={"level": "public"}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_an_expired_session_is_refused_and_said_so(app):
    with new_client(app) as c:
        csrf = sign_in(c).json()["csrf"]
        with sqlite3.connect(app.state.settings.admin_db) as db:
            db.execute("UPDATE sessions SET expires_at = 0 WHERE csrf = ?", (csrf,))
        r = c.get("/admin/api/documents")
        assert r.status_code == 401 and r.json()["detail"] == EXPIRED
        state = c.get("/admin/api/session").json()
        assert not state["signed_in"] and state["message"] == EXPIRED
        # An expired admin is a public caller again.
        assert not leaks(json.dumps(c.post("/api/chat", json={"message": QUESTION}).json(), ensure_ascii=False))


def test_repeated_wrong_passwords_lock_the_account(app):
    from bot.admin.auth import AdminAuth
    from bot.http.access import admin_auth

    AdminAuth(app.state.settings.admin_db).create_user("bi.khoa", "mat-khau-cua-bi-khoa")
    try:
        with new_client(app) as c:
            for _ in range(app.state.settings.admin_max_failures):
                assert sign_in(c, "bi.khoa", "sai-mat-khau-roi").json()["detail"] == WRONG_PASSWORD
            locked = sign_in(c, "bi.khoa", "mat-khau-cua-bi-khoa")  # right, but too late
            assert locked.status_code == 429
            assert locked.json()["detail"] == LOCKED.format(minutes=app.state.settings.admin_lockout_minutes)
    finally:
        admin_auth(new_client(app)).__dict__["_clients"].clear()  # this client address may sign in again


def test_an_admin_session_sees_internal_documents(admin):
    out = admin.post("/api/chat", json={"message": QUESTION}).json()
    assert ANSWER in out["answer"]
    assert admin.get(f"/view/{INTERNAL_DOC}").status_code == 200
    docs = {d["doc_id"]: d for d in admin.get("/admin/api/documents").json()["documents"]}
    assert docs[INTERNAL_DOC]["level"] == "internal" and docs[INTERNAL_DOC]["level_name"] == "Nội bộ"
    assert docs[PUBLIC_DOC]["status"] == "indexed" and docs[PUBLIC_DOC]["chunks"] > 0


def test_questions_are_logged_reviewed_and_exported(app, admin):
    from openpyxl import load_workbook

    from bot.access import questions_log

    with new_client(app) as public:
        for q in ("Thủ tục cấp hộ chiếu mất bao lâu?", "Làm hộ chiếu mất bao nhiêu ngày?",
                  "Giá vé xe buýt Hà Nội là bao nhiêu?"):
            out = public.post("/api/chat", json={"message": q}).json()
            assert not out["grounded"] and out["question_id"]
        rated = public.post("/api/chat", json={"message": "Bộ Nội vụ ban hành Quyết định 1117 ngày nào?"}).json()
        assert public.post("/api/feedback", json={"question": "Bộ Nội vụ ban hành Quyết định 1117 ngày nào?",
                                                  "rating": "down", "comment": "Sai ngày"}).status_code == 201
    rows = questions_log(app.state.services).rows()
    assert {"answered", "refused"} >= {r["outcome"] for r in rows}
    assert set(rows[0]) == {"id", "ts", "question", "outcome", "feedback", "comment", "latency_ms", "level", "channel"}
    assert next(r for r in rows if r["id"] == rated["question_id"])["feedback"] == "down"
    groups = admin.get("/admin/api/questions", params={"kind": "both", "since": "7d"}).json()["groups"]
    passport = next(g for g in groups if "hộ chiếu" in g["question"])
    assert passport["count"] == 2 and passport["refused"] == 2  # the two wordings are one group
    assert any(g["down"] == 1 and "1117" in g["question"] for g in groups)
    only_down = admin.get("/admin/api/questions", params={"kind": "down"}).json()["groups"]
    assert [g["question"] for g in only_down] == ["Bộ Nội vụ ban hành Quyết định 1117 ngày nào?"]
    bad = admin.get("/admin/api/questions", params={"since": "hom qua"})
    assert bad.status_code == 422 and "mốc thời gian" in bad.json()["detail"]
    xlsx = admin.get("/admin/api/questions.xlsx", params={"kind": "unanswered"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["Nhóm câu hỏi", "Tất cả câu hỏi"]
    cells = [c.value for row in book["Tất cả câu hỏi"].iter_rows() for c in row]
    assert "Làm hộ chiếu mất bao nhiêu ngày?" in cells and "Không trả lời được" in cells


def test_an_approved_answer_is_served_marked_and_only_where_its_source_is_visible(app, admin):
    quote = "Vụ Hợp tác quốc tế"
    text = app.state.services.ledger.document(PUBLIC_DOC)["text"]
    assert quote in text
    r = admin.post("/admin/api/approved", json={"question": "Đơn vị nào đầu mối về hợp tác ASEAN của Bộ Nội vụ?",
                                                "answer": "Vụ Hợp tác quốc tế là đơn vị đầu mối.",
                                                "doc_id": PUBLIC_DOC, "quote": quote})
    assert r.status_code == 201, r.text
    with new_client(app) as public:
        out = public.post("/api/chat", json={"message": "Đơn vị nào là đầu mối về hợp tác ASEAN của Bộ Nội vụ?"}).json()
        assert out["approved"] and out["grounded"] and "đã được cán bộ phụ trách duyệt" in out["answer"]
        c = out["citations"][0]
        assert c["doc_id"] == PUBLIC_DOC and text[c["char_start"]:c["char_end"]] == quote
        # Another question is not served the approved answer.
        assert not public.post("/api/chat", json={"message": QUESTION}).json()["approved"]
    # An approved answer citing an internal document is internal too.
    internal_quote = "Phòng Kỹ thuật nghiệp vụ số 7"
    assert admin.post("/admin/api/approved", json={"question": "Ai phụ trách diễn tập ở Trung tâm dữ liệu Kim Quy?",
                                                   "answer": "Phòng Kỹ thuật nghiệp vụ số 7 phụ trách.",
                                                   "doc_id": INTERNAL_DOC, "quote": internal_quote}).status_code == 201
    asked = "Ai phụ trách diễn tập tại Trung tâm dữ liệu Kim Quy?"
    with new_client(app) as public:
        assert not leaks(json.dumps(public.post("/api/chat", json={"message": asked}).json(), ensure_ascii=False))
    assert admin.post("/api/chat", json={"message": asked}).json()["approved"]
    missing = admin.post("/admin/api/approved", json={"question": "Câu hỏi?", "answer": "Trả lời.",
                                                      "doc_id": PUBLIC_DOC, "quote": "đoạn văn không có trong văn bản"})
    assert missing.status_code == 422 and "Không tìm thấy đoạn trích dẫn" in missing.json()["detail"]
    listed = admin.get("/admin/api/approved").json()["approved"]
    assert {a["doc_id"] for a in listed} == {PUBLIC_DOC, INTERNAL_DOC}
    for a in listed:
        assert admin.delete(f"/admin/api/approved/{a['id']}").json()["deleted"]


def test_metadata_change_reingest_and_delete(app, admin):
    services = app.state.services
    r = admin.patch(f"/admin/api/documents/{PUBLIC_DOC}", json={"title": "Quyết định 1117 về hợp tác ASEAN"})
    assert r.status_code == 200, r.text
    assert services.ledger.document(PUBLIC_DOC)["record"]["title"] == "Quyết định 1117 về hợp tác ASEAN"
    bad = admin.patch(f"/admin/api/documents/{PUBLIC_DOC}", json={"date": "19/10/2021"})
    assert bad.status_code == 422 and "năm-tháng-ngày" in bad.json()["detail"]
    again = admin.post(f"/admin/api/documents/{PUBLIC_DOC}/reingest")
    assert again.status_code == 200 and again.json()["status"] == "updated"
    # The title stays: the administrator's corrections are kept for every later ingest.
    assert services.ledger.document(PUBLIC_DOC)["record"]["title"] == "Quyết định 1117 về hợp tác ASEAN"
    assert admin.delete("/admin/api/documents/khong-co").status_code == 404
    gone = admin.delete(f"/admin/api/documents/{INTERNAL_DOC}")
    assert gone.status_code == 200 and gone.json()["deleted"]
    assert services.store.count({"doc_id": INTERNAL_DOC}) == 0
    assert services.ledger.document(INTERNAL_DOC) is None
    assert INTERNAL_DOC not in {d["doc_id"] for d in admin.get("/admin/api/documents").json()["documents"]}
    assert not (app.state.settings.corpus / "noibo" / "dien-tap-kim-quy-2026.txt").exists()
    assert list((app.state.settings.home / "trash").glob("*dien-tap-kim-quy-2026.txt"))
    assert ANSWER not in admin.post("/api/chat", json={"message": QUESTION}).json()["answer"]


def test_retention_deletes_old_rows_and_zero_keeps_none(tmp_path):
    from bot.questions_log import QuestionsLog

    log = QuestionsLog(tmp_path / "q.sqlite", retention_days=30)
    log.record("Câu hỏi mới?", outcome="refused", latency_ms=12.0, level="public", channel="web")
    old = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat(timespec="seconds")
    with sqlite3.connect(tmp_path / "q.sqlite") as db:
        db.execute("INSERT INTO questions (id, ts, question, outcome, level, channel) VALUES "
                   "('cu', ?, 'Câu hỏi cũ?', 'refused', 'public', 'web')", (old,))
    assert log.purge() == 1
    assert [r["question"] for r in log.rows()] == ["Câu hỏi mới?"]
    off = QuestionsLog(tmp_path / "q.sqlite", retention_days=0)
    assert off.rows() == [] and off.record("x", outcome="answered", latency_ms=1, level="public", channel="web") is None


def test_cli_creates_users_and_lists_questions(app, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from bot.cli.main import app as cli
    from ingest.settings import get_settings

    settings = app.state.settings
    monkeypatch.setenv("ASEANBOT_HOME", str(settings.home))
    monkeypatch.setenv("ASEANBOT_CORPUS", str(settings.corpus))
    monkeypatch.setenv("ASEANBOT_MODEL_CACHE", str(MODEL_CACHE))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(cli, ["admin", "create-user", "nguoi.moi", "--password-stdin"], input="mot-mat-khau-dai\n")
        assert made.exit_code == 0 and "Đã tạo tài khoản nguoi.moi" in made.output
        short = runner.invoke(cli, ["admin", "create-user", "nguoi.khac", "--password-stdin"], input="ngan\n")
        assert short.exit_code == 2 and "ít nhất" in short.output
        twice = runner.invoke(cli, ["admin", "create-user", "nguoi.moi", "--password-stdin"], input="mot-mat-khau-dai\n")
        assert twice.exit_code == 2 and "--replace" in twice.output
        with new_client(app) as c:
            assert sign_in(c, "nguoi.moi", "mot-mat-khau-dai").status_code == 200
        listed = runner.invoke(cli, ["questions", "--unanswered", "--since", "7d"])
        assert listed.exit_code == 0 and "hộ chiếu" in listed.output
        out = tmp_path / "cau-hoi.xlsx"
        exported = runner.invoke(cli, ["questions", "--unanswered", "--xlsx", str(out)])
        assert exported.exit_code == 0, exported.output
        sheet = load_workbook(out)["Nhóm câu hỏi"]
        assert any("hộ chiếu" in str(c.value) for row in sheet.iter_rows() for c in row)
    finally:
        get_settings.cache_clear()
