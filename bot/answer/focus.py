"""Answers about what a thread is about: the attributes of the task in focus, an item of the last
answer's list, and saying plainly that the task or document in focus does not state what is
asked ("Mục 1.3 của Kế hoạch 159/KH-UBND không nêu đơn vị phối hợp") instead of answering from
another task or document.

Everything quoted is an exact span of the document, cited like every other answer.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from bot.answer.citations import Citation, CitationList
from bot.answer.clauses import short as _short
from bot.answer.conversation import Item
from bot.answer.evidence import coverage, terms
from bot.answer.extractive import Answer
from bot.answer.followup_words import ATTRIBUTE_LABELS, attribute_terms
from bot.answer.lists import split_last_and
from bot.answer.passages import article_of
from ingest.lang.normalize import fold_accents

# List markers and their rank in a plan's hierarchy: "II." above "1." above "1.1." above "a)"
# above "-" above "+". A line without a marker continues the item above it.
_MARKERS = [
    (re.compile(r"^[IVXL]+\.\s"), 0),
    (re.compile(r"^\d+\.\d+\.\d+\.?\s"), 3),
    (re.compile(r"^\d+\.\d+\.?\s"), 2),
    (re.compile(r"^\d+[.)]\s"), 1),
    (re.compile(r"^[a-zđ]\)\s"), 4),
    (re.compile(r"^[-–]\s*\S"), 5),
    (re.compile(r"^\+\s*\S"), 6),
    (re.compile(r"^[•*]\s*\S"), 7),
]
_MARKER_TEXT = re.compile(r"^\s*(?:[IVXL]+\.|\d+(?:\.\d+)*[.)]?|[a-zđ]\)|[-–+•*])\s*")
_SECTION_NUMBER = re.compile(r"^((?:[IVXL]+|\d+)(?:\.(?:\d+|[a-zđ]))*)\b")
_CITE = re.compile(r"\[(\d+)\]")
BODY_CHARS = 1200


def rank(line: str) -> int | None:
    line = line.lstrip()
    return next((r for pattern, r in _MARKERS if pattern.match(line)), None)


def lines_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of ``text`` that hold any of [start, end)."""
    a = text.rfind("\n", 0, start) + 1
    out = []
    while a < len(text) and a < max(end, start + 1):
        b = text.find("\n", a)
        b = len(text) if b < 0 else b
        if text[a:b].strip():
            out.append((a, b))
        a = b + 1
    return out


def body_of(text: str, start: int, limit: int = BODY_CHARS) -> tuple[int, int]:
    """An item and what belongs to it: from its line to the next line of the same or a higher
    rank (a heading's sub-items and paragraphs belong to it; a marker-less paragraph is alone)."""
    a = text.rfind("\n", 0, start) + 1
    first_end = text.find("\n", a)
    first_end = len(text) if first_end < 0 else first_end
    own = rank(text[a:first_end])
    if own is None:
        return a, first_end
    end = first_end
    pos = first_end + 1
    deeper = False
    while pos < len(text):
        b = text.find("\n", pos)
        b = len(text) if b < 0 else b
        r = rank(text[pos:b])
        if r is not None and r <= own:
            break
        if r is None and (own >= 5 or deeper):
            break  # a paragraph after bullets is the parent's again ("Trên đây là …"), not the item's
        deeper = deeper or r is not None
        if text[pos:b].strip():
            if b - a > limit and end > first_end:
                break
            end = b
        pos = b + 1
    return a, end


def section_ref(section: str | None) -> str | None:
    """"mục 1.3" of a plan's numbered section, "Điều 28" of a legal text's article, else None."""
    article = re.search(r"\bĐiều\s+(\d+[a-z]?)", section or "")
    if article:
        return f"Điều {article.group(1)}"
    m = _SECTION_NUMBER.match((section or "").strip())
    return f"mục {m.group(1)}" if m else None


def where(label: str, section: str | None) -> str:
    """"Kế hoạch 159/KH-UBND, mục 1.3" (or the document alone when the section has no number)."""
    ref = section_ref(section)
    return f"{label}, {ref}" if ref else label


def cite(cites: CitationList, chunks: list[dict], text: str, start: int, end: int) -> int | None:
    """Cite text[start:end] of a document through the chunk that holds its start."""
    chunk = next((c for c in chunks if c["char_start"] <= start < c["char_end"]), None)
    if chunk is None:
        return None
    stop = max(end, chunk["char_end"])
    payload = {**chunk, "text": text[chunk["char_start"]:stop]}
    return cites.cite(payload, start - chunk["char_start"], end - chunk["char_start"])


# -- the task in focus -----------------------------------------------------------------------------

def tasks_in_focus(tasks: list[Any], doc_id: str, spans: list[tuple[int, int]], text: str,
                   chunks: list[dict]) -> list[Any]:
    """The tasks the passages in focus belong to: those on the same lines first (a sentence may
    hold two, "Giao Vụ … chủ trì …, báo cáo kết quả về Bộ …"), else those of the same chunk (a
    plan's item never leaves its chunk), nearest first."""
    own = [t for t in tasks if t.doc_id == doc_id]
    if not own or not spans:
        return []
    main = spans[0]
    lines = [line for s, e in spans for line in lines_of(text, s, e)]

    def overlaps(t: Any, a: int, b: int) -> bool:
        lo, hi = min(t.task_start, t.char_start), max(t.task_end, t.char_end)
        return lo < b and a < hi

    def distance(t: Any) -> int:
        lo, hi = min(t.task_start, t.char_start), max(t.task_end, t.char_end)
        return 0 if lo < main[1] and main[0] < hi else min(abs(lo - main[1]), abs(main[0] - hi))

    found = [t for t in own if any(overlaps(t, a, b) for a, b in lines)]
    if not found:
        ranges = [(c["char_start"], c["char_end"]) for c in chunks
                  if any(c["char_start"] < e and s < c["char_end"] for s, e in spans)]
        found = [t for t in own if any(overlaps(t, a, b) for a, b in ranges)]
    return sorted(found, key=distance)


def _words(text: str) -> set[str]:
    """The single syllables of ``text`` (its word pairs left out)."""
    return {t for t in terms(text) if "_" not in t}


def by_shared_words(tasks: list[Any], question: str) -> list[Any]:
    """``tasks`` ordered by how many content words of ``question`` their text shares, most first
    (ties keep their order)."""
    asked = _words(question)
    return sorted(tasks, key=lambda t: -len(asked & _words(t.task)))


def siblings_stating(tasks: list[Any], focus: list[Any], asked: list[str], question: str) -> list[Any]:
    """When no task in focus states what is asked: the other tasks of the same unit in the same
    section that share content words with the follow-up ("Phòng đó tổng hợp kết quả xong thì báo
    cáo lên đâu?" → the same unit's "Tổng hợp kết quả …, báo cáo UBND tỉnh"), most shared first."""
    if not focus or any(attribute_values(t, a) for t in focus for a in asked):
        return []
    first = focus[0]
    leads = set(first.lead_units)
    asked_words = _words(question)
    near = [t for t in tasks if t not in focus and t.section == first.section and leads & set(t.lead_units)
            and any(attribute_values(t, a) for a in asked) and asked_words & _words(t.task)]
    return by_shared_words(near, question)


_FIGURE = re.compile(r"\d+")


def _article(section: str) -> str:
    """The article a section lies in ("Chương II Điều 8.1.a …" → "8"), else its top part ("II.1.3 …" → "II")."""
    return article_of({"section": section}) or (section or "").split(" ")[0].split(".")[0]


def tasks_with_figures(tasks: list[Any], focus: list[Any], asked: list[str], message: str, text: str) -> list[Any]:
    """A follow-up that swaps the figures of the task in focus for others ("còn loại 1, 2, 3, 4, 9
    thì ai cấp?" after the task for "loại 5 và loại 8"): the tasks of the same article whose words
    hold every figure it names and that state what is asked. Empty when the focus holds them."""
    figures = set(_FIGURE.findall(message))
    if not figures or not focus:
        return []

    def holds(t: Any) -> bool:
        return figures <= set(_FIGURE.findall(text[t.task_start:t.task_end]))

    if any(holds(t) for t in focus):
        return []
    article = _article(focus[0].section)
    return [t for t in tasks if t not in focus and _article(t.section) == article and holds(t)
            and any(attribute_values(t, a) for a in asked)]


def unit_tasks_stating(tasks: list[Any], item_text: str, asked: list[str], question: str) -> list[Any]:
    """An item of a list that names a unit ("b) Ủy ban nhân dân cấp huyện;"), asked an attribute
    ("Đối tượng thứ hai phải nộp báo cáo trước ngày nào?"): that unit's tasks in the document that
    state it and share words with the question, most shared first."""
    from ingest.unit_names import unit_key
    from ingest.units import find_units

    body = _MARKER_TEXT.sub("", item_text).strip(" ;,.:")
    units = find_units(body)
    if not units or len(body) - sum(u.end - u.start for u in units) > 12:
        return []  # the item is more than a unit's name
    keys = {unit_key(u.name) for u in units}
    asked_words = _words(question)
    own = [t for t in tasks if keys & {unit_key(u) for u in t.lead_units} and any(attribute_values(t, a) for a in asked)
           and asked_words & _words(t.task)]
    return by_shared_words(own, question)


def task_for_question(tasks: list[Any], weights: dict[str, float], asked: list[str], text: str,
                      head: str) -> Any | None:
    """The one task of a document whose own words (its heading, its block, and the document's
    title and issuer in ``head``) hold every distinctive word of a question (``weights``, the
    question's word weights; coverage ≥ 0.9, as a document fact asks) and that states an asked
    attribute; None when none or several do: a plan's task block answers its own unit question."""
    asking = attribute_terms(asked)  # "… phải nộp báo cáo cho cơ quan nào?": "nộp" asks
    words = {t: w for t, w in weights.items() if "_" not in t and t not in asking}
    covered = [(coverage(words, terms(f"{head}\n{t.section}\n{t.context}\n{text[t.task_start:t.task_end]}")), t)
               for t in tasks if any(attribute_values(t, a) for a in asked)]
    fits = [(c, t) for c, t in covered if c >= 0.9]
    # several fit: the one that holds every word, when only one does
    whole = [t for c, t in fits if c >= 1.0]
    return fits[0][1] if len(fits) == 1 else whole[0] if len(whole) == 1 else None


def attribute_values(task: Any, attribute: str) -> list[str]:
    """What ``task`` states for an asked attribute (its units in that role, its deadline, whom it reports to)."""
    if attribute == "deadline":
        return [task.deadline] if task.deadline else []
    if attribute == "report_to":
        return list(task.report_to or [])
    return list(task.units(attribute))


def attribute_answer(question: str, asked: list[str], tasks: list[Any], named_units: list[str], text: str,
                     chunks: list[dict], label: str, section: str | None,
                     unit_mention: Callable[[str, Any, str], tuple[int, int, str] | None]) -> Answer:
    """What the task in focus says for each asked attribute, cited where the plan says it; for an
    attribute it does not give, that plain fact for that task. ``named_units``: units the
    message points at ("Sở đó"): a task where they have a role is preferred."""
    from ingest.unit_names import unit_key

    keys = {unit_key(u) for u in named_units}

    def preference(t: Any) -> int:
        return 0 if keys and any(unit_key(u) in keys for r in ("lead", "partner", "focal", "guiding")
                                 for u in t.units(r)) else 1

    ordered = sorted(tasks, key=preference)
    cites = CitationList()
    lines: list[str] = []
    missing: list[str] = []
    chosen = None
    for attribute in asked:
        task = next((t for t in ordered if attribute_values(t, attribute)), None)
        if task is None:
            missing.append(attribute)
            continue
        chosen = chosen or task
        shown, n = [], None
        for value in attribute_values(task, attribute):
            at = unit_mention(text, task, value) if attribute != "deadline" else _deadline_at(text, task, value)
            if at:
                start, end, written = at
                shown.append(written.strip(" :;,.-"))
                if n is None:
                    a, b = lines_of(text, start, end)[0]
                    n = cite(cites, chunks, text, a, b)
            else:
                shown.append(value)
        if n is None:
            n = cite(cites, chunks, text, task.char_start, task.char_end)
        lines.append(f"{ATTRIBUTE_LABELS[attribute]}: {', '.join(shown)}" + (f" [{n}]." if n else "."))
    task = chosen or (ordered[0] if ordered else None)
    section = (task.section if task is not None else None) or section
    place = _place(label, section, task is not None)
    if not lines:
        return not_stated(question, place, missing)
    if missing:
        lines.append(f"{place} không nêu {_joined(missing)}.")
    n_task = cite(cites, chunks, text, task.char_start, task.char_end)
    lines.append(f"Nhiệm vụ: {task.task} ({where(label, section)})" + (f" [{n_task}]." if n_task else "."))
    return Answer("\n".join(lines), cites.items, True, question, [], {"source": "thread task"})


def _deadline_at(text: str, task: Any, value: str) -> tuple[int, int, str] | None:
    lo, hi = min(task.task_start, task.char_start), max(task.task_end, task.char_end)
    i = fold_accents(text[lo:hi]).lower().find(fold_accents(value).lower())
    return (lo + i, lo + i + len(value), text[lo + i:lo + i + len(value)]) if i >= 0 else None


def _joined(attributes: list[str]) -> str:
    names = [ATTRIBUTE_LABELS[a].lower() for a in attributes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def _place(label: str, section: str | None, is_task: bool) -> str:
    ref = section_ref(section)
    if ref:
        return f"{ref[0].upper()}{ref[1:]} của {label}"
    return f"{'Nhiệm vụ' if is_task else 'Nội dung'} này trong {label}"


def not_stated(question: str, place: str, attributes: list[str] | None = None) -> Answer:
    """A refusal about the thread's own task or document: what it does not state."""
    what = _joined(attributes) if attributes else ""
    text = f"{place} không nêu {what}." if what else f"{place} không đề cập đến nội dung này."
    return Answer(text, [], False, question, [], {"reason": "the thread's task or document does not state it"})


def place_of(label: str, section: str | None, is_task: bool = False) -> str:
    return _place(label, section, is_task)


# -- lists -------------------------------------------------------------------------------------------

def answer_items(answer: Answer, text_of: Callable[[str], str]) -> list[Item]:
    """The items of an answer's list as the user saw them, located in the document: the entries
    the answer enumerates (its numbered lines, or "A; B; C" after "gồm:"), else the list lines it
    quotes, else the sub-items of the heading it quotes, else the paragraphs it quotes."""
    if not answer.citations:
        return []
    doc = answer.citations[0].doc_id
    text = text_of(doc)
    if not text:
        return []
    cited = [c for c in answer.citations if c.doc_id == doc]
    by_n = {c.n: c for c in cited}
    items = _enumerated(answer.text, by_n, text)
    if len(items) >= 2:
        return [Item(doc, a, b, text[a:b].strip()) for a, b in items]
    return passage_items(doc, text, [(c.char_start, c.char_end) for c in cited])


def passage_items(doc: str, text: str, spans: list[tuple[int, int]]) -> list[Item]:
    """The list the passages ``spans`` of ``doc`` hold: their list lines of the top rank, else the
    sub-items of the heading they start with, else their paragraphs."""
    lines = sorted({line for s, e in spans for line in lines_of(text, s, e)})
    marked = [(a, b, rank(text[a:b])) for a, b in lines if rank(text[a:b]) is not None]
    if len(marked) >= 2:
        top = min(r for _, _, r in marked)
        if sum(1 for *_, r in marked if r == top) >= 2:
            return [Item(doc, a, b, text[a:b].strip()) for a, b, r in marked if r == top]
    if lines:
        a, _ = lines[0]
        line_end = text.find("\n", a)
        own = rank(text[a:line_end if line_end >= 0 else len(text)])
        start, end = body_of(text, a, limit=20000)
        children = [(x, y, rank(text[x:y])) for x, y in lines_of(text, start, end)[1:]]
        deeper = [r for *_, r in children if r is not None and (own is None or r > own)]
        if deeper:
            level = min(deeper)
            found = [(x, y) for x, y, r in children if r == level]
            if len(found) >= 2:
                return [Item(doc, x, y, text[x:y].strip()) for x, y in found]
    if len(lines) >= 2:
        return [Item(doc, a, b, text[a:b].strip()) for a, b in lines]
    return []


def _enumerated(answer_text: str, by_n: dict[int, Citation], text: str) -> list[tuple[int, int]]:
    """Entries an answer spells out, each mapped to the document line it comes from."""
    entries = [line for line in answer_text.split("\n") if _MARKER_TEXT.match(line) and line.strip()]
    if len(entries) < 2:
        m = re.search(r"(?:gồm|bao gồm|là)\s*:\s*([^\n]+)", answer_text, flags=re.I)  # the answer's own line
        entries = split_last_and([e for e in re.split(r";\s*", m.group(1)) if e.strip()]) if m else []
        if len(entries) < 2:
            return []
    found: list[tuple[int, int, int, int]] = []  # the entry's line, where the entry is in it
    folded_doc = fold_accents(text).lower()
    for entry in entries:
        ns = [int(n) for n in _CITE.findall(entry) if int(n) in by_n]
        if len(set(ns)) == 1 and len(entries) == len({x for e in entries for x in _CITE.findall(e)}):
            a, b = lines_of(text, by_n[ns[0]].char_start, by_n[ns[0]].char_end)[0]
            found.append((a, b, a, b))
            continue
        words = _MARKER_TEXT.sub("", _CITE.sub("", entry)).replace("…", " ").strip(" .;:")
        key = fold_accents(" ".join(words.split()[:6])).lower()
        if not key:
            continue
        # Where the answer quoted it; entries are often shortened from both ends ("… của đơn vị;").
        i = next((j for c in by_n.values() if (j := folded_doc.find(key, c.char_start, c.char_end)) >= 0), -1)
        if i < 0:
            i = folded_doc.find(key)
        if i < 0:
            return []
        full = fold_accents(" ".join(words.split())).lower()
        found.append((*lines_of(text, i, i + len(key))[0], i, i + len(full if folded_doc.startswith(full, i) else key)))
    lines = list(dict.fromkeys((a, b) for a, b, _, _ in found))
    # Entries of one line ("gồm A, B và C; D, E") are that line's own spans, not the line.
    return [(i, j) for _, _, i, j in found] if len(lines) == 1 and len(found) >= 2 else lines


_ORDINAL_WORDS = r"(?:\d+|nhat|hai|ba|tu|bon|nam|sau|bay|tam|chin|muoi|dau tien|cuoi cung)"
# Nouns that name no kind of item ("ý thứ hai", "mục thứ ba"): only the last answer's list says.
_GENERIC_ITEM_NOUNS = {"y", "muc", "diem", "phan", "khoan", "dieu", "cai", "noi dung", "viec", "dong", "cau"}


def named_items(message: str, text: str, doc_id: str) -> list[Item]:
    """The list a message names by the noun before its ordinal ("trụ cột thứ hai" → the lines of
    ``text`` that begin, after their marker, with "Trụ cột"), for a thread whose last answer showed
    no list: its document's lines of that kind, in order. Empty when the noun is generic or fewer
    than two lines begin with it."""
    folded = fold_accents(message).lower()
    ordinal = rf"(?:thu\s+{_ORDINAL_WORDS}|cuoi cung|sau cung|dau tien)\b"
    m = re.search(rf"(\w+)\s+(\w+)\s+{ordinal}|(\w+)\s+{ordinal}", folded)
    if not m:
        return []
    nouns = [f"{m.group(1)} {m.group(2)}", m.group(2)] if m.group(1) else [m.group(3)]
    for noun in nouns:
        if noun in _GENERIC_ITEM_NOUNS or len(noun) < 3:
            continue
        found = []
        for a, b in lines_of(text, 0, len(text)):
            line = text[a:b].strip()
            if rank(line) is None:
                continue
            words = fold_accents(_MARKER_TEXT.sub("", line)).lower()
            if re.match(rf"{re.escape(noun)}\b", words):
                found.append((rank(line), Item(doc_id, a, b, line)))
        # One list is marked one way: the lines of the rank most of them have.
        ranks = [r for r, _ in found]
        top = max(set(ranks), key=ranks.count) if ranks else None
        found_items = [item for r, item in found if r == top]
        if len(found_items) >= 2:
            return found_items
    return []


_FIELD = re.compile(r"^\s*(?:[-+•*]\s*)?([^:\n]{3,60}?)\s*:\s*(\S[^\n]*)$")
# Words that ask rather than name a field ("Nội dung triển khai là gì?").
_FIELD_ASKING = {"la", "gi", "the", "nao", "ra", "sao", "cu", "con", "thi", "vay", "nhu", "duoc", "co", "khong",
                 "cua", "viec", "do", "nay", "ay", "nhung"}


def labeled_field(message: str, text: str, start: int) -> tuple[int, int, str, str] | None:
    """A field of the task in focus that a follow-up names by its label ("Nội dung triển khai là
    gì?" → the line "- Nội dung triển khai: …" of the block holding ``start``): its line's span,
    label and value. The block is the item under the nearest numbered heading above ``start``.
    None unless every word of the label is in the message and the message asks nothing else."""
    words = re.findall(r"\w+", fold_accents(message).lower())
    own = [w for w in words if w not in _FIELD_ASKING]
    if not own or len(words) > 10:
        return None
    head = text.rfind("\n", 0, start) + 1
    while head > 0 and (rank(text[head:text.find("\n", head)]) or 9) > 4:
        head = text.rfind("\n", 0, head - 1) + 1
    a, b = body_of(text, head, limit=20000)
    for x, y in lines_of(text, a, b):
        m = _FIELD.match(text[x:y])
        if not m:
            continue
        label = re.findall(r"\w+", fold_accents(m.group(1)).lower())
        if len(label) >= 2 and set(own) <= set(label) and len(set(own)) >= 2:
            return x, y, m.group(1).strip(), m.group(2).strip()
    return None


def field_answer(question: str, found: tuple[int, int, str, str], text: str, chunks: list[dict]) -> Answer:
    """The field's value under its label, cited where the block states it."""
    x, y, label, value = found
    cites = CitationList()
    n = cite(cites, chunks, text, x, y)
    return Answer(f"{label}: {value.rstrip('.')} [{n}].", cites.items, bool(n), question, [], {"source": "task field"})


def item_answer(question: str, item: Item, text: str, chunks: list[dict]) -> Answer:
    """An item of the last list, in full: its line and what belongs to it (an entry of a list
    written inline, "gồm A, B; C", is its own words), quoted and cited."""
    inline = item.start > 0 and text[item.start - 1] != "\n"
    start, end = (item.start, item.end) if inline else body_of(text, item.start)
    cites = CitationList()
    n = cite(cites, chunks, text, start, end)
    quoted = text[start:end].strip()
    body = f"{quoted} [{n}]" if n else quoted
    return Answer(body, cites.items, bool(n), question, [], {"source": "thread item"})


def asked_label(reading: Any) -> tuple[str, bool]:
    """What a turn asked, in a few words, and whether it is about a task or passage (then its
    section is shown) rather than the document as a whole (its signer, date, số hiệu)."""
    from bot.answer.intent import classify, mentions_signing
    from bot.answer.parts import asked_part, asks_how_long, asks_period

    if reading.kind == "list_item" and reading.item is not None:
        words = _short(_MARKER_TEXT.sub("", reading.item.text).strip(" :"), 80)
        return (f"Ý thứ {reading.item_number}: {words}" if reading.item_number else words), True
    from bot.answer.document_facts import asks_issuer
    folded = fold_accents(reading.question).lower()
    if asks_issuer(folded):
        return "Cơ quan ban hành", False
    if reading.asked:
        names = [ATTRIBUTE_LABELS[a] for a in reading.asked]
        return names[0] + "".join((" và " if i == len(names) - 1 else ", ") + n.lower()
                                  for i, n in enumerate(names[1:], 1)), True
    intent = classify(reading.question)
    if intent.kind == "signer":
        return "Người ký", False
    if re.search(r"\bhieu luc\b", folded):
        return ("Thời hạn hiệu lực" if asks_how_long(reading.question) else "Ngày có hiệu lực"), False
    if intent.kind == "date" and (re.search(r"\b(?:ban hanh|dang)\b", folded) or mentions_signing(reading.question)):
        return "Ngày ban hành", False
    if asked_part(reading.question) == "basis":
        return "Văn bản căn cứ", False
    if asks_period(folded):  # the period its title names
        return "Giai đoạn", False
    if intent.kind == "number" and re.search(r"\bso hieu\b", folded):
        return "Số hiệu", False
    return _short(reading.question.rstrip(" ?"), 120), True
