"""What a unit name is: the head nouns that start one (Sở, Ban, Phòng, Ủy ban nhân dân …), its
canonical spelling and comparison key, and the splitting of a written list into units.

Plans name the same unit many ways: "Sở TT&TT", "Sở TTTT", "Sở Thông tin và Truyền thông",
"UBND" for "Ủy ban nhân dân", "hoá" for "hóa". :func:`canonical_unit` spells abbreviations out
and puts tone marks in one place; :func:`unit_key` then folds accents, case and punctuation into
a comparison key. Vietnamese unit lists mix two kinds of commas: the ones inside a name ("Sở Văn
hóa, Thể thao và Du lịch", "Ủy ban nhân dân các huyện, thị xã, thành phố") and the ones between
units ("Sở Văn hóa và Thể thao, Sở Du lịch"). Only the second kind is followed by the head noun
of a new unit, which is what :func:`split_units` looks for. Matching names across spellings and
places is :mod:`ingest.unit_match`; finding them in running text is :mod:`ingest.units`.

>>> split_units("Sở Văn hóa và Thể thao, Sở Du lịch")
['Sở Văn hóa và Thể thao', 'Sở Du lịch']
>>> split_units("Các sở, ban, ngành, Ủy ban nhân dân các huyện, thị xã, thành phố")
['Các sở, ban, ngành', 'Ủy ban nhân dân các huyện, thị xã, thành phố']
>>> canonical_unit("Sở TT&TT")
'Sở Thông tin và Truyền thông'
"""
from __future__ import annotations

import re
from functools import lru_cache

from ingest.lang.abbreviations import ABBREVIATIONS, expand_abbreviations
from ingest.lang.normalize import canonical_tones, clean_text, fold_accents

# --- vocabulary -------------------------------------------------------------------------------

# Head nouns that need a capitalised (or abbreviated) name after them: "Sở Du lịch", "Vụ Hợp tác
# quốc tế". Written lower-case after these words they are ordinary words ("ban hành", "báo cáo",
# "hội nghị", "phòng chống", "bộ trưởng"), which is how the recogniser tells the two apart.
NAMED_HEADS = [
    "Bộ Tư lệnh", "Bộ Chỉ huy", "Tổng cục", "Chi cục", "Cục", "Tập đoàn", "Tổng công ty", "Công ty",
    "Văn phòng", "Trung tâm", "Học viện", "Viện", "Trường", "Bệnh viện", "Thanh tra",
    "Sở", "Bộ", "Ban", "Phòng", "Vụ", "Đài", "Báo", "Tạp chí", "Hội", "Hiệp hội", "Liên hiệp", "Liên đoàn",
    "Đoàn", "Ủy ban", "Hội đồng", "Kho bạc", "Ngân hàng", "Cảng vụ", "Chi nhánh", "Quỹ", "Nhà xuất bản",
    "Đảng ủy", "Đảng đoàn", "Ban cán sự", "Bảo tàng", "Thư viện", "Nhà văn hóa", "Trạm", "Đồn", "Đội",
    "Hạt", "Tổng đội", "Cảng", "Sân bay", "Văn phòng đại diện", "Cơ quan",
]
# Heads that are a whole name alone (a locality may follow): "Công an tỉnh", "Tỉnh đoàn".
COMPLETE_HEADS = [
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Ủy ban Mặt trận Tổ quốc Việt Nam", "Ủy ban Mặt trận Tổ quốc",
    "Mặt trận Tổ quốc", "Công an", "Tỉnh đoàn", "Huyện đoàn", "Thành đoàn", "Tỉnh ủy", "Huyện ủy",
    "Thành ủy", "Thị ủy", "Đài truyền thanh", "Đài phát thanh", "Bộ đội Biên phòng", "Bộ Chỉ huy Quân sự",
    "Bộ Chỉ huy Bộ đội Biên phòng", "Kho bạc Nhà nước", "Bảo hiểm xã hội", "Cục Hải quan", "Cục Thuế",
    "Thủ tướng Chính phủ", "Chính phủ", "Văn phòng Chính phủ", "Quân đội", "Liên đoàn Lao động",
    "Thông tấn xã Việt Nam", "Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam", "Quốc hội",
    # the courts and procuracies of every level, named like the people's committees
    "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao", "Tòa án nhân dân", "Viện kiểm sát nhân dân",
]

# Abbreviations that are a unit on their own.
UNIT_ABBREVIATIONS = {"UBND", "HĐND", "MTTQ", "VTV", "VOV", "TTXVN", "BTTTT", "BNV", "BCT", "BXD", "BNG", "BGTVT"}

# Plural groups: "các sở, ban, ngành", "các cơ quan, đơn vị", "Thủ trưởng các đơn vị".
GROUP_NOUNS = [
    "sở", "bộ", "ban", "ngành", "cơ quan", "đơn vị", "địa phương", "tổ chức", "hội", "đoàn thể",
    "cơ sở giáo dục", "cơ sở đào tạo", "trường học", "trường", "phòng", "huyện", "xã", "doanh nghiệp", "hiệp hội", "đài", "báo", "trung tâm",
    "lực lượng", "cấp", "thành viên", "cơ quan báo chí", "cơ quan thông tin", "báo chí",
    "cơ quan chức năng", "tổ chức chính trị - xã hội", "tổ chức chính trị xã hội", "đoàn thể chính trị - xã hội",
    "cơ quan, đơn vị", "sở, ban, ngành", "ủy ban", "đoàn đại biểu", "đại biểu",
]
# Classes of actors a list may name without "các": "…, tổ chức chính trị - xã hội tỉnh".
CLASS_NOUNS = [
    "tổ chức chính trị - xã hội", "tổ chức chính trị xã hội", "tổ chức đoàn thể", "đoàn thể chính trị - xã hội",
    "cơ quan báo chí", "cơ quan thông tin", "cơ sở giáo dục", "doanh nghiệp", "lực lượng", "hiệp hội",
    "tổ chức xã hội", "tổ chức", "chính quyền địa phương", "chính quyền các cấp",
]
_GROUP_LEAD = r"(?:Thủ trưởng|Lãnh đạo|Chủ tịch)?\s*"

LOCALITY_WORDS = ["tỉnh", "huyện", "thị xã", "thành phố", "xã", "phường", "thị trấn", "quận", "Trung ương",
                  "trung ương", "thôn", "bản", "khu phố"]

# Field names of departments and ministries, longest first: where the running text gives no
# clear end to a name ("Sở Du lịch quảng bá …"), a known field settles it.
KNOWN_FIELDS = [
    "Thông tin và Truyền thông", "Văn hóa, Thể thao và Du lịch", "Văn hóa và Thể thao", "Du lịch",
    "Văn hóa, Thông tin, Thể thao và Du lịch", "Văn hóa và Thông tin", "Văn hóa - Thông tin",
    "Nội vụ", "Ngoại vụ", "Ngoại giao", "Tư pháp", "Tài chính", "Kế hoạch và Đầu tư", "Công Thương",
    "Công thương", "Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Môi trường",
    "Tài nguyên và Môi trường", "Giao thông vận tải", "Xây dựng", "Khoa học và Công nghệ",
    "Giáo dục và Đào tạo", "Y tế", "Lao động - Thương binh và Xã hội", "Lao động, Thương binh và Xã hội",
    "Dân tộc", "Dân tộc và Tôn giáo", "Quốc phòng", "Công an", "Hợp tác quốc tế", "Tuyên giáo",
    "Truyền thông", "Thông tin - Truyền thông", "Kinh tế", "Kinh tế - Hạ tầng", "Hạ tầng",
    "Tài chính - Kế hoạch", "Tư pháp - Hộ tịch", "Tổ chức cán bộ", "Pháp chế", "Thi đua - Khen thưởng",
    "Báo chí", "Thông tin đối ngoại", "Phát thanh, Truyền hình và Thông tin điện tử",
]

# --- normalisation ----------------------------------------------------------------------------

_PARENS = re.compile(r"\s*\([^)]*\)")
_EDGE_PUNCT = re.compile(r"^[\s\-–—+•*·.,;:]+|[\s.,;:]+$")
_KEY_PUNCT = re.compile(r"[^\w&]+")
_CONNECT_START = re.compile(r"^(?:và|với|cùng|hoặc)\s+", re.IGNORECASE)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


@lru_cache(maxsize=4096)
def canonical_unit(text: str) -> str:
    """The display form of a unit name: abbreviations spelled out, tone marks in one place,
    remarks in parentheses and edge punctuation dropped, first letter capitalised."""
    text = clean_text(text).replace("\n", " ")
    text = _PARENS.sub("", text)
    text = _EDGE_PUNCT.sub("", text)
    text = _CONNECT_START.sub("", text)
    text = expand_abbreviations(text) or text
    text = canonical_tones(text)
    # "Uỷ ban" and "Ủy Ban" both occur; the canonical spelling keeps only the first word capital.
    text = re.sub(r"\bỦy Ban\b", "Ủy ban", text)
    return _capitalise(re.sub(r"\s+", " ", text).strip())


_LOOSE_ABBREVIATIONS = {
    a.lower(): a for a in ABBREVIATIONS if (len(a) >= 4 or "&" in a) and not a[0].islower()
}
_LOOSE_TOKEN = re.compile(r"(?<![\w&])[\w&,-]+(?![\w&])")


def expand_loose(text: str) -> str:
    """Abbreviations typed in lower case ("so tttt", "ubnd tinh") → their upper-case spelling.

    Only long ones: "tp" or "kh" in lower case are more often words than abbreviations."""
    return _LOOSE_TOKEN.sub(lambda m: _LOOSE_ABBREVIATIONS.get(m.group(0).lower(), m.group(0))
                            if m.group(0).islower() else m.group(0), text)


@lru_cache(maxsize=8192)
def unit_key(text: str) -> str:
    """Comparison key: canonical form, accents and case folded, punctuation dropped."""
    folded = fold_accents(canonical_unit(expand_loose(text))).lower()
    return " ".join(_KEY_PUNCT.sub(" ", folded).split())


# --- splitting lists --------------------------------------------------------------------------

def _head_alternatives() -> str:
    # "Uỷ ban" (the old tone placement) is the same head as "Ủy ban"
    heads = sorted(set(NAMED_HEADS + COMPLETE_HEADS), key=len, reverse=True)
    return "|".join(re.escape(h).replace("Ủy", "(?:Ủy|Uỷ)") for h in heads)


HEADS_RE = _head_alternatives()
ABBR_HEAD_RE = r"(?:" + "|".join(sorted(UNIT_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
def _either_case(word: str) -> str:
    return f"[{word[0]}{word[0].upper()}]" + re.escape(word[1:])


GROUP_RE = r"(?:" + _GROUP_LEAD + r"[Cc]ác\s+(?:" + "|".join(
    _either_case(n) for n in sorted(GROUP_NOUNS, key=len, reverse=True)) + r")\b(?!\s+hợp\b))"
# ("các trường hợp" is "the cases", not "the schools")
# A unit starts here: a capitalised head followed by a name (or a complete head), an
# abbreviation, or a plural group.
_CLASS_RE = r"(?:" + "|".join(re.escape(c) for c in sorted(CLASS_NOUNS, key=len, reverse=True)) + r")\b"
_UNIT_START = re.compile(
    r"(?:(?:" + HEADS_RE + r")(?=[\s,.;:)]|$)|" + ABBR_HEAD_RE + r"|" + GROUP_RE + r"|Sở\s|Bộ\s|" + _CLASS_RE + ")"
)
_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:và\s+|cùng\s+|với\s+)?|\s+(?:và|cùng|với|hoặc)\s+|\s+-\s+|\s*/\s*)")


def starts_with_head(text: str) -> bool:
    text = text.strip()
    m = _UNIT_START.match(text)
    if not m:
        return False
    head = m.group(0).strip()
    if head in NAMED_HEADS:
        rest = text[m.end():].lstrip()
        return bool(rest) and (rest[0].isupper() or rest[:1].isdigit())
    return True


def split_units(value: str) -> list[str]:
    """A list of units as a document writes it → one string per unit (as written, trimmed).

    Splits at commas, semicolons and "và"/"cùng"/"với" only where a new unit's head noun follows,
    so the commas inside "Sở Văn hóa, Thể thao và Du lịch" stay.
    """
    value = clean_text(value).replace("\n", " ")
    value = _EDGE_PUNCT.sub("", value)
    if not value:
        return []
    parts: list[str] = []
    start = 0
    for m in _SEPARATOR.finditer(value):
        if m.start() <= start or m.end() >= len(value):
            continue
        if (starts_with_head(value[m.end():]) and _is_unit_text(value[start:m.start()])
                and not continues_plural_group(value[start:m.start()], m.group(0), value[m.end():])):
            parts.append(value[start:m.start()])
            start = m.end()
    parts.append(value[start:])
    out = []
    for part in parts:
        part = _CONNECT_START.sub("", _EDGE_PUNCT.sub("", part))
        if part:
            out.append(part)
    return out


# "các cơ quan, tổ chức có liên quan", "các sở, ban, ngành": one plural group whose bare class
# nouns share the "các" and the modifier after the last one, so a comma between them divides nothing.
_CLASS_WORD = r"(?:cơ quan|đơn vị|tổ chức|cá nhân|sở|ban|ngành|bộ|địa phương|đoàn thể)"
_PLURAL_SO_FAR = re.compile(r"(?:[Cc]ác|[Nn]hững)\s+" + _CLASS_WORD + r"(?:\s*,\s*" + _CLASS_WORD + r")*")
_CLASS_GOES_ON = re.compile(_CLASS_WORD + r"(?![\wÀ-ỹ])")


def continues_plural_group(left: str, separator: str, rest: str) -> bool:
    """Does ``rest`` go on the plural group ``left`` opened ("các cơ quan" + "," + "tổ chức …")?"""
    return (separator.strip() == "," and bool(_PLURAL_SO_FAR.fullmatch(left.strip(" ,;")))
            and bool(_CLASS_GOES_ON.match(rest.lstrip())))


def _is_unit_text(text: str) -> bool:
    """A split must leave a unit on the left too ("Sở Văn hóa" is not cut off "Thể thao")."""
    text = _EDGE_PUNCT.sub("", text)
    return starts_with_head(text) or starts_with_head(_capitalise(text))


def is_unit(text: str) -> bool:
    """Does this text start like a unit name (a head noun, an abbreviation or a plural group)?"""
    text = _CONNECT_START.sub("", _EDGE_PUNCT.sub("", clean_text(text)))
    return starts_with_head(text) or starts_with_head(_capitalise(text))


def is_generic_unit(text: str) -> bool:
    """"các đơn vị có liên quan", "các cơ quan, đơn vị": a group that designates nobody in particular."""
    key = unit_key(text)
    return bool(re.fullmatch(
        r"(?:cac |nhung )?(?:co quan|don vi|dia phuong|to chuc|ca nhan)(?: (?:co )?lien quan| khac| don vi| dia phuong|"
        r" ca nhan| to chuc|,)*",
        key,
    ))
