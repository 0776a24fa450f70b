"""Threads over HTTP: each kind of follow-up asked with the ``session_id`` of /api/chat, on the
real index of the corpus (fixtures in conftest.py); and the same thread rebuilt from its
questions alone, as the OpenAI-compatible API does (``ChatService.ask_thread``)."""
from __future__ import annotations

import json

import httpx
import pytest

QN = "asean/quangninh-159-kh-ubnd-2021.docx"
TN = "asean/tayninh-2502-kh-ubnd-2019.html"
DS = "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"
ND = "legal/ND-32-2024-quan-ly-phat-trien-CCN.docx"
# The thread of the issue: a task's lead, its partner (the plan names none), another province.
THREAD = ["Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?",
          "còn đơn vị phối hợp thì sao?",
          "Còn Tây Ninh thì sao?"]


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def ask(client, message, session_id=None):
    r = client.post("/api/chat", json={"message": message, "session_id": session_id})
    assert r.status_code == 200, r.text
    return r.json()


def sources(out) -> set[str]:
    return {c["source"] for c in out["citations"]}


def test_a_role_the_task_does_not_give_is_said_for_that_task_then_another_province(client):
    first = ask(client, THREAD[0])
    assert first["grounded"] and sources(first) == {QN}
    assert first["understood"] == "Đơn vị chủ trì — Kế hoạch 159/KH-UBND, mục 1.3"
    second = ask(client, THREAD[1], first["session_id"])
    assert second["session_id"] == first["session_id"]
    assert not second["grounded"] and second["citations"] == []
    assert second["answer"] == "Mục 1.3 của Kế hoạch 159/KH-UBND không nêu đơn vị phối hợp."
    assert second["understood"] == "Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3"
    third = ask(client, THREAD[2], first["session_id"])
    assert "Tây Ninh" in third["question"] and "phối hợp" in third["question"]  # the same question, of Tây Ninh
    assert third["understood"].endswith(("Kế hoạch 2502/KH-UBND",)) or "Kế hoạch 2502/KH-UBND" in third["understood"]
    assert sources(third) <= {TN}  # never an answer from Quảng Ninh's plan
    # Another session has no thread: the same words are not read against someone else's.
    other = ask(client, THREAD[1])
    assert other["session_id"] != first["session_id"] and "Mục 1.3" not in other["answer"]


def test_another_role_of_the_same_task_is_answered_from_that_task(client):
    first = ask(client, "Đơn vị nào tổ chức các hoạt động tuyên truyền cổ động trực quan ở huyện Đông Sơn?")
    assert first["grounded"] and sources(first) == {DS}
    second = ask(client, "Thời hạn thực hiện là khi nào?", first["session_id"])
    assert second["grounded"] and "năm 2021" in second["answer"]
    assert sources(second) == {DS} and all(c["section"].startswith("III.2") for c in second["citations"])
    assert second["understood"].startswith("Thời hạn — ") and second["understood"].endswith("mục III.2")


def test_the_document_referred_back_is_the_threads(client):
    first = ask(client, "Kế hoạch 2502/KH-UBND của Tây Ninh ban hành ngày nào?")
    assert first["grounded"] and sources(first) == {TN}
    second = ask(client, "Văn bản này do ai ký?", first["session_id"])
    assert second["understood"] == "Người ký — Kế hoạch 2502/KH-UBND"
    assert "Kế hoạch 2502/KH-UBND" in second["question"]
    assert sources(second) <= {TN}
    if not second["grounded"]:  # the page carries no signature: said of that plan, not answered from another
        assert second["answer"].startswith("Kế hoạch 2502/KH-UBND không")


def test_a_refused_question_still_sets_the_threads_document(client):
    first = ask(client, "Nghị định 32/2024/NĐ-CP quy định mức lương tối thiểu vùng là bao nhiêu?")
    assert not first["grounded"] and first["citations"] == []  # the decree does not say
    second = ask(client, "Văn bản đó do ai ký?", first["session_id"])
    assert second["understood"] == "Người ký — Nghị định 32/2024/NĐ-CP"
    assert second["grounded"] and sources(second) == {ND} and "Trần Hồng Hà" in second["answer"]


@pytest.mark.xfail(reason="issue 14/15: the verifier (precision 0.80 operating point) refuses the first turn, a unit's "
                   "duties under a heading that names the unit, so there is no list to point into", strict=False)
def test_an_ordinal_is_that_item_of_the_last_list(client):
    first = ask(client, "Ủy ban nhân dân các xã ở huyện Đông Sơn phải làm những gì?")
    assert first["grounded"] and sources(first) == {DS}
    second = ask(client, "Nói rõ ý thứ ba", first["session_id"])
    assert second["grounded"] and "Chủ động đấu mối" in second["answer"]
    assert sources(second) == {DS} and second["understood"].startswith("Ý thứ 3: Chủ động đấu mối")
    third = ask(client, "còn ý thứ năm?", first["session_id"])
    assert not third["grounded"] and third["answer"] == "Câu trả lời trước chỉ có 3 ý."


def test_a_new_question_about_another_document_starts_fresh(client):
    first = ask(client, THREAD[0])
    second = ask(client, "Nghị định 32/2024/NĐ-CP có hiệu lực từ ngày nào?", first["session_id"])
    assert second["grounded"] and sources(second) == {ND} and "01 tháng 5 năm 2024" in second["answer"]
    assert second["understood"] == "Ngày có hiệu lực — Nghị định 32/2024/NĐ-CP"


def test_the_stream_carries_the_understood_question_first(client):
    first = ask(client, THREAD[0])
    events = []
    with client.stream("POST", "/api/chat", json={"message": THREAD[1], "session_id": first["session_id"]},
                       headers={"Accept": "text/event-stream"}) as r:
        name = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line[5:])))
    assert events[0][0] == "citations" and events[-1][0] == "done"
    assert events[0][1]["understood"] == events[-1][1]["understood"] == "Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3"


def test_a_thread_rebuilt_from_its_questions_reads_as_the_session_did(services):
    chat = services.chat
    session = None
    for question in THREAD:
        result = chat.ask(question, session, use_llm=False)
        session = result.session_id
        replayed = chat.ask_thread(THREAD[:THREAD.index(question) + 1], use_llm=False)
        assert replayed.answer.text == result.answer.text
        assert replayed.answer.debug["understood"] == result.answer.debug["understood"]


def test_a_message_asking_two_things_answers_each_from_the_same_document(client):
    # "ai ký, ký hôm nào?": two questions; the second shares the first's subject.
    out = ask(client, "Kế hoạch 159/KH-UBND do ai ký vậy, ban hành hôm nào?")
    assert out["grounded"] and sources(out) == {QN}
    assert "Nguyễn Thị Hạnh" in out["answer"] and "26 tháng 8 năm 2021" in out["answer"]
    # One numbering for both parts' citations.
    assert [c["n"] for c in out["citations"]] == list(range(1, len(out["citations"]) + 1))
    assert all(f"[{c['n']}]" in out["answer"] for c in out["citations"])


def test_a_documents_own_fact_asked_with_no_subject_is_the_threads_document(client):
    first = ask(client, "Quyết định 1117/QĐ-BNV ban hành kế hoạch gì?")
    second = ask(client, "ai ký?", first["session_id"])
    assert sources(second) <= {"asean/bonoivu-1117-qd-bnv-2021.txt"}
    third = ask(client, "Kế hoạch 159/KH-UBND có mục đích gì?")
    fourth = ask(client, "ban hành ngày nào?", third["session_id"])
    assert fourth["grounded"] and sources(fourth) == {QN} and "26 tháng 8 năm 2021" in fourth["answer"]


def test_a_role_the_focus_lacks_comes_from_the_same_units_task_the_follow_up_names(client):
    # the task in focus (building the plan) reports to no one; the same office's compiling task does
    first = ask(client, "Phòng nào ở huyện Đông Sơn xây dựng kế hoạch tuyên truyền ASEAN giai đoạn 2021-2025?")
    assert first["grounded"] and sources(first) == {DS}
    second = ask(client, "Phòng ấy tổng hợp kết quả rồi gửi báo cáo cho ai?", first["session_id"])
    assert second["grounded"] and sources(second) == {DS}
    assert "UBND tỉnh" in second["answer"] or "Ủy ban nhân dân tỉnh" in second["answer"]
    assert all(c["section"].startswith("III.1") for c in second["citations"])


TT14 = "legal/TT-14-2024-che-do-bao-cao-mau-van-ban-CCN.docx"


def test_an_item_that_names_a_unit_is_asked_through_that_units_task(client):
    first = ask(client, "Theo Thông tư 14/2024/TT-BCT, những đối tượng nào phải thực hiện chế độ báo cáo định kỳ về cụm công nghiệp?")
    assert first["grounded"] and sources(first) == {TT14}
    # "b) Ủy ban nhân dân cấp huyện;" is a list item, not a task: its deadline is in that unit's own duty
    second = ask(client, "Cơ quan thứ hai phải gửi báo cáo hạn chót là ngày nào?", first["session_id"])
    assert second["grounded"] and sources(second) == {TT14}
    assert "25 tháng 6" in second["answer"]
    third = ask(client, "Báo cáo đó gửi cho cơ quan nào?", first["session_id"])
    assert third["grounded"] and "Sở Công Thương" in third["answer"]


def test_the_document_a_plan_carries_out_then_another_provinces(client):
    """"… thực hiện quyết định nào?" asks what the plan rests on, read from its opening — not
    the plan's own số hiệu — and the follow-up asks it of another province's plan."""
    first = ask(client, "Kế hoạch tuyên truyền ASEAN của huyện Đông Sơn thực hiện theo văn bản nào của tỉnh?")
    assert first["grounded"] and sources(first) == {DS}
    assert first["answer"].startswith("Kế hoạch số 217/KH-UBND ngày 04/10/2021 của UBND tỉnh Thanh Hoá [1]")
    assert first["understood"].startswith("Văn bản căn cứ — ")
    assert first["citations"][0]["quote"].startswith("Thực hiện Kế hoạch số 217/KH-UBND")
    second = ask(client, "Thế Quảng Ninh thì kế hoạch của tỉnh thực hiện quyết định nào?", first["session_id"])
    assert second["grounded"] and sources(second) == {QN}
    assert "Quyết định số 1160/QĐ-TTg" in second["answer"] and "159/KH-UBND" not in second["answer"]


def test_other_figures_in_a_follow_up_are_another_task_of_the_same_article(client):
    tt15 = "legal/TT-15-2026-BCT-text.doc"
    first = ask(client, "Theo Thông tư 15/2026/TT-BCT, cơ quan nào cấp giấy phép vận chuyển hàng hóa nguy hiểm loại 5 và loại 8?")
    assert first["grounded"] and "Cục Hóa chất" in first["answer"] and sources(first) == {tt15}
    second = ask(client, "còn loại 1, 2, 3, 4, 9 thì ai cấp?", first["session_id"])
    assert second["grounded"] and sources(second) == {tt15}
    assert second["answer"].startswith("Đơn vị chủ trì: Ủy ban nhân dân cấp tỉnh [1]")
    # another document named with the same role: the one task of that letter holding the question's words
    third = ask(client, "Công văn 2265 của Bộ Công Thương triển khai việc này thì đề nghị ai tổ chức cấp phép?",
                first["session_id"])
    assert third["grounded"] and sources(third) == {"legal/CV-2265-BCT-ATMT-trien-khai.pdf"}
    assert third["answer"].startswith("Đơn vị chủ trì: Ủy ban nhân dân các tỉnh, thành ph")


def test_a_units_duties_in_the_document_a_thread_turns_to(client):
    first = ask(client, "Quảng Ninh tuyên truyền ASEAN qua hệ thống thông tin cơ sở như thế nào?")
    assert first["grounded"]
    second = ask(client, "ở Đông Sơn thì UBND các xã, thị trấn phải làm gì?", first["session_id"])
    assert second["grounded"] and sources(second) == {"asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"}
    assert "Xây dựng tin, bài tuyên truyền trên hệ thống đài truyền thanh" in second["answer"]


def test_a_unit_the_follow_up_names_as_its_subject_asks_of_its_own_task(client):
    # The thread is on the enterprises' reporting duty (Điều 27.1); "Sở GTVT thì …" asks the same
    # of the Sở's own duty (27.2), not of the enterprises'.
    first = ask(client, "Doanh nghiệp vận tải đường bộ qua biên giới phải nộp báo cáo định kỳ cho cơ quan nào theo Thông tư 37?")
    assert first["grounded"]
    second = ask(client, "Sở GTVT thì lại báo cáo lên đâu, hạn bao giờ?", first["session_id"])
    assert second["grounded"] and "Cục Đường bộ Việt Nam" in second["answer"]
    assert "Trước ngày 10 tháng 07" in second["answer"]


def test_a_letters_partners_are_those_it_sends_a_copy_to_coordinate(client):
    # "Nơi nhận: … Cục Cảnh sát giao thông (để p/h)": the letter's one request has those partners,
    # and "văn bản này … để phối hợp?" asks the document the thread points at.
    first = ask(client, "Công văn 2265 của Bộ Công Thương có nói thủ tục cấp giấy phép vận chuyển hàng nguy hiểm "
                        "loại 1,2,3,4,9 được công bố tại quyết định nào không?")
    second = ask(client, "văn bản này gửi những cục nào bên công an để phối hợp?", first["session_id"])
    assert second["grounded"] and sources(second) == {"legal/CV-2265-BCT-ATMT-trien-khai.pdf"}
    assert "Cục Cảnh sát giao thông" in second["answer"] and "Cục Cảnh sát PCCC và CNCH" in second["answer"]
