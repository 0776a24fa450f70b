"""Request and response models of the HTTP API (see ../shared/notes/interfaces.md)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from index.store import FILTER_FIELDS


class SearchRequest(BaseModel):
    query: str = Field(..., description="The question or keywords, with or without diacritics.")
    k: int = Field(5, ge=1, le=50)
    filters: dict[str, Any] | None = Field(
        None, description="doc_id, doc_type, issuer, province, year or source: a value or a list of values."
    )
    mode: str = Field("hybrid", pattern="^(hybrid|dense|lexical)$")

    @field_validator("filters")
    @classmethod
    def _typed_filters(cls, filters: dict[str, Any] | None) -> dict[str, Any] | None:
        """Each filter a known field with a string (a year: an integer) or a list of them: a
        value of another type ({"$ne": 1}, "abc" for a year) is the client's error (422), not
        the store's (500)."""
        for name, value in (filters or {}).items():
            if name not in FILTER_FIELDS:
                raise ValueError(f"Bộ lọc '{name}' không được hỗ trợ; dùng: {', '.join(FILTER_FIELDS)}.")
            values = value if isinstance(value, list) else [value]
            if len(values) > 100:
                raise ValueError(f"Bộ lọc '{name}' có quá nhiều giá trị (tối đa 100).")
            for v in values:
                if v is None:
                    continue
                if name == "year":
                    year = v if isinstance(v, int) and not isinstance(v, bool) else None
                    if isinstance(v, str) and v.strip().isascii() and v.strip().isdigit():
                        year = int(v.strip())
                    if year is None or not 1 <= year <= 9999:
                        raise ValueError("Bộ lọc 'year' phải là một năm (số nguyên), ví dụ 2021.")
                elif not isinstance(v, str) or len(v) > 500:
                    raise ValueError(f"Bộ lọc '{name}' phải là chuỗi ký tự hoặc danh sách chuỗi ký tự.")
                elif any("\ud800" <= ch <= "\udfff" for ch in v):
                    raise ValueError(f"Bộ lọc '{name}' chứa ký tự không hợp lệ.")
        return filters


class SearchHitOut(BaseModel):
    chunk_id: str
    doc_id: str
    source: str
    title: str
    section: str
    page: int | None
    text: str
    score: float


class SearchResponse(BaseModel):
    hits: list[SearchHitOut]


class DocumentOut(BaseModel):
    doc_id: str
    source: str
    title: str
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    province: str | None = None
    date: str | None = None
    signer: str | None = None
    pages: int | None = None
    chunks: int
    status: str = "indexed"
    level: str = Field("public", description="public: anyone may be answered from it; internal: internal callers only.")


class DocumentsResponse(BaseModel):
    documents: list[DocumentOut]
    # Paging (GET /api/documents?offset=&limit=): ``total`` documents the caller may see.
    total: int | None = None
    offset: int = 0
    limit: int | None = None


class ChatRequest(BaseModel):
    message: str
    session_id: str | None = Field(None, max_length=100)


class CitationOut(BaseModel):
    n: int
    doc_id: str
    source: str
    title: str
    number: str | None = None
    section: str
    page: int | None
    quote: str
    chunk_id: str | None = None
    char_start: int | None = None
    char_end: int | None = None


class RelatedDoc(BaseModel):
    doc_id: str
    source: str
    title: str


class ChatResponse(BaseModel):
    answer: str
    citations: list[CitationOut]
    grounded: bool
    session_id: str
    related: list[RelatedDoc] = []
    question: str | None = Field(None, description="The standalone question actually answered (after follow-up rewriting).")
    understood: str | None = Field(None, description="The question as understood, in a few words, with the document "
                                   "and section the thread is about: 'Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3'.")
    approved: bool = Field(False, description="The answer is one an official approved for this question.")
    question_id: str | None = Field(None, description="Send back with /api/feedback to rate this answer.")
