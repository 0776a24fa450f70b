"""How a document writes a list besides an item run after its lead-in: the headings of a section's
sub-sections, a run of markers of one kind that the chunker cut and the next chunk goes on with,
or the sentences of one paragraph. Used by the answer's shape (bot/answer/shaping.py)."""
from __future__ import annotations

import re

from bot.answer.passages import CLAUSE_HEAD, article_of
from ingest.lang.sentences import split_sentences

# A list line's marker: a dash, a plus, a bullet, "a)", "3." or "2)".
BULLET = re.compile(r"^\s*(?:[-–+•*]|[a-zđ]\)|\d{1,2}[.)])\s*")

_SECTION_NUMBER = re.compile(r"^((?:[IVXL]+|\d+)(?:\.(?:\d+|[a-zđ]))*)\b")


def sub_headings(chunks: list[dict], payload: dict, start: int) -> list[tuple[dict, int, int]]:
    """When ``start`` is on the heading line of ``payload``'s section, the heading lines of that
    section's direct sub-sections, in order (each where its first chunk starts); else none."""
    m = _SECTION_NUMBER.match(payload.get("section") or "")
    if not m:
        return []
    number = m.group(1)
    text = payload["text"]
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:text.find("\n", start) if "\n" in text[start:] else len(text)]
    if not re.match(rf"\s*{re.escape(number.split('.')[-1])}[.)]?\s", line):
        return []
    heads, seen = [], set()
    for chunk in sorted(chunks, key=lambda c: c.get("ordinal", 0)):
        sub = _SECTION_NUMBER.match(chunk.get("section") or "")
        if not sub or sub.group(1) in seen or not sub.group(1).startswith(number + "."):
            continue
        if sub.group(1).count(".") != number.count(".") + 1:
            continue
        seen.add(sub.group(1))
        first = chunk["text"].split("\n", 1)[0]
        if re.match(r"\s*(?:\d+(?:\.\d+)*\.?|[a-zđ]\)|[IVXL]+\.)\s+\S", first) and len(first) < 200:
            heads.append((chunk, 0, len(first)))
    return heads


def marker_kind(line: str) -> str:
    """A list line's kind of marker: a dash (-, •), a plus (a level under the dashes), a number
    ("3.", "2)") or a letter ("a)")."""
    mark = BULLET.match(line).group(0).strip()
    if mark[:1] == "+":
        return "plus"
    return "dash" if mark[:1] in "-–•*" else "number" if mark[:1].isdigit() else "letter"


def continued_items(chunks: list[dict], payload: dict, end: int, room: int) -> tuple[dict, int, int] | None:
    """When a list runs to the end of its chunk (``end``), the items it goes on with at the start
    of the next chunk of the same section (a list cut by the chunker is still one list): that
    chunk and the span of its leading items, at most ``room`` of them."""
    if room <= 0 or payload["text"][end:].strip():
        return None
    ordered = sorted(chunks, key=lambda c: c.get("ordinal", 0))
    at = next((i for i, c in enumerate(ordered) if c.get("chunk_id") == payload.get("chunk_id")), None)
    if at is None or at + 1 >= len(ordered):
        return None
    # the next chunk's section is its first line's: a later item of the list ("Điều 8.2.c"), so
    # the same article (or the same section, outside articles) is what keeps the list going
    same_article = article_of(ordered[at + 1]) is not None and article_of(ordered[at + 1]) == article_of(payload)
    if ordered[at + 1].get("section") != payload.get("section") and not same_article:
        return None
    nxt = ordered[at + 1]
    stop = None
    kind = None
    for i, m in enumerate(re.finditer(r"[^\n]+", nxt["text"])):
        if i >= room or not BULLET.match(m.group(0)):
            break
        # one list, one kind of marker: "2. Mở rộng …" after "c) …" starts the next clause
        kind = kind or marker_kind(m.group(0))
        if marker_kind(m.group(0)) != kind:
            break
        stop = m.end()
    return (nxt, 0, stop) if stop else None


def paragraph_items(text: str, pos: int) -> tuple[int, int, list[str]] | None:
    """A list written as the sentences of one paragraph ("Phổ biến tài liệu …. Vận động học sinh
    …; Tổ chức xây dựng Góc ASEAN …"): from the sentence at ``pos`` to the paragraph's end, or
    the paragraph under it when ``pos`` is on a heading line. None when it holds one sentence."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    start = pos
    if (CLAUSE_HEAD.match(line) or re.match(r"\s*[a-zđ]\)\s", line)) and len(line) < 150 and not line.rstrip().endswith((".", ";")) and line_end < len(text):
        line_start = start = line_end + 1
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
    if BULLET.match(text[line_start:line_end]):
        return None  # a bulleted line is one item of a list the bullets make
    sents = [(line_start + a, line_start + b) for a, b in split_sentences(text[line_start:line_end], semicolons=True)
             if line_start + b > start]
    if len(sents) < 2:
        return None
    items = [text[a:b].strip().rstrip(";.,") for a, b in sents]
    return sents[0][0], sents[-1][1], [i for i in items if i]


_TOPIC = re.compile(r"^\s*Về\s+([^,\n]{3,60}),\s*(\w+)\s+(\w+)")


def topic_run(chunks: list[dict], question: str) -> list[tuple[dict, int, int]]:
    """A list a news page writes as paragraphs: one opens "Về <topic>, <first item>" with the
    question's own words for the topic ("Về nội dung tuyên truyền, tuyên truyền về …" for "tuyên
    truyền những nội dung gì"), and the next paragraphs begin as its first item does ("Tuyên truyền,
    …"), across chunks. Each paragraph's line, in order; empty when there are fewer than three."""
    from ingest.lang.normalize import fold_accents

    asked = set(re.findall(r"\w+", fold_accents(question).lower()))
    ordered = sorted(chunks, key=lambda c: c.get("ordinal", 0))
    lines = [(c, m.start(), m.end()) for c in ordered for m in re.finditer(r"[^\n]+", c["text"]) if m.group(0).strip()]
    for i, (chunk, a, b) in enumerate(lines):
        m = _TOPIC.match(chunk["text"][a:b])
        topic = re.findall(r"\w+", fold_accents(m.group(1)).lower()) if m else []
        if len(topic) < 2 or not set(topic) <= asked:
            continue
        opening = fold_accents(f"{m.group(2)} {m.group(3)}").lower()
        run = [(chunk, a, b)]
        for nxt, x, y in lines[i + 1:]:
            if nxt.get("section") != chunk.get("section") or not fold_accents(nxt["text"][x:y]).lower().startswith(opening):
                break
            run.append((nxt, x, y))
        if len(run) >= 3:
            return run
    return []


# What opens a list written inline: "gồm", "bao gồm", "như", "là", or a colon after a noun
# ("… cho các tiêu chí: A (…); B (…) và C (…)").
_INLINE_OPENER = re.compile(r"\b(?:bao gồm|gồm|như|là)\s*:?\s+|(?<=\w):\s+")


def listed_noun(question: str) -> str | None:
    """The noun a "những/các … nào/gì" question lists ("dựa trên những tiêu chí nào?" → "tieu
    chi"), folded; None when the question names none."""
    from ingest.lang.normalize import fold_accents

    m = re.search(r"\b(?:nhung|cac)\s+((?:\w+\s+){0,2}?\w+)\s+(?:nao|gi)\b", fold_accents(question).lower())
    return m.group(1) if m else None


def inline_list_start(text: str, question: str) -> int | None:
    """Where the items of a list written inline in ``text`` begin: after the opener that the
    question's listed noun leads ("các tiêu chí:" for "những tiêu chí nào"), else the first
    opener; never one inside brackets, which opens an aside ("(gồm Chủ tịch Hội đồng là …)"),
    and never one with no separator after it. None when no opener qualifies."""
    from ingest.lang.normalize import fold_accents

    noun = listed_noun(question)
    found: list[tuple[int, int]] = []
    for m in _INLINE_OPENER.finditer(text):
        before = text[:m.start()]
        if before.count("(") > before.count(")"):
            continue
        rest = text[m.end():]
        if "," not in rest and ";" not in rest and " và " not in rest:
            continue
        led = bool(noun) and fold_accents(" ".join(before.split()[-4:])).lower().endswith(noun)
        found.append((0 if led else 1, m.end()))
    return min(found)[1] if found else None


def split_last_and(entries: list[str]) -> list[str]:
    """"A; B; C và D": the last entry of a list separated by semicolons holds two items when its
    "và" (outside brackets) is followed by words an earlier item begins with ("phương án …; …
    và phương án tài chính …"): parallel items, not one item's own "và"."""
    if len(entries) < 2:
        return entries
    last = entries[-1]
    heads = {" ".join(e.split()[:1]).lower() for e in entries[:-1]}
    for m in re.finditer(r"\svà\s", last):
        before = last[:m.start()]
        if before.count("(") > before.count(")"):
            continue
        after = last[m.end():]
        if after.split() and after.split()[0].lower() in heads:
            return entries[:-1] + [before.strip(), after.strip()]
    return entries
