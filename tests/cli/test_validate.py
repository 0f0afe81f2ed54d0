"""``yt validate``: exit 0 with a summary when valid, 2 listing problems when not; writes nothing.

One test per kind of bad input the contract rules out, each built from the small valid fixture
study of ``tests/study/study_fixture.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

_FIXTURES = str(Path(__file__).resolve().parents[1] / "study")  # the study tests' fixture
if _FIXTURES not in sys.path:
    sys.path.insert(0, _FIXTURES)
from study_fixture import make_tables, write_tables  # noqa: E402

from youthtransitions.cli import main  # noqa: E402

REPO = Path(__file__).parents[2]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _run(capsys, *argv):
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tables():
    return make_tables()


def test_valid_study_summary(tables, tmp_path, capsys):
    folder = write_tables(tmp_path / "s", tables, "parquet", synthetic=True)
    before = _snapshot(folder)
    code, out, err = _run(capsys, folder)
    assert code == 0 and err == ""
    assert "valid" in out and "synthetic: yes" in out
    assert "youth:     8 (4 multiple-service users)" in out
    assert "wave 1: 8, wave 2: 6, wave 3: 6" in out
    assert "relationship_quality (3 items)" in out
    assert len(out.splitlines()) <= 24  # one screen
    assert _snapshot(folder) == before


def test_valid_study_json(tables, tmp_path, capsys):
    folder = write_tables(tmp_path / "s", tables, "csv")
    code, out, _ = _run(capsys, folder, "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True and data["synthetic"] is False
    assert data["tables"]["youth"] == {"file": "youth.csv", "rows": 8}
    assert data["waves"] == {"1": 8, "2": 6, "3": 6}


def _bad_date(t):
    t["waves"].loc[1, "interview_date"] = t["waves"].loc[0, "interview_date"]


def _set(table, row, column, value):
    def mutate(t):
        t[table][column] = t[table][column].astype(object)
        t[table].loc[row - 1, column] = value
    return mutate


# kind -> (mutation of tables, or of the written folder; expected text in the listing)
CASES = {
    "unknown youth": (_set("waves", 20, "youth_id", "Y99"),
                      "table waves, row 20, column youth_id, value 'Y99': unknown youth"),
    "pmk without nominated PMK": (_set("pmk", 1, "youth_id", "Y02"),
                                  "table pmk, row 1, column youth_id, value 'Y02': PMK interview "
                                  "for a youth without a nominated PMK"),
    "codes outside subsample": (_set("codes", 5, "youth_id", "Y02"),
                                "table codes, row 5, column youth_id, value 'Y02': codes only "
                                "for youth in the qualitative subsample"),
    "pmk-interview codes without PMK": (_set("codes", 5, "source", "pmk_interview"),
                                        "table codes, row 5, column source, value "
                                        "'pmk_interview': pmk_interview codes only for youth "
                                        "with a nominated PMK"),
    "dates not increasing": (_bad_date, "table waves, row 2, column interview_date, value "
                                        "'2019-03-01': interview_date must be strictly "
                                        "increasing"),
    "subsample youth not MSU": (_set("youth", 2, "qual_subsample", True),
                                "table youth, row 2, column qual_subsample, value True: only "
                                "multiple-service users"),
    "value out of range": (_set("youth", 5, "age_w1", 30),
                           "table youth, row 5, column age_w1, value 30.0: must be between 10 "
                           "and 25"),
}

FILE_CASES = {
    "empty file": (lambda d: (d / "youth.csv").write_bytes(b""),
                   "table youth, value 'youth.csv': file is empty"),
    "binary garbage": (lambda d: (d / "youth.csv").write_bytes(bytes(range(256)) * 4),
                       "table youth, value 'youth.csv': binary content"),
    "wrong delimiter": (lambda d: (d / "youth.csv").write_text(
        (d / "youth.csv").read_text().replace(",", ";")),
        "table youth, value 'youth.csv': only one column read: the file looks "
        "semicolon-separated"),
    "two files for one table": (lambda d: (d / "scales.parquet").write_bytes(b"PAR1"),
                                "table scales, value 'scales.csv, scales.parquet': exactly one "
                                "file per table"),
    "missing table": (lambda d: (d / "waves.csv").unlink(),
                      "table waves: required table is missing"),
    "study.json not an object": (lambda d: (d / "study.json").write_text("[1]"),
                                 "table study.json: the file must hold a JSON object"),
    "truth.json not JSON": (lambda d: (d / "truth.json").write_text("{oops"),
                            "table truth.json: not valid JSON"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_rows_exit_2(kind, tables, tmp_path, capsys):
    mutate, expected = CASES[kind]
    mutate(tables)
    folder = write_tables(tmp_path / "s", tables, "csv")
    before = _snapshot(folder)
    code, out, err = _run(capsys, folder)
    assert code == 2
    assert expected in out, out
    assert "Traceback" not in out + err
    assert _snapshot(folder) == before


@pytest.mark.parametrize("kind", list(FILE_CASES))
def test_bad_files_exit_2(kind, tables, tmp_path, capsys):
    breaker, expected = FILE_CASES[kind]
    folder = write_tables(tmp_path / "s", tables, "csv")
    breaker(folder)
    code, out, err = _run(capsys, folder)
    assert code == 2 and expected in out, out
    assert "Traceback" not in out + err


def test_truncated_parquet_exit_2(tables, tmp_path, capsys):
    folder = write_tables(tmp_path / "s", tables, "parquet")
    data = (folder / "youth.parquet").read_bytes()
    (folder / "youth.parquet").write_bytes(data[: len(data) // 3])
    code, out, _ = _run(capsys, folder)
    assert code == 2
    assert "table youth, value 'youth.parquet': not a readable Parquet file" in out


def test_problems_as_json(tables, tmp_path, capsys):
    CASES["unknown youth"][0](tables)
    CASES["value out of range"][0](tables)
    folder = write_tables(tmp_path / "s", tables, "csv")
    code, out, _ = _run(capsys, folder, "--json")
    data = json.loads(out)
    assert code == 2 and data["valid"] is False
    assert data["problems"] == [
        {"table": "youth", "row": 5, "column": "age_w1", "value": 30.0,
         "rule": "must be between 10 and 25"},
        {"table": "waves", "row": 20, "column": "youth_id", "value": "Y99",
         "rule": "unknown youth: not in the youth table"}]


def test_missing_folder_exit_2(tmp_path, capsys):
    code, out, err = _run(capsys, tmp_path / "nowhere")
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    code, out, err = _run(capsys, tmp_path / "nowhere", "--json")
    data = json.loads(out)
    assert code == 2 and data["valid"] is False and "does not exist" in data["error"]


@pytest.mark.skipif(not (REPO / "synthetic_data" / "youth.parquet").exists(),
                    reason="synthetic_data/ not generated yet")
def test_shipped_synthetic_study_is_valid(capsys):
    code, out, err = _run(capsys, REPO / "synthetic_data")
    assert code == 0, out + err
    assert "synthetic: yes" in out
