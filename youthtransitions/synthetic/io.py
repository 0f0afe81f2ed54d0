"""Write a synthetic study to a folder (Parquet, study.json, data dictionary, truth.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .._atomic import atomic_directory
from .._tidy import to_jsonable
from ..errors import UsageError
from ..study import Study
from ..study.contract import FORMATS, TABLES
from ..study.readers import CODES_EXTRA_FORMATS, METADATA_KEY
from .dictionary import data_dictionary

__all__ = ["write_study", "load_truth", "table_bytes", "check_target", "METADATA_KEY"]


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def table_bytes(frame, marker: dict[str, Any]) -> bytes:
    """One table as Parquet bytes with ``marker`` as JSON under :data:`METADATA_KEY`.

    Notes
    -----
    No timestamps or random identifiers go into the file, so equal frames give equal bytes.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[METADATA_KEY] = json.dumps(marker, sort_keys=True).encode()
    table = table.replace_schema_metadata(meta)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def check_target(out_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """Refuse an output folder :func:`write_study` would refuse, before any work is done.

    Raises
    ------
    UsageError
        If ``out_dir`` exists and is not a folder, or is a non-empty folder holding no
        ``study.json`` and ``force`` is false.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "study.json").is_file() and not force:
        raise UsageError(f"output folder {out} is not empty and holds no study "
                         "(no study.json); choose another folder or force overwriting")
    return out


def _stale_files(out: Path, written: set[str]) -> list[Path]:
    """Study files in ``out`` that a previous write left and this one did not write."""
    stale = []
    for entry in out.iterdir():
        if not entry.is_file() or entry.name in written:
            continue
        stem, suffix = entry.stem, entry.suffix.lower().lstrip(".")
        table_file = stem in TABLES and (
            suffix in FORMATS or (stem == "codes" and suffix in CODES_EXTRA_FORMATS))
        if table_file or entry.name == "truth.json":
            stale.append(entry)
    return stale


def write_study(study: Study, out_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``study`` to ``out_dir`` atomically and return the folder.

    Parameters
    ----------
    study : Study
        A study from :func:`~youthtransitions.synthetic.synthesize` (any Study works; the
        synthetic marker follows ``study.synthetic``).
    out_dir : path
        Target folder. It may be missing, empty, or hold a study (``study.json``); any other
        non-empty folder is refused unless ``force``.
    force : bool, keyword-only
        Write into a non-empty folder that holds no study.

    Notes
    -----
    Files: one Parquet per table (schema metadata ``youthtransitions`` = JSON
    ``{"synthetic", "seed", "generator"}``), ``study.json``, ``data_dictionary.md`` and,
    when the study carries one, ``truth.json``. All are built in memory first and moved into
    place only when every file is complete. Two writes of one study are byte-identical.
    When the folder already held a study (``study.json``), its table files (any format) and
    ``truth.json`` that this write did not produce are removed, so the folder holds exactly
    the new study's tables; other files are kept.
    """
    out = check_target(out_dir, force=force)
    held_study = (out / "study.json").is_file()
    meta = study.metadata or {}
    marker = {"synthetic": bool(study.synthetic), "seed": meta.get("seed"),
              "generator": meta.get("generator")}
    files: dict[str, bytes] = {}
    present = []
    for name in TABLES:
        frame = getattr(study, name)
        if frame is None:
            continue
        present.append(name)
        files[f"{name}.parquet"] = table_bytes(frame, marker)
    info = dict(marker, tables=present, description=(
        "Synthetic NZ Youth Transitions study drawn by youthtransitions.synthesize; "
        "no real person's data. See data_dictionary.md and truth.json."),
        counts={name: int(len(getattr(study, name))) for name in present})
    files["study.json"] = _json(info).encode()
    files["data_dictionary.md"] = data_dictionary(study).encode()
    if "truth" in meta:
        files["truth.json"] = _json(meta["truth"]).encode()
    with atomic_directory(out) as tmp:
        for fname, data in files.items():
            (tmp / fname).write_bytes(data)
    if held_study:  # rewriting a study: drop its tables and truth that were not rewritten
        for stale in _stale_files(out, set(files)):
            stale.unlink()
    return out


def load_truth(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Read ``truth.json`` of a synthetic study folder (default: the shipped study).

    Raises
    ------
    UsageError
        When the folder holds no ``truth.json`` or it is not valid JSON.
    """
    if path is None:
        from .shipped import shipped_study_path
        path = shipped_study_path()
    path = Path(path)
    file = path / "truth.json" if path.is_dir() else path
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no truth.json at {file}; only synthetic studies have one") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{file} is not valid JSON: {exc}") from None
