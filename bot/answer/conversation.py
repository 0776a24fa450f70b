"""Sessions and follow-up questions.

Only questions that refer back are rewritten: stuffing history into every query lowers recall.
A follow-up is recognised by what it lacks (almost no content words of its own: "đơn vị nào
phối hợp?", "thời hạn là khi nào?") or by how it opens ("còn …", "vậy …", "thế còn …").
It is completed from the previous turn: its topic words, and its document as a preference.

>>> s = Turn(question="Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Quảng Ninh?", doc_id="qn")
>>> rewrite("còn Tây Ninh thì sao?", s).question
'Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Tây Ninh?'
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.answer.evidence import terms
from ingest.lang.patterns import NUMBER, find_province
from ingest.lang.normalize import fold_accents

_REFERS_BACK = re.compile(
    r"^(?:còn|vậy|thế còn|thế|thế thì|vậy thì|và|rồi|ngoài ra|con|vay|the con|the)\b|"
    r"\b(?:thì sao|thi sao|nữa|nua|kế hoạch này|kế hoạch đó|văn bản này|văn bản đó|nhiệm vụ này|"
    r"nhiệm vụ đó|việc này|việc đó|nội dung này|mục này|ở đó|o do|nó)\b",
    re.IGNORECASE,
)
# Words that only say what kind of answer is wanted; a question made only of these refers back.
_ASK_WORDS = {fold_accents(w) for w in (
    "đơn vị cơ quan nào ai chủ trì phối hợp đầu mối định hướng thời hạn thời gian khi nào bao giờ "
    "ngày là gì những có không thì sao còn vậy thế nữa được giao làm thực hiện hạn chót trước ai "
    "phải ở đâu kế hoạch này đó việc nhiệm vụ nội dung hình thức mục tiêu yêu cầu sao"
).split()}


@dataclass
class Turn:
    question: str  # the standalone question that was answered
    doc_id: str | None = None
    section: str | None = None
    answer: str = ""


@dataclass
class Rewritten:
    question: str
    rewritten: bool
    prefer_doc: str | None = None


def _content_terms(question: str) -> set[str]:
    return {t for t in terms(question, for_question=True) if "_" not in t and t not in _ASK_WORDS}


def _topic(question: str) -> str:
    """The previous question without its question words: what it was about."""
    words = question.rstrip(" ?.!").split()
    keep = [w for w in words if fold_accents(w).lower().strip(",.") not in _ASK_WORDS]
    return " ".join(keep)


def rewrite(question: str, previous: Turn | None) -> Rewritten:
    q = question.strip()
    if previous is None:
        return Rewritten(q, False)
    refers = bool(_REFERS_BACK.search(q))
    own = _content_terms(q)
    new_place = find_province(q)
    if not refers and len(own) >= 2 and not new_place:
        return Rewritten(q, False)
    if not refers and len(own) >= 3:
        return Rewritten(q, False)
    prev = previous.question.rstrip(" ?")
    if new_place:
        # Another province has other documents: the previous one's số hiệu does not carry over.
        prev = re.sub(r"\s*(?:số\s+)?" + NUMBER.pattern, "", prev).strip()
        old_place = find_province(prev)
        if old_place:
            pattern = re.compile(re.escape(old_place), re.IGNORECASE)
            if pattern.search(prev):
                return Rewritten(pattern.sub(new_place, prev) + "?", True)
            folded = fold_accents(prev)
            i = folded.lower().find(fold_accents(old_place).lower())
            if i >= 0:
                return Rewritten(prev[:i] + new_place + prev[i + len(old_place):] + "?", True)
        return Rewritten(f"{prev} ở {new_place}?", True)
    # "đơn vị nào phối hợp?" → "đơn vị nào phối hợp <topic of the previous question>?"
    body = re.sub(r"^(?:còn|vậy|thế còn|thế|và)\s+", "", q, flags=re.IGNORECASE).rstrip(" ?")
    body = re.sub(r"\s*(?:thì sao|nữa)$", "", body, flags=re.IGNORECASE)
    return Rewritten(f"{body} {_topic(prev)}?".strip(), True, prefer_doc=previous.doc_id)


@dataclass
class Session:
    id: str
    turns: list[Turn] = field(default_factory=list)
    touched: float = field(default_factory=time.monotonic)


class SessionStore:
    """In-memory sessions: bounded in number (least recently used go first), in turns, and in age.

    Ids are random and made here; an id the store does not know starts an empty session, so
    one user can never read another's history by guessing.
    """

    def __init__(self, ttl_seconds: float = 3600, max_sessions: int = 10000, max_turns: int = 10):
        self.ttl = ttl_seconds
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if session_id and session_id in self._sessions:
                session = self._sessions.pop(session_id)
            else:
                session = Session(id=session_id if _valid_id(session_id) else secrets.token_urlsafe(16))
            session.touched = now
            self._sessions[session.id] = session
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
            return session

    def add_turn(self, session: Session, turn: Turn) -> None:
        with self._lock:
            session.turns.append(turn)
            del session.turns[: -self.max_turns]

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.touched <= self.ttl:
                break
            self._sessions.popitem(last=False)

    def __len__(self) -> int:
        return len(self._sessions)


def _valid_id(session_id: str | None) -> bool:
    return bool(session_id) and bool(re.fullmatch(r"[A-Za-z0-9_-]{8,100}", session_id or ""))
