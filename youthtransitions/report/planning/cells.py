"""Run a grid of design cells, each ``reps`` replicates, keeping finished cells on disk.

Generic over what a replicate does: ``func(rng, *args)`` returns a frame of rows (the
design's :func:`~youthtransitions.report.planning.analysis.one_replicate`, or a test's own
simple generator). Every cell runs through :func:`~youthtransitions.parallel.run_replicates`
with the same master seed, so replicate ``i`` of every cell uses the same random stream
(common random numbers: differences between cells are not blurred by independent noise) and
a cell's numbers depend only on the seed and the cell, never on the other cells, the
workers or the backend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..._atomic import atomic_write_text
from ..._tidy import to_jsonable
from ...errors import UsageError
from ...parallel import run_replicates

__all__ = ["CellStore", "run_cells", "cell_key"]


def cell_key(cell: dict[str, Any], settings: dict[str, Any]) -> str:
    """Fingerprint of a cell's results: its levers and every setting the numbers depend on."""
    text = json.dumps(to_jsonable({"cell": cell, "settings": settings}), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class CellStore:
    """Finished cells as ``<folder>/cells/<fingerprint>.json``, each written atomically.

    A cell's file appears only when all its replicates are done, so an interrupted run
    leaves whole cells or none; a rerun with the same settings loads them instead of running
    them again. Floats are stored as JSON's shortest round-trip text, so a resumed result
    equals a fresh one to the last bit.
    """

    def __init__(self, folder: str | Path):
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--out {str(folder)!r} is a file; give a folder for the results")
        self.folder = folder / "cells"

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, key: str) -> pd.DataFrame | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            stored = json.loads(path.read_text())
            frame = pd.DataFrame(stored["rows"], columns=stored["columns"])
        except (OSError, ValueError, KeyError):  # unreadable: run the cell again
            return None
        for column in frame.columns:  # a column of nulls only is NaN, not object
            if frame[column].isna().all():
                frame[column] = float("nan")
        return frame

    def save(self, key: str, cell: dict[str, Any], settings: dict[str, Any],
             rows: pd.DataFrame) -> None:
        body = {"cell": cell, "settings": settings, "columns": list(rows.columns),
                "rows": rows.astype(object).where(rows.notna(), None).values.tolist()}
        atomic_write_text(self._path(key), json.dumps(to_jsonable(body)))


def run_cells(cells: Sequence[dict[str, Any]], func: Callable[..., pd.DataFrame], reps: int,
              *, seed: int, prepare: Callable[[dict[str, Any]], tuple],
              settings: dict[str, Any], store: CellStore | None = None,
              label: Callable[[dict[str, Any]], str] = str, workers: int = 1,
              scheduler: Any = None, progress: bool | None = None) -> pd.DataFrame:
    """Every cell's replicates, one long frame: the cell's levers, ``rep``, then func's rows.

    Parameters
    ----------
    cells : sequence of dict
        The levers of each cell (JSON-ready values).
    func : callable
        ``func(rng, *prepare(cell))`` returns one replicate's rows (a DataFrame).
    reps, seed : int
        Replicates per cell and the master seed.
    prepare : callable
        The arguments of ``func`` for a cell; called only for cells that must run.
    settings : dict
        Everything else the numbers depend on; part of each cell's fingerprint.
    store : CellStore, optional
        Keep finished cells (and load them on a rerun).
    label : callable
        The cell's text in the progress bar.
    workers, scheduler, progress
        As :func:`~youthtransitions.parallel.run_replicates`.
    """
    parts = []
    fingerprint = {**settings, "reps": reps, "seed": seed}
    for index, cell in enumerate(cells, start=1):
        key = cell_key(cell, fingerprint)
        rows = store.load(key) if store is not None else None
        if rows is None:
            out = run_replicates(func, reps, seed=seed, args=prepare(cell), workers=workers,
                                 scheduler=scheduler, progress=progress,
                                 description=f"cell {index}/{len(cells)} ({label(cell)})")
            rows = pd.concat([r.assign(rep=i + 1) for i, r in enumerate(out)],
                             ignore_index=True)
            if store is not None:
                store.save(key, cell, fingerprint, rows)
        parts.append(rows.assign(**cell))
    long = pd.concat(parts, ignore_index=True)
    front = [*cells[0], "rep"]
    return long[front + [c for c in long.columns if c not in front]]
