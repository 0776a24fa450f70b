"""How a summary names its documents: short labels for bullets ("Quảng Ninh", "Bộ Nội vụ"),
section headings per document or province, and the summary's title.

Built from the ledger's record fields (issuer, province, số hiệu, doc_type, date, title) only.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the request type lives with the entry point, which imports this module
    from bot.summary.summarize import SummaryRequest


_LOCAL = re.compile(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\b|Ủy ban nhân dân|Uỷ ban nhân dân|"
                    r"UBND|Hội đồng nhân dân", re.IGNORECASE)
_LOCALITY = re.compile(r"\b(huyện|quận|thị xã|thành phố|tỉnh)\s+((?:[A-ZĐÀ-Ỹ][^\s,;.()]*)(?:\s+[A-ZĐÀ-Ỹ][^\s,;.()]*)*)")


def _is_local(record: dict) -> bool:
    return bool(_LOCAL.search(record.get("issuer") or ""))


def _locality(record: dict) -> tuple[str, str] | None:
    """("huyện", "Đông Sơn") for a district's document, ("tỉnh", "Quảng Ninh") for a province's."""
    issuer = record.get("issuer") or ""
    found = [(m.group(1).lower(), m.group(2)) for m in _LOCALITY.finditer(issuer)]
    for level in ("huyện", "quận", "thị xã", "thành phố", "tỉnh"):
        for lv, name in found:
            if lv == level:
                return lv, name
    return None


def short_label(record: dict) -> str:
    """How a bullet names a document's author: "Quảng Ninh", "Đông Sơn", "Bộ Nội vụ"."""
    if _is_local(record):
        loc = _locality(record)
        if loc and loc[0] in ("huyện", "quận", "thị xã") or (loc and loc[0] == "thành phố"
                                                            and loc[1] != (record.get("province") or "")):
            return loc[1]
        if record.get("province"):
            return record["province"]
        if loc:
            return loc[1]
    if record.get("issuer"):
        return record["issuer"]
    if record.get("number"):
        return f"{record.get('doc_type') or 'Văn bản'} {record['number']}"
    return record.get("title") or record.get("source") or record.get("doc_id", "")


def document_labels(records: list[dict]) -> dict[str, str]:
    """Short labels, made unique: two documents of one issuer are told apart by số hiệu or title."""
    labels = {r["doc_id"]: short_label(r) for r in records}
    counts = Counter(labels.values())
    for r in records:
        if counts[labels[r["doc_id"]]] > 1:
            extra = r.get("number") or _shorten(r.get("title") or r.get("source") or "", 40)
            labels[r["doc_id"]] = f"{labels[r['doc_id']]} ({extra})"
    return labels


def _format_date(iso: str | None) -> str:
    if not iso:
        return ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        return iso
    return f"{int(m.group(3))}/{int(m.group(2))}/{m.group(1)}"


def document_heading(record: dict) -> str:
    """"Kế hoạch 159/KH-UBND của Ủy ban nhân dân tỉnh Quảng Ninh ngày 26/8/2021"."""
    kind = record.get("doc_type") or "Văn bản"
    text = kind + (f" {record['number']}" if record.get("number") else "")
    if record.get("issuer"):
        text += f" của {record['issuer']}"
    elif record.get("title"):
        text += f": {_shorten(record['title'], 120)}"
    if record.get("date"):
        text += f" ngày {_format_date(record['date'])}"
    if not record.get("number") and not record.get("issuer") and not record.get("title"):
        text = record.get("source") or record.get("doc_id", "")
    return text


def province_heading(record: dict, records: list[dict]) -> str:
    if not _is_local(record):
        return record.get("issuer") or document_heading(record)
    province = record.get("province") or short_label(record)
    subs = []
    for r in records:
        if _is_local(r) and (r.get("province") or short_label(r)) == province:
            loc = _locality(r)
            if loc and loc[0] != "tỉnh" and loc[1] != province:
                name = f"{loc[0]} {loc[1]}"
                if name not in subs:
                    subs.append(name)
    return f"{province} ({', '.join(subs)})" if subs else province


_DOC_TYPES_PLURAL = {"Kế hoạch": "Các kế hoạch", "Quyết định": "Các quyết định", "Thông tư": "Các thông tư",
                     "Nghị định": "Các nghị định", "Công văn": "Các công văn", "Chỉ thị": "Các chỉ thị"}


def _plural_label(records: list[dict]) -> tuple[str, str]:
    kinds = {r.get("doc_type") for r in records}
    if len(kinds) == 1 and next(iter(kinds)) in _DOC_TYPES_PLURAL:
        return _DOC_TYPES_PLURAL[next(iter(kinds))], (next(iter(kinds)) or "").lower()
    return "Các văn bản", "văn bản"


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def summary_title(request: SummaryRequest, records: list[dict]) -> str:
    if request.topic:
        t = request.topic
        return t[0].upper() + t[1:]
    if len(records) == 1:
        r = records[0]
        kind = r.get("doc_type") or "văn bản"
        name = f"{kind} {r['number']}" if r.get("number") else kind
        if r.get("issuer"):
            name += f" của {r['issuer']}"
        return f"Tóm tắt {name[0].lower() + name[1:] if not r.get('number') else name}"
    return f"Tóm tắt nội dung {len(records)} văn bản"
