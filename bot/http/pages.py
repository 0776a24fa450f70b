"""What a browser needs besides the JSON API: the demo page, the embeddable widget, suggested
questions, feedback, the original files and a readable view of a document with a cited passage
highlighted.

The app must set ``app.state.services = Services(settings)``; every route reaches settings and
the ledger through :func:`get_services`, so tests and the API share one wiring.

Document text, titles and questions come from files anyone could have written: every one of
them is HTML-escaped here, and the widget inserts them as text nodes only.
"""
from __future__ import annotations

import fcntl
import html
import json
import mimetypes
import re
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.cors import CORSMiddleware

from bot.access import AccessView, questions_log
from bot.http.access import get_view
from bot.http.deps import get_services
from bot.http.ratelimit import feedback_rate_limit
from bot.services import Services
from ingest.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
WIDGET_CACHE_SECONDS = 300

NOT_FOUND_DOCUMENT = "Không tìm thấy văn bản."
NOT_FOUND_FILE = "Không tìm thấy tệp gốc của văn bản này."

router = APIRouter()



def get_settings(services: Services = Depends(get_services)) -> Settings:
    return services.settings


def add_cors(app: FastAPI, settings: Settings) -> None:
    """Let portals on the listed origins call the API from the widget; same-origin needs none."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        allow_credentials=False,
        max_age=600,
    )


# ---------------------------------------------------------------------------------------------
# Demo page and widget


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={
            # Short: portals embed the URL forever, so a fix must reach them within minutes.
            "Cache-Control": f"public, max-age={WIDGET_CACHE_SECONDS}",
            "X-Content-Type-Options": "nosniff",
            # Portals that isolate themselves (COEP) can still load the script.
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


# ---------------------------------------------------------------------------------------------
# Suggested questions

# "II.1.3", "3.", "a)", "Điều 5.", "Mục 2", "Chương II" before a section's own words.
_SECTION_NUMBER = re.compile(
    r"^\s*(?:(?:Điều|Mục|Chương|Phần)\s+[\dIVXLCDM]+[.:]?\s*|[\dIVXLCDM]+(?:[.\-][\dIVXLCDMa-zđ]+)*[.)]?\s+|[a-zđ][.)]\s+)",
)
_suggestion_cache: dict[tuple, list[str]] = {}
_suggestion_lock = threading.Lock()


def _topic(section: str) -> str | None:
    """The words of a section heading, fit to follow "Đơn vị nào chủ trì …"."""
    label = section.split(" > ")[-1].strip()
    topic = _SECTION_NUMBER.sub("", label, count=1).strip(" .:;-–")
    if not 8 <= len(topic) <= 90 or not re.search(r"[^\W\d_]{3}", topic):
        return None
    # Lower-case only a capitalised word, never an acronym ("ASEAN", "UBND").
    if len(topic) > 1 and topic[0].isupper() and topic[1].islower():
        topic = topic[0].lower() + topic[1:]
    return topic


_PLACE_IN_ISSUER = re.compile(r"(?:tỉnh|thành phố|TP\.?)\s+(.+)$", re.IGNORECASE)


def _document_questions(record: dict, chunks: list[dict]) -> tuple[list[str], list[str]]:
    """(questions about who leads a task, questions about the document as a whole)."""
    doc_type, number = (record.get("doc_type") or "").strip(), (record.get("number") or "").strip()
    name = f"{doc_type} {number}" if doc_type and number else ""
    place = (record.get("province") or "").strip()
    if not place:
        m = _PLACE_IN_ISSUER.search((record.get("issuer") or "").strip())
        place = m.group(1).strip() if m else ""
    lead: list[str] = []
    for chunk in chunks:
        if chunk.get("kind", "body") != "body":
            continue
        if not any(a.get("role") == "lead" for a in chunk.get("assignments") or []):
            continue
        topic = _topic(chunk.get("section") or "")
        if not topic:
            continue
        # Several plans assign the same kind of task: say which plan the question is about.
        if place and place.lower() not in topic.lower():
            topic += f" ở {place}"
        elif name:
            topic += f" theo {name}"
        lead.append(f"Đơn vị nào chủ trì {topic}?")
    lead.sort(key=len)  # short questions read best as suggestion buttons
    whole: list[str] = []
    title = " ".join((record.get("title") or "").split())
    subject = name or (title if 8 <= len(title) <= 80 else "")
    if subject:
        has_purpose = any("mục đích" in (c.get("section") or "").lower() for c in chunks)
        whole.append(f"Mục đích của {subject} là gì?" if has_purpose else f"{subject} có những nội dung chính nào?")
    return lead, whole


_MAX_SUGGESTIONS = 12  # the route's upper limit


def _answered(services: Services | AccessView, questions: list[str], limit: int) -> list[str]:
    """The first ``limit`` questions the bot answers with a citation, asked as a user would
    (without the LLM): a suggestion that is then refused is worse than none. Built once per
    ledger state, so the cost is a few answers after each upload."""
    kept: list[str] = []
    for question in questions:
        if len(kept) >= limit:
            break
        answer, _, _ = services.chat.turn(question, None, use_llm=False)
        if answer.grounded and answer.citations:
            kept.append(question)
    return kept


def corpus_questions(services: Services | AccessView) -> list[str]:
    """Questions drawn from the documents the caller may see: one per document first, task leads
    before summaries. Each names its document's topic."""
    ledger = services.ledger
    per_doc: list[tuple[list[str], list[str]]] = []
    for record in ledger.records():
        doc = ledger.document(record["doc_id"]) or {}
        per_doc.append(_document_questions(doc.get("record") or record, doc.get("chunks") or []))
    # First each document's first "who leads" question, then each one's summary question,
    # then the remaining leads round-robin: even three suggestions span several documents.
    ordered = [lead[0] for lead, _ in per_doc if lead]
    ordered += [q for _, whole in per_doc for q in whole]
    for rank in range(1, max((len(lead) for lead, _ in per_doc), default=0)):
        ordered += [lead[rank] for lead, _ in per_doc if rank < len(lead)]
    return list(dict.fromkeys(ordered))


def build_suggestions(services: Services | AccessView, limit: int) -> list[str]:
    """The corpus's questions that the bot answers, cached per ledger state and access level."""
    ledger = services.ledger
    try:
        stamp = ledger.path.stat().st_mtime_ns
    except OSError:
        stamp = None
    key = (str(ledger.path), stamp, len(ledger.entries), getattr(ledger, "level", None))
    with _suggestion_lock:
        cached = _suggestion_cache.get(key)
    if cached is None:
        cached = _answered(services, corpus_questions(services), _MAX_SUGGESTIONS)
        with _suggestion_lock:
            if len(_suggestion_cache) >= 4:  # one entry per level and ledger state is plenty
                _suggestion_cache.clear()
            _suggestion_cache[key] = cached
    return cached[:limit]


@router.get("/api/suggestions")
def suggestions(limit: int = Query(4, ge=1, le=12), services: AccessView = Depends(get_view)) -> dict:
    return {
        "suggestions": build_suggestions(services, limit),
        # The widget enforces the same limit before sending, instead of meeting a 422.
        "max_message_chars": services.settings.max_message_chars,
    }


# ---------------------------------------------------------------------------------------------
# Feedback


class FeedbackCitation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    n: int | None = None
    doc_id: str | None = Field(None, max_length=300)
    chunk_id: str | None = Field(None, max_length=300)
    source: str | None = Field(None, max_length=1000)
    title: str | None = Field(None, max_length=1000)
    number: str | None = Field(None, max_length=300)
    section: str | None = Field(None, max_length=1000)
    page: int | None = None
    char_start: int | None = None
    char_end: int | None = None


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: str | None = Field(None, max_length=100)
    message_id: str | None = Field(None, max_length=100, description="Client id of the rated answer; "
                                   "a later record with the same id (a comment) supersedes the earlier.")
    question: str = Field("", max_length=5000)
    answer: str = Field("", max_length=50000)
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=50)
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)
    question_id: str | None = Field(None, max_length=100, description="The chat answer's question_id.")


_feedback_lock = threading.Lock()


@router.post("/api/feedback", status_code=201, dependencies=[Depends(feedback_rate_limit)])
def feedback(body: FeedbackIn, settings: Settings = Depends(get_settings),
             services: Services = Depends(get_services)) -> dict:
    record = {"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"), **body.model_dump()}
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path = settings.feedback_file
    path.parent.mkdir(parents=True, exist_ok=True)
    # The thread lock orders this server's writers; flock also keeps a second process (the CLI,
    # another worker) from interleaving half lines.
    with _feedback_lock, path.open("a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(line)
            f.flush()
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    # The questions log keeps the rating with the question (the review lists 👎 answers).
    questions_log(services).feedback(body.rating, question_id=body.question_id, question=body.question,
                                     comment=body.comment)
    return {"ok": True}


# ---------------------------------------------------------------------------------------------
# Original files and the readable view

_DOC_ID = re.compile(r"^[0-9a-z][0-9a-z-]{0,250}$")
_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
}
# Shown in the browser; anything else (HTML above all: it would run on our origin) downloads.
_INLINE_TYPES = {"application/pdf", "text/plain"}


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _not_found(request: Request, message: str) -> Response:
    # A citizen who follows a stale link in the browser gets a page, scripts get JSON.
    if _wants_html(request):
        return HTMLResponse(_page("Không tìm thấy", f"<h1>{html.escape(message)}</h1>"
                                  "<p>Văn bản có thể đã được cập nhật hoặc gỡ bỏ.</p>"), status_code=404,
                            headers=_page_headers(None))
    return JSONResponse({"detail": message}, status_code=404)


def _load_document(services: Services, doc_id: str) -> dict | None:
    # The id is checked before it touches the file system: the ledger builds a path from it.
    if not _DOC_ID.match(doc_id):
        return None
    return services.ledger.document(doc_id)


def original_path(settings: Settings, record: dict) -> Path | None:
    """The original file of a ledger record, only a regular file inside the corpus or uploads
    folder, reached without a symlink (the same rule as ingest: ingest/sources.py)."""
    from ingest.sources import Roots

    source = record.get("source")
    if not source:
        return None
    return Roots(settings.corpus, settings.uploads_dir).readable(source)


def _media_type(path: Path) -> str:
    suffix = path.suffix.lower()
    media = _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media == "text/plain":
        # Declare UTF-8 only when true; otherwise let the browser guess rather than show mojibake.
        try:
            path.read_bytes().decode("utf-8")
            media += "; charset=utf-8"
        except UnicodeDecodeError:
            pass
    return media


@router.get("/api/documents/{doc_id}/file")
def document_file(doc_id: str, request: Request, services: AccessView = Depends(get_view)) -> Response:
    doc = _load_document(services, doc_id)
    if doc is None:
        return _not_found(request, NOT_FOUND_DOCUMENT)
    path = original_path(services.settings, doc.get("record") or {})
    if path is None:
        return _not_found(request, NOT_FOUND_FILE)
    media = _media_type(path)
    inline = media.split(";")[0] in _INLINE_TYPES
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if media.split(";")[0] != "application/pdf":
        # Whatever the file holds, it can never run script on our origin.
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return FileResponse(path, media_type=media, filename=path.name, headers=headers,
                        content_disposition_type="inline" if inline else "attachment")


_VIEW_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1c1e21; font: 17px/1.65 system-ui, "Segoe UI", Roboto,
  "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
header { background: #0b4f9c; color: #fff; padding: 20px max(16px, calc(50% - 400px)); }
header h1 { margin: 4px 0 10px; font-size: 1.35rem; line-height: 1.35; }
header .kicker { margin: 0; opacity: .85; font-size: .9rem; text-transform: uppercase; letter-spacing: .04em; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; font-size: .95rem; }
header dt { opacity: .85; } header dd { margin: 0; }
header a { color: #fff; font-weight: 600; margin-right: 18px; }
main { max-width: 800px; margin: 0 auto; padding: 24px 16px 64px; }
article { background: #fff; border-radius: 8px; padding: 24px 28px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
article p { margin: 0 0 .7em; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #ffe066; color: inherit; padding: 0 1px; box-shadow: 0 0 0 2px #ffe066; border-radius: 2px; }
mark#hl { scroll-margin-top: 30vh; outline: none; }
.note { margin: 0 0 16px; padding: 10px 14px; background: #fff8d6; border-left: 4px solid #e0b400; border-radius: 4px; }
a:focus-visible, mark:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
"""


def _page_headers(nonce: str | None) -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        # Defence in depth behind the escaping: no script runs but our own scroll line.
        "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
                                   "img-src 'self' data:; base-uri 'none'; form-action 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def _page(title: str, body: str, script: str = "", nonce: str | None = None) -> str:
    tail = f'<script nonce="{nonce}">{script}</script>' if script and nonce else ""
    return ("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_VIEW_CSS}</style></head>"
            f"<body>{body}{tail}</body></html>")


def _parse_offset(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and value.strip() else None
    except ValueError:
        return None


def render_passages(text: str, start: int | None, end: int | None) -> tuple[str, bool]:
    """The text as escaped paragraphs, [start, end) wrapped in <mark>; the first mark is #hl."""
    has_hl = start is not None and end is not None and 0 <= start < end
    if has_hl:
        start, end = max(0, start), min(len(text), end)
        has_hl = start < end
    out: list[str] = []
    first = True
    pos = 0
    for line in text.split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        if not line.strip():
            continue
        if not has_hl or end <= ls or start >= le:
            out.append(f"<p>{html.escape(line)}</p>")
            continue
        a, b = max(ls, start), min(le, end)
        mark_attr = ' id="hl" tabindex="-1"' if first else ""
        first = False
        out.append(f"<p>{html.escape(text[ls:a])}<mark{mark_attr}>{html.escape(text[a:b])}</mark>"
                   f"{html.escape(text[b:le])}</p>")
    return "".join(out), has_hl and not first


@router.get("/view/{doc_id}", response_class=HTMLResponse)
def view_document(doc_id: str, start: str | None = None, end: str | None = None,
                  services: AccessView = Depends(get_view)) -> HTMLResponse:
    doc = _load_document(services, doc_id)
    if doc is None:
        return HTMLResponse(_page("Không tìm thấy văn bản", f"<main><h1>{NOT_FOUND_DOCUMENT}</h1>"
                                  "<p>Văn bản có thể đã được cập nhật hoặc gỡ bỏ.</p></main>"),
                            status_code=404, headers=_page_headers(None))
    record: dict[str, Any] = doc.get("record") or {}
    text: str = doc.get("text") or ""
    title = " ".join((record.get("title") or record.get("source") or doc_id).split())
    passages, highlighted = render_passages(text, _parse_offset(start), _parse_offset(end))
    facts = [("Số hiệu", record.get("number")), ("Cơ quan ban hành", record.get("issuer")),
             ("Ngày ban hành", _vn_date(record.get("date"))), ("Tệp", record.get("source"))]
    facts_html = "".join(f"<dt>{k}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts if v)
    links = []
    if original_path(services.settings, record) is not None:
        # Relative, so the page works behind a proxy that mounts the app under a prefix.
        links.append(f'<a href="../api/documents/{quote(doc_id)}/file">Tải tệp gốc</a>')
    if highlighted:
        links.append('<a href="#hl">Đến đoạn được trích dẫn</a>')
    note = ('<p class="note">Đoạn văn được trích dẫn trong câu trả lời được <mark>tô vàng</mark> bên dưới.</p>'
            if highlighted else "")
    body = (f'<header><p class="kicker">Văn bản gốc</p><h1>{html.escape(title)}</h1>'
            f"<dl>{facts_html}</dl><p>{''.join(links)}</p></header>"
            f'<main>{note}<article aria-label="Nội dung văn bản">{passages}</article></main>')
    nonce = secrets.token_urlsafe(16) if highlighted else None
    script = ('var m=document.getElementById("hl");'
              'if(m){m.scrollIntoView({block:"center"});m.focus({preventScroll:true});}')
    return HTMLResponse(_page(f"{title} – Văn bản gốc", body, script if highlighted else "", nonce),
                        headers=_page_headers(nonce))


def _vn_date(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        d = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
