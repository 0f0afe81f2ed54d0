"""The headline estimands against known population values.

Closed form: balanced panel with T waves, x_it = eta_i + d_it, y_it = bb*eta_i + bw*d_it + u_i
+ e_it (all normal, independent). Population values of every estimand follow from the moments
(see ``population``). Tolerance: each estimate within 3 bootstrap standard errors
((conf_high - conf_low) / 3.92) of its population value, and the 95% interval covering it for
at least all but one estimand. On the shipped synthetic study, every truth.json value must lie
in its 95% interval (B=100, fixed seed).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.models import center_within, fit_lmm, r2_difference, variance_explained
from youthtransitions.synthetic.evaluate import compare_truth

P = dict(s_eta=1.0, s_d=0.8, bb=0.5, bw=0.3, s_u=0.6, s_e=0.7, T=3)


def population(s_eta, s_d, bb, bw, s_u, s_e, T):
    ve, vd = s_eta**2, s_d**2
    vy = bb**2 * ve + bw**2 * vd + s_u**2 + s_e**2
    vx = ve + vd
    out = {"headline_r2": (bb * ve) ** 2 / (vx * vy)}
    for w in range(1, T + 1):
        out[f"r2_by_wave.{w}"] = (bb * ve + bw * vd) ** 2 / (vx * vy)
    var_xb = ve + vd / T
    gamma_b = (bb * ve + bw * vd / T) / var_xb
    phi_w = bw**2 * vd * (T - 1) / T
    phi_b = gamma_b**2 * var_xb
    tau = bb**2 * ve + bw**2 * vd / T + s_u**2 - phi_b
    s2 = s_e**2
    tot = phi_w + s2 + phi_b + tau
    full = {"total.f1": phi_w / tot, "total.f2": phi_b / tot, "total.v": 0.0,
            "total.m": tau / tot, "within.f1": phi_w / (phi_w + s2), "within.v": 0.0,
            "between.f2": phi_b / (phi_b + tau), "between.m": tau / (phi_b + tau)}
    # the null model has no fixed slopes: its f1, f2 are 0, so the deltas equal full's
    null = {"total.f1": 0.0, "total.f2": 0.0, "within.f1": 0.0, "between.f2": 0.0}
    out.update({f"multilevel.{k}": v for k, v in full.items()})
    out.update({f"multilevel.delta.{k}": full[k] - null[k] for k in null})
    return out


def simulate(n_youth: int, seed: int, drop: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    T = P["T"]
    g = np.repeat(np.arange(n_youth), T)
    eta, u = rng.normal(0, P["s_eta"], n_youth)[g], rng.normal(0, P["s_u"], n_youth)[g]
    d, e = rng.normal(0, P["s_d"], g.size), rng.normal(0, P["s_e"], g.size)
    df = pd.DataFrame({"youth_id": [f"y{i:04d}" for i in g], "wave": np.tile(np.arange(1, T + 1),
                                                                            n_youth),
                       "rq": eta + d, "wb": P["bb"] * eta + P["bw"] * d + u + e})
    if drop:
        df = df[rng.random(len(df)) > drop]
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def result():
    return variance_explained(simulate(900, 1), outcome="wb", predictor="rq", group="youth_id",
                              wave="wave", B=100, seed=2)


def test_recovers_population_values(result):
    truth = population(**P)
    frame = compare_truth(result, {"estimands": truth})
    assert len(frame) == len(truth) == len(result.table)
    se = (frame["conf_high"] - frame["conf_low"]) / 3.92
    close = (frame["estimate"] - frame["truth"]).abs() <= 3 * se + 1e-9
    assert close.all(), frame[~close]
    assert (~frame["covered"]).sum() <= 1, frame


def test_point_estimates_equal_direct_computations(result):
    df = simulate(900, 1)
    wide = df.pivot(index="youth_id", columns="wave")
    r = np.corrcoef(wide[("rq", 1)], wide[("wb", 3)])[0, 1]
    assert result["headline_r2"] == pytest.approx(r**2, abs=1e-12)
    w2 = df[df["wave"] == 2]
    assert result["r2_by_wave.2"] == pytest.approx(np.corrcoef(w2["rq"], w2["wb"])[0, 1] ** 2,
                                                   abs=1e-12)
    c = center_within(df, "rq", "youth_id")
    full = fit_lmm("wb ~ rq_within + rq_between", c, group="youth_id")
    null = fit_lmm("wb ~ 1", c, group="youth_id")
    # tolerance 1e-6: the bootstrap refit path and fit_lmm reach the same optimum
    assert result["multilevel.within.f1"] == pytest.approx(full.r2()["within.f1"], abs=1e-6)
    diff = r2_difference(full, null)
    assert result["multilevel.delta.between.f2"] == pytest.approx(diff["between.f2"], abs=1e-6)


def test_views_and_missing_waves():
    res = variance_explained(simulate(200, 5, drop=0.15), outcome="wb", predictor="rq",
                             group="youth_id", wave="wave", B=0)
    frame = res.to_frame()
    assert list(frame.columns) == ["estimand", "estimate", "conf_low", "conf_high"]
    assert frame["conf_low"].isna().all() and frame["estimate"].notna().all()
    assert res.n["headline_r2"] < 200 and "headline_r2" in res.summary()


def test_bad_input():
    df = simulate(20, 3)
    with pytest.raises(UsageError, match="not in the data"):
        variance_explained(df, outcome="nope", predictor="rq", group="youth_id", wave="wave", B=0)
    with pytest.raises(UsageError, match="not a wave"):
        variance_explained(df, outcome="wb", predictor="rq", group="youth_id", wave="wave",
                           last_wave=7, B=0)
    with pytest.raises(UsageError, match="not unique"):
        variance_explained(pd.concat([df, df]), outcome="wb", predictor="rq", group="youth_id",
                           wave="wave", B=0)
    with pytest.raises(UsageError, match="B must"):
        variance_explained(df, outcome="wb", predictor="rq", group="youth_id", wave="wave", B=1)


def test_unidentifiable_mixed_model_is_usage_error():
    df = simulate(20, 3)
    one_youth = df[df["youth_id"] == df["youth_id"].iloc[0]]
    with pytest.raises(UsageError, match="variance_explained: .*at least 2 groups"):
        variance_explained(one_youth, outcome="wb", predictor="rq", group="youth_id",
                           wave="wave", B=0, method="ml")
    one_row_each = df.drop_duplicates("youth_id").assign(wave=lambda d: np.arange(len(d)) % 3)
    with pytest.raises(UsageError, match="variance_explained: number of groups"):
        variance_explained(one_row_each, outcome="wb", predictor="rq", group="youth_id",
                           wave="wave", B=0)


def test_options_checked_before_fitting(monkeypatch):
    import youthtransitions.models.headline as headline

    def boom(*args, **kwargs):
        raise AssertionError("fitted before the options were checked")

    monkeypatch.setattr(headline, "_prepare", boom)
    df = simulate(20, 3)
    with pytest.raises(UsageError, match="B must"):
        variance_explained(df, outcome="wb", predictor="rq", group="youth_id", wave="wave", B=1)
    with pytest.raises(UsageError, match="level must lie strictly between 0 and 1"):
        variance_explained(df, outcome="wb", predictor="rq", group="youth_id", wave="wave",
                           B=0, level=95)


def test_synthetic_study_truth_within_intervals():
    from youthtransitions.study import load_study
    from youthtransitions.synthetic import shipped_study_path

    path = shipped_study_path()  # the shipped files, or the same study drawn into a cache
    study = load_study(path)
    truth = study.metadata.get("truth") or json.loads((path / "truth.json").read_text())
    res = variance_explained(study.analysis_frame(), outcome="wellbeing",
                             predictor="relationship_quality", group="youth_id", wave="wave",
                             B=100, seed=20240517)
    check = compare_truth(res, truth)
    assert len(check) >= 10, check
    assert check["covered"].all(), check


def test_level_convention(result):
    # another level is recomputed from the replicates: percentiles as the bootstrap takes them
    from youthtransitions.models.bootstrap import percentile_ci

    assert result.ci_level == 0.95
    frame = result.to_frame(0.8)
    lo, hi = percentile_ci(result.replicates, 0.8)
    np.testing.assert_array_equal(frame["conf_low"], lo)
    np.testing.assert_array_equal(frame["conf_high"], hi)
    assert (frame["conf_high"] - frame["conf_low"] <= result.to_frame()["conf_high"]
            - result.to_frame()["conf_low"]).all()


def test_replicates_equal_refits_of_the_resampled_rows(resampled_refit):
    # each draw's multilevel estimands against refits of the copied rows of the same youth
    # draw (youth whose rows all miss the predictor drawn too, adding no rows), to 1e-8
    # absolute
    from youthtransitions.models.headline import DELTA_MEASURES, MULTILEVEL_MEASURES
    from youthtransitions.models.r2 import MEASURES
    from youthtransitions.parallel import replicate_generators

    df = simulate(120, 7, drop=0.2)
    df.loc[df["youth_id"].isin(["y0003", "y0010"]), "rq"] = np.nan  # drawn, without model rows
    res = variance_explained(df, outcome="wb", predictor="rq", group="youth_id", wave="wave",
                             B=4, seed=9)
    youth = np.sort(df["youth_id"].unique())
    c = center_within(df, "rq", "youth_id")
    fits = {"full": fit_lmm("wb ~ rq_within + rq_between", c, group="youth_id"),
            "null": fit_lmm("wb ~ 1", c, group="youth_id")}
    codes = np.searchsorted(youth, fits["full"].data["youth_id"].to_numpy())
    assert fits["full"].n_groups == youth.size - 2
    first = res.table["estimand"].tolist().index(f"multilevel.{MULTILEVEL_MEASURES[0]}")
    for i, rng in enumerate(replicate_generators(9, 4)):
        draw = rng.integers(0, youth.size, size=youth.size)
        want = {}
        for name, m in fits.items():
            values = resampled_refit(m.y, m.X, m.Z, codes, draw, reml=True, start=m.theta,
                                     kinds=[m.r2().classification[k] for k in m.fixed_names])
            want[name] = dict(zip(MEASURES, values, strict=True))
        expected = ([want["full"][k] for k in MULTILEVEL_MEASURES]
                    + [want["full"][k] - want["null"][k] for k in DELTA_MEASURES])
        np.testing.assert_allclose(res.replicates[i, first:], expected, rtol=0, atol=1e-8,
                                   err_msg=f"draw {i}")
