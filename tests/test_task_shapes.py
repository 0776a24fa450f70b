"""Who owns what in every shape a plan uses: tables from each file type (merged cells, multi-row
and repeated headers, group rows), labelled lines, sentences in any position, unit boundaries,
glued words and deadlines as data. Generated documents, plus real ones where the shared corpus
has them."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.actors import modal_subject, split_actors
from ingest.assignments import role_value
from ingest.deadlines import deadline_data
from ingest.glued_words import repair_glued, split_glued
from ingest.pipeline import parse_file
from ingest.tables import Cell, TableReader, column_role
from ingest.tasks import extract_tasks
from tests.conftest import parse_text

SCALE = Path(__file__).resolve().parent.parent.parent / "shared" / "scale-corpus"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

HEADER = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [
    ["I.", "Nhóm nhiệm vụ về chuyển đổi số", "", "", ""],
    ["1.", "Xây dựng kế hoạch chuyển đổi số", "Sở Thông tin và Truyền thông", "Sở Nội vụ, Sở Tài chính", "Quý II/2024"],
    ["2.", "Tập huấn kỹ năng số cho cán bộ", "Sở Nội vụ", "UBND các huyện, thị xã, thành phố", "Tháng 9/2024"],
]


def _tasks(path: Path, source: str | None = None):
    doc = parse_file(path, source or path.name, max_bytes=50 * 1024 * 1024, ocr=False)
    return doc, extract_tasks(doc)


def _check_plan_table(doc, tasks):
    table = [t for t in tasks if t.shape == "table"]
    assert [t.task for t in table] == ["Xây dựng kế hoạch chuyển đổi số", "Tập huấn kỹ năng số cho cán bộ"]
    first, second = table
    assert first.lead_units == ["Sở Thông tin và Truyền thông"]
    assert first.partner_units == ["Sở Nội vụ", "Sở Tài chính"]
    assert first.deadline == "Quý II/2024"
    assert first.deadline_data == {"text": "Quý II/2024", "start": "2024-04-01", "end": "2024-06-30",
                                   "recurring": False}
    assert second.lead_units == ["Sở Nội vụ"] and second.partner_units == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    # the group row is the rows' section; rows read as "header: value" and quote the document
    assert all(t.section.startswith("I ") and "chuyển đổi số" in t.section for t in table)
    assert "Cơ quan chủ trì: Sở Thông tin và Truyền thông" in first.quote
    assert all(doc.text[t.char_start:t.char_end] == t.quote for t in tasks)
    chunk = next(c for c in doc.chunks if "Xây dựng kế hoạch chuyển đổi số" in c.text)
    assert "Thời gian hoàn thành: Quý II/2024" in chunk.text


# --- tables -------------------------------------------------------------------------------------

def test_docx_table_with_merged_cells_repeated_header_and_group_row(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH Chuyển đổi số năm 2024")
    t = d.add_table(rows=0, cols=5)
    for row in [HEADER, ROWS[0], ROWS[1], HEADER, ROWS[2]]:  # the header repeated on a new page
        cells = t.add_row().cells
        for c, v in zip(cells, row):
            c.text = v
    # the group row's title is one cell merged over the whole width
    group = t.rows[1].cells
    group[1].merge(group[4])
    t.rows[1].cells[1].text = "Nhóm nhiệm vụ về chuyển đổi số"
    path = tmp_path / "ke-hoach.docx"
    d.save(path)
    doc, tasks = _tasks(path)
    _check_plan_table(doc, tasks)


def test_docx_vertically_merged_lead_cell_leads_every_row_it_covers():
    rows = [[Cell("Nội dung"), Cell("Đơn vị thực hiện")],
            [Cell("Rà soát văn bản"), Cell("Sở Tư pháp")],
            [Cell("Công bố kết quả"), Cell("", continues=True)]]
    blocks = TableReader().blocks(rows)
    assert [b.cells for b in blocks[1:]] == [[("Nội dung", "Rà soát văn bản"), ("Đơn vị thực hiện", "Sở Tư pháp")],
                                             [("Nội dung", "Công bố kết quả"), ("Đơn vị thực hiện", "Sở Tư pháp")]]


def test_html_table_with_rowspan_and_colspan(tmp_path):
    html = ["<html><body><article><h1>Kế hoạch chuyển đổi số</h1><p>Các nhiệm vụ cụ thể như sau.</p><table>",
            "<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>",
            f"<tr><td>I.</td><td colspan='4'>{ROWS[0][1]}</td></tr>"]
    html += ["<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in ROWS[1:]]
    html.append("</table><p>Trên đây là kế hoạch.</p></article></body></html>")
    path = tmp_path / "ke-hoach.html"
    path.write_text("\n".join(html), encoding="utf-8")
    doc, tasks = _tasks(path)
    _check_plan_table(doc, tasks)
    rows = [[Cell("Nhiệm vụ"), Cell("Đơn vị chủ trì")], [Cell("Việc A"), Cell("Sở Y tế", rowspan=2)], [Cell("Việc B")]]
    assert TableReader().blocks(rows)[2].cells == [("Nhiệm vụ", "Việc B"), ("Đơn vị chủ trì", "Sở Y tế")]


def test_markdown_pipe_table(tmp_path):
    lines = ["# Kế hoạch chuyển đổi số", "", "| " + " | ".join(HEADER) + " |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(f"**{v}**" if v == "I." else v for v in row) + " |" for row in ROWS]
    path = tmp_path / "ke-hoach.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc, tasks = _tasks(path)
    _check_plan_table(doc, tasks)


def test_pdf_table_read_from_its_ruling_lines(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pytest.importorskip("pdfplumber")
    if not FONT.exists():
        pytest.skip("no DejaVu font to write Vietnamese")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("dv", "", str(FONT))
    pdf.set_font("dv", size=9)
    pdf.multi_cell(0, 6, "KẾ HOẠCH chuyển đổi số năm 2024. Các nhiệm vụ cụ thể như sau:")
    with pdf.table(col_widths=(10, 50, 45, 45, 30), first_row_as_headings=False) as table:
        for row in [HEADER] + ROWS:
            r = table.row()
            for v in row:
                r.cell(v)
    pdf.multi_cell(0, 6, "Trên đây là kế hoạch chuyển đổi số năm 2024.")
    path = tmp_path / "ke-hoach.pdf"
    pdf.output(str(path))
    doc, tasks = _tasks(path)
    table = [t for t in tasks if t.shape == "table"]
    assert [t.lead_units for t in table] == [["Sở Thông tin và Truyền thông"], ["Sở Nội vụ"]]
    assert table[0].partner_units == ["Sở Nội vụ", "Sở Tài chính"] and table[1].deadline == "Tháng 9/2024"
    assert all(t.page == 1 for t in table)


def test_column_roles_come_from_header_words_not_positions():
    assert column_role("Thời gian hoàn thành") == "deadline"
    assert column_role("Cơ quan phối hợp") == "partner"
    assert column_role("Trách nhiệm thực hiện") == "lead"
    assert column_role("Các nội dung thực hiện") == "task"
    assert column_role("Tên đề án") == "task"
    assert column_role("Sản phẩm") == "product"
    assert column_role("STT") == "number"
    # a table whose lead column comes first is read the same way
    rows = [[Cell("Đơn vị chủ trì"), Cell("Tiến độ"), Cell("Nội dung")], [Cell("Sở Y tế"), Cell("2025"), Cell("Tiêm chủng")]]
    assert TableReader().blocks(rows)[1].text == "Đơn vị chủ trì: Sở Y tế | Tiến độ: 2025 | Nội dung: Tiêm chủng"


@pytest.mark.skipif(not (SCALE / "vbpl/39-2015-tt-bct.docx").exists(), reason="shared scale corpus not here")
def test_real_docx_table_with_responsibility_column():
    doc, tasks = _tasks(SCALE / "vbpl/39-2015-tt-bct.docx", "vbpl/39-2015-tt-bct.docx")
    rows = [t for t in tasks if t.shape == "table"]
    review = next(t for t in rows if t.task == "Xem xét hồ sơ đề nghị đấu nối")
    assert review.lead_units == ["Đơn vị phân phối điện", "Cấp điều độ có quyền điều khiển"]
    assert review.deadline == "Không quá 15 ngày làm việc"


# --- labelled lines and sentences -------------------------------------------------------------------

def test_labelled_line_keeps_the_grammar_of_its_value():
    roles = role_value("Sở Nội vụ chủ trì, phối hợp với Sở Lao động – Thương binh và Xã hội và Ủy ban nhân dân "
                       "các huyện, thành phố", "lead")
    assert roles["lead"] == ["Sở Nội vụ"]
    assert roles["partner"] == ["Sở Lao động – Thương binh và Xã hội", "Ủy ban nhân dân các huyện, thành phố"]


def test_labelled_lines_in_a_plan(tmp_path):
    text = ("KẾ HOẠCH\n\nII. NHIỆM VỤ\n\n1. Tuyên truyền về cải cách hành chính\n\n"
            "- Tổ chức hội nghị tập huấn cho cán bộ, công chức.\n\n"
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp và UBND các huyện, thành phố.\n\n"
            "- Thời gian hoàn thành: Quý III/2024.\n")
    tasks = extract_tasks(parse_text(tmp_path, text))
    t = next(t for t in tasks if t.shape == "lines")
    assert t.lead_units == ["Sở Nội vụ"] and t.partner_units == ["Sở Tư pháp", "Ủy ban nhân dân các huyện, thành phố"]
    assert t.task and t.deadline == "Quý III/2024"



def test_lettered_fields_under_a_task_heading_are_its_lines(tmp_path):
    # "1. <task>" then "a) Cơ quan chủ trì: …", "b) Cơ quan phối hợp: …", "c) Thời gian thực hiện: …":
    # fields of the task, not three sub-items, and the lead's value may go on as a clause
    text = ("KẾ HOẠCH\n\nII. NỘI DUNG\n\n1. Tổ chức hội nghị phổ biến Luật Đường bộ tại địa phương\n\n"
            "a) Cơ quan chủ trì: Sở Giao thông vận tải tham mưu Ủy ban nhân dân tỉnh chỉ đạo, thực hiện.\n\n"
            "b) Cơ quan phối hợp: Các sở, ban, ngành của tỉnh; Ủy ban nhân dân huyện, thị xã, thành phố và các "
            "cơ quan, tổ chức có liên quan trên địa bàn tỉnh.\n\n"
            "c) Thời gian thực hiện: Quý IV năm 2024 và các năm tiếp theo.\n\n"
            "2. Tuyên truyền trên báo chí\n\n"
            "a) Giới thiệu các điểm mới của Luật.\n\n"
            "b) Thời hạn: đến hết năm 2025.\n")
    doc = parse_text(tmp_path, text)
    tasks = extract_tasks(doc)
    first = next(t for t in tasks if t.section.startswith("II.1"))
    assert [t.section.split(" ")[0] for t in tasks if t.section.startswith("II.1")] == ["II.1"]
    assert first.task.startswith("Tổ chức hội nghị phổ biến Luật Đường bộ")
    assert first.lead_units == ["Sở Giao thông vận tải"]
    assert first.partner_units == ["Các sở, ban, ngành của tỉnh", "Ủy ban nhân dân huyện, thị xã, thành phố",
                                   "Các cơ quan, tổ chức có liên quan trên địa bàn tỉnh"]
    assert first.deadline == "Quý IV năm 2024 và các năm tiếp theo"
    # a deadline field with no unit field before it is still an item of its own
    assert any(i.label.startswith("II.2.b") for i in doc.structure.items)


def test_a_plural_group_shares_its_words_and_a_named_unit_ends_before_a_plural():
    assert role_value("các cơ quan, tổ chức có liên quan trên địa bàn tỉnh", "partner")["partner"] == [
        "Các cơ quan, tổ chức có liên quan trên địa bàn tỉnh"]
    assert role_value("Sở Giao thông vận tải; các sở, ban, ngành và đơn vị có liên quan", "partner")["partner"] == [
        "Sở Giao thông vận tải", "Các sở, ban, ngành", "Đơn vị có liên quan"]
    assert role_value("Báo Gia Lai, các phương tiện thông tin đại chúng khác trên địa bàn", "lead")["lead"] == [
        "Báo Gia Lai", "Các phương tiện thông tin đại chúng khác trên địa bàn"]
    # a list of several kinds keeps each kind: "doanh nghiệp" is no public body of the group
    assert role_value("Các bộ, ngành, địa phương, doanh nghiệp liên quan", "partner")["partner"] == [
        "Các bộ, ngành, địa phương", "Doanh nghiệp liên quan"]


def test_a_clause_about_the_plan_itself_names_no_organisation():
    # "Tổ chức công bố … Kế hoạch này và các Kế hoạch phải triển khai …": the verb "organise", whose
    # object is the plan, not an organisation obliged by "phải"; "Tổ chức phát hành phải …" is one
    assert modal_subject("Tổ chức công bố công khai Kế hoạch này và các Kế hoạch phải triển khai theo "
                         "Kế hoạch này trên Cổng thông tin điện tử") is None
    assert modal_subject("Tổ chức phát hành phải công bố thông tin theo quy định tại khoản 1 Điều này")[0] == [
        "Tổ chức phát hành"]


def test_a_bare_head_before_a_modal_is_a_noun_phrase():
    # "Người chịu trách nhiệm tại …" is the person; the clause's own modal comes later, if at all
    assert modal_subject("b) Người chịu trách nhiệm tại điểm bán của đại lý bán lẻ thuốc lá phải treo biển "
                         "thông báo")[0] == ["Người chịu trách nhiệm tại điểm bán của đại lý bán lẻ thuốc lá"]
    assert modal_subject("5. Người có trách nhiệm nuôi dưỡng người khuyết tật không thực hiện nghĩa vụ thì bị "
                         "xử lý") is None
    assert modal_subject("Người sử dụng lao động có trách nhiệm bảo đảm an toàn")[0] == ["Người sử dụng lao động"]


def test_a_condition_between_a_subject_and_its_modal():
    assert modal_subject("1. Mọi tổ chức, cá nhân khi phát hiện công trình giao thông đường bộ có sự cố phải báo "
                         "ngay cho đơn vị quản lý đường bộ")[0] == ["Mọi tổ chức, cá nhân"]
    assert modal_subject("Khi phát hiện sự cố, Đơn vị phân phối điện phải thông báo")[0] == ["Đơn vị phân phối điện"]


def test_a_request_names_its_doers_down_to_a_related_group(tmp_path):
    # "X yêu cầu A, B, đơn vị có liên quan khẩn trương …": A, B and the group do it; requesting is
    # no task of X's ("chỉ đạo" is: directing is a duty)
    text = ("KẾ HOẠCH\n\nIII. TỔ CHỨC THỰC HIỆN\n\n9. UBND Thành phố yêu cầu các sở, ngành, UBND các quận, "
            "huyện, thị xã, đơn vị có liên quan khẩn trương, nghiêm túc triển khai thực hiện Kế hoạch này.\n")
    tasks = extract_tasks(parse_text(tmp_path, text))
    assert [t.lead_units for t in tasks] == [["Các sở, ngành", "Ủy ban nhân dân các quận, huyện, thị xã",
                                             "Đơn vị có liên quan"]]


def test_a_local_authority_ends_before_a_plural_group():
    names, _ = modal_subject("Các Sở ngành, UBND các quận, huyện, thị xã nơi có chung cư cũ và các cơ quan, đơn vị "
                             "liên quan có trách nhiệm chủ động triển khai thực hiện")
    assert names == ["Các Sở ngành", "UBND các quận, huyện, thị xã nơi có chung cư cũ", "các cơ quan, đơn vị liên quan"]

SENTENCES = [
    ("Giao Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư bố trí kinh phí.", ["Sở Tài chính"],
     ["Sở Kế hoạch và Đầu tư"]),
    ("Sở Y tế chủ trì, phối hợp với Sở Giáo dục và Đào tạo và Ủy ban nhân dân các huyện triển khai tiêm chủng.",
     ["Sở Y tế"], ["Sở Giáo dục và Đào tạo", "Ủy ban nhân dân các huyện"]),
    ("Sở Công Thương có trách nhiệm hướng dẫn doanh nghiệp thực hiện Kế hoạch này.", ["Sở Công Thương"], []),
    ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tham gia giám sát việc thực hiện.",
     ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"], []),
    ("Trước ngày 15 tháng 11 hằng năm, Tập đoàn Điện lực Việt Nam có trách nhiệm lập kế hoạch cung cấp điện.",
     ["Tập đoàn Điện lực Việt Nam"], []),
    ("Đơn vị phân phối điện hoặc Đơn vị phân phối và bán lẻ điện phải trả lời khách hàng bằng văn bản.",
     ["Đơn vị phân phối điện", "Đơn vị phân phối và bán lẻ điện"], []),
    ("Chính phủ thống nhất quản lý nhà nước về phòng, chống tác hại của thuốc lá.", ["Chính phủ"], []),
]


@pytest.mark.parametrize("sentence,leads,partners", SENTENCES)
def test_sentence_shapes(tmp_path, sentence, leads, partners):
    path = tmp_path / "s.txt"
    path.write_text("KẾ HOẠCH\n\n3. Tổ chức thực hiện\n\n" + sentence + "\n", encoding="utf-8")
    _, tasks = _tasks(path)
    assert len(tasks) == 1, [t.quote for t in tasks]
    assert tasks[0].lead_units == leads and tasks[0].partner_units == partners


def test_unit_heading_its_duties_in_a_decree(tmp_path):
    text = ("Điều 13. Trách nhiệm của các tổ chức có liên quan\n\n1. Bên bán điện\n\n"
            "a) Lắp đặt hệ thống đo đếm điện năng theo quy định.\n\n"
            "b) Gửi 01 bản hợp đồng đã ký về Bộ Công Thương chậm nhất là 30 ngày kể từ ngày ký.\n\n"
            "2. Khách hàng sử dụng lưới điện phân phối có trách nhiệm:\n\n"
            "a) Bảo đảm thiết bị của mình đáp ứng yêu cầu kỹ thuật.\n")
    path = tmp_path / "nd.txt"
    path.write_text(text, encoding="utf-8")
    _, tasks = _tasks(path)
    assert [t.lead_units for t in tasks] == [["Bên bán điện"], ["Bên bán điện"],
                                            ["Khách hàng sử dụng lưới điện phân phối"]]
    assert tasks[1].deadline == "chậm nhất là 30 ngày kể từ ngày ký"


def test_rights_prohibitions_and_equipment_are_not_duties(tmp_path):
    text = ("Điều 5. Quy định chung\n\n1. Khách hàng được quyền lựa chọn đơn vị bán điện.\n\n"
            "2. Hệ thống điện mặt trời phải có khả năng tự động tách khỏi lưới.\n\n"
            "3. Đơn vị phân phối điện không được tự ý cắt điện.\n")
    path = tmp_path / "nd.txt"
    path.write_text(text, encoding="utf-8")
    assert _tasks(path)[1] == []


# --- unit boundaries ------------------------------------------------------------------------------

def test_where_a_subject_ends_and_how_a_list_divides():
    assert modal_subject("Tổ chức, cá nhân đầu tư xây dựng dự án điện mặt trời có trách nhiệm lắp đặt")[0] == \
        ["Tổ chức, cá nhân đầu tư xây dựng dự án điện mặt trời"]
    assert modal_subject("Trường hợp khách hàng được cấp điện từ nhiều phía, khách hàng có trách nhiệm lắp đặt")[0] == \
        ["khách hàng"]
    assert modal_subject("Hai bên có trách nhiệm thỏa thuận") is None  # a back-reference, not a name
    assert split_actors("Bộ Thông tin và Truyền thông Bộ Khoa học và Công nghệ", cell=True) == \
        ["Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"]
    assert split_actors("Tập đoàn, doanh nghiệp công nghệ số", cell=True) == ["Tập đoàn, doanh nghiệp công nghệ số"]
    assert role_value("Sở TT&TT, Sở VH-TT&DL, UBND các xã, thị trấn", "lead")["lead"] == [
        "Sở Thông tin và Truyền thông", "Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân các xã, thị trấn"]


# --- glued words and deadlines ----------------------------------------------------------------------

def test_glued_words_are_split_without_changing_a_letter():
    assert repair_glued("Sở Thông tin và Truyền thôngchủ trì") == "Sở Thông tin và Truyền thông chủ trì"
    assert repair_glued("KẾ HOẠCHTRIỂN KHAI") == "KẾ HOẠCH TRIỂN KHAI"
    assert repair_glued("tại thànhphố Hạ Long") == "tại thành phố Hạ Long"
    # words that are already syllables, foreign words, abbreviations and misplaced tones stay
    for word in ("nghiên", "ASEAN", "COVID", "TTTT", "Đưòng", "thụận", "Lắk"):
        assert split_glued(word) is None


def test_glued_html_word_becomes_the_right_unit(tmp_path):
    path = tmp_path / "tin.html"
    path.write_text("<html><body><article><h1>Kế hoạch</h1><p>Giao Sở Thông tin và Truyền <b>thông</b>chủ trì "
                    "tổ chức tuyên truyền về ASEAN trên địa bàn tỉnh năm 2024.</p></article></body></html>",
                    encoding="utf-8")
    _, tasks = _tasks(path)
    assert tasks[0].lead_units == ["Sở Thông tin và Truyền thông"]


@pytest.mark.parametrize("text,start,end,recurring", [
    ("Quý II/2024", "2024-04-01", "2024-06-30", False),
    ("Tháng 9/2024", "2024-09-01", "2024-09-30", False),
    ("trước ngày 25 tháng 01 năm 2024", None, "2024-01-25", False),
    ("trước ngày 15 tháng cuối quý", None, None, True),
    ("hằng năm", None, None, True),
    ("Thường xuyên", None, None, True),
    ("Cả năm 2015", "2015-01-01", "2015-12-31", False),
    ("2021–2025", "2021-01-01", "2025-12-31", False),
])
def test_deadlines_as_written_and_as_data(text, start, end, recurring):
    assert deadline_data(text) == {"text": text, "start": start, "end": end, "recurring": recurring}


def test_cli_view_fits_80_columns_and_wide_shows_every_column(tmp_path):
    from io import StringIO

    from rich.console import Console

    from bot.cli.tasks import tasks_command
    from ingest.task_export import HEADER
    from ingest.task_table import TaskTable

    path = tmp_path / "ke-hoach.md"
    lines = ["| " + " | ".join(HEADER_ROW) + " |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = parse_file(path, path.name, max_bytes=1 << 20, ocr=False)
    table = TaskTable.from_documents([doc])
    out = StringIO()
    assert tasks_command(console=Console(file=out, width=80), table=table) == 2
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Sở Thông tin và" in text and "Quý II/2024" in text and "Cơ quan phối hợp" not in text
    wide = StringIO()
    tasks_command(console=Console(file=wide, width=400), table=table, wide=True, csv=tmp_path / "t.csv")
    assert all(col.split()[0] in wide.getvalue() for col in HEADER)
    import csv

    rows = list(csv.reader((tmp_path / "t.csv").open(encoding="utf-8-sig")))
    assert rows[0] == HEADER and rows[1][HEADER.index("Thời hạn từ ngày")] == "2024-04-01"
    assert rows[1][HEADER.index("Hình thức giao")] == "bảng"


HEADER_ROW = HEADER


def test_labelled_fields_on_the_task_line_itself(tmp_path):
    # "Task. Chủ trì: X; phối hợp: Y; thời hạn: Z" — the fields close the sentence before them
    text = ("KẾ HOẠCH\n1. Rà soát thủ tục hành chính. Chủ trì: Văn phòng UBND tỉnh; phối hợp: các sở, ngành; "
            "thời hạn: trước ngày 30/6/2024.\n2. Số hóa hồ sơ lưu trữ. Đơn vị chủ trì: Sở Nội vụ. Tiến độ: tháng 9/2024.\n")
    tasks = extract_tasks(parse_text(tmp_path, text))
    assert [(t.task, t.lead_units, t.partner_units, t.deadline) for t in tasks] == [
        ("Rà soát thủ tục hành chính", ["Văn phòng Ủy ban nhân dân tỉnh"], ["Các sở, ngành"], "trước ngày 30/6/2024"),
        ("Số hóa hồ sơ lưu trữ", ["Sở Nội vụ"], [], "tháng 9/2024")]


def test_labelled_fields_inside_a_paragraph_and_a_progress_sentence(tmp_path):
    text = ("KẾ HOẠCH\n2. Lập Kế hoạch kiểm định\nUBND Thành phố quyết định thành lập Hội đồng đánh giá kết quả kiểm "
            "định. Cơ quan chủ trì xây dựng Kế hoạch, trình UBND Thành phố ban hành: Sở Xây dựng. Tiến độ hoàn thành "
            "trong tháng 12/2021. Nội dung chủ yếu của Kế hoạch kiểm định như sau:\n"
            "(3) Đơn vị thực hiện: Sở Xây dựng tiếp tục thực hiện kiểm định đối với 126 chung cư đã được chấp thuận.\n")
    tasks = {t.task: t for t in extract_tasks(parse_text(tmp_path, text))}
    line = tasks["Xây dựng Kế hoạch, trình UBND Thành phố ban hành"]
    assert line.lead_units == ["Sở Xây dựng"] and line.deadline == "trong tháng 12/2021"
    assert tasks["Tiếp tục thực hiện kiểm định đối với 126 chung cư đã được chấp thuận"].lead_units == ["Sở Xây dựng"]
    # the sentence before the fields keeps its own subject; "Thành phố" capitalised is the city
    assert tasks["UBND Thành phố quyết định thành lập Hội đồng đánh giá kết quả kiểm định"].lead_units == [
        "Ủy ban nhân dân Thành phố"]


def test_a_paragraph_opening_with_its_unit_goes_on_with_it(tmp_path):
    text = ("KẾ HOẠCH\nIII. TỔ CHỨC THỰC HIỆN\n1. Sở Xây dựng là cơ quan thường trực thực hiện Kế hoạch. Chủ trì tổ "
            "chức xây dựng Kế hoạch cải tạo nhà chung cư cũ. Trong thời hạn 10 ngày kể từ ngày Kế hoạch này được ban "
            "hành, chủ trì hướng dẫn các cơ quan, đơn vị liên quan việc tổ chức kiểm định.\n"
            "2. Về nhiệm vụ, Sở Tài chính sẽ bố trí kinh phí thực hiện. Cung cấp số liệu cho các cơ quan báo chí.\n")
    tasks = extract_tasks(parse_text(tmp_path, text))
    assert [t.lead_units for t in tasks if "Xây dựng" in t.lead_units[0]] == [["Sở Xây dựng"]] * 3
    # the subject after an adverbial does not make the paragraph its own: the next sentence stays unassigned
    assert not any(t.task.startswith("Cung cấp") for t in tasks)


def test_a_report_sent_on_later_in_its_clause_names_its_recipients():
    from ingest.assignment_sentences import report_recipients
    assert report_recipients("Ủy ban nhân dân cấp huyện báo cáo tình hình cụm công nghiệp theo Biểu số 03 Phụ lục I "
                             "kèm theo Thông tư này, gửi Ủy ban nhân dân cấp tỉnh và Sở Công Thương;") == [
        "Ủy ban nhân dân cấp tỉnh", "Sở Công Thương"]
    # a "gửi" in the next clause is another matter
    assert report_recipients("Sở X báo cáo kết quả; gửi Sở Y tài liệu.") == []


def test_a_letters_recipients_for_coordination_are_its_requests_partners(tmp_path):
    # "Nơi nhận: … - Cục X (để p/h);": the copies sent to coordinate name the request's partners;
    # those sent to report, to carry out, "Như trên" and the file copy are no partners.
    text = ("BỘ CÔNG THƯƠNG\nSố: 100/BCT-ATMT\nV/v triển khai thủ tục cấp phép\n\n"
            "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố\n\n"
            "Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh, thành phố tổ chức cấp giấy phép vận chuyển "
            "hàng nguy hiểm theo đúng quy định pháp luật./.\n\n"
            "Nơi nhận:\n- Như trên;\n- Bộ trưởng (để b/c);\n- Cục Cảnh sát giao thông (để p/h);\n"
            "- Cục Cảnh sát PCCC và CNCH (để p/h);\n- Sở Công Thương các tỉnh (để t/h);\n- Lưu: VT, ATMT.\n"
            "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nNguyễn Văn A\n")
    tasks = extract_tasks(parse_text(tmp_path, text))
    request = [t for t in tasks if "cấp giấy phép" in t.task]
    assert request and request[0].partner_units == ["Cục Cảnh sát giao thông", "Cục Cảnh sát PCCC và CNCH"]


def test_recipient_lines_keep_their_whole_names_and_purposes():
    from ingest.recipients import recipient_lines

    text = "Nơi nhận:\n- Như trên;\n- Cục Cảnh sát giao thông (để p/h);\n- UBND các tỉnh (để t/h);\n- Lưu: VT.\n"
    found = [(r.name, r.purpose) for r in recipient_lines(text, 0, len(text))]
    assert found == [("Cục Cảnh sát giao thông", "phối hợp"), ("UBND các tỉnh", "thực hiện")]


@pytest.mark.parametrize("text, leads", [
    # "có các nghĩa vụ sau đây:" hands its items to the subject; the subject ends before it
    ("THÔNG TƯ\nĐiều 20. Nghĩa vụ\n2. Khách hàng có các nghĩa vụ sau đây:\na) Cung cấp đầy đủ thông tin, tài liệu;\n"
     "b) Chuyển giao quyền và lợi ích hợp pháp;\n", ["Khách hàng"]),
    # "X có cam kết về việc sẽ chịu trách nhiệm …": the modal's subject is X
    ("THÔNG TƯ\nĐiều 5. Bao thanh toán\n1. Đối với bao thanh toán có cam kết hoàn trả, bên mua hàng có cam kết "
     "về việc sẽ chịu trách nhiệm hoàn trả đầy đủ cho đơn vị bao thanh toán số tiền.\n", ["Bên mua hàng"]),
])
def test_a_subject_ends_before_its_obligation_intro_or_complement_clause(tmp_path, text, leads):
    tasks = extract_tasks(parse_text(tmp_path, text))
    assert tasks and all(t.lead_units == leads for t in tasks)


@pytest.mark.parametrize("np, names", [
    # older texts write a people's committee in lower case after a plural group
    ("Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ, ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương",
     ["Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]),
    # a semicolon ends an entry when an actor follows, in lower case too
    ("Cơ quan nhà nước khác ở Trung ương; tổ chức chính trị, tổ chức xã hội ở trung ương",
     ["Cơ quan nhà nước khác ở Trung ương", "tổ chức chính trị, tổ chức xã hội ở trung ương"]),
    ("Các sở, ban, ngành", ["Các sở, ban, ngành"]),
])
def test_a_list_of_actors_divides_at_a_lower_case_authority_and_a_semicolon(np, names):
    assert split_actors(np) == names


def test_a_subject_list_goes_on_after_a_semicolon_in_lower_case():
    found = modal_subject("2. Cơ quan nhà nước khác ở Trung ương; tổ chức chính trị, tổ chức xã hội ở trung ương "
                          "có trách nhiệm quản lý tài sản.")
    assert found and found[0] == ["Cơ quan nhà nước khác ở Trung ương", "tổ chức chính trị, tổ chức xã hội ở trung ương"]


def test_a_word_that_begins_with_a_class_nouns_syllable_is_no_class_noun():
    from ingest.units import bare_class_list

    text = "phối hợp với cơ quan, bộ phận tham mưu về tổ chức"
    assert bare_class_list(text, text.index("cơ quan")) is None  # "bộ phận" is not "bộ"
    listed = "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ có trách nhiệm"
    assert listed[:bare_class_list(listed, 0)] == "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"


def test_related_bodies_without_cac_are_a_partner_group():
    from ingest.assignment_sentences import clause_roles

    roles = clause_roles("Sở Nội vụ phối hợp với đơn vị có liên quan tổ chức kiểm tra")
    assert roles["lead"] == ["Sở Nội vụ"] and roles["partner"] == ["Đơn vị có liên quan"]


@pytest.mark.parametrize("field_lines, lead, partners, deadline", [
    # a field label opens its own line: it never runs on a heading above it, even in a short text file
    ("Cơ quan chủ trì thực hiện: Sở Thông tin và Truyền thông; cơ quan phối hợp: Sở Ngoại vụ.\n"
     "Thời gian thực hiện: Quý II/2024.\n", ["Sở Thông tin và Truyền thông"], ["Sở Ngoại vụ"], "Quý II/2024"),
    # "Trách nhiệm thực hiện:" is a lead's label; its value's grammar gives the partners
    ("* Trách nhiệm thực hiện: Sở Thông tin và Truyền thông chủ trì, phối hợp với Sở Ngoại vụ.\n* Thời hạn: Tháng 9/2024.\n",
     ["Sở Thông tin và Truyền thông"], ["Sở Ngoại vụ"], "Tháng 9/2024"),
])
def test_more_field_line_shapes(tmp_path, field_lines, lead, partners, deadline):
    text = "KẾ HOẠCH\nII. NHIỆM VỤ\n1. Tuyên truyền về ASEAN trên báo chí\n" + field_lines
    tasks = extract_tasks(parse_text(tmp_path, text))
    assert [(t.task, t.lead_units, t.partner_units, t.deadline) for t in tasks] == [
        ("Tuyên truyền về ASEAN trên báo chí", lead, partners, deadline)]


@pytest.mark.parametrize("line, focal, report_to", [
    ("1. Sở Nội vụ làm đầu mối tổng hợp, báo cáo UBND tỉnh.", ["Sở Nội vụ"], ["Ủy ban nhân dân tỉnh"]),
    ("2. Giao Sở Nội vụ làm đầu mối tổng hợp kết quả.", ["Sở Nội vụ"], []),
])
def test_a_short_numbered_sentence_assigns_like_a_long_one(tmp_path, line, focal, report_to):
    tasks = extract_tasks(parse_text(tmp_path, "KẾ HOẠCH\nIII. TỔ CHỨC THỰC HIỆN\n" + line + "\n"))
    assert [(t.focal_units, t.report_to) for t in tasks] == [(focal, report_to)]
