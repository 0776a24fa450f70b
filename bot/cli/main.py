"""The `aseanbot` command line, built on the same library API as the HTTP server."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
    path = prepare_model(settings.embed_model, settings.models_dir)
    console.print(f"embedding model ready: {path}")


@app.command()
def ingest(paths: list[Path] = typer.Argument(None, help="Files or folders (default: the corpus folder)."),
           no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR of scanned PDFs.")) -> None:
    """Ingest documents incrementally: new and changed files are (re)indexed, removed ones dropped."""
    from ingest.pipeline import discover, ingest as run_ingest

    settings = get_settings()
    services = _services()
    targets = paths or [settings.corpus]
    files, _ = discover(targets)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("ingest", total=len(files))

        def step(source: str) -> None:
            progress.update(task, description=f"ingest {source[-50:]}")
            progress.advance(task)

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

        from index.store import StoreLockedError

        try:
            report = run_ingest(targets, corpus_root=settings.corpus, ledger=services.ledger, sink=LazySink(),
                                max_bytes=settings.max_file_mb * 1024 * 1024, ocr=settings.ocr and not no_ocr,
                                progress=step)
        except StoreLockedError as exc:
            _store_busy(exc)
        progress.update(task, description="ingest done")
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
    services.close()


@app.command()
def parse(file: Path, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show one document's metadata, structure and chunks (nothing is indexed)."""
    from ingest.document import LoadError
    from ingest.manifest import load_manifest
    from ingest.pipeline import parse_file, source_for

    settings = get_settings()
    source = source_for(file, settings.corpus)
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
          xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Export to Excel.")) -> None:
    """Who owns what: tasks of the plans with their lead, partner units and deadlines."""
    from bot.cli.tasks import tasks_command

    tasks_command(unit, doc, q, csv, xlsx)


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
    uvicorn.run(application, host=host, port=port, log_level="info")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    app()


if __name__ == "__main__":
    main()
