"""Contract test: every result the shipped study produces declares its tidy table for the gate.

Each result's ``disclosure()`` frame must be declared column by column (the gate refuses an
undeclared column), must carry the published ``to_frame()`` columns, and must pass a gate with
the output rules on; with the rules off the published table is ``to_frame()`` unchanged.
"""

import numpy as np
import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions._disclosure import COUNT_KINDS, Disclosable
from youthtransitions.missing.r2pool import pool_r2
from youthtransitions.models.crossed import fit_lmm_terms
from youthtransitions.qual import code_reliability, join_codes, quantitize
from youthtransitions.qual.configurations import MECHANISMS, mechanism_configurations, necessity
from youthtransitions.qual.integrate import youth_outcomes
from youthtransitions.report.gate import Gate, TableSpec


@pytest.fixture(scope="module")
def results():
    study = yt.load_study(yt.shipped_study_path())
    frame = study.analysis_frame().dropna(subset=["wellbeing", "relationship_quality"])
    frame = yt.center_within(frame, ["relationship_quality"], "youth_id")
    full = yt.fit_lmm("wellbeing ~ relationship_quality_within + relationship_quality_between",
                      frame, group="youth_id")
    null = yt.fit_lmm("wellbeing ~ 1", frame, group="youth_id")
    features = quantitize(study.codes)
    availability = yt.pmk.availability(study)
    comparison = yt.pmk.compare_methods(study, m=2, seed=1)
    integration = yt.integrate(study, n_perm=20, seed=1, B=5)
    outcomes = youth_outcomes(study)
    outcomes = outcomes.assign(positive_change=(outcomes["wellbeing_change"] > 0).astype(float))
    configurations = mechanism_configurations(
        features, outcome_col="positive_change",
        outcomes=outcomes[["youth_id", "positive_change"]], dir_exp=list(MECHANISMS))
    crisp = features[[f"{m}_active" for m in MECHANISMS]].astype(float)
    found = {
        "fit_lmm": full, "r2": full.r2(), "r2_difference": yt.r2_difference(full, null),
        "bootstrap_r2": yt.bootstrap_r2(full, null, B=5, seed=1, progress=False),
        "variance_explained": yt.variance_explained(
            study.analysis_frame(), outcome="wellbeing", predictor="relationship_quality",
            group="youth_id", wave="wave", B=0),
        "panel_compare": yt.panel_compare(study.analysis_frame(), outcome="wellbeing",
                                          predictor="relationship_quality",
                                          entity="youth_id", time="wave"),
        "pool": yt.pool([full, full]),
        "pmk_methods": comparison, "pmk_sensitivity": comparison.sensitivity,
        "pmk_imputation": comparison.imputation, "pmk_ipw": comparison.weighting,
        "pooled_r2": pool_r2([0.10, 0.12, 0.11], n=200), "pmk_availability": availability,
        "join_codes": join_codes(study, features),
        "code_reliability": code_reliability(study.codes, B=5, seed=1),
        "integration": integration,
        "joint_display": yt.qual.joint_display(study, integration),
        "qca_solutions": configurations, "qca_truth_table": configurations.truth_table,
        "necessity": necessity(crisp, "power_active",
                               [f"{m}_active" for m in MECHANISMS[1:]]),
        "codes": yt.read_codes(yt.SHIPPED_STUDY / "codes.parquet"),
        "simulation": yt.simulate(2, seed=1, B=2, progress=False),
        "design": yt.design(n=300, share=0.14, reps=2, progress=False),
        "pool_test": yt.pool_test(*_imputed_ols(frame), method="D1"),
        "crossed": fit_lmm_terms("wellbeing ~ relationship_quality_within + (1 | youth_id)"
                                 " + (1 | wave)", frame),
        "glmm": yt.fit_glmm("high ~ relationship_quality_within + (1 | youth_id)",
                            frame.assign(high=(frame["wellbeing"] >= 3.5).astype(int)),
                            family="binomial"),
    }
    found["glmm_r2"] = found["glmm"].r2()
    from youthtransitions.models.worker_share import worker_share

    found["worker_share"] = worker_share(study.analysis_frame().merge(
        study.waves[["youth_id", "wave", "worker_id", "positive_change"]],
        on=["youth_id", "wave"]))
    items = study.waves.loc[study.waves["wave"] == 1, [f"rq_{i:02d}" for i in range(1, 11)]]
    found["alpha"], found["omega"] = yt.alpha(items), yt.omega(items)
    found.update(_inference(full, null, frame))
    found.update({f"pmk_{name}": table
                  for name, table in availability.disclosure_tables().items()})
    return found


def _inference(full, null, frame) -> dict:
    """The inference tables of the headline model: anova, LRT, random effects and their
    binned summary, intervals; and Kenward-Roger F tests with a categorical term."""
    slope = yt.fit_lmm("wellbeing ~ relationship_quality_within + C(gender)", frame,
                       group="youth_id", ddf="kenward-roger")
    ranef = full.random_effects()
    return {"anova": full.anova(), "anova_factor": slope.anova("kenward-roger"),
            "lrt": yt.lrt(null, full), "random_effects": ranef,
            "random_effects_binned": ranef.binned("youth_id", unit="youth"),
            "conf_int": full.conf_int()}


#: the inference tables (their disclosure() is the labelled table)
INFERENCE = ["anova", "anova_factor", "lrt", "random_effects", "random_effects_binned",
             "conf_int"]


def _imputed_ols(frame, m=3):
    """OLS fits of wellbeing on relationship quality over m noisy copies (stand-ins for
    completed data sets), with and without relationship quality."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(5)
    copies = [frame.assign(wellbeing=frame["wellbeing"] + rng.normal(0, 0.1, len(frame)))
              for _ in range(m)]
    full = [smf.ols("wellbeing ~ relationship_quality_within + relationship_quality_between",
                    d).fit() for d in copies]
    null = [smf.ols("wellbeing ~ 1", d).fit() for d in copies]
    return full, null


def _disclosable(result) -> Disclosable:
    return result if isinstance(result, Disclosable) else result.disclosure()


def _published(result) -> pd.DataFrame:
    """What the result publishes: its tidy table, a labelled index as the first column."""
    frame = result.to_frame()
    return frame.reset_index() if frame.index.name is not None else frame


def _published_columns(result) -> list:
    if isinstance(result, Disclosable):
        return list(result.columns)
    return list(_published(result).columns)


def test_every_result_class_of_the_package_is_covered(results):
    from youthtransitions._tidy import TidyResult

    covered = {type(r) for r in results.values()}
    # tables the report builds and gates itself: the describe rows, APA tables, the
    # replication table and the scales' reliability; the base class of the inference tables,
    # which no function returns
    unpublished = {"Describe", "ApaTable", "ReplicationResult", "ReliabilityResult",
                   "InferenceTable"}
    missing = []
    for cls in _subclasses(TidyResult):
        if (cls.__name__ in unpublished or cls in covered
                or not cls.__module__.startswith("youthtransitions.")):
            continue
        missing.append(cls.__name__)
    assert not missing, f"no disclosure check for {missing}"


def _subclasses(cls):
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@pytest.mark.parametrize("name", [
    "fit_lmm", "r2", "r2_difference", "bootstrap_r2", "variance_explained", "panel_compare",
    "pool", "pmk_methods", "pmk_sensitivity", "pmk_imputation", "pmk_ipw", "join_codes",
    "code_reliability", "integration", "joint_display", "qca_solutions", "qca_truth_table",
    "necessity", "codes", "simulation", "pmk_model", "pmk_balance", "pmk_patterns",
    "pmk_sample_loss", "pooled_r2", "pmk_availability", *INFERENCE])
def test_spec_declares_exactly_the_gated_columns(results, name):
    d = _disclosable(results[name])
    assert isinstance(d.spec, TableSpec)
    assert set(d.spec.columns) == set(d.frame.columns), name
    assert list(d.columns) == _published_columns(results[name]), name
    helpers = set(d.frame.columns) - set(d.columns)
    # helper columns only carry counts the gate needs (sizes, df bases, split rows)
    for h in helpers:
        kind = d.spec.columns[h].kind
        assert kind in COUNT_KINDS or any(h == helper for helper, _ in d.merge), (name, h)


@pytest.mark.parametrize("name", [
    "fit_lmm", "r2", "panel_compare", "pool", "pmk_methods", "pmk_sensitivity",
    "pmk_imputation", "pmk_ipw", "join_codes", "code_reliability", "integration",
    "joint_display", "qca_solutions", "qca_truth_table", "necessity", "codes", "simulation",
    "pmk_model", "pmk_balance", "pmk_patterns", "pmk_sample_loss", "variance_explained",
    "bootstrap_r2", "r2_difference", "pooled_r2", *INFERENCE])
def test_gates_on_real_marked_data_and_passes_unchanged_when_synthetic(results, name):
    d = _disclosable(results[name])
    real = Gate("fp", synthetic=False, secret=bytes(range(32)))
    published = d.publish(real.table(d.frame, d.spec, name=name))
    assert list(published.frame.columns) == list(d.columns)
    assert published.frame.shape == published.flags.shape
    for c in d.spec.of_kind(*COUNT_KINDS):
        if c in published.frame:
            values = published.frame[c].dropna().astype(int)
            assert ((values % 3 == 0) & ~values.between(1, 5)).all(), (name, c)
    for c in d.spec.of_kind("identifier", "excerpt"):
        if c in published.frame:
            assert (published.flags[c][d.frame[c].notna() & (d.frame[c] != "")] != "").all()
    off = Gate("fp", synthetic=True, secret=bytes(range(32)))
    same = d.publish(off.table(d.frame, d.spec, name=name))
    expected = d.frame[list(d.columns)].copy()
    for helper, column in d.merge:  # the split rows fold back where they came from
        expected[column] = expected[column].where(d.frame[helper].isna(), d.frame[helper])
    pd.testing.assert_frame_equal(same.frame.reset_index(drop=True),
                                  expected.reset_index(drop=True), check_dtype=False)
    if not isinstance(results[name], Disclosable):
        pd.testing.assert_frame_equal(same.frame.reset_index(drop=True),
                                      _published(results[name]).reset_index(drop=True),
                                      check_dtype=False)


def test_degrees_of_freedom_follow_the_published_counts(results):
    d = results["panel_compare"].disclosure()
    real = Gate("fp", synthetic=False, secret=bytes(range(32)))
    gated = real.table(d.frame, d.spec, name="panel")
    exact = d.frame["df_obs"] - d.frame["df"]  # parameters, the offset the rule keeps
    pub = gated.frame["df_obs"].astype(float) - gated.frame["df"].astype(float)
    np.testing.assert_allclose(pub, exact, atol=1e-9)


@pytest.mark.parametrize("name", ["anova", "anova_factor"])
def test_anova_df_read_as_the_coefficient_df(results, name):
    """A one-coefficient term's F test is its t test: on real data its published df is the
    coefficient table's, and every df keeps its offset from the published counts."""
    table = results[name]
    fit = table._fit
    real = Gate("fp", synthetic=False, secret=bytes(range(32)))
    d = table.disclosure()
    gated = real.table(d.frame, d.spec, name="anova")
    exact = d.frame["df_obs"] + d.frame["df_groups"] - d.frame["den_df"]
    pub = (gated.frame["df_obs"].astype(float) + gated.frame["df_groups"].astype(float)
           - gated.frame["den_df"].astype(float))
    np.testing.assert_allclose(pub, exact, atol=1e-9)
    c = fit.disclosure()
    coef = real.table(c.frame, c.spec, name="coef").frame.set_index("term")["df"]
    anova = gated.frame.set_index("term")
    one = anova[d.frame.set_index("term")["num_df"] == 1]
    assert len(one)
    for term, row in one.iterrows():
        assert float(row["den_df"]) == pytest.approx(float(coef[term]), rel=1e-6), term


def test_binned_random_effects_hold_no_single_value(results):
    d = results["random_effects_binned"]
    modes = results["random_effects"]["estimate"].to_numpy()
    means = d.frame.loc[d.frame["bin"] != "all", "mean"].to_numpy()
    assert not np.isin(np.round(means, 12), np.round(modes, 12)).any()
    assert (d.frame["n_levels"] == len(modes)).all()
    assert d.frame["sd"].iloc[0] == pytest.approx(modes.std(ddof=1), rel=1e-12)


def test_balance_means_of_indicators_are_shares_of_published_counts(results):
    d = results["pmk_balance"]
    real = Gate("fp", synthetic=False, secret=bytes(range(32)))
    published = d.publish(real.table(d.frame, d.spec, name="balance")).frame
    binary = d.frame["mean_with__other"].notna()
    assert binary.any() and (~binary).any()
    k = published.loc[binary, "mean_with"].astype(float) * published.loc[binary, "n_with"]
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)
    # continuous covariates keep their means
    np.testing.assert_allclose(published.loc[~binary, "mean_with"].astype(float),
                               d.frame.loc[~binary, "mean_with"].astype(float))
