"""The shipped synthetic study (``synthetic_data/`` at the repository root)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..study.folder import read_truth
from .generate import synthesize
from .io import write_study
from .params import DEFAULT_SEED

__all__ = ["SHIPPED_STUDY", "shipped_study_path", "load_truth"]

#: folder of the shipped synthetic study (present in a source checkout)
SHIPPED_STUDY = Path(__file__).resolve().parents[2] / "synthetic_data"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "youthtransitions" / f"synthetic_data-{DEFAULT_SEED}"


def shipped_study_path() -> Path:
    """Path of the shipped study; regenerated deterministically into a cache if absent.

    Notes
    -----
    An installed package (no source checkout) has no ``synthetic_data/``; the study is then
    drawn with :data:`~youthtransitions.synthetic.params.DEFAULT_SEED` into
    ``$XDG_CACHE_HOME/youthtransitions/`` (default ``~/.cache``), giving the same files.
    """
    if (SHIPPED_STUDY / "study.json").is_file():
        return SHIPPED_STUDY
    cache = _cache_dir()
    if not (cache / "study.json").is_file():
        write_study(synthesize(DEFAULT_SEED), cache)
    return cache


def load_truth(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Read ``truth.json`` of a synthetic study folder (default: the shipped study).

    Raises
    ------
    UsageError
        When the folder holds no ``truth.json`` or it does not hold a JSON object.
    """
    return read_truth(shipped_study_path() if path is None else path)
