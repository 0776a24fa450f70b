"""Abbreviations of Vietnamese administrative language, matched both ways.

Plans write "UBND", "Sở TT&TT", "VHTTTT&DL"; people ask "Ủy ban nhân dân", "Sở Thông tin và
Truyền thông" — or the other way round. Expanding every abbreviation to its full form on both
sides (documents at index time, questions at query time) lets either spelling match the
other; the abbreviation itself is kept, so an exact match still counts.

The table is maintained by hand: add a row when a new document brings a new abbreviation.
"""
from __future__ import annotations

import re

# abbreviation (as written, case-sensitive) → full form
ABBREVIATIONS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "MTTQ": "Mặt trận Tổ quốc",
    "TT&TT": "Thông tin và Truyền thông",
    "TTTT": "Thông tin và Truyền thông",
    "TT-TT": "Thông tin và Truyền thông",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "VHTTDL": "Văn hóa, Thể thao và Du lịch",
    "VHTT&DL": "Văn hóa, Thể thao và Du lịch",
    "VH,TT&DL": "Văn hóa, Thể thao và Du lịch",
    "VH-TT&DL": "Văn hóa, Thể thao và Du lịch",
    "VH-TTDL": "Văn hóa, Thể thao và Du lịch",
    "VHTTTT&DL": "Văn hóa, Thông tin, Thể thao và Du lịch",
    "VH&TT": "Văn hóa và Thông tin",
    "VHTT": "Văn hóa và Thông tin",
    "VH-TT": "Văn hóa và Thông tin",
    "TDTT": "thể dục thể thao",
    "CNTT": "công nghệ thông tin",
    "KH": "Kế hoạch",
    "QĐ": "Quyết định",
    "NĐ": "Nghị định",
    "NĐ-CP": "Nghị định của Chính phủ",
    "CT-TTg": "Chỉ thị của Thủ tướng Chính phủ",
    "QĐ-TTg": "Quyết định của Thủ tướng Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "CP": "Chính phủ",
    "BNV": "Bộ Nội vụ",
    "BCT": "Bộ Công Thương",
    "BXD": "Bộ Xây dựng",
    "BGTVT": "Bộ Giao thông vận tải",
    "GTVT": "giao thông vận tải",
    "BNG": "Bộ Ngoại giao",
    "CCN": "cụm công nghiệp",
    "KCN": "khu công nghiệp",
    "KKT": "khu kinh tế",
    "KCX": "khu chế xuất",
    "TP": "thành phố",
    "TP.": "thành phố",
    "TX": "thị xã",
    "HU": "Huyện ủy",
    "TU": "Tỉnh ủy",
    "BCĐ": "Ban Chỉ đạo",
    "DN": "doanh nghiệp",
    "DNNVV": "doanh nghiệp nhỏ và vừa",
    "FTA": "hiệp định thương mại tự do",
    "VTV": "Đài Truyền hình Việt Nam",
    "VOV": "Đài Tiếng nói Việt Nam",
    "TTXVN": "Thông tấn xã Việt Nam",
    "ATMT": "An toàn kỹ thuật và Môi trường",
    "PCCC": "phòng cháy, chữa cháy",
    "GP": "giấy phép",
    "ATGT": "an toàn giao thông",
    "BHXH": "bảo hiểm xã hội",
    "NSNN": "ngân sách nhà nước",
    # as people type it
    "MXH": "mạng xã hội",
    "mxh": "mạng xã hội",
    "ĐCK": "Đổi mới, Cụm công nghiệp",
    # Departments by their short names; "CT", "DL", "XD" alone mean other things ("Chỉ thị"),
    # after "Sở"/"Bộ" they name the department.
    "KH&ĐT": "Kế hoạch và Đầu tư",
    "KHĐT": "Kế hoạch và Đầu tư",
    "TN&MT": "Tài nguyên và Môi trường",
    "TNMT": "Tài nguyên và Môi trường",
    "GD&ĐT": "Giáo dục và Đào tạo",
    "GDĐT": "Giáo dục và Đào tạo",
    "NN&PTNT": "Nông nghiệp và Phát triển nông thôn",
    "LĐTB&XH": "Lao động - Thương binh và Xã hội",
    "LĐ-TB&XH": "Lao động - Thương binh và Xã hội",
    "LĐTBXH": "Lao động - Thương binh và Xã hội",
    "KH&CN": "Khoa học và Công nghệ",
    "KHCN": "Khoa học và Công nghệ",
    "Sở CT": "Sở Công Thương",
    "Bộ CT": "Bộ Công Thương",
    "Sở DL": "Sở Du lịch",
    "Sở XD": "Sở Xây dựng",
    "Bộ XD": "Bộ Xây dựng",
    "Sở TC": "Sở Tài chính",
    "Bộ TC": "Bộ Tài chính",
    "Sở NV": "Sở Nội vụ",
    "Bộ NV": "Bộ Nội vụ",
    "Sở YT": "Sở Y tế",
    "Bộ YT": "Bộ Y tế",
    "Sở NG": "Sở Ngoại vụ",
    "Sở GTVT": "Sở Giao thông vận tải",
    # The purpose notes of a "Nơi nhận" list: "Cục Cảnh sát giao thông (để p/h)".
    "p/h": "phối hợp",
    "b/c": "báo cáo",
    "t/h": "thực hiện",
}

# Longest first, so "VHTTTT&DL" wins over "VHTT" and "NĐ-CP" over "NĐ".
_PATTERN = re.compile(
    r"(?<![\w&])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?![\w&])"
)


def expand_abbreviations(text: str) -> str | None:
    """The text with every abbreviation replaced by its full form, or None when it has none.

    >>> expand_abbreviations("Sở TT&TT tỉnh")
    'Sở Thông tin và Truyền thông tỉnh'
    """
    expanded, n = _PATTERN.subn(lambda m: ABBREVIATIONS[m.group(1)], text)
    return expanded if n else None


# Phrases the law writes one way and people ask another: "tối đa bao nhiêu ha?" is answered by
# "không vượt quá 75 ha", "ít nhất bao nhiêu người?" by "tối thiểu phải có 05 người", "hạn chót"
# by "thời hạn". Both sides get the canonical phrase as an extra form, like an abbreviation.
EQUIVALENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bkhông (?:vượt )?quá\b", re.I), "tối đa"),
    (re.compile(r"\bkhong (?:vuot )?qua\b", re.I), "toi da"),
    (re.compile(r"\btối thiểu\b", re.I), "ít nhất"),
    (re.compile(r"\btoi thieu\b", re.I), "it nhat"),
    (re.compile(r"\bhạn (?:chót|cuối)\b", re.I), "thời hạn"),
    (re.compile(r"\bhan (?:chot|cuoi)\b", re.I), "thoi han"),
    (re.compile(r"\bkhông (?:dưới|thấp hơn|ít hơn)\b|\btrở lên\b", re.I), "ít nhất"),
    (re.compile(r"\bkhong (?:duoi|thap hon|it hon)\b|\btro len\b", re.I), "it nhat"),
    (re.compile(r"\btrở xuống\b", re.I), "tối đa"),
    (re.compile(r"\btro xuong\b", re.I), "toi da"),
    (re.compile(r"\bh[ée]c[- ]?ta\b", re.I), "ha"),
    (re.compile(r"\bhec[- ]?ta\b", re.I), "ha"),
    # When a text takes effect, however it is asked.
    (re.compile(r"\bcó giá trị (?:thi hành|pháp lý)\b|\bbắt đầu (?:được )?áp dụng\b", re.I), "có hiệu lực"),
    (re.compile(r"\bco gia tri (?:thi hanh|phap ly)\b|\bbat dau (?:duoc )?ap dung\b", re.I), "co hieu luc"),
    # ASEAN by its Vietnamese name, as citizens ask ("bạn bè Đông Nam Á", "khối Đông Nam Á").
    (re.compile(r"\b(?:hiệp hội (?:các )?quốc gia |các nước |khối )?đông nam á\b", re.I), "ASEAN"),
    (re.compile(r"\b(?:hiep hoi (?:cac )?quoc gia |cac nuoc |khoi )?dong nam a\b", re.I), "ASEAN"),
]

_ANY_EQUIVALENT = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in EQUIVALENTS), re.I)


def equivalent_form(text: str) -> str | None:
    """The text with equivalent phrases in their canonical form, or None when it has none.

    >>> equivalent_form("có quy mô diện tích không vượt quá 75 ha")
    'có quy mô diện tích tối đa 75 ha'
    """
    if not _ANY_EQUIVALENT.search(text):
        return None  # the usual case, in one scan instead of one per phrase
    out = text
    for pattern, canonical in EQUIVALENTS:
        out = pattern.sub(canonical, out)
    return out if out != text else None
