"""Shared helpers for the benchmarks: build an index for a corpus, time things, print tables."""
from __future__ import annotations

import csv
import os
import re
import statistics
import time
from pathlib import Path

from bot.services import Services
from ingest.settings import Settings
from ingest.lang.normalize import fold_accents, search_form
from ingest.pipeline import ingest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EVAL_HOME = Path(os.environ.get("ASEANBOT_EVAL_HOME", REPO / "var" / "eval"))
MODEL_CACHE = Path(os.environ.get("ASEANBOT_MODEL_CACHE", REPO / "var" / "models"))


def services_for(name: str, corpus: Path, *, ocr: bool = True, embed_model: str | None = None,
                 embedder=None, tag: str | None = None) -> tuple[Services, dict]:
    """An index of ``corpus`` in its own home under var/eval/<name>, ingested incrementally.

    ``embed_model`` (a setting value) or ``embedder`` (an embedding object, for variants the
    product does not ship) index with another encoder, in a home of its own (<name>@<tag>)."""
    tag = tag or embed_model
    extra = {"embed_model": embed_model} if embed_model else {}
    settings = Settings(home=EVAL_HOME / (f"{name}@{tag}" if tag else name), corpus=corpus, model_cache=MODEL_CACHE,
                        **extra)
    services = Services(settings)
    if embedder is not None:
        services.__dict__["embedder"] = embedder  # the cached_property's slot
    t0 = time.perf_counter()
    if os.environ.get("ASEANBOT_EVAL_REUSE") == "1" and services.ledger.records():
        # Measuring answers while the parser changes under one: keep the home as it was built.
        return services, {"seconds": 0.0, "ingested": 0, "skipped": []}
    report = ingest([corpus], corpus_root=corpus, ledger=services.ledger, sink=services.indexer(),
                    max_bytes=settings.max_file_mb * 1024 * 1024, ocr=ocr)
    stats = {"seconds": time.perf_counter() - t0, "ingested": report.count("ingested") + report.count("updated"),
             "skipped": [(r.source, r.reason) for r in report.rows if r.status == "skipped"]}
    return services, stats


def alqac_corpus() -> tuple[Path, list[dict]]:
    """ALQAC's 304 articles written as one text file each (the real ingest path reads them)."""
    rows = list(csv.DictReader(open(SHARED / "external-eval/vilqa-alqac/ALQAC.csv", encoding="utf-8-sig")))
    corpus = EVAL_HOME / "alqac-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}
    for row in rows:
        ctx = row["context"]
        if ctx not in ids:
            ids[ctx] = f"article-{len(ids):03d}.txt"
            path = corpus / ids[ctx]
            if not path.exists() or path.read_text(encoding="utf-8") != ctx:
                path.write_text(ctx, encoding="utf-8")
        row["source"] = ids[ctx]
    return corpus, rows


def norm(text: str) -> str:
    """For matching phrases across formats: tone-canonical, folded, lower, single spaces."""
    return re.sub(r"\s+", " ", fold_accents(search_form(text)).lower()).strip()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def table(rows: list[dict], columns: list[str], title: str = "") -> str:
    if title:
        out = [f"\n## {title}"]
    else:
        out = []
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) if rows else len(c) for c in columns}
    out.append(" | ".join(c.ljust(widths[c]) for c in columns))
    out.append("-|-".join("-" * widths[c] for c in columns))
    for r in rows:
        out.append(" | ".join(_fmt(r.get(c)).ljust(widths[c]) for c in columns))
    return "\n".join(out)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if v < 100 else f"{v:.0f}"
    return "" if v is None else str(v)


def mean(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")
