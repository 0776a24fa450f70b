"""Values derived from every document a ledger holds, saved beside it (``<state>/derived/``).

Building them reads every document (the task table, the evidence statistics, the diacritic
restorer): at the scale corpus's size that is a minute of work and a few hundred MB of parsed
JSON passing through memory. A server must start in seconds, so each value is saved with the
ledger's fingerprint (every document's id, content hash, parser version and chunk count) and
loaded when the fingerprint matches; otherwise it is built once and saved. The files are this
home's own state (pickles the product wrote), like the ledger beside them.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable

# Bump when what is fingerprinted changes meaning.
FORMAT = 1


def ledger_fingerprint(ledger: Any) -> str:
    h = hashlib.sha1(f"derived-{FORMAT}".encode())
    for r in ledger.records():
        h.update(f"{r['doc_id']}\0{r.get('sha256')}\0{r.get('parser_version')}\0{r.get('chunks')}\n".encode())
    return h.hexdigest()


def load_or_build(path: Path, fingerprint: str, build: Callable[[], Any]) -> Any:
    """The value saved at ``path`` for ``fingerprint``, else ``build()`` saved there."""
    try:
        with open(path, "rb") as fh:
            stamp, value = pickle.load(fh)
        if stamp == fingerprint:
            return value
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        pass  # missing, from an older version, or cut short: built again
    value = build()
    save(path, (fingerprint, value))
    return value


def save(path: Path, value: Any) -> None:
    """Pickle ``value`` to ``path`` atomically; a home that cannot be written is left alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home still answers; it computes again next time
