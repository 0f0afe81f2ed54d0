"""The rows of the sample description, before output rules (used by :mod:`.describe`).

Each row is a dict with the tidy columns ``section, variable, level, group, statistic, value``
and bookkeeping for the output rules: ``_kind`` ("count" for a count of people or records,
"percent", "stat" for a statistic derived from counts, "fixed" for a design constant),
``_part`` (counts sharing a ``_part`` sum to a published total: the levels of one categorical
variable in one group), ``_num``/``_den`` (keys of the counts a percentage divides) and
``_deps`` (keys of the counts whose suppression suppresses the row), ``_same`` (the key of
an earlier count of the same people: it is published exactly as that one, so one count is
never rounded twice, which would let a reader average the roundings) and ``_unit`` (what a
count counts: ``youth``, ``observation`` for youth-wave interviews, ``pmk`` for PMK
interviews; the disclosure gate rounds one count of one unit to one value everywhere).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.smd import smd, smd_binary
from ..study.study import youth_msu

__all__ = ["collect_rows", "SERVICES", "GROUPS", "PROFILE_SCALES"]

#: service-use columns and their labels
SERVICES = {"svc_welfare": "welfare", "svc_justice": "justice",
            "svc_mental_health": "mental health", "svc_alt_education": "alternative education"}
#: the groups described: all youth, the MSU youth, the qualitative subsample
GROUPS = ("all", "msu", "subsample")
#: wave-1 scale scores in the subsample profile
PROFILE_SCALES = ("contextual_risk", "individual_risk", "resilience")


class _Rows:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, section, variable, level, group, statistic, value, *, kind="stat",
            part=None, num=None, den=None, deps=(), same=None, unit="youth") -> tuple:
        key = (section, variable, str(level), group, statistic)
        self.rows.append({"section": section, "variable": variable, "level": str(level),
                          "group": group, "statistic": statistic,
                          "value": float(value) if value is not None else np.nan,
                          "_kind": kind, "_part": part, "_num": num, "_den": den,
                          "_deps": tuple(deps), "_key": key, "_same": same,
                          "_unit": unit if kind == "count" else None})
        return key

    def count(self, section, variable, level, group, n, *, part=None, same=None,
              unit="youth") -> tuple:
        return self.add(section, variable, level, group, "n", int(n), kind="count", part=part,
                        same=same, unit=unit)

    def count_pct(self, section, variable, level, group, n, den_key, *, part=None,
                  same=None) -> tuple:
        key = self.count(section, variable, level, group, n, part=part, same=same)
        self.add(section, variable, level, group, "percent", np.nan, kind="percent",
                 num=key, den=den_key)
        return key


def _bool(series: pd.Series) -> pd.Series:
    return series.astype("boolean").fillna(False).astype(bool)


def _levels(series: pd.Series) -> list[str]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories]
    return sorted(str(v) for v in series.dropna().unique())


def _group_masks(youth: pd.DataFrame) -> dict[str, pd.Series]:
    msu = _bool(youth_msu(youth))
    return {"all": pd.Series(True, index=youth.index), "msu": msu,
            "subsample": _bool(youth["qual_subsample"])}


def collect_rows(youth: pd.DataFrame, waves: pd.DataFrame, pmk: pd.DataFrame | None,
                 scores_w1: pd.DataFrame, reliability: pd.DataFrame | None) -> list[dict]:
    """All rows of the description (see the module docstring)."""
    out = _Rows()
    masks = _group_masks(youth)
    ids = youth["youth_id"].astype(str)
    totals = {g: out.count("sample", "youth", "", g, m.sum()) for g, m in masks.items()}
    out.add("sample", "waves", "", "all", "number", waves["wave"].nunique(), kind="fixed")
    out.count_pct("sample", "msu", "", "all", masks["msu"].sum(), totals["all"],
                  same=totals["msu"])
    out.count_pct("sample", "qual_subsample", "", "msu", masks["subsample"].sum(), totals["msu"],
                  same=totals["subsample"])
    out.count("sample", "youth_waves", "", "all", len(waves), unit="observation")
    n_pmk = 0 if pmk is None else len(pmk)
    pmk_total = out.count("sample", "pmk_interviews", "", "all", n_pmk, unit="pmk")

    n_services = sum(_bool(youth[c]).astype(int) for c in SERVICES)
    for g in ("all", "msu"):
        m = masks[g]
        for col, label in SERVICES.items():
            out.count_pct("services", label, "", g, (_bool(youth[col]) & m).sum(), totals[g])
        for k in range(5):
            out.count_pct("services", "number of services", k, g,
                          ((n_services == k) & m).sum(), totals[g], part=f"nsvc:{g}")

    for g, m in masks.items():
        for var in ("gender", "ethnicity"):
            values = youth[var].astype("string")
            for level in _levels(youth[var]):
                out.count_pct("demographics", var, level, g, ((values == level) & m).sum(),
                              totals[g], part=f"{var}:{g}")
            n_missing = (values.isna() & m).sum()
            if n_missing:
                out.count_pct("demographics", var, "missing", g, n_missing, totals[g],
                              part=f"{var}:{g}")
        age = pd.to_numeric(youth.loc[m, "age_w1"], errors="coerce").dropna()
        n_key = out.count("demographics", "age_w1", "", g, len(age))
        out.add("demographics", "age_w1", "", g, "mean", age.mean() if len(age) else np.nan,
                deps=[n_key])
        out.add("demographics", "age_w1", "", g, "sd", age.std(ddof=1) if len(age) > 1 else np.nan,
                deps=[n_key])

    seen = waves.assign(youth_id=waves["youth_id"].astype(str))
    n_waves_seen = seen.groupby("youth_id")["wave"].nunique()
    all_waves = sorted(int(w) for w in pd.unique(seen["wave"]))
    for g, m in masks.items():
        group_ids = set(ids[m])
        for w in all_waves:
            n = seen.loc[seen["wave"] == w, "youth_id"].isin(group_ids).sum()
            out.count_pct("attrition", "wave", w, g, n, totals[g])
        n_all = (n_waves_seen.reindex(sorted(group_ids)).fillna(0) == len(all_waves)).sum()
        out.count_pct("attrition", "all waves", "", g, n_all, totals[g])

    pmk_ids = pd.Series([], dtype=str) if pmk is None else pmk["youth_id"].astype(str)
    for g, m in masks.items():
        group_ids = set(ids[m])
        out.count_pct("pmk", "pmk_nominated", "", g, (_bool(youth["pmk_nominated"]) & m).sum(),
                      totals[g])
        in_group = pmk_ids.isin(group_ids)
        out.count("pmk", "pmk_interviews", "", g, int(in_group.sum()),
                  same=pmk_total if g == "all" else None, unit="pmk")
        out.count_pct("pmk", "youth with a PMK interview", "", g,
                      pmk_ids[in_group].nunique(), totals[g])
        if pmk is not None:
            for w in all_waves:
                out.count("pmk", "pmk_interviews", f"wave {w}", g,
                          int((in_group & (pmk["wave"].to_numpy() == w)).sum()),
                          part=f"pmk_waves:{g}", unit="pmk")

    _profile(out, youth, masks, scores_w1, totals)
    if reliability is not None:
        _reliability(out, reliability)
    return out.rows


def _profile(out: _Rows, youth: pd.DataFrame, masks: dict, scores_w1: pd.DataFrame,
             totals: dict) -> None:
    """Subsample profile against all MSU youth, with standardised mean differences.

    Its counts of youth, gender, ethnicity and age are those of the demographics section
    (``same=``), so they are published identically.
    """
    sub, msu = masks["subsample"], masks["msu"]
    base = {}
    for g, m in (("subsample", sub), ("msu", msu)):
        base[g] = out.count("subsample_profile", "youth", "", g, m.sum(), same=totals[g])
    for var in ("gender", "ethnicity"):
        values = youth[var].astype("string")
        for level in _levels(youth[var]):
            keys, props = [], []
            for g, m in (("subsample", sub), ("msu", msu)):
                n_g = int(m.sum())
                n = int(((values == level) & m).sum())
                keys.append(out.count_pct("subsample_profile", var, level, g, n, base[g],
                                          same=("demographics", var, level, g, "n")))
                props.append(n / n_g if n_g else np.nan)
            out.add("subsample_profile", var, level, "difference", "smd",
                    smd_binary(*props), deps=keys + [base["subsample"], base["msu"]])
    continuous = {"age_w1": pd.to_numeric(youth["age_w1"], errors="coerce")}
    scored = youth[["youth_id"]].astype(str).merge(
        scores_w1.assign(youth_id=scores_w1["youth_id"].astype(str)), on="youth_id", how="left")
    for scale in PROFILE_SCALES:
        if scale in scored:
            continuous[f"{scale} (wave 1)"] = pd.Series(scored[scale].to_numpy(float),
                                                         index=youth.index)
    for var, values in continuous.items():
        samples, keys = [], []
        for g, m in (("subsample", sub), ("msu", msu)):
            x = values[m].dropna()
            samples.append(x)
            same = ("demographics", var, "", g, "n") if var == "age_w1" else None
            k = out.count("subsample_profile", var, "", g, len(x), same=same)
            keys.append(k)
            out.add("subsample_profile", var, "", g, "mean", x.mean() if len(x) else np.nan,
                    deps=[k])
            out.add("subsample_profile", var, "", g, "sd",
                    x.std(ddof=1) if len(x) > 1 else np.nan, deps=[k])
        out.add("subsample_profile", var, "", "difference", "smd", smd(*samples),
                deps=keys)


def _reliability(out: _Rows, table: pd.DataFrame) -> None:
    for row in table.itertuples(index=False):
        wave = "" if pd.isna(row.wave) else f"wave {int(row.wave)}"
        k = out.count("reliability", row.scale, row.table, wave, row.n,
                      unit="pmk" if row.table == "pmk" else "youth")
        out.add("reliability", row.scale, row.table, wave, "n_items", row.n_items, kind="fixed")
        for stat in ("alpha", "alpha_low", "alpha_high", "omega"):
            out.add("reliability", row.scale, row.table, wave, stat, getattr(row, stat),
                    deps=[k])
