"""Subjects that are classes of bodies or coordinations of them, and what a directive's object
is asked to do: lower-case class lists ("Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ …"),
member organisations ("Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên"), the object of
"giao" followed by a verb the verb list does not know, and "X phối hợp với Y …" items. Generated
sentences, and real ones from vbpl documents named in no held-out gold (cited per case)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.assignment_sentences import clause_roles
from ingest.tasks import extract_tasks
from ingest.units import unit_at, unit_list_at
from tests.conftest import parse_text


def _tasks_of(tmp_path: Path, text: str):
    return extract_tasks(parse_text(tmp_path, text))


def _lead(clause: str) -> list[str] | None:
    roles = clause_roles(clause)
    return roles["lead"] if roles else None


# --- class lists without "các" ---------------------------------------------------------------------

@pytest.mark.parametrize("noun1,noun2", [("Bộ", "cơ quan ngang bộ"), ("bộ", "ngành"), ("Sở", "ban, ngành"),
                                         ("Bộ", "ngành, địa phương")])
@pytest.mark.parametrize("frame", ["{s} có trách nhiệm rà soát các văn bản.", "Giao {s} rà soát, đánh giá kết quả.",
                                   "{s} trong phạm vi nhiệm vụ, quyền hạn của mình tổ chức thực hiện."])
def test_a_class_list_without_cac_is_one_subject(noun1, noun2, frame):
    subject = f"{noun1}, {noun2}"
    roles = clause_roles(frame.format(s=subject))
    assert roles is not None and [r.lower() for r in roles["lead"]] == [subject.lower()]


def test_one_class_noun_alone_is_a_word_not_a_unit():
    assert unit_at("Bộ có trách nhiệm rà soát.", 0) is None
    assert unit_at("ngành nghề kinh doanh", 0) is None
    # a capitalised head with a name after it is a named unit, not a member of the class list
    assert [u.text for u in unit_list_at("Bộ, Ban Dân tộc tổ chức", 0)] == []


@pytest.mark.parametrize("sentence,lead", [
    # vbpl/02-2007-qh12
    ("3. Bộ, cơ quan ngang bộ trong phạm vi nhiệm vụ, quyền hạn của mình có trách nhiệm phối hợp với Bộ Văn hóa, "
     "Thể thao và Du lịch thực hiện quản lý nhà nước về phòng, chống bạo lực gia đình.", ["Bộ, cơ quan ngang bộ"]),
    # vbpl/111-2006-n-cp: members narrowed by "khác ở Trung ương", then a named body; "trong phạm vi quản lý của mình"
    ("8. Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, cơ quan khác ở Trung ương, Ủy ban nhân dân cấp tỉnh "
     "trong phạm vi quản lý của mình hướng dẫn chi tiết một số nội dung của Nghị định này.",
     ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, cơ quan khác ở Trung ương", "Ủy ban nhân dân cấp tỉnh"]),
    # vbpl/18-2023-qh15: "ngành trung ương", "cơ quan ngang Bộ" are members too
    ("3. Bộ, ngành trung ương, cơ quan ngang Bộ, địa phương thực hiện việc đầu tư, mua sắm trang thiết bị phòng thủ "
     "dân sự theo kế hoạch phòng thủ dân sự các cấp.", ["Bộ, ngành trung ương, cơ quan ngang Bộ, địa phương"]),
    # vbpl/22-2012-qh13: a class has no sure end, the duty modal reads its qualifier in
    ("2. Bộ, ngành quản lý hàng dự trữ quốc gia có trách nhiệm quản lý và sử dụng vốn đầu tư xây dựng cơ bản theo "
     "quy định của pháp luật.", ["Bộ, ngành quản lý hàng dự trữ quốc gia"]),
    # generated: "khác" after a plural group
    ("Các sở, ban, ngành khác tổ chức kiểm tra việc thực hiện.", ["Các sở, ban, ngành khác"]),
])
def test_class_lists_in_real_text(sentence, lead):
    assert _lead(sentence) == lead


def test_a_unit_heading_may_be_a_class_list():
    from ingest.assignments import unit_heading
    assert unit_heading("2. Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ có trách nhiệm:", heading=True)[0] == \
        ["Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"]


# --- member organisations ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,lead", [
    ("Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên tăng cường giám sát việc thực hiện.",
     ["Mặt trận Tổ quốc Việt Nam", "Các tổ chức thành viên"]),
    ("Đề nghị Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên tuyên truyền, vận động nhân dân.",
     ["Mặt trận Tổ quốc Việt Nam", "Các tổ chức thành viên"]),
    ("Các đơn vị thành viên của Tập đoàn thực hiện chế độ báo cáo.", ["Các đơn vị thành viên của Tập đoàn"]),
    # vbpl/03-2007-qh12
    ("Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên có trách nhiệm tuyên truyền, vận động nhân dân tham gia "
     "phòng, chống bệnh truyền nhiễm.", ["Mặt trận Tổ quốc Việt Nam", "Các tổ chức thành viên"]),
    # vbpl/101-2015-qh13: "của Mặt trận" names whose members they are; "cử" is the verb
    ("c) Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên của Mặt trận cử bào chữa viên nhân dân bào chữa "
     "cho người bị buộc tội là thành viên của tổ chức mình.",
     ["Ủy ban Mặt trận Tổ quốc Việt Nam", "Các tổ chức thành viên của Mặt trận"]),
])
def test_member_organisations_belong_to_the_unit_list(sentence, lead):
    assert _lead(sentence) == lead


def test_a_body_obliged_to_direct_its_members_keeps_the_duty():
    # vbpl/39-2015-tt-bct style: the duty modal's subject directs, its members are no leads here
    assert _lead("3. Tập đoàn Điện lực Việt Nam có trách nhiệm chỉ đạo các đơn vị thành viên thực hiện Thông tư này.") \
        == ["Tập đoàn Điện lực Việt Nam"]


# --- the object of "giao" and a verb the list does not know ------------------------------------------

@pytest.mark.parametrize("unit", ["Bộ Kế hoạch và Đầu tư", "Bộ Tư pháp", "Ngân hàng Nhà nước Việt Nam",
                                  "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân cùng cấp"])
@pytest.mark.parametrize("verb", ["soạn thảo", "thẩm tra", "ra quyết định"])
def test_the_object_of_giao_does_what_follows_its_name(unit, verb):
    assert _lead(f"Thủ tướng Chính phủ giao {unit} {verb} dự thảo văn bản.") == [unit]


@pytest.mark.parametrize("unit", ["Ủy ban nhân dân tỉnh", "Bộ Kế hoạch và Đầu tư", "Công an các cấp"])
def test_unknown_words_before_a_known_verb_after_a_closed_name(unit):
    # a name closed by its level or a known field: an adverb the list does not know may come first
    assert _lead(f"Giao {unit} khẩn trương rà soát quy hoạch.") == [unit]


@pytest.mark.parametrize("sentence,lead", [
    # vbpl/17-2017-qh14
    ("Trong thời hạn 30 ngày, kể từ ngày Ngân hàng Nhà nước trình, Chính phủ xem xét, phê duyệt phương án chuyển "
     "giao bắt buộc và giao Ngân hàng Nhà nước ra quyết định chuyển giao bắt buộc.", ["Ngân hàng Nhà nước"]),
    # vbpl/27-2023-qh15: "hoặc giao Y" is the subject's option, the duty stays the subject's
    ("c) Hội đồng nhân dân cấp tỉnh quyết định chủ trương đầu tư hoặc giao Ủy ban nhân dân cùng cấp quyết định chủ "
     "trương đầu tư dự án đầu tư xây dựng nhà ở công vụ.", ["Hội đồng nhân dân cấp tỉnh"]),
    # vbpl/67-2020-qh14: "nơi …" after a closed name is a place, not a verb
    ("Người từ đủ 18 tuổi trở lên mà không có nơi cư trú ổn định thì giao cho Ủy ban nhân dân cấp xã nơi người đó "
     "đang có mặt.", None),
])
def test_directive_objects_in_real_text(sentence, lead):
    assert _lead(sentence) == lead


@pytest.mark.parametrize("sentence,lead", [
    ("Giao Thống đốc Ngân hàng Nhà nước Việt Nam hướng dẫn thi hành.", ["Thống đốc Ngân hàng Nhà nước Việt Nam"]),
    # vbpl/43-2007-n-cp: an office holder as the object
    ("Giao Bộ trưởng Bộ Công an quy định cụ thể đối tượng, tiêu chuẩn và điều kiện tuyển chọn công dân vào Công an "
     "nhân dân.", ["Bộ trưởng Bộ Công an"]),
    # vbpl/65-2005-n-cp: "chính quyền địa phương" is a class of bodies in the list
    ("e) Giao Ngân hàng Nhà nước Việt Nam, Bộ Công an, Bộ Tư pháp, chính quyền địa phương có liên quan hướng dẫn "
     "công ty cho thuê tài chính thu hồi và xử lý tài sản thuê.",
     ["Ngân hàng Nhà nước Việt Nam", "Bộ Công an", "Bộ Tư pháp", "Chính quyền địa phương có liên quan"]),
    # "phân cấp cho" hands a power down as "ủy quyền cho" does: its object does the duty
    ("2. Bộ trưởng Bộ Công Thương phân cấp cho Ủy ban nhân dân cấp tỉnh tiếp nhận hồ sơ, cấp giấy phép vận chuyển "
     "hàng hóa nguy hiểm loại 2, loại 3.", ["Ủy ban nhân dân cấp tỉnh"]),
    # a relative clause of place between the object and its "có trách nhiệm" (corpus TT-15-2026-BCT)
    ("2. Bộ trưởng Bộ Công Thương phân cấp cho Ủy ban nhân dân cấp tỉnh nơi các tổ chức, cá nhân đặt trụ sở chính "
     "hoặc chi nhánh trên địa bàn địa phương có trách nhiệm tiếp nhận hồ sơ, cấp giấy phép vận chuyển hàng hóa "
     "nguy hiểm loại 9.", ["Ủy ban nhân dân cấp tỉnh"]),
])
def test_office_holders_and_local_authorities_as_directive_objects(sentence, lead):
    assert _lead(sentence) == lead


@pytest.mark.parametrize("sentence", [
    # "yêu cầu" as a noun: only "giao", "phân công", "ủy quyền" hand over a duty whatever verb follows
    "Đáp ứng yêu cầu Bộ Quốc phòng đặt ra đối với công trình.",
    # a time word is not a verb
    "Giao Bộ Tài chính năm 2025.",
    # a group's name may go on: no unknown verb after it
    "Giao các cơ quan chuyên môn thuộc tỉnh.",
])
def test_what_is_not_a_directed_verb(sentence):
    assert _lead(sentence) is None


# --- "X phối hợp với Y …" ---------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,lead,partner", [
    ("a) Bộ Tài chính phối hợp với Bộ Công Thương thực hiện Quyết định này;", ["Bộ Tài chính"], ["Bộ Công Thương"]),
    ("Sở Y tế phối hợp với Sở Giáo dục và Đào tạo tổ chức kiểm tra.", ["Sở Y tế"], ["Sở Giáo dục và Đào tạo"]),
    # vbpl/41-2013-qh13
    ("a) Bộ Y tế phối hợp với Bộ Nông nghiệp và Phát triển nông thôn quy định các biện pháp phòng ngừa, ngăn chặn "
     "sự cố mất an toàn thực phẩm;", ["Bộ Y tế"], ["Bộ Nông nghiệp và Phát triển nông thôn"]),
    # vbpl/01-1997-qh10: a class list with the formula of competence before "phối hợp với"
    ("1. Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ trong phạm vi nhiệm vụ, quyền hạn của mình phối hợp với "
     "Ngân hàng Nhà nước trong việc quản lý nhà nước về tiền tệ.",
     ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"], ["Ngân hàng Nhà nước"]),
])
def test_the_subject_of_phoi_hop_voi_leads_its_item(sentence, lead, partner):
    roles = clause_roles(sentence)
    assert roles and roles["lead"] == lead and roles["partner"] == partner


def test_cooperating_without_a_counterpart_stays_a_partner():
    roles = clause_roles("Sở Tài chính phối hợp thực hiện.")
    assert roles and roles["lead"] == [] and roles["partner"] == ["Sở Tài chính"]


def test_a_lettered_cooperation_item_is_a_task(tmp_path):
    text = ("Điều 3. Tổ chức thực hiện\n\n"
            "a) Bộ Tài chính phối hợp với Bộ Công Thương thực hiện Quyết định này với vai trò quản lý giá;\n\n"
            "b) Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ có trách nhiệm rà soát các văn bản liên quan.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [(t.lead_units, t.partner_units) for t in tasks] == [
        (["Bộ Tài chính"], ["Bộ Công Thương"]),
        (["Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"], []),
    ]


# --- a modal inside an opening condition -------------------------------------------------------------

@pytest.mark.parametrize("sentence,subject", [
    ("Trường hợp hệ thống thay đổi dẫn đến phải nâng cấp thiết bị, Đơn vị phân phối điện và Khách hàng sử dụng "
     "lưới điện có trách nhiệm phối hợp thực hiện.", ["Đơn vị phân phối điện", "Khách hàng sử dụng lưới điện"]),
    ("Khi khách hàng phải ngừng cấp điện, Đơn vị phân phối điện có trách nhiệm thông báo.", ["Đơn vị phân phối điện"]),
    # vbpl/31-2024-qh15
    ("Trường hợp cần thiết phải điều chỉnh, sửa đổi, bổ sung bảng giá đất trong năm, Ủy ban nhân dân cấp tỉnh có "
     "trách nhiệm trình Hội đồng nhân dân cấp tỉnh quyết định.", ["Ủy ban nhân dân cấp tỉnh"]),
    # vbpl/30-2015-tt-nhnn: "chỉ" before the modal is an adverb, not a word of the subject
    ("Trường hợp các bên có thỏa thuận về phạt vi phạm nhưng không thỏa thuận về việc vừa phải chịu phạt vi phạm "
     "và vừa phải bồi thường thiệt hại thì bên vi phạm nghĩa vụ chỉ phải chịu phạt vi phạm.", ["bên vi phạm nghĩa vụ"]),
])
def test_a_modal_inside_an_opening_condition_is_not_the_main_clauses(sentence, subject):
    from ingest.actors import modal_subject
    found = modal_subject(sentence)
    assert found is not None and found[0] == subject


def test_a_cross_reference_without_its_comma_ends_the_adverbial():
    from ingest.actors import modal_subject
    found = modal_subject("b) Trường hợp thí nghiệm tổ máy, ngoài các nội dung quy định tại Điểm a Khoản này Đơn vị "
                          "phát điện phải bổ sung các thông tin sau")
    assert found is not None and found[0] == ["Đơn vị phát điện"]
    # "này" before a lower-case word starts nothing
    assert modal_subject("Nội dung quy định tại Điều này phải được công bố.") is None


def test_a_party_named_with_phai_is_no_modal():
    from ingest.actors import modal_subject
    # "người phải thi hành án" names the judgment debtor; the clause has no duty modal of its own
    assert modal_subject("Tài sản của người phải thi hành án được kê biên theo quy định.") is None


def test_a_duty_whose_contents_follow_nhu_sau_is_a_task(tmp_path):
    text = ("Điều 69. Kế hoạch vận hành năm\n\n"
            "1. Đơn vị phân phối điện có trách nhiệm lập kế hoạch vận hành hệ thống điện phân phối cho năm tới bao "
            "gồm các nội dung chính như sau:\n\n"
            "a) Dự báo nhu cầu phụ tải điện năm tới;\n\n"
            "b) Kế hoạch bảo dưỡng, sửa chữa năm tới.\n\n"
            "Điều 70. Tổ chức thực hiện\n\n"
            "Ủy ban nhân dân huyện xây dựng Kế hoạch thông tin, tuyên truyền trên địa bàn huyện cụ thể như sau:\n\n"
            "1. Mục đích: nâng cao nhận thức.\n")
    tasks = _tasks_of(tmp_path, text)
    # the duty is one task; the plan's own "… như sau:" introduces its contents and assigns nothing
    assert [t.lead_units for t in tasks] == [["Đơn vị phân phối điện"]]
    assert tasks[0].quote.startswith("1. Đơn vị phân phối điện có trách nhiệm lập kế hoạch")


# --- partner lists ---------------------------------------------------------------------------------

def test_a_partner_list_goes_on_from_defined_terms_to_units():
    from ingest.actors import document_terms
    from ingest.assignment_sentences import loose_roles
    with document_terms(["Cấp điều độ có quyền điều khiển"]):
        roles = loose_roles("Đơn vị phân phối điện có trách nhiệm phối hợp với Cấp điều độ có quyền điều khiển và "
                            "các đơn vị liên quan khác để xử lý sự cố.")
    assert roles["partner"] == ["Cấp điều độ có quyền điều khiển", "Các đơn vị liên quan khác"]


def test_the_national_assembly_is_a_unit():
    assert [u.text for u in unit_list_at("Quốc hội, Tòa án nhân dân tối cao phối hợp", 0)] == \
        ["Quốc hội", "Tòa án nhân dân tối cao"]
    # … and closes the name of its bodies, like a party committee (vbpl/25-2018-qh14)
    assert _lead("1. Ủy ban Thường vụ Quốc hội giải quyết tố cáo hành vi vi phạm pháp luật.") == \
        ["Ủy ban Thường vụ Quốc hội"]


@pytest.mark.parametrize("sentence,lead", [
    # vbpl/56-2009-n-cp: "và" before the last member; "ngành và địa phương" after the comma starts nothing
    ("1. Hàng năm, các Bộ, ngành và địa phương xây dựng kế hoạch và bố trí kinh phí.", ["Các Bộ, ngành và địa phương"]),
    # vbpl/45-2019-qh14: "nhưng" links two clauses, it is no word of a subject
    ("1. Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước cho người sử dụng lao "
     "động.", None),
])
def test_what_a_class_subject_does_not_hold(sentence, lead):
    assert _lead(sentence) == lead


@pytest.mark.parametrize("sentence,lead", [
    # vbpl/11-2017-q-ttg style: one phrase for the class of provinces, the document's short name for it in
    # parentheses and a relative clause of place before the verb
    ("2. Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương (sau đây gọi chung là Ủy ban nhân dân cấp tỉnh) nơi "
     "có tiềm năng phát triển điện mặt trời tổ chức lập Quy hoạch phát triển điện mặt trời cấp tỉnh.",
     ["Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương"]),
    # vbpl/09-2017-qh14
    ("3. Ủy ban nhân dân cấp xã nơi phát triển du lịch cộng đồng tổ chức tuyên truyền, phổ biến, nâng cao nhận "
     "thức của cộng đồng.", ["Ủy ban nhân dân cấp xã"]),
    # a single province body is still one unit of a list
    ("Giao Ủy ban nhân dân tỉnh, Sở Tài chính thực hiện.", ["Ủy ban nhân dân tỉnh", "Sở Tài chính"]),
])
def test_what_stands_between_a_subject_and_its_verb(sentence, lead):
    assert _lead(sentence) == lead
