"""A small corpus with one public and one internal document, ingested for real (model, store),
for the access-level, admin and questions-log tests."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CORPUS, make_settings

PUBLIC_SOURCE = "asean/bonoivu-1117-qd-bnv-2021.txt"
INTERNAL_SOURCE = "noibo/dien-tap-kim-quy-2026.txt"
INTERNAL_DOC = "noibo-dien-tap-kim-quy-2026-txt"
PUBLIC_DOC = "asean-bonoivu-1117-qd-bnv-2021-txt"
INTERNAL_TEXT = """KẾ HOẠCH
Diễn tập ứng phó sự cố an ninh mạng năm 2026 của Sở Kim Quy

1. Diễn tập ứng phó sự cố tại Trung tâm dữ liệu Kim Quy
- Nội dung triển khai: Tổ chức diễn tập ứng phó sự cố mã độc tống tiền tại Trung tâm dữ liệu Kim Quy vào tháng 9.
- Đơn vị chủ trì: Phòng Kỹ thuật nghiệp vụ số 7.
- Thời gian thực hiện: Tháng 9 năm 2026.
"""
# Asked about the internal plan; none of its answer's words are in the question.
QUESTION = "Đơn vị nào chủ trì diễn tập ứng phó sự cố tại Trung tâm dữ liệu Kim Quy?"
ANSWER = "Phòng Kỹ thuật nghiệp vụ số 7"
# What must never reach a public caller: the plan's id, file, title and words not in the question.
SECRETS = (INTERNAL_DOC, "noibo/", "Kỹ thuật nghiệp vụ", "mã độc tống tiền", "Sở Kim Quy")
KEYS = {"khoa-cong-khai": "public", "khoa-noi-bo": "internal"}


def make_corpus(root: Path) -> Path:
    (root / "asean").mkdir(parents=True)
    (root / "noibo").mkdir()
    shutil.copy(CORPUS / PUBLIC_SOURCE, root / PUBLIC_SOURCE)
    (root / INTERNAL_SOURCE).write_text(INTERNAL_TEXT, encoding="utf-8")
    (root / "manifest.yaml").write_text(f"documents:\n  {INTERNAL_SOURCE}:\n    level: internal\n", encoding="utf-8")
    return root


def leveled_app(tmp_path_factory, **overrides):
    """The real app over the two documents, ingested; API keys of both levels."""
    from bot.http.app import create_app
    from ingest.pipeline import ingest

    root = make_corpus(tmp_path_factory.mktemp("leveled-corpus"))
    settings = make_settings(tmp_path_factory.mktemp("leveled-home"), corpus=root, api_keys=KEYS,
                             max_upload_mb=2, **overrides)
    app = create_app(settings)
    services = app.state.services
    report = ingest([root], corpus_root=root, ledger=services.ledger, sink=services.indexer(), max_bytes=1 << 22)
    assert {r.status for r in report.rows} == {"ingested"}, [(r.source, r.status, r.reason) for r in report.rows]
    return app


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]
