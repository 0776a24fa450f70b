"""Subjects of normative sentences in laws and decrees: the formula of competence between a
subject and its verb ("trong phạm vi được phân công", "theo thẩm quyền"), bodies named by their
mission ("Ban chỉ đạo phòng, chống …") introducing "nhiệm vụ, quyền hạn sau đây", and verbs the
verb list does not know after a name whose end is sure. Generated sentences only."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.actors import defined_actor_terms, document_terms, modal_subject
from ingest.assignment_sentences import clause_roles, clauses
from ingest.assignments import generic_intro
from ingest.tasks import extract_tasks
from tests.conftest import parse_text
from ingest.units import find_units


def _tasks_of(tmp_path: Path, text: str):
    return extract_tasks(parse_text(tmp_path, text))


@pytest.mark.parametrize("clause,subject", [
    ("Bộ Công an, Bộ Quốc phòng và Ủy ban nhân dân các cấp trong phạm vi được phân công có trách nhiệm "
     "xây dựng phương án", ["Bộ Công an", "Bộ Quốc phòng", "Ủy ban nhân dân các cấp"]),
    ("Hội Nông dân tỉnh trong phạm vi nhiệm vụ, quyền hạn của mình có trách nhiệm vận động hội viên",
     ["Hội Nông dân tỉnh"]),
    ("Sở Tài chính, trong phạm vi chức năng, nhiệm vụ được giao, có trách nhiệm bố trí kinh phí",
     ["Sở Tài chính"]),
    ("Cơ quan thuế theo thẩm quyền có trách nhiệm kiểm tra hồ sơ", ["Cơ quan thuế"]),
])
def test_the_formula_of_competence_is_no_part_of_the_subject(clause, subject):
    found = modal_subject(clause)
    assert found is not None and found[0] == subject


def test_formula_of_competence_before_an_action_verb():
    roles = clause_roles("Ủy ban nhân dân cấp tỉnh theo thẩm quyền quyết định việc bố trí kinh phí.")
    assert roles and roles["lead"] == ["Ủy ban nhân dân cấp tỉnh"]


@pytest.mark.parametrize("intro", [
    "Ban chỉ đạo phòng, chống thiên tai cấp tỉnh có nhiệm vụ, quyền hạn sau đây:",
    "Sở Tư pháp có nhiệm vụ và quyền hạn sau:",
    "Bộ Y tế có trách nhiệm, quyền hạn như sau:",
])
def test_duties_and_powers_intro_hands_over_its_list(intro):
    assert generic_intro(intro) is True


def test_mission_named_body_heads_its_duties_and_powers(tmp_path):
    text = ("Điều 13. Nhiệm vụ của Ban chỉ đạo\n\n"
            "1. Ban chỉ đạo phòng, chống thiên tai cấp tỉnh có nhiệm vụ, quyền hạn sau đây:\n\n"
            "a) Tham mưu cho Ủy ban nhân dân tỉnh trong việc chỉ đạo ứng phó thiên tai;\n\n"
            "b) Kiểm tra, đôn đốc các sở, ngành thực hiện phương án.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Ban chỉ đạo phòng, chống thiên tai cấp tỉnh"]] * 2


def test_unknown_verb_after_a_defined_party():
    text = "Điều 2. Giải thích từ ngữ\n\n1. Bên bán điện là tổ chức, cá nhân sở hữu nhà máy điện.\n"
    with document_terms(defined_actor_terms(text)):
        roles = clause_roles("1. Bên bán điện thuê tư vấn lập báo cáo chi phí hằng năm.")
        assert roles and roles["lead"] == ["Bên bán điện"]
        # the words up to a duty modal are still the subject: the modal reads it whole
        roles = clause_roles("3. Bên bán điện đấu nối vào cấp điện áp 110 kV có trách nhiệm lắp đặt thiết bị.")
        assert roles and roles["lead"] == ["Bên bán điện đấu nối vào cấp điện áp 110 kV"]


@pytest.mark.parametrize("clause", [
    # a group's name runs on ("các cấp điều độ"): no unknown verb is read after "các cấp"
    "Trường hợp có nhiều cấp điều độ, các cấp điều độ phải có trách nhiệm thống nhất phương thức vận hành.",
    # a verb that needs an object of its own is not skipped over: the body asks, it does not do
    "Trên cơ sở các nội dung trên, Ban Tuyên giáo tỉnh yêu cầu duy trì công tác phối hợp.",
])
def test_unknown_verbs_are_not_read_after_a_name_that_may_go_on(clause):
    roles = clause_roles(clause) or {}
    assert "Các cấp" not in roles.get("lead", []) and "Ban Tuyên giáo tỉnh" not in roles.get("lead", [])


def test_cases_are_not_schools():
    assert [u.text for u in find_units("Các trường hợp điều chỉnh; các trường học tổ chức ngoại khóa")] == \
        ["các trường học"]


def test_item_that_names_its_own_doer_under_a_group_heading(tmp_path):
    text = ("Điều 8. Tổ chức thực hiện\n\n"
            "2. Các Bộ, cơ quan liên quan có trách nhiệm:\n\n"
            "a) Bộ Tài chính phối hợp với Bộ Công Thương thực hiện Quyết định này với vai trò là cơ quan quản lý giá;\n\n"
            "b) Tham gia ý kiến đối với các nội dung liên quan trong phạm vi quản lý.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [(t.lead_units, t.partner_units) for t in tasks] == [
        (["Bộ Tài chính"], ["Bộ Công Thương"]),
        (["Các Bộ, cơ quan liên quan"], []),
    ]


def test_a_comma_inside_a_list_of_classes_starts_no_subject():
    # "các tổ chức, cá nhân …" is one class: "cá nhân …" after its comma is not the subject
    assert modal_subject("Yêu cầu các tổ chức, cá nhân có liên quan tại địa phương phải tuân thủ quy trình.") is None
    assert modal_subject("Trước ngày 15 hằng năm, Sở Công Thương có trách nhiệm báo cáo.")[0] == ["Sở Công Thương"]


def test_form_templates_to_fill_in_assign_nothing(tmp_path):
    text = ("Điều 5. Trách nhiệm\n\n"
            "1. Đơn vị phân phối điện có trách nhiệm thỏa thuận đấu nối với khách hàng.\n\n"
            "Điều 6. Trách nhiệm của các bên trong thỏa thuận mẫu\n\n"
            "1. Trách nhiệm của Bên A\n\n"
            "[Tên Đơn vị phân phối điện] có trách nhiệm đầu tư xây dựng lưới điện đến điểm đấu nối.\n\n"
            "2. Trách nhiệm của Bên B\n\n"
            "a) [Tên khách hàng đề nghị đấu nối] cam kết quản lý, vận hành nhà máy điện;\n\n"
            "b) ..........................................................................\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Đơn vị phân phối điện"]]


def test_parties_between_which_something_happens_are_not_the_subject():
    clause = ("3. Hình thức trao đổi thông tin giữa Đơn vị phân phối điện, Khách hàng sử dụng lưới điện và "
              "Đơn vị bán lẻ điện với Cấp điều độ phải tuân theo quy trình điều độ.")
    assert modal_subject(clause) is None


def test_complete_head_written_in_lower_case_after_its_first_word():
    assert [u.text for u in find_units("Phối hợp với Kho bạc nhà nước tỉnh và Bộ đội biên phòng tỉnh thực hiện")] == \
        ["Kho bạc nhà nước tỉnh", "Bộ đội biên phòng tỉnh"]
    roles = clause_roles("4. Phối hợp với Kho bạc nhà nước tỉnh thu tiền sử dụng đất.")
    assert roles and roles["partner"] == ["Kho bạc nhà nước tỉnh"]


def test_courts_and_procuracies_are_units_of_every_level():
    assert [u.text for u in find_units("Viện kiểm sát nhân dân, Tòa án nhân dân tối cao và Tòa án nhân dân cấp tỉnh")] \
        == ["Viện kiểm sát nhân dân", "Tòa án nhân dân tối cao", "Tòa án nhân dân cấp tỉnh"]
    roles = clause_roles("Viện kiểm sát nhân dân, Tòa án nhân dân trong phạm vi nhiệm vụ, quyền hạn của mình "
                         "kịp thời xử lý hành vi phạm tội.")
    assert roles and roles["lead"] == ["Viện kiểm sát nhân dân", "Tòa án nhân dân"]


def test_organs_of_a_parent_body_are_units():
    # a lower-case descriptor closed by the parent body, and plural organs "of" it
    clause = ("Ủy ban thường vụ Quốc hội, Hội đồng Dân tộc, các Ủy ban khác của Quốc hội, các đoàn đại biểu "
              "Quốc hội và các đại biểu Quốc hội, Mặt trận Tổ quốc Việt Nam theo chức năng, nhiệm vụ, giám sát "
              "việc thực hiện các chương trình.")
    assert clause_roles(clause)["lead"] == [
        "Ủy ban thường vụ Quốc hội", "Hội đồng Dân tộc", "Các Ủy ban khác của Quốc hội",
        "Các đoàn đại biểu Quốc hội", "Các đại biểu Quốc hội", "Mặt trận Tổ quốc Việt Nam"]
    assert [u.text for u in find_units("Ban thường vụ Tỉnh ủy chỉ đạo.")] == ["Ban thường vụ Tỉnh ủy"]
    # a lower-case word after a head with no parent body after it is a common word
    assert find_units("Ban hành kế hoạch tuyên truyền.") == []


@pytest.mark.parametrize("clause, lead", [
    # "tiếp tục" before a verb the list lacks; verbs of programmes and budgets
    ("Trong quá trình điều hành, Chính phủ tiếp tục cân đối ngân sách trung ương.", "Chính phủ"),
    ("Thủ tướng Chính phủ thành lập Ban Chỉ đạo thực hiện Chương trình.", "Thủ tướng Chính phủ"),
    # a role designation: "là cơ quan chủ trì / tổng hợp / thường trực"
    ("Bộ Kế hoạch và Đầu tư là cơ quan tổng hợp 2 Chương trình", "Bộ Kế hoạch và Đầu tư"),
    ("Sở Nông nghiệp và Phát triển nông thôn là cơ quan chủ trì Chương trình xây dựng nông thôn mới",
     "Sở Nông nghiệp và Phát triển nông thôn"),
])
def test_subject_before_a_programme_verb_or_a_role_designation_leads(clause, lead):
    assert clause_roles(clause)["lead"] == [lead]


def test_membership_is_no_role():
    assert clause_roles("Ủy ban Dân tộc và các bộ, ngành có liên quan là thành viên Ban Chỉ đạo.") is None


def test_directing_coordinated_after_a_modal_is_the_subjects_duty(tmp_path):
    # "X có trách nhiệm hướng dẫn, chỉ đạo Y thực hiện các công việc sau đây:" — X leads the items;
    # an article's label is no subject, and a named unit's parent ("thuộc Bộ …") only narrows it
    text = ("QUYẾT ĐỊNH\nĐiều 17. Cục Đường bộ Việt Nam thuộc Bộ Giao thông vận tải, Sở Giao thông vận tải có "
            "trách nhiệm hướng dẫn, chỉ đạo các đơn vị quản lý đường bộ trực thuộc thực hiện các công việc sau đây:\n"
            "1. Bố trí đầy đủ các tín hiệu, báo hiệu giao thông đường bộ;\n"
            "2. Quản lý, duy tu, sửa chữa công trình giao thông đường bộ.\n")
    tasks = [t for t in _tasks_of(tmp_path, text) if t.task.startswith(("Bố trí", "Quản lý"))]
    assert len(tasks) == 2
    assert all(t.lead_units == ["Cục Đường bộ Việt Nam", "Sở Giao thông vận tải"] for t in tasks)


def test_a_class_word_before_a_proper_name_opens_a_list_entry():
    from ingest.actors import split_actors
    assert split_actors("Lực lượng Cảnh sát nhân dân, lực lượng Kiểm soát quân sự và các cơ quan bảo vệ pháp "
                        "luật ở địa phương") == ["Lực lượng Cảnh sát nhân dân", "lực lượng Kiểm soát quân sự",
                                                 "các cơ quan bảo vệ pháp luật ở địa phương"]
    assert split_actors("Tổ chức, cá nhân trong nước") == ["Tổ chức, cá nhân trong nước"]
    # "trực thuộc Trung ương" is part of the name of a class of provinces
    assert split_actors("Chủ tịch Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương") == [
        "Chủ tịch Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương"]


def test_tổ_chức_before_an_activity_is_the_verb_organise(tmp_path):
    text = ("NGHỊ ĐỊNH\nĐiều 30. Trách nhiệm của Ủy ban nhân dân cấp tỉnh\n"
            "1. Ban hành văn bản hướng dẫn thực hiện các quy định về bảo vệ công trình;\n"
            "2. Tổ chức bộ máy quản lý, bảo vệ các hệ thống đường bộ địa phương;\n"
            "3. Tổ chức tuyên truyền, phổ biến, giáo dục pháp luật.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Ủy ban nhân dân cấp tỉnh"]] * 3
    from ingest.assignments import _ORGANISE
    for noun in ("Tổ chức, cá nhân sử dụng đất", "Tổ chức chính trị - xã hội", "Tổ chức Y tế thế giới",
                 "Tổ chức được cấp giấy phép"):
        assert not _ORGANISE.match(noun)


def test_a_listed_class_of_localities_is_one_unit_and_semicolons_may_continue_a_subject():
    from ingest.units import unit_list_at
    clause = ("Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương; Ủy ban nhân dân huyện, quận, thị xã, thành phố "
              "thuộc tỉnh; Ủy ban nhân dân xã, phường, thị trấn lập quy hoạch sử dụng đất đai của địa phương mình.")
    assert [u.text for u in unit_list_at("Ủy ban nhân dân xã, phường, thị trấn lập quy hoạch", 0)] == [
        "Ủy ban nhân dân xã, phường, thị trấn"]
    # a capitalised place after the comma is a place of its own
    assert [u.text for u in unit_list_at("Ủy ban nhân dân huyện, xã Đông Hòa", 0)] == ["Ủy ban nhân dân huyện"]
    tasks = [t for s, e in clauses(clause) if (t := clause_roles(clause[s:e]))]
    assert len(tasks) == 1 and tasks[0]["lead"] == [
        "Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương", "Ủy ban nhân dân huyện, quận, thị xã, thành phố thuộc tỉnh",
        "Ủy ban nhân dân xã, phường, thị trấn"]


@pytest.mark.parametrize("text, unit", [
    ("chỉ đạo ủy ban nhân dân cấp xã thực hiện", "Ủy ban nhân dân cấp xã"),  # laws write it in lower case
    ("ủy ban nhân dân địa phương nhận được tin báo", "Ủy ban nhân dân địa phương"),
    ("Ủy ban nhân dân cấp trên xét duyệt quy hoạch", "Ủy ban nhân dân cấp trên"),
    ("phối hợp với các Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương", "Các Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương"),
])
def test_elected_bodies_in_any_case_level_and_number(text, unit):
    assert unit in [u.name for u in find_units(text)]


def test_who_directs_and_who_is_directed_each_get_their_duty(tmp_path):
    text = ("NGHỊ ĐỊNH\nĐiều 16. Bảo vệ hành lang\nUỷ ban nhân dân cấp huyện chỉ đạo ủy ban nhân dân cấp xã chủ trì "
            "phối hợp với các đơn vị quản lý đường bộ cơ sở tổ chức bảo vệ hành lang bảo vệ công trình giao thông.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [(t.lead_units, t.quote.split()[-1]) for t in tasks] == [
        (["Ủy ban nhân dân cấp huyện"], "đạo"), (["Ủy ban nhân dân cấp xã"], "thông")]


def test_an_intro_that_states_a_duty_and_hands_on_its_powers(tmp_path):
    text = ("LUẬT\nĐiều 5. Trách nhiệm quản lý nhà nước\n2. Bộ Y tế chịu trách nhiệm trước Chính phủ thực hiện quản lý "
            "nhà nước về phòng, chống tác hại của thuốc lá và có các nhiệm vụ, quyền hạn sau đây:\n"
            "a) Tổ chức thông tin, giáo dục, truyền thông về phòng, chống tác hại của thuốc lá;\n"
            "b) Hợp tác quốc tế về phòng, chống tác hại của thuốc lá.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Bộ Y tế"]] * 3
    assert tasks[0].task.endswith("tác hại của thuốc lá") and tasks[1].task.startswith("Tổ chức thông tin")


def test_service_bodies_named_by_what_they_serve_head_their_duties():
    from ingest.assignments import unit_heading
    assert unit_heading("1. Trạm y tế cấp xã có trách nhiệm sau đây:", heading=True)[0] == ["Trạm y tế cấp xã"]
    assert unit_heading("2. Trung tâm hỗ trợ phát triển giáo dục hòa nhập có nhiệm vụ sau đây:", heading=True)[0] == [
        "Trung tâm hỗ trợ phát triển giáo dục hòa nhập"]


def test_rights_conditions_and_a_titles_topic_are_no_duty_or_name(tmp_path):
    text = ("LUẬT\nĐiều 6. Trách nhiệm của người đứng đầu cơ quan, tổ chức trong phòng, chống tác hại của thuốc lá\n"
            "1. Đưa nội dung phòng, chống tác hại của thuốc lá vào kế hoạch hoạt động hằng năm.\n"
            "Điều 7. Quyền của người quản lý địa điểm\n1. Người quản lý địa điểm cấm hút thuốc lá có các quyền sau đây:\n"
            "a) Yêu cầu người vi phạm ra khỏi cơ sở của mình;\n"
            "Điều 8. Điều kiện\n1. Doanh nghiệp công nghệ cao phải có đủ các điều kiện sau đây:\n"
            "a) Sản xuất sản phẩm công nghệ cao thuộc Danh mục.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [(t.lead_units, t.task[:7]) for t in tasks] == [(["Người đứng đầu cơ quan, tổ chức"], "Đưa nội")]


def test_a_reporting_regime_record_is_one_task_read_by_its_field_labels(tmp_path):
    """A report laid down as labelled fields: the reporter leads, the recipient is reported to,
    the deadline is the task's; the letters and the fields between do not matter."""

    text = ("THÔNG TƯ\nQuy định chế độ báo cáo\n"
            "Điều 9. Chế độ báo cáo\n"
            "1. Báo cáo tình hình thực hiện chương trình của địa phương\n"
            "a) Tên báo cáo: Báo cáo tình hình thực hiện chương trình;\n"
            "b) Nội dung yêu cầu báo cáo: Kết quả thực hiện;\n"
            "c) Đối tượng thực hiện báo cáo: Sở Tài chính;\n"
            "d) Cơ quan nhận báo cáo: Bộ Tài chính;\n"
            "đ) Tần suất thực hiện báo cáo: Định kỳ 06 tháng;\n"
            "e) Thời hạn gửi báo cáo: Trước ngày 15 tháng 7 hằng năm;\n"
            "2. Báo cáo của doanh nghiệp\n"
            "a) Chủ thể báo cáo: Doanh nghiệp nhà nước;\n"
            "b) Nơi nhận báo cáo: Sở Tài chính nơi doanh nghiệp đặt trụ sở chính;\n"
            "3. Phương thức gửi báo cáo: văn bản giấy hoặc điện tử.\n")
    tasks = [t for t in extract_tasks(parse_text(tmp_path, text)) if "Điều 9" in t.section]
    assert [(t.lead_units, t.report_to) for t in tasks] == [
        (["Sở Tài chính"], ["Bộ Tài chính"]),
        (["Doanh nghiệp nhà nước"], ["Sở Tài chính"]),  # "nơi …" says which one, names no more units
    ]
    assert tasks[0].task.startswith("Báo cáo tình hình thực hiện chương trình của địa phương")
    assert tasks[0].deadline.startswith("Trước ngày 15 tháng 7")
    assert "c) Đối tượng thực hiện báo cáo: Sở Tài chính" in tasks[0].quote


def test_a_numbered_sentence_in_an_article_on_duties_is_no_actor_heading(tmp_path):
    # "1. Chính phủ thống nhất quản lý nhà nước về …" under "Trách nhiệm quản lý nhà nước": a name,
    # then its verb — a duty of the Government, not an actor called by the whole line
    text = ("LUẬT\nPHÒNG, CHỐNG TÁC HẠI CỦA THUỐC LÁ\n"
            "Điều 5. Trách nhiệm quản lý nhà nước về phòng, chống tác hại của thuốc lá\n"
            "1. Chính phủ thống nhất quản lý nhà nước về phòng, chống tác hại của thuốc lá.\n"
            "2. Bộ Y tế chịu trách nhiệm trước Chính phủ thực hiện quản lý nhà nước về phòng, chống tác hại của thuốc lá.\n")
    tasks = [t for t in extract_tasks(parse_text(tmp_path, text)) if "Điều 5" in t.section]
    assert [t.lead_units for t in tasks] == [["Chính phủ"], ["Bộ Y tế"]]


def test_a_council_named_by_its_mission_ends_before_a_verb_or_a_negation():
    assert [u.name for u in find_units("Trường hợp cần thiết, Chủ tịch Hội đồng tuyển dụng thành lập Tổ thư ký")] \
        == ["Hội đồng tuyển dụng"]
    assert [u.name for u in find_units("Hội đồng tuyển dụng không chịu trách nhiệm về việc này")] == ["Hội đồng tuyển dụng"]
    assert [u.name for u in find_units("Hội đồng thành phố họp")] == ["Hội đồng thành phố"]


def test_obligations_listed_under_a_party_are_its_duties(tmp_path):
    text = ("Điều 23. Quyền và nghĩa vụ của đơn vị bao thanh toán\n"
            "1. Đơn vị bao thanh toán có nghĩa vụ sau đây:\n"
            "a) Cung cấp các thông tin, tài liệu liên quan cho cơ quan nhà nước có thẩm quyền;\n"
            "b) Thực hiện lưu trữ hồ sơ bao thanh toán theo quy định của pháp luật.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Đơn vị bao thanh toán"], ["Đơn vị bao thanh toán"]]
    assert modal_subject("Tổ chức tín dụng có nghĩa vụ lưu trữ hồ sơ")[0] == ["Tổ chức tín dụng"]


def test_a_heading_naming_whom_its_items_concern_heads_no_duties(tmp_path):
    text = ("Điều 18. Tiếp nhận vào công chức\n"
            "1. Đối tượng tiếp nhận:\n"
            "a) Viên chức công tác tại đơn vị sự nghiệp công lập;\n"
            "b) Cán bộ, công chức cấp xã.\n"
            "2. Cơ quan quản lý công chức có trách nhiệm:\n"
            "a) Kiểm tra hồ sơ của người được đề nghị tiếp nhận;\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Cơ quan quản lý công chức"]]
