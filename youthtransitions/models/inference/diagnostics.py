"""Residual diagnostics of a linear mixed model as binned tables and one figure.

Notes
-----
Real study data must not be drawn one mark per person, so every panel is drawn from bins of
at least ``min_count`` observations (or groups): the rows are sorted (by fitted value, or by
the value whose normal QQ plot is drawn) and cut into ``k = min(n_bins, n // min_count)``
consecutive bins of near-equal size. Residuals against fitted values show each bin's mean
fitted value, mean residual and residual SD; a normal QQ plot shows each bin's mean of the
standardised values (``(v - mean) / sd``) against the mean of the normal quantiles
``Phi^{-1}((i - 0.5) / n)`` of its ranks ``i``. Under normality the points lie on the identity
line. Panels: residuals against fitted, QQ of the residuals, QQ of each random effect's
conditional modes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..._options import check_count
from .random_effects import conditional_modes, fitted

__all__ = ["diagnostics_frame", "diagnostics_figure"]

COLUMNS = ["panel", "bin", "count", "x", "y", "y_sd"]


def _bins(n: int, n_bins: int, min_count: int) -> list[np.ndarray]:
    k = min(n_bins, n // min_count)
    return np.array_split(np.arange(n), k) if k >= 1 else []


def _qq_rows(panel: str, values: np.ndarray, n_bins: int, min_count: int) -> list[tuple]:
    v = np.sort(values[np.isfinite(values)])
    n = len(v)
    sd = v.std(ddof=1) if n > 1 else np.nan
    z = (v - v.mean()) / sd if sd > 0 else np.zeros(n)
    theory = special.ndtri((np.arange(1, n + 1) - 0.5) / n)
    return [(panel, b, len(idx), float(theory[idx].mean()), float(z[idx].mean()), np.nan)
            for b, idx in enumerate(_bins(n, n_bins, min_count))]


def diagnostics_frame(fit, *, n_bins: int = 20, min_count: int = 6) -> pd.DataFrame:
    """Binned diagnostics, one tidy table: columns ``panel, bin, count, x, y, y_sd``.

    Panels ``residuals_vs_fitted`` (x mean fitted value, y mean residual, y_sd the residuals'
    SD in the bin), ``qq_residuals`` and ``qq_random:<term>`` (x mean normal quantile, y mean
    standardised value). Every bin holds at least ``min_count`` observations or groups.
    """
    n_bins = check_count("n_bins", n_bins, minimum=1)
    min_count = check_count("min_count", min_count, minimum=1)
    fv = fitted(fit)
    res = fit.y - fv
    order = np.argsort(fv, kind="stable")
    rows = []
    for b, idx in enumerate(_bins(len(fv), n_bins, min_count)):
        r = res[order[idx]]
        rows.append(("residuals_vs_fitted", b, len(idx), float(fv[order[idx]].mean()),
                     float(r.mean()), float(r.std(ddof=1)) if len(r) > 1 else np.nan))
    rows += _qq_rows("qq_residuals", res, n_bins, min_count)
    modes, _ = conditional_modes(fit)
    for j, term in enumerate(fit.random_names):
        rows += _qq_rows(f"qq_random:{term}", modes[:, j], n_bins, min_count)
    return pd.DataFrame(rows, columns=COLUMNS)


def diagnostics_figure(fit, *, n_bins: int = 20, min_count: int = 6):
    """A :class:`matplotlib.figure.Figure` of :func:`diagnostics_frame`'s panels."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    frame = diagnostics_frame(fit, n_bins=n_bins, min_count=min_count)
    panels = list(dict.fromkeys(frame["panel"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        d = frame[frame["panel"] == panel]
        if panel == "residuals_vs_fitted":
            ax.errorbar(d["x"], d["y"], yerr=d["y_sd"], fmt="o", ms=4, lw=0.8, capsize=2)
            ax.axhline(0, color="0.5", lw=0.8)
            ax.set_xlabel("fitted value (bin mean)")
            ax.set_ylabel("residual (bin mean ± SD)")
            ax.set_title("Residuals against fitted")
        else:
            ax.plot(d["x"], d["y"], "o", ms=4)
            lim = [min(d["x"].min(), d["y"].min()), max(d["x"].max(), d["y"].max())]
            ax.plot(lim, lim, color="0.5", lw=0.8)
            ax.set_xlabel("normal quantile (bin mean)")
            ax.set_ylabel("standardised value (bin mean)")
            what = "residuals" if panel == "qq_residuals" else panel.split(":", 1)[1]
            ax.set_title(f"Normal QQ: {what}")
    fig.suptitle(f"Bins of at least {min_count}", fontsize=8, y=0.02)
    fig.tight_layout()
    return fig
