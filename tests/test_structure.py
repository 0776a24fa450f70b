"""The structure parser and chunker on the five ASEAN plans, as the documents state them."""
from pathlib import Path

import pytest

from ingest.pipeline import parse_file
from ingest.structure import Block, classify_assignment, match_heading, parse_structure

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MB = 1024 * 1024


def parse(name):
    return parse_file(CORPUS / name, name, max_bytes=100 * MB, ocr=False)


@pytest.fixture(scope="module")
def quangninh():
    return parse("asean/quangninh-159-kh-ubnd-2021.docx")


@pytest.fixture(scope="module")
def dongson():
    return parse("asean/dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf")


@pytest.mark.parametrize("line,expected", [
    ("II. NỘI DUNG TUYÊN TRUYỀN", ("roman", "II")),
    ("1.3. Tuyên truyền trên hệ thống thông tin cơ sở", ("number", "1.3")),
    ("1.2 Trụ cột Kinh tế", ("number", "1.2")),
    ("a) Trụ cột Chính trị - An ninh", ("letter", "a")),
    ("Điều 5. Phạm vi điều chỉnh", ("article", "5")),
    ("Chương II", ("chapter", "II")),
    ("Mục 1. PHƯƠNG ÁN PHÁT TRIỂN CỤM CÔNG NGHIỆP", ("section", "1")),
    ("Điều 3", ("article", "3")),  # a treaty's article number alone on its line
])
def test_headings(line, expected):
    kind, number, _ = match_heading(line)
    assert (kind, number) == expected


@pytest.mark.parametrize("line", ["- Tuyên truyền về tinh thần", "10 quốc gia ASEAN", "19/10/2021 ký quyết định", "2021 - 2025",
                                  "Điều 3 của Luật này"])
def test_not_headings(line):
    assert match_heading(line) is None


@pytest.mark.parametrize("line,role,value", [
    ("- Đơn vị chủ trì thực hiện và triển khai: Ủy ban nhân dân các huyện, thị xã, thành phố.", "lead",
     "Ủy ban nhân dân các huyện, thị xã, thành phố"),
    ("- Đơn vị phối hợp: Các sở, ban, ngành", "partner", "Các sở, ban, ngành"),
    ("- Đơn vị đầu mối: Sở Thông tin và Truyền thông.", "focal", "Sở Thông tin và Truyền thông"),
    ("- Đơn vị định hướng thông tin: Ban Tuyên giáo Tỉnh ủy.", "guiding", "Ban Tuyên giáo Tỉnh ủy"),
    ("- Thời gian thực hiện: Tuyên truyền theo sự kiện.", "deadline", "Tuyên truyền theo sự kiện"),
])
def test_assignment_lines(line, role, value):
    a = classify_assignment(line)
    assert (a.role, a.value) == (role, value)


def test_nested_section_paths():
    blocks = [Block(t) for t in ["II. NỘI DUNG", "1. Tuyên truyền", "1.3. Hệ thống cơ sở", "a) Loa phát thanh",
                                 "- nội dung", "2. Hình thức"]]
    labels = [it.label for it in parse_structure(blocks).items]
    assert labels == ["II NỘI DUNG", "II.1 Tuyên truyền", "II.1.3 Hệ thống cơ sở", "II.1.3.a Loa phát thanh", "II.2 Hình thức"]


def test_quangninh_item_keeps_its_assignment_line(quangninh):
    """Item 1.3 and its "Đơn vị chủ trì …" line are in one chunk (the failure that misleads every model)."""
    chunk = next(c for c in quangninh.chunks if c.section.startswith("1.3 Tuyên truyền trên hệ thống thông tin cơ sở"))
    assert chunk.text.startswith("1.3. Tuyên truyền trên hệ thống thông tin cơ sở")
    assert "Đơn vị chủ trì thực hiện và triển khai: Ủy ban nhân dân các huyện, thị xã, thành phố" in chunk.text
    assert [a["role"] for a in chunk.assignments] == ["lead"]


def test_quangninh_every_assignment_line_in_a_chunk_with_its_task(quangninh):
    for c in quangninh.chunks:
        for a in c.assignments:
            # an assignment line never opens a chunk: the task it closes comes first
            assert not c.text.startswith(a["text"]), c.section


def test_chunks_are_exact_slices_with_offsets(quangninh, dongson):
    for doc in (quangninh, dongson):
        for c in doc.chunks:
            assert doc.text[c.char_start:c.char_end] == c.text
            assert c.chunk_id.startswith(doc.doc_id)


def test_dongson_structure(dongson):
    labels = [it.label for it in dongson.structure.items]
    assert "II.1.3 Trụ cột Văn hoá – Xã hội" in labels
    assert "III.1 Phòng Văn hoá và Thông tin huyện" in labels
    assert any(it.kind == "recipients" for it in dongson.structure.items)
    assert any(it.kind == "signature" for it in dongson.structure.items)
    pages = {c.page for c in dongson.chunks}
    assert pages >= {1, 2, 3, 4}


def test_dongson_metadata(dongson):
    assert dongson.meta.province == "Thanh Hóa"
    assert dongson.meta.doc_type == "Kế hoạch"


def test_quangninh_metadata(quangninh):
    m = quangninh.meta
    assert (m.number, m.date, m.province, m.doc_type) == ("159/KH-UBND", "2021-08-26", "Quảng Ninh", "Kế hoạch")
    assert m.signer == "Nguyễn Thị Hạnh"


def test_chunk_ids_stable_across_runs(quangninh):
    again = parse("asean/quangninh-159-kh-ubnd-2021.docx")
    assert [c.chunk_id for c in again.chunks] == [c.chunk_id for c in quangninh.chunks]


def test_long_items_split_with_heading_as_context():
    blocks = [Block("1. Nhiệm vụ dài")] + [Block(f"- Câu số {i} " + "nội dung tuyên truyền " * 12 + ".") for i in range(12)]
    from ingest.chunks import MAX_CHARS, chunk_structure

    st = parse_structure(blocks)
    chunks = chunk_structure(st, doc_id="d", source="s", title="T")
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all("1. Nhiệm vụ dài" in c.context for c in chunks[1:])


def test_province_found_on_whole_words_only():
    from ingest.lang.patterns import find_province

    assert find_province("Bên thuê vận chuyển") is None  # "thuê" folds to "thue", not Huế
    assert find_province("UBND tỉnh Thanh Hoá") == "Thanh Hóa"
    assert find_province("quang ninh") == "Quảng Ninh"


def test_forms_after_the_signature_are_not_part_of_it():
    doc = parse("legal/TT-14-2024-che-do-bao-cao-mau-van-ban-CCN.docx")
    signatures = [c for c in doc.chunks if c.kind == "signature"]
    assert signatures and all(max(len(line) for line in c.text.split("\n")) <= 100 for c in signatures)
    assert any(it.kind == "annex" for it in doc.structure.items)


def test_decree_clauses_are_chunked_within_their_article():
    """ND-32 writes each clause on its heading line ("1. Nghị định này quy định về …"): those lines
    are content, so chunks follow the articles and carry their own labels."""
    nd32 = parse("legal/ND-32-2024-quan-ly-phat-trien-CCN.docx")
    first = next(c for c in nd32.chunks if c.text.startswith("Điều 1."))
    assert first.section.startswith("Chương I Điều 1")
    assert "Điều 2." not in first.text
    deadline = next(c for c in nd32.chunks if c.text.startswith("b) Thời hạn xử lý thành lập"))
    assert "Điều 35" in deadline.section and "Điều 36" not in deadline.text
    assert any("Chương II Mục 1 Điều 4" in c.section for c in nd32.chunks)
    assert not any(c.section.startswith("Phần 1") for c in nd32.chunks)  # "Mục 1" is not "Phần 1"
    for c in nd32.chunks:  # no chunk runs from one article into the next
        starts = [line for line in c.text.split("\n") if line.startswith("Điều ")]
        assert len(starts) <= 1, (c.section, starts)


def test_treaty_articles_without_titles():
    treaty = parse("legal/Hiep-dinh-van-tai-VN-TQ.pdf")
    sections = [c.section for c in treaty.chunks]
    assert "Điều 1" in sections and "Điều 6" in sections
    # A short article with a lead-in and its clauses stays one chunk.
    art2 = next(c for c in treaty.chunks if c.text.startswith("Điều 2"))
    assert "1. Cơ quan có thẩm quyền" in art2.text


def test_a_news_pages_title_is_its_headline_not_its_dateline_or_banner() -> None:
    """A page saved as text opens with its dateline and a banner; the title is the headline
    (generated shapes and the real Đắk Lắk page of corpus/)."""
    from ingest.metadata import extract_metadata

    for stamp in ("30/01/2026 lúc 11:33 (GMT+7)", "Thứ sáu - 29/11/2019 03:00", "16:31 20/10/2021 | Lượt xem : 1528"):
        for banner in ([], ["Breaking News"], ["Tin nổi bật"]):
            lines = [stamp, *banner, "Hội nghị tổng kết công tác tuyên truyền về ASEAN năm 2025", "Sáng nay, …"]
            assert extract_metadata(lines).title == "Hội nghị tổng kết công tác tuyên truyền về ASEAN năm 2025"
    real = (Path(__file__).parent.parent / "corpus/asean/daklak-tuyen-truyen-asean-2021-2025.txt").read_text("utf-8")
    lines = [line.strip() for line in real.splitlines() if line.strip()]
    assert extract_metadata(lines).title.startswith("Đắk Lắk: Đẩy mạnh công tác tuyên truyền")


@pytest.mark.parametrize("line, title", [
    # A scanned letter read across its two columns: the place and date at the right are not its subject.
    ("V/v triên khai thực hiện thủ tục câp Hà Nội, ngày0} thángh măm 2026", "V/v triên khai thực hiện thủ tục câp"),
    ("V/v góp ý dự thảo Luật Đất đai Quảng Ninh, ngày 5 tháng 3 năm 2024", "V/v góp ý dự thảo Luật Đất đai"),
    ("V/v báo cáo kết quả Thành phố Hồ Chí Minh, ngày 3/4/2025", "V/v báo cáo kết quả"),
    # A date inside the subject stays.
    ("V/v tổ chức Hội nghị ngày 5/3 tại Hà Nội", "V/v tổ chức Hội nghị ngày 5/3 tại Hà Nội"),
])
def test_a_letters_subject_line_without_the_dateline_beside_it(line, title) -> None:
    from ingest.metadata import extract_metadata

    assert extract_metadata(["BỘ CÔNG THƯƠNG", "Số: 12/BCT-ATMT", line, "Kính gửi: Ủy ban nhân dân các tỉnh"]).title == title


def test_a_treaty_is_dated_by_its_closing_dateline_and_signed_by_each_party() -> None:
    from ingest.metadata import extract_metadata

    lines = ["HIỆP ĐỊNH VẬN TẢI ĐƯỜNG BỘ GIỮA VIỆT NAM VÀ TRUNG QUỐC", "Điều 1", "Nội dung …",
             "Làm tại Hà Nội ngày 22 tháng 11 năm 1994 thành hai bản, mỗi bản bằng tiếng Việt và tiếng Trung.",
             "THAY MẶT CHÍNH PHỦ NƯỚC A THAY MẶT CHÍNH PHỦ NƯỚC B",
             "Đã ký: Bùi Văn Sướng Đã ký: Đường Gia Triền"]
    meta = extract_metadata(lines)
    assert meta.date == "1994-11-22" and meta.place == "Hà Nội"
    assert meta.signer == "Bùi Văn Sướng"  # the next party's "Đã ký" is not part of the name
    # A letterhead's dateline wins over a closing one.
    head = ["BỘ CÔNG THƯƠNG", "Số: 12/BCT-ATMT", "Hà Nội, ngày 02 tháng 4 năm 2026", *lines[1:]]
    assert extract_metadata(head).date == "2026-04-02"


def test_a_question_naming_the_documents_own_year_is_about_that_document() -> None:
    from bot.answer.document_facts import _names_only_its_numbers

    chunks = [{"title": "Hiệp định vận tải đường bộ giữa Việt Nam và Trung Quốc", "number": None, "date": "1994-11-22"}]
    assert _names_only_its_numbers("Hiệp định vận tải ký năm 1994 có hiệu lực bao lâu?", chunks)
    assert not _names_only_its_numbers("Hiệp định vận tải ký năm 2004 có hiệu lực bao lâu?", chunks)
