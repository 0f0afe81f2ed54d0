"""Estimates judged against the synthetic study's truth: flatten, compare, summarise.

The generator knows every estimand's population value (``truth.json``, ``estimands``), so an
analysis run on a synthetic study can be scored: one study by :func:`compare_truth` (is the
truth inside each interval?), many studies by :func:`summarise_simulation` (bias, RMSE,
coverage), returned as one :class:`SimulationResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, design, estimate, text
from .._tidy import TidyResult

__all__ = ["flatten_truth", "compare_truth", "summarise_simulation", "summarise_design",
           "SimulationResult", "SIMULATION_COLUMNS", "DESIGN_COLUMNS"]

#: columns of :func:`summarise_simulation` after the grouping columns
SIMULATION_COLUMNS = ["truth", "mean_estimate", "bias", "rmse", "empirical_se", "mean_se",
                      "coverage", "coverage_mcse", "mean_width", "reps"]


def flatten_truth(estimands: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Flatten truth.json's ``estimands`` to ``{dotted name: value}``.

    A node with a ``"value"`` is a leaf (or, when its value is a mapping, a family of leaves
    named by the value's keys); other nodes are descended into. ``definition`` texts and
    non-numeric entries are skipped.
    """
    out: dict[str, float] = {}
    for key, node in estimands.items():
        name = f"{prefix}{key}"
        if isinstance(node, Mapping) and "value" in node:
            node = node["value"]
        if isinstance(node, Mapping):
            out.update(flatten_truth(node, prefix=f"{name}."))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out[name] = float(node)
    return out


def compare_truth(result: Any, truth: Mapping[str, Any]) -> pd.DataFrame:
    """Estimates beside their known values.

    Parameters
    ----------
    result : TidyResult or DataFrame
        A table (or a result whose ``to_frame()`` is one) with columns ``estimand, estimate,
        conf_low, conf_high``, estimands named as in truth.json (e.g.
        :func:`~youthtransitions.variance_explained`).
    truth : mapping
        truth.json's ``estimands``, or the whole truth dict.

    Returns
    -------
    DataFrame
        The rows of the estimands the truth knows, with ``truth`` and ``covered`` (the truth
        inside the interval, limits included).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> from youthtransitions.synthetic.evaluate import compare_truth
    >>> study = yt.load_study(yt.SHIPPED_STUDY)
    >>> ve = yt.variance_explained(study.analysis_frame(), outcome="wellbeing",
    ...                            predictor="relationship_quality", group="youth_id",
    ...                            wave="wave", B=20, seed=1)
    >>> list(compare_truth(ve, study.metadata["truth"]).columns)[-2:]
    ['truth', 'covered']
    """
    table = result if isinstance(result, pd.DataFrame) else result.to_frame()
    flat = flatten_truth(truth.get("estimands", truth))
    frame = table[table["estimand"].isin(flat)].copy()
    frame["truth"] = frame["estimand"].map(flat)
    frame["covered"] = (frame["conf_low"] <= frame["truth"]) & (
        frame["truth"] <= frame["conf_high"])
    return frame.reset_index(drop=True)


def summarise_simulation(replicates: pd.DataFrame, *, by: Sequence[str] = ("estimand",),
                         estimate: str = "estimate", truth: str = "truth",
                         conf_low: str = "conf_low", conf_high: str = "conf_high",
                         std_error: str | None = None) -> pd.DataFrame:
    """Bias, RMSE, spread and interval coverage of estimates over simulated studies.

    Parameters
    ----------
    replicates : DataFrame
        One row per replicate and estimand: the ``by`` columns, the estimate, its truth in
        that replicate, the interval limits and optionally a standard error.
    by : sequence of str
        Grouping columns (rows keep their first-appearance order); a missing key (NaN) is a
        group of its own.
    estimate, truth, conf_low, conf_high, std_error : str
        Column names.

    Returns
    -------
    DataFrame
        ``by`` columns then :data:`SIMULATION_COLUMNS`. ``mean_se`` is NaN without
        ``std_error``; ``coverage`` and ``mean_width`` count the replicates with both limits.

    Notes
    -----
    For estimand :math:`\\theta` with estimates :math:`\\hat\\theta_r`, truths
    :math:`\\theta_r` and intervals :math:`[l_r, u_r]`, :math:`r = 1..R`: bias
    :math:`= R^{-1}\\sum_r(\\hat\\theta_r-\\theta_r)`, RMSE
    :math:`= \\sqrt{R^{-1}\\sum_r(\\hat\\theta_r-\\theta_r)^2}`, empirical SE the SD of
    :math:`\\hat\\theta_r` (n - 1), coverage :math:`c = R_I^{-1}\\sum_r
    1[l_r \\le \\theta_r \\le u_r]` over the :math:`R_I` replicates with an interval, with
    Monte Carlo SE :math:`\\sqrt{c(1-c)/R_I}` (Morris, White & Crowther 2019, Table 6).
    ``truth`` is the mean of :math:`\\theta_r` (constant when the truth is a population
    value). Checked by hand in ``tests/synthetic/test_evaluate.py``.
    """
    rows = []
    # a missing key is a group of its own: its rows are summarised, not silently dropped
    for key, part in replicates.groupby(list(by), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        est, tru = part[estimate], part[truth]
        err = est - tru
        lo, hi = part[conf_low], part[conf_high]
        has_ci = lo.notna() & hi.notna()
        cover = ((lo <= tru) & (tru <= hi))[has_ci]
        c = float(cover.mean()) if len(cover) else np.nan
        rows.append({
            **dict(zip(by, key, strict=True)), "truth": float(tru.mean()),
            "mean_estimate": float(est.mean()), "bias": float(err.mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "empirical_se": float(est.std(ddof=1)) if len(part) > 1 else np.nan,
            "mean_se": float(part[std_error].mean()) if std_error else np.nan,
            "coverage": c,
            "coverage_mcse": float(np.sqrt(c * (1 - c) / len(cover))) if len(cover) else np.nan,
            "mean_width": float((hi - lo)[has_ci].mean()) if has_ci.any() else np.nan,
            # replicates with an estimate: a failed fit (NaN) is in no mean above either
            "reps": int(est.notna().sum())})
    return pd.DataFrame(rows, columns=[*by, *SIMULATION_COLUMNS])


#: columns of :func:`summarise_design` after the grouping columns
DESIGN_COLUMNS = ["truth", "power", "power_mcse", "median_width", "width_mcse", "bias",
                  "bias_mcse", "rmse", "rmse_mcse", "coverage", "coverage_mcse", "reps"]


def summarise_design(replicates: pd.DataFrame, *, by: Sequence[str] = ("estimand",),
                     alpha: float = 0.05, p_value: str = "p_value") -> pd.DataFrame:
    """Power, precision, bias and coverage of a planned analysis, with Monte Carlo errors.

    Parameters
    ----------
    replicates : DataFrame
        As :func:`summarise_simulation` takes it (``estimate, truth, conf_low, conf_high``)
        with the p value of each replicate's test in ``p_value``.
    by : sequence of str
        Grouping columns (e.g. the design cell's levers and the estimand).
    alpha : float, default 0.05
        Level of the test whose rejection rate is the power.

    Returns
    -------
    DataFrame
        ``by`` columns then :data:`DESIGN_COLUMNS`.

    Notes
    -----
    Built on :func:`summarise_simulation` (bias and coverage). Over the :math:`R_p` replicates
    with a p value, power :math:`\\hat p = R_p^{-1}\\sum_r 1[p_r < \\alpha]` with MCSE
    :math:`\\sqrt{\\hat p(1-\\hat p)/R_p}`; bias MCSE :math:`s_{\\hat\\theta}/\\sqrt R` (the
    empirical SE over the root of the replicates), RMSE MCSE
    :math:`\\mathrm{MCSE}(\\mathrm{MSE})/(2\\,\\mathrm{RMSE})` (delta method) with
    :math:`\\mathrm{MCSE}(\\mathrm{MSE}) = \\sqrt{\\sum_r(e_r^2-\\mathrm{MSE})^2/(R(R-1))}`,
    :math:`e_r = \\hat\\theta_r - \\theta_r`, coverage MCSE
    :math:`\\sqrt{c(1-c)/R_I}` (Morris, White & Crowther 2019, Table 6); the median interval
    width with the McKean–Schrader standard error of a median
    (:func:`~youthtransitions.stats.median.median_se`). Replicates needed for a target MCSE
    follow by inverting these: :math:`R = p(1-p)/\\mathrm{MCSE}^2`. Checked by hand in
    ``tests/synthetic/test_evaluate_design.py``.
    """
    from ..stats.median import median_se

    by = list(by)
    base = summarise_simulation(replicates, by=by)
    rows = []
    for key, part in replicates.groupby(by, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        p = part[p_value].dropna().to_numpy(float)
        power = float(np.mean(p < alpha)) if p.size else np.nan
        width = (part["conf_high"] - part["conf_low"]).dropna().to_numpy(float)
        err2 = ((part["estimate"] - part["truth"]) ** 2).dropna().to_numpy(float)
        mse = float(err2.mean()) if err2.size else np.nan
        mse_mcse = (float(np.sqrt(((err2 - mse) ** 2).sum() / (len(err2) * (len(err2) - 1))))
                    if len(err2) > 1 else np.nan)
        rows.append({
            **dict(zip(by, key, strict=True)),
            "rmse_mcse": mse_mcse / (2 * np.sqrt(mse)) if mse > 0 else np.nan,
            "power": power,
            "power_mcse": float(np.sqrt(power * (1 - power) / p.size)) if p.size else np.nan,
            "median_width": float(np.median(width)) if width.size else np.nan,
            "width_mcse": median_se(width)})
    # joined on the grouping keys, not by position: nothing ties the two loops' orders
    out = base.merge(pd.DataFrame(rows), on=by, how="left", validate="one_to_one")
    out["bias_mcse"] = out["empirical_se"] / np.sqrt(out["reps"])
    return out[[*by, *DESIGN_COLUMNS]]


class SimulationResult(TidyResult):
    """Operating characteristics of an analysis over simulated synthetic studies.

    Attributes
    ----------
    table : DataFrame
        The summary (:func:`summarise_simulation` columns, as the simulation names them).
    replicates : DataFrame
        One row per replicate and estimate, as the simulation produced them.
    settings : dict
        The options of the run, shown in the summary header.
    """

    def __init__(self, table: pd.DataFrame, replicates: pd.DataFrame,
                 settings: Mapping[str, Any], *, title: str):
        self.table = table
        self.replicates = replicates
        self.settings = dict(settings)
        self.title = title

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: operating characteristics over simulated studies are
        estimates, the number of replicates a design parameter, the grouping columns labels
        (no person is counted: every study is synthetic)."""
        return TableSpec({c: design() if c == "reps" else estimate()
                          if c in SIMULATION_COLUMNS or c == "mean_ci_width" else text()
                          for c in self.table.columns}, totals="none")

    def _summary_header(self) -> list[tuple[str, Any]]:
        return list(self.settings.items())
