"""Adding a document through the running server: upload → ingest → searchable at once.

The embedded store is single-writer, so a running server ingests new files itself rather than a
second process. Bad uploads get a clear Vietnamese message and leave the index as it was.

Who may upload is decided, and the declared size checked, before a byte of the body is read:
FastAPI reads a form body before any dependency runs, so this route takes the bare request
and parses the multipart itself after the checks (an anonymous 1 GB upload was otherwise
received whole, then refused). Uploaded files live under ``$ASEANBOT_HOME/uploads`` (state of
the home, never inside the corpus folder), are ingested with that folder as their root
(sources ``uploads/<name>``), and an interrupted upload leaves nothing that a later ingest
would pick up unannounced: partial files are dot-files removed at start, and a file replaced
by an upload that never finished comes back (:func:`recover_uploads`).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from bot.admin.documents import INGEST_LOCK, DocumentError, check_upload_level, remember_upload_level
from bot.http.ratelimit import client_address
from bot.services import Services
from ingest.loaders import SUPPORTED_EXTENSIONS
from ingest.pipeline import Ledger, ingest, parse_budget
from ingest.sources import UPLOADS_PREFIX, sha256_file

log = logging.getLogger(__name__)
router = APIRouter(tags=["documents"])

# File systems allow 255 bytes a name (a Vietnamese letter takes 2-3); the partial file adds
# "." + 8 + ".part" around it.
MAX_NAME_BYTES = 200
_PART = ".part"
_PREVIOUS = ".prev"
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
_FORWARDING = ("x-forwarded-for", "forwarded", "x-real-ip")

NEED_TOKEN = "Cần mã quản trị để thêm tài liệu."
LOCAL_ONLY = "Chỉ quản trị viên trên máy chủ mới được thêm tài liệu."
CROSS_SITE = "Chỉ quản trị viên trên máy chủ mới được thêm tài liệu; yêu cầu từ trang web khác bị từ chối."


def safe_name(filename: str) -> str:
    """A file name that stays inside the upload folder: no path, no odd characters, at most
    MAX_NAME_BYTES bytes of UTF-8 with its extension kept."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/")
    name = Path(name).name
    name = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip(".-")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:16]
    room = MAX_NAME_BYTES - len(ext.encode()) - (1 if ext else 0)
    stem = stem.encode()[:room].decode("utf-8", errors="ignore").rstrip(".-") or "tai-lieu"
    return f"{stem}.{ext}" if ext else stem


def require_admin(request: Request) -> None:
    """Who may add documents: the bearer of ASEANBOT_ADMIN_TOKEN; an administrator signed in on
    the admin page (session cookie and its CSRF token, from our own origin); or, when no token
    is set, someone on this machine, and then not through a web page of another site: a page
    open in the server's browser can POST a form to 127.0.0.1 as well as any local tool."""
    settings = request.app.state.services.settings
    header = request.headers.get("authorization", "")
    if settings.admin_token and secrets.compare_digest(header.encode(), f"Bearer {settings.admin_token}".encode()):
        return
    if _admin_session_ok(request):
        return
    if settings.admin_token:
        raise HTTPException(401, detail=NEED_TOKEN)
    peer = request.client.host if request.client else ""
    if peer not in _LOOPBACK_HOSTS or client_address(request, settings.trusted_proxies) != peer:
        raise HTTPException(403, detail=LOCAL_ONLY)
    if any(request.headers.get(h) for h in _FORWARDING):
        # Sent through a proxy on this machine: the real client may be anywhere.
        raise HTTPException(403, detail=LOCAL_ONLY)
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
    if host not in _LOOPBACK_HOSTS:
        # A page of evil.example whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
        raise HTTPException(403, detail=CROSS_SITE)
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPException(403, detail=CROSS_SITE)
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, detail=CROSS_SITE)


def _admin_session_ok(request: Request) -> bool:
    try:
        from bot.http.access import CSRF_HEADER, admin_auth, admin_session
    except ImportError:
        return False
    session = admin_session(request)
    if session is None:
        return False
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        return False
    from bot.admin.auth import AuthError

    try:
        admin_auth(request).check_csrf(session, request.headers.get(CSRF_HEADER))
    except AuthError as exc:
        # Signed in, but the page's token is missing or wrong: say so (a forged request).
        raise HTTPException(exc.status, detail=exc.message) from None
    return True


def recover_uploads(services: Services) -> None:
    """At start: remove what interrupted uploads left. A partial file goes; a file an upload
    replaced (kept as ".<name>.prev") comes back unless the upload had finished (the ledger
    holds the new file's hash)."""
    folder = services.settings.uploads_dir
    if not folder.is_dir():
        return
    ledger = Ledger(services.settings.state_dir)
    for path in folder.iterdir():
        name = path.name
        if not name.startswith("."):
            continue
        if name.endswith(_PART):
            log.warning("removing the partial upload %s", path)
            path.unlink(missing_ok=True)
        elif name.endswith(_PREVIOUS):
            target = folder / name[1 : -len(_PREVIOUS)]
            entry = ledger.entries.get(UPLOADS_PREFIX + target.name)
            finished = target.is_file() and entry is not None and entry.get("sha256") == _sha(target)
            if finished:
                path.unlink(missing_ok=True)
            else:
                log.warning("an upload of %s did not finish: the previous file is back", target.name)
                os.replace(path, target)


def _sha(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _ingest_upload(services: Services, tmp: Path, target: Path, limit: int, level: str | None = None):
    settings = services.settings
    previous = target.with_name(f".{target.name}{_PREVIOUS}")
    with INGEST_LOCK:
        # The form's access level is in place before the chunks are written (ingest/levels.py).
        undo_level = remember_upload_level(services, UPLOADS_PREFIX + target.name, level)
        had_previous = target.exists()
        if had_previous:
            os.replace(target, previous)  # kept until the new file is in: a crash brings it back
        os.replace(tmp, target)
        try:
            report = ingest([target], corpus_root=settings.corpus, uploads_root=settings.uploads_dir,
                            ledger=services.ledger, sink=services.indexer(), max_bytes=limit, ocr=settings.ocr,
                            budget=parse_budget(settings))
        except BaseException:
            _put_back(target, previous, had_previous)
            undo_level()
            raise
        source = UPLOADS_PREFIX + target.name
        row = next((r for r in report.rows if r.source == source), report.rows[-1])
        if row.status in ("skipped", "duplicate"):
            # Nothing of a bad or duplicate upload stays: the previous file (if any) is back as it was.
            _put_back(target, previous, had_previous)
            undo_level()
        else:
            previous.unlink(missing_ok=True)
            services.refresh()
        return row


def _put_back(target: Path, previous: Path, had_previous: bool) -> None:
    if had_previous:
        os.replace(previous, target)
    else:
        target.unlink(missing_ok=True)


def _too_large(mb: int) -> HTTPException:
    return HTTPException(413, detail=f"Tệp quá lớn: tối đa {mb} MB.")


@router.post("/api/documents", status_code=201, responses={200: {"description": "Đã có tài liệu cùng nội dung"}})
async def upload(request: Request) -> JSONResponse:
    """Add a document (multipart/form-data, field ``file``; ``level``: public or internal)."""
    require_admin(request)
    services: Services = request.app.state.services
    settings = services.settings
    limit = settings.max_upload_mb * 1024 * 1024
    declared = request.headers.get("content-length")
    if declared is None:
        raise HTTPException(411, detail="Cần gửi kèm độ dài nội dung (Content-Length).")
    try:
        size = int(declared)
    except ValueError:
        raise HTTPException(400, detail="Độ dài nội dung (Content-Length) không hợp lệ.") from None
    if size > limit + 64 * 1024:  # the file plus the form's few headers
        raise _too_large(settings.max_upload_mb)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise HTTPException(415, detail="Cần gửi tệp dạng multipart/form-data, trường 'file'.")
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=64 * 1024)
    except (MultiPartException, ClientDisconnect, ValueError) as exc:
        raise HTTPException(400, detail=f"Dữ liệu tải lên không hợp lệ: {exc}") from None
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(422, detail="Thiếu tệp cần tải lên (trường 'file').")
        try:
            level = check_upload_level(form.get("level"))
        except DocumentError as exc:
            raise HTTPException(422, detail=exc.message) from None
        name = safe_name(file.filename or "")
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_EXTENSIONS:
            raise HTTPException(415, detail=f"Định dạng tệp không được hỗ trợ ({suffix or 'không có đuôi'}). "
                                            f"Hỗ trợ: {', '.join(sorted(SUPPORTED_EXTENSIONS))}.")
        folder = settings.uploads_dir
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        tmp = folder / f".{name}.{secrets.token_hex(4)}{_PART}"
        digest = hashlib.sha256()
        written = 0
        try:
            with tmp.open("wb") as out:
                while chunk := await file.read(1 << 20):
                    written += len(chunk)
                    if written > limit:
                        raise _too_large(settings.max_upload_mb)
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        await form.close()
    # Parsing and embedding take seconds: off the event loop, so other users keep being served.
    try:
        row = await asyncio.to_thread(_ingest_upload, services, tmp, target, limit, level)
    finally:
        tmp.unlink(missing_ok=True)
    if row.status == "skipped":
        raise HTTPException(422, detail=f"Không thể đưa tệp vào hệ thống: {row.reason}")
    sha = digest.hexdigest()
    record = services.ledger.entries.get(row.source, {})
    if row.status == "duplicate":
        # The same bytes are indexed already, under another name: that document is the answer.
        record = next((e for e in services.ledger.entries.values() if e.get("sha256") == sha), {})
    body = {"status": row.status, "source": record.get("source", row.source), "doc_id": record.get("doc_id"),
            "chunks": record.get("chunks", row.chunks), "reason": row.reason, "title": record.get("title"),
            "level": record.get("level") or "public"}
    return JSONResponse(body, status_code=201 if row.status in ("ingested", "updated") else 200)
