"""`aseanbot summarize`: a cited summary in the terminal, or written as a report draft.

    aseanbot summarize --topic "Nội dung về trụ cột Kinh tế" --by pillar --out bao-cao.docx
    aseanbot summarize --doc asean-bonoivu-1117-qd-bnv-2021-txt --out tom-tat.md
    aseanbot summarize --topic "Hình thức tuyên truyền" --doc asean/quangninh-159-kh-ubnd-2021.docx

The output's suffix picks the format (.docx or .md); without --out the Markdown is printed.
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.summary.report import to_docx, to_markdown
from bot.summary.summarize import SummaryError, SummaryRequest, summarize


def summarize_command(topic: str | None = None, doc: list[str] | None = None, by: str | None = None,
                      out: Path | None = None, *, max_bullets: int | None = None, console: Console | None = None,
                      services=None) -> int:
    """Summarise, then write ``out`` (.docx or .md) or print Markdown. Returns an exit code."""
    console = console or Console()
    try:
        request = SummaryRequest(topic=topic, doc_ids=list(doc or []) or None, group_by=by,
                                 max_bullets_per_section=max_bullets)
    except SummaryError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    suffix = out.suffix.lower() if out else ""
    if out and suffix not in (".docx", ".md", ".markdown"):
        console.print("[red]Tệp kết quả phải có đuôi .docx hoặc .md.[/red]")
        return 2
    own = services is None
    if own:
        from bot.services import Services
        from ingest.settings import get_settings

        services = Services(get_settings())
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("Tổng hợp", total=None)

            def step(message: str, done: int, total: int) -> None:
                progress.update(task, description=message[:60], completed=done, total=total)

            summary = summarize(services, request, on_progress=step)
    except SummaryError as exc:
        console.print(f"[red]{exc}[/red]")
        return 1 if exc.status != 404 else 4
    finally:
        if own:
            services.close()
    n_bullets = len(summary.bullets)
    for note in summary.notes:
        console.print(f"[yellow]{note}[/yellow]")
    if out is None:
        console.print(Markdown(to_markdown(summary)))
    else:
        if suffix == ".docx":
            to_docx(summary, out)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(to_markdown(summary), encoding="utf-8")
        console.print(f"Đã ghi {out} ({len(summary.sections)} mục, {n_bullets} ý, "
                      f"{len(summary.references)} trích dẫn từ {len(summary.documents)} văn bản).")
    return 0 if n_bullets else 1
