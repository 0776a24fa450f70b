"""Incremental ingest into the real index: unchanged, updated, removed, duplicate, bad files."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, make_settings

MB = 1024 * 1024


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    (root / "asean").mkdir(parents=True)
    for name in ("tayninh-2502-kh-ubnd-2019.html", "bonoivu-1117-qd-bnv-2021.txt"):
        shutil.copy(CORPUS / "asean" / name, root / "asean" / name)
    return root


def run(settings, services, paths=None):
    from ingest.pipeline import ingest

    return ingest(paths or [settings.corpus], corpus_root=settings.corpus, ledger=services.ledger,
                  sink=services.indexer(), max_bytes=5 * MB)


def statuses(report):
    return {r.source: r.status for r in report.rows}


def test_incremental_reingest(tmp_path, small_corpus):
    from bot.services import Services

    settings = make_settings(tmp_path / "home", corpus=small_corpus)
    services = Services(settings)
    try:
        first = run(settings, services)
        assert set(statuses(first).values()) == {"ingested"}
        count = services.store.count()
        assert count == sum(r.chunks for r in first.rows)

        # Unchanged files cost nothing and change nothing.
        second = run(settings, services)
        assert set(statuses(second).values()) == {"unchanged"}
        assert services.store.count() == count

        # A changed file is replaced: its old chunks are gone, the new text is searchable.
        txt = small_corpus / "asean" / "bonoivu-1117-qd-bnv-2021.txt"
        txt.write_text(txt.read_text(encoding="utf-8") + "\n\nBổ sung: Vụ Tổ chức cán bộ phối hợp rà soát kế hoạch.\n",
                       encoding="utf-8")
        third = run(settings, services)
        assert statuses(third)["asean/bonoivu-1117-qd-bnv-2021.txt"] == "updated"
        assert statuses(third)["asean/tayninh-2502-kh-ubnd-2019.html"] == "unchanged"
        doc_id = services.ledger.entries["asean/bonoivu-1117-qd-bnv-2021.txt"]["doc_id"]
        stored = {p["chunk_id"] for p in services.store.payloads({"doc_id": doc_id})}
        assert stored == {c["chunk_id"] for c in services.ledger.document(doc_id)["chunks"]}
        hits = services.retriever.search("Vụ Tổ chức cán bộ phối hợp rà soát", k=3)
        assert "Vụ Tổ chức cán bộ" in hits[0].text

        # The same content under a second name is reported, not indexed twice.
        shutil.copy(txt, small_corpus / "asean" / "copy-of-bnv.txt")
        fourth = run(settings, services)
        assert statuses(fourth)["asean/copy-of-bnv.txt"] == "duplicate"
        before = services.store.count()

        # Bad files are skipped with a reason; nothing already ingested is lost.
        bad = small_corpus / "bad"
        bad.mkdir()
        (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n% broken\n1 0 obj << /Type /Catalog >>\n")
        (bad / "empty.txt").write_bytes(b"")
        (bad / "binary.txt").write_bytes(bytes(range(256)) * 50)
        (bad / "notes.xyz").write_text("hello")
        (bad / "fake.docx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        fifth = run(settings, services)
        rows = {r.source: r for r in fifth.rows}
        for name in ("corrupt.pdf", "empty.txt", "binary.txt", "notes.xyz", "fake.docx"):
            row = rows[f"bad/{name}"]
            assert row.status == "skipped" and row.reason, name
        assert services.store.count() == before

        # A removed file disappears from the index and the ledger.
        (small_corpus / "asean" / "copy-of-bnv.txt").unlink()
        (small_corpus / "asean" / "tayninh-2502-kh-ubnd-2019.html").unlink()
        sixth = run(settings, services)
        assert statuses(sixth)["asean/tayninh-2502-kh-ubnd-2019.html"] == "removed"
        assert not services.store.payloads({"source": "asean/tayninh-2502-kh-ubnd-2019.html"})
        assert "asean/tayninh-2502-kh-ubnd-2019.html" not in services.ledger.entries
    finally:
        services.close()


def test_cli_ingest_summary_and_exit_code(tmp_path, small_corpus):
    """`aseanbot ingest` prints the summary table and exits 0 even when a file is skipped."""
    (small_corpus / "asean" / "broken.pdf").write_bytes(b"not a pdf at all")
    env = {"ASEANBOT_HOME": str(tmp_path / "home"), "ASEANBOT_CORPUS": str(small_corpus),
           "ASEANBOT_MODEL_CACHE": str(make_settings(tmp_path).models_dir), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    cli = Path(sys.executable).parent / "aseanbot"
    out = subprocess.run([str(cli), "ingest"], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "Ingest summary" in out.stdout
    assert "ingested 2" in out.stdout and "skipped 1" in out.stdout
    again = subprocess.run([str(cli), "ingest"], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "unchanged 2" in again.stdout
    ask = subprocess.run([str(cli), "ask", "Bộ Nội vụ giao đơn vị nào làm đầu mối theo dõi kế hoạch ASEAN?", "--json"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert ask.returncode == 0, ask.stderr
    import json

    payload = json.loads(ask.stdout)
    assert payload["grounded"] and "Vụ Hợp tác quốc tế" in payload["answer"]
    search = subprocess.run([str(cli), "search", "don vi dau moi theo doi ke hoach", "--json", "-k", "2"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert search.returncode == 0 and len(json.loads(search.stdout)["hits"]) == 2
