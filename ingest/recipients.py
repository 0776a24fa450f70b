"""A letter's "Nơi nhận" block and what each recipient receives it for.

Vietnamese official letters close with the list of recipients, each annotated with why it gets a
copy: "- Cục Cảnh sát giao thông (để p/h);", "- Bộ trưởng (để b/c);", "- UBND các tỉnh (để t/h);".
Those sent it "để phối hợp" are the partners of what the letter asks (the task extractor adds
them to a short letter's tasks that name none); "Như trên" (the "Kính gửi" addressees) and "Lưu"
(the file copy) are no recipients of their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.units import find_units

# Purposes as letters abbreviate them, folded to one word each.
_PURPOSES = (
    ("phối hợp", re.compile(r"\bđể\s+(?:p/h|ph|phối hợp|phoi hop)\b", re.IGNORECASE)),
    ("thực hiện", re.compile(r"\bđể\s+(?:t/h|th|thực hiện|thuc hien)\b", re.IGNORECASE)),
    ("báo cáo", re.compile(r"\bđể\s+(?:b/c|bc|báo cáo|bao cao)\b", re.IGNORECASE)),
    ("biết", re.compile(r"\bđể\s+(?:biết|b/)\b", re.IGNORECASE)),
    ("chỉ đạo", re.compile(r"\bđể\s+(?:c/đ|chỉ đạo)\b", re.IGNORECASE)),
)
_NOT_A_RECIPIENT = re.compile(r"^\s*[-–+•]?\s*(?:Như trên|Lưu\b|Nơi nhận)", re.IGNORECASE)


@dataclass(frozen=True)
class Recipient:
    name: str  # the unit as the line names it
    purpose: str | None  # "phối hợp", "thực hiện", "báo cáo", "biết", "chỉ đạo"; None when unsaid
    start: int  # the line in the document text
    end: int


def recipient_lines(text: str, start: int, end: int) -> list[Recipient]:
    """The recipients listed in ``text[start:end]`` (a "Nơi nhận" block), one per line."""
    out: list[Recipient] = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        line = m.group(0)
        if not line.strip() or _NOT_A_RECIPIENT.match(line):
            continue
        purpose = next((name for name, pattern in _PURPOSES if pattern.search(line)), None)
        # The line is the name ("- Cục Cảnh sát giao thông (để p/h);"): a recipient is named whole,
        # where running text would end a name before a verb-like word ("giao").
        named = " ".join(re.sub(r"\([^)]*\)", " ", re.sub(r"^\s*[-–+•]\s*", "", line)).split()).rstrip(" ;.,:")
        units = find_units(named)
        if units and units[0].start == 0 and len(named) <= 100:
            out.append(Recipient(named, purpose, start + m.start(), start + m.end()))
    return out


def partners_by_recipients(doc) -> list[Recipient]:
    """The recipients ``doc`` (a parsed document) sends its letter to "để phối hợp"."""
    found: list[Recipient] = []
    for item in doc.structure.items:
        if item.kind != "recipients" or not item.paragraphs:
            continue
        last = item.paragraphs[-1]
        found += [r for r in recipient_lines(doc.text, item.paragraphs[0].start, last.start + len(last.text))
                  if r.purpose == "phối hợp"]
    return found
