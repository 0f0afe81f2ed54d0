"""Multiple imputation by chained equations, one youth per row (wide form)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, count, estimate, share, text
from .._options import check_choice, check_count
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import run_replicates, single_blas_thread
from ..study import Study
from .fcs import fcs_chain
from .frames import youth_wide

__all__ = ["ImputationResult", "impute"]

Method = Literal["pmm", "norm"]


class ImputationResult(TidyResult):
    """``m`` completed data sets with their convergence trace.

    Attributes
    ----------
    datasets : list of pandas.DataFrame
        The completed data sets (same index and columns as the input).
    data : pandas.DataFrame
        The incomplete input.
    imputed : list of str
        Columns that were imputed.
    trace : pandas.DataFrame
        ``imputation, iteration, variable, mean, sd`` of the imputed values after each cycle.
    m, n_iter, method, seed
        The options used.
    """

    title = "Multiple imputation (chained equations)"

    def __init__(self, *, datasets, data, imputed, trace, m, n_iter, method, seed, donors):
        self.datasets = datasets
        self.data = data
        self.imputed = imputed
        self.trace = trace
        self.m, self.n_iter, self.method, self.seed, self.donors = m, n_iter, method, seed, donors

    def __len__(self) -> int:
        return self.m

    def __iter__(self):
        return iter(self.datasets)

    def _summary_header(self):
        return [("imputations (m)", self.m), ("iterations", self.n_iter),
                ("method", self.method), ("seed", self.seed), ("rows", len(self.data))]

    def to_frame(self) -> pd.DataFrame:
        """Per imputed variable: missing count and share, observed mean, mean imputed value,
        and the between-chain spread of the imputed means at the last iteration."""
        last = self.trace[self.trace["iteration"] == self.n_iter]
        rows = []
        for v in self.imputed:
            miss = self.data[v].isna()
            means = last.loc[last["variable"] == v, "mean"]
            rows.append({"variable": v, "n_missing": int(miss.sum()),
                         "share_missing": float(miss.mean()),
                         "observed_mean": float(self.data.loc[~miss, v].mean()),
                         "imputed_mean": float(means.mean()),
                         "imputed_mean_sd": float(means.std(ddof=1)) if len(means) > 1
                         else float("nan")})
        return pd.DataFrame(rows)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: missing counts of the youth imputed, their share of
        every youth, and means to three significant digits (which fit many denominators)."""
        return TableSpec({"variable": text(), "n_missing": count("youth"),
                          "share_missing": share("n_missing", population=len(self.data),
                                                 unit="youth"),
                          "observed_mean": estimate(digits=3),
                          "imputed_mean": estimate(digits=3),
                          "imputed_mean_sd": estimate(digits=3)}, totals="none")

    def apply(self, func: Callable[[pd.DataFrame], Any]) -> list[Any]:
        """``[func(d) for d in datasets]`` (for example fitting one model per data set)."""
        return [func(d) for d in self.datasets]

    def long(self, i: int) -> pd.DataFrame:
        """Completed data set ``i`` (0-based) in long form: one row per youth and wave.

        Columns named ``<scale>_w<wave>`` (for a stem seen at two or more waves) become
        ``<scale>`` with a ``wave`` column; every other column (youth covariates) is repeated on each of the youth's rows. Use it to fit
        wave-level (multilevel) models to each imputation, then :func:`pool` them.
        """
        if not 0 <= i < self.m:
            raise UsageError(f"imputation index must lie in 0..{self.m - 1}, got {i}")
        d = self.datasets[i]
        parts = d.columns.str.extract(r"^(?P<scale>.+)_w(?P<wave>\d+)$")
        counts = parts["scale"].value_counts()
        repeated = parts["scale"].map(counts).fillna(0) >= 2  # age_w1 stays a covariate
        wave_cols = [c for c, ok in zip(d.columns, repeated, strict=True) if ok]
        if not wave_cols:
            raise UsageError("the data have no wave-specific <scale>_w<wave> columns")
        fixed = [c for c in d.columns if c not in wave_cols]
        frames = []
        for wave in sorted(parts["wave"].dropna().astype(int).unique()):
            cols = [c for c in wave_cols if c.endswith(f"_w{wave}")]
            block = d[fixed + cols].rename(columns={c: c[: -len(f"_w{wave}")] for c in cols})
            frames.append(block.assign(wave=wave))
        out = pd.concat(frames, ignore_index=True, sort=False)
        key = [c for c in ("youth_id",) if c in out]
        return out.sort_values(key + ["wave"], kind="stable").reset_index(drop=True)

    def plot_trace(self, variables: Sequence[str] | None = None):
        """Convergence: mean and SD of the imputed values per iteration, one line per chain.

        Returns a matplotlib Figure (chains that mix show overlapping, trend-free lines).
        """
        import matplotlib.pyplot as plt

        variables = list(variables or self.imputed)
        fig, axes = plt.subplots(len(variables), 2, figsize=(8, 2.2 * len(variables)),
                                 squeeze=False)
        for r, v in enumerate(variables):
            sub = self.trace[self.trace["variable"] == v]
            for c, stat in enumerate(("mean", "sd")):
                ax = axes[r, c]
                for _, chain in sub.groupby("imputation"):
                    ax.plot(chain["iteration"], chain[stat], lw=0.8)
                ax.set_title(f"{v}: {stat}", fontsize=9)
                ax.set_xlabel("iteration")
                ax.set_ylabel(f"{'SD' if stat == 'sd' else stat} of imputed values")
        fig.tight_layout()
        return fig

    def plot_distributions(self, variables: Sequence[str] | None = None):
        """Observed (blue) against imputed (red) values, one density per imputation."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        variables = list(variables or self.imputed)
        fig, axes = plt.subplots(1, len(variables), figsize=(3.2 * len(variables), 2.8),
                                 squeeze=False)
        for ax, v in zip(axes[0], variables, strict=True):
            miss = self.data[v].isna().to_numpy()
            sns.kdeplot(x=self.data.loc[~miss, v].to_numpy(float), ax=ax, color="tab:blue",
                        lw=2, label="observed", warn_singular=False)
            for i, d in enumerate(self.datasets):
                sns.kdeplot(x=d.loc[miss, v].to_numpy(float), ax=ax, color="tab:red", lw=0.6,
                            alpha=0.5, label="imputed" if i == 0 else None,
                            warn_singular=False)
            ax.set_title(v, fontsize=9)
            ax.set_xlabel(v.replace("_", " "))
            ax.set_ylabel("density")
        axes[0, 0].legend(fontsize=8)
        fig.tight_layout()
        return fig


def _one_chain(rng, x, impute_idx, predictors, methods, n_iter, donors):
    with single_blas_thread():
        return fcs_chain(rng, x, impute_cols=impute_idx, predictors=predictors,
                         methods=methods, n_iter=n_iter, donors=donors)


def _numeric_frame(data: pd.DataFrame, id_cols: list[str]) -> pd.DataFrame:
    out = {}
    for c in data.columns:
        if c in id_cols:
            continue
        col = data[c]
        if pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean":
            out[c] = pd.array(col, dtype="boolean").astype("Float64").astype(float)
        elif pd.api.types.is_numeric_dtype(col):
            out[c] = col.astype(float).to_numpy()
        else:
            raise UsageError(f"column {c!r} is not numeric ({col.dtype}); encode categories as "
                             "indicator columns or pass it in id_cols to carry it along")
    return pd.DataFrame(out, index=data.index)


def _usable_predictors(num: pd.DataFrame, target: str, candidates: list[str]) -> list[str]:
    """Predictors of ``target`` that vary among the rows where ``target`` is observed.

    A predictor that is constant there (for example ``pmk_available`` or ``pmk_nominated``
    for a PMK-reported scale) carries no information for the observed rows and would be
    extrapolated wildly to the missing ones; like R ``mice`` we leave it out.
    """
    rows = num[target].notna().to_numpy()
    keep = []
    for p in candidates:
        if p == target:
            continue
        vals = num[p].to_numpy(float)[rows]
        vals = vals[np.isfinite(vals)]
        if vals.size > 1 and vals.min() < vals.max():
            keep.append(p)
    return keep


def impute(data: Any, *, m: int = 20, method: Method = "pmm", seed: int | None = None,
           n_iter: int = 10, donors: int = 5, columns: Sequence[str] | None = None,
           predictors: Sequence[str] | None = None, id_cols: Sequence[str] = ("youth_id",),
           workers: int = 1, scheduler: Any = None) -> ImputationResult:
    """Multiply impute missing values by chained equations (one youth per row).

    Parameters
    ----------
    data : pandas.DataFrame or Study
        A wide frame (one row per youth, wave-specific columns ``<scale>_w<wave>``). A
        :class:`~youthtransitions.study.Study` is turned into one by
        :func:`~youthtransitions.missing.frames.youth_wide` (covariates, every scale at every
        wave, the PMK scales by wave).
    m : int, default 20
        Number of imputations.
    method : {"pmm", "norm"}
        Predictive mean matching (imputes observed values; binary 0/1 columns always use it)
        or Bayesian linear-regression draws.
    seed : int, optional
        Master seed; chain ``i`` uses child ``i`` of ``SeedSequence(seed)``, so the result is
        the same whatever ``workers`` or ``scheduler``.
    n_iter : int, default 10
        Cycles per chain.
    donors : int, default 5
        PMM donor pool size.
    columns : sequence of str, optional
        Columns to impute; default every numeric column with missing values.
    predictors : sequence of str, optional
        Predictors of every conditional model (default: all other numeric columns). Complete
        columns only need to be complete when they are predictors.
    id_cols : sequence of str
        Columns carried along unchanged and not used as predictors.
    workers, scheduler
        Passed to :func:`youthtransitions.parallel.run_replicates` (one replicate per chain).

    Returns
    -------
    ImputationResult

    Notes
    -----
    Multilevel structure: youth are the independent units, so the three waves of a scale sit
    side by side in one row (the "wide" or JAV approach for a balanced panel with few
    occasions, van Buuren 2018, §7.10.1). Each conditional model regresses one wave-specific
    variable on every other wave's values of all scales, the PMK reports, the availability
    predictors and the outcome; this includes the youth's person means, which are linear
    combinations of the wave columns, and allows any within-youth covariance across waves.

    Each chain follows van Buuren (2018) algorithm 3.1 (``norm``: Bayesian regression draw)
    or 3.3 (``pmm``, type-1 matching with ``donors`` candidates), as in R ``mice``; starting
    values are random draws from each column's observed values. Why not
    ``statsmodels.imputation.mice.MICEData``: it re-parses a formula for every conditional
    model, measured at 33 s for one chain of 5 cycles over 25 columns of 1,366 rows (this
    implementation: well under a second), and it offers no normal-draw method. Checked by
    simulation against a known truth (tests/missing/test_impute.py) and through the PMK
    simulation (docs/missing-data.md).
    """
    check_choice("method", method, Method)
    m, n_iter, donors = (check_count(name, value) for name, value in
                         (("m", m), ("n_iter", n_iter), ("donors", donors)))
    if not isinstance(data, pd.DataFrame):
        if isinstance(data, Study):
            data = youth_wide(data)
        else:
            raise UsageError("impute needs a DataFrame or a Study, got "
                             f"{type(data).__name__}")
    id_cols = [c for c in id_cols if c in data.columns]
    num = _numeric_frame(data, id_cols)
    if columns is None:
        columns = [c for c in num.columns if num[c].isna().any()]
    else:
        columns = list(columns)
        bad = [c for c in columns if c not in num.columns]
        if bad:
            raise UsageError(f"columns to impute not in the data (or not numeric): {bad}")
    if predictors is None:
        pred_cols = [c for c in num.columns if num[c].notna().sum() > 1]
    else:
        pred_cols = list(predictors)
        bad = [c for c in pred_cols if c not in num.columns]
        if bad:
            raise UsageError(f"predictors not in the data (or not numeric): {bad}")
    incomplete_pred = [c for c in pred_cols if c not in columns and num[c].isna().any()]
    if incomplete_pred:
        raise UsageError(f"predictors {incomplete_pred} have missing values but are not "
                         "imputed; add them to columns")
    for c in columns:
        n_obs = int(num[c].notna().sum())
        if n_obs < 2:
            raise UsageError(f"column {c!r} has {n_obs} observed values; cannot impute it")
    names = list(num.columns)
    pos = {c: i for i, c in enumerate(names)}
    order = sorted(columns, key=lambda c: (int(num[c].isna().sum()), pos[c]))
    impute_idx = [pos[c] for c in order]
    preds = {pos[c]: [pos[p] for p in _usable_predictors(num, c, pred_cols)] for c in order}
    methods = {}
    for c in order:
        vals = num[c].dropna().unique()
        binary = len(vals) <= 2 and set(np.round(vals, 12)) <= {0.0, 1.0}
        methods[pos[c]] = "pmm" if binary else method
    chains = run_replicates(_one_chain, m, seed=seed,
                            args=(num.to_numpy(float), impute_idx, preds, methods,
                                  n_iter, donors),
                            workers=workers, scheduler=scheduler, description="imputations")
    datasets, trace_rows = [], []
    for i, (completed, trace) in enumerate(chains, start=1):
        d = data.copy()
        for c in order:
            d[c] = completed[:, pos[c]]
        datasets.append(d)
        for it in range(n_iter):
            for k, c in enumerate(order):
                trace_rows.append((i, it + 1, c, trace[it, k, 0], trace[it, k, 1]))
    trace_df = pd.DataFrame(trace_rows, columns=["imputation", "iteration", "variable",
                                                 "mean", "sd"])
    return ImputationResult(datasets=datasets, data=data, imputed=order, trace=trace_df, m=m,
                            n_iter=n_iter, method=method, seed=seed, donors=donors)
