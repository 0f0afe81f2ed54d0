"""The results of the inference functions: a labelled table behind every view.

:func:`~.anova`, :func:`~.lrt`, :func:`~.random_effects` and :func:`~.conf_int` return a
subclass of :class:`InferenceTable`. Its :meth:`~InferenceTable.to_frame` is the DataFrame the
function documents (indexed by term, model or parameter where it says so); the text, HTML and
JSON views show that index as the first column, so no view loses the labels.

The table also answers the DataFrame selections users write on such a table
(``result["F"]``, ``result.loc["wave"]``, ``result.iloc[0]``, ``result.index``,
``result.columns``, ``len(result)``, ``result.to_numpy()``); anything else is
``result.to_frame()``'s.

Each table declares its columns for the disclosure gate (``disclosure_spec``); its
``disclosure()`` is the labelled table (the index as the first column). Conditional modes are
one row per person: on real data :meth:`RandomEffectsTable.binned` is what may be published.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._disclosure import (
    DF_BASES,
    Disclosable,
    TableSpec,
    design,
    df_base_columns,
    disclosable,
    estimate,
    identifier,
    model_size,
    text,
    with_df_bases,
)
from ..._disclosure import df as df_kind
from ..._tidy import TidyResult, frame_to_records
from ...errors import UsageError

__all__ = ["AnovaTable", "ConfIntTable", "InferenceTable", "LRTTable", "RandomEffectsTable"]


class InferenceTable(TidyResult):
    """A tidy table with labelled rows and the header lines of how it was made.

    Parameters
    ----------
    frame : DataFrame
        The table :meth:`to_frame` returns (a copy each time).
    header : list of (label, value), optional
        Shown above the table in the text and HTML views.
    """

    title = "Inference"

    def __init__(self, frame: pd.DataFrame, header: list[tuple[str, Any]] | None = None):
        self._frame = frame
        self._header = list(header or [])

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self._frame.copy()

    def _summary_header(self) -> list[tuple[str, Any]]:
        return list(self._header)

    def _labelled(self) -> pd.DataFrame:
        """The table with a named index moved into the first column."""
        frame = self._frame
        return frame.reset_index() if frame.index.name is not None else frame

    def _formatted(self) -> pd.DataFrame:
        frame = self._labelled()
        return frame.apply(lambda col: col.map(self._format_cell)) if len(frame) else frame

    def to_records(self) -> list[dict[str, Any]]:
        """The table's rows as JSON-ready records, the index as the first field."""
        return frame_to_records(self._labelled())

    def disclosure(self) -> Disclosable:
        """The labelled table (index as the first column) declared by ``disclosure_spec``."""
        return disclosable(self._labelled(), self.disclosure_spec)

    # -- the DataFrame selections ------------------------------------------------------
    def __getitem__(self, key):
        return self._frame[key]

    def __len__(self) -> int:
        return len(self._frame)

    def __iter__(self):
        return iter(self._frame)  # column names, as a DataFrame iterates

    loc = property(lambda self: self._frame.loc, doc="Label-based selection of the table.")
    iloc = property(lambda self: self._frame.iloc, doc="Position-based selection.")
    index = property(lambda self: self._frame.index, doc="Row labels.")
    columns = property(lambda self: self._frame.columns, doc="Column names.")
    shape = property(lambda self: self._frame.shape, doc="(rows, columns).")
    attrs = property(lambda self: self._frame.attrs, doc="The table's ``attrs``.")

    def to_numpy(self, *args: Any, **kwargs: Any):
        """The table's values (``DataFrame.to_numpy``)."""
        return self._frame.to_numpy(*args, **kwargs)


#: the order in which a term's coefficients choose the counts its df are an offset from
_LEVEL_RANK = {"between": 0, "intercept": 0, "within": 1}


def _term_levels(fit, terms) -> list[str]:
    """The level of each formula term by its own coefficients (``classify_predictors``): a
    term with a between-group coefficient counts groups, else one with a within-group
    coefficient counts observations beyond one per group, else observations."""
    from ..r2 import classify_predictors
    from ._design import fixed_spec

    levels = classify_predictors(fit.X, fit.groups, fit.fixed_names)
    own = {str(s.term): ["(Intercept)" if c == "Intercept" else c for c in s.columns]
           for s in fixed_spec(fit).structure}
    out = []
    for t in terms:
        found = [levels[c] for c in own.get(t, []) if c in levels]
        out.append(min(found, key=lambda v: _LEVEL_RANK.get(v, 2)) if found else "mixed")
    return out


class AnovaTable(InferenceTable):
    """Type III F tests: indexed by ``term``, columns ``num_df, den_df, F, p_value``.

    Parameters
    ----------
    frame, header
        As :class:`InferenceTable`.
    fit : LMMResult, optional
        The model tested; :meth:`disclosure` needs it for the counts the denominator df are
        an offset from.
    """

    title = "Type III analysis of variance"

    def __init__(self, frame: pd.DataFrame, header: list[tuple[str, Any]] | None = None, *,
                 fit: Any = None):
        super().__init__(frame, header)
        self._fit = fit

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: ``num_df`` counts coefficients (a design
        value); ``den_df`` (Satterthwaite or Kenward-Roger) is published as the same offset
        from the published numbers of observations and groups as from the exact ones, by the
        level of the term's coefficients, as the coefficient table's ``df``
        (:meth:`~youthtransitions.models.LMMResult.disclosure_spec`), so a one-coefficient
        term reads the same df in both; F and p to three significant digits."""
        return TableSpec({"term": text(), "num_df": design(), "den_df": df_kind(*DF_BASES),
                          "F": estimate(digits=3), "p_value": estimate(digits=3),
                          **df_base_columns()}, totals="none")

    def disclosure(self) -> Disclosable:
        """The labelled table with the model sizes and each term's df bases (helper columns,
        dropped by :meth:`~youthtransitions._disclosure.Disclosable.publish`)."""
        if self._fit is None:
            raise UsageError("this anova table does not know its model, so its denominator "
                             "df cannot be tied to the published counts; use fit.anova()")
        frame = self._labelled()
        helper = with_df_bases(frame, _term_levels(self._fit, frame["term"]),
                               n_obs=self._fit.n_obs, n_groups=self._fit.n_groups)
        return disclosable(helper, self.disclosure_spec, columns=frame.columns)


class LRTTable(InferenceTable):
    """Likelihood-ratio tests: indexed by ``model``, columns ``n_params, loglik, aic, bic,
    chisq, df, p_value``."""

    title = "Likelihood-ratio tests"

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: ``n_params`` and ``df`` count parameters
        (design values); log-likelihood, AIC and BIC to four significant digits, since
        ``BIC - AIC = k (log n - 2)`` would give the number of observations exactly; the
        chi-square and p to three, as the statistics of the coefficient table."""
        return TableSpec({"model": text(), "n_params": design(), "loglik": estimate(digits=4),
                          "aic": estimate(digits=4), "bic": estimate(digits=4),
                          "chisq": estimate(digits=3), "df": design(),
                          "p_value": estimate(digits=3)}, totals="none")


class RandomEffectsTable(InferenceTable):
    """Conditional modes: columns ``group, level, term, estimate, std_error``
    (``std_error`` absent where the model gives none)."""

    title = "Conditional modes of the random effects"

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of the per-level table: ``level`` identifies a person or unit (published
        only when the output rules are off). Every row is a mark per unit, and a conditional
        SD reveals the unit's number of observations, so on real data publish
        :meth:`binned` instead."""
        kinds = {"group": text(), "level": identifier(), "term": text(),
                 "estimate": estimate(), "std_error": estimate(digits=4)}
        return TableSpec({c: kinds[c] for c in self._frame.columns}, totals="none")

    def binned(self, group: str, *, unit: str, min_count: int = 6,
               n_bins: int = 10) -> Disclosable:
        """A summary of ``group``'s conditional modes that holds no single unit's value.

        Parameters
        ----------
        group : str
            The grouping factor (a value of the ``group`` column).
        unit : str
            What its levels count (``"youth"``): the rounding unit of ``n_levels``.
        min_count : int, default 6
            Fewest levels behind a published mean (the gate's threshold).
        n_bins : int, default 10

        Returns
        -------
        Disclosable
            Columns ``group, term, n_levels, sd, bin, mean``: per term a row ``bin="all"``
            (the mean and SD of the modes) and one per bin of the sorted modes, labelled
            ``"bin i of k"``, with the bin's mean.

        Notes
        -----
        The modes of a term are sorted and cut into ``k = min(n_bins, n // min_count)``
        consecutive bins of near-equal size (as the QQ panels of
        :func:`~youthtransitions.models.inference.diagnostics_frame`), so every bin mean rests
        on at least ``min_count`` levels; the bin means are a binned normal QQ plot's
        ordinates, and their spread against the SD shows skew or heavy tails. No minimum,
        maximum or single level's value is published.
        """
        from .diagnostics import _bins

        rows = []
        sub = self._frame[self._frame["group"] == group]
        if sub.empty:
            raise UsageError(f"no random effects of the grouping factor {group!r}")
        for term, part in sub.groupby("term", sort=False):
            v = np.sort(part["estimate"].to_numpy(dtype=float))
            n = len(v)
            sd = float(v.std(ddof=1)) if n > 1 else float("nan")
            rows.append((group, term, n, sd, "all", float(v.mean())))
            bins = _bins(n, n_bins, min_count)
            rows += [(group, term, n, sd, f"bin {b + 1} of {len(bins)}", float(v[i].mean()))
                     for b, i in enumerate(bins)]
        frame = pd.DataFrame(rows, columns=["group", "term", "n_levels", "sd", "bin", "mean"])
        spec = TableSpec({"group": text(), "term": text(), "n_levels": model_size(unit),
                          "sd": estimate(rests_on="n_levels", digits=4), "bin": text(),
                          "mean": estimate(rests_on="n_levels", digits=4)}, totals="none")
        return disclosable(frame, spec)


class ConfIntTable(InferenceTable):
    """Confidence intervals: indexed by ``parameter``, columns ``conf_low, conf_high``."""

    title = "Confidence intervals"

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: interval limits to four significant digits,
        as the coefficient table's (so neither solves for exact degrees of freedom)."""
        return TableSpec({"parameter": text(), "conf_low": estimate(digits=4),
                          "conf_high": estimate(digits=4)}, totals="none")
