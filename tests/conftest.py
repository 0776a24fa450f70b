"""Shared fixtures: one real ingest of the real corpus per test session, with the real model
and the real embedded Qdrant store, reused by the API, chat and browser tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
# The model folder is built once by `make install` (aseanbot setup) under ./var/models.
MODEL_CACHE = Path(os.environ.get("ASEANBOT_MODEL_CACHE", REPO / "var" / "models"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def make_settings(home: Path, **overrides):
    from ingest.settings import Settings

    # A generous rate limit: many tests share one loopback client address.
    values = {"corpus": CORPUS, "model_cache": MODEL_CACHE, "rate_limit_per_minute": 1000, **overrides}
    return Settings(home=home, **values)


@pytest.fixture(scope="session")
def test_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def settings(test_home):
    return make_settings(test_home)


@pytest.fixture(scope="session")
def ingest_report(settings):
    """The whole corpus ingested once (OCR of the scanned PDF included when tesseract is here)."""
    from bot.services import Services
    from ingest.pipeline import ingest

    services = Services(settings)
    report = ingest([settings.corpus], corpus_root=settings.corpus, ledger=services.ledger,
                    sink=services.indexer(), max_bytes=settings.max_file_mb * 1024 * 1024, ocr=True)
    services.close()
    return report


@pytest.fixture(scope="session")
def services(settings, ingest_report):
    from bot.services import Services

    s = Services(settings)
    yield s
    s.close()


@pytest.fixture(scope="session")
def app(services):
    """The real FastAPI app over the session's ingested index (sharing its open store)."""
    from bot.http.app import create_app

    application = create_app(services.settings)
    application.state.services = services
    return application


def serve(application):
    """Serve an app on a free loopback port for the duration of the block (bot/http/serving.py)."""
    from bot.http.serving import serve_in_thread

    return serve_in_thread(application)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app, served for HTTP and browser tests."""
    with serve(app) as base:
        yield base


@pytest.fixture
def fresh_home(tmp_path) -> Path:
    return tmp_path / "home"


def parse_text(tmp_path: Path, text: str):
    """``text`` written to a .txt file and parsed as ingest parses it (for extractor tests)."""
    from ingest.pipeline import parse_file

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, path.name, max_bytes=50 * 1024 * 1024, ocr=False)


def copy_corpus_subset(dest: Path, names: list[str]) -> Path:
    for name in names:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, target)
    return dest
