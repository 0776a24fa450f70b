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
# "trước ngày 15 hàng tháng", "trước ngày 15 tháng cuối quý": a day of every period
_DAY_OF_EVERY = rf"\d{{1,2}}\s+(?:{_EVERY}|tháng\s+(?:cuối|đầu)\s+(?:quý|năm)(?:\s+{_EVERY})?)"
# "trước 16h00 thứ Năm hàng tuần", "trước 16 giờ hằng ngày": an hour of a recurring day
_HOUR = r"\d{1,2}\s*(?:h|giờ)\s*(?:\d{2}(?:\s*phút)?)?"
# Counts written in words ("ba ngày", "mười lăm ngày", "ba mươi ngày").
_UNITS = r"(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)"
_COUNT_WORDS = rf"(?:{_UNITS}\s+mươi(?:\s+(?:mốt|một|hai|ba|tư|bốn|lăm|năm|sáu|bảy|tám|chín))?|mười(?:\s+(?:một|hai|ba|bốn|lăm|sáu|bảy|tám|chín))?|{_UNITS})"
_DEADLINE_PATTERNS = [
    re.compile(rf"(?:trước|chậm nhất|không muộn hơn|trong|vào)\s+ngày\s+(?:{_DATE}|{_DATE_WORDS}|{_DAY_OF_EVERY})"
               rf"(?:\s+{_EVERY})?", re.IGNORECASE),
    re.compile(rf"(?:trước|chậm nhất|không muộn hơn|vào)\s+(?:lúc\s+)?{_HOUR}(?:\s+(?:ngày\s+)?thứ\s+\w+)?"
               rf"\s+(?:{_EVERY}|(?:hằng|hàng)\s+ngày)", re.IGNORECASE),
    re.compile(rf"(?:trước|chậm nhất|trong|vào)\s+(?:tháng\s+\d{{1,2}}(?:[/-]\d{{4}}|\s+năm\s+\d{{4}})?|"
               rf"quý\s+[IV]+(?:\s*[/-]\s*\d{{4}}|\s+năm\s+\d{{4}})?)(?:\s+{_EVERY})?", re.IGNORECASE),
    re.compile(r"\bquý\s+[IV]+(?:\s*[/-]\s*\d{4}|\s+năm\s+\d{4}|\s+(?:hằng|hàng)\s+năm)?\b", re.IGNORECASE),
    re.compile(rf"(?:định kỳ\s+)?(?<![\d/.])\b(?:6|sáu)\s+tháng(?!\s*\d)(?:\s+(?:một lần|và\s+(?:hằng|hàng)\s+năm))?|"
               rf"(?:định kỳ\s+)?(?:{_EVERY}|(?:hằng|hàng)\s+ngày)", re.IGNORECASE),
    # a period, counted from an event or before one: "chậm nhất 10 ngày làm việc trước ngày dự
    # kiến đóng điện", "ít nhất 01 tháng trước ngày …", "trước ít nhất 05 ngày"
    # (the count in figures or in words: "trong thời hạn ba ngày, kể từ ngày ra quyết định")
    re.compile(r"(?:trong (?:thời hạn|thời gian|vòng)(?: tối đa(?: là)?)?|chậm nhất(?: là)?|tối đa(?: là)?|không quá|(?:trước\s+)?ít nhất)\s+"
               r"(?:\d{1,3}|" + _COUNT_WORDS + r")\s*"
               r"(?:\([^)]*\)\s*)?(?:ngày(?: làm việc)?|tháng|năm|tuần|giờ)"
               r"(?:,?\s+(?:kể từ|trước|sau)\s+[^,;.()]{3,80}?(?=\s+hoặc\b|[,;.()]|$))?", re.IGNORECASE),
    # "mỗi năm ít nhất một lần": a recurrence
    re.compile(r"\bmỗi\s+(?:năm|quý|tháng|tuần)\s+(?:ít nhất\s+)?(?:một|01|1|hai|02|2)\s+lần\b", re.IGNORECASE),
    re.compile(r"(?:trước|trong|hoàn thành(?: trong)?)?\s*tháng\s+\d{1,2}\s*[/-]\s*\d{4}", re.IGNORECASE),
    re.compile(r"theo sự kiện", re.IGNORECASE),
    # an opening "Trước ngày <event>, …" ("Trước ngày dự kiến đóng điện điểm đấu nối, khách hàng …")
    re.compile(r"^\W*(?:[a-zđ]\)\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s*)?(?P<d>[Tt]rước ngày\s+(?!\d)[^,;.()\d]{3,80})(?=,)"),
    re.compile(r"trước, trong và sau (?:khi )?(?:diễn ra )?(?:các |những )?(?:sự kiện|hội nghị|kỳ họp)[^,;.()]*",
               re.IGNORECASE),
]
_MORE_DATES = re.compile(rf"(?:\s*(?:,|và)\s*(?:trước|chậm nhất|vào)?\s*ngày\s+(?:{_DATE}|{_DATE_WORDS}))*"
                         rf"(?:\s+{_EVERY})?", re.IGNORECASE)
_BARE_EVERY = next(p for p in _DEADLINE_PATTERNS if "định kỳ" in p.pattern)


def _stands_alone(text: str, m: re.Match) -> bool:
    """A bare recurrence is a deadline ("báo cáo … hằng năm về Vụ X"), except where it qualifies a
    noun owned by someone ("phương án giá bán điện hằng năm của Tập đoàn …")."""
    if re.match(r"\s*(?:của|cho)\b", text[m.end():]):
        return False
    # "kinh phí hàng năm", "kế hoạch đầu tư phát triển hằng năm", "báo cáo tài chính hàng năm": the
    # recurrence names a budget, a plan or an account a few words back, not when the duty is due
    if m.group(0).lower().startswith("định kỳ"):
        return True
    before = re.split(r"[,;:.()]", text[:m.start()])[-1].split()[-9:]
    return not _PERIODIC_NOUN.search(" ".join(before))


_PERIODIC_NOUN = re.compile(r"(?<![\wÀ-ỹ])(?:kinh phí|ngân sách|vốn|dự toán|kế hoạch|chi phí|báo cáo tài chính)"
                            r"(?![\wÀ-ỹ])", re.IGNORECASE)


# "… của đơn vị năm 2021": a bare year, unless it belongs to a date, a period or a name.
_YEAR = re.compile(r"(?:\btrong\s+)?\bnăm\s+(?:19|20)\d\d\b(?!\s*[-–/]\s*\d)", re.IGNORECASE)
_NOT_BEFORE_YEAR = re.compile(r"(?:tháng\s+\d{1,2}|giai đoạn|ngày\s+\d{1,2})\s*$", re.IGNORECASE)


def find_deadline(text: str) -> tuple[str, int, int] | None:
    """The first deadline or recurrence a sentence states: "trước ngày 10/11 hằng năm", "quý IV",
    "hằng năm", "theo sự kiện" → (phrase, start, end)."""
    for pattern in _DEADLINE_PATTERNS:
        m = pattern.search(text)
        while m and pattern is _BARE_EVERY and not _stands_alone(text, m):
            m = pattern.search(text, m.end())  # "phương án giá bán điện hằng năm của …" qualifies a noun
        if m and "d" in pattern.groupindex:
            return m.group("d").strip(), m.start("d"), m.end("d")
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


# --- deadlines as data ---------------------------------------------------------------------------

_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4}
_RECURRING = re.compile(r"\b(?:hằng|hàng)\s+(?:năm|quý|tháng|tuần|ngày)\b|\bđịnh kỳ\b|\bthường xuyên\b|"
                        r"\b(?:6|sáu)\s+tháng\s+(?:một lần|và\s+(?:hằng|hàng)\s+năm)|tháng cuối quý|\bmỗi\s+(?:năm|quý|tháng)\b",
                        re.IGNORECASE)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        import datetime

        return datetime.date(y, m, d).isoformat()
    except ValueError:
        return None


def _month_end(y: int, m: int) -> str | None:
    import calendar

    return _iso(y, m, calendar.monthrange(y, m)[1]) if 1 <= m <= 12 else None


def deadline_data(text: str | None) -> dict | None:
    """A deadline as written and as data: {"text", "start", "end", "recurring"}.

    ``start``/``end`` are ISO dates where the words state them ("Quý II/2024" → 2024-04-01 …
    2024-06-30; "trước ngày 25 tháng 01 năm 2024" → end 2024-01-25; "Tháng 9/2024"; "Cả năm 2015";
    "2021–2025"), else None; ``recurring`` is true for "hằng năm", "định kỳ", "thường xuyên",
    "trước ngày 15 tháng cuối quý". The text is never rewritten.
    """
    if not text or not text.strip():
        return None
    t = clean_text(text).strip()
    out = {"text": t, "start": None, "end": None, "recurring": bool(_RECURRING.search(t))}
    low = t.lower()
    m = re.search(r"(?:ngày\s+)?(\d{1,2})\s*(?:/|-|\s+tháng\s+)(\d{1,2})\s*(?:/|-|\s+năm\s+)(\d{4})", low)
    if m:
        day = _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if re.search(r"\b(?:từ|kể từ|bắt đầu)\s+(?:ngày\s+)?" + re.escape(m.group(0).split()[0]), low) and "đến" not in low:
            out["start"] = day
        else:
            out["end"] = day
        return out
    m = re.search(r"quý\s+([IV]+|[1-4])\s*(?:/|năm\s+|-)\s*(\d{4})", t, re.IGNORECASE)
    if m:
        q = int(m.group(1)) if m.group(1).isdigit() else _ROMAN_Q.get(m.group(1).upper(), 0)
        y = int(m.group(2))
        if 1 <= q <= 4:
            out["start"], out["end"] = _iso(y, 3 * q - 2, 1), _month_end(y, 3 * q)
        return out
    m = re.search(r"tháng\s+(\d{1,2})\s*(?:/|năm\s+|-)\s*(\d{4})|^(\d{1,2})/(\d{4})$", low)
    if m:
        mo, y = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), int(m.group(4)))
        if 1 <= mo <= 12:
            out["start"], out["end"] = _iso(y, mo, 1), _month_end(y, mo)
        return out
    m = re.search(r"\b((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)\b", t)
    if m:
        out["start"], out["end"] = _iso(int(m.group(1)), 1, 1), _iso(int(m.group(2)), 12, 31)
        return out
    m = re.search(r"\b((?:19|20)\d\d)\b", t)
    if m and not re.search(r"\d{1,2}\s*/\s*" + m.group(1), t):
        y = int(m.group(1))
        out["start"], out["end"] = _iso(y, 1, 1), _iso(y, 12, 31)
    return out
