"""Reviewing logged questions: the unanswered and 👎 ones grouped by similarity, and their
export to XLSX for the portal team (which documents to add, which answers to approve).

Grouping is greedy on e5 query embeddings: each question joins the first group whose leading
question it matches at ``GROUP_SIMILARITY`` or more, else starts a group; groups are listed
largest first. Paraphrases of one question score .93-.99 with e5-small, questions about another
plan or province of the same kind .91-.95: those share a group too, which is what a reviewer
looking for a missing kind of document wants.
"""
from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

import numpy as np

from bot.questions_log import FEEDBACK_NAMES, OUTCOME_NAMES
from ingest.levels import LEVEL_NAMES

GROUP_SIMILARITY = 0.92
CHANNEL_NAMES = {"web": "Trang web / widget", "sse": "Trang web / widget", "openai": "API OpenAI", "mcp": "MCP"}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def embed_questions(embedder: Any, questions: list[str]) -> np.ndarray:
    """Unit-length e5 query embeddings, in one batch when the embedder offers it."""
    if not questions:
        return np.zeros((0, 1), dtype=np.float32)
    batch = getattr(embedder, "embed_queries", None)
    vectors = np.asarray(batch(questions) if batch else [embedder.get_query_embedding(q) for q in questions],
                         dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def group_rows(rows: list[dict[str, Any]], embed: Callable[[list[str]], np.ndarray],
               threshold: float = GROUP_SIMILARITY) -> list[dict[str, Any]]:
    """Logged rows (newest first) → groups, largest first, each with its questions."""
    texts = list(dict.fromkeys(" ".join(r["question"].split()) for r in rows))
    vectors = embed(texts) if texts else np.zeros((0, 1))
    index = {t: i for i, t in enumerate(texts)}
    leaders: list[int] = []
    members: list[list[dict[str, Any]]] = []
    for row in rows:
        i = index[" ".join(row["question"].split())]
        if leaders:
            scores = vectors[leaders] @ vectors[i]
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                members[best].append(row)
                continue
        leaders.append(i)
        members.append([row])
    groups = []
    for rows_of in members:
        counts: dict[str, int] = {}
        for r in rows_of:
            q = " ".join(r["question"].split())
            counts[q] = counts.get(q, 0) + 1
        # The question asked most often speaks for the group; ties go to the latest.
        representative = max(counts, key=lambda q: counts[q])
        groups.append({
            "question": representative,
            "count": len(rows_of),
            "refused": sum(r["outcome"] == "refused" for r in rows_of),
            "down": sum(r.get("feedback") == "down" for r in rows_of),
            "last_ts": max(r["ts"] for r in rows_of),
            "levels": sorted({r["level"] for r in rows_of}),
            "variants": [{"question": q, "count": n} for q, n in sorted(counts.items(), key=lambda kv: -kv[1])],
            "rows": rows_of,
        })
    groups.sort(key=lambda g: (g["count"], g["last_ts"]), reverse=True)
    return groups


def _local(ts: str) -> str:
    try:
        return datetime.fromisoformat(ts).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return ts


def export_xlsx(groups: list[dict[str, Any]], out: Path | None = None) -> bytes:
    """One sheet of groups and one of every question, Vietnamese headers; returns the bytes
    (and writes them to ``out`` when given)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    summary = wb.active
    summary.title = "Nhóm câu hỏi"
    summary.append(["Nhóm", "Câu hỏi tiêu biểu", "Số lần hỏi", "Không trả lời được", "Góp ý 👎",
                    "Lần hỏi gần nhất", "Mức truy cập", "Các cách hỏi khác"])
    detail = wb.create_sheet("Tất cả câu hỏi")
    detail.append(["Nhóm", "Câu hỏi", "Kết quả", "Góp ý", "Ý kiến người dùng", "Thời gian", "Độ trễ (ms)",
                   "Mức truy cập", "Kênh"])
    for n, g in enumerate(groups, 1):
        others = "\n".join(f"{v['question']} ({v['count']})" for v in g["variants"] if v["question"] != g["question"])
        summary.append([n, g["question"], g["count"], g["refused"], g["down"], _local(g["last_ts"]),
                        ", ".join(LEVEL_NAMES.get(lv, lv) for lv in g["levels"]), others])
        for r in g["rows"]:
            detail.append([n, r["question"], OUTCOME_NAMES.get(r["outcome"], r["outcome"]),
                           FEEDBACK_NAMES.get(r.get("feedback") or "", ""), r.get("comment") or "", _local(r["ts"]),
                           r.get("latency_ms"), LEVEL_NAMES.get(r["level"], r["level"]),
                           CHANNEL_NAMES.get(r["channel"], r["channel"])])
    for sheet, widths in ((summary, [7, 70, 11, 12, 10, 18, 14, 70]), (detail, [7, 70, 20, 8, 40, 18, 12, 14, 18])):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def public_group(group: dict[str, Any], max_rows: int = 20) -> dict[str, Any]:
    """A group as the admin page gets it: its latest rows only."""
    return {**{k: v for k, v in group.items() if k != "rows"},
            "rows": [{k: r.get(k) for k in ("ts", "question", "outcome", "feedback", "comment", "latency_ms",
                                            "level", "channel")} for r in group["rows"][:max_rows]]}
