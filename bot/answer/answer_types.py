"""What kind of thing a question asks for and whether a passage holds it: a date or period,
a count of the asked noun, a số hiệu, a unit, a person; and the proper names a question asks about.

An answer of the right topic without the asked kind of thing does not answer the question, so the
answerer checks these before it answers.
"""
from __future__ import annotations

import re

from bot.answer.intent import Intent
from ingest.lang.abbreviations import equivalent_form
from ingest.lang.normalize import fold_accents, has_diacritics
from ingest.lang.patterns import DATE_OR_PERIOD, NUMBER, PERSON


# A law cited by name ("Theo Bộ luật Dân sự", "Luật An ninh mạng") is the question's source, not
# a body or a name the answering passage must write.
LAW_NAME = re.compile(r"^(?:Bộ luật|Luật|Hiến pháp|Pháp lệnh|Nghị định|Nghị quyết|Thông tư|Chỉ thị|Hiệp định|Công ước)\b", re.I)

TEMPORAL = re.compile(r"\b(?:kể từ|từ thời điểm|tại thời điểm|trong thời hạn|thời hạn|sau khi|trước khi|khi)\b", re.I)
TEMPORAL_CLAUSE = re.compile(r"\b(?:kể từ|từ thời điểm|tại thời điểm|trong thời hạn|sau khi|trước khi|đến khi)\b", re.I)
NUM_WORD = r"(?:\d[\d.,]*|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ)"
UNIT_ANYWHERE = re.compile(
    r"\b(?:Sở|Phòng|Trung tâm|UBND|Ủy ban|Uỷ ban|Ban|Đài|Vụ|Cục|Bộ|Văn phòng|Báo|Công an|Tỉnh đoàn|Hội|"
    r"Chính phủ|Thủ tướng|cơ quan|đơn vị|sở, ban, ngành|các sở|địa phương)\b"
)


_PEOPLE = {"nguoi", "thanh", "dai", "can", "cong", "vien"}  # người, thành viên, đại biểu, cán bộ, công chức, viên chức
_NOT_A_NOUN = {"la", "den", "thi", "tro", "va", "hay", "hoac", "de", "moi", "cho", "trong", "khi", "neu"}


def folded_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", fold_accents(text).lower())


def phrase_run(q_tokens: list[str], text: str) -> float:
    """The longest run of the question's words that the sentence repeats in order, as a share of
    eight words: a question that copies a clause's phrasing points at that clause."""
    t = folded_tokens(text)
    if not q_tokens or not t:
        return 0.0
    best = 0
    prev = [0] * (len(t) + 1)
    for a in q_tokens:
        cur = [0] * (len(t) + 1)
        for j, b in enumerate(t, 1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return min(best, 8) / 8


def count_noun(question: str) -> str | None:
    """The noun a "bao nhiêu …"/"mấy …" question counts ("bao nhiêu tỷ đồng" → "ty dong")."""
    q = fold_accents(equivalent_form(question) or question).lower()  # "héc-ta" is counted in "ha"
    m = re.search(r"\bbao nhieu\b\s*(\w+(?:\s+\w+)?)?", q)
    if not m and ("mấy" in question.lower() or not has_diacritics(question)):  # "mấy bộ", not "máy móc"
        m = re.search(r"\bmay\b\s*(\w+(?:\s+\w+)?)?", q)
    if not m:
        return None
    noun = m.group(1)
    first = noun.split()[0] if noun else None
    if first in {"nam", "ngay", "lan"}:
        return first
    if first is None or first in _NOT_A_NOUN:
        # "phạt tiền từ bao nhiêu đến bao nhiêu?": the measure is named before ("tiền" → đồng).
        before = " ".join(q[: m.start()].split()[-4:])
        for phrase in ("phat tien", "phat tu"):
            if phrase in before:
                return phrase
        return None
    return noun




def holds_name(form: set[str], doc: set[str]) -> bool:
    """Whether a document's terms hold a name: most of its syllable pairs, or its one word."""
    pairs = [t for t in form if "_" in t]
    if pairs:
        return sum(p in doc for p in pairs) / len(pairs) >= 0.6
    return bool(form) and form <= doc


def proper_names(question: str) -> list[str]:
    """Runs of two or more capitalised words after the question's first word: "Hữu Nghị" and
    "Hữu Nghị Quan" in "cửa khẩu Hữu Nghị - Hữu Nghị Quan", "Cà Mau". A hyphen ends a run: "Việt
    - Trung" is written "Việt Nam - Trung Quốc". Acronyms (UBND, QN) are left to the abbreviation rules."""
    words = list(re.finditer(r"\S+", question))
    names: list[str] = []
    run: list[re.Match] = []
    for m in words[1:] + [None]:
        word = m.group().strip(",.;:?!()\"'“”") if m else ""
        if m and word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower()):  # "Hữu", "Á", not "UBND"
            run.append(m)
            continue
        if len(run) >= 2:
            name = question[run[0].start():run[-1].end()].strip(",.;:?!()\"'“”")
            before = question[:run[0].start()].split()[-1:]  # "Bộ" in "Bộ Luật Dân sự"
            if not LAW_NAME.match(" ".join(before + [name])) and not LAW_NAME.match(name):
                names.append(name)
        run = []
    return names


def has_answer_type(intent: Intent, question: str, text: str) -> bool:
    """Does a passage hold the kind of thing asked for: a date, a count of the asked noun, a số hiệu,
    a unit, a person? A passage on the right topic without it does not answer the question."""
    if intent.kind == "date":
        # "Khi nào?" is answered by a date, or by the event or period that sets it
        # ("kể từ thời điểm mở thừa kế", "trong thời hạn 30 ngày").
        return bool(DATE_OR_PERIOD.search(text) or TEMPORAL.search(text))
    if intent.kind == "number":
        return bool(NUMBER.search(text))
    if intent.kind == "count":
        noun = count_noun(question)
        folded = fold_accents(text).lower()
        if noun and noun.startswith(("phan tram", "ty le")):
            return bool(re.search(r"\d\s*%|phan tram", folded))
        if noun and noun.startswith("phat "):
            # A penalty asked by its kind: the figure follows it ("phạt tiền từ 10.000.000 đồng").
            return bool(re.search(r"\b" + noun + r"\s+(?:\w+\s+){0,3}\d", folded))
        if noun:
            head = noun.split()[0]
            # "mấy thành viên?" is answered by "05 người".
            heads = "|".join(sorted(_PEOPLE)) if head in _PEOPLE else re.escape(head)
            num = fold_accents(NUM_WORD).lower()
            # "05 người", or the noun then its figure ("có số điểm từ 50 trở lên").
            # "03 (ba) bộ": the figure may be spelled out in brackets before the noun.
            return bool(re.search(num + r"\s+(?:\(\w+\)\s+)?(?:\w+\s+)?(?:" + heads + r")\b", folded)
                        or re.search(r"\b(?:" + heads + r")\s+(?:\w+\s+){0,2}\d", folded))
        return bool(re.search(r"\d", text))
    if intent.kind == "unit":
        # "Ai …?" may ask for a person ("người đang chiếm hữu"), "đơn vị nào" for a body.
        asks_who = re.search(r"\bai\b", fold_accents(question).lower())
        return bool(UNIT_ANYWHERE.search(text) or (asks_who and re.search(r"\b(?:người|cá nhân|tổ chức)\b", text, re.I)))
    if intent.kind == "signer":
        return bool(PERSON.search(text))
    return True

