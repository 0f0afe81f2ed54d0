"""The means with t intervals the real-data figures publish, against their closed form."""

import numpy as np
import pandas as pd

from youthtransitions.report.figures import group_means


def test_group_means_are_t_intervals_by_hand():
    frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3 + ["c"],
                          "x": [1.0, 2.0, 4.0, 7.0, 10.0, 11.0, np.nan, 5.0]})
    out = group_means(frame, "x", ["g"], level=0.9).set_index("g")
    # a: mean 3.5, s = sqrt(7), t_{0.95, 3} = 2.353363; b: the NaN dropped, mean 10.5,
    # s = sqrt(0.5), t_{0.95, 1} = 6.313752; c: one value, no interval
    half_a = 2.353363434801 * np.sqrt(7.0) / 2
    half_b = 6.313751514675 * np.sqrt(0.5) / np.sqrt(2)
    assert out.loc["a", "n"] == 4 and out.loc["b", "n"] == 2 and out.loc["c", "n"] == 1
    np.testing.assert_allclose(out.loc[["a", "b"], "mean"], [3.5, 10.5], rtol=1e-15)
    np.testing.assert_allclose(out.loc[["a", "b"], "conf_low"], [3.5 - half_a, 10.5 - half_b],
                               rtol=1e-11)
    np.testing.assert_allclose(out.loc[["a", "b"], "conf_high"], [3.5 + half_a, 10.5 + half_b],
                               rtol=1e-11)
    assert np.isnan(out.loc["c", "conf_low"]) and out.loc["c", "mean"] == 5.0
