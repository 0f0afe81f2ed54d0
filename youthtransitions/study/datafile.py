"""Read one generic long-format data file (not a study folder) by its extension.

Used by the commands that take a single table (``yt fit``, ``yt qca``, ``yt pool``): CSV,
Parquet, SPSS ``.sav``/``.zsav`` or Stata ``.dta``. Errors name the file and what went wrong.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import UsageError
from .formats import FILE_FORMATS, NESTED_RULE, file_format, nested_columns

__all__ = ["DATA_FILE_FORMATS", "DATA_FILE_TYPES", "read_data_file"]

#: formats a data file may come in
DATA_FILE_FORMATS = ("csv", "parquet", "sav", "dta")
#: file ending -> format, for the endings a data file may have
DATA_FILE_TYPES = {e: f for e, f in FILE_FORMATS.items() if f in DATA_FILE_FORMATS}


def read_data_file(path: str | Path) -> pd.DataFrame:
    """Read a long table from CSV, Parquet, SPSS or Stata.

    Parameters
    ----------
    path : str or Path
        The file; its extension chooses the reader (:data:`DATA_FILE_TYPES`).

    Returns
    -------
    pandas.DataFrame
        Rows numbered 0..n-1 (a named Parquet index becomes a column).

    Raises
    ------
    UsageError
        The file does not exist, its type is unknown, or it cannot be read.
    """
    file = Path(path)
    kind = file_format(file, DATA_FILE_FORMATS, f"data file {str(path)!r}")
    if not file.is_file():
        raise UsageError(f"data file {str(path)!r} does not exist")
    try:
        if kind == "csv":
            frame = pd.read_csv(file)
        elif kind == "parquet":
            for name, kind_ in nested_columns(file):
                raise UsageError(f"data file {str(path)!r}: column {name!r} {NESTED_RULE} "
                                 f"(Parquet type {kind_})")
            frame = pd.read_parquet(file)
        else:
            import pyreadstat

            reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
            frame, _meta = reader(str(file))
    except UsageError:
        raise
    except OSError as exc:  # permissions and the like: say why, not the whole exception
        raise UsageError(f"cannot read {kind} file {str(path)!r}: "
                         f"{(exc.strerror or type(exc).__name__).lower()}") from None
    except Exception as exc:  # every reader has its own exception types
        raise UsageError(f"cannot read {kind} file {str(path)!r}: {exc}") from None
    named = any(name is not None for name in frame.index.names)
    return frame.reset_index(drop=not named)

