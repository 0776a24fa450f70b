"""The grammar of assignments laid out by structure: assignment lines ("Đơn vị chủ trì: …",
"Thời gian thực hiện: …", several keys per line allowed), a unit heading its duties ("1. Phòng
Văn hoá và Thông tin huyện:", "Điều 30. Trách nhiệm của Bộ Công Thương"), task tables with a
"chủ trì" column, and sections that state aims rather than assignments ("Mục đích, yêu cầu").
The roles themselves (lead, partner, focal, guiding) and the bookkeeping that keeps one unit
once per role live here too, since every shape of :mod:`ingest.tasks` fills them; narrative
sentences are :mod:`ingest.assignment_sentences`.
"""
from __future__ import annotations

import re

from ingest.lang.normalize import fold_accents
from ingest.structure import Item, Paragraph
from ingest.unit_names import canonical_unit, is_generic_unit, is_unit, split_units, unit_key
from ingest.units import unit_list_at

ROLES = ("lead", "partner", "focal", "guiding")

BULLET = re.compile(r"^\s*(?:[-–—+•*·]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\))\s*")


def add_unique(target: list[str], names: list[str]) -> None:
    keys = {unit_key(u) for u in target}
    for n in names:
        if n and unit_key(n) not in keys:
            target.append(n)
            keys.add(unit_key(n))


def merge_roles(target: dict[str, list[str]], extra: dict[str, list[str]]) -> None:
    for role, names in extra.items():
        if names:
            add_unique(target.setdefault(role, []), names)


def named(spans, *, keep_generic: bool = False) -> list[str]:
    """Canonical names of unit spans (or strings); vague groups dropped unless asked."""
    out: list[str] = []
    for s in spans:
        text = s.text if hasattr(s, "text") else s
        if not keep_generic and is_generic_unit(text):
            continue
        add_unique(out, [canonical_unit(text)])
    return out


# --- vocabulary ----------------------------------------------------------------------------------

_COLON_HEAD = re.compile(r"^(?P<units>[^:]{3,200}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
# "Sở X có trách nhiệm:", "Trạm … thực hiện các nhiệm vụ sau:": a unit introducing its duties.
_DUTY_INTRO = re.compile(r"^\s*(?:có trách nhiệm|chịu trách nhiệm|có nhiệm vụ|thực hiện|có các nhiệm vụ|được giao|"
                         r"chủ trì(?: thực hiện)?|tập trung)(?:\s+(?:các|những))?(?:\s+(?:nhiệm vụ|nội dung|"
                         r"công việc|việc)(?:,?\s*quyền hạn)?)?(?:\s+(?:cụ thể\s+)?(?:sau(?: đây)?|như sau))?\s*$",
                         re.IGNORECASE)
_DUTY_TITLE = re.compile(r"^\s*(?:Trách nhiệm|Nhiệm vụ|Nhiệm vụ, quyền hạn|Trách nhiệm thực hiện)\s+của\s+", re.IGNORECASE)
# Lines besides the structure parser's "Đơn vị …:" ones: "Chủ trì: …", "Tiến độ: …".
_EXTRA_LINE = re.compile(r"^\s*(?:[-–—+•*·]\s*)?(?P<key>Chủ trì(?: thực hiện)?|Phối hợp(?: thực hiện)?|Đầu mối|"
                         r"Tiến độ(?: thực hiện)?|Thời gian hoàn thành|Hoàn thành)\s*:\s*(?P<value>.+)$", re.IGNORECASE)
_LINE_KEYS = re.compile(r"(?:^|[;.]\s*)(?P<key>(?:[Đđ]ơn vị|[Cc]ơ quan|[Cc]ác đơn vị)\s[^:;]{2,60}|[Tt]hời gian[^:;]{0,40}|"
                        r"[Tt]hời hạn[^:;]{0,40}|[Cc]hủ trì(?: thực hiện)?|[Pp]hối hợp(?: thực hiện)?|[Đđ]ầu mối|"
                        r"[Tt]iến độ(?: thực hiện)?|[Hh]oàn thành)\s*:\s*")
_GOAL_TITLES = re.compile(r"^(?:muc dich|yeu cau|muc tieu|quan diem|y nghia|can cu|vi du)\b")
_TABLE_COLUMNS = [
    ("lead", re.compile(r"chu tri|don vi thuc hien|co quan thuc hien|don vi thuc hien|don vi trien khai|phu trach")),
    ("partner", re.compile(r"phoi hop")),
    ("focal", re.compile(r"dau moi")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|hoan thanh")),
    ("task", re.compile(r"nhiem vu|noi dung|hoat dong|cong viec|ten (?:de an|du an|nhiem vu)|giai phap|de an")),
]


# --- lines, headings, tables ---------------------------------------------------------------------

def line_assignments(text: str) -> list[tuple[str, str]]:
    """(role, value) pairs of an assignment line, several keys per line allowed: "Cơ quan chủ trì:
    Sở X; cơ quan phối hợp: các sở, ngành; thời gian: năm 2022"."""
    body = BULLET.sub("", text).strip()
    keys = list(_LINE_KEYS.finditer(body))
    out: list[tuple[str, str]] = []
    for i, m in enumerate(keys):
        value = body[m.end(): keys[i + 1].start() if i + 1 < len(keys) else len(body)].strip().rstrip(".;")
        role = _role_of_key(m.group("key"))
        if role and value:
            out.append((role, value))
    return out


def _role_of_key(key: str) -> str | None:
    k = fold_accents(key).lower()
    if "noi dung" in k or "san pham" in k or "kinh phi" in k:
        return None
    if k.startswith(("thoi gian", "thoi han", "tien do", "hoan thanh")):
        return "deadline"
    if "phoi hop" in k:
        return "partner"
    if "dau moi" in k:
        return "focal"
    if "dinh huong" in k:
        return "guiding"
    if re.search(r"chu tri|thuc hien|trien khai|phu trach", k):
        return "lead"
    return None


def units_with_roles(value: str, role: str) -> dict[str, list[str]]:
    """A line's units, honouring per-unit remarks: "Sở X (chủ trì), Sở Y (phối hợp)"."""
    out: dict[str, list[str]] = {r: [] for r in ROLES}
    for part in split_units(value):
        remark = re.search(r"\(([^)]*)\)", part)
        r = role
        if remark:
            low = remark.group(1).lower()
            r = ("partner" if "phối hợp" in low else "lead" if "chủ trì" in low else
                 "focal" if "đầu mối" in low else role)
        name = canonical_unit(part)
        if not name or not is_unit(name):
            continue
        if r == "lead" and is_generic_unit(name):
            continue
        add_unique(out[r], [name])
    return out


def unit_heading(text: str, *, heading: bool = False) -> tuple[list[str], str, int] | None:
    """A unit heading its duties → (units, words after the colon, their offset), else None.

    "1. Phòng Văn hoá và Thông tin huyện:", "- Sở Tư pháp: chủ trì …", "2. Trạm … thực hiện các
    nhiệm vụ sau:", and for headings also "8. Ủy ban nhân dân các tỉnh, thành phố" (no colon) and
    "Điều 30. Trách nhiệm của Bộ Công Thương". Whatever precedes the colon must be the units
    (and a duty formula): "Nội dung triển khai:" or "Ngoài tỉnh và nước ngoài: …" are not.
    """
    m = BULLET.match(text)
    lead_at = m.end() if m else 0
    article = re.match(r"^(?:Điều|ĐIỀU)\s+\d+[a-z]?\s*[.:]\s*", text[lead_at:])
    if article:
        lead_at += article.end()
    body = text[lead_at:]
    title = _DUTY_TITLE.match(body) if heading else None
    if title:
        lead_at += title.end()
        body = text[lead_at:]
    cm = _COLON_HEAD.match(body)
    head = cm.group("units").strip() if cm else body.strip().rstrip(".")
    if not cm and not heading:
        return None
    if not is_unit(head):
        return None
    spans = unit_list_at(head, 0)
    if not spans:
        return None
    tail = head[spans[-1].end:]
    if len(tail.strip(" ,.")) > 0 and not (cm and _DUTY_INTRO.match(tail)):
        return None
    units = named(spans)
    if not units:
        return None
    if not cm:
        return units, "", len(text)
    return units, cm.group("rest").strip(), lead_at + cm.start("rest")


def is_goal_section(item: Item) -> bool:
    return any(_GOAL_TITLES.match(fold_accents(title).lower().strip()) for _, _, title in item.path if title)


def is_line(para: Paragraph) -> bool:
    return para.kind == "assignment" or bool(_EXTRA_LINE.match(para.text))


def table_cells(text: str) -> list[str]:
    return [c.strip() for c in text.split(" | ")]


def table_columns(text: str) -> dict[str, int] | None:
    """Column roles of a table header row ("STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp |
    Thời gian hoàn thành"), or None when the row is no such header."""
    cols: dict[str, int] = {}
    for i, cell in enumerate(table_cells(text)):
        low = fold_accents(cell).lower()
        if len(low) > 60:
            return None
        for role, pattern in _TABLE_COLUMNS:
            if role not in cols and pattern.search(low):
                cols[role] = i
                break
    return cols if "lead" in cols and "task" in cols else None
