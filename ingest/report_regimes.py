"""Reporting regimes: a report laid down as a record of labelled fields.

A legal document that creates a periodic report writes it as one item whose sub-items are
fields with fixed labels (Nghị định 09/2019/NĐ-CP on reporting regimes prescribes them for
every such report): "a) Tên báo cáo: …", "c) Đối tượng thực hiện báo cáo: Sở Giao thông vận
tải", "d) Cơ quan nhận báo cáo: Cục Đường bộ Việt Nam", "g) Thời hạn gửi báo cáo: Trước ngày
10 tháng 07 …". No sentence says who does what; the record does: the reporter owes the report
to the recipient by the deadline. The fields are read by their labels, never by their letters.

>>> _role_of_label("Đối tượng thực hiện báo cáo"), _role_of_label("Cơ quan nhận báo cáo")
('lead', 'report_to')
>>> _role_of_label("Thời hạn gửi báo cáo"), _role_of_label("Phương thức gửi, nhận báo cáo")
('deadline', None)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.lang.normalize import fold_accents
from ingest.structure import Item

# "c) Đối tượng thực hiện báo cáo: …": a field is its item's heading, a label before a colon.
_FIELD = re.compile(r"^\s*(?:[a-zđ]\)|\d+(?:\.\d+)*\.?|[-–+•])?\s*(?P<label>[^:\n]{3,60}?)\s*:\s*(?P<value>\S.*)$", re.S)
_LABELS = [
    ("name", re.compile(r"^ten bao cao$")),
    ("lead", re.compile(r"^(?:doi tuong|don vi|co quan|to chuc|chu the)(?: thuc hien| lap| gui)? bao cao$")),
    ("report_to", re.compile(r"^(?:co quan|don vi|noi) (?:nhan|tiep nhan) bao cao$")),
    ("deadline", re.compile(r"^thoi han (?:gui |nop |thuc hien )?bao cao$")),
]


_RELATIVE = re.compile(r"\s+(?:nơi|mà)\s+")


def _role_of_label(label: str) -> str | None:
    folded = " ".join(fold_accents(label).lower().split())
    return next((role for role, pattern in _LABELS if pattern.match(folded)), None)


@dataclass
class Field:
    role: str  # name, lead, report_to, deadline
    value: str  # the text after the label, its continuation lines joined
    start: int  # the field's span in the document text, label included
    end: int
    page: int | None


@dataclass
class ReportRecord:
    item: Item  # the report's own item ("1. Báo cáo tình hình hoạt động …"), whose sub-items are the fields
    fields: dict[str, Field]
    consumed: list[int]  # the fields' item indexes: no other reading of them


def _field(item: Item) -> Field | None:
    paras = item.paragraphs
    if not paras or paras[0].kind != "heading":
        return None
    m = _FIELD.match(paras[0].text)
    role = _role_of_label(m.group("label")) if m else None
    if role is None:
        return None
    # A long value wraps onto the item's next lines ("… giữa Việt" / "Nam và các nước …").
    value = " ".join([m.group("value")] + [p.text for p in paras[1:] if p.kind == "paragraph"])
    if role in ("lead", "report_to"):
        # "Sở Giao thông vận tải nơi doanh nghiệp, hợp tác xã đăng ký kinh doanh": the relative
        # clause says which one, its own nouns are not further units.
        value = _RELATIVE.split(value, 1)[0]
    last = paras[-1] if all(p.kind == "paragraph" for p in paras[1:]) else paras[0]
    return Field(role, " ".join(value.split()).rstrip(" ;.,"), paras[0].start, last.start + len(last.text), paras[0].page)


def report_records(items: list[Item]) -> list[ReportRecord]:
    """Every item whose sub-items hold a reporter and a recipient or a deadline, with its fields."""
    by_parent: dict[tuple, list[int]] = {}
    for i, item in enumerate(items):
        if len(item.path) > 1:
            by_parent.setdefault(tuple(item.path[:-1]), []).append(i)
    parents = {tuple(item.path): item for item in items}
    out: list[ReportRecord] = []
    for key, children in by_parent.items():
        parent = parents.get(key)
        if parent is None:
            continue
        fields: dict[str, Field] = {}
        used: list[int] = []
        for i in children:
            found = _field(items[i])
            if found is not None and found.role not in fields:
                fields[found.role] = found
                used.append(i)
        if "lead" in fields and ("report_to" in fields or "deadline" in fields):
            out.append(ReportRecord(parent, fields, used))
    return out
