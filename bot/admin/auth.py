"""Admin accounts and sessions for the admin page, in ``$ASEANBOT_HOME/admin.sqlite``.

Accounts are made on the server machine (``aseanbot admin create-user``); passwords are hashed
with Argon2id (argon2-cffi's defaults, rehashed on sign-in when those change). A sign-in makes a
session: a random token for the cookie, of which only the SHA-256 is stored, and a CSRF token the
page sends back in a header with every change. Sessions end after ``admin_session_minutes``;
an ended session is remembered a week so the page can say it expired rather than "sign in".

Lock-out: ``admin_max_failures`` wrong passwords in a row lock the account for
``admin_lockout_minutes``; the same number of failures from one client address locks that
address too (guessing across many usernames). A correct password while locked is refused too.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

WRONG_PASSWORD = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Đăng nhập sai quá nhiều lần nên tạm bị khóa. Vui lòng thử lại sau {minutes} phút."
NOT_SIGNED_IN = "Bạn chưa đăng nhập. Vui lòng đăng nhập để tiếp tục."
EXPIRED = "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
CSRF_MISSING = "Thiếu mã bảo vệ chống giả mạo yêu cầu (CSRF). Vui lòng tải lại trang rồi thử lại."
CSRF_WRONG = "Mã bảo vệ chống giả mạo yêu cầu (CSRF) không đúng. Vui lòng tải lại trang rồi thử lại."
BAD_USERNAME = "Tên đăng nhập chỉ gồm chữ, số và các ký tự . _ @ - (3 đến 64 ký tự)."
SHORT_PASSWORD = "Mật khẩu cần ít nhất {n} ký tự."
USER_EXISTS = "Tài khoản {name} đã có; dùng --replace để đặt lại mật khẩu."

MIN_PASSWORD = 10
_USERNAME = re.compile(r"[\w.@-]{3,64}")
_KEEP_ENDED_S = 7 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
"""


class AuthError(Exception):
    """A refusal with the Vietnamese message the page shows and the HTTP status it goes with."""

    def __init__(self, message: str, status: int = 401, code: str = "auth"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


@dataclass
class AdminSession:
    username: str
    csrf: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AdminAuth:
    def __init__(self, path: Path, *, session_minutes: int = 480, max_failures: int = 5, lockout_minutes: int = 15,
                 clock=time.time):
        self.path = Path(path)
        self.session_seconds = session_minutes * 60
        self.max_failures = max(1, max_failures)
        self.lockout_seconds = lockout_minutes * 60
        self.clock = clock
        self.hasher = PasswordHasher()
        self._lock = threading.Lock()
        # Failures per client address: in memory, like the rate limiter (one server per home).
        self._clients: dict[str, tuple[int, float]] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
        # A hash of nothing in particular: unknown usernames cost the same time as known ones.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            with db:
                yield db

    # -- accounts ------------------------------------------------------------------------------

    def create_user(self, username: str, password: str, *, replace: bool = False) -> None:
        if not _USERNAME.fullmatch(username or ""):
            raise AuthError(BAD_USERNAME, 422, "username")
        if len(password or "") < MIN_PASSWORD:
            raise AuthError(SHORT_PASSWORD.format(n=MIN_PASSWORD), 422, "password")
        hashed = self.hasher.hash(password)
        with self._lock, self._db() as db:
            exists = db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
            if exists and not replace:
                raise AuthError(USER_EXISTS.format(name=username), 409, "exists")
            db.execute("INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) "
                       "ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, failures = 0, "
                       "locked_until = 0", (username, hashed, self.clock()))
            if exists:  # a new password ends the sessions the old one opened
                db.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def users(self) -> list[str]:
        with self._db() as db:
            return [r["username"] for r in db.execute("SELECT username FROM users ORDER BY username")]

    def sign_in(self, username: str, password: str, client: str = "") -> tuple[str, AdminSession]:
        """Check a password; returns (cookie token, session) or raises AuthError."""
        now = self.clock()
        with self._lock:
            count, until = self._clients.get(client, (0, 0.0))
        if until > now:
            raise AuthError(LOCKED.format(minutes=_minutes(until - now)), 429, "locked")
        with self._db() as db:
            row = db.execute("SELECT * FROM users WHERE username = ?", (username or "",)).fetchone()
        if row is not None and row["locked_until"] > now:
            raise AuthError(LOCKED.format(minutes=_minutes(row["locked_until"] - now)), 429, "locked")
        ok = False
        try:
            ok = self.hasher.verify(row["password_hash"] if row else self._dummy, password or "") and row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self._failed(username, client, now, row is not None)
            raise AuthError(WRONG_PASSWORD, 401, "wrong")
        with self._lock, self._db() as db:
            self._clients.pop(client, None)
            db.execute("UPDATE users SET failures = 0, locked_until = 0 WHERE username = ?", (username,))
            if self.hasher.check_needs_rehash(row["password_hash"]):
                db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (self.hasher.hash(password), username))
        return self._new_session(username, now)

    def _failed(self, username: str, client: str, now: float, known: bool) -> None:
        with self._lock:
            count, _ = self._clients.get(client, (0, 0.0))
            count += 1
            self._clients[client] = (0, now + self.lockout_seconds) if count >= self.max_failures else (count, 0.0)
            if len(self._clients) > 10_000:  # bounded memory under a flood of addresses
                self._clients = {k: v for k, v in self._clients.items() if v[1] > now}
            if known:
                with self._db() as db:
                    failures = db.execute("UPDATE users SET failures = failures + 1 WHERE username = ? "
                                          "RETURNING failures", (username,)).fetchone()[0]
                    if failures >= self.max_failures:
                        db.execute("UPDATE users SET failures = 0, locked_until = ? WHERE username = ?",
                                   (now + self.lockout_seconds, username))

    # -- sessions ------------------------------------------------------------------------------

    def _new_session(self, username: str, now: float) -> tuple[str, AdminSession]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session = AdminSession(username, csrf, now + self.session_seconds)
        with self._lock, self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now - _KEEP_ENDED_S,))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                       (_digest(token), username, csrf, now, session.expires_at))
        return token, session

    def session(self, token: str | None) -> AdminSession:
        """The live session of a cookie token, or AuthError (not signed in / expired)."""
        if not token:
            raise AuthError(NOT_SIGNED_IN, 401, "signed_out")
        with self._db() as db:
            row = db.execute("SELECT * FROM sessions WHERE token_hash = ?", (_digest(token),)).fetchone()
            user = db.execute("SELECT 1 FROM users WHERE username = ?", (row["username"],)).fetchone() if row else None
        if row is None or user is None or row["expires_at"] <= self.clock():
            # A cookie we no longer honour: it was a session once, so say it ended.
            raise AuthError(EXPIRED, 401, "expired")
        return AdminSession(row["username"], row["csrf"], row["expires_at"])

    def end(self, token: str | None) -> None:
        if token:
            with self._lock, self._db() as db:
                db.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?", (self.clock(), _digest(token)))

    def check_csrf(self, session: AdminSession, given: str | None) -> None:
        if not given:
            raise AuthError(CSRF_MISSING, 403, "csrf")
        if not secrets.compare_digest(given.encode(), session.csrf.encode()):
            raise AuthError(CSRF_WRONG, 403, "csrf")


def _minutes(seconds: float) -> int:
    return max(1, int(seconds // 60 + (1 if seconds % 60 else 0)))
