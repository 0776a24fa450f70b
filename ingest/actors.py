"""Who a normative sentence obliges: the subject of "X có trách nhiệm / chịu trách nhiệm / có
nhiệm vụ / phải …", read by the grammar of Vietnamese actor names rather than from a list.

Plans name departments ("Sở Nội vụ"), which :mod:`ingest.units` recognises by their head noun.
Decrees and circulars also oblige classes of actors that a document defines for itself ("Bên
bán điện", "Đơn vị phân phối điện", "Khách hàng sử dụng lưới điện phân phối có trạm điện
riêng", "công ty tài chính") and office holders ("Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ").
Their names have no clear end in running text, but a duty modal closes them: everything between
the clause's start (or the comma that ends an opening adverbial) and "có trách nhiệm" is the
subject, provided it starts with an actor's head noun and reads as a noun phrase (no "thì",
"nếu", "không", no passive "được"). A subject that lists several actors is split where a new
capitalised head follows a comma, "và" or "hoặc"; "Tổ chức, cá nhân đầu tư …" stays one.

>>> modal_subject("Trước ngày 15 tháng 11 hàng năm, Tập đoàn Điện lực Việt Nam có trách nhiệm xây dựng kế hoạch")[0]
['Tập đoàn Điện lực Việt Nam']
>>> modal_subject("Đơn vị phân phối điện hoặc Đơn vị phân phối và bán lẻ điện phải nêu rõ lý do")[0]
['Đơn vị phân phối điện', 'Đơn vị phân phối và bán lẻ điện']
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from ingest.lang.normalize import canonical_tones
from ingest.unit_names import continues_plural_group, is_unit
from ingest.units import bare_class_list

# Head nouns of actors that are not departments: parties, customers, enterprises, office holders.
# Matched case-insensitively at the start of a subject (optionally after "các", "mỗi" …).
ACTOR_HEADS = [
    "đơn vị", "tổ chức", "cá nhân", "cơ quan", "doanh nghiệp", "công ty", "tổng công ty", "tập đoàn",
    "khách hàng", "bên", "chủ đầu tư", "chủ sở hữu", "chủ dự án", "nhà đầu tư", "nhà thầu", "cấp điều độ",
    "thương nhân", "hộ gia đình", "ngân hàng", "tổ chức tín dụng", "chi nhánh", "hợp tác xã", "người đứng đầu",
    "đối tượng", "thành viên", "hội đồng", "tổ công tác", "ban quản lý", "chủ tịch", "thủ trưởng",
    "bộ trưởng", "giám đốc", "tổng giám đốc", "thống đốc", "chánh văn phòng", "chánh thanh tra",
    "vụ trưởng", "cục trưởng", "tổng cục trưởng", "trưởng ban", "trưởng phòng", "thủ tướng", "viện trưởng",
    "chánh án", "chủ nhiệm", "nhà trường", "văn phòng", "điều tra viên", "kiểm sát viên",
    "thẩm phán", "đơn vị điện lực", "bên mua", "bên bán", "người sử dụng", "người nộp thuế", "người lao động",
    "đơn vị sự nghiệp", "nhà cung cấp", "chủ hộ", "kho bạc",
    # persons named by what they do in a procedure ("Người ra quyết định thanh tra", "Trưởng đoàn
    # thanh tra", "người tiến hành thanh tra") and offices named by their function
    "người", "trưởng đoàn", "tổng thanh tra", "tổng kiểm toán", "thanh tra viên", "cơ sở",
    # bodies named by their mission, often with commas inside ("Ban chỉ đạo phòng, chống …")
    "ban chỉ đạo", "lực lượng",
    # public service bodies that laws name by what they serve ("Trạm y tế cấp xã", "Trung tâm hỗ trợ
    # phát triển giáo dục hòa nhập", "Bệnh viện", "Quỹ phòng, chống tác hại của thuốc lá")
    "trạm y tế", "trung tâm", "bệnh viện", "quỹ",
]
# "hai bên", "các bên", "bên đó" point back at parties named elsewhere: not a name.
_BACK_REFERENCE = re.compile(r"^(?:hai|các|mỗi|hai|cả hai)\s+bên\b|^bên\s+(?:đó|kia|này)\b", re.IGNORECASE)
# Persons named by office: a new entry of a list even without "các" ("…, Thủ trưởng cơ quan …").
_ACTOR_HEAD = re.compile(
    r"(?:(?:các|những|mỗi|từng|mọi)\s+)?(?:" + "|".join(re.escape(h) for h in sorted(ACTOR_HEADS, key=len, reverse=True))
    + r")(?![\wÀ-ỹ])", re.IGNORECASE)
# Duty modals: what the subject must do. "phải được" is passive (a requirement on a thing),
# "không phải" negates; "có trách nhiệm phối hợp" is still a duty of the subject.
# "người phải thi hành án", "người phải nộp" name a party: that "phải" is no modal. "chỉ", "còn"
# before a modal are adverbs of the predicate, not words of the subject.
# "phải đáp ứng các điều kiện", "phải có bằng đại học", "phải có đủ năng lực hành vi dân sự" state a
# qualification of an applicant or a person, not a duty.
_QUALIFICATION = (r"đáp ứng(?:\s+(?:đủ|đầy đủ|các|những))*\s+(?:điều kiện|tiêu chuẩn)|"
                  r"có\s+(?:đủ\s+)?(?:các\s+|những\s+)?(?:bằng|văn bằng|năng lực|trình độ|chứng chỉ|kinh nghiệm|"
                  r"điều kiện|tiêu chuẩn)")
_MODAL = re.compile(r"(?<![\wÀ-ỹ])(?:(?:đồng thời|cũng|sẽ|vẫn|chỉ|còn)\s+)?(?P<m>có trách nhiệm|chịu trách nhiệm|"
                    r"có (?:các |những )?(?:nhiệm vụ|nghĩa vụ)|(?<![Nn]gười )phải(?!\s+(?:được|là|chịu sự|có khả năng|" + _QUALIFICATION
                    + r")(?![\wÀ-ỹ])))(?![\wÀ-ỹ])", re.IGNORECASE)
_NOT_BEFORE_MODAL = re.compile(r"(?:không|chưa|không cần)\s*$", re.IGNORECASE)
# Words a noun phrase naming an actor does not hold: clause links, negation, aspect, passive.
_NOT_IN_SUBJECT = re.compile(r"(?<![\wÀ-ỹ])(?:thì|nếu|khi|mà|đã|đang|sẽ|bị|được(?! ủy quyền| giao)|không|chưa|"
                             r"trường hợp|đối với|sau khi|trước khi|trong đó|là|gồm|nhằm|nhưng)(?![\wÀ-ỹ])"
                             # the plan itself as an object ("Tổ chức công bố Kế hoạch này …" is a duty, not an
                             # organisation); an actor refers to its document only through "tại/theo … này"
                             r"|(?<!tại )(?<!theo )(?<!của )(?:Kế hoạch|Chương trình|Đề án|Quyết định|Chỉ thị) này(?![\wÀ-ỹ])",
                             re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–—+•*·]\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s*|[a-zđ]\)\s*)?")
# Where a list of actors divides: a comma, "và" or "hoặc" before a capitalised head; a long list
# may also go on after a semicolon ("…, Chủ tịch Ủy ban nhân dân các tỉnh; Thủ trưởng các cơ quan …").
_LIST_SEP = re.compile(r"\s*[,;]\s*(?:và\s+|hoặc\s+)?|\s+(?:và|hoặc)\s+")
_PARENS = re.compile(r"\s*\([^()]*\)")
# Office holders are persons, never part of a place list: "…, thành phố trực thuộc trung ương,
# người đứng đầu các đơn vị điện lực" starts a new entry even in lower case.
# A class written as a short list of lower-case heads: "bộ, ngành liên quan", "sở, ngành", "cơ quan, đơn vị".
CLASS_LIST = re.compile(r"(?:bộ|sở|ban|ngành|cơ quan|địa phương)\s*,\s*(?:bộ|sở|ban|ngành|cơ quan|đơn vị|địa phương)"
                         r"(?![\wÀ-ỹ])")
_OFFICE_HOLDER = re.compile(r"(?:người đứng đầu|thủ trưởng|chủ tịch|bộ trưởng|giám đốc|tổng giám đốc|thống đốc|"
                            r"chánh văn phòng|trưởng ban)(?![\wÀ-ỹ])")
_DELEGATE = re.compile(r"\s+(?:hoặc|và)\s+(?:đơn vị|tổ chức|người)\s+(?:thành viên\s+)?được\s+(?:ủy|uỷ)\s+quyền.*$",
                       re.IGNORECASE)
MAX_SUBJECT_WORDS = 30
_HEAD_BEFORE_COMMA = re.compile(r"(?<![\wÀ-ỹ])(?:" + "|".join(re.escape(h) for h in sorted(ACTOR_HEADS, key=len, reverse=True))
                                + r")\s*,\s*$", re.IGNORECASE)
# The formula of competence between a subject and its verb: "X trong phạm vi chức năng, nhiệm vụ
# được giao …", "X, trong phạm vi nhiệm vụ, quyền hạn của mình, …", "X trong phạm vi được phân
# công …", "X theo thẩm quyền …", "X trong phạm vi quản lý của mình …". It narrows nothing about
# who X is, so it is no part of the name.
MANDATE = re.compile(r"\s*,?\s*(?:trong phạm vi|theo|căn cứ|trên cơ sở)\s+(?:(?:(?:chức năng|nhiệm vụ|quyền hạn|"
                     r"thẩm quyền|quản lý)(?:\s*,\s*|\s+và\s+|\s+)?)+(?:(?:được giao|của mình|được phân công)(?:\s+quản lý)?)?|"
                     r"được (?:giao|phân công)(?:\s+quản lý)?)\s*,?", re.IGNORECASE)
_MANDATE_TAIL = re.compile(r"(?:" + MANDATE.pattern + r")\s*$", re.IGNORECASE)

# "Bộ Thông tin và Truyền thông Bộ Khoa học và Công nghệ": a cell that lost its comma.
_SAME_HEAD = re.compile(r"(?<=[\wÀ-ỹ])\s+(?=(?:Bộ|Sở)\s+\w)")


def starts_as_actor(text: str, *, class_list: bool = True) -> bool:
    """Does ``text`` open with an actor's head noun, a department's head or a plural group?"""
    text = text.lstrip()
    if not text or _BACK_REFERENCE.match(text):
        return False
    return bool(_ACTOR_HEAD.match(text)) or is_unit(text) and (text[:1].isupper() or text.lower().startswith("các ")) \
        or class_list and bare_class_list(text, 0) is not None  # "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"


def _capital_head(text: str) -> bool:
    """A new entry of an actor list: a capitalised head ("Đơn vị …", "Thủ trưởng …", "Sở …"); a
    class list's member ("Sở, Ban, ngành …") starts none."""
    text = text.lstrip()
    if not text[:1].isupper():
        return False
    return starts_as_actor(text, class_list=False)


# A class word before a proper name opens an entry of its own even in lower case.
_CLASS_OF_NAMED = re.compile(r"(?:lực lượng|cơ quan|đơn vị)\s+[A-ZĐÀ-Ỹ]")


# A locality's authority is named by its level, in lower case: "Ủy ban nhân dân các quận, huyện nơi
# có chung cư cũ và các cơ quan liên quan" is two entries as surely as after a proper name.
_LOCAL_AUTHORITY = re.compile(r"(?:Chủ tịch\s+)?(?:(?:Ủy|Uỷ) ban nhân dân|UBND|Hội đồng nhân dân|HĐND)(?![\wÀ-ỹ])")
_LOCAL_AUTHORITY_ANY_CASE = re.compile(_LOCAL_AUTHORITY.pattern, re.IGNORECASE)


def _has_proper_part(name: str) -> bool:
    """"lực lượng Kiểm soát quân sự", "Bộ Tài chính": a capitalised word after the first."""
    return any(w[:1].isupper() for w in name.split()[1:])


def split_actors(np: str, *, cell: bool = False) -> list[str]:
    """"Đơn vị phân phối điện và Khách hàng …" → two; "Tổ chức, cá nhân đầu tư …" → one.

    In a table cell or after a label (``cell``), where everything is a unit, a lower-case head
    also starts a new entry after "và"/"hoặc", or after a comma that closes a name of three
    words or more ("Đơn vị phân phối điện, cấp điều độ có quyền điều khiển"), and a department
    written right after another of the same kind without a comma ("Bộ X Bộ Y") is split."""
    parts: list[str] = []
    start = 0
    for m in _LIST_SEP.finditer(np):
        if m.start() <= start:
            continue
        rest = np[m.end():]
        new = _capital_head(rest) or bool(_OFFICE_HOLDER.match(rest))
        left = np[start:m.start()]
        if not new and cell and "," in m.group(0) and CLASS_LIST.match(rest) and _named_unit(left):
            new = True  # "Bộ Tài chính, bộ, ngành liên quan": a named unit, then a class of them
        if not new and _CLASS_OF_NAMED.match(rest):
            new = True  # "Lực lượng Cảnh sát nhân dân, lực lượng Kiểm soát quân sự": a class word before a name
        if not new and rest.startswith("các ") and (starts_as_actor(rest) or cell and "," in m.group(0)) \
                and (_has_proper_part(left) or _LOCAL_AUTHORITY.match(left)):
            new = True  # "…, lực lượng Kiểm soát quân sự và các cơ quan bảo vệ pháp luật": a named body, then a group
        if (not new and cell and starts_as_actor(rest) and not rest.lower().startswith(("cá nhân", "các "))
                and not continues_plural_group(left, m.group(0), rest)):
            new = "," not in m.group(0) or len(np[start:m.start()].split()) >= 3
        if not new and ";" in m.group(0) and starts_as_actor(rest):
            new = True  # "Cơ quan nhà nước khác ở Trung ương; tổ chức chính trị …": a semicolon ends an entry
        if not new and "," in m.group(0) and _LOCAL_AUTHORITY_ANY_CASE.match(rest) and len(left.split()) >= 3:
            new = True  # "Các Bộ, cơ quan ngang Bộ, …, ủy ban nhân dân các tỉnh": older texts write it low
        if new:
            parts.append(np[start:m.start()])
            start = m.end()
    parts.append(np[start:])
    if cell:
        parts = [q for p in parts for q in (_split_same_head(p) if re.match(r"(?:Bộ|Sở)\s", p) else [p])]
    out = []
    for p in parts:
        p = _DELEGATE.sub("", p).strip(" ,;")
        parent = _PARENT_AFTER.search(p)
        if parent and _named_unit(p[:parent.start()]):
            p = p[:parent.start()]  # "Cục Đường bộ Việt Nam thuộc Bộ Giao thông vận tải": the parent only narrows it
        if p[:1].islower() and _LOCAL_AUTHORITY_ANY_CASE.match(p):
            p = p[:1].upper() + p[1:]  # a unit's name starts with a capital, as other names here do
        if p:
            out.append(p)
    return out


# A named unit's parent body after it; "cơ quan thuộc Chính phủ" (a class) keeps it.
_PARENT_AFTER = re.compile(r"\s+(?:trực\s+)?thuộc\s+(?=[A-ZĐ])(?![Tt]rung ương)")


def _named_unit(text: str) -> bool:
    """A unit with a proper name ("Bộ Tài chính"), not a class ("Các bộ", "cơ quan")."""
    words = text.split()
    return len(words) >= 2 and words[0][:1].isupper() and words[0].lower() not in ("các", "những") \
        and any(w[:1].isupper() for w in words[1:])


def _split_same_head(text: str) -> list[str]:
    out, start = [], 0
    for m in _SAME_HEAD.finditer(text):
        name = text[m.end():].split(None, 2)
        if len(name) >= 2 and name[1][:1].isupper() and len(text[start:m.start()].split()) >= 2:
            out.append(text[start:m.start()])
            start = m.end()
    return out + [text[start:]]


def _valid_subject(np: str) -> bool:
    words = np.split()
    if not words or len(words) > 2 * MAX_SUBJECT_WORDS or ":" in np:
        return False
    if any(not (_capital_head(np[m.end():]) or starts_as_actor(np[m.end():])) for m in re.finditer(r";\s*", np)):
        return False  # a semicolon ends a clause unless a list of actors goes on after it
    if not starts_as_actor(np):
        return False
    return not _NOT_IN_SUBJECT.search(_PARENS.sub("", np))


def _between_parties(before: str) -> bool:
    """Is the comma at the end of ``before`` inside "giữa A, B và C" (parties of an exchange)?"""
    m = re.search(r"(?<![\wÀ-ỹ])giữa\s+([^,;]*)(?:,[^,;]*)*,\s*$", before)
    return bool(m) and starts_as_actor(m.group(1))


# A condition between a subject and its modal: "Mọi tổ chức, cá nhân | khi phát hiện sự cố | phải …".
_WHEN_ASIDE = re.compile(r",?\s+(?:khi|trong khi|lúc)\s+[a-zà-ỹđ]")
# A head noun alone before "có/chịu trách nhiệm" is a noun phrase ("Người có trách nhiệm nuôi dưỡng …").
_BARE_HEAD = re.compile(r"(?:[Nn]gười|[Cc]ơ quan|[Đđ]ơn vị|[Tt]ổ chức|[Cc]á nhân|[Bb]ên)")
_SUBJECT_AFTER = re.compile(r",\s*|(?<![\wÀ-ỹ])thì\s+|(?<![\wÀ-ỹ])này\s+(?=[A-ZĐ])")
# A condition opening a clause: a modal inside it, before its comma, is not the main clause's.
_CONDITION = re.compile(r"(?:Trường hợp|Trong trường hợp|Khi|Nếu|Sau khi)(?![\wÀ-ỹ])")


# "X có cam kết về việc (sẽ) chịu trách nhiệm …": the modal is in a complement clause whose
# subject is X's own.
_COMPLEMENT = re.compile(r"\s+có\s+(?:[\wÀ-ỹ]+\s+){1,3}?(?:về việc|rằng)$", re.IGNORECASE)


def modal_subject(clause: str) -> tuple[list[str], re.Match] | None:
    """The actors a clause obliges ("X có trách nhiệm …", "X phải …") and the modal's match.

    The subject starts at the clause's start or right after one of its commas (an opening
    adverbial: "Trước ngày 15 hằng năm, X …", "Trường hợp …, khách hàng …"), earliest first."""
    for m in _MODAL.finditer(clause):
        if _NOT_BEFORE_MODAL.search(clause[:m.start()]):
            continue
        head = clause[:m.start()]
        first = _BULLET.match(head).end()
        # … or after "thì", where a condition hands over to its main clause ("Trường hợp …
        # thì Đơn vị phân phối điện phải …")
        # … or after a cross-reference that ends an adverbial without its comma ("ngoài các nội dung
        # quy định tại Điểm a Khoản này Đơn vị phát điện phải …"), before a capitalised subject
        starts = sorted({first} | {c.end() for c in _SUBJECT_AFTER.finditer(head) if c.start() > first})
        for s in starts:
            if s != first and (_HEAD_BEFORE_COMMA.search(head, 0, s) or _between_parties(head[first:s])):
                continue  # "các tổ chức, cá nhân …", "giữa Đơn vị X, Khách hàng Y …": a list's comma
            np = head[s:].strip()
            np_core = _PARENS.sub("", np).strip(" ,")
            if any(w in np_core for w in ("phạm vi", "theo", "căn cứ", "cơ sở")):  # cheap test before the search
                np_core = _MANDATE_TAIL.sub("", np_core).strip(" ,")
            when = _WHEN_ASIDE.search(np_core) or _COMPLEMENT.search(np_core)
            if when and starts_as_actor(np_core[:when.start()]):
                # "Mọi tổ chức, cá nhân khi phát hiện … phải báo ngay …", "bên mua hàng có cam kết về
                # việc sẽ chịu trách nhiệm …": the actor before the aside or the complement clause
                np_core = np_core[:when.start()]
            if not _valid_subject(np_core):
                continue
            names = split_actors(np_core)
            if s == first and len(names) == 1 and _BARE_HEAD.fullmatch(names[0]):
                break  # "Người chịu trách nhiệm tại điểm bán … phải …": the modal names the person
            if names and all(starts_as_actor(n) and len(n.split()) <= MAX_SUBJECT_WORDS for n in names):
                return names, m
        else:
            if _CONDITION.match(clause, first) and not re.search(r",|(?<![\wÀ-ỹ])thì(?![\wÀ-ỹ])", head[first:]):
                continue  # "Trường hợp … dẫn đến phải thay đổi …, X có trách nhiệm …": inside the condition
            return None  # the first modal decides: a later one belongs to a subordinate clause
        continue  # a bare head before the modal: the next modal is the clause's
    return None


def defined_actor_terms(text: str) -> list[str]:
    """Actor names a document defines ("2. Bên bán điện là tổ chức, cá nhân …", "(sau đây gọi
    tắt là Công ty Điện lực tỉnh)"), longest first, for finding them after an active verb."""
    terms: set[str] = set()
    for m in re.finditer(r"(?m)^\s*(?:\d{1,2}[.)]|[a-zđ]\))\s+(?P<term>[^\n.;:()]{3,90}?)\s+là\s+(?P<def>[^\n]{0,60})", text):
        term, definition = m.group("term").strip(), m.group("def")
        if starts_as_actor(term) and starts_as_actor(definition) and term[:1].isupper():
            terms.add(canonical_tones(term))
    for m in re.finditer(r"\((?:sau đây\s+)?(?:gọi chung là|gọi tắt là|gọi là|viết tắt là)\s+([^()]{3,80})\)", text):
        term = m.group(1).strip(" .,")
        if starts_as_actor(term):
            terms.add(canonical_tones(term))
    return sorted(terms, key=len, reverse=True)


# The defined actor terms of the document being read (set by the extractor for one document).
_TERMS: ContextVar[tuple[str, ...]] = ContextVar("actor_terms", default=())


@contextmanager
def document_terms(terms: list[str]):
    """Make a document's defined actor terms (:func:`defined_actor_terms`) known while its
    sentences are read."""
    token = _TERMS.set(tuple(terms))
    try:
        yield
    finally:
        _TERMS.reset(token)


_TERM_TAIL = re.compile(r"\s+(?:khác|có liên quan|liên quan)(?![\wÀ-ỹ])")


def term_at(text: str, pos: int) -> tuple[int, int] | None:
    """A defined actor term starting at ``pos`` (after spaces; "các" allowed before it), as
    (start, end); "khác", "liên quan" after it belong to it ("Đơn vị phân phối điện khác")."""
    terms = _TERMS.get()
    if not terms:
        return None
    start = re.compile(r"\s*").match(text, pos).end()
    plural = re.compile(r"(?:các|những)\s+", re.IGNORECASE).match(text, start)
    at = plural.end() if plural else start
    window = canonical_tones(text[at:at + 120]).lower()
    for term in terms:
        t = term.lower()
        if window.startswith(t) and (len(window) == len(t) or not window[len(t)].isalnum()):
            end = at + len(t)
            tail = _TERM_TAIL.match(text, end)
            return start, tail.end() if tail else end
    return None


def term_list_at(text: str, pos: int) -> list[tuple[int, int]]:
    """Defined terms linked by commas, "và", "hoặc": "Bên mua điện và Bên bán điện"."""
    out: list[tuple[int, int]] = []
    first = term_at(text, pos)
    while first:
        out.append(first)
        link = re.compile(r"\s*,\s*(?:và\s+|hoặc\s+)?|\s+(?:và|hoặc)\s+").match(text, first[1])
        if not link:
            break
        first = term_at(text, link.end())
    return out
