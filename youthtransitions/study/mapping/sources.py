"""Reading one raw export named by a mapping: CSV, Excel, Parquet, SPSS or Stata.

A raw file is read as it is, cells kept as text where the format has no types (CSV, so
``007`` stays ``007``), SPSS/Stata value labels kept beside the codes. Turning the columns
into the contract's is :mod:`.reshape`'s work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...errors import UsageError
from ..formats import FILE_FORMATS, FORMAT_LABELS, NESTED_RULE, nested_columns

__all__ = ["Source", "read_source"]


@dataclass
class Source:
    """One raw file as read.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    frame : pandas.DataFrame
        Its cells; row ``i`` (0-based) is the file's row ``i + 1`` (header excluded).
    labels : dict
        Column -> {code: label}: the SPSS/Stata value labels (empty for other formats).
    label : str
        The file's own label (SPSS/Stata), e.g. a note that the data are synthetic.
    """

    path: Path
    frame: pd.DataFrame
    labels: dict[str, dict] = field(default_factory=dict)
    label: str = ""


def read_source(path: Path, sheet: str | int = 0) -> Source:
    """Read a raw export (its format chosen by its ending).

    Raises
    ------
    UsageError
        The file cannot be read; the message names it and says why.
    """
    kind = FILE_FORMATS.get(path.suffix.lower())
    label = FORMAT_LABELS.get(kind, kind)
    try:
        if kind == "csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                                encoding="utf-8-sig")
            frame = frame.apply(lambda c: c.str.strip()).replace("", None)
            return Source(path, frame)
        if kind == "xlsx":
            return Source(path, pd.read_excel(path, sheet_name=sheet, dtype=object))
        if kind == "parquet":
            for name, type_ in nested_columns(path):
                raise UsageError(f"raw file {path.name}: column {name!r} {NESTED_RULE} "
                                 f"(Parquet type {type_})")
            return Source(path, pd.read_parquet(path).reset_index(drop=True))
        import pyreadstat

        reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
        # user-missing codes (SPSS) and extended missing values (Stata) are read as missing
        frame, meta = reader(str(path), apply_value_formats=False,
                             dates_as_pandas_datetime=True)
        # SPSS and Stata strings have no missing value: a blank string is the missing one
        # text columns: object under pandas 2, "str" under pandas 3 (both ask by name)
        text = [c for c, t in frame.dtypes.items() if pd.api.types.is_string_dtype(t)]
        frame[text] = frame[text].apply(lambda c: c.where(c.str.strip() != "", None))
        return Source(path, frame, dict(meta.variable_value_labels or {}),
                      meta.file_label or "")
    except UsageError:
        raise
    except OSError as exc:
        raise UsageError(f"raw file {path.name} cannot be read: "
                         f"{(exc.strerror or type(exc).__name__).lower()}") from None
    except Exception as exc:  # every reader has its own exception types
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"raw file {path.name} is not a readable {label} file: "
                         f"{text}") from None
