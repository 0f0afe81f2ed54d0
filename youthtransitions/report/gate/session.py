"""Building the one gate of a run: from a Study, or from a loose file given on the command line.

The fingerprint keys the consistent rounding, so it must name the same data whichever way they
arrive: a study folder is fingerprinted by its files' hashes, and a loose file that lies in a
study folder takes that folder's fingerprint, so ``yt codes STUDY/codes.parquet`` publishes a
count exactly as ``yt replicate STUDY`` does. A loose file elsewhere has no synthetic marker and
is treated as real data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from .core import Gate

__all__ = ["study_fingerprint", "file_fingerprint", "gate_for_study", "gate_for_file"]

#: the file that marks a folder as a study folder
_MARKER = "study.json"


def _folder_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256(b"study-folder\0")
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _tables_fingerprint(study: Any) -> str:
    digest = hashlib.sha256(b"study-tables\0")
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        table = getattr(study, name, None)
        if table is None:
            continue
        digest.update(name.encode() + b"\0" + "\0".join(map(str, table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def study_fingerprint(study: Any) -> str:
    """Content fingerprint of a study: its folder's files when it was read from one, else the
    contents of its tables (an in-memory study)."""
    source = getattr(study, "source", None)
    if source and Path(source).is_dir():
        return _folder_fingerprint(Path(source))
    return _tables_fingerprint(study)


def file_fingerprint(path: str | Path) -> str:
    """Fingerprint of a loose data file: its study folder's when it lies in one, else its bytes."""
    path = Path(path)
    if (path.parent / _MARKER).is_file():
        return _folder_fingerprint(path.parent)
    return hashlib.sha256(b"loose-file\0" + path.read_bytes()).hexdigest()


def _study_folder(study: Any) -> Path | None:
    source = getattr(study, "source", None)
    return Path(source) if source and Path(source).is_dir() else None


def gate_for_study(study: Any, *, output_rules: bool | None = None,
                   publish_excerpts: bool = False, **options: Any) -> Gate:
    """The gate of a run on ``study``: rules on unless it is marked synthetic or
    ``output_rules=False`` (``--no-output-rules``). A rounding secret kept inside the
    study's folder is refused (it would travel with the data)."""
    options.setdefault("study_folder", _study_folder(study))
    return Gate(study_fingerprint(study), bool(getattr(study, "synthetic", False)),
                output_rules, publish_excerpts=publish_excerpts, **options)


def gate_for_file(path: str | Path, *, output_rules: bool | None = None,
                  publish_excerpts: bool = False, **options: Any) -> Gate:
    """The gate of a command run on a loose file: it carries no synthetic marker, so the
    rules apply unless ``output_rules=False``. A rounding secret inside the file's study
    folder, when it lies in one, is refused."""
    parent = Path(path).parent
    options.setdefault("study_folder", parent if (parent / _MARKER).is_file() else None)
    return Gate(file_fingerprint(path), False, output_rules,
                publish_excerpts=publish_excerpts, **options)
