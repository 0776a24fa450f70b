"""Broken glyph maps in PDF text layers, repaired from the embedded fonts themselves.

Word 2010 writes ToUnicode CMaps with ranges that assume consecutive glyphs have consecutive
code points. In Times New Roman they do not, so "ư" comes out as "ƣ" (U+01A3 LATIN SMALL LETTER
OI) and "Ò" as "Õ" ("CỘNG HÕA"). The embedded TrueType program still maps every glyph to the
right code point, so where the two disagree on a letter the font's own cmap wins
(:func:`repair_font_maps`, run before pypdf extracts any text). Look-alikes that survive (fonts
without a usable cmap) are mapped back by :data:`LOOKALIKES` after extraction.
"""
from __future__ import annotations

import logging
import re
import struct
from collections.abc import Iterable, Iterator

from pypdf import PdfReader
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

log = logging.getLogger(__name__)

# Code points that no Vietnamese text uses but broken fonts emit for Vietnamese letters.
LOOKALIKES = {"Ƣ": "Ư", "ƣ": "ư", "Ð": "Đ", "ð": "đ", "Ɖ": "Đ"}
LOOKALIKE_RE = re.compile("[" + "".join(LOOKALIKES) + "]")


def repair_font_maps(reader: PdfReader) -> set[tuple[str, str]]:
    """Fix ToUnicode entries that contradict the embedded font's own cmap; returns the fixes."""
    fixes: set[tuple[str, str]] = set()
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), depth=0):
            if id(font) in seen:
                continue
            seen.add(id(font))
            try:
                fixes |= _repair_font(font)
            except Exception:  # a malformed font just keeps its map
                log.debug("font repair skipped", exc_info=True)
    return fixes


def _fonts(resources: object, depth: int) -> Iterator[DictionaryObject]:
    resources = resolve(resources)
    if not isinstance(resources, DictionaryObject) or depth > 3:
        return
    fonts = resolve(resources.get("/Font"))
    if isinstance(fonts, DictionaryObject):
        for ref in fonts.values():
            font = resolve(ref)
            if isinstance(font, DictionaryObject):
                yield font
    xobjects = resolve(resources.get("/XObject"))
    if isinstance(xobjects, DictionaryObject):
        for ref in xobjects.values():
            xobj = resolve(ref)
            if isinstance(xobj, DictionaryObject) and xobj.get("/Subtype") == "/Form":
                yield from _fonts(xobj.get("/Resources"), depth + 1)


def resolve(obj: object) -> object:
    return obj.get_object() if hasattr(obj, "get_object") and obj is not None else obj


def _repair_font(font: DictionaryObject) -> set[tuple[str, str]]:
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") not in ("/Identity-H", "/Identity-V"):
        return set()
    to_unicode = resolve(font.get("/ToUnicode"))
    descendants = resolve(font.get("/DescendantFonts"))
    if to_unicode is None or not descendants:
        return set()
    cid_font = resolve(descendants[0])
    if cid_font.get("/Subtype") != "/CIDFontType2" or cid_font.get("/CIDToGIDMap", "/Identity") != "/Identity":
        return set()  # without an identity CID→GID map the CIDs are not the font's glyph ids
    descriptor = resolve(cid_font.get("/FontDescriptor"))
    font_file = resolve(descriptor.get("/FontFile2")) if descriptor else None
    if font_file is None:
        return set()
    glyph_chars = truetype_glyph_chars(font_file.get_data())
    if not glyph_chars:
        return set()
    mapping = parse_tounicode(to_unicode.get_data())
    fixes: set[tuple[str, str]] = set()
    for cid, text in list(mapping.items()):
        if len(text) != 1 or not text.isalpha():
            continue
        truth = glyph_chars.get(cid)
        if not truth or text in truth:
            continue
        letters = [c for c in truth if c.isalpha()]
        if len(letters) != 1:
            continue  # ambiguous glyph: leave the PDF's word for it
        mapping[cid] = letters[0]
        fixes.add((text, letters[0]))
    if fixes:
        stream = DecodedStreamObject()
        stream.set_data(build_tounicode(mapping))
        font[NameObject("/ToUnicode")] = stream
    return fixes


def parse_tounicode(data: bytes) -> dict[int, str]:
    """bfchar/bfrange entries of a ToUnicode CMap as {code: text}."""
    text = data.decode("latin-1")
    mapping: dict[int, str] = {}
    for body in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", body):
            mapping[int(src, 16)] = _utf16_hex(dst)
    for body in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", body):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if hi_i < lo_i or hi_i - lo_i > 0xFFFF:
                continue
            if dst.startswith("["):
                for k, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    mapping[lo_i + k] = _utf16_hex(item)
            else:
                base = _utf16_hex(dst[1:-1])
                if len(base) != 1:
                    continue
                for k in range(hi_i - lo_i + 1):
                    mapping[lo_i + k] = chr(ord(base) + k)
    return mapping


def _utf16_hex(hexstr: str) -> str:
    try:
        return bytes.fromhex(hexstr).decode("utf-16-be", errors="replace")
    except ValueError:
        return ""


def build_tounicode(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap (2-byte codes) with one bfchar entry per code."""
    items = sorted(mapping.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(items), 100):  # the CMap spec caps a section at 100 entries
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def truetype_glyph_chars(data: bytes) -> dict[int, set[str]]:
    """Glyph id → the characters a TrueType font's Unicode cmap maps to that glyph."""
    try:
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            return {}
        num_tables = struct.unpack(">H", data[4:6])[0]
        cmap_off = None
        for i in range(num_tables):
            tag, _, off, _ = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
            if tag == b"cmap":
                cmap_off = off
        if cmap_off is None:
            return {}
        n_sub = struct.unpack(">H", data[cmap_off + 2 : cmap_off + 4])[0]
        subtables: dict[tuple[int, int], int] = {}
        for i in range(n_sub):
            pid, eid, off = struct.unpack(">HHI", data[cmap_off + 4 + 8 * i : cmap_off + 12 + 8 * i])
            subtables[(pid, eid)] = cmap_off + off
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0)):
            if key in subtables:
                pairs = _cmap_pairs(data, subtables[key])
                if pairs is not None:
                    out: dict[int, set[str]] = {}
                    for code, gid in pairs:
                        if gid:
                            out.setdefault(gid, set()).add(chr(code))
                    return out
    except (struct.error, IndexError, ValueError):
        pass
    return {}


def _cmap_pairs(data: bytes, off: int) -> Iterable[tuple[int, int]] | None:
    fmt = struct.unpack(">H", data[off : off + 2])[0]
    pairs: list[tuple[int, int]] = []
    if fmt == 4:
        seg_count = struct.unpack(">H", data[off + 6 : off + 8])[0] // 2
        ends = off + 14
        starts = ends + 2 * seg_count + 2
        deltas = starts + 2 * seg_count
        range_offsets = deltas + 2 * seg_count
        for s in range(seg_count):
            end = struct.unpack(">H", data[ends + 2 * s : ends + 2 * s + 2])[0]
            start = struct.unpack(">H", data[starts + 2 * s : starts + 2 * s + 2])[0]
            delta = struct.unpack(">h", data[deltas + 2 * s : deltas + 2 * s + 2])[0]
            ro_pos = range_offsets + 2 * s
            ro = struct.unpack(">H", data[ro_pos : ro_pos + 2])[0]
            for code in range(start, min(end, 0xFFFE) + 1):
                if ro == 0:
                    gid = (code + delta) & 0xFFFF
                else:
                    addr = ro_pos + ro + 2 * (code - start)
                    gid = struct.unpack(">H", data[addr : addr + 2])[0]
                    gid = (gid + delta) & 0xFFFF if gid else 0
                pairs.append((code, gid))
        return pairs
    if fmt == 12:
        n_groups = struct.unpack(">I", data[off + 12 : off + 16])[0]
        for g in range(n_groups):
            start, end, gid = struct.unpack(">III", data[off + 16 + 12 * g : off + 28 + 12 * g])
            if end - start > 0x20000:
                continue
            pairs.extend((c, gid + k) for k, c in enumerate(range(start, min(end, 0x10FFFF) + 1)))
        return pairs
    return None
