"""Answer first: the reply's first sentence is the answer in the fewest words the document
allows — the unit, the date, the number, the name, yes or no, the definition, the list's items —
with its [n]; at most one supporting sentence follows, cut to the clauses that matter. The
passage itself is the citation's quote (the card under [n]), not pasted into the reply.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.answer_types import NUM_WORD, count_noun
from bot.answer.citations import CitationList
from bot.answer.clauses import (after_asked_preposition, as_sentence as _sentence, cut as _cut,
                                 first_clauses as _first_clauses, window)
from bot.answer.evidence import coverage, terms
from bot.answer.lists import (
    BULLET as _BULLET, continued_items, inline_list_start, marker_kind, paragraph_items, sub_headings, topic_run,
)
from bot.answer.passages import CLAUSE_HEAD, Candidate, assignment_for, items_after
from bot.answer.query import Query
from ingest.lang.normalize import fold_accents
from ingest.lang.sentences import split_sentences
from ingest.lang.patterns import DATE_OR_PERIOD, DAY, NUMBER, PERSON

if TYPE_CHECKING:
    from bot.answer.extractive import ExtractiveAnswerer

ROLE_LABELS = {
    "lead": "Đơn vị chủ trì",
    "partner": "Đơn vị phối hợp",
    "focal": "Đơn vị đầu mối",
    "guiding": "Đơn vị định hướng thông tin",
    "deadline": "Thời gian thực hiện",
}
# A supporting sentence longer than this is cut to the clauses around the answer.
SUPPORT_CHARS = 170
# An inline list ("gồm A, B; C, D") is shown up to this long: every item is the answer.
LIST_CHARS = 450
# The reply of a question whose answer is the sentence itself (what, why, how).
SENTENCE_CHARS = 300

_NEGATION = re.compile(r"\b(?:không|chưa|chẳng|cấm|nghiêm cấm|không được|chưa được)\b", re.I)
_ROLE_VERBS = re.compile(r"chủ trì|phối hợp|đầu mối|giao |định hướng|phụ trách|chịu trách nhiệm|thực hiện", re.I)
_UNIT_HEAD = re.compile(
    r"^(?:Sở|Phòng|Trung tâm|UBND|Ủy ban|Uỷ ban|Ban|Đài|Vụ|Cục|Bộ|Văn phòng|Báo|Công an|Tỉnh đoàn|Hội|Các sở|Các cơ quan)\b")


def support(cand: Candidate, q: Query, cites: CitationList, anchor_text: str | None = None,
            limit: int = SUPPORT_CHARS) -> tuple[str, int]:
    """The candidate's sentence, cut to the clauses around the answer, and its citation (the
    sentence whole, with its list's lead-in)."""
    cand = run_on(cand, semicolons=False)
    text = cand.text
    anchor = None
    if anchor_text:
        at = text.find(anchor_text)
        anchor = (at, at + len(anchor_text)) if at >= 0 else None
    n = cite_candidate(cand, cites)
    return _cut(text, window(text, q, limit, anchor)), n


def cite_candidate(cand: Candidate, cites: CitationList) -> int:
    """Cite the candidate's sentence; a list item's lead-in comes with it when it is adjacent."""
    hit = cand.hit
    if cand.lead and not hit.text[cand.lead[1]:cand.start].strip():
        return cites.cite(hit.payload, cand.lead[0], cand.end)
    return cites.cite(hit.payload, cand.start, cand.end)


def _first_with(pattern: re.Pattern[str], cands: list[Candidate], best_p: float, take: int = 3,
                exclude: str = "") -> tuple[Candidate, re.Match] | None:
    for cand in cands[:take]:
        for m in pattern.finditer(cand.text):
            if m.group(0).strip() and m.group(0) not in exclude:
                return cand, m
    return None


def shape(answerer: "ExtractiveAnswerer", q: Query, cands: list[Candidate], cites: CitationList) -> str:
    kind = q.intent.kind
    builder = {"unit": _unit, "date": _date, "number": _number, "count": _count, "list": _list,
               "signer": _signer, "yesno": _yesno, "definition": _general}.get(kind, _general)
    if kind in ("general", "definition") and q.expects in ("duration", "money", "percent", "age"):
        # "Bao lâu?", "phạt bao nhiêu?": the measure answers, whatever the question's form.
        builder = _count
    return builder(answerer, q, cands, cites)


def _with_support(head: str, cand: Candidate, q: Query, cites: CitationList, anchor: str | None,
                  always: bool = False) -> str:
    """"<answer> [n]. <supporting clauses> [n]." — the support only when it says more than the head
    (``always``: a bare "Có"/"Không" needs the words it rests on)."""
    body, n = support(cand, q, cites, anchor)
    head = f"{head.strip().rstrip('.')} [{n}]."
    if always:
        return f"{head}\n{_sentence(body[0].upper() + body[1:] if body[:1].islower() else body)}"
    # The support only when it says something the answer and the question do not ("Số hiệu |
    # 159/KH-UBND" after "Số 159/KH-UBND" says nothing more).
    said = set(re.findall(r"\w+", fold_accents(head + " " + q.question).lower()))
    new_words = [w for w in re.findall(r"\w+", fold_accents(body).lower()) if w not in said]
    if len(new_words) < 3:
        return head
    return f"{head}\n{_sentence(body[0].upper() + body[1:] if body[:1].islower() else body)}"


def _general(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    best = cands[0]
    text = best.hit.text
    if best.text.rstrip().endswith(":") and not best.lead and items_after(text, best.end):
        # "… phải đáp ứng các điều kiện sau:": what it announces is the answer
        return _list(answerer, q, cands, cites)
    if best.lead and text[best.lead[0]:best.lead[1]].rstrip().endswith(":") and _ASKS_MANY.search(q.folded):
        # "… phải đáp ứng những điều kiện gì?" and the best match is one of the conditions: all of them
        return _list(answerer, q, cands, cites)
    first_line = text.split("\n", 1)[0]
    if (best.end <= len(first_line) and CLAUSE_HEAD.match(first_line) and "\n" in text
            and len(first_line) < 150 and not first_line.rstrip().endswith((".", ";"))):
        # The best match is an item's heading: what the item says under it is the answer.
        body = [c for c in sorted(cands, key=lambda c: c.start) if c.hit.chunk_id == best.hit.chunk_id
                and c.start > best.start]
        if body:
            sent = body[0]
            n = cites.cite(best.hit.payload, best.start, sent.end)
            return f"{_sentence(_cut(sent.text, window(sent.text, q, SENTENCE_CHARS)))} [{n}]"
    under = _body_under(best, echo_of=q) if q.intent.kind == "general" else None
    if under is not None:
        # "Tây Ninh nói gì về đấu tranh …?" and the best match is the heading naming that topic
        n = cites.cite(best.hit.payload, best.start, under.end)
        return f"{_sentence(_cut(under.text, window(under.text, q, SENTENCE_CHARS)))} [{n}]"
    n = cite_candidate(best, cites)
    lead = ""
    room = SENTENCE_CHARS
    if best.lead and not best.text.strip().endswith(":"):
        # A list item means nothing without what introduces it, and the lead-in often holds the
        # consequence the question asks ("… thì bị phạt tù từ 03 năm đến 07 năm:"): its clauses
        # that matter first, then the item.
        lead_text = text[best.lead[0]:best.lead[1]].strip().rstrip(":")
        lead = _cut(lead_text, window(lead_text, q, 120)) + ": "
        room = max(100, SENTENCE_CHARS - len(lead))
    reply = f"{lead}{_cut(best.text, window(best.text, q, room))}"
    return f"{_sentence(reply)} [{n}]"


def _unit(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    if q.intent.recipient:  # whom a report goes to: the sentence that says so
        return _general(answerer, q, cands, cites)
    best = cands[0]
    role = q.intent.role or "lead"
    for cand in cands[:3]:
        if cand.hit.chunk_id != best.hit.chunk_id:
            continue
        line = assignment_for(cand, role)
        if line:
            start, end, value, found_role = line
            n = cites.cite(cand.hit.payload, start, end)
            label = ROLE_LABELS[found_role]
            if found_role != role:
                return (f"Tài liệu không nêu {ROLE_LABELS[role].lower()} cho nội dung này; "
                        f"{label.lower()} là {value} [{n}].")
            m = cite_candidate(cand, cites)
            task, _ = support(cand, q, cites)
            return f"{label}: {value} [{n}].\nNhiệm vụ: {_sentence(task)} [{m}]"
    # A duty under a unit heading ("1. Phòng Văn hóa và Thông tin huyện: …").
    title = (best.hit.section or "").split(" ", 1)[-1].rstrip(": ")
    if _UNIT_HEAD.match(title):
        body, n = support(best, q, cites)
        return f"{title} [{n}].\nNhiệm vụ: {_sentence(body)}"
    # "… phối hợp giữa những cơ quan nào?": the bodies written after that preposition.
    span = after_asked_preposition(best.text, q)
    if span:
        value = best.text[span[0]:span[1]].strip(" ,")
        return _with_support(value[:1].upper() + value[1:], best, q, cites, best.text[span[0]:span[1]])
    # A sentence that assigns ("Giao Vụ Hợp tác quốc tế chủ trì …") or names a body.
    from ingest.units import find_units

    for cand in cands[:3]:
        if not _ROLE_VERBS.search(cand.text) and cand is not best:
            continue
        named = [u for u in find_units(cand.text) if fold_accents(u.name).lower() not in q.folded]
        if named:
            return _with_support(named[0].name, cand, q, cites, named[0].text)
    return _general(answerer, q, cands, cites)


def _date(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    best = cands[0]
    line = assignment_for(best, "deadline")
    if line:
        start, end, value, _ = line
        n = cites.cite(best.hit.payload, start, end)
        return f"{ROLE_LABELS['deadline']}: {value} [{n}]."
    year = _year_after_asked_words(q, best)
    if year:
        return _with_support(f"Năm {year.group(1)}", best, q, cites, year.group(1))
    found = _first_with(DATE_OR_PERIOD, cands, 0.0, take=1, exclude=q.question)
    if found:
        cand, m = found
        value = m.group(0).strip()
        return _with_support(value[0].upper() + value[1:], cand, q, cites, m.group(0))
    return _general(answerer, q, cands, cites)


_ASKS_YEAR = re.compile(r"\bnam nao\b|\bnam bao nhieu\b")
_YEAR_NEXT = re.compile(r"\W+(?:(?:nam|den|toi|tu|la)\W+){0,2}((?:19|20)\d{2})\b")


def _year_after_asked_words(q: Query, cand: Candidate) -> re.Match | None:
    """"… hướng tới tầm nhìn đến năm nào?" → the year the sentence writes right after the asked
    words ("… giai đoạn 2021 - 2025, tầm nhìn 2030"), not the first date it holds."""
    if not _ASKS_YEAR.search(q.folded):
        return None
    folded = fold_accents(cand.text).lower()
    for pair in (t for t in q.predicate_weights if "_" in t):
        phrase = pair.replace("_", " ")
        for at in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", folded):
            m = _YEAR_NEXT.match(folded, at.end())
            if m and m.group(1) not in q.question:
                return m
    return None


# "… thực hiện quyết định nào?" asks for a document of that type: its số hiệu carries the type's
# code ("1160/QĐ-TTg"), so another type's number ("159/KH-UBND", the plan's own) is no answer.
_TYPE_CODES = {"quyet dinh": "QĐ", "thong tu": "TT", "nghi dinh": "NĐ", "ke hoach": "KH", "chi thi": "CT",
               "nghi quyet": "NQ"}
_ASKED_TYPE = re.compile(r"\b(" + "|".join(_TYPE_CODES) + r") (?:so )?(?:nao|gi|may)\b")


def _number(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    asked = _ASKED_TYPE.search(q.folded)
    pattern = NUMBER
    if asked:
        code = _TYPE_CODES[asked.group(1)]
        pattern = re.compile(r"\b\d{1,5}(?:/\d{4})?/" + code + r"(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*\b")
    found = _first_with(pattern, cands, 0.0, take=1, exclude=q.question)
    if found:
        cand, m = found
        return _with_support(f"Số {m.group(0)}", cand, q, cites, m.group(0))
    # A document asked by its type is no count ("159" of the plan's own number is no answer).
    return _general(answerer, q, cands, cites) if asked else _count(answerer, q, cands, cites)


_FIGURE = re.compile(r"(?:(?:từ|đến|tối đa|tối thiểu|ít nhất|không quá|không vượt quá|không dưới|không ít hơn|trên|dưới)\s+)?"
                     + NUM_WORD + r"(?:[\s.,]*" + NUM_WORD + r")*(?:\s*\([^)]{1,30}\))?(?:\s*%|\s+[^\s,;.()]+)?"
                     r"(?:\s+(?:trở lên|trở xuống))?", re.I)
# Words that end a figure's phrase rather than measure it ("75 ha và …", "10 ngày kể từ …").
_NOT_A_MEASURE = re.compile(r"\s+(?:và|hoặc|của|là|được|thì|trở|kể|từ|đến|theo|tại|cho|với|trong|do)$", re.I)


_RANGE = re.compile(r"\btừ\s+" + NUM_WORD + r"(?:[\s.,]*\d+)*(?:\s+[^\s,;.()]+)?\s+(?:đến|tới)\s+(?:dưới\s+)?"
                    + NUM_WORD + r"(?:[\s.,]*\d+)*(?:\s*%|\s+[^\s,;.()]+)?", re.I)
# A number that points into the document rather than measuring anything: "Điều 16", "khoản 2",
# "1. …" numbering a clause.
_REFERENCE = re.compile(r"(?:\b(?:điều|khoản|điểm|chương|mục|phụ lục|số|mẫu|tại)\s+$|^\s*$)", re.I)


_MIN_WORDS = re.compile(r"\b(?:toi thieu|it nhat|khong duoi|khong it hon|tro len)\b")
_MAX_WORDS = re.compile(r"\b(?:toi da|khong qua|khong vuot qua|nhieu nhat|tro xuong)\b")


def _bound(folded: str) -> str | None:
    lo, hi = _MIN_WORDS.search(folded), _MAX_WORDS.search(folded)
    if lo and hi:
        return "min" if lo.start() > hi.start() else "max"  # the bound nearest the figure's end
    return "min" if lo else "max" if hi else None


def figure_in(text: str, q: Query) -> re.Match | None:
    """The figure that answers a count or a measure: a range ("từ 03 năm đến 07 năm") or a
    figure of the kind the question expects (a duration, a sum, a percentage, an age), next to
    the counted noun when the question names one ("05 người", "03 (ba) bộ"); never a clause's
    numbering, an article reference or a figure the question states itself."""
    from bot.answer.query import holds_expected

    noun = q.count_noun or count_noun(q.question)
    folded = fold_accents(text).lower()
    # "ký ngày 22 tháng 11 năm 1994": the day and month of a date are no "22 tháng" of duration.
    dates = [d.span() for d in DAY.finditer(text)]

    def usable(m: re.Match) -> bool:
        if not re.search(r"\d", m.group(0)) and not re.match(NUM_WORD + r"\s", m.group(0), re.I):
            return False
        if any(a <= m.start() < b for a, b in dates):
            return False
        before = text[max(0, m.start() - 12):m.start()]
        if _REFERENCE.search(before) and re.match(r"\s*\d+(?:\.\d+)*\.(?:\s|$)", text[m.start():]):
            return False  # "1. Người …": a clause's number
        if re.search(r"\b(?:điều|khoản|điểm|chương|mục|phụ lục|mẫu)\s+$", before, re.I):
            return False
        return fold_accents(m.group(0)).lower().strip() not in q.folded

    found = [m for m in list(_RANGE.finditer(text)) + list(_FIGURE.finditer(text)) if usable(m)]
    # "tối thiểu bao nhiêu?" is answered by the bound that says so ("không dưới 05 ha"), not by
    # the other bound of the same sentence ("không vượt quá 75 ha").
    bound = _bound(q.folded)
    if bound:
        same = [m for m in found if _bound(fold_accents(text[max(0, m.start() - 20):m.end()]).lower()) == bound]
        found = same + [m for m in found if m not in same]
    if q.expects and q.expects != "count":
        kind = [m for m in found if holds_expected(q.expects, text[m.start():m.end() + 12])]
        if kind:
            return kind[0]
    if noun:
        head = noun.split()[0]
        heads = {head} | ({"nguoi"} if head in {"thanh", "dai", "can", "cong", "vien"} else set())
        for m in found:
            # The noun in the figure's own words or right after them ("05 người", "03 (ba) bộ").
            near = re.findall(r"\w+", folded[m.start():m.end()])[1:] + re.findall(r"\w+", folded[m.end():m.end() + 25])[:2]
            if heads & set(near):
                return m
        return None  # a figure of something else does not count what was asked
    for m in found:
        if re.search(r"\d", m.group(0)):
            return m
    return None


def _count(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    best = cands[0]
    # The figure may be in a list item's lead-in ("… thì bị phạt tù từ 03 năm đến 07 năm:").
    for text in (best.text, best.full_text):
        m = figure_in(text, q)
        if m:
            value = _NOT_A_MEASURE.sub("", m.group(0).strip())
            return _with_support(value[0].upper() + value[1:], best, q, cites, m.group(0))
    return _general(answerer, q, cands, cites)


def _signer(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    for cand in cands[:3]:
        m = PERSON.search(cand.text)
        if m:
            return _with_support(f"Người ký: {m.group(0)}", cand, q, cites, m.group(0))
    return _general(answerer, q, cands, cites)


def run_on(cand: Candidate, semicolons: bool = True) -> Candidate:
    """The candidate up to the end of its sentence: past a ";" inside its line (``semicolons``:
    an inline list goes on past one, "gồm A, B và C; D, E…", and the items after it are as much
    the answer as those before), and onto the next line when the line was only wrapped (a PDF
    breaks "… Khung phục hồi ASEAN\n(ACRF), …" mid-sentence: no closing mark, and the next line
    goes on in lower case or with a bracket)."""
    text = cand.hit.text
    end = cand.end
    if semicolons and text[:end].rstrip().endswith(";"):
        line_start = text.rfind("\n", 0, cand.start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        for a, b in split_sentences(text[line_start:line_end], semicolons=False):
            if line_start + a <= cand.start < line_start + b:
                end = max(end, line_start + b)
    for _ in range(3):  # a sentence wraps over a few lines at most
        rest = text[end:]
        if not rest.startswith("\n") or text[:end].rstrip()[-1:] in ".!?…:;":
            break
        nxt_end = text.find("\n", end + 1)
        nxt = text[end + 1:len(text) if nxt_end < 0 else nxt_end]
        if not re.match(r"\s*(?:\(|[a-zà-ỹđ])", nxt):
            break
        first = split_sentences(nxt, semicolons=semicolons)
        end = end + 1 + (first[0][1] if first else len(nxt))
    return replace(cand, end=end, text=text[cand.start:end]) if end > cand.end else cand


def _yesno(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    """Yes or no from the sentence that answers: "không" where the document negates what the
    question asks (and the question itself does not), else "có"."""
    best = _body_under(cands[0]) or cands[0]
    asked = re.sub(r"\b(?:không|chưa)\s*\??\s*$", "", q.text.lower())
    says_no = _negates(best.text, q) and not _NEGATION.search(asked)
    word = "Không" if says_no else "Có"
    if not says_no and _ASKS_WHAT.search(fold_accents(asked)):
        # "… có làm gì cho giới trẻ không?": yes, and what — the items the document lists
        # read into a copy of the citations, kept only when there is a list to answer with
        trial = CitationList()
        trial.items = list(cites.items)
        listed = _list(answerer, q, [best] + [c for c in cands if c is not best], trial)
        if listed.startswith("Gồm:"):
            cites.items[:] = trial.items
            return "Có: " + listed[len("Gồm: "):]
    return _with_support(word, best, q, cites, None, always=True)


# "những điều kiện gì", "các bước nào": many things asked, whatever the intent reads
_ASKS_MANY = re.compile(r"\b(?:nhung|cac) (?:\w+ ){0,3}(?:gi|nao)\b")
# A yes/no question around a content question: "có làm gì …", "có hoạt động nào …", "có nhắc hiệp định nào …".
_ASKS_WHAT = re.compile(r"\bco (?:\w+ ){0,4}?(?:gi|nao)\b")


def _body_under(cand: Candidate, echo_of: Query | None = None) -> Candidate | None:
    """A heading ("b) Đối với đối tượng là giới trẻ") names what a section is about; what the
    section says is its first sentence below. None when ``cand`` is no heading line. A numbered
    line that ends like a sentence ("5. Đấu tranh, phản bác các thông tin sai trái.") counts as a
    heading when an unnumbered paragraph follows it and it holds nearly every word of the topic
    the question (``echo_of``) asks about: it names that topic, the paragraph says what of it."""
    text = cand.hit.text
    line_start = text.rfind("\n", 0, cand.start) + 1
    line_end = text.find("\n", cand.start)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end].strip()
    before = text[line_start:cand.start].strip()
    marker = CLAUSE_HEAD.match(before) if before and echo_of is not None else None
    if (before and not (marker and marker.end() == len(before)) or
            not line[len(before):].strip().startswith(cand.text.strip()) or len(line) > 100):
        return None
    if line.endswith((".", ";", ":")):
        nxt = re.search(r"\S[^\n]*", text[line_end:])
        if (echo_of is None or not line.endswith(".") or not CLAUSE_HEAD.match(line) or not nxt
                or CLAUSE_HEAD.match(nxt.group(0)) or _BULLET.match(nxt.group(0))):
            return None
        # the heading holds the topic asked (the province the question names is a filter, not it)
        place = set(fold_accents(echo_of.province or "").lower().split())
        topic = {t: w for t, w in echo_of.focus_weights.items() if "_" not in t and t not in place}
        if not topic or coverage(topic, terms(line)) < 0.9:
            return None
    below = re.search(r"\S[^\n]*", text[line_end:])
    if not below:
        return None
    a = line_end + below.start()
    spans = split_sentences(text[a:line_end + below.end()])
    b = a + spans[0][1] if spans else line_end + below.end()
    return replace(cand, start=a, end=b, text=text[a:b], lead=None)


def _negates(text: str, q: Query) -> bool:
    """Whether the sentence negates what the question asks: a negation with one of the
    question's own words within the next four words ("không được gia hạn" for "có được gia hạn
    không?"), not a "không" elsewhere in the sentence."""
    asked = {t for t in q.focus_weights if "_" not in t}
    words = re.findall(r"\w+", fold_accents(text).lower())
    for i, w in enumerate(words):
        if w in ("khong", "chua", "chang", "cam"):
            if asked & set(words[i + 1:i + 5]):
                return True
    return False


def _list(answerer, q: Query, cands: list[Candidate], cites: CitationList) -> str:
    """A list's items, without their lead-in: "… bao gồm:" is in the citation."""
    best = cands[0]
    text = best.hit.text
    head = best.lead or ((best.start, best.end) if best.text.rstrip().endswith(":") else None)
    run = items_after(text, head[1]) if head else None
    if not run:
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        idx = next((i for i, (s, e) in enumerate(lines) if s <= best.start < e + 1), 0)
        bullets = [i for i, (s, e) in enumerate(lines) if _BULLET.match(text[s:e])]
        near = [i for i in bullets if abs(i - idx) <= 6][:8]
        # One list is written with one kind of marker: a numbered heading above dashes
        # ("3. Hình thức tuyên truyền" over "- …") is the list's heading, not its first item.
        kinds = [marker_kind(text[lines[i][0]:lines[i][1]]) for i in near]
        top = max(set(kinds), key=kinds.count) if kinds else None
        if top is not None and kinds.count(top) >= 2:
            near = [i for i, k in zip(near, kinds) if k == top]
        if len(near) >= 2:
            run = (lines[near[0]][0], lines[near[-1]][1])
            head = head or (run[0], run[0])
    if run:
        start = head[0] if head and head[1] <= run[0] and not text[head[1]:run[0]].strip() else run[0]
        n = cites.cite(best.hit.payload, start, run[1])
        items = [_BULLET.sub("", ln).strip().rstrip(";.,") for ln in text[run[0]:run[1]].split("\n") if ln.strip()]
        # A long item by its first clauses: the list is the answer, each item's detail is in the card.
        items = [i if len(i) <= 120 else _cut(i, (0, _first_clauses(i, 100))) for i in items]
        more = continued_items(answerer.doc_chunks(best.hit.doc_id), best.hit.payload, run[1], 8 - len(items))
        if more:
            payload, a, b = more
            m = cites.cite(payload, a, b)
            extra = [_BULLET.sub("", ln).strip().rstrip(";.,") for ln in payload["text"][a:b].split("\n") if ln.strip()]
            extra = [i if len(i) <= 120 else _cut(i, (0, _first_clauses(i, 100))) for i in extra]
            return f"Gồm: {'; '.join(items)} [{n}]; {'; '.join(extra)} [{m}]."
        return f"Gồm: {'; '.join(items)} [{n}]."
    # Paragraphs a topic line opens ("Về nội dung tuyên truyền, …" then "Tuyên truyền …").
    topic = topic_run(answerer.doc_chunks(best.hit.doc_id), q.question) if not run else []
    if topic:
        items = []
        for payload, a, b in topic:
            line = re.sub(r"^\s*Về\s+[^,\n]{3,60},\s*", "", payload["text"][a:b]).strip().rstrip(";.,")
            line = line[:1].upper() + line[1:]
            items.append(f"{line if len(line) <= 120 else _cut(line, (0, _first_clauses(line, 100)))} "
                         f"[{cites.cite(payload, a, b)}]")
        return "Gồm: " + "; ".join(items) + "."
    # The heading of a section with sub-sections ("1. … trên cả 3 trụ cột" over "1.1. Trụ cột
    # Chính trị - An ninh", "1.2. …"): its sub-sections are the list.
    subs = sub_headings(answerer.doc_chunks(best.hit.doc_id), best.hit.payload, best.start) if not run else []
    if len(subs) >= 2:
        return "Gồm:\n" + "\n".join(f"{p['text'][a:b].strip()} [{cites.cite(p, a, b)}]" for p, a, b in subs)
    # Items written inline: "gồm A, B và C".
    if inline_list_start(best.text, q.question) is not None:
        best = run_on(best)
        listed = best.text[inline_list_start(best.text, q.question):]
        return _with_support("Gồm: " + _cut(listed, window(listed, q, LIST_CHARS)), best, q, cites, None)
    para = paragraph_items(text, best.start)
    if para:
        start, end, items = para
        n = cites.cite(best.hit.payload, start, end)
        items = [i if len(i) <= 120 else _cut(i, (0, _first_clauses(i, 100))) for i in items]
        return f"Gồm: {'; '.join(items)} [{n}]."
    return _general(answerer, q, cands, cites)
