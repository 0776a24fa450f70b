"""Zip containers (DOCX, and any zip a loader opens) are measured before a byte is inflated.

A DOCX is a zip: 1 GiB of repeated XML compresses into ~1 MB, and python-docx inflates and
parses all of it (a 1.08 MB upload took the server from 1.1 to 3.2 GB). The central directory
states every member's compressed and uncompressed size, and ``zipfile`` stops a member that
inflates past its stated size (bad CRC), so the stated sizes can be trusted as upper bounds.

Limits, from the 450 real DOCX of /work/shared/scale-corpus/vbpl plus corpus/ (measured
2025-12): the largest ``word/document.xml`` is 6,096,707 bytes (27-2025-tt-nhnn.docx, also
the largest total, 6.9 MB inflated); the highest member compression ratio 45:1 (same file);
at most 17 members. Parsing that largest file peaks at ~125 MB RSS; a 30 MB document.xml
at ~480 MB. So: 32 MiB per member (5x the largest), 256 MiB in all (photos barely compress,
and the file-size limit is 100 MB), a ratio of at most 200:1 for members over 1 MiB (4x the
highest; zip bombs run at ~1000:1), and 5,000 members.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from ingest.document import LoadError

MiB = 1024 * 1024
MAX_MEMBER = 32 * MiB
MAX_TOTAL = 256 * MiB
MAX_RATIO = 200
RATIO_FROM = 1 * MiB  # small members (styles, a blank header) may compress much better
MAX_MEMBERS = 5000

TOO_BIG = "tệp giải nén quá lớn"
_EOCD = b"PK\x05\x06"


def check_zip(path: Path) -> dict[str, int]:
    """Raise LoadError("tệp giải nén quá lớn: …") for a zip that would inflate past the limits;
    return each member's uncompressed size. A file that is no zip at all passes (the loader
    says what it is)."""
    count = _declared_entries(path)
    if count is not None and count > MAX_MEMBERS:
        raise LoadError(f"{TOO_BIG}: {count} tệp con (tối đa {MAX_MEMBERS})")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return {}
    if len(infos) > MAX_MEMBERS:
        raise LoadError(f"{TOO_BIG}: {len(infos)} tệp con (tối đa {MAX_MEMBERS})")
    total = 0
    sizes: dict[str, int] = {}
    for info in infos:
        size = info.file_size
        total += size
        sizes[info.filename] = size
        if size > MAX_MEMBER:
            raise LoadError(f"{TOO_BIG}: {info.filename} {_mb(size)} MB khi giải nén (tối đa {_mb(MAX_MEMBER)} MB)")
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise LoadError(f"{TOO_BIG}: {info.filename} nén {ratio:.0f}:1 (tối đa {MAX_RATIO}:1)")
    if total > MAX_TOTAL:
        raise LoadError(f"{TOO_BIG}: {_mb(total)} MB khi giải nén (tối đa {_mb(MAX_TOTAL)} MB)")
    return sizes


def _declared_entries(path: Path) -> int | None:
    """The entry count of the end-of-central-directory record, read from the file's last 64 KB
    before ``zipfile`` builds an object per entry (a million empty entries fit in 50 MB)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 65_557))
            tail = fh.read()
    except OSError:
        return None
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return entries  # 0xFFFF (zip64) counts as too many: no DOCX needs zip64


def _mb(n: int) -> str:
    return f"{n / MiB:.0f}" if n >= 10 * MiB else f"{n / MiB:.1f}"
