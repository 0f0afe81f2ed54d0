"""The :class:`Study`: the validated contract tables of one study."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .contract import MSU_MIN_SERVICES, SERVICES, TABLES

__all__ = ["Study", "TABLES", "YOUTH_COVARIATES", "derive_msu", "youth_msu"]

#: youth columns carried into :meth:`Study.analysis_frame`
YOUTH_COVARIATES = ("msu", "gender", "ethnicity", "age_w1", "pmk_nominated", "qual_subsample",
                    *SERVICES)


def derive_msu(youth: pd.DataFrame) -> pd.Series:
    """Multiple-service user: two or more of the four services.

    The one derivation of ``msu``: loading, validation, the description and the
    integration tests all use it.

    Parameters
    ----------
    youth : pandas.DataFrame
        Holds the four service columns (:data:`~youthtransitions.study.contract.SERVICES`).

    Returns
    -------
    pandas.Series
        Named ``msu``: ``bool``, or ``boolean`` with ``<NA>`` for a youth with any service
        missing. The contract does not allow a missing service, so that youth's MSU status is
        unknown rather than guessed; analyses that need a definite group leave such youth
        out of the MSU group (only data loaded with ``validate=False`` can hold them).
    """
    counts = sum(youth[s].astype("Int64") for s in SERVICES)
    msu = (counts >= MSU_MIN_SERVICES).rename("msu")
    return msu.astype(bool) if not msu.isna().any() else msu


def youth_msu(youth: pd.DataFrame) -> pd.Series | None:
    """The youth's MSU flags: :func:`derive_msu` when the table has the four services, else
    its ``msu`` column, else ``None``.

    A loaded study's ``msu`` is already the derivation; a table built in memory without the
    service columns keeps the flags it was given.
    """
    if set(SERVICES) <= set(youth.columns):
        return derive_msu(youth)
    return youth["msu"] if "msu" in youth.columns else None


@dataclass(frozen=True)
class Study:
    """The tables of one study, with the contract's dtypes and categories.

    Attributes
    ----------
    youth, waves, scales : pandas.DataFrame
        Required tables (see the data contract).
    pmk, codes : pandas.DataFrame or None
        Optional tables.
    synthetic : bool
        True when the data are marked synthetic in their metadata; output rules for sensitive
        data are then off by default.
    source : str or None
        Folder the study was read from.
    metadata : dict
        Study-level metadata (for a synthetic study: seed, generator version, and ``truth``).
    """

    youth: pd.DataFrame
    waves: pd.DataFrame
    scales: pd.DataFrame
    pmk: pd.DataFrame | None = None
    codes: pd.DataFrame | None = None
    synthetic: bool = False
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_youth(self) -> int:
        return int(len(self.youth))

    def wave_scores(self) -> pd.DataFrame:
        """Scale scores per youth and wave: ``youth_id, wave`` and one column per waves scale.

        See :func:`youthtransitions.study.score_scales` for the scoring rule.
        """
        from .scales import score_scales

        return score_scales(self, table="waves")

    def pmk_scores(self) -> pd.DataFrame:
        """PMK scale scores: ``youth_id, wave, pmk_role`` and one column per pmk scale.

        Empty (with those columns) when the study has no pmk table.
        """
        from .scales import scale_items, score_scales

        if self.pmk is None:
            names = ["youth_id", "wave", "pmk_role", *scale_items(self, "pmk")]
            return pd.DataFrame({n: pd.Series(dtype=float) for n in names})
        return score_scales(self, table="pmk")

    def analysis_frame(self) -> pd.DataFrame:
        """Long frame, one row per observed (youth_id, wave).

        Columns: ``youth_id, wave, interview_date``, the waves scale scores, then the youth
        covariates ``msu, gender, ethnicity, age_w1, pmk_nominated, qual_subsample, svc_*``
        (``msu`` derived from the services when the youth table lacks it). Rows are ordered
        as the youth table, then by wave.
        """
        scores = self.wave_scores()
        dates = (self.waves["interview_date"].reset_index(drop=True)
                 if "interview_date" in self.waves else pd.Series(pd.NaT, index=scores.index))
        frame = scores.iloc[:, :2].assign(interview_date=dates)
        frame = pd.concat([frame, scores.iloc[:, 2:]], axis=1)
        youth = self.youth
        msu = youth_msu(youth)
        if msu is not None:
            youth = youth.assign(msu=msu)
        covariates = [c for c in YOUTH_COVARIATES if c in youth.columns]
        youth = youth[["youth_id", *covariates]].assign(_order=range(len(youth)))
        frame = frame.merge(youth, on="youth_id", how="left", validate="many_to_one")
        frame = frame.sort_values(["_order", "wave"], kind="stable").drop(columns="_order")
        return frame.reset_index(drop=True)

    def __repr__(self) -> str:
        parts = [f"youth={len(self.youth)}", f"waves={len(self.waves)}"]
        if self.pmk is not None:
            parts.append(f"pmk={len(self.pmk)}")
        if self.codes is not None:
            parts.append(f"codes={len(self.codes)}")
        tag = ", synthetic" if self.synthetic else ""
        return f"Study({', '.join(parts)}{tag})"
