"""The recogniser of unit mentions in running text: where "Giao Vụ Hợp tác quốc tế chủ trì …"
names a unit, and where that name ends.

Running text gives no clear end to a name ("Sở Du lịch quảng bá …", "Trạm Quản lý vận tải cửa
khẩu thực hiện …"): a name runs over capitalised words, known field names ("Kế hoạch và Đầu
tư") and a locality ("tỉnh", "huyện Đông Sơn", "các huyện, thị xã, thành phố"), and stops at a
function word or the first syllable of a verb. Plural groups ("các sở, ban, ngành") and lists
linked by commas or "và" are read as well (:func:`unit_list_at`, a sentence's subject or the
object of "giao").

>>> [u.name for u in find_units("Giao Vụ Hợp tác quốc tế chủ trì, làm đầu mối theo dõi")]
['Vụ Hợp tác quốc tế']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.lang.abbreviations import ABBREVIATIONS
from ingest.lang.normalize import canonical_tones
from ingest.localities import HEAD_AT, LOCALITY_SORTED, is_cap, locality_end, match_words, word_at
from ingest.unit_names import (
    CLASS_NOUNS,
    COMPLETE_HEADS,
    GROUP_RE,
    KNOWN_FIELDS,
    LOCALITY_WORDS,
    UNIT_ABBREVIATIONS,
    canonical_unit,
)

# --- vocabulary of running text -----------------------------------------------------------------

# Heads followed by a description in ordinary words: "Ban Chỉ đạo thông tin tuyên truyền ASEAN tỉnh".
DESCRIPTIVE_HEADS = ["Ban Chỉ đạo", "Ban chỉ đạo", "Ban Quản lý", "Ban quản lý", "Tổ công tác", "Hội đồng"]
_DESCRIPTION_STOPS = {
    "đã", "sẽ", "đang", "chủ", "phối", "yêu", "ban", "có", "là", "được", "làm", "để", "tại", "trong", "với",
    "cho", "của", "về", "theo", "thực", "triển", "tổ", "chịu", "căn", "và", "phải", "báo", "tham", "đề",
    "hướng", "chỉ", "giao", "xây", "kiểm", "đôn", "thường", "trên", "nhằm", "từ", "đến", "lập", "xem", "quyết",
    "cấp", "gửi", "trình", "họp", "ký", "nhận", "phê", "tiếp", "đánh", "kết",
}
# Members of set phrases that name one class: "các sở, ban, ngành", "các cơ quan, đơn vị, địa
# phương", "các huyện, thị xã, thành phố". A comma before any other noun starts a new class
# ("Các sở, ban, ngành, tổ chức chính trị - xã hội tỉnh" is two).
CONTINUING_GROUP_NOUNS = [
    "sở", "ban", "ngành", "bộ", "cơ quan", "đơn vị", "địa phương", "đoàn thể", "huyện", "thị xã",
    "thành phố", "xã", "phường", "thị trấn", "quận", "cấp", "hội", "phòng", "báo chí", "truyền thông",
    # the classes of the central government, as every decree lists them
    "cơ quan ngang bộ", "cơ quan thuộc Chính phủ", "cơ quan trực thuộc Chính phủ",
]
# Classes of administrative bodies a normative text lists without "các", often at the start of a
# sentence or after "giao": "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ …", "bộ, ngành, địa
# phương …". One such noun alone is an ordinary word ("Bộ" needs a name); two or more linked by
# commas (or a final "và") are one class, as the golds count it.
BARE_CLASS_NOUNS = [
    "cơ quan ngang bộ", "cơ quan thuộc Chính phủ", "cơ quan trực thuộc Chính phủ", "cơ quan", "bộ", "ngành",
    "sở", "ban", "đơn vị", "địa phương",
]

# What ends a name in running text: a function word, or the first syllable of a verb of the
# sentence ("Trạm Quản lý vận tải cửa khẩu thực hiện" ends before "thực hiện", not at "vận").
FUNCTION_WORDS = {
    "là", "có", "được", "để", "về", "tại", "trong", "với", "cho", "của", "đã", "sẽ", "đang", "phải", "cần",
    "theo", "từ", "đến", "tới", "trên", "dưới", "qua", "sau", "trước", "này", "đó", "ấy", "kia", "cùng",
    "và", "hay", "hoặc", "cũng", "đều", "vẫn", "còn", "chưa", "không", "các", "những", "mọi", "như", "nhưng",
    "mà", "thì", "khi", "nếu", "vì", "do", "bởi", "nhằm", "giao", "gồm", "bao",
}
VERB_STARTS = [
    "chủ trì", "phối hợp", "làm đầu mối", "thực hiện", "triển khai", "tổ chức", "xây dựng", "hướng dẫn",
    "theo dõi", "báo cáo", "tổng hợp", "căn cứ", "chịu trách nhiệm", "tham mưu", "đề xuất", "kiểm tra",
    "đôn đốc", "giám sát", "cung cấp", "chỉ đạo", "định hướng", "quản lý", "bảo đảm", "đảm bảo", "tăng cường",
    "đẩy mạnh", "nâng cao", "tiếp tục", "phát hành", "đăng tải", "mở", "duy trì", "lựa chọn", "sử dụng",
    "tập trung", "nắm bắt", "kịp thời", "chuẩn bị", "rà soát", "hoàn thành", "hoàn thiện", "nghiên cứu",
    "tuyên truyền", "quảng bá", "giới thiệu", "phổ biến", "vận động", "biên soạn", "sản xuất", "thu thập",
    "gửi", "trình", "phê duyệt", "thẩm định", "ký", "lập", "tiếp nhận", "ban hành", "yêu cầu", "đề nghị",
    "lồng ghép", "tích cực", "chủ động", "thường xuyên", "định kỳ", "dự kiến", "hỗ trợ", "tạo", "đánh giá",
    "cập nhật", "phục vụ", "nhận", "liên hệ", "kết nối", "tham gia", "khai thác", "xử lý", "phát hiện",
    "cấp", "thành lập", "giải quyết", "quyết định", "chấp thuận", "công bố", "thu hồi", "điều chỉnh",
    "cho phép", "xác nhận", "ra", "có", "đăng ký", "thông báo", "chịu", "giúp", "làm",
    "xem xét", "quy định", "ký kết", "tạo điều kiện", "lắp đặt", "vận hành", "thỏa thuận", "thoả thuận",
    "tính toán", "dự báo", "xác định", "tuân thủ", "chấp hành", "thi hành", "áp dụng", "trả lời",
]
STOP_WORDS = FUNCTION_WORDS  # kept for callers that want the plain set
_VERB_START_RE = re.compile(r"(?:" + "|".join(re.escape(v) for v in sorted(VERB_STARTS, key=len, reverse=True))
                            + r")(?![\wÀ-ỹ])", re.IGNORECASE)
VERB_START_RE = _VERB_START_RE  # for the sentence grammar: where a verb of the sentence starts
_LINKS_INSIDE_NAMES = {"và", ",", "-", "–"}
# After a dash, a role in apposition ends the name: "Bộ Thông tin và Truyền thông - Cơ quan thường trực".
_APPOSITION = re.compile(r"(?:Cơ quan|Đơn vị|Thường trực|Trưởng|Phó|Chủ tịch|Giám đốc)(?![\wÀ-ỹ])")


# --- recognising units in running text ----------------------------------------------------------

@dataclass
class UnitSpan:
    start: int
    end: int
    text: str  # as written
    name: str = field(default="")  # canonical

    def __post_init__(self) -> None:
        if not self.name:
            self.name = canonical_unit(self.text)


_TOKEN = re.compile(r"[\w&]+(?:[.\-/][\w&]+)*|[,;:()\-–—/]|\S")
_FIELDS_SORTED = sorted(KNOWN_FIELDS, key=len, reverse=True)
_CONTINUING_SORTED = sorted(CONTINUING_GROUP_NOUNS + LOCALITY_WORDS, key=len, reverse=True)
_CLASS_SORTED = sorted(CLASS_NOUNS, key=len, reverse=True)
_BARE_CLASS_SORTED = sorted(BARE_CLASS_NOUNS, key=len, reverse=True)
# What narrows a member of such a list without ending it: "cơ quan khác ở Trung ương".
_CLASS_TAILS = sorted(["khác", "ở trung ương", "ở Trung ương", "ở địa phương", "khác ở trung ương",
                       "khác ở Trung ương", "trung ương", "Trung ương"], key=len, reverse=True)
_GROUP_START = re.compile(GROUP_RE)
_COMPLETE_SORTED = sorted(COMPLETE_HEADS, key=len, reverse=True)


# The bodies whose members and organs are named after them: "Ban Tuyên giáo Tỉnh ủy", "Ủy ban
# thường vụ Quốc hội", "Văn phòng Chính phủ".
_PARENT_BODIES = ["Mặt trận Tổ quốc Việt Nam", "Mặt trận Tổ quốc", "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Trung ương",
                  "Đảng ủy", "Quốc hội", "Chính phủ"]


# An organ named after the body it belongs to: "Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam
# tỉnh", "Ban Chấp hành Hội Nông dân": the body's head after it is part of the name.
_ORGAN_OF = re.compile(r"(?<![\wÀ-ỹ])(?:Thường trực|Thường vụ|Chấp hành)$")


def _descriptor_to_parent(text: str, pos: int, most: int = 2) -> int | None:
    """"Ủy ban | thường vụ Quốc hội", "Ban | thường vụ Tỉnh ủy": up to ``most`` lower-case words
    after a head that lead straight to the parent body the organ belongs to; its end, or None.
    Only a parent body closes such a name: a lower-case word after a head is otherwise the rest
    of a common word ("Ban hành Kế hoạch")."""
    end = pos
    for _ in range(most):
        w = word_at(text, end)
        if not w or text[end:w[1]].strip() or is_cap(w[0]):
            return None
        if w[0].lower() in FUNCTION_WORDS or _VERB_START_RE.match(text, w[1]):
            return None
        end = w[2]
        parent = match_words(text, end, _PARENT_BODIES)
        if parent is not None:
            return parent
    return None


def _name_end(text: str, pos: int) -> int:
    """End of the words naming a unit after its head, in running text."""
    end = pos
    known = match_words(text, pos, _FIELDS_SORTED)
    # A known field is a whole name; only a linked capitalised word may extend it, never the
    # lower-case words after it ("Sở Kế hoạch và Đầu tư bố trí kinh phí").
    lower_run = 5 if known is not None else 0
    seen_cap = known is not None
    end = known if known is not None else pos
    if True:
        while True:
            w = word_at(text, end)
            if not w:
                break
            word, ws, we = w
            gap = text[end:ws]
            if gap.strip():
                # a link inside a name: "Văn hóa, Thể thao", "Lao động - Thương binh"
                if gap.strip() in _LINKS_INSIDE_NAMES and is_cap(word) and not HEAD_AT.match(text, ws) and seen_cap \
                        and not _APPOSITION.match(text, ws):
                    end = we
                    lower_run = 0
                    continue
                break
            if word == "và":
                nxt = word_at(text, we)
                if nxt and is_cap(nxt[0]) and not HEAD_AT.match(text, nxt[1]) and not text[we:nxt[1]].strip():
                    end = nxt[2]
                    lower_run = 0
                    continue
                break
            if is_cap(word):
                if HEAD_AT.match(text, ws) and seen_cap and not _ORGAN_OF.search(text, 0, end):
                    break  # a new unit starts (no link between): "Ban Tuyên giáo Tỉnh ủy" is handled below
                seen_cap = True
                end = we
                lower_run = 0
                continue
            if not seen_cap:
                break
            ahead = canonical_tones(text[ws:ws + 24])  # longer than any locality word, and cheap
            if any(ahead.startswith(l + " ") or ahead == l for l in LOCALITY_SORTED):
                break
            if word.lower() in FUNCTION_WORDS or _VERB_START_RE.match(text, ws) or lower_run >= 5:
                break
            if word.lower() in ("thuộc", "trực") and re.match(r"(?:trực\s+)?thuộc\s", text[ws:], re.IGNORECASE):
                break  # "Cục Đường bộ Việt Nam thuộc Bộ …": the parent body narrows the name, no word of it
            lower_run += 1
            end = we
    # Party committees close a name: "Ban Tuyên giáo Tỉnh ủy", "Ban Dân vận Huyện ủy".
    # … and the National Assembly: "Ủy ban Thường vụ Quốc hội", "Văn phòng Quốc hội"
    after = match_words(text, end, [b for b in _PARENT_BODIES if b != "Chính phủ"])
    if after is not None:
        end = after
    loc = locality_end(text, end)
    return loc if loc is not None else end


def _description_end(text: str, pos: int) -> int:
    """"Ban Chỉ đạo" + up to ten words of description, closed by a locality or a verb."""
    end = pos
    for _ in range(10):
        loc = locality_end(text, end)
        if loc is not None:
            return loc
        w = word_at(text, end)
        if w and w[0] == "và" and not text[end:w[1]].strip():
            nxt = word_at(text, w[2])
            if nxt and is_cap(nxt[0]) and not HEAD_AT.match(text, nxt[1]):
                end = nxt[2]
                continue
        # "Hội đồng tuyển dụng | không chịu …", "Chủ tịch Hội đồng tuyển dụng | thành lập Tổ …"
        if not w or text[end:w[1]].strip() or w[0].lower() in _DESCRIPTION_STOPS or w[0].lower() in FUNCTION_WORDS \
                or (w[0].lower() == "thành" and re.match(r"thành lập(?![\wÀ-ỹ])", text[w[1]:], re.IGNORECASE)):
            break
        if is_cap(w[0]) and HEAD_AT.match(text, w[1]) and end > pos:
            break
        end = w[2]
    return end


def _member_of_end(text: str, pos: int) -> int:
    """"các tổ chức thành viên | của Mặt trận": the body the members belong to, capitalised words
    after "của", is part of the group's name."""
    m = re.compile(r"\s+của\s+").match(text, pos)
    if not m:
        return pos
    end, lower = m.end(), 0
    while True:
        w = word_at(text, end)
        if not w or text[end:w[1]].strip():
            break
        if not is_cap(w[0]):
            # the second syllable of a capitalised word ("Mặt trận", "Tập đoàn"), never a verb
            if end == m.end() or lower or w[0] in FUNCTION_WORDS or _VERB_START_RE.match(text, w[1]):
                break
            lower += 1
        else:
            lower = 0
        end = w[2]
    return end if end > m.end() else pos


# Bodies whose name is unambiguous even in lower case (no common phrase starts like them).
_LOWER_COMPLETE = ["ủy ban nhân dân", "hội đồng nhân dân", "tòa án nhân dân tối cao", "tòa án nhân dân",
                   "viện kiểm sát nhân dân tối cao", "viện kiểm sát nhân dân"]


def _unit_at(text: str, pos: int) -> int | None:
    """End of a unit mention starting exactly at ``pos``, or None."""
    g = _GROUP_START.match(text, pos)
    plural = re.compile(r"[Cc]ác\s+").match(text, pos)
    if g and plural and match_words(text, plural.end(), _COMPLETE_SORTED) is not None:
        # "các Ủy ban nhân dân tỉnh, thành phố …": a complete head in the plural, named as one
        return _unit_at(text, plural.end())
    if g and (pos == 0 or not text[pos - 1].isalnum()):
        end = g.end()
        # "các sở, ban, ngành", "các cơ quan, đơn vị liên quan", "các xã, thị trấn"
        while True:
            # "các sở, ban ngành" has no second comma; "các bộ, ngành và địa phương" ends with "và"
            m = re.compile(r"\s*,\s*|\s+và\s+|\s+").match(text, end)
            if not m:
                break
            nxt = match_words(text, m.end(), _CONTINUING_SORTED, ignore_case=True)
            if nxt is None:
                break
            # "các sở, ban, ngành, tổ chức chính trị": "tổ chức" starts the next class
            if match_words(text, m.end(), _CLASS_SORTED) is not None:
                break
            end = nxt
            tail = match_words(text, end, _CLASS_TAILS)  # "các bộ, cơ quan khác ở Trung ương, …"
            end = tail if tail is not None else end
        tail = match_words(text, end, _CLASS_TAILS)  # "các sở, ban, ngành khác"
        end = tail if tail is not None else end
        loc = match_words(text, end, ["tỉnh", "huyện", "thành phố", "thị xã", "Trung ương", "trung ương"])
        end = loc if loc is not None else end
        # "các đoàn đại biểu Quốc hội", "các Ủy ban khác của Quốc hội": organs of a parent body
        parent = match_words(text, end, [f"của {b}" for b in _PARENT_BODIES] + _PARENT_BODIES)
        end = parent if parent is not None else end
        # "các tổ chức thành viên" (of a front or a federation named just before) is one group
        tail = match_words(text, end, ["có liên quan khác", "liên quan khác", "có liên quan", "liên quan",
                                        "thuộc, trực thuộc Bộ", "trực thuộc Bộ",
                                        "thuộc Bộ", "trong Bộ", "trực thuộc", "thuộc tỉnh", "thuộc huyện",
                                        "thành viên"])
        if tail is not None and text[end:tail].endswith("thành viên"):
            return _member_of_end(text, tail)  # "… thành viên của Mặt trận"
        return tail if tail is not None else end
    h = HEAD_AT.match(text, pos)
    if not h and (pos == 0 or not text[pos - 1].isalnum()):
        lower = match_words(text, pos, _LOWER_COMPLETE)
        if lower is not None:
            # "chỉ đạo ủy ban nhân dân cấp xã …": laws write the elected bodies in lower case
            loc = locality_end(text, lower)
            return loc if loc is not None else lower
    if not h or (pos > 0 and text[pos - 1].isalnum()):
        return None
    head = canonical_tones(h.group(0))
    if head in UNIT_ABBREVIATIONS:
        end = h.end()
        if head in ("UBND", "HĐND", "MTTQ"):
            loc = locality_end(text, end)
            return loc if loc is not None else end
        return end
    complete = match_words(text, pos, _COMPLETE_SORTED)
    if complete is None and text[pos].isupper():
        # "Kho bạc nhà nước", "Bộ đội biên phòng": a complete head written with lower-case words after its first
        complete = match_words(text, pos, _COMPLETE_SORTED, ignore_case=True)
    if complete is not None:
        end = complete
        nxt = word_at(text, end)
        if nxt and is_cap(nxt[0]) and not text[end:nxt[1]].strip() and not HEAD_AT.match(text, nxt[1]) \
                and head not in ("Ủy ban nhân dân", "Hội đồng nhân dân"):
            end = _name_end(text, end)
        else:
            loc = locality_end(text, end)
            end = loc if loc is not None else end
        return end
    described = match_words(text, pos, DESCRIPTIVE_HEADS)
    if described is not None:
        return _description_end(text, described)
    nxt = word_at(text, h.end())
    organ = _descriptor_to_parent(text, h.end())
    if organ is not None:
        return organ
    if not nxt or text[h.end():nxt[1]].strip() or not (is_cap(nxt[0]) or nxt[0] in ABBREVIATIONS):
        return None  # "Ban hành", "Báo cáo", "Hội nghị": a word, not a unit
    if nxt[0] in ABBREVIATIONS and not is_cap(nxt[0]):
        return None
    end = _name_end(text, h.end())
    # An abbreviated field ("Sở TT&TT") is a name by itself.
    return end if end > h.end() else None


def find_units(text: str) -> list[UnitSpan]:
    """Unit mentions in running text, left to right, non-overlapping."""
    spans: list[UnitSpan] = []
    pos = 0
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch.isalpha() and (pos == 0 or not text[pos - 1].isalnum()):
            end = _unit_at(text, pos)
            if end:
                mention = text[pos:end].rstrip(" ,;.-")
                if len(mention) > 2:
                    spans.append(UnitSpan(pos, pos + len(mention), mention))
                    pos = pos + len(mention)
                    continue
        pos += 1
    return spans


def _class_at(text: str, pos: int) -> int | None:
    """A class of actors without "các", as the next entry of a list: "tổ chức chính trị - xã hội tỉnh"."""
    end = match_words(text, pos, _CLASS_SORTED)
    if end is None:
        return None
    loc = match_words(text, end, ["tỉnh", "huyện", "thành phố", "thị xã", "Trung ương", "trung ương"])
    end = loc if loc is not None else end
    tail = match_words(text, end, ["có liên quan", "liên quan"])
    return tail if tail is not None else end


# A class noun, its qualifiers (up to five words) and a link to the next member.
_BARE_START = re.compile(r"(?:cơ quan|bộ|ngành|sở|ban|đơn vị|địa phương)(?:\s+[\wÀ-ỹ]+){0,5}?\s*(?:,|\s+và\s)",
                         re.IGNORECASE)
_IN_CLASS_LIST = re.compile(r"(?<![\wÀ-ỹ])(?:bộ|ngành|sở|ban|cơ quan|đơn vị|địa phương)\s*,\s*$", re.IGNORECASE)


def bare_class_list(text: str, pos: int) -> int | None:
    """End of a class list without "các" starting at ``pos``: "Bộ, cơ quan ngang bộ, cơ quan thuộc
    Chính phủ", "bộ, ngành, địa phương liên quan"; None unless two class nouns are linked."""
    if not _BARE_START.match(text, pos):
        return None  # the cheap test first: most positions start no class noun followed by a link
    if pos > 0 and text[pos - 1].isalnum() or _IN_CLASS_LIST.search(text, max(0, pos - 30), pos):
        return None  # "các Bộ, | ngành và địa phương": a member of a list that started before
    end = _class_member_end(text, pos)
    if end is None:
        return None
    count = 1
    while True:
        # "bộ, ngành và địa phương": a comma or "và" between members, not a bare space ("Bộ ngành" reads on)
        m = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+").match(text, end)
        if not m:
            break
        nxt = _class_member_end(text, m.end())
        if nxt is None:
            break
        end, count = nxt, count + 1
    if count < 2:
        return None
    loc = match_words(text, end, ["tỉnh", "thành phố"])
    end = loc if loc is not None else end
    tail = match_words(text, end, ["có liên quan", "liên quan"])
    return tail if tail is not None else end


# Words that begin with a class noun's syllable but are no class noun.
_NOT_A_CLASS = {"bộ phận", "bộ máy", "bộ luật", "ban hành", "ban đầu", "sở hữu", "ngành nghề", "đơn vị tính"}


def _class_member_end(text: str, pos: int) -> int | None:
    """One member of a bare class list, with what narrows it ("ngành trung ương", "cơ quan khác ở
    Trung ương", "cơ quan ngang Bộ"); a capitalised noun followed by a name is a named unit ("Ban
    Dân tộc"), not a member."""
    end = match_words(text, pos, _BARE_CLASS_SORTED, ignore_case=True)
    if end is None:
        return None
    nxt = word_at(text, end)
    if nxt and not text[end:nxt[1]].strip() and f"{text[pos:end]} {nxt[0]}".lower() in _NOT_A_CLASS:
        return None  # "bộ phận", "ban hành": a word of its own, not the class noun "bộ", "ban"
    if text[pos:pos + 1].isupper() and pos > 0 and nxt and is_cap(nxt[0]) and not text[end:nxt[1]].strip():
        return None
    tail = match_words(text, end, _CLASS_TAILS)
    return tail if tail is not None else end


def unit_at(text: str, pos: int, *, bare_classes: bool = False) -> UnitSpan | None:
    """The unit mention starting exactly at ``pos`` (after spaces), or None. ``bare_classes``
    also accepts a class noun without "các" (only right after a list comma)."""
    m = re.compile(r"\s*").match(text, pos)
    pos = m.end()
    end = _unit_at(text, pos) if pos < len(text) else None
    if not end and pos < len(text):
        end = bare_class_list(text, pos)
    if not end and bare_classes and pos < len(text):
        end = _class_at(text, pos)
    if not end:
        return None
    mention = text[pos:end].rstrip(" ,;.-")
    return UnitSpan(pos, pos + len(mention), mention) if len(mention) > 2 else None


_LIST_LINK = re.compile(r"\s*,\s*(?:và\s+|cùng\s+)?|\s+(?:và|cùng)\s+|\s*;\s*")


def unit_list_at(text: str, pos: int) -> list[UnitSpan]:
    """Consecutive units linked by commas or "và" starting at ``pos``: a sentence's subject or
    the object of "giao"."""
    out: list[UnitSpan] = []
    first = unit_at(text, pos)
    if not first:
        # "phối hợp với cơ quan liên quan …": a bare class noun that "(có) liên quan" makes a group
        at = re.compile(r"\s*").match(text, pos).end()
        g = RELATED_MEMBER.match(text, at)
        return [UnitSpan(at, g.end(), text[at:g.end()])] if g else out
    out.append(first)
    end = first.end
    while True:
        m = _LIST_LINK.match(text, end)
        if not m:
            break
        nxt = unit_at(text, m.end(), bare_classes=True)
        if not nxt:
            # "…, UBND các quận, huyện, thị xã, đơn vị có liên quan": a list may close on one
            # bare class noun that the words "(có) liên quan" make a group
            g = RELATED_MEMBER.match(text, m.end())
            if g:
                out.append(UnitSpan(m.end(), g.end(), text[m.end():g.end()]))
            break
        out.append(nxt)
        end = nxt.end
    return out


RELATED_MEMBER = re.compile(r"(?:các\s+)?(?:cơ quan|đơn vị|tổ chức|địa phương)\s+(?:có\s+)?liên quan(?:\s+khác)?(?![\wÀ-ỹ])")


# "Các Sở: Tư pháp, Thông tin và Truyền thông …": one head noun shared by the names after it.
_PLURAL_HEAD = re.compile(r"^(?:Các|các)\s+(Sở|Bộ|Ban|Phòng|Cục|Vụ|Trung tâm|Viện)\s*$")


def distributed_units(head: str, rest: str) -> list[str] | None:
    """The units a shared plural head names: ("Các Sở", "Tư pháp, Thông tin và Truyền thông chủ
    trì …") → ["Sở Tư pháp", "Sở Thông tin và Truyền thông"] (canonical names; the document's
    words stay in the quote)."""
    m = _PLURAL_HEAD.match(head.strip())
    if not m:
        return None
    noun = m.group(1)
    names: list[str] = []
    pos = 0
    while True:
        w = word_at(rest, pos)
        if not w or not is_cap(w[0]) or HEAD_AT.match(rest, w[1]):
            break
        unit = unit_at(noun + " " + rest[w[1]:], 0)
        if unit is None or unit.end <= len(noun) + 1:
            break
        end = w[1] + unit.end - len(noun) - 1
        names.append(canonical_unit(noun + " " + rest[w[1]:end]))
        link = re.compile(r"\s*,\s*(?:và\s+)?|\s+và\s+").match(rest, end)
        if not link:
            break
        pos = link.end()
    return names or None
