"""The replication table's pass/fail rules, row by row."""

import math

import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.replication import PUBLISHED, replication_table

COUNTS = {"n_youth": 1366, "n_msu": 506, "n_waves": 3, "n_subsample": 107,
          "subsample_mean_age": 17.4912, "subsample_pmk_share": 66 / 107, "pmk_interviews": 65,
          "youth_interviews": 107, "case_summaries": 107}
HEADLINE = {"estimates": [{"estimand": "headline_r2", "estimate": 0.15, "conf_low": 0.11,
                           "conf_high": 0.19}]}
QUAL = {"all_four_share": 0.7, "all_four_ci": [0.61, 0.79],
        "synergy": {"estimate": 0.4, "conf_low": 0.1, "conf_high": 0.7, "p_holm": 0.01}}


def test_every_published_figure_has_a_row_and_all_pass():
    table = replication_table(COUNTS, HEADLINE, QUAL)
    assert list(table["figure"]) == list(PUBLISHED)
    assert (table["status"] == "pass").all()
    assert list(table.columns) == ["figure", "reported", "reproduced", "conf_low", "conf_high",
                                   "tolerance", "status"]


@pytest.mark.parametrize("change, figure", [
    ({"n_msu": 505}, "multiple-service users (MSU)"),
    ({"subsample_mean_age": 17.4951}, "mean age of the subsample (years)"),
    ({"subsample_pmk_share": 0.6251}, "share of the subsample who could nominate a PMK"),
    ({"pmk_interviews": None}, "PMK interviews"),
])
def test_counts_and_shares_fail_outside_tolerance(change, figure):
    table = replication_table({**COUNTS, **change}, HEADLINE, QUAL).set_index("figure")
    assert table.loc[figure, "status"] == "fail"
    assert (table.drop(index=figure)["status"] == "pass").all()


def test_rounded_counts_allow_two():
    table = replication_table({**COUNTS, "n_youth": 1368}, HEADLINE, QUAL, rounded=True)
    row = table.set_index("figure").loc["youth in the study"]
    assert row["status"] == "pass" and "base 3" in row["tolerance"]


@pytest.mark.parametrize("low, high, status", [(0.11, 0.19, "pass"), (0.15, 0.19, "fail"),
                                               (-0.01, 0.19, "fail")])
def test_headline_needs_reported_value_in_ci_and_significance(low, high, status):
    headline = {"estimates": [{"estimand": "headline_r2", "estimate": 0.15, "conf_low": low,
                               "conf_high": high}]}
    row = replication_table(COUNTS, headline, QUAL).set_index("figure").loc[
        "relationship quality: share of positive outcomes 3 years on"]
    assert row["status"] == status


def test_synergy_needs_holm_significance_and_most_needs_majority():
    qual = {"all_four_share": 0.45, "all_four_ci": [0.36, 0.54],
            "synergy": {"estimate": 0.4, "conf_low": 0.1, "conf_high": 0.7, "p_holm": 0.2}}
    table = replication_table(COUNTS, HEADLINE, qual).set_index("figure")
    assert table.loc["mechanisms work together (synergy)", "status"] == "fail"
    assert table.loc["four mechanisms observed in most interventions", "status"] == "fail"


def test_missing_headline_is_a_clear_error():
    with pytest.raises(UsageError, match="headline_r2"):
        replication_table(COUNTS, {"estimates": []}, QUAL)
    assert math.isnan(replication_table(COUNTS, HEADLINE, {})["conf_low"].iloc[-1])
