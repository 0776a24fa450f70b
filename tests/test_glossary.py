"""Terms a document defines in passing, read as it writes them (bot/answer/glossary.py)."""
from __future__ import annotations

import pytest

from bot.answer.glossary import gloss_in


@pytest.mark.parametrize("text, term, head, phrase", [
    # a gloss after the phrase, from the class noun the question names …
    ("Chủ động triển khai các nội dung hoạt động trong cơ chế hợp tác ASEAN do Bộ Nội vụ phụ trách về các vấn đề "
     "công vụ (sau đây gọi là ACCSM), tạo dấu ấn.", "ACCSM", "cơ chế",
     "cơ chế hợp tác ASEAN do Bộ Nội vụ phụ trách về các vấn đề công vụ"),
    # … or from the clause's last boundary when it names none
    ("Thực hiện Chương trình hành động về tuyên truyền, quảng bá ASEAN (sau đây gọi tắt là Chương trình), đảm bảo.",
     "Chương trình", None, "Chương trình hành động về tuyên truyền, quảng bá ASEAN"),
    # a full name before its abbreviation in parentheses
    ("Việt Nam tham gia Hiệp định Đối tác Kinh tế Toàn diện Khu vực (RCEP) từ năm 2022.", "RCEP", None,
     "Hiệp định Đối tác Kinh tế Toàn diện Khu vực"),
    ("Bên mua điện và Tập đoàn Điện lực Việt Nam (sau đây gọi là “EVN”) ký hợp đồng.", "EVN", None,
     "Tập đoàn Điện lực Việt Nam"),
    # a name in sentence case, from the list boundary before it
    ("các sáng kiến gồm Quỹ ASEAN ứng phó COVID19; Khung phục hồi tổng thể ASEAN (ACRF), Trung tâm ASEAN.", "ACRF",
     None, "Khung phục hồi tổng thể ASEAN"),
])
def test_a_term_is_given_the_words_the_document_gives_it(text, term, head, phrase):
    start, end, found = gloss_in(text, term, head)
    assert found == phrase and text[start:end].startswith(phrase) and term in text[start:end]


def test_a_term_the_text_only_mentions_has_no_gloss():
    assert gloss_in("Nâng cao vị thế của Việt Nam trong hợp tác ACCSM.", "ACCSM", None) is None


@pytest.mark.parametrize("question, term", [
    ("ACRF là viết tắt của khung gì trong ASEAN?", "ACRF"),  # the term before "là", not the last one
    ("Trong Kế hoạch này hay nhắc ACCSM, là gì?", "ACCSM"),
    ("ACCSM là gì?", "ACCSM"),
])
def test_the_term_asked_is_the_subject_of_its_copula(question, term):
    from bot.answer.glossary import asked_term
    from bot.answer.query import build_query
    from bot.answer.evidence import TermStats

    assert asked_term(build_query(question, TermStats([]))) == term
