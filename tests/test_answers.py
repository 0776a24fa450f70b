"""Where answers come from: a document's fixed places (signature, letterhead, dateline, its
"có hiệu lực" clause), list items with their lead-in, recipients, and units in the plan's own
spelling. Real corpus, real model, real store; pure functions tested on their own."""
from __future__ import annotations

import pytest

from bot.answer.chat import answer_payload
from bot.answer.passages import lead_in
from bot.answer.intent import classify
from bot.answer.parts import asked_part
from ingest.lang.abbreviations import equivalent_form, expand_abbreviations
from ingest.lang.terms import analyze
from ingest.metadata import find_signer


def ask(services, question: str) -> dict:
    return answer_payload(services.chat.ask(question, None, use_llm=False))


def quoted_exactly(services, citation: dict) -> bool:
    doc = services.ledger.document(citation["doc_id"])
    return doc["text"][citation["char_start"]:citation["char_end"]] == citation["quote"]


# --- pure pieces ------------------------------------------------------------------------------

def test_signer_found_past_annexes_and_in_signed_copies() -> None:
    body = ["Điều 5. Hiệu lực thi hành", "Thông tư này có hiệu lực từ ngày 10/4/2026.",
            "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Phan Thị Thắng"]
    annex = ["PHỤ LỤC 1", *[f"Mẫu số {i:02d} … nội dung biểu mẫu" for i in range(60)],
             "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(ký tên và đóng dấu)"]
    assert find_signer(body + annex) == "Phan Thị Thắng"
    assert find_signer(["Làm tại Hà Nội ngày 22 tháng 11 năm 1994", "Đã ký: Bùi Văn Sướng", "Đã ký: Hoàng Trấn Nam"]) \
        == "Bùi Văn Sướng"
    # A capitalised phrase under a title is not a person.
    assert find_signer(["BỘ TRƯỞNG BỘ XÂY DỰNG", "Căn cứ Luật Phòng cháy và chữa cháy"]) is None
    # A scan that lost its title block: the name alone on a last line, after the recipients.
    letter = ["Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh hướng dẫn thực hiện./.", "Nơi nhận:", "- Như trên;",
              "- Lưu: VT, ATMT.", "Trương Thanh Hoài"]
    assert find_signer(letter) == "Trương Thanh Hoài"
    # A name inside a sentence of the closing lines is not a signature.
    assert find_signer(["Nơi nhận:", "- Như trên;", "Liên hệ: ông Nguyễn Văn An, điện thoại 0243."]) is None


def test_list_item_lead_in_skips_siblings_and_continuations() -> None:
    text = ("2. Phạm tội thuộc một trong các trường hợp sau đây, thì bị phạt tù từ 07 năm đến 15 năm:\n"
            "a) Lợi dụng chức vụ, quyền hạn;\n"
            "b) Phạm tội 02 lần trở lên;\n"
            "đ) Tái phạm nguy hiểm.")
    start, end = lead_in(text, text.index("đ)"))
    assert text[start:end].endswith("từ 07 năm đến 15 năm:")
    # Only the sentence ending with the colon, not the paragraph before it.
    text = "3. Xe phải gắn ký hiệu. Ký hiệu của mỗi Bên như sau:\nđ) Cộng hòa Philippines: RP;"
    start, end = lead_in(text, text.index("đ)"))
    assert text[start:end] == "Ký hiệu của mỗi Bên như sau:"
    assert lead_in("1. Câu thường.\n2. Câu khác.", 16) is None  # not a list item


@pytest.mark.parametrize("question, recipient", [
    ("Báo cáo được gửi cho những cơ quan nào?", True),
    ("Tây Ninh thông báo theo chỉ đạo của cơ quan nào?", True),
    ("bo noi vu cung cap thong tin su kien accsm cho ai", True),
    ("Công văn được gửi để phối hợp tới cục nào của ngành công an?", True),
    ("Đơn vị nào kiểm tra việc tuyên truyền ASEAN của các đơn vị?", False),
    ("Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở?", False),
])
def test_recipient_questions_are_told_from_owner_questions(question, recipient) -> None:
    intent = classify(question)
    assert intent.kind == "unit" and intent.recipient is recipient


def test_question_shapes() -> None:
    assert classify("Kế hoạch do Chủ tịch hay Phó Chủ tịch UBND huyện ký?").kind == "signer"
    assert asked_part("Ai ký Thông tư 15/2026/TT-BCT?") == "signature"
    assert asked_part("Thông tư 14/2024/TT-BCT có hiệu lực từ ngày nào?") == "effective"
    assert asked_part("Hiệp định này có hiệu lực bao lâu?") == "effective"  # how long: the same clause
    # "kỹ thuật", "kỳ báo cáo" fold to "ky" as "ký" does: a question with its marks is read in them
    from bot.answer.intent import mentions_signing
    assert mentions_signing("Quyết định này ký ngày nào?") and mentions_signing("quyet dinh nay ky ngay nao?")
    assert not mentions_signing("Hoàn thành các giải pháp kỹ thuật chậm nhất khi nào?")
    assert not mentions_signing("Kỳ báo cáo 6 tháng kết thúc khi nào?")
    # a notice period before the end is no question of how long the document has effect
    assert asked_part("Muốn chấm dứt thì phải gửi văn bản trước khi hết hiệu lực bao lâu?") is None
    assert asked_part("Đơn vị nào chủ trì?") is None
    # Folded "so", "dai", "ban" are also số, đãi, bản: the question's own letters decide.
    assert classify("Thì áp dụng mức ưu đãi nào?").kind != "unit"
    assert classify("Sở nào chủ trì?").kind == "unit" and classify("so nao chu tri").kind == "unit"
    assert classify("Ai đã thay mặt Bộ trưởng ký văn bản 1074?").kind == "signer"
    assert classify("Chưa có bến xe thì ai ký xác nhận danh sách hành khách?").kind != "signer"
    # "các cụm hiện có phải được lấp kín" says "must"; "Có phải …" opens a yes/no question.
    assert classify("Các cụm hiện có phải được lấp kín tới mức nào?").kind != "yesno"
    assert classify("Có phải Sở Công Thương chủ trì?").kind == "yesno"


def test_count_noun_is_not_read_from_a_word_that_folds_like_may() -> None:
    from bot.answer.answer_types import count_noun

    assert count_noun("Sửa chữa máy móc được bố trí với tổng diện tích tối đa là bao nhiêu?") is None
    assert count_noun("Kế hoạch có mấy nhiệm vụ?") == "nhiem vu"


def test_numbers_and_equivalent_phrases_match_across_spellings() -> None:
    assert analyze("trước ngày 05 tháng 07") == analyze("trước ngày 5 tháng 7")
    assert analyze("năm 2020 và 100 ha") == [["năm", "2020", "và", "100", "ha"]]
    assert equivalent_form("diện tích không vượt quá 75 ha") == "diện tích tối đa 75 ha"
    assert equivalent_form("tối thiểu phải có 05 người") == "ít nhất phải có 05 người"
    assert equivalent_form("không liên quan") is None
    assert expand_abbreviations("Sở CT gửi báo cáo") == "Sở Công Thương gửi báo cáo"
    assert expand_abbreviations("Cục Cảnh sát giao thông (để p/h)") == "Cục Cảnh sát giao thông (để phối hợp)"
    # "CT" alone is not a department.
    assert expand_abbreviations("Theo CT 07") is None


VERIFIER_REFUSES = pytest.mark.xfail(reason="issue 14: the trained verifier (bot/answer/verifier_model.json, threshold chosen on the held-out dev split for precision 0.80) refuses this question; see eval/answers.py for the trade-off curve", strict=False)


# --- the real corpus --------------------------------------------------------------------------

def test_signer_is_read_from_the_signature_with_its_titles(services) -> None:
    out = ask(services, "Ai ký Thông tư 15/2026/TT-BCT?")
    assert out["grounded"] and "Phan Thị Thắng" in out["answer"] and "THỨ TRƯỞNG" in out["answer"]
    assert "Phan Thị Thắng" in out["citations"][0]["quote"] and quoted_exactly(services, out["citations"][0])
    out = ask(services, "Kế hoạch ASEAN của Đông Sơn do Chủ tịch hay Phó Chủ tịch UBND huyện ký?")
    assert "PHÓ CHỦ TỊCH" in out["answer"] and "Nguyễn Hồng Quang" in out["answer"]
    # Asked of a treaty, the thông tư implementing it does not answer for it.
    out = ask(services, "Ai ký hiệp định vận tải đường bộ Việt Nam - Lào?")
    assert "Lê Đình Thọ" not in out["answer"]


def test_search_puts_the_asked_part_second(services) -> None:
    hits = services.retriever.search("Ai ký Thông tư 15/2026/TT-BCT sửa đổi Thông tư 38/2025?", k=5)
    assert hits[1].payload["kind"] == "signature" and "Phan Thị Thắng" in hits[1].text
    hits = services.retriever.search("Thông tư 14/2024/TT-BCT có hiệu lực từ ngày nào?", k=5)
    assert any("có hiệu lực" in h.text for h in hits[:2])


@VERIFIER_REFUSES
def test_dates_come_from_where_documents_state_them(services) -> None:
    out = ask(services, "Bài viết giới thiệu Kế hoạch 2502 của Tây Ninh được đăng ngày nào?")
    assert out["grounded"] and "29/11/2019" in out["answer"] and quoted_exactly(services, out["citations"][0])
    out = ask(services, "Tin về kế hoạch tuyên truyền ASEAN của Bộ Nội vụ được đăng vào ngày nào?")
    assert "20/10/2021" in out["answer"]  # the TXT page's dateline, its view counter dropped
    out = ask(services, "Quyết định 1117/QĐ-BNV được ký vào ngày nào?")
    assert "19/10" in out["answer"]  # a news page: the sentence that says when it was signed
    out = ask(services, "Hiệp định vận tải đường bộ Việt Nam - Trung Quốc ký ngày nào?")
    assert "22 tháng 11 năm 1994" in out["answer"]  # a treaty's "Làm tại Hà Nội ngày …"
    # The Đông Sơn plan states no date of issue: no other date of it stands in for one.
    out = ask(services, "Kế hoạch tuyên truyền ASEAN của huyện Đông Sơn ký ngày nào?")
    assert not out["grounded"]


def test_when_answered_by_an_event(services) -> None:
    out = ask(services, "Theo CT 07/CT-TTg, việc bổ sung quy hoạch, thành lập mới KKT, KCN bị tạm dừng đến khi nào?")
    assert out["grounded"] and "cho đến khi có chỉ đạo của Thủ tướng Chính phủ" in out["answer"]


def test_recipient_answered_by_the_sentence_naming_it(services) -> None:
    out = ask(services, "Tây Ninh thông báo cho báo chí các trọng tâm thông tin về ASEAN theo chỉ đạo của cơ quan nào?")
    assert "Ban Tuyên giáo Trung ương" in out["answer"]


def test_task_answer_names_the_unit_as_the_plan_writes_it(services) -> None:
    out = ask(services, "Ở Đông Sơn, ai phải thu và phát lại chương trình của Đài truyền thanh huyện về ASEAN?")
    assert out["answer"].startswith("Đơn vị chủ trì: UBND các xã thị trấn [1].")
    # [1] quotes the heading that names the unit; the task's own words are cited too.
    assert "UBND các xã thị trấn" in out["citations"][0]["quote"]
    assert all(quoted_exactly(services, c) for c in out["citations"])
    out = ask(services, "Ở Đông Sơn, đơn vị nào phối hợp thu thập thông tin, viết tin bài và làm chuyên mục ASEAN?")
    assert "Đơn vị phối hợp:" in out["answer"] and "Trung tâm Văn hoá, Thông tin, Thể thao và Du lịch huyện" in out["answer"]


@VERIFIER_REFUSES
def test_quantifiers_asked_one_way_answered_the_other(services) -> None:
    out = ask(services, "Hội đồng thẩm định tài liệu quản lý an toàn công trình dầu khí do UBND tỉnh lập phải có ít nhất bao nhiêu người?")
    assert out["grounded"] and "05 người" in out["answer"]


def test_phrase_run_counts_the_longest_repeated_run() -> None:
    from bot.answer.answer_types import folded_tokens, phrase_run

    q = folded_tokens("bị phạt tiền từ bao nhiêu đến bao nhiêu")
    assert phrase_run(q, "Người phạm tội còn có thể bị phạt tiền từ 5.000.000 đồng") == 4 / 8
    assert phrase_run(q, "không liên quan") == 0.0


def test_asean_by_its_vietnamese_name() -> None:
    assert equivalent_form("giới thiệu tỉnh tới bạn bè Đông Nam Á") == "giới thiệu tỉnh tới bạn bè ASEAN"
    assert equivalent_form("sinh hoat chuyen de ve khoi dong nam a") == "sinh hoat chuyen de ve ASEAN"


def test_more_ways_of_asking() -> None:
    from bot.answer.answer_types import has_answer_type

    # At least / at most, units, "when it applies".
    assert equivalent_form("có quy mô không dưới 10 ha") == "có quy mô ít nhất 10 ha"
    assert equivalent_form("rộng bao nhiêu héc-ta") == "rộng bao nhiêu ha"
    assert equivalent_form("bắt đầu được áp dụng từ ngày nào") == "có hiệu lực từ ngày nào"
    assert asked_part("Thông tư 14/2024/TT-BCT bắt đầu được áp dụng từ ngày nào?") == "effective"
    # "báo cáo bộ nào" asks a recipient; "mấy bộ" asks a count ("máy" is not "mấy").
    assert classify("Ủy ban nhân dân các tỉnh phải báo cáo bộ nào?").recipient
    assert classify("Tổ chức phải nộp mấy bộ tài liệu?").kind == "count"
    # People are counted as "người" whatever the question calls them.
    q = "Hội đồng phải có ít nhất mấy thành viên?"
    assert has_answer_type(classify(q), q, "Hội đồng thẩm định tối thiểu phải có 05 người.")
    assert not has_answer_type(classify(q), q, "Hội đồng thẩm định trong thời hạn 20 ngày làm việc.")


def test_a_unit_named_in_a_question_ends_before_the_question_goes_on(services) -> None:
    doc = next(r["doc_id"] for r in services.ledger.records() if r["source"].startswith("legal/TT-14-2024"))
    assert services.answerer.missing_units("Sở Công Thương nộp báo cáo cho Bộ Công Thương bằng cách nào?", doc) == []
    assert services.answerer.missing_units("Bộ Nội vụ giao ai báo cáo?", doc) == ["Bộ Nội vụ"]


def test_a_letters_addressee_is_its_kinh_gui_line(services) -> None:
    out = ask(services, "Công văn của Bộ Công Thương về cấp Giấy phép vận chuyển hàng hóa nguy hiểm được kính gửi tới cơ quan nào?")
    assert out["grounded"] and out["answer"].startswith("Kính gửi: Ủy ban nhân dân các tỉnh, thành phố")
    assert "Kính gửi" in out["citations"][0]["quote"] and quoted_exactly(services, out["citations"][0])


def test_counts_spelled_out_and_units_asked_by_other_names() -> None:
    from bot.answer.answer_types import has_answer_type

    q = "Tổ chức phải nộp mấy bộ tài liệu?"
    assert has_answer_type(classify(q), q, "Hồ sơ gồm 03 (ba) bộ tài liệu quản lý an toàn.")
    q = "Cụm công nghiệp rộng tối đa bao nhiêu héc-ta?"
    assert has_answer_type(classify(q), q, "có quy mô diện tích không vượt quá 75 ha")


def test_proper_names_in_questions() -> None:
    from bot.answer.answer_types import proper_names

    assert proper_names("Cặp cửa khẩu Hữu Nghị - Hữu Nghị Quan có trong danh sách của Việt - Trung không?") == [
        "Hữu Nghị", "Hữu Nghị Quan"]
    assert proper_names("Kế hoạch tuyên truyền của tỉnh Cà Mau giao ai chủ trì?") == ["Cà Mau"]
    assert proper_names("Sở TT&TT QN báo cáo UBND tỉnh khi nào?") == []  # acronyms are not names
    # A law cited by name is the question's source, not a name the passage must write.
    assert proper_names("Theo Bộ Luật Dân sự, ai phải bồi thường?") == []
    assert proper_names("Theo Luật An ninh mạng, tỉnh Cà Mau phải làm gì?") == ["Cà Mau"]


@VERIFIER_REFUSES
def test_a_name_the_documents_never_write_is_not_answered(services) -> None:
    out = ask(services, "Cặp cửa khẩu Hữu Nghị - Hữu Nghị Quan có trong danh sách cửa khẩu của Thông tư 37 không?")
    assert not out["grounded"]
    # A name the documents write another way still counts: "Đông Nam Á" is ASEAN.
    out = ask(services, "Ở Quảng Ninh, thầy cô và học trò sẽ được sinh hoạt chuyên đề về khối Đông Nam Á thông qua đâu?")
    assert out["grounded"]



@VERIFIER_REFUSES
def test_whether_to_answer_is_judged_on_the_whole_article(services) -> None:
    # The question names the article's subject (xe của cá nhân, Việt - Lào) and one clause's
    # detail; the chunks of the article hold them apart.
    out = ask(services, "Ô tô riêng của người dân chạy qua biên giới Việt - Lào để đi việc cá nhân gồm những loại xe nào?")
    assert out["grounded"] and "xe chở người dưới 09 chỗ và xe pick-up" in out["answer"]


@VERIFIER_REFUSES
def test_two_dated_clauses_that_match_alike_are_both_shown(services) -> None:
    out = ask(services, "Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ mà Quyết định 1074 lấy làm căn cứ được thông qua vào ngày nào?")
    assert "ngày 29 tháng 11 năm 2024" in out["answer"]
    numbers = [int(n) for n in __import__("re").findall(r"\[(\d+)\]", out["answer"])]
    assert numbers == sorted(numbers)  # citations numbered in reading order


def test_sentences_that_follow_one_another_are_quoted_as_one_span(services) -> None:
    from bot.answer.citations import CitationList
    from index.hybrid import SearchHit

    payload = {"chunk_id": "c", "doc_id": "d", "source": "s.txt", "char_start": 0, "title": "T",
               "text": "1. Người nào làm X. Thì bị phạt tù từ 01 năm đến 05 năm. Câu khác ở xa."}
    hit = SearchHit.from_payload(payload, 1.0)
    text = payload["text"]
    a = (hit, 0, text.index(" Thì"), None)
    b = (hit, text.index("Thì"), text.index(" Câu"), None)
    cites = CitationList()
    out = services.answerer._render([b, a], cites)
    assert out == "1. Người nào làm X. Thì bị phạt tù từ 01 năm đến 05 năm. [1]"
    assert len(cites.items) == 1 and cites.items[0].quote == text[: text.index(" Câu")]


def test_a_units_duties_in_a_named_document_come_from_its_assignments(services) -> None:
    # No one sentence holds a unit's several duties (the verifier refuses each); the task table
    # of the document the question names does, with the plan's own words cited.
    out = ask(services, "Theo Chỉ thị 07/CT-TTg, Bộ Xây dựng phải làm gì?")
    assert out["grounded"] and out["answer"].startswith("Nhiệm vụ của Bộ Xây dựng")
    assert out["citations"] and all("CT-07-2012-TTg" in c["source"] for c in out["citations"])
    assert all(quoted_exactly(services, c) for c in out["citations"])
    # The issuer's code in the số hiệu ("CT-TTg") is not a unit asked about.
    assert "Thủ tướng" not in out["answer"].split("\n")[0]
    # A unit the named document never names: said once, by its full name.
    out = ask(services, "Nghị định 32/2024/NĐ-CP giao Bộ Quốc phòng làm gì?")
    assert not out["grounded"] and "không nhắc đến Bộ Quốc phòng." in out["answer"]


def test_a_documents_own_number_is_its_letterheads_and_never_one_it_cites(services) -> None:
    out = ask(services, "Kế hoạch tuyên truyền ASEAN của Quảng Ninh có số hiệu là gì?")
    assert out["grounded"] and out["answer"].startswith("Số hiệu: 159/KH-UBND [1]")
    assert all(quoted_exactly(services, c) for c in out["citations"])
    # The Đông Sơn plan carries no số hiệu; the one it cites ("Thực hiện Kế hoạch số 217 …") is not its own.
    out = ask(services, "Kế hoạch tuyên truyền ASEAN của huyện Đông Sơn có số hiệu bao nhiêu?")
    assert not out["grounded"] and "217" not in out["answer"]


def test_whom_a_letter_answers_or_goes_to_is_its_kinh_gui_line(services) -> None:
    out = ask(services, "Công văn 1178/ĐCK-CTT là văn bản trả lời cho địa phương nào?")
    assert out["grounded"] and out["answer"].startswith("Kính gửi: Sở Công Thương tỉnh Lào Cai [1]")
    # A letter asked about a subject it does not treat is not that letter.
    out = ask(services, "Công văn 1178 về hàng không gửi cho tỉnh nào?")
    assert not out["grounded"]


def test_a_document_asked_by_its_type_is_answered_with_a_number_of_that_type(services) -> None:
    # "thực hiện quyết định nào?": a QĐ number, never the plan's own KH number.
    out = ask(services, "Kế hoạch tuyên truyền ASEAN của Quảng Ninh thực hiện quyết định nào?")
    assert out["grounded"] and "1160/QĐ-TTg" in out["answer"].split("\n")[0]
    assert "159/KH-UBND" not in out["answer"].split("\n")[0]


def test_a_year_asked_is_the_one_after_the_asked_words_not_the_first_date(services) -> None:
    # "… giai đoạn 2021 - 2025, tầm nhìn 2030": the sentence opens with another date (13/7/2021)
    out = ask(services, "Kế hoạch ASEAN của Đắk Lắk hướng tới tầm nhìn đến năm nào?")
    assert out["grounded"] and out["answer"].startswith("Năm 2030")


def test_units_asked_after_a_preposition_are_those_the_sentence_writes_after_it(services) -> None:
    # "… phối hợp giữa những cơ quan nào?": not the body that asks for it (the sentence's subject)
    out = ask(services, "Ban chỉ đạo thông tin tuyên truyền ASEAN của Đắk Lắk yêu cầu tăng cường phối hợp giữa những cơ quan nào?")
    assert out["grounded"] and out["answer"].startswith("Các sở, ban ngành, các cơ quan đại diện Việt Nam tại nước ngoài")
