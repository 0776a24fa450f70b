"""Cited summaries for report writers on the real corpus: cross-document merging with every plan
credited, summaries of a document list, no duplicate and no unsupported bullet, the DOCX and
Markdown drafts, the HTTP route and the CLI command."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.summary.composition import duplicate_pairs, unsupported_parts
from bot.summary.labels import document_heading, short_label
from bot.summary.statements import condense, document_statements
from bot.summary.summarize import SummaryError, SummaryRequest, UnknownDocuments, summarize

QN = "asean/quangninh-159-kh-ubnd-2021.docx"
DS = "asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"
BNV = "asean/bonoivu-1117-qd-bnv-2021.txt"
TN = "asean/tayninh-2502-kh-ubnd-2019.html"
DL = "asean/daklak-tuyen-truyen-asean-2021-2025.txt"
PLANS = [QN, DS, DL, BNV]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "summary"


def assert_sound(summary) -> None:
    """Every bullet's words are in its cited quotes, no bullet twice, citations all listed."""
    refs = {c.n for c in summary.references}
    bullets = summary.bullets
    assert bullets, "the summary is empty"
    for b in bullets:
        assert b.citations and set(b.citations) <= refs, b.text
        assert unsupported_parts(b, summary.references) == [], b.text
    assert duplicate_pairs(bullets) == []
    assert len({b.text for b in bullets}) == len(bullets)
    # numbered in order of first use, with nothing missing
    assert [c.n for c in summary.references] == list(range(1, len(summary.references) + 1))


@pytest.fixture(scope="module")
def covid_summary(services):
    steps = []
    summary = summarize(services, SummaryRequest(topic="Hợp tác ASEAN ứng phó đại dịch COVID-19", doc_ids=PLANS,
                                                 group_by="pillar"),
                        on_progress=lambda message, done, total: steps.append((message, done, total)))
    summary.progress = steps
    return summary


@pytest.fixture(scope="module")
def documents_summary(services):
    return summarize(services, SummaryRequest(doc_ids=[BNV, "asean-tayninh-2502-kh-ubnd-2019-html"]))


def test_topic_summary_merges_what_several_plans_say(covid_summary):
    s = covid_summary
    assert_sound(s)
    by_n = {c.n: c for c in s.references}
    merged = [b for b in s.bullets if len(b.doc_ids) > 1]
    assert merged, "near-identical statements of several plans should be one bullet"
    for b in merged:
        assert b.lead.startswith(("Các kế hoạch của", "Các văn bản của")) and b.lead.endswith("đều nêu")
        assert b.text.startswith(b.lead + ": ")
        cited_docs = {by_n[n].doc_id for n in b.citations}
        assert cited_docs == set(b.doc_ids)  # every plan that says it is cited, once
    # what one plan says alone is attributed to it
    single = [b for b in s.bullets if len(b.doc_ids) == 1]
    assert single and all(b.lead for b in single)
    assert any(b.lead == "Quảng Ninh" for b in single + merged) or any("Quảng Ninh" in b.lead for b in merged)
    # the theme asked for leads the grouping
    assert any(sec.heading == "Hợp tác ứng phó COVID-19" for sec in s.sections)
    assert "covid" in " ".join(b.text for b in s.bullets).lower()
    # progress was reported, ending at the last step
    assert s.progress and s.progress[-1][1] == s.progress[-1][2]


def test_document_list_is_summarised_per_document(documents_summary, services):
    s = documents_summary
    assert_sound(s)
    records = {r["source"]: r for r in services.ledger.records()}
    headings = [sec.heading for sec in s.sections]
    assert headings == [document_heading(records[BNV]), document_heading(records[TN])]
    for sec, source in zip(s.sections, [BNV, TN]):
        doc_id = records[source]["doc_id"]
        assert all(b.doc_ids == [doc_id] for b in sec.bullets)
        assert len(sec.bullets) >= 5
    # the sentence that says what the decision is opens its summary
    assert "1117/QĐ-BNV" in s.sections[0].bullets[0].text
    assert s.title.startswith("Tóm tắt")


def test_a_topic_that_only_names_the_document_is_a_document_summary(services):
    s = summarize(services, SummaryRequest(topic="Tóm tắt Quyết định 1117/QĐ-BNV của Bộ Nội vụ", doc_ids=[BNV]))
    assert_sound(s)
    assert len(s.bullets) >= 8  # the whole decision, not the sentences naming it


def test_assignments_topic_gives_units_and_their_duties(services):
    s = summarize(services, SummaryRequest(topic="Các đơn vị được giao chủ trì nhiệm vụ gì", doc_ids=[QN, DS],
                                           group_by="province"))
    assert_sound(s)
    text = "\n".join(b.text for b in s.bullets)
    # a task bullet keeps the line that names its unit
    assert "Đơn vị chủ trì" in text
    assert "Phòng Văn hoá và Thông tin huyện" in text
    assert [sec.heading for sec in s.sections if "Quảng Ninh" in sec.heading]


def test_requests_that_cannot_be_served():
    with pytest.raises(SummaryError):
        SummaryRequest()
    with pytest.raises(SummaryError):
        SummaryRequest(topic="kinh tế", group_by="năm")


def test_unknown_documents_are_named(services):
    with pytest.raises(UnknownDocuments) as err:
        summarize(services, SummaryRequest(doc_ids=[QN, "khong-co-van-ban-nay"]))
    assert err.value.missing == ["khong-co-van-ban-nay"] and err.value.status == 404


def test_a_changed_word_is_caught_as_unsupported(covid_summary):
    b = covid_summary.bullets[0].to_dict()
    part = b["parts"][0]
    words = part.split()
    words[len(words) // 2] = "KHÔNGCÓ"
    b["parts"] = [" ".join(words)]
    assert unsupported_parts(b, [c.to_dict() for c in covid_summary.references]) == b["parts"]


# --- exports --------------------------------------------------------------------------------------

def test_docx_export_reads_back(covid_summary, tmp_path):
    from docx import Document

    from bot.summary.report import BULLET_STYLE, REFERENCE_STYLE, REFERENCES_HEADING, to_docx

    path = to_docx(covid_summary, tmp_path / "bao-cao.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts and covid_summary.title in texts
    header = doc.tables[0].rows[0].cells[1].text
    d = covid_summary.generated_at
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    assert f"ngày {d.day} tháng {d.month} năm {d.year}" in header
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = [f"{r}. {s.heading}" for r, s in zip(["I", "II", "III", "IV", "V", "VI", "VII", "VIII"],
                                                     covid_summary.sections)]
    assert headings == expected + [REFERENCES_HEADING]
    bullets = [p.text for p in doc.paragraphs if p.style.name == BULLET_STYLE]
    assert len(bullets) == len(covid_summary.bullets)
    for text, b in zip(bullets, covid_summary.bullets):
        assert text == f"- {b.text} " + "".join(f"[{n}]" for n in b.citations)
    refs = [p.text for p in doc.paragraphs if p.style.name == REFERENCE_STYLE]
    assert len(refs) == len(covid_summary.references)
    for text, c in zip(refs, covid_summary.references):
        assert text.startswith(f"[{c.n}] ")
        assert "Trích: “" in text
    # the first reference to a document describes it in full
    first_qn = next(t for t, c in zip(refs, covid_summary.references) if c.source == QN)
    assert "159/KH-UBND" in first_qn and "Ủy ban nhân dân tỉnh Quảng Ninh" in first_qn and "26/8/2021" in first_qn
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 13
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    to_docx(covid_summary, ARTIFACTS / "bao-cao-covid.docx")


def test_docx_to_bytes_and_file_object(documents_summary):
    from docx import Document

    from bot.summary.report import to_docx

    data = to_docx(documents_summary)
    assert data[:2] == b"PK"
    buf = io.BytesIO()
    to_docx(documents_summary, buf)
    assert Document(io.BytesIO(buf.getvalue())).paragraphs


def test_markdown_export(covid_summary):
    from bot.summary.report import to_markdown

    md = to_markdown(covid_summary)
    lines = md.splitlines()
    assert lines[0] == f"# {covid_summary.title}"
    assert sum(1 for line in lines if line.startswith("## ")) == len(covid_summary.sections) + 1
    assert lines.count("## Tài liệu tham khảo") == 1
    bullet_lines = [line for line in lines if line.startswith("- ")]
    assert len(bullet_lines) == len(covid_summary.bullets)
    assert all(line.rstrip().endswith("]") for line in bullet_lines)
    for c in covid_summary.references:
        assert any(line.startswith(f"{c.n}. ") for line in lines)


# --- HTTP -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    from bot.http.summary import router

    if not any(getattr(r, "path", "") == "/api/summarize" for r in app.routes):
        app.include_router(router)  # until bot/http/app.py includes it
    return TestClient(app)


def test_api_json(client):
    r = client.post("/api/summarize", json={"topic": "Các hình thức tuyên truyền trên báo chí và mạng xã hội",
                                            "doc_ids": [QN, TN], "group_by": "document"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert {"title", "sections", "references"} <= set(data)
    assert data["sections"] and all(s["heading"] and s["bullets"] for s in data["sections"])
    ns = {c["n"] for c in data["references"]}
    for s in data["sections"]:
        for b in s["bullets"]:
            assert b["text"] and b["citations"] and set(b["citations"]) <= ns
            assert unsupported_parts(b, data["references"]) == []
    ref = data["references"][0]
    assert {"doc_id", "source", "quote", "section", "page", "number", "issuer", "date"} <= set(ref)


def test_api_docx_by_format_and_by_accept(client):
    from docx import Document

    body = {"doc_ids": [BNV]}
    for kwargs in ({"json": {**body, "format": "docx"}}, {"json": body, "headers": {"Accept": DOCX}}):
        r = client.post("/api/summarize", **kwargs)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == DOCX
        assert r.headers["content-disposition"] == 'attachment; filename="bao-cao.docx"'
        doc = Document(io.BytesIO(r.content))
        assert any("1117/QĐ-BNV" in p.text for p in doc.paragraphs)


def test_api_markdown(client):
    r = client.post("/api/summarize", json={"doc_ids": [TN], "format": "markdown"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert r.text.startswith("# Tóm tắt")


@pytest.mark.parametrize("body,status,words", [
    ({}, 422, "chủ đề"),
    ({"topic": "  "}, 422, "chủ đề"),
    ({"doc_ids": ["khong-co-van-ban-nay"]}, 404, "Không tìm thấy tài liệu"),
    ({"topic": "kinh tế", "group_by": "year"}, 422, "Cách nhóm không hợp lệ"),
    ({"topic": "kinh tế", "format": "pdf"}, 422, "Định dạng không hợp lệ"),
    ({"topic": "kinh tế", "doc_ids": "asean"}, 422, "không hợp lệ"),
    ({"topic": "x" * 5000}, 422, "quá dài"),
])
def test_api_errors_are_vietnamese(client, body, status, words):
    r = client.post("/api/summarize", json=body)
    assert r.status_code == status
    assert words in r.json()["detail"]


# --- CLI ------------------------------------------------------------------------------------------

def test_cli_writes_docx_and_markdown(services, tmp_path):
    from rich.console import Console

    from bot.cli.summary import summarize_command

    console = Console(record=True, width=120)
    out = tmp_path / "bao-cao.docx"
    assert summarize_command(topic=None, doc=[TN], by=None, out=out, console=console, services=services) == 0
    assert out.stat().st_size > 5000
    md = tmp_path / "bao-cao.md"
    assert summarize_command(topic="Hình thức tuyên truyền", doc=[TN, DL], by="pillar", out=md, console=console,
                             services=services) == 0
    assert md.read_text(encoding="utf-8").startswith("# Hình thức tuyên truyền")
    assert summarize_command(topic=None, doc=None, by=None, out=None, console=console, services=services) == 2
    assert "Cần nêu chủ đề" in console.export_text()


# --- pieces ---------------------------------------------------------------------------------------

def test_condense_keeps_the_words():
    assert condense("- tăng cường phối hợp;") == "Tăng cường phối hợp"
    assert condense("+ Đồng thời, triển khai các nhiệm vụ./.") == "Triển khai các nhiệm vụ."
    assert condense("2. Các sở, ban, ngành chủ động xây dựng kế hoạch.") == "Các sở, ban, ngành chủ động xây dựng kế hoạch."


def _doc(text: str, **record) -> dict:
    return {"record": {"doc_id": "d", "title": record.get("title", "")}, "text": text,
            "chunks": [{"chunk_id": "d:0", "doc_id": "d", "source": "d.txt", "kind": "body", "section": "1 Mục",
                        "headings": [], "text": text, "char_start": 0, "char_end": len(text), "page": None,
                        "page_map": [], "assignments": []}]}


def test_statements_join_wrapped_lines_and_keep_brackets_whole():
    text = ("- Cập nhật các sáng kiến chung gồm Quỹ ứng phó, Khung phục hồi tổng thể ASEAN\n"
            "(ACRF), Trung tâm ASEAN ứng phó các tình huống y tế khẩn cấp.\n"
            "- Tuyên truyền ba trụ cột (Trụ cột Chính trị - An ninh; Trụ cột Kinh tế; Trụ cột Văn hoá - Xã hội) "
            "đến người dân. Tổ chức hội nghị tại TP. Hồ Chí Minh cho các doanh nghiệp trong tỉnh.")
    sentences, tasks = document_statements(_doc(text))
    texts = [s.text for s in sentences]
    assert texts[0].startswith("Cập nhật") and "(ACRF), Trung tâm" in texts[0]
    assert any("Trụ cột Kinh tế; Trụ cột Văn hoá - Xã hội)" in t for t in texts)
    assert any(t.startswith("Tổ chức hội nghị tại TP. Hồ Chí Minh") for t in texts)
    assert not tasks


def test_task_blocks_keep_their_assignment_lines():
    text = ("1.1. Tuyên truyền trên báo chí của tỉnh\n"
            "+ Mở chuyên mục về ASEAN trên báo in và báo điện tử của tỉnh.\n"
            "- Đơn vị chủ trì: Sở Thông tin và Truyền thông.\n"
            "2. Phòng Văn hóa và Thông tin huyện:\n"
            "- Xây dựng kế hoạch tuyên truyền hằng năm trên địa bàn huyện.\n"
            "Nơi nhận:\n- Bộ Thông tin và Truyền thông;")
    sentences, tasks = document_statements(_doc(text))
    assert len(tasks) == 2
    assert tasks[0].text.endswith("Đơn vị chủ trì: Sở Thông tin và Truyền thông.")
    assert tasks[0].text.startswith("Tuyên truyền trên báo chí của tỉnh: Mở chuyên mục")
    assert tasks[1].unit_task and tasks[1].text.startswith("Phòng Văn hóa và Thông tin huyện: Xây dựng")
    assert not any("Bộ Thông tin và Truyền thông" == s.text.rstrip(";") for s in sentences)


def test_labels_name_the_locality_or_the_issuer():
    assert short_label({"issuer": "Ủy ban nhân dân huyện Đông Sơn", "province": "Thanh Hóa"}) == "Đông Sơn"
    assert short_label({"issuer": "Ủy ban nhân dân tỉnh Quảng Ninh", "province": "Quảng Ninh"}) == "Quảng Ninh"
    assert short_label({"issuer": "Bộ Nội vụ", "province": None}) == "Bộ Nội vụ"
    assert short_label({"issuer": "Chính phủ", "province": "Hà Nội", "number": "32/2024/NĐ-CP"}) == "Chính phủ"
