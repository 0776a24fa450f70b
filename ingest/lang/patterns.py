"""Patterns of Vietnamese administrative text that every stage reads: document numbers (số
hiệu), dates, provinces, people's names and the offices that sign.

One definition of each, so ingest (metadata, tasks), search (number tokens) and answers
(dates, signers) agree on what a date or a số hiệu is.
"""
from __future__ import annotations

import re
from datetime import date

from ingest.lang.normalize import fold_accents

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang",
    "TP. Hồ Chí Minh", "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]

# A số hiệu: "159/KH-UBND", "32/2024/NĐ-CP".
NUMBER = re.compile(r"\b(\d{1,5}(?:/\d{4})?/[A-ZĐ][A-Za-zĐđ]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*)")
DATE_WORDS = re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})")
DATE_SLASH = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b")
ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$")
# A particular day in running text: "ngày 19/10", "ngày 22 tháng 11 năm 1994", "19/10/2021".
DAY_WORDS = r"ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
DAY_SLASH = r"\b\d{1,2}/\d{1,2}/\d{4}\b"
DAY = re.compile(DAY_WORDS + "|" + DAY_SLASH, re.I)
# Any date or period an answer to "khi nào?" may give.
DATE_OR_PERIOD = re.compile(
    r"(?:(?:trước |từ |đến |vào )?" + DAY_WORDS + ")|" + DAY_SLASH
    + r"|\btháng\s+\d{1,2}(?:/\d{4}|\s+năm\s+\d{4})?|\bquý\s+[IV1-4]+(?:/\d{4})?"
    r"|\bhằng năm\b|\bhàng năm\b|\btheo sự kiện\b|\bnăm\s+\d{4}\b|\bgiai đoạn\s+\d{4}\s*[-–]\s*\d{4}\b",
    re.IGNORECASE,
)
# The offices that sign, as a signature block writes them.
SIGNER_OFFICES = (r"CHỦ TỊCH|BỘ TRƯỞNG|THỨ TRƯỞNG|THỦ TƯỚNG|TỔNG GIÁM ĐỐC|GIÁM ĐỐC|CỤC TRƯỞNG|VỤ TRƯỞNG|TRƯỞNG BAN"
                  r"|THỐNG ĐỐC|CHÁNH ÁN|VIỆN TRƯỞNG|TỔNG KIỂM TOÁN|CHỦ NHIỆM|TỔNG THƯ KÝ")
# A person's name starts with a Vietnamese family name; a capitalised phrase that does not
# ("Căn cứ Luật Phòng cháy") is not a person.
SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Trương Lâm Mai Trịnh "
    "Đoàn Cao Lương Hà Tạ Chu Quách Thái Lưu La Kiều Triệu Tô Đàm Hứa Khúc Lò Mạc Nông Phùng Tăng Tôn "
    "Vương Từ Nghiêm Giang Châu Thân Bạch Âu Khổng Doãn Kim Lục Lại Quan Tống Văn Hầu Ninh Đồng "
    "Diệp Khuất Lã Lạc Mẫn Ông Phí Thạch Ưng"
).split()
PERSON = re.compile(r"\b(?:" + "|".join(SURNAMES) + r")(?:[ \t]+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,3}\b")


def iso_date(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """"ngày 26 tháng 8 năm 2021", "26/8/2021" or "2021-08-26" → "2021-08-26"."""
    for pattern in (ISO_DATE, DATE_WORDS, DATE_SLASH):
        m = pattern.search(text.strip())
        if m:
            return iso_date(m.group("y"), m.group("m"), m.group("d"))
    return None


def find_province(text: str) -> str | None:
    folded = fold_accents(text).lower()
    best: tuple[int, str] | None = None
    for name in PROVINCES:
        # Whole words only: "thuê" folds to "thue", which holds "hue" (Huế).
        m = re.search(r"(?<!\w)" + re.escape(fold_accents(name).lower()) + r"(?!\w)", folded)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    if best is None:
        return None
    return {"Hồ Chí Minh": "TP. Hồ Chí Minh", "Huế": "Thừa Thiên Huế"}.get(best[1], best[1])
