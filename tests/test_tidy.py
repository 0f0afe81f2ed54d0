"""Every view of a result derives from its tidy table."""

import json
import math

import numpy as np
import pandas as pd

from youthtransitions._tidy import TidyResult, frame_to_records, to_jsonable


class _Result(TidyResult):
    title = "Example"

    def to_frame(self):
        return pd.DataFrame({"term": ["a", "b"], "estimate": [0.5, np.nan]})

    def _summary_header(self):
        return [("n_obs", 10)]


def test_views_come_from_the_frame():
    res = _Result()
    text = res.summary()
    assert "Example" in text and "n_obs" in text and "0.5000" in text
    html = res._repr_html_()
    assert "<table" in html and "0.5000" in html
    assert str(res) == text


def test_records_are_json_ready():
    records = _Result().to_records()
    assert records == [{"term": "a", "estimate": 0.5}, {"term": "b", "estimate": None}]
    json.dumps(records)


def test_to_jsonable_handles_numpy_and_missing():
    out = to_jsonable({"x": np.int64(3), "y": np.float32(0.25), "z": [np.nan, math.inf],
                       "b": np.bool_(True), "a": np.array([1, 2])})
    assert out == {"x": 3, "y": 0.25, "z": [None, None], "b": True, "a": [1, 2]}
    assert frame_to_records(pd.DataFrame({"k": [pd.NA]})) == [{"k": None}]


def test_to_json_derives_from_the_frame():
    out = _Result().to_json(settings={"n_obs": np.int64(10)}, key="fixed", columns=["term"])
    assert out == {"n_obs": 10, "fixed": [{"term": "a"}, {"term": "b"}]}
    assert _Result().to_json() == {"rows": _Result().to_records()}
    json.dumps(out)
