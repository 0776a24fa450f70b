"""Assignment grammar of decrees, circulars and decisions: intros that end in a colon (a duty of
their own, or a doer handed the list below), headings that leave out their colon, article
paragraphs that head the numbered items under them. Generated documents, plus real ones from
the shared corpus that are not among the held-out gold documents."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.assignments import generic_intro, unit_heading
from ingest.pipeline import parse_file
from ingest.tasks import extract_tasks
from tests.conftest import parse_text

SCALE = Path(__file__).resolve().parent.parent.parent / "shared" / "scale-corpus"


def _tasks_of(tmp_path: Path, text: str):
    doc = parse_text(tmp_path, text)
    return doc, extract_tasks(doc)


@pytest.mark.parametrize("intro,generic", [
    ("Đơn vị X có trách nhiệm thực hiện các công việc sau đây:", True),
    ("Giao Sở Y tế thực hiện các nội dung sau:", True),
    ("Sở Nội vụ có trách nhiệm:", True),
    ("Bộ Tài chính chủ trì thực hiện các nhiệm vụ chủ yếu sau:", True),
    ("Khách hàng có trách nhiệm cung cấp các thông tin sau:", False),
    ("Đơn vị phân phối điện phải lập kế hoạch dựa trên các căn cứ sau:", False),
])
def test_generic_intro_hands_over_its_list(intro, generic):
    assert generic_intro(intro) is generic


def test_intro_that_is_a_duty_of_its_own_is_one_task(tmp_path):
    text = ("Điều 20. Dự báo nhu cầu phụ tải\n\n"
            "1. Trước ngày 15 hàng tháng, Công ty Điện lực tỉnh phải gửi cho Sở Công Thương các tài liệu sau:\n\n"
            "a) Sản lượng điện năng tiêu thụ của tháng trước;\n\n"
            "b) Dự báo công suất cực đại của tháng tới.\n\n"
            "2. Hàng tuần, Trung tâm Điều độ có trách nhiệm lập phương thức vận hành dựa trên các căn cứ sau:\n\n"
            "a) Kế hoạch bảo dưỡng đã công bố;\n\n"
            "b) Thông tin do khách hàng cung cấp.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Công ty Điện lực tỉnh"], ["Trung tâm Điều độ"]]
    assert tasks[0].deadline and tasks[0].deadline.startswith("Trước ngày 15")
    assert tasks[1].deadline == "Hàng tuần"


def test_generic_intro_heads_the_points_below(tmp_path):
    text = ("Điều 44. Trình tự thỏa thuận\n\n"
            "2. Sau khi nhận được hồ sơ hợp lệ, Đơn vị quản lý lưới điện có trách nhiệm thực hiện các công việc sau đây:\n\n"
            "a) Xem xét các yêu cầu liên quan đến thiết bị tại điểm đấu nối;\n\n"
            "b) Dự thảo văn bản thỏa thuận và gửi cho khách hàng.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Đơn vị quản lý lưới điện"]] * 2
    assert tasks[0].task.startswith("Xem xét")


def test_article_paragraph_heads_the_numbered_items_under_it(tmp_path):
    text = ("Điều 77. Vận hành khi xảy ra sự cố\n\n"
            "Trường hợp xảy ra sự cố gây mất điện trên diện rộng, Đơn vị phân phối điện có trách nhiệm:\n\n"
            "1. Khẩn trương cô lập và xử lý sự cố theo quy trình.\n\n"
            "2. Thông báo thông tin sự cố cho Cấp điều độ có quyền điều khiển.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Đơn vị phân phối điện"]] * 2
    assert [t.shape for t in tasks] == ["unit_heading"] * 2


def test_heading_without_its_colon_still_heads_duties():
    found = unit_heading("2. Khách hàng sử dụng lưới điện phân phối có trách nhiệm", heading=True)
    assert found is not None and found[0] == ["Khách hàng sử dụng lưới điện phân phối"]
    assert unit_heading("2. Sở Tài chính có trách nhiệm", heading=True)[0] == ["Sở Tài chính"]
    # a sentence that states the duty is no heading of duties
    assert unit_heading("1. Đơn vị phân phối điện có trách nhiệm lập kế hoạch bảo dưỡng", heading=True) is None


@pytest.mark.parametrize("text,expected", [
    ("a) Trước ngày 15 hàng tháng, Công ty X phải gửi báo cáo", "Trước ngày 15 hàng tháng"),
    ("báo cáo trước ngày 15 tháng cuối quý", "trước ngày 15 tháng cuối quý"),
    ("Trước 16h00 thứ Năm hàng tuần, Đơn vị X phải công bố", "Trước 16h00 thứ Năm hàng tuần"),
    ("1. Trước ngày dự kiến đóng điện điểm đấu nối, khách hàng phải", "Trước ngày dự kiến đóng điện điểm đấu nối"),
    ("Chậm nhất 10 ngày làm việc trước ngày dự kiến đóng điện, X phải",
     "Chậm nhất 10 ngày làm việc trước ngày dự kiến đóng điện"),
    ("phải thông báo trước ít nhất 05 ngày cho khách hàng", "trước ít nhất 05 ngày"),
    ("1. Hàng ngày, căn cứ kế hoạch tuần, X lập phương thức", "Hàng ngày"),
    # a count in words, a comma before "kể từ", "tối đa là", a recurrence by "mỗi … lần"
    ("Trong thời hạn ba ngày, kể từ ngày ban hành quyết định xử phạt, cơ quan phải gửi",
     "Trong thời hạn ba ngày, kể từ ngày ban hành quyết định xử phạt"),
    ("phải trả lời chậm nhất là mười lăm ngày kể từ ngày nhận hồ sơ", "chậm nhất là mười lăm ngày kể từ ngày nhận hồ sơ"),
    ("giải quyết trong thời hạn tối đa là 10 ngày, kể từ ngày nhận được quyết định",
     "trong thời hạn tối đa là 10 ngày, kể từ ngày nhận được quyết định"),
    ("Thanh tra kiểm tra mỗi năm ít nhất một lần.", "mỗi năm ít nhất một lần"),
])
def test_more_deadline_shapes(text, expected):
    from ingest.deadlines import find_deadline
    assert find_deadline(text)[0] == expected


@pytest.mark.parametrize("text", ["Người dân có năm ngày để bổ sung.", "Trong thời gian năm 2024 chưa có báo cáo."])
def test_a_count_in_words_needs_the_words_of_a_period(text):
    from ingest.deadlines import find_deadline
    found = find_deadline(text)
    assert found is None or "2024" in found[0]


def test_a_recurrence_that_qualifies_a_noun_is_no_deadline():
    from ingest.deadlines import find_deadline
    assert find_deadline("rà soát công việc hàng ngày của cán bộ") is None


def test_closing_formula_lists_its_actors_across_a_semicolon(tmp_path):
    text = ("Điều 16. Hiệu lực thi hành\n\n1. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
            "2. Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố "
            "trực thuộc trung ương; Thủ trưởng các cơ quan, đơn vị có liên quan có trách nhiệm thi hành Quyết định này./.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert len(tasks) == 1
    assert tasks[0].lead_units[:3] == ["Các Bộ trưởng", "Thủ trưởng cơ quan ngang bộ",
                                       "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]
    assert len(tasks[0].lead_units) == 4
    # two clauses with their own predicates stay two
    from ingest.assignment_sentences import clauses
    assert len(clauses("Sở Tài chính bố trí kinh phí; Sở Nội vụ có trách nhiệm hướng dẫn.")) == 2


def test_a_provision_titled_by_its_own_sentence_is_no_goal_section(tmp_path):
    text = ("Điều 11. Ưu đãi về đất đai\n\n"
            "2. Căn cứ vào quy hoạch được phê duyệt, Ủy ban nhân dân cấp tỉnh tạo điều kiện thu xếp quỹ đất "
            "để chủ đầu tư thực hiện dự án.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Ủy ban nhân dân cấp tỉnh"]]


def test_responsibility_title_names_a_lower_case_class():
    assert unit_heading("Điều 10. Trách nhiệm của cơ quan thuế", heading=True)[0] == ["Cơ quan thuế"]
    assert unit_heading("Điều 8. Trách nhiệm của người sử dụng đất", heading=True)[0] == ["Người sử dụng đất"]
    assert unit_heading("Điều 63. Trách nhiệm của Đơn vị điều độ, Cấp điều độ có quyền điều khiển",
                        heading=True)[0] == ["Đơn vị điều độ", "Cấp điều độ có quyền điều khiển"]
    # a list of cases is no actor heading its duties
    assert unit_heading("3. Các trường hợp tách đấu nối bao gồm:", heading=True, in_duties=True) is None


def test_real_decree_responsibility_articles():
    path = SCALE / "vbpl" / "1682-q-ttg-2024.docx"
    if not path.exists():
        pytest.skip("shared corpus not present")
    doc = parse_file(path, "vbpl/1682-q-ttg-2024.docx", max_bytes=50 * 1024 * 1024, ocr=False)
    tasks = extract_tasks(doc)
    by_article = {}
    for t in tasks:
        by_article.setdefault(t.section.split(".")[0].split()[-1], set()).update(t.lead_units)
    assert "Cơ quan thuế" in by_article.get("10", set())
    assert "Người sử dụng đất" in by_article.get("8", set())


def test_office_holders_start_new_entries_even_in_lower_case():
    from ingest.actors import modal_subject
    names = modal_subject("Các Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương, "
                          "người đứng đầu các đơn vị điện lực chịu trách nhiệm thi hành Quyết định này")[0]
    assert names == ["Các Bộ trưởng", "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương",
                     "người đứng đầu các đơn vị điện lực"]


@pytest.mark.parametrize("sentence,leads", [
    ("Trong quá trình thực hiện, nếu phát sinh vướng mắc, tổ chức, cá nhân có trách nhiệm phản ánh về Bộ Công Thương.",
     ["Tổ chức, cá nhân"]),
    ("Trong quá trình thực hiện, nếu có vướng mắc, yêu cầu các đơn vị có liên quan phản ánh về Cục Điều tiết điện lực.",
     ["Các đơn vị có liên quan"]),
])
def test_a_class_obliged_by_a_modal_or_a_directive_leads(tmp_path, sentence, leads):
    _, tasks = _tasks_of(tmp_path, "Điều 9. Tổ chức thực hiện\n\n3. " + sentence + "\n")
    assert [t.lead_units for t in tasks] == [leads]


@pytest.mark.parametrize("clause,lead", [
    ("1. Bộ trưởng Bộ Công an đôn đốc, kiểm tra, hướng dẫn việc thực hiện Nghị định này.", "Bộ trưởng Bộ Công an"),
    ("Thống đốc Ngân hàng Nhà nước quyết định việc cho vay đặc biệt.", "Thống đốc Ngân hàng Nhà nước"),
    ("Bộ trưởng Bộ Tài chính đã ký văn bản.", None),  # a past event
    ("Chủ tịch Ủy ban nhân dân tỉnh ban hành Quyết định số 5.", None),  # issuing formula
])
def test_office_holder_doing_a_present_action_leads(clause, lead):
    from ingest.assignment_sentences import clause_roles
    roles = clause_roles(clause)
    assert (roles["lead"] if roles else None) == ([lead] if lead else None)


def test_joint_duty_to_cooperate_makes_both_subjects_leads():
    from ingest.actors import document_terms
    from ingest.assignment_sentences import clause_roles
    with document_terms(["Bên mua điện", "Bên bán điện"]):
        joint = clause_roles("1. Bên mua điện và Bên bán điện phải phối hợp, thiết lập và duy trì các biện pháp an toàn.")
        plain = clause_roles("2. Bên mua điện phối hợp với Bên bán điện kiểm tra thiết bị.")
    assert joint["lead"] == ["Bên mua điện", "Bên bán điện"] and joint["partner"] == []
    # "X phối hợp với Y kiểm tra …": X is the subject of the duty, Y its partner (the golds' convention)
    assert plain["lead"] == ["Bên mua điện"] and plain["partner"] == ["Bên bán điện"]


def test_partner_list_reads_the_documents_terms_when_they_go_further():
    from ingest.actors import document_terms
    from ingest.assignment_sentences import loose_roles
    with document_terms(["Cấp điều độ có quyền điều khiển", "Đơn vị truyền tải điện"]):
        roles = loose_roles("Đơn vị X có trách nhiệm phối hợp với các Cấp điều độ có quyền điều khiển, "
                            "Đơn vị truyền tải điện để thống nhất.")
    assert roles["partner"][0].lower() == "các cấp điều độ có quyền điều khiển"


def test_condition_hands_over_to_its_subject_after_thi():
    from ingest.actors import modal_subject
    assert modal_subject("2. Trường hợp không chấp thuận đề xuất của khách hàng thì Đơn vị phân phối điện phải "
                         "thông báo bằng văn bản")[0] == ["Đơn vị phân phối điện"]
    assert modal_subject("Nếu thiết bị không đạt yêu cầu thì phải thay thế") is None  # no subject named


def test_a_lead_column_names_a_group_as_lead():
    from ingest.assignments import role_value
    assert role_value("Các địa phương", "lead")["lead"] == ["Các địa phương"]
    assert role_value("Bộ Công an, các địa phương", "lead")["lead"] == ["Bộ Công an", "Các địa phương"]


def test_a_cell_lists_a_named_unit_then_a_class():
    from ingest.assignments import role_value
    assert role_value("Bộ Tài chính, bộ, ngành liên quan", "partner")["partner"] == ["Bộ Tài chính", "Bộ, ngành liên quan"]
    assert role_value("Các bộ, ngành, địa phương", "partner")["partner"] == ["Các bộ, ngành, địa phương"]
    # a head cut off at the end of a cell names no unit
    assert role_value("Bộ Thông tin và Truyền thông, Bộ Khoa học và Công nghệ, Bộ", "partner")["partner"] == [
        "Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"]


@pytest.mark.parametrize("clause,subject", [
    ("1. Người ra quyết định thanh tra có trách nhiệm giám sát hoạt động của Đoàn thanh tra.",
     ["Người ra quyết định thanh tra"]),
    ("Chậm nhất vào ngày 25 tháng 10 hằng năm, căn cứ vào Định hướng chương trình thanh tra, Tổng Thanh tra "
     "Chính phủ có trách nhiệm hướng dẫn Thanh tra Bộ.", ["Tổng Thanh tra Chính phủ"]),
    ("1. Trưởng đoàn thanh tra có trách nhiệm chủ trì xây dựng kế hoạch tiến hành thanh tra.", ["Trưởng đoàn thanh tra"]),
])
def test_persons_named_by_their_role_in_a_procedure(clause, subject):
    from ingest.actors import modal_subject
    assert modal_subject(clause)[0] == subject


def test_real_law_names_procedural_actors():
    path = SCALE / "vbpl" / "11-2022-qh15.docx"
    if not path.exists():
        pytest.skip("shared corpus not present")
    doc = parse_file(path, "vbpl/11-2022-qh15.docx", max_bytes=50 * 1024 * 1024, ocr=False)
    leads = {u for t in extract_tasks(doc) for u in t.lead_units}
    if not any("thanh tra" in u.lower() for u in leads):
        pytest.skip("not the inspection law in this copy of the corpus")
    assert "Trưởng đoàn thanh tra" in leads and "Người ra quyết định thanh tra" in leads


@pytest.mark.parametrize("clause,lead,partners", [
    ("Sở Tài chính chủ trì cùng Sở Kế hoạch và Đầu tư rà soát, báo cáo Ủy ban nhân dân tỉnh.", ["Sở Tài chính"],
     ["Sở Kế hoạch và Đầu tư"]),
    ("Sở Xây dựng chủ trì, phối hợp Viện Quy hoạch, UBND cấp huyện nghiên cứu lập quy hoạch.", ["Sở Xây dựng"],
     ["Viện Quy hoạch", "Ủy ban nhân dân cấp huyện"]),
    ("Sở Y tế chủ trì, phối hợp thực hiện kế hoạch.", ["Sở Y tế"], []),
])
def test_partners_after_chu_tri_cung_and_a_bare_phoi_hop(clause, lead, partners):
    from ingest.assignment_sentences import clause_roles
    roles = clause_roles(clause)
    assert roles["lead"] == lead and roles["partner"] == partners


def test_a_dash_links_the_words_of_one_name_but_not_a_role_in_apposition():
    from ingest.units import unit_at
    assert unit_at("Sở Quy hoạch - Kiến trúc chủ trì", 0).text == "Sở Quy hoạch - Kiến trúc"
    assert unit_at("Bộ Thông tin và Truyền thông - Cơ quan thường trực", 0).text == "Bộ Thông tin và Truyền thông"
    assert unit_at("Sở Y tế - Sở Tài chính", 0).text == "Sở Y tế"


def test_a_shared_plural_head_names_each_unit(tmp_path):
    assert unit_heading("- Các Sở: Văn hóa, Thể thao và Du lịch, Y tế tổ chức kiểm tra.")[0] == [
        "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế"]
    text = ("KẾ HOẠCH\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"
            "- Các Sở: Tư pháp, Thông tin và Truyền thông chủ trì cùng các đơn vị liên quan tổ chức tuyên truyền "
            "Nghị định trên các phương tiện thông tin đại chúng.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Sở Tư pháp", "Sở Thông tin và Truyền thông"]]
    assert "Tư pháp, Thông tin và Truyền thông" in tasks[0].quote  # the document's own words


def test_partners_of_an_intro_under_a_unit_heading_partner_its_points(tmp_path):
    text = ("Điều 19. Trách nhiệm của các bộ, ngành\n\n1. Bộ Công Thương\n\n"
            "Chủ trì, phối hợp với Ủy ban nhân dân cấp tỉnh và Tập đoàn Điện lực Việt Nam thực hiện:\n\n"
            "a) Hướng dẫn phát triển điện mặt trời mái nhà.\n\n"
            "b) Kiểm tra việc thực hiện Nghị định này.\n")
    _, tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Bộ Công Thương"]] * 2
    assert all(t.partner_units == ["Ủy ban nhân dân cấp tỉnh", "Tập đoàn Điện lực Việt Nam"] for t in tasks)
