"""``yt pool`` against mitml::testEstimates on lmer fits (tests/reference/mitml/pool.R).

fit_lmm (REML) reproduces lme4 to ~1e-8, so the pooled output is held to the pooling
tolerances: estimates and SEs 1e-6 relative, df and FMI 1e-4 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.cli import main

REF = Path(__file__).resolve().parents[1] / "reference" / "mitml"
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


@pytest.mark.parametrize(("extra", "ref_file"), [
    ([], "lmer_mitml.csv"), (["--df-com", "747"], "lmer_mitml_dfcom747.csv")])
def test_pool_json_matches_mitml(capsys, extra, ref_file):
    status, out, _ = _run(capsys, ["pool", *FILES, *ARGS, *extra, "--json"])
    assert status == 0
    payload = json.loads(out)
    assert payload["settings"]["m"] == 5  # design parameters sit under settings
    assert set(payload["fixed"][0]) == {"term", "estimate", "std_error", "df", "statistic",
                                        "p_value", "riv", "fmi"}
    _check(payload["fixed"], pd.read_csv(REF / ref_file))


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
    status, out, _ = _run(capsys, ["pool", *files, *ARGS, "--json"])
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
])
def test_pool_errors_exit_2(capsys, argv, message):
    status, _, err = _run(capsys, argv)
    assert status == 2
    assert message in err
