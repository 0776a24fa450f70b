"""Where a unit's name ends in a place: its level ("cấp tỉnh", "cùng cấp"), a locality word and
the place it names ("huyện Đông Sơn", "UBND Thành phố"), a listed class of localities ("huyện,
quận, thị xã, thành phố thuộc tỉnh"), and the word-level matching the unit recogniser
(:mod:`ingest.units`) reads names with.
"""
from __future__ import annotations

import re

from ingest.lang.normalize import canonical_tones, fold_accents
from ingest.unit_names import ABBR_HEAD_RE, HEADS_RE, LOCALITY_WORDS, UNIT_ABBREVIATIONS

LOCALITY_SORTED = sorted(LOCALITY_WORDS, key=len, reverse=True)
# A unit's head where a name starts ("Sở", "Ủy ban nhân dân", "UBND"): no place word
HEAD_AT = re.compile(r"(?:" + HEADS_RE + r")(?=[\s,.;:)]|$)|" + ABBR_HEAD_RE)


def is_cap(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def word_at(text: str, pos: int) -> tuple[str, int, int] | None:
    # a dash may link the words of one name: "Sở Quy hoạch - Kiến trúc" (the caller decides)
    m = re.compile(r"\s*(?:[-–]\s+)?([\w&]+(?:[.\-/&][\w&]+)*)").match(text, pos)
    if not m:
        return None
    return m.group(1), m.start(1), m.end(1)


def match_words(text: str, pos: int, phrases: list[str], ignore_case: bool = False) -> int | None:
    """End of the first phrase (longest first) that starts at ``pos`` (after spaces) and ends on a
    word boundary; case and tone placement forgiven where asked."""
    m = re.compile(r"\s*").match(text, pos)
    start = m.end()
    # "Lao động – Thương binh" is written with any dash: compared as "-" (same length, same offsets)
    window = canonical_tones(text[start:start + 80]).replace("–", "-").replace("—", "-")
    for phrase in phrases:
        cand = window[: len(phrase)]
        same = cand.lower() == phrase.lower() if ignore_case else cand == phrase
        if same and (len(window) == len(phrase) or not window[len(phrase)].isalnum()):
            return start + len(phrase)
    return None


_LOCALITY_LINK = re.compile(r"\s*,\s*|\s+và\s+|\s+hoặc\s+")
_LOCALITY_TAILS = ["trực thuộc Trung ương", "trực thuộc trung ương", "trực thuộc tỉnh", "thuộc tỉnh",
                   "trên địa bàn tỉnh", "trên địa bàn"]


_TWO_SYLLABLE_LOCALITIES = {fold_accents(w).lower() for w in ("thành phố", "thị xã", "thị trấn")}
_TWO_SYLLABLES = re.compile(r"\s*([\wÀ-ỹ]+\s+[\wÀ-ỹ]+)(?![\wÀ-ỹ])")


def _folded_member(text: str, pos: int) -> int | None:
    """End of a two-syllable locality word at ``pos`` whatever its tone marks, else None."""
    m = _TWO_SYLLABLES.match(text, pos)
    if m and " ".join(fold_accents(m.group(1)).lower().split()) in _TWO_SYLLABLE_LOCALITIES:
        return m.end()
    return None


def locality_list_end(text: str, end: int) -> int | None:
    """End of further locality words linked to the one ending at ``end`` ("huyện, quận, thị xã,
    thành phố thuộc tỉnh"), with the tail that closes such a class; None when none follows."""
    last = None
    while True:
        link = _LOCALITY_LINK.match(text, end)
        nxt = match_words(text, link.end(), LOCALITY_SORTED) if link else None
        if nxt is None and link:
            # a scan's OCR may misread a tone mark ("các tỉnh, thành phó"): a member of a list of
            # localities is still one when its two syllables fold to a locality word's
            nxt = _folded_member(text, link.end())
        if nxt is None:
            break
        w = word_at(text, nxt)
        if w and is_cap(w[0]) and not text[nxt:w[1]].strip():
            break  # "…, xã Đông Hòa": a place of its own, not a member of the class
        end = last = nxt
    if last is None:
        return None
    tail = match_words(text, end, _LOCALITY_TAILS)
    return tail if tail is not None else end


def locality_end(text: str, pos: int) -> int | None:
    """After a name: "tỉnh", "huyện Đông Sơn", "cấp huyện", "các huyện, thị xã, thành phố",
    "các tỉnh, thành phố trực thuộc Trung ương" → its end."""
    # "Ủy ban nhân dân cùng cấp": the level of the body named just before, in laws
    level = match_words(text, pos, ["cấp tỉnh", "cấp huyện", "cấp xã", "các cấp", "cấp Trung ương", "cùng cấp",
                                     "cấp trên", "cấp dưới", "địa phương"])
    if level is not None:
        return level
    end = match_words(text, pos, LOCALITY_SORTED)
    if end is None:
        # "UBND Thành phố", "Sở Xây dựng Thành phố": the document's own city or province, capitalised
        # ("Tỉnh đoàn", "Thành ủy" are bodies of their own, matched as heads)
        end = match_words(text, pos, ["Thành phố", "Tỉnh", "Huyện", "Quận", "Thị xã"])
        if end is not None and re.match(r"\s*(?:ủy|uỷ|đoàn|Ủy|Uỷ|Đoàn)(?![\wÀ-ỹ])", text[end:]):
            end = None
    if end is not None:
        # "Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương": the class of provinces, one phrase
        whole = match_words(text, end, [", thành phố trực thuộc trung ương", ", thành phố trực thuộc Trung ương"])
        if whole is not None:
            return whole
        # "Ủy ban nhân dân huyện, quận, thị xã, thành phố thuộc tỉnh", "… xã, phường, thị trấn": a
        # class of localities of one level, listed; a capitalised place after it names one of them
        listed = locality_list_end(text, end)
        if listed is not None:
            return listed
    if end is None:
        m = re.compile(r"\s+các\s+").match(text, pos)
        if not m:
            return None
        end = match_words(text, m.end(), LOCALITY_SORTED)
        if end is None:
            return None
        # "các huyện, thị xã, thành phố" / "các xã, thị trấn"
        while True:
            m2 = re.compile(r"\s*,\s*|\s+và\s+|\s+").match(text, end)
            if not m2:
                break
            nxt = match_words(text, m2.end(), LOCALITY_SORTED)
            if nxt is None and m2.group(0).strip():
                nxt = _folded_member(text, m2.end())  # "các tỉnh, thành phó" read from a scan
            if nxt is None:
                break
            end = nxt
        tail = match_words(text, end, _LOCALITY_TAILS)
        return tail if tail is not None else end
    # A place name: capitalised words after the locality word ("huyện Đông Sơn").
    while True:
        w = word_at(text, end)
        if not w or not is_cap(w[0]) or w[0] in UNIT_ABBREVIATIONS or HEAD_AT.match(text, w[1]):
            break
        if text[end:w[1]].strip():
            break
        end = w[2]
    return end
