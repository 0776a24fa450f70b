"""The corpus manifest: a small YAML file where a user corrects or completes what ingest reads
from a document (its title, số hiệu, issuer, date …) without touching code.

    documents:
      asean/daklak-tuyen-truyen-asean-2021-2025.txt:
        title: Kế hoạch tuyên truyền, quảng bá ASEAN giai đoạn 2021-2025 của tỉnh Đắk Lắk
        province: Đắk Lắk
      noi-bo/ke-hoach-noi-bo-2026.docx:
        level: internal      # public (the default) or internal: who may be answered from it
"""
from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST_NAME = "manifest.yaml"
FIELDS = {"title", "number", "doc_type", "issuer", "place", "province", "date", "signer", "level"}
# ingest/levels.py defines the levels; repeated here because that module builds on this one.
LEVEL_VALUES = ("public", "internal")


class ManifestError(ValueError):
    pass


def load_manifest(corpus_root: Path) -> dict[str, dict[str, str]]:
    """Entries keyed by source path (relative to the corpus root). Unknown fields are an error,
    so a typo does not silently do nothing."""
    path = corpus_root / MANIFEST_NAME
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    docs = data.get("documents") or {}
    if not isinstance(docs, dict):
        raise ManifestError(f"{path}: 'documents' must be a mapping of source path → fields")
    out: dict[str, dict[str, str]] = {}
    for source, fields in docs.items():
        unknown = set(fields or {}) - FIELDS
        if unknown:
            raise ManifestError(f"{path}: {source}: unknown fields {sorted(unknown)}; allowed: {sorted(FIELDS)}")
        entry = {k: str(v) for k, v in (fields or {}).items() if v is not None}
        if "level" in entry and entry["level"] not in LEVEL_VALUES:
            # A misspelt level must not quietly publish an internal document.
            raise ManifestError(f"{path}: {source}: level must be one of {list(LEVEL_VALUES)}, not {entry['level']!r}")
        out[str(source)] = entry
    return out
