"""Labelled fields inside running text: a plan's paragraph that names its doer with a label
instead of a sentence.

"1. Rà soát thủ tục hành chính. Chủ trì: Văn phòng UBND tỉnh; phối hợp: các sở; thời hạn: …",
"UBND Thành phố ban hành Kế hoạch … . Cơ quan chủ trì xây dựng Kế hoạch, trình UBND Thành phố
ban hành: Sở Xây dựng. Tiến độ hoàn thành trong tháng 12/2021. Nội dung chủ yếu …",
"(3) Đơn vị thực hiện: Sở Xây dựng tiếp tục thực hiện kiểm định …". The labels are the line
keys of :mod:`ingest.assignments`; a field's value ends at the next label or at the end of its
sentence, and the sentences around the fields are still read as narrative.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.assignment_sentences import clause_roles, has_doer
from ingest.assignments import BULLET, LINE_KEYS, ROLES, merge_roles, role_of_key, role_value
from ingest.deadlines import deadline_value, find_deadline
from ingest.units import unit_list_at

# A sentence ends at a full stop before a capital or an opening bracket; "TP. Hồ Chí Minh" and
# other short upper-case abbreviations do not end one.
_SENTENCE_END = re.compile(r"(?<![\s(][A-ZĐ])(?<![\s(][A-ZĐ][A-ZĐ])(?<![\s(][A-ZĐ][A-ZĐ][A-ZĐ])\.\s+(?=[A-ZĐÀ-Ỹ(])")
# "Tiến độ hoàn thành trong tháng 12/2021.": progress stated as a sentence of its own, no colon
_PROGRESS = re.compile(r"\s*(?:Tiến độ|Thời gian|Thời hạn|Hoàn thành)(?![\wÀ-ỹ])[^.:]{0,120}?(?=\.\s|\.?$)")
# the role words of a key; what a key says besides them is the task it labels
_KEY_ROLE_WORDS = re.compile(r"^(?:Cơ quan|Đơn vị|Các đơn vị)?\s*(?:chủ trì|thực hiện|phối hợp|đầu mối|triển khai|"
                             r"phụ trách)(?:\s+thực hiện)?\s*", re.IGNORECASE)


@dataclass
class InlineFields:
    """Fields found in a paragraph: where they start and end, the roles and deadline they give,
    and the task they label (None: the words before them are the task)."""
    start: int
    end: int
    roles: dict[str, list[str]] = field(default_factory=dict)
    deadline: str | None = None
    task: str | None = None


def inline_fields(text: str) -> InlineFields | None:
    """The labelled fields of a paragraph of running text, when one of them names a doer."""
    bullet = BULLET.match(text)
    body_at = bullet.end() if bullet else 0
    # (key start, value start, key words); searched from the bullet on, since the pattern's "^"
    # matches only where its string starts
    keys = [(body_at + m.start("key"), body_at + m.end(), m.group("key")) for m in LINE_KEYS.finditer(text[body_at:])]
    keys = [k for k in keys if k[0] == body_at or re.search(r"[.;:]\s*$", text[body_at:k[0]])]
    if not keys:
        return None
    found = InlineFields(start=keys[0][0], end=keys[0][0], roles={r: [] for r in ROLES})
    for i, (key_at, value_at, key) in enumerate(keys):
        if i and key_at > found.end + 2:
            break  # a later label after more prose belongs to another statement
        stop = keys[i + 1][0] if i + 1 < len(keys) else len(text)
        end_of_sentence = _SENTENCE_END.search(text, value_at, stop)
        value_end = end_of_sentence.start() if end_of_sentence else stop
        value = text[value_at:value_end].strip().rstrip(".;")
        found.end = value_end
        role = role_of_key(key)
        if not role or not value:
            continue
        if role == "deadline":
            found.deadline = found.deadline or deadline_value(value)
            continue
        said = clause_roles(value) if role in ("lead", "focal") else None
        units = unit_list_at(value, 0)
        if has_doer(said) and units and len(value[units[-1].end:].split()) >= 3:
            # "Đơn vị thực hiện: Sở Xây dựng tiếp tục thực hiện kiểm định …": a sentence, its subject the doer
            merge_roles(found.roles, said)
            found.task = found.task or value[units[-1].end:].strip(" ,")
        else:
            merge_roles(found.roles, role_value(value, role))
        described = _KEY_ROLE_WORDS.sub("", key).strip(" ,")
        if role in ("lead", "focal") and len(described.split()) >= 2:
            found.task = described  # "Cơ quan chủ trì xây dựng Kế hoạch, trình UBND …": the key names the task
    if not (found.roles.get("lead") or found.roles.get("focal")):
        return None
    progress = _PROGRESS.match(text, found.end + 1) if found.end < len(text) else None
    if progress and found.deadline is None:
        stated = find_deadline(progress.group(0))
        if stated:
            found.deadline = stated[0]
            found.end = progress.end()
    if found.task is None and len(text[body_at:found.start].split()) < 3:
        return None  # nothing says what is to be done
    return found
