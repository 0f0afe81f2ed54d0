"""The results folder of ``yt replicate`` as a transaction.

A run holds the folder's lock (``.yt-lock``, :mod:`filelock`) from start to end, so a second
run into the same folder is refused. ``manifest.json`` is the run's log, always written ahead
of the files it describes:

1. **begin** — the run's seed and options with ``"complete": false``; every step entry that
   this run will not resume (another seed, options, input or script, or one left half done) is
   first marked ``"removing"``, then its files are deleted and the entry dropped. From here on
   every file the manifest names belongs to this run.
2. **land** — a step's files, written into a staging folder inside the results folder, are
   recorded with their SHA-256 under ``"status": "landing"``, moved into place (renames on one
   filesystem), and the entry becomes ``"ok"``.
3. **close** — ``"complete": true`` and ``outputs`` (every output's SHA-256) when every step
   of the analyses is ``"ok"`` under this run's fingerprints.

A run killed at any point leaves a manifest that says which steps finished; an entry that is
not ``"ok"`` is cleaned at the next start, as are staging folders and temporary files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._atomic import as_output_error, move_into, output_errors, own_entry, remove_stale
from ..errors import UsageError
from .manifest import Manifest, file_sha256

__all__ = ["LOCK_FILE", "check_results_folder", "RunFolder"]

#: the lock file a run holds inside its results folder
LOCK_FILE = ".yt-lock"


def check_results_folder(out: str | Path, *, force: bool = False) -> Path:
    """Refuse a results folder before any work: a file, or a foreign non-empty folder.

    A non-empty folder that holds no earlier replication (no readable ``manifest.json``) is
    refused unless ``force``; the package's own temporary entries do not count.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a file; give a folder for the results")
    if out.is_dir() and not force and not Manifest(out).found:
        if any(not own_entry(p.name) for p in out.iterdir()):
            raise UsageError(f"output folder {out} is not empty and holds no earlier "
                             "replication (no manifest.json); choose another folder or pass "
                             "--force to write into it")
    return out


class RunFolder:
    """Context manager: the locked results folder of one run, with its manifest.

    Parameters
    ----------
    out : path
        The results folder (made if needed).
    """

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.manifest: Manifest
        self._lock: Any = None

    def __enter__(self) -> RunFolder:
        from filelock import FileLock, Timeout

        with output_errors(self.out):
            self.out.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.out / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise UsageError(f"another run is writing into {self.out} (it holds "
                             f"{self.out / LOCK_FILE}); wait for it to finish or choose "
                             "another output folder") from None
        except OSError as exc:
            raise as_output_error(exc, self.out / LOCK_FILE) from exc
        self._lock = lock
        try:
            with output_errors(self.out):
                remove_stale(self.out, every=True)  # the lock is ours: no one else stages
            self.manifest = Manifest(self.out)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.release()
            self._lock = None

    def _save(self) -> None:
        self.manifest.save()

    def begin(self, header: dict[str, Any], keep: Iterable[str]) -> None:
        """Open the run: write ``header`` with ``complete: false``; drop every step not kept.

        The entries to drop are marked ``"removing"`` in the manifest before their files are
        deleted, so a kill in between leaves nothing the manifest vouches for.
        """
        keep = set(keep)
        steps = self.manifest.data["steps"]
        drop = [name for name in steps if name not in keep]
        for name in drop:
            steps[name]["status"] = "removing"
        self.manifest.data.pop("outputs", None)
        self.manifest.update(**header, complete=False)
        self._save()
        if drop:
            kept_files = set().union(*(self.manifest.files(name) for name in keep
                                       if name in steps))
            with output_errors(self.out):
                for name in drop:
                    for file in sorted(self.manifest.files(name) - kept_files):
                        (self.out / file).unlink(missing_ok=True)
                    del steps[name]
            self._save()

    def land(self, step: str, staging: Path, **entry: Any) -> dict[str, str]:
        """Move a step's staged files into the folder, logging ahead; return their SHA-256."""
        hashes = {p.relative_to(staging).as_posix(): file_sha256(p)
                  for p in sorted(staging.rglob("*")) if p.is_file()}
        self.manifest.record(step, **entry, status="landing", sha256=hashes)
        self._save()
        move_into(staging, self.out)
        self.manifest.record(step, **entry, status="ok", sha256=hashes)
        self._save()
        return hashes

    def close(self, fingerprints: dict[str, str]) -> bool:
        """Mark the run complete if every step is ``"ok"`` under ``fingerprints``; return it."""
        steps = self.manifest.data["steps"]
        complete = set(steps) == set(fingerprints) and all(
            steps[name].get("status") == "ok" and steps[name].get("fingerprint") == fp
            for name, fp in fingerprints.items())
        if complete:
            outputs: dict[str, str] = {}
            for name in fingerprints:
                outputs.update(steps[name].get("sha256", {}))
            self.manifest.update(outputs=dict(sorted(outputs.items())))
        self.manifest.update(complete=complete)
        self._save()
        return complete
