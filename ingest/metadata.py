"""Document metadata read from the text where the document states it.

A Vietnamese administrative document states its own identity in fixed places: the header
("ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH" | "Số: 159/KH-UBND" | "Quảng Ninh, ngày 26 tháng 8 năm
2021"), the type line ("KẾ HOẠCH", "QUYẾT ĐỊNH") followed by the trích yếu, and the
signature. News articles about a document state the same facts in prose ("Ngày 08/11/2019,
Ủy ban nhân dân tỉnh ban hành Kế hoạch số 2502/KH-UBND"). What the text cannot settle, the
corpus manifest (``corpus/manifest.yaml``) corrects.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ingest.lang.normalize import fold_accents
from ingest.lang.patterns import NUMBER, PERSON, SIGNER_OFFICES, find_province, iso_date, parse_date

# Codes after the slash of a số hiệu → document type and issuer.
_TYPE_CODES = {
    "KH": "Kế hoạch", "QĐ": "Quyết định", "NĐ": "Nghị định", "TT": "Thông tư", "CT": "Chỉ thị",
    "CV": "Công văn", "TB": "Thông báo", "BC": "Báo cáo", "HD": "Hướng dẫn", "NQ": "Nghị quyết",
    "QH": "Luật", "TTr": "Tờ trình", "KL": "Kết luận",
}
_ISSUER_CODES = {
    "TTg": "Thủ tướng Chính phủ", "CP": "Chính phủ", "BNV": "Bộ Nội vụ", "BCT": "Bộ Công Thương",
    "BXD": "Bộ Xây dựng", "BGTVT": "Bộ Giao thông vận tải", "BTTTT": "Bộ Thông tin và Truyền thông",
    "BNG": "Bộ Ngoại giao", "BTC": "Bộ Tài chính", "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch", "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BYT": "Bộ Y tế", "BTP": "Bộ Tư pháp", "BCA": "Bộ Công an", "BQP": "Bộ Quốc phòng",
    "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
}
_DOC_TYPES = [
    "Kế hoạch", "Quyết định", "Nghị định", "Thông tư", "Chỉ thị", "Công văn", "Thông báo",
    "Hướng dẫn", "Nghị quyết", "Hiệp định", "Luật", "Báo cáo", "Chương trình",
]
_HEADER_NUMBER = re.compile(r"Số\s*[:.]?\s*" + NUMBER.pattern)
_PLACE_DATE = re.compile(
    r"(?P<place>[A-ZĐÀ-Ỹ][\wÀ-ỹ.\s-]{1,30}?),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)
_SIGNER_TITLE = re.compile(r"^(?:KT\.|TM\.|Q\.|TL\.|TUQ\.)?\s*(?:PHÓ\s+)?(?:" + SIGNER_OFFICES + r")\b")
_LOCAL_AUTHORITY = re.compile(
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|địa bàn|Ban Chỉ đạo[^.\n]{0,60}?)\s+(?:tỉnh|thành phố|TP\.?)\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3}"
)
# "Đã ký: Bùi Văn Sướng": the signature of a treaty or a copy made from the signed original; two
# parties' signatures on one line ("Đã ký: Bùi Văn Sướng Đã ký: …") end the name before "Đã ký".
_SIGNED_BY = re.compile(r"(?:Đã ký|Ký bởi)\s*:?\s*(" + PERSON.pattern + r")(?<!\sĐã)")
# A treaty's closing dateline: "Làm tại Hà Nội ngày 22 tháng 11 năm 1994 …".
_DONE_AT = re.compile(r"Làm tại\s+(?P<place>[^\n,]{2,30}?),?\s+ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})"
                      r"\s+năm\s+(?P<y>\d{4})")


@dataclass
class DocMeta:
    title: str = ""
    number: str | None = None  # số hiệu, e.g. "159/KH-UBND"
    doc_type: str | None = None  # loại văn bản
    issuer: str | None = None  # cơ quan ban hành
    place: str | None = None  # địa danh
    province: str | None = None
    date: str | None = None  # ngày ban hành, ISO 8601
    signer: str | None = None
    # Who may be answered from the document: "public" or "internal" (ingest/levels.py). Set by
    # the manifest or the administrator, never read from the text.
    level: str = "public"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def merge(self, other: dict) -> "DocMeta":
        """Fill or correct fields from a dict (manifest or loader metadata); None keeps ours."""
        for key, value in other.items():
            if hasattr(self, key) and value not in (None, ""):
                setattr(self, key, str(value))
        return self


def _type_from_number(number: str) -> str | None:
    code = number.split("/")[-1].split("-")[0]
    return _TYPE_CODES.get(code)


def _issuer_from_number(number: str) -> str | None:
    parts = number.split("/")[-1].split("-")
    for code in reversed(parts[1:]):
        if code in _ISSUER_CODES:
            return _ISSUER_CODES[code]
    return None


def _own_number(head: str) -> str | None:
    """The document's own số hiệu: the header's "Số: …", else the one a sentence says was
    issued or signed ("ban hành Kế hoạch số 2502/KH-UBND"), else the first in the head."""
    m = _HEADER_NUMBER.search(head)
    if m:
        return m.group(1)
    issued = re.search(
        r"(?:ký|ban hành)\s+(?:" + "|".join(_DOC_TYPES) + r")\s+(?:số\s+)?" + NUMBER.pattern, head, re.IGNORECASE
    )
    if issued:
        return issued.group(1)
    # Any other number in the head is usually a document this one implements or cites
    # ("Thực hiện Kế hoạch số 217/KH-UBND …"): better no số hiệu than someone else's.
    return None


def _without_dateline(line: str) -> str:
    """``line`` less a place and date at its end ("… thủ tục cấp Hà Nội, ngày 10 tháng 4 năm 2026",
    OCR's misreadings included: "ngày0} thángh"): the place is the capitalised words before the comma."""
    m = re.search(r",\s*ng[àaá]y(?:\b|\S)", line)
    if not m:
        return line
    words = line[: m.start()].split()
    place = 0
    while place < min(4, len(words)) and words[-1 - place][:1].isupper():
        place += 1
    if not place or place == len(words):
        return line
    kept = words[:-place]
    if kept[-2:] in (["Thành", "phố"], ["thành", "phố"]) or kept[-1:] in (["TP."], ["Tp."]):  # "Thành phố Hồ Chí Minh"
        kept = kept[: -2 if kept[-1] == "phố" else -1]
    return " ".join(kept) if kept else line


def _title(lines: list[str]) -> str:
    """The type line and its trích yếu ("KẾ HOẠCH" + "Tuyên truyền …"), else the first line."""
    for line in lines[:15]:
        if line.startswith(("V/v", "V/V", "Về việc")):
            # A công văn's trích yếu. A scan read across its two columns runs on into the place
            # and date at the right ("… thủ tục cấp Hà Nội, ngày 10 tháng 4 năm 2026"): not title.
            return _without_dateline(line.strip())[:250]
    for i, line in enumerate(lines[:40]):
        upper = line.strip()
        for doc_type in _DOC_TYPES:
            if upper.upper().startswith(doc_type.upper()) and upper.isupper() and len(upper) < 40:
                rest = " ".join(lines[i + 1 : i + 3]).strip()
                rest = re.split(r"\s+(?=Căn cứ|Thực hiện|Theo đề nghị|[IVX]+\.\s)", rest)[0]
                return f"{doc_type} {rest}".strip()[:250]
            if i < 3 and upper.upper().startswith(doc_type.upper() + " ") and len(upper) > len(doc_type) + 10:
                return upper[:250]
    # Else the first line that reads as a title: a news page opens with its dateline or a
    # banner ("30/01/2026 lúc 11:33 (GMT+7)", "Breaking News") above the headline.
    for line in lines[:5]:
        words = [w for w in line.split() if re.search(r"[^\W\d_]{2}", w)]
        if len(words) >= 4 and len(words) * 2 > len(line.split()):
            return line.strip()[:250]
    return lines[0][:250] if lines else ""


def extract_metadata(lines: list[str], loader_meta: dict[str, str] | None = None) -> DocMeta:
    """Read a document's identity from its first and last lines (and a loader's header)."""
    loader_meta = dict(loader_meta or {})
    head = "\n".join(lines[:30])
    meta = DocMeta(title=_title(lines))
    meta.number = loader_meta.get("number") or _own_number(head)
    if meta.number:
        meta.doc_type = _type_from_number(meta.number)
        meta.issuer = _issuer_from_number(meta.number)
    for doc_type in _DOC_TYPES:
        if meta.title.upper().startswith(doc_type.upper()):
            meta.doc_type = meta.doc_type or doc_type
    header = loader_meta.get("issuer")
    if header:
        meta.issuer = header
    place_date = _PLACE_DATE.search(loader_meta.get("date_text", "") or head)
    if place_date:
        meta.place = place_date.group("place").strip()
        meta.date = iso_date(place_date.group("y"), place_date.group("m"), place_date.group("d"))
    elif meta.number:
        near = re.search(re.escape(meta.number) + r"[^\n.]{0,40}?ngày\s+(\d{1,2}/\d{1,2}/\d{4})", head)
        before = re.search(r"Ngày\s+(\d{1,2}/\d{1,2}/\d{4})[^\n]{0,80}" + re.escape(meta.number), head)
        for m in (near, before):
            if m:
                meta.date = parse_date(m.group(1))
                break
    if not meta.date:
        done = _DONE_AT.search("\n".join(lines[-60:]))
        if done:
            meta.place = meta.place or done.group("place").strip()
            meta.date = iso_date(done.group("y"), done.group("m"), done.group("d"))
    if loader_meta.get("date"):
        meta.date = parse_date(loader_meta["date"]) or meta.date
    meta.province = find_province(" ".join(filter(None, [meta.place, meta.issuer, meta.title])))
    if not meta.province:
        # A local plan names its province with its people's committee or its territory.
        local = _LOCAL_AUTHORITY.search(head)
        if local:
            meta.province = find_province(local.group(0))
    meta.signer = find_signer(lines)
    for key in ("doc_type", "signer", "title"):
        if loader_meta.get(key):
            setattr(meta, key, loader_meta[key])
    meta.issuer = _issuer_name(meta)
    return meta


def find_signer(lines: list[str]) -> str | None:
    """The person under the signature title ("KT. BỘ TRƯỞNG / THỨ TRƯỞNG / Phan Thị Thắng"): the
    last title block of the body, which annexes may follow, or a copy's "Đã ký: …" line."""
    found = None
    for i, line in enumerate(lines):
        if _SIGNER_TITLE.match(line.strip()):
            names = PERSON.findall(" ".join(lines[i : i + 4]))
            if names:
                found = found or names[0]
                if i >= len(lines) - 40:
                    return names[0]  # the closing signature beats a title quoted earlier
    if found:
        return found
    for line in lines:
        m = _SIGNED_BY.search(line)
        if m:
            return m.group(1)
    # A scan whose title block was lost: the signature column is read after the "Nơi nhận" one,
    # so the name stands alone on one of the last lines ("… - Lưu: VT, ATMT. / Trương Thanh Hoài").
    tail = [line.strip() for line in lines if line.strip()][-3:]
    for line in reversed(tail):
        if PERSON.fullmatch(line.rstrip(".")):
            return line.rstrip(".")
    return None


def _issuer_name(meta: DocMeta) -> str | None:
    """Readable issuer: known bodies in their usual case; a bare "ỦY BAN NHÂN DÂN" gets its province."""
    issuer = (meta.issuer or "").strip()
    known = {v.upper(): v for v in _ISSUER_CODES.values()}
    if issuer.upper() in known:
        return known[issuer.upper()]
    generic = not issuer or fold_accents(issuer).upper() in ("UY BAN NHAN DAN", "UBND")
    if generic and meta.number and meta.number.endswith("UBND") and meta.province:
        return f"Ủy ban nhân dân tỉnh {meta.province}"
    if generic and issuer and meta.province:
        return f"Ủy ban nhân dân tỉnh {meta.province}"
    return issuer or None
