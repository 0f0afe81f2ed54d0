"""The planning machinery's power against a closed form and against lme4 in R.

The design (shared with tests/reference/power_lme4/make.R): 60 clusters of 4 rows of a
balanced random-intercept model, ICC 0.2, a cluster-level predictor (standardised over
clusters) and a cluster-centred within predictor, each tested by the likelihood-ratio test
of ML fits with and without it (``yt.lrt``), replicates run by the grid runner and
summarised by ``summarise_design``.

References:
* closed form (Snijders & Bosker 2012, ch. 11, the design effect): a cluster-level
  coefficient has ``SE^2 = (rho + (1 - rho)/K) / sum_j (x_j - xbar)^2``, i.e. ``n_eff = G K /
  (1 + (K - 1) rho)``; a within coefficient ``SE^2 = (1 - rho) / sum_ij (x_ij - xbar_j)^2``;
  power ``Phi(b/SE - z) + Phi(-b/SE - z)`` with ``z = z_{1 - alpha/2}``. Tolerance: 3 Monte
  Carlo SEs of the simulated power (the LRT with estimated variances is the z test only
  asymptotically; at 60 clusters the difference is well inside that).
* lme4 1.1-31: R's simulation of the same design (500 replicates, anova(m0, m1) of ML fits),
  stored power and MCSE; tolerance 3 combined Monte Carlo SEs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import youthtransitions as yt
from youthtransitions.report.planning.cells import run_cells
from youthtransitions.synthetic.evaluate import summarise_design

REF = json.loads((Path(__file__).parents[1] / "reference" / "power_lme4" / "power.json")
                 .read_text())
D = REF["design"]
REPS = 400


def _design_frame() -> pd.DataFrame:
    G, K = D["G"], D["K"]
    xb = np.linspace(-1, 1, G)
    xb = (xb - xb.mean()) / xb.std()
    xw = np.linspace(-1, 1, K)
    xw -= xw.mean()
    return pd.DataFrame({"g": np.repeat(np.arange(G), K), "x_between": np.repeat(xb, K),
                         "x_within": np.tile(xw, G)})


def _replicate(rng: np.random.Generator, rho: float, b_between: float,
               b_within: float) -> pd.DataFrame:
    d = _design_frame()
    G, K = D["G"], D["K"]
    d["y"] = (b_between * d["x_between"] + b_within * d["x_within"]
              + np.repeat(rng.normal(0, np.sqrt(rho), G), K)
              + rng.normal(0, np.sqrt(1 - rho), G * K))
    full = yt.fit_lmm("y ~ x_between + x_within", d, group="g", method="ml")
    rows = []
    for term, rhs, truth in (("between", "x_within", b_between),
                             ("within", "x_between", b_within)):
        reduced = yt.fit_lmm(f"y ~ {rhs}", d, group="g", method="ml")
        p = float(yt.lrt(reduced, full).to_frame()["p_value"].iloc[-1])
        est, se = full.params[f"x_{term}"], full.std_errors[f"x_{term}"]
        rows.append({"estimand": term, "estimate": est, "conf_low": est - 1.96 * se,
                     "conf_high": est + 1.96 * se, "p_value": p, "truth": truth})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def simulated():
    cell = {"rho": D["rho"], "b_between": D["b_between"], "b_within": D["b_within"]}
    long = run_cells([cell], _replicate, REPS, seed=31, settings={},
                     prepare=lambda c: (c["rho"], c["b_between"], c["b_within"]))
    return summarise_design(long, by=["estimand"], alpha=D["alpha"]).set_index("estimand")


def _closed_form_power(term: str) -> float:
    d = _design_frame()
    rho = D["rho"]
    if term == "between":
        xb = d.groupby("g")["x_between"].first()
        se = np.sqrt((rho + (1 - rho) / D["K"]) / ((xb - xb.mean()) ** 2).sum())
    else:
        se = np.sqrt((1 - rho) / (d["x_within"] ** 2).sum())
    delta, z = D[f"b_{term}"] / se, stats.norm.ppf(1 - D["alpha"] / 2)
    return float(stats.norm.cdf(delta - z) + stats.norm.cdf(-delta - z))


@pytest.mark.slow
@pytest.mark.parametrize("term", ["between", "within"])
def test_power_matches_design_effect_formula(simulated, term):
    row = simulated.loc[term]
    assert row["reps"] == REPS
    assert abs(row["power"] - _closed_form_power(term)) <= 3 * row["power_mcse"]


@pytest.mark.slow
@pytest.mark.parametrize("term", ["between", "within"])
def test_power_matches_lme4_simulation(simulated, term):
    row = simulated.loc[term]
    combined = np.hypot(row["power_mcse"], REF["power_mcse"][term])
    assert abs(row["power"] - REF["power"][term]) <= 3 * combined


@pytest.mark.slow
def test_coefficient_bias_and_coverage_within_monte_carlo_error(simulated):
    # the Wald interval of an ML fit with 60 clusters covers about 95%; bias is 0
    for term in ("between", "within"):
        row = simulated.loc[term]
        assert abs(row["bias"]) <= 3 * row["bias_mcse"]
        assert abs(row["coverage"] - 0.95) <= 3 * row["coverage_mcse"]
