"""Pooled multi-parameter tests D1, D2, D3 against mitml::testModels 0.4-4.

References: tests/reference/mitml_testmodels/ (lm on nhanes and the shipped study's PMK
frame, lmer by ML on studentratings) and tests/reference/pool_families/ (glm logit).
Tolerances: statistic and p value 1e-6 relative, df1 and df2 1e-4 relative, RIV 1e-6.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import youthtransitions as yt
from youthtransitions.errors import UsageError
from youthtransitions.missing import PooledTest, pool_test
from youthtransitions.models import fit_lmm

REF = Path(__file__).resolve().parents[1] / "reference"
TM = REF / "mitml_testmodels"


@cache
def _datasets(name: str) -> tuple[pd.DataFrame, ...]:
    if name == "ratings":
        return tuple(pd.read_csv(REF / "mitml" / f"studentratings_imp_{i}.csv")
                     for i in range(1, 6))
    long = pd.read_csv(TM / f"{name}_imputed.csv")
    dats = tuple(d.reset_index(drop=True) for _, d in long.groupby("imputation", sort=True))
    return tuple(d.assign(hyp2=(d["hyp"] == 2).astype(float)) for d in dats) \
        if name == "nhanes" else dats


@cache
def _fits(name: str, formula: str, kind: str = "lm", method: str = "ml") -> tuple:
    dats = _datasets(name)
    if kind == "lmer":
        fixed = formula.replace("+ (1 | ID)", "").strip()
        return tuple(fit_lmm(fixed, d, group="ID", method=method) for d in dats)
    if kind == "logit":
        return tuple(smf.logit(formula, d).fit(disp=0, tol=1e-12, maxiter=100) for d in dats)
    if kind == "glm":
        return tuple(smf.glm(formula, d, family=sm.families.Binomial()).fit(tol=1e-12)
                     for d in dats)
    return tuple(smf.ols(formula, d).fit() for d in dats)


def _check(result: PooledTest, row: pd.Series) -> None:
    assert result.df1 == row["k"]
    np.testing.assert_allclose(result.statistic, row["statistic"], rtol=1e-6)
    np.testing.assert_allclose(result.p_value, row["p_value"], rtol=1e-6)
    np.testing.assert_allclose(result.df1, row["df1"], rtol=1e-4)
    np.testing.assert_allclose(result.df2, row["df2"], rtol=1e-4)
    np.testing.assert_allclose(result.riv, row["riv"], rtol=1e-6)


def _use(row) -> str | None:
    return None if pd.isna(row["use"]) else row["use"]


MODELS = pd.read_csv(TM / "testmodels.csv")


@pytest.mark.parametrize("i", range(len(MODELS)),
                         ids=[f"{r.data}-{r.comparison}-{r.method}-{r.use}-{r.df_com}"
                              for r in MODELS.itertuples()])
def test_pool_test_matches_mitml(i):
    row = MODELS.iloc[i]
    kind = "lmer" if row["data"] == "ratings" else "lm"
    full, null = _fits(row["data"], row["full"], kind), _fits(row["data"], row["null"], kind)
    df_com = None
    if row["method"] == "D1":
        df_com = math.inf if pd.isna(row["df_com"]) else float(row["df_com"])
    result = pool_test(full, null, method=row["method"], use=_use(row), df_com=df_com)
    _check(result, row)
    assert result.method == row["method"]
    assert result.m == len(full)


@pytest.mark.parametrize("i", np.flatnonzero(MODELS["df_com"].notna()))
def test_d1_default_df_com_is_the_residual_df(i):
    """The lm rows with df.com were run at df.residual(full[[1]]): the default."""
    row = MODELS.iloc[i]
    result = pool_test(_fits(row["data"], row["full"]), _fits(row["data"], row["null"]))
    _check(result, row)
    assert result.df_com == row["df_com"] and result.df_com_rule == "residual df"


@pytest.mark.parametrize("method,use", [("D2", "likelihood"), ("D3", None)])
def test_reml_mixed_models_are_refitted_by_ml(method, use):
    """mitml refits REML fits by ML for likelihood ratios; the references are ML fits."""
    row = MODELS[(MODELS["data"] == "ratings") & (MODELS["method"] == method)
                 & (MODELS["use"].fillna("") == (use or ""))].iloc[0]
    full = _fits("ratings", row["full"], "lmer", "reml")
    null = _fits("ratings", row["null"], "lmer", "reml")
    assert full[0].method == "REML"
    _check(pool_test(full, null, method=method, use=use), row)


GLM = pd.read_csv(REF / "pool_families" / "testmodels.csv")
GLM_FORMULAS = {"chl": ("hyp2 ~ age + chl", "hyp2 ~ age"),
                "wave1_covariates": ("gender_male ~ wellbeing_w1 + relationship_quality_w1 + "
                                     "contextual_risk_w1", "gender_male ~ wellbeing_w1")}


@pytest.mark.parametrize("kind", ["logit", "glm"])
@pytest.mark.parametrize("i", range(len(GLM)))
def test_pool_test_logit_matches_mitml(i, kind):
    row = GLM.iloc[i]
    full_f, null_f = GLM_FORMULAS[row["comparison"]]
    full, null = _fits(row["data"], full_f, kind), _fits(row["data"], null_f, kind)
    df_com = None if pd.notna(row["df_com"]) else (math.inf if row["method"] == "D1" else None)
    _check(pool_test(full, null, method=row["method"], use=_use(row), df_com=df_com), row)


def test_d3_refuses_logit_as_mitml():
    full_f, null_f = GLM_FORMULAS["chl"]
    with pytest.raises(UsageError, match="D3 needs the log-likelihood at parameters pooled"):
        pool_test(_fits("nhanes", full_f, "logit"), _fits("nhanes", null_f, "logit"),
                  method="D3")


def test_small_t_falls_back_to_large_sample_df_by_default():
    """k = 1, m = 5: Reiter's df needs k(m - 1) > 4; the default df_com steps aside."""
    full = _fits("ratings", "ReadAchiev ~ ReadDis + SES", "lmer")
    null = _fits("ratings", "ReadAchiev ~ ReadDis", "lmer")
    default = pool_test(full, null)
    assert default.df_com == math.inf and "k(m-1) <= 4" in default.df_com_rule
    large = pool_test(full, null, df_com=math.inf)
    assert default.df2 == large.df2
    # the Li, Raghunathan & Rubin (1991) df for t = k(m - 1) <= 4
    t, r = 4, large.riv
    np.testing.assert_allclose(large.df2, t * 2 * (1 + 1 / r) ** 2 / 2, rtol=1e-12)
    with pytest.raises(UsageError, match="k\\(m-1\\) > 4"):
        pool_test(full, null, df_com=745)


def test_views_and_public_name():
    row = MODELS.iloc[0]
    result = yt.pool_test(_fits(row["data"], row["full"]), _fits(row["data"], row["null"]),
                          method="D1", df_com=math.inf)
    assert yt.pmk.pool_test is pool_test
    frame = result.to_frame()
    assert list(frame.columns) == ["method", "use", "statistic", "df1", "df2", "p_value", "riv"]
    assert result.terms == ("bmi", "hyp")
    assert "bmi, hyp" in result.summary() and "<table" in result._repr_html_()
    assert result.to_records()[0]["method"] == "D1"


def test_bad_requests():
    nh = _fits("nhanes", "chl ~ age + bmi + hyp")
    small = _fits("nhanes", "chl ~ age")
    other = _fits("nhanes", "chl ~ bmi")
    pairs = [(f.params, f.cov_params()) for f in nh]
    with pytest.raises(UsageError, match="method must be one of"):
        pool_test(nh, small, method="D4")
    with pytest.raises(UsageError, match="not nested"):
        pool_test(small, other)
    with pytest.raises(UsageError, match="not nested"):
        pool_test(small, nh)
    with pytest.raises(UsageError, match="20 full and 19 null"):
        pool_test(nh, small[:19])
    with pytest.raises(UsageError, match="df_com enters D1 only"):
        pool_test(nh, small, method="D2", df_com=21)
    with pytest.raises(UsageError, match="does not apply to D3"):
        pool_test(nh, small, method="D3", use="wald")
    with pytest.raises(UsageError, match="df_com must be a positive number"):
        pool_test(nh, small, df_com=0)
    with pytest.raises(UsageError, match="needs each fit's log-likelihood"):
        pool_test(pairs, [(f.params, f.cov_params()) for f in small], method="D3")
    rows = [smf.ols("chl ~ age", d.iloc[:20]).fit() for d in _datasets("nhanes")]
    with pytest.raises(UsageError, match="fitted to 25 rows and the null model to 20"):
        pool_test(nh, rows, method="D2", use="likelihood")
