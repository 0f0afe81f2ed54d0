"""A study folder, read and written: which files it holds and what they are called.

Each contract table is stored as exactly one file ``NAME.<format>`` (:data:`FORMATS`);
``codes`` may also be a REFI-QDA project (``codes.qdpx``) or an Excel workbook
(``codes.xlsx``). Beside the tables a folder may hold ``study.json`` (the study's marker, for
a synthetic study ``{"synthetic": true, ...}``) and ``truth.json`` (the truth of a synthetic
study). :func:`read_folder` reads every table file (:mod:`.readers`) and JSON file, collecting
problems; :func:`write_study` writes a :class:`~youthtransitions.study.Study` so that
:func:`~youthtransitions.study.load_study` reads it back.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._atomic import atomic_directory, own_entry
from .._tidy import to_jsonable
from ..errors import Problem, UsageError
from .contract import CONTRACT, FORMATS, TABLES
from .problems import PER_RULE, ProblemList
from .readers import METADATA_KEY, RawTable, read_json_file, read_table_file
from .study import Study

__all__ = ["read_folder", "folder_json", "read_truth", "write_study", "check_target",
           "table_bytes", "STUDY_JSON_FILES", "CODES_EXTRA_FORMATS"]

#: further formats allowed for the codes table only
CODES_EXTRA_FORMATS = ("xlsx", "qdpx")
#: JSON files a study folder may hold beside its tables
STUDY_JSON_FILES = ("study.json", "truth.json")


def _table_of(entry: Path) -> str | None:
    """The contract table a file of the folder holds, by its name (``None``: not a table)."""
    stem, suffix = entry.stem, entry.suffix.lower().lstrip(".")
    if stem in CONTRACT and (suffix in FORMATS
                             or (stem == "codes" and suffix in CODES_EXTRA_FORMATS)):
        return stem
    return None


#: the rule of a file that is a link to a file outside its study folder
OUTSIDE_RULE = ("the file is a link to a file outside the study folder and is not read "
                "(allow it with allow_outside_links=True or --allow-outside-links)")


def _is_file(entry: Path) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a link loop or an unreadable parent: not a file the study can use
        return False


def find_table_files(folder: Path) -> dict[str, list[Path]]:
    """Files in ``folder`` per contract table, by the names the contract allows.

    Raises
    ------
    UsageError
        If the folder's entries cannot be listed (permissions).
    """
    found: dict[str, list[Path]] = {name: [] for name in TABLES}
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise UsageError(f"study folder {str(folder)!r} cannot be read: "
                         f"{(exc.strerror or type(exc).__name__).lower()}") from None
    for entry in entries:
        table = _table_of(entry) if _is_file(entry) else None
        if table is not None:
            found[table].append(entry)
    return found


def links_outside(entry: Path, folder: Path) -> bool:
    """Whether ``entry`` resolves (through links) to a file outside ``folder``."""
    try:
        target = entry.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):  # a broken or looping link leads nowhere inside
        return True
    return not target.is_relative_to(root)


def folder_json(folder: Path, *, allow_outside_links: bool = False
                ) -> tuple[dict[str, dict[str, Any] | None], list[Problem]]:
    """``{name: JSON object or None}`` of :data:`STUDY_JSON_FILES`, and their problems.

    A JSON file that is a link to a file outside the folder is not read (a problem) unless
    ``allow_outside_links``.
    """
    values: dict[str, dict[str, Any] | None] = {}
    problems: list[Problem] = []
    for name in STUDY_JSON_FILES:
        file = Path(folder) / name
        if file.is_symlink() and not allow_outside_links and links_outside(file, folder):
            values[name] = None
            problems.append(Problem(name, None, None, None, OUTSIDE_RULE))
            continue
        values[name], found = read_json_file(file)
        problems += found
    return values, problems


def read_folder(path: str | Path, *, allow_outside_links: bool = False,
                limit: int | None = PER_RULE) -> tuple[dict[str, RawTable], ProblemList]:
    """Read every contract table present in a study folder.

    Returns the tables read and the file-level problems: a required table with no file, two
    files for one table, a file that links outside the folder, unreadable files, and a
    ``study.json`` or ``truth.json`` that is not a JSON object.

    Parameters
    ----------
    path : path-like
        The study folder.
    allow_outside_links : bool, keyword-only
        Read table and JSON files that are links to files outside the folder. By default
        they are refused unread, so nothing from outside the folder reaches a message.
    limit : int or None, keyword-only
        Problems listed per rule (:class:`~youthtransitions.study.problems.ProblemList`).

    Raises
    ------
    UsageError
        If ``path`` is not an existing folder, or cannot be listed.
    """
    folder = Path(path)
    if not folder.exists():
        raise UsageError(f"study folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{str(folder)!r} is not a folder: a study is a folder of tables")
    tables: dict[str, RawTable] = {}
    problems = ProblemList(limit=limit)
    for name, files in find_table_files(folder).items():
        if not files:
            if CONTRACT[name].required:
                allowed = ", ".join(f"{name}.{f}" for f in FORMATS)
                problems.add(Problem(name, None, None, None,
                                     f"required table is missing: expected one of {allowed}"))
            continue
        if len(files) > 1:
            problems.add(Problem(name, None, None, ", ".join(f.name for f in files),
                                 f"exactly one file per table is allowed; found {len(files)}"))
            continue
        if not allow_outside_links and links_outside(files[0], folder):
            problems.add(Problem(name, None, None, files[0].name, OUTSIDE_RULE))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw, found = read_table_file(name, files[0], limit=limit)
        problems.merge(found)
        if raw is not None:
            tables[name] = raw
    problems.merge(folder_json(folder, allow_outside_links=allow_outside_links)[1])
    return tables, problems


def read_truth(path: str | os.PathLike) -> dict[str, Any]:
    """``truth.json`` of a study folder (or that file itself) as a dict.

    Raises
    ------
    UsageError
        When there is no ``truth.json`` or it does not hold a JSON object.
    """
    path = Path(path)
    file = path / "truth.json" if path.is_dir() else path
    truth, problems = read_json_file(file)
    if problems:
        raise UsageError(f"{file}: {problems[0].rule}")
    if truth is None:
        raise UsageError(f"no truth.json at {file}; only synthetic studies have one")
    return truth


# --------------------------------------------------------------------------- writing


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def table_bytes(frame, marker: dict[str, Any]) -> bytes:
    """One table as Parquet bytes with ``marker`` as JSON under :data:`METADATA_KEY`.

    Notes
    -----
    No timestamps or random identifiers go into the file, so equal frames give equal bytes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    if out.is_dir() and any(not own_entry(p.name) for p in out.iterdir()) and not (out / "study.json").is_file() and not force:
        raise UsageError(f"output folder {out} is not empty and holds no study "
                         "(no study.json); choose another folder or force overwriting")
    return out


def _stale_files(out: Path, written: set[str]) -> list[Path]:
    """Study files in ``out`` that a previous write left and this one did not write."""
    return [entry for entry in out.iterdir()
            if entry.is_file() and entry.name not in written
            and (_table_of(entry) is not None or entry.name == "truth.json")]


def _check_waves(study: Study) -> None:
    """UsageError, before anything is written, for waves the data contract does not have
    (a synthetic study planned with more waves than the study's three cannot be a folder
    that :func:`load_study` reads)."""
    from .contract import WAVES

    for name in ("waves", "pmk"):
        frame = getattr(study, name, None)
        if frame is None or "wave" not in frame:
            continue
        bad = sorted(set(frame["wave"].dropna().unique().tolist()) - set(WAVES))
        if bad:
            raise UsageError(f"table {name}: column 'wave' holds {bad[0]!r}; the data "
                             f"contract's waves are {', '.join(map(str, WAVES))} (a study "
                             "of more waves is for planning, yt design --waves)")


def write_study(study: Study, out_dir: str | os.PathLike, *, force: bool = False,
                description: str | None = None,
                extra_files: Mapping[str, bytes] | None = None) -> Path:
    """Write ``study`` to ``out_dir`` atomically and return the folder.

    Parameters
    ----------
    study : Study
        The study; its ``metadata`` ``seed`` and ``generator`` go into the marker, and its
        ``truth`` (when present) into ``truth.json``.
    out_dir : path
        Target folder. It may be missing, empty, or hold a study (``study.json``); any other
        non-empty folder is refused unless ``force``.
    force : bool, keyword-only
        Write into a non-empty folder that holds no study.
    description : str, optional
        Written as ``description`` in ``study.json``.
    extra_files : mapping of str to bytes, optional
        Further files written beside the tables (for example a data dictionary).

    Notes
    -----
    Files: one Parquet per table (schema metadata ``youthtransitions`` = JSON
    ``{"synthetic", "seed", "generator"}``), ``study.json`` (the marker with ``tables``,
    ``counts`` and ``description``), ``extra_files`` and, when the study carries one,
    ``truth.json``. All are built in memory first and moved into place only when every file is
    complete. Two writes of one study are byte-identical. When the folder already held a study
    (``study.json``), its table files (any format) and ``truth.json`` that this write did not
    produce are removed, so the folder holds exactly the new study's tables; other files are
    kept.
    """
    _check_waves(study)
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
    info = dict(marker, tables=present,
                counts={name: int(len(getattr(study, name))) for name in present})
    if description is not None:
        info["description"] = description
    files["study.json"] = _json(info).encode()
    files.update(extra_files or {})
    if "truth" in meta:
        files["truth.json"] = _json(meta["truth"]).encode()
    with atomic_directory(out) as tmp:
        for fname, data in files.items():
            (tmp / fname).write_bytes(data)
    if held_study:  # rewriting a study: drop its tables and truth that were not rewritten
        for stale in _stale_files(out, set(files)):
            stale.unlink()
    return out
