"""The words of the follow-up grammar (bot/answer/followup.py): openers and closers, demonstratives
and the nouns they point back at, ordinals, the phrases that only ask or glue, and what a message
asks of a task (a role, a deadline, where its report goes). Written with their marks; a message
typed without them is matched folded."""
from __future__ import annotations

import re

from bot.answer.catalog import Token, phrase_at
from bot.answer.evidence import FUNCTION_WORDS
from bot.answer.intent import classify
from ingest.lang.normalize import fold_accents, has_diacritics
from ingest.lang.terms import QUESTION_WORDS

# -- the grammar's words (written with their marks; a message typed without them is matched folded) --

_OPENERS = ["thế còn", "vậy còn", "còn", "vậy thì", "thế thì", "vậy", "thế", "và", "ngoài ra", "bên cạnh đó", "rồi"]
_CLOSERS = ["thì sao", "thì thế nào", "thế nào rồi", "nữa", "nữa không", "thì sao nhỉ"]
_DEMONSTRATIVES = {"đó", "này", "ấy", "kia"}
_DEMONSTRATIVE_PHRASES = ["nói trên", "kể trên", "trên đây", "vừa nêu", "vừa rồi"]
# Without marks "do" is also "by" ("do ai ký") and "nay" also "now" ("hiện nay"): a folded
# demonstrative must end its phrase, or stand before a verb rather than an agent.
_FOLDED_DO_NEXT = {"", "thi", "co", "la", "duoc", "phai", "gom", "bao", "can", "se", "da", "dang", "ap", "ban",
                   "ky", "giao", "thuoc", "quy", "neu", "yeu", "nham", "keo", "het", "hoan"}
_NOT_THIS_BEFORE = {"hien", "ngay", "nam", "thang", "luc", "bay", "dao", "gan", "tu", "den"}
# Head nouns: what a demonstrative phrase points at.
_DOC_NOUNS = ["kế hoạch", "văn bản", "quyết định", "thông tư", "nghị định", "nghị quyết", "chỉ thị", "công văn",
              "hiệp định", "bộ luật", "luật", "tài liệu", "bài viết", "bài báo", "thông báo", "hướng dẫn",
              "đề án", "chương trình", "pháp lệnh", "quy chế", "công điện", "tờ trình", "hiến chương", "văn kiện",
              "nghị định thư", "hiệp ước", "công ước", "bản tin",
              # their abbreviations, as numbers write them ("QĐ này", typed "qd nay")
              "qđ", "kh", "nđ", "tt", "cv", "nq"]
_UNIT_NOUNS = ["đơn vị", "cơ quan", "tổ chức", "ủy ban", "uỷ ban", "ubnd", "trung tâm", "văn phòng", "chi cục",
               "tổng cục", "sở", "vụ", "cục", "ban", "phòng", "bộ", "đài", "người", "ông", "bà"]
_TASK_NOUNS = ["công việc", "nhiệm vụ", "hoạt động", "nội dung", "hình thức", "biện pháp", "giải pháp", "việc",
               "mục", "phần", "ý", "điểm", "khoản", "điều", "đợt"]
_DETERMINERS = {"các", "những", "mấy", "cái", "mọi", "toàn bộ"}
_ORDINALS = {"nhất": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
             "chín": 9, "mười": 10, "đầu tiên": 1, "cuối cùng": -1, "sau cùng": -1}
_ELABORATE = ["cụ thể hơn", "rõ hơn", "chi tiết hơn", "nói thêm", "giải thích thêm", "cụ thể", "chi tiết"]
# Words that say what kind of answer is wanted or glue the sentence; a message made only of
# these (and references) has no topic of its own.
# Phrases and words that say what kind of answer is wanted or glue the sentence; a message
# made only of these (and references) has no topic of its own. Matched as whole phrases, so
# "cơ quan" goes but the "cơ" of "cơ sở" stays.
# Glue words never make a topic of their own ("theo", "cho", "ở").
_GLUE = FUNCTION_WORDS | QUESTION_WORDS
_ASK_PHRASES = sorted([
    "đơn vị", "cơ quan", "tổ chức", "chủ trì", "phối hợp", "đầu mối", "định hướng", "thời hạn", "thời gian",
    "bao giờ", "thực hiện", "phụ trách", "chịu trách nhiệm", "trách nhiệm", "định kỳ", "cụ thể", "chi tiết",
    "đề cập", "triển khai", "giải thích", "hạn chót", "người ký", "được giao", "giao cho", "nơi nhận", "bao lâu",
    "như thế nào", "thế nào", "là gì", "ra sao", "ở đâu", "về đâu", "lên đâu", "khi nào", "làm gì",
    # the document speaking, and "the same as that": no topic of their own ("Thông tư 37 có quy
    # định giống vậy không?" asks the thread's question of Thông tư 37)
    "quy định", "giống vậy", "giống như vậy", "giống như thế", "tương tự", "như vậy", "như thế", "cũng vậy",
    "có giống vậy", "có tương tự", "có như vậy",
], key=lambda p: -len(p.split()))
# A document's kind ("kế hoạch", "thông tư") names no topic: the anchor or the scope names it.
_DOC_PHRASES = sorted([n for n in _DOC_NOUNS if " " in n], key=lambda p: -len(p.split()))
_ASK_SINGLE = set(
    "nào ai khi gì những có không thì sao còn vậy thế nữa được làm hạn trước phải ở đâu hơn rõ nói giúp tôi mình "
    "cho biết xin hãy về của và với trong lên tới đến xong riêng lâu lần một nêu nhắc ký gửi các mấy đó này ấy "
    "kia ạ nhỉ thêm như rồi bằng cách vào lúc tại từ là đã sẽ cần ngày".split())
_AMBIGUOUS_FOLDED = {"co", "ban", "bo", "so", "the", "dau", "nam", "ba", "khi", "hon", "lan"}
_ASK_SINGLE_FOLDED = {fold_accents(w) for w in _ASK_SINGLE} - _AMBIGUOUS_FOLDED


# Words that belong to asking a task's attribute once the message asks it ("kết quả báo cáo về
# đâu?" names no topic of its own: what is reported is the task's result).
_ATTRIBUTE_WORDS = {
    "report_to": ["báo cáo", "kết quả", "tiến độ", "tình hình", "gửi", "nộp", "trình", "tổng hợp", "định kỳ"],
    "deadline": ["hoàn thành", "thời hạn", "thời gian", "thời điểm", "hạn", "xong", "tiến độ"],
    "partner": ["phối hợp", "cùng", "tham gia"], "lead": ["chủ trì", "phụ trách", "đảm nhiệm", "giao"],
    "focal": ["đầu mối", "theo dõi", "đôn đốc"], "guiding": ["định hướng", "thông tin"],
}


def attribute_terms(asked: list[str]) -> set[str]:
    """The folded syllables of the words that ask these attributes ("nộp", "gửi", "báo cáo" for
    where a report goes): they ask, they need not be in the task's own words."""
    return {t for a in asked for w in _ATTRIBUTE_WORDS.get(a, []) for t in fold_accents(w).lower().split()}


def _asking(toks: list[Token], accented: bool, glue: bool = True, asked: list[str] = ()) -> set[int]:
    """Indexes of the tokens that only ask or glue: whole ask phrases (and the words of asking
    the attributes ``asked``), then single words."""
    out: set[int] = set()
    i = 0
    extra = [w for a in asked for w in _ATTRIBUTE_WORDS.get(a, [])]
    phrases = sorted(_ASK_PHRASES + extra, key=lambda p: -len(p.split())) + (_DOC_PHRASES if glue else [])
    while i < len(toks):
        phrase = next((ph for ph in phrases if phrase_at(toks, i, ph, accented)), None)
        if phrase:
            out.update(range(i, i + len(phrase.split())))
            i += len(phrase.split())
            continue
        tok = toks[i]
        if accented and (tok.text in _ASK_SINGLE or (glue and tok.text in _GLUE)):
            out.add(i)
        elif not accented and tok.folded in _ASK_SINGLE_FOLDED:
            out.add(i)
        i += 1
    return out

# What is asked of a task (on the folded text).
_REPORT_TO = re.compile(
    r"\b(?:bao cao|gui|trinh|nop|chuyen)\b(?:\s+\w+){0,8}?\s+(?:ve dau|len dau|toi dau|den dau|di dau|o dau|"
    r"cho ai|ve cho ai|(?:cho|ve|len|toi|den) (?:co quan|don vi|cap|noi|bo|so|ban|ai) ?(?:nao)?)\b|"
    r"\b(?:bao cao|gui bao cao|nop bao cao) (?:ve|len|cho|toi) (?:dau|ai)\b")
_DEADLINE = re.compile(
    # "báo cáo định kỳ" names a kind of report; "định kỳ mấy tháng?" asks when
    r"\b(?:thoi han|han chot|han (?:khi nao|bao gio|la|nao|ra sao)|thoi gian thuc hien|"
    r"dinh ky (?:bao lau|may|nao|khi nao|the nao|ra sao)|bao lau|"
    r"(?:hoan thanh|thuc hien|trien khai|bao cao|nop|gui)(?: \w+){0,3} (?:truoc|vao|trong) (?:ngay|thoi han|thoi gian|dip) nao|"
    r"khi nao|bao gio|thoi diem nao|luc nao|thoi gian nao|thang nao|nam nao|quy nao)\b")
_DOC_DATE = re.compile(r"\b(?:ban hanh|(?<!dinh )ky|hieu luc|dang|cong bo|phat hanh|ngay thang)\b")
_ROLE_WORDS = [("partner", re.compile(r"\bphoi hop\b")), ("focal", re.compile(r"\bdau moi\b")),
               ("guiding", re.compile(r"\bdinh huong\b"))]
# "nhiệm vụ nào" asks a duty, not a Vụ (a department).
_UNIT_ASK = re.compile(r"\b(?<!van )(?<!văn )(?<!nhiệm )(?<!nhiem )(?:đơn vị|cơ quan|tổ chức|sở|ban|bộ|vụ|cục|phòng|ubnd|ủy ban|uỷ ban|trung tâm|"
                       r"don vi|co quan|to chuc|so|ban|bo|vu|cuc|phong|uy ban|trung tam) (?:\w+ )?(?:nào|nao)\b|"
                       r"\bai\b(?! (?:ký|ky)\b)")
_ASKS_SOMETHING = re.compile(r"\b(?:nao|gi|ai|dau|bao|may|khong|chua|the nao|ra sao|la sao|co phai)\b|\?")
ATTRIBUTE_LABELS = {
    "lead": "Đơn vị chủ trì", "partner": "Đơn vị phối hợp", "focal": "Đơn vị đầu mối",
    "guiding": "Đơn vị định hướng thông tin", "deadline": "Thời hạn", "report_to": "Nơi nhận báo cáo",
}


def asked_attributes(text: str) -> list[str]:
    """The attributes of a task a message asks: roles, deadline, where the report goes."""
    folded = fold_accents(text).lower()
    out: list[str] = []
    if _REPORT_TO.search(folded):
        out.append("report_to")
    roles = [name for name, pattern in _ROLE_WORDS if pattern.search(folded)]
    # "đơn vị nào làm, thời hạn ra sao?": each clause asks its own thing.
    clauses = [c for c in re.split(r"[,;]|\s(?:và|va)\s", text) if c.strip()] or [text]
    intents = [classify(clause) for clause in clauses]
    # A unit asked by a question word ("đơn vị nào", "Sở nào", "ai") whatever else the clause asks;
    # "giao cho đơn vị nào" assigns: the unit asked is the owner, not a recipient.
    asks_unit = [bool(_UNIT_ASK.search(c.lower() if has_diacritics(c) else fold_accents(c).lower()))
                 or i.kind == "unit" for i, c in zip(intents, clauses)]
    unit_asked = any(a and (not i.recipient or re.search(r"\bgiao\b", fold_accents(c).lower()))
                     for a, i, c in zip(asks_unit, intents, clauses))
    intent = intents[0]
    # "phối hợp với đơn vị nào" asks the partner although the unit follows a preposition.
    if roles and (any(asks_unit) or re.search(r"\b(?:don vi|co quan) (?:phoi hop|dau moi|dinh huong)\b", folded)):
        out += roles
    elif unit_asked and "report_to" not in out and intent.kind not in ("signer",):
        out.append("lead")
    if _DEADLINE.search(folded) and not _DOC_DATE.search(folded):
        out.append("deadline")
    return out


# Words that head a name the catalog finds without them ("Bộ" Nội vụ, "tỉnh" Tây Ninh).
_NAME_HEADS = re.compile(r"(?:\b(?:bộ|tỉnh|huyện|thành phố|thị xã|sở|ubnd|ủy ban nhân dân|uỷ ban nhân dân|"
                         r"bo|tinh|huyen|thanh pho|thi xa|so|uy ban nhan dan))\s+$", re.I)


def _name_start(text: str, start: int) -> int:
    """Where a name found at ``start`` begins, with the word that heads it."""
    m = _NAME_HEADS.search(text[:start])
    return m.start() if m else start
