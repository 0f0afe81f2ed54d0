"""The youth-level (wide) frame that PMK analyses and imputation work on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._options import check_level  # noqa: F401 - the missing modules import it from here
from ..errors import UsageError

__all__ = ["youth_wide", "wide_name", "pmk_outcome", "PMK_OUTCOME", "PMK_PREDICTOR",
           "AVAILABLE", "availability_covariates"]

#: the PMK analysis: wave-3 PMK-rated functioning on wave-1 relationship quality
PMK_OUTCOME = "pmk_functioning_w3"
PMK_PREDICTOR = "relationship_quality_w1"
#: 1 when the youth has the PMK outcome (a wave-3 pmk_functioning score), else 0
AVAILABLE = "pmk_available"

_BOOL_COLUMNS = ("msu", "pmk_nominated", "qual_subsample", "svc_welfare", "svc_justice",
                 "svc_mental_health", "svc_alt_education")


def wide_name(scale: str, wave: int) -> str:
    """Column name of a scale's score at one wave in the wide frame (``<scale>_w<wave>``)."""
    return f"{scale}_w{int(wave)}"


def _spread(scores: pd.DataFrame, id_cols: list[str]) -> pd.DataFrame:
    value_cols = [c for c in scores.columns if c not in id_cols]
    if scores.empty or not value_cols:
        return pd.DataFrame(index=pd.Index([], name="youth_id"))
    dup = scores.duplicated(["youth_id", "wave"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise UsageError(f"scores have more than one row for a youth and wave (row {row})")
    wide = scores.pivot(index="youth_id", columns="wave", values=value_cols)
    wide.columns = [wide_name(s, w) for s, w in wide.columns]
    return wide.astype(float)


def pmk_outcome(study: Any) -> str:
    """The PMK analysis's outcome column: PMK-rated functioning at the study's last wave
    (:data:`PMK_OUTCOME`, wave 3, in the data contract's study; the last wave of a planned
    study of another length)."""
    waves = getattr(study, "waves", None)
    if waves is None or "wave" not in waves or not waves["wave"].notna().any():
        return PMK_OUTCOME
    return wide_name("pmk_functioning", int(pd.to_numeric(waves["wave"]).max()))


def youth_wide(study: Any) -> pd.DataFrame:
    """One row per youth: covariates, every scale score at every wave, PMK scores by wave.

    Parameters
    ----------
    study : Study
        A loaded study (uses ``study.youth``, ``study.wave_scores()``, ``study.pmk_scores()``).

    Returns
    -------
    pandas.DataFrame
        ``youth_id``; the youth booleans as 0/1 floats (``msu``, ``pmk_nominated``,
        ``qual_subsample``, ``svc_*``); ``age_w1``; ``gender_<level>`` and
        ``ethnicity_<level>`` indicators (first level is the reference, left out); one column
        ``<scale>_w<wave>`` per waves-table and pmk-table scale and wave (missing when the
        wave or the PMK report is missing); and ``pmk_available`` (1 when the PMK outcome,
        :func:`pmk_outcome`, is observed).
    """
    youth = study.youth
    if "youth_id" not in youth:
        raise UsageError("the youth table has no youth_id column")
    out = pd.DataFrame({"youth_id": youth["youth_id"].astype(str).to_numpy()})
    for col in _BOOL_COLUMNS:
        if col in youth:
            out[col] = pd.array(youth[col], dtype="boolean").astype("Float64").astype(float)
    if "age_w1" in youth:
        out["age_w1"] = pd.to_numeric(youth["age_w1"], errors="coerce").to_numpy(float)
    for col in ("gender", "ethnicity"):
        if col in youth:
            cat = pd.Categorical(youth[col])
            for level in list(cat.categories)[1:]:
                ind = (cat == level).astype(float)
                ind[cat.isna()] = np.nan
                out[f"{col}_{level}"] = ind
    out = out.set_index("youth_id", drop=False)
    waves = _spread(study.wave_scores(), ["youth_id", "wave"])
    out = out.join(waves, how="left")
    pmk_scores = study.pmk_scores() if getattr(study, "pmk", None) is not None else None
    if pmk_scores is not None and len(pmk_scores):
        pmk = _spread(pmk_scores.drop(columns=["pmk_role"], errors="ignore"),
                      ["youth_id", "wave"])
        out = out.join(pmk, how="left")
    outcome = pmk_outcome(study)
    if outcome not in out:
        out[outcome] = np.nan
    out[AVAILABLE] = out[outcome].notna().astype(float)
    return out.reset_index(drop=True)


def availability_covariates(wide: pd.DataFrame) -> list[str]:
    """Default predictors of PMK availability present in ``wide``.

    Youth covariates (services, gender, ethnicity, age, qualitative subsample) and the wave-1
    scale scores. Columns without variation are left out.
    """
    names = [c for c in wide.columns if c.startswith(("svc_", "gender_", "ethnicity_"))]
    names += [c for c in ("age_w1", "qual_subsample") if c in wide]
    names += [c for c in wide.columns if c.endswith("_w1") and not c.startswith("pmk_")
              and c not in names]
    keep = []
    for c in names:
        col = pd.to_numeric(wide[c], errors="coerce")
        if col.notna().any() and col.nunique(dropna=True) > 1:
            keep.append(c)
    return keep


def availability_inputs(wide: pd.DataFrame, indicator: str,
                        covariates: Sequence[str] | None) -> tuple[pd.Series, list[str]]:
    """The 0/1 availability indicator and the covariates that predict it.

    Raises :class:`~youthtransitions.errors.UsageError` when the indicator is not a column or
    is not 0/1 without missing values. Covariates default to
    :func:`availability_covariates`; the indicator itself is never a covariate.
    """
    if indicator not in wide:
        raise UsageError(f"availability indicator {indicator!r} is not a column; use "
                         f"{AVAILABLE!r} or 'pmk_nominated'")
    a = pd.to_numeric(wide[indicator], errors="coerce")
    if a.isna().any() or not set(a.unique()) <= {0.0, 1.0}:
        raise UsageError(f"column {indicator!r} must be 0/1 without missing values")
    covariates = list(covariates) if covariates is not None else availability_covariates(wide)
    return a, [c for c in covariates if c != indicator]
