"""`aseanbot tasks`: the task table in the terminal, and its CSV/XLSX export.

    aseanbot tasks --unit "Sở TT&TT"
    aseanbot tasks --doc asean-quangninh-159-kh-ubnd-2021-docx --xlsx nhiem-vu.xlsx
    aseanbot tasks --q "hệ thống thông tin cơ sở"
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.services import Services
from ingest.settings import get_settings
from ingest.task_export import HEADER
from ingest.task_table import TaskTable


def tasks_command(unit: str | None = None, doc: str | None = None, q: str | None = None,
                  csv: Path | None = None, xlsx: Path | None = None, *, province: str | None = None,
                  wide: bool = False, console: Console | None = None, table: TaskTable | None = None) -> int:
    """Print the tasks matching the filters; write them to CSV/XLSX when asked. Returns their count.

    The default view fits an 80-column terminal: task, lead, deadline. ``wide`` shows every
    column the exports carry."""
    console = console or Console()
    services = None
    if table is None:
        services = Services(get_settings())
        table = TaskTable.from_ledger(services.ledger)
    try:
        tasks = table.query(q=q, unit=unit, doc_id=doc, province=province)
        if not tasks:
            console.print("[yellow]Không có nhiệm vụ nào khớp điều kiện.[/yellow]"
                          if (unit or doc or q or province) else
                          "[yellow]Chưa có nhiệm vụ nào: hãy chạy `aseanbot ingest` trước.[/yellow]")
        else:
            console.print(_view(table, tasks, wide))
        if csv:
            console.print(f"Đã ghi CSV: {table.to_csv(csv, tasks)}")
        if xlsx:
            console.print(f"Đã ghi XLSX: {table.to_xlsx(xlsx, tasks)}")
        return len(tasks)
    finally:
        if services is not None:
            services.close()


def _view(table: TaskTable, tasks: list, wide: bool) -> Table:
    view = Table(title=f"Phân công nhiệm vụ ({len(tasks)})", show_lines=True, expand=False)
    rows = table.rows(tasks)
    if wide:
        for col in HEADER:
            view.add_column(col, overflow="fold")
        for task, row in zip(tasks, rows):
            row[1] = task.section.split(" ")[0] if task.section else ""  # the number; the title is in the task
            view.add_row(*[str(v) for v in row])
        return view
    # 80 columns: the task wraps, lead and deadline stay narrow; partners and sources in --wide
    view.add_column("Nhiệm vụ", ratio=5, overflow="fold", min_width=24)
    view.add_column("Chủ trì", ratio=3, overflow="fold", min_width=14)
    view.add_column("Thời hạn", ratio=2, overflow="fold", min_width=10)
    for task in tasks:
        lead = "; ".join(task.lead_units or task.focal_units) or "—"
        view.add_row(task.task, lead, task.deadline or "")
    return view
