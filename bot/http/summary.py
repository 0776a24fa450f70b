"""POST /api/summarize: a cited summary as JSON, or the report draft as DOCX or Markdown.

    POST /api/summarize {"topic": "Nội dung về trụ cột Kinh tế", "doc_ids": [...], "group_by": "province"}
    POST /api/summarize {"doc_ids": ["asean-bonoivu-1117-qd-bnv-2021-txt"], "format": "docx"}
    (or the header Accept: application/vnd.openxmlformats-officedocument.wordprocessingml.document)

doc_ids take ledger ids or source paths ("asean/quangninh-159-kh-ubnd-2021.docx"). Errors come
back in Vietnamese: 422 for a request that cannot be served, 404 for an unknown document.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from bot.access import AccessView
from bot.http.access import get_view
from bot.summary.report import DOCX_MEDIA_TYPE, to_docx, to_markdown
from bot.summary.summarize import GROUPS, SummaryError, SummaryRequest, summarize

log = logging.getLogger(__name__)
router = APIRouter(tags=["summaries"])

FORMATS = ("json", "docx", "markdown")
MAX_DOCS = 50
MAX_BULLETS = 50
FILENAME = "bao-cao"

try:
    from bot.http.ratelimit import make_rate_limit

    # A summary costs many retrievals and embeddings: its own budget, apart from chat.
    summary_rate_limit = make_rate_limit("summary")
except ImportError:  # pragma: no cover - the API works without the widget's rate limiting
    def summary_rate_limit(request: Request) -> None:
        return None


class SummarizeBody(BaseModel):
    topic: str | None = Field(None, description="Chủ đề cần tổng hợp (có thể bỏ trống khi nêu doc_ids).")
    doc_ids: list[str] | None = Field(None, description="doc_id hoặc đường dẫn nguồn của các văn bản.")
    group_by: str | None = Field(None, description="document | pillar | province")
    format: str | None = Field(None, description="json | docx | markdown")
    max_bullets_per_section: int | None = Field(None, description="Số ý tối đa mỗi mục.")


class BulletOut(BaseModel):
    text: str
    citations: list[int]
    lead: str = ""
    parts: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)


class SectionOut(BaseModel):
    heading: str
    bullets: list[BulletOut]


class SummaryOut(BaseModel):
    title: str
    generated_at: str
    topic: str | None
    group_by: str
    sections: list[SectionOut]
    references: list[dict[str, Any]]
    notes: list[str] = Field(default_factory=list)
    timing: dict[str, float] = Field(default_factory=dict)


_FIELD_NAMES = {"topic": "chủ đề (topic)", "doc_ids": "danh sách tài liệu (doc_ids)", "group_by": "cách nhóm (group_by)",
                "format": "định dạng (format)", "max_bullets_per_section": "số ý tối đa (max_bullets_per_section)"}


def _bad(message: str, status: int = 422) -> HTTPException:
    return HTTPException(status, detail=message)


def parse_body(raw: Any, max_chars: int) -> tuple[SummaryRequest, str | None]:
    """The request and the asked format, or an HTTPException with a Vietnamese message."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _bad("Nội dung yêu cầu phải là một đối tượng JSON.")
    try:
        body = SummarizeBody.model_validate(raw)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
        raise _bad(f"Giá trị không hợp lệ: {_FIELD_NAMES.get(field, field or 'yêu cầu')}.") from None
    if body.topic and len(body.topic) > max_chars:
        raise _bad(f"Chủ đề quá dài (tối đa {max_chars} ký tự).")
    if body.doc_ids and len(body.doc_ids) > MAX_DOCS:
        raise _bad(f"Chỉ tóm tắt được tối đa {MAX_DOCS} văn bản một lần.")
    if body.group_by and body.group_by not in GROUPS:
        raise _bad("Cách nhóm không hợp lệ: chọn document (theo văn bản), pillar (theo trụ cột, chủ đề) "
                   "hoặc province (theo địa phương).")
    if body.format and body.format not in FORMATS:
        raise _bad("Định dạng không hợp lệ: chọn json, docx hoặc markdown.")
    if body.max_bullets_per_section is not None and not 1 <= body.max_bullets_per_section <= MAX_BULLETS:
        raise _bad(f"Số ý tối đa mỗi mục phải từ 1 đến {MAX_BULLETS}.")
    try:
        request = SummaryRequest(topic=body.topic, doc_ids=body.doc_ids, group_by=body.group_by,
                                 max_bullets_per_section=body.max_bullets_per_section)
    except SummaryError as exc:
        raise _bad(str(exc), exc.status) from None
    return request, body.format


def wanted_format(asked: str | None, accept: str) -> str:
    if asked:
        return asked
    accept = accept.lower()
    if DOCX_MEDIA_TYPE in accept:
        return "docx"
    if "text/markdown" in accept:
        return "markdown"
    return "json"


@router.post(
    "/api/summarize",
    response_model=SummaryOut,
    dependencies=[Depends(summary_rate_limit)],
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": SummarizeBody.model_json_schema()}}}},
    responses={200: {"content": {DOCX_MEDIA_TYPE: {}, "text/markdown": {}}}},
)
async def summarize_endpoint(request: Request, raw: Any = Body(None), view: AccessView = Depends(get_view)):
    """Tổng hợp có trích dẫn từ các văn bản: JSON, hoặc bản thảo báo cáo DOCX / Markdown."""
    services = view  # summaries read only the documents the caller may see
    settings = services.settings
    summary_request, asked = parse_body(raw, settings.max_message_chars)
    fmt = wanted_format(asked, request.headers.get("accept", ""))
    try:
        summary = await asyncio.to_thread(summarize, services, summary_request)
    except SummaryError as exc:
        raise _bad(str(exc), exc.status) from None
    except Exception:  # noqa: BLE001 - the client gets a message, the log gets the trace
        log.exception("summary failed")
        raise HTTPException(500, detail="Đã có lỗi khi tổng hợp. Vui lòng thử lại.") from None
    if fmt == "docx":
        data = await asyncio.to_thread(to_docx, summary, None)
        return Response(data, media_type=DOCX_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{FILENAME}.docx"'})
    if fmt == "markdown":
        return Response(to_markdown(summary), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{FILENAME}.md"'})
    return JSONResponse(summary.to_dict())
