"""Ingest speed per file type: pages/s and blocks/s of loading every corpus file.

    .venv/bin/python -m eval.ingest_speed [paths ...] [--no-ocr] [--max-ocr-pages N]

:func:`measure` times each named stage per file and returns the rows; later stages (structure,
chunking, embedding) plug in as extra ``stages`` — functions of the previous stage's output —
without touching the report.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.document import LoadedDocument, LoadError  # noqa: E402
from ingest.loaders import SUPPORTED_EXTENSIONS, load  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# A stage takes what the previous stage returned (the first gets the LoadedDocument).
Stage = Callable[[object], object]


@dataclass
class Row:
    path: Path
    file_type: str
    size: int
    pages: int | None = None
    blocks: int = 0
    method: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # stage name → wall time
    error: str | None = None
    items: int | None = None  # length of the last stage's output, when it is a list (chunks)


def measure(
    paths: Iterable[Path],
    *,
    stages: Sequence[tuple[str, Stage]] = (),
    max_bytes: int = 100 * 1024 * 1024,
    ocr: bool = True,
    max_ocr_pages: int | None = None,
) -> list[Row]:
    """Load each file (timed as stage "load"), then run ``stages`` in order on the result."""
    rows = []
    for path in paths:
        row = Row(path=path, file_type=path.suffix.lower().lstrip("."), size=path.stat().st_size)
        start = time.perf_counter()
        try:
            doc = load(path, max_bytes=max_bytes, ocr=ocr, max_ocr_pages=max_ocr_pages)
        except LoadError as exc:
            row.seconds["load"] = time.perf_counter() - start
            row.error = exc.reason
            rows.append(row)
            continue
        row.seconds["load"] = time.perf_counter() - start
        row.pages, row.blocks, row.method = doc.pages, len(doc.blocks), doc.method
        value: object = doc
        for name, stage in stages:
            start = time.perf_counter()
            value = stage(value)
            row.seconds[name] = time.perf_counter() - start
        if isinstance(value, list):
            row.items = len(value)
        rows.append(row)
    return rows


def summarize(rows: Sequence[Row], stage: str = "load") -> list[dict[str, object]]:
    """Per file type: files, pages, blocks, seconds, pages/s and blocks/s for one stage."""
    out = []
    for file_type in sorted({r.file_type for r in rows}):
        ok = [r for r in rows if r.file_type == file_type and r.error is None and stage in r.seconds]
        seconds = sum(r.seconds[stage] for r in ok)
        pages = sum(r.pages or 0 for r in ok)
        blocks = sum(r.blocks for r in ok)
        paged = any(r.pages is not None for r in ok)
        out.append(
            {
                "type": file_type,
                "files": len(ok),
                "failed": sum(1 for r in rows if r.file_type == file_type and r.error),
                "pages": pages if paged else None,
                "blocks": blocks,
                "seconds": seconds,
                "pages_per_s": pages / seconds if paged and seconds else None,
                "blocks_per_s": blocks / seconds if seconds else None,
            }
        )
    return out


def corpus_files(root: Path = REPO / "corpus") -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
                  and p.name != "SOURCES.md")


def _fmt(value: object, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec) if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files to load (default: the corpus)")
    parser.add_argument("--no-ocr", action="store_true", help="never run tesseract")
    parser.add_argument("--max-ocr-pages", type=int, default=None)
    parser.add_argument("--embed", action="store_true", help="also time embedding (dense + lexical) of the chunks")
    args = parser.parse_args(argv)
    paths = args.paths or corpus_files()
    from ingest.chunks import chunk_structure
    from ingest.structure import parse_structure

    chunk_counts: dict[Path, int] = {}

    def chunks(doc: LoadedDocument) -> list:
        return chunk_structure(parse_structure(doc.blocks), doc_id="d", source="s", title="T")

    stages: list[tuple[str, Stage]] = [("chunk", chunks)]
    if args.embed:
        import os

        from index.embeddings import get_embedding
        from index.lexical import LexicalEncoder

        models = Path(os.environ.get("ASEANBOT_MODEL_CACHE", REPO / "var" / "models"))
        embedder = get_embedding("e5-small", models)
        lexical = LexicalEncoder()

        def embed(cs):
            texts = [c.index_text for c in cs]
            for i in range(0, len(texts), 32):
                embedder.get_text_embedding_batch(texts[i:i + 32])
            for t in texts:
                lexical.encode_document(t)
            return cs

        stages.append(("embed", embed))
    rows = measure(paths, ocr=not args.no_ocr, max_ocr_pages=args.max_ocr_pages, stages=stages)
    chunk_counts.update({r.path: r.items or 0 for r in rows})

    print(f"{'file':55} {'method':16} {'pages':>5} {'blocks':>6} {'load s':>7}")
    for r in rows:
        status = r.error or r.method
        print(f"{r.path.name[:55]:55} {status[:16]:16} {_fmt(r.pages):>5} {r.blocks:>6} {r.seconds['load']:7.2f}")
    print()
    print(f"{'type':6} {'files':>5} {'failed':>6} {'pages':>6} {'blocks':>7} {'seconds':>8} {'pages/s':>8} {'blocks/s':>9}")
    for s in summarize(rows):
        print(
            f"{s['type']:6} {s['files']:>5} {s['failed']:>6} {_fmt(s['pages']):>6} {s['blocks']:>7} "
            f"{_fmt(s['seconds'], '.2f'):>8} {_fmt(s['pages_per_s']):>8} {_fmt(s['blocks_per_s'], '.0f'):>9}"
        )
    print()
    print("Whole pipeline without embedding (load + structure + chunks), and the embedding share:")
    print(f"{'type':6} {'pages':>6} {'chunks':>7} {'parse s':>8} {'pages/s':>8} {'chunks/s':>9} {'embed s':>8} {'embed %':>8}")
    for file_type in sorted({r.file_type for r in rows}):
        ok = [r for r in rows if r.file_type == file_type and r.error is None]
        parse = sum(r.seconds["load"] + r.seconds.get("chunk", 0) for r in ok)
        embed_s = sum(r.seconds.get("embed", 0) for r in ok)
        pages = sum(r.pages or 0 for r in ok)
        n_chunks = sum(chunk_counts.get(r.path, 0) for r in ok)
        paged = any(r.pages is not None for r in ok)
        share = embed_s / (embed_s + parse) * 100 if embed_s else None
        print(f"{file_type:6} {_fmt(pages if paged else None):>6} {n_chunks:>7} {parse:8.2f} "
              f"{_fmt(pages / parse if paged and parse else None):>8} {_fmt(n_chunks / parse if parse else None):>9} "
              f"{_fmt(embed_s if args.embed else None, '.2f'):>8} {_fmt(share):>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
