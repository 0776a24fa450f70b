"""How a message relates to the thread: what it changes and what it keeps.

A follow-up is read with a small grammar of Vietnamese follow-ups, not rewritten as a string:

- **anchors** name a document: its số hiệu ("Kế hoạch 159", "Thông tư 14/2024/TT-BCT"), its
  province, issuer or title words ("Tây Ninh", "huyện Đông Sơn", "Bộ Nội vụ"), found by the
  :class:`Catalog` of indexed documents;
- **references back**: a demonstrative after a noun, whose head says what is referred to
  ("kế hoạch đó" → the document, "Sở đó" → the unit just named, "việc này / nội dung đó" → the
  task or passage in focus, "các hoạt động này" → what the thread was about), "nó", an opening
  "còn / vậy / thế" or a closing "thì sao / nữa" (weaker: a full new question may start so);
- an **ordinal** ("ý thứ hai", "trụ cột thứ ba") → that item of the last answer's list, and
  "cụ thể hơn / nói rõ hơn" → the passage in focus, in full;
- **what is asked of a task**: a role (chủ trì, phối hợp, đầu mối, định hướng), its deadline,
  where its report goes (these words, and the grammar's others, in ``followup_words.py``);
- the message's **own words**: those that are none of the above. Few, or all found in what the
  thread is about, and the message continues the thread even without a cue; many new ones, and
  it starts fresh.

:func:`read` combines these into a :class:`Reading`: the kind of turn, the standalone question,
the task attributes asked and the documents the answer must come from.

>>> from bot.answer.conversation import Turn
>>> catalog = Catalog({"qn": {"number": "159/KH-UBND", "doc_type": "Kế hoạch", "province": "Quảng Ninh"},
...                    "tn": {"number": "2502/KH-UBND", "doc_type": "Kế hoạch", "province": "Tây Ninh"}})
>>> state = Turn("Kế hoạch 159/KH-UBND của Quảng Ninh ban hành ngày nào?", "qn", docs=["qn"])
>>> r = read("còn Tây Ninh thì sao?", state, catalog)
>>> r.kind, r.question, r.doc_ids
('switch_doc', 'Kế hoạch của Tây Ninh ban hành ngày nào?', ['tn'])
>>> read("Còn đơn vị phối hợp thì sao?", state, catalog).asked
['partner']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.answer.catalog import DOC_TYPES, Anchor, Catalog, Token, normalize, phrase_at, same, tokens, with_type
from bot.answer.conversation import item_named
from bot.answer.evidence import terms
from bot.answer.followup_words import (
    _ASKS_SOMETHING, _CLOSERS, _DEMONSTRATIVE_PHRASES, _DEMONSTRATIVES, _DETERMINERS, _DOC_NOUNS, _ELABORATE,
    _FOLDED_DO_NEXT, _NOT_THIS_BEFORE, _OPENERS, _ORDINALS, _TASK_NOUNS, _UNIT_NOUNS, _asking, _name_start,
    asked_attributes,
)
from bot.answer.intent import classify, mentions_signing
from bot.answer.parts import asks_period
from ingest.lang.normalize import fold_accents, has_diacritics
from ingest.lang.patterns import NUMBER

if TYPE_CHECKING:
    from bot.answer.conversation import Item, Turn


# -- reading a message ---------------------------------------------------------------------------

@dataclass
class Reference:
    kind: str  # doc, unit, task, topic, pronoun
    start: int  # the phrase (head noun … demonstrative) in the message
    end: int
    word_start: int  # the demonstrative itself
    head: str  # the head noun, or the topic noun phrase


@dataclass
class Parsed:
    text: str
    accented: bool
    anchors: list[Anchor]
    references: list[Reference]
    ordinal: int | None
    elaborate: bool
    opener: str
    closer: str
    asked: list[str]
    own: set[str]
    asks_something: bool
    possessed: bool = False  # "thời hạn của giấy phép": the attribute of a thing named, not of the task

    @property
    def anchor_docs(self) -> list[str]:
        return list(dict.fromkeys(d for a in self.anchors for d in a.doc_ids))


@dataclass
class Reading:
    kind: str  # first, fresh, switch_doc, same_doc, other_role, list_item
    question: str  # the standalone question answered
    asked: list[str] = field(default_factory=list)  # task attributes asked
    doc_ids: list[str] | None = None  # the answer comes from these documents only
    item: "Item | None" = None
    item_number: int | None = None
    strong: bool = False  # the message points back explicitly: never answered from elsewhere
    parsed: Parsed | None = None
    prefer: str | None = None  # a fresh question's passages of the thread's document rank first

    def named_docs(self, limit: int = 3) -> list[str]:
        """The documents the message itself named, when few enough to be what a thread is about."""
        docs = self.parsed.anchor_docs if self.parsed else []
        return docs if len(docs) <= limit else []


# Where a bare document noun opens what a message says: at its start, or after "trong",
# "theo", "ở", "tại" ("Trong công văn có nói …").
_BARE_TYPE_BEFORE = {"", "trong", "theo", "o", "tai"}


def _bare_type_reference(p: Parsed, focus_docs: list[str], catalog: Catalog) -> Reference | None:
    """"Công văn có cho thời hạn … không?" in a thread about a công văn: Vietnamese drops the
    demonstrative, and a document noun that opens the message with no number or name after it
    (no anchor) means the thread's document when that document is of that type. Only the
    type of the document in focus counts, so "quyết định thành lập …" in a thread about a
    công văn stays a decision, not a reference."""
    if p.references or p.anchors or not focus_docs:
        return None
    kind = fold_accents(str(catalog.records.get(focus_docs[0], {}).get("doc_type") or "")).lower()
    if not kind:
        return None
    toks = tokens(p.text)
    i = len(p.opener.split())  # "Còn công văn …"
    if i < len(toks) and toks[i].folded in _BARE_TYPE_BEFORE:
        i += 1
    n = len(kind.split())
    if i + n > len(toks) or " ".join(t.folded for t in toks[i:i + n]) != kind:
        return None
    end = toks[i + n - 1].end
    return Reference("doc", toks[i].start, end, end, p.text[toks[i].start:end])


def _references(text: str, toks: list[Token], accented: bool) -> list[Reference]:
    out: list[Reference] = []
    for i, tok in enumerate(toks):
        word = None
        if accented and tok.text in _DEMONSTRATIVES:
            word = tok
        elif not accented and tok.folded in ("nay", "ay", "kia", "do"):
            nxt = toks[i + 1].folded if i + 1 < len(toks) else ""
            prev = toks[i - 1].folded if i else ""
            if tok.folded == "do" and nxt not in _FOLDED_DO_NEXT:
                continue
            if tok.folded == "nay" and prev in _NOT_THIS_BEFORE:
                continue
            word = tok
        if word is None:
            phrase = next((p for p in _DEMONSTRATIVE_PHRASES if phrase_at(toks, i, p, accented)), None)
            if phrase is None:
                if accented and tok.text == "nó":
                    out.append(Reference("pronoun", tok.start, tok.end, tok.start, "nó"))
                continue
        if i == 0:
            continue
        # The head noun: the nearest known noun among the (up to) four words before.
        found = None
        for back in range(1, min(4, i) + 1):
            j = i - back
            for kind, nouns in (("doc", _DOC_NOUNS), ("unit", _UNIT_NOUNS), ("task", _TASK_NOUNS)):
                noun = next((n for n in nouns if phrase_at(toks, j, n, accented)
                             and j + len(n.split()) <= i), None)
                if noun:
                    found = (kind, j, noun)
                    break
            if found:
                break
        if found:
            kind, j, noun = found
            if kind == "unit" and j > 0 and any(phrase_at(toks, j - 1, n, accented) for n in ("đơn vị", "cơ quan")):
                j -= 1
            out.append(Reference(kind, toks[j].start, tok.end, tok.start, noun))
            continue
        # A topic noun phrase: the words back to a determiner or a preposition.
        j = i
        while j > 0 and i - j < 3 and toks[j - 1].folded not in {fold_accents(d) for d in _DETERMINERS} \
                and toks[j - 1].folded not in {"cho", "cua", "ve", "voi", "trong", "theo", "o", "tai", "tu", "nhu", "neu"}:
            j -= 1
        if j < i:
            out.append(Reference("topic", toks[j].start, tok.end, tok.start, text[toks[j].start:tok.start].strip()))
    return out


_ITEM_MARKER = re.compile(r"^\s*(?:[IVXL]+\.|\d+(?:\.\d+)*[.)]?|[a-zđ]\)|[-–+•*])\s*")


def _ordinal(toks: list[Token], accented: bool) -> int | None:
    for i, tok in enumerate(toks):
        if i and same(tok, "thứ", accented) and i + 1 < len(toks):
            nxt = toks[i + 1]
            if nxt.text.isdigit():
                return int(nxt.text)
            for word, n in _ORDINALS.items():
                if phrase_at(toks, i + 1, word, accented) and " " not in word:
                    return n
        for word in ("đầu tiên", "cuối cùng", "sau cùng"):
            if i and phrase_at(toks, i, word, accented):
                return _ORDINALS[word]
    return None


def parse(message: str, catalog: Catalog) -> Parsed:
    text = normalize(message)
    accented = has_diacritics(text)
    toks = tokens(text)
    anchors = catalog.anchors(text)
    references = _references(text, toks, accented)
    opener = next((p for p in _OPENERS if phrase_at(toks, 0, p, accented)), "")
    body = text.rstrip(" ?.!")
    closer = next((p for p in _CLOSERS if fold_accents(body.lower()).endswith(" " + fold_accents(p))
                   and (not accented or body.lower().endswith(" " + p))), "")
    lowered = text.lower()
    elaborate = any(re.search(r"(?<!\w)" + re.escape(p if accented else fold_accents(p)) + r"(?!\w)",
                              lowered if accented else fold_accents(lowered)) for p in _ELABORATE)
    # Own words: what is left once anchors, references and the asking words are set aside.
    masked = list(text)
    for span in [(_name_start(text, a.start), catalog.name_end(text, a)) for a in anchors] + [(r.start, r.end) for r in references
                                                                         if r.kind != "topic"]:
        masked[span[0]:span[1]] = " " * (span[1] - span[0])
    for r in references:
        if r.kind == "topic":
            masked[r.word_start:r.end] = " " * (r.end - r.word_start)
    own = set()
    masked_toks = tokens("".join(masked))
    asked = asked_attributes(text)
    asking = _asking(masked_toks, accented, asked=asked)
    for i, tok in enumerate(masked_toks):
        if i in asking:
            continue
        if tok.text.isdigit() or len(tok.folded) < 2:
            continue
        own.add(tok.folded)
    stripped = text
    if opener:
        stripped = stripped[len(opener):]
    if closer:
        stripped = re.sub(r"\s*\S*\s*" + r"\s+".join(map(re.escape, closer.split())) + r"\s*[?.!]*$", "", stripped,
                          flags=re.I) if accented else stripped
    # A question mark asks only with words of its own: "Thế còn Đắk Lắk?" asks the same again.
    asks = bool(_ASKS_SOMETHING.search(fold_accents(stripped).lower().replace(" thi sao", "").replace("?", " "))) \
        or ("?" in stripped and bool(own))
    if closer and not re.search(r"\b(?:nao|gi|ai|dau|bao|may|khong|chua)\b",
                                fold_accents(text).lower().replace("thi sao", "")):
        asks = False
    possessed = bool(own) and bool(re.search(r"\b(?:thoi han|thoi gian|han|dinh ky)\s+(?:cua|cho|doi voi)\s+\w",
                                              fold_accents(text).lower()))
    return Parsed(text, accented, anchors, references, _ordinal(toks, accented), elaborate, opener, closer,
                  asked, own, asks, possessed)


def read(message: str, state: "Turn | None", catalog: Catalog, focus_terms: set[str] | None = None,
         continuing: bool = False) -> Reading:
    """What ``message`` asks, given the thread's state (None: the thread's first message).
    ``focus_terms``: the folded syllables of what the thread is about (its question, answer and
    passage in focus), against which a message without cues is judged to continue it.
    ``continuing``: the message is a later part of one that asked several things ("ai ký, ký
    hôm nào?"), so it points back as surely as "văn bản đó" would."""
    p = parse(message, catalog)
    if state is None:
        return Reading("first", p.text, p.asked, parsed=p)
    focus_docs = list(state.docs or ([state.doc_id] if state.doc_id else []))
    if focus_docs and not p.anchors and not p.asked and not p.references and len(p.own) <= 3 \
            and (classify(message).kind in ("date", "signer", "number")
                 or asks_period(fold_accents(message).lower())):
        # "ban hành ngày nào?", "ai ký?", "số hiệu là gì?", "cho giai đoạn nào?" with nothing else
        # named: what the thread's document itself states (its date, signer, number, period),
        # asked of it by name.
        label = catalog.label(focus_docs[0])
        return Reading("same_doc", f"{label} {p.text}", p.asked, focus_docs[:1], strong=True, parsed=p)
    bare = _bare_type_reference(p, focus_docs, catalog)
    if bare is not None:
        p.references.append(bare)
    anchor_docs = p.anchor_docs
    foreign = bool(p.anchors) and not set(anchor_docs) & set(focus_docs)
    same_anchor = bool(p.anchors) and not foreign
    strong = bool(p.references or p.ordinal is not None or p.elaborate) or continuing
    weak = bool(p.opener or p.closer)
    known = focus_terms if focus_terms is not None else {t for t in terms(state.question) if "_" not in t}
    covered = sum(1 for t in p.own if t in known) / len(p.own) if p.own else 1.0
    new_topic = len(p.own) >= 3 and covered < 0.75

    if p.ordinal is not None and state.items:
        n = p.ordinal if p.ordinal > 0 else len(state.items)
        item = state.items[n - 1] if 1 <= n <= len(state.items) else None
        # The item's words without its marker ("b) Trụ cột Kinh tế" → "Trụ cột Kinh tế"): another
        # document numbers the same item its own way.
        return Reading("list_item", _ITEM_MARKER.sub("", item.text) if item else p.text, p.asked,
                       [item.doc_id] if item else focus_docs, item, n, True, p)
    named = item_named(p.text, p.own, state) if not p.anchors and p.ordinal is None else None
    if named is not None:
        # "cái email công vụ là gửi cho những ai?": the one item of the last list that holds words
        # the message names, as an ordinal would point at it.
        return Reading("list_item", _ITEM_MARKER.sub("", named.text), p.asked, [named.doc_id], named, None, True, p)
    if foreign:
        if not (strong or weak) and new_topic:
            return Reading("fresh", p.text, p.asked, parsed=p)
        text = resolve(p, state, catalog, anchor_docs[0] if len(anchor_docs) == 1 else None)
        return Reading("switch_doc", _switched(text, p, state, catalog), p.asked, anchor_docs, strong=True, parsed=p)
    continues = strong or same_anchor or (weak and not new_topic) or (not new_topic and (p.asked or len(p.own) <= 2))
    if not continues or not focus_docs:
        if not focus_docs and (strong or weak) and not new_topic and state.question:
            # The previous answer found no document: the thread has a question but no document.
            return Reading("fresh", _with_topic(resolve(p, state, catalog, None), p, state), p.asked, parsed=p)
        if focus_docs and not p.anchors:
            # A question that names no document and no cue may still be about the thread's (people
            # rarely repeat what they are talking about): the thread's documents answer it when they
            # can, the collection at large when they cannot.
            return Reading("same_doc", p.text, p.asked, focus_docs, strong=False, parsed=p)
        return Reading("fresh", p.text, p.asked, parsed=p)
    scope = [d for d in anchor_docs if d in focus_docs] if same_anchor else focus_docs
    explicit = strong or same_anchor or weak
    if p.elaborate and not p.asked and not p.own - known:
        return Reading("list_item", p.text, [], scope, None, None, explicit, p)
    refers_to_document = p.references and all(r.kind == "doc" for r in p.references)
    text = resolve(p, state, catalog, scope[0] if scope else None)
    # Another attribute of the task in focus, unless the message names a topic of its own that
    # the thread does not hold: then it is a new question of the same document.
    if p.asked and not new_topic and not refers_to_document and not p.possessed and (state.spans or state.section):
        return Reading("other_role", _with_topic(text, p, state) if not p.own else _without_cues(text, p) + "?",
                       p.asked, scope, strong=explicit, parsed=p)
    question = _without_cues(text, p) + "?"
    if not p.own and not p.asks_something:
        question = state.question  # "còn … thì sao?" naming nothing new: the same question again
    elif not p.own and not refers_to_document and p.asked:
        question = _with_topic(text, p, state)
    return Reading("same_doc", question, p.asked, scope, strong=explicit, parsed=p)


# -- composing the standalone question -----------------------------------------------------------

def resolve(p: Parsed, state: "Turn", catalog: Catalog, doc_id: str | None) -> str:
    """The message with its references resolved: "kế hoạch đó" → the document's name ("Kế
    hoạch 159/KH-UBND"), "Sở đó" → the unit the thread named, "các hoạt động này" → the noun
    phrase as the previous question wrote it, "kế hoạch 159" → its full số hiệu; a
    demonstrative after a task ("việc này") is dropped: the scope carries it."""
    edits: list[tuple[int, int, str]] = []
    for r in p.references:
        if r.kind == "doc" and doc_id:
            edits.append((r.start, r.end, catalog.label(doc_id)))
        elif r.kind == "unit" and state.units:
            edits.append((r.start, r.end, state.units[0]))
        elif r.kind == "topic":
            edits.append((r.start, r.end, _from_previous(r.head, state.question)))
        elif r.kind in ("doc", "task"):
            edits.append((r.word_start, r.end, ""))
    for a in p.anchors:
        number = catalog.records.get(a.doc_ids[0], {}).get("number") if len(a.doc_ids) == 1 else None
        if number and any(ch.isdigit() for ch in a.text) and fold_accents(number).lower() not in fold_accents(a.text).lower():
            edits.append((a.start, a.end, catalog.label(a.doc_ids[0])))  # "kế hoạch 159" → "Kế hoạch 159/KH-UBND"
    text = p.text
    for start, end, new in sorted(edits, key=lambda e: -e[0]):
        text = text[:start].rstrip() + (" " + new if new else "") + " " + text[end:].lstrip()
    return " ".join(text.split())


def _without_cues(text: str, p: Parsed) -> str:
    """A resolved message without its opening "còn …" and closing "thì sao"."""
    text = re.sub(r"\s*(?:thì sao|thì thế nào|thế nào rồi|thi sao|nữa|nua)(?:\s+nhỉ)?\s*[?.!]*$", "", text, flags=re.I)
    if p.opener and fold_accents(text.lower()).startswith(fold_accents(p.opener.lower())):
        text = text[len(p.opener):]
        # "Còn A thì B?" asks "A B?": the "thì" only pairs with the opening "còn".
        text = re.sub(r"\s(?:thì|thi)\s", " ", text, count=1)
    text = text.strip(" ,?.!")
    return text[:1].upper() + text[1:]


def _with_topic(text: str, p: Parsed, state: "Turn") -> str:
    """A role asked with no topic of its own ("đơn vị nào phối hợp?"): of the thread's topic."""
    return f"{_without_cues(text, p)} {state.topic or ''}".strip() + "?"


def _switched(text: str, p: Parsed, state: "Turn", catalog: Catalog) -> str:
    """Another document named: the same question of it when the message asks nothing else
    ("còn Tây Ninh thì sao?"), else the message itself, its references resolved."""
    # "… có quy định giống vậy không?" with nothing of its own asks what "thì sao?" asks
    same = not p.own and re.search(r"\b(?:giong|nhu|cung|tuong tu)(?: nhu)? (?:vay|the)\b|\btuong tu\b",
                                   fold_accents(p.text).lower())
    if (p.asks_something or p.own) and not same:
        if p.own or not p.asked:
            return _fronted(_without_cues(text, p), catalog) + "?"
        return _fronted(_with_topic(text, p, state).rstrip("?"), catalog) + "?"
    new = " ".join(p.text[_name_start(p.text, a.start):a.start] + (a.name or p.text[a.start:a.end]) for a in p.anchors)
    previous = state.question.rstrip(" ?")
    # Where the previous question named its document: its số hiệu ("số 159/KH-UBND"), its names.
    folded = fold_accents(previous).lower()
    # A số hiệu goes with its type when the new name has one ("Thông tư 14/2024/TT-BCT"); else
    # the type stays ("Kế hoạch 159/KH-UBND của Quảng Ninh" → "Kế hoạch của Tây Ninh").
    typed = bool(re.match(DOC_TYPES + r"\b", fold_accents(new).lower()))
    numbers = [(with_type(folded, m.start()) if typed else m.start(), m.end()) for m in NUMBER.finditer(previous)]
    names = [(a.start, a.end) for a in catalog.anchors(previous)
             if not any(s <= a.start < e or a.start <= s < a.end for s, e in numbers)]
    # One long name the catalog knows in pieces ("Hiệp định vận tải đường bộ VN - Trung Quốc"):
    # pieces a few words apart, with no punctuation between, are one name.
    merged: list[tuple[int, int]] = []
    for start, end in sorted(names):
        gap = previous[merged[-1][1]:start] if merged else ""
        if merged and not re.search(r"[,.;:?]", gap) and len(gap.split()) <= 4:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    names = merged
    spans = numbers + names
    if not spans:
        return f"{previous} ở {new}?"
    # The new name takes the old name's place (a province for a province); a số hiệu goes.
    first = min(s for s, _ in names or numbers)
    for start, end in sorted(spans, reverse=True):
        previous = previous[:start] + (new if start == first else "") + previous[end:]
    return " ".join(previous.split()) + "?"


_FRONTED = re.compile(r"^(?:(?:ở|tại|của|o|tai|cua)\s+)?$", re.I)


def _fronted(text: str, catalog: Catalog) -> str:
    """A question about a document itself (who signed it, when it was issued) that names the
    document first as its topic by a name that is not its type ("Quảng Ninh thì ai ký?"): "Theo
    Kế hoạch 159/KH-UBND, ai ký", so the question names the document as its own parts do."""
    folded = fold_accents(text).lower()
    if not (re.search(r"\b(?:ban hanh|hieu luc|so hieu)\b", folded) or mentions_signing(text)) and classify(text).kind != "signer":
        return text  # only a question about the document itself: its task's words are the passages'
    anchors = catalog.anchors(text)
    if not anchors or len(anchors[0].doc_ids) != 1 or re.search(r"\b" + DOC_TYPES + r"\b", folded):
        return text
    first = anchors[0]
    start = _name_start(text, first.start)
    if not _FRONTED.match(text[:start]):
        return text
    rest = re.sub(r"^[\s,]*(?:thì|thi)?\s*", "", text[first.end:], flags=re.I)
    return f"Theo {catalog.label(first.doc_ids[0])}, {rest}" if rest else text


def _from_previous(head: str, previous: str) -> str:
    """"hoạt động" in "… những hoạt động nào của đoàn viên trong tháng thanh niên?" → "hoạt động
    của đoàn viên trong tháng thanh niên": the previous question's phrase from the
    same noun to the end of its clause, less its question words."""
    prev_toks = tokens(previous)
    head_toks = [fold_accents(w) for w in head.lower().split()]
    if not head_toks:
        return head
    for i in range(len(prev_toks) - len(head_toks) + 1):
        if [t.folded for t in prev_toks[i:i + len(head_toks)]] == head_toks:
            rest = previous[prev_toks[i].start:]
            rest = re.split(r"[?,;:]", rest, maxsplit=1)[0]
            words = [w for w in rest.split() if fold_accents(w.lower()) not in {"nao", "gi", "nhung", "khong", "chua"}]
            return " ".join(words)
    return head


def topic_of(question: str, catalog: Catalog) -> str:
    """What a question is about: its words less the asking words, the names of its documents
    and the words left dangling beside them ("Đơn vị nào chủ trì tuyên truyền trên hệ thống
    thông tin cơ sở ở Quảng Ninh?" → "tuyên truyền trên hệ thống thông tin cơ sở")."""
    text = normalize(question)
    accented = has_diacritics(text)
    named = [(a.start, a.end) for a in catalog.anchors(text)]
    named += [(m.start(), m.end()) for m in NUMBER.finditer(text)]
    # "Kế hoạch 159/KH-UBND": the document's type goes with its number.
    folded = fold_accents(text).lower()
    named += [(m.start(), m.end()) for m in re.finditer(DOC_TYPES + r"\s+(?:so\s+)?(?=\d)", folded)]
    # "theo kế hoạch của Quảng Ninh": a document named by its type and whose it is.
    named += [(m.start(), m.end()) for m in re.finditer(r"\b" + DOC_TYPES + r"\s+(?=(?:cua|o|tai)\s)", folded)]
    runs: list[list[str]] = [[]]
    toks = tokens(text)
    asking = _asking(toks, accented, glue=False)
    for i, tok in enumerate(toks):
        if any(s <= tok.start < e for s, e in named) or i in asking:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(text[tok.start:tok.end])
    dangling = {"ở", "tại", "tỉnh", "huyện", "thành", "phố", "theo", "của", "o", "tai", "tinh", "huyen", "cua"}
    for run in runs:
        while run and run[-1].lower() in dangling:
            run.pop()
        while run and run[0].lower() in dangling:
            run.pop(0)
    return " ".join(w for run in runs for w in run)
