"""Reading follow-ups against the thread's state (bot/answer/followup.py, focus.py) and session
bounds (bot/answer/conversation.py). No model or index: a small catalog of documents stands in."""
import time
from types import SimpleNamespace

import pytest

from bot.answer.catalog import Catalog
from bot.answer.conversation import Item, SessionStore, Turn
from bot.answer.focus import answer_items, attribute_answer, body_of, labeled_field, named_items, task_for_question
from bot.answer.followup import read, topic_of
from bot.answer.followup_words import asked_attributes
from ingest.lang.normalize import fold_accents

RECORDS = {
    "qn": {"number": "159/KH-UBND", "doc_type": "Kế hoạch", "province": "Quảng Ninh",
           "issuer": "Ủy ban nhân dân tỉnh Quảng Ninh", "title": "Kế hoạch tuyên truyền ASEAN tỉnh Quảng Ninh"},
    "tn": {"number": "2502/KH-UBND", "doc_type": "Kế hoạch", "province": "Tây Ninh",
           "issuer": "Ủy ban nhân dân tỉnh Tây Ninh", "title": "Tuyên truyền ASEAN trên địa bàn tỉnh Tây Ninh"},
    "ds": {"doc_type": "Kế hoạch", "province": "Thanh Hóa", "issuer": "Ủy ban nhân dân huyện Đông Sơn",
           "title": "KẾ HOẠCH thông tin tuyên truyền"},
    "nd": {"number": "32/2024/NĐ-CP", "doc_type": "Nghị định", "issuer": "Chính phủ",
           "title": "Nghị định về quản lý, phát triển cụm công nghiệp"},
}
CATALOG = Catalog(RECORDS)
QUESTION = "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?"


def state(**kw) -> Turn:
    base = dict(question=QUESTION, doc_id="qn", section="1.3 Tuyên truyền trên hệ thống thông tin cơ sở",
                docs=["qn"], spans=[("qn", 100, 160)], units=["Sở Thông tin và Truyền thông"],
                topic=topic_of(QUESTION, CATALOG))
    base.update(kw)
    return Turn(**base)


def test_the_topic_keeps_every_syllable_of_its_words():
    # "cơ" of "cơ sở" is not "có": a topic is cut at whole asking phrases only.
    assert topic_of(QUESTION, CATALOG) == "tuyên truyền trên hệ thống thông tin cơ sở"
    assert topic_of("don vi nao chu tri tuyen truyen tren he thong thong tin co so o Quang Ninh", CATALOG) \
        == "tuyen truyen tren he thong thong tin co so"


@pytest.mark.parametrize("follow", ["còn Tây Ninh thì sao?", "con tay ninh thi sao"])
def test_another_province_asks_the_same_question_of_its_document(follow):
    r = read(follow, state(), CATALOG)
    assert r.kind == "switch_doc" and r.doc_ids == ["tn"]
    assert r.question == "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Tây Ninh?"


@pytest.mark.parametrize("follow", ["Thế còn Tây Ninh?", "Còn tỉnh Tây Ninh?", "còn của Tây Ninh?", "con tinh tay ninh?"])
def test_a_name_alone_with_a_question_mark_asks_the_same_question_of_it(follow):
    # A "?" asks nothing new without words of its own; the "tỉnh" heading a name is the name's.
    r = read(follow, state(), CATALOG)
    assert r.kind == "switch_doc" and r.doc_ids == ["tn"] and not r.parsed.own
    assert r.question.startswith("Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở")
    assert fold_accents(r.question.lower()).rstrip("?").endswith("tay ninh")


def test_a_document_fronted_by_its_province_is_named_by_its_type_when_asked_about_itself():
    thread = state(question="Kế hoạch 2502/KH-UBND do ai ký?", doc_id="tn", docs=["tn"], spans=[])
    assert read("Quảng Ninh thì ai ký?", thread, CATALOG).question == "Theo Kế hoạch 159/KH-UBND, ai ký?"
    assert read("Còn ở Quảng Ninh thì ban hành ngày nào?", thread, CATALOG).question \
        == "Theo Kế hoạch 159/KH-UBND, ban hành ngày nào?"
    # A question about a task keeps its words: the passages are matched on them.
    assert read("Ở Quảng Ninh thì đơn vị nào chủ trì tuyên truyền?", thread, CATALOG).question.startswith("Ở Quảng Ninh")


def test_a_document_named_by_its_type_and_owner_is_no_topic():
    assert topic_of("Theo kế hoạch của Quảng Ninh, đơn vị nào chủ trì tuyên truyền trên mạng xã hội?", CATALOG) \
        == "tuyên truyền trên mạng xã hội"


def test_another_document_by_number_drops_the_previous_number():
    r = read("còn Tây Ninh thì sao?", state(question="Kế hoạch 159/KH-UBND của Quảng Ninh ban hành ngày nào?"), CATALOG)
    assert r.question == "Kế hoạch của Tây Ninh ban hành ngày nào?"
    r = read("Còn kế hoạch 2502 thì ban hành ngày nào?", state(), CATALOG)
    assert r.kind == "switch_doc" and r.doc_ids == ["tn"] and "Kế hoạch 2502/KH-UBND" in r.question


def test_a_district_named_by_its_issuer_is_a_document():
    r = read("Còn huyện Đông Sơn thì sao?", state(), CATALOG)
    assert r.kind == "switch_doc" and r.doc_ids == ["ds"]


@pytest.mark.parametrize("follow,asked", [
    ("còn đơn vị phối hợp thì sao?", ["partner"]),
    ("Việc này có cơ quan nào phối hợp không?", ["partner"]),
    ("Thời hạn thực hiện là khi nào?", ["deadline"]),
    ("Ai làm đầu mối?", ["focal"]),
    ("Sở nào chủ trì, thời hạn ra sao?", ["lead", "deadline"]),
])
def test_another_role_stays_on_the_task(follow, asked):
    r = read(follow, state(), CATALOG)
    assert r.kind == "other_role" and r.asked == asked and r.doc_ids == ["qn"]


@pytest.mark.parametrize("follow,asked", [
    ("Kết quả báo cáo về đâu?", ["report_to"]),
    ("Tổng hợp kết quả xong thì gửi báo cáo cho cơ quan nào?", ["report_to"]),
    ("Tiến độ hoàn thành là khi nào?", ["deadline"]),
    ("ket qua bao cao ve dau", ["report_to"]),
])
def test_the_words_of_asking_an_attribute_are_no_topic_of_their_own(follow, asked):
    # "kết quả", "báo cáo", "hoàn thành" are how an attribute is asked, not a new subject.
    r = read(follow, state(), CATALOG)
    assert r.kind == "other_role" and r.asked == asked and r.doc_ids == ["qn"]


def test_an_attribute_of_a_subject_the_thread_never_named_is_not_the_tasks():
    r = read("Báo cáo tình hình cụm công nghiệp gửi về đâu?", state(), CATALOG)
    assert r.kind != "other_role" and not r.strong


def test_a_unit_referred_back_is_the_unit_the_thread_named():
    r = read("Sở đó gửi báo cáo về đâu?", state(), CATALOG)
    assert r.asked == ["report_to"] and "Sở Thông tin và Truyền thông" in r.question


@pytest.mark.parametrize("follow", ["Kế hoạch đó do ai ký?", "Văn bản này ban hành ngày nào?", "KH này ký ngày nào?",
                                    "kh nay ky ngay nao?", "cho giai đoạn nào?", "Đề án này do ai ký?",
                                    "quy chế đó ban hành ngày nào?"])
def test_the_document_referred_back_is_the_threads(follow):
    r = read(follow, state(), CATALOG)
    assert r.kind == "same_doc" and r.doc_ids == ["qn"] and r.strong
    assert "Kế hoạch 159/KH-UBND" in r.question  # the reference resolved to the document's name


def test_an_ordinal_is_that_item_of_the_last_list():
    items = [Item("qn", i * 10, i * 10 + 5, f"- ý {i}") for i in range(3)]
    r = read("Cụ thể hơn về ý thứ hai?", state(items=items), CATALOG)
    assert r.kind == "list_item" and r.item == items[1] and r.item_number == 2
    r = read("còn ý cuối cùng?", state(items=items), CATALOG)
    assert r.item == items[2]
    r = read("ý thứ năm là gì?", state(items=items), CATALOG)
    assert r.kind == "list_item" and r.item is None


@pytest.mark.parametrize("message, expected", [
    ("cái email công vụ là gửi cho những ai?", 1),  # the one item holding the words the message names
    ("cai email cong vu gui cho ai", 1),
    ("còn thành lập mới thì tỷ lệ lấp đầy của huyện phải đạt bao nhiêu?", None),  # a case no item is about
    ("thông điệp về chủ đề ASEAN và email công vụ khác nhau thế nào?", None),  # words of two items
])
def test_an_item_named_by_its_own_words_is_that_item(message, expected):
    items = [Item("qn", 0, 60, "- Thiết kế các thông điệp về chủ đề ASEAN trên nền tảng wifi công cộng."),
             Item("qn", 61, 140, "- Gửi email công vụ phổ biến thông tin đến cán bộ, công chức của tỉnh."),
             Item("qn", 141, 190, "- Đạt tỷ lệ lấp đầy ít nhất 60% khi mở rộng.")]
    r = read(message, state(items=items, question="Tuyên truyền trên hạ tầng công nghệ thông tin làm những việc gì?"),
             CATALOG)
    if expected is None:
        assert r.kind != "list_item"
    else:
        assert r.kind == "list_item" and r.item == items[expected] and r.strong


def test_an_items_words_are_asked_without_its_marker():
    items = [Item("qn", 0, 20, "a) Trụ cột Chính trị"), Item("qn", 21, 40, "b) Trụ cột Kinh tế")]
    r = read("Trụ cột thứ hai gồm những gì?", state(items=items), CATALOG)
    assert r.kind == "list_item" and r.question == "Trụ cột Kinh tế"


@pytest.mark.parametrize("message, expected", [
    ("Trụ cột thứ hai gồm những gì?", "b) Trụ cột Kinh tế"),
    ("tru cot thu ba la gi", "c) Trụ cột Văn hoá - Xã hội"),
    ("Còn trụ cột cuối cùng?", None),  # "cuối cùng" names the last: read() picks it from the items
])
def test_an_ordinal_after_an_answer_without_a_list_names_its_list_by_its_noun(message, expected):
    text = ("2. Nội dung\na) Trụ cột Chính trị\n- Ý một.\nb) Trụ cột Kinh tế\n- Ý hai.\n"
            "c) Trụ cột Văn hoá - Xã hội\n- Ý ba.\n3. Trụ cột của phần khác không có dấu đầu dòng cùng loại")
    items = named_items(message, text, "qn")
    texts = [i.text for i in items]
    # The numbered "3. Trụ cột …" is marked another way: not one of these items.
    assert texts == ["a) Trụ cột Chính trị", "b) Trụ cột Kinh tế", "c) Trụ cột Văn hoá - Xã hội"]
    if expected:
        n = 2 if "hai" in message else 3
        assert read(message, state(items=items), CATALOG).item.text == expected == texts[n - 1]


@pytest.mark.parametrize("message", ["Ý thứ hai là gì?", "Cụ thể mục thứ ba?", "Hình thức thứ hai là gì?"])
def test_a_generic_or_unlisted_noun_names_no_list(message):
    text = "1. Hình thức tuyên truyền\n- Trên báo chí.\n- Trên mạng xã hội."
    assert named_items(message, text, "qn") == []


TASK_BLOCK = ("1. Tuyên truyền trên báo chí\n- Nội dung: đưa tin.\n"
              "2. Tuyên truyền trên hạ tầng số\n- Nội dung triển khai: Thiết kế thông điệp; gửi email công vụ.\n"
              "- Đơn vị chủ trì và triển khai thực hiện: Sở Thông tin và Truyền thông.\n"
              "3. Tuyên truyền trực quan\n- Nội dung triển khai: Treo băng rôn.")


@pytest.mark.parametrize("message", ["Nội dung triển khai là gì?", "noi dung trien khai cu the the nao", "Còn nội dung triển khai?",
                                     "Nội dung là gì?"])
def test_a_field_named_by_its_label_is_read_from_the_task_in_focus(message):
    start = TASK_BLOCK.index("Đơn vị chủ trì")  # the passage the thread's answer cited
    x, y, label, value = labeled_field(message, TASK_BLOCK, start)
    assert label == "Nội dung triển khai" and value.startswith("Thiết kế thông điệp")  # mục 2's, not mục 3's


@pytest.mark.parametrize("message", ["Kinh phí là gì?", "Kinh phí triển khai lấy từ đâu?",
                                     "Nội dung triển khai ở tỉnh khác có những hoạt động gì khác nữa không vậy?"])
def test_a_message_that_asks_more_than_a_label_is_no_field(message):
    assert labeled_field(message, TASK_BLOCK, TASK_BLOCK.index("Đơn vị chủ trì")) is None


def _table_task(section: str, block: str, text: str, **units) -> SimpleNamespace:
    start = text.index(block)
    roles = {f"{r}_units": units.get(r, []) for r in ("lead", "partner", "focal", "guiding")}
    return SimpleNamespace(section=section, context="", task_start=start, task_end=start + len(block), deadline=None,
                           report_to=[], units=lambda role, r=roles: r[f"{role}_units"], **roles)


def test_a_refused_unit_question_is_answered_by_the_one_task_holding_its_words():
    from bot.answer.evidence import terms

    b1 = "1.2. Tuyên truyền trên báo chí có văn phòng đại diện\n- Đơn vị định hướng thông tin: Ban Tuyên giáo."
    b2 = "1.3. Tuyên truyền trên hệ thống thông tin cơ sở\n- Đơn vị chủ trì: Sở Thông tin và Truyền thông."
    text = b1 + "\n" + b2
    tasks = [_table_task("1.2 Báo chí", b1, text, guiding=["Ban Tuyên giáo"]),
             _table_task("1.3 Cơ sở", b2, text, lead=["Sở"])]
    head = "Kế hoạch tuyên truyền ASEAN Quảng Ninh"

    def weights(q):  # as a query weighs them: the words that only ask weigh nothing
        return {t: 0.0 if t in {"o", "do", "nao"} else 1.0 for t in terms(q)}

    q = "Ở Quảng Ninh, tuyên truyền trên báo chí có văn phòng đại diện do đơn vị nào định hướng thông tin?"
    assert task_for_question(tasks, weights(q), ["guiding"], text, head) is tasks[0]
    # The asked attribute is one the matching task does not state: no task answers.
    assert task_for_question(tasks, weights(q), ["partner"], text, head) is None
    # A word no task holds (another subject): none.
    q = "Ở Quảng Ninh, tuyên truyền trên truyền hình, phát thanh quốc tế do đơn vị nào định hướng thông tin?"
    assert task_for_question(tasks, weights(q), ["guiding"], text, head) is None


def test_a_full_question_about_another_document_starts_fresh():
    r = read("Nghị định 32/2024/NĐ-CP quy định điều kiện thành lập cụm công nghiệp như thế nào?", state(), CATALOG)
    assert r.kind == "fresh" and r.doc_ids is None


def test_a_question_without_cues_prefers_the_threads_document_but_may_leave_it():
    r = read("Kinh phí tổ chức lấy từ nguồn ngân sách nào?", state(), CATALOG)
    assert r.doc_ids == ["qn"] and not r.strong  # refused there, the collection at large answers


def test_no_thread_no_follow_up():
    assert read("còn Tây Ninh thì sao?", None, CATALOG).kind == "first"


def test_asked_attributes_read_each_clause():
    assert asked_attributes("Báo cáo kết quả gửi về đâu?") == ["report_to"]
    assert asked_attributes("Thông tư này quy định những mẫu văn bản nào?") == []  # "văn bản nào" is no unit
    # "nhiệm vụ nào" asks duties, not a Vụ; "Vụ nào" still asks a unit.
    assert asked_attributes("Kế hoạch gồm những nhóm nhiệm vụ nào?") == []
    assert asked_attributes("ke hoach gom nhung nhiem vu nao") == []
    assert asked_attributes("Vụ nào làm đầu mối?") == ["focal"]
    # "báo cáo định kỳ" names a kind of report; "định kỳ mấy tháng" asks when
    assert "deadline" not in asked_attributes("thong tu nay quy dinh nhung doi tuong nao phai bao cao dinh ky?")
    assert "deadline" in asked_attributes("Báo cáo định kỳ mấy tháng một lần?")


# -- a refused turn still has a thread --------------------------------------------------------------

def _refused_state(question, ranked=()):
    """The state ChatService keeps after ``question`` was refused (no citation)."""
    from bot.answer.chat import ChatService
    from bot.answer.extractive import NOT_FOUND, Answer

    service = ChatService(None, None, None, records=lambda: RECORDS)
    reading = read(question, None, CATALOG)
    answer = Answer(NOT_FOUND, [], False, question, [], {"ranked": list(ranked)})
    return service._state(reading, answer, None, CATALOG)


@pytest.mark.parametrize("question,doc", [
    ("Kế hoạch 2502/KH-UBND giao đơn vị nào làm đầu mối theo dõi việc thực hiện?", "tn"),
    ("Ở Quảng Ninh, việc tuyên truyền trên báo chí do đơn vị nào định hướng thông tin?", "qn"),
    ("Nghị định 32/2024/NĐ-CP có hiệu lực từ khi nào?", "nd"),
])
def test_a_refused_question_keeps_the_document_it_named(question, doc):
    turn = _refused_state(question, [("zz", 0, 9, "1 Khác"), (doc, 40, 90, "2 Giao nhiệm vụ")])
    assert turn.docs == [doc] and turn.doc_id == doc and not turn.grounded
    # What retrieval ranked first in that document is the passage in focus, tentatively.
    assert turn.spans == [(doc, 40, 90)] and turn.section == "2 Giao nhiệm vụ"
    follow = read("Văn bản này ban hành ngày nào?", turn, CATALOG)
    assert follow.kind == "same_doc" and follow.doc_ids == [doc] and follow.strong
    follow = read("Còn đơn vị phối hợp thì sao?", turn, CATALOG)
    assert follow.kind == "other_role" and follow.asked == ["partner"] and follow.doc_ids == [doc]


def test_a_refused_question_naming_no_document_leaves_no_thread():
    turn = _refused_state("Đơn vị nào làm đầu mối theo dõi việc thực hiện?", [("qn", 0, 9, "1")])
    assert turn.docs == [] and turn.spans == []
    assert read("Văn bản đó do ai ký?", turn, CATALOG).kind == "fresh"


def test_a_question_naming_many_documents_gives_none_to_keep():
    many = Catalog({f"d{i}": {"doc_type": "Kế hoạch", "province": "Quảng Ninh"} for i in range(5)})
    assert read("Kế hoạch của Quảng Ninh giao đơn vị nào chủ trì?", None, many).named_docs() == []
    assert read("Kế hoạch của Quảng Ninh giao đơn vị nào chủ trì?", None, CATALOG).named_docs() == ["qn"]


def test_of_a_tentative_passages_tasks_the_one_sharing_the_questions_words_comes_first():
    from bot.answer.focus import by_shared_words

    a = SimpleNamespace(task="Báo cáo tiến độ hằng năm về Vụ A")
    b = SimpleNamespace(task="Làm đầu mối theo dõi, đôn đốc, giám sát việc thực hiện kế hoạch")
    c = SimpleNamespace(task="Cung cấp thông tin cho báo chí")
    assert by_shared_words([a, b, c], "Đơn vị nào làm đầu mối theo dõi, giám sát?") == [b, a, c]
    assert by_shared_words([a, c], "Ai ký?") == [a, c]  # nothing shared: the order stays


# -- answers about the thread's own task -------------------------------------------------------------

PLAN = ("1.2. Tuyên truyền trên báo chí\n- Thời gian thực hiện: theo sự kiện.\n- Đơn vị định hướng thông tin: Ban A.\n"
        "1.3. Tuyên truyền trên hệ thống thông tin cơ sở\n- Nội dung: tăng cường loa truyền thanh.\n"
        "+ Ưu tiên thôn, bản.\n- Đơn vị chủ trì: Sở B.\nTrên đây là kế hoạch.")


def _task(section, start, end, **units):
    return SimpleNamespace(doc_id="qn", section=section, task="Tuyên truyền", deadline=units.pop("deadline", None),
                           report_to=[], char_start=start, char_end=end, task_start=start, task_end=end,
                           units=lambda role: units.get(role, []))


def test_what_the_task_does_not_state_is_said_for_that_task():
    chunks = [{"chunk_id": "c", "doc_id": "qn", "source": "qn.docx", "char_start": 0, "char_end": len(PLAN),
               "text": PLAN, "section": "1.3"}]
    start = PLAN.index("1.3.")
    task = _task("1.3 Tuyên truyền trên hệ thống thông tin cơ sở", start, PLAN.index("Trên đây"), lead=["Sở B"])
    out = attribute_answer("?", ["partner"], [task], [], PLAN, chunks, "Kế hoạch 159/KH-UBND", None,
                           lambda text, t, unit: None)
    assert not out.grounded and out.citations == []
    assert out.text == "Mục 1.3 của Kế hoạch 159/KH-UBND không nêu đơn vị phối hợp."
    out = attribute_answer("?", ["lead", "deadline"], [task], [], PLAN, chunks, "Kế hoạch 159/KH-UBND", None,
                           lambda text, t, unit: None)
    assert out.grounded and out.text.startswith("Đơn vị chủ trì: Sở B [1].")
    assert "Mục 1.3 của Kế hoạch 159/KH-UBND không nêu thời hạn." in out.text


def test_an_item_asked_for_an_attribute_answers_with_that_items_task():
    from bot.answer.chat import ChatService

    chunks = [{"chunk_id": "c", "doc_id": "qn", "source": "qn.docx", "char_start": 0, "char_end": len(PLAN),
               "text": PLAN, "section": "1"}]
    first, second = PLAN.index("1.2."), PLAN.index("1.3.")
    tasks = [_task("1.2 Tuyên truyền trên báo chí", first, second, guiding=["Ban A"], deadline="theo sự kiện"),
             _task("1.3 Tuyên truyền trên hệ thống thông tin cơ sở", second, PLAN.index("Trên đây"), lead=["Sở B"])]
    service = ChatService(None, SimpleNamespace(doc_chunks=lambda doc: chunks, doc_terms=lambda doc: set()), None,
                          tasks=lambda: SimpleNamespace(tasks=tasks, of_document=lambda d: [t for t in tasks if t.doc_id == d]),
                          records=lambda: RECORDS,
                          doc_text=lambda doc: PLAN)
    items = [Item("qn", start, PLAN.index("\n", start), PLAN[start:PLAN.index("\n", start)]) for start in (first, second)]
    thread = state(items=items, spans=[("qn", first, second)])
    answer, turn, _ = service.turn("Ý thứ hai do đơn vị nào chủ trì?", thread, use_llm=False)
    assert turn.kind == "list_item" and answer.text.startswith("Đơn vị chủ trì: Sở B")
    answer, turn, _ = service.turn("Còn ý thứ nhất thì thời hạn thế nào?", thread, use_llm=False)
    assert answer.text.startswith("Thời hạn: theo sự kiện")
    answer, _, _ = service.turn("Cụ thể ý thứ hai?", thread, use_llm=False)  # nothing asked: the item in full
    assert answer.text.startswith("1.3. Tuyên truyền trên hệ thống thông tin cơ sở")


def test_an_item_runs_to_the_next_of_its_rank():
    start = PLAN.index("1.3.")
    a, b = body_of(PLAN, start)
    assert PLAN[a:b].endswith("- Đơn vị chủ trì: Sở B.")  # its bullets, not the closing paragraph
    bullet = PLAN.index("- Nội dung")
    a, b = body_of(PLAN, bullet)
    assert PLAN[a:b] == "- Nội dung: tăng cường loa truyền thanh.\n+ Ưu tiên thôn, bản."


def test_the_items_of_an_answer_are_the_lines_it_enumerates():
    from bot.answer.citations import Citation
    from bot.answer.extractive import Answer

    lines = [i for i, ch in enumerate(PLAN) if ch == "\n"]
    cite = Citation(1, "qn", "qn.docx", "", None, "1.3", None, PLAN[PLAN.index("1.3."):lines[-1]], "c",
                    PLAN.index("1.3."), lines[-1])
    answer = Answer("Gồm: … [1]", [cite], True, "?")
    items = answer_items(answer, lambda doc: PLAN)
    assert [i.text for i in items] == ["- Nội dung: tăng cường loa truyền thanh.", "- Đơn vị chủ trì: Sở B."]


def test_the_entries_of_a_list_written_inline_are_its_own_spans():
    from bot.answer.citations import Citation
    from bot.answer.extractive import Answer

    text = "Mở đầu.\nCác sáng kiến gồm Quỹ A ứng phó, Kho B; Khung C (ACRF), Trung tâm D, Khung E...\nHết."
    start = text.index("Các")
    cite = Citation(1, "qn", "qn.docx", "", None, "", None, text[start:text.index("\nHết")], "c", start,
                    text.index("\nHết"))
    answer = Answer("Gồm: Quỹ A ứng phó, Kho B; Khung C (ACRF), Trung tâm D, Khung E [1].\n… supporting line", [cite],
                    True, "?")
    items = answer_items(answer, lambda doc: text)
    assert [i.text for i in items] == ["Quỹ A ứng phó, Kho B", "Khung C (ACRF), Trung tâm D, Khung E"]


# -- sessions ------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("follow", ["Kế hoạch có nêu thời hạn không?", "Trong kế hoạch có nói ai ký không?",
                                    "Còn kế hoạch có nói kinh phí không?"])
def test_a_bare_document_noun_of_the_threads_type_is_the_threads_document(follow):
    # Vietnamese drops the demonstrative: "Kế hoạch có …" in a thread about a kế hoạch is that plan.
    r = read(follow, state(), CATALOG)
    assert r.doc_ids == ["qn"] and r.strong
    assert "Kế hoạch 159/KH-UBND" in r.question


def test_a_bare_document_noun_of_another_type_refers_to_nothing():
    # "quyết định thành lập" in a thread about a plan is a decision someone takes, not the plan.
    r = read("Quyết định thành lập ban chỉ đạo có thời hạn không?", state(), CATALOG)
    assert not r.strong and "159/KH-UBND" not in r.question


def test_the_words_that_ask_where_a_report_goes_need_not_be_the_tasks():
    from bot.answer.evidence import terms

    b1 = "1. Báo cáo của doanh nghiệp vận tải\nc) Đối tượng thực hiện báo cáo: Doanh nghiệp vận tải;\nd) Cơ quan nhận báo cáo: Sở Giao thông vận tải;"
    b2 = "2. Báo cáo của địa phương\nc) Đối tượng thực hiện báo cáo: Sở Giao thông vận tải;\nd) Cơ quan nhận báo cáo: Cục Đường bộ Việt Nam;"
    text = b1 + "\n" + b2
    tasks = [_table_task("1 Doanh nghiệp", b1, text, lead=["Doanh nghiệp vận tải"]),
             _table_task("2 Địa phương", b2, text, lead=["Sở Giao thông vận tải"])]
    tasks[0].report_to, tasks[1].report_to = ["Sở Giao thông vận tải"], ["Cục Đường bộ Việt Nam"]
    q = "Doanh nghiệp vận tải phải nộp báo cáo cho cơ quan nào?"  # the record says "nhận", never "nộp"
    weights = {t: 0.0 if t in {"nao", "cho", "phai"} else 1.0 for t in terms(q)}
    assert task_for_question(tasks, weights, ["report_to"], text, "Thông tư về vận tải") is tasks[0]


def test_a_follow_up_naming_other_figures_is_the_task_of_the_same_article_that_holds_them():
    from bot.answer.focus import tasks_with_figures

    b1 = "1. Cục Hóa chất có trách nhiệm cấp giấy phép vận chuyển hàng nguy hiểm loại 5 và loại 8."
    b2 = "2. Ủy ban nhân dân cấp tỉnh có trách nhiệm cấp giấy phép vận chuyển loại 1, loại 2, loại 9."
    b3 = "1. Sở Công Thương báo cáo kết quả cấp giấy phép loại 1, loại 2, loại 9 hằng năm."
    text = "\n".join([b1, b2, b3])
    tasks = [_table_task("Điều 3.1", b1, text, lead=["Cục Hóa chất"]),
             _table_task("Điều 3.2", b2, text, lead=["Ủy ban nhân dân cấp tỉnh"]),
             _table_task("Điều 7.1", b3, text, lead=["Sở Công Thương"])]  # another article
    assert tasks_with_figures(tasks, tasks[:1], ["lead"], "còn loại 1, 2, 9 thì ai cấp?", text) == [tasks[1]]
    # The figures of the task in focus, or none at all: the focus stays.
    assert tasks_with_figures(tasks, tasks[:1], ["lead"], "loại 5 thì sao?", text) == []
    assert tasks_with_figures(tasks, tasks[:1], ["lead"], "còn phối hợp thì sao?", text) == []


@pytest.mark.parametrize("follow", ["Kế hoạch 2502 của UBND tỉnh Tây Ninh có quy định giống vậy không?",
                                    "ke hoach 2502 cua ubnd tinh tay ninh co tuong tu khong?"])
def test_the_same_asked_of_another_document_named_with_its_issuer(follow):
    # "… của <its issuer>" is the name's, "có quy định giống vậy không?" asks what "thì sao?" asks.
    r = read(follow, state(), CATALOG)
    assert r.kind == "switch_doc" and r.doc_ids == ["tn"] and not r.parsed.own
    assert fold_accents(r.question).startswith("Don vi nao chu tri tuyen truyen tren he thong thong tin co so")
