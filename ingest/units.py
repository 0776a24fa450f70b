"""Names of administrative units (Sở, Ban, Phòng, Ủy ban nhân dân …): one canonical form, its
variants, splitting of unit lists, and a recogniser for unit mentions in running text.

Plans name the same unit many ways: "Sở TT&TT", "Sở TTTT", "Sở Thông tin và Truyền thông",
"Sở Thông tin và Truyền thông tỉnh Quảng Ninh", "UBND" for "Ủy ban nhân dân", "hoá" for
"hóa". :func:`canonical_unit` spells abbreviations out and puts tone marks in one place;
:func:`unit_key` then folds accents, case and punctuation into a comparison key, and
:func:`unit_matches` forgives a trailing locality ("… tỉnh", "… huyện Đông Sơn"), so a question
and a plan meet whatever spelling either uses.

A unit name is only meaningful together with the document that names it: the "Sở Thông tin và
Truyền thông" of a Quảng Ninh plan is Quảng Ninh's. :func:`document_scope` gives that context
(province, district or ministry) so a task table can keep them apart.

Vietnamese unit lists mix two kinds of commas: the ones inside a name ("Sở Văn hóa, Thể thao
và Du lịch", "Ủy ban nhân dân các huyện, thị xã, thành phố") and the ones between units ("Sở Văn
hóa và Thể thao, Sở Du lịch"). Only the second kind is followed by the head noun of a new unit,
which is what :func:`split_units` looks for.

>>> split_units("Sở Văn hóa và Thể thao, Sở Du lịch")
['Sở Văn hóa và Thể thao', 'Sở Du lịch']
>>> split_units("Các sở, ban, ngành, Ủy ban nhân dân các huyện, thị xã, thành phố")
['Các sở, ban, ngành', 'Ủy ban nhân dân các huyện, thị xã, thành phố']
>>> canonical_unit("Sở TT&TT")
'Sở Thông tin và Truyền thông'
>>> [u.name for u in find_units("Giao Vụ Hợp tác quốc tế chủ trì, làm đầu mối theo dõi")]
['Vụ Hợp tác quốc tế']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index.abbreviations import ABBREVIATIONS, expand_abbreviations
from ingest.metadata import PROVINCES
from ingest.normalize import canonical_tones, clean_text, fold_accents

# --- vocabulary -------------------------------------------------------------------------------

# Head nouns that need a capitalised (or abbreviated) name after them: "Sở Du lịch", "Vụ Hợp tác
# quốc tế". Written lower-case after these words they are ordinary words ("ban hành", "báo cáo",
# "hội nghị", "phòng chống", "bộ trưởng"), which is how the recogniser tells the two apart.
NAMED_HEADS = [
    "Bộ Tư lệnh", "Bộ Chỉ huy", "Tổng cục", "Chi cục", "Cục", "Tổng công ty", "Công ty",
    "Văn phòng", "Trung tâm", "Học viện", "Viện", "Trường", "Bệnh viện", "Thanh tra",
    "Sở", "Bộ", "Ban", "Phòng", "Vụ", "Đài", "Báo", "Tạp chí", "Hội", "Hiệp hội", "Liên hiệp", "Liên đoàn",
    "Đoàn", "Ủy ban", "Hội đồng", "Kho bạc", "Ngân hàng", "Cảng vụ", "Chi nhánh", "Quỹ", "Nhà xuất bản",
    "Đảng ủy", "Đảng đoàn", "Ban cán sự", "Bảo tàng", "Thư viện", "Nhà văn hóa", "Trạm", "Đồn", "Đội",
    "Hạt", "Tổng đội", "Cảng", "Sân bay", "Văn phòng đại diện",
]
# Heads that are a whole name alone (a locality may follow): "Công an tỉnh", "Tỉnh đoàn".
COMPLETE_HEADS = [
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Ủy ban Mặt trận Tổ quốc Việt Nam", "Ủy ban Mặt trận Tổ quốc",
    "Mặt trận Tổ quốc", "Công an", "Tỉnh đoàn", "Huyện đoàn", "Thành đoàn", "Tỉnh ủy", "Huyện ủy",
    "Thành ủy", "Thị ủy", "Đài truyền thanh", "Đài phát thanh", "Bộ đội Biên phòng", "Bộ Chỉ huy Quân sự",
    "Bộ Chỉ huy Bộ đội Biên phòng", "Kho bạc Nhà nước", "Bảo hiểm xã hội", "Cục Hải quan", "Cục Thuế",
    "Thủ tướng Chính phủ", "Chính phủ", "Văn phòng Chính phủ", "Quân đội", "Liên đoàn Lao động",
    "Thông tấn xã Việt Nam", "Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam",
]
# Heads followed by a description in ordinary words: "Ban Chỉ đạo thông tin tuyên truyền ASEAN tỉnh".
DESCRIPTIVE_HEADS = ["Ban Chỉ đạo", "Ban chỉ đạo", "Ban Quản lý", "Ban quản lý", "Tổ công tác", "Hội đồng"]
_DESCRIPTION_STOPS = {
    "đã", "sẽ", "đang", "chủ", "phối", "yêu", "ban", "có", "là", "được", "làm", "để", "tại", "trong", "với",
    "cho", "của", "về", "theo", "thực", "triển", "tổ", "chịu", "căn", "và", "phải", "báo", "tham", "đề",
    "hướng", "chỉ", "giao", "xây", "kiểm", "đôn", "thường", "trên", "nhằm", "từ", "đến", "lập", "xem", "quyết",
    "cấp", "gửi", "trình", "họp", "ký", "nhận", "phê", "tiếp", "đánh", "kết",
}

# Abbreviations that are a unit on their own.
UNIT_ABBREVIATIONS = {"UBND", "HĐND", "MTTQ", "VTV", "VOV", "TTXVN", "BTTTT", "BNV", "BCT", "BXD", "BNG", "BGTVT"}

# Plural groups: "các sở, ban, ngành", "các cơ quan, đơn vị", "Thủ trưởng các đơn vị".
GROUP_NOUNS = [
    "sở", "bộ", "ban", "ngành", "cơ quan", "đơn vị", "địa phương", "tổ chức", "hội", "đoàn thể",
    "cơ sở giáo dục", "cơ sở đào tạo", "trường học", "trường", "phòng", "huyện", "xã", "doanh nghiệp", "hiệp hội", "đài", "báo", "trung tâm",
    "lực lượng", "cấp", "thành viên", "cơ quan báo chí", "cơ quan thông tin", "báo chí",
    "cơ quan chức năng", "tổ chức chính trị - xã hội", "tổ chức chính trị xã hội", "đoàn thể chính trị - xã hội",
    "cơ quan, đơn vị", "sở, ban, ngành",
]
# Members of set phrases that name one class: "các sở, ban, ngành", "các cơ quan, đơn vị, địa
# phương", "các huyện, thị xã, thành phố". A comma before any other noun starts a new class
# ("Các sở, ban, ngành, tổ chức chính trị - xã hội tỉnh" is two).
CONTINUING_GROUP_NOUNS = [
    "sở", "ban", "ngành", "bộ", "cơ quan", "đơn vị", "địa phương", "đoàn thể", "huyện", "thị xã",
    "thành phố", "xã", "phường", "thị trấn", "quận", "cấp", "hội", "phòng", "báo chí", "truyền thông",
]
# Classes of actors a list may name without "các": "…, tổ chức chính trị - xã hội tỉnh".
CLASS_NOUNS = [
    "tổ chức chính trị - xã hội", "tổ chức chính trị xã hội", "tổ chức đoàn thể", "đoàn thể chính trị - xã hội",
    "cơ quan báo chí", "cơ quan thông tin", "cơ sở giáo dục", "doanh nghiệp", "lực lượng", "hiệp hội",
    "tổ chức xã hội", "tổ chức",
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

# What ends a name in running text: a function word, or the first syllable of a verb of the
# sentence ("Trạm Quản lý vận tải cửa khẩu thực hiện" ends before "thực hiện", not at "vận").
FUNCTION_WORDS = {
    "là", "có", "được", "để", "về", "tại", "trong", "với", "cho", "của", "đã", "sẽ", "đang", "phải", "cần",
    "theo", "từ", "đến", "tới", "trên", "dưới", "qua", "sau", "trước", "này", "đó", "ấy", "kia", "cùng",
    "và", "hay", "hoặc", "cũng", "đều", "vẫn", "còn", "chưa", "không", "các", "những", "mọi", "như", "nhưng",
    "mà", "thì", "khi", "nếu", "vì", "do", "bởi", "nhằm", "giao", "gồm", "bao",
}
VERB_STARTS = [
    "chủ trì", "phối hợp", "làm đầu mối", "thực hiện", "triển khai", "tổ chức", "xây dựng", "hướng dẫn",
    "theo dõi", "báo cáo", "tổng hợp", "căn cứ", "chịu trách nhiệm", "tham mưu", "đề xuất", "kiểm tra",
    "đôn đốc", "giám sát", "cung cấp", "chỉ đạo", "định hướng", "quản lý", "bảo đảm", "đảm bảo", "tăng cường",
    "đẩy mạnh", "nâng cao", "tiếp tục", "phát hành", "đăng tải", "mở", "duy trì", "lựa chọn", "sử dụng",
    "tập trung", "nắm bắt", "kịp thời", "chuẩn bị", "rà soát", "hoàn thành", "hoàn thiện", "nghiên cứu",
    "tuyên truyền", "quảng bá", "giới thiệu", "phổ biến", "vận động", "biên soạn", "sản xuất", "thu thập",
    "gửi", "trình", "phê duyệt", "thẩm định", "ký", "lập", "tiếp nhận", "ban hành", "yêu cầu", "đề nghị",
    "lồng ghép", "tích cực", "chủ động", "thường xuyên", "định kỳ", "dự kiến", "hỗ trợ", "tạo", "đánh giá",
    "cập nhật", "phục vụ", "nhận", "liên hệ", "kết nối", "tham gia", "khai thác", "xử lý", "phát hiện",
    "cấp", "thành lập", "giải quyết", "quyết định", "chấp thuận", "công bố", "thu hồi", "điều chỉnh",
    "cho phép", "xác nhận", "ra", "có", "đăng ký", "thông báo", "chịu", "giúp", "làm",
]
STOP_WORDS = FUNCTION_WORDS  # kept for callers that want the plain set
_VERB_START_RE = re.compile(r"(?:" + "|".join(re.escape(v) for v in sorted(VERB_STARTS, key=len, reverse=True))
                            + r")(?![\wÀ-ỹ])", re.IGNORECASE)
_LINKS_INSIDE_NAMES = {"và", ",", "-", "–"}

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


def _expand_loose(text: str) -> str:
    """Abbreviations typed in lower case ("so tttt", "ubnd tinh") → their upper-case spelling.

    Only long ones: "tp" or "kh" in lower case are more often words than abbreviations."""
    return _LOOSE_TOKEN.sub(lambda m: _LOOSE_ABBREVIATIONS.get(m.group(0).lower(), m.group(0))
                            if m.group(0).islower() else m.group(0), text)


@lru_cache(maxsize=8192)
def unit_key(text: str) -> str:
    """Comparison key: canonical form, accents and case folded, punctuation dropped."""
    folded = fold_accents(canonical_unit(_expand_loose(text))).lower()
    return " ".join(_KEY_PUNCT.sub(" ", folded).split())


_LOCALITY_TAIL = re.compile(
    r"(?:\s+(?:" + "|".join(sorted({fold_accents(w).lower() for w in LOCALITY_WORDS}, key=len, reverse=True))
    + r")(?:\s+[a-z0-9]+){0,3})$"
)
_PLACE_KEYS = sorted({fold_accents(p).lower().replace(".", "").replace("-", " ") for p in PROVINCES}, key=len, reverse=True)


def base_key(text: str) -> str:
    """The key without a trailing locality: "… tỉnh Quảng Ninh", "… huyện" — the scope says that.

    Councils keep theirs: "Ủy ban nhân dân tỉnh" and "Ủy ban nhân dân huyện" are different units.
    """
    key = unit_key(text)
    if key.startswith(("uy ban nhan dan", "hoi dong nhan dan")):
        return key
    for _ in range(2):
        for place in _PLACE_KEYS:
            place = " ".join(place.split())
            if key.endswith(" " + place):
                key = key[: -len(place) - 1]
                break
        m = _LOCALITY_TAIL.search(key)
        if m and m.start() > 0:
            stripped = key[: m.start()]
            if len(stripped.split()) >= 2:
                key = stripped
    return key


def unit_variants(text: str) -> list[str]:
    """Ways the same unit is written: canonical, abbreviated ("Sở TT&TT", "Sở TTTT", "UBND …")."""
    name = canonical_unit(text)
    out = [name]
    for abbr, full in sorted(ABBREVIATIONS.items(), key=lambda kv: -len(kv[1])):
        if len(full.split()) < 2 or full[0].islower():
            continue  # only abbreviations of names ("Thông tin và Truyền thông"), not of common nouns
        if full in name:
            for variant in list(out):
                if full in variant:
                    alt = variant.replace(full, abbr)
                    if alt not in out:
                        out.append(alt)
    return out


def unit_matches(query: str, unit: str) -> bool:
    """Does a unit named in a question (``query``) designate ``unit``?

    Equal keys, or equal once a trailing locality is dropped ("Sở Thông tin và Truyền thông" ↔
    "Sở Thông tin và Truyền thông tỉnh Quảng Ninh"). A query without a head noun ("Thông tin và
    Truyền thông") matches any unit of that field.
    """
    return match_score(query, unit) > 0


def match_score(query: str, unit: str) -> float:
    q, u = unit_key(query), unit_key(unit)
    if not q or not u:
        return 0.0
    if q == u:
        return 1.0
    qb, ub = base_key(query), base_key(unit)
    if qb == ub:
        return 0.9
    if not _starts_with_head(canonical_unit(query)) and (" " + qb + " ") in (" " + ub + " "):
        return 0.6  # "Thông tin và Truyền thông" → "Sở Thông tin và Truyền thông"
    return 0.0


# --- documents' scope -------------------------------------------------------------------------

_DISTRICT = re.compile(
    r"\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s+(?P<kind>huyện|thị xã|thành phố|quận|HUYỆN|THỊ XÃ|THÀNH PHỐ|QUẬN)\s+"
    r"(?P<name>(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,2})"
)


def _province_in(text: str, min_hits: int = 1) -> str | None:
    """The province a text names as "tỉnh X" / "thành phố X" most often (ties: first named).

    A bare place word is not enough: "hòa bình" is also "peace"."""
    folded = fold_accents(canonical_tones(text)).lower()
    best: tuple[int, int, str] | None = None
    for name in PROVINCES:
        key = fold_accents(canonical_tones(name)).lower().replace("tp. ", "")
        hits = [m.start() for m in re.finditer(r"\b(?:tinh|thanh pho|tp\.?)\s+" + re.escape(key) + r"\b", folded)]
        if len(hits) < min_hits:
            continue
        if hits and (best is None or (len(hits), -hits[0]) > (best[0], best[1])):
            best = (len(hits), -hits[0], name)
    if best is None:
        return None
    return {"Hồ Chí Minh": "TP. Hồ Chí Minh", "Huế": "Thừa Thiên Huế"}.get(best[2], best[2])


# Central bodies: a document they issue speaks for the whole country, whatever place its date line names.
NATIONAL_BODIES = [
    "Thủ tướng Chính phủ", "Chính phủ", "Quốc hội", "Ủy ban Thường vụ Quốc hội", "Văn phòng Chính phủ",
    "Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư",
]


def _national_issuer(issuer: str) -> str | None:
    """"BỘ CÔNG THƯƠNG", "Bộ Nội vụ", "THỦ TƯỚNG CHÍNH PHỦ" → the body's name in normal case."""
    key = unit_key(issuer)
    for body in NATIONAL_BODIES:
        if key == unit_key(body):
            return body
    if key.startswith("bo "):
        for name in KNOWN_FIELDS:
            if key == unit_key("Bộ " + name):
                return "Bộ " + name
        if not issuer.isupper():
            return canonical_unit(issuer)
    return None


def _national_prefix(line: str) -> str | None:
    """A letterhead line that starts with a central body ("BỘ NỘI VỤ CỘNG HÒA XÃ HỘI …")."""
    key = " " + unit_key(line) + " "
    bodies = NATIONAL_BODIES + ["Bộ " + f for f in KNOWN_FIELDS]
    for body in sorted(bodies, key=len, reverse=True):
        if key.startswith(" " + unit_key(body) + " "):
            return body
    return None


def document_scope(meta, text: str = "") -> str | None:
    """Whose units a document names: "Quảng Ninh", "huyện Đông Sơn, Thanh Hóa", "Bộ Nội vụ".

    ``meta`` is a :class:`ingest.metadata.DocMeta` (or anything with province/issuer/title).
    A central body that issued the document wins; then the province the metadata states, or
    that the title, the issuer or the letterhead names, or failing those that the text names
    as "tỉnh X" more than once.
    """
    province = getattr(meta, "province", None)
    issuer = canonical_tones(getattr(meta, "issuer", None) or "")
    title = getattr(meta, "title", "") or ""
    national = _national_issuer(issuer) if issuer else None
    if national and not _province_in(title):  # "… trên địa bàn tỉnh X" is that province's plan
        return national
    head = text[:400]
    if not province:
        province = (_province_in(title) or _province_in(issuer) or _province_in(head)
                    or _province_in(text, min_hits=2))
    district = None
    m = _DISTRICT.search(" ".join([issuer, title, text[:3000]]))
    if m:
        name = m.group("name")
        name = " ".join(w.capitalize() if w.isupper() else w for w in name.split())
        district = f"{m.group('kind').lower()} {canonical_tones(name)}"
    if district and province:
        return f"{district}, {province}"
    if province:
        return province
    # A ministry's letterhead ("BỘ NỘI VỤ") when the metadata names no issuer.
    for line in head.split("\n")[:4]:
        body = _national_prefix(line)
        if body:
            return body
    return (issuer if issuer and not issuer.isupper() else None) or district


# --- splitting lists --------------------------------------------------------------------------

def _head_alternatives() -> str:
    heads = sorted(set(NAMED_HEADS + COMPLETE_HEADS), key=len, reverse=True)
    return "|".join(re.escape(h) for h in heads)


_HEADS_RE = _head_alternatives()
_ABBR_HEAD_RE = r"(?:" + "|".join(sorted(UNIT_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
def _either_case(word: str) -> str:
    return f"[{word[0]}{word[0].upper()}]" + re.escape(word[1:])


_GROUP_RE = r"(?:" + _GROUP_LEAD + r"[Cc]ác\s+(?:" + "|".join(
    _either_case(n) for n in sorted(GROUP_NOUNS, key=len, reverse=True)) + r")\b)"
# A unit starts here: a capitalised head followed by a name (or a complete head), an
# abbreviation, or a plural group.
_CLASS_RE = r"(?:" + "|".join(re.escape(c) for c in sorted(CLASS_NOUNS, key=len, reverse=True)) + r")\b"
_UNIT_START = re.compile(
    r"(?:(?:" + _HEADS_RE + r")(?=[\s,.;:)]|$)|" + _ABBR_HEAD_RE + r"|" + _GROUP_RE + r"|Sở\s|Bộ\s|" + _CLASS_RE + ")"
)
_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:và\s+|cùng\s+|với\s+)?|\s+(?:và|cùng|với|hoặc)\s+|\s+-\s+|\s*/\s*)")


def _starts_with_head(text: str) -> bool:
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
        if _starts_with_head(value[m.end():]) and _is_unit_text(value[start:m.start()]):
            parts.append(value[start:m.start()])
            start = m.end()
    parts.append(value[start:])
    out = []
    for part in parts:
        part = _CONNECT_START.sub("", _EDGE_PUNCT.sub("", part))
        if part:
            out.append(part)
    return out


def _is_unit_text(text: str) -> bool:
    """A split must leave a unit on the left too ("Sở Văn hóa" is not cut off "Thể thao")."""
    text = _EDGE_PUNCT.sub("", text)
    return _starts_with_head(text) or _starts_with_head(_capitalise(text))


def is_unit(text: str) -> bool:
    """Does this text start like a unit name (a head noun, an abbreviation or a plural group)?"""
    text = _CONNECT_START.sub("", _EDGE_PUNCT.sub("", clean_text(text)))
    return _starts_with_head(text) or _starts_with_head(_capitalise(text))


def is_generic_unit(text: str) -> bool:
    """"các đơn vị có liên quan", "các cơ quan, đơn vị": a group that designates nobody in particular."""
    key = unit_key(text)
    return bool(re.fullmatch(
        r"(?:cac |nhung )?(?:co quan|don vi|dia phuong|to chuc|ca nhan)(?: (?:co )?lien quan| khac| don vi| dia phuong|,)*",
        key,
    ))


# --- recognising units in running text ----------------------------------------------------------

@dataclass
class UnitSpan:
    start: int
    end: int
    text: str  # as written
    name: str = field(default="")  # canonical

    def __post_init__(self) -> None:
        if not self.name:
            self.name = canonical_unit(self.text)


_TOKEN = re.compile(r"[\w&]+(?:[.\-/][\w&]+)*|[,;:()\-–—/]|\S")
_FIELDS_SORTED = sorted(KNOWN_FIELDS, key=len, reverse=True)
_CONTINUING_SORTED = sorted(CONTINUING_GROUP_NOUNS + LOCALITY_WORDS, key=len, reverse=True)
_CLASS_SORTED = sorted(CLASS_NOUNS, key=len, reverse=True)
_LOCALITY_SORTED = sorted(LOCALITY_WORDS, key=len, reverse=True)
_GROUP_START = re.compile(_GROUP_RE)
_HEAD_AT = re.compile(r"(?:" + _HEADS_RE + r")(?=[\s,.;:)]|$)|" + _ABBR_HEAD_RE)


def _is_cap(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _word_at(text: str, pos: int) -> tuple[str, int, int] | None:
    m = re.compile(r"\s*([\w&]+(?:[.\-/&][\w&]+)*)").match(text, pos)
    if not m:
        return None
    return m.group(1), m.start(1), m.end(1)


def _match_words(text: str, pos: int, phrases: list[str], ignore_case: bool = False) -> int | None:
    """End of the first phrase (longest first) that starts at ``pos`` (after spaces) and ends on a
    word boundary; case and tone placement forgiven where asked."""
    m = re.compile(r"\s*").match(text, pos)
    start = m.end()
    window = canonical_tones(text[start:start + 80])
    for phrase in phrases:
        cand = window[: len(phrase)]
        same = cand.lower() == phrase.lower() if ignore_case else cand == phrase
        if same and (len(window) == len(phrase) or not window[len(phrase)].isalnum()):
            return start + len(phrase)
    return None


def _locality_end(text: str, pos: int) -> int | None:
    """After a name: "tỉnh", "huyện Đông Sơn", "cấp huyện", "các huyện, thị xã, thành phố",
    "các tỉnh, thành phố trực thuộc Trung ương" → its end."""
    level = _match_words(text, pos, ["cấp tỉnh", "cấp huyện", "cấp xã", "các cấp", "cấp Trung ương"])
    if level is not None:
        return level
    end = _match_words(text, pos, _LOCALITY_SORTED)
    if end is None:
        m = re.compile(r"\s+các\s+").match(text, pos)
        if not m:
            return None
        end = _match_words(text, m.end(), _LOCALITY_SORTED)
        if end is None:
            return None
        # "các huyện, thị xã, thành phố" / "các xã, thị trấn"
        while True:
            m2 = re.compile(r"\s*,\s*|\s+và\s+|\s+").match(text, end)
            if not m2:
                break
            nxt = _match_words(text, m2.end(), _LOCALITY_SORTED)
            if nxt is None:
                break
            end = nxt
        tail = _match_words(text, end, ["trực thuộc Trung ương", "trực thuộc trung ương", "trực thuộc tỉnh",
                                        "thuộc tỉnh", "trên địa bàn tỉnh", "trên địa bàn"])
        return tail if tail is not None else end
    # A place name: capitalised words after the locality word ("huyện Đông Sơn").
    while True:
        w = _word_at(text, end)
        if not w or not _is_cap(w[0]) or w[0] in UNIT_ABBREVIATIONS or _HEAD_AT.match(text, w[1]):
            break
        if text[end:w[1]].strip():
            break
        end = w[2]
    return end


def _name_end(text: str, pos: int) -> int:
    """End of the words naming a unit after its head, in running text."""
    end = pos
    known = _match_words(text, pos, _FIELDS_SORTED)
    # A known field is a whole name; only a linked capitalised word may extend it.
    lower_run = 3 if known is not None else 0
    seen_cap = known is not None
    end = known if known is not None else pos
    if True:
        while True:
            w = _word_at(text, end)
            if not w:
                break
            word, ws, we = w
            gap = text[end:ws]
            if gap.strip():
                # a link inside a name: "Văn hóa, Thể thao", "Lao động - Thương binh"
                if gap.strip() in _LINKS_INSIDE_NAMES and _is_cap(word) and not _HEAD_AT.match(text, ws) and seen_cap:
                    end = we
                    lower_run = 0
                    continue
                break
            if word == "và":
                nxt = _word_at(text, we)
                if nxt and _is_cap(nxt[0]) and not _HEAD_AT.match(text, nxt[1]) and not text[we:nxt[1]].strip():
                    end = nxt[2]
                    lower_run = 0
                    continue
                break
            if _is_cap(word):
                if _HEAD_AT.match(text, ws) and seen_cap:
                    break  # a new unit starts (no link between): "Ban Tuyên giáo Tỉnh ủy" is handled below
                seen_cap = True
                end = we
                lower_run = 0
                continue
            if not seen_cap:
                break
            if any(canonical_tones(text[ws:]).startswith(l + " ") or canonical_tones(text[ws:]) == l
                   for l in _LOCALITY_SORTED):
                break
            if word.lower() in FUNCTION_WORDS or _VERB_START_RE.match(text, ws) or lower_run >= 5:
                break
            lower_run += 1
            end = we
    # Party committees close a name: "Ban Tuyên giáo Tỉnh ủy", "Ban Dân vận Huyện ủy".
    after = _match_words(text, end, ["Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Trung ương", "Đảng ủy"])
    if after is not None:
        end = after
    loc = _locality_end(text, end)
    return loc if loc is not None else end


def _description_end(text: str, pos: int) -> int:
    """"Ban Chỉ đạo" + up to ten words of description, closed by a locality or a verb."""
    end = pos
    for _ in range(10):
        loc = _locality_end(text, end)
        if loc is not None:
            return loc
        w = _word_at(text, end)
        if w and w[0] == "và" and not text[end:w[1]].strip():
            nxt = _word_at(text, w[2])
            if nxt and _is_cap(nxt[0]) and not _HEAD_AT.match(text, nxt[1]):
                end = nxt[2]
                continue
        if not w or text[end:w[1]].strip() or w[0].lower() in _DESCRIPTION_STOPS:
            break
        if _is_cap(w[0]) and _HEAD_AT.match(text, w[1]) and end > pos:
            break
        end = w[2]
    return end


def _unit_at(text: str, pos: int) -> int | None:
    """End of a unit mention starting exactly at ``pos``, or None."""
    g = _GROUP_START.match(text, pos)
    if g and (pos == 0 or not text[pos - 1].isalnum()):
        end = g.end()
        # "các sở, ban, ngành", "các cơ quan, đơn vị liên quan", "các xã, thị trấn"
        while True:
            m = re.compile(r"\s*,\s*|\s+").match(text, end)  # "các sở, ban ngành" has no second comma
            if not m:
                break
            nxt = _match_words(text, m.end(), _CONTINUING_SORTED, ignore_case=True)
            if nxt is None:
                break
            # "các sở, ban, ngành, tổ chức chính trị": "tổ chức" starts the next class
            if _match_words(text, m.end(), _CLASS_SORTED) is not None:
                break
            end = nxt
        loc = _match_words(text, end, ["tỉnh", "huyện", "thành phố", "thị xã", "Trung ương", "trung ương"])
        end = loc if loc is not None else end
        tail = _match_words(text, end, ["có liên quan", "liên quan", "thuộc, trực thuộc Bộ", "trực thuộc Bộ",
                                        "thuộc Bộ", "trong Bộ", "trực thuộc", "thuộc tỉnh", "thuộc huyện"])
        return tail if tail is not None else end
    h = _HEAD_AT.match(text, pos)
    if not h or (pos > 0 and text[pos - 1].isalnum()):
        return None
    head = canonical_tones(h.group(0))
    if head in UNIT_ABBREVIATIONS:
        end = h.end()
        if head in ("UBND", "HĐND", "MTTQ"):
            loc = _locality_end(text, end)
            return loc if loc is not None else end
        return end
    complete = _match_words(text, pos, sorted(COMPLETE_HEADS, key=len, reverse=True))
    if complete is not None:
        end = complete
        nxt = _word_at(text, end)
        if nxt and _is_cap(nxt[0]) and not text[end:nxt[1]].strip() and not _HEAD_AT.match(text, nxt[1]) \
                and head not in ("Ủy ban nhân dân", "Hội đồng nhân dân"):
            end = _name_end(text, end)
        else:
            loc = _locality_end(text, end)
            end = loc if loc is not None else end
        return end
    described = _match_words(text, pos, DESCRIPTIVE_HEADS)
    if described is not None:
        return _description_end(text, described)
    nxt = _word_at(text, h.end())
    if not nxt or text[h.end():nxt[1]].strip() or not (_is_cap(nxt[0]) or nxt[0] in ABBREVIATIONS):
        return None  # "Ban hành", "Báo cáo", "Hội nghị": a word, not a unit
    if nxt[0] in ABBREVIATIONS and not _is_cap(nxt[0]):
        return None
    end = _name_end(text, h.end())
    # An abbreviated field ("Sở TT&TT") is a name by itself.
    return end if end > h.end() else None


def find_units(text: str) -> list[UnitSpan]:
    """Unit mentions in running text, left to right, non-overlapping."""
    spans: list[UnitSpan] = []
    pos = 0
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch.isalpha() and (pos == 0 or not text[pos - 1].isalnum()):
            end = _unit_at(text, pos)
            if end:
                mention = text[pos:end].rstrip(" ,;.-")
                if len(mention) > 2:
                    spans.append(UnitSpan(pos, pos + len(mention), mention))
                    pos = pos + len(mention)
                    continue
        pos += 1
    return spans


def _class_at(text: str, pos: int) -> int | None:
    """A class of actors without "các", as the next entry of a list: "tổ chức chính trị - xã hội tỉnh"."""
    end = _match_words(text, pos, _CLASS_SORTED)
    if end is None:
        return None
    loc = _match_words(text, end, ["tỉnh", "huyện", "thành phố", "thị xã", "Trung ương", "trung ương"])
    end = loc if loc is not None else end
    tail = _match_words(text, end, ["có liên quan", "liên quan"])
    return tail if tail is not None else end


def unit_at(text: str, pos: int, *, bare_classes: bool = False) -> UnitSpan | None:
    """The unit mention starting exactly at ``pos`` (after spaces), or None. ``bare_classes``
    also accepts a class noun without "các" (only right after a list comma)."""
    m = re.compile(r"\s*").match(text, pos)
    pos = m.end()
    end = _unit_at(text, pos) if pos < len(text) else None
    if not end and bare_classes and pos < len(text):
        end = _class_at(text, pos)
    if not end:
        return None
    mention = text[pos:end].rstrip(" ,;.-")
    return UnitSpan(pos, pos + len(mention), mention) if len(mention) > 2 else None


_LIST_LINK = re.compile(r"\s*,\s*(?:và\s+|cùng\s+)?|\s+(?:và|cùng)\s+|\s*;\s*")


def unit_list_at(text: str, pos: int) -> list[UnitSpan]:
    """Consecutive units linked by commas or "và" starting at ``pos``: a sentence's subject or
    the object of "giao"."""
    out: list[UnitSpan] = []
    first = unit_at(text, pos)
    if not first:
        return out
    out.append(first)
    end = first.end
    while True:
        m = _LIST_LINK.match(text, end)
        if not m:
            break
        nxt = unit_at(text, m.end(), bare_classes=True)
        if not nxt:
            break
        out.append(nxt)
        end = nxt.end
    return out
