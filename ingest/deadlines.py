"""Deadlines as plans write them: a date ("trước ngày 10/11 hằng năm"), a month or quarter
("quý IV/2022"), a period ("trong thời hạn 05 ngày làm việc kể từ …"), a recurrence ("6 tháng
và hằng năm", "theo sự kiện") or, failing all of those, a bare year. Sentences are searched for
the first one they state; a "Thời gian thực hiện: …" line's value is kept as written.
"""
from __future__ import annotations

import re

from ingest.lang.normalize import clean_text

_DATE = r"\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{2,4})?"
_DATE_WORDS = r"\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
_EVERY = r"(?:hằng|hàng)\s+(?:năm|quý|tháng|tuần)"
_DEADLINE_PATTERNS = [
    re.compile(rf"(?:trước|chậm nhất|không muộn hơn|trong|vào)\s+ngày\s+(?:{_DATE}|{_DATE_WORDS})(?:\s+{_EVERY})?",
               re.IGNORECASE),
    re.compile(rf"(?:trước|chậm nhất|trong|vào)\s+(?:tháng\s+\d{{1,2}}(?:[/-]\d{{4}}|\s+năm\s+\d{{4}})?|"
               rf"quý\s+[IV]+(?:\s*[/-]\s*\d{{4}}|\s+năm\s+\d{{4}})?)(?:\s+{_EVERY})?", re.IGNORECASE),
    re.compile(r"\bquý\s+[IV]+(?:\s*[/-]\s*\d{4}|\s+năm\s+\d{4}|\s+(?:hằng|hàng)\s+năm)?\b", re.IGNORECASE),
    re.compile(rf"(?:định kỳ\s+)?(?<![\d/.])\b(?:6|sáu)\s+tháng(?!\s*\d)(?:\s+(?:một lần|và\s+(?:hằng|hàng)\s+năm))?|"
               rf"(?:định kỳ\s+)?{_EVERY}", re.IGNORECASE),
    re.compile(r"(?:trong (?:thời hạn|thời gian|vòng)|chậm nhất|không quá)\s+\d{1,3}\s*(?:\([^)]*\)\s*)?"
               r"(?:ngày(?: làm việc)?|tháng|năm|tuần)(?:\s+kể từ\s+[^,;.()]{3,80})?", re.IGNORECASE),
    re.compile(r"(?:trước|trong|hoàn thành(?: trong)?)?\s*tháng\s+\d{1,2}\s*[/-]\s*\d{4}", re.IGNORECASE),
    re.compile(r"theo sự kiện", re.IGNORECASE),
    re.compile(r"trước, trong và sau (?:khi )?(?:diễn ra )?(?:các |những )?(?:sự kiện|hội nghị|kỳ họp)[^,;.()]*",
               re.IGNORECASE),
]
_MORE_DATES = re.compile(rf"(?:\s*(?:,|và)\s*(?:trước|chậm nhất|vào)?\s*ngày\s+(?:{_DATE}|{_DATE_WORDS}))*"
                         rf"(?:\s+{_EVERY})?", re.IGNORECASE)
# "… của đơn vị năm 2021": a bare year, unless it belongs to a date, a period or a name.
_YEAR = re.compile(r"(?:\btrong\s+)?\bnăm\s+(?:19|20)\d\d\b(?!\s*[-–/]\s*\d)", re.IGNORECASE)
_NOT_BEFORE_YEAR = re.compile(r"(?:tháng\s+\d{1,2}|giai đoạn|ngày\s+\d{1,2})\s*$", re.IGNORECASE)


def find_deadline(text: str) -> tuple[str, int, int] | None:
    """The first deadline or recurrence a sentence states: "trước ngày 10/11 hằng năm", "quý IV",
    "hằng năm", "theo sự kiện" → (phrase, start, end)."""
    for pattern in _DEADLINE_PATTERNS:
        m = pattern.search(text)
        if m:
            # "trước ngày 25 tháng 6 và trước ngày 25 tháng 12 hằng năm" is one deadline
            more = _MORE_DATES.match(text, m.end())
            end = more.end() if more and more.group(0).strip() else m.end()
            return text[m.start():end].strip(), m.start(), end
    for m in _YEAR.finditer(text):
        if not _NOT_BEFORE_YEAR.search(text[max(0, m.start() - 16):m.start()]):
            return m.group(0).strip(), m.start(), m.end()
    return None


def deadline_value(value: str) -> str:
    """A "Thời gian thực hiện" line's value, as written (a "Tuyên truyền theo sự kiện" stays whole)."""
    return clean_text(value).strip().rstrip(".;")
