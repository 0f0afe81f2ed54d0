"""``yt pool`` against mitml::testEstimates and mice::pool on lmer and lm fits.

References: tests/reference/mitml/pool.R (lmer, mitml), tests/reference/pool_families/ (lmer,
mice::pool's default dfcom), tests/reference/mitml_testmodels/ (lm, mice and mitml).
fit_lmm (REML) reproduces lme4 to ~1e-8, so the pooled output is held to the pooling
tolerances: estimates and SEs 1e-6 relative, df, RIV and FMI 1e-4 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.cli import main

REF = Path(__file__).resolve().parents[1] / "reference" / "mitml"
TM = REF.parent / "mitml_testmodels"
FILES = [str(REF / f"studentratings_imp_{i}.csv") for i in range(1, 6)]
ARGS = ["--formula", "ReadAchiev ~ ReadDis + SES", "--group", "ID"]


def _run(capsys, argv):
    # data files carry no synthetic marker, so the output rules would apply; these tests check
    # the exact values against mitml
    status = main([*argv, "--no-output-rules"])
    out = capsys.readouterr()
    return status, out.out, out.err


def _check(fixed, ref):
    got = pd.DataFrame(fixed).set_index("term").loc[list(ref["term"])]
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(got["std_error"], ref["std_error"], rtol=1e-6)
    np.testing.assert_allclose(got["statistic"], ref["statistic"], rtol=1e-6)
    np.testing.assert_allclose(got["df"], ref["df"], rtol=1e-4)
    np.testing.assert_allclose(got["fmi"], ref["fmi"], rtol=1e-4)
    np.testing.assert_allclose(got["riv"], ref["riv"], rtol=1e-4)


def _mice(ref: pd.DataFrame) -> pd.DataFrame:
    return ref.assign(std_error=np.sqrt(ref["t"]),
                      statistic=ref["estimate"] / np.sqrt(ref["t"]))


@pytest.mark.parametrize(("extra", "ref_file"), [
    (["--df-com", "inf"], "lmer_mitml.csv"), (["--df-com", "747"], "lmer_mitml_dfcom747.csv")])
def test_pool_json_matches_mitml(capsys, extra, ref_file):
    status, out, _ = _run(capsys, ["pool", *FILES, *ARGS, *extra, "--json"])
    assert status == 0
    payload = json.loads(out)
    assert payload["settings"]["m"] == 5  # design parameters sit under settings
    assert set(payload["fixed"][0]) == {"term", "estimate", "std_error", "df", "statistic",
                                        "p_value", "riv", "fmi"}
    _check(payload["fixed"], pd.read_csv(REF / ref_file))


def test_pool_default_df_com_is_mice_default(capsys):
    status, out, err = _run(capsys, ["pool", *FILES, *ARGS, "--json"])
    assert status == 0 and err == ""
    payload = json.loads(out)
    assert payload["settings"]["df_com"] == 745 and payload["df_com_rule"] == "residual df"
    ref = pd.read_csv(REF.parent / "pool_families" / "mice_pool.csv")
    _check(payload["fixed"], _mice(ref[(ref["data"] == "ratings") & ref["reml"].eq(True)]))


def _nhanes_files(tmp_path, m=20):
    long = pd.read_csv(TM / "nhanes_imputed.csv")
    files = []
    for i, d in long.groupby("imputation", sort=True):
        if i > m:
            break
        path = tmp_path / f"nhanes_{i}.csv"
        d.drop(columns="imputation").to_csv(path, index=False)
        files.append(str(path))
    return files


@pytest.mark.parametrize("extra", [[], ["--model", "ols"]])
def test_pool_ols_matches_mice_default(capsys, tmp_path, extra):
    files = _nhanes_files(tmp_path)
    status, out, _ = _run(capsys, ["pool", *files, "--formula", "chl ~ age + bmi + hyp",
                                   *extra, "--json"])
    assert status == 0
    payload = json.loads(out)
    assert payload["settings"]["m"] == 20 and payload["settings"]["df_com"] == 21
    ref = pd.read_csv(TM / "mice_pool.csv")
    _check(payload["fixed"], _mice(ref[ref["model"] == "chl ~ age + bmi + hyp"]))


def test_pool_ols_large_sample_matches_mitml(capsys, tmp_path):
    files = _nhanes_files(tmp_path)
    status, out, _ = _run(capsys, ["pool", *files, "--formula", "chl ~ age + bmi",
                                   "--df-com", "inf", "--json"])
    assert status == 0
    payload = json.loads(out)
    assert payload["settings"]["df_com"] is None  # inf in JSON
    ref = pd.read_csv(TM / "testestimates.csv")
    _check(payload["fixed"], ref[ref["model"] == "chl ~ age + bmi"])


def test_pool_refuses_files_that_differ(capsys, tmp_path):
    files = _nhanes_files(tmp_path, m=3)
    short = tmp_path / "short.csv"
    pd.read_csv(files[1]).iloc[:20].to_csv(short, index=False)
    status, _, err = _run(capsys, ["pool", files[0], str(short), "--formula", "chl ~ age"])
    assert status == 2
    assert "short.csv has 20 rows and" in err and "nhanes_1.csv has 25" in err
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(files[1]).rename(columns={"bmi": "BMI"}).to_csv(renamed, index=False)
    status, _, err = _run(capsys, ["pool", files[0], str(renamed), "--formula", "chl ~ age"])
    assert status == 2
    assert "renamed.csv and" in err and "lacks ['bmi']" in err and "adds ['BMI']" in err
    shuffled = tmp_path / "shuffled.csv"
    d = pd.read_csv(FILES[1])
    d.iloc[::-1].to_csv(shuffled, index=False)
    status, _, err = _run(capsys, ["pool", FILES[0], str(shuffled), *ARGS])
    assert status == 2 and "differ in the group column 'ID' at row 1" in err
    assert "Traceback" not in err


def test_pool_warns_on_identical_files(capsys, tmp_path):
    copy = tmp_path / "copy.csv"
    pd.read_csv(FILES[0]).to_csv(copy, index=False)
    status, out, err = _run(capsys, ["pool", FILES[0], FILES[1], str(copy), *ARGS])
    assert status == 0 and "Rubin" in out
    assert err.startswith("yt pool: warning: ")
    assert "studentratings_imp_1.csv and" in err and "copy.csv hold identical data" in err


def test_pool_reads_parquet_and_stata(capsys, tmp_path):
    files = []
    for i, f in enumerate(FILES):
        d = pd.read_csv(f)
        path = tmp_path / (f"imp{i}.parquet" if i % 2 else f"imp{i}.dta")
        if path.suffix == ".parquet":
            d.to_parquet(path)
        else:
            d.to_stata(path, write_index=False)
        files.append(str(path))
    status, out, _ = _run(capsys, ["pool", *files, *ARGS, "--df-com", "inf", "--json"])
    assert status == 0
    _check(json.loads(out)["fixed"], pd.read_csv(REF / "lmer_mitml.csv"))


def test_pool_text_output(capsys):
    status, out, _ = _run(capsys, ["pool", *FILES[:2], *ARGS])
    assert status == 0 and "Rubin" in out and "ReadDis" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["pool", FILES[0], *ARGS], "at least 2"),
    (["pool", FILES[0], "/nonexistent/imp2.csv", *ARGS], "does not exist"),
    (["pool", FILES[0], "notes.docx", *ARGS], "unknown type"),
    (["pool", *FILES[:2], "--formula", "ReadAchiev ~ nothere", "--group", "ID"], "imp_1.csv"),
    # df_com is checked before any file is read or model fitted
    (["pool", "/nonexistent/a.csv", "/nonexistent/b.csv", *ARGS, "--df-com", "0"],
     "df_com must be a positive number"),
    (["pool", "/nonexistent/a.csv", "/nonexistent/b.csv", *ARGS, "--df-com", "nan"],
     "df_com must be a positive number"),
    (["pool", "/nonexistent/a.csv", "/nonexistent/b.csv", *ARGS, "--df-com", "many"],
     "df_com must be a positive number"),
    (["pool", *FILES[:2], "--formula", "ReadAchiev ~ SES", "--model", "lmm"],
     "needs the grouping column"),
    (["pool", *FILES[:2], *ARGS, "--model", "ols"], "an OLS model has no group"),
    (["pool", *FILES[:2], "--formula", "ReadAchiev ~ nothere"], "imp_1.csv"),
])
def test_pool_errors_exit_2(capsys, argv, message):
    status, _, err = _run(capsys, argv)
    assert status == 2
    assert message in err


def test_pool_withholds_the_residual_df_under_the_rules(capsys):
    # a loose file is treated as real data: the default df_com is n - p, a fixed offset
    # from a count of people, so it is not published
    status = main(["pool", *FILES, *ARGS, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == 0
    assert payload["settings"].get("df_com") is None and "withheld" in payload["df_com_rule"]
    status = main(["pool", *FILES, *ARGS])
    out = capsys.readouterr().out
    assert status == 0 and "745" not in out and "withheld" in out
