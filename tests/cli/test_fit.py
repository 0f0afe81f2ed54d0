"""``yt fit``: output shape, agreement with the Python API, and errors (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from youthtransitions.cli import main
from youthtransitions.models import bootstrap_r2, fit_lmm, r2_difference

REF = Path(__file__).parents[1] / "reference" / "r2mlm"
DATA = REF / "r2mlm_data.csv"
REFERENCE = json.loads((REF / "r2mlm_reference.json").read_text())


def _json(capsys, *argv):
    # a data file carries no synthetic marker, so the output rules would apply; these tests
    # check the exact values against R and the API
    assert main(["fit", *map(str, argv), "--no-output-rules"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_report_matches_api_and_r(capsys):
    out = _json(capsys, DATA, "--formula", "y ~ x_w + z_w + x_b + w", "--group", "id",
                "--random", "1 + x_w", "--json")
    assert {"engine", "method", "n_obs", "n_groups", "converged", "singular", "loglik", "aic",
            "bic", "fixed", "random", "residual_variance", "r2"} <= set(out)
    assert out["method"] == "REML" and out["n_obs"] == 576 and out["n_groups"] == 160
    assert [f["term"] for f in out["fixed"]] == ["(Intercept)", "x_w", "z_w", "x_b", "w"]
    assert set(out["fixed"][0]) == {"term", "estimate", "std_error", "df", "statistic",
                                    "p_value", "conf_low", "conf_high"}
    assert out["random"]["terms"] == ["(Intercept)", "x_w"]
    rs = out["r2"]["rights_sterba"]
    assert set(rs) == {"total", "within", "between"}
    ref = REFERENCE["models"]["rs"]
    # the fit differs from lme4's by < 1e-4 in the variance components: R² to 1e-4
    assert rs["total"]["f1"] == pytest.approx(ref["r2mlm"]["total"]["f1"], abs=1e-4)
    assert rs["between"]["m"] == pytest.approx(ref["r2mlm"]["between"]["m"], abs=1e-4)
    assert out["r2"]["marginal"] == pytest.approx(ref["nakagawa"]["marginal"], abs=1e-4)


def test_mixed_predictor_gives_nulls(capsys):
    out = _json(capsys, DATA, "--formula", "y ~ x + w", "--group", "id", "--json")
    assert out["r2"]["rights_sterba"]["within"] == {"f1": None, "v": None, "fv": None}
    assert out["r2"]["rights_sterba"]["total"]["f"] == pytest.approx(
        REFERENCE["models"]["mixed"]["r2mlm"]["total"]["f"], abs=1e-4)


def test_compare_and_bootstrap(capsys, tmp_path):
    parquet = tmp_path / "d.parquet"
    pd.read_csv(DATA).to_parquet(parquet)
    out = _json(capsys, parquet, "--formula", "y ~ x_w + x_b + w", "--group", "id",
                "--compare", "y ~ 1", "--bootstrap", 8, "--seed", 4, "--json")
    delta = REFERENCE["comparisons"][0]["delta"]  # ri - null
    assert out["r2_difference"]["rights_sterba"]["total"]["f1"] == pytest.approx(
        delta["total"]["f1"], abs=1e-4)
    # design parameters sit under settings
    assert out["settings"]["bootstrap"]["B"] == 8 and out["settings"]["bootstrap"]["seed"] == 4
    df = pd.read_csv(DATA)
    boot = bootstrap_r2(fit_lmm("y ~ x_w + x_b + w", df, group="id"),
                        fit_lmm("y ~ 1", df, group="id"), B=8, seed=4)
    assert out["bootstrap"]["ci"]["total.f1"] == pytest.approx(list(boot.ci["total.f1"]),
                                                               abs=1e-12)
    assert set(out["bootstrap"]["ci"]) >= {"total.f1", "within.f1", "between.f2"}


def test_text_output(capsys):
    assert main(["fit", str(DATA), "--formula", "y ~ x_w + x_b", "--group", "id",
                 "--compare", "y ~ x_b", "--no-output-rules"]) == 0
    text = capsys.readouterr().out
    assert "Linear mixed model" in text and "total.f1" in text and "R² difference" in text
    df = pd.read_csv(DATA)
    diff = r2_difference(fit_lmm("y ~ x_w + x_b", df, group="id"),
                         fit_lmm("y ~ x_b", df, group="id"))
    assert f"{diff['within.f1']:.4f}" in text


def test_spss_and_stata(tmp_path, capsys):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.read_csv(DATA)
    pyreadstat.write_sav(df, str(tmp_path / "d.sav"))
    pyreadstat.write_dta(df, str(tmp_path / "d.dta"))
    a = _json(capsys, tmp_path / "d.sav", "--formula", "y ~ x_w", "--group", "id", "--json")
    b = _json(capsys, tmp_path / "d.dta", "--formula", "y ~ x_w", "--group", "id", "--json")
    assert a["loglik"] == pytest.approx(b["loglik"], rel=1e-10)


@pytest.mark.parametrize("argv, message", [
    (["--formula", "y ~ nothere", "--group", "id"], "nothere"),
    (["--formula", "y ~ x_w +", "--group", "id"], "formula"),
    (["--formula", "y ~ x_w", "--group", "nogroup"], "nogroup"),
    (["--formula", "y ~ x_w", "--group", "id", "--bootstrap", "1", "--seed", "1"], "B must"),
])
def test_bad_input_exits_2(capsys, argv, message):
    assert main(["fit", str(DATA), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_files_exit_2(capsys, tmp_path):
    assert main(["fit", str(tmp_path / "missing.csv"), "--formula", "y ~ 1", "--group",
                 "id"]) == 2
    assert "does not exist" in capsys.readouterr().err
    odd = tmp_path / "d.xyz"
    shutil.copy(DATA, odd)
    assert main(["fit", str(odd), "--formula", "y ~ 1", "--group", "id"]) == 2
    assert "unknown type" in capsys.readouterr().err
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    assert main(["fit", str(bad), "--formula", "y ~ 1", "--group", "id"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_parametric_bootstrap_option(capsys):
    out = _json(capsys, DATA, "--formula", "y ~ x_w + x_b", "--group", "id", "--bootstrap", 5,
                "--bootstrap-kind", "parametric", "--seed", 9, "--json")
    df = pd.read_csv(DATA)
    boot = bootstrap_r2(fit_lmm("y ~ x_w + x_b", df, group="id"), B=5, seed=9, kind="parametric")
    assert out["bootstrap"]["kind"] == "parametric" and out["bootstrap"]["of"] == "r2"
    assert out["bootstrap"]["ci"]["within.f1"] == pytest.approx(list(boot.ci["within.f1"]),
                                                                abs=1e-12)


def test_parquet_with_named_index(capsys, tmp_path):
    df = pd.read_csv(DATA).set_index("id")
    df.to_parquet(tmp_path / "indexed.parquet")
    out = _json(capsys, tmp_path / "indexed.parquet", "--formula", "y ~ x_w", "--group", "id",
                "--compare", "y ~ 1", "--json")
    assert out["n_groups"] == 160 and out["n_obs"] == 576


@pytest.mark.parametrize("level", ["95", "0", "1", "nan"])
def test_bad_level_exits_2(capsys, level):
    assert main(["fit", str(DATA), "--formula", "y ~ x_w", "--group", "id",
                 "--level", level]) == 2
    err = capsys.readouterr().err
    assert "--level must lie strictly between 0 and 1" in err and "Traceback" not in err


def test_level_reaches_fixed_effect_intervals(capsys):
    out = _json(capsys, DATA, "--formula", "y ~ x_w", "--group", "id", "--level", "0.8",
                "--json")
    ci = fit_lmm("y ~ x_w", pd.read_csv(DATA), group="id").conf_int(0.8)
    assert out["settings"]["level"] == 0.8
    assert [f["conf_low"] for f in out["fixed"]] == pytest.approx(ci["conf_low"].tolist(),
                                                                  rel=1e-12)
    assert [f["conf_high"] for f in out["fixed"]] == pytest.approx(ci["conf_high"].tolist(),
                                                                   rel=1e-12)
    assert main(["fit", str(DATA), "--formula", "y ~ x_w", "--group", "id",
                 "--level", "0.8"]) == 0
    assert "Confidence level:" in capsys.readouterr().out


def test_module_top_imports_stay_light():
    import ast

    import youthtransitions.cli.fit as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    top = {alias.name for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert not top & {"numpy", "pandas", "_tidy"}


# -- --compare: a comparison must be of the same outcome, on the same rows, and nested -----

def _fit(capsys, *extra):
    code = main(["fit", str(DATA), "--formula", "y ~ x_w + x_b", "--group", "id",
                 "--json", *extra])
    return code, capsys.readouterr()


def test_compare_with_another_outcome_exits_2(capsys):
    code, captured = _fit(capsys, "--compare", "x ~ w")
    assert code == 2 and captured.out == ""
    assert "the comparison model has outcome 'x', the full model 'y'" in captured.err
    assert "Traceback" not in captured.err


def test_compare_on_other_rows_exits_2(capsys, tmp_path):
    df = pd.read_csv(DATA)
    df.loc[df.index[:5], "w"] = float("nan")  # the comparison model drops five more rows
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    code = main(["fit", str(path), "--formula", "y ~ x_w", "--group", "id",
                 "--compare", "y ~ w", "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "fitted to different rows (576 vs 571)" in err


def test_non_nested_compare_warns_and_nested_reparametrisation_does_not(capsys):
    from youthtransitions.models import NotNestedWarning

    with pytest.warns(NotNestedWarning, match=r"fixed column\(s\) w do not lie"):
        code, _ = _fit(capsys, "--compare", "y ~ w")
    assert code == 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", NotNestedWarning)
        # x = x_w + x_b lies in the span of the full model's columns: nested
        assert _fit(capsys, "--compare", "y ~ x")[0] == 0
        assert _fit(capsys, "--compare", "y ~ 1")[0] == 0
