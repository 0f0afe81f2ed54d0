"""``yt import``: exit 0 with the report (row counts through the disclosure gate) and the
folder written; exit 2 with the problems, no traceback and nothing written, when the
imported tables break the contract or the mapping is bad."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyreadstat

import youthtransitions as yt
from youthtransitions.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _run(capsys, *argv):
    code = main(["import", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_writes_the_study_and_reports(tmp_path, capsys):
    code, out, err = _run(capsys, EXAMPLE / "youth_mapping.toml", "--out", tmp_path / "s")
    assert code == 0, err
    assert "youth  <- raw/youth_wide.sav: 120 rows" in out  # synthetic: counts exact
    assert "map to nothing (left out): 'Memo: follow up'" in out
    assert f"written to {tmp_path / 's'}" in out
    assert yt.load_study(tmp_path / "s").n_youth == 120


def test_counts_of_real_data_pass_the_output_rules(tmp_path, capsys):
    code, out, _ = _run(capsys, EXAMPLE / "youth_mapping.toml", "--output-rules", "--json")
    report = json.loads(out)
    assert code == 0 and report["written"] is None
    rows = report["tables"]["pmk"]["rows"]  # 188 PMK interviews, randomly rounded to base 3
    assert rows % 3 == 0 and abs(rows - 188) < 3
    assert report["output_rules"].startswith("Output rules applied")


def test_invalid_import_exits_2_and_writes_nothing(tmp_path, capsys):
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    pmk, meta = pyreadstat.read_dta(copy / "raw" / "pmk_long.dta")
    pmk.loc[0, "PRQ1"] = 8  # out of the item's 1..5
    pyreadstat.write_dta(pmk, copy / "raw" / "pmk_long.dta",
                         variable_value_labels=meta.variable_value_labels)
    code, out, err = _run(capsys, copy / "youth_mapping.toml", "--out", tmp_path / "s")
    assert code == 2
    assert "import by youth_mapping.toml broke 1 rule" in err
    assert "table pmk (pmk_long.dta), row 1, column PRQ1, value 8" in err
    assert "nothing was written" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_bad_mapping_exits_2(tmp_path, capsys):
    (tmp_path / "m.toml").write_text('[youth]\nfile = "y.csv"\n')
    code, _, err = _run(capsys, tmp_path / "m.toml")
    assert code == 2 and "[waves] missing" in err and "Traceback" not in err
