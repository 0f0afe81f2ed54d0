"""The run manifest: what went in, what came out, how long each step took.

``manifest.json`` records input file hashes, package versions, the seed and options, and per
step its input fingerprint, seed, options, outputs with their SHA-256, status and seconds; a
top-level ``complete`` says whether the folder holds one whole run (then ``outputs`` gives the
SHA-256 of every output). A rerun skips a step whose fingerprint is unchanged and whose outputs
are all present with the recorded hashes (resume after an interruption).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

from .._atomic import atomic_write_text
from .._tidy import to_jsonable

__all__ = ["file_sha256", "folder_hashes", "package_versions", "fingerprint", "Manifest"]

_PACKAGES = ("youthtransitions", "numpy", "scipy", "pandas", "statsmodels", "linearmodels",
             "pingouin", "formulaic", "seaborn", "matplotlib", "pyarrow", "joblib")


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_hashes(folder: str | Path) -> dict[str, str]:
    """SHA-256 of every regular file directly in ``folder`` (hidden files skipped), by name."""
    folder = Path(folder)
    return {p.name: file_sha256(p) for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers, and Python's."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def fingerprint(*parts: Any) -> str:
    """Stable SHA-256 of JSON-serialisable parts (dict keys sorted)."""
    text = json.dumps(to_jsonable(list(parts)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Manifest:
    """Read, update and atomically write ``manifest.json`` in an output folder."""

    FILE = "manifest.json"

    def __init__(self, out: str | Path):
        self.path = Path(out) / self.FILE
        self.data: dict[str, Any] = {"steps": {}}
        #: whether the folder held a readable manifest (an earlier replication)
        self.found = False
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
            except (OSError, ValueError):
                data = None
            if isinstance(data, dict) and isinstance(data.get("steps", {}), dict):
                self.data, self.found = data, True
            self.data.setdefault("steps", {})

    def completed(self, step: str, fingerprint_: str) -> bool:
        """True when ``step`` finished with this fingerprint and its outputs are as recorded.

        Every output must exist with the SHA-256 the step recorded; an entry without hashes
        (written by an earlier version) does not count as complete.
        """
        entry = self.data["steps"].get(step)
        if not entry or entry.get("status") != "ok" or entry.get("fingerprint") != fingerprint_:
            return False
        hashes = entry.get("sha256")
        if not isinstance(hashes, dict) or not set(entry.get("outputs", [])) <= set(hashes):
            return False
        out = self.path.parent
        return all((out / name).is_file() and file_sha256(out / name) == digest
                   for name, digest in hashes.items())

    def files(self, step: str) -> set[str]:
        """Every file the entry of ``step`` names (its outputs and hashed files)."""
        entry = self.data["steps"].get(step) or {}
        return set(entry.get("outputs", [])) | set(entry.get("sha256") or {})

    def record(self, step: str, **entry: Any) -> None:
        self.data["steps"][step] = to_jsonable(entry)

    def update(self, **fields: Any) -> None:
        self.data.update(to_jsonable(fields))

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n")
