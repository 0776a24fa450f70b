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

from ingest.action_verbs import action_verb
from ingest.actors import CLASS_LIST, modal_subject, split_actors, starts_as_actor
from ingest.lang.normalize import fold_accents
from ingest.structure import Item, Paragraph
from ingest.unit_names import canonical_unit, is_generic_unit, is_unit, split_units, unit_key
from ingest.units import distributed_units, unit_at, unit_list_at

ROLES = ("lead", "partner", "focal", "guiding")

BULLET = re.compile(r"^\s*(?:[-–—+•*·]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|\(\d{1,2}\)|\([a-zđ]\))\s*")


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
# "có trách nhiệm thực hiện các công việc sau đây" still only introduces the duties below it.
_DUTY_INTRO = re.compile(r"^\s*(?:(?:có trách nhiệm|chịu trách nhiệm|có nhiệm vụ|phải|được giao)(?:\s+(?:thực hiện|"
                         r"triển khai(?: thực hiện)?|tổ chức thực hiện))?|thực hiện|có (?:các |những )?(?:nhiệm vụ|nghĩa vụ)|"
                         r"chủ trì(?: thực hiện)?|tập trung)(?:\s*(?:,|và)\s*quyền hạn)?(?:\s+(?:các|những))?(?:\s+(?:nhiệm vụ|nội dung|"
                         r"công việc|việc)(?:,?\s*quyền hạn)?)?(?:\s+(?:cụ thể\s+)?(?:sau(?: đây)?|như sau))?\s*$",
                         re.IGNORECASE)
# "Điều 7. Giao Thủ tướng Chính phủ" (a resolution's article whose items the unit carries out) titles
# its unit like "Trách nhiệm của …"; the units must then fill the title (see _unit_heading_units)
_DUTY_TITLE = re.compile(r"^\s*(?:(?:Trách nhiệm|Nhiệm vụ|Nhiệm vụ, quyền hạn|Trách nhiệm thực hiện)\s+của|"
                         r"Giao(?:\s+cho)?)\s+(?=\S)", re.IGNORECASE)
# Lines besides the structure parser's "Đơn vị …:" ones: "Chủ trì: …", "Tiến độ: …".
_EXTRA_LINE = re.compile(r"^\s*(?:[-–—+•*·]\s*)?(?P<key>Chủ trì(?: thực hiện)?|Phối hợp(?: thực hiện)?|Đầu mối|"
                         r"Tiến độ(?: thực hiện)?|Thời gian hoàn thành|Hoàn thành)\s*:\s*(?P<value>.+)$", re.IGNORECASE)
LINE_KEYS = re.compile(r"(?:^|[;.]\s*)(?P<key>(?:[Đđ]ơn vị|[Cc]ơ quan|[Cc]ác đơn vị)\s[^:;]{2,60}|[Tt]hời gian[^:;]{0,40}|"
                        r"[Tt]rách nhiệm (?:thực hiện|chủ trì|triển khai)|"
                        r"[Tt]hời hạn[^:;]{0,40}|[Cc]hủ trì(?: thực hiện)?|[Pp]hối hợp(?: thực hiện)?|[Đđ]ầu mối|"
                        r"[Tt]iến độ(?: thực hiện)?|[Hh]oàn thành)\s*:\s*")
# Sections that state aims, scope or definitions, not assignments. "Yêu cầu" alone (a plan's
# "Mục đích, yêu cầu") is one; "Yêu cầu kỹ thuật đối với thiết bị đấu nối" lays down duties.
_GOAL_TITLES = re.compile(r"^(?:muc dich|yeu cau(?: chung)?\s*$|muc tieu|quan diem|y nghia|can cu|vi du|"
                          r"giai thich tu ngu|pham vi dieu chinh|doi tuong ap dung)\b")
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
    keys = list(LINE_KEYS.finditer(body))
    out: list[tuple[str, str]] = []
    for i, m in enumerate(keys):
        value = body[m.end(): keys[i + 1].start() if i + 1 < len(keys) else len(body)].strip().rstrip(".;")
        role = role_of_key(m.group("key"))
        if role and value:
            out.append((role, value))
    return out


def role_of_key(key: str) -> str | None:
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


def _labelled_unit(text: str) -> bool:
    """In a lead or partner column, or after "Cơ quan thực hiện:", the label says what the value
    is: an actor's name ("Khách hàng đề nghị đấu nối"), an abbreviation ("DNVT"), a department."""
    text = text.strip()
    if is_unit(text) or starts_as_actor(text) or CLASS_LIST.match(text):
        return True
    words = text.split()
    # "các phương tiện thông tin đại chúng khác": under a unit label a plural names actors too
    return 0 < len(words) <= 12 and (text[:1].isupper() or bool(re.match(r"(?:các|những)\s+\w", text))) \
        and not re.match(r"(?:Theo|Trong|Trước|Sau|Thường xuyên|Hằng|Hàng|Năm|Quý|Tháng|Từ|Đến)\b", text)


def units_with_roles(value: str, role: str, *, labelled: bool = False) -> dict[str, list[str]]:
    """A line's units, honouring per-unit remarks: "Sở X (chủ trì), Sở Y (phối hợp)".

    ``labelled``: the value sits in a unit column or after a unit label, so any name counts
    (:func:`_labelled_unit`) and a list also divides before lower-case actor heads."""
    out: dict[str, list[str]] = {r: [] for r in ROLES}
    value = re.sub(r"\s*,\s*(?:Bộ|Sở|Ban|Cục|Vụ|Ủy ban|UBND)\s*$", "", value)  # a head with no name after it
    parts = split_units(value)
    if labelled:
        parts = [q for p in parts for q in split_actors(p, cell=True)]
    for part in parts:
        remark = re.search(r"\(([^)]*)\)", part)
        r = role
        if remark:
            low = remark.group(1).lower()
            r = ("partner" if "phối hợp" in low else "lead" if "chủ trì" in low else
                 "focal" if "đầu mối" in low else role)
        name = canonical_unit(part)
        if not name or not (is_unit(name) or (labelled and _labelled_unit(part))):
            continue
        if r == "lead" and is_generic_unit(name) and not labelled:
            continue  # a column or label that says "chủ trì" names the lead, a group too ("Các địa phương")
        add_unique(out[r], [name])
    return out


_PARTNER_IN_VALUE = re.compile(r"\s*[,;]?\s*(?:và\s+)?phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?\s+", re.IGNORECASE)
_LEAD_WORDS_AT_END = re.compile(r"\s*(?:là\s+(?:cơ quan|đơn vị)\s+)?(?:chủ trì|làm đầu mối|đầu mối)(?:\s+thực hiện)?\s*[,;.]?\s*$",
                                re.IGNORECASE)


def _subject_of_clause(value: str) -> str:
    """A label's value written as a clause ("Sở Giao thông vận tải tham mưu Ủy ban nhân dân tỉnh chỉ
    đạo, thực hiện") names its units before the verb; a plain list of names stays whole."""
    spans = unit_list_at(value, 0)
    if not spans:
        return value
    end = spans[-1].end
    return value[:end] if action_verb(value[end:], value[:end]) else value


def role_value(value: str, role: str) -> dict[str, list[str]]:
    """A line's or a cell's units by role, the grammar of a sentence kept: "Sở Nội vụ chủ trì,
    phối hợp với Sở Lao động – Thương binh và Xã hội và UBND các huyện" is one lead and two
    partners, not three leads; "Sở X (chủ trì), Sở Y (phối hợp)" keeps its remarks."""
    if re.search(r"\([^)]*(?:chủ trì|phối hợp)", value, re.IGNORECASE) or not re.search(
            r"chủ trì|phối hợp", value, re.IGNORECASE):
        return units_with_roles(_subject_of_clause(value), role, labelled=True)
    out: dict[str, list[str]] = {r: [] for r in ROLES}
    m = _PARTNER_IN_VALUE.search(value)
    head, tail = (value[:m.start()], value[m.end():]) if m else (value, "")
    head = _LEAD_WORDS_AT_END.sub("", head.strip())
    if head:
        merge_roles(out, units_with_roles(head, "lead" if role == "partner" else role, labelled=True))
    if tail:
        spans = unit_list_at(tail, 0)
        merge_roles(out, {"partner": named(spans, keep_generic=True)} if spans
                    else units_with_roles(tail, "partner", labelled=True))
    return out


_DUTY_CONTEXT = re.compile(r"trach nhiem|to chuc thuc hien|phan cong|giao nhiem vu")


def duty_context(item: Item) -> bool:
    """Is the item inside a part about who does what ("Điều 13. Trách nhiệm của các cơ quan …",
    "III. TỔ CHỨC THỰC HIỆN")? There a bare actor heading ("2. Bên bán điện") heads duties."""
    return any(_DUTY_CONTEXT.search(fold_accents(title).lower()) for _, _, title in item.path if title)


# "Tổ chức" is a noun (an organisation) before a list comma, "cá nhân", a kind of organisation, a
# proper name or a relative clause; before anything else it is the verb "organise".
_ORGANISE = re.compile(r"[Tt]ổ chức\s+(?![A-ZĐÀ-Ỹ]|,|và\s|hoặc\s|cá nhân|chính trị|xã hội|đoàn thể|tín dụng|kinh tế|"
                       r"hội\b|phi chính phủ|quốc tế|nước ngoài|trong nước|được\s|có\s|thuộc\s|tham gia|liên quan|khác)")


def _actor_heading(head: str, *, colon: bool, bare_ok: bool, modal_ok: bool = False,
                   titled: bool = False) -> list[str] | None:
    """Actors (not departments) heading duties: "Khách hàng … có trách nhiệm:", "Bên bán điện:"
    or, in a duty context, "1. Tập đoàn Điện lực Việt Nam hoặc đơn vị thành viên được ủy quyền".
    ``modal_ok``: a heading whose colon was left out ("2. Khách hàng … có trách nhiệm");
    ``titled``: named by "Trách nhiệm của …", where a class may be lower-case ("cơ quan thuế")."""
    found = modal_subject(head) if colon or modal_ok else None
    if found is not None:
        names, modal = found
        return named(names) if _DUTY_INTRO.match(head[modal.start():]) else None
    if not bare_ok or not starts_as_actor(head) or not 2 <= len(head.split()) <= 20 or not (head[:1].isupper() or titled):
        return None  # "Đơn vị: MW" labels a column; a name has words after its head
    if re.match(r"(?:Các\s+)?[Đđ]ối tượng(?![\wÀ-ỹ])", head):
        return None  # "1. Đối tượng tiếp nhận:", "Đối tượng áp dụng": whom the items concern, not who acts
    if _ORGANISE.match(head):
        return None  # "2. Tổ chức bộ máy quản lý …": the verb "organise", a duty, not an organisation
    if _DUTY_CONTEXT.search(fold_accents(head).lower()) or re.search(r"(?<![\wÀ-ỹ])(?:thực hiện|triển khai)(?![\wÀ-ỹ])",
                                                                       head, re.IGNORECASE):
        return None  # "3. Tổ chức thực hiện" names the part, not an actor
    if titled:
        # "Trách nhiệm của người đứng đầu cơ quan, tổ chức trong phòng, chống tác hại …": the topic is no part of the name
        head = re.sub(r"\s+(?:trong(?: việc)?|về|đối với)\s+(?![A-ZĐ]).*$", "", head)
    spans = unit_list_at(head, 0)
    if spans and action_verb(head[spans[-1].end:], spans[-1].text):
        return None  # "1. Chính phủ thống nhất quản lý nhà nước về …": a sentence, whose verb follows the name
    names = split_actors(head)
    # a definition, a list of cases or of rights is no actor heading its duties ("Đơn vị X có
    # quyền yêu cầu … trong các trường hợp sau:", "Các trường hợp … bao gồm:", "X có các quyền sau đây:")
    if not names or any(re.search(r"(?<![\wÀ-ỹ])(?:là|có trách nhiệm|phải|được|không|bao gồm|gồm|"
                                  r"trường hợp|có (?:các|những) quyền|có quyền(?= sau|\s*$))(?![\wÀ-ỹ])", n, re.IGNORECASE) for n in names):
        return None
    return named(names) or None


def unit_heading(text: str, *, heading: bool = False, in_duties: bool = False) -> tuple[list[str], str, int] | None:
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
    shared = distributed_units(head, cm.group("rest")) if cm else None
    if shared:
        return shared, cm.group("rest").strip(), lead_at + cm.start("rest")  # "- Các Sở: Tư pháp, Y tế …"
    # a heading may leave out its colon: "2. Khách hàng … có trách nhiệm" over its points a), b)
    if title and not cm and title.group(0).strip().lower().startswith("giao"):
        # "Giao X" heads only where X is the whole rest ("Giao Sở Y tế chủ trì thực hiện" is a duty)
        units = _unit_heading_units(head, colon=False)
        return (units, "", len(text)) if units else None
    units = _unit_heading_units(head, colon=bool(cm) or heading)
    if units is None:
        # not a department: an actor the document names ("Bên bán điện", "Khách hàng … có trách nhiệm:")
        units = _actor_heading(head, colon=bool(cm), bare_ok=in_duties or bool(cm and heading) or bool(title),
                               modal_ok=heading, titled=bool(title))
    if not units:
        return None
    if not cm:
        return units, "", len(text)
    return units, cm.group("rest").strip(), lead_at + cm.start("rest")


def _unit_heading_units(head: str, *, colon: bool) -> list[str] | None:
    if not is_unit(head):
        return None
    spans = unit_list_at(head, 0)
    if not spans:
        return None
    tail = head[spans[-1].end:]
    parent = re.match(r"\s*(?:trực\s+)?thuộc\s+", tail)
    if parent and len(spans) == 1 and unit_at(tail, parent.end()) is not None:
        # "Cục X thuộc Bộ Y có trách nhiệm:": the parent body narrows the unit; X heads the duties
        tail = tail[unit_at(tail, parent.end()).end:]
    if len(tail.strip(" ,.")) > 0 and not (colon and _DUTY_INTRO.match(tail)):
        return None
    return named(spans) or None


# The end of an intro whose list below is the doer's duties ("Giao Sở X thực hiện các nội dung sau:",
# "…, Đơn vị Y có trách nhiệm thực hiện các công việc sau đây:"), not the content of one duty
# ("X có trách nhiệm cung cấp các thông tin sau:", "… lập kế hoạch dựa trên các căn cứ sau:").
_GENERIC_INTRO_END = re.compile(
    r"(?<![\wÀ-ỹ])(?:có trách nhiệm|chịu trách nhiệm|có nhiệm vụ|có nghĩa vụ|phải|được giao|chủ trì|tập trung|thực hiện|"
    r"triển khai|tổ chức thực hiện)(?:\s+(?:thực hiện|triển khai(?: thực hiện)?|tổ chức thực hiện))?"
    r"(?:\s*(?:,|và)\s*quyền hạn)?(?:\s+(?:các|những|một số))?(?:\s+(?:nhiệm vụ|nội dung|công việc|việc|hoạt động|giải pháp|biện pháp)"
    r"(?:\s+(?:chủ yếu|trọng tâm|chính|cụ thể))?(?:,?\s*quyền hạn)?)?(?:\s+(?:cụ thể\s+)?(?:sau(?: đây)?|như sau))?"
    r"\s*:?\s*$"
    # "… và có các nhiệm vụ, quyền hạn sau đây:"
    r"|(?<![\wÀ-ỹ])có\s+(?:các\s+|những\s+)?(?:nhiệm vụ|trách nhiệm|nghĩa vụ)(?:\s*(?:,|và)\s*quyền hạn)?\s+"
    r"(?:cụ thể\s+)?(?:sau(?: đây)?|như sau)\s*:?\s*$", re.IGNORECASE)


def generic_intro(text: str) -> bool:
    """Does an intro ending in a colon hand its doer the duties listed below it?"""
    return bool(_GENERIC_INTRO_END.search(text.rstrip()))


def intro_duty(text: str) -> str | None:
    """"Bộ Y tế chịu trách nhiệm trước Chính phủ thực hiện quản lý nhà nước về … và có các nhiệm
    vụ, quyền hạn sau đây:": the duty an intro states before handing on its list, or None when
    it only hands the list on."""
    m = _GENERIC_INTRO_END.search(text.rstrip())
    if not m:
        return None
    head = re.sub(r"[\s,;]*(?:và|,)?\s*$", "", text[:m.start()])
    return head if re.search(r"(?:\s+và|,)\s*$", text[:m.start()]) and len(head.split()) >= 8 else None


def is_goal_section(item: Item) -> bool:
    """Inside a part that states aims or grounds ("II. MỤC ĐÍCH, YÊU CẦU", "Căn cứ pháp lý")? A
    numbered provision titled by its own sentence ("2. Căn cứ vào quy hoạch …, Ủy ban nhân dân
    cấp tỉnh tạo điều kiện …") is no such part."""
    return any(_GOAL_TITLES.match(fold_accents(title).lower().strip()) and len(title.split()) <= 12
               for _, _, title in item.path if title)


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
