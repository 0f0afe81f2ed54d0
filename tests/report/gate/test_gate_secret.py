"""The rounding secret: outside the study, private, created once, never published."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.report.gate import (
    Gate,
    TableSpec,
    count,
    design,
    find_leaks,
    load_secret,
    secret_path,
    share,
    text,
)


def test_created_on_first_use_with_0600_and_32_bytes(secret_file):
    assert secret_path() == secret_file
    assert not secret_file.exists()
    gate = Gate("fp", synthetic=False)
    assert not secret_file.exists()  # nothing is created before a count is rounded
    gate.value(17, "count", unit="youth")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(secret_file.read_bytes()) == 32
    assert load_secret() == secret_file.read_bytes()  # read again, not replaced


def test_synthetic_runs_never_create_a_secret(secret_file):
    gate = Gate("fp", synthetic=True)
    gate.table(pd.DataFrame({"n": [4]}), TableSpec({"n": count("youth")}), name="t")
    assert not secret_file.exists()


def test_default_location_is_the_user_config_dir(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("YT_DISCLOSURE_SECRET_FILE", raising=False)
    assert secret_path().parent == __import__("pathlib").Path(
        platformdirs.user_config_dir("youthtransitions"))


def test_secret_inside_the_study_folder_or_readable_by_others_is_refused(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    with pytest.raises(UsageError, match="inside the study folder"):
        load_secret(study / "secret", study_folder=study)
    loose = tmp_path / "loose"
    loose.write_bytes(bytes(32))
    loose.chmod(0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        load_secret(loose)
    loose.chmod(0o600)
    loose.write_bytes(b"x")
    with pytest.raises(UsageError, match="32 bytes"):
        load_secret(loose)


def test_secret_never_appears_in_outputs_or_the_log(secret_file):
    gate = Gate("fp", synthetic=False)
    frame = pd.DataFrame({"label": ["a", "b"], "k": [17, 40], "n": [107, 107],
                          "p": [17 / 107, 40 / 107], "draws": [999, 999]})
    spec = TableSpec({"label": text(), "k": count("youth"), "n": count("youth"),
                      "p": share("k", "n"), "draws": design()}, totals="none")
    table = gate.table(frame, spec, name="t")
    secret = secret_file.read_bytes()
    published = [table.frame.to_csv(), table.marked().to_markdown(), gate.log.to_json(),
                 gate.log.to_html(), repr(gate), json.dumps(gate.log.rules)]
    forbidden = [secret.hex(), secret.hex().upper(), secret.decode("latin-1"),
                 str(secret_file), __import__("base64").b64encode(secret).decode()]
    for out in published:
        assert not find_leaks(out, forbidden=forbidden, design_values=range(10**6))


def test_every_command_gate_refuses_a_secret_inside_its_study_folder(tmp_path, monkeypatch):
    """The gates of yt replicate and describe (a study) and of the commands on a file of a
    study folder (fit, pmk, pool, ...) all check where the secret lies, without being told."""
    from types import SimpleNamespace

    from youthtransitions.report.gate import gate_for_file, gate_for_study

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.json").write_text('{"synthetic": false}')
    (folder / "waves.csv").write_text("youth_id,wave\nA,1\n")
    monkeypatch.setenv("YT_DISCLOSURE_SECRET_FILE", str(folder / ".secret"))
    counts = pd.DataFrame({"group": ["a", "b"], "n": [12, 30]})
    spec = TableSpec({"group": design(), "n": count("youth")})
    study = SimpleNamespace(source=str(folder), synthetic=False, tables={})
    for gate in (gate_for_study(study), gate_for_file(folder / "waves.csv")):
        with pytest.raises(UsageError, match="inside the study folder"):
            gate.table(counts, spec, name="counts")
    # a loose file outside any study folder: its folder is not a study's
    loose = tmp_path / "loose.csv"
    loose.write_text("x\n1\n")
    monkeypatch.setenv("YT_DISCLOSURE_SECRET_FILE", str(tmp_path / ".secret"))
    gate_for_file(loose).table(counts, spec, name="counts")
