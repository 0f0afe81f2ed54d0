"""A REFI-QDA archive opened safely: limits checked before anything is read, each member
read at most once, and the work done on it counted (see :data:`LIMITS`).

The archive is read in memory (nothing is extracted). Every refusal is a
:class:`~youthtransitions.errors.StudyDataError` naming the archive (and the member).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ...errors import Problem, StudyDataError

__all__ = ["LIMITS", "Archive", "open_archive", "read_file", "check_member_name", "fail"]

#: safety limits for archives: archive file size, members, one member's size, the members'
#: total uncompressed size, any member's compression ratio, characters of one excerpt and of
#: all excerpts together, and how deep codes may nest in the codebook
LIMITS = {"archive_bytes": 256 * 2**20, "members": 10_000, "member_bytes": 128 * 2**20,
          "total_bytes": 256 * 2**20, "ratio": 200, "excerpt_chars": 10_000,
          "excerpt_total": 20_000_000, "depth": 32}


def fail(path: Path, rule: str, value: Any = None) -> StudyDataError:
    """The refusal of the project at ``path`` by ``rule``."""
    return StudyDataError(Problem(path.name, None, None, value, rule),
                          f"cannot read REFI-QDA project {path}: {rule}")


def check_member_name(path: Path, name: str) -> None:
    """Refuse a member name that would point outside the archive (path traversal)."""
    bad = ("\x00" in name or "\\" in name or name.startswith("/")
           or re.match(r"^[A-Za-z]:", name) is not None
           or ".." in PurePosixPath(name).parts)
    if bad:
        raise fail(path, "archive member name escapes the archive (path traversal)", name)


def read_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes, at most ``LIMITS["member_bytes"]`` of them."""
    limit = LIMITS["member_bytes"]
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as exc:
        raise fail(path, f"archive member cannot be read ({exc})", info.filename) from exc
    if len(data) > limit:
        raise fail(path, f"archive member is larger than {limit} bytes", info.filename)
    return data


def read_file(path: Path, limit: int, what: str) -> bytes:
    """The whole file, refused unread when larger than ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise fail(path, f"{what} is {size} bytes, more than {limit}")
    return path.read_bytes()


def open_archive(path: Path) -> tuple[bytes, dict[str, zipfile.ZipInfo], zipfile.ZipFile]:
    """``(project.qde bytes, members by lower-case name, open zip)``, every limit checked
    on the archive's directory before any member is read."""
    raw = read_file(path, LIMITS["archive_bytes"], "the archive")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise fail(path, "not a zip archive, or a truncated one (a .qdpx project is a zip "
                         "file)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise fail(path, f"damaged zip archive ({exc})") from exc
    if len(infos) > LIMITS["members"]:
        raise fail(path, f"archive has {len(infos)} members, more than {LIMITS['members']}")
    total = 0
    members: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    for info in infos:
        check_member_name(path, info.filename)
        key = info.filename.lower()
        if key in seen:
            raise fail(path, "archive holds two members of this name (names compared "
                             "ignoring case); which one is meant is not clear", info.filename)
        seen.add(key)
        total += info.file_size
        if info.file_size > LIMITS["member_bytes"]:
            raise fail(path, f"archive member is larger than {LIMITS['member_bytes']} bytes",
                       info.filename)
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > LIMITS["ratio"]:
            raise fail(path, f"archive member expands {ratio:.0f}-fold, more than "
                             f"{LIMITS['ratio']}-fold (zip bomb?)", info.filename)
        if not info.is_dir():
            members[key] = info
    if total > LIMITS["total_bytes"]:
        raise fail(path, f"archive expands to {total} bytes, more than "
                         f"{LIMITS['total_bytes']}")
    qde = [n for n in members if PurePosixPath(n).suffix == ".qde" and "/" not in n]
    if "project.qde" in members:
        qde = ["project.qde"]
    if len(qde) != 1:
        raise fail(path, "archive has no project.qde at its top level")
    return read_member(path, zf, members[qde[0]]), members, zf


@dataclass
class Archive:
    """The open archive and the work done on it: each member read once, excerpts counted."""

    path: Path
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    zf: zipfile.ZipFile | None = None
    texts: dict[str, str] = field(default_factory=dict)
    excerpt_chars: int = 0
    cut: list[str] = field(default_factory=list)  # selections whose excerpt was cut

    def text(self, info: zipfile.ZipInfo) -> str:
        """A member's text, decoded once and kept for every other source that names it."""
        if info.filename not in self.texts:
            data = read_member(self.path, self.zf, info)
            self.texts[info.filename] = data.decode("utf-8-sig", errors="replace")
        return self.texts[info.filename]
