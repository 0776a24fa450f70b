"""Which files ingest may read, and what a document is called: sources, roots and doc ids.

Ingest reads two folders only: the corpus (a document's source is its path relative to it)
and the uploads folder under ``$ASEANBOT_HOME`` (sources ``uploads/<name>``). A symlink, a FIFO
or device, a name that is not UTF-8, or a file whose path leaves those folders is skipped with
a reason and never opened: a symlink ``passwd-link.txt → /etc/passwd`` in the corpus would
otherwise be indexed, quoted by the chatbot and served as the document's original file.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

UPLOADS_PREFIX = "uploads/"
IGNORED_NAMES = {"manifest.yaml", "SOURCES.md", "README.md"}

OUTSIDE_ROOTS = "tệp nằm ngoài thư mục tài liệu và thư mục tải lên: không đọc"
SYMLINK = "liên kết tượng trưng (symlink): không đọc, chỉ đọc tệp thật nằm trong thư mục tài liệu"
NOT_REGULAR = "không phải tệp thông thường (thư mục, FIFO, thiết bị…): không đọc"
BAD_NAME = "tên tệp không phải UTF-8 hợp lệ: đổi tên tệp rồi thử lại"

# A source of this shape keeps today's readable id ("asean/quangninh-159-kh-ubnd-2021.docx" →
# "asean-quangninh-159-kh-ubnd-2021-docx"): one lowercase folder, a lowercase name of words
# joined by single hyphens, a short extension. Every such source has a different slug (the
# first token is the folder, the last the extension), so these ids never collide; any other
# source ("KH 07.txt", "x.TXT", "Kế hoạch.txt", "a/b/c.txt") gets a hash of its exact name.
_PLAIN = re.compile(r"[a-z0-9]+/[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]{1,5}")
_MAX_PLAIN_ID = 120  # ids name files under state/documents: well below 255 bytes


def doc_id_for(source: str) -> str:
    """A stable, URL-safe id, unique per source and independent of what else is ingested.

    >>> doc_id_for("asean/quangninh-159.docx")
    'asean-quangninh-159-docx'
    >>> doc_id_for("uploads/KH 07.txt") != doc_id_for("uploads/kh-07.txt")
    True
    """
    # NFC: the same name typed on another system (macOS writes NFD) is the same document.
    nfc = unicodedata.normalize("NFC", source)
    slug = re.sub(r"[^0-9A-Za-z]+", "-", nfc).strip("-").lower()
    if _PLAIN.fullmatch(source) and len(slug) <= _MAX_PLAIN_ID:
        return slug
    # The hash token (10 hex) is longer than any plain id's last token (an extension, ≤ 5),
    # so a hashed id never equals a plain one.
    digest = hashlib.sha1(nfc.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    slug = slug[:100].rstrip("-")
    return f"{slug}-{digest}" if slug else digest


@dataclass(frozen=True)
class Roots:
    """The folders ingest reads: the corpus, and the uploads folder when there is one."""

    corpus: Path
    uploads: Path | None = None

    def _bases(self) -> list[tuple[str, Path]]:
        # Uploads first: were the uploads folder inside the corpus, its files are uploads.
        bases = [(UPLOADS_PREFIX, self.uploads)] if self.uploads is not None else []
        return [*bases, ("", self.corpus)]

    def locate(self, path: Path) -> tuple[str | None, str | None]:
        """(source, reason): the file's source name if it lies under a root (None when it does
        not), and why it must not be read (None when it may be)."""
        path = Path(os.path.abspath(path))
        for prefix, root in self._bases():
            for base in _spellings(root):
                try:
                    rel = path.relative_to(base)
                except ValueError:
                    continue
                if not rel.parts:
                    continue
                source = prefix + rel.as_posix()
                return source, _problem(base, rel, root)
        return None, OUTSIDE_ROOTS

    def path_for(self, source: str) -> Path | None:
        """Where a source's file lives (whether or not it exists), None for a name no root holds."""
        if source.startswith("/") or ".." in Path(source).parts:
            return None
        if self.uploads is not None and source.startswith(UPLOADS_PREFIX):
            candidate = self.uploads / source[len(UPLOADS_PREFIX):]
            if candidate.exists() or not (self.corpus / source).exists():
                return candidate
        return self.corpus / source

    def readable(self, source: str) -> Path | None:
        """A source's file if it exists and may be read (same checks as ingest)."""
        path = self.path_for(source)
        if path is None:
            return None
        found, problem = self.locate(path)
        return path if found == source and problem is None else None


def _spellings(root: Path) -> list[Path]:
    """The root as written and as resolved (the corpus folder may itself be a symlink)."""
    written = Path(os.path.abspath(root))
    resolved = root.resolve()
    return [written] if written == resolved else [written, resolved]


def _problem(base: Path, rel: Path, root: Path) -> str | None:
    if any(_undecodable(part) for part in rel.parts):
        return BAD_NAME
    current = base
    for i, part in enumerate(rel.parts):
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return "file not found"
        except OSError as exc:
            return f"cannot read file: {exc.strerror}"
        if stat.S_ISLNK(info.st_mode):
            return SYMLINK
        last = i == len(rel.parts) - 1
        if last and not stat.S_ISREG(info.st_mode):
            return NOT_REGULAR
    # No symlink on the way, so this holds; checked anyway, it costs one resolve.
    if not current.resolve().is_relative_to(root.resolve()):
        return OUTSIDE_ROOTS
    return None


def _undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Candidate files under ``paths`` and the folders that were scanned (for the removal of
    deleted files). Symlinks and special files are listed too, so ingest can say why it skips
    them; dot-files and dot-folders (partial uploads) are not."""
    files: list[Path] = []
    folders: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            folders.append(p)
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if any(part.startswith(".") for part in rel) or f.name in IGNORED_NAMES:
                    continue
                if f.is_symlink() or not f.is_dir():
                    files.append(f)
        else:
            files.append(p)
    return files, folders


def open_regular(path: Path):
    """Open a file for reading without following a symlink put there since it was checked,
    and without blocking on a FIFO; anything but a regular file raises OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, NOT_REGULAR)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
