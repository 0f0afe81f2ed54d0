"""Joint display: per mechanism, the quantitative result beside exemplar excerpts."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, excerpt, mean_indicator, text
from .._tidy import TidyResult
from ..errors import UsageError
from ..study.codes import as_codes
from ..study.contract import MECHANISMS
from .integrate import IntegrationResult
from .quantitize import primary_coding

__all__ = ["joint_display", "JointDisplay", "JOINT_COLUMNS"]

JOINT_COLUMNS = ["mechanism", "share_active", "convergence", "convergence_reading", "change",
                 "change_reading", "confirmatory_excerpt", "counterfactual_excerpt"]


def _effect(row: pd.Series | None) -> str:
    if row is None or np.isnan(row["estimate"]):
        return "not estimable"
    return (f"{row['estimate']:+.2f} [{row['conf_low']:.2f}, {row['conf_high']:.2f}], "
            f"p_holm = {row['p_holm']:.3f}")


def _exemplar(codes: pd.DataFrame, mech: str, instance: str, *, highest: bool) -> str:
    sub = codes[(codes["mechanism"] == mech) & (codes["instance"] == instance)
                & codes["excerpt"].notna()]
    if sub.empty:
        return ""
    sub = sub.sort_values(["level", "segment_id"], ascending=[not highest, True],
                          kind="stable")
    return str(sub["excerpt"].iloc[0])


@dataclass
class JointDisplay(TidyResult):
    """Joint display table; ``to_markdown()``, ``to_html()`` and ``figure()`` derive from it."""

    table: pd.DataFrame
    integration: IntegrationResult

    title = "Joint display: mechanisms, survey evidence and excerpts"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: the share of the coded youth with each mechanism active
        (recomputed from the published counts), readings as words, and verbatim excerpts
        (shown as their mechanism unless the run publishes excerpts)."""
        return TableSpec({"mechanism": text(),
                          "share_active": mean_indicator(population=len(self.integration.data),
                                                         unit="youth"),
                          "convergence": text(), "convergence_reading": text(),
                          "change": text(), "change_reading": text(),
                          "confirmatory_excerpt": excerpt(code="mechanism"),
                          "counterfactual_excerpt": excerpt(code="mechanism")}, totals="none")

    def to_markdown(self) -> str:
        """A Markdown table (pipes in cells escaped)."""
        cols = list(self.table.columns)
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for row in self.table.itertuples(index=False):
            cells = [self._format_cell(v).replace("|", "\\|").replace("\n", " ") for v in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_html(self) -> str:
        """A standalone HTML table (cells escaped)."""
        return f"<h3>{html.escape(self.title)}</h3>\n" + self._formatted().to_html(
            index=False, escape=True, border=0)

    def figure(self):
        """Heatmap of signed evidence, sign(estimate) * -log10(p_holm), per mechanism.

        Returns a :class:`matplotlib.figure.Figure` (no pyplot state is touched).
        """
        import seaborn as sns
        from matplotlib.figure import Figure

        fams = {"convergence": "convergence\n(rq higher)", "mechanism_change":
                "wellbeing change"}
        values = np.full((len(MECHANISMS), len(fams)), np.nan)
        notes = np.full(values.shape, "", dtype=object)
        for i, mech in enumerate(MECHANISMS):
            for j, fam in enumerate(fams):
                row = self.integration.row(fam, mech)
                if row is not None and not np.isnan(row["estimate"]):
                    values[i, j] = np.sign(row["estimate"]) * -np.log10(
                        max(row["p_holm"], 1e-6))
                    notes[i, j] = f"{row['estimate']:+.2f}\n{row['reading']}"
        fig = Figure(figsize=(5.5, 4.2))
        ax = fig.add_subplot()
        with warnings.catch_warnings():  # seaborn 0.13 calls a soon-deprecated colormap API
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            sns.heatmap(pd.DataFrame(values, index=list(MECHANISMS),
                                     columns=list(fams.values())),
                        annot=notes, fmt="", cmap="RdBu", center=0, vmin=-3, vmax=3, ax=ax,
                        cbar_kws={"label": "sign x -log10(Holm p)"})
        ax.set_title("Mechanisms: survey evidence")
        fig.tight_layout()
        return fig


def joint_display(study: Any, integration: IntegrationResult) -> JointDisplay:
    """Per mechanism: share active, convergence and change results, and exemplar excerpts.

    Parameters
    ----------
    study : Study
        The study whose codes supply the excerpts.
    integration : IntegrationResult
        Output of :func:`integrate` on the same study.

    Returns
    -------
    JointDisplay
        ``to_frame()`` columns :data:`JOINT_COLUMNS` (one row per mechanism, then the power
        trap and synergy rows); ``to_markdown()``, ``to_html()``, ``figure()``.

    Notes
    -----
    Exemplars are the primary coder's excerpts: for the confirmatory column the highest
    level, for the counterfactual column the lowest (for the power trap: control at the
    highest level), ties broken by segment_id, so the
    display is reproducible. Excerpts from real interviews are sensitive; apply the
    project's output rules before sharing (``youthtransitions.report``).

    Examples
    --------
    >>> import youthtransitions as yt
    >>> study = yt.load_study(yt.SHIPPED_STUDY)
    >>> display = joint_display(study, yt.integrate(study, seed=1, n_perm=200, B=50))
    >>> display.to_markdown().splitlines()[0][:26]
    '| mechanism | share_active'
    """
    if not isinstance(integration, IntegrationResult):
        raise UsageError("joint_display needs the IntegrationResult of integrate(study)")
    codes = primary_coding(as_codes(study))
    data = integration.data
    rows = []
    for mech in MECHANISMS:
        conv, change = integration.row("convergence", mech), integration.row("mechanism_change",
                                                                              mech)
        rows.append({"mechanism": mech, "share_active": float(data[f"{mech}_active"].mean()),
                     "convergence": _effect(conv),
                     "convergence_reading": conv["reading"] if conv is not None else "",
                     "change": _effect(change),
                     "change_reading": change["reading"] if change is not None else "",
                     "confirmatory_excerpt": _exemplar(codes, mech, "confirmatory",
                                                       highest=True),
                     "counterfactual_excerpt": _exemplar(codes, mech, "counterfactual",
                                                         highest=False)})
    for fam, label, share in [("power_trap", "power trap", "power_trap"),
                              ("synergy", "all four (synergy)", "all_active")]:
        row = integration.row(fam)
        trap = codes[(codes["mechanism"] == "power") & (codes["dimension"] == "control")]
        rows.append({"mechanism": label, "share_active": float(data[share].mean()),
                     "convergence": "", "convergence_reading": "",
                     "change": _effect(row), "change_reading": row["reading"] if row is not None
                     else "",
                     "confirmatory_excerpt": "",
                     "counterfactual_excerpt": _exemplar(trap, "power", "counterfactual",
                                                         highest=True)
                     if fam == "power_trap" else ""})
    return JointDisplay(table=pd.DataFrame(rows, columns=JOINT_COLUMNS),
                        integration=integration)
