"""GET /api/tasks: the task table (who leads, partners, guides each task, and by when).

    GET /api/tasks?unit=Sở TT&TT&province=Quảng Ninh
    GET /api/tasks?q=tuyên truyền trên hệ thống thông tin cơ sở
    GET /api/tasks?doc_id=asean-quangninh-159-kh-ubnd-2021-docx

The table is built from the ledger's documents and rebuilt only when a document changes.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bot.access import AccessView
from bot.http.access import get_view
from ingest.task_table import TaskTable, cached_task_table

router = APIRouter(tags=["tasks"])

MAX_TASKS = 500  # the most one page may hold
PAGE = 100  # a page's size when the caller names none


class TaskOut(BaseModel):
    task: str
    section: str
    lead_units: list[str]
    partner_units: list[str]
    focal_units: list[str]
    guiding_units: list[str]
    deadline: str | None
    # the deadline as data where the words state it: {"text", "start", "end", "recurring"}
    deadline_data: dict | None = None
    report_to: list[str] = Field(default_factory=list)
    shape: str = ""  # how the document assigns it: lines, unit_heading, narrative, table
    doc_id: str
    source: str
    page: int | None
    quote: str
    scope: str | None = None
    char_start: int
    char_end: int


class TasksResponse(BaseModel):
    tasks: list[TaskOut]
    offset: int = 0
    limit: int = PAGE
    # Whether tasks follow this page (ask again with offset + limit): counting every match
    # of a word search would cost what the page saves.
    has_more: bool = False


def get_task_table(view: AccessView = Depends(get_view)) -> TaskTable:
    """The task table of the documents the caller may see, cached per ledger view and state."""
    return cached_task_table(view.ledger)


@router.get("/api/tasks", response_model=TasksResponse)
def list_tasks(
    q: str | None = Query(None, max_length=500, description="Từ khóa về nhiệm vụ (có hoặc không dấu)."),
    unit: str | None = Query(None, max_length=200, description="Đơn vị, viết đầy đủ hoặc tắt: Sở TT&TT, UBND …"),
    doc_id: str | None = Query(None, max_length=500, description="Một hoặc nhiều doc_id, cách nhau bởi dấu phẩy."),
    province: str | None = Query(None, max_length=100, description="Tỉnh, thành phố (phạm vi của văn bản)."),
    offset: int = Query(0, ge=0, le=100_000, description="Bỏ qua bao nhiêu nhiệm vụ đầu (phân trang)."),
    limit: int = Query(PAGE, ge=1, le=MAX_TASKS, description="Số nhiệm vụ tối đa của một trang."),
    table: TaskTable = Depends(get_task_table),
) -> TasksResponse:
    # Paged: at hundreds of documents a word search matches tens of thousands of tasks, and
    # only one page of them is ranked in full (TaskTable.query's limit) and sent.
    tasks = table.query(q=q or None, unit=unit or None, doc_id=doc_id or None, province=province or None,
                        limit=offset + limit + 1)
    page = tasks[offset : offset + limit]
    return TasksResponse(tasks=[TaskOut(**{k: getattr(t, k) for k in TaskOut.model_fields}) for t in page],
                         offset=offset, limit=limit, has_more=len(tasks) > offset + limit)
