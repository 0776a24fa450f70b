"""Shapes of decrees and National-Assembly resolutions: a unit heading its own article with its
duties numbered below, the old tone placement of "Uỷ ban", a recurrence that names a budget or a
plan rather than a deadline. Generated sentences."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.deadlines import find_deadline
from ingest.tasks import extract_tasks
from ingest.units import find_units
from tests.conftest import parse_text


def _tasks_of(tmp_path: Path, text: str):
    return extract_tasks(parse_text(tmp_path, text))


@pytest.mark.parametrize("name", ["Uỷ ban nhân dân cấp tỉnh", "Uỷ ban nhân dân tỉnh Hà Giang",
                                  "Uỷ ban Mặt trận Tổ quốc Việt Nam tỉnh"])
def test_the_old_tone_placement_of_uy_ban_is_a_unit(name):
    assert [u.text for u in find_units(f"{name} chủ trì tổ chức kiểm tra.")] == [name]


def test_an_article_headed_by_a_committee_written_uy(tmp_path):
    text = ("Điều 12. Uỷ ban nhân dân cấp huyện có trách nhiệm:\n\n"
            "1. Tổ chức kiểm tra việc thực hiện quy định về bảo vệ rừng trên địa bàn;\n\n"
            "2. Giải quyết khiếu nại theo thẩm quyền.\n")
    tasks = _tasks_of(tmp_path, text)
    assert len(tasks) == 2
    assert all(t.lead_units and t.lead_units[0].endswith("ban nhân dân cấp huyện") for t in tasks)


@pytest.mark.parametrize("sentence", [
    "Cân đối kinh phí hàng năm để thực hiện việc sửa chữa trường học.",
    "Hướng dẫn lập kế hoạch phát triển mạng lưới cấp nước hằng năm trên cơ sở quy hoạch.",
    "Bố trí vốn đầu tư hàng năm cho các dự án.",
    "Gửi báo cáo tài chính hàng năm đã được kiểm toán.",
])
def test_a_recurrence_that_names_a_budget_or_plan_is_no_deadline(sentence):
    assert find_deadline(sentence) is None


@pytest.mark.parametrize("sentence,deadline", [
    ("Hàng năm, Sở Xây dựng báo cáo kết quả về Bộ.", "Hàng năm"),
    ("Sở Xây dựng báo cáo kết quả kiểm tra hằng năm về Bộ.", "hằng năm"),
    ("Lập kế hoạch kiểm tra và định kỳ hàng năm báo cáo Bộ.", "định kỳ hàng năm"),
])
def test_a_recurrence_of_the_duty_itself_stays_a_deadline(sentence, deadline):
    assert find_deadline(sentence)[0] == deadline


def test_an_article_titled_giao_x_gives_x_its_items(tmp_path):
    text = ("Điều 6. Giao Bộ Tài chính\n\n"
            "1. Hướng dẫn việc quản lý, sử dụng kinh phí của Đề án.\n\n"
            "2. Chỉ đạo các địa phương bố trí kinh phí thực hiện.\n\n"
            "Điều 7. Giao Hội đồng nhân dân và Ủy ban nhân dân cấp huyện\n\n"
            "1. Bố trí ngân sách địa phương để thực hiện Đề án.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Bộ Tài chính"], ["Bộ Tài chính"],
                                            ["Hội đồng nhân dân", "Ủy ban nhân dân cấp huyện"]]


def test_giao_x_followed_by_its_duty_is_no_bare_heading():
    from ingest.assignments import unit_heading
    assert unit_heading("Điều 5. Giao Bộ Y tế hướng dẫn thực hiện", heading=True) is None
    assert unit_heading("Điều 5. Giao nhiệm vụ", heading=True) is None


@pytest.mark.parametrize("sentence", [
    "Tổ chức đăng ký hoạt động cấp nước, ngoài các điều kiện chung, phải đáp ứng các điều kiện sau:",
    "2. Người trực tiếp điều hành phải có bằng tốt nghiệp đại học chuyên ngành cấp thoát nước và ít nhất 03 năm kinh nghiệm.",
    "a) Bên thuê kho phải có đủ năng lực hành vi dân sự theo quy định của pháp luật.",
    "Người vận hành trạm phải có chứng chỉ vận hành do cơ quan có thẩm quyền cấp.",
])
def test_a_qualification_is_no_duty(tmp_path, sentence):
    text = "Điều 12. Điều kiện hoạt động\n\n" + sentence + "\n"
    assert _tasks_of(tmp_path, text) == []


def test_a_duty_with_phai_stays_a_duty(tmp_path):
    text = "Điều 12. Trách nhiệm thi hành\n\nĐơn vị cấp nước phải báo cáo Sở Xây dựng kết quả kiểm tra chất lượng nước.\n"
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Đơn vị cấp nước"]]


def test_a_parent_body_after_thuoc_narrows_the_unit_heading_its_duties(tmp_path):
    text = ("Điều 20. Chi cục Kiểm lâm trực thuộc Sở Nông nghiệp và Phát triển nông thôn có trách nhiệm:\n\n"
            "1. Kiểm tra việc khai thác rừng trên địa bàn;\n\n"
            "2. Phối hợp với Công an tỉnh xử lý vi phạm.\n")
    tasks = _tasks_of(tmp_path, text)
    assert [t.lead_units for t in tasks] == [["Chi cục Kiểm lâm"], ["Chi cục Kiểm lâm"]]
    assert [u.text for u in find_units("Cục Quản lý đê điều thuộc Bộ Nông nghiệp chủ trì")] == \
        ["Cục Quản lý đê điều", "Bộ Nông nghiệp"]


def test_bodies_coordinating_among_themselves_all_lead():
    from ingest.assignment_sentences import clause_roles
    roles = clause_roles("Bộ Tư pháp, Bộ Nội vụ, trong phạm vi nhiệm vụ, quyền hạn của mình, phối hợp tổ chức "
                         "tổng kết việc thi hành Luật.")
    assert roles["lead"] == ["Bộ Tư pháp", "Bộ Nội vụ"] and not roles["partner"]
    one = clause_roles("Sở Tư pháp phối hợp thực hiện kiểm tra.")
    assert one["partner"] == ["Sở Tư pháp"] and not one["lead"]
