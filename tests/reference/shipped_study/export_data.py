"""Export frames of the shipped synthetic study as CSV for the R reference scripts.

    PYTHONPATH=. python tests/reference/shipped_study/export_data.py

Writes beside this file:

- ``headline.csv``: the headline analysis frame, one row per youth and wave with an observed
  wellbeing score; ``relationship_quality_between`` is each youth's mean relationship quality
  over the waves where it was observed and ``relationship_quality_within`` the deviation from
  it (missing where relationship quality is missing), as ``yt.center_within`` makes them.
- ``pmk_wide.csv``: one row per youth with the columns the PMK analysis imputes (wave-3 PMK
  functioning on wave-1 relationship quality and the wave-1 covariates).
"""

from pathlib import Path

import youthtransitions as yt
from youthtransitions.missing.frames import youth_wide

HERE = Path(__file__).resolve().parent
HEADLINE = ["youth_id", "wave", "wellbeing", "relationship_quality",
            "relationship_quality_between", "relationship_quality_within", "resilience",
            "msu", "gender", "ethnicity", "age_w1"]
PMK = ["youth_id", "pmk_functioning_w3", "relationship_quality_w1", "wellbeing_w1",
       "contextual_risk_w1", "individual_risk_w1", "resilience_w1", "age_w1", "gender_male"]

study = yt.load_study(HERE.parents[2] / "synthetic_data")
frame = study.analysis_frame()
headline = yt.center_within(frame.dropna(subset=["wellbeing"]), ["relationship_quality"],
                            "youth_id")[HEADLINE].copy()
headline["msu"] = headline["msu"].astype(int)
headline.to_csv(HERE / "headline.csv", index=False, float_format="%.10g")
youth_wide(study)[PMK].to_csv(HERE / "pmk_wide.csv", index=False, float_format="%.10g")
