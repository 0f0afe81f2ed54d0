"""A small valid study built in code, written as CSV, Parquet, SPSS or Stata.

Tests break one rule at a time in a copy of :func:`make_tables` and write it to ``tmp_path``.
Deliberately independent of ``synthetic_data/``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

SERVICES = ["svc_welfare", "svc_justice", "svc_mental_health", "svc_alt_education"]

WAVE_SCALES = {  # scale: (prefix, n_items, reverse-keyed item numbers)
    "relationship_quality": ("rq", 3, {3}),
    "resilience": ("res", 2, set()),
    "contextual_risk": ("crisk", 2, set()),
    "individual_risk": ("irisk", 2, set()),
    "wellbeing": ("wb", 5, {2}),
}
PMK_SCALES = {"pmk_relationship": ("prq", 2, set()), "pmk_functioning": ("pfn", 2, {2})}

#: youth_id, services used, gender, ethnicity, age, pmk_nominated, qual_subsample, waves seen
YOUTH = [
    ("Y01", (1, 1, 0, 0), "female", "maori", 15.2, True, True, (1, 2, 3)),
    ("Y02", (1, 0, 0, 0), "male", "pakeha", 16.0, False, False, (1, 2, 3)),
    ("Y03", (0, 1, 1, 1), "another", "pasifika", 14.5, True, True, (1, 2)),
    ("Y04", (0, 0, 0, 0), "female", "other", 17.9, True, False, (1, 3)),
    ("Y05", (1, 1, 1, 1), "male", "maori", 13.1, False, True, (1, 2, 3)),
    ("Y06", (0, 0, 1, 0), "female", "pakeha", 18.4, False, False, (1,)),
    ("Y07", (1, 0, 1, 0), "male", "maori", 16.7, True, False, (1, 2, 3)),
    ("Y08", (0, 0, 0, 1), "female", "pasifika", 15.5, False, False, (1, 2, 3)),
]


def make_tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    """The valid fixture study's tables, as plain values ready to write."""
    rng = np.random.default_rng(seed)
    youth = pd.DataFrame([
        {"youth_id": y, **dict(zip(SERVICES, [bool(s) for s in svc], strict=True)),
         "msu": sum(svc) >= 2, "gender": g, "ethnicity": e, "age_w1": a,
         "pmk_nominated": p, "qual_subsample": q}
        for y, svc, g, e, a, p, q, _ in YOUTH])
    scale_rows = []
    for table, scales in (("waves", WAVE_SCALES), ("pmk", PMK_SCALES)):
        for scale, (prefix, k, rev) in scales.items():
            high = 4 if table == "pmk" else 5
            scale_rows += [{"scale": scale, "table": table, "item": f"{prefix}_{j:02d}",
                            "reverse": j in rev, "min": 1, "max": high} for j in range(1, k + 1)]
    scales = pd.DataFrame(scale_rows)

    def items(table: str, n: int) -> dict[str, np.ndarray]:
        sub = scales[scales["table"] == table]
        return {i: rng.integers(lo, hi + 1, size=n)
                for i, lo, hi in zip(sub["item"], sub["min"], sub["max"], strict=True)}

    wave_rows = [(y, w, dt.date(2019 + w - 1, 3, 1 + i)) for i, (y, *_, seen) in
                 enumerate(YOUTH) for w in seen]
    waves = pd.DataFrame(wave_rows, columns=["youth_id", "wave", "interview_date"])
    waves = pd.concat([waves, pd.DataFrame(items("waves", len(waves)))], axis=1)
    pmk_rows = [(y, w, "parent" if i % 2 else "worker") for i, (y, *rest) in enumerate(YOUTH)
                if rest[4] for w in (1, 3)]
    pmk = pd.DataFrame(pmk_rows, columns=["youth_id", "wave", "pmk_role"])
    pmk = pd.concat([pmk, pd.DataFrame(items("pmk", len(pmk)))], axis=1)
    codes = pd.DataFrame([
        ("S1", "Y01", "youth_interview", 1, "ana", "power", "care", 2, "confirmatory",
         "social_worker", "She listened."),
        ("S1", "Y01", "youth_interview", 1, "ben", "power", "care", 1, "confirmatory",
         "social_worker", "She listened."),
        ("S2", "Y01", "pmk_interview", 2, "ana", "recognition", "recognition", 2,
         "confirmatory", "youth_worker", ""),
        ("S3", "Y03", "case_summary", 1, "ana", "mutuality", "friend_like", 0,
         "counterfactual", "justice", "No time."),
        ("S4", "Y05", "youth_interview", 3, "ben", "responsiveness", "responsiveness", 1,
         "confirmatory", "", ""),
    ], columns=["segment_id", "youth_id", "source", "wave", "coder", "mechanism", "dimension",
                "level", "instance", "actor", "excerpt"])
    return {"youth": youth, "waves": waves, "pmk": pmk, "scales": scales, "codes": codes}


def _labelled(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Bools and categories as integer codes with value labels (SPSS/Stata style)."""
    frame = frame.copy()
    labels: dict[str, dict] = {}
    for col in frame.columns:
        values = frame[col]
        if values.dtype == bool or col in SERVICES or col in ("msu", "pmk_nominated",
                                                               "qual_subsample", "reverse"):
            frame[col] = values.map({True: 1, False: 0}).astype(float)
            labels[col] = {1: "Yes", 0: "No"}
        elif col in ("gender", "ethnicity", "pmk_role", "source", "mechanism", "dimension",
                     "instance", "table"):
            cats = sorted(set(values.dropna()) - {""})
            codes = {c: i + 1 for i, c in enumerate(cats)}
            frame[col] = values.map(codes).astype(float)
            labels[col] = {i: c.replace("_", " ").title() for c, i in codes.items()}
    return frame, labels


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], fmt: str = "csv",
                 *, synthetic: bool = False) -> Path:
    """Write each table as ``NAME.<fmt>`` into ``folder`` (created); returns ``folder``."""
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            if synthetic:
                meta = dict(arrow.schema.metadata or {})
                meta[b"youthtransitions"] = json.dumps({"synthetic": True}).encode()
                arrow = arrow.replace_schema_metadata(meta)
            pq.write_table(arrow, path)
        elif fmt in ("sav", "dta"):
            coded, labels = _labelled(frame)
            writer = pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta
            writer(coded, str(path), variable_value_labels=labels)
        else:
            raise ValueError(fmt)
    if synthetic:
        (folder / "study.json").write_text(json.dumps({"synthetic": True, "seed": 1}))
    return folder
