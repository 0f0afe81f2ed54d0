"""APA-style tables: one tidy frame rendered as CSV, Markdown and HTML.

Number style (APA Publication Manual, 7th ed., sections 6.36 and 7.21):

- counts as whole numbers with a thousands separator (``1,366``);
- values that cannot exceed 1 in absolute value (p, r, alpha, omega, R², proportions)
  without a leading zero (``.86``, ``-.23``);
- p values to three decimals, below .001 as ``< .001``;
- other statistics to two decimals (``17.49``), percentages to one (``37.1``);
- whole numbers that are codes or labels (a truth-table row, a crisp membership) without
  decimals (``4``, ``1``), yes/no for logical cells;
- an empty cell as an em dash; a count suppressed by the output rules as ``S``, a value
  withheld by them (a model resting on too few people, an identifier) as ``withheld``.

Headers (APA 7.12): every column name the package's tables use has one display label in
:data:`COLUMN_LABELS` (``std_error`` -> *SE*, ``p_holm`` -> *p* (Holm)); a name not listed is
shown in words (underscores as spaces). An interval's two columns (``conf_low`` and
``conf_high``, :data:`INTERVALS`) are shown as one ``[lower, upper]`` column. The Markdown and
HTML views rewrite a p value written into a text cell in snake case (``p_holm = 0.000``) the
same way (*p* (Holm) < .001); the CSV keeps every name and value as computed.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._atomic import atomic_write_text
from .._options import check_choice
from .._tidy import TidyResult
from ..errors import UsageError
from .output_rules import SUPPRESSED

__all__ = ["format_apa", "infer_kind", "ApaTable", "apa_table", "EMPTY", "WITHHELD",
           "COLUMN_LABELS", "INTERVALS", "column_label", "spec_formats"]

Kind = Literal["count", "percent", "p", "bounded", "df", "integer", "number", "text"]
#: file formats an APA table is written in
Format = Literal["csv", "md", "html"]
KINDS = ("count", "percent", "p", "bounded", "df", "integer", "number", "text")

#: shown for an empty (missing, not applicable) cell
EMPTY = "\u2014"
#: shown for a cell the output rules withheld
WITHHELD = "withheld"
#: suffixes of the boolean flag columns apa_table reads (suppressed, withheld cells)
_FLAGS = ("_suppressed", "_withheld")

_P = re.compile(r"^(p|pvalue|p\.value|pr\(>\|t\|\)|p_[a-z0-9]+)$", re.I)
_COUNT = re.compile(r"^(n|count|n_[a-z_]+|[a-z_]+_n|frequency|freq)$", re.I)
_PERCENT = re.compile(r"^(percent|pct|%|percentage|[a-z_]+_pct|[a-z_]+_percent)$", re.I)
_BOUNDED = re.compile(
    r"^(r|rho|r2|r_squared|r²|alpha|alpha_low|alpha_high|omega|icc|kappa|proportion|share|"
    r"correlation|cronbach_alpha|r2_[a-z0-9_.]+|[a-z_]+_r2|[a-z_]+\.(f1|f2|v|m)|prop|"
    r"proportion_[a-z_]+|share_[a-z_]+|[a-z_]*kappa|incl|pri|ron|cov|cov_raw|cov_unique)$",
    re.I)

#: display label of every column name the package's published tables use (APA 7.12: symbols
#: for statistics, words in sentence case); :func:`column_label` falls back to words
COLUMN_LABELS: dict[str, str] = {
    # coefficient tables (COEF_COLUMNS) and models
    "term": "Term", "estimate": "Estimate", "std_error": "SE", "df": "df",
    "num_df": "df1", "den_df": "df2", "statistic": "Statistic", "p_value": "p",
    "odds_ratio": "OR", "estimator": "Estimator", "model": "Model", "method": "Method",
    "estimand": "Estimand", "n_obs": "Observations", "n_groups": "Groups",
    "r2": "R²", "delta": "δ", "truth_slope": "True slope", "truth_r2": "True R²",
    "covers_truth": "CI covers truth",
    # p values
    "p": "p", "p_perm": "p (permutation)", "p_holm": "p (Holm)", "p_adj": "p (adjusted)",
    "p_adjusted": "p (adjusted)",
    # counts and shares
    "n": "n", "count": "n", "n_total": "n total", "n_complete": "n complete",
    "n_with": "n with", "n_without": "n without", "n_units": "n units",
    "n_boot": "Bootstrap draws", "n_missing": "n missing", "n_items": "Items",
    "share": "Proportion", "share_lost": "Proportion lost", "share_active": "Proportion active",
    "percent": "%", "mean": "M", "sd": "SD", "mean_with": "M with",
    "mean_without": "M without", "smd": "SMD",
    # descriptions, PMK availability and reliability
    "covariate": "Covariate", "analysis": "Analysis", "waves": "Waves", "pmk": "PMK",
    "comparison": "Comparison", "mechanism": "Mechanism", "dimension": "Dimension",
    "scale": "Scale", "measure": "Measure", "status": "Status", "wave": "Wave",
    "alpha": "α", "omega": "ω",
    # integration and joint display
    "family": "Family", "hypothesis": "Hypothesis", "reading": "Reading",
    "convergence": "Convergence", "convergence_reading": "Convergence reading",
    "change": "Change", "change_reading": "Change reading",
    "confirmatory_excerpt": "Confirmatory excerpt",
    "counterfactual_excerpt": "Counterfactual excerpt",
    # QCA
    "row": "Row", "out": "Outcome", "incl": "Inclusion", "pri": "PRI", "solution": "Solution",
    "cov_raw": "Raw coverage", "cov_unique": "Unique coverage",
    # replication
    "figure": "Figure", "reported": "Reported", "reproduced": "Reproduced",
    "tolerance": "Tolerance",
}

#: interval column pairs shown as one ``[lower, upper]`` column under this header (the
#: package's intervals are 95% unless a result says otherwise; give ``labels={lower: ...}``
#: for another level)
INTERVALS: dict[tuple[str, str], str] = {
    ("conf_low", "conf_high"): "95% CI", ("r2_low", "r2_high"): "R² 95% CI",
    ("or_low", "or_high"): "OR 95% CI", ("alpha_low", "alpha_high"): "α 95% CI",
}


def column_label(name: Any) -> str:
    """Header text of a column: its :data:`COLUMN_LABELS` entry, otherwise its name in words
    (``share_active`` -> ``Proportion active``; ``wellbeing_change`` -> ``Wellbeing change``).

    Examples
    --------
    >>> column_label("std_error"), column_label("p_holm"), column_label("power_trap")
    ('SE', 'p (Holm)', 'Power trap')
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    words = re.sub(r"[_.]+", " ", text).strip()
    return words[:1].upper() + words[1:] if words else text


#: APA number kind of each disclosure-gate column kind that fixes it (others: by name)
_SPEC_KINDS = {"count": "count", "denominator": "count", "model_size": "count",
               "design": "count", "df": "df"}


def spec_formats(spec: Any, frame: pd.DataFrame) -> dict[str, Kind]:
    """APA number kinds of ``frame``'s columns from their disclosure-gate declarations
    (:class:`~youthtransitions._disclosure.TableSpec`): counts, model sizes and design
    numbers as whole numbers, degrees of freedom as df, shares as proportions (or percent
    for ``scale=100``). Estimates and words are left to :func:`infer_kind`."""
    out: dict[str, Kind] = {}
    for name, column in getattr(spec, "columns", {}).items():
        if name not in frame.columns:
            continue
        if column.kind in _SPEC_KINDS:
            out[name] = _SPEC_KINDS[column.kind]
        elif column.kind in ("share", "mean_indicator"):
            out[name] = "percent" if float(column.scale) == 100 else "bounded"
    return out


def infer_kind(name: Any) -> Kind:
    """APA number kind from a column or statistic name (``p_value`` -> ``"p"``, ...)."""
    text = str(name).strip()
    if _P.match(text):
        return "p"
    if text.lower() == "df":
        return "df"
    if _PERCENT.match(text):
        return "percent"
    if _COUNT.match(text):
        return "count"
    if _BOUNDED.match(text):
        return "bounded"
    return "number"


def _no_leading_zero(text: str) -> str:
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def format_apa(value: Any, kind: Kind = "number", *, digits: int | None = None,
               suppressed: bool = False) -> str:
    """Format one value APA-style.

    Parameters
    ----------
    value : number, str or None
        Strings are returned unchanged; NaN/None become an em dash.
    kind : {"count", "percent", "p", "bounded", "df", "integer", "number", "text"}
        See the module docstring; ``integer`` is a whole number shown without decimals or
        separators (a code or label).
    digits : int, optional
        Decimals (defaults: p 3, bounded 2, percent 1, number 2, df 1 unless whole).
    suppressed : bool
        Show the output-rules marker ``S`` instead of the value.

    Examples
    --------
    >>> format_apa(0.0004, "p"), format_apa(0.0312, "p"), format_apa(0.856, "bounded")
    ('< .001', '.031', '.86')
    >>> format_apa(1366, "count"), format_apa(17.4912, "number"), format_apa(-0.234, "bounded")
    ('1,366', '17.49', '-.23')
    """
    text = _format_apa(value, kind, digits=digits, suppressed=suppressed)
    if re.fullmatch(r"-[0.,]*0[0.,]*", text):
        return text[1:]  # a negative value that rounds to zero is shown as zero
    return text


def _format_apa(value: Any, kind: Kind = "number", *, digits: int | None = None,
                suppressed: bool = False) -> str:
    """See :func:`format_apa`."""
    if kind not in KINDS:
        raise UsageError(f"unknown number kind {kind!r}; use one of {', '.join(KINDS)}")
    if suppressed:
        return SUPPRESSED
    if value is None or value is pd.NA or (isinstance(value, str) and kind != "text"
                                           and value == ""):
        return EMPTY
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, str) or kind == "text":
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return EMPTY
    if math.isinf(x):
        return "\u221e" if x > 0 else "-\u221e"
    if kind == "count":
        return f"{x:,.0f}" if x == round(x) else f"{x:,.{2 if digits is None else digits}f}"
    if kind == "percent":
        return f"{x:.{1 if digits is None else digits}f}"
    if kind == "p":
        d = 3 if digits is None else digits
        if x < 10 ** -d:
            return "< " + _no_leading_zero(f"{10 ** -d:.{d}f}")
        return _no_leading_zero(f"{x:.{d}f}")
    if kind == "bounded":
        return _no_leading_zero(f"{x:.{2 if digits is None else digits}f}")
    if kind == "integer":
        return f"{x:.0f}" if x == round(x) else f"{x:.{2 if digits is None else digits}f}"
    if kind == "df":
        if digits is None and x == round(x):
            return f"{x:.0f}"
        return f"{x:.{1 if digits is None else digits}f}"
    return f"{x:.{2 if digits is None else digits}f}"


#: header texts that are statistical symbols (italic in APA tables)
_SYMBOLS = {"n", "N", "M", "SD", "SE", "p", "t", "F", "r", "df", "df1", "df2", "d", "b", "z",
            "R²", "α", "ω", "δ"}


class ApaTable(TidyResult):
    """A table ready for publication, rendered APA-style as CSV, Markdown or HTML.

    Build it with :func:`apa_table`. :meth:`to_frame` is the raw table (numbers unformatted,
    suppression flags dropped); every rendering derives from it.
    """

    def __init__(self, frame: pd.DataFrame, *, title: str = "", number: int | None = None,
                 note: str | None = None, kinds: pd.DataFrame, suppressed: pd.DataFrame,
                 digits: Mapping[str, int], labels: Mapping[str, str],
                 withheld: pd.DataFrame | None = None, artefact: str | None = None):
        self._frame = frame
        self.title = title or "Table"
        self.number = number
        self.note = note
        self._kinds = kinds
        self._suppressed = suppressed
        self._withheld = (withheld if withheld is not None
                          else pd.DataFrame(False, index=frame.index, columns=frame.columns))
        #: name of the disclosure-gate record the table's values passed (None: not gated)
        self.artefact = artefact
        self._digits = dict(digits)
        #: header text of each column (given, else :func:`column_label`)
        self.labels = {c: str(labels[c]) if c in labels else column_label(c)
                       for c in frame.columns}
        #: interval pairs shown as one column: lower -> (upper, header)
        self._intervals = {lo: (hi, str(labels.get(lo, head)))
                           for (lo, hi), head in INTERVALS.items()
                           if lo in frame.columns and hi in frame.columns}

    def to_frame(self) -> pd.DataFrame:
        return self._frame.copy()

    def formatted(self) -> pd.DataFrame:
        """The table as APA-formatted strings (suppressed counts shown as ``S``, withheld
        values as ``withheld``)."""
        out = {}
        for c in self._frame.columns:
            col, kinds, sup = self._frame[c], self._kinds[c], self._suppressed[c]
            out[c] = [WITHHELD if w else self._cell(v, k, c, bool(s))
                      for v, k, s, w in zip(col, kinds, sup, self._withheld[c], strict=True)]
        return pd.DataFrame(out, columns=self._frame.columns, index=self._frame.index)

    def _cell(self, value: Any, kind: Kind, column: str, suppressed: bool) -> str:
        text = format_apa(value, kind, digits=self._digits.get(column), suppressed=suppressed)
        return _inline_p(text) if kind == "text" else text

    def display(self) -> pd.DataFrame:
        """The table as shown in Markdown and HTML: :meth:`formatted` cells under their
        header labels, each interval's two columns joined as ``[lower, upper]`` (a
        suppressed or withheld limit shows its mark)."""
        cells = self.formatted()
        shown = self._shown()
        out = pd.DataFrame({i: cells[src[0]].tolist() if len(src) == 1 else
                            [_interval(lo, hi) for lo, hi in
                             zip(cells[src[0]], cells[src[1]], strict=True)]
                            for i, (_, src) in enumerate(shown)}, index=cells.index)
        out.columns = [header for header, _ in shown]
        return out

    def _shown(self) -> list[tuple[str, tuple[str, ...]]]:
        """(header, source columns) of each shown column, in the frame's order."""
        uppers = {hi for hi, _ in self._intervals.values()}
        shown = []
        for c in self._frame.columns:
            if c in self._intervals:
                hi, head = self._intervals[c]
                shown.append((head, (c, hi)))
            elif c not in uppers:
                shown.append((self.labels[c], (c,)))
        return shown

    def _formatted(self) -> pd.DataFrame:  # TidyResult text/HTML views use APA formatting
        return self.formatted()

    def _repr_html_(self) -> str:
        return self.to_html()

    def _caption(self) -> str:
        return f"Table {self.number}" if self.number is not None else ""

    def to_csv(self, path: str | os.PathLike | None = None, *, formatted: bool = False) -> str:
        """CSV text (written atomically to ``path`` when given).

        Raw numbers by default, with suppressed cells written as ``S``; ``formatted=True``
        writes the APA-formatted strings instead.
        """
        if formatted:
            frame = self.formatted()
        else:
            frame = self._frame.astype(object).where(~self._suppressed.to_numpy(), SUPPRESSED)
            frame = frame.where(~self._withheld.to_numpy(), WITHHELD)
        text = frame.to_csv(index=False, lineterminator="\n")
        if path is not None:
            atomic_write_text(path, text)
        return text

    def to_markdown(self) -> str:
        """Markdown (pipe table) with the table number in bold, the title in italics and the
        note below, as APA lays them out."""
        cells = self.display()
        shown = self._shown()
        head = [_emphasise(h, "*{}*") for h, _ in shown]
        numeric = [self._is_numeric(src[0]) for _, src in shown]
        lines = []
        if self._caption():
            lines += [f"**{self._caption()}**", ""]
        lines += [f"*{self.title}*", ""]
        lines.append("| " + " | ".join(_md_escape(h) for h in head) + " |")
        lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
        for row in cells.itertuples(index=False, name=None):
            lines.append("| " + " | ".join(_md_escape(v) for v in row) + " |")
        if self.note:
            lines += ["", f"*Note.* {self.note}"]
        return "\n".join(lines) + "\n"

    def to_html(self, *, standalone: bool = False) -> str:
        """An HTML ``<table class="apa-table">`` with caption and note (a complete page with a
        minimal APA style sheet when ``standalone``)."""
        cells = self.display()
        shown = self._shown()
        numeric = [self._is_numeric(src[0]) for _, src in shown]
        parts = ['<table class="apa-table">', "<caption>"]
        if self._caption():
            parts.append(f"<b>{html.escape(self._caption())}</b><br>")
        parts += [f"<i>{html.escape(self.title)}</i>", "</caption>", "<thead><tr>"]
        for (head, _), num in zip(shown, numeric, strict=True):
            label = _emphasise(head, "<i>{}</i>", escape=html.escape)
            parts.append(f'<th style="text-align:{"right" if num else "left"}">{label}</th>')
        parts.append("</tr></thead><tbody>")
        for row in cells.itertuples(index=False, name=None):
            tds = "".join(f'<td style="text-align:{"right" if num else "left"}">'
                          f"{html.escape(str(v))}</td>" for v, num in zip(row, numeric, strict=True))
            parts.append(f"<tr>{tds}</tr>")
        parts.append("</tbody>")
        if self.note:
            parts.append(f'<tfoot><tr><td colspan="{len(cells.columns)}"><i>Note.</i> '
                         f"{html.escape(self.note)}</td></tr></tfoot>")
        parts.append("</table>")
        table = "\n".join(parts)
        if not standalone:
            return table
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{APA_CSS}</style></head>"
                f"<body>\n{table}\n</body></html>\n")

    def write(self, directory: str | os.PathLike, stem: str, *,
              formats: tuple[Format, ...] = ("csv", "md", "html")) -> list[Path]:
        """Write ``<stem>.csv``, ``<stem>.md`` and ``<stem>.html`` atomically; return paths."""
        directory = Path(directory)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem):
            raise UsageError(f"table file stem must be letters, digits, '_', '-', '.': {stem!r}")
        for f in formats:
            check_choice("table format", f, Format)
        paths = []
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            if fmt == "csv":
                self.to_csv(path)
            elif fmt == "md":
                atomic_write_text(path, self.to_markdown())
            else:
                atomic_write_text(path, self.to_html(standalone=True))
            paths.append(path)
        return paths

    def _is_numeric(self, column: str) -> bool:
        return bool((self._kinds[column] != "text").any()
                    and pd.api.types.is_numeric_dtype(self._frame[column]))



APA_CSS = ("table.apa-table{border-collapse:collapse;font-family:serif;margin:1em 0}"
           "table.apa-table caption{text-align:left;padding-bottom:.4em}"
           "table.apa-table thead tr{border-top:1px solid #000;border-bottom:1px solid #000}"
           "table.apa-table tbody tr:last-child{border-bottom:1px solid #000}"
           "table.apa-table th,table.apa-table td{padding:.15em .7em}"
           "table.apa-table tfoot td{font-size:.9em;padding-top:.4em}")


def _emphasise(label: str, italic: str, *, escape: Any = str) -> str:
    """A header with its statistical symbol in italics (``p (Holm)`` -> *p* (Holm))."""
    if label in _SYMBOLS:
        return italic.format(escape(label))
    first, _, rest = label.partition(" ")
    if first in _SYMBOLS and rest:
        return f"{italic.format(escape(first))} {escape(rest)}"
    return escape(label)


def _interval(lower: str, upper: str) -> str:
    """``[lower, upper]``; a limit's mark (withheld, ``S``) or no interval stands alone."""
    for mark in (WITHHELD, SUPPRESSED):
        if mark in (lower, upper):
            return mark
    if lower in ("", EMPTY) and upper in ("", EMPTY):
        return EMPTY
    return f"[{lower}, {upper}]"


#: a p value written into text under a snake-case name (``p_holm = 0.000``)
_INLINE_P = re.compile(r"\b(p_[a-z]+)\s*=\s*([01]?\.(\d+))\b")


def _inline_p(text: str) -> str:
    """Rewrite p values written into a text cell APA-style, at the decimals they were given
    (``p_holm = 0.000`` -> ``p (Holm) < .001``, ``p_holm = 0.612`` -> ``p (Holm) = .612``)."""
    def apa(match: re.Match) -> str:
        value = format_apa(float(match.group(2)), "p", digits=len(match.group(3)))
        sign = "" if value.startswith("<") else "= "
        return f"{column_label(match.group(1))} {sign}{value}"
    return _INLINE_P.sub(apa, text)


def _md_escape(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def apa_table(frame: pd.DataFrame, *, title: str = "", number: int | None = None,
              note: str | None = None, formats: Mapping[str, Kind] | None = None,
              kind_column: str | None = None, value_columns: list[str] | None = None,
              digits: Mapping[str, int] | None = None,
              labels: Mapping[str, str] | None = None,
              artefact: str | None = None) -> ApaTable:
    """Make an :class:`ApaTable` from a tidy frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table. A boolean column ``<column>_suppressed`` (as made by
        :func:`~youthtransitions.report.output_rules.apply_output_rules`) marks suppressed
        cells of ``<column>`` (shown ``S``), a boolean ``<column>_withheld`` withheld ones
        (shown ``withheld``); flag columns are not shown.
    title, number, note : optional
        APA caption parts: "Table <number>", the title, and the note under the table.
    formats : dict, optional
        ``{column: kind}``; other numeric columns get a kind from their name
        (:func:`infer_kind`), text columns are left as they are.
    kind_column : str, optional
        For long tables: a column (e.g. ``statistic``) whose value gives the kind of the
        numeric cells in ``value_columns`` of that row (``n`` -> count, ``alpha`` -> bounded).
    value_columns : list of str, optional
        The columns ``kind_column`` applies to (default: the numeric columns).
    digits : dict, optional
        ``{column: decimals}`` overriding the defaults.
    labels : dict, optional
        ``{column: header text}``.
    artefact : str, optional
        Name of the disclosure-gate record the values passed (``Gate.log``).

    Notes
    -----
    Number formats follow the APA Publication Manual (7th ed.), sections 6.36 (no leading
    zero for values bounded by 1), 6.36/7.21 (exact p to three decimals, p < .001).
    """
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"apa_table needs a DataFrame, got {type(frame).__name__}")
    formats = dict(formats or {})
    for column, kind in formats.items():
        if column not in frame.columns:
            raise UsageError(f"formats names column {column!r}, which is not in the table")
        if kind not in KINDS:
            raise UsageError(f"column {column!r}: unknown kind {kind!r} (use {', '.join(KINDS)})")
    if kind_column is not None and kind_column not in frame.columns:
        raise UsageError(f"kind_column {kind_column!r} is not in the table")
    flags = [c for c in frame.columns for suffix in _FLAGS
             if str(c).endswith(suffix) and str(c)[: -len(suffix)] in frame.columns]
    shown = frame.drop(columns=flags).reset_index(drop=True)
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])
               and not pd.api.types.is_bool_dtype(shown[c])]
    if value_columns is None:
        value_columns = numeric
    kinds = pd.DataFrame("text", index=shown.index, columns=shown.columns)
    for c in numeric:
        kind = infer_kind(c)
        if kind == "number" and pd.api.types.is_integer_dtype(shown[c]):
            kind = "integer"  # whole numbers by type: codes, rows, memberships
        kinds[c] = kind
    if kind_column is not None:
        row_kinds = shown[kind_column].map(infer_kind)
        for c in value_columns:
            kinds[c] = row_kinds
    for c, k in formats.items():
        kinds[c] = k
    marks = {s: pd.DataFrame(False, index=shown.index, columns=shown.columns) for s in _FLAGS}
    for flag in flags:
        suffix = next(s for s in _FLAGS if str(flag).endswith(s))
        marks[suffix][str(flag)[: -len(suffix)]] = \
            frame[flag].fillna(False).astype(bool).to_numpy()
    return ApaTable(shown, title=title, number=number, note=note, kinds=kinds,
                    suppressed=marks["_suppressed"], withheld=marks["_withheld"],
                    digits=dict(digits or {}), labels=dict(labels or {}), artefact=artefact)
