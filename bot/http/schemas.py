"""Request and response models of the HTTP API (see ../shared/notes/interfaces.md)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SearchRequest(BaseModel):
    query: str = Field(..., description="The question or keywords, with or without diacritics.")
    k: int = Field(5, ge=1, le=50)
    filters: dict[str, Any] | None = Field(
        None, description="doc_id, doc_type, issuer, province, year or source: a value or a list of values."
    )
    mode: str = Field("hybrid", pattern="^(hybrid|dense|lexical)$")


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


class DocumentsResponse(BaseModel):
    documents: list[DocumentOut]


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
