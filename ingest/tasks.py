"""Who owns what: every task a plan assigns, with its lead, partner, focal and guiding units,
its deadline and whom it reports to, each pointing at the exact words that assign it.

Plans state ownership in a few shapes, all read from the parsed structure:

1. **Assignment lines.** An item (or, where an excerpt lost its sub-headings, each run of
   paragraphs inside it) is closed by "Đơn vị chủ trì: …", "Đơn vị phối hợp: …", "Đơn vị đầu mối:
   …", "Đơn vị định hướng thông tin: …", "Thời gian thực hiện: …" lines (several keys may share
   one line: "Cơ quan chủ trì: X; cơ quan phối hợp: Y; thời gian: Z"). One task per run.
2. **Unit-headed duties.** A heading or paragraph naming a unit ("1. Phòng Văn hoá và Thông tin
   huyện:", "8. Ủy ban nhân dân các tỉnh, thành phố", "- Sở Tư pháp: …", "2. Trạm … thực hiện
   các nhiệm vụ sau:", "Điều 30. Trách nhiệm của Bộ Công Thương") heads that unit's duties: each
   paragraph or sub-item below it, or the words after its colon, is one task it leads.
3. **Narrative sentences.** "Giao Vụ Hợp tác quốc tế chủ trì …", "chỉ đạo các cơ sở giáo dục tổ
   chức …", "Sở X chủ trì, phối hợp với Sở Y …", "… do VTV chủ trì", and roles in a closing
   parenthesis "(Sở X chủ trì; các sở, ngành phối hợp; thời gian: quý II/2022)". A reporting
   clause ("báo cáo … gửi về Sở X (trước ngày 10/11 hằng năm)") is a task of its own, and "để
   tổng hợp, báo cáo Y" after it is X's task.
4. **Task tables.** Rows under a header with a "chủ trì" column ("Nhiệm vụ | Cơ quan chủ trì |
   Cơ quan phối hợp | Thời gian hoàn thành").

Precision comes first: a unit is only ever a lead when the document puts it there in one of
these shapes; report recipients ("gửi về Sở …"), past events ("Sở X đã tổ chức …"), issuing
formulas ("Chính phủ ban hành Nghị định …"), aims ("Mục đích, yêu cầu") and vague groups ("các
cơ quan, đơn vị") are never leads.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields

from ingest.normalize import clean_text
from ingest.sentences import split_sentences
from ingest.structure import Item, Paragraph
from ingest.units import (
    CLASS_NOUNS,
    GROUP_NOUNS,
    canonical_unit,
    document_scope,
    is_generic_unit,
    is_unit,
    split_units,
    unit_at,
    unit_key,
    unit_list_at,
)

ROLES = ("lead", "partner", "focal", "guiding")
_TASK_CHARS = 220  # the "task" column: a readable summary, the quote holds the full words


@dataclass
class Task:
    task_id: str
    doc_id: str
    source: str
    section: str  # "II.1.3 Tuyên truyền trên hệ thống thông tin cơ sở"
    task: str  # what is to be done, in the document's words (shortened)
    lead_units: list[str] = field(default_factory=list)
    partner_units: list[str] = field(default_factory=list)
    focal_units: list[str] = field(default_factory=list)
    guiding_units: list[str] = field(default_factory=list)
    deadline: str | None = None
    report_to: list[str] = field(default_factory=list)  # recipients of a reporting duty
    page: int | None = None
    quote: str = ""  # == document text[char_start:char_end]: the words that assign the task
    char_start: int = 0
    char_end: int = 0
    scope: str | None = None  # whose units: "Quảng Ninh", "huyện Đông Sơn, Thanh Hóa", "Bộ Nội vụ"
    shape: str = ""  # lines, unit_heading, narrative
    # The whole task in the document (its content and its assignment), for matching and display.
    task_start: int = 0
    task_end: int = 0
    context: str = ""  # the heading that names the unit, for unit-headed duties
    doc_title: str = ""

    def units(self, role: str) -> list[str]:
        return getattr(self, f"{role}_units")

    def roles_of(self, unit_name: str) -> list[str]:
        from ingest.units import unit_matches

        return [r for r in ROLES if any(unit_matches(unit_name, u) for u in self.units(r))]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Task":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# --- deadlines ----------------------------------------------------------------------------------

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


def _deadline_value(value: str) -> str:
    """A "Thời gian thực hiện" line's value, as written (a "Tuyên truyền theo sự kiện" stays whole)."""
    return clean_text(value).strip().rstrip(".;")


# --- helpers ------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-–—+•*·]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\))\s*")


def _summary(text: str, limit: int = _TASK_CHARS) -> str:
    text = _BULLET.sub("", clean_text(text).replace("\n", " ")).strip()
    text = re.sub(r"^(?:để|và|đồng thời)\s+", "", text)  # a clause split off a sentence reads as a task
    text = text[:1].upper() + text[1:]
    text = text.rstrip(" .;:/")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + " …"


def _task_id(doc_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}:{start}:{end}:{text}".encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}:t{start}:{digest}"


def _add_unique(target: list[str], names: list[str]) -> None:
    keys = {unit_key(u) for u in target}
    for n in names:
        if n and unit_key(n) not in keys:
            target.append(n)
            keys.add(unit_key(n))


def _merge_roles(target: dict[str, list[str]], extra: dict[str, list[str]]) -> None:
    for role, names in extra.items():
        if names:
            _add_unique(target.setdefault(role, []), names)


def _named(spans, *, keep_generic: bool = False) -> list[str]:
    """Canonical names of unit spans (or strings); vague groups dropped unless asked."""
    out: list[str] = []
    for s in spans:
        text = s.text if hasattr(s, "text") else s
        if not keep_generic and is_generic_unit(text):
            continue
        _add_unique(out, [canonical_unit(text)])
    return out


# --- vocabulary -----------------------------------------------------------------------------------

# Action verbs: what a unit named as subject, or as object of a directive, goes on to do.
# "báo cáo viên", "tuyên truyền viên" are people, not verbs.
_ACTION_VERB = re.compile(
    r"\s*(?:,\s*)?(?:sẽ\s+|cần\s+|phải\s+|tiếp tục\s+|được giao\s+)*"
    r"(?P<verb>chủ trì|làm đầu mối|là đầu mối|làm cơ quan đầu mối|phụ trách|có trách nhiệm|chịu trách nhiệm|"
    r"căn cứ|triển khai|thực hiện|tổ chức|xây dựng|theo dõi|hướng dẫn|tham mưu|phối hợp|định kỳ|"
    r"thường xuyên|chủ động|rà soát|nghiên cứu|hoàn thành|hoàn thiện|cung cấp|tăng cường|đẩy mạnh|bố trí|cử|"
    r"ban hành|trình|báo cáo|đôn đốc|kiểm tra|giám sát|quản lý|duy trì|mở|đăng tải|tuyên truyền|bảo đảm|"
    r"đảm bảo|nắm bắt|nắm|tập trung|lồng ghép|biên soạn|sản xuất|phổ biến|tổng hợp|cập nhật|đề xuất|lựa chọn|"
    r"quán triệt|vận động|hỗ trợ|tham gia|khai thác|sử dụng|giới thiệu|quảng bá|xử lý|phát hiện|đấu tranh|"
    r"phát động|thiết kế|chia sẻ|tiếp nhận|nâng cao|kịp thời|tích cực|đăng|phát sóng|tiếp sóng|dành|"
    r"chỉ đạo|định hướng|lập|gửi|thẩm định|bảo vệ|chuẩn bị|tiến hành|đánh giá|thống kê|xây|phát hành)"
    r"(?![\wÀ-ỹ])(?!\s+viên\b)",
    re.IGNORECASE,
)
# "Giao X …", "chỉ đạo X …", "yêu cầu X …": the object of a directive is the doer.
_DIRECTIVE = re.compile(r"(?:(?<=^)|(?<=[\s,;:(]))(?P<verb>[Gg]iao(?:\s+cho)?|[Pp]hân công(?:\s+cho)?|[Yy]êu cầu|"
                        r"[Đđ]ề nghị|[Ủủ]y quyền(?:\s+cho)?|[Cc]hỉ đạo|[Đđ]ịnh hướng)\s+")
# Actors described in ordinary words: a plural of an actor noun, a staff, a portal's editors.
_ACTOR_NOUNS = sorted(set(GROUP_NOUNS + CLASS_NOUNS + [
    "phương tiện thông tin", "phóng viên", "báo cáo viên", "tuyên truyền viên", "cán bộ", "chủ đầu tư",
    "nhà trường", "hợp tác xã", "cơ quan", "chi bộ", "tổ chức đảng", "đảng viên", "nhà xuất bản", "tòa soạn",
]), key=len, reverse=True)
_ACTOR_START = re.compile(r"(?:[Cc]ác|[Nn]hững)\s+(?:" + "|".join(re.escape(n) for n in _ACTOR_NOUNS) + r")(?![\wÀ-ỹ])|"
                          r"[Đđ]ội ngũ\s|[Ll]ực lượng\s|[Cc]ổng [Tt]hông tin điện tử", re.IGNORECASE)
_PARTNER = re.compile(r"(?<!quy chế )(?<!cơ chế )(?:phối hợp|đ[ầấ]u mối)(?:\s+chặt chẽ)?(?:\s+thông tin)?\s+(?:với|cùng|giữa)\s+",
                      re.IGNORECASE)
_GUIDED_BY = re.compile(r"(?:theo|trên cơ sở|dưới)\s+(?:sự\s+)?(?:chỉ đạo|định hướng)(?:\s*(?:,|và)\s*"
                        r"(?:hướng dẫn|thông báo|định hướng|chỉ đạo))?\s+của\s+", re.IGNORECASE)
_LED_BY = re.compile(r"\bdo\s+")
# "do X chủ trì" only: "do X phụ trách" describes a portfolio more often than a task
_LED_VERB = re.compile(r"\s*chủ trì\b")
_PAST = re.compile(r"^\s*(?:,\s*)?(?:đã|vừa|từng|được\s+(?!giao))\b", re.IGNORECASE)
# "Chính phủ ban hành Nghị định …", "UBND tỉnh ban hành Kế hoạch …": the document issuing itself.
_ISSUING = re.compile(r"^\s*(?:đã\s+)?ban hành\s+(?:Nghị định|Thông tư|Quyết định|Chỉ thị|Kế hoạch|Nghị quyết|Luật|"
                      r"Công văn|Hướng dẫn|Quy chế|Quy định|Chương trình|văn bản)", re.IGNORECASE)
# "… trong phạm vi chức năng, nhiệm vụ (được giao), tăng cường …": the formula between subject and verb.
_MANDATE = re.compile(r"\s*,?\s*(?:trong phạm vi|theo|căn cứ|trên cơ sở)\s+(?:chức năng,?\s*nhiệm vụ(?:,?\s*quyền hạn)?"
                      r"(?:\s+(?:được giao|của mình|được phân công))?)\s*,?", re.IGNORECASE)
_FOCAL = re.compile(r"^\s*(?:,\s*)?(?:(?:chủ trì|phụ trách)\s*,?\s*)?(?:và\s+)?(?:làm|là)\s+(?:cơ quan\s+|đơn vị\s+)?đầu mối",
                    re.IGNORECASE)
_LEAD_WORD = re.compile(r"^\s*(?:,\s*)?(?:sẽ\s+|được giao\s+)?(?:chủ trì|phụ trách)\b", re.IGNORECASE)
_NOT_A_TASK = re.compile(r"^(?:Trên đây là|Nơi nhận)|như sau\s*:?\s*$", re.IGNORECASE)
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
_REPORT = re.compile(r"(?:(?<=^)|(?<=,\s)|(?<=;\s)|(?<=^-\s))\s*(?P<r>(?:[Đđ]ịnh kỳ\s+|[Hh]ằng năm\s+|[Hh]àng năm\s+)?"
                     r"[Bb]áo cáo)\b")
_REPORT_TO = re.compile(r"\b(?:gửi\s+)?(?:về|lên|cho|với)\s+")
_ONWARD = re.compile(r"\s*(?:\([^)]*\)\s*)?để\s+(?:\w+\s+)?tổng hợp\s*,?\s*(?:và\s+)?báo cáo\s+")
_ONWARD_START = re.compile(r"\s*để\s+(?:\w+\s+)?tổng hợp\b")
# The end of a sentence that announces a list of duties: "… các nhiệm vụ sau:", "… như sau:".
_ANNOUNCES_LIST = re.compile(r"(?:\b(?:sau|sau đây|như sau|gồm|bao gồm|cụ thể)|(?:nhiệm vụ|nội dung|công việc|"
                             r"hoạt động|giải pháp)[^:.;]{0,40})\s*:\s*$", re.IGNORECASE)
_GOAL_TITLES = re.compile(r"^(?:muc dich|yeu cau|muc tieu|quan diem|y nghia|can cu|vi du)\b")
_TABLE_COLUMNS = [
    ("lead", re.compile(r"chu tri|don vi thuc hien|co quan thuc hien|don vi thuc hien|don vi trien khai|phu trach")),
    ("partner", re.compile(r"phoi hop")),
    ("focal", re.compile(r"dau moi")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|hoan thanh")),
    ("task", re.compile(r"nhiem vu|noi dung|hoat dong|cong viec|ten (?:de an|du an|nhiem vu)|giai phap|de an")),
]


# --- finding roles --------------------------------------------------------------------------------

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
        if words >= 1 and _ACTION_VERB.match(text, token_at) and not text[end:token_at].strip(" "):
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
        if u is not None:
            a_start, a_end = u.start, u.end
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
        if not (unit_at(text, nxt, bare_classes=True) or _ACTOR_START.match(text, nxt)):
            break
        pos = nxt
    return out


def _loose_roles(clause: str) -> dict[str, list[str]] | None:
    """Roles a clause gives without naming a doer: partners ("phối hợp với X") and guiding
    bodies ("theo chỉ đạo của X", "trên cơ sở chỉ đạo của X")."""
    roles: dict[str, list[str]] = {}
    for m in _PARTNER.finditer(clause):
        _add_unique(roles.setdefault("partner", []), _named(unit_list_at(clause, m.end()), keep_generic=True))
    for m in _GUIDED_BY.finditer(clause):
        _add_unique(roles.setdefault("guiding", []), _named(unit_list_at(clause, m.end())))
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
    comma = clause.find(", ", first)
    if 0 < comma - first <= 150 and _ADVERBIAL.match(clause, first):
        out.append(comma + 2)
    return out


def _clause_roles(clause: str, *, allow_led_by: bool = True, directives: tuple[str, ...] | None = None,
                  ) -> dict[str, list[str]] | None:
    """Every role a clause states, or None. A doer (lead or focal) comes from:

    - a directive and its object: "Giao Vụ Hợp tác quốc tế chủ trì …", "chỉ đạo các cơ sở giáo
      dục tổ chức …", "yêu cầu Thủ trưởng các đơn vị … căn cứ …";
    - a unit list as the subject: "Các sở, ban, ngành … căn cứ …", "Bộ Nội vụ sẽ thường xuyên …";
    - "… do X chủ trì" (when ``allow_led_by``).

    "X phối hợp với Y …" makes X a partner, not a lead: the document does not say who leads.
    """
    roles: dict[str, list[str]] = {r: [] for r in ROLES}
    for m in _DIRECTIVE.finditer(clause):
        if directives is not None and not m.group("verb").lower().startswith(directives):
            continue
        if re.match(r"\s*của\b", clause[m.end():]):
            continue  # "chỉ đạo của X" guides, it does not assign
        actors = _actor_list_at(clause, m.end())
        if not actors:
            continue
        after = clause[actors[-1][1]:]
        if _PAST.match(after) or not _ACTION_VERB.match(after):
            continue
        names = _named([a[2] for a in actors])
        if not names:
            continue
        if _FOCAL.match(after):
            _add_unique(roles["focal"], names)
        if not _FOCAL.match(after) or _LEAD_WORD.match(after):
            _add_unique(roles["lead"], names)  # "làm đầu mối" alone makes a focal unit, not a lead
        break
    if not roles["lead"]:
        for at in _subject_positions(clause):
            units = unit_list_at(clause, at)
            if not units:
                continue
            after = clause[units[-1].end:]
            mandate = _MANDATE.match(after)
            if mandate:
                after = after[mandate.end():]
            verb = _ACTION_VERB.match(after)
            names = _named(units)
            if not verb or not names or _PAST.match(after) or _ISSUING.match(after):
                continue
            if verb.group("verb").lower() == "phối hợp":
                _add_unique(roles["partner"], names)
            else:
                if _FOCAL.match(after):
                    _add_unique(roles["focal"], names)
                if not (_FOCAL.match(after) and not _LEAD_WORD.match(after)):
                    _add_unique(roles["lead"], names)
            break
    if not roles["lead"] and not roles["focal"] and allow_led_by:
        for m in _LED_BY.finditer(clause):
            units = unit_list_at(clause, m.end())
            if units and _LED_VERB.match(clause, units[-1].end):
                _add_unique(roles["lead"], _named(units))
    loose = _loose_roles(clause) or {}
    doers = {unit_key(u) for u in roles["lead"] + roles["focal"]}
    loose["partner"] = [p for p in loose.get("partner", []) if unit_key(p) not in doers]
    _merge_roles(roles, loose)
    return roles if any(roles.get(r) for r in ROLES) else None


def _has_doer(roles: dict[str, list[str]] | None) -> bool:
    return bool(roles and (roles.get("lead") or roles.get("focal")))


def _paren_roles(sentence: str) -> tuple[dict[str, list[str]], str | None, int] | None:
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
                names = _named(units, keep_generic=True)
                if word in ("phối hợp", "tham gia"):
                    _add_unique(roles["partner"], names)
                elif "đầu mối" in word:
                    _add_unique(roles["focal"], names)
                else:
                    _add_unique(roles["lead"], [n for n in names if not is_generic_unit(n)])
                nxt = re.compile(r"\s*,\s*").match(part, units[-1].end + role_word.end())
                if not nxt:
                    break
                pos = nxt.end()
        if roles["lead"] or roles["focal"]:
            return roles, deadline, m.start()
    return None


def _report_segment(clause: str):
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
            recipients = _named(units) if units else []
            if not recipients:
                continue
            rec_end = units[-1].end
            paren = re.compile(r"\s*\([^)]*\)").match(clause, rec_end)
            seg_end = paren.end() if paren else rec_end
            onward = None
            r_end = len(clause)
            if _ONWARD_START.match(clause, seg_end):
                up = _ONWARD.match(clause, seg_end)
                upward = _named(unit_list_at(clause, up.end())) if up else []
                if upward:
                    ow = _ONWARD_START.match(clause, seg_end)
                    o_start = ow.start() + (len(ow.group(0)) - len(ow.group(0).lstrip()))
                    onward = (o_start, len(clause), upward)
                    r_end = seg_end
            return r_start, r_end, recipients, onward
    return None


def _report_recipients(text: str) -> list[str]:
    """Who a duty reports to: "báo cáo UBND tỉnh và UBND huyện", "báo cáo … về Vụ Hợp tác quốc tế"."""
    out: list[str] = []
    for m in re.finditer(r"\bbáo cáo\b", text, re.IGNORECASE):
        to = re.compile(r"\s+(?:[^,;.()]{0,80}?\s)?(?:gửi\s+)?(?:về|lên|cho|với)\s+", re.IGNORECASE).match(text, m.end())
        direct = re.compile(r"(?:\s+và\s+đề xuất)?\s+", re.IGNORECASE).match(text, m.end())
        for at in ([to.end()] if to else []) + ([direct.end()] if direct else []):
            names = _named(unit_list_at(text, at))
            if names:
                _add_unique(out, names)
                break
    return out


def _line_assignments(text: str) -> list[tuple[str, str]]:
    """(role, value) pairs of an assignment line, several keys per line allowed: "Cơ quan chủ trì:
    Sở X; cơ quan phối hợp: các sở, ngành; thời gian: năm 2022"."""
    body = _BULLET.sub("", text).strip()
    keys = list(_LINE_KEYS.finditer(body))
    out: list[tuple[str, str]] = []
    for i, m in enumerate(keys):
        value = body[m.end(): keys[i + 1].start() if i + 1 < len(keys) else len(body)].strip().rstrip(".;")
        role = _role_of_key(m.group("key"))
        if role and value:
            out.append((role, value))
    return out


def _role_of_key(key: str) -> str | None:
    from ingest.normalize import fold_accents

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


def _units_with_roles(value: str, role: str) -> dict[str, list[str]]:
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
        _add_unique(out[r], [name])
    return out


def _unit_heading(text: str, *, heading: bool = False) -> tuple[list[str], str, int] | None:
    """A unit heading its duties → (units, words after the colon, their offset), else None.

    "1. Phòng Văn hoá và Thông tin huyện:", "- Sở Tư pháp: chủ trì …", "2. Trạm … thực hiện các
    nhiệm vụ sau:", and for headings also "8. Ủy ban nhân dân các tỉnh, thành phố" (no colon) and
    "Điều 30. Trách nhiệm của Bộ Công Thương". Whatever precedes the colon must be the units
    (and a duty formula): "Nội dung triển khai:" or "Ngoài tỉnh và nước ngoài: …" are not.
    """
    m = _BULLET.match(text)
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
    units = _named(spans)
    if not units:
        return None
    if not cm:
        return units, "", len(text)
    return units, cm.group("rest").strip(), lead_at + cm.start("rest")


def _is_goal_section(item: Item) -> bool:
    from ingest.normalize import fold_accents

    return any(_GOAL_TITLES.match(fold_accents(title).lower().strip()) for _, _, title in item.path if title)


def _is_line(para: Paragraph) -> bool:
    return para.kind == "assignment" or bool(_EXTRA_LINE.match(para.text))


def _cells(text: str) -> list[str]:
    return [c.strip() for c in text.split(" | ")]


def _table_columns(text: str) -> dict[str, int] | None:
    """Column roles of a table header row ("STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp |
    Thời gian hoàn thành"), or None when the row is no such header."""
    from ingest.normalize import fold_accents

    cols: dict[str, int] = {}
    for i, cell in enumerate(_cells(text)):
        low = fold_accents(cell).lower()
        if len(low) > 60:
            return None
        for role, pattern in _TABLE_COLUMNS:
            if role not in cols and pattern.search(low):
                cols[role] = i
                break
    return cols if "lead" in cols and "task" in cols else None


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (ingest/sentences.py): never cut after a list number
    ("2. Các sở …"), an abbreviation ("TP. Hạ Long") or inside parentheses."""
    return split_sentences(text)


def _clauses(sentence: str) -> list[tuple[int, int]]:
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
    return [(a, b) for a, b in spans if sentence[a:b].strip()]


@dataclass
class _Draft:
    start: int
    end: int
    roles: dict[str, list[str]]
    report_to: list[str] = field(default_factory=list)
    kind: str = "main"  # main, report (a reporting duty split off), onward (the recipient's compilation)


# --- the extractor ------------------------------------------------------------------------------

class _Extractor:
    def __init__(self, doc):
        self.doc = doc
        self.text: str = doc.text
        self.scope = document_scope(doc.meta, doc.text)
        self.title = getattr(doc.meta, "title", "") or ""
        self.tasks: list[Task] = []

    def emit(self, *, item: Item, task: str, start: int, end: int, page: int | None, roles: dict[str, list[str]],
             deadline: str | None, shape: str, task_start: int | None = None, task_end: int | None = None,
             context: str = "", report_to: list[str] | None = None) -> None:
        if not any(roles.get(r) for r in ROLES):
            return
        quote = self.text[start:end]
        t = Task(
            task_id=_task_id(self.doc.doc_id, start, end, quote),
            doc_id=self.doc.doc_id, source=self.doc.source, section=item.label, task=_summary(task),
            deadline=deadline or None, page=page, quote=quote, char_start=start, char_end=end,
            scope=self.scope, shape=shape,
            task_start=min(start if task_start is None else task_start, start),
            task_end=max(end if task_end is None else task_end, end),
            context=context, doc_title=self.title, report_to=list(report_to or []),
        )
        for role in ROLES:
            _add_unique(t.units(role), roles.get(role, []))
        self.tasks.append(t)

    # -- shape 1: assignment lines --

    def lines(self, item: Item, paragraphs: list[Paragraph]) -> list[Paragraph]:
        """Tasks closed by assignment lines; returns the paragraphs no line closes."""
        segments: list[list[Paragraph]] = [[]]
        for para in paragraphs:
            prev = segments[-1][-1] if segments[-1] else None
            if prev is not None and _is_line(prev) and not _is_line(para):
                segments.append([])
            segments[-1].append(para)
        leftover: list[Paragraph] = []
        for i, seg in enumerate(segments):
            lines = [p for p in seg if _is_line(p)]
            content = [p for p in seg if not _is_line(p) and p.kind != "heading"]
            if not lines:
                leftover.extend(content)
                continue
            # "- Nội dung triển khai:" only labels what follows
            described = [p for p in content if not (p.text.rstrip().endswith(":") and len(p.text) < 60)] or content
            roles: dict[str, list[str]] = {r: [] for r in ROLES}
            deadline = None
            stated: set[str] = set()
            for para in lines:
                for role, value in _line_assignments(para.text):
                    stated.add(role)
                    if role == "deadline":
                        deadline = deadline or _deadline_value(value)
                    else:
                        _merge_roles(roles, _units_with_roles(value, role))
            # The block's own words may name partners or a guiding body the lines leave out.
            for para in content:
                loose = _loose_roles(para.text) or {}
                for role in ("partner", "guiding"):
                    if loose.get(role) and role not in stated:
                        _add_unique(roles[role], loose[role])
            first_line, last_line = lines[0], lines[-1]
            start, end = first_line.start, last_line.start + len(last_line.text)
            if i == 0 and item.title:
                task = item.title if not content or len(item.title) > 25 else f"{item.title}: {_summary(content[0].text, 150)}"
            elif described:
                task = described[0].text
            else:
                task = item.title or first_line.text
            body_start = seg[0].start
            self.emit(item=item, task=task, start=start, end=end, page=first_line.page, roles=roles,
                      deadline=deadline, shape="lines", task_start=body_start, task_end=end)
        return leftover

    # -- tables with role columns --

    def tables(self, item: Item) -> set[int]:
        """Rows of tables whose header names a lead column; returns the consumed paragraph starts."""
        used: set[int] = set()
        cols: dict[str, int] | None = None
        width = 0
        for para in item.paragraphs:
            if para.kind != "table_row":
                cols = None
                continue
            header = _table_columns(para.text)
            if header:
                cols, width = header, len(_cells(para.text))
                used.add(para.start)
                continue
            if cols is None:
                continue
            cells = _cells(para.text)
            if len(cells) != width:
                continue  # merged or empty cells: columns cannot be trusted
            used.add(para.start)
            task = cells[cols["task"]]
            roles = {r: [] for r in ROLES}
            _merge_roles(roles, _units_with_roles(cells[cols["lead"]], "lead"))
            for role in ("partner", "focal"):
                if role in cols:
                    _merge_roles(roles, _units_with_roles(cells[cols[role]], role))
            deadline = cells[cols["deadline"]] if "deadline" in cols else None
            self.emit(item=item, task=task, start=para.start, end=para.start + len(para.text), page=para.page,
                      roles=roles, deadline=deadline or None, shape="table")
        return used

    # -- shape 2: unit-headed duties --

    def duty(self, item: Item, units: list[str], text: str, start: int, page: int | None, context: str) -> None:
        body = text.strip()
        if len(body) < 12 or _NOT_A_TASK.search(body) or body.endswith(":"):
            return  # too short, a closing formula, or an intro whose bullets are the duties
        # A unit asked to direct others keeps the duty; one that hands it on ("giao …") does not.
        own = _clause_roles(body, allow_led_by=False, directives=("giao", "phân công", "ủy quyền"))
        if _has_doer(own):
            # "Giao Phòng X chủ trì …" under a unit: the sentence names its own doer
            self.narrative(item, text, start, page)
            return
        roles: dict[str, list[str]] = {"lead": list(units), "partner": [], "focal": [], "guiding": []}
        if own:
            lead_keys = {unit_key(u) for u in units}
            _add_unique(roles["partner"], [p for p in own.get("partner", []) if unit_key(p) not in lead_keys])
            _add_unique(roles["guiding"], own.get("guiding", []))
        found = find_deadline(body)
        end = start + len(text.rstrip())
        self.emit(item=item, task=body, start=start, end=end, page=page, roles=roles,
                  deadline=found[0] if found else None, shape="unit_heading", context=context,
                  report_to=_report_recipients(body))

    def body(self, item: Item, paragraphs: list[Paragraph], units: list[str] | None, context: str) -> None:
        """Body paragraphs: duties of ``units`` when given, else narrative; an inline "- Sở X: …"
        paragraph is that unit's duty, and a bare "- Sở X:" heads the deeper bullets after it."""
        para_units: list[str] | None = None
        para_marker = ""
        para_context = ""
        for para in paragraphs:
            if para.kind in ("heading", "assignment"):
                continue
            marker = (_BULLET.match(para.text).group(0).strip() if _BULLET.match(para.text) else "")
            inline = _unit_heading(para.text)
            if inline is not None:
                sub_units, rest, rest_at = inline
                if rest:
                    self.duty(item, sub_units, rest, para.start + rest_at, para.page, para.text[:rest_at].strip())
                    para_units = None
                else:
                    para_units, para_marker, para_context = sub_units, marker[:1], para.text
                continue
            if para_units is not None and marker[:1] == para_marker and marker:
                para_units = None  # a sibling bullet: the unit's list has ended
            if _ANNOUNCES_LIST.search(para.text):
                # "Giao Sở X thực hiện các nội dung sau:" — the doer of the bullets below
                last = _sentences(para.text)[-1]
                intro = _clause_roles(para.text[last[0]:last[1]].rstrip(" :"), allow_led_by=False)
                if _has_doer(intro):
                    para_units = intro.get("lead") or intro.get("focal")
                    para_marker, para_context = marker[:1], para.text
                    continue
            if para_units is not None:
                self.duty(item, para_units, para.text, para.start, para.page, para_context)
            elif units is not None:
                self.duty(item, units, para.text, para.start, para.page, context)
            elif not re.match(r"^\W*[Vv]í dụ\b", para.text):  # a worked example assigns nothing
                self.narrative(item, para.text, para.start, para.page)

    # -- shape 3: narrative sentences --

    def narrative(self, item: Item, text: str, base: int, page: int | None) -> None:
        if _NOT_A_TASK.search(text.strip()):
            return
        for s_start, s_end in _sentences(text):
            self.sentence(item, text[s_start:s_end], base + s_start, page)

    def sentence(self, item: Item, sentence: str, start: int, page: int | None) -> None:
        """One sentence: its ";" clauses share the subject of the first clause that names one;
        a reporting clause ("báo cáo … về X") is a task of its own, and "để tổng hợp, báo cáo Y"
        after it is X's task."""
        if sentence.rstrip().endswith(":"):
            return  # an introduction: what follows it is the content
        paren = _paren_roles(sentence)
        if paren is not None:
            roles, deadline, opens = paren
            quote = sentence.rstrip(" ;,.")
            found = find_deadline(sentence[:opens])
            self.emit(item=item, task=sentence[:opens], start=start, end=start + len(quote), page=page, roles=roles,
                      deadline=deadline or (found[0] if found else None), shape="narrative")
            return
        current: _Draft | None = None
        drafts: list[_Draft] = []
        for c_start, c_end in _clauses(sentence):
            clause = sentence[c_start:c_end]
            roles = _clause_roles(clause)
            report = _report_segment(clause)
            if _has_doer(roles) and (report is None or report[0] > 0):
                cut = report[0] if report else len(clause)
                current = _Draft(start + c_start, start + c_start + cut, roles)
                drafts.append(current)
            elif report is None:
                if current is not None:
                    current.end = start + c_end  # a further duty of the same subject
                    _merge_roles(current.roles, {k: v for k, v in (roles or {}).items() if k in ("partner", "guiding")})
                elif roles:
                    drafts.append(_Draft(start + c_start, start + c_end, roles))
                continue
            if report is not None:
                subject = current.roles if current is not None else (roles or {})
                r_start, r_end, recipients, onward = report
                leads = subject.get("lead") or subject.get("focal") or []
                if current is not None and current.end > start + c_start + r_start:
                    current.end = start + c_start + r_start
                if leads:
                    drafts.append(_Draft(start + c_start + r_start, start + c_start + r_end,
                                         {"lead": list(leads)}, report_to=recipients, kind="report"))
                if onward is not None:
                    o_start, o_end, upward = onward
                    drafts.append(_Draft(start + c_start + o_start, start + c_start + o_end,
                                         {"lead": list(recipients)}, report_to=upward, kind="onward"))
        for d in drafts:
            if not _has_doer(d.roles) and not d.roles.get("guiding"):
                # coordination alone: worth a row only when it names someone ("các cơ quan, đơn vị" does not)
                if not any(not is_generic_unit(p) for p in d.roles.get("partner", [])):
                    continue
            quote = self.text[d.start:d.end].rstrip(" ;,.")
            if len(quote) < 8:
                continue
            end = d.start + len(quote)
            if d.kind == "main" and len(_BULLET.sub("", quote).split()) < 4:
                continue  # only the subject is left once its report is split off
            found = find_deadline(quote)
            roles = {r: list(d.roles.get(r, [])) for r in ROLES}
            report_to = d.report_to or (_report_recipients(quote) if d.kind == "main" else [])
            self.emit(item=item, task=quote, start=d.start, end=end, page=page, roles=roles,
                      deadline=found[0] if found else None, shape="narrative", report_to=report_to)

    # -- driver --

    def run(self) -> list[Task]:
        items = [it for it in self.doc.structure.items if it.kind not in ("recipients", "signature")]
        # Unit-headed sections: path (as a tuple) → (units, heading text); their sub-items inherit.
        unit_heads: dict[tuple, tuple[list[str], str]] = {}
        for item in items:
            heading_para = item.paragraphs[0] if item.paragraphs and item.paragraphs[0].kind == "heading" else None
            used = self.tables(item) if any(p.kind == "table_row" for p in item.paragraphs) else set()
            paragraphs = [p for p in item.paragraphs if p.start not in used]
            body = [p for p in paragraphs if p.kind != "heading"]
            inherited = None
            for depth in range(len(item.path) - 1, 0, -1):
                key = tuple(item.path[:depth])
                if key in unit_heads:
                    inherited = unit_heads[key]
                    break
            # Shape 1 first: an item with assignment lines is decided by them.
            if any(_is_line(p) for p in paragraphs):
                for para in self.lines(item, paragraphs):
                    self.narrative(item, para.text, para.start, para.page)
                continue
            own = _unit_heading(heading_para.text, heading=True) if heading_para is not None else None
            if own is not None:
                units, rest, rest_at = own
                unit_heads[tuple(item.path)] = (units, heading_para.text)
                if rest:
                    self.duty(item, units, rest, heading_para.start + rest_at, heading_para.page, heading_para.text)
                self.body(item, body, units, heading_para.text)
                continue
            if inherited is not None:
                units, context = inherited
                if heading_para is not None:
                    # a sub-item under a unit: its heading is a duty
                    self.duty(item, units, heading_para.text, heading_para.start, heading_para.page, context)
                self.body(item, body, units, context)
                continue
            if _is_goal_section(item):
                continue  # aims and requirements ("Mục đích, yêu cầu") state no assignments of record
            if heading_para is not None and len(heading_para.text) > 60:
                self.narrative(item, heading_para.text, heading_para.start, heading_para.page)
            self.body(item, body, None, "")
        self.tasks.sort(key=lambda t: t.char_start)
        return self.tasks


def extract_tasks(doc) -> list[Task]:
    """Every task ``doc`` (a :class:`ingest.pipeline.ParsedDocument`) assigns to a named unit."""
    return _Extractor(doc).run()


def tasks_for_document(doc) -> list[dict]:
    """The tasks as JSON-ready dicts, for the ledger's per-document record (key ``tasks``)."""
    return [t.to_dict() for t in extract_tasks(doc)]
