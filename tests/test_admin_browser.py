"""The admin page in a real headless Chromium against the real server: sign-in (a wrong password
first), upload by drag and drop with progress, change a level, correct metadata, delete, review
the questions and approve an answer; a request without its CSRF token and an expired session
refused in Vietnamese; usable on a phone's width.

Screenshots go to test-artifacts/admin/.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from bot.admin.auth import CSRF_MISSING, EXPIRED, WRONG_PASSWORD
from tests.conftest import serve
from tests.leveled import INTERNAL_DOC, PUBLIC_DOC, leveled_app
from tests.test_widget_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian chromium is not installed at {CHROMIUM}"),
]

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "admin"
USER, PASSWORD = "canbo.quantri", "mat-khau-quan-tri-2026"
PLAN = ("KẾ HOẠCH\nBảo dưỡng hệ thống loa truyền thanh năm 2026 của xã Đắk Rơ Nga\n\n"
        "1. Bảo dưỡng loa truyền thanh\n- Nội dung triển khai: Bảo dưỡng cụm loa truyền thanh ở các thôn.\n"
        "- Đơn vị chủ trì: Tổ Kỹ thuật truyền thanh xã Đắk Rơ Nga.\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from bot.admin.auth import AdminAuth

    app = leveled_app(tmp_path_factory)
    AdminAuth(app.state.settings.admin_db).create_user(USER, PASSWORD)
    with serve(app) as base:
        # "localhost": a secure context for Chromium, so the Secure cookies are kept over http.
        yield app, base.replace("127.0.0.1", "localhost")
    app.state.services.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_page(browser, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN", reduced_motion="reduce",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # "Xóa văn bản …?" → yes
    return context, page, errors


def sign_in(page, base, password=PASSWORD):
    page.goto(base + "/admin")
    page.locator("#login-form").wait_for(state="visible")
    page.fill("#username", USER)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def card(page, doc_id: str):
    return page.locator(f'#docs li[data-doc-id="{doc_id}"]')


def test_admin_flows_in_chromium(browser, server, tmp_path):
    app, base = server
    context, page, errors = new_page(browser)
    try:
        sign_in(page, base, password="mat-khau-sai-roi")
        page.locator("#login-error").wait_for(state="visible")
        assert page.locator("#login-error").inner_text() == WRONG_PASSWORD
        page.screenshot(path=str(SHOTS / "01-wrong-password.png"))

        sign_in(page, base)
        page.locator("#app").wait_for(state="visible")
        cookies = {c["name"]: c for c in context.cookies()}
        session = cookies["__Host-aseanbot-admin"]
        assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # nothing readable by script
        card(page, INTERNAL_DOC).wait_for()
        assert "Nội bộ" in card(page, INTERNAL_DOC).inner_text()
        assert page.locator("#doc-count").inner_text() == "2"
        page.screenshot(path=str(SHOTS / "02-documents.png"), full_page=True)

        # Upload by drag and drop, as internal; the progress bar runs, then the document is listed.
        page.select_option("#upload-level", "internal")
        data = page.evaluate_handle("""text => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], "bao-duong-loa-dak-ro-nga.txt", {type: "text/plain"}));
            return dt; }""", PLAN)
        page.dispatch_event("#drop", "dragenter", {"dataTransfer": data})
        assert "over" in page.locator("#drop").get_attribute("class")
        page.dispatch_event("#drop", "drop", {"dataTransfer": data})
        page.locator("#uploads li progress").first.wait_for(state="attached")
        page.locator("#uploads li .ok").wait_for()
        assert "Nội bộ" in page.locator("#uploads li .ok").inner_text()
        # Polled by the locator, not by a page-side string predicate, which the admin page's CSP
        # (no 'unsafe-eval') refuses whenever the count is not 3 at the first look.
        expect(page.locator("#doc-count")).to_have_text("3")
        uploaded = app.state.services.ledger.entries["uploads/bao-duong-loa-dak-ro-nga.txt"]
        assert uploaded["level"] == "internal"
        question = "Đơn vị nào chủ trì bảo dưỡng loa truyền thanh ở xã Đắk Rơ Nga?"
        assert "Tổ Kỹ thuật truyền thanh" not in httpx.post(base + "/api/chat", json={"message": question}).text

        # Change a level: the public decision goes internal, then public again.
        level = card(page, PUBLIC_DOC).locator("select.level")
        level.select_option("internal")
        page.locator("#notice", has_text="sang mức Nội bộ").wait_for()
        assert PUBLIC_DOC not in httpx.get(base + "/api/documents").text
        card(page, PUBLIC_DOC).locator("select.level").select_option("public")
        page.locator("#notice", has_text="sang mức Công khai").wait_for()
        assert PUBLIC_DOC in httpx.get(base + "/api/documents").text

        # Correct the title (re-ingested with it).
        card(page, PUBLIC_DOC).locator("button.edit-btn").click()
        title = card(page, PUBLIC_DOC).locator("input[name=title]")
        title.fill("Quyết định 1117/QĐ-BNV về hợp tác ASEAN")
        card(page, PUBLIC_DOC).locator("form.edit button[type=submit]").click()
        page.locator("#notice", has_text="Đã lưu thông tin").wait_for()
        card(page, PUBLIC_DOC).locator(".title", has_text="Quyết định 1117/QĐ-BNV về hợp tác ASEAN").wait_for()

        # Delete the internal plan: gone from the list, the store and the ledger.
        card(page, INTERNAL_DOC).locator("button.delete").click()
        page.locator("#notice", has_text="Đã xóa").wait_for()
        card(page, INTERNAL_DOC).wait_for(state="detached")
        assert app.state.services.store.count({"doc_id": INTERNAL_DOC}) == 0

        # Review: citizens' questions (two wordings unanswered, one answer rated 👎) are grouped.
        for q in ("Thủ tục cấp hộ chiếu mất bao lâu?", "Làm hộ chiếu mất bao nhiêu ngày?"):
            assert not httpx.post(base + "/api/chat", json={"message": q}, timeout=60).json()["grounded"]
        rated = "Bộ Nội vụ giao đơn vị nào làm đầu mối về hợp tác ASEAN?"
        httpx.post(base + "/api/chat", json={"message": rated}, timeout=60)
        assert httpx.post(base + "/api/feedback", json={"question": rated, "rating": "down"}).status_code == 201
        page.click("#tab-questions")
        group = page.locator("#groups li.group", has_text="hộ chiếu")
        group.wait_for()
        assert "2 lần hỏi" in group.inner_text()
        page.screenshot(path=str(SHOTS / "03-questions.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#export")
        saved = tmp_path / "cau-hoi.xlsx"
        download.value.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK"  # an XLSX (zip) file

        # Approve an answer for the 👎 question, citing the decision's own words.
        page.locator("#groups li.group", has_text="đầu mối").locator("button.approve").click()
        page.locator("#approve-form").wait_for(state="visible")
        assert page.input_value("#ap-question") == rated
        page.fill("#ap-answer", "Bộ Nội vụ giao Vụ Hợp tác quốc tế làm đầu mối.")
        page.select_option("#ap-doc", PUBLIC_DOC)
        page.fill("#ap-quote", "Vụ Hợp tác quốc tế")
        page.click("#approve-form button[type=submit]")
        page.locator("#notice", has_text="Đã lưu câu trả lời đã duyệt").wait_for()
        page.click("#tab-approved")
        page.locator("#approved li.approved-item", has_text="Vụ Hợp tác quốc tế làm đầu mối").wait_for()
        page.screenshot(path=str(SHOTS / "04-approved.png"), full_page=True)
        served = httpx.post(base + "/api/chat", json={"message": "Bộ Nội vụ giao đơn vị nào làm đầu mối hợp tác ASEAN?"},
                            timeout=60).json()
        assert served["approved"] and "đã được cán bộ phụ trách duyệt" in served["answer"]

        # A change without the page's CSRF token, from this very browser with its cookie: refused.
        refused = page.evaluate("""() => fetch("api/documents/x", {method: "PATCH", credentials: "same-origin",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify({level: "public"})})
            .then(r => r.json().then(b => [r.status, b.detail]))""")
        assert refused == [403, CSRF_MISSING]

        # The session expires: the next action brings back the sign-in form, saying why.
        with sqlite3.connect(app.state.settings.admin_db) as db:
            db.execute("UPDATE sessions SET expires_at = 0")
        page.click("#tab-docs")
        page.locator("#login-error", has_text=EXPIRED).wait_for()
        assert page.locator("#app").is_hidden()
        page.screenshot(path=str(SHOTS / "05-expired.png"))
        assert not errors, errors
    finally:
        context.close()


def test_admin_page_fits_a_phone(browser, server):
    app, base = server
    context, page, errors = new_page(browser, width=390, height=844)
    try:
        sign_in(page, base)
        page.locator("#app").wait_for(state="visible")
        page.locator("#docs li").first.wait_for()
        # Nothing wider than the screen; controls big enough to tap.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = page.locator("#docs li select.level").first.bounding_box()
        assert box["height"] >= 40
        page.screenshot(path=str(SHOTS / "06-phone.png"), full_page=True)
        page.click("#logout")
        page.locator("#login-form").wait_for(state="visible")
        assert not errors, errors
    finally:
        context.close()
