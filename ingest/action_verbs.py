"""Action verbs: what a unit named as a sentence's subject, or as the object of a directive
("giao X …", "yêu cầu X …"), goes on to do, and where such a name ends when the verb after it is
one the list does not know. :mod:`ingest.assignment_sentences` reads roles with them.
"""
from __future__ import annotations

import re

from ingest.unit_names import LOCALITY_WORDS
from ingest.units import FUNCTION_WORDS, VERB_START_RE

# Action verbs: what a unit named as subject, or as object of a directive, goes on to do.
# "báo cáo viên", "tuyên truyền viên" are people, not verbs.
ACTION_VERB = re.compile(
    r"\s*(?:,\s*)?(?:sẽ\s+|cần\s+|phải\s+|tiếp tục\s+|được giao\s+)*"
    r"(?P<verb>chủ trì|làm đầu mối|là đầu mối|là cơ quan (?:chủ trì|tổng hợp|thường trực)|làm cơ quan đầu mối|phụ trách|có trách nhiệm|chịu trách nhiệm|"
    r"căn cứ|triển khai|thực hiện|tổ chức|xây dựng|theo dõi|hướng dẫn|tham mưu|phối hợp|định kỳ|"
    r"thường xuyên|chủ động|rà soát|nghiên cứu|hoàn thành|hoàn thiện|cung cấp|tăng cường|đẩy mạnh|bố trí|cử|"
    r"ban hành|trình|báo cáo|đôn đốc|kiểm tra|giám sát|quản lý|duy trì|mở|đăng tải|tuyên truyền|bảo đảm|"
    r"đảm bảo|nắm bắt|nắm|tập trung|lồng ghép|biên soạn|sản xuất|phổ biến|tổng hợp|cập nhật|đề xuất|lựa chọn|"
    r"quán triệt|vận động|hỗ trợ|tham gia|khai thác|sử dụng|giới thiệu|quảng bá|xử lý|phát hiện|đấu tranh|"
    r"phát động|thiết kế|chia sẻ|tiếp nhận|nâng cao|kịp thời|tích cực|đăng|phát sóng|tiếp sóng|dành|"
    r"chỉ đạo|định hướng|lập|gửi|thẩm định|bảo vệ|chuẩn bị|tiến hành|đánh giá|thống kê|xây|phát hành|"
    # what normative texts oblige a named body to do
    r"quy định|phê duyệt|thông báo|ký kết|tạo điều kiện|công bố|lắp đặt|đầu tư|vận hành|thu hồi|"
    r"điều chỉnh|thỏa thuận|thoả thuận|chấp thuận|quyết định|giải quyết|thanh toán|tính toán|dự báo|xác định|"
    r"công khai|tuân thủ|chấp hành|thi hành|lưu trữ|xem xét|ký|cấp|mua|bán|trả lời|thực thi|áp dụng|"
    r"phản ánh|nộp|kê khai|tiếp nhận|chuyển|bổ sung|xác nhận|đăng ký|bàn giao|lưu giữ|khắc phục|phê chuẩn|"
    # verbs of programmes and budgets; "tiếp tục" alone when what it continues is a verb the list lacks
    r"thành lập|kiện toàn|cân đối|huy động|phân bổ|sửa đổi|ưu tiên|củng cố|xét duyệt|thẩm tra|soạn thảo|tiếp tục|"
    # the formula of every law's article on state management: "Chính phủ thống nhất quản lý nhà nước về …"
    r"thống nhất quản lý)"
    r"(?![\wÀ-ỹ])(?!\s+viên\b)",
    re.IGNORECASE,
)
# A verb the list above does not know, then one it does: "Tập đoàn … thuê tư vấn độc lập …", "yêu
# cầu X sửa đổi, bổ sung …". Up to four lower-case words, none a function word nor a verb that
# needs an object of its own ("X yêu cầu duy trì …" asks, it does not do), lead to a listed verb.
LOOSE_VERB = re.compile(r"\s*(?P<skip>(?:[a-zà-ỹđ]+,?\s+){1,4}?)(?:" + ACTION_VERB.pattern + ")", re.IGNORECASE)


def action_verb(after: str, actor: str = "", *, sure: bool = False) -> re.Match | None:
    """The action verb that opens ``after`` (after a subject or a directive's object ``actor``),
    if any. Unknown verbs are read only after a proper name ("Tập đoàn Điện lực Việt Nam"), whose
    end is sure; after a group ("các cấp điều độ phải …", "các đơn vị thành viên thực hiện …") the
    words are still the name. Duty modals are left to :func:`modal_subject`, which reads the whole
    subject."""
    verb = ACTION_VERB.match(after)
    if verb:
        return verb
    if not (sure or proper_name(actor)):
        return None
    loose = LOOSE_VERB.match(after)
    if not loose or not loose.group("skip").islower() or _DUTY_MODAL.match(loose.group("verb")):
        return None
    skip = loose.group("skip")
    for w in re.finditer(r"[\wÀ-ỹ]+", skip):
        if w.group(0) in FUNCTION_WORDS or VERB_START_RE.match(skip, w.start()):
            return None
    return loose


_DUTY_MODAL = re.compile(r"có trách nhiệm|chịu trách nhiệm", re.IGNORECASE)


# Words after a directive's object that are not what it is asked to do: time ("năm 2025"), a place
# ("Ủy ban nhân dân cấp xã nơi người đó cư trú"), and function words (``FUNCTION_WORDS``).
_NOT_A_VERB = re.compile(r"(?:năm|tháng|quý|ngày|tuần|hằng|hàng|sự|nơi)(?![\wÀ-ỹ])", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*(?P<verb>[a-zà-ỹđ]+)(?![\wÀ-ỹ])")


def closed_name(actor: str) -> bool:
    """Does a named body's name end surely where the unit grammar ended it? The grammar runs a
    name over its capitalised words, a known field and a locality, and stops at a function word
    or a verb it knows, so a name with a proper part ("Bộ Kế hoạch và Đầu tư", "Ngân hàng Nhà
    nước") or closed by its level or place ("Ủy ban nhân dân tỉnh", "Công an các cấp") is whole;
    a plural group ("các cơ quan chuyên môn …") may still go on."""
    words = actor.split()
    if re.search(r"(?<![\wÀ-ỹ])liên quan(?: khác)?$", actor):
        return True  # "(các) đơn vị có liên quan": the words that close a group of the related
    if len(words) < 2 or words[0].lower() in ("các", "những", "mọi"):
        return False
    return any(w[:1].isupper() for w in words[1:]) or words[-1] in LOCALITY_WORDS or words[-1] == "cấp"


_TITLE_RUN_END = re.compile(r"(?:(?<=\s)|^)(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+)+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?=\s+[a-zà-ỹđ])")


def cut_at_proper_name(clause: str, actors: list[tuple[int, int, str]], directive: str):
    """"giao Ngân hàng Nhà nước Việt Nam | soạn thảo …": the name grammar reads lower-case words
    on after a name (a name may hold them: "Trạm Quản lý vận tải cửa khẩu"), so an unknown verb
    after a proper name is read into it. Where the whole reading gives the object nothing to do,
    the name ends after its last run of two or more title-case words if what follows is a duty."""
    start, end, text = actors[-1]
    runs = [r for r in _TITLE_RUN_END.finditer(text) if r.start() > 0]
    if not runs:
        return actors
    cut = runs[-1].end()
    name = text[:cut]
    if directed_verb(clause[start + cut:], name, directive) is None:
        return actors
    return actors[:-1] + [(start, start + cut, name)]


# A relative clause of place after a directive's object says which one ("Ủy ban nhân dân cấp tỉnh
# nơi các tổ chức, cá nhân đặt trụ sở chính"); the duty follows its "có trách nhiệm".
_PLACE_ASIDE = re.compile(r"\s*nơi\s+(?:[^\s.;:]+\s+){1,20}?(?=(?:có|chịu)\s+trách\s+nhiệm\b)")
# Directives that hand a duty over to their object, whoever the sentence's subject is.
HANDING_OVER = ("giao", "phân công", "ủy quyền", "phân cấp")


def directed_verb(after: str, actor: str, directive: str) -> re.Match | None:
    """What a directive's object is asked to do. Besides the verbs :func:`action_verb` reads,
    an object whose name is closed (:func:`closed_name`) may go on with unknown words before a
    known verb ("Giao Ủy ban nhân dân tỉnh khẩn trương rà soát …"), and the object of "giao",
    "phân công", "ủy quyền" with any verb at all ("Thủ tướng Chính phủ giao Bộ Kế hoạch và Đầu tư
    soạn thảo …"): these verbs hand a duty over, so the words after the name are that duty."""
    aside = _PLACE_ASIDE.match(after)
    if aside:  # "… cho Ủy ban nhân dân cấp tỉnh nơi tổ chức đặt trụ sở chính có trách nhiệm cấp …"
        after = after[aside.end():]
    closed = closed_name(actor)
    verb = action_verb(after, actor, sure=closed)
    if verb is not None and verb.re is ACTION_VERB:
        return verb
    first = _FIRST_WORD.match(after)
    if not first or first.group("verb") in FUNCTION_WORDS or _NOT_A_VERB.match(after, first.start("verb")):
        return None  # "… cấp xã nơi người đó cư trú quản lý": the words after the name are no verb
    if verb or not closed or not directive.lower().startswith(HANDING_OVER):
        return verb
    return first


def proper_name(actor: str) -> bool:
    """"Tập đoàn Điện lực Việt Nam", "Bộ Công Thương": capitalised, and not a plural group."""
    words = actor.split()
    return len(words) >= 2 and actor[:1].isupper() and words[0].lower() not in ("các", "những", "mọi") \
        and words[-1][:1].isupper()
