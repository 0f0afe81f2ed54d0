"""Loading a study folder into a validated :class:`~youthtransitions.study.study.Study`."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..errors import StudyDataError
from .contract import SERVICES
from .folder import folder_json, read_folder
from .problems import PER_RULE
from .readers import RawTable
from .study import Study, derive_msu
from .validate import NO_ROWS_RULE, check_tables

__all__ = ["load_study"]


def _is_synthetic(marker: dict | None, raw: dict[str, RawTable]) -> bool:
    """Synthetic only when ``study.json`` and every table's Parquet metadata say so."""
    if not (marker and marker.get("synthetic") is True):
        return False
    return all(t.marker is not None and t.marker.get("synthetic") is True for t in raw.values())


def _with_msu(youth: pd.DataFrame) -> pd.DataFrame:
    """The youth table with ``msu`` derived from the services (the contract's definition)."""
    youth = youth.copy()
    msu = derive_msu(youth)
    if "msu" in youth:
        youth["msu"] = msu
    else:
        youth.insert(list(youth.columns).index(SERVICES[-1]) + 1, "msu", msu)
    return youth


def _plain_table(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.reset_index(drop=True)
    for col in out.columns:  # no missing left in non-nullable columns after validation
        if str(out[col].dtype) == "boolean" and not out[col].isna().any():
            out[col] = out[col].astype(bool)
    return out


def load_study(path: str | Path, *, validate: bool = True, allow_outside_links: bool = False,
               limit: int | None = PER_RULE) -> Study:
    """Read a study folder into a :class:`Study`.

    Parameters
    ----------
    path : path-like
        Folder holding ``youth``, ``waves``, ``scales`` (and optionally ``pmk``, ``codes``)
        as Parquet, CSV, SPSS ``.sav`` or Stata ``.dta`` files, one file per table.
    validate : bool, keyword-only
        When true (default) any broken contract rule raises. When false only problems of
        structure raise (unreadable or missing files, missing or unknown columns, scales not
        defined); rule-breaking cells are kept as read (unreadable cells missing). Use it only
        to inspect broken data.
    allow_outside_links : bool, keyword-only
        Read table files (and ``study.json``, ``truth.json``) that are links to files
        outside the folder; by default such a file is refused unread.
    limit : int or None, keyword-only
        Problems listed per table, column and rule in the error (the rest are counted in
        its ``total`` and its problems' ``counts``); ``None`` lists them all.

    Returns
    -------
    Study
        Tables with the contract's dtypes and categories (row index reset), ``youth.msu``
        derived from the services, ``synthetic`` set from the folder's markers, and
        ``metadata`` holding ``study.json``, ``truth`` (``truth.json`` when present), the
        files read and notes on anything read but not mapped (``codes_unmapped``).

    Raises
    ------
    StudyDataError
        Listing the problems (table, row in the file, column, value, rule), at most
        ``limit`` per rule and column; ``total`` counts them all.
    UsageError
        If ``path`` is not a folder, or cannot be listed.

    Examples
    --------
    >>> import youthtransitions as yt
    >>> study = yt.load_study(yt.synthetic.shipped_study_path())  # doctest: +SKIP
    >>> study.synthetic  # doctest: +SKIP
    True
    """
    folder = Path(path)
    # the folder's problems include those of study.json and truth.json
    raw, problems = read_folder(folder, allow_outside_links=allow_outside_links, limit=limit)
    json_files, _ = folder_json(folder, allow_outside_links=allow_outside_links)
    marker = json_files["study.json"]
    typed, found = check_tables(raw, limit=limit)
    found.merge(problems)
    problems = found.sorted()
    if not validate:  # cell-level problems tolerated; the structure must still hold
        problems = problems.where(lambda p, _: p.row is None and p.rule != NO_ROWS_RULE)
    if problems:
        n = problems.total
        raise StudyDataError(problems, f"study {str(folder)!r} broke {n} rule"
                             f"{'s' if n != 1 else ''} of the data contract", total=n)
    metadata: dict = dict(marker or {})
    metadata["files"] = {name: t.path.name for name, t in raw.items()}
    notes = [n for t in raw.values() for n in t.notes]
    if notes:
        metadata["codes_unmapped"] = notes
        warnings.warn(f"{len(notes)} REFI-QDA item(s) could not be mapped to codes; see "
                      "Study.metadata['codes_unmapped']", stacklevel=2)
    if json_files["truth.json"] is not None:
        metadata["truth"] = json_files["truth.json"]
    youth = _plain_table(typed["youth"])
    youth = _with_msu(youth)
    return Study(youth=youth, waves=_plain_table(typed["waves"]),
                 scales=_plain_table(typed["scales"]), pmk=_plain_table(typed.get("pmk")),
                 codes=_plain_table(typed.get("codes")), synthetic=_is_synthetic(marker, raw),
                 source=str(folder), metadata=metadata)
