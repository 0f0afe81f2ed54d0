"""Atomic output: a file or folder appears whole or not at all.

Temporary files and staging folders are made *inside* the folder they are for, so moving them
into place is a rename on one filesystem whatever is mounted where (an output folder that is a
mount point works). Their names start with ``.yt-`` and carry the writing process's id, so the
leftovers of a killed process are recognised and removed by the next write
(:func:`remove_stale`). Every :class:`OSError` of writing (full disk, no permission, read-only
folder) becomes an :class:`~youthtransitions.errors.OutputError` naming the path and the reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, UsageError

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_path", "atomic_directory",
           "staging_directory", "move_into", "remove_stale", "own_entry", "output_errors",
           "as_output_error"]

#: names of the package's own temporary entries: ``.yt-<kind>-<pid>-<random>...``
_OWN = re.compile(r"^\.yt-(?:tmp|staging)-(\d+)-")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def own_entry(name: str) -> bool:
    """True for a name of the package's own bookkeeping (temporary files, staging, lock)."""
    return name.startswith(".yt-")


def as_output_error(exc: OSError, path: str | os.PathLike | None = None,
                    rename: tuple[Path, Path] | None = None) -> OutputError:
    """The :class:`OutputError` for an :class:`OSError` met while writing ``path``.

    ``rename = (staging, target)`` reports a file of a staging folder under its final name.
    """
    where = exc.filename if exc.filename is not None else path
    if where is not None and path is not None and own_entry(Path(where).name):
        where = path  # a temporary file: name what it was to become
    if rename is not None and where is not None:
        staging, target = rename
        with contextlib.suppress(ValueError):
            where = target / Path(where).relative_to(staging)
    return OutputError(where if where is not None else "output", exc.strerror or str(exc))


@contextlib.contextmanager
def output_errors(path: str | os.PathLike) -> Iterator[None]:
    """Turn an :class:`OSError` raised inside the block into an :class:`OutputError`."""
    try:
        yield
    except OSError as exc:
        raise as_output_error(exc, path) from exc


def remove_stale(folder: str | os.PathLike, *, every: bool = False) -> list[Path]:
    """Remove temporary files and staging folders that killed processes left in ``folder``.

    An entry is stale when the process named in it no longer runs (all of them with
    ``every=True``, for a caller holding the folder's lock). Folders ``.NAME.*.tmp`` beside
    ``folder``, the staging of earlier versions of the package, are removed too. Returns what
    was removed.
    """
    folder = Path(folder)
    removed = []
    candidates = list(folder.iterdir()) if folder.is_dir() else []
    if folder.parent != folder and folder.parent.is_dir():
        legacy = re.compile(rf"^\.{re.escape(folder.name)}\.[^/]+\.tmp$")
        candidates += [p for p in folder.parent.iterdir() if legacy.match(p.name) and p.is_dir()]
    for entry in candidates:
        match = _OWN.match(entry.name)
        if entry.parent == folder and (match is None or not (every or _gone(int(match[1])))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed


def _gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's live process
        return False
    return False


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    with output_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".yt-tmp-{os.getpid()}-", suffix=f"-{path.name}",
                                   dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
    try:
        yield tmp_path
        with output_errors(path):
            os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    with atomic_path(path) as tmp, output_errors(path):
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def _check_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise UsageError(f"{str(path)!r} is a file, not a folder to write results into")


@contextlib.contextmanager
def staging_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a new empty staging folder inside ``path``; it is removed when the block ends.

    ``path`` is made if needed; stale staging of killed processes in it is removed first.
    """
    path = Path(path)
    _check_folder(path)
    with output_errors(path):
        path.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        tmp = Path(tempfile.mkdtemp(prefix=f".yt-staging-{os.getpid()}-", dir=path))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def move_into(staging: Path, path: Path) -> list[str]:
    """Move every file of ``staging`` to the same place under ``path``; return their names.

    Each move is an :func:`os.replace` on one filesystem (``staging`` lies inside ``path``).
    """
    names = []
    for src in sorted(staging.rglob("*")):
        if src.is_file():
            rel = src.relative_to(staging)
            dest = path / rel
            with output_errors(dest):
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
            names.append(rel.as_posix())
    return names


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a staging folder inside ``path``; on success its files are moved into ``path``.

    Files are moved one by one with :func:`os.replace` only after the body succeeded, so an
    error leaves ``path`` as it was (a folder this call made is removed again). Files already
    in ``path`` and not written are kept.
    """
    path = Path(path)
    _check_folder(path)
    made = not path.exists()
    done = False
    try:
        with staging_directory(path) as tmp:
            yield tmp
            move_into(tmp, path)
            done = True
    finally:
        if made and not done:
            with contextlib.suppress(OSError):
                path.rmdir()  # only if empty
