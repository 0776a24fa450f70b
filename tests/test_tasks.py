"""The task table on the real corpus: the three ways plans assign tasks, unit names, storage,
exports, the HTTP route and the question helper."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.deadlines import find_deadline
from ingest.pipeline import Ledger, parse_file
from ingest.task_export import HEADER
from ingest.task_table import TaskTable
from ingest.tasks import Task, extract_tasks, tasks_for_document
from ingest.unit_match import document_scope, unit_matches, unit_variants
from ingest.unit_names import canonical_unit, split_units, unit_key
from ingest.units import find_units

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QN = "asean/quangninh-159-kh-ubnd-2021.docx"
DS = "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"
BNV = "asean/bonoivu-1117-qd-bnv-2021.txt"
TN = "asean/tayninh-2502-kh-ubnd-2019.html"
DL = "asean/daklak-tuyen-truyen-asean-2021-2025.txt"
ALL = [QN, DS, BNV, TN, DL]


@pytest.fixture(scope="module")
def docs():
    return {s: parse_file(CORPUS / s, s, max_bytes=50 * 1024 * 1024, ocr=False) for s in ALL}


@pytest.fixture(scope="module")
def tasks(docs):
    return {s: extract_tasks(d) for s, d in docs.items()}


def _with_lead(tasks: list[Task], unit: str) -> list[Task]:
    return [t for t in tasks if any(unit_key(u) == unit_key(unit) for u in t.lead_units)]


# --- shape 1: assignment lines (Quảng Ninh) ------------------------------------------------------

def test_quang_ninh_compound_line_gives_two_leads(tasks):
    t = next(t for t in tasks[QN] if "Sở Du lịch" in t.quote)
    assert t.lead_units == ["Sở Văn hóa và Thể thao", "Sở Du lịch"]
    assert t.quote == "- Đơn vị chủ trì: Sở Văn hóa và Thể thao, Sở Du lịch."
    assert t.shape == "lines" and t.section.startswith("3 ")


def test_quang_ninh_item_1_3_is_led_by_district_councils_as_one_unit(tasks):
    t = next(t for t in tasks[QN] if t.section.startswith("1.3"))
    assert t.lead_units == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert t.task == "Tuyên truyền trên hệ thống thông tin cơ sở"


def test_quang_ninh_item_without_lead_keeps_deadline_and_guiding_unit(tasks):
    t = next(t for t in tasks[QN] if t.guiding_units == ["Ban Tuyên giáo Tỉnh ủy"])
    assert t.lead_units == [] and t.deadline == "Tuyên truyền theo sự kiện"


def test_quang_ninh_lost_subheadings_give_one_task_per_closing_line(tasks):
    item3 = [t for t in tasks[QN] if t.section.startswith("3 ") and t.shape == "lines"]
    assert len(item3) == 4  # four runs, each closed by its own assignment line
    assert item3[3].focal_units == ["Sở Thông tin và Truyền thông"] and item3[3].lead_units == []


def test_quotes_are_exact_slices_of_the_document(docs, tasks):
    for source, ts in tasks.items():
        for t in ts:
            assert docs[source].text[t.char_start:t.char_end] == t.quote


# --- shape 2: unit-headed duties (Đông Sơn) -------------------------------------------------------

def test_dong_son_each_duty_paragraph_is_a_task_of_its_heading_unit(tasks):
    phong = _with_lead(tasks[DS], "Phòng Văn hoá và Thông tin huyện")
    assert [t.task[:30] for t in phong] == ["Xây dựng Kế hoạch thông tin, t", "Tổng hợp kết quả triển khai cô"]
    assert all(t.section.startswith("III.1") and t.page == 4 for t in phong)
    xa = _with_lead(tasks[DS], "UBND các xã thị trấn")
    assert len(xa) == 3
    assert xa[2].partner_units == ["Trung tâm Văn hóa, Thông tin, Thể thao và Du lịch huyện"]


def test_dong_son_duty_deadline_and_report_recipients(tasks):
    centre = _with_lead(tasks[DS], "Trung tâm Văn hoá, Thông tin, Thể thao và Du lịch huyện")
    assert [t.deadline for t in centre] == ["năm 2021", None, None]
    report = _with_lead(tasks[DS], "Phòng Văn hoá và Thông tin huyện")[1]
    assert report.report_to == ["Ủy ban nhân dân tỉnh", "Ủy ban nhân dân huyện"]


def test_dong_son_recipients_list_gives_no_task(tasks):
    assert not [t for t in tasks[DS] if t.section == "Nơi nhận"]
    assert tasks[DS][0].scope == "huyện Đông Sơn, Thanh Hóa"


# --- shape 3: narrative sentences -----------------------------------------------------------------

def test_bo_noi_vu_giao_vu_hop_tac_quoc_te_chu_tri(tasks):
    t = next(t for t in tasks[BNV] if t.quote.startswith("Giao Vụ Hợp tác quốc tế chủ trì"))
    assert t.lead_units == ["Vụ Hợp tác quốc tế"] and t.focal_units == ["Vụ Hợp tác quốc tế"]
    # the separate report to the ministry of information is its own task
    report = next(t for t in tasks[BNV] if t.report_to == ["Bộ Thông tin và Truyền thông"])
    assert report.lead_units == ["Vụ Hợp tác quốc tế"]
    assert report.quote == "báo cáo kết quả thực hiện về Bộ Thông tin và Truyền thông"
    assert t.scope == "Bộ Nội vụ"


def test_deadline_truoc_ngay_10_11_hang_nam(tasks):
    t = next(t for t in tasks[QN] if t.deadline == "trước ngày 10/11 hằng năm")
    assert t.lead_units == ["Các sở, ban, ngành", "Tổ chức chính trị - xã hội tỉnh",
                            "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert t.report_to == ["Sở Thông tin và Truyền thông"]
    onward = next(x for x in tasks[QN] if x.quote.startswith("để tổng hợp"))
    assert onward.lead_units == ["Sở Thông tin và Truyền thông"]
    assert onward.report_to == ["Ủy ban nhân dân tỉnh", "Bộ Thông tin và Truyền thông"]


def test_narrative_precision(tasks):
    leads = {unit_key(u) for ts in tasks.values() for t in ts for u in t.lead_units}
    assert unit_key("Sở Xây dựng") not in leads  # Tây Ninh: a past event, not an assignment
    assert not any("Ban chỉ đạo" in u or "Ban Chỉ đạo" in u for ts in tasks.values() for t in ts for u in t.lead_units)
    assert not any(t.lead_units for t in tasks[DL])  # the article names no lead anywhere
    vtv = next(t for t in tasks[TN] if "VTV" in t.quote)
    assert vtv.lead_units == ["Đài Truyền hình Việt Nam"]


def test_find_deadline_phrases():
    assert find_deadline("báo cáo (trước ngày 10/11 hằng năm) để tổng hợp")[0] == "trước ngày 10/11 hằng năm"
    assert find_deadline("hoàn thành trong quý IV năm 2022")[0] == "trong quý IV năm 2022"
    assert find_deadline("Định kỳ trước ngày 25 tháng 6 và trước ngày 25 tháng 12 hằng năm, Sở báo cáo")[0] == \
        "trước ngày 25 tháng 6 và trước ngày 25 tháng 12 hằng năm"
    assert find_deadline("các hoạt động chuyên môn của đơn vị năm 2021.")[0] == "năm 2021"
    assert find_deadline("giai đoạn 2021 - 2025, ngày 26 tháng 8 năm 2021") is None


# --- unit names -----------------------------------------------------------------------------------

def test_unit_normalisation_and_variants():
    assert canonical_unit("Sở TT&TT") == canonical_unit("Sở TTTT") == "Sở Thông tin và Truyền thông"
    assert canonical_unit("UBND các huyện, thị xã, thành phố") == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert canonical_unit("Trung tâm VHTTTT&DL") == "Trung tâm Văn hóa, Thông tin, Thể thao và Du lịch"
    assert unit_key("Phòng Văn hoá và Thông tin") == unit_key("Phòng Văn hóa và Thông tin")
    assert "Sở TT&TT" in unit_variants("Sở Thông tin và Truyền thông")
    assert unit_matches("so tttt", "Sở Thông tin và Truyền thông tỉnh Quảng Ninh")
    assert not unit_matches("Sở Thông tin và Truyền thông", "Bộ Thông tin và Truyền thông")
    assert not unit_matches("Ủy ban nhân dân tỉnh", "Ủy ban nhân dân huyện")


def test_split_units_only_before_a_new_head_noun():
    assert split_units("Sở Văn hóa và Thể thao, Sở Du lịch") == ["Sở Văn hóa và Thể thao", "Sở Du lịch"]
    assert split_units("Ủy ban nhân dân các huyện, thị xã, thành phố") == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert split_units("Sở Văn hóa, Thể thao và Du lịch") == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert split_units("Các sở, ban, ngành, Ủy ban nhân dân các huyện, thị xã, thành phố") == \
        ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert split_units("Sở Tư pháp và Công an tỉnh; Sở Lao động - Thương binh và Xã hội") == \
        ["Sở Tư pháp", "Công an tỉnh", "Sở Lao động - Thương binh và Xã hội"]


def test_find_units_in_running_text():
    text = ("Định kỳ báo cáo kết quả gửi về Sở Thông tin và Truyền thông (trước ngày 10/11) để tổng hợp, "
            "báo cáo Ủy ban nhân dân tỉnh và Bộ Thông tin và Truyền thông; Ban hành kế hoạch, Báo cáo kết quả.")
    assert [u.text for u in find_units(text)] == [
        "Sở Thông tin và Truyền thông", "Ủy ban nhân dân tỉnh", "Bộ Thông tin và Truyền thông"]
    spans = find_units("Trạm Quản lý vận tải cửa khẩu thực hiện các nhiệm vụ sau")
    assert spans[0].text == "Trạm Quản lý vận tải cửa khẩu" and spans[0].start == 0
    # an organ or a committee named after the body it belongs to keeps the body in its name
    assert [u.text for u in find_units("phối hợp với Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam và các tổ chức "
                                       "thành viên")][0] == "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"
    assert find_units("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh chủ trì")[0].text == \
        "Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"
    assert [u.text for u in find_units("Sở Nội vụ, Mặt trận Tổ quốc Việt Nam tỉnh")] == \
        ["Sở Nội vụ", "Mặt trận Tổ quốc Việt Nam tỉnh"]
    # "Cơ quan" before a capitalised field names a unit; before lower-case words it is a class
    assert find_units("Cơ quan Địa chính cấp huyện chủ trì, phối hợp")[0].text == "Cơ quan Địa chính cấp huyện"
    assert not find_units("Cơ quan quản lý đường bộ tiến hành đo đạc")
    # a scan's OCR that misread a tone mark inside a list of localities still lists them
    assert find_units("Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh, thành phó hướng dẫn")[1].text == \
        "Ủy ban nhân dân các tỉnh, thành phó"


def test_scope_keeps_provinces_apart(docs, tasks):
    assert document_scope(docs[QN].meta, docs[QN].text) == "Quảng Ninh"
    other = Task(task_id="x", doc_id="other", source="other.txt", section="1", task="Báo cáo",
                 lead_units=["Sở Thông tin và Truyền thông"], scope="Bình Phước")
    table = TaskTable(tasks[QN] + [other])
    qn = table.query(unit="Sở TT&TT", province="Quảng Ninh")
    assert qn and all(t.scope == "Quảng Ninh" for t in qn)
    assert [t.doc_id for t in table.query(unit="Sở TTTT", province="Bình Phước")] == ["other"]


# --- the table: storage, queries, exports, API, questions -------------------------------------------

@pytest.fixture(scope="module")
def table(docs):
    return TaskTable.from_documents(list(docs.values()))


def test_query_by_unit_role_and_words(table):
    by_role = table.by_role("Sở Thông tin và Truyền thông")
    assert len(by_role["lead"]) == 3 and len(by_role["focal"]) == 1
    hits = table.query(q="hệ thong thong tin co so")  # typed without all the accents
    assert hits[0].lead_units == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert table.query(doc_id="asean-dongson-thanhhoa-ke-hoach-asean-2021-2025-pdf")[0].page == 4


def test_csv_and_xlsx_export(table, tmp_path):
    import csv as csvmod

    from openpyxl import load_workbook

    rows = list(csvmod.reader((table.to_csv(tmp_path / "t.csv")).open(encoding="utf-8-sig")))
    assert rows[0] == HEADER and len(rows) == len(table.tasks) + 1
    wb = load_workbook(table.to_xlsx(tmp_path / "t.xlsx"))
    ws = wb.active
    assert [c.value for c in ws[1]] == HEADER
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(values) == len(table.tasks)
    du_lich = next(v for v in values if v[2] == "Sở Văn hóa và Thể thao; Sở Du lịch")
    assert du_lich[9] == "- Đơn vị chủ trì: Sở Văn hóa và Thể thao, Sở Du lịch."  # stored as text, not a formula
    assert rows[1 + values.index(du_lich)][9].startswith("'-")  # the CSV guards a spreadsheet against formulas


def _ledger_with(docs, tmp_path, with_tasks: bool) -> Ledger:
    ledger = Ledger(tmp_path / "state")
    for doc in docs.values():
        ledger.put(doc)
        if with_tasks:
            path = ledger.docs_dir / f"{doc.doc_id}.json"
            data = json.loads(path.read_text())
            data["tasks"] = tasks_for_document(doc)
            path.write_text(json.dumps(data, ensure_ascii=False))
    return ledger


@pytest.mark.parametrize("with_tasks", [True, False])
def test_table_from_ledger_reads_or_reextracts(docs, tasks, tmp_path, with_tasks):
    table = TaskTable.from_ledger(_ledger_with(docs, tmp_path, with_tasks))
    expected = sorted((t.doc_id, t.char_start, tuple(t.lead_units)) for ts in tasks.values() for t in ts)
    got = sorted((t.doc_id, t.char_start, tuple(t.lead_units)) for t in table.tasks)
    assert got == expected


def test_api_route(docs, tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bot.http.tasks import get_task_table, router
    from ingest.task_table import cached_task_table

    app = FastAPI()
    ledger = _ledger_with(docs, tmp_path, False)
    # The route reads the table of what the caller may see; here, the whole ledger.
    app.dependency_overrides[get_task_table] = lambda: cached_task_table(ledger)
    app.include_router(router)
    client = TestClient(app)
    body = client.get("/api/tasks", params={"unit": "Sở TT&TT", "province": "Quảng Ninh"}).json()
    assert body["tasks"] and all("Sở Thông tin và Truyền thông" in (t["lead_units"] + t["focal_units"])
                                 for t in body["tasks"])
    first = body["tasks"][0]
    assert set(first) >= {"task", "section", "lead_units", "partner_units", "focal_units", "guiding_units",
                          "deadline", "doc_id", "source", "page", "quote"}
    assert client.get("/api/tasks", params={"q": "thông tin cơ sở"}).json()["tasks"][0]["section"].startswith("1.3")
    # Pages of a word search, read one after the other, are the one long list cut in pieces.
    whole = client.get("/api/tasks", params={"q": "tuyên truyền", "limit": 500}).json()
    assert not whole["has_more"] and len(whole["tasks"]) > 6
    pages, offset = [], 0
    while True:
        page = client.get("/api/tasks", params={"q": "tuyên truyền", "limit": 3, "offset": offset}).json()
        pages += page["tasks"]
        offset += 3
        if not page["has_more"]:
            break
    assert pages == whole["tasks"]


def test_cli_command_exports(docs, table, tmp_path):
    from io import StringIO

    from rich.console import Console

    from bot.cli.tasks import tasks_command

    out = StringIO()
    n = tasks_command(unit="UBND các xã thị trấn", doc=None, q=None, csv=tmp_path / "x.csv", xlsx=tmp_path / "x.xlsx",
                      console=Console(file=out, width=200), table=table)
    assert n == 3 and (tmp_path / "x.csv").exists() and (tmp_path / "x.xlsx").exists()
    assert "Phân công nhiệm vụ" in out.getvalue()


def test_answer_unit_questions(table):
    ans = table.answer_unit_question("Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở?")
    assert ans.intent == "who" and ans.tasks[0].lead_units == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    task, role = table.best_task_for_question("don vi nao chu tri tuyen truyen tren ha tang cong nghe thong tin")
    assert role == "lead" and task.lead_units == ["Sở Thông tin và Truyền thông"]
    duties = table.answer_unit_question("Sở TT&TT phải làm những gì?")
    assert duties.intent == "duties" and len(duties.tasks) == 4
    dated = table.answer_unit_question("Việc nào có thời hạn trước ngày 10/11?")
    assert dated.intent == "deadline_list" and dated.tasks[0].deadline == "trước ngày 10/11 hằng năm"
    assert table.answer_unit_question("Ai ký Kế hoạch 159/KH-UBND?") is None
    assert table.answer_unit_question("ASEAN có bao nhiêu nước thành viên?") is None


def test_benchmark_meets_targets():
    from eval.tasks import GOLD, evaluate

    if not GOLD.exists():
        pytest.skip("no gold table")
    result = evaluate(golds=["corpus"])["corpus"]
    assert result["lead_precision"] == 1.0 and result["lead_recall"] == 1.0
    assert result["deadline_precision"] == 1.0 and result["deadline_recall"] == 1.0


# --- shapes the five plans do not use (written here, parsed by the real loaders) -----------------

PLAN_TXT = """ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC
Số: 45/KH-UBND
Bình Phước, ngày 10 tháng 3 năm 2022
KẾ HOẠCH
Thực hiện chuyển đổi số trong lĩnh vực văn hóa năm 2022
I. MỤC ĐÍCH, YÊU CẦU
- Tăng cường phối hợp giữa các sở, ngành.
II. NHIỆM VỤ, GIẢI PHÁP
1. Tổ chức hội nghị quán triệt về chuyển đổi số (Sở Thông tin và Truyền thông chủ trì; các sở, ngành phối hợp; thời gian: quý II/2022).
2. Xây dựng cơ sở dữ liệu di sản văn hóa của tỉnh.
- Cơ quan chủ trì: Sở Văn hóa, Thể thao và Du lịch; cơ quan phối hợp: Sở Thông tin và Truyền thông, Sở Tài chính; thời gian hoàn thành: tháng 12/2022.
III. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
a) Chủ trì, phối hợp với Sở Tài chính tham mưu bố trí kinh phí thực hiện Kế hoạch.
b) Theo dõi, tổng hợp kết quả thực hiện, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12/2022.
2. Ủy ban nhân dân các huyện, thị xã, thành phố có trách nhiệm:
- Triển khai Kế hoạch trên địa bàn;
- Báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông trước ngày 30/11/2022.
3. Giao Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp rà soát quy chế văn thư điện tử.
"""


def test_other_plan_shapes(tmp_path):
    path = tmp_path / "kh.txt"
    path.write_text(PLAN_TXT, encoding="utf-8")
    ts = extract_tasks(parse_file(path, "kh.txt", max_bytes=1 << 20, ocr=False))
    rows = {(t.task[:20], tuple(t.lead_units), tuple(t.partner_units), t.deadline) for t in ts}
    assert ("Tổ chức hội nghị quá", ("Sở Thông tin và Truyền thông",), ("Các sở, ngành",), "quý II/2022") in rows
    assert ("Xây dựng cơ sở dữ li", ("Sở Văn hóa, Thể thao và Du lịch",),
            ("Sở Thông tin và Truyền thông", "Sở Tài chính"), "tháng 12/2022") in rows
    assert ("Chủ trì, phối hợp vớ", ("Sở Thông tin và Truyền thông",), ("Sở Tài chính",), None) in rows
    councils = _with_lead(ts, "Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert [t.deadline for t in councils] == [None, "trước ngày 30/11/2022"]
    assert councils[1].report_to == ["Sở Thông tin và Truyền thông"]
    assert _with_lead(ts, "Sở Nội vụ")[0].partner_units == ["Sở Tư pháp"]
    assert not [t for t in ts if t.section.startswith("I ")]  # aims state no assignment
    assert {t.scope for t in ts} == {"Bình Phước"}


def test_task_table_in_a_word_file(tmp_path):
    import docx

    d = docx.Document()
    for line in ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "Số: 12/KH-UBND", "KẾ HOẠCH", "Tuyên truyền về ASEAN năm 2023",
                 "I. NHIỆM VỤ CỤ THỂ"):
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=5)
    rows = [["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
            ["1", "Tổ chức Cuộc thi tìm hiểu về Cộng đồng ASEAN", "Sở Thông tin và Truyền thông",
             "Sở Giáo dục và Đào tạo", "Quý III/2023"],
            ["2", "Sản xuất phóng sự về hợp tác biên giới", "Báo Lạng Sơn",
             "Sở Ngoại vụ; Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Tháng 8/2023"]]
    for i, values in enumerate(rows):
        cells = table.rows[0].cells if i == 0 else table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
    d.save(tmp_path / "kh.docx")
    ts = extract_tasks(parse_file(tmp_path / "kh.docx", "kh.docx", max_bytes=1 << 20, ocr=False))
    assert [(t.task, t.lead_units, t.partner_units, t.deadline, t.shape) for t in ts] == [
        ("Tổ chức Cuộc thi tìm hiểu về Cộng đồng ASEAN", ["Sở Thông tin và Truyền thông"],
         ["Sở Giáo dục và Đào tạo"], "Quý III/2023", "table"),
        ("Sản xuất phóng sự về hợp tác biên giới", ["Báo Lạng Sơn"],
         ["Sở Ngoại vụ", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"], "Tháng 8/2023", "table"),
    ]
    assert ts[0].scope == "Lạng Sơn"
