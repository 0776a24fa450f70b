"""The embeddable widget in a real headless Chromium, against the real server (uvicorn) over the
session's real ingest of the corpus (fixtures in conftest.py: ``live_server``, ``app``).

Screenshots go to test-artifacts/widget/ so a person can look at what a citizen sees.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import serve

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian chromium is not installed at {CHROMIUM}"),
]

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-artifacts" / "widget"
QUESTION = "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?"
XSS = '<img src=x onerror="window.__xss=1">'
TOO_MANY = "Bạn gửi quá nhiều câu hỏi, vui lòng thử lại sau ít phút."
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        # launch() gives every run a fresh temporary profile; the Debian binary, never a download.
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def open_page(browser, width: int = 1280, height: int = 800):
    # Reduced motion: screenshots and boxes are taken after, not during, the opening animation.
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    try:
        yield page, errors
    finally:
        context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name))


def active_in_widget(page) -> dict:
    """What has focus inside the widget's shadow root (None when focus is elsewhere)."""
    return page.evaluate("""() => {
        const host = document.querySelector('aseanbot-chat');
        const el = host && document.activeElement === host ? host.shadowRoot.activeElement : null;
        return el ? {tag: el.tagName, cls: el.className, id: el.id} : null;
    }""")


def wait_answer_done(page, count: int) -> None:
    page.wait_for_function(
        """n => document.querySelector('aseanbot-chat').shadowRoot
               .querySelectorAll('.msg.bot[aria-busy="false"], .msg.error').length >= n""",
        arg=count)


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in re.split(r"\r?\n\r?\n", text):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def open_widget(page, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector("aseanbot-chat", state="attached")
    page.locator("button.launcher").click()
    page.locator(".panel").wait_for(state="visible")


# ---------------------------------------------------------------------------------------------


def test_widget_answers_with_citations_and_opens_the_source(browser, live_server, app):
    feedback_file = app.state.services.settings.feedback_file
    with open_page(browser) as (page, errors):
        page.goto(live_server + "/")
        page.wait_for_selector("aseanbot-chat", state="attached")
        launcher = page.locator("button.launcher")
        launcher.wait_for(state="visible")
        # The portal's aggressive CSS is live on its own button, and does not reach ours.
        portal_button = page.locator("nav button")
        assert portal_button.evaluate("b => getComputedStyle(b).textTransform") == "uppercase"
        style = launcher.evaluate("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.borderStyle, s.borderRadius]; }")
        assert style == ["rgb(11, 79, 156)", "none", "50%"], style
        assert page.evaluate("document.querySelectorAll('script').length") == 1
        shot(page, "01-portal-closed.png")

        launcher.click()
        panel = page.locator(".panel")
        panel.wait_for(state="visible")
        assert panel.get_attribute("role") == "dialog" and panel.get_attribute("aria-labelledby")
        assert page.locator("#ab-title").inner_text() == "Hỏi đáp về ASEAN"
        assert page.locator(".messages").get_attribute("aria-live") == "polite"
        assert "Xin chào" in page.locator(".greeting").inner_text()
        page.locator(".suggest button").first.wait_for(state="visible")
        suggestions = page.locator(".suggest button").all_inner_texts()
        assert 3 <= len(suggestions) <= 4, suggestions
        assert all(q.endswith("?") for q in suggestions)
        assert active_in_widget(page)["id"] == "ab-input"  # focus moved into the panel
        inner_font = page.locator(".msg.bot").first.evaluate("e => getComputedStyle(e).fontFamily")
        assert "serif" not in inner_font.replace("sans-serif", ""), inner_font
        shot(page, "02-open-greeting-suggestions.png")

        # Ask by keyboard: type, Enter. The answer arrives as Server-Sent Events.
        page.locator("textarea").fill(QUESTION)
        with page.expect_response(lambda r: r.url.endswith("/api/chat")) as resp_info:
            page.keyboard.press("Enter")
        response = resp_info.value
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.request.headers["accept"] == "text/event-stream"
        wait_answer_done(page, 1)
        events = parse_sse(response.text())
        names = [n for n, _ in events]
        assert names[0] == "citations" and names[-1] == "done" and "token" in names, names
        citations = events[0][1]["citations"]
        done = events[-1][1]
        assert done["grounded"] is True, events
        assert citations, events

        answer = page.locator(".msg.bot").last
        # What was streamed is what is shown, with each [n] turned into a button.
        shown = answer.locator(".answer").evaluate(
            "e => { const c = e.cloneNode(true); c.querySelectorAll('button').forEach(b => b.remove()); return c.textContent; }")
        streamed = "".join(d["text"] for n, d in events if n == "token")
        assert "".join(re.sub(r"\[\d+(?:\s*[,;]\s*\d+)*\]", "", streamed).split()) == "".join(shown.split())
        cites = answer.locator(".answer button.cite")
        assert cites.count() >= 1
        assert page.locator(".msg.user").last.inner_text().endswith(QUESTION)
        shot(page, "03-streamed-answer.png")

        # A citation marker opens its passage: title, số hiệu, section, page, quote, source link.
        first = cites.first
        n = int(first.get_attribute("data-n"))
        cited = citations[n - 1]
        first.click()
        card = answer.locator(".card")
        card.wait_for(state="visible")
        assert first.get_attribute("aria-expanded") == "true"
        card_text = " ".join(card.inner_text().split())
        assert " ".join(cited["quote"].split()) in card_text
        if cited.get("number"):
            assert f"Số hiệu: {cited['number']}" in card_text
        if cited.get("section"):
            assert " ".join(cited["section"].split()) in card_text
        if cited.get("page"):
            assert f"Trang {cited['page']}" in card_text
        link = card.locator("a.link")
        assert link.inner_text() == "Xem văn bản gốc"
        href = link.get_attribute("href")
        shot(page, "04-citation-passage.png")

        with page.context.expect_page() as new_page_info:
            link.click()
        source = new_page_info.value
        if cited["source"].lower().endswith(".pdf"):
            assert re.search(rf"/api/documents/{cited['doc_id']}/file(#page=\d+)?$", href), href
            r = httpx.get(href.split("#")[0])
            assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        else:
            assert f"/view/{cited['doc_id']}?start={cited['char_start']}&end={cited['char_end']}" in href, href
            source.wait_for_load_state()
            mark = source.locator("mark#hl")
            mark.wait_for(state="visible")
            highlighted = " ".join(source.locator("article mark").all_inner_texts())
            assert " ".join(highlighted.split()) == " ".join(cited["quote"].split())
            box = mark.bounding_box()
            assert box and 0 <= box["y"] <= source.viewport_size["height"] - 10, box  # scrolled into view
            source.screenshot(path=str(SHOTS / "05-source-highlighted.png"))
        source.close()

        # Thumbs up is stored with the question and the answer.
        before = feedback_file.read_text(encoding="utf-8").count("\n") if feedback_file.exists() else 0
        answer.locator(".fb-btn").first.click()
        answer.locator(".fb-status").filter(has_text="Cảm ơn").wait_for()
        lines = feedback_file.read_text(encoding="utf-8").splitlines()
        assert len(lines) == before + 1
        stored = json.loads(lines[-1])
        assert stored["rating"] == "up" and stored["question"] == QUESTION and stored["citations"]

        # Hostile input shows as text and runs nothing.
        page.locator("textarea").fill(XSS)
        page.locator("button.send").click()
        wait_answer_done(page, 2)
        page.wait_for_timeout(500)  # an injected <img> would have failed to load and fired by now
        assert page.locator(".msg.user").last.inner_text().endswith(XSS)
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("document.querySelector('aseanbot-chat').shadowRoot.querySelectorAll('img').length") == 0
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        shot(page, "06-xss-shown-as-text.png")
        assert errors == [], errors


def test_a_three_turn_thread_shows_how_each_follow_up_was_understood(browser, live_server):
    """The issue's thread: a task's lead, its partner (the plan names none), another province.
    Each answer has the question as understood in small text above it."""
    thread = [QUESTION, "còn đơn vị phối hợp thì sao?", "Còn Tây Ninh thì sao?"]
    with open_page(browser) as (page, errors):
        open_widget(page, live_server)
        for n, question in enumerate(thread, 1):
            page.locator("textarea").fill(question)
            page.keyboard.press("Enter")
            wait_answer_done(page, n)
        bots = page.locator(".msg.bot:not(.greeting)")
        answers = [bots.nth(bots.count() - 3 + i) for i in range(3)]
        understood = [a.locator(".understood") for a in answers]
        assert understood[0].inner_text() == "Hiểu câu hỏi là: Đơn vị chủ trì — Kế hoạch 159/KH-UBND, mục 1.3"
        assert understood[1].inner_text() == "Hiểu câu hỏi là: Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3"
        assert "Kế hoạch 2502/KH-UBND" in understood[2].inner_text()
        assert answers[1].locator(".answer").inner_text().strip() == "Mục 1.3 của Kế hoạch 159/KH-UBND không nêu đơn vị phối hợp."
        for a, u in zip(answers, understood):
            # Above the answer, and smaller than it.
            assert u.bounding_box()["y"] < a.locator(".answer").bounding_box()["y"]
            size = lambda loc: float(loc.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))  # noqa: E731
            assert size(u) < size(a.locator(".answer"))
        # The third turn keeps the question and changes the province: its sources are Tây Ninh's.
        assert "Quảng Ninh" not in answers[2].locator(".answer").inner_text()
        shot(page, "10-three-turn-thread.png")
        assert errors == [], errors


def test_phone_layout_fills_the_screen(browser, live_server):
    with open_page(browser, 375, 667) as (page, errors):
        page.goto(live_server + "/")
        page.wait_for_selector("aseanbot-chat", state="attached")
        shot(page, "07-phone-closed.png")
        page.locator("button.launcher").click()
        panel = page.locator(".panel")
        panel.wait_for(state="visible")
        box = panel.bounding_box()
        assert box == {"x": 0, "y": 0, "width": 375, "height": 667}, box
        assert not page.locator("button.launcher").is_visible()  # under the full-screen panel
        page.locator(".suggest button").first.click()
        wait_answer_done(page, 1)
        shot(page, "08-phone-answer.png")
        # Nothing overflows sideways on a phone.
        assert page.evaluate("document.querySelector('aseanbot-chat').shadowRoot.querySelector('.messages').scrollWidth") <= 375
        page.keyboard.press("Escape")
        panel.wait_for(state="hidden")
        assert page.locator("button.launcher").is_visible()
        assert errors == [], errors


def test_keyboard_only(browser, live_server):
    with open_page(browser) as (page, errors):
        page.goto(live_server + "/")
        page.wait_for_selector("aseanbot-chat", state="attached")
        page.locator("button.launcher").wait_for(state="visible")
        for _ in range(80):  # through the portal's links to the bubble
            page.keyboard.press("Tab")
            focused = active_in_widget(page)
            if focused and "launcher" in focused["cls"]:
                break
        else:
            pytest.fail("Tab never reached the chat bubble")
        launcher = page.locator("button.launcher")
        assert launcher.get_attribute("aria-label").startswith("Mở hộp hỏi đáp")
        assert launcher.get_attribute("aria-expanded") == "false"
        shot(page, "09-keyboard-focus-on-bubble.png")

        page.keyboard.press("Enter")
        page.locator(".panel").wait_for(state="visible")
        assert launcher.get_attribute("aria-expanded") == "true"
        assert active_in_widget(page)["id"] == "ab-input"
        page.keyboard.press("Tab")
        focused = active_in_widget(page)
        assert "send" in focused["cls"]
        assert page.locator("button.send").get_attribute("aria-label") == "Gửi câu hỏi"
        page.keyboard.press("Shift+Tab")
        assert active_in_widget(page)["id"] == "ab-input"
        # Every button in the panel has a name a screen reader can say.
        unnamed = page.evaluate("""() => [...document.querySelector('aseanbot-chat').shadowRoot.querySelectorAll('button')]
            .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).length""")
        assert unnamed == 0

        page.keyboard.press("Escape")
        page.locator(".panel").wait_for(state="hidden")
        assert "launcher" in active_in_widget(page)["cls"]  # focus back on the bubble
        assert launcher.get_attribute("aria-expanded") == "false"
        assert errors == [], errors


def test_rate_limited_question_shows_a_vietnamese_message(browser, app, tmp_path):
    """A second real server with a budget of one question a minute. Its home holds a copy of the
    session's ledger (the widget reads suggestions from it) and nothing else: the one question
    it lets through is an empty one, refused before any index is needed."""
    from bot.http.app import create_app

    settings = app.state.services.settings
    home = tmp_path / "home"
    shutil.copytree(settings.state_dir, home / "state")
    limited = create_app(settings.model_copy(update={"home": home, "rate_limit_per_minute": 1}))
    with serve(limited) as base, open_page(browser) as (page, errors):
        assert httpx.post(base + "/api/chat", json={"message": ""}).status_code == 422  # uses the budget
        open_widget(page, base)
        page.locator("textarea").fill("Kế hoạch tuyên truyền về ASEAN gồm những nội dung gì?")
        page.keyboard.press("Enter")
        error = page.locator(".msg.error")
        error.wait_for(state="visible")
        assert error.inner_text() == TOO_MANY
        # The panel still works: the send button is back and the question box has focus.
        assert page.locator("button.send").get_attribute("aria-label") == "Gửi câu hỏi"
        assert active_in_widget(page)["id"] == "ab-input"
        assert page.locator(".msg.bot[aria-busy]").count() == 0  # no half-built answer left behind
        shot(page, "10-rate-limited.png")
        assert errors == [], errors


def test_suggested_questions_get_grounded_answers(live_server):
    """A suggestion the bot then refuses is worse than none: each one must be answerable."""
    suggestions = httpx.get(live_server + "/api/suggestions").json()["suggestions"]
    assert 3 <= len(suggestions) <= 4, suggestions
    refused = []
    for question in suggestions:
        data = httpx.post(live_server + "/api/chat", json={"message": question}, timeout=120).json()
        if not (data["grounded"] and data["citations"]):
            refused.append((question, data["answer"]))
    assert refused == []
