"""The power curve of a planned study: power against sample size, one line per effect size."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .figures import _pyplot

__all__ = ["power_curve"]


def power_curve(frame: pd.DataFrame, *, estimands: Sequence[str] | None = None,
                x: str = "n", by: str = "share", band: float = 1.96, columns: int = 3):
    """Power against ``x`` per value of ``by``, with Monte Carlo bands, one panel per estimand.

    Parameters
    ----------
    frame : DataFrame
        :meth:`~youthtransitions.report.planning.DesignResult.to_frame` (columns ``x``,
        ``by``, ``estimand``, ``power``, ``power_mcse``); cells differing in other levers are
        drawn as separate lines of the same colour.
    estimands : sequence of str, optional
        Panels (default: every estimand with a power, in the frame's order; an estimand
        planned without a test, such as ``worker_rq_share``, has none).
    band : float, default 1.96
        Half-width of the band in Monte Carlo standard errors (1.96: a 95% band), clipped to
        [0, 1].
    """
    plt = _pyplot()
    if estimands is None:
        tested = frame.groupby("estimand", sort=False)["power"].apply(lambda p: p.notna().any())
        names = [k for k in dict.fromkeys(frame["estimand"]) if tested[k]]
    else:
        names = list(estimands)
    ncol = min(columns, len(names))
    nrow = math.ceil(len(names) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 3.0 * nrow), squeeze=False,
                             sharex=True, sharey=True)
    levels = sorted(frame[by].unique())
    colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.85, len(levels)))
    others = [c for c in frame.columns if c not in (x, by, "estimand") and c in (
        "msu_share", "attrition", "pmk_nomination", "pmk_response", "waves", "caseload")]
    for ax, name in zip(axes.flat, names, strict=False):
        part = frame[frame["estimand"] == name]
        for level, colour in zip(levels, colours, strict=True):
            one = part[part[by] == level]
            for _, line in (one.groupby(others, sort=True) if others else [((), one)]):
                line = line.sort_values(x)
                lo = np.clip(line["power"] - band * line["power_mcse"], 0, 1)
                hi = np.clip(line["power"] + band * line["power_mcse"], 0, 1)
                ax.fill_between(line[x], lo, hi, color=colour, alpha=0.2, lw=0)
                ax.plot(line[x], line["power"], marker="o", color=colour,
                        label=f"{by} {level:g}")
        ax.axhline(0.8, color="0.5", lw=0.8, ls="--")
        ax.set_title(name, fontsize=9)
        ax.set_ylim(-0.02, 1.02)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("youth" if x == "n" else x)
    for ax in axes[:, 0]:
        ax.set_ylabel("power")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    keep = dict(zip(labels, handles, strict=True))
    fig.legend(keep.values(), keep.keys(), loc="lower center", ncol=len(keep), frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
