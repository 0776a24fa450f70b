"""Adding a document through the running server: upload → ingest → searchable at once.

The embedded store is single-writer, so a running server ingests new files itself rather than a
second process. Bad uploads get a clear Vietnamese message and leave the index as it was.
"""
from __future__ import annotations

import asyncio
import re
import secrets
import threading
import unicodedata
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile

from bot.http.deps import get_services
from bot.services import Services
from ingest.loaders import SUPPORTED_EXTENSIONS
from ingest.pipeline import ingest

router = APIRouter(tags=["documents"])
UPLOAD_DIR = "uploads"
_lock = threading.Lock()  # one ingest at a time: the ledger and the store have one writer



def safe_name(filename: str) -> str:
    """A file name that stays inside the upload folder: no path, no odd characters."""
    name = Path(unicodedata.normalize("NFC", filename or "")).name
    name = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip(".-")
    return name[:120] or "tai-lieu"


_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def require_admin(request: Request) -> None:
    """Who may add documents: the bearer of ASEANBOT_ADMIN_TOKEN, or, when none is set, a
    client on this machine (the widget's public users never can)."""
    settings = request.app.state.services.settings
    if settings.admin_token:
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given, f"Bearer {settings.admin_token}"):
            raise HTTPException(401, detail="Cần mã quản trị để thêm tài liệu.")
        return
    host = request.client.host if request.client else ""
    if host not in _LOOPBACK:
        raise HTTPException(403, detail="Chỉ quản trị viên trên máy chủ mới được thêm tài liệu.")


def _ingest_upload(services: Services, tmp: Path, target: Path, limit: int):
    settings = services.settings
    with _lock:
        previous = target.read_bytes() if target.exists() else None
        tmp.replace(target)
        report = ingest([target], corpus_root=settings.corpus, ledger=services.ledger, sink=services.indexer(),
                        max_bytes=limit, ocr=settings.ocr)
        row = report.rows[0]
        if row.status == "skipped":
            # Nothing of a bad upload stays: the previous version (if any) comes back as it was.
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
        else:
            services.refresh()
        return row


@router.post("/api/documents", status_code=201, dependencies=[Depends(require_admin)])
async def upload(file: UploadFile, request: Request, services: Services = Depends(get_services)) -> dict:
    settings = services.settings
    limit = settings.max_upload_mb * 1024 * 1024
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:
        raise HTTPException(413, detail=f"Tệp quá lớn: tối đa {settings.max_upload_mb} MB.")
    name = safe_name(file.filename or "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise HTTPException(415, detail=f"Định dạng tệp không được hỗ trợ ({suffix or 'không có đuôi'}). "
                                        f"Hỗ trợ: {', '.join(sorted(SUPPORTED_EXTENSIONS))}.")
    folder = settings.corpus / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    tmp = folder / f".{name}.part"
    size = 0
    with tmp.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                tmp.unlink(missing_ok=True)
                raise HTTPException(413, detail=f"Tệp quá lớn: tối đa {settings.max_upload_mb} MB.")
            out.write(chunk)
    # Parsing and embedding take seconds: off the event loop, so other users keep being served.
    row = await asyncio.to_thread(_ingest_upload, services, tmp, target, limit)
    if row.status == "skipped":
        raise HTTPException(422, detail=f"Không thể đưa tệp vào hệ thống: {row.reason}")
    record = services.ledger.entries.get(row.source, {})
    return {"status": row.status, "source": row.source, "doc_id": record.get("doc_id"), "chunks": row.chunks,
            "reason": row.reason, "title": record.get("title")}
