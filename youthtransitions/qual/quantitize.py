"""Quantitizing: youth-level mechanism features from coded segments, and the join to the survey."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, count, identifier, text
from .._options import check_choice
from .._tidy import TidyResult
from ..errors import UsageError
from ..study.codes import as_codes
from ..study.contract import MECHANISMS, SOURCES

__all__ = ["quantitize", "quantitize_checked", "primary_coding", "join_codes", "CodeJoin", "QUADRANTS"]

Source = Literal["combined", "youth_interview", "pmk_interview", "case_summary"]
#: how a youth's mechanism counts as active: coded anywhere, or in most coded segments
Activation = Literal["any", "majority"]
#: power quadrants by (care high, control high)
QUADRANTS = {(True, False): "enabling", (True, True): "protective", (False, True): "trap",
             (False, False): "absent"}
HIGH = 1.0


def primary_coding(codes: pd.DataFrame) -> pd.DataFrame:
    """One coding per segment: the primary coder's.

    The primary coder of a segment is the coder who coded most of that youth's segments
    (ties: most segments overall, then name), so second codings made for reliability do not
    count twice.
    """
    per_youth = codes.groupby(["youth_id", "coder"], observed=True)["segment_id"] \
        .transform("nunique")
    overall = codes.groupby("coder", observed=True)["segment_id"].transform("nunique")
    ranked = codes.assign(_py=-per_youth.to_numpy(), _ov=-overall.to_numpy(),
                          _name=codes["coder"].astype(str))
    ranked = ranked.sort_values(["segment_id", "_py", "_ov", "_name"], kind="stable")
    return ranked.drop_duplicates("segment_id", keep="first") \
        .drop(columns=["_py", "_ov", "_name"])


def _dimension_mean(codes: pd.DataFrame, mech: str, dim: str, index: pd.Index) -> pd.Series:
    sub = codes[(codes["mechanism"] == mech) & (codes["dimension"] == dim)]
    return sub.groupby("youth_id")["level"].mean().reindex(index).astype(float)


def quantitize(codes: Any, *, source: Source = "combined",
               activation: Activation = "any") -> pd.DataFrame:
    """Youth-level mechanism features from coded segments.

    Parameters
    ----------
    codes : DataFrame, CodeImport or Study
        The contract's codes table.
    source : {"combined", "youth_interview", "pmk_interview", "case_summary"}
        Which sources to use; ``combined`` pools all three.
    activation : {"any", "majority"}, default "any"
        A mechanism is active when *any* confirmatory segment codes it at level >= 1, or
        when the *majority* (more than half) of its segments are confirmatory at level >= 1.

    Returns
    -------
    pandas.DataFrame
        One row per youth with at least one segment in the chosen sources, sorted by
        youth_id. Columns: ``youth_id``, ``n_segments``; per mechanism ``<m>_active`` (bool)
        and ``<m>_level`` (mean level, NaN when not coded); ``care_level``,
        ``control_level``, ``power_quadrant`` (enabling, protective, trap, absent),
        ``power_trap``; ``friend_like_level``, ``professional_level``,
        ``mutuality_balance`` (friend-like minus professional mean level),
        ``mutuality_state`` (balanced, friend_like_only, professional_only, neither);
        ``n_active`` (0-4), ``all_active`` (synergy), ``any_counterfactual``.

    Notes
    -----
    Double-coded segments count once, with the primary coder's coding
    (:func:`primary_coding`). A mechanism is *active* for a youth when at least one
    confirmatory segment codes it at level >= 1 (``activation="any"``, the qualitative
    reading: the mechanism was seen working) or when most of its segments do
    (``"majority"``, robust to many segments per youth). A dimension is *high* when its mean level is
    >= 1; a dimension never coded counts as low. Power quadrant of (care, control):
    high/low enabling, high/high protective, low/high trap, low/low absent (data contract,
    after Sanders & Liebenberg 2024). Checked on hand-computed examples in
    ``tests/qual/test_quantitize.py``.

    Examples
    --------
    >>> import pandas as pd, youthtransitions as yt
    >>> codes = pd.read_parquet(yt.SHIPPED_STUDY / "codes.parquet")
    >>> features = quantitize(codes)
    >>> len(features), int(features["n_active"].max())
    (107, 4)
    """
    return quantitize_checked(as_codes(codes), source=source, activation=activation)


def quantitize_checked(checked: pd.DataFrame, *, source: Source = "combined",
              activation: Activation = "any") -> pd.DataFrame:
    """:func:`quantitize` of a codes table already checked by ``check_codes``."""
    check_choice("activation", activation, Activation)
    check_choice("source", source, ("combined", *SOURCES))  # the contract's sources
    frame = primary_coding(checked)
    if source != "combined":
        frame = frame[frame["source"] == source]
    youth = pd.Index(sorted(frame["youth_id"].unique()), name="youth_id")
    out = pd.DataFrame(index=youth)
    out["n_segments"] = frame.groupby("youth_id").size().reindex(youth).astype("int64")
    confirm_hit = (frame["level"] >= 1) & (frame["instance"] == "confirmatory")
    for mech in MECHANISMS:
        is_m = frame["mechanism"] == mech
        hits = frame[is_m & confirm_hit].groupby("youth_id").size().reindex(youth).fillna(0)
        total = frame[is_m].groupby("youth_id").size().reindex(youth).fillna(0)
        active = hits > 0 if activation == "any" else hits > total / 2
        out[f"{mech}_active"] = active.to_numpy(dtype=bool)
        out[f"{mech}_level"] = frame[is_m].groupby("youth_id")["level"].mean() \
            .reindex(youth).astype(float)
    care = _dimension_mean(frame, "power", "care", youth)
    control = _dimension_mean(frame, "power", "control", youth)
    out["care_level"], out["control_level"] = care, control
    care_hi, control_hi = care.fillna(0) >= HIGH, control.fillna(0) >= HIGH
    out["power_quadrant"] = [QUADRANTS[(bool(a), bool(b))]
                             for a, b in zip(care_hi, control_hi, strict=True)]
    out["power_trap"] = out["power_quadrant"] == "trap"
    friend = _dimension_mean(frame, "mutuality", "friend_like", youth)
    prof = _dimension_mean(frame, "mutuality", "professional", youth)
    out["friend_like_level"], out["professional_level"] = friend, prof
    out["mutuality_balance"] = friend - prof
    f_hi, p_hi = friend.fillna(0) >= HIGH, prof.fillna(0) >= HIGH
    out["mutuality_state"] = np.select([f_hi & p_hi, f_hi, p_hi],
                                       ["balanced", "friend_like_only", "professional_only"],
                                       default="neither")
    out["n_active"] = out[[f"{m}_active" for m in MECHANISMS]].sum(axis=1).astype("int64")
    out["all_active"] = out["n_active"] == len(MECHANISMS)
    cf = frame[frame["instance"] == "counterfactual"].groupby("youth_id").size()
    out["any_counterfactual"] = youth.isin(cf.index)
    return out.reset_index()


@dataclass
class CodeJoin(TidyResult):
    """Youth-level code features joined to the survey, with an account of every youth.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per joined youth: the youth table's columns and the features.
    joined, no_codes, unknown, outside_subsample : list of str
        Subsample youth with features; subsample youth without any codes; youth_ids in the
        codes that are not in the youth table; youth in the youth table but not in the
        qualitative subsample who nevertheless have codes (joined too, flagged).
    """

    data: pd.DataFrame
    joined: list[str] = field(default_factory=list)
    no_codes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    outside_subsample: list[str] = field(default_factory=list)

    title = "Join of codes to the survey"

    def to_frame(self) -> pd.DataFrame:
        rows = [("joined", self.joined), ("subsample youth without codes", self.no_codes),
                ("codes for unknown youth", self.unknown),
                ("codes for youth outside the subsample", self.outside_subsample)]
        return pd.DataFrame({"status": [r[0] for r in rows], "n": [len(r[1]) for r in rows],
                             "youth_ids": [", ".join(r[1][:10]) + (" ..." if len(r[1]) > 10
                                                                    else "") for r in rows]})

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: youth counts per join status; the youth listed are
        identifiers (published only for synthetic data)."""
        return TableSpec({"status": text(), "n": count("youth"), "youth_ids": identifier()},
                         totals="none")


def join_codes(study: Any, features: pd.DataFrame) -> CodeJoin:
    """Join youth-level features to the study's youth table by youth_id.

    Parameters
    ----------
    study : Study
        Needs ``study.youth`` with ``youth_id`` and ``qual_subsample``.
    features : pandas.DataFrame
        Output of :func:`quantitize` (a ``youth_id`` column).

    Returns
    -------
    CodeJoin
        The joined frame and the join report; every subsample youth is either joined or
        listed as without codes, and every coded youth is joined or listed as unknown.
    """
    if "youth_id" not in features.columns:
        raise UsageError("features need a youth_id column (use quantitize())")
    youth = study.youth
    missing = {"youth_id", "qual_subsample"} - set(youth.columns)
    if missing:
        raise UsageError(f"the youth table lacks {', '.join(sorted(missing))}; join_codes needs "
                         "youth_id and qual_subsample")
    ids = youth["youth_id"].astype(str)
    sub = set(ids[youth["qual_subsample"].astype(bool).to_numpy()])
    coded = set(features["youth_id"].astype(str))
    known = set(ids)
    data = youth.assign(youth_id=ids).merge(features.assign(
        youth_id=features["youth_id"].astype(str)), on="youth_id", how="inner")
    return CodeJoin(data=data.reset_index(drop=True), joined=sorted(coded & sub),
                    no_codes=sorted(sub - coded), unknown=sorted(coded - known),
                    outside_subsample=sorted((coded & known) - sub))
