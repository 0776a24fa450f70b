"""What an administrator does to an indexed document: change its level or metadata, re-ingest
it, delete it. Used by the admin page and the documents API (bot/http/admin.py).

Each operation holds ``INGEST_LOCK`` (uploads hold it too): the ledger and the store have one
writer. The administrator's choices are kept as overrides (ingest/levels.py), so the next
``aseanbot ingest`` keeps them instead of reading the file's own metadata again.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from bot.services import Services
from ingest.levels import LEVEL_NAMES, Overrides, check_level, load_corrections, record_level
from ingest.pipeline import ingest, parse_budget
from ingest.sources import Roots

# One ingest at a time in this process: uploads, re-ingests, deletions and level changes.
INGEST_LOCK = threading.Lock()
# Metadata an administrator may correct (the manifest's fields, less the level: set on its own).
EDITABLE = ("title", "number", "doc_type", "issuer", "province", "date", "signer")
EDITABLE_NAMES = {"title": "tiêu đề", "number": "số hiệu", "doc_type": "loại văn bản", "issuer": "cơ quan ban hành",
                  "province": "tỉnh, thành phố", "date": "ngày ban hành", "signer": "người ký"}
NOT_FOUND = "Không tìm thấy văn bản."
NO_FILE = "Không tìm thấy tệp gốc của văn bản này để lập chỉ mục lại."
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DocumentError(Exception):
    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


def roots(services: Services) -> Roots:
    settings = services.settings
    return Roots(settings.corpus, getattr(settings, "uploads_dir", None))


def _entry(services: Services, doc_id: str) -> tuple[str, dict]:
    for source, entry in services.ledger.entries.items():
        if entry.get("doc_id") == doc_id:
            return source, entry
    raise DocumentError(NOT_FOUND, 404)


def document_rows(services: Services) -> list[dict[str, Any]]:
    """Every indexed document as the admin page lists it (all levels: the admin sees all)."""
    overrides = Overrides(services.settings.state_dir).all()
    r = roots(services)
    rows = []
    for record in services.ledger.records():
        level = record_level(record)
        warnings = record.get("warnings") or []
        has_file = r.readable(record["source"]) is not None
        rows.append({
            **{k: record.get(k) for k in ("doc_id", "source", "number", "doc_type", "issuer", "province", "date",
                                          "signer", "pages", "chunks", "method")},
            "title": record.get("title") or record["source"],
            "level": level, "level_name": LEVEL_NAMES[level], "warnings": warnings,
            "status": "indexed" if has_file else "missing_file",
            "status_name": ("Đã lập chỉ mục" + (" (có cảnh báo)" if warnings else "")) if has_file
            else "Đã lập chỉ mục, không còn tệp gốc",
            "overrides": overrides.get(record["source"], {}),
        })
    return rows


def _write_record_level(services: Services, doc_id: str, level: str) -> None:
    """The document's stored copy states its level too (LedgerView checks both)."""
    path = services.ledger.docs_dir / f"{doc_id}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return
    data.setdefault("record", {})["level"] = level
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False))
    os.replace(tmp, path)


def set_level(services: Services, doc_id: str, level: str) -> dict[str, Any]:
    """Make a document public or internal at once: its chunks' payload and its ledger record
    change, nothing is re-embedded."""
    level = _level(level)
    settings = services.settings
    with INGEST_LOCK:
        source, entry = _entry(services, doc_id)
        Overrides(settings.state_dir).update(source, {"level": level})
        # The store first: from this call on, searches at the old level no longer find it.
        services.store.set_payload_where("doc_id", doc_id, {"level": level})
        entry["level"] = level
        # What the next ingest compares: the same corrections mean "unchanged", no re-parse.
        entry["corrections"] = load_corrections(settings.corpus, settings.state_dir).get(source)
        _write_record_level(services, doc_id, level)
        services.ledger.save()
    return {"doc_id": doc_id, "source": source, "level": level}


def _level(value: str) -> str:
    try:
        return check_level(value)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None


def update_metadata(services: Services, doc_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Correct a document's metadata (an empty value goes back to what the file or manifest
    says); the document is re-ingested so its chunks carry the new title and số hiệu."""
    unknown = set(fields) - set(EDITABLE) - {"level"}
    if unknown:
        raise DocumentError(f"Không sửa được trường: {', '.join(sorted(unknown))}.")
    clean: dict[str, str | None] = {}
    for key, value in fields.items():
        text = " ".join(str(value).split()) if value is not None else ""
        if len(text) > 500:
            raise DocumentError(f"Giá trị {EDITABLE_NAMES.get(key, key)} quá dài (tối đa 500 ký tự).")
        if key == "date" and text and not _ISO_DATE.fullmatch(text):
            raise DocumentError("Ngày ban hành cần theo dạng năm-tháng-ngày, ví dụ 2026-03-15.")
        clean[key] = _level(text) if key == "level" and text else text or None
    source, _ = _entry(services, doc_id)
    with INGEST_LOCK:
        Overrides(services.settings.state_dir).update(source, clean)
    return reingest(services, doc_id)


def reingest(services: Services, doc_id: str) -> dict[str, Any]:
    """Parse and index the document's file again, whether or not it changed."""
    settings = services.settings
    with INGEST_LOCK:
        source, entry = _entry(services, doc_id)
        path = roots(services).readable(source)
        if path is None:
            raise DocumentError(NO_FILE, 404)
        kept = entry.get("parser_version")
        # Ingest skips a file whose hash, parser and corrections are unchanged; an unknown parser
        # version makes it parse this one again.
        entry["parser_version"] = -1
        report = ingest([path], corpus_root=settings.corpus, ledger=services.ledger, sink=services.indexer(),
                        max_bytes=settings.max_file_mb * 1024 * 1024, ocr=settings.ocr,
                        uploads_root=getattr(settings, "uploads_dir", None), budget=parse_budget(settings))
        row = next((r for r in report.rows if r.source == source), None)
        if row is None or row.status not in ("updated", "ingested"):
            if source in services.ledger.entries:
                services.ledger.entries[source]["parser_version"] = kept
                services.ledger.save()
            reason = row.reason if row else "không đọc được tệp"
            raise DocumentError(f"Không lập chỉ mục lại được văn bản: {reason}")
        services.refresh()
    record = services.ledger.entries.get(source, {})
    return {"doc_id": record.get("doc_id", doc_id), "source": source, "status": row.status, "chunks": row.chunks,
            "title": record.get("title"), "level": record_level(record)}


def delete(services: Services, doc_id: str) -> dict[str, Any]:
    """Remove a document: its chunks, its ledger entry with its text and tasks, the
    administrator's overrides, and its file (moved to ``<home>/trash``, so the next ingest does
    not bring it back and a mistake can be undone by hand)."""
    settings = services.settings
    with INGEST_LOCK:
        source, _ = _entry(services, doc_id)
        services.indexer().remove(doc_id)
        services.ledger.drop(source)
        Overrides(settings.state_dir).forget(source)
        path = roots(services).path_for(source)
        note = ""
        if path is not None and path.is_file() and not path.is_symlink():
            trash = settings.home / "trash"
            trash.mkdir(parents=True, exist_ok=True)
            try:
                shutil.move(str(path), trash / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name}")
            except OSError as exc:
                note = f"Không chuyển được tệp gốc vào thùng rác ({exc.strerror}); lần nạp sau văn bản sẽ trở lại."
        services.refresh()
    return {"doc_id": doc_id, "source": source, "deleted": True, "note": note}


def check_upload_level(value: object) -> str | None:
    """The ``level`` field of an upload form: None when absent (a new document is public, a
    replaced one keeps its level), else a level or DocumentError."""
    if value is None or value == "":
        return None
    return _level(str(value))


def remember_upload_level(services: Services, source: str, level: str | None):
    """Record the level an upload chose before its file is ingested, so its chunks are written
    with it (an internal document is never public for a moment). Returns the undo, for an
    upload that fails. Call with INGEST_LOCK held."""
    overrides = Overrides(services.settings.state_dir)
    before = overrides.get(source).get("level")
    if level:
        overrides.update(source, {"level": level})
    return lambda: overrides.update(source, {"level": before})
