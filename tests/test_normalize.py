import unicodedata

import pytest

from ingest.lang.normalize import canonical_tones, clean_text, fold_accents, has_diacritics, search_form


@pytest.mark.parametrize("old,new", [
    ("hoá", "hóa"), ("thuỷ", "thủy"), ("Thanh Hoá", "Thanh Hóa"), ("HOÀ BÌNH", "HÒA BÌNH"), ("thoả thuận", "thỏa thuận"),
    ("uỷ ban", "ủy ban"), ("tuỳ", "tùy"), ("khoẻ", "khỏe"), ("hoạ", "họa"),
])
def test_old_and_new_tone_placement_become_one(old, new):
    assert canonical_tones(old) == new
    assert canonical_tones(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳnh", "già", "gì", "hoàn", "người", "thuyền", "khuyến", "quốc", "giữa", "mượn", "nghiêng"])
def test_canonical_tones_leaves_regular_syllables_alone(word):
    assert canonical_tones(word) == word


def test_clean_text_nfc_and_odd_spaces():
    decomposed = unicodedata.normalize("NFD", "Quảng Ninh")
    text = clean_text(f"{decomposed}\u00a0ngày\u200b 26\u2009tháng  8")
    assert text == "Quảng Ninh ngày 26 tháng 8"
    assert unicodedata.is_normalized("NFC", text)


def test_search_form_keeps_case_and_unifies_tones():
    assert search_form("Văn hoá  Thông tin") == "Văn hóa Thông tin"


def test_fold_accents():
    assert fold_accents("Đơn vị chủ trì: Sở Thông tin") == "Don vi chu tri: So Thong tin"
    assert not has_diacritics("don vi nao chu tri")
    assert has_diacritics("đơn vị")


def _fold_by_decomposing(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")


@pytest.mark.parametrize("text", [
    "Ủy ban nhân dân tỉnh Quảng Ninh", "HOÀ BÌNH, thuỷ lợi", "Đắk Lắk – Đà Nẵng", "a\u0301 combining written apart",
    "\u0301 a lone mark", "Ångström ﬁ ǅ ≠ 𝔸 Ⅻ", "mixed 12/KH-UBND ngày 05/3/2021", "",
])
def test_fold_accents_equals_decomposing_the_whole_text(text):
    from ingest.lang.normalize import fold_words

    assert fold_accents(text) == _fold_by_decomposing(text)
    words = text.split()
    assert fold_words(words) == [_fold_by_decomposing(w) for w in words]


def test_bao_gio_asks_when_and_gio_alone_is_an_hour():
    from bot.answer.evidence import terms

    for q in ("Thông tư có hiệu lực từ bao giờ?", "thong tu co hieu luc tu bao gio?"):
        assert "gio" not in terms(q, for_question=True)
    assert "gio" in terms("Trong 24 giờ phải báo cáo?", for_question=True)


def test_khi_nao_typed_without_marks_asks_when_and_khi_alone_stays():
    from bot.answer.evidence import terms

    assert {"khi", "nao", "luc"}.isdisjoint(terms("qd nay hieu luc tu khi nao?", for_question=True) - {"luc"})
    assert "luc" not in terms("nop bao cao luc nao?", for_question=True)
    assert "khi" in terms("khi thai cong nghiep xu ly the nao?", for_question=True)  # "khí thải"


def test_everyday_abbreviations_expand():
    from ingest.lang.abbreviations import expand_abbreviations

    assert expand_abbreviations("thông tin trên báo chí, mxh") == "thông tin trên báo chí, mạng xã hội"
    assert expand_abbreviations("MXH Zalo") == "mạng xã hội Zalo"
