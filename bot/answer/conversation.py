"""A thread's state and the sessions that hold it.

After each turn the thread is summed up in a :class:`Turn`: the standalone question answered,
the documents and passages in focus (the answer's citations), the task attributes asked, the
units the answer named, the items of its list, its topic and how it was understood. The next
message is read against it (``bot/answer/followup.py``), not glued to the previous string.

The state is built only from the questions and the answers they got, so a thread whose history
lives in its messages (the OpenAI-compatible API) rebuilds it by replaying its questions
(``ChatService.ask_thread``). Sessions are bounded in number, in turns and in age, and an id the
store does not know starts an empty one.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.answer.catalog import tokens


@dataclass
class Item:
    """One item of an answer's list, where the document writes it."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class Turn:
    question: str  # the standalone question that was answered
    doc_id: str | None = None  # the document in focus (the answer's first citation)
    section: str | None = None  # its section
    answer: str = ""
    docs: list[str] = field(default_factory=list)  # every document in focus, first first
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # passages in focus: (doc_id, start, end)
    asked: list[str] = field(default_factory=list)  # task attributes asked (lead, partner, deadline, report_to …)
    units: list[str] = field(default_factory=list)  # units the answer named, the asked one first
    items: list[Item] = field(default_factory=list)  # the answer's list, in order
    topic: str = ""  # what the thread is about, without its question words and document names
    understood: str | None = None  # "Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3"
    kind: str = "first"  # how the message was read (first, fresh, switch_doc, same_doc, other_role, list_item)
    grounded: bool = True
    card_field: str | None = None  # the field of the document's own card asked ("Người ký"), if one was


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


def item_named(message: str, own: set[str], state: "Turn") -> "Item | None":
    """The one item of the thread's last list that holds the longest run (two words or more) of
    ``own`` (the message's own words) — a run the thread's question did not hold (then it is the
    thread's topic, not one of its items) — and most of its other words; None when no item, or
    more than one, holds it ("cái email công vụ là gửi cho những ai?")."""
    if len(state.items) < 2:
        return None
    words = [t.folded for t in tokens(message)]
    runs = []
    for i in range(len(words)):
        j = i
        while j < len(words) and words[j] in own:
            j += 1
        if j - i >= 2:
            runs.append(" ".join(words[i:j]))
    asked_before = " ".join(t.folded for t in tokens(state.question))
    items = [" ".join(t.folded for t in tokens(item.text)) for item in state.items]
    for run in sorted(runs, key=len, reverse=True):
        # the longest sub-run an item holds, down to two words
        parts = run.split()
        for n in range(len(parts), 1, -1):
            for k in range(len(parts) - n + 1):
                phrase = " ".join(parts[k:k + n])
                if f" {phrase} " in f" {asked_before} ":
                    continue
                holding = [i for i, text in enumerate(items) if f" {phrase} " in f" {text} "]
                if len(holding) == 1:
                    # and the item holds most of what the message names: "còn thành lập mới thì tỷ lệ
                    # lấp đầy …" names a case that item is not about
                    item_words = set(items[holding[0]].split())
                    held = sum(1 for w in own if w in item_words) / len(own)
                    return state.items[holding[0]] if held >= 0.75 else None
                if holding:
                    return None
    return None
