"""``yt replicate`` on the shipped study marked as real data: nothing it writes or prints leaks.

One run (module fixture, small m, B and permutations) on a copy of the shipped study with
``"synthetic": false`` and a private rounding secret. Every artefact of the folder is scanned
with :func:`~youthtransitions.report.gate.find_leaks` and by the declared kind of each column
(``disclosure.json`` lists them): counts that are not multiples of 3 or lie in 1-5, shares
equal to k/N for an exact N of the study that differs from the published one, excerpt text, the
seed and the secret, and one count published with two values. Figures are checked through the
data handed to the drawing functions. Design parameters are excepted by their declared kind
(the ``settings`` of JSON, ``design`` columns), never by name.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions.cli import main
from youthtransitions.report import figures
from youthtransitions.report.gate import SECRET_ENV, find_leaks, gate_for_study
from youthtransitions.report.replication import PUBLISHED

pytestmark = pytest.mark.slow

SMALL = {"m": 5, "B": 50, "n_perm": 200}
SEED = 7317
#: the drawing functions of report.figures whose data the test records
DRAWING = ("trajectories", "mean_trajectories", "variance_decomposition", "sensitivity_plot",
           "power_quadrant", "power_quadrant_cells", "truth_table_plot")
COUNT_KIND = re.compile(r"^(count|denominator|model_size)\b")
RATIO_KIND = re.compile(r"^(share|mean_indicator)\b")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("real")
    study_dir = base / "study"
    shutil.copytree(yt.shipped_study_path(), study_dir)
    meta = json.loads((study_dir / "study.json").read_text())
    meta["synthetic"] = False
    (study_dir / "study.json").write_text(json.dumps(meta, indent=2))
    secret = base / "config" / "disclosure-secret"
    out = base / "results"
    drawn: dict[str, list[pd.DataFrame]] = {}
    console = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, str(secret))
        mp.setattr("youthtransitions.report.pipeline.DEFAULT_OPTIONS", dict(SMALL))
        for name in DRAWING:
            original = getattr(figures, name)

            def record(*args, _name=name, _original=original, **kwargs):
                drawn.setdefault(_name, []).extend(
                    a for a in (*args, *kwargs.values()) if isinstance(a, pd.DataFrame))
                return _original(*args, **kwargs)

            mp.setattr(figures, name, record)
        with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
            rc = main(["replicate", str(study_dir), "--out", str(out), "--seed", str(SEED)])
        study = yt.load_study(study_dir)
        gate = gate_for_study(study)
        gate.rounder  # noqa: B018  (reads the secret while the variable points at it)
    return {"rc": rc, "out": out, "study": study, "gate": gate, "drawn": drawn,
            "console": console.getvalue(), "secret": secret.read_bytes()}


@pytest.fixture(scope="module")
def exact(run):
    """The exact denominators of the study's published shares, computed here from the data
    (never published): youth, MSU youth, the subsample, youth with PMK codes, complete cases,
    youth with and without a PMK report, youth-waves, the model's observations and groups."""
    study = run["study"]
    youth = study.youth
    diagnostics = yt.pmk.availability(study)
    frame = study.analysis_frame().dropna(subset=["wellbeing", "relationship_quality"])
    codes = study.codes
    values = [len(youth), int(yt.describe(study, output_rules=False).value("sample", "msu")),
              int(youth["qual_subsample"].astype(bool).sum()), len(frame),
              int(frame["youth_id"].nunique()), len(study.waves),
              int(codes.loc[codes["source"] == "pmk_interview", "youth_id"].nunique()),
              int(codes["youth_id"].nunique())]
    values += diagnostics.balance[["n_with", "n_without"]].to_numpy(int).ravel().tolist()
    values += diagnostics.sample_loss[["n_total", "n_complete"]].to_numpy(int).ravel().tolist()
    return sorted(set(values))


@pytest.fixture(scope="module")
def counts_of_the_study(run):
    """Every exact count the description holds (for full-precision values only: with four
    decimals, k/N fits one of so many N by chance)."""
    counts = yt.describe(run["study"], output_rules=False).to_frame()
    values = counts.loc[counts["statistic"] == "n", "value"].dropna().astype(int)
    return sorted({int(v) for v in values if v >= 20})


@pytest.fixture(scope="module")
def log(run):
    return json.loads((run["out"] / "disclosure.json").read_text())


@pytest.fixture(scope="module")
def forbidden(run):
    """Excerpt text of the study, the run's seed and the rounding secret."""
    codes = run["study"].codes
    excerpts = [e for e in codes["excerpt"].dropna().astype(str).unique() if len(e) >= 20]
    return excerpts + [str(SEED), run["secret"].hex()]


def _share_leaks(text: str, exact: list[int], *, declared: bool = False) -> list:
    """Shares of an exact denominator in ``text``: a value of eight or more decimals against
    every exact N (no estimate meets k/N that closely by chance) and, for values declared a
    share, one of four to seven decimals against the small N (below 150, where neighbouring
    k/N differ in the second decimal). An estimate written to four decimals meets some k/N
    of a large N by chance, so free text is held to the first test only."""
    long = " ".join(re.findall(r"\d+\.\d{8,}", text))
    leaks = find_leaks(long, exact_denominators=exact)
    if declared:
        leaks += find_leaks(text, exact_denominators=[n for n in exact if n < 150])
    return [lk for lk in leaks if lk.rule.startswith("share")]


def _ratio_of_published(value: float, row: pd.Series) -> bool:
    for cell in row:
        try:
            n = float(cell)
        except ValueError:
            continue
        k = value * n
        if n > 0 and (abs(k - round(k)) < 1e-6 or abs((1 - value) * n - round((1 - value) * n))
                      < 1e-6):
            return True
    return False


def _kinds(log: dict) -> dict[str, dict[str, str]]:
    """file -> column -> declared kind, from the output-checking log."""
    out: dict[str, dict[str, str]] = {}
    for record in log["results"].values():
        for f in record["files"]:
            out.setdefault(f, {}).update(record["properties"].get("columns", {}))
    return out


def _design_values(run, log) -> set[int]:
    """Integers an artefact may state on purpose: the run's design parameters (under
    ``settings`` of its JSON and in its design columns), the items of each scale, the survey
    waves, and the gate's own thresholds (in its note)."""
    values = set(SMALL.values()) | set(range(1, 4))  # waves 1-3
    values |= set(run["study"].scales.groupby("scale")["item"].count().tolist())
    values |= {run["gate"].threshold - 1, run["gate"].min_units,
               run["gate"].excerpt_cap, run["gate"].base}
    for path in run["out"].glob("*.json"):
        settings = json.loads(path.read_text()).get("settings", {}) if path.name not in (
            "manifest.json", "disclosure.json") else {}
        values |= {int(v) for v in _leaves(settings) if isinstance(v, (int, float))}
    return values


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(obj, list):
        for v in obj:
            yield from _leaves(v, path)
    else:
        yield obj


def test_replicate_exits_0_and_every_row_passes(run):
    assert run["rc"] == 0, run["console"][-2000:]
    table = pd.read_csv(run["out"] / "replication.csv", dtype=str, keep_default_na=False)
    assert list(table["figure"]) == list(PUBLISHED)
    assert (table["status"] == "pass").all(), table[table["status"] != "pass"]
    share = table.set_index("figure").loc["share of the subsample who could nominate a PMK"]
    assert share["reproduced"] != "0.6168"  # the exact 66/107 is not shown


def test_disclosure_log_lists_every_file_of_the_folder(run, log):
    listed = {f for r in log["results"].values() for f in r["files"]}
    assert listed == {p.name for p in run["out"].iterdir()}
    assert log["rules"]["applied"] is True and log["rules"]["publish_excerpts"] is False
    report = (run["out"] / "report.html").read_text()
    assert '<section id="disclosure">' in report


def test_count_columns_are_ruled_in_every_csv(run, log, exact, counts_of_the_study):
    kinds = _kinds(log)
    rounder = run["gate"].rounder
    populations = [rounder.round(n, u) for n in exact for u in ("youth", "observation")]
    checked = 0
    for path in sorted(run["out"].glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in frame.columns:
            kind = kinds.get(path.name, {}).get(column, "")
            cells = [v for v in frame[column] if v not in ("", "S", "withheld")]
            if COUNT_KIND.match(kind):
                values = [float(v) for v in cells]
                assert all(v == round(v) for v in values), (path.name, column)
                leaks = find_leaks(pd.DataFrame({column: pd.array(
                    [int(v) for v in values], dtype="Int64")}))
                assert not leaks, (path.name, column, leaks[:3])
                checked += len(values)
            elif RATIO_KIND.match(kind):  # as written: its digits say what it can reveal
                counts = [c for c in frame.columns
                          if COUNT_KIND.match(kinds.get(path.name, {}).get(c, ""))]
                for i, cell in frame[column].items():
                    if cell in ("", "S", "withheld"):
                        continue
                    # a ratio of counts published in its row, or of the published size of
                    # a population (a share of all youth), reveals nothing beyond them
                    if _ratio_of_published(float(cell), [*frame.loc[i, counts], *populations]):
                        continue
                    leaks = _share_leaks(cell, sorted(set(exact) | set(counts_of_the_study)),
                                         declared=True)
                    assert not leaks, (path.name, column, i, leaks[:3])
    assert checked > 100


def test_description_cells_are_ruled(run):
    """sample, subsample_profile, reliability: cells are ``n (%)``, ``M (SD)`` or ``n``."""
    for name, columns in (("sample.csv", ["all", "msu", "subsample"]),
                          ("subsample_profile.csv", ["subsample", "msu"]),
                          ("reliability.csv", ["n"])):
        frame = pd.read_csv(run["out"] / name, dtype=str, keep_default_na=False)
        if "characteristic" in frame:  # the number of waves: a design number of the study
            frame = frame[frame["characteristic"] != "Annual waves"]
        for column in columns:
            for cell in frame[column]:
                lead = re.match(r"^([\d,]+)(\.0)?(?: \(|$)", cell)
                if lead and "(" in cell and "." in cell.split("(")[0]:
                    continue  # a mean (SD)
                if lead:
                    assert not find_leaks(lead.group(1)), (name, column, cell)


def test_no_text_artefact_leaks(run, exact, forbidden):
    """MD, HTML, SVG, JSON, report.html, disclosure.json and the console: no excerpt, seed or
    secret and no share of an exact denominator; the notes under the tables hold no small or
    unrounded integer outside the declared design values and the words of the rules' note."""
    design = _design_values(run, json.loads((run["out"] / "disclosure.json").read_text()))
    note = run["gate"].note_text
    # (the CSVs are scanned cell by cell by their declared kinds)
    texts = {p.name: p.read_text(errors="replace") for p in run["out"].iterdir()
             if p.suffix in (".md", ".html", ".json") and p.name != "manifest.json"}
    # an SVG's numbers are coordinates; its words (labels, ticks) are in its comments
    texts.update({p.name: "\n".join(re.findall(r"<!-- (.*?) -->", p.read_text()))
                  for p in run["out"].glob("*.svg")})
    texts["console"] = run["console"]
    for name, text in texts.items():
        leaks = find_leaks(text, forbidden=forbidden) + _share_leaks(text, exact)
        shares = [lk for lk in leaks if lk.rule.startswith(("share", "forbidden"))]
        assert not shares, (name, shares[:3])
    # the manifest may state the run's seed; it states no excerpt and not the secret
    manifest = (run["out"] / "manifest.json").read_text()
    assert not [lk for lk in find_leaks(manifest, forbidden=forbidden[:-2] + forbidden[-1:])
                if lk.rule.startswith("forbidden")]
    for name in ("headline_model.md", "replication.md", "pmk_methods.md"):
        text = texts[name].replace(note, "")
        notes = [line for line in text.splitlines() if line.startswith("*Note.*")]
        for line in notes:
            assert not find_leaks(line, design_values=design), (name, line)


def test_json_counts_by_declared_kind(run, log, exact):
    kinds = _kinds(log)
    for path in sorted(run["out"].glob("*.json")):
        if path.name in ("manifest.json", "disclosure.json"):
            continue
        declared = kinds[path.name]
        obj = json.loads(path.read_text())
        for keypath, value in _paths(obj):
            if keypath[0] == "settings" or not isinstance(value, (int, float)) \
                    or isinstance(value, bool):
                continue
            name = ".".join(k for k in keypath if not k.isdigit())
            kind = next((declared[n] for n in _prefixes(name) if n in declared), "")
            assert kind, (path.name, name)  # every published number is declared
            if COUNT_KIND.match(kind):
                assert value == round(value) and not find_leaks(str(int(value))), \
                    (path.name, name, value)
            elif RATIO_KIND.match(kind):  # as written: its digits say what it can reveal
                assert not _share_leaks(json.dumps(value), exact, declared=True), \
                    (path.name, name, value)


def _paths(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, path + (str(k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, path + (str(i),))
    else:
        yield path, obj


def _prefixes(name):
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(len(parts), 0, -1)]


def test_degrees_of_freedom_tell_nothing_beyond_the_published_n(run):
    methods = pd.read_csv(run["out"] / "pmk_methods.csv")
    cc = methods[methods["method"] == "complete_cases"].iloc[0]
    assert cc["n"] % 3 == 0 and cc["n"] - cc["df"] == 2


def test_one_count_one_value_across_artefacts(run):
    """The youth of the study and the subsample, published in the sample table, the sample
    loss, the methods table, the replication table and a note, read the same everywhere."""
    study, rounder = run["study"], run["gate"].rounder
    out = run["out"]
    n_youth = rounder.round(len(study.youth), "youth")
    n_sub = rounder.round(int(study.youth["qual_subsample"].astype(bool).sum()), "youth")
    sample = pd.read_csv(out / "sample.csv", dtype=str).set_index("characteristic")
    assert sample.loc["Youth", "all"] == f"{n_youth:,}"
    assert sample.loc["Youth", "subsample"] == f"{n_sub:,}"
    loss = pd.read_csv(out / "pmk_sample_loss.csv")
    assert set(loss["n_total"]) - {3 * len(study.youth)} <= {n_youth}
    replication = pd.read_csv(out / "replication.csv", dtype=str).set_index("figure")
    assert replication.loc["youth in the study", "reproduced"] == str(n_youth)
    assert replication.loc["qualitative subsample of MSU youth", "reproduced"] == str(n_sub)
    counts = json.loads((out / "sample_counts.json").read_text())
    qualitative = json.loads((out / "qualitative.json").read_text())
    assert counts["n_youth"] == n_youth and qualitative["n_youth"] == n_sub
    mi = pd.read_csv(out / "pmk_methods.csv").query("method == 'multiple_imputation'")
    assert set(mi["n"]) == {n_youth}


def test_excerpts_are_replaced_by_code_and_segment(run, forbidden):
    display = pd.read_csv(run["out"] / "joint_display.csv", keep_default_na=False)
    for column in ("confirmatory_excerpt", "counterfactual_excerpt"):
        cells = [c for c in display[column] if c]
        assert cells and all(re.fullmatch(r"\[excerpt withheld: [a-z ()]+, SEG\d+\]", c)
                             for c in cells), cells
    report = (run["out"] / "report.html").read_text()
    assert not [e for e in forbidden[:-2] if e in report]


def test_figures_are_drawn_from_gated_data_with_no_mark_per_person(run):
    drawn = run["drawn"]
    assert "trajectories" not in drawn and "power_quadrant" not in drawn  # per-youth forms
    for name in ("mean_trajectories", "power_quadrant_cells", "truth_table_plot"):
        assert drawn.get(name), name
        for frame in drawn[name]:
            assert "youth_id" not in frame.columns and "cases" not in frame.columns
            assert "n" in frame.columns, name
            n = frame["n"].dropna().astype(float)
            assert (n >= 6).all() and (n % 3 == 0).all(), (name, n.tolist())
    # the bars are the inclusion the table publishes (none where it shows S)
    table = pd.read_csv(run["out"] / "qca_truth_table.csv", dtype=str).set_index("row")
    plotted = drawn["truth_table_plot"][0].set_index("row")
    for row, incl in plotted["incl"].items():
        shown = table.loc[str(row), "incl"]
        assert (shown == "S") if pd.isna(incl) else float(shown) == pytest.approx(incl)
    for frame in drawn["sensitivity_plot"] + drawn["variance_decomposition"]:
        assert (frame["n"] % 3 == 0).all()


def test_svg_text_of_the_truth_table_plot_labels_published_counts(run):
    svg = (run["out"] / "qca_truth_table.svg").read_text()
    labels = [int(x) for x in re.findall(r"n = (\d+)", svg)]
    assert all(v % 3 == 0 and v >= 6 for v in labels)


def test_no_output_rules_on_real_data_says_so_on_every_artefact(run, tmp_path):
    """``--no-output-rules`` publishes exact counts, and every artefact says it is not for
    release: each table's note, the report's section and each record of the log."""
    study_dir = Path(run["study"].source)
    out = tmp_path / "off"
    yt.replicate(study_dir, out=out, output_rules=False, options=SMALL, until="01",
                 progress=False)
    log = json.loads((out / "disclosure.json").read_text())
    assert log["rules"]["mode"] == "turned off"
    records = [r for r in log["results"].values() if r.get("step")]
    assert records and all(r["status"] == "review" for r in records)
    for name in ("sample.md", "subsample_profile.md", "reliability.md"):
        assert "Output rules turned off (--no-output-rules)" in (out / name).read_text()
    counts = json.loads((out / "sample_counts.json").read_text())
    assert counts["output_rules"].startswith("Output rules turned off")
    sample = pd.read_csv(out / "sample.csv", dtype=str).set_index("characteristic")
    assert sample.loc["Youth", "all"] == f"{len(run['study'].youth):,}"  # exact
    # and the scan sees in it what the rules prevent
    cells = sample["all"].dropna().str.extract(r"^([\d,]+)")[0].dropna().str.replace(",", "")
    assert find_leaks(" ".join(cells))


def test_worker_share_is_published_through_the_gate(run, log):
    """The shipped study names workers, so the real-marked run writes the worker share: its
    model sizes are RR3-rounded (an exact youth or worker count that is no multiple of 3
    appears nowhere in its files), and it is logged like every other artefact."""
    from youthtransitions.models.worker_share import _frames

    listed = {f for r in log["results"].values() for f in r["files"]}
    assert {"workers.json", "worker_share.csv", "worker_share.md"} <= listed
    table = pd.read_csv(run["out"] / "worker_share.csv")
    sizes = pd.concat([table["n_youth"], table["n_workers"]]).dropna()
    assert len(sizes) == 5 and (sizes % 3 == 0).all()
    names = {"predictor": "relationship_quality", "outcome": "wellbeing",
             "binary": "positive_change", "youth": "youth_id", "worker": "worker_id"}
    data = run["study"].analysis_frame().merge(
        run["study"].waves[["youth_id", "wave", "worker_id", "positive_change"]],
        on=["youth_id", "wave"], how="left")
    lmm, glmm = _frames(data, names)
    exact = {lmm["_youth"].nunique(), lmm["_worker"].nunique(), glmm["_youth"].nunique()}
    texts = [(run["out"] / f).read_text() for f in ("workers.json", "worker_share.csv",
                                                    "worker_share.md", "worker_share.html")]
    for n in (n for n in exact if n % 3):
        assert not any(re.search(rf"\b{n}\b", t) for t in texts), n
