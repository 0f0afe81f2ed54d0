"""The sample description: counts, services, demographics, attrition, PMK availability, the
qualitative subsample's profile against the MSU youth, and scale reliability."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._tidy import TidyResult, to_jsonable
from ..errors import UsageError
from .describe_rows import GROUPS, collect_rows
from .gate import Gate, TableSpec, count, gate_for_study, text
from .tables import ApaTable, apa_table, format_apa

if TYPE_CHECKING:
    from ..study import Study

__all__ = ["describe", "Describe", "DESCRIBE_COLUMNS"]

#: columns of :meth:`Describe.to_frame` (``value_suppressed`` flags output-rule suppression)
DESCRIBE_COLUMNS = ["section", "variable", "level", "group", "statistic", "value",
                    "value_suppressed"]
_GROUP_LABELS = {"all": "All", "msu": "MSU", "subsample": "Subsample"}
_SAMPLE_SECTIONS = ("sample", "services", "demographics", "attrition", "pmk")
#: display labels of the tidy table's variable names
_LABELS = {"youth": "Youth", "waves": "Annual waves", "msu": "Multiple-service users (MSU)",
           "qual_subsample": "Qualitative subsample", "youth_waves": "Youth interviews (all waves)",
           "pmk_interviews": "PMK interviews", "number of services": "Number of services",
           "gender": "Gender", "ethnicity": "Ethnicity", "age_w1": "Age at wave 1",
           "wave": "Observed at wave", "all waves": "Observed at all waves",
           "pmk_nominated": "PMK nominated", "welfare": "Service: welfare",
           "justice": "Service: justice", "mental health": "Service: mental health",
           "alternative education": "Service: alternative education"}


def _label(variable: str, level: str) -> str:
    text = _LABELS.get(variable)
    if text is None:
        text = variable.replace("_", " ")
        text = text[:1].upper() + text[1:]
    return text if not level else f"{text}: {level}"


@dataclass(frozen=True, repr=False)
class Describe(TidyResult):
    """The sample description of a study (see :func:`describe`).

    Attributes
    ----------
    frame : pandas.DataFrame
        Tidy long table, columns :data:`DESCRIBE_COLUMNS`.
    output_rules : bool
        Whether the output rules were applied.
    synthetic : bool
        Whether the study is marked synthetic.
    note : str
        The statement of which output rules were applied.
    seed : None
        Kept for existing readers: the rounding is keyed on the study, not on a seed, and
        nothing about it is published.
    artefact : str or None
        Name of the disclosure-gate record of the published values (its tables carry it).
    """

    frame: pd.DataFrame
    output_rules: bool
    synthetic: bool
    note: str
    seed: None = None
    source: str | None = field(default=None)
    artefact: str | None = None

    title = "Study description"

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def value(self, section: str, variable: str, statistic: str = "n", *, level: str = "",
              group: str = "all") -> float:
        """One value of the tidy table (NaN when suppressed); raises UsageError if absent."""
        f = self.frame
        hit = f[(f["section"] == section) & (f["variable"] == variable) & (f["level"] == str(level))
                & (f["group"] == group) & (f["statistic"] == statistic)]
        if len(hit) != 1:
            raise UsageError(f"no single row {section}/{variable}/{level}/{group}/{statistic} "
                             "in the description")
        return float(hit["value"].iloc[0])

    # --- display tables (APA) -------------------------------------------------------------
    def _lookup(self) -> dict:
        f = self.frame
        return {(r.section, r.variable, r.level, r.group, r.statistic): (r.value, r.value_suppressed)
                for r in f.itertuples(index=False)}

    def sample_table(self) -> ApaTable:
        """Table 1: the sample by group, cells ``n (%)`` or ``M (SD)``."""
        look = self._lookup()
        f = self.frame[self.frame["section"].isin(_SAMPLE_SECTIONS)]
        order = list(dict.fromkeys(zip(f["section"], f["variable"], f["level"], strict=True)))
        records = []
        for section, variable, level in order:
            row = {"section": section, "characteristic": _label(variable, level)}
            for g in GROUPS:
                row[g] = _cell(look, (section, variable, level, g))
            if any(row[g] != "" for g in GROUPS):
                records.append(row)
        head = {g: f"{_GROUP_LABELS[g]} (N = {_cell(look, ('sample', 'youth', '', g), plain=True)})"
                for g in GROUPS}
        return apa_table(pd.DataFrame(records), title="Sample description", number=1,
                         note=_note(self, "Cells are n (%) or M (SD); percentages of the group."),
                         labels={"characteristic": "Characteristic", "section": "Section", **head},
                         artefact=self.artefact)

    def profile_table(self) -> ApaTable:
        """Table 2: the qualitative subsample against all MSU youth, with SMDs."""
        look = self._lookup()
        f = self.frame[(self.frame["section"] == "subsample_profile")
                       & (self.frame["variable"] != "youth")]
        order = list(dict.fromkeys(zip(f["variable"], f["level"], strict=True)))
        records = []
        for variable, level in order:
            key = ("subsample_profile", variable, level)
            smd, smd_sup = look.get((*key, "difference", "smd"), (np.nan, False))
            records.append({
                "characteristic": _label(variable, level),
                "subsample": _cell(look, (*key, "subsample")),
                "msu": _cell(look, (*key, "msu")),
                "smd": "S" if smd_sup else format_apa(smd, "number")})
        base = {g: _cell(look, ("subsample_profile", "youth", "", g), plain=True)
                for g in ("subsample", "msu")}
        return apa_table(
            pd.DataFrame(records), title="Qualitative subsample profile against all MSU youth",
            number=2, note=_note(self, "Cells are n (%) or M (SD). SMD: standardised mean "
                                 "difference, subsample minus MSU youth, over the pooled SD "
                                 "(Austin 2009); |SMD| < 0.1 indicates a negligible difference."),
            labels={"characteristic": "Characteristic", "smd": "SMD",
                    "subsample": f"Subsample (n = {base['subsample']})",
                    "msu": f"MSU youth (n = {base['msu']})"}, artefact=self.artefact)

    def reliability_table(self) -> ApaTable:
        """Table 3: reliability per scale and wave (alpha with 95% CI, omega)."""
        f = self.frame[self.frame["section"] == "reliability"]
        if f.empty:
            frame = pd.DataFrame(columns=["scale", "table", "wave", "n", "n_items", "alpha",
                                          "ci", "omega"])
            return apa_table(frame, title="Scale reliability", number=3, note=self.note,
                             artefact=self.artefact)
        keys = list(dict.fromkeys(zip(f["variable"], f["level"], f["group"], strict=True)))
        look = self._lookup()

        def get(key, stat):
            return look.get(("reliability", *key, stat), (np.nan, False))

        ci = []
        for key in keys:
            (lo, s_lo), (hi, _) = get(key, "alpha_low"), get(key, "alpha_high")
            ci.append("S" if s_lo else
                      f"[{format_apa(lo, 'bounded')}, {format_apa(hi, 'bounded')}]")
        frame = pd.DataFrame({
            "scale": [k[0] for k in keys], "table": [k[1] for k in keys],
            "wave": [k[2] for k in keys], "n": [get(k, "n")[0] for k in keys],
            "n_items": [get(k, "n_items")[0] for k in keys],
            "alpha": [get(k, "alpha")[0] for k in keys], "ci": ci,
            "omega": [get(k, "omega")[0] for k in keys],
            "n_suppressed": [bool(get(k, "n")[1]) for k in keys],
            "alpha_suppressed": [bool(get(k, "alpha")[1]) for k in keys],
            "omega_suppressed": [bool(get(k, "omega")[1]) for k in keys]})
        return apa_table(frame, title="Scale reliability by wave", number=3,
                         formats={"n_items": "count"},
                         note=_note(self, "alpha: Cronbach's alpha with Feldt 95% CI; "
                                    "omega: McDonald's omega total (one factor)."),
                         labels={"scale": "Scale", "table": "Reported by", "wave": "Wave",
                                 "n": "n", "n_items": "Items", "alpha": "α",
                                 "ci": "95% CI", "omega": "ω"}, artefact=self.artefact)

    def tables(self) -> dict[str, ApaTable]:
        """The published tables by file stem."""
        return {"sample": self.sample_table(), "subsample_profile": self.profile_table(),
                "reliability": self.reliability_table()}

    def summary(self) -> str:
        parts = []
        for table in self.tables().values():
            cells = table.formatted().drop(columns="section", errors="ignore")
            cells = cells.rename(columns=table.labels)
            title = f"Table {table.number}. {table.title}"
            parts += [title, "-" * len(title), cells.to_string(index=False), ""]
        parts.append(self.note)
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return "\n".join(table.to_html() for table in self.tables().values())

    def to_json(self) -> dict[str, Any]:
        """JSON-ready description: rules applied, note, and the tidy rows (``seed`` is kept
        as a key for existing readers and is always null: nothing about the rounding is
        published)."""
        return to_jsonable({"source": self.source, "synthetic": self.synthetic,
                            "output_rules": self.output_rules, "seed": self.seed,
                            "note": self.note, "rows": self.to_records()})


def _note(result: Describe, text: str) -> str:
    return f"{text} {result.note}"


def _cell(look: dict, key: tuple, *, plain: bool = False) -> str:
    """``n (%)``, ``M (SD)``, ``n`` or the design number for one row/group of the table."""
    def get(stat):
        return look.get((*key, stat))
    n, pct, mean, sd, number = (get(s) for s in ("n", "percent", "mean", "sd", "number"))
    if mean is not None:
        if mean[1]:
            return "S"
        return f"{format_apa(mean[0], 'number')} ({format_apa(sd[0] if sd else np.nan, 'number')})"
    if n is not None:
        if n[1]:
            return "S"
        text = format_apa(n[0], "count")
        if pct is not None and not plain:
            text += f" ({'S' if pct[1] else format_apa(pct[0], 'percent')})"
        return text
    if number is not None:
        return format_apa(number[0], "count")
    return ""


def _resolve_same(df: pd.DataFrame) -> list:
    """``_same`` of every row pointing at a count that has its own value.

    A percentage's numerator is always a subset of its denominator's youth, so a numerator
    equal to its denominator counts the same youth and is published as that count (this is
    how "observed at wave 1" in a group stays at 100% after rounding).
    """
    row_of = dict(zip(df["_key"], df.index, strict=True))
    same = {k: (v if isinstance(v, tuple) else None)
            for k, v in zip(df["_key"], df["_same"], strict=True)}
    for num, den in zip(df.loc[df["_kind"] == "percent", "_num"],
                        df.loc[df["_kind"] == "percent", "_den"], strict=True):
        if same[num] is None and df.at[row_of[num], "value"] == df.at[row_of[den], "value"]:
            same[num] = den

    def root(key):
        for _ in range(len(same)):
            if same[key] is None:
                return key
            key = same[key]
        raise RuntimeError("describe: circular same-count references")

    return [None if same[k] is None else root(same[k]) for k in df["_key"]]


def _gate_counts(df: pd.DataFrame, own: pd.Series, gate: Gate, name: str) -> None:
    """Publish the counts of ``df`` (rows ``own``) through ``gate``, in place.

    The counts go to the gate as one table: one column per unit, one row per count, and a
    ``part`` column whose groups are the partitions (the levels of one variable in one group
    sum to its published total, so secondary suppression runs within each); a count in no
    partition is a group of its own.
    """
    rows = df.index[own]
    units = list(dict.fromkeys(df.loc[rows, "_unit"]))
    parts = [p if isinstance(p, str) else f"\x00{k}" for p, k in
             zip(df.loc[rows, "_part"], df.loc[rows, "_key"], strict=True)]
    frame = pd.DataFrame({"part": parts}, index=range(len(rows)))
    for u in units:
        frame[u] = np.where(df.loc[rows, "_unit"].to_numpy() == u,
                            df.loc[rows, "value"].to_numpy(float), np.nan)
    spec = TableSpec({"part": text(), **{u: count(u) for u in units}}, totals="columns",
                     by=("part",))
    gated = gate.table(frame, spec, name=name)
    for pos, i in enumerate(rows):
        u = df.at[i, "_unit"]
        flag = gated.flags[u].iloc[pos]
        value = gated.frame[u].iloc[pos]
        df.at[i, "value"] = np.nan if flag or pd.isna(value) else float(value)
        df.at[i, "value_suppressed"] = bool(flag)


def _apply_rules(df: pd.DataFrame, *, gate: Gate, name: str) -> pd.DataFrame:
    df = df.copy()
    df["value_suppressed"] = False
    df["_same"] = _resolve_same(df)
    counts = df["_kind"] == "count"
    own = counts & df["_same"].isna()
    raw = dict(zip(df.loc[own, "_key"], df.loc[own, "value"], strict=True))
    for key, same, value in zip(df.loc[counts & ~own, "_key"], df.loc[counts & ~own, "_same"],
                                df.loc[counts & ~own, "value"], strict=True):
        if raw.get(same) != value:  # a programming error, never the user's
            raise RuntimeError(f"describe: count {key} is not the same as {same}")
    _gate_counts(df, own, gate, name)
    look = {k: (v, s) for k, v, s in zip(df.loc[own, "_key"], df.loc[own, "value"],
                                          df.loc[own, "value_suppressed"], strict=True)}
    for i in df.index[counts & ~own]:
        value, flag = look[df.at[i, "_same"]]
        df.at[i, "value"], df.at[i, "value_suppressed"] = value, flag
        look[df.at[i, "_key"]] = (value, flag)
    for i in df.index[df["_kind"] == "percent"]:
        (num, num_s), (den, den_s) = look[df.at[i, "_num"]], look[df.at[i, "_den"]]
        df.at[i, "value_suppressed"] = bool(num_s or den_s)
        # rounded separately, a part can exceed its whole: it is shown as the whole (100%)
        df.at[i, "value"] = (np.nan if (num_s or den_s or not den)
                             else min(100.0 * num / den, 100.0))
    for i in df.index[df["_kind"] == "stat"]:
        if any(look[k][1] for k in df.at[i, "_deps"]):
            df.at[i, "value_suppressed"] = True
            df.at[i, "value"] = np.nan
    return df[DESCRIBE_COLUMNS].reset_index(drop=True)


def describe(study: Study, *, output_rules: bool | None = None, seed: int | None = None,
             base: int = 3, threshold: int = 6, reliability: bool = True,
             gate: Gate | None = None, name: str = "describe") -> Describe:
    """Describe the sample of a study: the tables a paper's method section reports.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`youthtransitions.load_study`).
    output_rules : bool, optional
        Apply the output rules (consistent rounding to base 3, suppression of counts below
        ``threshold``, secondary suppression). Default: on unless the study is marked
        synthetic. Ignored when ``gate`` is given (the gate decided).
    seed : int, optional
        Deprecated and ignored: counts are rounded consistently per study by the disclosure
        gate, whatever the seed.
    base, threshold : int
        Rounding base and suppression threshold of the output rules (when no ``gate``).
    reliability : bool, default True
        Include the reliability table (``youthtransitions.study.reliability``).
    gate : Gate, optional
        The run's disclosure gate (:func:`~youthtransitions.report.gate.gate_for_study`), so
        each count is published as the same value as in every other output of the run;
        built from the study when not given.
    name : str, default "describe"
        The artefact's name in the gate's log.

    Returns
    -------
    Describe
        ``to_frame()`` is the tidy long table ``section, variable, level, group, statistic,
        value, value_suppressed``. Sections: ``sample`` (youth, MSU, qualitative subsample,
        waves, youth-wave records, PMK interviews), ``services`` (each of the four services
        and the number of services, all youth and MSU), ``demographics`` (gender, ethnicity,
        age at wave 1), ``attrition`` (youth observed at each wave and at all waves),
        ``pmk`` (PMK nominated, PMK interviews, youth with a PMK interview), for the groups
        ``all``, ``msu`` and ``subsample``; ``subsample_profile`` (the qualitative subsample
        against all MSU youth: age, gender, ethnicity and wave-1 contextual risk, individual
        risk and resilience, with standardised mean differences in group ``difference``);
        ``reliability`` (scale, table and wave; n, items, alpha with CI, omega).

    Notes
    -----
    Percentages are of the group's youth. SMD for a continuous variable is
    :math:`(\\bar x_s - \\bar x_m) / \\sqrt{(s_s^2 + s_m^2)/2}` and for a level of a
    categorical variable :math:`(p_s - p_m) / \\sqrt{(p_s(1-p_s) + p_m(1-p_m))/2}` (Austin
    2009); the subsample is part of the MSU group it is compared with, as in the paper ("the
    subsample reflected the age, gender, ethnicity, risk and resilience profiles of the 506
    youth"). With output rules, counts are suppressed and rounded (:mod:`.output_rules`; the
    levels of a categorical variable in a group sum to the group total, so secondary
    suppression applies to them), percentages are recomputed from the rounded counts, and
    means, SDs, SMDs and reliabilities resting on a suppressed count are suppressed.
    Checked against closed forms and the shipped synthetic study's published counts in
    ``tests/report/test_description.py``.
    """
    for table in ("youth", "waves"):
        if not isinstance(getattr(study, table, None), pd.DataFrame):
            raise UsageError(f"describe needs a Study with a {table} table, got "
                             f"{type(study).__name__}")
    missing = [c for c in ("youth_id", "gender", "ethnicity", "age_w1", "pmk_nominated",
                           "qual_subsample", "svc_welfare", "svc_justice", "svc_mental_health",
                           "svc_alt_education") if c not in study.youth.columns]
    if missing:
        raise UsageError(f"table youth lacks column(s) {', '.join(missing)}")
    if seed is not None:
        warnings.warn("describe(seed=...) is ignored: counts are rounded consistently per "
                      "study by the disclosure gate (docs/output-rules.md)",
                      DeprecationWarning, stacklevel=2)
    if gate is None:
        gate = gate_for_study(study, output_rules=output_rules, base=base,
                              threshold=threshold)
    scores = _wave1_scores(study)
    rel = None
    if reliability:
        from ..study.reliability import reliability as study_reliability
        rel = study_reliability(study).to_frame()
    rows = pd.DataFrame(collect_rows(study.youth, study.waves, study.pmk, scores, rel))
    frame = _apply_rules(rows, gate=gate, name=name)
    return Describe(frame=frame, output_rules=gate.applied, synthetic=bool(study.synthetic),
                    note=gate.note_text, source=study.source, artefact=name)


def _wave1_scores(study: Study) -> pd.DataFrame:
    scores = study.wave_scores()
    return scores[scores["wave"] == 1].drop(columns="wave").drop_duplicates("youth_id")
