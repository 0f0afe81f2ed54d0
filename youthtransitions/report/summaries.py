"""What the analysis steps hand to each other: the JSON summaries, declared once.

A step writes a summary with :meth:`StepContext.write_json
<youthtransitions.report.pipeline.StepContext.write_json>` and a later step reads it back
with ``read_json``; both check it against the ``TypedDict`` declared here, so a renamed or
missing key fails where it is written or read, naming the file and the key, instead of
turning into a silent ``None`` in the replication table. The builders below are the only
code that fills them.
"""

# no ``from __future__ import annotations``: TypedDict reads NotRequired from evaluated
# annotations only (Python 3.11)
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, get_type_hints, is_typeddict

import pandas as pd

from ..errors import UsageError
from ..models.worker_share import WORKER_SHARE_SPEC
from .gate import TableSpec, count, denominator, design, estimate, mean_indicator, text
from .replication import decide

__all__ = ["SampleCounts", "Estimate", "HeadlineSummary", "WorkerShareSummary", "Synergy",
           "QualitativeSummary", "SUMMARIES", "SUMMARY_SPECS", "ESTIMATE_ROWS",
           "WORKER_SHARE_B", "check_summary", "sample_counts", "first_interview_age",
           "headline_summary", "worker_share_summary", "qualitative_summary",
           "excerpt_segments"]


class SampleSettings(TypedDict):
    """Design parameters of the sample (``settings`` of ``sample_counts.json``)."""

    n_waves: float


class SampleCounts(TypedDict):
    """``sample_counts.json`` (step 01): the sample's published figures.

    Built exact inside the run; the gate publishes it (``n_waves``, a design parameter, then
    sits under ``settings``). ``checks`` holds each figure's pass or fail decided on the
    exact values when the output rules change the published ones.
    """

    n_youth: float
    n_msu: float
    n_subsample: float
    subsample_pmk_share: float
    n_waves: NotRequired[float]
    settings: NotRequired[SampleSettings]
    checks: NotRequired[dict[str, str]]
    #: the rules' sentence, when they were turned off on data not marked synthetic
    output_rules: NotRequired[str]
    #: with codes only: youth with codes from each source, and the mean age at first interview
    youth_interviews: NotRequired[float]
    pmk_interviews: NotRequired[float]
    case_summaries: NotRequired[float]
    subsample_mean_age: NotRequired[float]


class Estimate(TypedDict):
    """One row of :meth:`VarianceExplained.to_frame`."""

    estimand: str
    estimate: float
    conf_low: float
    conf_high: float


class HeadlineSummary(TypedDict):
    """``headline.json`` (step 02): every headline estimand with its interval."""

    estimates: list[Estimate]
    output_rules: NotRequired[str]


class WorkerSettings(TypedDict):
    """Design parameters of the worker share (``settings`` of ``workers.json``)."""

    B: float


class WorkerEstimate(Estimate):
    """One row of :meth:`WorkerShareResult.to_frame`: an estimate with the youth and
    workers its model rests on (``n_workers`` missing for the binary outcome's model)."""

    n_youth: float
    n_workers: float | None


class WorkerShareSummary(TypedDict):
    """``workers.json`` (step 02, when the study names workers): the three estimands
    of :func:`~youthtransitions.models.worker_share.worker_share` with their intervals and
    the bootstrap draws taken (``B``, a design parameter, published under ``settings``)."""

    estimates: list[WorkerEstimate]
    B: NotRequired[float]
    settings: NotRequired[WorkerSettings]
    output_rules: NotRequired[str]


class Synergy(TypedDict):
    """The synergy test of the integration table."""

    estimate: float
    conf_low: float
    conf_high: float
    p_holm: float


class QualitativeSummary(TypedDict):
    """``qualitative.json`` (step 05): activation of the four mechanisms and synergy."""

    all_four_share: float
    n_youth: int
    synergy: Synergy
    all_four_ci: NotRequired[list[float]]
    checks: NotRequired[dict[str, str]]
    output_rules: NotRequired[str]


#: summary file stem -> its declaration
SUMMARIES: dict[str, type] = {"sample_counts": SampleCounts, "headline": HeadlineSummary,
                              "workers": WorkerShareSummary,
                              "qualitative": QualitativeSummary}

#: the kinds of one estimand per row with its interval (:class:`Estimate`)
ESTIMATE_ROWS = TableSpec({"estimand": text(), "estimate": estimate(), "conf_low": estimate(),
                           "conf_high": estimate()}, totals="none")

#: summary file stem -> what each key is, for the disclosure gate
SUMMARY_SPECS: dict[str, TableSpec] = {
    "sample_counts": TableSpec({
        "n_youth": count("youth"), "n_msu": count("youth"), "n_waves": design(),
        "settings.n_waves": design(), "n_subsample": denominator("youth"),
        "subsample_pmk_share": mean_indicator("n_subsample"),
        "youth_interviews": count("youth"), "pmk_interviews": count("youth"),
        "case_summaries": count("youth"),
        "subsample_mean_age": estimate(rests_on="n_subsample"), "checks": text()}),
    "headline": TableSpec({"estimates": ESTIMATE_ROWS}),
    "workers": TableSpec({"estimates": WORKER_SHARE_SPEC, "B": design(),
                          "settings.B": design()}),
    "qualitative": TableSpec({
        "all_four_share": mean_indicator("n_youth"), "n_youth": denominator("youth"),
        "all_four_ci": estimate(rests_on="n_youth"), "synergy": estimate(),
        "checks": text()}),
}


def _check(obj: Any, schema: type, where: str) -> None:
    if not isinstance(obj, Mapping):
        raise UsageError(f"{where} must be a JSON object, got {type(obj).__name__}")
    missing = sorted(schema.__required_keys__ - set(obj))
    unknown = sorted(set(obj) - schema.__required_keys__ - schema.__optional_keys__)
    if missing or unknown:
        parts = ([f"lacks {', '.join(missing)}"] if missing else []) + (
            [f"has undeclared {', '.join(unknown)}"] if unknown else [])
        raise UsageError(f"{where} {' and '.join(parts)} (declared in "
                         f"youthtransitions.report.summaries.{schema.__name__})")
    hints = get_type_hints(schema)
    for key, value in obj.items():
        hint = hints[key]
        args = getattr(hint, "__args__", ())
        if is_typeddict(hint):
            _check(value, hint, f"{where}, key {key!r},")
        elif getattr(hint, "__origin__", None) is list and args and is_typeddict(args[0]):
            for i, item in enumerate(value):
                _check(item, args[0], f"{where}, {key}[{i}],")


def check_summary(name: str, obj: Any, *, where: str | None = None) -> Any:
    """Return ``obj`` if it has exactly the keys :data:`SUMMARIES` declares for ``name``.

    Raises :class:`~youthtransitions.errors.UsageError` naming the file, the missing and the
    undeclared keys; a name that is not declared is not a summary another step can read.
    """
    if name not in SUMMARIES:
        raise UsageError(f"{name}.json is not a declared step summary; declared: "
                         f"{', '.join(SUMMARIES)}")
    _check(obj, SUMMARIES[name], where or f"{name}.json")
    return obj


def first_interview_age(study: Any) -> float:
    """Mean age at the first qualitative interview of the subsample youth with codes.

    Notes
    -----
    Age at wave 1 plus the time from the wave-1 survey interview to the survey interview of
    the youth's first qualitative round (qualitative round r is survey wave r), in years of
    365.25 days.
    """
    codes, waves = study.codes, study.waves
    first = codes.groupby("youth_id", observed=True)["wave"].min().rename("round")
    dates = waves.pivot_table(index="youth_id", columns="wave", values="interview_date",
                              aggfunc="first", observed=True)
    ages = study.youth.set_index("youth_id")["age_w1"].astype(float)
    frame = first.to_frame().join(ages)
    shift = [0.0 if r == 1 or y not in dates.index
             else (dates.loc[y, r] - dates.loc[y, 1]).days / 365.25
             for y, r in frame["round"].items()]
    return float((frame["age_w1"] + shift).mean())


def _code_counts(study: Any) -> dict[str, float]:
    """Youth with youth-interview, PMK-interview and case-summary codes (exact)."""
    by_source = study.codes.groupby("source", observed=True)["youth_id"].nunique()
    names = {"youth_interviews": "youth_interview", "pmk_interviews": "pmk_interview",
             "case_summaries": "case_summary"}
    return {k: float(by_source.get(s, 0)) for k, s in names.items()}


def sample_counts(description: Any, study: Any, *, checks: bool = False) -> SampleCounts:
    """The sample's figures, exact: publish them with ``ctx.write_json(...,
    spec=SUMMARY_SPECS["sample_counts"])``.

    ``description`` is the study's description WITHOUT output rules
    (``describe(study, output_rules=False)``); the gate publishes each count as the sample
    table does (one count, one value). ``checks=True`` (the output rules apply) adds each
    figure's pass or fail decided on these exact values (:func:`~.replication.decide`).
    """
    value = description.value
    counts: dict[str, Any] = {
        "n_youth": value("sample", "youth"), "n_msu": value("sample", "msu"),
        "n_waves": value("sample", "waves", "number"),
        "n_subsample": value("sample", "qual_subsample", group="msu"),
        "subsample_pmk_share": value("pmk", "pmk_nominated", "percent",
                                     group="subsample") / 100}
    if study.codes is not None and len(study.codes):
        counts.update(_code_counts(study))
        counts["subsample_mean_age"] = first_interview_age(study)
    if checks:
        counts["checks"] = decide(counts=counts)
    return check_summary("sample_counts", counts)


def headline_summary(shares: Any) -> HeadlineSummary:
    """Every estimand of :func:`~youthtransitions.variance_explained` with its interval."""
    return check_summary("headline", {"estimates": shares.to_records()})


#: most cluster-bootstrap draws of the worker share in ``yt replicate`` (fewer when its B
#: option is smaller): a draw refits two crossed models and a GLMM (about 0.17 CPU seconds on
#: the shipped study), so the headline's B = 1000 would add about three minutes, past the
#: run's two-minute budget; at 200 the Monte Carlo error of a 95% percentile limit is about a
#: fifth of the bootstrap SD, 0.003 or less here (docs/methods.md)
WORKER_SHARE_B = 200


def worker_share_summary(result: Any, B: int) -> WorkerShareSummary:
    """The estimands of a :class:`~youthtransitions.models.worker_share.WorkerShareResult`
    with their intervals, and the ``B`` bootstrap draws asked for."""
    return check_summary("workers", {"estimates": result.to_records(), "B": float(B)})


def qualitative_summary(features: pd.DataFrame, integration: Any, *,
                        checks: bool = False) -> QualitativeSummary:
    """Share of the coded youth with all four mechanisms active, and the synergy test.

    ``features`` is :func:`~youthtransitions.qual.quantitize`'s table, ``integration`` an
    :class:`~youthtransitions.qual.IntegrationResult`. Exact; ``checks=True`` adds the pass
    or fail of its replication rows decided on these values.
    """
    table = integration.to_frame()
    synergy = table[table["family"] == "synergy"]
    if synergy.empty:
        raise UsageError("the integration table has no synergy test")
    row = synergy.iloc[0]
    out: dict[str, Any] = {
        "all_four_share": float(features["all_active"].mean()), "n_youth": len(features),
        "synergy": {"estimate": row["estimate"], "conf_low": row["conf_low"],
                    "conf_high": row["conf_high"], "p_holm": row["p_holm"]}}
    if checks:
        out["checks"] = decide(qualitative=out)
    return check_summary("qualitative", out)


def excerpt_segments(codes: pd.DataFrame, excerpts: pd.Series) -> pd.Series:
    """The segment id of each excerpt (the first segment holding that text, by id; None for
    an empty cell): what the disclosure gate shows in place of an excerpt it withholds."""
    first = (codes.dropna(subset=["excerpt"]).sort_values("segment_id", kind="stable")
             .drop_duplicates("excerpt").set_index("excerpt")["segment_id"])
    return excerpts.map(lambda t: None if not isinstance(t, str) or not t
                        else first.get(t)).astype(object)
