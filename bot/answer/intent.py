"""What a question asks for: a unit, a date, a document number, a list, yes/no, a signer …

Patterns are matched on the accent-folded, lower-cased question, so "don vi nao chu tri"
is understood as well as "Đơn vị nào chủ trì".

>>> classify("Đơn vị nào phối hợp tuyên truyền?").kind, classify("don vi nao phoi hop?").role
('unit', 'partner')
>>> classify("Kế hoạch 2502/KH-UBND ban hành ngày nào?").kind
'date'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.lang.normalize import fold_accents, has_diacritics


@dataclass
class Intent:
    kind: str  # unit, signer, date, number, count, list, yesno, definition, general
    role: str | None = None  # lead, partner, focal, guiding (unit questions)
    # "Gửi báo cáo cho cơ quan nào?", "theo chỉ đạo của ai?": a recipient or a source, not an owner.
    recipient: bool = False


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


_SIGNER = _any([r"ai ky(?! xac nhan)", r"nguoi ky", r"ai (?:\w+ ){1,6}ky (?:van ban|quyet dinh|ke hoach|thong tu|nghi dinh|chi thi|cong van|hiep dinh)", r"ky boi", r"do ai ky", r"ai la nguoi ky", r"ky ten", r"do\b.*\bky(?=\s*\??$)",
                r"(?:bo truong|thu truong|chu tich|giam doc|thu tuong|nguoi)\b.*\bten (?:la )?gi"])
_UNIT = _any([
    r"don vi nao", r"co quan nao", r"to chuc nao", r"ai chu tri", r"ai phoi hop", r"ai (?:la )?dau moi",
    r"ai dinh huong", r"ai phu trach", r"ai chiu trach nhiem", r"ai thuc hien", r"ai (?:tong hop|chi dao|san xuat|theo doi)",
    r"do ai", r"giao (?:cho )?ai",
    r"ai", r"who", r"which unit", r"don vi chu tri", r"don vi phoi hop", r"dau moi",
])
# "Sở nào", "Đài nào": read in the question's own letters when it has them, since folded "so",
# "dai", "ban" are also số, đãi, bản ("áp dụng mức ưu đãi nào" asks no unit).
_UNIT_NOUN = re.compile(r"\b(?:sở|ban|phòng|bộ|vụ|cục|đài|trung tâm|ubnd|ủy ban|uỷ ban) nào\b")
_UNIT_NOUN_FOLDED = re.compile(r"\b(?<!bien )(?<!van )(?:so|ban|phong|bo|vu|cuc|dai|trung tam|ubnd|uy ban) nao\b")
_DATE = _any([
    r"ngay nao", r"khi nao", r"bao gio", r"thoi han", r"han chot", r"thoi gian nao", r"nam nao", r"thang nao",
    r"luc nao", r"hom nao", r"bua nao", r"thoi diem nao", r"truoc ngay nao", r"thoi gian thuc hien", r"when", r"ngay bao nhieu",
    r"ngay may", r"dip nao",
])
_NUMBER = _any([
    r"so may", r"so hieu", r"(?:quyet dinh|ke hoach|van ban|nghi dinh|thong tu|chi thi|cong van) (?:nao|so may|so bao nhieu)",
    r"so bao nhieu",
])
_COUNT = _any([r"bao nhieu", r"may (?:tru cot|nuoc|quoc gia|noi dung|nhiem vu|hinh thuc|lan|nam|thanh vien)"])
_LIST = _any([
    r"nhung gi", r"gom nhung", r"nhung (?:\w+ ){0,3}nao", r"cac (?:\w+ ){0,3}nao", r"liet ke", r"bao gom",
    r"nhung (?:nhiem vu|hoat dong|noi dung|hinh thuc|viec|kenh)", r"lam nhung gi", r"gom gi", r"o nhung noi nao",
    # "có hoạt động gì cho học sinh?": which activities, as "những hoạt động nào" asks.
    r"co (?:hoat dong|nhiem vu|hinh thuc|bien phap|giai phap) gi",
])
# "Có phải …" opens a yes/no question; inside one, "các cụm hiện có phải được …" is "must".
_YESNO = re.compile(r"(?:\bco\b.*\bkhong\s*\??$|\bphai khong\b|\bdung khong\b|^co phai\b|\bchua\s*\??$)")
_DEFINITION = _any([r"la gi", r"nghia la gi", r"la co che gi", r"la to chuc gi", r"what is"])

# The question word right after a preposition: "gửi cho những cơ quan nào", "tới cục nào",
# "theo chỉ đạo của ai", "báo cáo về đâu" (but not "… việc của các đơn vị?").
_RECIPIENT = re.compile(
    r"\b(?:cho|gui|ve|toi|den|cua|voi|tu|len|bao cao|trinh|nop)\s+(?:nhung |cac )?"
    r"(?:(?:co quan|don vi|so|bo|ban|cuc|vu|noi|phong)\s+(?:\w+\s+){0,2}?nao|ai)\b|\bve dau\b")

_ROLES = [
    ("partner", _any([r"phoi hop"])),
    ("focal", _any([r"dau moi"])),
    ("guiding", _any([r"dinh huong"])),
]


def classify(question: str) -> Intent:
    q = fold_accents(question).lower()
    role = next((name for name, pattern in _ROLES if pattern.search(q)), "lead")
    if _SIGNER.search(q):
        return Intent("signer")
    if _DATE.search(q):
        return Intent("date")
    if _NUMBER.search(q):
        return Intent("number")
    if _LIST.search(q) and not re.search(r"\b(?:don vi|co quan|so|ai)\s+nao\b", q):
        return Intent("list")
    unit_noun = _UNIT_NOUN.search(question.lower()) if has_diacritics(question) else _UNIT_NOUN_FOLDED.search(q)
    if _UNIT.search(q) or unit_noun:
        return Intent("unit", role, recipient=bool(_RECIPIENT.search(q)))
    if _YESNO.search(q):
        return Intent("yesno")
    if _COUNT.search(q) or re.search(r"\bmấy\s+\w", question.lower()):  # "mấy bộ", not "máy"
        return Intent("count")
    if _DEFINITION.search(q):
        return Intent("definition")
    if _LIST.search(q):
        return Intent("list")
    return Intent("general")


def mentions_signing(question: str) -> bool:
    """Does the question speak of signing ("ký", "kí")? Folded, "kỹ thuật" and "kỳ báo cáo" read
    "ky" too, so a question written with its marks is read in its own letters."""
    if has_diacritics(question):
        return bool(re.search(r"(?<![\wÀ-ỹ])k[ýí](?![\wÀ-ỹ])", question.lower()))
    return bool(re.search(r"\bk[yi]\b", fold_accents(question).lower()))

