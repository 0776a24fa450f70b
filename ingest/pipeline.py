"""Incremental ingest: files → parsed documents → a sink (the index), with a content-hash ledger.

Each run compares every file's SHA-256 with the ledger in ``$ASEANBOT_HOME/state``:
unchanged files cost one hash, changed ones are replaced in the sink, files gone from a scanned
folder are removed, and the same content under a second name is reported, not indexed twice.
The ledger is written after each document, so an interrupted run leaves it consistent with
the sink and the next run picks up where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Protocol

from ingest.chunks import Chunk, chunk_structure
from ingest.document import LoadError
from ingest.loaders import SUPPORTED_EXTENSIONS, load
from ingest.manifest import load_manifest
from ingest.metadata import DocMeta, extract_metadata
from ingest.structure import ParsedStructure, parse_structure

log = logging.getLogger(__name__)

IGNORED_NAMES = {"manifest.yaml", "SOURCES.md", "README.md"}
# Bump when parsing or chunking changes what a file becomes: every document is then re-parsed
# once, as if it had changed, instead of keeping chunks an older parser made.
PARSER_VERSION = 17


@dataclass
class ParsedDocument:
    doc_id: str
    source: str
    sha256: str
    meta: DocMeta
    text: str
    chunks: list[Chunk]
    structure: ParsedStructure
    pages: int | None
    method: str
    warnings: list[str] = field(default_factory=list)

    def record(self) -> dict:
        """What the ledger and the document API keep about a document."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "sha256": self.sha256,
            **self.meta.to_dict(),
            "year": self.meta.year,
            "pages": self.pages,
            "chunks": len(self.chunks),
            "method": self.method,
            "warnings": self.warnings,
            "parser_version": PARSER_VERSION,
        }


class DocumentSink(Protocol):
    """Where parsed documents go (the index). ``replace`` must drop the document's old chunks."""

    def replace(self, doc: ParsedDocument) -> None: ...
    def remove(self, doc_id: str) -> None: ...


@dataclass
class ReportRow:
    source: str
    status: str  # ingested, updated, unchanged, removed, duplicate, skipped
    chunks: int = 0
    pages: int | None = None
    reason: str = ""
    seconds: float = 0.0


@dataclass
class IngestReport:
    rows: list[ReportRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def doc_id_for(source: str) -> str:
    """A stable, URL-safe id from the source path: "asean/quangninh-159.docx" → "asean-quangninh-159-docx"."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", source).strip("-").lower()
    return slug or hashlib.sha1(source.encode()).hexdigest()[:12]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_file(
    path: Path,
    source: str,
    *,
    max_bytes: int,
    ocr: bool = True,
    corrections: dict[str, str] | None = None,
    sha256: str | None = None,
) -> ParsedDocument:
    """One file → text, structure, metadata and chunks. Raises LoadError for bad input."""
    loaded = load(path, max_bytes=max_bytes, ocr=ocr)
    structure = parse_structure(loaded.blocks)
    if not structure.text.strip():
        raise LoadError("no text found in the document")
    meta = extract_metadata([b.text for b in loaded.blocks], loaded.meta)
    if corrections:
        meta.merge(corrections)
    doc_id = doc_id_for(source)
    chunks = chunk_structure(structure, doc_id=doc_id, source=source, title=document_label(meta, source))
    return ParsedDocument(
        doc_id=doc_id,
        source=source,
        sha256=sha256 or sha256_file(path),
        meta=meta,
        text=structure.text,
        chunks=chunks,
        structure=structure,
        pages=loaded.pages,
        method=loaded.method,
        warnings=list(loaded.warnings),
    )


def document_label(meta: DocMeta, source: str) -> str:
    """How chunks name their document in context: "Kế hoạch 159/KH-UBND · Ủy ban nhân dân tỉnh
    Quảng Ninh · <title>", so a question naming the số hiệu, issuer or province finds every chunk."""
    parts = []
    if meta.number:
        parts.append(f"{meta.doc_type or 'Văn bản'} {meta.number}")
    if meta.issuer:
        parts.append(meta.issuer)
    if meta.province and (not meta.issuer or meta.province not in meta.issuer):
        parts.append(meta.province)
    parts.append(meta.title or Path(source).stem)
    return " · ".join(parts)


class Ledger:
    """The content-hash ledger and each document's parsed text, under ``state_dir``."""

    def __init__(self, state_dir: Path):
        self.dir = state_dir
        self.docs_dir = state_dir / "documents"
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "ledger.json"
        self.entries: dict[str, dict] = json.loads(self.path.read_text()) if self.path.exists() else {}
        self._documents: dict[str, tuple[int, dict]] = {}

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1))
        os.replace(tmp, self.path)

    def put(self, doc: ParsedDocument, corrections: dict | None = None) -> None:
        from ingest.tasks import tasks_for_document  # built with the document, rebuilt with it

        tmp = self.docs_dir / f"{doc.doc_id}.json.tmp"
        tmp.write_text(
            json.dumps(
                {"record": doc.record(), "text": doc.text, "chunks": [c.to_dict() for c in doc.chunks],
                 "tasks": tasks_for_document(doc)},
                ensure_ascii=False,
            )
        )
        os.replace(tmp, self.docs_dir / f"{doc.doc_id}.json")
        self.entries[doc.source] = {**doc.record(), "corrections": corrections}
        self.save()

    def drop(self, source: str) -> None:
        entry = self.entries.pop(source, None)
        if entry:
            (self.docs_dir / f"{entry['doc_id']}.json").unlink(missing_ok=True)
        self.save()

    def document(self, doc_id: str) -> dict | None:
        """A document's stored text, chunks and tasks (shared: read it, don't change it).

        Parsed once per version of its file: answers read the same documents again and again."""
        path = self.docs_dir / f"{doc_id}.json"
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._documents.get(doc_id)
        if cached and cached[0] == stamp:
            return cached[1]
        doc = json.loads(path.read_text())
        self._documents[doc_id] = (stamp, doc)
        return doc

    def records(self) -> list[dict]:
        return sorted(self.entries.values(), key=lambda r: r["source"])


def source_for(path: Path, corpus_root: Path) -> str:
    """Path relative to the corpus root (forward slashes), or the absolute path outside it."""
    try:
        return path.resolve().relative_to(corpus_root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest and the folders that were scanned (for removal of deleted files)."""
    files: list[Path] = []
    folders: list[Path] = []
    for p in paths:
        if p.is_dir():
            folders.append(p)
            files.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and f.name not in IGNORED_NAMES and not f.name.startswith(".")
            )
        else:
            files.append(p)
    return files, folders


def ingest(
    paths: list[Path],
    *,
    corpus_root: Path,
    ledger: Ledger,
    sink: DocumentSink | None,
    max_bytes: int,
    ocr: bool = True,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the sink and the ledger in line with the files under ``paths``."""
    report = IngestReport()
    manifest = load_manifest(corpus_root)
    files, folders = discover(paths)
    seen_hashes: dict[str, str] = {}
    present: set[str] = set()
    for path in files:
        started = time.perf_counter()
        source = source_for(path, corpus_root)
        present.add(source)
        if progress:
            progress(source)
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS and path.suffix.lower() != "":
            report.rows.append(ReportRow(source, "skipped", reason=f"unsupported file type: {path.suffix}"))
            continue
        try:
            digest = sha256_file(path)
        except OSError as exc:
            report.rows.append(ReportRow(source, "skipped", reason=f"cannot read file: {exc.strerror}"))
            continue
        old = ledger.entries.get(source)
        if digest in seen_hashes:
            report.rows.append(ReportRow(source, "duplicate", reason=f"same content as {seen_hashes[digest]}"))
            continue
        twin = next((s for s, e in ledger.entries.items() if e["sha256"] == digest and s != source), None)
        if twin and (corpus_root / twin).exists():
            seen_hashes[digest] = twin
            report.rows.append(ReportRow(source, "duplicate", reason=f"same content as {twin}"))
            continue
        seen_hashes[digest] = source
        corrections = manifest.get(source)
        if (old and old["sha256"] == digest and old.get("parser_version") == PARSER_VERSION
                and old.get("corrections") == corrections):
            report.rows.append(ReportRow(source, "unchanged", old["chunks"], old.get("pages")))
            continue
        try:
            doc = parse_file(path, source, max_bytes=max_bytes, ocr=ocr, corrections=corrections, sha256=digest)
        except LoadError as exc:
            # A broken new version leaves the last good one in place: nothing already ingested is lost.
            reason = exc.reason + (" (previous version kept)" if old else "")
            report.rows.append(ReportRow(source, "skipped", reason=reason))
            continue
        except Exception as exc:  # a parser bug must not stop the run or lose the index
            log.exception("ingest failed for %s", source)
            report.rows.append(ReportRow(source, "skipped", reason=f"internal error: {type(exc).__name__}: {exc}"))
            continue
        if sink is not None:
            sink.replace(doc)
        ledger.put(doc, corrections)
        status = "updated" if old else "ingested"
        report.rows.append(
            ReportRow(source, status, len(doc.chunks), doc.pages, "; ".join(doc.warnings), time.perf_counter() - started)
        )
    for source, entry in list(ledger.entries.items()):
        if source in present:
            continue
        full = corpus_root / source if not source.startswith("/") else Path(source)
        in_scanned = any(_is_under(full, folder) for folder in folders)
        if in_scanned and not full.exists():
            if sink is not None:
                sink.remove(entry["doc_id"])
            ledger.drop(source)
            report.rows.append(ReportRow(source, "removed", entry.get("chunks", 0)))
    return report


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def report_dict(report: IngestReport) -> list[dict]:
    return [asdict(r) for r in report.rows]
