"""Incremental ingest: files → parsed documents → a sink (the index), with a content-hash ledger.

Each run compares every file's SHA-256 with the ledger in ``$ASEANBOT_HOME/state``:
unchanged files cost one hash, changed ones are replaced in the sink, files gone from a scanned
folder are removed, and the same content under a second name is reported, not indexed twice.
The ledger is written after each document, so an interrupted run leaves it consistent with
the sink and the next run picks up where it stopped; what a crash can still leave between the
two (chunks written, ledger not) is put right at the start of the next run (:func:`reconcile`).

Only regular files inside the corpus or the uploads folder are read (ingest/sources.py), and
each is parsed in a child process with a time and memory budget (ingest/isolate.py).
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from ingest.chunks import Chunk, chunk_structure
from ingest.document import LoadError
from ingest.isolate import ParseBudget, ParseOutcome, parse_in_child
from ingest.loaders import SUPPORTED_EXTENSIONS, load
from ingest.prefetch import ParsePrefetch
from ingest.levels import load_corrections
from ingest.metadata import DocMeta, extract_metadata
from ingest.sources import IGNORED_NAMES, Roots, discover, doc_id_for, sha256_file  # noqa: F401 (re-exported)
from ingest.structure import ParsedStructure, parse_structure

log = logging.getLogger(__name__)

DEFAULT_BUDGET = ParseBudget()


def parse_budget(settings: Any) -> ParseBudget:
    """The per-file parse budget a Settings asks for."""
    return ParseBudget(seconds=settings.parse_timeout, memory_mb=settings.parse_memory_mb)
# Bump when parsing or chunking changes what a file becomes: every document is then re-parsed
# once, as if it had changed, instead of keeping chunks an older parser made.
PARSER_VERSION = 18


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
    # The tasks of the plan, when computed with the parse (in the parse's child process).
    tasks: list[dict] | None = None

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
    def doc_ids(self) -> dict[str, int] | None: ...  # stored doc_id → its chunks; None: cannot tell now


@dataclass
class ReportRow:
    source: str
    status: str  # ingested, updated, unchanged, removed, duplicate, skipped
    chunks: int = 0
    pages: int | None = None
    reason: str = ""
    seconds: float = 0.0
    peak_mb: float | None = None  # the parse child's peak resident memory
    parse_seconds: float | None = None  # of ``seconds``, the parse (the rest: embedding, writing)


@dataclass
class IngestReport:
    rows: list[ReportRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


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


DOCUMENTS_KEPT = 64  # parsed ledger documents a process keeps in memory


class Ledger:
    """The content-hash ledger and each document's parsed text, under ``state_dir``."""

    def __init__(self, state_dir: Path):
        self.dir = state_dir
        self.docs_dir = state_dir / "documents"
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "ledger.json"
        self.entries: dict[str, dict] = json.loads(self.path.read_text()) if self.path.exists() else {}
        # The documents read most recently (a law is MBs as Python objects: all 450 would be GBs).
        self._documents: OrderedDict[str, tuple[int, dict]] = OrderedDict()
        self._documents_lock = threading.Lock()  # the server reads documents from many threads
        # Bumped by every save: lookups derived from the entries (sorted records, by doc_id, the
        # task table) are rebuilt when it moves, never per question.
        self.version = 0
        self._lookup: tuple[int, list[dict], dict[str, dict]] | None = None

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1))
        os.replace(tmp, self.path)
        self.version += 1

    def put(self, doc: ParsedDocument, corrections: dict | None = None) -> None:
        from ingest.tasks import tasks_for_document  # built with the document, rebuilt with it

        tmp = self.docs_dir / f"{doc.doc_id}.json.tmp"
        tmp.write_text(
            json.dumps(
                {"record": doc.record(), "text": doc.text, "chunks": [c.to_dict() for c in doc.chunks],
                 "tasks": doc.tasks if doc.tasks is not None else tasks_for_document(doc)},
                ensure_ascii=False,
            )
        )
        os.replace(tmp, self.docs_dir / f"{doc.doc_id}.json")
        self.entries[doc.source] = {**doc.record(), "corrections": corrections}
        self.save()

    def drop(self, source: str) -> None:
        entry = self.entries.pop(source, None)
        if entry and not any(e["doc_id"] == entry["doc_id"] for e in self.entries.values()):
            self.forget_document(entry["doc_id"])
        self.save()

    def forget_document(self, doc_id: str) -> None:
        (self.docs_dir / f"{doc_id}.json").unlink(missing_ok=True)
        self._documents.pop(doc_id, None)

    def document(self, doc_id: str) -> dict | None:
        """A document's stored text, chunks and tasks (shared: read it, don't change it).

        Parsed once per version of its file: answers read the same documents again and again."""
        path = self.docs_dir / f"{doc_id}.json"
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        with self._documents_lock:
            cached = self._documents.get(doc_id)
            if cached and cached[0] == stamp:
                self._documents.move_to_end(doc_id)
                return cached[1]
        doc = json.loads(path.read_text())
        with self._documents_lock:
            self._documents[doc_id] = (stamp, doc)
            while len(self._documents) > DOCUMENTS_KEPT:
                self._documents.popitem(last=False)
        return doc

    def _lookups(self) -> tuple[int, list[dict], dict[str, dict]]:
        lookup = self._lookup
        if lookup is None or lookup[0] != self.version:
            records = sorted(self.entries.values(), key=lambda r: r["source"])
            lookup = self._lookup = (self.version, records, {r["doc_id"]: r for r in records})
        return lookup

    def records(self) -> list[dict]:
        """Every entry, by source (a new list; the entries themselves are shared)."""
        return list(self._lookups()[1])

    def by_doc(self) -> dict[str, dict]:
        """doc_id → entry, built once per ledger version (shared: read it, don't change it)."""
        return self._lookups()[2]

    def record(self, doc_id: str) -> dict | None:
        return self._lookups()[2].get(doc_id)


def source_for(path: Path, corpus_root: Path, uploads_root: Path | None = None) -> str | None:
    """The file's source: its path relative to the corpus root (forward slashes), or
    "uploads/<name>" under the uploads folder; None for a file outside both."""
    source, _ = Roots(corpus_root, uploads_root).locate(path)
    return source


def ingest(
    paths: list[Path],
    *,
    corpus_root: Path,
    ledger: Ledger,
    sink: DocumentSink | None,
    max_bytes: int,
    ocr: bool = True,
    progress: Callable[[str], None] | None = None,
    uploads_root: Path | None = None,
    budget: ParseBudget | None = DEFAULT_BUDGET,
) -> IngestReport:
    """Bring the sink and the ledger in line with the files under ``paths``.

    Files are read only inside ``corpus_root`` and ``uploads_root``; ``budget`` bounds each
    file's parse, run in a child process (None: parse in this process, no bound)."""
    roots = Roots(corpus_root, uploads_root)
    report = IngestReport()
    # The manifest's corrections with the administrator's on top (levels, metadata: ingest/levels.py).
    manifest = load_corrections(corpus_root, ledger.dir)
    files, folders = discover(paths)
    stale = reconcile(ledger, sink, roots, report)
    seen_hashes: dict[str, str] = {}
    present: set[str] = set()
    id_owner = {doc_id_for(s): s for s in sorted(ledger.entries)}
    common = {"max_bytes": max_bytes, "ocr": ocr, "budget": budget}

    def needs_parse(path: Path) -> tuple[str, dict] | None:
        """The loop's own checks, for parsing a file ahead (ingest/prefetch.py)."""
        source, problem = roots.locate(path)
        if source is None or problem or path.suffix.lower() not in (*SUPPORTED_EXTENSIONS, ""):
            return None
        try:
            digest = sha256_file(path)
        except OSError:
            return None
        old, corrections = ledger.entries.get(source), manifest.get(source)
        if (old and source not in stale and old["doc_id"] == doc_id_for(source) and old["sha256"] == digest
                and old.get("parser_version") == PARSER_VERSION and old.get("corrections") == corrections):
            return None
        return source, {**common, "corrections": corrections, "sha256": digest}

    # Only child-process parses run ahead: an in-process one would hold the GIL the encoder needs.
    ahead = ParsePrefetch(_parse) if budget is not None and sink is not None else None
    for index, path in enumerate(files):
        started = time.perf_counter()
        source, problem = roots.locate(path)
        if progress:
            progress(source or str(path))
        if source is None or problem:
            if source is not None:
                present.add(source)  # a file that turned into a symlink keeps its last good version
            report.rows.append(ReportRow(source or str(path), "skipped", reason=problem or ""))
            continue
        present.add(source)
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
        if twin and roots.readable(twin) is not None:
            seen_hashes[digest] = twin
            report.rows.append(ReportRow(source, "duplicate", reason=f"same content as {twin}"))
            continue
        doc_id = doc_id_for(source)
        holder = id_owner.setdefault(doc_id, source)
        if holder != source and holder in ledger.entries and roots.readable(holder) is not None:
            # Ids differ per source (only names equal after NFC share one): the second file must
            # not replace the first's chunks.
            report.rows.append(ReportRow(source, "skipped", reason=f"doc_id {doc_id} already belongs to {holder}"))
            continue
        corrections = manifest.get(source)
        if (old and source not in stale and old["doc_id"] == doc_id and old["sha256"] == digest
                and old.get("parser_version") == PARSER_VERSION and old.get("corrections") == corrections):
            seen_hashes[digest] = source
            report.rows.append(ReportRow(source, "unchanged", old["chunks"], old.get("pages")))
            continue
        wanted = {**common, "corrections": corrections, "sha256": digest}
        outcome = (ahead and ahead.take(path, source, **wanted)) or _parse(path, source, **wanted)
        if outcome.doc is None:
            # A file that fails claims nothing: not its content hash (a valid twin is indexed),
            # and a broken new version leaves the last good one in place.
            reason = outcome.reason
            if old and source in stale:
                _forget(ledger, sink, source)  # its chunks were already gone: no version is left
                reason += " (no indexed version left)"
            elif old:
                reason += " (previous version kept)"
            report.rows.append(ReportRow(source, "skipped", reason=reason, seconds=outcome.seconds,
                                         peak_mb=outcome.peak_mb, parse_seconds=outcome.seconds))
            continue
        doc = outcome.doc
        seen_hashes[digest] = source
        if ahead is not None:
            ahead.next_after(files, index, needs_parse)  # parsed in its child while this one embeds
        if sink is not None:
            sink.replace(doc)
        previous = old["doc_id"] if old and old["doc_id"] != doc.doc_id else None
        # An older id of this source (ids were once shared by look-alike names): its chunks go,
        # unless another source still holds that id.
        shared = previous and any(e["doc_id"] == previous for s, e in ledger.entries.items() if s != source)
        if previous and not shared and sink is not None:
            sink.remove(previous)
        ledger.put(doc, corrections)
        if previous and not shared:
            ledger.forget_document(previous)
        status = "updated" if old else "ingested"
        report.rows.append(ReportRow(source, status, len(doc.chunks), doc.pages, "; ".join(doc.warnings),
                                     time.perf_counter() - started, outcome.peak_mb, outcome.seconds))
    if ahead is not None:
        ahead.close()
    for source, entry in list(ledger.entries.items()):
        if source in present:
            continue
        full = roots.path_for(source)
        if full is None:
            continue
        in_scanned = any(_is_under(full, folder) for folder in folders)
        if in_scanned and not full.exists() and not full.is_symlink():
            if sink is not None:
                sink.remove(entry["doc_id"])
            ledger.drop(source)
            report.rows.append(ReportRow(source, "removed", entry.get("chunks", 0)))
    return report


def _parse(path: Path, source: str, *, budget: ParseBudget | None, **kwargs: Any) -> ParseOutcome:
    if budget is not None:
        return parse_in_child(budget, path=path, source=source, **kwargs)
    started = time.perf_counter()
    try:
        return ParseOutcome(parse_file(path, source, **kwargs), seconds=time.perf_counter() - started)
    except LoadError as exc:
        return ParseOutcome(None, exc.reason, seconds=time.perf_counter() - started)
    except Exception as exc:  # a parser bug must not stop the run or lose the index
        log.exception("ingest failed for %s", source)
        return ParseOutcome(None, f"internal error: {type(exc).__name__}: {exc}", seconds=time.perf_counter() - started)


def reconcile(ledger: Ledger, sink: DocumentSink | None, roots: Roots, report: IngestReport | None = None) -> set[str]:
    """Put right what a crash can leave between the store and the ledger, and return the
    sources to parse again.

    A kill between the store write and the ledger write leaves chunks no ledger entry knows
    (searchable, linked, then 404): they are removed. An entry whose chunks are missing or
    incomplete, or whose stored text is gone, is parsed again. An entry under an absolute path
    (older versions indexed files outside the corpus) is dropped with its chunks."""
    rows = report.rows if report is not None else []
    for source, entry in list(ledger.entries.items()):
        if roots.path_for(source) is None:
            _forget(ledger, sink, source)
            rows.append(ReportRow(source, "removed", entry.get("chunks", 0), reason="outside the corpus and uploads folders"))
    if sink is None or not hasattr(sink, "doc_ids"):
        return set()
    stored = sink.doc_ids()
    if stored is None:  # the store cannot say now (held by another process): next run
        return set()
    owners: dict[str, list[str]] = {}
    for source, entry in ledger.entries.items():
        owners.setdefault(entry["doc_id"], []).append(source)
    for doc_id in sorted(set(stored) - set(owners)):
        log.warning("removing %d orphan chunks of %s (no ledger entry)", stored[doc_id], doc_id)
        sink.remove(doc_id)
        rows.append(ReportRow(doc_id, "removed", stored[doc_id], reason="orphan chunks without a ledger entry"))
    stale: set[str] = set()
    for doc_id, sources in owners.items():
        for source in sources:
            entry = ledger.entries[source]
            if (len(sources) > 1 or stored.get(doc_id, 0) != entry.get("chunks")
                    or not (ledger.docs_dir / f"{doc_id}.json").exists()):
                stale.add(source)
    return stale


def _forget(ledger: Ledger, sink: DocumentSink | None, source: str) -> None:
    entry = ledger.entries.get(source)
    if entry is None:
        return
    shared = any(e["doc_id"] == entry["doc_id"] for s, e in ledger.entries.items() if s != source)
    if sink is not None and not shared:
        sink.remove(entry["doc_id"])
    ledger.drop(source)


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def report_dict(report: IngestReport) -> list[dict]:
    return [asdict(r) for r in report.rows]
