"""pool on OLS, logit and mixed-model fits, and its default df_com, against mice and mitml.

References: tests/reference/mitml_testmodels/ (lm: mice::pool with its default dfcom and
mitml::testEstimates; lmer by ML: testEstimates) and tests/reference/pool_families/ (glm
logit: mice::pool and testEstimates; lmer by REML and ML: mice::pool's default dfcom).
Tolerances: estimates and standard errors 1e-6 relative, ubar, b and t 1e-6, df, RIV,
lambda and FMI 1e-4; mice's default dfcom exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from youthtransitions.missing import FitEstimates, PoolableFit, pool
from youthtransitions.models import fit_lmm

REF = Path(__file__).resolve().parents[1] / "reference"
TM, PF = REF / "mitml_testmodels", REF / "pool_families"


def _datasets(name: str) -> list[pd.DataFrame]:
    if name == "ratings":
        return [pd.read_csv(REF / "mitml" / f"studentratings_imp_{i}.csv") for i in range(1, 6)]
    long = pd.read_csv(TM / f"{name}_imputed.csv")
    dats = [d.reset_index(drop=True) for _, d in long.groupby("imputation", sort=True)]
    return [d.assign(hyp2=(d["hyp"] == 2).astype(float)) for d in dats] if name == "nhanes" \
        else dats


def _frame(result) -> pd.DataFrame:
    frame = result.to_frame()
    frame["term"] = frame["term"].replace({"Intercept": "(Intercept)"})
    return frame.set_index("term").assign(t=lambda f: f["std_error"] ** 2)


def _check_mice(result, ref: pd.DataFrame) -> None:
    got = _frame(result).loc[list(ref["term"])]
    assert result.df_com == ref["dfcom"].iloc[0]
    for col in ("estimate", "ubar", "b", "t"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-6, err_msg=col)
    for col in ("df", "riv", "lambda", "fmi"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-4, err_msg=col)


def _check_mitml(result, ref: pd.DataFrame) -> None:
    got = _frame(result).loc[list(ref["term"])]
    for col in ("estimate", "std_error", "statistic"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-6, err_msg=col)
    for col in ("df", "riv", "fmi"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-4, err_msg=col)
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=1e-6, atol=1e-12)


def _fit(kind: str, formula: str, d: pd.DataFrame):
    if kind == "ols":
        return smf.ols(formula, d).fit()
    if kind == "logit":
        return smf.logit(formula, d).fit(disp=0, tol=1e-12, maxiter=100)
    if kind == "glm":
        return smf.glm(formula, d, family=sm.families.Binomial()).fit(tol=1e-12)
    raise AssertionError(kind)


CASES = [("ols", TM, "nhanes", "chl ~ age + bmi + hyp"), ("ols", TM, "nhanes", "chl ~ age + bmi"),
         ("ols", TM, "pmk", "pmk_functioning_w3 ~ relationship_quality_w1 + wellbeing_w1 + "
                            "contextual_risk_w1"),
         ("logit", PF, "nhanes", "hyp2 ~ age + chl"), ("glm", PF, "nhanes", "hyp2 ~ age + chl"),
         ("logit", PF, "pmk", "gender_male ~ wellbeing_w1 + relationship_quality_w1 + "
                              "contextual_risk_w1")]


@pytest.mark.parametrize(("kind", "folder", "data", "model"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3].split('~')[1].strip()}" for c in CASES])
def test_pool_fits_match_mice_default_and_mitml(kind, folder, data, model):
    fits = [_fit(kind, model, d) for d in _datasets(data)]
    assert isinstance(fits[0], PoolableFit)
    mice = pd.read_csv(folder / "mice_pool.csv")
    est = pd.read_csv(folder / "testestimates.csv")
    default = pool(fits, convention="mice")
    assert default.df_com_rule == "residual df"
    _check_mice(default, mice[(mice["data"] == data) & (mice["model"] == model)])
    _check_mitml(pool(fits, df_com=math.inf),
                 est[(est["data"] == data) & (est["model"] == model)])


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_lmm_default_df_com_is_lme4_residual_df(method):
    """mice reads df.residual through broom.mixed: n - (p + q(q+1)/2 + 1) = 750 - 5."""
    fits = [fit_lmm("ReadAchiev ~ ReadDis + SES", d, group="ID", method=method)
            for d in _datasets("ratings")]
    mice = pd.read_csv(PF / "mice_pool.csv")
    ref = mice[(mice["data"] == "ratings") & (mice["reml"] == (method == "reml"))]
    assert fits[0].df_resid == 745
    _check_mice(pool(fits, convention="mice"), ref)


def test_lmm_ml_pooled_estimates_match_mitml():
    fits = [fit_lmm("ReadAchiev ~ ReadDis + SES", d, group="ID", method="ml")
            for d in _datasets("ratings")]
    est = pd.read_csv(TM / "testestimates.csv")
    _check_mitml(pool(fits, df_com=math.inf), est[est["data"] == "ratings"])


def test_own_least_squares_estimates_carry_their_residual_df():
    """(params, cov, df_resid) triples and FitEstimates give mice's default; pairs do not."""
    fits = [smf.ols("chl ~ age + bmi", d).fit() for d in _datasets("nhanes")]
    mice = pd.read_csv(TM / "mice_pool.csv")
    ref = mice[mice["model"] == "chl ~ age + bmi"]
    triples = [(f.params, f.cov_params(), f.nobs - 3) for f in fits]
    _check_mice(pool(triples, convention="mice"), ref)
    wrapped = [FitEstimates(f.params, f.cov_params(), df_resid=f.df_resid) for f in fits]
    _check_mice(pool(wrapped, convention="mice"), ref)
    pairs = pool([(f.params, f.cov_params()) for f in fits])
    assert pairs.df_com == math.inf and pairs.df_com_rule == "no residual df"
    assert "inf (large-sample" in pairs.summary()
