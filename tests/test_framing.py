"""Conversational framing taken off a chat message (ingest/lang/framing.py): generated
courtesies, asking-to-ask and hesitations before questions of every kind, typed with and
without diacritics; the question itself never loses a word."""
import itertools

import pytest

from ingest.lang.framing import strip_framing
from ingest.lang.normalize import fold_accents

FRAMES = ["ok cảm ơn.", "Cảm ơn bạn nhé!", "Vâng,", "Dạ,", "Ừ,", "cho mình hỏi", "Cho em hỏi thêm:",
          "Xin hỏi,", "tiện hỏi luôn,", "Nhân tiện hỏi thêm,", "Hỏi chuyện khác chút:", "mà khoan,",
          "Bạn ơi,", "ad ơi", "ok cảm ơn. Cho mình hỏi"]
QUESTIONS = ["Kế hoạch 159/KH-UBND do ai ký?", "Còn Tây Ninh thì sao?", "đơn vị nào chủ trì tuyên truyền?",
             "Thông tư 15/2026/TT-BCT có hiệu lực từ bao giờ?"]


@pytest.mark.parametrize("frame,question", list(itertools.product(FRAMES, QUESTIONS)))
def test_the_framing_goes_and_the_question_stays(frame, question):
    assert strip_framing(f"{frame} {question}") == question
    assert strip_framing(fold_accents(f"{frame} {question}")) == fold_accents(question)


@pytest.mark.parametrize("message", [
    "Cho biết đơn vị nào chủ trì?",  # "cho biết" asks; it frames nothing
    "Đã có kế hoạch chưa?",  # folded "da" is "đã" here: no punctuation, no interjection
    "Ai phối hợp, vâng, với Sở Nội vụ?",  # only the front of a message is framing
    "Cảm ơn bạn!",  # nothing would be left: the message stays as it is
    "Cho mình hỏi",
])
def test_what_is_not_framing_stays(message):
    assert strip_framing(message) == message


@pytest.mark.parametrize("message, parts", [
    ("Kế hoạch này ai ký vậy, ký hôm nào?", ["Kế hoạch này ai ký vậy?", "ký hôm nào?"]),
    ("Nộp báo cáo cho cơ quan nào, bao lâu một lần?", ["Nộp báo cáo cho cơ quan nào?", "bao lâu một lần?"]),
    ("Khi nào thì nộp báo cáo, nộp cho ai và theo mẫu nào?", ["Khi nào thì nộp báo cáo?", "nộp cho ai?", "theo mẫu nào?"]),
    ("Đơn vị nào chủ trì và đơn vị nào phối hợp?", ["Đơn vị nào chủ trì?", "đơn vị nào phối hợp?"]),
    # One question: a list of units, a list of channels, a range, a too-short fragment.
    ("Sở Nội vụ, Sở Ngoại vụ làm gì?", None),
    ("Ai chủ trì việc tuyên truyền trên báo chí, truyền hình và mạng xã hội?", None),
    ("Cụm công nghiệp được rộng tối đa và tối thiểu bao nhiêu ha?", None),
    # "ai" before a verb asks who does it: a whole question in two words ("Sở nào" is not).
    ("ai ký, ký hôm nào?", ["ai ký?", "ký hôm nào?"]),
    ("qd nay hieu luc tu khi nao, ai ky?", ["qd nay hieu luc tu khi nao?", "ai ky?"]),
    ("Sở nào, ngày nào?", None),
    ("Máy tính và đầu đọc, loại nào được cấp?", None),
])
def test_a_message_is_split_where_each_side_asks_something(message, parts):
    from bot.answer.compound import split_questions

    assert split_questions(message) == (parts or [message])


@pytest.mark.parametrize("message", [
    "Công văn 2265 trích dẫn khoản nào, điều nào của Thông tư số 15/2026/TT-BCT?",
    "Ở địa phương, ai có nhiệm vụ chỉ đạo, kiểm tra và hướng dẫn các cơ sở chưa đạt yêu cầu?",
])
def test_coordinated_question_words_and_a_mid_sentence_chua_ask_one_thing(message):
    from bot.answer.compound import split_questions

    assert split_questions(message) == [message]
