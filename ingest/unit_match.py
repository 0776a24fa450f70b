"""When two unit names designate the same unit: abbreviated variants, a match that forgives a
trailing locality, and the scope (province, district or ministry) a document's units belong to.

:func:`unit_matches` lets "Sở Thông tin và Truyền thông" in a question meet "Sở Thông tin và
Truyền thông tỉnh Quảng Ninh" in a plan, whatever spelling either uses. Dropping the locality is
only safe because a unit name is only meaningful together with the document that names it: the
"Sở Thông tin và Truyền thông" of a Quảng Ninh plan is Quảng Ninh's, and :func:`document_scope`
gives that context so a task table can keep them apart.
"""
from __future__ import annotations

import re

from ingest.lang.abbreviations import ABBREVIATIONS
from ingest.lang.normalize import canonical_tones, fold_accents
from ingest.lang.patterns import PROVINCES
from ingest.unit_names import KNOWN_FIELDS, LOCALITY_WORDS, canonical_unit, starts_with_head, unit_key

_LOCALITY_TAIL = re.compile(
    r"(?:\s+(?:" + "|".join(sorted({fold_accents(w).lower() for w in LOCALITY_WORDS}, key=len, reverse=True))
    + r")(?:\s+[a-z0-9]+){0,3})$"
)
_PLACE_KEYS = sorted({fold_accents(p).lower().replace(".", "").replace("-", " ") for p in PROVINCES}, key=len, reverse=True)


def base_key(text: str) -> str:
    """The key without a trailing locality: "… tỉnh Quảng Ninh", "… huyện" — the scope says that.

    Councils keep theirs: "Ủy ban nhân dân tỉnh" and "Ủy ban nhân dân huyện" are different units.
    """
    key = unit_key(text)
    if key.startswith(("uy ban nhan dan", "hoi dong nhan dan")):
        return key
    for _ in range(2):
        for place in _PLACE_KEYS:
            place = " ".join(place.split())
            if key.endswith(" " + place):
                key = key[: -len(place) - 1]
                break
        m = _LOCALITY_TAIL.search(key)
        if m and m.start() > 0:
            stripped = key[: m.start()]
            if len(stripped.split()) >= 2:
                key = stripped
    return key


def unit_variants(text: str) -> list[str]:
    """Ways the same unit is written: canonical, abbreviated ("Sở TT&TT", "Sở TTTT", "UBND …")."""
    name = canonical_unit(text)
    out = [name]
    for abbr, full in sorted(ABBREVIATIONS.items(), key=lambda kv: -len(kv[1])):
        if len(full.split()) < 2 or full[0].islower():
            continue  # only abbreviations of names ("Thông tin và Truyền thông"), not of common nouns
        if full in name:
            for variant in list(out):
                if full in variant:
                    alt = variant.replace(full, abbr)
                    if alt not in out:
                        out.append(alt)
    return out


def unit_matches(query: str, unit: str) -> bool:
    """Does a unit named in a question (``query``) designate ``unit``?

    Equal keys, or equal once a trailing locality is dropped ("Sở Thông tin và Truyền thông" ↔
    "Sở Thông tin và Truyền thông tỉnh Quảng Ninh"). A query without a head noun ("Thông tin và
    Truyền thông") matches any unit of that field.
    """
    return match_score(query, unit) > 0


def match_score(query: str, unit: str) -> float:
    q, u = unit_key(query), unit_key(unit)
    if not q or not u:
        return 0.0
    if q == u:
        return 1.0
    qb, ub = base_key(query), base_key(unit)
    if qb == ub:
        return 0.9
    if not starts_with_head(canonical_unit(query)) and (" " + qb + " ") in (" " + ub + " "):
        return 0.6  # "Thông tin và Truyền thông" → "Sở Thông tin và Truyền thông"
    return 0.0


# --- documents' scope -------------------------------------------------------------------------

_DISTRICT = re.compile(
    r"\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s+(?P<kind>huyện|thị xã|thành phố|quận|HUYỆN|THỊ XÃ|THÀNH PHỐ|QUẬN)\s+"
    r"(?P<name>(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,2})"
)


def _province_in(text: str, min_hits: int = 1) -> str | None:
    """The province a text names as "tỉnh X" / "thành phố X" most often (ties: first named).

    A bare place word is not enough: "hòa bình" is also "peace"."""
    folded = fold_accents(canonical_tones(text)).lower()
    best: tuple[int, int, str] | None = None
    for name in PROVINCES:
        key = fold_accents(canonical_tones(name)).lower().replace("tp. ", "")
        hits = [m.start() for m in re.finditer(r"\b(?:tinh|thanh pho|tp\.?)\s+" + re.escape(key) + r"\b", folded)]
        if len(hits) < min_hits:
            continue
        if hits and (best is None or (len(hits), -hits[0]) > (best[0], best[1])):
            best = (len(hits), -hits[0], name)
    if best is None:
        return None
    return {"Hồ Chí Minh": "TP. Hồ Chí Minh", "Huế": "Thừa Thiên Huế"}.get(best[2], best[2])


# Central bodies: a document they issue speaks for the whole country, whatever place its date line names.
NATIONAL_BODIES = [
    "Thủ tướng Chính phủ", "Chính phủ", "Quốc hội", "Ủy ban Thường vụ Quốc hội", "Văn phòng Chính phủ",
    "Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư",
]


def _national_issuer(issuer: str) -> str | None:
    """"BỘ CÔNG THƯƠNG", "Bộ Nội vụ", "THỦ TƯỚNG CHÍNH PHỦ" → the body's name in normal case."""
    key = unit_key(issuer)
    for body in NATIONAL_BODIES:
        if key == unit_key(body):
            return body
    if key.startswith("bo "):
        for name in KNOWN_FIELDS:
            if key == unit_key("Bộ " + name):
                return "Bộ " + name
        if not issuer.isupper():
            return canonical_unit(issuer)
    return None


def _national_prefix(line: str) -> str | None:
    """A letterhead line that starts with a central body ("BỘ NỘI VỤ CỘNG HÒA XÃ HỘI …")."""
    key = " " + unit_key(line) + " "
    bodies = NATIONAL_BODIES + ["Bộ " + f for f in KNOWN_FIELDS]
    for body in sorted(bodies, key=len, reverse=True):
        if key.startswith(" " + unit_key(body) + " "):
            return body
    return None


def document_scope(meta, text: str = "") -> str | None:
    """Whose units a document names: "Quảng Ninh", "huyện Đông Sơn, Thanh Hóa", "Bộ Nội vụ".

    ``meta`` is a :class:`ingest.metadata.DocMeta` (or anything with province/issuer/title).
    A central body that issued the document wins; then the province the metadata states, or
    that the title, the issuer or the letterhead names, or failing those that the text names
    as "tỉnh X" more than once.
    """
    province = getattr(meta, "province", None)
    issuer = canonical_tones(getattr(meta, "issuer", None) or "")
    title = getattr(meta, "title", "") or ""
    national = _national_issuer(issuer) if issuer else None
    if national and not _province_in(title):  # "… trên địa bàn tỉnh X" is that province's plan
        return national
    head = text[:400]
    if not province:
        province = (_province_in(title) or _province_in(issuer) or _province_in(head)
                    or _province_in(text, min_hits=2))
    district = None
    m = _DISTRICT.search(" ".join([issuer, title, text[:3000]]))
    if m:
        name = m.group("name")
        name = " ".join(w.capitalize() if w.isupper() else w for w in name.split())
        district = f"{m.group('kind').lower()} {canonical_tones(name)}"
    if district and province:
        return f"{district}, {province}"
    if province:
        return province
    # A ministry's letterhead ("BỘ NỘI VỤ") when the metadata names no issuer.
    for line in head.split("\n")[:4]:
        body = _national_prefix(line)
        if body:
            return body
    return (issuer if issuer and not issuer.isupper() else None) or district
