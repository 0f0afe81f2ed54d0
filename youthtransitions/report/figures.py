"""Figures of the replication (seaborn over tidy frames), saved deterministically.

Every function takes a tidy DataFrame and returns a :class:`matplotlib.figure.Figure`;
:func:`save_figure` writes PNG and SVG with fixed metadata so reruns are byte-identical.
The frames are those the disclosure gate passed (``StepContext.figure_data``). On data not
marked synthetic no mark may stand for one person, so the per-youth figures have aggregate
forms: :func:`trajectory_means` with :func:`mean_trajectories` (means with intervals, no
individual lines), and :func:`quadrant_cells` / :func:`quadrant_change` with
:func:`power_quadrant_cells` (counts per cell of the care-control plane, change per quadrant
as a mean with its interval).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["save_figure", "trajectories", "variance_decomposition", "sensitivity_plot",
           "power_quadrant", "truth_table_plot", "trajectory_means", "mean_trajectories",
           "quadrant_cells", "quadrant_change", "power_quadrant_cells", "group_means"]

#: tertile labels of the trajectory figures
TERTILES = ["low", "middle", "high"]
#: power quadrants in display order
QUADRANTS = ("enabling", "protective", "trap", "absent")
#: legend entries of the variance decomposition: each Rights & Sterba (2019) component named
#: by what it is, so the figure reads without its caption
COMPONENT_LABELS = {"f1": "f1: within-youth fixed part", "f2": "f2: between-youth fixed part",
                    "v": "v: random slope variation", "m": "m: random intercept variation",
                    "residual": "residual: within-youth residual"}


def group_means(frame: pd.DataFrame, value: str, by: list[str], *,
                level: float = 0.95) -> pd.DataFrame:
    """Mean of ``value`` per group with its t interval and the group's size ``n``.

    Notes
    -----
    :math:`\\bar x \\pm t_{(1+\\text{level})/2,\\,n-1}\\, s/\\sqrt{n}` (NaN for n < 2).
    """
    from ..stats.distributions import t_ppf

    rows = []
    for key, part in frame.dropna(subset=[value]).groupby(by, sort=True, observed=True):
        x = part[value].to_numpy(float)
        n = len(x)
        mean = float(x.mean())
        half = (t_ppf((1 + level) / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
                if n > 1 else np.nan)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key, strict=True)), "mean": mean,
                     "conf_low": mean - half, "conf_high": mean + half, "n": n})
    return pd.DataFrame(rows, columns=[*by, "mean", "conf_low", "conf_high", "n"])


def _tertiles(frame: pd.DataFrame, *, predictor: str, group: str, wave: str,
              outcome: str) -> pd.DataFrame:
    data = frame[[group, wave, outcome, predictor]].dropna(subset=[outcome])
    base = data.loc[data[wave] == data[wave].min()].set_index(group)[predictor].dropna()
    tertile = pd.qcut(base, 3, labels=TERTILES)
    return data.assign(tertile=data[group].map(tertile)).dropna(subset=["tertile"])


def trajectory_means(frame: pd.DataFrame, *, outcome: str, predictor: str, group: str,
                     wave: str = "wave") -> pd.DataFrame:
    """The data of :func:`mean_trajectories`: per wave and tertile of wave-1 ``predictor``,
    the mean ``outcome`` with its 95% t interval and the number of youth ``n``."""
    data = _tertiles(frame, predictor=predictor, group=group, wave=wave, outcome=outcome)
    data["tertile"] = pd.Categorical(data["tertile"].astype(str), categories=TERTILES)
    out = group_means(data, outcome, [wave, "tertile"])
    out["tertile"] = out["tertile"].astype(str)
    return out


def mean_trajectories(means: pd.DataFrame, *, outcome: str, predictor: str,
                      wave: str = "wave"):
    """Outcome over the waves as means with 95% intervals by tertile (no individual lines).

    ``means`` is :func:`trajectory_means` as the gate published it.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    colours = dict(zip(TERTILES, plt.get_cmap("viridis")(np.linspace(0, 0.9, 3)), strict=True))
    for k, t in enumerate(TERTILES):
        part = means[means["tertile"] == t].sort_values(wave)
        if part.empty:
            continue
        x = part[wave].to_numpy(float) + (k - 1) * 0.05
        y = part["mean"].to_numpy(float)
        err = np.vstack([y - part["conf_low"].to_numpy(float),
                         part["conf_high"].to_numpy(float) - y])
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, color=colours[t], label=t)
    return _finish_trajectories(fig, ax, means[wave], outcome=outcome, predictor=predictor)


def _finish_trajectories(fig, ax, waves: pd.Series, *, outcome: str, predictor: str):
    """Axes, labels and legend shared by both trajectory figures."""
    ax.set_xticks(sorted(waves.unique()))
    ax.set_xlabel("survey wave (annual)")
    ax.set_ylabel(outcome.replace("_", " "))
    ax.legend(title=f"wave-1 {predictor.replace('_', ' ')}", frameon=False, ncol=3,
              loc="upper center", bbox_to_anchor=(0.5, -0.15))
    fig.tight_layout()
    return fig


def quadrant_cells(frame: pd.DataFrame, *, care: str, control: str, bins: int = 4,
                   count_column: str = "n") -> pd.DataFrame:
    """Youth per cell of the care-control plane (:func:`~.gate.bin_counts`), the data of the
    left panel of :func:`power_quadrant_cells`."""
    from .gate import bin_counts

    data = frame.dropna(subset=[care, control])
    return bin_counts(data, control, care, bins=bins, count_column=count_column)


def quadrant_change(frame: pd.DataFrame, *, outcome: str, quadrant: str) -> pd.DataFrame:
    """Mean ``outcome`` per power quadrant with its 95% t interval and ``n``."""
    data = frame.dropna(subset=[outcome, quadrant])
    order = [q for q in QUADRANTS if q in set(data[quadrant])]
    data = data.assign(**{quadrant: pd.Categorical(data[quadrant], categories=order)})
    out = group_means(data, outcome, [quadrant])
    out[quadrant] = out[quadrant].astype(str)
    return out


def power_quadrant_cells(cells: pd.DataFrame, change: pd.DataFrame, *, quadrant: str,
                         outcome: str):
    """The care-control plane as youth per cell, and change by quadrant as means with
    intervals: the form of :func:`power_quadrant` in which no mark is one person.

    ``cells`` is :func:`quadrant_cells` and ``change`` :func:`quadrant_change`, as the gate
    published them (cells standing for too few youth dropped).
    """
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2),
                                   gridspec_kw={"width_ratios": [1.1, 1]})
    xs = list(dict.fromkeys(sorted(cells["x_bin"], key=_interval_start)))
    ys = list(dict.fromkeys(sorted(cells["y_bin"], key=_interval_start)))
    grid = np.full((len(ys), len(xs)), np.nan)
    for row in cells.itertuples(index=False):
        grid[ys.index(row.y_bin), xs.index(row.x_bin)] = float(row.n)
    image = ax1.imshow(grid, origin="lower", cmap="Blues", aspect="auto")
    fig.colorbar(image, ax=ax1, label="youth (rounded; small cells not shown)")
    ax1.set_xticks(range(len(xs)), xs, fontsize=7, rotation=30)
    ax1.set_yticks(range(len(ys)), ys, fontsize=7)
    ax1.set_xlabel("control (mean coded level)")
    ax1.set_ylabel("care (mean coded level)")
    ax1.set_title("power: care and control")
    if len(change):
        y = change["mean"].to_numpy(float)
        err = np.vstack([y - change["conf_low"].to_numpy(float),
                         change["conf_high"].to_numpy(float) - y])
        ax2.errorbar(range(len(change)), y, yerr=err, fmt="o", capsize=4, color="0.2")
        ax2.set_xticks(range(len(change)), list(change[quadrant]))
    ax2.axhline(0, color="0.4", lw=0.8)
    ax2.set_xlabel("power quadrant")
    ax2.set_ylabel(f"{outcome.replace('_', ' ')} (mean, 95% CI)")
    fig.tight_layout()
    return fig


def _interval_start(label: str) -> float:
    try:
        return float(str(label).strip("([]) ").split(",")[0])
    except ValueError:
        return np.inf


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "youthtransitions"
    return plt


def save_figure(figure, folder: str | Path, name: str) -> list[Path]:
    """Save ``figure`` as ``name.png`` and ``name.svg`` in ``folder`` and close it."""
    plt = _pyplot()
    folder = Path(folder)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    figure.savefig(png, dpi=120, bbox_inches="tight", metadata={"Software": None})
    figure.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    return [png, svg]


def trajectories(frame: pd.DataFrame, *, outcome: str, predictor: str, group: str,
                 wave: str = "wave", n_lines: int = 150, seed: int = 0):
    """Outcome over the waves: thin individual lines and means by predictor tertile.

    Tertiles are of each youth's wave-1 ``predictor`` score; means carry 95% CIs (seaborn's
    bootstrap with a fixed seed). One line per youth: for synthetic data only (the gate
    refuses the per-youth frame otherwise); :func:`mean_trajectories` is the real-data form.
    """
    import seaborn as sns

    plt = _pyplot()
    data = _tertiles(frame, predictor=predictor, group=group, wave=wave, outcome=outcome)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    rng = np.random.default_rng(seed)
    ids = data[group].unique()
    shown = rng.choice(ids, size=min(n_lines, len(ids)), replace=False)
    for _, one in data[data[group].isin(shown)].groupby(group, sort=True):
        ax.plot(one[wave], one[outcome], color="0.8", lw=0.5, zorder=1)
    sns.pointplot(data=data, x=wave, y=outcome, hue="tertile", native_scale=True,
                  errorbar=("ci", 95), seed=seed, ax=ax, dodge=0.1,
                  hue_order=["low", "middle", "high"], palette="viridis")
    return _finish_trajectories(fig, ax, data[wave], outcome=outcome, predictor=predictor)


def variance_decomposition(frame: pd.DataFrame):
    """Stacked bars of the Rights & Sterba decomposition, one panel per level.

    ``frame`` has columns ``model``, ``level`` (total, within, between), ``component``
    (f1, f2, v, m, residual ...) and ``value`` (proportions summing to 1 per model and level).
    The legend names each component by what it is (:data:`COMPONENT_LABELS`).
    """
    plt = _pyplot()
    levels = [lv for lv in ("total", "within", "between") if lv in set(frame["level"])]
    components = list(dict.fromkeys(frame["component"]))
    colours = dict(zip(components, plt.get_cmap("tab10").colors, strict=False))
    fig, axes = plt.subplots(1, len(levels), figsize=(3.2 * len(levels), 4), sharey=True,
                             squeeze=False)
    for ax, level in zip(axes[0], levels, strict=True):
        part = frame[frame["level"] == level]
        models = list(dict.fromkeys(part["model"]))
        bottom = np.zeros(len(models))
        for comp in components:
            vals = np.array([part.loc[(part["model"] == m) & (part["component"] == comp),
                                      "value"].sum() for m in models])
            if np.allclose(vals, 0):
                continue
            ax.bar(models, vals, bottom=bottom, color=colours[comp],
                   label=COMPONENT_LABELS.get(comp, comp), width=0.6)
            bottom += vals
        ax.set_title(level)
        ax.set_ylim(0, 1)
        ax.set_xlabel("model")
        ax.tick_params(axis="x", labelsize=8)
    axes[0][0].set_ylabel("proportion of outcome variance")
    handles, labels = [], []
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), frameon=False,
               bbox_to_anchor=(0.5, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def sensitivity_plot(frame: pd.DataFrame, *, x: str = "delta", estimate: str = "estimate",
                     low: str = "conf_low", high: str = "conf_high",
                     tipping_point: float | None = None, truth: float | None = None,
                     ylabel: str = "relationship-quality estimate"):
    """Estimate with its CI across a sensitivity grid, with the tipping point marked."""
    plt = _pyplot()
    data = frame.sort_values(x)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.fill_between(data[x], data[low], data[high], alpha=0.25, color="C0", label="95% CI")
    ax.plot(data[x], data[estimate], color="C0", marker="o", label="estimate")
    ax.axhline(0, color="0.4", lw=0.8)
    if truth is not None:
        ax.axhline(truth, color="C2", ls="--", label="synthetic truth")
    if tipping_point is not None and np.isfinite(tipping_point):
        ax.axvline(tipping_point, color="C3", ls=":", label=f"tipping point ({tipping_point:g})")
    ax.set_xlabel("delta (shift of imputed PMK values)")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def power_quadrant(frame: pd.DataFrame, *, care: str = "care", control: str = "control",
                   outcome: str = "change", quadrant: str = "quadrant", seed: int = 0):
    """The care–control plane of the power mechanism, coloured by outcome change."""
    plt = _pyplot()
    rng = np.random.default_rng(seed)
    data = frame.dropna(subset=[care, control, outcome]).copy()
    jitter = 0.06
    data["_care"] = data[care] + rng.uniform(-jitter, jitter, len(data))
    data["_control"] = data[control] + rng.uniform(-jitter, jitter, len(data))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2),
                                   gridspec_kw={"width_ratios": [1.1, 1]})
    points = ax1.scatter(data["_control"], data["_care"], c=data[outcome], cmap="RdYlGn",
                         edgecolor="0.3", linewidth=0.3)
    fig.colorbar(points, ax=ax1, label=outcome.replace("_", " "))
    ax1.axhline(1, color="0.5", ls=":")
    ax1.axvline(1, color="0.5", ls=":")
    ax1.set_xlabel("control (mean coded level)")
    ax1.set_ylabel("care (mean coded level)")
    ax1.set_title("power: care and control")
    if quadrant in data:
        order = [q for q in ("enabling", "protective", "trap", "absent")
                 if q in set(data[quadrant])]
        groups = [data.loc[data[quadrant] == q, outcome].to_numpy() for q in order]
        ax2.boxplot(groups, positions=range(len(order)), widths=0.6, patch_artist=True,
                    showfliers=False, boxprops={"facecolor": "0.85"},
                    medianprops={"color": "0.2"})
        ax2.set_xticks(range(len(order)), order)
        # points jittered with our own generator, so the figure is the same on every run
        xpos = data[quadrant].map({q: i for i, q in enumerate(order)}).astype(float)
        ax2.scatter(xpos + rng.uniform(-0.15, 0.15, len(data)), data[outcome], s=8,
                    color="0.2", zorder=3)
        ax2.axhline(0, color="0.4", lw=0.8)
        ax2.set_xlabel("power quadrant")
        ax2.set_ylabel(outcome.replace("_", " "))
    fig.tight_layout()
    return fig


def truth_table_plot(frame: pd.DataFrame, *, conditions: list[str], incl: str = "incl",
                     n: str = "n", incl_cut: float = 0.8):
    """Sufficiency inclusion of each observed configuration, with the inclusion cut-off.

    ``frame`` is a QCA truth table (one row per configuration: 0/1 condition columns, the
    number of cases ``n`` and the inclusion ``incl``); bars are labelled by the conditions
    present (``~`` marks absence) and annotated with n as published (``S`` when the gate
    suppressed it; rows it withheld are not in the frame).
    """
    plt = _pyplot()
    data = frame.sort_values(incl).reset_index(drop=True)
    labels = ["*".join(c if row[c] else f"~{c}" for c in conditions)
              for _, row in data.iterrows()]
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(data) + 1.4))
    colours = ["C2" if v >= incl_cut else "0.6" for v in data[incl]]
    ax.barh(range(len(data)), data[incl], color=colours)
    for i, (value, count) in enumerate(zip(data[incl], data[n], strict=True)):
        # a count the gate suppressed is labelled S, as in the table beside the figure
        label = "S" if pd.isna(count) else f"{int(count)}"
        ax.text((0 if pd.isna(value) else value) + 0.01, i, f"n = {label}", va="center",
                fontsize=7)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylabel("configuration (~ marks a mechanism absent)")
    ax.axvline(incl_cut, color="C3", ls=":", label=f"inclusion cut-off ({incl_cut:g})")
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("sufficiency inclusion (consistency) for positive change")
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
