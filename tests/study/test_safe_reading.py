"""Reading a study folder or a data file safely: every failure a clear problem, never a
traceback; links out of the folder refused unread; quoted values and reports bounded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import youthtransitions as yt
from youthtransitions.cli import main
from youthtransitions.errors import VALUE_CHARS, Problem, StudyDataError, UsageError
from youthtransitions.study import PER_RULE, ProblemList, readers
from youthtransitions.study.datafile import read_data_file
from youthtransitions.study.folder import OUTSIDE_RULE
from youthtransitions.study.formats import NESTED_RULE


def _validate(capsys, *argv):
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# --------------------------------------------------------------------------- permissions


def _deny(monkeypatch, name: str) -> None:
    """Opening ``name`` fails as an unreadable file does (tests may run as root)."""
    real = open

    def fake(file, *args, **kwargs):
        if Path(file).name == name:
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(readers, "open", fake, raising=False)


def test_unreadable_table_file_is_a_problem(study_dir, monkeypatch, capsys):
    _deny(monkeypatch, "youth.csv")
    code, out, _ = _validate(capsys, study_dir)
    assert code == 2
    assert "table youth, value 'youth.csv': cannot be read: permission denied" in out


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="file modes do not stop root")
def test_unreadable_table_file_by_mode(study_dir, capsys):
    (study_dir / "waves.csv").chmod(0)
    try:
        code, out, _ = _validate(capsys, study_dir)
    finally:
        (study_dir / "waves.csv").chmod(0o644)
    assert code == 2 and "value 'waves.csv': cannot be read: permission denied" in out


def test_unreadable_folder_exit_2(study_dir, monkeypatch, capsys):
    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    code, _, err = _validate(capsys, study_dir)
    assert code == 2
    assert f"study folder {str(study_dir)!r} cannot be read: permission denied" in err


def test_unreadable_study_json_is_a_problem(study_dir, monkeypatch):
    (study_dir / "study.json").write_text("{}")
    real = Path.read_bytes

    def fake(self):
        if self.name == "study.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", fake)
    assert [str(p) for p in yt.validate_study(study_dir)] == [
        "table study.json: cannot be read: permission denied"]


def test_unreadable_data_file_is_a_usage_error(tmp_path, monkeypatch):
    file = tmp_path / "d.csv"
    file.write_text("a,b\n1,2\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(pd, "read_csv", refuse)
    with pytest.raises(UsageError, match="cannot read csv file .*: permission denied$"):
        read_data_file(file)


# --------------------------------------------------------------------------- dates with zones


def test_zoned_dates_become_new_zealand_local_time(tables, tmp_path):
    """2019-03-01T23:30Z is 2019-03-02 12:30 in Auckland (NZDT, UTC+13); an offset is read
    as the instant it names; zone-free values in the same column stay as written."""
    waves = tables["waves"]
    waves["interview_date"] = waves["interview_date"].astype(object)
    waves.loc[0, "interview_date"] = "2019-03-01T23:30:00Z"
    waves.loc[1, "interview_date"] = "2020-07-01T08:00:00+02:00"  # NZST, UTC+12: 18:00
    naive = waves.loc[2, "interview_date"]
    study = yt.load_study(_write(tables, tmp_path, "csv"))
    dates = study.waves["interview_date"]
    assert dates[0] == pd.Timestamp("2019-03-02 12:30")
    assert dates[1] == pd.Timestamp("2020-07-01 18:00")
    assert dates[2] == pd.Timestamp(naive)
    assert dates.dt.tz is None


def test_zoned_parquet_dates_become_new_zealand_local_time(tables, tmp_path, capsys):
    waves = tables["waves"]
    waves["interview_date"] = pd.to_datetime(waves["interview_date"]).dt.tz_localize("UTC")
    folder = _write(tables, tmp_path, "parquet")
    assert pq.read_schema(folder / "waves.parquet").field("interview_date").type.tz == "UTC"
    study = yt.load_study(folder)
    expected = waves["interview_date"].dt.tz_convert("Pacific/Auckland").dt.tz_localize(None)
    assert (study.waves["interview_date"].to_numpy() == expected.to_numpy()).all()
    code, out, _ = _validate(capsys, folder)
    assert code == 0 and "valid" in out


def _write(tables, tmp_path, fmt):
    from study_fixture import write_tables

    return write_tables(tmp_path / f"s_{fmt}", tables, fmt)


# --------------------------------------------------------------------------- nested Parquet


@pytest.mark.parametrize("values,kind", [
    (lambda n: [[1, 2]] * n, "list<element: int64>"),
    (lambda n: [{"a": 1, "b": "x"}] * n, "struct<a: int64, b: string>"),
])
def test_nested_parquet_column_refused_by_dtype_rule(values, kind, tables, tmp_path, capsys):
    folder = _write(tables, tmp_path, "parquet")
    waves = pq.read_table(folder / "waves.parquet")
    col = waves.schema.names.index("rq_01")
    waves = waves.set_column(col, "rq_01", pa.array(values(waves.num_rows)))
    pq.write_table(waves, folder / "waves.parquet")
    problems = yt.validate_study(folder)
    assert [(p.table, p.row, p.column) for p in problems] == [("waves", None, "rq_01")]
    assert NESTED_RULE in problems[0].rule and kind in problems[0].rule
    code, out, _ = _validate(capsys, folder)
    assert code == 2 and "table waves, column rq_01: holds nested values" in out


def test_nested_parquet_data_file_is_a_usage_error(tmp_path):
    file = tmp_path / "d.parquet"
    pq.write_table(pa.table({"y": [1.0, 2.0], "tags": [["a"], ["b", "c"]]}), file)
    with pytest.raises(UsageError, match="column 'tags' holds nested values"):
        read_data_file(file)


# --------------------------------------------------------------------------- links


def test_link_to_a_file_outside_is_refused_unread(tables, tmp_path, capsys):
    folder = _write(tables, tmp_path, "csv")
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("youth_id,password\nhunter2,hunter2\n")
    (folder / "youth.csv").unlink()
    (folder / "youth.csv").symlink_to(secret)
    problems = yt.validate_study(folder)
    assert [(p.table, p.value, p.rule) for p in problems] == [("youth", "youth.csv",
                                                               OUTSIDE_RULE)]
    for argv in ([folder], [folder, "--json"]):
        code, out, err = _validate(capsys, *argv)
        assert code == 2 and "hunter2" not in out + err
    code, out, _ = _validate(capsys, folder)
    assert "table youth, value 'youth.csv': the file is a link to a file outside" in out
    # allowed: read as part of the study (and now its content may be reported)
    code, out, _ = _validate(capsys, folder, "--allow-outside-links")
    assert code == 2 and "unknown column" in out
    assert any(p.column == "password" for p in
               yt.validate_study(folder, allow_outside_links=True))


def test_outside_truth_json_is_not_read(tables, tmp_path):
    folder = _write(tables, tmp_path, "csv")
    outside = tmp_path / "truth.json"
    outside.write_text(json.dumps({"secret": "hunter2"}))
    (folder / "truth.json").symlink_to(outside)
    with pytest.raises(StudyDataError) as err:
        yt.load_study(folder)
    assert "hunter2" not in str(err.value)
    assert [(p.table, p.rule) for p in err.value.problems] == [("truth.json", OUTSIDE_RULE)]
    study = yt.load_study(folder, allow_outside_links=True)
    assert study.metadata["truth"] == {"secret": "hunter2"}


def test_link_inside_the_folder_is_read(tables, tmp_path, capsys):
    folder = _write(tables, tmp_path, "csv")
    (folder / "data").mkdir()
    (folder / "waves.csv").rename(folder / "data" / "waves_2019.csv")
    (folder / "waves.csv").symlink_to(Path("data") / "waves_2019.csv")
    assert yt.validate_study(folder) == []
    code, out, _ = _validate(capsys, folder)
    assert code == 0


def test_broken_link_is_not_a_table(tables, tmp_path):
    folder = _write(tables, tmp_path, "csv")
    (folder / "pmk.csv").unlink()
    (folder / "pmk.csv").symlink_to(tmp_path / "nowhere.csv")
    assert yt.validate_study(folder) == []  # pmk is optional; nothing read, nothing quoted


# --------------------------------------------------------------------------- bounded reports


def test_quoted_values_are_capped():
    long = "x" * 500
    p = Problem("youth", 1, "youth_id", long, "identifier must be 1-64 letters")
    assert f"'{'x' * (VALUE_CHARS - 1)}\u2026'" in str(p)
    assert len(str(p)) < 200
    assert p.to_dict()["value"] == "x" * (VALUE_CHARS - 1) + "\u2026"
    assert len(str(Problem("t", 1, "c", list(range(1000)), "r"))) < 120


def test_problem_list_lists_the_first_of_each_rule_and_counts_the_rest():
    problems = ProblemList(limit=3)
    problems.add_rows("waves", "rq_01", np.arange(1, 11), np.full(10, 9), "out of range")
    problems.add_rows("waves", "rq_02", [4, 5], [9, 9], "out of range")
    for row in (7, 8, 9, 10):  # detailed rule text, one group
        problems.add(Problem("waves", row, "youth_id", "Y1", f"duplicate of row {row - 1}"),
                     "duplicate")
    assert [p.row for p in problems if p.column == "rq_01"] == [1, 2, 3]
    assert problems.total == 16 and len(problems) == 8
    assert problems.omitted == {("waves", "rq_01", "out of range"): 7,
                                ("waves", "youth_id", "duplicate"): 1}
    assert {r["column"]: (r["count"], r["listed"]) for r in problems.to_records()} == {
        "rq_01": (10, 3), "rq_02": (2, 2), "youth_id": (4, 3)}
    ordered = problems.sorted()
    assert [p.row for p in ordered][:3] == [1, 2, 3] and ordered.omitted == problems.omitted


def _all_invalid(tables, tmp_path, n_rows: int) -> Path:
    """The fixture study with a waves table of ``n_rows`` rows, every item out of range."""
    from study_fixture import write_tables

    waves = tables["waves"]
    items = [c for c in waves.columns if c not in ("youth_id", "wave", "interview_date")]
    ids = tables["youth"]["youth_id"].to_numpy()
    big = pd.DataFrame({"youth_id": np.resize(ids, n_rows), "wave": np.arange(n_rows) % 3 + 1,
                        "interview_date": None})
    for item in items:
        big[item] = 99
    tables["waves"] = big
    return write_tables(tmp_path / "big", tables, "csv")


def test_100k_all_invalid_rows_give_a_bounded_report(tables, tmp_path, capsys):
    n = 100_000
    folder = _all_invalid(tables, tmp_path, n)
    n_items = sum(1 for c in pd.read_csv(folder / "waves.csv", nrows=1).columns
                  if c not in ("youth_id", "wave", "interview_date"))
    code, out, _ = _validate(capsys, folder)
    assert code == 2
    assert len(out.encode()) < 100_000
    lines = out.splitlines()
    n_dup = n - 3 * len(tables["youth"])  # (youth_id, wave) repeats past the first of each
    assert lines[0].startswith(f"study {folder}: {n * n_items + n_dup} problems")
    assert sum("more of this rule" in line for line in lines) == n_items + 1
    assert f"and {n - PER_RULE} more of this rule (must lie in the scale's response range 1 " \
           f"to 5; {n} in all)" in out
    code, out, _ = _validate(capsys, folder, "--json")
    data = json.loads(out)
    assert code == 2 and len(out.encode()) < 200_000
    assert data["n_problems"] == n * n_items + n_dup
    assert len(data["problems"]) == data["listed"] == PER_RULE * (n_items + 1)
    ranges = [t for t in data["totals"] if t["rule"].startswith("must lie")]
    assert len(ranges) == n_items and {t["count"] for t in ranges} == {n}
    assert {t["listed"] for t in ranges} == {PER_RULE}


def test_all_lists_every_problem(tables, tmp_path, capsys):
    folder = _all_invalid(tables, tmp_path, 60)
    code, out, _ = _validate(capsys, folder, "--json", "--all")
    data = json.loads(out)
    assert code == 2 and data["listed"] == data["n_problems"] == len(data["problems"])
    assert all(t["count"] == t["listed"] for t in data["totals"])
    problems = yt.validate_study(folder, limit=None)
    assert len(problems) == problems.total == data["n_problems"]
