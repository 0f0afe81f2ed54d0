"""Contract test: every result object renders as text and HTML from its one tidy table."""

import json

import pandas as pd
import pytest

import youthtransitions as yt
from youthtransitions._tidy import TidyResult


@pytest.fixture(scope="module")
def study():
    return yt.load_study(yt.shipped_study_path())


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
        "qca": yt.qca(pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0],
                                    "Y": [1, 1, 0, 0]}), outcome="Y", conditions=["A", "B"]),
    }


def test_every_result_renders_from_its_frame(study):
    for name, result in _results(study).items():
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
