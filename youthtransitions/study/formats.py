"""File formats the package reads, chosen by a file's ending: stated once for every reader.

A study folder's table files (:mod:`.readers`), a loose codes file (:func:`read_codes`) and a
single long data file (:func:`read_data_file`) all look the format up here; each use says
which formats it accepts.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

__all__ = ["FILE_FORMATS", "FORMAT_LABELS", "file_format", "nested_columns", "NESTED_RULE"]

#: why a column of lists, structs or maps is refused
NESTED_RULE = "holds nested values (lists, structs or maps); each cell must hold one value"

#: file ending (lower case) -> format
FILE_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv",
                ".sav": "sav", ".zsav": "sav", ".dta": "dta", ".xlsx": "xlsx",
                ".qdpx": "qdpx", ".qde": "qdpx"}
#: format -> its name in messages
FORMAT_LABELS = {"parquet": "Parquet", "csv": "CSV", "sav": "SPSS", "dta": "Stata",
                 "xlsx": "Excel", "qdpx": "REFI-QDA"}


def file_format(path: str | Path, accepted: tuple[str, ...], what: str) -> str:
    """The format of ``path`` by its ending, if it is one of ``accepted``.

    Parameters
    ----------
    path : path-like
        The file (it need not exist).
    accepted : tuple of str
        Formats (values of :data:`FILE_FORMATS`) this use reads.
    what : str
        What the file is, to start the error message with (``"data file 'x.docx'"``).

    Raises
    ------
    UsageError
        The ending is not one of an accepted format; the message lists the endings that are.
    """
    suffix = Path(path).suffix.lower()
    found = FILE_FORMATS.get(suffix)
    if found not in accepted:
        endings = sorted(e for e, f in FILE_FORMATS.items() if f in accepted)
        raise UsageError(f"{what}: unknown type {Path(path).suffix!r}; use one of "
                         f"{', '.join(endings)}")
    return found


def nested_columns(path: str | Path) -> list[tuple[str, str]]:
    """``(column, type)`` of each column of a Parquet file holding nested values.

    Read from the file's schema only, before any data: such columns are refused by
    :data:`NESTED_RULE`, since a cell of the contract holds one value. The type is cut to 60
    characters.
    """
    import pyarrow.parquet as pq
    import pyarrow.types as pat

    return [(field.name, str(field.type)[:60]) for field in pq.read_schema(path)
            if pat.is_nested(field.type)]
