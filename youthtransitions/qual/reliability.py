"""Inter-coder reliability of the mechanism codes and youth-versus-PMK agreement."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import (
    Disclosable,
    TableSpec,
    design,
    disclosable,
    estimate,
    model_size,
    split_rows,
    text,
)
from .._options import check_count, check_level
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import run_replicates
from ..stats import bootstrap_counts, percentile_ci
from ..study.codes import as_codes
from ..study.contract import DIMENSIONS, MECHANISMS
from .agreement import alpha_batch, kappa_batch, unit_counts
from .quantitize import quantitize_checked

__all__ = ["code_reliability", "CodeReliabilityResult", "RELIABILITY_COLUMNS"]

RELIABILITY_COLUMNS = ["comparison", "mechanism", "dimension", "scale", "measure", "n_units",
                       "estimate", "conf_low", "conf_high", "n_boot"]


@dataclass
class _Target:
    comparison: str
    mechanism: str
    dimension: str
    scale: str          # presence or level
    measure: str        # cohen_kappa, weighted_kappa, alpha_nominal, alpha_ordinal, agreement
    family: str         # "segments" or "youth": what a bootstrap resamples
    pairs: np.ndarray   # (units, 2) category indices for kappa, -1 missing
    counts: np.ndarray  # (units, categories) for alpha
    values: np.ndarray
    weights: str = "unweighted"

    def estimate(self, w: np.ndarray) -> np.ndarray:
        """Coefficient for each row of the unit weights ``w`` (B, units)."""
        if self.measure.startswith("alpha"):
            level = "ordinal" if self.measure == "alpha_ordinal" else "nominal"
            return alpha_batch(self.counts, self.values, w, level=level)
        kind = "agreement" if self.measure == "agreement" else self.weights
        return kappa_batch(self.pairs, len(self.values), w, kind=kind)

    @property
    def n_units(self) -> int:
        if self.measure.startswith("alpha"):
            return int((self.counts.sum(axis=1) >= 2).sum())
        return int((self.pairs >= 0).all(axis=1).sum())


def _matrix_targets(wide: pd.DataFrame, comparison: str, mech: str, dim: str, scale: str,
                    family: str, kappa_measure: str, alpha_measure: str) -> list[_Target]:
    """Targets from a units × raters frame of numeric values (NaN missing)."""
    x = wide.to_numpy(dtype=float)
    counts, values = unit_counts(x.T)
    index = {v: i for i, v in enumerate(values)}
    first_two = np.full((len(x), 2), -1, dtype=int)
    for u, row in enumerate(x):
        seen = [index[v] for v in row if not np.isnan(v)]
        if len(seen) >= 2:
            first_two[u] = seen[:2]
    weights = "linear" if kappa_measure == "weighted_kappa" else "unweighted"
    out = [_Target(comparison, mech, dim, scale, m, family, first_two, counts, values,
                   weights) for m in (kappa_measure, alpha_measure)]
    if comparison == "youth_vs_pmk":
        out.append(_Target(comparison, mech, dim, scale, "agreement", family, first_two,
                           counts, values))
    return out


def _coder_targets(codes: pd.DataFrame) -> tuple[list[_Target], int]:
    n_coders = codes.groupby("segment_id")["coder"].nunique()
    double = codes[codes["segment_id"].isin(n_coders.index[n_coders >= 2])]
    if double.empty:
        return [], 0
    coders = sorted(double["coder"].unique())
    targets: list[_Target] = []
    specs = [(m, "any") for m in MECHANISMS] + \
            [(m, d) for m in MECHANISMS if len(DIMENSIONS[m]) > 1 for d in DIMENSIONS[m]]
    for mech, dim in specs:
        hit = double["mechanism"] == mech
        if dim != "any":
            hit &= double["dimension"] == dim
        presence = double.assign(v=hit.astype(float)).pivot_table(
            index="segment_id", columns="coder", values="v", aggfunc="first")
        presence = presence.reindex(columns=coders)
        level = double.assign(v=double["level"].where(hit).astype(float)).pivot_table(
            index="segment_id", columns="coder", values="v", aggfunc="first", dropna=False)
        level = level.reindex(index=presence.index, columns=coders)
        targets += _matrix_targets(presence, "coders", mech, dim, "presence", "segments",
                                   "cohen_kappa", "alpha_nominal")
        targets += _matrix_targets(level, "coders", mech, dim, "level", "segments",
                                   "weighted_kappa", "alpha_ordinal")
    return targets, int(double["segment_id"].nunique())


def _youth_pmk_targets(codes: pd.DataFrame) -> tuple[list[_Target], int]:
    youth = quantitize_checked(codes, source="youth_interview").set_index("youth_id")
    pmk = quantitize_checked(codes, source="pmk_interview").set_index("youth_id")
    both = youth.index.intersection(pmk.index)
    targets: list[_Target] = []
    if len(both) == 0:
        return targets, 0
    for mech in MECHANISMS:
        col = f"{mech}_active"
        wide = pd.DataFrame({"youth": youth.loc[both, col].astype(float),
                             "pmk": pmk.loc[both, col].astype(float)})
        targets += _matrix_targets(wide, "youth_vs_pmk", mech, "any", "activation", "youth",
                                   "cohen_kappa", "alpha_nominal")
    return targets, len(both)


def _replicate(rng: np.random.Generator, n_seg: int, n_youth: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap unit counts: how often each segment and each youth is drawn."""
    return bootstrap_counts(rng, n_seg), bootstrap_counts(rng, n_youth)


@dataclass
class CodeReliabilityResult(TidyResult):
    """Agreement per mechanism and dimension, with bootstrap percentile intervals.

    Named apart from :class:`youthtransitions.study.ReliabilityResult` (the scales' internal
    consistency): this one is agreement between coders and between youth and PMK.
    """

    table: pd.DataFrame
    n_double_coded: int = 0
    n_youth_pmk: int = 0
    B: int = 0
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    title = "Reliability of the mechanism codes"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: agreement statistics resting on their units
        (double-coded segments for coders, youth for youth against PMK; withheld below the
        gate's threshold) and the bootstrap draws as design."""
        return TableSpec({"comparison": text(), "mechanism": text(), "dimension": text(),
                          "scale": text(), "measure": text(),
                          "n_units": model_size("segment"),
                          "n_units_youth": model_size("youth"), "estimate": estimate(),
                          "conf_low": estimate(), "conf_high": estimate(),
                          "n_boot": design()}, totals="none")

    def disclosure(self) -> Disclosable:
        """The table with the youth-against-PMK units apart from the segment units."""
        frame = self.to_frame()
        youth = (frame["comparison"] == "youth_vs_pmk").to_numpy()
        split = split_rows(frame, youth, ["n_units"], "_youth")
        return disclosable(split, self.disclosure_spec, merge=[("n_units_youth", "n_units")])

    def _summary_header(self) -> list[tuple[str, Any]]:
        return [("double-coded segments", self.n_double_coded),
                ("youth with PMK codes", self.n_youth_pmk),
                ("bootstrap replicates", self.B)]


def code_reliability(codes: Any, *, B: int = 1000, seed: int | None = None,
                     level: float = 0.95, workers: int = 1) -> CodeReliabilityResult:
    """Inter-coder reliability and youth-versus-PMK agreement of the mechanism codes.

    Parameters
    ----------
    codes : DataFrame, CodeImport or Study
        The contract's codes table; double-coded segments share a segment_id.
    B : int, default 1000
        Bootstrap replicates (0 for none); run by :func:`youthtransitions.parallel.run_replicates`.
    seed : int, optional
        Seed of the bootstrap.
    level : float, default 0.95
        Confidence level of the percentile intervals.
    workers : int, default 1
        Worker processes for the bootstrap.

    Returns
    -------
    CodeReliabilityResult
        ``to_frame()`` columns :data:`RELIABILITY_COLUMNS`. ``comparison`` is ``coders``
        (double-coded segments) or ``youth_vs_pmk``. For coders, per mechanism (dimension
        ``any``) and per dimension of power and mutuality: *presence* (did the coder code
        this mechanism/dimension on the segment) with Cohen's kappa and nominal
        Krippendorff's alpha, and *level* (0-2, where coded) with linearly weighted kappa
        and ordinal alpha. For youth versus PMK: per mechanism, activation (see
        :func:`quantitize`) from youth interviews against PMK interviews for youth with both,
        with kappa, nominal alpha and raw agreement.

    Notes
    -----
    Alpha uses every coder of a segment (missing where a coder did not code it); kappa uses
    the first two coders of each segment in alphabetical order. Intervals are percentile
    bootstrap intervals resampling segments (coders) or youth (youth vs PMK); ``n_boot``
    counts replicates where the coefficient was defined. Coefficients: see
    :mod:`youthtransitions.qual.agreement`. Checked against R ``irr::kappa2`` and
    ``irr::kripp.alpha`` on the same codes (``tests/reference/irr/``).

    Examples
    --------
    >>> import pandas as pd, youthtransitions as yt
    >>> codes = pd.read_parquet(yt.SHIPPED_STUDY / "codes.parquet")
    >>> rel = code_reliability(codes, B=100, seed=1)
    >>> sorted(rel.to_frame()["comparison"].unique())
    ['coders', 'youth_vs_pmk']
    """
    B = check_count("B", B, minimum=0)
    level = check_level(level)
    frame = as_codes(codes)
    coder_t, n_seg = _coder_targets(frame)
    pmk_t, n_youth = _youth_pmk_targets(frame)
    targets = coder_t + pmk_t
    if not targets:
        raise UsageError("no double-coded segments (same segment_id, two coders) and no youth "
                         "with both youth and PMK codes: nothing to assess")
    ones = {"segments": np.ones((1, n_seg)), "youth": np.ones((1, n_youth))}
    point = [float(t.estimate(ones[t.family])[0]) for t in targets]
    boot = np.full((B, len(targets)), np.nan)
    if B:
        reps = run_replicates(_replicate, B, seed=seed, args=(n_seg, n_youth),
                              workers=workers, description="reliability bootstrap")
        draws = {"segments": np.array([r[0] for r in reps], dtype=float).reshape(B, n_seg),
                 "youth": np.array([r[1] for r in reps], dtype=float).reshape(B, n_youth)}
        for j, t in enumerate(targets):
            boot[:, j] = t.estimate(draws[t.family])
    lows, highs = percentile_ci(boot, level) if B else (np.full(len(targets), np.nan),) * 2
    rows = []
    for j, t in enumerate(targets):
        n_boot = int((~np.isnan(boot[:, j])).sum())
        lo, hi = lows[j], highs[j]
        rows.append({"comparison": t.comparison, "mechanism": t.mechanism,
                     "dimension": t.dimension, "scale": t.scale, "measure": t.measure,
                     "n_units": t.n_units, "estimate": point[j], "conf_low": float(lo),
                     "conf_high": float(hi), "n_boot": n_boot})
    return CodeReliabilityResult(table=pd.DataFrame(rows, columns=RELIABILITY_COLUMNS),
                             n_double_coded=n_seg, n_youth_pmk=n_youth, B=int(B), level=level)


def __getattr__(name: str) -> Any:
    if name == "ReliabilityResult":
        warnings.warn("youthtransitions.qual.ReliabilityResult is renamed CodeReliabilityResult "
                      "(study.ReliabilityResult is the scales' reliability); the old name will "
                      "be removed", DeprecationWarning, stacklevel=2)
        return CodeReliabilityResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
