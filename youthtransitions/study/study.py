"""The :class:`Study`: the validated contract tables of one study."""

from __future__ import annotations

import html
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

    def _contract_problems(self):
        """The data contract's problems of the tables as they are now (checked as a folder
        of these tables would be, rows numbered from 1)."""
        from pathlib import Path

        from .readers import RawTable
        from .validate import check_tables

        raw = {}
        for name in TABLES:
            frame = getattr(self, name, None)
            if frame is not None:
                frame = frame.reset_index(drop=True)
                frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
                raw[name] = RawTable(name, Path(name), frame)
        return check_tables(raw, limit=3)[1]

    def _repr_html_(self) -> str:
        """Jupyter's view: kind of data, source, each table's size, and whether the tables
        pass the data contract (checked when shown, so a table changed in memory shows)."""
        esc = html.escape
        kind = "synthetic data" if self.synthetic else "real data (output rules apply)"
        rows = "".join(
            f"<tr><td style='text-align:left'>{esc(name)}</td><td>{len(frame):,}</td>"
            f"<td>{frame.shape[1]}</td></tr>"
            for name in TABLES if (frame := getattr(self, name, None)) is not None)
        absent = [name for name in TABLES if getattr(self, name, None) is None]
        problems = self._contract_problems()
        if not problems:
            status = "passes every rule of the data contract"
        else:
            n = problems.total
            listed = "".join(f"<li>{esc(str(p))}</li>" for p in list(problems)[:5])
            status = (f"breaks {n:,} rule{'s' if n != 1 else ''} of the data contract, "
                      f"for instance:<ul>{listed}</ul>")
        source = f"<br>source: <code>{esc(self.source)}</code>" if self.source else ""
        seed = self.metadata.get("seed") if self.synthetic else None
        seed_text = f", seed {esc(str(seed))}" if seed is not None else ""
        missing = (f"<p>not in this study: {esc(', '.join(absent))}</p>" if absent else "")
        return (f"<h4>Study: {self.n_youth:,} youth</h4>"
                f"<p>{esc(kind)}{seed_text}{source}</p>"
                "<table><thead><tr><th style='text-align:left'>table</th><th>rows</th>"
                f"<th>columns</th></tr></thead><tbody>{rows}</tbody></table>{missing}"
                f"<p>validation: {status}</p>")
