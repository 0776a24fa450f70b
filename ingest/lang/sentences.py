"""Sentences of Vietnamese administrative text, as offsets, for everything that reads by sentence.

A sentence ends at ".", "!", "?" or "…" (and, when asked, ";" — plans chain clauses with it)
before whitespace and a capital, a digit, a quote, a bracket or a bullet. It does not end inside
brackets, after an abbreviation ("TP. Hạ Long", "ThS. Nguyễn …"), after a single letter, or
after a list label ("2. Các sở …", "1.1. Tuyên truyền …").

>>> text = "Giao TP. Hạ Long chủ trì (xem mục 2. Trên). Các sở phối hợp; UBND báo cáo."
>>> [text[a:b] for a, b in split_sentences(text)]
['Giao TP. Hạ Long chủ trì (xem mục 2. Trên).', 'Các sở phối hợp; UBND báo cáo.']
>>> [text[a:b] for a, b in split_sentences(text, semicolons=True)][1:]
['Các sở phối hợp;', 'UBND báo cáo.']
"""
from __future__ import annotations

import re

ABBREVIATIONS = {"TP", "Tp", "TX", "TT", "TS", "ThS", "PGS", "GS", "Th", "St", "v.v", "Q", "P", "Mr", "Mrs", "Ths"}
_BOUNDARY = re.compile(r"([.!?…;])[\"”')\]]*(\s+)(?=[\"“(\[+\-–•*]?[A-ZĐÀ-Ỹ0-9])")
_LABEL = re.compile(r"\s*(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])")


def split_sentences(text: str, *, semicolons: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, punctuation included, spaces trimmed."""
    depth_at, depth = [], 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
        depth_at.append(depth)
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        punct, end = m.group(1), m.start(2)
        if depth_at[m.start(1)] > 0 or (punct == ";" and not semicolons):
            continue
        if punct == ".":
            before = text[pos:m.start(1)]
            word = before.split()[-1] if before.split() else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _LABEL.fullmatch(before):
                continue
        spans.append((pos, end))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out
