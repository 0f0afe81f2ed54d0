"""``yt fit``: output shape, agreement with the Python API, and errors (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
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


# -- the inference options, GLMMs and lme4 random terms on the shipped synthetic study -----
# The API's numbers are checked against lme4, lmerTest and pbkrtest in tests/models/; here
# the command must print those numbers (rules off: exact) and keep them out of view on real
# data (rules on).

FORMULA = "wellbeing ~ relationship_quality + wave"


@pytest.fixture(scope="module")
def study_csv(tmp_path_factory):
    """The shipped study's long table with a binary outcome, as a loose CSV file."""
    import youthtransitions as yt

    frame = yt.load_study(yt.shipped_study_path()).analysis_frame()
    frame = frame[["youth_id", "wave", "wellbeing", "relationship_quality", "gender"]]
    frame = frame.dropna(subset=["wellbeing", "relationship_quality"])
    frame = frame.assign(high=(frame["wellbeing"] >= 3.5).astype(int))
    path = tmp_path_factory.mktemp("fit") / "study.csv"
    frame.to_csv(path, index=False)
    return path, pd.read_csv(path)


def test_anova_and_kenward_roger_match_the_api(capsys, study_csv):
    path, df = study_csv
    out = _json(capsys, path, "--formula", FORMULA, "--group", "youth_id", "--anova",
                "kenward-roger", "--ddf", "kenward-roger", "--json")
    fit = fit_lmm(FORMULA, df, group="youth_id", ddf="kenward-roger")
    table = fit.anova("kenward-roger").to_frame()
    assert [r["term"] for r in out["anova"]] == list(table.index)
    assert set(out["anova"][0]) == {"term", "num_df", "den_df", "F", "p_value"}
    for col in ("num_df", "den_df", "F", "p_value"):  # the same numbers, as printed
        assert [r[col] for r in out["anova"]] == pytest.approx(table[col].tolist(), rel=1e-12)
    coef = fit.to_frame()
    assert [r["df"] for r in out["fixed"]] == pytest.approx(coef["df"].tolist(), rel=1e-12)
    assert [r["std_error"] for r in out["fixed"]] == pytest.approx(
        coef["std_error"].tolist(), rel=1e-12)
    sat = _json(capsys, path, "--formula", FORMULA, "--group", "youth_id", "--anova",
                "--json")
    expected = fit_lmm(FORMULA, df, group="youth_id").anova().to_frame()["den_df"]
    assert [r["den_df"] for r in sat["anova"]] == pytest.approx(expected.tolist(), rel=1e-12)


def test_compare_adds_the_likelihood_ratio_test(capsys, study_csv):
    import youthtransitions as yt

    path, df = study_csv
    out = _json(capsys, path, "--formula", FORMULA, "--group", "youth_id", "--compare",
                "wellbeing ~ wave", "--json")
    full = fit_lmm(FORMULA, df, group="youth_id")
    table = yt.lrt(fit_lmm("wellbeing ~ wave", df.loc[full.data.index], group="youth_id"),
                   full).to_frame()
    assert [r["model"] for r in out["lrt"]] == ["m0", "m1"]
    assert set(out["lrt"][0]) == {"model", "n_params", "loglik", "aic", "bic", "chisq", "df",
                                  "p_value"}
    for col in ("n_params", "loglik", "aic", "bic"):
        assert [r[col] for r in out["lrt"]] == pytest.approx(table[col].tolist(), rel=1e-12)
    assert out["lrt"][1]["chisq"] == pytest.approx(table["chisq"].iloc[1], rel=1e-12)
    assert out["lrt"][0]["chisq"] is None and "r2_difference" in out
    assert main(["fit", str(path), "--formula", FORMULA, "--group", "youth_id", "--compare",
                 "wellbeing ~ wave", "--no-output-rules"]) == 0
    text = capsys.readouterr().out
    assert "Likelihood-ratio tests" in text and f"{table['chisq'].iloc[1]:.4f}" in text


def test_random_effects_per_level_with_the_rules_off(capsys, study_csv):
    path, df = study_csv
    out = _json(capsys, path, "--formula", FORMULA, "--group", "youth_id", "--ranef",
                "--json")
    ranef = fit_lmm(FORMULA, df, group="youth_id").random_effects().to_frame()
    got = pd.DataFrame(out["random_effects"])
    assert list(got.columns) == ["group", "level", "term", "estimate", "std_error"]
    assert list(got["level"]) == list(ranef["level"])
    np.testing.assert_allclose(got["estimate"], ranef["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["std_error"], ranef["std_error"], rtol=1e-12)
    assert "random_effects_summary" not in out


def test_random_effects_on_real_data_are_summarised(capsys, study_csv):
    path, df = study_csv
    assert main(["fit", str(path), "--formula", FORMULA, "--group", "youth_id", "--ranef",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "random_effects" not in out and "one value per group member" in \
        out["random_effects_note"]
    rows = pd.DataFrame(out["random_effects_summary"]["youth_id"])
    modes = np.sort(fit_lmm(FORMULA, df, group="youth_id").random_effects()["estimate"])
    assert rows["bin"].tolist() == ["all"] + [f"bin {i} of 10" for i in range(1, 11)]
    assert rows["n_levels"].iloc[0] % 3 == 0 and abs(rows["n_levels"].iloc[0] - len(modes)) <= 2
    # SD and bin means to the four significant digits published
    assert rows["sd"].iloc[0] == pytest.approx(modes.std(ddof=1), rel=5e-4)
    bins = np.array_split(modes, 10)
    np.testing.assert_allclose(rows["mean"].iloc[1:], [b.mean() for b in bins], rtol=5e-4)
    assert main(["fit", str(path), "--formula", FORMULA, "--group", "youth_id",
                 "--ranef"]) == 0
    text = capsys.readouterr().out
    assert "Random effects of youth_id: summary" in text and "--no-output-rules" in text
    assert not set(df["youth_id"].astype(str)) & set(text.split())


def test_profile_intervals_match_the_api(capsys):
    out = _json(capsys, DATA, "--formula", "y ~ x_w + x_b", "--group", "id", "--profile",
                "--level", "0.9", "--json")
    ci = fit_lmm("y ~ x_w + x_b", pd.read_csv(DATA), group="id").conf_int(0.9,
                                                                         method="profile")
    got = pd.DataFrame(out["profile"]).set_index("parameter")
    assert list(got.index) == list(ci.index) and "sd__(Intercept)" in got.index
    np.testing.assert_allclose(got[["conf_low", "conf_high"]], ci.to_frame(), rtol=1e-12)


def test_family_binomial_matches_fit_glmm(capsys, study_csv):
    import youthtransitions as yt

    path, df = study_csv
    formula = "high ~ relationship_quality + wave + (1 | youth_id)"
    out = _json(capsys, path, "--formula", formula, "--family", "binomial", "--json")
    fit = yt.fit_glmm(formula, df, family="binomial")
    assert out["family"] == "binomial" and out["link"] == "logit"
    assert out["settings"]["nagq"] == 1 and out["n_groups"] == fit.n_groups
    np.testing.assert_allclose([r["estimate"] for r in out["fixed"]], fit.params, rtol=1e-12)
    np.testing.assert_allclose([r["std_error"] for r in out["fixed"]], fit.std_errors,
                               rtol=1e-12)
    assert out["loglik"] == pytest.approx(fit.loglik, rel=1e-12)
    r2 = {r["measure"]: r["estimate"] for r in out["r2"]}
    assert r2["marginal"] == pytest.approx(fit.r2().marginal, rel=1e-12)
    # --group builds the same random term
    same = _json(capsys, path, "--formula", "high ~ relationship_quality + wave",
                 "--group", "youth_id", "--family", "binomial", "--json")
    assert same["loglik"] == pytest.approx(fit.loglik, rel=1e-12)


def test_family_with_a_random_slope_fits_without_r2(capsys, study_csv):
    """Nakagawa's R² is defined here for random intercepts only: a random slope is fitted and
    reported without it, and asking for its bootstrap is a clear error (exit 2)."""
    import youthtransitions as yt

    path, df = study_csv
    formula = "high ~ relationship_quality + wave + (1 + wave | youth_id)"
    out = _json(capsys, path, "--formula", formula, "--family", "binomial", "--json")
    fit = yt.fit_glmm(formula, df, family="binomial")
    assert "r2" not in out
    assert out["loglik"] == pytest.approx(fit.loglik, rel=1e-12)
    assert main(["fit", str(path), "--formula", formula, "--family", "binomial",
                 "--bootstrap", "5"]) == 2
    assert "random intercepts only" in capsys.readouterr().err


def test_family_compare_is_a_likelihood_ratio_test(capsys, study_csv):
    import youthtransitions as yt

    path, df = study_csv
    formula = "high ~ relationship_quality + wave + (1 | youth_id)"
    out = _json(capsys, path, "--formula", formula, "--family", "binomial", "--link",
                "probit", "--compare", "high ~ wave", "--json")
    full = yt.fit_glmm(formula, df, family="binomial", link="probit")
    reduced = yt.fit_glmm("high ~ wave + (1 | youth_id)", df, family="binomial",
                          link="probit")
    table = yt.lrt(reduced, full).to_frame()
    assert [r["chisq"] for r in out["lrt"]][1] == pytest.approx(table["chisq"].iloc[1],
                                                                rel=1e-12)


def test_random_terms_without_group_fit_the_crossed_engine(capsys, study_csv):
    from youthtransitions.models.crossed import fit_lmm_terms

    path, df = study_csv
    formula = "wellbeing ~ relationship_quality + (1 | youth_id) + (1 | wave)"
    out = _json(capsys, path, "--formula", formula, "--ranef", "--json")
    fit = fit_lmm_terms(formula, df)
    np.testing.assert_allclose([r["estimate"] for r in out["fixed"]], fit.params, rtol=1e-12)
    np.testing.assert_allclose([r["df"] for r in out["fixed"]], fit.df, rtol=1e-12)
    np.testing.assert_allclose([r["vcov"] for r in out["varcorr"]], fit.varcorr()["vcov"],
                               rtol=1e-12)
    assert out["n_groups"] == fit.n_groups
    assert {r["group"] for r in out["random_effects"]} == {"youth_id", "wave"}


@pytest.mark.parametrize("argv, message", [
    (["--formula", "high ~ wave + (1 | youth_id)", "--family", "binomial", "--ddf",
      "kenward-roger"], "--ddf: not available for a GLMM"),
    (["--formula", "high ~ wave + (1 | youth_id)", "--family", "binomial", "--anova"],
     "--anova: not available for a GLMM"),
    (["--formula", "high ~ wave + (1 | youth_id)", "--family", "binomial", "--method",
      "reml"], "a GLMM has no REML"),
    (["--formula", "high ~ wave", "--family", "binomial"], "a GLMM needs random terms"),
    (["--formula", "wellbeing ~ wave", "--group", "youth_id", "--link", "logit"],
     "--link: options of a GLMM"),
    (["--formula", "wellbeing ~ wave", "--group", "youth_id", "--nagq", "5"],
     "--nagq: options of a GLMM"),
    (["--formula", "wellbeing ~ wave + (1 | youth_id)", "--group", "youth_id"],
     "not both"),
    (["--formula", "wellbeing ~ wave + (1 | youth_id) + (1 | gender)", "--anova"],
     "--anova: available for a model with one grouping factor"),
    (["--formula", "wellbeing ~ wave"], "give the grouping column with --group"),
    (["--formula", "high ~ wave + (1 + wave | youth_id)", "--family", "binomial", "--nagq",
      "5"], "nagq > 1"),
])
def test_bad_combinations_exit_2(capsys, study_csv, argv, message):
    assert main(["fit", str(study_csv[0]), *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""
