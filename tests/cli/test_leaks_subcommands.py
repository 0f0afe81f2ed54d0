"""Leak scan of every gated sub-command on data marked real.

A copy of the shipped study marked real (``"synthetic": false``) and a loose ten-youth codes
file go through ``yt codes``, ``yt qca``, ``yt pmk``, ``yt fit``, ``yt pool`` and
``yt simulate``, as text and as JSON; the scanner (:func:`find_leaks`) reads what they print
for counts that are not multiples of 3 or lie from 1 to 5 (design values declared by the
command excepted), shares of an exact denominator, youth identifiers, excerpts and the
rounding secret. One count published by two commands must read the same in both.
"""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.cli import main
from youthtransitions.qual import quantitize
from youthtransitions.qual.configurations import MECHANISMS
from youthtransitions.qual.integrate import youth_outcomes
from youthtransitions.report.gate import SECRET_ENV, Gate, find_leaks

#: wave numbers in labels ("waves 1-3") and a random intercept "(1 | id)"
LABEL_NUMBERS = {1, 2, 3}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The real-marked study, the loose files and the secret of this module."""
    root = tmp_path_factory.mktemp("leaks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, str(root / "config" / "disclosure-secret"))
        study_dir = root / "study"
        shutil.copytree(yt.SHIPPED_STUDY, study_dir)
        meta = json.loads((study_dir / "study.json").read_text())
        meta["synthetic"] = False
        (study_dir / "study.json").write_text(json.dumps(meta))
        study = yt.load_study(study_dir)
        frame = study.analysis_frame()
        sub = set(study.youth.loc[study.youth["qual_subsample"] == 1, "youth_id"])
        # the qualitative subsample's survey rows, inside the study folder, so the fit below
        # is keyed like the study and publishes its youth count as yt codes does
        cols = ["youth_id", "wave", "wellbeing", "relationship_quality"]
        subsample = frame.loc[frame["youth_id"].isin(sub), cols]
        # a binary outcome for the GLMM
        subsample = subsample.assign(high=(subsample["wellbeing"] >= 3.5).astype(float))
        # and the worker each youth named, for a model of youth who share workers
        subsample = subsample.merge(study.waves[["youth_id", "wave", "worker_id"]],
                                    on=["youth_id", "wave"], how="left")
        subsample.to_parquet(study_dir / "subsample.parquet")
        loose = root / "loose"
        loose.mkdir()
        ten = sorted(study.codes["youth_id"].unique())[:10]
        study.codes[study.codes["youth_id"].isin(ten)].to_parquet(loose / "codes.parquet")
        features = quantitize(study.codes)
        outcomes = youth_outcomes(study)
        sets = features[["youth_id", *[f"{m}_active" for m in MECHANISMS]]].merge(
            outcomes[["youth_id", "wellbeing_change"]], on="youth_id")
        sets = sets.assign(change=(sets["wellbeing_change"] > 0).astype(int)).drop(
            columns="wellbeing_change")
        sets[[c for c in sets.columns if c.endswith("_active")]] = \
            sets[[c for c in sets.columns if c.endswith("_active")]].astype(int)
        sets.to_csv(loose / "sets.csv", index=False)
        long = frame[cols].dropna()
        long.to_parquet(loose / "imp1.parquet")
        long.assign(wellbeing=long["wellbeing"] + 0.01).to_parquet(loose / "imp2.parquet")
        study = yt.load_study(study_dir)  # with the subsample file: the fingerprint used
        excerpts = [e for e in study.codes["excerpt"].dropna().unique() if len(e) > 25][:50]
        yield {"root": root, "study": study_dir, "loose": loose, "ids": sorted(
            study.youth["youth_id"]), "excerpts": excerpts,
            "workers": sorted(study.waves["worker_id"].dropna().astype(str).unique()), "secret_path":
            root / "config" / "disclosure-secret", "exact": _exact(study)}


def _exact(study) -> list[int]:
    """Exact counts of the study a share could be a fraction of."""
    wide = yt.pmk.availability(study)
    counts = {wide.n, wide.n_available, wide.n_model}
    counts |= set(wide.sample_loss["n_total"]) | set(wide.sample_loss["n_complete"])
    counts |= set(wide.balance["n_with"]) | set(wide.balance["n_without"])
    counts.add(int(study.codes["youth_id"].nunique()))
    return sorted(int(c) for c in counts)


def _run(world, capsys, *argv) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, str(world["secret_path"]))
        assert main([str(a) for a in argv]) == 0
    return capsys.readouterr().out


def _forbidden(world) -> list[str]:
    secret = world["secret_path"].read_bytes() if world["secret_path"].exists() else b""
    return [secret.hex(), *world["ids"], *world["workers"], *world["excerpts"]]


def _scan(world, text: str, design=()):
    """Counts and forbidden strings in printed text (decimals printed to four places fit too
    many k/N to judge; shares are checked at full precision in the JSON)."""
    # the rules sentence states the rules' own numbers, paths hold the temporary folder's,
    # and exponents of p-values are not counts
    note = Gate("fp", synthetic=False).note_text
    text = text.replace(note, "").replace(json.dumps(note)[1:-1], "")
    text = re.sub(r"e[-+]\d+", "", text.replace(str(world["root"]), "ROOT"))
    leaks = find_leaks(text, design_values=LABEL_NUMBERS | set(design),
                       forbidden=_forbidden(world))
    assert not leaks, "\n".join(map(str, leaks[:20]))


def _floats(obj) -> list[float]:
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _floats(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _floats(v)]
    return [obj] if isinstance(obj, float) else []


def _scan_shares(world, payload):
    """No published decimal is k/N of an exact count N of the study."""
    values = pd.DataFrame({"value": _floats(payload)}, dtype=float)
    leaks = find_leaks(values, exact_denominators=world["exact"])
    assert not leaks, "\n".join(map(str, leaks[:20]))


def _commands(world):
    s, loose = world["study"], world["loose"]
    return {
        "codes": (["codes", s / "codes.parquet"], {0}),
        "codes_loose": (["codes", loose / "codes.parquet"], {0}),
        # row numbers of the 16 configurations and the 0/1 memberships are labels
        "qca": (["qca", loose / "sets.csv", "--outcome", "change", "--conditions",
                 ",".join(f"{m}_active" for m in MECHANISMS), "--cases", "youth_id"],
                set(range(17)) | {0.8}),
        "pmk": (["pmk", s, "--m", 2, "--seed", 7], {2, 7}),
        "fit": (["fit", s / "subsample.parquet", "--formula",
                 "wellbeing ~ relationship_quality", "--group", "youth_id"], {0, 95}),
        "pool": (["pool", loose / "imp1.parquet", loose / "imp2.parquet", "--formula",
                  "wellbeing ~ relationship_quality", "--group", "youth_id"], {2, 1987}),
        # the inference tables: parameter counts and F-test numerator df are design values,
        # and the bins of the random-effect summary are labelled "bin i of 10"
        "fit_inference": (["fit", s / "subsample.parquet", "--formula",
                           "wellbeing ~ relationship_quality + wave", "--group", "youth_id",
                           "--random", "1 + wave", "--compare", "wellbeing ~ wave",
                           "--anova", "kenward-roger", "--ddf", "kenward-roger", "--ranef"],
                          {0, 95, *range(11)}),
        "fit_profile": (["fit", s / "subsample.parquet", "--formula",
                         "wellbeing ~ relationship_quality", "--group", "youth_id",
                         "--anova", "--profile"], {0, 95}),
        "fit_glmm": (["fit", s / "subsample.parquet", "--formula",
                      "high ~ relationship_quality + wave + (1 | youth_id)", "--family",
                      "binomial", "--compare", "high ~ wave", "--ranef"], {0, *range(11)}),
        "fit_terms": (["fit", s / "subsample.parquet", "--formula",
                       "wellbeing ~ relationship_quality + (1 | youth_id) + (1 | wave)",
                       "--ranef"], {0, *range(11)}),
        "fit_workers": (["fit", s / "subsample.parquet", "--formula",
                         "wellbeing ~ relationship_quality + (1 | youth_id) + (1 | worker_id)",
                         "--ranef"], {0, *range(11)}),
        # the bootstrap's B and seed are design values
        "fit_boot": (["fit", s / "subsample.parquet", "--formula",
                      "wellbeing ~ relationship_quality + wave", "--group", "youth_id",
                      "--compare", "wellbeing ~ wave", "--bootstrap", 20, "--seed", 11],
                     {0, 11, 20, 95, *range(11)}),
        "fit_glmm_boot": (["fit", s / "subsample.parquet", "--formula",
                           "high ~ relationship_quality + (1 | youth_id)", "--family",
                           "binomial", "--bootstrap", 20, "--seed", 11], {0, 11, 20, 95}),
        # a random slope: the model without its R²
        "fit_glmm_slope": (["fit", s / "subsample.parquet", "--formula",
                            "high ~ relationship_quality + wave + (1 + wave | youth_id)",
                            "--family", "binomial"], {0, 95}),
    }


FIT = ["fit_inference", "fit_profile", "fit_glmm", "fit_terms", "fit_workers", "fit_boot",
       "fit_glmm_boot", "fit_glmm_slope"]


@pytest.mark.parametrize("name", ["codes", "codes_loose", "qca", "pmk", "fit", "pool", *FIT])
@pytest.mark.parametrize("as_json", [False, True])
def test_nothing_leaks_on_real_data(world, capsys, name, as_json):
    argv, design = _commands(world)[name]
    out = _run(world, capsys, *argv, *(["--json"] if as_json else []))
    assert "Output rules applied" in out
    if as_json:
        payload = json.loads(out)
        settings = payload.pop("settings", {})
        _scan(world, json.dumps(payload), design)
        _scan_shares(world, payload)
        assert isinstance(settings, dict)
    else:
        _scan(world, out, design)


def test_simulate_is_synthetic_and_says_so(world, capsys):
    out = _run(world, capsys, "simulate", "--reps", 1, "--bootstrap", 2, "--seed", 3)
    assert "Output rules not applied (synthetic data)" in out
    payload = json.loads(_run(world, capsys, "simulate", "--reps", 1, "--bootstrap", 2,
                              "--seed", 3, "--json"))
    assert payload["settings"]["reps"] == 1 and payload["settings"]["B"] == 2
    rows = pd.DataFrame(payload["rows"])
    assert {"estimand", "bias", "coverage", "reps"} <= set(rows.columns)


def test_qca_lists_case_identifiers_only_when_rules_are_off(world, capsys):
    argv, _ = _commands(world)["qca"]
    gated = json.loads(_run(world, capsys, *argv, "--json"))
    assert all(r["cases"] is None for r in gated["truth_table"])
    assert all(r["n"] is None or (r["n"] % 3 == 0 and r["n"] >= 6)
               for r in gated["truth_table"])
    # inclusion and PRI of a row whose count is suppressed are suppressed with it
    assert all(r["incl"] is None and r["pri"] is None
               for r in gated["truth_table"] if r["n"] is None)
    open_ = json.loads(_run(world, capsys, *argv, "--json", "--no-output-rules"))
    assert any(r["cases"] for r in open_["truth_table"])
    assert "Output rules turned off" in open_["output_rules"]


@pytest.mark.parametrize("name", ["codes", "codes_loose", "qca", "pmk", "fit", "pool"])
def test_no_output_rules_says_so_on_every_output(world, capsys, name):
    argv, _ = _commands(world)[name]
    text = _run(world, capsys, *argv, "--no-output-rules")
    note = "Output rules turned off (--no-output-rules) on data not marked synthetic"
    assert note in text and "Output rules applied" not in text
    assert note in json.loads(_run(world, capsys, *argv, "--no-output-rules",
                                   "--json"))["output_rules"]


def test_the_same_count_reads_the_same_in_every_command(world, capsys):
    """The subsample's youth: counted by yt codes (youth coded) and by yt fit (groups)."""
    codes = json.loads(_run(world, capsys, "codes", world["study"] / "codes.parquet",
                            "--json"))
    argv, _ = _commands(world)["fit"]
    fit = json.loads(_run(world, capsys, *argv, "--json"))
    exact_codes = json.loads(_run(world, capsys, "codes", world["study"] / "codes.parquet",
                                  "--json", "--no-output-rules"))["youth"]
    exact_fit = json.loads(_run(world, capsys, *argv, "--json", "--no-output-rules"))
    assert exact_codes == exact_fit["n_groups"]  # the same youth, counted twice
    assert codes["youth"] == fit["n_groups"]
    # and the same within one command: the youth of the multiple imputation and of the
    # availability summary of yt pmk
    pmk = json.loads(_run(world, capsys, "pmk", world["study"], "--m", 2, "--json"))
    mi = next(r for r in pmk["methods"] if r["method"] == "multiple_imputation")
    assert mi["n"] == pmk["availability"]["n"]
    # degrees of freedom agree with the published n: complete cases rest on n - 2
    cc = next(r for r in pmk["methods"] if r["method"] == "complete_cases")
    assert cc["df"] == cc["n"] - 2


def test_the_scan_finds_what_the_rules_remove(world, capsys):
    """A positive control: with the rules off, the ten-youth file's small counts and the
    qca case labels are found."""
    argv, design = _commands(world)["codes_loose"]
    with pytest.raises(AssertionError, match="count"):
        _scan(world, _run(world, capsys, *argv, "--no-output-rules"), design)
    argv, design = _commands(world)["qca"]
    with pytest.raises(AssertionError, match="forbidden"):
        _scan(world, _run(world, capsys, *argv, "--json", "--no-output-rules"), design)


def test_the_scan_finds_per_youth_random_effects_with_the_rules_off(world, capsys):
    """A positive control for the random-effect summary: with the rules off the per-level
    rows carry the youth identifiers, which the scan finds."""
    argv, design = _commands(world)["fit_terms"]
    with pytest.raises(AssertionError, match="forbidden"):
        _scan(world, _run(world, capsys, *argv, "--json", "--no-output-rules"), design)


def test_worker_ids_are_published_only_with_the_rules_off(world, capsys):
    """Positive control of the worker scan: with the rules off the per-level modes name the
    workers, with them on (the scan above) no worker id appears."""
    argv, _ = _commands(world)["fit_workers"]
    out = _run(world, capsys, *argv, "--json", "--no-output-rules")
    assert any(w in out for w in world["workers"])
