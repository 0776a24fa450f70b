"""Parallel clauses told apart by the word the question asks about.

Laws and plans state parallel cases in parallel words: "1. Thành lập cụm công nghiệp phải đáp ứng
các điều kiện sau:" and "2. Mở rộng cụm công nghiệp phải đáp ứng các điều kiện sau:". The verifier
judges each candidate on its own, and the first case, ranked higher by retrieval, wins even when the
question asks about the second ("Muốn mở rộng cụm công nghiệp thì phải đáp ứng điều kiện gì?").
Where two candidates of one document share most of their frame (the sentence, or a list item's
lead-in) and only the second holds a word of the question that the first lacks, the second is the
answer; the decision to answer at all stays the verifier's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.evidence import terms
from bot.answer.passages import Candidate

if TYPE_CHECKING:  # pragma: no cover
    from bot.answer.query import Query
    from bot.answer.verifier import Scored

MIN_SHARED = 0.5  # Jaccard overlap of two frames' syllables for them to be parallel wordings
LOOK_AT = 8  # candidates below the best that may contrast with it


def frame(cand: Candidate) -> str:
    """What a candidate says its case is: a list item's lead-in, or the sentence itself."""
    return cand.hit.text[cand.lead[0]:cand.lead[1]] if cand.lead else cand.text


def _syllables(text: str) -> set[str]:
    return {t for t in terms(text) if "_" not in t}


def contrast(q: "Query", scored: list["Scored"]) -> list["Scored"]:
    """``scored`` (most likely first) with the parallel clause the question names moved first."""
    if len(scored) < 2:
        return scored
    frames = [frame(s.cand) for s in scored]
    best = scored[0]
    asked = {t for t in q.focus_weights if "_" not in t}
    mine = _syllables(frames[0])
    for other, lead in zip(scored[1:1 + LOOK_AT], frames[1:1 + LOOK_AT]):
        if other.cand.hit.doc_id != best.cand.hit.doc_id:
            continue
        theirs = _syllables(lead)
        if not mine or not theirs or theirs == mine:
            continue
        if len(mine & theirs) / len(mine | theirs) < MIN_SHARED:
            continue
        if (theirs - mine) & asked and not (mine - theirs) & asked:
            # the other case is the one asked about: it answers with the best's confidence, the
            # lead-in itself first (its list is the answer, as the best's list would have been)
            moved = sorted((s for s, f in zip(scored, frames) if f == lead), key=lambda s: s.cand.lead is not None)
            for s in moved:
                s.p = max(s.p, best.p)
            return moved + [s for s, f in zip(scored, frames) if f != lead]
    return scored
