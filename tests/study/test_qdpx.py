"""The REFI-QDA reader: mapping of a hand-made project and refusal of hostile files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from youthtransitions.errors import StudyDataError, UsageError
from youthtransitions.study.contract import CODE_COLUMNS
from youthtransitions.study.readers import read_table_file
from youthtransitions.study.refi_qda import parse_qdpx, read_qdpx
from youthtransitions.study.refi_qda import read as qdpx

DATA = Path(__file__).resolve().parents[1] / "qual" / "data"
HANDMADE = DATA / "handmade.qde"
PMK_TEXT = "Nan said she never asked about my life outside."


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def handmade_qdpx(tmp_path: Path) -> Path:
    """The hand-made project zipped with its one external source text under sources/."""
    return _zip(tmp_path / "handmade.qdpx", {
        "project.qde": HANDMADE.read_bytes(),
        "sources/5a000000-0000-0000-0000-000000000002.txt": PMK_TEXT.encode(),
    })


def test_handmade_project_maps_by_the_contract(handmade_qdpx):
    codes, unmapped = read_qdpx(handmade_qdpx)
    assert list(codes.columns) == CODE_COLUMNS
    rows = {(r.segment_id, r.coder): r for r in codes.itertuples()}
    assert set(rows) == {("seg-001", "Jackie"), ("seg-002", "Jackie"), ("seg-002", "Linda"),
                         ("seg-101", "Linda"), ("seg-401", "Jackie"),
                         ("seg-201-1", "33333333-3333-3333-3333-333333333333"),
                         ("seg-201-2", "33333333-3333-3333-3333-333333333333")}
    r = rows[("seg-001", "Jackie")]
    # counterfactual nested below power/control/2; actor from a second coding
    assert (r.youth_id, r.source, r.wave, r.mechanism, r.dimension, r.level, r.instance,
            r.actor, r.excerpt) == ("YT0042", "youth_interview", 1, "power", "control", 2,
                                    "counterfactual", "justice", "I feel trapped")
    r = rows[("seg-002", "Linda")]
    assert r.excerpt == "My worker Dan just felt a bit like a mate who had my back."
    assert (r.mechanism, r.dimension, r.level, r.instance) == ("mutuality", "friend_like", 2,
                                                                "confirmatory")
    r = rows[("seg-101", "Linda")]  # text inside the archive; "W2" gives the wave
    assert (r.source, r.wave, r.mechanism, r.level, r.instance, r.actor) == (
        "pmk_interview", 2, "recognition", 1, "counterfactual", "social_worker")
    assert r.excerpt == PMK_TEXT[4:30]
    assert {rows[k].level for k in rows if k[0].startswith("seg-201")} == {0, 2}
    r = rows[("seg-401", "Jackie")]  # the case lists the selection, not the source
    assert (r.youth_id, r.wave, r.excerpt) == ("YT0077", 2, "He rang back the same day.")
    text = "\n".join(unmapped)
    assert "'memo/general' is not mechanism/dimension/level" in text
    assert "seg-003': selection carries no mechanism" in text
    assert "'field notes'" in text and "no case (youth_id) lists it" in text
    assert "PictureSource with 1 selection" in text
    assert "not listed in <Users>" in text
    assert "1 of its 2 selection(s) are not mapped" in text      # seg-402: no case
    assert "coding(s) of the whole source" in text
    assert "code(s) on the case itself" in text
    assert len(unmapped) == 8


def test_bare_qde_reports_text_outside_the_file():
    codes, unmapped = read_qdpx(HANDMADE)
    assert len(codes) == 7
    assert codes.loc[codes["segment_id"] == "seg-101", "excerpt"].isna().all()
    assert any("missing from the archive" in u for u in unmapped)


def _with_case_variable(tmp_path: Path, value: str, kind: str = "Integer") -> Path:
    """The hand-made project with one ``kind`` case variable of YT0077 set to ``value``."""
    xml = HANDMADE.read_text().replace(
        '<Case guid="aa000000-0000-0000-0000-000000000002" name="YT0077">',
        '<Case guid="aa000000-0000-0000-0000-000000000002" name="YT0077"><VariableValue>'
        '<VariableRef targetGUID="ab000000-0000-0000-0000-000000000001"/>'
        f'<{kind}Value>{value}</{kind}Value></VariableValue>').replace(
        "<Cases>", '<Variables><Variable guid="ab000000-0000-0000-0000-000000000001" '
        f'name="n_active" typeOfVariable="{kind}"/></Variables><Cases>')
    path = tmp_path / "vars.qde"
    path.write_text(xml)
    return path


def test_case_variables_are_read(tmp_path):
    project = parse_qdpx(_with_case_variable(tmp_path, "3"))
    assert project.case_variables.loc["YT0077", "n_active"] == 3


@pytest.mark.parametrize(("kind", "value"), [("Integer", "17.5"), ("Float", "lots"),
                                           ("Boolean", "yes")])
def test_malformed_case_variable_is_left_out_and_reported(tmp_path, kind, value):
    """A case variable that is not of its type is listed as unmapped, not a crash."""
    path = _with_case_variable(tmp_path, value, kind)
    project = parse_qdpx(path)
    assert "n_active" not in project.case_variables.columns
    assert len(project.codes) == 7  # the codes are still read
    assert any("'n_active'" in u and repr(value) in u and f"<{kind}Value>" in u
               for u in project.unmapped)
    zipped = _zip(tmp_path / "codes.qdpx", {"project.qde": path.read_bytes()})
    raw, problems = read_table_file("codes", zipped)
    assert problems == [] and len(raw.frame) == 7
    assert any("'n_active'" in n for n in raw.notes)


# ----------------------------------------------------------------------- hostile files


@pytest.mark.parametrize("name", ["xxe.qde", "billion_laughs.qde"])
def test_dtd_and_entities_are_refused(name, tmp_path):
    with pytest.raises(StudyDataError, match="DTD or entities"):
        read_qdpx(DATA / name)
    zipped = _zip(tmp_path / "x.qdpx", {"project.qde": (DATA / name).read_bytes()})
    with pytest.raises(StudyDataError, match="DTD or entities"):
        read_qdpx(zipped)


def test_malformed_xml(tmp_path):
    with pytest.raises(StudyDataError, match="malformed"):
        read_qdpx(DATA / "malformed.qde")


def test_wrong_root(tmp_path):
    path = tmp_path / "x.qde"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>')
    with pytest.raises(StudyDataError, match="not <Project>"):
        read_qdpx(path)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil", "sources/../../evil",
                                    "C:/evil.txt", "sources\\..\\evil"])
def test_path_traversal_is_refused(member, tmp_path):
    path = _zip(tmp_path / "slip.qdpx", {"project.qde": HANDMADE.read_bytes(),
                                          member: b"x"})
    with pytest.raises(StudyDataError, match="path traversal"):
        read_qdpx(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_internal_path_traversal_is_refused(tmp_path):
    xml = HANDMADE.read_text().replace(
        "internal://5a000000-0000-0000-0000-000000000002.txt", "internal://../../etc/passwd")
    path = _zip(tmp_path / "p.qdpx", {"project.qde": xml.encode()})
    with pytest.raises(StudyDataError, match="path traversal"):
        read_qdpx(path)


def test_zip_bomb_is_refused(tmp_path):
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": HANDMADE.read_bytes(),
                                          "sources/big.txt": b"\0" * (20 * 2**20)})
    with pytest.raises(StudyDataError, match="zip bomb"):
        read_qdpx(path)


def test_size_and_member_limits(tmp_path, monkeypatch):
    monkeypatch.setitem(qdpx.LIMITS, "members", 3)
    many = {f"sources/{i}.txt": b"x" for i in range(5)}
    path = _zip(tmp_path / "many.qdpx", {"project.qde": HANDMADE.read_bytes(), **many})
    with pytest.raises(StudyDataError, match="more than 3"):
        read_qdpx(path)
    monkeypatch.setitem(qdpx.LIMITS, "members", 10_000)
    monkeypatch.setitem(qdpx.LIMITS, "total_bytes", 1000)
    with pytest.raises(StudyDataError, match="expands to"):
        read_qdpx(path)
    monkeypatch.setitem(qdpx.LIMITS, "total_bytes", 2**30)
    monkeypatch.setitem(qdpx.LIMITS, "member_bytes", 100)
    with pytest.raises(StudyDataError, match="larger than 100 bytes"):
        read_qdpx(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "plain.qdpx"
    path.write_text("this is not a zip archive")
    with pytest.raises(StudyDataError, match="not a zip archive"):
        read_qdpx(path)


def test_truncated_zip(tmp_path):
    good = _zip(tmp_path / "good.qdpx", {"project.qde": HANDMADE.read_bytes() * 20})
    data = good.read_bytes()
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(StudyDataError):
        read_qdpx(cut)
    # central directory intact but the compressed data damaged
    buf = bytearray(data)
    for i in range(60, 400):
        buf[i] ^= 0xFF
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(bytes(buf))
    with pytest.raises(StudyDataError):
        read_qdpx(bad)


def test_missing_project_qde(tmp_path):
    path = _zip(tmp_path / "empty.qdpx", {"sources/a.txt": b"text"})
    with pytest.raises(StudyDataError, match="no project.qde"):
        read_qdpx(path)


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        read_qdpx(tmp_path / "nope.qdpx")


def test_reader_never_writes(tmp_path, handmade_qdpx):
    before = sorted(p.name for p in tmp_path.iterdir())
    read_qdpx(handmade_qdpx)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_load_study_reads_codes_qdpx(tmp_path):
    """A study folder whose codes are a REFI-QDA project loads with the same codes."""
    import pandas as pd

    from youthtransitions.qual import write_qdpx
    from youthtransitions.study import load_study

    root = Path(__file__).resolve().parents[2] / "synthetic_data"
    assert (root / "codes.parquet").exists(), "synthetic_data/ is missing"
    youth = pd.read_parquet(root / "youth.parquet")
    keep = set(youth.loc[youth["qual_subsample"], "youth_id"].head(6)) | set(
        youth.loc[~youth["qual_subsample"], "youth_id"].head(3))
    for name in ("youth", "waves", "pmk"):
        frame = pd.read_parquet(root / f"{name}.parquet")
        frame[frame["youth_id"].isin(keep)].to_csv(tmp_path / f"{name}.csv", index=False)
    pd.read_parquet(root / "scales.parquet").to_csv(tmp_path / "scales.csv", index=False)
    codes = pd.read_parquet(root / "codes.parquet")
    codes = codes[codes["youth_id"].isin(keep)]
    write_qdpx(tmp_path / "codes.qdpx", codes=codes)
    study = load_study(tmp_path)
    got = study.codes.sort_values(["segment_id", "coder"]).reset_index(drop=True)
    want = codes.sort_values(["segment_id", "coder"]).reset_index(drop=True)
    assert len(got) == len(want) > 0
    for col in CODE_COLUMNS:
        assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col
