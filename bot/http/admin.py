"""The admin page at /admin and its JSON API at /admin/api.

Sign-in sets an HttpOnly, Secure, SameSite=Strict session cookie; every change (POST, PATCH,
DELETE) must also carry the session's CSRF token in ``X-CSRF-Token``, and the sign-in itself a
token bound to a cookie of its own (no signing in a victim to the attacker's account). A
request from a page of another origin is refused by its Origin header as well. Refusals are
JSON ``{"detail": "<Vietnamese message>", "code": ...}`` with 401 (not signed in, expired), 403
(CSRF) or 429 (locked out).
"""
from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from bot.access import questions_log, view_for
from bot.admin import documents as docs
from bot.admin.auth import CSRF_MISSING, CSRF_WRONG, AdminSession, AuthError
from bot.admin.review import XLSX_MEDIA_TYPE, embed_questions, export_xlsx, group_rows, public_group
from bot.approved import locate_quote
from bot.http.access import CSRF_HEADER, LOGIN_COOKIE, SESSION_COOKIE, admin_auth
from bot.http.uploads import require_admin
from bot.questions_log import parse_since
from ingest.levels import INTERNAL, LEVEL_NAMES

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CROSS_ORIGIN = "Yêu cầu đến từ trang khác bị từ chối."
QUOTE_NOT_FOUND = "Không tìm thấy đoạn trích dẫn trong văn bản đã chọn; hãy sao chép đúng nguyên văn."
router = APIRouter(prefix="/admin", include_in_schema=False)

_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Refused(Exception):
    def __init__(self, message: str, status: int, code: str):
        self.message, self.status, self.code = message, status, code


def refused_response(exc: Refused) -> JSONResponse:
    return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=exc.status,
                        headers={"Cache-Control": "no-store"})


def _from_auth(exc: AuthError) -> Refused:
    return Refused(exc.message, exc.status, exc.code)


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Refused(CROSS_ORIGIN, 403, "origin")


def signed_in(request: Request) -> AdminSession:
    try:
        return admin_auth(request).session(request.cookies.get(SESSION_COOKIE))
    except AuthError as exc:
        raise _from_auth(exc) from None


def may_change(request: Request, session: AdminSession = Depends(signed_in)) -> AdminSession:
    """A signed-in session whose request carries its CSRF token, from our own origin."""
    _same_origin(request)
    try:
        admin_auth(request).check_csrf(session, request.headers.get(CSRF_HEADER))
    except AuthError as exc:
        raise _from_auth(exc) from None
    return session


def _services(request: Request):
    return request.app.state.services


# -- the page ----------------------------------------------------------------------------------

@router.get("")
def to_page() -> RedirectResponse:
    # The page lives at /admin/ so that its relative links (admin.js, api/…) stay under /admin/.
    return RedirectResponse("admin/", status_code=307)


@router.get("/")
def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "admin.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/admin.js")
def script() -> FileResponse:
    return FileResponse(STATIC_DIR / "admin.js", media_type="text/javascript; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/admin.css")
def style() -> FileResponse:
    return FileResponse(STATIC_DIR / "admin.css", media_type="text/css; charset=utf-8", headers=_PAGE_HEADERS)


# -- signing in and out --------------------------------------------------------------------------

def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict")


@router.get("/api/session")
def session_state(request: Request) -> JSONResponse:
    """Whether the page is signed in, and the CSRF token its next change (or sign-in) needs."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        session = admin_auth(request).session(token)
        return JSONResponse({"signed_in": True, "user": session.username, "csrf": session.csrf,
                             "levels": LEVEL_NAMES}, headers={"Cache-Control": "no-store"})
    except AuthError as exc:
        message = exc.message if token else None
    login = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = JSONResponse({"signed_in": False, "csrf": login, "message": message, "levels": LEVEL_NAMES},
                            headers={"Cache-Control": "no-store"})
    _cookie(response, LOGIN_COOKIE, login, 3600)
    if token:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


class Login(BaseModel):
    username: str = Field("", max_length=100)
    password: str = Field("", max_length=1000)


@router.post("/api/login")
def login(body: Login, request: Request) -> JSONResponse:
    _same_origin(request)
    expected = request.cookies.get(LOGIN_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if not given or not expected:
        raise Refused(CSRF_MISSING, 403, "csrf")
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise Refused(CSRF_WRONG, 403, "csrf")
    auth = admin_auth(request)
    client = request.client.host if request.client else ""
    try:
        token, session = auth.sign_in(body.username.strip(), body.password, client)
    except AuthError as exc:
        raise _from_auth(exc) from None
    response = JSONResponse({"signed_in": True, "user": session.username, "csrf": session.csrf,
                             "levels": LEVEL_NAMES})
    _cookie(response, SESSION_COOKIE, token, auth.session_seconds)
    response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.post("/api/logout")
def logout(request: Request, session: AdminSession = Depends(may_change)) -> JSONResponse:
    admin_auth(request).end(request.cookies.get(SESSION_COOKIE))
    response = JSONResponse({"signed_in": False})
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


# -- documents -----------------------------------------------------------------------------------

@router.get("/api/documents", dependencies=[Depends(signed_in)])
def list_documents(request: Request) -> JSONResponse:
    return JSONResponse({"documents": docs.document_rows(_services(request))}, headers={"Cache-Control": "no-store"})


class DocumentChange(BaseModel):
    level: str | None = None
    title: str | None = None
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    province: str | None = None
    date: str | None = None
    signer: str | None = None


async def _run(fn, *args) -> Any:
    # Ingest and store writes take seconds: off the event loop, other users keep being served.
    try:
        return await asyncio.to_thread(fn, *args)
    except docs.DocumentError as exc:
        raise Refused(exc.message, exc.status, "document") from None


@router.patch("/api/documents/{doc_id}", dependencies=[Depends(may_change)])
async def change_document(doc_id: str, body: DocumentChange, request: Request) -> dict:
    services = _services(request)
    fields = body.model_dump(exclude_unset=True)
    level = fields.pop("level", None)
    out: dict[str, Any] = {"doc_id": doc_id}
    if level is not None:
        out.update(await _run(docs.set_level, services, doc_id, level))
    if fields:
        out.update(await _run(docs.update_metadata, services, doc_id, fields))
    return out


@router.post("/api/documents/{doc_id}/reingest", dependencies=[Depends(may_change)])
async def reingest_document(doc_id: str, request: Request) -> dict:
    return await _run(docs.reingest, _services(request), doc_id)


@router.delete("/api/documents/{doc_id}", dependencies=[Depends(may_change)])
async def delete_document(doc_id: str, request: Request) -> dict:
    return await _run(docs.delete, _services(request), doc_id)


# -- questions and approved answers ------------------------------------------------------------

Kind = Literal["unanswered", "down", "both"]


def _groups(request: Request, kind: str, since: str | None) -> list[dict[str, Any]]:
    try:
        moment = parse_since(since)
    except ValueError as exc:
        raise Refused(str(exc).capitalize(), 422, "since") from None
    services = _services(request)
    rows = questions_log(services).rows(since=moment, unanswered=kind in ("unanswered", "both"),
                                        down=kind in ("down", "both"))
    return group_rows(rows, lambda texts: embed_questions(services.embedder, texts))


@router.get("/api/questions", dependencies=[Depends(signed_in)])
async def questions(request: Request, kind: Kind = "both", since: str | None = Query(None, max_length=40)) -> dict:
    groups = await asyncio.to_thread(_groups, request, kind, since)
    return {"groups": [public_group(g) for g in groups], "total": sum(g["count"] for g in groups)}


@router.get("/api/questions.xlsx", dependencies=[Depends(signed_in)])
async def questions_xlsx(request: Request, kind: Kind = "both", since: str | None = Query(None, max_length=40)):
    groups = await asyncio.to_thread(_groups, request, kind, since)
    data = await asyncio.to_thread(export_xlsx, groups)
    return Response(data, media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="cau-hoi-can-xem-lai.xlsx"',
                             "Cache-Control": "no-store"})


class ApprovedIn(BaseModel):
    question: str = Field(..., min_length=3, max_length=1000)
    answer: str = Field(..., min_length=3, max_length=5000)
    doc_id: str = Field(..., max_length=300)
    quote: str = Field(..., min_length=3, max_length=5000)


@router.get("/api/approved", dependencies=[Depends(signed_in)])
def list_approved(request: Request) -> dict:
    services = _services(request)
    titles = {r["doc_id"]: r.get("title") or r["source"] for r in services.ledger.records()}
    return {"approved": [{**a, "doc_title": titles.get(a["doc_id"]), "doc_missing": a["doc_id"] not in titles}
                         for a in questions_log(services).approved()]}


@router.post("/api/approved", status_code=201)
def add_approved(body: ApprovedIn, request: Request, session: AdminSession = Depends(may_change)) -> dict:
    services = _services(request)
    # The admin sees every level; the answer is served only to callers who may see the document.
    doc = view_for(services, INTERNAL).ledger.document(body.doc_id)
    if doc is None:
        raise Refused(docs.NOT_FOUND, 404, "document")
    span = locate_quote(doc.get("text") or "", body.quote)
    if span is None:
        raise Refused(QUOTE_NOT_FOUND, 422, "quote")
    item = questions_log(services).add_approved(question=body.question, answer=body.answer, doc_id=body.doc_id,
                                                quote=doc["text"][span[0]:span[1]], char_start=span[0],
                                                char_end=span[1], created_by=session.username)
    return {"approved": item}


@router.delete("/api/approved/{approved_id}", dependencies=[Depends(may_change)])
def delete_approved(approved_id: str, request: Request) -> dict:
    if not questions_log(_services(request)).delete_approved(approved_id):
        raise Refused("Không tìm thấy câu trả lời đã duyệt.", 404, "approved")
    return {"deleted": True}


# -- the same document operations for scripts: ASEANBOT_ADMIN_TOKEN, like uploads -------------------

api_router = APIRouter(prefix="/api/documents", tags=["documents"], dependencies=[Depends(require_admin)])


@api_router.patch("/{doc_id}")
async def api_change_document(doc_id: str, body: DocumentChange, request: Request) -> dict:
    """Change a document's access level (``{"level": "internal"}``) or correct its metadata."""
    return await change_document(doc_id, body, request)


@api_router.post("/{doc_id}/reingest")
async def api_reingest_document(doc_id: str, request: Request) -> dict:
    return await reingest_document(doc_id, request)


@api_router.delete("/{doc_id}")
async def api_delete_document(doc_id: str, request: Request) -> dict:
    """Remove a document: its chunks, tasks and file."""
    return await delete_document(doc_id, request)


def install(app) -> None:
    """Mount the admin page, its refusals and the documents API on ``app``."""
    app.include_router(router)
    app.include_router(api_router)
    app.add_exception_handler(Refused, lambda request, exc: refused_response(exc))
