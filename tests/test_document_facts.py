"""A document's facts read from its structure: the period its title names, its top-level
outline. Generated documents; no index needed."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.answer.document_facts import outline_heads, period_span, read_from_structure
from bot.answer.intent import classify
from ingest.lang.normalize import fold_accents


def chunk(ordinal: int, text: str, kind: str = "body", **meta) -> dict:
    return {"ordinal": ordinal, "chunk_id": f"c{ordinal}", "text": text, "kind": kind, **meta}


def query(question: str) -> SimpleNamespace:
    return SimpleNamespace(question=question, folded=fold_accents(question).lower(), intent=classify(question))


@pytest.mark.parametrize("years", ["2019 - 2020", "2021-2025", "2016 – 2020"])
def test_the_period_is_read_from_the_documents_opening_not_its_body(years):
    chunks = [chunk(0, f"Kế hoạch tuyên truyền về du lịch giai đoạn {years} của tỉnh X\nNgày 1/2/2019, UBND ban hành.",
                    "preamble"),
              chunk(1, "1. Nhiệm vụ\n- Thông tin theo từng giai đoạn 2030 - 2035 của ngành.")]
    payload, start, end = period_span(chunks)
    assert payload is chunks[0] and years in payload["text"][start:end]
    # A period only the body names is some task's: no answer.
    assert period_span(chunks[1:]) is None


def test_the_outline_is_every_top_heading_in_order_even_one_sharing_a_chunk():
    chunks = [chunk(0, "Mở đầu bài viết về kế hoạch.", "preamble"),
              chunk(1, "1. Về chỉ đạo\n- Ý a.\n- Ý b."),
              chunk(2, "2. Về truyền thông\n- Ý c.\n3. Về đào tạo\n- Ý d."),  # two headings, one chunk
              chunk(3, "4. Về đối ngoại\na) Doanh nghiệp\n1. một danh sách lồng trong đoạn văn")]
    heads = [p["text"][a:b] for p, a, b in outline_heads(chunks)]
    assert heads == ["1. Về chỉ đạo", "2. Về truyền thông", "3. Về đào tạo", "4. Về đối ngoại"]


def test_roman_parts_are_the_outline_when_a_document_has_them():
    chunks = [chunk(0, "I. MỤC ĐÍCH\n1. Nâng cao nhận thức\n2. Bảo đảm"),
              chunk(1, "II. NỘI DUNG\n1. Tuyên truyền\nIII. TỔ CHỨC THỰC HIỆN")]
    heads = [p["text"][a:b] for p, a, b in outline_heads(chunks)]
    assert heads == ["I. MỤC ĐÍCH", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN"]


@pytest.mark.parametrize("question, structural", [
    ("Kế hoạch này áp dụng cho giai đoạn nào?", True),
    ("Kế hoạch của tỉnh gồm những nhóm nhiệm vụ nào?", True),
    ("Văn bản có những nội dung chính nào?", True),
    ("Tỉnh tuyên truyền về ASEAN trong giai đoạn nào?", False),  # names no document
    ("Kế hoạch gồm những hoạt động nào?", False),  # a list inside a task, not the outline
    ("Ai ký kế hoạch này?", True),  # a name under a title, in the signature block
    ("Ai ký?", False),  # names no document
])
def test_questions_answered_from_the_documents_structure(question, structural):
    chunks = [chunk(0, "Kế hoạch tuyên truyền giai đoạn 2019 - 2020", "preamble", number="2502/KH-UBND",
                    title="Tuyên truyền giai đoạn 2019 - 2020")]
    assert read_from_structure(query(question), chunks) is structural
    # A number the document's own name does not hold: the question is about another document.
    if "Kế hoạch" in question:
        assert not read_from_structure(query(question.replace("Kế hoạch", "Kế hoạch 999")), chunks)


def test_a_number_in_the_documents_name_is_its_own():
    chunks = [chunk(0, "…", "preamble", number="2502/KH-UBND", title="Tuyên truyền giai đoạn 2019 - 2020")]
    assert read_from_structure(query("Kế hoạch 2502/KH-UBND áp dụng cho giai đoạn nào?"), chunks)
    assert read_from_structure(query("Ai ký kế hoạch 2502?"), chunks)


# --- inline lists run on past a semicolon ---------------------------------------------------------

def test_an_inline_list_runs_past_a_semicolon_to_the_end_of_its_sentence():
    from bot.answer.evidence import sentences
    from bot.answer.passages import Candidate
    from bot.answer.shaping import run_on
    from index.hybrid import SearchHit

    text = ("1. Nội dung\nCác sáng kiến gồm Quỹ A, Kho B và Kho C; Khung phục hồi, Trung tâm y tế. Câu khác sau đó.\n"
            "- Dòng sau; không thuộc danh sách.")
    hit = SearchHit.from_payload({"chunk_id": "c", "doc_id": "d", "source": "s", "text": text}, 1.0)
    first = next(s for s in sentences(text) if s.text.startswith("Các sáng kiến"))
    assert first.text.endswith(";")  # the sentence splitter stops at the semicolon
    cand = Candidate(hit, 0, first.start, first.end, first.text, 0.0, 0.0, 0.0, 0.0)
    whole = run_on(cand)
    assert whole.text == "Các sáng kiến gồm Quỹ A, Kho B và Kho C; Khung phục hồi, Trung tâm y tế."
    # A sentence that ends on its own stays as it is.
    other = next(s for s in sentences(text) if s.text.startswith("Câu khác"))
    assert run_on(Candidate(hit, 0, other.start, other.end, other.text, 0.0, 0.0, 0.0, 0.0)).text == other.text


def test_a_line_wrapped_mid_sentence_is_one_sentence():
    from bot.answer.evidence import sentences
    from bot.answer.passages import Candidate
    from bot.answer.shaping import run_on
    from index.hybrid import SearchHit

    text = ("- Các sáng kiến gồm: Quỹ A, Khung phục hồi tổng thể ASEAN\n(ACRF), Trung tâm y tế khẩn cấp…\n"
            "- Dòng khác\nTiêu đề mới")
    hit = SearchHit.from_payload({"chunk_id": "c", "doc_id": "d", "source": "s", "text": text}, 1.0)
    first = sentences(text)[0]
    cand = Candidate(hit, 0, first.start, first.end, first.text, 0.0, 0.0, 0.0, 0.0)
    assert run_on(cand, semicolons=False).text.endswith("(ACRF), Trung tâm y tế khẩn cấp…")
    # A line that ends without a closing mark before a new line starting in capitals is its own.
    other = next(s for s in sentences(text) if s.text.startswith("- Dòng khác"))
    assert run_on(Candidate(hit, 0, other.start, other.end, other.text, 0.0, 0.0, 0.0, 0.0)).text == "- Dòng khác"


def test_a_sections_heading_lists_its_sub_sections():
    from bot.answer.lists import sub_headings

    chunks = [chunk(0, "II. NỘI DUNG\n1. Tuyên truyền trên cả 3 trụ cột; những đóng góp", section="II.1 Tuyên truyền"),
              chunk(1, "1.1. Trụ cột Chính trị\n- Ý a.", section="II.1.1 Trụ cột Chính trị"),
              chunk(2, "- Ý b tiếp theo.", section="II.1.1 Trụ cột Chính trị"),
              chunk(3, "1.2. Trụ cột Kinh tế\n- Ý c.", section="II.1.2 Trụ cột Kinh tế"),
              chunk(4, "a) Một mục sâu hơn", section="II.1.2.a Mục sâu"),
              chunk(5, "2. Tuyên truyền khác", section="II.2 Tuyên truyền khác")]
    at = chunks[0]["text"].index("1. Tuyên")
    heads = [p["text"][a:b] for p, a, b in sub_headings(chunks, chunks[0], at)]
    assert heads == ["1.1. Trụ cột Chính trị", "1.2. Trụ cột Kinh tế"]
    # Not on the heading line (a sentence inside the section): no sub-section list.
    assert sub_headings(chunks, chunks[0], 0) == []
    assert sub_headings(chunks, chunks[5], 0) == []  # no sub-sections


def test_a_list_written_as_one_paragraphs_sentences():
    from bot.answer.lists import paragraph_items

    text = ("b) Đối với giới trẻ\nPhổ biến tài liệu cho học sinh. Vận động sinh viên dự thi; Xây dựng góc đọc tại thư viện.\n"
            "- Một gạch đầu dòng. Câu thứ hai của nó.")
    start, end, items = paragraph_items(text, 0)  # on the heading: the paragraph under it
    assert items == ["Phổ biến tài liệu cho học sinh", "Vận động sinh viên dự thi", "Xây dựng góc đọc tại thư viện"]
    assert text[start:end].endswith("tại thư viện.")
    # From a sentence inside the paragraph: that sentence and those after it.
    _, _, items = paragraph_items(text, text.index("Vận động"))
    assert items[0] == "Vận động sinh viên dự thi"
    # A bulleted line is an item of the bullets' list, not a list of its own.
    assert paragraph_items(text, text.index("- Một")) is None


def test_a_list_cut_by_the_chunker_goes_on_in_the_next_chunk():
    from bot.answer.lists import continued_items

    chunks = [chunk(1, "1.4. Hình thức\n- Trên báo chí.\n- Trên mạng xã hội.", section="1.4 Hình thức"),
              chunk(2, "- Qua hội nghị, hội thảo.\n- Qua triển lãm.\nĐoạn văn sau danh sách.", section="1.4 Hình thức"),
              chunk(3, "- Mục của phần khác.", section="2 Phần khác")]
    payload, a, b = continued_items(chunks, chunks[0], len(chunks[0]["text"]), 8)
    assert payload is chunks[1] and payload["text"][a:b] == "- Qua hội nghị, hội thảo.\n- Qua triển lãm."
    assert continued_items(chunks, chunks[0], len(chunks[0]["text"]), 1)[2] == len("- Qua hội nghị, hội thảo.")
    assert continued_items(chunks, chunks[0], 10, 8) is None  # the list stopped inside its chunk
    assert continued_items(chunks, chunks[1], len(chunks[1]["text"]), 8) is None  # the next chunk is another section
    # an article's clause whose items run into the next chunk, labelled by that chunk's first item;
    # the next numbered clause ends the list
    law = [chunk(1, "2. Mở rộng cụm công nghiệp phải đáp ứng các điều kiện sau:\na) Diện tích;\nb) Chủ đầu tư;",
                 section="Điều 8.2 Mở rộng"),
           chunk(2, "c) Tỷ lệ lấp đầy;\nd) Hạ tầng.\n3. Điều kiện khác:\na) Một mục khác.", section="Điều 8.2.c Tỷ lệ")]
    payload, a, b = continued_items(law, law[0], len(law[0]["text"]), 8)
    assert payload["text"][a:b] == "c) Tỷ lệ lấp đầy;\nd) Hạ tầng."


@pytest.mark.parametrize("line, kind", [("- Trên báo chí", "dash"), ("+ Hội nghị", "plus"), ("• Triển lãm", "dash"), ("3. Hình thức", "number"),
                                        ("2) Mục", "number"), ("a) Doanh nghiệp", "letter")])
def test_list_lines_are_told_apart_by_their_kind_of_marker(line, kind):
    from bot.answer.lists import marker_kind as _marker_kind

    assert _marker_kind(line) == kind


@pytest.mark.parametrize("question", ["Còn ở tỉnh kia thì có hoạt động gì cho học sinh?",
                                      "Kế hoạch có hình thức gì để tuyên truyền?", "Có những hoạt động nào cho giới trẻ?"])
def test_which_activities_is_a_list_question(question):
    assert classify(question).kind == "list"


def test_what_an_activity_is_stays_a_definition():
    assert classify("Hoạt động này là gì?").kind == "definition"


def test_paragraphs_a_topic_line_opens_are_a_list_across_chunks():
    from bot.answer.lists import topic_run

    chunks = [chunk(0, "Bài viết mở đầu.\nVề nhiệm vụ, Bộ sẽ cập nhật thông tin.", section="Mở đầu"),
              chunk(1, "Về nội dung tuyên truyền, tuyên truyền về bản sắc chung.\nTuyên truyền, quảng bá nét tương đồng.",
                    section="Mở đầu"),
              chunk(2, "Tuyên truyền về đổi mới của nền công vụ.\nBộ trưởng yêu cầu phối hợp.", section="Mở đầu")]
    run = [p["text"][a:b] for p, a, b in topic_run(chunks, "Bộ tuyên truyền những nội dung gì?")]
    assert run == ["Về nội dung tuyên truyền, tuyên truyền về bản sắc chung.", "Tuyên truyền, quảng bá nét tương đồng.",
                   "Tuyên truyền về đổi mới của nền công vụ."]
    # A topic the question does not name ("nhiệm vụ") opens no list for it.
    assert topic_run(chunks, "Bộ có những hoạt động nào?") == []


def test_a_document_without_a_signature_or_a_word_of_signing_names_no_signer():
    from bot.answer.citations import CitationList
    from bot.answer.document_facts import NO_SIGNER, fixed_place
    from bot.answer.evidence import terms

    page = [chunk(0, "Kế hoạch tuyên truyền ASEAN trên địa bàn tỉnh Tây Ninh\nĐặc sản của tỉnh Tây Ninh để phục vụ.", "preamble",
                  doc_id="tn", doc_type="Kế hoạch", number="2502/KH-UBND", title="Tuyên truyền ASEAN")]
    signed_in_text = [dict(page[0], text=page[0]["text"] + "\nNgày 19/10, Chủ tịch ký Kế hoạch.")]
    for chunks, expected in ((page, NO_SIGNER), (signed_in_text, None)):
        answerer = SimpleNamespace(doc_chunks=lambda d, c=chunks: c,
                                   doc_terms=lambda d, c=chunks: terms("\n".join(x["text"] for x in c)))
        q = query("Ai ký kế hoạch tuyên truyền ASEAN của Tây Ninh?")
        q.weights = {t: 1.0 for t in terms("ke hoach tuyen truyen asean tay ninh")}
        assert fixed_place(answerer, q, [SimpleNamespace(doc_id="tn")], CitationList()) == expected


@pytest.mark.parametrize("question, title", [
    ("Kế hoạch của Đông Sơn có mục đích gì?", "Mục đích"),
    ("Kế hoạch tuyên truyền của huyện Đông Sơn yêu cầu gì?", "Yêu cầu"),
    ("Kế hoạch của Đông Sơn yêu cầu đơn vị nào báo cáo?", None),  # asks a unit, not the section
    ("Kế hoạch của Đông Sơn có mục đích và kinh phí gì?", None),  # more than the heading's words
])
def test_a_section_named_by_its_heading_alone(question, title):
    from bot.answer.document_facts import named_section

    chunks = [chunk(0, "KẾ HOẠCH tuyên truyền", "preamble", section="Mở đầu", issuer="Ủy ban nhân dân huyện Đông Sơn",
                    doc_type="Kế hoạch", title="KẾ HOẠCH tuyên truyền"),
              chunk(1, "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n- Nâng cao nhận thức.", section="I.1 Mục đích"),
              chunk(2, "2. Yêu cầu\n- Phối hợp chặt chẽ.", section="I.2 Yêu cầu")]
    found = named_section(query(question), chunks)
    assert (found[1] if found else None) == title


def test_a_section_is_named_by_its_heading_less_the_words_of_the_documents_name():
    from bot.answer.document_facts import named_section

    chunks = [chunk(0, "KẾ HOẠCH Thông tin, tuyên truyền về du lịch", "preamble", title="KẾ HOẠCH Thông tin, tuyên truyền về du lịch",
                    issuer="Ủy ban nhân dân huyện Mỹ Lộc", doc_type="Kế hoạch"),
              chunk(1, "1. Nội dung tuyên truyền\n- Ý a.", section="1 Nội dung tuyên truyền"),
              chunk(2, "2. Hình thức tuyên truyền\n- Bằng văn bản.\n- Trên đài.", section="2 Hình thức tuyên truyền")]
    q = query("Kế hoạch tuyên truyền của UBND huyện Mỹ Lộc quy định những hình thức tuyên truyền nào?")
    q.text = q.question
    parts, title = named_section(q, chunks)
    assert title == "Hình thức tuyên truyền" and parts == [chunks[2]]
    # A word neither the heading nor the document's name holds is not that section.
    q = query("Kế hoạch của UBND huyện Mỹ Lộc có những hình thức khen thưởng nào?")
    q.text = q.question
    assert named_section(q, chunks) is None


@pytest.mark.parametrize("question, asks", [
    ("Kế hoạch của tỉnh được ban hành để thực hiện quyết định nào?", True),
    ("ke hoach cua huyen thuc hien theo van ban nao cua tinh?", True),  # no diacritics
    ("Nghị định này căn cứ những luật nào?", True),
    ("Thông tư được ban hành căn cứ vào đâu?", True),
    ("Đơn vị nào thực hiện kế hoạch?", False),  # a unit, not a document
    ("Sở Nội vụ thực hiện những nhiệm vụ gì?", False),
    ("Theo Nghị định 32/2024, điều kiện thành lập cụm công nghiệp là gì?", False),
])
def test_a_question_about_what_a_document_rests_on(question, asks):
    from bot.answer.parts import asked_part

    assert (asked_part(question) == "basis") is asks


def test_the_basis_is_read_from_the_opening_the_carried_out_document_first():
    from bot.answer.parts import basis

    chunks = [chunk(0, "ỦY BAN NHÂN DÂN TỈNH X\nSố: 12/KH-UBND", "header"),
              chunk(1, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
                       "Thực hiện Quyết định số 1160/QĐ-TTg ngày 13/7/2021 của Thủ tướng Chính phủ phê duyệt "
                       "Chương trình hành động; Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:", "preamble"),
              chunk(2, "I. MỤC ĐÍCH\n- Triển khai Kế hoạch số 99/KH-BTC của Bộ Tài chính trong năm.")]
    spans = basis(chunks)
    assert [s.value for s in spans] == ["Quyết định số 1160/QĐ-TTg ngày 13/7/2021 của Thủ tướng Chính phủ",
                                        "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"]
    # The quote is the document's own clause, from its verb.
    assert chunks[1]["text"][spans[0].start:spans[0].end].startswith("Thực hiện Quyết định số 1160/QĐ-TTg")


def test_a_basis_inside_the_opening_sentence_and_no_basis_in_a_forms_blanks():
    from bot.answer.parts import basis

    plan = [chunk(0, "Số: 159/KH-UBND", "header"),
            chunk(1, "- Triển khai kịp thời các nhiệm vụ đã được Thủ tướng Chính phủ phê duyệt tại "
                     "Quyết định số 1160/QĐ-TTg ngày 13/7/2021 (sau đây gọi là Chương trình).", "preamble")]
    assert [s.value for s in basis(plan)] == ["Quyết định số 1160/QĐ-TTg ngày 13/7/2021"]
    decree = [chunk(0, "Căn cứ Nghị định số 40/2025/NĐ-CP của Chính phủ;\nTheo đề nghị của Vụ trưởng;", "preamble"),
              chunk(1, "Điều 1. Phạm vi điều chỉnh\nThông tư này quy định …"),
              chunk(2, "Mẫu số 01\nCăn cứ Quyết định số …/QĐ-UBND ngày … tháng … năm …;")]  # an annexed form
    assert [s.value for s in basis(decree)] == ["Nghị định số 40/2025/NĐ-CP của Chính phủ"]


def test_a_yes_no_answer_rests_on_what_a_heading_heads_not_on_the_heading():
    from bot.answer.evidence import sentences
    from bot.answer.passages import Candidate
    from bot.answer.shaping import _body_under
    from index.hybrid import SearchHit

    text = ("6. Đối với doanh nghiệp và giới trẻ\nb) Đối với đối tượng là giới trẻ\n"
            "Phổ biến tài liệu về ASEAN cho học sinh. Tổ chức cuộc thi tìm hiểu về ASEAN.\n")
    hit = SearchHit.from_payload({"chunk_id": "c", "doc_id": "d", "source": "s", "text": text}, 1.0)

    def cand(starts: str) -> Candidate:
        s = next(s for s in sentences(text) if s.text.startswith(starts))
        return Candidate(hit, 0, s.start, s.end, s.text, 0.0, 0.0, 0.0, 0.0)

    assert _body_under(cand("b) Đối với")).text == "Phổ biến tài liệu về ASEAN cho học sinh."
    assert _body_under(cand("Phổ biến")) is None  # a sentence of content stands as it is


@pytest.mark.parametrize("question, asks", [
    ("Kế hoạch 159/KH-UBND do cơ quan nào ban hành?", True),
    ("Cơ quan nào ban hành Nghị định 32/2024?", True),
    ("ke hoach 2502 do co quan nao ban hanh", True),
    ("Kế hoạch giao đơn vị nào ban hành văn bản hướng dẫn?", False),  # whom it assigns the issuing to
    ("Đơn vị nào chủ trì ban hành kế hoạch tuyên truyền?", False),
])
def test_who_issued_a_document_is_asked_of_its_card(question, asks):
    from bot.answer.document_facts import asks_issuer

    assert asks_issuer(fold_accents(question).lower()) is asks


def test_the_issuer_is_cited_where_the_letterhead_names_it_even_in_part():
    from bot.answer.citations import CitationList
    from bot.answer.document_facts import _issuer_answer

    chunks = [chunk(0, "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 159/KH-UBND", "header",
                    issuer="Ủy ban nhân dân tỉnh Quảng Ninh", source="qn.docx", doc_id="qn", char_start=0, section="")]
    cites = CitationList()
    assert _issuer_answer(chunks, cites) == "Cơ quan ban hành: Ủy ban nhân dân tỉnh Quảng Ninh [1]."
    assert cites.items[0].quote == "ỦY BAN NHÂN DÂN"


# --- where an inline list begins, and its last "và" -------------------------------------------------

def test_an_inline_list_begins_after_the_opener_the_questions_noun_leads_not_inside_an_aside():
    from bot.answer.lists import inline_list_start, listed_noun

    text = ("Ủy ban thành lập Hội đồng (gồm Chủ tịch là lãnh đạo tỉnh, các thành viên khác) để chấm điểm "
            "cho các tiêu chí: phương án A (tối đa 15 điểm); năng lực, kinh nghiệm (tối đa 30 điểm) và "
            "phương án B (tối đa 40 điểm).")
    assert listed_noun("Hội đồng chấm điểm dựa trên những tiêu chí nào?") == "tieu chi"
    assert listed_noun("Hoi dong cham diem dua tren nhung tieu chi nao?") == "tieu chi"
    start = inline_list_start(text, "Hội đồng chấm điểm dựa trên những tiêu chí nào?")
    assert text[start:].startswith("phương án A")
    # No noun asked: the first opener outside brackets.
    assert text[inline_list_start(text, "Hội đồng chấm điểm thế nào?"):].startswith("phương án A")
    # An opener with nothing listed after it opens no list.
    assert inline_list_start("Thời hạn là 30 ngày.", "Thời hạn là bao lâu?") is None
    plain = "Các nước gồm Lào, Campuchia và Thái Lan."
    assert plain[inline_list_start(plain, "gồm những nước nào?"):] == "Lào, Campuchia và Thái Lan."


def test_the_last_va_of_a_semicolon_list_splits_parallel_items_only():
    from bot.answer.lists import split_last_and

    assert split_last_and(["phương án A (15 điểm)", "năng lực, kinh nghiệm (30 điểm) và phương án B (40 điểm)"]) \
        == ["phương án A (15 điểm)", "năng lực, kinh nghiệm (30 điểm)", "phương án B (40 điểm)"]
    # "và" inside an item that no earlier item's first word follows stays in that item.
    assert split_last_and(["Sở A chủ trì", "Sở B phối hợp và báo cáo kết quả"]) == \
        ["Sở A chủ trì", "Sở B phối hợp và báo cáo kết quả"]
    assert split_last_and(["Sở A (gồm phòng X và Sở Y)", "Sở B"]) == ["Sở A (gồm phòng X và Sở Y)", "Sở B"]
    assert split_last_and(["một mục"]) == ["một mục"]


def test_a_labels_first_clauses_keep_its_value():
    from bot.answer.clauses import first_clauses

    item = ("Nội dung triển khai: Thiết kế các thông điệp về chủ đề ASEAN đăng trên hệ thống chính quyền điện tử "
            "của tỉnh, nền tảng wifi công cộng; gửi email công vụ của tỉnh")
    end = first_clauses(item, 100)
    assert item[:end].startswith("Nội dung triển khai: Thiết kế các thông điệp") and end < len(item)
    assert first_clauses("Một, hai, ba bốn năm sáu bảy tám chín mười", 10) == len("Một, hai")


# --- a numbered heading that ends like a sentence --------------------------------------------------

@pytest.mark.parametrize("follow, under", [
    ("Định hướng các cơ quan báo chí kịp thời phát hiện, bác bỏ thông tin sai trái.", True),
    ("6. Đối với các doanh nghiệp", False),  # a numbered line after it: it is an item of a list
])
def test_a_numbered_line_naming_the_topic_asked_heads_the_paragraph_under_it(follow, under):
    from bot.answer.evidence import sentences
    from bot.answer.passages import Candidate
    from bot.answer.shaping import _body_under
    from index.hybrid import SearchHit

    text = f"4. Nâng cao năng lực.\n5. Đấu tranh, phản bác các thông tin sai trái về ASEAN.\n{follow}\n"
    hit = SearchHit.from_payload({"chunk_id": "c", "doc_id": "d", "source": "s", "text": text}, 1.0)
    head = next(s for s in sentences(text) if "Đấu tranh" in s.text)
    cand = Candidate(hit, 0, head.start, head.end, head.text, 0.0, 0.0, 0.0, 0.0)
    topic = {"dau": 1.0, "tranh": 2.0, "thong": 0.5, "tin": 1.0, "sai": 2.0, "trai": 2.0, "asean": 1.0, "tay": 2.0,
             "ninh": 2.0, "noi": 0.3}
    q = SimpleNamespace(province="Tây Ninh", focus_weights=topic, folded="tay ninh noi gi ve dau tranh voi thong tin sai trai")
    body = _body_under(cand, echo_of=q)
    assert (body is not None and body.text.startswith("Định hướng")) is under
    # Without the question, a line that ends like a sentence is no heading.
    assert _body_under(cand) is None
    # A question about something else: the line is the answer, not a heading of it.
    other = SimpleNamespace(province=None, focus_weights={"ngan": 2.0, "sach": 2.0, "dau": 1.0}, folded="ngan sach")
    assert _body_under(cand, echo_of=other) is None
