"""Contract test: every result object renders as text and HTML from its one tidy table, and
its plain repr is a short summary of that table; the study has an HTML view."""

import dataclasses
import json

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions._tidy import TidyResult


@pytest.fixture(scope="module")
def study():
    return yt.load_study(yt.shipped_study_path())


@pytest.fixture(scope="module")
def results(study):
    return _results(study)


def _results(study):
    frame = study.analysis_frame().dropna(subset=["wellbeing", "relationship_quality"])
    frame = yt.center_within(frame, ["relationship_quality"], "youth_id")
    full = yt.fit_lmm("wellbeing ~ relationship_quality_within + relationship_quality_between",
                      frame, group="youth_id")
    null = yt.fit_lmm("wellbeing ~ 1", frame, group="youth_id")
    features = yt.quantitize(study.codes)
    items = study.waves.filter(regex=r"^wb_\d+$")
    return {
        "describe": yt.describe(study),
        "reliability": yt.reliability(study),
        "alpha": yt.alpha(items),
        "omega": yt.omega(items),
        "fit_lmm": full,
        "r2": full.r2(),
        "r2_difference": yt.r2_difference(full, null),
        "bootstrap_r2": yt.bootstrap_r2(full, null, B=5, seed=1, progress=False),
        "variance_explained": yt.variance_explained(
            study.analysis_frame(), outcome="wellbeing", predictor="relationship_quality",
            group="youth_id", wave="wave", B=0),
        "panel_compare": yt.panel_compare(study.analysis_frame(), outcome="wellbeing",
                                          predictor="relationship_quality",
                                          entity="youth_id", time="wave"),
        "availability": yt.pmk.availability(study),
        "anova": full.anova(),
        "anova_kenward_roger": full.anova("kenward-roger"),
        "lrt": yt.lrt(null, full),
        "random_effects": full.random_effects(),
        "conf_int": full.conf_int(),
        "pool": yt.pool([full, full]),
        "join_codes": yt.join_codes(study, features),
        "code_reliability": yt.code_reliability(study.codes, B=5, seed=1),
        "integrate": yt.integrate(study, n_perm=19, B=5, seed=1),
        "qca": yt.qca(pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0],
                                    "Y": [1, 1, 0, 0]}), outcome="Y", conditions=["A", "B"]),
    }


def test_every_result_renders_from_its_frame(results):
    for name, result in results.items():
        assert isinstance(result, TidyResult), name
        frame = result.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame.columns), name
        text, html = result.summary(), result._repr_html_()
        assert isinstance(text, str) and text.strip(), name
        assert "<table" in html, name
        if "term" in frame.columns:  # coefficient tables show every term in both views
            for term in frame["term"].astype(str):
                assert term in text and term in html, (name, term)
        if frame.index.name is not None:  # so do tables labelled by their index
            for label in frame.index.astype(str):
                assert label in text and label in html, (name, label)
            assert [r[frame.index.name] for r in result.to_records()] == list(frame.index)
        json.dumps(result.to_records())


def test_plain_repr_is_a_short_summary(results):
    for name, result in results.items():
        frame = result.to_frame()
        n, k = frame.shape
        lines = repr(result).splitlines()
        assert lines[0] == (f"<{type(result).__name__}: {result.title}, {n} row"
                            f"{'s' if n != 1 else ''} x {k} column{'s' if k != 1 else ''}>"), name
        shown = min(n, result.repr_rows)
        # the column header, the first rows, and a line saying how many are left out
        assert len(lines) == (1 + 1 + shown + (n > shown) if n else 1), name
        if n > shown:
            assert lines[-1].startswith(f"... {n - shown} more rows"), name
        assert str(result) == result.summary(), name


def test_dataclass_results_keep_the_short_repr(results):
    """@dataclass would print every field, whole DataFrames among them."""
    result = results["integrate"]
    assert dataclasses.is_dataclass(result) and len(result.to_frame()) > result.repr_rows
    assert len(repr(result).splitlines()) == result.repr_rows + 3
    assert "table=" not in repr(result) and "data=" not in repr(result)


def test_study_html_view(study):
    html = study._repr_html_()
    assert f"Study: {study.n_youth:,} youth" in html and "synthetic data" in html
    for name in ("youth", "waves", "pmk", "scales", "codes"):
        table = getattr(study, name)
        assert f"<td style='text-align:left'>{name}</td><td>{len(table):,}</td>" \
               f"<td>{table.shape[1]}</td>" in html
    assert "validation: passes every rule of the data contract" in html
    real = dataclasses.replace(study, synthetic=False, codes=None,
                               youth=pd.concat([study.youth, study.youth.head(1)]))
    html = real._repr_html_()
    assert "real data" in html and "not in this study: codes" in html
    assert "validation: breaks" in html and "youth_id" in html
