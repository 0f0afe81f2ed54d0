"""The data dictionary (``data_dictionary.md``) of a written study: every column explained."""

from __future__ import annotations

import pandas as pd

from ..study import Study
from ..study.contract import CONTRACT, ID_PATTERN, WAVES

__all__ = ["data_dictionary"]

_MEANING = {
    "youth_id": ("id", "youth identifier (YT0001...)"),
    "svc_welfare": ("bool", "used welfare / child protection services in the year before wave 1"),
    "svc_justice": ("bool", "used youth justice services in the year before wave 1"),
    "svc_mental_health": ("bool", "used mental health services in the year before wave 1"),
    "svc_alt_education": ("bool", "attended alternative / non-mainstream education"),
    "msu": ("bool", "multiple-service user: two or more of the four services"),
    "gender": ("category", "gender"),
    "ethnicity": ("category", "ethnicity (prioritised)"),
    "age_w1": ("float", "age in years at the wave-1 interview (2 decimals)"),
    "pmk_nominated": ("bool", "the youth nominated a person most knowledgeable (PMK)"),
    "qual_subsample": ("bool", "in the qualitative subsample (MSU youth only)"),
    "wave": ("int", "survey wave / qualitative round (annual)"),
    "interview_date": ("date", "date of the survey interview, strictly increasing by wave"),
    "worker_id": ("id", "the professional the youth named at that wave (W001...); empty = "
                  "named none"),
    "positive_change": ("int", "the youth reported a positive change at that wave (1) or "
                        "not (0)"),
    "pmk_role": ("category", "the PMK's relation to the youth"),
    "scale": ("name", "scale name"),
    "table": ("category", "table holding the scale's items"),
    "item": ("name", "item column"),
    "reverse": ("bool", "reverse-keyed item (reflected as min + max - x when scoring)"),
    "min": ("int", "lowest response"),
    "max": ("int", "highest response"),
    "segment_id": ("id", "coded segment; a double-coded segment has one row per coder"),
    "source": ("category", "where the segment comes from"),
    "coder": ("name", "who coded the segment"),
    "mechanism": ("category", "relational mechanism (Sanders & Liebenberg 2024)"),
    "dimension": ("category", "dimension of the mechanism"),
    "level": ("int", "0 absent/low, 1 partial, 2 high"),
    "instance": ("category", "confirmatory (mechanism worked) or counterfactual (it failed)"),
    "actor": ("category", "the professional in the relationship"),
    "excerpt": ("text", "synthetic templated sentence prefixed [synthetic]; no real quote"),
}


def _allowed(series: pd.Series, kind: str) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return ", ".join(map(str, series.cat.categories))
    if kind == "bool":
        return "true, false"
    if series.name == "wave":
        return ", ".join(map(str, WAVES))
    if series.name == "positive_change":
        return ", ".join(map(str, CONTRACT["waves"].column("positive_change").allowed))
    if series.name == "level":
        return ", ".join(map(str, CONTRACT["codes"].column("level").allowed))
    if kind == "id":
        return ID_PATTERN.pattern
    if kind == "name" and series.nunique() <= 10:
        return ", ".join(sorted(map(str, series.dropna().unique())))
    if pd.api.types.is_numeric_dtype(series) and series.notna().any():
        return f"{series.min()} to {series.max()} (observed)"
    if kind == "date" and series.notna().any():
        return f"{series.min().date()} to {series.max().date()} (observed)"
    return "free text" if kind == "text" else "string"


def data_dictionary(study: Study) -> str:
    """Markdown: per table, each column's type, meaning and allowed values."""
    items = {}
    for row in study.scales.itertuples(index=False):
        keyed = "reverse keyed" if row.reverse else "keyed"
        items[row.item] = ("int", f"{row.scale} item, {keyed}", f"{row.min} to {row.max}; "
                           "empty = not answered")
    lines = ["# Data dictionary", "",
             "Synthetic study drawn by `youthtransitions.synthesize` (no real person's data). "
             "The generative model and the estimands in `truth.json` are documented in "
             "`docs/synthetic.md`.", ""]
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        frame = getattr(study, name)
        if frame is None:
            continue
        lines += [f"## {name} ({len(frame)} rows)", "",
                  "| column | type | meaning | allowed values |", "|---|---|---|---|"]
        for col in frame.columns:
            if col in items:
                kind, meaning, allowed = items[col]
            else:
                kind, meaning = _MEANING.get(col, ("", ""))
                allowed = _allowed(frame[col], kind)
            lines.append(f"| {col} | {kind} | {meaning} | {allowed} |")
        lines.append("")
    return "\n".join(lines)
