"""``yt qca``: output against the QCA reference, file formats, and clear errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from youthtransitions.cli import main

REF = Path(__file__).resolve().parents[1] / "reference" / "qca"
LF = REF / "lipset_LF.csv"
CONDS = "DEV,URB,LIT,IND,STB"
WANT = {c["name"]: c for c in json.loads((REF / "qca_reference.json").read_text())["cases"]}


def run_json(capsys, *argv):
    # a data file carries no synthetic marker, so the output rules would apply; these tests
    # check the exact values against the QCA package
    assert main(["qca", *argv, "--json", "--no-output-rules"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_matches_qca_reference(capsys):
    out = run_json(capsys, str(LF), "--outcome", "SURV", "--conditions", CONDS, "--cases",
                   "case", "--dir-exp", "DEV,URB,LIT,IND,STB")
    want = WANT["LF_SURV"]
    assert set(out) >= {"truth_table", "solutions"}
    rows = {r["row"]: r for r in out["truth_table"]}
    assert rows[32]["cases"] == "BE,CZ,NL,UK" and rows[32]["out"] == "1"
    assert rows[32]["incl"] == pytest.approx(0.904205607476635, abs=1e-9)
    for kind in ("conservative", "parsimonious"):
        got = out["solutions"][kind]
        assert [m["terms"] for m in got] == [m["terms"] for m in want[kind]]
        for m, w in zip(got, want[kind], strict=True):
            assert {k: m[k] for k in ("incl", "pri", "cov")} == pytest.approx(
                {k: w[k] for k in ("incl", "pri", "cov")}, abs=1e-9)
    assert [m["terms"] for m in out["solutions"]["intermediate"]] == \
        [m["terms"] for m in want["intermediate"]["C1P1"]]


def test_no_intermediate_without_dir_exp_and_text_output(capsys):
    out = run_json(capsys, str(LF), "--outcome", "SURV", "--conditions", CONDS)
    assert set(out["solutions"]) == {"conservative", "parsimonious"}
    assert main(["qca", str(LF), "--outcome", "SURV", "--conditions", CONDS]) == 0
    text = capsys.readouterr().out
    assert "Truth table" in text and "DEV*~IND + URB*STB" in text


@pytest.mark.parametrize("suffix", [".parquet", ".sav", ".dta"])
def test_reads_parquet_spss_stata(tmp_path, capsys, suffix):
    data = pd.read_csv(LF)
    path = tmp_path / f"lipset{suffix}"
    if suffix == ".parquet":
        data.to_parquet(path)
    else:
        import pyreadstat

        writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        writer(data, str(path))
    out = run_json(capsys, str(path), "--outcome", "SURV", "--conditions", CONDS,
                   "--incl-cut", "0.75", "--n-cut", "2")
    assert [m["terms"] for m in out["solutions"]["parsimonious"]] == \
        [m["terms"] for m in WANT["LF_SURV_075_ncut2"]["parsimonious"]]


def test_contradictions_cut_off_pair(capsys):
    out = run_json(capsys, str(LF), "--outcome", "SURV", "--conditions", CONDS,
                   "--incl-cut", "0.8,0.5")
    want = WANT["LF_SURV_contradictions"]["truth_table"]
    got = {r["row"]: r["out"] for r in out["truth_table"]}
    assert got == {row: o for row, o, n in zip(want["row"], want["out"], want["n"],
                                                strict=True) if n > 0}
    assert "C" in got.values()
    with pytest.raises(SystemExit) as stop:  # argparse rejects it before the command runs
        main(["qca", str(LF), "--outcome", "SURV", "--conditions", CONDS, "--incl-cut", "high"])
    assert stop.value.code == 2
    assert "not a number or pair of numbers: 'high'" in capsys.readouterr().err


def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys):
    assert main(["qca", str(LF), "--outcome", "SURV", "--conditions", "DEV,NOPE"]) == 2
    assert "column 'NOPE' not found" in capsys.readouterr().err
    raw = REF / "lipset_LR.csv"
    assert main(["qca", str(raw), "--outcome", "SURV", "--conditions", "DEV"]) == 2
    err = capsys.readouterr().err
    assert "column 'DEV' must hold membership scores in [0, 1]; row 1 has 720.0" in err
    assert main(["qca", str(tmp_path / "none.csv"), "--outcome", "Y", "--conditions", "A"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["qca", str(LF), "--outcome", "SURV", "--conditions", CONDS,
                 "--incl-cut", "1.5"]) == 2
    assert "incl_cut must lie in [0.0, 1.0]" in capsys.readouterr().err
