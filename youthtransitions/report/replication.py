"""The replication table: every figure the paper reports beside the reproduced value.

Published figures are from Sanders & Liebenberg (2024), *Child & Family Social Work*
(sections 4–5 and Table 1). Each row states its rule for a pass in the ``tolerance`` column.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..errors import UsageError

__all__ = ["PUBLISHED", "replication_table"]

#: figure -> (reported value, kind); kinds: count (exact), mean (to two decimals),
#: share (to two decimals), r2 (within the interval, and the interval excludes 0),
#: most (share above one half), synergy (interval above 0 after Holm)
PUBLISHED: dict[str, tuple[Any, str]] = {
    "youth in the study": (1366, "count"),
    "multiple-service users (MSU)": (506, "count"),
    "annual survey waves": (3, "count"),
    "qualitative subsample of MSU youth": (107, "count"),
    "mean age of the subsample (years)": (17.49, "mean"),
    "share of the subsample who could nominate a PMK": (0.62, "share"),
    "PMK interviews": (65, "count"),
    "youth interview descriptions": (107, "count"),
    "summaries of youth experiences": (107, "count"),
    "relationship quality: share of positive outcomes 3 years on": (0.14, "r2"),
    "four mechanisms observed in most interventions": ("most (> .50)", "most"),
    "mechanisms work together (synergy)": ("synergistic", "synergy"),
}

_TOLERANCE = {"count": "exact", "mean": "±0.005 (two decimals)", "share": "±0.005 (two decimals)",
              "r2": "reported value inside the 95% CI, CI above 0",
              "most": "share of subsample youth with all four active > .50",
              "synergy": "interaction > 0 with Holm-adjusted p < .05"}


def _row(figure: str, reproduced: Any, low: Any = math.nan, high: Any = math.nan,
         *, rounded: bool = False, extra_ok: bool = True) -> dict[str, Any]:
    reported, kind = PUBLISHED[figure]
    tolerance = _TOLERANCE[kind]
    if reproduced is None or (isinstance(reproduced, float) and math.isnan(reproduced)):
        ok = False
    elif kind == "count":
        # counts under the output rules are randomly rounded to base 3 (at most 2 away)
        ok = abs(reproduced - reported) <= (2 if rounded else 0)
        if rounded:
            tolerance = "±2 (random rounding to base 3)"
    elif kind in ("mean", "share"):
        ok = abs(reproduced - reported) <= 0.005 + 1e-12
    elif kind == "r2":
        ok = low <= reported <= high and low > 0
    elif kind == "most":
        ok = reproduced > 0.5
    else:  # synergy
        ok = low > 0 and extra_ok
    return {"figure": figure, "reported": reported, "reproduced": reproduced,
            "conf_low": low, "conf_high": high, "tolerance": tolerance,
            "status": "pass" if ok else "fail"}


def replication_table(counts: dict[str, Any], headline: dict[str, Any],
                      qualitative: dict[str, Any], *, rounded: bool = False) -> pd.DataFrame:
    """Build the replication table from the steps' summaries.

    Parameters
    ----------
    counts : dict
        From step 01 (``sample_counts.json``): n_youth, n_msu, n_waves, n_subsample,
        subsample_mean_age, subsample_pmk_share, pmk_interviews, youth_interviews,
        case_summaries.
    headline : dict
        From step 02 (``headline.json``): ``estimates`` records with the ``headline_r2`` row.
    qualitative : dict
        From step 05 (``qualitative.json``): ``all_four_share`` (with ``all_four_ci``) and
        ``synergy`` {estimate, conf_low, conf_high, p_holm}.
    rounded : bool
        Counts were randomly rounded by the output rules (real data).
    """
    try:
        head = next(r for r in headline["estimates"] if r["estimand"] == "headline_r2")
    except (KeyError, StopIteration):
        raise UsageError("the headline summary has no headline_r2 estimate") from None
    syn = qualitative.get("synergy", {})
    four_lo, four_hi = qualitative.get("all_four_ci", [math.nan, math.nan])
    rows = [
        _row("youth in the study", counts.get("n_youth"), rounded=rounded),
        _row("multiple-service users (MSU)", counts.get("n_msu"), rounded=rounded),
        _row("annual survey waves", counts.get("n_waves")),
        _row("qualitative subsample of MSU youth", counts.get("n_subsample"), rounded=rounded),
        _row("mean age of the subsample (years)", counts.get("subsample_mean_age")),
        _row("share of the subsample who could nominate a PMK",
             counts.get("subsample_pmk_share")),
        _row("PMK interviews", counts.get("pmk_interviews"), rounded=rounded),
        _row("youth interview descriptions", counts.get("youth_interviews"), rounded=rounded),
        _row("summaries of youth experiences", counts.get("case_summaries"), rounded=rounded),
        _row("relationship quality: share of positive outcomes 3 years on", head["estimate"],
             head["conf_low"], head["conf_high"]),
        _row("four mechanisms observed in most interventions",
             qualitative.get("all_four_share"), four_lo, four_hi),
        _row("mechanisms work together (synergy)", syn.get("estimate"), syn.get("conf_low",
             math.nan), syn.get("conf_high", math.nan),
             # a synergy test too small to run has no p-value (null in the summary)
             extra_ok=syn.get("p_holm") is not None and syn["p_holm"] < 0.05),
    ]
    return pd.DataFrame(rows)
