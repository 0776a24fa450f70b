"""Loaders on the real corpus, plus broken files generated on the spot. No mocks.

OCR runs once, on the first page of the scanned letter only (~3 s); everything else reads
text layers and is fast.
"""
from __future__ import annotations

import os
import random
import shutil
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest.document import Block, LoadedDocument, LoadError
from ingest.loaders import SUPPORTED_EXTENSIONS, load
from ingest.lang.normalize import clean_text
from ingest.paragraphs import is_structural_start, is_vietnamese_syllable, join_lines, vietnamese_share
from ingest.pdf_ocr import OCR_MISSING, ocr_unavailable
from ingest.webpage import dateline, is_page_clutter

ROOT = Path(__file__).resolve().parent.parent
ASEAN = ROOT / "corpus" / "asean"
LEGAL = ROOT / "corpus" / "legal"
MB = 1024 * 1024
LIMIT = 50 * MB


def _load(path: Path, **kwargs) -> LoadedDocument:
    return load(path, max_bytes=LIMIT, **kwargs)


def _texts(doc: LoadedDocument) -> list[str]:
    return [b.text for b in doc.blocks]


def _all_text(doc: LoadedDocument) -> str:
    return "\n".join(_texts(doc))


def _assert_clean(doc: LoadedDocument) -> None:
    """Every block went through clean_text and is not empty."""
    assert doc.blocks
    for block in doc.blocks:
        assert isinstance(block, Block)
        assert block.text and block.text == clean_text(block.text).strip()
        assert unicodedata.is_normalized("NFC", block.text)
        assert block.kind in ("paragraph", "table_row", "heading", "header")


CORPUS = sorted(p for p in [*ASEAN.iterdir(), *LEGAL.iterdir()] if p.suffix.lower() in SUPPORTED_EXTENSIONS)
SCANNED = LEGAL / "CV-2265-BCT-ATMT-trien-khai.pdf"


@pytest.mark.parametrize("path", [p for p in CORPUS if p != SCANNED], ids=lambda p: p.name)
def test_every_corpus_file_loads_clean(path: Path) -> None:
    doc = _load(path, ocr=False)
    _assert_clean(doc)
    if path.suffix == ".pdf":
        assert doc.pages and all(b.page is not None and 1 <= b.page <= doc.pages for b in doc.blocks)
        assert [b.page for b in doc.blocks] == sorted(b.page for b in doc.blocks)
    else:
        assert all(b.page is None for b in doc.blocks)


# --- DOCX / DOC -----------------------------------------------------------------------------


def test_quangninh_docx_meta_blocks_and_tables() -> None:
    doc = _load(ASEAN / "quangninh-159-kh-ubnd-2021.docx")
    assert doc.meta["number"] == "159/KH-UBND"
    assert doc.meta["place"] == "Quảng Ninh"
    assert doc.meta["date_text"] == "Quảng Ninh, ngày 26 tháng 8 năm 2021"
    assert doc.meta["issuer"] == "ỦY BAN NHÂN DÂN"
    # From the "Tóm tắt" key/value table.
    assert doc.meta["doc_type"] == "Kế hoạch"
    assert doc.meta["signer"] == "Nguyễn Thị Hạnh"
    assert doc.meta["date"] == "2021-08-26"
    text = _all_text(doc)
    assert "Đơn vị chủ trì thực hiện và triển khai: Ủy ban nhân dân các huyện, thị xã, thành phố" in text
    # The letterhead table is meta, not body text: its lines come only as "header" blocks.
    body = "\n".join(b.text for b in doc.blocks if b.kind != "header")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in body
    assert not any(b.text.startswith("Số: 159") for b in doc.blocks if b.kind != "header")
    assert [b.text for b in doc.blocks if b.kind == "header"][:4] == [
        "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 159/KH-UBND", "Quảng Ninh, ngày 26 tháng 8 năm 2021"]
    # The signature table stays as plain paragraphs for the structure parser.
    sig = [b for b in doc.blocks if b.text == "TM. ỦY BAN NHÂN DÂN"]
    assert sig and sig[0].kind == "paragraph"
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert "Số hiệu | 159/KH-UBND" in rows and "Người ký | Nguyễn Thị Hạnh" in rows
    # Document order: the body comes before the signature, the summary table after it.
    order = _texts(doc)
    assert order.index("TM. ỦY BAN NHÂN DÂN") < order.index("Số hiệu | 159/KH-UBND")


def test_legal_docx_letterhead_signature_and_form_tables() -> None:
    doc = _load(LEGAL / "CT-07-2012-TTg-chan-chinh-KKT-KCN-CCN.docx")
    assert doc.meta["number"] == "07/CT-TTg"
    assert doc.meta["issuer"] == "THỦ TƯỚNG CHÍNH PHỦ"
    texts = _texts(doc)
    assert "Nơi nhận:" in texts and "Nguyễn Tấn Dũng" in texts and "THỦ TƯỚNG" in texts
    assert "- Ban Bí thư Trung ương Đảng;" in texts

    doc = _load(LEGAL / "TT-14-2024-che-do-bao-cao-mau-van-ban-CCN.docx")
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert "TT | Chỉ tiêu | Đơn vị tính | Kết quả | Ghi chú" in rows
    # data rows read "header: value", so a chunk quoted alone still names each column
    assert any(r.startswith("1 | Chỉ tiêu: Doanh thu của dự án trong kỳ báo cáo | Đơn vị tính: Tỷ đồng") for r in rows)
    # A narrow signature cell wrapped "thành phố" / "trực thuộc TW;": joined back.
    assert "- HĐND, UBND, Sở Công Thương các tỉnh, thành phố trực thuộc TW;" in _texts(doc)

    doc = _load(LEGAL / "ND-32-2024-quan-ly-phat-trien-CCN.docx")
    assert doc.meta["number"] == "32/2024/NĐ-CP"
    assert "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng" in _texts(doc)


def test_legacy_doc_via_antiword() -> None:
    doc = _load(LEGAL / "TT-15-2026-BCT-text.doc")
    assert doc.method == "antiword"
    assert doc.meta["number"] == "15/2026/TT-BCT"
    assert doc.meta["date_text"] == "Hà Nội, ngày 25 tháng 3 năm 2026"
    texts = _texts(doc)
    assert any(t.startswith("Điều 1. Sửa đổi, bổ sung khoản 2, khoản 6 Điều 1") for t in texts)
    assert "Nơi nhận:" in texts and "Phan Thị Thắng" in texts
    # Manual line breaks survive (DocBook output alone would glue "PHÉPPHÂN").
    assert "GIẤY PHÉP\nPHÂN PHỐI SẢN PHẨM THUỐC LÁ" in texts
    assert not any("PHÉPPHÂN" in t for t in texts)
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert "06 | Phụ lục 20. Mẫu Giấy phép phân phối sản phẩm thuốc lá | Thay thế Phụ lục 20 Thông tư số 57/2018/TT-BCT" in rows


def test_legacy_doc_fallbacks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A PATH holding only catdoc is a machine without antiword; an empty PATH has neither.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    catdoc = shutil.which("catdoc")
    if catdoc is not None:
        (bin_dir / "catdoc").symlink_to(catdoc)
        monkeypatch.setenv("PATH", str(bin_dir))
        doc = _load(LEGAL / "TT-15-2026-BCT-text.doc")
        assert doc.method == "catdoc"
        assert any(t.startswith("Điều 1. Sửa đổi, bổ sung khoản 2") for t in _texts(doc))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(LoadError) as err:
        _load(LEGAL / "TT-15-2026-BCT-text.doc")
    assert err.value.reason == "legacy .doc needs antiword or catdoc (Debian package: antiword)"


def test_empty_docx(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason == "empty document: no text"


def test_zip_of_something_else_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason == "not a valid DOCX file"


def test_garbage_named_doc(tmp_path: Path) -> None:
    path = tmp_path / "fake.doc"
    path.write_bytes(b"this is not a Word file at all\n" * 10)
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason == "not a valid Word 97 .doc file"


# --- PDF ------------------------------------------------------------------------------------


def test_dongson_pdf_pages_and_joined_lines() -> None:
    doc = _load(ASEAN / "dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf")
    assert doc.pages == 5 and doc.method == "text"
    assert {b.page for b in doc.blocks} == {1, 2, 3, 4, 5}
    texts = _texts(doc)
    assert not any("\n" in t for t in texts)
    assert any(
        "Triển khai sâu rộng Chương trình hành động của Chính phủ về tuyên truyền, quảng bá ASEAN, "
        "giai đoạn 2021 – 2025 đến Nhân dân trong huyện, qua đó nâng cao nhận thức" in t
        for t in texts
    )
    # "giai đoạn 2021 -" / "2025. UBND ...": the range cut by the wrap is rejoined.
    assert any("giai đoạn 2021 - 2025. UBND huyện Đông Sơn xây dựng Kế hoạch" in t for t in texts)
    # A sentence running over the page turn is one block, on the page where it starts.
    across = [b for b in doc.blocks if "thu hút sự quan tâm của các nước đối tác, đối ngoại." in b.text]
    assert len(across) == 1 and across[0].page == 1
    # Items stay separate blocks.
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "1.1. Trụ cột Chính trị - An ninh", "Nơi nhận:"):
        assert heading in texts


def test_broken_glyph_map_is_repaired() -> None:
    doc = _load(LEGAL / "1178-DCK-CTT-huong-dan-CCN-dia-gioi-moi.pdf")
    text = _all_text(doc)
    assert "BỘ CÔNG THƯƠNG" in text and "Sở Công Thương tỉnh Lào Cai" in text
    assert "Ƣ" not in text and "ƣ" not in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "HÕA" not in text
    assert "hướng dẫn" in text and "được" in text
    assert doc.method == "repaired-glyphs"
    assert any("Ƣ→Ư" in w and "Õ→Ò" in w for w in doc.warnings)
    assert vietnamese_share(text)[0] > 0.97


def test_running_page_numbers_dropped() -> None:
    doc = _load(LEGAL / "TT-37-BGTVT.pdf")
    assert doc.pages == 24
    assert not any(t.isdigit() for t in _texts(doc))
    assert max(b.page for b in doc.blocks) == 24
    # All-capital chapter titles wrapped over three lines come back as one block.
    assert (
        "QUY ĐỊNH ĐỐI VỚI HOẠT ĐỘNG VẬN TẢI ĐƯỜNG BỘ GIỮA VIỆT NAM VÀ CÁC NƯỚC TRONG KHUÔN KHỔ "
        "HIỆP ĐỊNH TẠO THUẬN LỢI VẬN TẢI ASEAN"
    ) in _texts(doc)


@pytest.mark.skipif(ocr_unavailable() is not None, reason=f"OCR unavailable: {ocr_unavailable()}")
def test_scanned_pdf_ocr_first_page() -> None:
    start = time.monotonic()
    doc = _load(SCANNED, max_ocr_pages=1)
    elapsed = time.monotonic() - start
    assert doc.method == "ocr" and doc.pages == 3
    assert {b.page for b in doc.blocks} == {1}
    text = _all_text(doc)
    for words in ("Bộ Công Thương", "Ủy ban nhân dân", "Thông tư", "hàng hóa nguy hiểm"):
        assert words in text
    assert any("not OCR'd" in w for w in doc.warnings)
    assert elapsed < 30


def test_scanned_pdf_with_ocr_off() -> None:
    with pytest.raises(LoadError) as err:
        _load(SCANNED, ocr=False)
    assert err.value.reason == "scanned PDF with no text layer; OCR is turned off"


def test_scanned_pdf_without_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A PATH without tesseract is what a machine without tesseract-ocr looks like.
    monkeypatch.setenv("PATH", str(tmp_path))
    ocr_unavailable.cache_clear()
    try:
        with pytest.raises(LoadError) as err:
            _load(SCANNED)
        assert err.value.reason == OCR_MISSING
    finally:
        monkeypatch.undo()
        ocr_unavailable.cache_clear()


def _write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF with Helvetica text: lines in Windows-1252, as a legacy-font file would carry."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        ops = ["BT", "/F1 12 Tf", "72 770 Td", "16 TL"]
        for line in lines:
            raw = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(f"({raw.decode('latin-1')}) '")
        ops.append("ET")
        content = DecodedStreamObject()
        content.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    writer.write(str(path))


def test_running_headers_and_footers_dropped(tmp_path: Path) -> None:
    path = tmp_path / "headers.pdf"
    pages = [
        [f"CONG BAO/So {40 + 2 * n} + {41 + 2 * n}/Ngay 12-01-2024", "UBND TINH QUANG NINH", f"Mau so 0{n}",
         f"Body text of form {n} ends here.", f"Trang {n}/4"]
        for n in range(1, 5)
    ]
    _write_pdf(path, pages)
    doc = _load(path, ocr=False)
    texts = _texts(doc)
    assert not any(t.startswith("CONG BAO") for t in texts)  # gazette header, numbers change
    assert texts.count("UBND TINH QUANG NINH") == 1  # a verbatim running header: first kept
    assert not any(t.startswith("Trang ") for t in texts)  # page numbers
    assert [t for t in texts if t.startswith("Mau so")] == [f"Mau so 0{n}" for n in range(1, 5)]
    assert [b.page for b in doc.blocks if b.text.startswith("Body")] == [1, 2, 3, 4]


# TCVN3 ("ABC") bytes shown through a Windows font: the classic legacy-font mojibake.
TCVN3_MOJIBAKE = [
    "Céng hßa x· héi chñ nghÜa ViÖt Nam",
    "§éc lËp - Tù do - H¹nh phóc",
    "KÕ ho¹ch tuyªn truyÒn, qu¶ng b¸ ASEAN giai ®o¹n 2021 - 2025",
    "Thùc hiÖn QuyÕt ®Þnh sè 1160/Q§-TTg ngµy 13/7/2021 cña Thñ t­íng ChÝnh phñ",
]


def test_legacy_font_page_is_detected_as_garbled(tmp_path: Path) -> None:
    path = tmp_path / "tcvn3.pdf"
    good = ["ASEAN Community Vision 2025 and the Hanoi Declaration", "on the ASEAN Community."]
    _write_pdf(path, [good, TCVN3_MOJIBAKE])
    doc = _load(path, ocr=False)
    assert _texts(doc) == ["ASEAN Community Vision 2025 and the Hanoi Declaration on the ASEAN Community."]
    assert any(w.startswith("page 2 skipped (garbled text layer") for w in doc.warnings)

    only_garbled = tmp_path / "tcvn3-only.pdf"
    _write_pdf(only_garbled, [TCVN3_MOJIBAKE])
    with pytest.raises(LoadError) as err:
        _load(only_garbled, ocr=False)
    assert err.value.reason.startswith("garbled text layer")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + random.Random(0).randbytes(4000))
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason.startswith("corrupt or unreadable PDF: ")

    not_pdf = tmp_path / "page.pdf"
    not_pdf.write_text("<html><body>404 Not Found</body></html>")
    with pytest.raises(LoadError) as err:
        _load(not_pdf)
    assert err.value.reason == "corrupt or unreadable PDF: no %PDF header"


def test_encrypted_pdf(tmp_path: Path) -> None:
    source = ASEAN / "dongson-thanhhoa-ke-hoach-asean-2021-2025.pdf"
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="RC4-128")
    writer.write(str(locked))
    with pytest.raises(LoadError) as err:
        _load(locked)
    assert err.value.reason == "encrypted PDF (password required)"

    # "Encrypted" against editing only: the empty user password opens it.
    open_ = tmp_path / "owner-only.pdf"
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="RC4-128")
    writer.write(str(open_))
    doc = _load(open_)
    assert doc.pages == 5 and "1. Mục đích" in _texts(doc)


# --- HTML -----------------------------------------------------------------------------------


def test_tayninh_html_article_only() -> None:
    doc = _load(ASEAN / "tayninh-2502-kh-ubnd-2019.html")
    first = doc.blocks[0]
    assert first.kind == "heading"
    assert first.text == "Tuyên truyền, quảng bá ASEAN giai đoạn 2019 - 2020 trên địa bàn tỉnh Tây Ninh"
    texts = _texts(doc)
    assert texts[1] == "Thứ sáu - 29/11/2019 03:00"  # the dateline, without "714 0" counters
    assert doc.meta["published"] == "Thứ sáu - 29/11/2019 03:00"
    text = _all_text(doc)
    assert "Kế hoạch số 2502/KH-UBND" in text
    assert "Tổ chức xây dựng Góc ASEAN tại các thư viện, bảo tàng." in text
    for clutter in ("Ý kiến bạn đọc", "đăng nhập", "Thời gian chờ", "714", "Trang chủ", "Tin tức", "var views"):
        assert clutter not in text
    assert "2. Các hoạt động truyền thông quảng bá về tỉnh Tây Ninh" in [
        b.text for b in doc.blocks if b.kind == "heading"
    ]


GENERIC_PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">
<title>Tin tức - Cổng thông tin</title><style>.x{{color:red}}</style></head><body>
<form method="post" action="./tin.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="abc">
<div id="header"><div class="top-menu"><a href="/">Trang chủ</a> <a href="/a">Giới thiệu</a>
<a href="/b">Tin tức sự kiện</a> <a href="/c">Văn bản</a></div></div>
<div class="wrapper"><div class="col-left sidebar"><ul><li><a href="/1">Tin nổi bật hôm nay</a></li>
<li><a href="/2">Thông báo tuyển dụng viên chức</a></li></ul></div>
<div class="news-detail">
<h1>Hội nghị triển khai Kế hoạch tuyên truyền ASEAN năm 2022</h1>
<div class="date">Cập nhật: 12/05/2022 08:15 | Lượt xem: 2041</div>
<p>Sáng ngày 11/5, Sở Thông tin và Truyền thông tổ chức hội nghị triển khai Kế hoạch thông tin,
tuyên truyền về Cộng đồng ASEAN năm 2022 trên địa bàn tỉnh.</p>
<p>Theo kế hoạch, các cơ quan báo chí mở chuyên trang, chuyên mục về ASEAN, đẩy mạnh tuyên truyền
trên mạng xã hội và hệ thống thông tin cơ sở.</p>
<div class="share-tools"><a href="#">Facebook</a> <a href="#">Zalo</a> <a href="#">In bài</a></div>
<div class="related-news"><h3>Tin liên quan</h3><ul><li><a href="/x">Tập huấn kỹ năng tuyên truyền ASEAN</a></li></ul></div>
</div>
<div id="comment-box"><p>Gửi bình luận của bạn</p><p>Vui lòng đăng nhập để bình luận</p></div>
</div><div class="footer">Bản quyền thuộc Sở Thông tin và Truyền thông</div>
<script>document.write("quảng cáo");</script></form></body></html>"""


def _cp1258(text: str) -> bytes:
    """Windows-1258 bytes as a Vietnamese keyboard writes them: base letter + combining tone."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def test_generic_html_page_by_class_names_and_charset(tmp_path: Path) -> None:
    path = tmp_path / "tin.htm"
    path.write_bytes(_cp1258(GENERIC_PAGE))
    doc = _load(path)
    texts = _texts(doc)
    assert texts[0] == "Hội nghị triển khai Kế hoạch tuyên truyền ASEAN năm 2022"
    assert doc.meta["title"] == texts[0]
    assert doc.blocks[0].kind == "heading"
    assert texts[1] == "Cập nhật: 12/05/2022 08:15"
    assert texts[2].startswith("Sáng ngày 11/5, Sở Thông tin và Truyền thông tổ chức hội nghị")
    assert texts[3].endswith("trên mạng xã hội và hệ thống thông tin cơ sở.")
    assert len(texts) == 4, texts
    _assert_clean(doc)


# --- TXT ------------------------------------------------------------------------------------


def test_news_txt_clutter_dropped() -> None:
    doc = _load(ASEAN / "bonoivu-1117-qd-bnv-2021.txt")
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[0].text == "Kế hoạch tuyên truyền, quảng bá ASEAN giai đoạn 2021-2025 của Bộ Nội vụ"
    text = _all_text(doc)
    assert "Lượt xem" not in text and "1528" not in text and "Tin khác" not in text
    assert doc.meta["published"] == "16:31 20/10/2021"
    assert "Ngày 19/10, Bộ trưởng Bộ Nội vụ ký Quyết định số 1117/QĐ-BNV" in text

    doc = _load(ASEAN / "daklak-tuyen-truyen-asean-2021-2025.txt")
    text = _all_text(doc)
    assert "Breaking News" not in text
    # The dateline stays, once, as the page's publication date; the title below it is the heading.
    assert doc.meta["published"] == "30/01/2026 lúc 11:33 (GMT+7)"
    assert text.count("30/01/2026 lúc 11:33") == 1
    assert doc.blocks[1].kind == "heading"
    assert doc.blocks[1].text.startswith("Đắk Lắk: Đẩy mạnh công tác tuyên truyền")
    # The lead paragraph printed twice on the page is kept once.
    assert sum(t.startswith("Thực hiện Quyết định số 1160/QĐ-TTg") for t in _texts(doc)) == 1


VIETNAMESE = (
    "Kế hoạch tuyên truyền, quảng bá ASEAN giai đoạn 2021 - 2025\n\n"
    "Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện Chương trình hành động của Chính phủ "
    "về tuyên truyền, quảng bá ASEAN; đẩy mạnh thông tin về Cộng đồng ASEAN tới người dân.\n\n"
    "- Đơn vị chủ trì: Sở Thông tin và Truyền thông.\n"
)


def test_windows_1258_txt(tmp_path: Path) -> None:
    path = tmp_path / "cp1258.txt"
    raw = _cp1258(VIETNAMESE)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    path.write_bytes(raw)
    doc = _load(path)
    assert _texts(doc) == [p.strip() for p in VIETNAMESE.split("\n\n")]
    assert any("cp1258" in w for w in doc.warnings)
    _assert_clean(doc)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_txt(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(VIETNAMESE.encode(encoding))
    doc = _load(path)
    assert _texts(doc) == [p.strip() for p in VIETNAMESE.split("\n\n")]


def test_hard_wrapped_txt_is_joined(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text(
        "1. Mục đích\n"
        "- Triển khai sâu rộng Chương trình hành động của Chính phủ về tuyên\n"
        "truyền, quảng bá ASEAN giai đoạn 2021-\n"
        "2025 đến Nhân dân trong huyện.\n"
        "- Kịp thời chuyển tải các thông tin.\n",
        encoding="utf-8",
    )
    assert _texts(_load(path)) == [
        "1. Mục đích",
        "- Triển khai sâu rộng Chương trình hành động của Chính phủ về tuyên truyền, quảng bá ASEAN "
        "giai đoạn 2021-2025 đến Nhân dân trong huyện.",
        "- Kịp thời chuyển tải các thông tin.",
    ]


def test_legacy_tcvn3_txt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tcvn3.txt"
    path.write_bytes(" ".join(TCVN3_MOJIBAKE * 3).encode("cp1252"))
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason.startswith("unknown text encoding")


def test_binary_file_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "program.txt"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + random.Random(1).randbytes(8192))
    with pytest.raises(LoadError) as err:
        _load(path)
    assert err.value.reason == "binary file, not text"


# --- Dispatch and size checks ---------------------------------------------------------------


def test_zero_byte_and_unknown_extension(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with pytest.raises(LoadError) as err:
        _load(empty)
    assert err.value.reason == "empty file (0 bytes)"

    unknown = tmp_path / "bang-tinh.xyz"
    unknown.write_text("x")
    with pytest.raises(LoadError) as err:
        _load(unknown)
    assert err.value.reason == "unsupported file type: .xyz"


def _bytes_read() -> int:
    with open("/proc/self/io") as fh:
        return int(next(l for l in fh if l.startswith("rchar:")).split()[1])


def test_oversized_file_rejected_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:
        fh.truncate(200 * MB)  # sparse: no disk used, but 200 MB if anyone reads it
    before = _bytes_read() if os.path.exists("/proc/self/io") else None
    with pytest.raises(LoadError) as err:
        load(path, max_bytes=50 * MB)
    assert err.value.reason == "file too large: 200 MB (limit 50 MB)"
    if before is not None:
        assert _bytes_read() - before < MB


# --- Paragraph joining and Vietnamese checks ------------------------------------------------


def test_join_lines_rules() -> None:
    def joined(*lines: str) -> list[str]:
        return [p for _, p in join_lines(list(lines), width=70)]

    assert joined("tuy-", "ên truyền") == ["tuyên truyền"]  # a syllable cut in two
    assert joined("giai đoạn 2021-", "2025 của tỉnh") == ["giai đoạn 2021-2025 của tỉnh"]
    assert joined("an sinh, lao động-", "việc làm") == ["an sinh, lao động-việc làm"]
    assert joined("Trụ cột Chính trị -", "An ninh") == ["Trụ cột Chính trị - An ninh"]
    assert joined("chủ trương của", "Đảng và Nhà nước.") == ["chủ trương của Đảng và Nhà nước."]
    assert joined("ASEAN;", "a) Trụ cột", "b) Kinh tế") == ["ASEAN;", "a) Trụ cột", "b) Kinh tế"]
    assert joined("kết quả:", "- Một;", "+ Hai;", "• Ba") == ["kết quả:", "- Một;", "+ Hai;", "• Ba"]
    assert joined("Chương II", "Điều 5. Phạm vi", "Mục 1. Chung") == ["Chương II", "Điều 5. Phạm vi", "Mục 1. Chung"]
    assert joined("các cơ quan;", "đơn vị trực thuộc.") == ["các cơ quan; đơn vị trực thuộc."]
    assert joined("Hết đoạn.", "", "đoạn mới") == ["Hết đoạn.", "đoạn mới"]
    for marker in ("I. MỤC ĐÍCH", "II. NỘI DUNG", "1. Mục đích", "1.2. Trụ cột", "a) Nội dung", "- Triển khai"):
        assert is_structural_start(marker)
    assert not is_structural_start("2025. UBND huyện")  # a year ending a sentence is not an item


def test_vietnamese_syllables() -> None:
    for word in ("THƯƠNG", "nghiêng", "khuya", "quốc", "giữa", "Đắk", "hoà", "thuở", "người"):
        assert is_vietnamese_syllable(word), word
    for word in ("THƢƠNG", "héi", "nghÜa", "hßa", "thanhf", "tuyêntruyền"):
        assert not is_vietnamese_syllable(word), word
    assert vietnamese_share(" ".join(TCVN3_MOJIBAKE))[0] < 0.5


def test_page_clutter_patterns() -> None:
    assert dateline("16:31 20/10/2021 | Lượt xem : 1528") == "16:31 20/10/2021"
    assert dateline("30/01/2026 lúc 11:33 (GMT+7)") == "30/01/2026 lúc 11:33 (GMT+7)"
    assert dateline("Ngày 19/10, Bộ trưởng Bộ Nội vụ ký Quyết định") is None
    for line in ("Tin khác", "Breaking News", "Chia sẻ", "Lượt xem: 20", "Ý kiến bạn đọc", "Đăng nhập"):
        assert is_page_clutter(line), line
    assert not is_page_clutter("Người dân đăng nhập Cổng Dịch vụ công quốc gia để nộp hồ sơ trực tuyến.")
