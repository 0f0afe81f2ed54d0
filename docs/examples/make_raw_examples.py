"""Make the raw example exports under docs/examples/raw and docs/examples/qda.

SYNTHETIC DATA: every file is drawn from the shipped synthetic study (no real person's
data), the first 120 youth of it, laid out as a study team's exports would be: a wide SPSS
file (one row per youth, a column per item and wave such as ``RQ03_T2``, numeric codes with
value labels, 9 = refused as a user-missing code), a long Stata file of PMK interviews, a
scales sheet (Excel), and a REFI-QDA project whose codebook uses its own code names.
``youth_mapping.toml`` imports them back into the shipped study's tables for those youth
(``tests/study/test_mapping_examples.py`` checks it).

Run from the repository root: ``python docs/examples/make_raw_examples.py``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pyreadstat

import youthtransitions as yt
from youthtransitions.study.contract import SERVICES
from youthtransitions.study.refi_qda.layout import QDA_NAMESPACE

HERE = Path(__file__).resolve().parent
#: youth taken from the shipped study: the first N rows of its youth table
N_YOUTH = 120
LABEL = "SYNTHETIC data drawn by youthtransitions; no real person's data"

SERVICE_NAMES = dict(zip(SERVICES, ("SVC_WELF", "SVC_JUST", "SVC_MH", "SVC_ALTED"),
                         strict=True))
YES_NO = {0: "No", 1: "Yes"}
GENDER = {1: "Female", 2: "Male", 3: "Another gender"}
ETHNICITY = {1: "Māori", 2: "Pākehā", 3: "Pasifika", 4: "Other"}
LIKERT = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree",
          5: "Strongly agree", 9: "Refused"}
ROLE = {1: "Parent", 2: "Whānau", 3: "Caregiver", 4: "Youth worker / social worker", 5: "Other"}
REFUSED = 9
ITEM_STEMS = {"rq": "RQ", "res": "RES", "crisk": "CRISK", "irisk": "IRISK", "wb": "WB"}
#: the project's own code names for the contract's codes
CODE_NAMES = {
    ("power", "care", 0): "Not cared for", ("power", "care", 1): "Care",
    ("power", "care", 2): "Being there for me",
    ("power", "control", 0): "Controlled", ("power", "control", 1): "Boundaries",
    ("power", "control", 2): "Fair limits",
    ("recognition", "recognition", 0): "Just a file",
    ("recognition", "recognition", 1): "Noticed",
    ("recognition", "recognition", 2): "Seen as a person",
    ("responsiveness", "responsiveness", 0): "Ignored",
    ("responsiveness", "responsiveness", 1): "Slow to act",
    ("responsiveness", "responsiveness", 2): "Acted on what I said",
    ("mutuality", "friend_like", 0): "Distant", ("mutuality", "friend_like", 1): "Friendly",
    ("mutuality", "friend_like", 2): "Like a friend",
    ("mutuality", "professional", 0): "Unprofessional",
    ("mutuality", "professional", 1): "Did the job",
    ("mutuality", "professional", 2): "Went the extra mile",
    ("counterfactual",): "Missed chance",
    ("actor", "social_worker"): "Social worker", ("actor", "youth_worker"): "Youth worker",
    ("actor", "justice"): "Youth justice", ("actor", "income_support"): "WINZ",
    ("actor", "health"): "Health", ("actor", "education"): "School",
    ("actor", "other"): "Other service",
}
#: a code of the project that stands for nothing of the contract (the import lists it)
MEMO_CODE = "Memo: follow up"


def subset(study: yt.Study) -> dict[str, pd.DataFrame]:
    """The shipped study's tables for its first :data:`N_YOUTH` youth (scales whole)."""
    youth = study.youth.iloc[:N_YOUTH].reset_index(drop=True)
    ids = set(youth["youth_id"])
    keep = {name: getattr(study, name) for name in ("waves", "pmk", "codes")}
    out = {name: t[t["youth_id"].isin(ids)].reset_index(drop=True) for name, t in keep.items()}
    return {"youth": youth, "scales": study.scales, **out}


def _code(series: pd.Series, labels: dict[int, str], words: dict[str, int]) -> pd.Series:
    return series.astype(object).map(lambda v: np.nan if pd.isna(v) else words[v]).astype(
        float)


def _item_name(item: str) -> str:
    prefix, number = item.rsplit("_", 1)
    return f"{ITEM_STEMS[prefix]}{number}"


def youth_wide(t: dict[str, pd.DataFrame]) -> None:
    """One row per youth: youth columns, then per wave DATE_T<w> and every item."""
    youth, waves = t["youth"], t["waves"]
    wide: dict[str, object] = {"ID": youth["youth_id"].astype(object)}
    labels: dict[str, dict] = {}
    for svc, name in SERVICE_NAMES.items():
        wide[name] = youth[svc].astype(float)
        labels[name] = YES_NO
    wide["SEX"] = _code(youth["gender"], GENDER, {"female": 1, "male": 2, "another": 3})
    wide["ETHN"] = _code(youth["ethnicity"], ETHNICITY,
                         {"maori": 1, "pakeha": 2, "pasifika": 3, "other": 4})
    labels.update(SEX=GENDER, ETHN=ETHNICITY)
    wide["AGE"] = youth["age_w1"]
    for flag, name in (("pmk_nominated", "PMK_NOM"), ("qual_subsample", "QUAL")):
        wide[name] = youth[flag].astype(float)
        labels[name] = YES_NO
    extra = {"worker_id": "WORKER", "positive_change": "POSCH"}
    items = [c for c in waves.columns
             if c not in ("youth_id", "wave", "interview_date", *extra)]
    missing: dict[str, list] = {}
    for wave in (1, 2, 3):
        rows = waves[waves["wave"] == wave].set_index("youth_id").reindex(youth["youth_id"])
        present = rows["interview_date"].notna().to_numpy()
        wide[f"DATE_T{wave}"] = rows["interview_date"].to_numpy()
        if "worker_id" in rows:
            wide[f"WORKER_T{wave}"] = rows["worker_id"].astype(object).to_numpy()
        if "positive_change" in rows:
            wide[f"POSCH_T{wave}"] = rows["positive_change"].astype(float).to_numpy()
        for item in items:
            name = f"{_item_name(item)}_T{wave}"
            values = rows[item].astype(float).to_numpy()
            # an item a present youth did not answer is coded 9 (refused, user-missing)
            wide[name] = np.where(present & np.isnan(values), REFUSED, values)
            labels[name] = LIKERT
            missing[name] = [REFUSED]
    pyreadstat.write_sav(pd.DataFrame(wide), HERE / "raw" / "youth_wide.sav", file_label=LABEL,
                         variable_value_labels=labels, missing_ranges=missing,
                         row_compress=True,
                         note="Synthetic example export for the youthtransitions import.")


def pmk_long(t: dict[str, pd.DataFrame]) -> None:
    """One row per PMK interview, Stata, PRQ1.. and PFN1.. items, roles coded."""
    pmk = t["pmk"]
    out = pd.DataFrame({"pid": pmk["youth_id"].astype(object),
                        "round": pmk["wave"].astype(float)})
    out["relation"] = _code(pmk["pmk_role"], ROLE, {"parent": 1, "whanau": 2, "caregiver": 3,
                                                    "worker": 4, "other": 5})
    for item in pmk.columns[3:]:
        prefix, number = item.rsplit("_", 1)
        out[f"{prefix.upper()}{int(number)}"] = pmk[item].astype(float)
    pyreadstat.write_dta(out, HERE / "raw" / "pmk_long.dta", file_label=LABEL[:80],
                         variable_value_labels={"round": {1: "Wave 1", 2: "Wave 2",
                                                          3: "Wave 3"}, "relation": ROLE})


def scales_sheet(t: dict[str, pd.DataFrame]) -> None:
    """The waves scales as a study team's item sheet; the PMK scales are in the mapping."""
    scales = t["scales"]
    sheet = scales[scales["table"] == "waves"]
    pd.DataFrame({"Scale": sheet["scale"].astype(object),
                  "Questionnaire": "youth survey",
                  "Item": sheet["item"].astype(object),
                  "Reverse keyed": sheet["reverse"].map({True: "yes", False: "no"}),
                  "Lowest": sheet["min"], "Highest": sheet["max"]}).to_excel(
        HERE / "raw" / "scales.xlsx", sheet_name="items", index=False)


def flatten_codebook(project: Path, names: dict[tuple, str], extra: tuple[str, ...] = ()
                     ) -> None:
    """Rewrite a project's codebook (``power/care/2``, as ``write_qdpx`` lays it out) as flat
    codes named ``names[path]``, plus ``extra`` codes that stand for nothing: an
    ATLAS.ti-style export that follows no path convention. Codes not in ``names`` go."""
    ns = {"q": QDA_NAMESPACE}
    with zipfile.ZipFile(project) as zf:
        members = {info: zf.read(info) for info in zf.infolist()}
    ET.register_namespace("", QDA_NAMESPACE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for info, data in members.items():
            if info.filename == "project.qde":
                root = ET.fromstring(data)
                codes = root.find("q:CodeBook/q:Codes", ns)
                flat: list[ET.Element] = []
                stack = [(c, []) for c in codes.findall("q:Code", ns)]
                while stack:
                    code, prefix = stack.pop(0)
                    path = prefix + [code.get("name")]
                    children = code.findall("q:Code", ns)
                    stack += [(c, path) for c in children]
                    key = tuple(int(p) if p.isdigit() else p for p in path)
                    if not children and key in names:
                        flat.append(ET.Element(code.tag, {"guid": code.get("guid"),
                                                          "name": names[key],
                                                          "isCodable": "true"}))
                for code in list(codes):
                    codes.remove(code)
                codes.extend(flat)
                for k, name in enumerate(extra):
                    ET.SubElement(codes, f"{{{QDA_NAMESPACE}}}Code",
                                  {"guid": f"7d3f0a52-1c2e-4a47-9d4e-6b1f8e2c5a{k:02d}",
                                   "name": name, "isCodable": "true"})
                data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
            zf.writestr(info, data)
    project.write_bytes(buffer.getvalue())


def qda_project(t: dict[str, pd.DataFrame]) -> None:
    """The codes as a REFI-QDA project whose codebook follows no path convention."""
    target = HERE / "qda" / "youth_codes.qdpx"
    yt.write_qdpx(target, codes=t["codes"], project_name="Synthetic youth interviews")
    flatten_codebook(target, CODE_NAMES, (MEMO_CODE,))


def main() -> None:
    tables = subset(yt.load_study(yt.shipped_study_path()))
    for folder in ("raw", "qda"):
        (HERE / folder).mkdir(exist_ok=True)
    youth_wide(tables)
    pmk_long(tables)
    scales_sheet(tables)
    qda_project(tables)


if __name__ == "__main__":
    main()
