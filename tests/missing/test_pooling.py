"""Rubin's rules against mice::pool and mitml::testEstimates (tests/reference/mitml/pool.R).

Tolerances: estimates and standard errors 1e-6 (relative), df, RIV, lambda and FMI 1e-4
(relative), p values 1e-8 absolute (R computes 1 - pt(), losing digits in the far tail).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from youthtransitions.errors import UsageError
from youthtransitions.missing import extract_estimates, pool

REF = Path(__file__).resolve().parents[1] / "reference" / "mitml"


def _pairs(stem: str) -> list[tuple[pd.Series, pd.DataFrame]]:
    coefs = pd.read_csv(REF / f"{stem}_coefs.csv")
    vcov = pd.read_csv(REF / f"{stem}_vcov.csv")
    out = []
    for i, c in coefs.groupby("imputation", sort=True):
        terms = list(c["term"])
        params = pd.Series(c["estimate"].to_numpy(), index=terms)
        v = vcov[vcov["imputation"] == i].pivot(index="row", columns="col", values="value")
        out.append((params, v.loc[terms, terms]))
    return out


def _check(result, ref: pd.DataFrame, *, columns=("df", "riv", "fmi")) -> None:
    frame = result.to_frame().set_index("term").loc[list(ref["term"])]
    np.testing.assert_allclose(frame["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(frame["std_error"], ref["std_error"], rtol=1e-6)
    for col in columns:
        np.testing.assert_allclose(frame[col], ref[col], rtol=1e-4, err_msg=col)
    if "p_value" in ref:
        np.testing.assert_allclose(frame["p_value"], ref["p_value"], atol=1e-8)
    if "lambda" in ref:
        np.testing.assert_allclose(frame["lambda"], ref["lambda"], rtol=1e-4)
    if "ubar" in ref:
        np.testing.assert_allclose(frame["ubar"], ref["ubar"], rtol=1e-6)
        np.testing.assert_allclose(frame["b"], ref["b"], rtol=1e-6)


@pytest.mark.parametrize(("stem", "file", "df_com", "convention"), [
    ("lm", "lm_mitml.csv", None, "mitml"),
    ("lm", "lm_mitml_dfcom22.csv", 22, "mitml"),
    ("lm", "lm_mice_default.csv", 22, "mice"),
    ("lm", "lm_mice_inf.csv", None, "mice"),
    ("lmer", "lmer_mitml.csv", None, "mitml"),
    ("lmer", "lmer_mitml_dfcom747.csv", 747, "mitml"),
    ("lmer", "lmer_mice_dfcom747.csv", 747, "mice"),
    # moderate df_com: Barnard-Rubin's (df_com + 1) / (df_com + 3) matters here beyond the
    # df tolerance (at 747 a wrong factor moves df by < 1e-4)
    ("lmer", "lmer_mitml_dfcom60.csv", 60, "mitml"),
    ("lmer", "lmer_mice_dfcom60.csv", 60, "mice"),
    ("lmer", "lmer_mice_inf.csv", None, "mice"),
])
def test_pool_matches_r(stem, file, df_com, convention):
    ref = pd.read_csv(REF / file)
    result = pool(_pairs(stem), df_com=df_com, convention=convention)
    _check(result, ref)
    assert result.m == 5


def test_pool_statsmodels_fits_on_completed_data():
    fits = [smf.ols("chl ~ age + bmi", data=pd.read_csv(REF / f"nhanes_imp_{i}.csv")).fit()
            for i in range(1, 6)]
    ref = pd.read_csv(REF / "lm_mice_default.csv")
    ref["term"] = ref["term"].replace({"(Intercept)": "Intercept"})
    _check(pool(fits, df_com=fits[0].df_resid, convention="mice"), ref)


def test_pool_linearmodels_and_arrays():
    from linearmodels.iv import IV2SLS
    fits = []
    for i in range(1, 6):
        d = pd.read_csv(REF / f"nhanes_imp_{i}.csv").assign(const=1.0)
        fits.append(IV2SLS(d["chl"], d[["const", "age", "bmi"]], None, None)
                    .fit(cov_type="unadjusted", debiased=True))
    ref = pd.read_csv(REF / "lm_mitml.csv")
    ref["term"] = ref["term"].replace({"(Intercept)": "const"})
    _check(pool(fits, df_com=float("inf")), ref)
    # by default the residual df n - p = 22 of linearmodels' df_resid, as mice::pool
    ref22 = pd.read_csv(REF / "lm_mitml_dfcom22.csv")
    ref22["term"] = ref22["term"].replace({"(Intercept)": "const"})
    _check(pool(fits), ref22)
    raw = [(p.to_numpy(), c.to_numpy()) for p, c in _pairs("lm")]
    np.testing.assert_allclose(pool(raw).params.to_numpy(),
                               pd.read_csv(REF / "lm_mitml.csv")["estimate"], rtol=1e-6)


def _zero_ref(key):
    spec = json.loads((REF / "zero_between.json").read_text())
    q, u = np.asarray(spec["Q"]), np.asarray(spec["U"])
    pairs = [(pd.Series(q[:, j], index=["a", "b"]), u) for j in range(spec["m"])]
    ref = pd.DataFrame(spec[key])
    ref["df"] = ref["df"].astype(float)  # "Inf" from R
    return pairs, ref


def test_zero_between_variance_without_df_com():
    pairs, ref = _zero_ref("without_dfcom")
    result = pool(pairs)
    assert np.all(np.isinf(result.df))
    np.testing.assert_allclose(result.fmi, ref["fmi"], atol=1e-12)
    np.testing.assert_allclose(result.std_errors, ref["std_error"], rtol=1e-6)
    assert np.all(np.isfinite(result.conf_int().to_numpy()))


def test_zero_between_variance_with_df_com():
    pairs, ref = _zero_ref("dfcom_50")
    _check(pool(pairs, df_com=50), ref)


def test_conf_int_closed_form():
    pairs = _pairs("lm")
    result = pool(pairs, df_com=22)
    from scipy import stats
    q = stats.t.ppf(0.975, result.df)
    ci = result.conf_int()
    np.testing.assert_allclose(ci["conf_low"], result.params - q * result.std_errors, rtol=1e-12)
    ci90 = result.conf_int(0.90)
    assert np.all(ci90["conf_low"] > ci["conf_low"])


def test_bad_input_errors():
    pairs = _pairs("lm")
    with pytest.raises(UsageError, match="at least 2"):
        pool(pairs[:1])
    other = (pairs[1][0].rename({"age": "AGE"}),
             pairs[1][1].rename(index={"age": "AGE"}, columns={"age": "AGE"}))
    with pytest.raises(UsageError, match="result 2 has terms"):
        pool([pairs[0], other])
    with pytest.raises(UsageError, match="cannot pool"):
        pool([object(), object()])
    with pytest.raises(UsageError, match="df_com"):
        pool(pairs, df_com=0)
    with pytest.raises(UsageError, match="shape"):
        extract_estimates((np.ones(3), np.ones((2, 2))))


def test_extract_statsmodels_mixedlm_fixed_effects_only():
    d = pd.read_csv(REF / "studentratings_imp_1.csv")
    fit = smf.mixedlm("ReadAchiev ~ ReadDis + SES", d, groups=d["ID"]).fit(reml=True)
    params, cov = extract_estimates(fit)
    assert list(params.index) == list(fit.fe_params.index)
    np.testing.assert_array_equal(cov.to_numpy(),
                                  fit.cov_params().loc[params.index, params.index].to_numpy())


def test_level_convention_and_immutability():
    import dataclasses

    pairs = _pairs("lm")
    at90 = pool(pairs, df_com=22, level=0.9)
    assert at90.ci_level == at90.level == 0.9
    np.testing.assert_allclose(at90.conf_int()["conf_low"],
                               pool(pairs, df_com=22).conf_int(0.9)["conf_low"], rtol=1e-12)
    np.testing.assert_allclose(at90.to_frame(0.95)["conf_high"],
                               pool(pairs, df_com=22).to_frame()["conf_high"], rtol=1e-12)
    with pytest.raises(dataclasses.FrozenInstanceError):
        at90.m = 3
