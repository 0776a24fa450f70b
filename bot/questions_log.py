"""The questions log: each question asked, with its outcome, in one local SQLite file.

What a portal team needs to see which documents are missing: the question as the user typed
it, whether it was answered or refused (or answered by an approved answer), the 👍/👎 it got,
how long it took, the access level it was asked at and through which interface. Nothing else:
no address, no session, no client or user id. Rows older than ``questions_retention_days`` are
deleted (0 keeps no log at all).

The same file holds the approved answers: an official's answer with its citation, served when a
new question matches an earlier one closely (bot/approved.py). They are curated content, not
log rows, so retention does not apply to them.
"""
from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

ANSWERED, REFUSED, APPROVED = "answered", "refused", "approved"
OUTCOME_NAMES = {ANSWERED: "Đã trả lời", REFUSED: "Không trả lời được", APPROVED: "Trả lời đã duyệt"}
FEEDBACK_NAMES = {"up": "👍", "down": "👎"}
# A feedback without an id is matched to the latest same question asked within this window.
FEEDBACK_WINDOW = timedelta(hours=24)
_PURGE_EVERY_S = 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    ts TEXT NOT NULL,              -- UTC, ISO 8601 (sorts as text)
    question TEXT NOT NULL,        -- as typed
    outcome TEXT NOT NULL,         -- answered | refused | approved
    feedback TEXT,                 -- up | down | NULL
    comment TEXT,                  -- the user's own words with a 👎, if any
    latency_ms REAL,
    level TEXT NOT NULL,           -- public | internal
    channel TEXT NOT NULL          -- web | sse | openai | mcp
);
CREATE INDEX IF NOT EXISTS questions_ts ON questions (ts);
CREATE TABLE IF NOT EXISTS approved (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    quote TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``7d``, ``24h``, ``2026-11-01`` or a full ISO time → an aware UTC datetime (None: no bound)."""
    if not value:
        return None
    value = value.strip()
    now = now or datetime.now(timezone.utc)
    unit = value[-1:].lower()
    if unit in ("d", "h") and value[:-1].isdigit():
        amount = int(value[:-1])
        return now - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"không hiểu mốc thời gian {value!r}: dùng 7d, 24h hoặc 2026-11-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class QuestionsLog:
    def __init__(self, path: Path, retention_days: int = 180):
        self.path = Path(path)
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
        self.purge()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # One short connection per call: used from many threads, and a second process (the CLI)
        # may read the same file; WAL lets it read while the server writes.
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    # -- the log -----------------------------------------------------------------------------

    def record(self, question: str, *, outcome: str, latency_ms: float | None, level: str, channel: str) -> str | None:
        """Log one question; returns its id (to attach feedback to), None when logging is off."""
        if not self.enabled:
            return None
        qid = secrets.token_urlsafe(12)
        with self._lock, self._db() as db:
            db.execute("INSERT INTO questions (id, ts, question, outcome, latency_ms, level, channel) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (qid, now_iso(), question, outcome,
                        None if latency_ms is None else round(latency_ms, 1), level, channel))
        if time.monotonic() - self._last_purge > _PURGE_EVERY_S:
            self.purge()
        return qid

    def feedback(self, rating: str, *, question_id: str | None = None, question: str | None = None,
                 comment: str | None = None) -> bool:
        """Attach 👍/👎 (and the user's comment) to a logged question: by its id, else to the
        latest row of the same text asked in the last day. Returns whether a row took it."""
        if not self.enabled or rating not in FEEDBACK_NAMES:
            return False
        with self._lock, self._db() as db:
            row = None
            if question_id:
                row = db.execute("SELECT id FROM questions WHERE id = ?", (question_id,)).fetchone()
            if row is None and question:
                since = (datetime.now(timezone.utc) - FEEDBACK_WINDOW).isoformat(timespec="seconds")
                row = db.execute("SELECT id FROM questions WHERE question = ? AND ts >= ? ORDER BY ts DESC LIMIT 1",
                                 (question.strip(), since)).fetchone()
            if row is None:
                return False
            db.execute("UPDATE questions SET feedback = ?, comment = COALESCE(?, comment) WHERE id = ?",
                       (rating, (comment or "").strip() or None, row["id"]))
            return True

    def rows(self, *, since: datetime | None = None, unanswered: bool = False, down: bool = False,
             limit: int = 20000) -> list[dict[str, Any]]:
        """Logged questions, newest first. ``unanswered`` and ``down`` select the refused ones and
        the 👎 ones (either, when both are given)."""
        where, args = [], []
        if since is not None:
            where.append("ts >= ?")
            args.append(since.astimezone(timezone.utc).isoformat(timespec="seconds"))
        kinds = []
        if unanswered:
            kinds.append("outcome = 'refused'")
        if down:
            kinds.append("feedback = 'down'")
        if kinds:
            where.append("(" + " OR ".join(kinds) + ")")
        sql = "SELECT * FROM questions" + (" WHERE " + " AND ".join(where) if where else "")
        with self._db() as db:
            return [dict(r) for r in db.execute(sql + " ORDER BY ts DESC LIMIT ?", (*args, limit))]

    def purge(self) -> int:
        """Delete rows past the retention period (all of them when retention is 0)."""
        self._last_purge = time.monotonic()
        cutoff = (datetime.now(timezone.utc) - timedelta(days=max(self.retention_days, 0)))
        with self._lock, self._db() as db:
            if self.retention_days <= 0:
                return db.execute("DELETE FROM questions").rowcount
            return db.execute("DELETE FROM questions WHERE ts < ?", (cutoff.isoformat(timespec="seconds"),)).rowcount

    # -- approved answers ----------------------------------------------------------------------

    def add_approved(self, *, question: str, answer: str, doc_id: str, quote: str, char_start: int, char_end: int,
                     created_by: str) -> dict[str, Any]:
        item = {"id": secrets.token_urlsafe(9), "created_at": now_iso(), "created_by": created_by,
                "question": question.strip(), "answer": answer.strip(), "doc_id": doc_id, "quote": quote,
                "char_start": int(char_start), "char_end": int(char_end)}
        with self._lock, self._db() as db:
            db.execute("INSERT INTO approved (id, created_at, created_by, question, answer, doc_id, quote, "
                       "char_start, char_end) VALUES (:id, :created_at, :created_by, :question, :answer, :doc_id, "
                       ":quote, :char_start, :char_end)", item)
        return item

    def approved(self) -> list[dict[str, Any]]:
        with self._db() as db:
            return [dict(r) for r in db.execute("SELECT * FROM approved ORDER BY created_at DESC")]

    def delete_approved(self, approved_id: str) -> bool:
        with self._lock, self._db() as db:
            return db.execute("DELETE FROM approved WHERE id = ?", (approved_id,)).rowcount > 0

    def approved_stamp(self) -> str:
        """Changes whenever an approved answer is added or removed (for caches); ids are random,
        so their list names the set."""
        with self._db() as db:
            row = db.execute("SELECT COALESCE(group_concat(id, ','), '') FROM (SELECT id FROM approved ORDER BY id)").fetchone()
            return str(row[0])
