"""The study's headline estimands: the share of outcome variance explained by a predictor.

Three views of "relationship quality explains 14% of positive outcomes": its within- and
between-person parts across the waves (Rights & Sterba measures and their difference from the
null model), the same-wave share at each wave, and the share of the last-wave outcome explained
by the first-wave predictor. One cluster bootstrap over youth gives every interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, estimate, text
from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import run_replicates
from ..stats.intervals import percentile_ci
from .bootstrap import cluster_rows
from .centering import center_codes
from .engine import refit
from .lmm import check_identifiable, check_method
from .r2 import classify_predictors, measures_from_parts

__all__ = ["MULTILEVEL_MEASURES", "DELTA_MEASURES", "VarianceExplained", "variance_explained"]

#: Rights & Sterba measures of the full model reported (truth.json "multilevel" keys)
MULTILEVEL_MEASURES = ("total.f1", "total.f2", "total.v", "total.m", "within.f1", "within.v",
                       "between.f2", "between.m")
#: measures whose full-minus-null difference is reported ("multilevel.delta")
DELTA_MEASURES = ("total.f1", "total.f2", "within.f1", "between.f2")


@dataclass(frozen=True, repr=False)
class VarianceExplained(TidyResult):
    """Shares of outcome variance explained, with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        ``estimand, estimate, conf_low, conf_high``; estimand names as in truth.json:
        ``headline_r2``, ``r2_by_wave.<wave>``, ``multilevel.<part>.<measure>`` and
        ``multilevel.delta.<part>.<measure>``.
    n : dict
        Observations (or youth) behind each estimand.
    settings : dict
        Columns, waves, B, seed, level, failed replicates.
    replicates : ndarray
        B x estimands bootstrap draws (NaN where a draw failed).
    """

    table: pd.DataFrame
    n: Mapping[str, int]
    settings: Mapping[str, Any]
    replicates: np.ndarray | None = None
    title: str = "Share of outcome variance explained"

    def _summary_header(self) -> list[tuple[str, Any]]:
        s = self.settings
        return [("Outcome", s["outcome"]), ("Predictor", s["predictor"]),
                ("Headline", f"wave {s['first_wave']} predictor -> wave {s['last_wave']} outcome"),
                ("Bootstrap", f"cluster B={s['B']} seed={s['seed']} level={s['level']}")]

    @property
    def ci_level(self) -> float:
        """Confidence level of the intervals (``settings["level"]``)."""
        return self.settings["level"]

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """``estimand, estimate, conf_low, conf_high``, the intervals at ``level`` (default
        :attr:`ci_level`; another is recomputed from the bootstrap replicates)."""
        if level is None or level == self.ci_level or self.replicates is None:
            return self.table.copy()
        lo, hi = percentile_ci(self.replicates, check_level(level))
        return self.table.assign(conf_low=lo, conf_high=hi)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: the estimand's name and estimates."""
        return TableSpec({"estimand": text(), "estimate": estimate(), "conf_low": estimate(),
                          "conf_high": estimate()}, totals="none")

    def __getitem__(self, estimand: str) -> float:
        hit = self.table.loc[self.table["estimand"] == estimand, "estimate"]
        if hit.empty:
            raise KeyError(f"no estimand {estimand!r}; one of {list(self.table['estimand'])}")
        return float(hit.iloc[0])


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3:
        return np.nan
    r = np.corrcoef(x[ok], y[ok])[0, 1]
    return float(r * r)


def _estimates(parts: dict, youth: np.ndarray, rows: np.ndarray | None,
               codes: np.ndarray | None) -> np.ndarray:
    """Every estimand on the youth ``youth`` (with their model rows ``rows``)."""
    xw, yw = parts["x_wide"][youth], parts["y_wide"][youth]
    out = [_r2(xw[:, parts["first"]], yw[:, parts["last"]])]
    out += [_r2(xw[:, t], yw[:, t]) for t in range(xw.shape[1])]
    if rows is None:
        rows = np.arange(parts["y"].size)
        codes = np.unique(parts["groups"], return_inverse=True)[1]
    n_groups = int(codes.max()) + 1
    y, X, Z = parts["y"][rows], parts["X"][rows], np.ones((rows.size, 1))
    values = {}
    for model in ("full", "null"):
        Xm = X if model == "full" else X[:, :1]
        fit = refit(y, Xm, Z, codes, n_groups=n_groups, reml=parts["reml"],
                    start=parts["starts"].get(model), inference=False)
        parts["starts"].setdefault(model, fit.theta)  # the full-sample fit warm-starts draws
        values[model] = measures_from_parts(X=Xm, Z=Z, beta=fit.beta, tau=fit.random_cov,
                                            sigma2=fit.sigma2, kinds=parts["kinds"][model])
    out += [values["full"][m] for m in MULTILEVEL_MEASURES]
    out += [values["full"][m] - values["null"][m] for m in DELTA_MEASURES]
    return np.array(out, dtype=float)


def _replicate(rng: np.random.Generator, parts: dict) -> np.ndarray:
    n_youth = parts["x_wide"].shape[0]
    draw = rng.integers(0, n_youth, size=n_youth)
    rows, codes = cluster_rows(parts["groups"], draw, n_groups=n_youth)
    try:
        return _estimates(parts, draw, rows, codes)
    except (np.linalg.LinAlgError, FloatingPointError, ValueError):
        return np.full(parts["n_estimands"], np.nan)


def variance_explained(data: pd.DataFrame, *, outcome: str, predictor: str, group: str,
                       wave: str, first_wave: Any = None, last_wave: Any = None,
                       B: int = 1000, seed: int | None = None, workers: int = 1,
                       scheduler: Any = None, level: float = 0.95, method: str = "reml",
                       progress: bool | None = None) -> VarianceExplained:
    """The share of outcome variance explained by a predictor, three ways, with CIs.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per youth and wave (e.g. ``Study.analysis_frame()``).
    outcome, predictor : str
        Numeric columns (``wellbeing``, ``relationship_quality``).
    group, wave : str
        Youth identifier and wave columns.
    first_wave, last_wave : optional
        Waves of the headline (default: the smallest and largest wave in the data).
    B : int, default 1000
        Cluster-bootstrap replicates (youth resampled with replacement); 0 for no intervals.
    seed, workers, scheduler, progress
        As :func:`youthtransitions.parallel.run_replicates`.
    level : float, default 0.95
    method : {"reml", "ml"}
        Estimation of the two multilevel models.

    Returns
    -------
    VarianceExplained
        Rows ``headline_r2``, ``r2_by_wave.<w>``, ``multilevel.<measure>`` (Rights & Sterba
        measures of the full model) and ``multilevel.delta.<measure>`` (full minus null).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> frame = yt.load_study(yt.SHIPPED_STUDY).analysis_frame()
    >>> ve = yt.variance_explained(frame, outcome="wellbeing", predictor="relationship_quality",
    ...                            group="youth_id", wave="wave", B=20, seed=1)
    >>> list(ve.to_frame().columns)
    ['estimand', 'estimate', 'conf_low', 'conf_high']

    Notes
    -----
    * ``headline_r2``: :math:`r^2` of the last-wave outcome and the first-wave predictor over
      youth observed at both (Pearson correlation squared = R² of the simple regression).
    * ``r2_by_wave.<w>``: same-wave :math:`r^2` over youth observed at wave w.
    * ``multilevel``: the full model ``outcome ~ x_within + x_between + (1 | youth)`` where
      ``x_between`` is the youth's mean predictor over the rows used and ``x_within`` the
      deviation from it (:func:`center_within`), fitted to the rows with both variables; the
      null model ``outcome ~ 1 + (1 | youth)`` on the same rows. Measures and differences as
      r2mlm / r2mlm_comp (Rights & Sterba 2019, 2020), see :mod:`youthtransitions.models.r2`.
    * Intervals: percentile intervals of a cluster bootstrap that resamples youth and
      recomputes every estimand on each draw.

    Checked on simulated data with known population values and on the shipped synthetic
    study's truth.json in ``tests/models/test_headline.py``.
    """
    if not isinstance(B, (int, np.integer)) or isinstance(B, bool) or B < 0 or B == 1:
        raise UsageError(f"B must be 0 (no intervals) or an integer of at least 2, got {B!r}")
    level = check_level(level)
    parts, n = _prepare(data, outcome=outcome, predictor=predictor, group=group, wave=wave,
                        first_wave=first_wave, last_wave=last_wave, method=method)
    names = (["headline_r2"] + [f"r2_by_wave.{w}" for w in parts["waves"]]
             + [f"multilevel.{m}" for m in MULTILEVEL_MEASURES]
             + [f"multilevel.delta.{m}" for m in DELTA_MEASURES])
    parts["n_estimands"] = len(names)
    estimate = _estimates(parts, np.arange(parts["x_wide"].shape[0]), None, None)
    reps = None
    lo = hi = np.full(len(names), np.nan)
    failed = 0
    if B:
        reps = np.asarray(run_replicates(_replicate, int(B), seed=seed, args=(parts,),
                                         workers=workers, scheduler=scheduler,
                                         progress=progress, description="youth bootstrap"))
        failed = int(np.isnan(reps).all(axis=1).sum())
        lo, hi = percentile_ci(reps, level)
    table = pd.DataFrame({"estimand": names, "estimate": estimate, "conf_low": lo,
                          "conf_high": hi})
    settings = {"outcome": outcome, "predictor": predictor, "group": group, "wave": wave,
                "first_wave": parts["waves"][parts["first"]],
                "last_wave": parts["waves"][parts["last"]], "B": int(B), "seed": seed,
                "level": level, "method": method, "failed": failed}
    return VarianceExplained(table=table, n=n, settings=settings, replicates=reps)


def _prepare(data, *, outcome, predictor, group, wave, first_wave, last_wave, method):
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"variance_explained needs a DataFrame, got {type(data).__name__}")
    missing = [c for c in (outcome, predictor, group, wave) if c not in data.columns]
    if missing:
        raise UsageError(f"variance_explained: column(s) {missing} not in the data "
                         f"(columns: {list(data.columns)[:30]})")
    for c in (outcome, predictor):
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]):
            raise UsageError(f"variance_explained: column {c!r} must be numeric, "
                             f"it has dtype {data[c].dtype}")
    reml = check_method(method)
    frame = data[[group, wave, outcome, predictor]].dropna(subset=[group, wave])
    if frame.duplicated([group, wave]).any():
        raise UsageError(f"variance_explained: ({group}, {wave}) pairs are not unique")
    youth_codes, youth = pd.factorize(frame[group], sort=True)
    waves = sorted(frame[wave].unique().tolist())
    first_wave = waves[0] if first_wave is None else first_wave
    last_wave = waves[-1] if last_wave is None else last_wave
    for label, w in (("first_wave", first_wave), ("last_wave", last_wave)):
        if w not in waves:
            raise UsageError(f"variance_explained: {label}={w!r} is not a wave of the data "
                             f"(waves: {waves})")
    wave_idx = frame[wave].map({w: i for i, w in enumerate(waves)}).to_numpy()
    x_wide = np.full((len(youth), len(waves)), np.nan)
    y_wide = np.full((len(youth), len(waves)), np.nan)
    x_wide[youth_codes, wave_idx] = frame[predictor].to_numpy(float)
    y_wide[youth_codes, wave_idx] = frame[outcome].to_numpy(float)
    ok = frame[[outcome, predictor]].notna().all(axis=1).to_numpy()
    if ok.sum() < 3:
        raise UsageError("variance_explained: fewer than 3 rows have both the outcome and "
                         "the predictor")
    g = youth_codes[ok]
    check_identifiable(n=int(ok.sum()), p=3, q=1, n_groups=int(np.unique(g).size),
                       reml=reml, group=group,
                       where="variance_explained: ")
    between, within = center_codes(frame[predictor].to_numpy(float)[ok], g, len(youth))
    X = np.column_stack([np.ones(g.size), within, between])
    names = ["(Intercept)", f"{predictor}_within", f"{predictor}_between"]
    kinds = classify_predictors(X, g, names)
    parts = {"starts": {}, "x_wide": x_wide, "y_wide": y_wide, "first": waves.index(first_wave),
             "last": waves.index(last_wave), "waves": waves, "groups": g,
             "y": frame[outcome].to_numpy(float)[ok], "X": X, "reml": reml,
             "kinds": {"full": [kinds[k] for k in names], "null": [kinds[names[0]]]}}
    n = {"headline_r2": int((~np.isnan(x_wide[:, parts["first"]])
                             & ~np.isnan(y_wide[:, parts["last"]])).sum()),
         "multilevel": int(ok.sum()), "multilevel_youth": int(np.unique(g).size)}
    for t, w in enumerate(waves):
        n[f"r2_by_wave.{w}"] = int((~np.isnan(x_wide[:, t]) & ~np.isnan(y_wide[:, t])).sum())
    return parts, n
