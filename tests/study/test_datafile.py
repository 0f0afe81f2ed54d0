"""One generic data file read by extension (yt fit, yt qca, yt pool)."""

import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.study.datafile import read_data_file

FRAME = pd.DataFrame({"g": [1, 1, 2], "y": [0.5, 1.5, 2.0]})


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".sav", ".dta"])
def test_each_format_reads_the_same_table(tmp_path, ext):
    path = tmp_path / f"d{ext}"
    if ext == ".csv":
        FRAME.to_csv(path, index=False)
    elif ext == ".parquet":
        FRAME.to_parquet(path)
    else:
        import pyreadstat

        (pyreadstat.write_sav if ext == ".sav" else pyreadstat.write_dta)(FRAME, str(path))
    out = read_data_file(path)
    pd.testing.assert_frame_equal(out, FRAME, check_dtype=False)


@pytest.mark.parametrize("name, content, message", [
    ("d.docx", b"x", "unknown type '.docx'"),
    ("missing.csv", None, "does not exist"),
    ("bad.parquet", b"PAR1 not really", "cannot read parquet file"),
])
def test_bad_files_are_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        read_data_file(path)
