"""A small study built in code for the reporting tests (independent of synthetic_data/).

60 youth, 36 of them MSU (two or more services), 12 in the qualitative subsample; three waves
with attrition; PMK interviews for some nominated youth; five 3-item waves scales and two
2-item PMK scales. Small cells (e.g. gender "another": 3 youth) exercise the output rules.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from youthtransitions.study.study import Study

SERVICES = ["svc_welfare", "svc_justice", "svc_mental_health", "svc_alt_education"]
WAVE_SCALES = {"relationship_quality": "rq", "resilience": "res", "contextual_risk": "crisk",
               "individual_risk": "irisk", "wellbeing": "wb"}
PMK_SCALES = {"pmk_relationship": "prq", "pmk_functioning": "pfn"}


def make_study(*, synthetic: bool = False, seed: int = 11) -> Study:
    rng = np.random.default_rng(seed)
    n = 60
    ids = [f"Y{i:03d}" for i in range(n)]
    n_svc = np.array([2 + i % 3 if i < 36 else i % 2 for i in range(n)])  # 36 MSU
    svc = np.zeros((n, 4), dtype=bool)
    for i, k in enumerate(n_svc):
        svc[i, [(i + j) % 4 for j in range(k)]] = True
    gender = np.array(["female"] * 30 + ["male"] * 26 + ["another"] * 4)
    gender = np.roll(gender, 3)
    gender[[1, 7, 13, 19]] = "male"
    ethnicity = np.array(["maori", "pakeha", "pasifika", "other"])[np.arange(n) % 4]
    youth = pd.DataFrame({"youth_id": ids, **{c: svc[:, j] for j, c in enumerate(SERVICES)}})
    youth["msu"] = n_svc >= 2
    youth["gender"] = pd.Categorical(gender, categories=["female", "male", "another"])
    youth["ethnicity"] = pd.Categorical(ethnicity, categories=["maori", "pakeha", "pasifika",
                                                               "other"])
    youth["age_w1"] = np.round(rng.uniform(13, 21, n), 2)
    youth["pmk_nominated"] = np.arange(n) % 4 != 0
    youth["qual_subsample"] = np.isin(np.arange(n), np.arange(1, 36, 3))  # 12 MSU youth
    rows = []
    for i, y in enumerate(ids):
        seen = (1, 2, 3) if i % 5 else ((1, 2) if i % 10 else (1,))
        rows += [(y, w, dt.date(2010 + w, 3, 1)) for w in seen]
    waves = pd.DataFrame(rows, columns=["youth_id", "wave", "interview_date"])
    scale_rows = []
    for table, scales, k in (("waves", WAVE_SCALES, 3), ("pmk", PMK_SCALES, 2)):
        for scale, prefix in scales.items():
            scale_rows += [{"scale": scale, "table": table, "item": f"{prefix}_{j:02d}",
                            "reverse": False, "min": 1, "max": 5} for j in range(1, k + 1)]
    scales = pd.DataFrame(scale_rows)
    latent = rng.normal(size=len(waves))
    for item in scales.loc[scales["table"] == "waves", "item"]:
        x = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=len(waves))), 1, 5)
        waves[item] = pd.array(x.astype(int), dtype="Int64")
    waves.loc[0, "res_01"] = pd.NA
    pmk_ids = [y for i, y in enumerate(ids) if youth["pmk_nominated"].iloc[i] and i % 2 == 0]
    pmk = pd.DataFrame([(y, w, "parent") for y in pmk_ids for w in (1, 3)],
                       columns=["youth_id", "wave", "pmk_role"])
    for item in scales.loc[scales["table"] == "pmk", "item"]:
        pmk[item] = pd.array(rng.integers(1, 6, len(pmk)), dtype="Int64")
    return Study(youth=youth, waves=waves, scales=scales, pmk=pmk, codes=None,
                 synthetic=synthetic, source="tests/report/conftest.py", metadata={})
