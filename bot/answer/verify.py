"""Checks an LLM's answer sentence by sentence against the passages it cites.

A generated sentence is shown only when the passages it cites ([n]) say the same thing:

- lexical: most of its content syllables (accent-folded, function words dropped) occur in
  the cited passage's supporting sentences or in the passage's title, số hiệu and section;
- specifics: every number, date, số hiệu, unit name (Sở …, Ban …, UBND …) and negation it
  states occurs there too, and a unit said to lead ("chủ trì") or to partner ("phối hợp")
  stands beside that role in the same clause of the passage;
- meaning (optional): the sentence's embedding is close to its supporting sentences'.

The supporting sentences become the citation's quote, so what a reader sees under [n] is the
document text the sentence rests on. Text in a passage that addresses the model ("bỏ qua hướng
dẫn trên…", "ignore previous instructions") never counts as support, from the cue to the end
of its line: a document cannot vouch for what it tells the model to say.

>>> p = {"text": "Giao Vụ Hợp tác quốc tế chủ trì, làm đầu mối theo dõi.", "title": "Kế hoạch", "section": ""}
>>> [v.supported for v in verify("Vụ Hợp tác quốc tế chủ trì [1]. Bộ Quốc phòng chủ trì [1].", {1: p})]
[True, False]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bot.answer.evidence import sentences as passage_sentences, terms
from ingest.lang.abbreviations import expand_abbreviations
from ingest.lang.terms import QUESTION_WORDS, analyze
from ingest.lang.patterns import NUMBER
from ingest.lang.normalize import fold_accents

# From tests/test_llm.py's paraphrases and hallucinations of corpus passages: faithful sentences
# overlapped 0.92-1.0, unrelated ones 0.36-0.43 (the wrong-detail ones overlap fully: the
# specifics checks catch those). e5-small similarity: faithful 0.92-0.99, off-topic 0.76-0.83,
# same-topic inventions 0.85-0.99, so the embedding gate only stops off-topic sentences.
MIN_OVERLAP = 0.6
MIN_SIMILARITY = 0.85
MAX_QUOTE_SENTENCES = 4

# Words that carry no claim of their own, plus what models say about their sources.
# Folded, so "do" is "do"/"đó" alike: only words whose every reading is a function word.
_FUNCTION_WORDS = {fold_accents(w) for w in QUESTION_WORDS} | {
    "nay", "do", "da", "se", "khi", "mot", "rang", "nhu", "nhung", "doan", "trich", "neu",
    "nguon", "ve", "la", "thi", "ra", "vao", "duoc", "hoac", "cac", "tu", "den",
    "nam", "ngay", "thang",  # calendar words: the numbers beside them are checked on their own
}
_NEGATIONS = {"khong", "chua", "chang", "cha"}

# [1], [1][2], [1, 2], [đoạn 1]
_MARKER = re.compile(r"\[\s*(?:đoạn|Đoạn|doan|nguồn|Nguồn)?\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*\]")
# Sentence ends in generated text; "TP." and initials are not ends.
_GEN_SENTENCE_END = re.compile(r"(?<!\b[A-ZĐ]\.)(?<!\bTP\.)(?<!\bTp\.)(?<=[.!?;])\s+(?=[\"“(*-]?\s*[A-ZĐÀ-Ỹ0-9])")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_ROMAN = re.compile(r"\b[IVX]{1,5}\b")
_DATE_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?", re.IGNORECASE)

_UPPER = "A-ZĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
_LOWER = "a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
_CAP_WORD = rf"[{_UPPER}][{_LOWER}{_UPPER}&]*"
_LOW_WORD = rf"[{_LOWER}]+"
_UNIT_HEADS = (
    "Ủy ban nhân dân", "Uỷ ban nhân dân", "Hội đồng nhân dân", "UBND", "HĐND", "Ủy ban", "Uỷ ban",
    "Chi cục", "Tổng cục", "Cục", "Sở", "Ban", "Phòng", "Trung tâm", "Vụ", "Bộ", "Văn phòng", "Đài",
    "Báo", "Tạp chí", "Công an", "Viện", "Học viện", "Tỉnh đoàn", "Thành đoàn", "Huyện đoàn", "Hội",
    "Mặt trận", "Thanh tra", "Cổng", "Bộ Chỉ huy", "Liên đoàn",
)
_ADMIN = r"(?:\s+(?:tỉnh|huyện|thành phố|thị xã|thị trấn|quận|phường|xã))?"
# Head, then capitalised words (each may carry one lower-case syllable: "Văn hóa", "Du lịch"),
# joined by ",", "và", "-", "&": "Sở Văn hóa, Thể thao và Du lịch", "UBND tỉnh Quảng Ninh".
_HEAD = "|".join(sorted(map(re.escape, _UNIT_HEADS), key=len, reverse=True))
# A second head starts a second unit: "UBND tỉnh giao Sở Du lịch" is two names.
_UNIT = re.compile(
    rf"(?<![\w])(?P<head>{_HEAD})" + _ADMIN
    + rf"(?P<name>(?:(?:\s*,\s*|\s+và\s+|\s*[-–&]\s*|\s+)(?!(?:{_HEAD})\b){_CAP_WORD}(?:\s+{_LOW_WORD})?)*)"
)
_ROLES = {"chu tri": "lead", "phoi hop": "partner", "dau moi": "focal"}

# Text addressed to the model rather than to a reader of the document.
_INJECTION = re.compile(
    r"bo qua\s+(?:moi\s+|tat ca\s+|cac\s+|nhung\s+)?(?:huong dan|chi dan|yeu cau|lenh|quy tac|chi thi)"
    r"|quen\s+(?:di\s+)?(?:moi\s+|tat ca\s+|cac\s+)?(?:huong dan|chi dan|quy tac)"
    r"|(?:hay|ban phai|phai)\s+tra loi\s+(?:rang|la)"
    r"|ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)"
    r"|disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)"
    r"|system prompt|you are now|new instructions|<\|?im_start|<start_of_turn>",
    re.IGNORECASE,
)


@dataclass
class Evidence:
    """A span of a passage's ``payload["text"]`` that supports a sentence."""

    passage: int
    start: int
    end: int


@dataclass
class VerifiedSentence:
    text: str  # as generated, markers included
    claim: str  # without markers
    start: int  # offsets in the answer text
    end: int
    cited: list[int]  # passage numbers it cites that exist
    supported: bool
    reason: str = ""  # why it was dropped
    overlap: float = 0.0
    similarity: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    content: bool = True  # False for fragments with no claim of their own ("Có.", "Trả lời:")
    # (start, end, passage numbers) of each marker group, offsets relative to ``text``
    markers: list[tuple[int, int, list[int]]] = field(default_factory=list)


# -- text pieces -------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Accent-folded lower-case words, punctuation dropped: "Văn hóa, Thể thao" → "van hoa the thao"."""
    return " ".join(re.findall(r"\w+", fold_accents(text).lower()))


def _content_terms(text: str) -> list[tuple[set[str], set[str]]]:
    """Per spelling (as written, abbreviations spelled out): content syllables and bigrams."""
    out = []
    forms = [text] + ([x] if (x := expand_abbreviations(text)) else [])
    for form in forms:
        uni: set[str] = set()
        bi: set[str] = set()
        for seg in analyze(form):
            folded = [fold_accents(t) for t in seg]
            uni.update(t for t in folded if t not in _FUNCTION_WORDS)
            bi.update(f"{a}_{b}" for a, b in zip(folded, folded[1:]) if a not in _FUNCTION_WORDS or b not in _FUNCTION_WORDS)
        out.append((uni, bi))
    return out


def _numbers(text: str) -> set[str]:
    nums = {m.lstrip("0") or "0" for m in _DIGITS.findall(text)}
    # "1.500" and "1500" are the same number; "1,5" stays a decimal.
    nums |= {n.replace(".", "") for n in nums if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", n)}
    return nums


def _dates(text: str) -> set[tuple[int, ...]]:
    out: set[tuple[int, ...]] = set()
    for rx in (_DATE_SLASH, _DATE_WORDS):
        for m in rx.finditer(text):
            d, mth, y = m.group(1), m.group(2), m.group(3)
            if 1 <= int(d) <= 31 and 1 <= int(mth) <= 12:
                out.add((int(d), int(mth)))
                if y:
                    out.add((int(d), int(mth), int(y)))
    return out


def units(text: str) -> list[str]:
    """Unit names a sentence states ("Sở Du lịch", "UBND tỉnh Quảng Ninh"); a bare head is no name."""
    found = []
    for m in _UNIT.finditer(text):
        name = m.group("name").strip(" ,-–&")
        if name or m.group("head") in ("UBND", "HĐND", "Ủy ban nhân dân", "Uỷ ban nhân dân", "Hội đồng nhân dân"):
            found.append(m.group(0).strip(" ,-–&"))
    return found


def _spellings(text: str) -> list[str]:
    forms = [_fold(text)]
    if (x := expand_abbreviations(text)) is not None:
        forms.append(_fold(x))
    return forms


def _contains(haystack: str, needle: str) -> bool:
    """Accent-, case- and abbreviation-insensitive containment."""
    hay = _spellings(haystack)
    return any(n and f" {n} " in f" {h} " for n in _spellings(needle) for h in hay)


def _roles(folded: str) -> set[str]:
    return {role for key, role in _ROLES.items() if key in folded}


def injected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that address the model: from the cue's sentence to the end of its line."""
    spans = []
    folded = fold_accents(text)  # same length as text for NFC Vietnamese: one letter, one letter
    if len(folded) != len(text):
        folded = text
    for m in _INJECTION.finditer(folded):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        start = m.start()
        for s in passage_sentences(text[line_start:line_end]):
            if s.start + line_start <= m.start() < s.end + line_start + 1:
                start = s.start + line_start
                break
        spans.append((start, line_end))
    return spans


def split_sentences(answer: str) -> list[tuple[int, int]]:
    """Sentence spans of generated text; markers written after the full stop stay with their sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in answer.split("\n"):
        line_start = pos
        pos += len(line) + 1
        cut = 0
        pieces = []
        for m in _GEN_SENTENCE_END.finditer(line):
            pieces.append((cut, m.start()))
            cut = m.end()
        pieces.append((cut, len(line)))
        for a, b in pieces:
            if not line[a:b].strip():
                continue
            if spans and re.fullmatch(r"\s*(?:\[[^\]]*\]\s*)+[.;]?\s*", line[a:b]) and spans[-1][1] >= line_start - 1:
                spans[-1] = (spans[-1][0], line_start + b)  # "… đầu mối. [1]" → one sentence
            else:
                spans.append((line_start + a, line_start + b))
    return spans


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub(" ", text)).strip()


# -- verification ------------------------------------------------------------------------------
def _header(payload: Mapping[str, Any]) -> str:
    return " \n ".join(str(payload.get(k) or "") for k in ("title", "number", "section"))


@dataclass
class _Pool:
    passage: int
    start: int
    end: int
    text: str
    terms: set[str]


def _pool(n: int, payload: Mapping[str, Any]) -> list[_Pool]:
    text = payload.get("text") or ""
    bad = injected_spans(text)
    out = []
    for s in passage_sentences(text):
        if any(a < s.end and s.start < b for a, b in bad):
            continue
        out.append(_Pool(n, s.start, s.end, s.text, terms(s.text)))
    return out


def _coverage(claim_forms: list[tuple[set[str], set[str]]], have: set[str]) -> tuple[float, float]:
    """Best (syllable, bigram) coverage over the claim's spellings."""
    best = (0.0, 0.0)
    for uni, bi in claim_forms:
        if not uni:
            continue
        u = len(uni & have) / len(uni)
        b = len(bi & have) / len(bi) if bi else u
        best = max(best, (u, b))
    return best


def _select(claim: str, claim_forms, pools: list[_Pool]) -> list[_Pool]:
    """Greedy: the passage sentences that add most of the claim's content, then any sentence
    that holds a number, date, số hiệu or unit the claim states and the chosen ones lack."""
    uni = set().union(*(u for u, _ in claim_forms)) if claim_forms else set()
    bi = set().union(*(b for _, b in claim_forms)) if claim_forms else set()
    chosen: list[_Pool] = []
    covered: set[str] = set()
    while len(chosen) < MAX_QUOTE_SENTENCES:
        best, gain = None, (0, 0)
        for p in pools:
            if p in chosen:
                continue
            g = (len((uni & p.terms) - covered), len((bi & p.terms) - covered))
            if g > gain:
                best, gain = p, g
        if best is None or gain[0] == 0 or (chosen and gain[0] < 2 and gain[0] < 0.15 * len(uni)):
            break
        chosen.append(best)
        covered |= best.terms
    specifics = _specifics(claim)
    for kind, value in specifics:
        have = " \n ".join(p.text for p in chosen)
        if _specific_ok(kind, value, have):
            continue
        for p in pools:
            if p not in chosen and _specific_ok(kind, value, p.text) and len(chosen) < MAX_QUOTE_SENTENCES:
                chosen.append(p)
                break
    return chosen


def _specifics(claim: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("number", n) for n in sorted(_numbers(claim))]
    out += [("date", d) for d in sorted(_dates(claim)) if len(d) == 3]
    out += [("sohieu", s) for s in NUMBER.findall(claim)]
    out += [("roman", r) for r in _ROMAN.findall(claim)]
    out += [("unit", u) for u in units(claim)]
    return out


def _specific_ok(kind: str, value: Any, text: str) -> bool:
    if kind == "number":
        return value in _numbers(text)
    if kind == "date":
        have = _dates(text)
        # "ngày 19/10" with the year elsewhere in the passage ("20/10/2021") still dates it.
        return value in have or (value[:2] in have and str(value[2]) in _numbers(text))
    if kind == "sohieu":
        return fold_accents(value).lower() in re.sub(r"\s+", "", fold_accents(text).lower())
    if kind == "roman":
        return value in _ROMAN.findall(text)
    if kind == "unit":
        # A name's last lower-case syllable may be the verb after it ("… Quảng Ninh giao"):
        # the name without it counts too.
        trimmed = re.sub(rf"\s+{_LOW_WORD}$", "", value)
        return _contains(text, value) or (trimmed != value and _contains(text, trimmed))
    return True


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[;\n]|(?<=[.!?])\s", text) if c.strip()]


def _role_ok(claim: str, evidence: str) -> str:
    """A unit said to lead/partner must stand beside that role in one clause of the evidence."""
    roles = _roles(_fold(claim))
    if len(roles) != 1:
        return ""
    (role,) = roles
    key = next(k for k, r in _ROLES.items() if r == role)
    for unit in units(claim):
        if not any(_contains(c, unit) and key in _fold(c) for c in _clauses(evidence)):
            return f"role: {unit} is not '{key}' in the cited text"
    return ""


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def check_claim(claim: str, evidence: str, *, min_overlap: float = MIN_OVERLAP) -> tuple[str, float]:
    """Why ``claim`` is not supported by ``evidence`` ("" when it is), and its syllable overlap.

    The same test ``verify`` applies, usable on a finished citation (quote + title, số hiệu, section).
    """
    forms = _content_terms(claim)
    have = terms(evidence)
    overlap, bigrams = _coverage(forms, have)
    if overlap < min_overlap:
        return f"overlap {overlap:.2f} < {min_overlap}", overlap
    if bigrams < min_overlap / 2:
        return f"bigram overlap {bigrams:.2f} < {min_overlap / 2}", overlap
    for kind, value in _specifics(claim):
        if not _specific_ok(kind, value, evidence):
            return f"{kind} {value!r} not in the cited text", overlap
    folded_claim = set(_fold(claim).split())
    folded_ev = set(re.findall(r"\w+", _fold(evidence)))
    for neg in _NEGATIONS & folded_claim:
        if neg not in folded_ev:
            return f"negation '{neg}' not in the cited text", overlap
    role = _role_ok(claim, evidence)
    if role:
        return role, overlap
    return "", overlap


def verify(
    answer_text: str,
    passages: Mapping[int, Mapping[str, Any]],
    *,
    embedder: Any | None = None,
    min_overlap: float = MIN_OVERLAP,
    min_similarity: float = MIN_SIMILARITY,
) -> list[VerifiedSentence]:
    """Every sentence of ``answer_text``, checked against the passages it cites (numbered as in
    the prompt). ``embedder`` is any llama-index ``BaseEmbedding``; without one, no meaning check."""
    pools = {n: _pool(n, p) for n, p in passages.items()}
    headers = {n: _header(p) for n, p in passages.items()}
    out: list[VerifiedSentence] = []
    for start, end in split_sentences(answer_text):
        raw = answer_text[start:end]
        lead = len(raw) - len(raw.lstrip())
        raw = raw.strip()
        start += lead
        end = start + len(raw)
        markers = []
        for m in _MARKER.finditer(raw):
            ns = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1).strip())]
            markers.append((m.start(), m.end(), ns))
        claim = strip_markers(raw).lstrip("-–*•+ ").replace("**", "")
        forms = _content_terms(claim)
        vs = VerifiedSentence(raw, claim, start, end, [], False, markers=markers)
        out.append(vs)
        if not any(u for u, _ in forms):
            vs.content = False
            vs.reason = "no content"
            continue
        asked = [n for _, _, ns in markers for n in ns]
        vs.cited = list(dict.fromkeys(n for n in asked if n in passages))
        if not asked:
            vs.reason = "no citation"
            continue
        if not vs.cited:
            vs.reason = f"unknown citation {asked}"
            continue
        pool = [p for n in vs.cited for p in pools[n]]
        header = " \n ".join(headers[n] for n in vs.cited)
        chosen = _select(claim, forms, pool)
        if not chosen:
            vs.reason = "no supporting sentence"
            continue
        chosen.sort(key=lambda p: (vs.cited.index(p.passage), p.start))
        evidence_text = header + " \n " + " \n ".join(p.text for p in chosen)
        reason, vs.overlap = check_claim(claim, evidence_text, min_overlap=min_overlap)
        if not reason and embedder is not None:
            vs.similarity = _cosine(embedder.get_text_embedding(claim),
                                    embedder.get_text_embedding(" ".join(p.text for p in chosen)))
            if vs.similarity < min_similarity:
                reason = f"similarity {vs.similarity:.2f} < {min_similarity}"
        vs.reason = reason
        vs.supported = not reason
        if vs.supported:
            vs.evidence = [Evidence(p.passage, p.start, p.end) for p in chosen]
    return out


def kept(results: Iterable[VerifiedSentence]) -> list[VerifiedSentence]:
    return [v for v in results if v.supported]
