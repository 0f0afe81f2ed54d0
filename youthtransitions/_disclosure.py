"""What each number of a published table is: its kind, its unit and what it rests on.

The vocabulary sits at the base so that every result, in any layer, can declare its tidy table
(``disclosure_spec``) for the disclosure gate (:mod:`youthtransitions.report.gate`), which
applies the rules. The gate never guesses from column names. A result declares every column (or JSON key) of its
tidy table as one :class:`Column`, and a :class:`TableSpec` collects them with the table-level
choices (which margins are published, the threshold of units a model must rest on). The kinds:

``count``
    People or records (``unit``: youth, observation, pmk, segment, case, ...). Suppressed from
    1 to ``threshold - 1``, otherwise consistently rounded to base 3.
``denominator``
    A count that is the base of shares (a total); ruled like a count but not an interior cell
    of secondary suppression.
``share``, ``mean_indicator``
    A ratio of counts (a mean of a 0/1 variable is one): recomputed from the published
    numerator and denominator, or suppressed with them.
``model_size``
    Numbers of observations or groups of a model: rounded like counts; a row resting on fewer
    than ``min_units`` is withheld.
``df``
    Degrees of freedom that are a fixed offset from counts (``offset_of``): published as the
    same offset from the published counts.
``design``
    Design parameters (draws, permutations, items, imputations, coders): published exactly, in
    JSON under ``settings``.
``estimate``
    Coefficients, R², intervals: published (optionally to ``digits`` significant digits).
``identifier``
    Youth or case identifiers: published only when the output rules are off.
``excerpt``
    Verbatim text: published only with an explicit per-run opt-in, capped in length; otherwise
    replaced by the segment's code and id (``code`` and ``segment`` columns).
``text``
    Labels and other words: published as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from ._options import check_choice, check_count
from .errors import UsageError

__all__ = ["Kind", "Totals", "Column", "TableSpec", "COUNT_KINDS", "RATIO_KINDS", "count",
           "denominator", "share", "mean_indicator", "model_size", "df", "design", "estimate",
           "identifier", "excerpt", "text", "Disclosable", "disclosable", "split_rows", "coef_columns",
           "with_df_bases", "df_base_columns", "DF_BASES"]

Kind = Literal["count", "denominator", "share", "mean_indicator", "model_size", "df", "design",
               "estimate", "identifier", "excerpt", "text"]
#: which sums of a table's interior counts are published or derivable
Totals = Literal["both", "rows", "columns", "none"]

#: kinds whose values are numbers of people or records, rounded by the consistent rule
COUNT_KINDS = ("count", "denominator", "model_size")
#: kinds recomputed from a published numerator and denominator
RATIO_KINDS = ("share", "mean_indicator")


@dataclass(frozen=True)
class Column:
    """The declaration of one column (or JSON key) of a published table.

    Parameters
    ----------
    kind : Kind
        What the numbers are (see the module docstring).
    unit : str, optional
        What a count counts (``"youth"``, ``"observation"``, ...). Required for counts,
        denominators and model sizes; part of the rounding key, so one count of one unit is
        published as one value everywhere.
    numerator, denominator : str, optional
        For shares: the count columns the share is the ratio of. ``numerator`` may be left out
        of a ``mean_indicator`` (it is the mean times the exact denominator).
    population : int, optional
        For shares of a fixed population that is not a column: the exact denominator (ruled as
        a count of the numerator's unit).
    scale : float, default 1
        1 for proportions, 100 for percentages.
    offset_of : tuple of (column, sign), optional
        For degrees of freedom: the counts they are an offset from, e.g.
        ``(("n_obs", 1), ("n_groups", -1))`` for within df ``n_obs - n_groups - k``.
    rests_on : str, optional
        A count or model-size column this value rests on: withheld wherever that one is.
    digits : int, optional
        For estimates: significant digits published (none: as computed).
    code, segment : str, optional
        For excerpts: the columns holding the segment's code and id shown in its place.
    """

    kind: Kind
    unit: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    population: int | None = None
    scale: float = 1.0
    offset_of: tuple[tuple[str, int], ...] = ()
    rests_on: str | None = None
    digits: int | None = None
    code: str | None = None
    segment: str | None = None

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, Kind)
        if self.kind in COUNT_KINDS and not self.unit:
            raise UsageError(f"a {self.kind} column needs a unit (youth, observation, ...)")
        if self.kind in RATIO_KINDS:
            if self.denominator is None and self.population is None:
                raise UsageError(f"a {self.kind} column needs a denominator column or a "
                                 "population")
            if self.kind == "share" and self.numerator is None:
                raise UsageError("a share column needs its numerator count column")
            if self.population is not None:
                check_count("population", self.population, minimum=0)
                if not self.unit:
                    raise UsageError("a share of a fixed population needs the unit it counts")
        if self.kind == "df" and not self.offset_of:
            raise UsageError("a df column needs offset_of: the counts it is an offset from "
                             "(degrees of freedom tied to no count are not published)")
        if self.digits is not None:
            check_count("digits", self.digits, minimum=1)

    def references(self) -> list[str]:
        """Columns this declaration refers to."""
        refs = [self.numerator, self.denominator, self.rests_on, self.code, self.segment]
        refs += [c for c, _ in self.offset_of]
        return [r for r in refs if r is not None]

    def renamed(self, mapping: Mapping[str, str]) -> Column:
        """The same declaration with its references renamed through ``mapping``."""
        def ren(name):
            return None if name is None else mapping.get(name, name)
        return replace(self, numerator=ren(self.numerator), denominator=ren(self.denominator),
                       rests_on=ren(self.rests_on), code=ren(self.code),
                       segment=ren(self.segment),
                       offset_of=tuple((ren(c), s) for c, s in self.offset_of))


def count(unit: str) -> Column:
    """A count of ``unit`` (people or records)."""
    return Column("count", unit=unit)


def denominator(unit: str) -> Column:
    """A count of ``unit`` that is the base of shares."""
    return Column("denominator", unit=unit)


def share(numerator: str | None = None, denominator: str | None = None, *,
          population: int | None = None, unit: str | None = None, scale: float = 1.0,
          kind: Literal["share", "mean_indicator"] = "share") -> Column:
    """A share ``numerator / denominator`` (times ``scale``) of counts."""
    return Column(kind, numerator=numerator, denominator=denominator, population=population,
                  unit=unit, scale=scale)


def mean_indicator(denominator: str | None = None, *, numerator: str | None = None,
                   population: int | None = None, unit: str | None = None) -> Column:
    """The mean of a 0/1 variable over the ``denominator`` count (a share)."""
    return share(numerator, denominator, population=population, unit=unit,
                 kind="mean_indicator")


def model_size(unit: str) -> Column:
    """A model's number of observations (``unit="observation"``) or groups (``"youth"``)."""
    return Column("model_size", unit=unit)


def df(*offset_of: str | tuple[str, int]) -> Column:
    """Degrees of freedom that are a fixed offset from the named count columns.

    ``df("n_obs")`` is ``n_obs - k``; ``df("n_obs", ("n_groups", -1))`` is
    ``n_obs - n_groups - k``.
    """
    terms = tuple((t, 1) if isinstance(t, str) else (t[0], int(t[1])) for t in offset_of)
    return Column("df", offset_of=terms)


def design() -> Column:
    """A design parameter (draws, permutations, items, imputations, coders)."""
    return Column("design")


def estimate(*, rests_on: str | None = None, digits: int | None = None) -> Column:
    """An estimate (coefficient, R², interval bound, p-value)."""
    return Column("estimate", rests_on=rests_on, digits=digits)


def identifier() -> Column:
    """An identifier of a person or case."""
    return Column("identifier")


def excerpt(*, code: str | None = None, segment: str | None = None) -> Column:
    """Verbatim text of a coded segment, with the columns shown in its place."""
    return Column("excerpt", code=code, segment=segment)


def text(*, rests_on: str | None = None) -> Column:
    """A label or other words."""
    return Column("text", rests_on=rests_on)


@dataclass(frozen=True)
class TableSpec:
    """The declaration of a whole table: every column's kind and the table's margins.

    Parameters
    ----------
    columns : mapping of column name to :class:`Column`
        Every column of the table (a column left out is an error, so nothing passes the gate
        undeclared). In JSON, keys are dotted paths and a declared path covers its subtree; a
        value may be a nested :class:`TableSpec` for a list of records.
    totals : {"both", "rows", "columns", "none"}, default "both"
        Which sums of the interior count cells are published or derivable (secondary
        suppression, :func:`~youthtransitions.report.output_rules.secondary_suppression`).
    by : tuple of column names
        Columns splitting the table into independent sub-tables (each with its own margins).
    total_rows : tuple of index labels
        Rows that are themselves totals (ruled, but not interior cells).
    min_units : int, optional
        A row whose model size (or df) is below this is withheld; ``None`` takes the gate's.
    """

    columns: Mapping[str, Column | TableSpec]
    totals: Totals = "both"
    by: tuple[str, ...] = ()
    total_rows: tuple = ()
    min_units: int | None = None

    def __post_init__(self) -> None:
        check_choice("totals", self.totals, Totals)
        if self.min_units is not None:
            check_count("min_units", self.min_units, minimum=1)
        object.__setattr__(self, "by", tuple([self.by] if isinstance(self.by, str)
                                             else self.by))
        object.__setattr__(self, "total_rows", tuple(self.total_rows))
        for name, col in self.columns.items():
            if not isinstance(col, (Column, TableSpec)):
                raise UsageError(f"column {name!r}: declare it with a Column, got "
                                 f"{type(col).__name__}")
        for name, col in self.columns.items():
            if isinstance(col, TableSpec):
                continue
            for ref in col.references():
                if self.resolve(name, ref) is None:
                    raise UsageError(f"column {name!r} refers to {ref!r}, which the table "
                                     "does not declare")

    def resolve(self, name: str, ref: str) -> str | None:
        """The declared column ``ref`` names from column ``name``: a sibling in the same
        record of a JSON object first, then a column of that name (None if neither)."""
        parent = name.rpartition(".")[0]
        for candidate in ((f"{parent}.{ref}" if parent else ref), ref):
            if candidate in self.columns:
                return candidate
        return None

    def of_kind(self, *kinds: str) -> list[str]:
        """Names of the columns of the given kinds, in declaration order."""
        return [n for n, c in self.columns.items() if isinstance(c, Column) and c.kind in kinds]


def split_rows(frame, rows, columns, suffix: str):
    """``frame`` with the values of ``columns`` in ``rows`` (a boolean mask) moved to new
    columns ``<column><suffix>``: one column may then hold two kinds or units, declared apart.

    :meth:`Disclosable.publish` moves them back after the gate.
    """
    import numpy as np

    out = frame.copy()
    mask = np.asarray(rows, dtype=bool)
    for c in columns:
        moved = out[c].astype(float if out[c].dtype.kind in "biuf" else object)
        out[f"{c}{suffix}"] = moved.where(mask)
        out[c] = moved.where(~mask)
    return out


@dataclass(frozen=True)
class Disclosable:
    """A table ready for the gate: the frame to gate, its spec, and how to publish it.

    Most results gate their ``to_frame()`` as it is. Where one column holds numbers of two
    kinds or units row by row (means of 0/1 and of continuous covariates; youth and
    youth-wave counts), or degrees of freedom are an offset from counts the table does not
    show, ``frame`` carries helper columns the gate needs, and :meth:`publish` folds them
    back into the published ``columns``.

    Attributes
    ----------
    frame : pandas.DataFrame
        What the gate receives (every column declared in ``spec``).
    spec : TableSpec
    columns : tuple of str
        The published table's columns, in order (the result's ``to_frame()`` columns).
    merge : tuple of (helper, column)
        Helper columns whose published values fill ``column`` where it is empty (the rows
        :func:`split_rows` moved).
    """

    frame: Any
    spec: TableSpec
    columns: tuple[str, ...]
    merge: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        undeclared = [str(c) for c in self.frame.columns if c not in self.spec.columns]
        if undeclared:
            raise UsageError(f"column(s) {', '.join(undeclared)} have no declared kind")
        absent = [c for c in self.columns if c not in self.frame.columns]
        if absent:
            raise UsageError(f"published column(s) {', '.join(absent)} not in the frame")

    def publish(self, gated: Any) -> Any:
        """The gated table (a :class:`~youthtransitions.report.gate.GatedTable`) cut to the
        published ``columns``, helper columns folded back (values and flags)."""
        frame, flags = gated.frame.copy(), gated.flags.copy()
        for helper, column in self.merge:
            fill = self.frame[helper].notna().to_numpy()
            frame[column] = frame[column].mask(fill, frame[helper])
            flags[column] = flags[column].mask(fill, flags[helper])
        cols = list(self.columns)
        return replace(gated, frame=frame[cols], flags=flags[cols])


def disclosable(frame, spec: TableSpec, *, merge=(), columns=None) -> Disclosable:
    """A :class:`Disclosable` of ``frame``; ``columns`` default: the frame's without the
    helper columns named in ``merge``."""
    helpers = {h for h, _ in merge}
    cols = tuple(columns) if columns is not None else tuple(
        c for c in frame.columns if c not in helpers)
    return Disclosable(frame, spec, cols, tuple(merge))


def coef_columns(df_column: Column) -> dict[str, Column]:
    """Declarations of the coefficient-table columns (``COEF_COLUMNS``) with ``df_column``
    for ``df``: statistics and p-values to three significant digits, interval limits to
    four, so neither solves for exact degrees of freedom (docs/output-rules.md, rule 5)."""
    return {"term": text(), "estimate": estimate(), "std_error": estimate(digits=4),
            "df": df_column, "statistic": estimate(digits=3), "p_value": estimate(digits=3),
            "conf_low": estimate(digits=4), "conf_high": estimate(digits=4)}


#: helper columns of :func:`with_df_bases` (the counts each row's df is an offset from)
DF_BASES = ("df_obs", "df_groups")


def with_df_bases(frame, levels, *, n_obs: int, n_groups: int):
    """``frame`` with the model sizes ``n_obs``, ``n_groups`` and, per row, the counts its
    degrees of freedom are an offset from, by the level of the row's term (``levels``):
    ``"between"`` or ``"intercept"``: the groups (df about ``n_groups - k``); ``"within"``:
    the observations beyond one per group (``n_obs - n_groups - k``); otherwise the
    observations (``n_obs - k``). Declare ``df`` as ``df(*DF_BASES)`` (:func:`df_base_columns`).
    """
    levels = list(levels)
    groups = [n_groups if lv in ("between", "intercept") else 0 for lv in levels]
    obs = [0 if lv in ("between", "intercept") else
           n_obs - n_groups if lv == "within" else n_obs for lv in levels]
    return frame.assign(n_obs=n_obs, n_groups=n_groups, df_obs=obs, df_groups=groups)


def df_base_columns(group_unit: str = "youth") -> dict[str, Column]:
    """Declarations of the columns :func:`with_df_bases` adds."""
    return {"n_obs": model_size("observation"), "n_groups": model_size(group_unit),
            "df_obs": count("observation"), "df_groups": count(group_unit)}
