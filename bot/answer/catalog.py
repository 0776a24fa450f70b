"""The indexed documents as a conversation names them: by số hiệu ("Kế hoạch 159", "Thông tư
14/2024/TT-BCT"), by the names in their title, issuer and province ("Tây Ninh", "huyện Đông Sơn",
"Bộ Nội vụ"), by a type only one of them has ("Hiệp định"); and how the thread calls each one
("Kế hoạch 159/KH-UBND"). Also the tokens the follow-up grammar (``followup.py``) reads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from bot.answer.evidence import terms
from ingest.lang.normalize import clean_text, fold_accents, search_form
from ingest.lang.patterns import NUMBER, PROVINCES

DOC_TYPES = r"(?:ke hoach|quyet dinh|thong tu|nghi dinh|nghi quyet|chi thi|cong van|van ban|hiep dinh|kh|qd|tt|nd|cv|ct)"
_BARE_NUMBER = re.compile(r"\b" + DOC_TYPES + r"\s+(?:so\s+)?(\d{1,5})(?:/(\d{4}))?\b")


_TYPE_BEFORE = re.compile(r"\b" + DOC_TYPES + r"\s+(?:so\s+)?$")


def with_type(folded: str, start: int) -> int:
    """Where a số hiệu's mention starts once the document type before it is counted ("Thông tư
    14/2024/TT-BCT", "kế hoạch số 159/KH-UBND")."""
    m = _TYPE_BEFORE.search(folded[:start])
    return m.start() if m else start


def normalize(message: str) -> str:
    return " ".join(search_form(clean_text(message)).split())


@dataclass
class Token:
    text: str  # lower case, with its marks
    folded: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    low = text.lower()
    return [Token(m.group(), fold_accents(m.group()), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", low)]


def same(token: Token, word: str, accented: bool) -> bool:
    return token.text == word if accented else token.folded == fold_accents(word)


def phrase_at(toks: list[Token], i: int, phrase: str, accented: bool) -> bool:
    words = phrase.split()
    return i + len(words) <= len(toks) and all(same(toks[i + j], w, accented) for j, w in enumerate(words))


@dataclass
class Anchor:
    text: str
    start: int
    end: int
    doc_ids: list[str]
    name: str = ""  # how it is written properly ("Tây Ninh" for "tay ninh")


def _initials(words: list[str]) -> set[str]:
    """The initials of each run of two or more ``words`` ("ủy ban nhân dân" → "ubnd", "giao thông
    vận tải" → "gtvt"): how an issuer's name is written short."""
    return {"".join(w[0] for w in words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1)}


class Catalog:
    """The indexed documents as a follow-up can name them: by số hiệu, and by the words of their
    title, issuer and province that few documents share ("Đông Sơn", "Nội vụ", "Tây Ninh").

    ``doc_terms(doc_id)`` gives every term of a document's text: a name word many documents
    write in their text ("Thông tin và Truyền thông") names none of them."""

    def __init__(self, records: dict[str, dict], doc_terms: Callable[[str], set[str]] | None = None):
        from bot.answer.answer_types import proper_names

        self.records = records
        self.numbers = {doc: fold_accents(r["number"]).lower() for doc, r in records.items() if r.get("number")}
        self.cards: dict[str, set[str]] = {}  # every word pair of a document's title, issuer and province
        named: dict[str, set[str]] = {}  # the pairs of its names: issuer, province, proper names in its title
        for doc, r in records.items():
            fields = [str(r.get(k) or "") for k in ("title", "issuer", "province")]
            self.cards[doc] = {t for f in fields for t in terms(f) if "_" in t}
            names = [fields[1], fields[2], *proper_names(fields[0])]
            named[doc] = {t for n in names for t in terms(n) if "_" in t}
        holders: dict[str, list[str]] = {}
        for doc, pairs in named.items():
            for t in pairs:
                holders.setdefault(t, []).append(doc)
        texts = doc_terms or (lambda doc: set())
        # Shared by many issuers ("Ủy ban nhân dân"): names none of them.
        candidates = {t for t, docs in holders.items() if len(docs) <= 2}
        writers: dict[str, int] = {}
        for doc in records:
            for t in candidates & texts(doc):
                if doc not in holders[t]:
                    writers[t] = writers.get(t, 0) + 1
        # A name other documents write in their text ("Thông tin và Truyền thông" in every plan)
        # is a unit a question may ask about, not a way of naming a document.
        self.names: dict[str, list[str]] = {t: holders[t] for t in candidates if writers.get(t, 0) <= 1}
        # A document type only one document has names it ("Hiệp định", "Nghị định").
        by_type: dict[str, list[str]] = {}
        for doc, r in records.items():
            if r.get("doc_type"):
                by_type.setdefault(fold_accents(r["doc_type"]).lower(), []).append(doc)
        self.types = {t: docs for t, docs in by_type.items() if len(docs) == 1}

    def label(self, doc_id: str) -> str:
        """How the thread calls a document: "Kế hoạch 159/KH-UBND", else its type and issuer."""
        r = self.records.get(doc_id) or {}
        kind = r.get("doc_type") or "Văn bản"
        if r.get("number"):
            return f"{kind} {r['number']}"
        if r.get("issuer"):
            return f"{kind} của {r['issuer']}"
        title = " ".join(str(r.get("title") or r.get("source") or doc_id).split())
        return title if len(title) <= 90 else title[:90].rsplit(" ", 1)[0] + " …"

    def name_end(self, text: str, anchor: Anchor) -> int:
        """Where a document's name ends when "của <its issuer>" follows it ("Thông tư 37 của Bộ
        GTVT"): the issuer is part of the name, written whole or by its initials, not a topic."""
        m = re.match(r"\s+(?:của|cua)\s+((?:\w+\s*){1,8})", text[anchor.end:])
        issuers = [fold_accents(str((self.records.get(d) or {}).get("issuer") or "")).lower().split()
                   for d in anchor.doc_ids]
        if not m or not any(issuers):
            return anchor.end
        end, taken = anchor.end, 0
        for w in re.finditer(r"\w+", m.group(1)):
            word = fold_accents(w.group(0)).lower()
            fits = any(word in words or word in _initials(words) for words in issuers if words)
            if not fits:
                break
            taken += 1
            end = anchor.end + m.start(1) + w.end()
        return end if taken else anchor.end

    def anchors(self, text: str) -> list[Anchor]:
        """Spans of ``text`` (normalised) that name documents, with the documents they name."""
        folded = fold_accents(text).lower()
        out: list[Anchor] = []
        for m in NUMBER.finditer(text):
            number = fold_accents(m.group(1)).lower()
            docs = [d for d, n in self.numbers.items() if n == number or n.startswith(number + "/")]
            if docs:
                start = with_type(folded, m.start(1))
                out.append(Anchor(text[start:m.end(1)], start, m.end(1), docs))
        for m in _BARE_NUMBER.finditer(folded):
            if any(a.start <= m.start(1) < a.end for a in out):
                continue
            prefix = m.group(1) + "/" + (m.group(2) + "/" if m.group(2) else "")
            docs = [d for d, n in self.numbers.items() if n.startswith(prefix)]
            if docs:
                out.append(Anchor(text[m.start():m.end()], m.start(), m.end(), docs))
        for name in PROVINCES:
            for m in re.finditer(r"(?<!\w)" + re.escape(fold_accents(name).lower()) + r"(?!\w)", folded):
                pairs = {t for t in terms(name) if "_" in t}
                docs = [d for d, card in self.cards.items() if pairs and pairs <= card]
                # A province no document belongs to still anchors: the answer is that none speaks of it.
                out.append(Anchor(text[m.start():m.end()], m.start(), m.end(), docs, name))
        for kind, docs in self.types.items():
            for m in re.finditer(r"(?<!\w)" + re.escape(kind) + r"(?!\w)", folded):
                after = folded[m.end():].split()[:1]
                if any(a.start <= m.start() < a.end or m.end() <= a.start <= m.end() + 5 for a in out):
                    continue  # "Thông tư 14/2024": the number names it
                if after and fold_accents(after[0]) in ("do", "nay", "ay", "kia", "tren"):
                    continue  # "nghị định đó": a reference back, not a name
                out.append(Anchor(text[m.start():m.end()], m.start(), m.end(), list(docs)))
        toks = tokens(text)
        i = 0
        while i < len(toks) - 1:
            key = f"{toks[i].folded}_{toks[i + 1].folded}"
            docs = self.names.get(key)
            if not docs or any(a.start <= toks[i].start < a.end for a in out):
                i += 1
                continue
            j = i + 1  # the name runs on while its next pair names the same documents
            while j + 1 < len(toks) and self.names.get(f"{toks[j].folded}_{toks[j + 1].folded}") == docs:
                j += 1
            out.append(Anchor(text[toks[i].start:toks[j].end], toks[i].start, toks[j].end, list(docs)))
            i = j + 1
        out.sort(key=lambda a: a.start)
        return out
