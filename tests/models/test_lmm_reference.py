"""fit_lmm against lme4 1.1-31 / lmerTest 3.1-3.

Two sets of stored fits, each an R script with its output beside it: simulated panels
(tests/reference/lme4/models.R) and data sets that ship with R packages, among them cake
and sleepstudy with Days in seconds, whose boundary and scale trap an optimiser
(tests/reference/lme4_datasets/datasets.R). Both are fitted by lme4 run to a tight optimum.

Tolerances:
- fixed effects: 1e-5 relative; log-likelihood (also AIC, BIC): 1e-6 relative;
- standard errors, variance components (random_cov, residual variance): 1e-4 relative
  (absolute 1e-6 for components that lme4 puts on the boundary, i.e. zero, measured in the
  response's units: a covariance times the root mean squares of its two Z columns);
- Satterthwaite df: 1e-3 relative.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from youthtransitions.models import fit_lmm

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
REF = REFERENCE / "lme4"


def _load(folder: Path) -> dict:
    fits = json.loads((folder / "fits.json").read_text())
    return {k: dict(v, folder=folder) for k, v in fits.items() if not k.startswith("_")}


FITS = {**_load(REF), **_load(REFERENCE / "lme4_datasets")}

REL_FIXED = 1e-5
REL_LOGLIK = 1e-6
REL_SE = 1e-4
REL_VC = 1e-4
ABS_VC_BOUNDARY = 1e-6
REL_DF = 1e-3


@pytest.fixture(scope="module", params=sorted(FITS))
def pair(request):
    ref = dict(FITS[request.param], name=request.param)
    data = pd.read_csv(ref["folder"] / ref["data"])
    res = fit_lmm(ref["formula"], data, group=ref["group"], random=ref["random"],
                  method=ref["method"])
    return ref, res


def _name(term: str) -> str:
    """A term name spelled the same in R and formulaic: ``C(x)[T.a]``, ``x[T.a]`` and
    ``factor(x)a`` are ``xa``; ``**`` is ``^``; no spaces."""
    term = re.sub(r"C\((\w+)\)\[T\.(\w+)\]|(\w+)\[T\.(\w+)\]",
                  lambda m: "".join(g for g in m.groups() if g), term)
    return re.sub(r"factor\((\w+)\)", r"\1", term).replace("**", "^").replace(" ", "")


def _names(terms) -> list[str]:
    return [_name(str(t)) for t in np.atleast_1d(terms)]


def test_counts(pair):
    ref, res = pair
    assert _names(res.fixed_names) == _names(ref["terms"])
    assert res.n_obs == ref["n_obs"]
    assert res.n_groups == ref["n_groups"]
    assert res.method == ref["method"].upper()


def test_fixed_effects(pair):
    ref, res = pair
    np.testing.assert_allclose(res.params.to_numpy(), ref["estimate"], rtol=REL_FIXED)


def test_standard_errors(pair):
    ref, res = pair
    np.testing.assert_allclose(res.std_errors.to_numpy(), ref["std_error"], rtol=REL_SE)


# lmerTest differentiates the deviance numerically (numDeriv); at theta ~ 900 its Hessian is
# off: in this balanced design the df of the intercept and the wave slope are G - 1 = 299 up
# to x's small between-youth part (test_balanced_between_df_closed_form); lmerTest gives
# 299.54 and 299.28, we 299.001 and 298.9998 (stable to 1e-5 when our difference step is
# varied 10-fold either way). Only the intercept's difference (1.8e-3) exceeds REL_DF; x
# (3e-6) and wave (9e-4) are held to lmerTest, and all three to closed forms below.
KNOWN_DF = {"h_extreme_ratio": (["(Intercept)"],
                                "lmerTest's numerical Hessian is inaccurate at theta ~ 900 "
                                "(closed form G-1 = 299 checked separately)")}
# With Days in seconds theta of the slope is ~3e-6 and lmerTest's numerical Hessian (fixed
# steps) is wrong there: it gives the slope 2.5 df where the same model in days has 40.7.
# Satterthwaite df do not depend on the units of a predictor, so the seconds fits are
# checked against lmerTest on the days fits (test_df_do_not_depend_on_units).
for _fit in ("sleep_seconds_reml", "sleep_seconds_ml"):
    KNOWN_DF[_fit] = (["(Intercept)", "Seconds", "Late"],
                      "lmerTest's numerical Hessian is inaccurate at theta ~ 3e-6 (checked "
                      "against the same model in days instead)")


def _df_terms(ref, res, known: bool):
    names = _names(ref["terms"])
    skip = set(_names(KNOWN_DF.get(ref["name"], ([], ""))[0]))
    keep = [i for i, t in enumerate(names) if (t in skip) == known]
    return res.df.to_numpy()[keep], np.atleast_1d(np.asarray(ref["df"], float))[keep]


def test_satterthwaite_df(pair):
    ref, res = pair
    got, want = _df_terms(ref, res, known=False)
    np.testing.assert_allclose(got, want, rtol=REL_DF)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_DF[n][1], strict=True))
    for n in sorted(KNOWN_DF)])
def test_satterthwaite_df_known_differences(name):
    ref = dict(FITS[name], name=name)
    res = fit_lmm(ref["formula"], pd.read_csv(ref["folder"] / ref["data"]), group=ref["group"],
                  random=ref["random"], method=ref["method"])
    got, want = _df_terms(ref, res, known=True)
    np.testing.assert_allclose(got, want, rtol=REL_DF)


def test_balanced_between_df_closed_form():
    # balanced design, 300 youth x 4 waves: the Satterthwaite df of the between-youth
    # contrasts (intercept, random-slope covariate) are G - 1 = 299 in a balanced design;
    # x's small between-youth part moves them by ~4e-6 here: tolerance 1e-5 relative
    ref = FITS["h_extreme_ratio"]
    res = fit_lmm(ref["formula"], pd.read_csv(REF / ref["data"]), group="id",
                  random=ref["random"])
    np.testing.assert_allclose(res.df[["(Intercept)", "wave"]], 299.0, rtol=1e-5)
    # x varies within youth: with theta ~ 900 each youth's intercept and wave slope are in
    # effect free, so x is estimated from the within-youth residuals of N - 2G = 600 rows,
    # sigma^2 on N - 2G - 1 = 599 df, and x's df is that (Var(beta_x) is sigma^2 times a
    # factor flat in theta to ~1e-6): tolerance 1e-5 relative, measured 3.8e-6
    n, g = res.n_obs, res.n_groups
    assert res.df["x"] == pytest.approx(n - 2 * g - 1, rel=1e-5)


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_df_do_not_depend_on_units(method):
    # Reaction ~ Seconds + Late is Reaction ~ Days + Late with the slope divided by 86400
    ref = FITS[f"sleep_seconds_{method}"]
    res = fit_lmm(ref["formula"], pd.read_csv(ref["folder"] / ref["data"]), group="Subject",
                  random=ref["random"], method=method)
    np.testing.assert_allclose(res.df.to_numpy(), FITS[f"sleep_days_late_{method}"]["df"],
                               rtol=REL_DF)


def test_variance_components(pair):
    ref, res = pair
    want = np.atleast_2d(np.asarray(ref["random_cov"], float))
    assert _names(res.random_cov.index) == _names(ref["random_terms"])
    got = res.random_cov.to_numpy()
    rms = np.sqrt((res.Z**2).mean(axis=0))
    units = np.outer(rms, rms)  # a covariance of b in the response's squared units
    boundary = np.abs(want) * units <= ABS_VC_BOUNDARY
    np.testing.assert_allclose(got[~boundary], want[~boundary], rtol=REL_VC)
    np.testing.assert_allclose((got * units)[boundary], 0, atol=ABS_VC_BOUNDARY)
    np.testing.assert_allclose(res.residual_variance, ref["sigma2"], rtol=REL_VC)


def test_loglik_aic_bic(pair):
    ref, res = pair
    np.testing.assert_allclose(res.loglik, ref["loglik"], rtol=REL_LOGLIK)
    np.testing.assert_allclose(res.aic, ref["aic"], rtol=REL_LOGLIK)
    np.testing.assert_allclose(res.bic, ref["bic"], rtol=REL_LOGLIK)


def test_singular_and_converged(pair):
    ref, res = pair
    assert res.singular is bool(ref["singular"])
    assert res.converged
