"""MSU is derived in one place, with one rule for a missing service (status unknown)."""

from __future__ import annotations

import pandas as pd
from study_fixture import write_tables

import youthtransitions as yt
from youthtransitions.study.contract import SERVICES
from youthtransitions.study.study import derive_msu, youth_msu


def _youth(*rows):
    return pd.DataFrame([dict(zip(SERVICES, r, strict=True)) for r in rows],
                        dtype="boolean")


def test_two_or_more_services():
    youth = _youth((True, True, False, False), (True, False, False, False),
                   (True, True, True, True))
    msu = derive_msu(youth)
    assert msu.dtype == bool and msu.tolist() == [True, False, True] and msu.name == "msu"


def test_a_missing_service_makes_the_status_unknown():
    youth = _youth((True, True, None, False), (False, False, None, False))
    msu = derive_msu(youth)
    assert str(msu.dtype) == "boolean" and msu.isna().all()


def test_youth_msu_derives_when_it_can():
    youth = _youth((True, True, False, False)).assign(msu=False)
    assert youth_msu(youth).tolist() == [True]  # the contract's derivation wins
    assert youth_msu(pd.DataFrame({"msu": [True]})).tolist() == [True]
    assert youth_msu(pd.DataFrame({"youth_id": ["a"]})) is None


def test_validation_does_not_judge_msu_where_a_service_is_missing(tables, tmp_path):
    # Y01 uses two services and is in the subsample; blank one of them
    tables["youth"]["svc_welfare"] = tables["youth"]["svc_welfare"].astype(object)
    tables["youth"].loc[0, "svc_welfare"] = None
    problems = yt.validate_study(write_tables(tmp_path / "s", tables, "csv"))
    youth = [(p.row, p.column, p.rule) for p in problems if p.table == "youth"]
    assert youth == [(1, "svc_welfare", "missing value")]
