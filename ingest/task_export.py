"""Tasks for people to read outside the bot: CSV and XLSX exports with one row per task, and the
labels that say where a task stands ("Kế hoạch 159/KH-UBND, mục 1.3, trang 2"). Cells are made
safe for spreadsheets: a value starting with "=" (or "+", "-", "@" in CSV) would be evaluated
as a formula, and XLSX allows no control characters.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from ingest.tasks import Task

HEADER = ["Nhiệm vụ", "Mục", "Đơn vị chủ trì", "Đơn vị phối hợp", "Đầu mối", "Định hướng", "Thời hạn",
          "Văn bản", "Trang", "Trích dẫn", "Báo cáo về", "Phạm vi", "Hình thức giao", "Thời hạn từ ngày",
          "Thời hạn đến ngày", "Định kỳ"]
# How the document assigns the task, in words a reader knows.
SHAPE_LABELS = {"lines": "dòng phân công", "unit_heading": "mục theo đơn vị", "narrative": "câu văn", "table": "bảng"}


def task_rows(tasks: list[Task], records: dict[str, dict]) -> list[list]:
    """One row per task, in the order of :data:`HEADER`."""
    out = []
    for t in tasks:
        data = t.deadline_data or {}
        out.append([t.task, t.section, "; ".join(t.lead_units), "; ".join(t.partner_units),
                    "; ".join(t.focal_units), "; ".join(t.guiding_units), t.deadline or "",
                    _document_label(t, records.get(t.doc_id)), t.page if t.page is not None else "",
                    t.quote, "; ".join(t.report_to), t.scope or "", SHAPE_LABELS.get(t.shape, t.shape),
                    data.get("start") or "", data.get("end") or "", "có" if data.get("recurring") else ""])
    return out


def write_csv(path: Path | str, rows: list[list]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel opens Vietnamese CSV correctly only with the BOM
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows([[_csv_safe(v) for v in row] for row in rows])
    return path


def write_xlsx(path: Path | str, rows: list[list]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_xlsx_safe(v) for v in row])
    widths = [60, 30, 35, 30, 25, 25, 22, 40, 7, 80, 30, 25, 16, 14, 14, 9]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def _xlsx_safe(value):
    # openpyxl stores a string as a formula only when it starts with "="; control characters are
    # not allowed in XLSX at all
    if isinstance(value, str):
        value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
        if value[:1] == "=":
            return "'" + value
    return value


def _csv_safe(value):
    # a spreadsheet opening the CSV would evaluate a cell starting with = + - @ as a formula
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _document_label(task: Task, record: dict | None) -> str:
    """"Kế hoạch 159/KH-UBND" when the số hiệu is known, else the title (shortened)."""
    record = record or {}
    if record.get("number"):
        return f"{record.get('doc_type') or 'Văn bản'} {record['number']}"
    return _short(record.get("title") or task.doc_title or task.source, 90)


def location_label(t: Task, record: dict | None = None) -> str:
    """"Kế hoạch 159/KH-UBND, mục 1.3, trang 2" — where a reader finds the task."""
    record = record or {}
    page = f", trang {t.page}" if t.page else ""
    number = section_number = ""
    if t.section and t.section not in ("Mở đầu", "Nơi nhận", "Chữ ký"):
        section_number = t.section.split(" ")[0]
    if record.get("number"):
        number = f"{record.get('doc_type') or 'Văn bản'} {record['number']}"
    doc = number or _short(record.get("title") or t.doc_title or t.source, 90)
    section = f"mục {section_number}" if section_number else ""
    return ", ".join(filter(None, [doc, section])) + page


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
