"""Export the shipped synthetic study's analysis frame for models.R (run before it).

    python tests/reference/lme4/make_synthetic.py   # writes data_synthetic.csv beside it

rq_between is each youth's mean relationship_quality over the waves where it was observed
and rq_within the deviation from it (NaN where relationship_quality is missing).
"""

from pathlib import Path

from youthtransitions.study import load_study
from youthtransitions.synthetic import shipped_study_path

HERE = Path(__file__).resolve().parent

frame = load_study(shipped_study_path()).analysis_frame()
out = frame[["youth_id", "wave", "relationship_quality", "wellbeing", "resilience",
             "msu", "gender"]].copy()
out["msu"] = out["msu"].astype(int)
out["rq_between"] = out.groupby("youth_id")["relationship_quality"].transform("mean")
out["rq_within"] = out["relationship_quality"] - out["rq_between"]
out.to_csv(HERE / "data_synthetic.csv", index=False, float_format="%.10g")
