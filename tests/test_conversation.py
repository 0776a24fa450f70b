"""Follow-up rewriting and session bounds (bot/answer/conversation.py)."""
import time

import pytest

from bot.answer.conversation import SessionStore, Turn, rewrite

PREV = Turn(question="Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Quảng Ninh?", doc_id="qn-doc")


@pytest.mark.parametrize("follow,expected", [
    ("còn Tây Ninh thì sao?", "Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Tây Ninh?"),
    ("con tay ninh thi sao", "Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Tây Ninh?"),
])
def test_place_follow_up_swaps_the_place(follow, expected):
    out = rewrite(follow, PREV)
    assert out.rewritten and out.question == expected


@pytest.mark.parametrize("follow,starts", [
    ("đơn vị nào phối hợp?", "đơn vị nào phối hợp"),
    ("thời hạn là khi nào?", "thời hạn là khi nào"),
])
def test_role_follow_up_takes_the_previous_topic_and_document(follow, starts):
    out = rewrite(follow, PREV)
    assert out.rewritten and out.question.startswith(starts)
    assert "tuyên truyền trên mạng xã hội" in out.question and "Quảng Ninh" in out.question
    assert out.prefer_doc == "qn-doc"


@pytest.mark.parametrize("q", [
    "Kế hoạch 2502/KH-UBND của Tây Ninh ban hành ngày nào?",
    "Bộ Nội vụ giao đơn vị nào làm đầu mối theo dõi kế hoạch ASEAN?",
])
def test_standalone_questions_are_not_rewritten(q):
    out = rewrite(q, PREV)
    assert not out.rewritten and out.question == q


def test_follow_up_to_another_province_drops_the_previous_number():
    out = rewrite("còn Tây Ninh thì sao?", Turn("Kế hoạch 159/KH-UBND của Quảng Ninh ban hành ngày nào?"))
    assert out.question == "Kế hoạch của Tây Ninh ban hành ngày nào?"


def test_no_previous_turn_no_rewrite():
    assert not rewrite("còn Tây Ninh thì sao?", None).rewritten


def test_sessions_are_bounded_expire_and_do_not_leak():
    store = SessionStore(ttl_seconds=0.2, max_sessions=3, max_turns=2)
    a = store.get(None)
    store.add_turn(a, Turn("q1"))
    store.add_turn(a, Turn("q2"))
    store.add_turn(a, Turn("q3"))
    assert [t.question for t in store.get(a.id).turns] == ["q2", "q3"]  # bounded in size
    others = [store.get(None) for _ in range(3)]
    assert len(store) == 3 and a.id not in {s.id for s in others}  # bounded in number (oldest evicted)
    assert store.get(a.id).turns == []  # an evicted id starts empty: nothing leaks back
    fresh = store.get(None)
    store.add_turn(fresh, Turn("mine"))
    assert store.get("someone-elses-guess-123").turns == []  # unknown ids start empty
    time.sleep(0.3)
    assert store.get(fresh.id).turns == []  # expired


def test_session_ids_are_random_and_well_formed():
    store = SessionStore()
    ids = {store.get(None).id for _ in range(50)}
    assert len(ids) == 50 and all(len(i) >= 16 for i in ids)
    assert store.get("<script>").id != "<script>"
