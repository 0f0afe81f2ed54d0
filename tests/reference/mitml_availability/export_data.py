"""Youth-level availability frame of the shipped study, for make.R beside this file.

    PYTHONPATH=. python tests/reference/mitml_availability/export_data.py

Writes ``availability_data.csv``: the columns of the older
``tests/reference/mitml/availability_data.csv`` (since deleted) taken from
:func:`youthtransitions.missing.frames.youth_wide` of the shipped study, rounded to 6 decimals
as that file was. That older file was drawn by ``synthesize(seed=1)`` under an earlier
generator; the current ``synthesize(seed=1)`` reproduces its youth ids, ``age_w1`` and
``gender_male`` but not its scale scores, subsample or PMK columns, so it cannot be re-made.
The shipped study's tables are committed, so this frame can.
"""

from pathlib import Path

import youthtransitions as yt
from youthtransitions.missing.frames import youth_wide

HERE = Path(__file__).resolve().parent
COLUMNS = ["youth_id", "pmk_available", "pmk_nominated", "age_w1", "gender_male",
           "qual_subsample", "contextual_risk_w1", "individual_risk_w1", "resilience_w1",
           "wellbeing_w1", "relationship_quality_w1", "wellbeing_w3", "pmk_functioning_w3"]

wide = youth_wide(yt.load_study(HERE.parents[2] / "synthetic_data"))
wide[COLUMNS].round(6).to_csv(HERE / "availability_data.csv", index=False)
