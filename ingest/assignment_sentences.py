"""The grammar of assignments in narrative sentences: who a sentence makes lead, focal point,
partner or guide, and the reporting duties inside it.

A doer comes from a directive and its object ("Giao Vụ Hợp tác quốc tế chủ trì …", "chỉ đạo các
cơ sở giáo dục tổ chức …"), from a unit list as the subject followed by an action verb ("Sở X chủ
trì, phối hợp với Sở Y …"), from "… do X chủ trì", or from a closing parenthesis ("(Sở X chủ trì;
các sở, ngành phối hợp; thời gian: quý II/2022)"). Past events ("Sở X đã tổ chức …") and issuing
formulas ("Chính phủ ban hành Nghị định …") name no doer. A reporting clause ("báo cáo … gửi về
Sở X") is split off as a duty of its own, with "để tổng hợp, báo cáo Y" after it as X's.
"""
from __future__ import annotations

import re

from ingest.action_verbs import (
    ACTION_VERB,
    HANDING_OVER,
    LOOSE_VERB,
    action_verb,
    closed_name,
    cut_at_proper_name,
    directed_verb,
)
from ingest.actors import MANDATE, MAX_SUBJECT_WORDS, modal_subject, starts_as_actor, term_list_at
from ingest.assignments import ROLES, add_unique, merge_roles, named
from ingest.deadlines import find_deadline
from ingest.unit_names import CLASS_NOUNS, GROUP_NOUNS, is_generic_unit, unit_key
from ingest.units import RELATED_MEMBER, UnitSpan, unit_at, unit_list_at

# --- vocabulary ----------------------------------------------------------------------------------

# "Giao X …", "chỉ đạo X …", "yêu cầu X …": the object of a directive is the doer.
_DIRECTIVE = re.compile(r"(?:(?<=^)|(?<=[\s,;:(]))(?P<verb>[Gg]iao(?:\s+cho)?|[Pp]hân công(?:\s+cho)?|[Yy]êu cầu|"
                        r"[Đđ]ề nghị|[Ủủ]y quyền(?:\s+cho)?|[Pp]hân cấp(?:\s+cho)?|[Cc]hỉ đạo|[Đđ]ịnh hướng)\s+")
# Actors described in ordinary words: a plural of an actor noun, a staff, a portal's editors.
_ACTOR_NOUNS = sorted(set(GROUP_NOUNS + CLASS_NOUNS + [
    "phương tiện thông tin", "phóng viên", "báo cáo viên", "tuyên truyền viên", "cán bộ", "chủ đầu tư",
    "nhà trường", "hợp tác xã", "cơ quan", "chi bộ", "tổ chức đảng", "đảng viên", "nhà xuất bản", "tòa soạn",
]), key=len, reverse=True)
_ACTOR_START = re.compile(r"(?:[Cc]ác|[Nn]hững)\s+(?:" + "|".join(re.escape(n) for n in _ACTOR_NOUNS) + r")(?![\wÀ-ỹ])|"
                          r"[Đđ]ội ngũ\s|[Ll]ực lượng\s|[Cc]ổng [Tt]hông tin điện tử", re.IGNORECASE)
# What may stand between a subject and its verb besides the formula of competence: the
# document's own short name for it ("(sau đây gọi chung là Ủy ban nhân dân cấp tỉnh)") and a
# relative clause of place ("nơi có tiềm năng phát triển điện mặt trời", "nơi có đất thu hồi"),
# up to the first action verb.
_SUBJECT_ASIDE = re.compile(r"\s*(?:\((?:sau đây|gọi)[^()]{0,120}\)\s*)?(?:nơi\s+(?:[^\s,;.()]+\s+){1,8}?"
                            r"(?=" + ACTION_VERB.pattern + r"))?")
_ALTERNATIVE = re.compile(r"(?<![\wÀ-ỹ])hoặc\s+$", re.IGNORECASE)
# "có trách nhiệm | chỉ đạo …", also after verbs coordinated with the directive ("có trách nhiệm
# hướng dẫn, chỉ đạo …", "phải kiểm tra và đôn đốc …")
_MODAL_BEFORE = re.compile(r"(?:có trách nhiệm|chịu trách nhiệm|có nhiệm vụ|phải)\s+"
                           r"(?:[a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+)?\s*(?:,|\s+và)\s+){0,3}$", re.IGNORECASE)
# "phối hợp với Y", "chủ trì cùng Y", and "phối hợp Y" with the unit right after it
_PARTNER = re.compile(r"(?<!quy chế )(?<!cơ chế )(?:(?:phối hợp|đ[ầấ]u mối)(?:\s+chặt chẽ)?(?:\s+thông tin)?\s+"
                      r"(?:với|cùng|giữa)\s+|(?<=chủ trì )cùng\s+|phối hợp\s+(?=(?-i:[A-ZĐ]|các\s+[A-ZĐ]|các sở|các bộ)))",
                      re.IGNORECASE)
_GUIDED_BY = re.compile(r"(?:theo|trên cơ sở|dưới)\s+(?:sự\s+)?(?:chỉ đạo|định hướng)(?:\s*(?:,|và)\s*"
                        r"(?:hướng dẫn|thông báo|định hướng|chỉ đạo))?\s+của\s+", re.IGNORECASE)
_LED_BY = re.compile(r"\bdo\s+")
# "X và Y phải phối hợp, thiết lập …": a duty the subjects share, with no counterpart named
_JOINT_DUTY = re.compile(r"\s*(?:phải|có trách nhiệm)\s+phối hợp(?!\s+(?:với|cùng|chặt chẽ|thực hiện|triển khai)\b)",
                         re.IGNORECASE)
# "X, Y, Z phối hợp tổ chức rà soát …": several bodies coordinating among themselves share the duty
_AMONG_THEMSELVES = re.compile(r"\s*(?:,\s*)?phối hợp\s+(?!(?:với|cùng|chặt chẽ|thực hiện|triển khai)\b)[\wÀ-ỹ]",
                               re.IGNORECASE)
_PARTNER_CLASS = re.compile(r"\s*((?:các\s+)?(?:khách hàng|doanh nghiệp|nhà đầu tư|chủ đầu tư|tổ chức, cá nhân))(?![\wÀ-ỹ])",
                            re.IGNORECASE)
# "do X chủ trì" only: "do X phụ trách" describes a portfolio more often than a task
_LED_VERB = re.compile(r"\s*chủ trì\b")
_PAST = re.compile(r"^\s*(?:,\s*)?(?:đã|vừa|từng|được\s+(?!giao))\b", re.IGNORECASE)
# "Chính phủ ban hành Nghị định …", "UBND tỉnh ban hành Kế hoạch …": the document issuing itself.
_ISSUING = re.compile(r"^\s*(?:đã\s+)?ban hành\s+(?:Nghị định|Thông tư|Quyết định|Chỉ thị|Kế hoạch|Nghị quyết|Luật|"
                      r"Công văn|Hướng dẫn|Quy chế|Quy định|Chương trình|văn bản)", re.IGNORECASE)
# "… trong phạm vi chức năng, nhiệm vụ (được giao), tăng cường …": the formula between subject and verb.
_MANDATE = MANDATE
_FOCAL = re.compile(r"^\s*(?:,\s*)?(?:(?:chủ trì|phụ trách)\s*,?\s*)?(?:và\s+)?(?:làm|là)\s+(?:cơ quan\s+|đơn vị\s+)?đầu mối",
                    re.IGNORECASE)
_LEAD_WORD = re.compile(r"^\s*(?:,\s*)?(?:sẽ\s+|được giao\s+)?(?:chủ trì|phụ trách)\b", re.IGNORECASE)
_REPORT = re.compile(r"(?:(?<=^)|(?<=,\s)|(?<=;\s)|(?<=^-\s))\s*(?P<r>(?:[Đđ]ịnh kỳ\s+|[Hh]ằng năm\s+|[Hh]àng năm\s+)?"
                     r"[Bb]áo cáo)\b")
_REPORT_TO = re.compile(r"\b(?:gửi\s+)?(?:về|lên|cho|với)\s+")
_ONWARD = re.compile(r"\s*(?:\([^)]*\)\s*)?để\s+(?:\w+\s+)?tổng hợp\s*,?\s*(?:và\s+)?báo cáo\s+")
_ONWARD_START = re.compile(r"\s*để\s+(?:\w+\s+)?tổng hợp\b")


# --- finding roles -------------------------------------------------------------------------------

def _actor_phrase_end(text: str, pos: int) -> int:
    """End of an actor described in ordinary words ("các phương tiện thông tin đại chúng",
    "đội ngũ báo cáo viên"): up to a comma, a following actor, or an action verb."""
    end = pos
    words = 0
    for m in re.finditer(r"[\wÀ-ỹ&-]+|[^\w\s]", text[pos:]):
        token_at = pos + m.start()
        token = m.group(0)
        if not token[0].isalnum():
            break
        if words >= 1 and ACTION_VERB.match(text, token_at) and not text[end:token_at].strip(" "):
            break
        if token == "và":
            nxt = re.compile(r"và\s+").match(text, token_at)
            if nxt and (_ACTOR_START.match(text, nxt.end()) or unit_at(text, nxt.end())):
                break
        end = token_at + len(token)
        words += 1
        if words >= 9:
            break
    return end


def _actor_list_at(text: str, pos: int) -> list[tuple[int, int, str]]:
    """Actors named after a directive ("chỉ đạo các cơ quan chức năng, đội ngũ báo cáo viên …"):
    recognised units, or phrases that start like a class of actors."""
    out: list[tuple[int, int, str]] = []
    while True:
        p = re.compile(r"\s*").match(text, pos).end()
        u = unit_at(text, p, bare_classes=bool(out))
        holder = _OFFICE_HOLDER.match(text, p) if u is None else None
        held = unit_at(text, holder.end()) if holder else None
        related = RELATED_MEMBER.match(text, p) if u is None and out else None
        if u is not None:
            a_start, a_end = u.start, u.end
        elif related is not None:
            a_start, a_end = p, related.end()  # "…, đơn vị có liên quan khẩn trương …": the group ends there
        elif held is not None:
            a_start, a_end = p, held.end  # "giao Bộ trưởng Bộ Công an quy định …": the office holder
        elif _ACTOR_START.match(text, p):
            a_start, a_end = p, _actor_phrase_end(text, p)
        else:
            break
        if a_end <= a_start:
            break
        out.append((a_start, a_end, text[a_start:a_end].rstrip(" ,;")))
        link = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+").match(text, a_end)
        if not link:
            break
        nxt = link.end()
        if not (unit_at(text, nxt, bare_classes=True) or _ACTOR_START.match(text, nxt) or RELATED_MEMBER.match(text, nxt)):
            break
        pos = nxt
    return out


def loose_roles(clause: str) -> dict[str, list[str]] | None:
    """Roles a clause gives without naming a doer: partners ("phối hợp với X") and guiding
    bodies ("theo chỉ đạo của X", "trên cơ sở chỉ đạo của X")."""
    roles: dict[str, list[str]] = {}
    for m in _PARTNER.finditer(clause):
        # a unit list or the document's own actor terms, whichever reads further: "phối hợp với các
        # Cấp điều độ có quyền điều khiển, Đơn vị truyền tải điện" is not "các Cấp"
        units = unit_list_at(clause, m.end())
        terms = [UnitSpan(a, b, clause[a:b]) for a, b in term_list_at(clause, m.end())]
        spans = terms if terms and (not units or terms[-1].end > units[-1].end) else units
        if terms and spans is terms:
            # a list may go on from defined terms to units: "… với Cấp điều độ có quyền điều khiển
            # và các đơn vị liên quan khác"
            link = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+").match(clause, spans[-1].end)
            more = unit_list_at(clause, link.end()) if link else []
            spans = spans + more
        if not spans:
            # "phối hợp với khách hàng …": a class of actors by its head noun alone
            head = _PARTNER_CLASS.match(clause, m.end())
            spans = [UnitSpan(head.start(1), head.end(1), head.group(1))] if head else []
        add_unique(roles.setdefault("partner", []), named(spans, keep_generic=True))
    for m in _GUIDED_BY.finditer(clause):
        add_unique(roles.setdefault("guiding", []), named(unit_list_at(clause, m.end())))
    roles = {k: v for k, v in roles.items() if v}
    return roles or None


# Openers of an adverbial that may precede a subject; anything else before a comma may be part of
# the predicate ("Tổng hợp kết quả … của các đơn vị, UBND các xã …" names no subject).
_ADVERBIAL = re.compile(
    r"(?:Trong|Về|Đồng thời|Bên cạnh đó|Theo đó|Ngoài ra|Trên cơ sở|Căn cứ|Sau khi|Khi|Trường hợp|Để|Hằng năm|"
    r"Hàng năm|Định kỳ|Đối với|Trước ngày|Chậm nhất|Kể từ|Tại|Từ năm|Từ nay|Riêng|Mặt khác|Năm \d{4})\b")


def _subject_positions(clause: str) -> list[int]:
    """Where a clause's subject may start: after a bullet or number, and after an opening
    adverbial up to the first comma ("Trong thời gian 05 ngày …, Ủy ban nhân dân cấp huyện …")."""
    m = re.compile(r"^\s*(?:[-–—+•*·]\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s*|[a-zđ]\)\s*)?").match(clause)
    first = m.end() if m else 0
    out = [first]
    if _ADVERBIAL.match(clause, first):
        # the adverbial may hold commas of its own ("Hằng năm, căn cứ vào tỷ giá …, Bộ X ban hành")
        out.extend(m.end() for m in re.finditer(r",\s+", clause) if first < m.start() <= first + 300)
    return out


def clause_roles(clause: str, *, allow_led_by: bool = True, directives: tuple[str, ...] | None = None,
                  ) -> dict[str, list[str]] | None:
    """Every role a clause states, or None. A doer (lead or focal) comes from:

    - a directive and its object: "Giao Vụ Hợp tác quốc tế chủ trì …", "chỉ đạo các cơ sở giáo
      dục tổ chức …", "yêu cầu Thủ trưởng các đơn vị … căn cứ …";
    - a unit list as the subject: "Các sở, ban, ngành … căn cứ …", "Bộ Nội vụ sẽ thường xuyên …";
    - "… do X chủ trì" (when ``allow_led_by``).

    "X phối hợp với Y …" makes X the lead and Y a partner (X is the subject of the duty, as the
    golds count it); "X phối hợp thực hiện …" with no counterpart makes X a partner.
    """
    roles: dict[str, list[str]] = {r: [] for r in ROLES}
    for m in _DIRECTIVE.finditer(clause):
        if directives is not None and not m.group("verb").lower().startswith(directives):
            continue
        if re.match(r"\s*của\b", clause[m.end():]):
            continue  # "chỉ đạo của X" guides, it does not assign
        if _MODAL_BEFORE.search(clause, 0, m.start()) and not m.group("verb").lower().startswith(HANDING_OVER) \
                and modal_subject(clause) is not None:
            continue  # "X có trách nhiệm chỉ đạo Y …": directing is X's duty, read from the modal below
        if _ALTERNATIVE.search(clause, 0, m.start()):
            continue  # "X quyết định … hoặc giao Y quyết định …": X's duty, handing it on is X's option
        actors = _actor_list_at(clause, m.end())
        if not actors:
            continue
        after = clause[actors[-1][1]:]
        if not _PAST.match(after) and not directed_verb(after, actors[-1][2], m.group("verb")):
            actors = cut_at_proper_name(clause, actors, m.group("verb"))
            after = clause[actors[-1][1]:]
        if _PAST.match(after) or not directed_verb(after, actors[-1][2], m.group("verb")):
            continue
        # whoever a directive names does the duty, a class too ("yêu cầu các đơn vị có liên quan phản ánh …")
        names = named([a[2] for a in actors], keep_generic=True)
        if not names:
            continue
        if _FOCAL.match(after):
            add_unique(roles["focal"], names)
        if not _FOCAL.match(after) or _LEAD_WORD.match(after):
            add_unique(roles["lead"], names)  # "làm đầu mối" alone makes a focal unit, not a lead
        break
    if not roles["lead"]:
        for at in _subject_positions(clause):
            units = unit_list_at(clause, at)
            sure = False
            if not units:
                # a party the document defines: "Bên mua điện và Bên bán điện tiến hành ký kết …"
                units = [UnitSpan(a, b, clause[a:b]) for a, b in term_list_at(clause, at)]
                sure = True  # a defined term ends where its definition says
            if not units:
                continue
            after = clause[units[-1].end:]
            between = _SUBJECT_ASIDE.match(after)
            if between:
                after = after[between.end():]
            mandate = _MANDATE.match(after)
            if mandate:
                after = after[mandate.end():]
            verb = action_verb(after, units[-1].text, sure=sure)
            if verb is not None and verb.re is LOOSE_VERB and modal_subject(clause) is not None:
                # the words up to a duty modal are still the subject ("Khách hàng sử dụng điện
                # đấu nối vào cấp điện áp hạ áp có trách nhiệm …"): the modal reads it whole
                continue
            names = named(units)
            if not verb or not names or _PAST.match(after) or _ISSUING.match(after):
                continue
            if not sure and _modal_reads_on(clause, units[-1]):
                continue  # "Bộ, ngành quản lý hàng dự trữ quốc gia có trách nhiệm …": the modal reads it whole
            if verb.group("verb").lower() == "phối hợp" and not _JOINT_DUTY.match(after) \
                    and not (len(names) > 1 and _AMONG_THEMSELVES.match(after)) \
                    and not _PARTNER.match(after, verb.start("verb")):
                # "X phối hợp thực hiện …" with no counterpart: X helps whoever leads
                add_unique(roles["partner"], names)
            else:
                # "X phối hợp với Y thực hiện …": X is the subject of the duty and Y its partner
                if _FOCAL.match(after):
                    add_unique(roles["focal"], names)
                if not (_FOCAL.match(after) and not _LEAD_WORD.match(after)):
                    add_unique(roles["lead"], names)
            break
    if not roles["lead"] and not roles["focal"] and not roles["partner"]:
        holder = _office_holder_subject(clause)
        if holder:
            add_unique(roles["lead"], [holder])
    if not roles["lead"] and not roles["focal"] and not roles["partner"]:
        # "Khách hàng sử dụng lưới điện … có trách nhiệm …": a subject a duty modal closes
        found = modal_subject(clause)
        if found is not None:
            # a duty modal obliges whoever it names, a class of actors too ("tổ chức, cá nhân có trách nhiệm …")
            add_unique(roles["lead"], named(found[0], keep_generic=True))
    if not roles["lead"] and not roles["focal"] and allow_led_by:
        for m in _LED_BY.finditer(clause):
            units = unit_list_at(clause, m.end())
            if units and _LED_VERB.match(clause, units[-1].end):
                add_unique(roles["lead"], named(units))
    loose = loose_roles(clause) or {}
    doers = {unit_key(u) for u in roles["lead"] + roles["focal"]}
    loose["partner"] = [p for p in loose.get("partner", []) if unit_key(p) not in doers]
    merge_roles(roles, loose)
    return roles if any(roles.get(r) for r in ROLES) else None


def _modal_reads_on(clause: str, unit: UnitSpan) -> bool:
    """Does a duty modal close a longer subject than the class ``unit`` ("Bộ, ngành | quản lý hàng
    dự trữ quốc gia | có trách nhiệm …")? A class has no sure end, and a short qualifier (no
    comma, no "và") between it and the modal still names it; a proper name is left alone."""
    if closed_name(unit.text):
        return False
    found = modal_subject(clause)
    if found is None:
        return False
    between = clause[unit.end:found[1].start()]
    words = between.split()
    return 0 < len(words) <= 8 and not re.search(r"[,;()]|(?<![\wÀ-ỹ])(?:và|hoặc)(?![\wÀ-ỹ])", between) \
        and found[0][-1].endswith(between.strip())


# An office holder of a named body: "Bộ trưởng Bộ Công an", "Thống đốc Ngân hàng Nhà nước".
_OFFICE_HOLDER = re.compile(r"(?:Bộ trưởng|Thủ trưởng|Chủ tịch|Giám đốc|Tổng Giám đốc|Tổng giám đốc|Thống đốc|"
                            r"Chánh văn phòng|Chánh Văn phòng|Chánh Thanh tra|Trưởng ban|Cục trưởng|Vụ trưởng|"
                            r"Tổng cục trưởng|Viện trưởng)\s+(?=[A-ZĐÀ-Ỹ]|các\s)")


def _office_holder_subject(clause: str) -> str | None:
    """"Bộ trưởng Bộ Công an đôn đốc, kiểm tra …", "Thống đốc Ngân hàng Nhà nước quyết định …":
    the holder of a named body's office, followed by a present action, is the doer."""
    for at in _subject_positions(clause):
        m = _OFFICE_HOLDER.match(clause, at)
        if not m:
            continue
        unit = unit_at(clause, m.end())
        if unit is None:
            continue
        after = clause[unit.end:]
        mandate = _MANDATE.match(after)
        if mandate:
            after = after[mandate.end():]
        if ACTION_VERB.match(after) and not _PAST.match(after) and not _ISSUING.match(after):
            return clause[at:unit.end].strip()
    return None


_OPENING = re.compile(r"^\s*(?:[-–—+•*·]\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s*|[a-zđ]\)\s*)?")
_COOPERATES = re.compile(r"\s*(?:,\s*)?(?:sẽ\s+|tiếp tục\s+)?phối hợp\s+(?:chặt chẽ\s+)?(?:với|cùng)\s+", re.IGNORECASE)


def cooperating_subject(clause: str, heading_units: list[str]) -> list[str]:
    """Who does an item under a unit heading: the heading's units, unless the item opens with other
    named units that "phối hợp với Y" ("2. Các Bộ, cơ quan liên quan có trách nhiệm: a) Bộ Tài chính
    phối hợp với Bộ Công Thương thực hiện …"). Then those do it, Y are their partners, and they are
    no partners of themselves."""
    units = unit_list_at(clause, _OPENING.match(clause).end())
    if not units or not _COOPERATES.match(clause, units[-1].end):
        return heading_units
    subject = named(units)
    if not subject or {unit_key(u) for u in heading_units} & {unit_key(u) for u in subject}:
        return heading_units
    return subject


_DIRECTING = re.compile(r"\s+(?:chỉ đạo)\s+")


def directing_subject(clause: str) -> tuple[list[str], int] | None:
    """"Uỷ ban nhân dân cấp huyện chỉ đạo | ủy ban nhân dân cấp xã chủ trì …": the subject that
    directs (its names) and where the directed body starts. The directed body does the duty
    (:func:`clause_roles`); directing it is the subject's own duty."""
    for at in _subject_positions(clause):
        units = unit_list_at(clause, at)
        if not units:
            continue
        m = _DIRECTING.match(clause, units[-1].end)
        if not m or not unit_list_at(clause, m.end()):
            return None
        names = named(units)
        return (names, m.end()) if names else None
    return None


def has_doer(roles: dict[str, list[str]] | None) -> bool:
    return bool(roles and (roles.get("lead") or roles.get("focal")))


def paren_roles(sentence: str) -> tuple[dict[str, list[str]], str | None, int] | None:
    """Roles in a closing parenthesis: "Tổ chức hội nghị … (Sở Công Thương chủ trì; các sở, ngành
    phối hợp; thời gian: quý II/2022)". Returns (roles, deadline, where the parenthesis opens)."""
    for m in re.finditer(r"\(([^()]{6,300})\)", sentence):
        roles: dict[str, list[str]] = {r: [] for r in ROLES}
        deadline = None
        for part in re.split(r"\s*;\s*", m.group(1)):
            part = part.strip()
            if not part:
                continue
            key = re.match(r"(?:thời gian|thời hạn|tiến độ|hoàn thành)[^:]*:\s*(.+)$", part, re.IGNORECASE)
            if key:
                deadline = key.group(1).strip()
                continue
            # "X chủ trì, Y phối hợp": each unit list followed by its role word
            pos = 0
            while pos < len(part):
                units = unit_list_at(part, pos)
                if not units:
                    found = find_deadline(part[pos:])
                    if found and found[1] == 0:
                        deadline = found[0]
                    break
                after = part[units[-1].end:]
                role_word = re.match(r"\s*(chủ trì|thực hiện|phụ trách|triển khai|phối hợp|tham gia|làm đầu mối|đầu mối)\b",
                                     after, re.IGNORECASE)
                if not role_word:
                    break
                word = role_word.group(1).lower()
                names = named(units, keep_generic=True)
                if word in ("phối hợp", "tham gia"):
                    add_unique(roles["partner"], names)
                elif "đầu mối" in word:
                    add_unique(roles["focal"], names)
                else:
                    add_unique(roles["lead"], [n for n in names if not is_generic_unit(n)])
                nxt = re.compile(r"\s*,\s*").match(part, units[-1].end + role_word.end())
                if not nxt:
                    break
                pos = nxt.end()
        if roles["lead"] or roles["focal"]:
            return roles, deadline, m.start()
    return None


def report_segment(clause: str):
    """A reporting duty inside a clause: "… báo cáo … (gửi) về X (…) để tổng hợp, báo cáo Y".

    Returns (start, end, recipients X, onward) with onward = (start, end, Y) or None; None when
    the clause reports to no named unit ("báo cáo và đề xuất Lãnh đạo Bộ" stays in its duty).
    """
    for m in _REPORT.finditer(clause):
        r_start = m.start("r")
        for to in _REPORT_TO.finditer(clause, m.end("r")):
            if to.start() - m.end("r") > 160:
                break
            if re.search(r"[;.]", clause[m.end("r"):to.start()]):
                break
            units = unit_list_at(clause, to.end())
            recipients = named(units) if units else []
            if not recipients:
                continue
            rec_end = units[-1].end
            paren = re.compile(r"\s*\([^)]*\)").match(clause, rec_end)
            seg_end = paren.end() if paren else rec_end
            onward = None
            r_end = len(clause)
            if _ONWARD_START.match(clause, seg_end):
                up = _ONWARD.match(clause, seg_end)
                upward = named(unit_list_at(clause, up.end())) if up else []
                if upward:
                    ow = _ONWARD_START.match(clause, seg_end)
                    o_start = ow.start() + (len(ow.group(0)) - len(ow.group(0).lstrip()))
                    onward = (o_start, len(clause), upward)
                    r_end = seg_end
            return r_start, r_end, recipients, onward
    return None


_CLAUSE_END = re.compile(r"[;.\n]")
_SENT_TO = re.compile(r"(?<![\wÀ-ỹ])gửi\s+(?:về\s+|lên\s+|cho\s+|đến\s+|tới\s+)?", re.IGNORECASE)


def report_recipients(text: str) -> list[str]:
    """Who a duty reports to: "báo cáo UBND tỉnh và UBND huyện", "báo cáo … về Vụ Hợp tác quốc tế"."""
    out: list[str] = []
    for m in re.finditer(r"\bbáo cáo\b", text, re.IGNORECASE):
        to = re.compile(r"\s+(?:[^,;.()]{0,80}?\s)?(?:gửi\s+)?(?:về|lên|cho|với)\s+", re.IGNORECASE).match(text, m.end())
        direct = re.compile(r"(?:\s+và\s+đề xuất)?\s+", re.IGNORECASE).match(text, m.end())
        # "báo cáo … theo Biểu số 03 …, gửi Ủy ban nhân dân cấp tỉnh": sent on further in the clause
        clause_end = _CLAUSE_END.search(text, m.end())
        sent = _SENT_TO.search(text, m.end(), clause_end.start() if clause_end else len(text))
        for at in ([to.end()] if to else []) + ([direct.end()] if direct else []) + ([sent.end()] if sent else []):
            names = named(unit_list_at(text, at))
            if names:
                add_unique(out, names)
                break
    return out


def clauses(sentence: str) -> list[tuple[int, int]]:
    """";"-separated clauses (semicolons inside parentheses do not count)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    depth = 0
    for i, ch in enumerate(sentence):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            spans.append((pos, i))
            pos = i + 1
            while pos < len(sentence) and sentence[pos] == " ":
                pos += 1
    spans.append((pos, len(sentence)))
    spans = [(a, b) for a, b in spans if sentence[a:b].strip()]
    # "Các Bộ trưởng, …, Chủ tịch Ủy ban nhân dân các tỉnh; Thủ trưởng các cơ quan … có trách nhiệm
    # thi hành …": a clause that only names actors is the start of the next clause's subject
    # … and so does one before a clause whose subject list it continues ("Ủy ban nhân dân tỉnh, …;
    # Ủy ban nhân dân huyện, …; Ủy ban nhân dân xã, phường, thị trấn lập quy hoạch …")
    if len(spans) < 2:
        return spans
    bare = [_bare_actor_list(sentence[a:b]) for a, b in spans[:-1]] + [False]
    merged: list[tuple[int, int]] = []
    bare_run = False  # the last merged span is still only actors
    for (a, b), is_bare in zip(spans, bare):
        if merged and bare_run:
            joined = sentence[merged[-1][0]:b]
            if is_bare or modal_subject(joined) is not None or has_doer(clause_roles(joined)):
                merged[-1] = (merged[-1][0], b)
                bare_run = is_bare
                continue
        merged.append((a, b))
        bare_run = is_bare
    return merged


def _bare_actor_list(clause: str) -> bool:
    """Does a clause only name actors (no predicate of its own)?"""
    if len(clause.split()) > 3 * MAX_SUBJECT_WORDS or not starts_as_actor(_OPENING.sub("", clause)):
        return False  # cheap tests first: a list of actors is short and starts like one
    return clause_roles(clause) is None and modal_subject(clause.rstrip(" ,") + " có trách nhiệm thi hành") is not None
