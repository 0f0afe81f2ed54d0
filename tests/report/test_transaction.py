"""The results folder of a replication as a transaction, on three tiny analysis steps.

Failures are injected at every file move and manifest write (a monkeypatched ``os.replace``
that raises at its k-th call): after each the folder must be consistent
(:func:`transaction_checks.assert_consistent`) and a rerun must finish byte-identical to an
uninterrupted run. Runs killed by SIGKILL are in ``test_transaction_kill.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import youthtransitions as yt
import youthtransitions.study as study_pkg
from youthtransitions.errors import OutputError, UsageError
from youthtransitions.report.transaction import LOCK_FILE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transaction_checks import assert_consistent, assert_same_run, write_tiny_analyses  # noqa: E402

OPTIONS = {"m": 2, "B": 2, "n_perm": 1}


class Injected(OSError):
    pass


@pytest.fixture(scope="module")
def shipped():
    return study_pkg.load_study(yt.SHIPPED_STUDY)


@pytest.fixture
def tiny(tmp_path, monkeypatch, shipped):
    """Run the tiny analyses; the shipped study is loaded once for the module."""
    monkeypatch.setattr(study_pkg, "load_study", lambda path: shipped)
    analyses = write_tiny_analyses(tmp_path / "analyses")

    def run(out, seed=7, **kw):
        return yt.replicate(out=out, seed=seed, options=OPTIONS, analyses_dir=analyses,
                            progress=False, **kw)
    return run


def _fail_at(monkeypatch, k, error=None):
    """Make the k-th ``os.replace`` raise; return the call counter."""
    real = os.replace
    calls = []

    def replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == k:
            raise error or Injected(28, "No space left on device", str(dst))
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_complete_run_records_every_output_hash(tiny, tmp_path):
    out = tmp_path / "out"
    tiny(out)
    manifest = assert_consistent(out)
    assert manifest["complete"] is True and manifest["seed"] == 7
    assert manifest["options"] == OPTIONS
    assert set(manifest["outputs"]) == {"first_0.txt", "first_1.txt", "first_2.txt",
                                        "second.csv", "second.md", "third.txt"}
    assert {e["status"] for e in manifest["steps"].values()} == {"ok"}
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [LOCK_FILE]


def test_until_leaves_the_run_incomplete_and_resume_completes_it(tiny, tmp_path):
    out = tmp_path / "out"
    tiny(out, until="02")
    manifest = assert_consistent(out)
    assert manifest["complete"] is False and list(manifest["steps"]) == ["01_first", "02_second"]
    tiny(out)
    assert assert_consistent(out)["complete"] is True


def test_rerun_with_another_seed_never_claims_the_old_files(tiny, tmp_path):
    out = tmp_path / "out"
    tiny(out, seed=7)
    assert (out / "third.txt").exists()
    # the second step of the seed-8 run is interrupted
    (tmp_path / "analyses" / "02_second.py").write_text(
        "def run(ctx):\n    raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        tiny(out, seed=8)
    manifest = assert_consistent(out)
    assert manifest["seed"] == 8 and manifest["complete"] is False
    assert list(manifest["steps"]) == ["01_first"]
    assert manifest["steps"]["01_first"]["seed"] == 8
    assert not (out / "third.txt").exists()  # seed 7's file is gone, not relabelled


@pytest.mark.parametrize("before", [None, 8], ids=["fresh", "over-another-seed"])
def test_failure_at_every_move_leaves_a_consistent_folder(tiny, tmp_path, monkeypatch,
                                                           before):
    import shutil

    reference = tmp_path / "reference"
    tiny(reference)
    initial = tmp_path / "initial"
    if before is not None:
        tiny(initial, seed=before)
    k = 0
    while True:
        k += 1
        out = tmp_path / f"out{k}"
        if initial.exists():
            shutil.copytree(initial, out)
        with monkeypatch.context() as patch:
            calls = _fail_at(patch, k)
            try:
                tiny(out)
            except OutputError as exc:
                assert "No space left on device" in str(exc) and str(calls[-1]) in str(exc)
            else:
                break
        manifest = assert_consistent(out)
        assert not manifest or manifest["complete"] is (before is not None and k == 1)
        tiny(out)  # the rerun completes as an uninterrupted run would
        assert_consistent(out)
        assert_same_run(out, reference)
    # every manifest write (begin, removal, 2 per step, close), each of the 6 file moves and
    # each write of the output-checking log (after every step and at the end)
    assert k - 1 == 1 + (before is not None) + 2 * 3 + 1 + 6 + 3 + 1


def test_second_run_while_the_lock_is_held_is_refused(tiny, tmp_path):
    from filelock import FileLock

    out = tmp_path / "out"
    tiny(out)
    before = (out / "manifest.json").read_bytes()
    with FileLock(out / LOCK_FILE, timeout=0):
        with pytest.raises(UsageError, match="another run is writing into"):
            tiny(out, seed=8)
    assert (out / "manifest.json").read_bytes() == before


def test_cli_second_run_exits_2_with_the_message(tmp_path, capsys):
    from filelock import FileLock

    from youthtransitions.cli import main

    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / LOCK_FILE, timeout=0):
        assert main(["replicate", "--out", str(out), "--m", "2"]) == 2
    err = capsys.readouterr().err
    assert "another run is writing into" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]


def test_foreign_folder_needs_force(tiny, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="holds no earlier replication"):
        tiny(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    tiny(out, force=True)
    assert (out / "notes.txt").read_text() == "keep me"
    assert assert_consistent(out, foreign={"notes.txt"})["complete"] is True
    tiny(out, seed=8)  # now it holds a replication: no --force needed
    assert (out / "notes.txt").read_text() == "keep me"


def test_stale_staging_and_old_temporary_folders_are_removed(tiny, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    out = tmp_path / "out"
    (out / f".yt-staging-{pid}-abc" / "x").mkdir(parents=True)
    (out / f".yt-tmp-{pid}-abc-manifest.json").write_text("half")
    (tmp_path / ".out.k3j9.tmp").mkdir()  # staging of earlier versions, beside the folder
    (tmp_path / ".out.k3j9.tmp" / "sample.csv").write_text("x")
    tiny(out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [LOCK_FILE]
    assert not (tmp_path / ".out.k3j9.tmp").exists()
    assert_consistent(out)


def test_out_on_another_filesystem_than_its_parent(tiny, tmp_path, monkeypatch):
    """As on a mount point: a rename between the folder and its parent fails with EXDEV."""
    import errno

    out = tmp_path / "mount"
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        inside = [Path(p).resolve().is_relative_to(out.resolve()) for p in (src, dst)]
        if inside[0] != inside[1]:
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    tiny(out)
    assert assert_consistent(out)["complete"] is True


def test_out_on_a_tmpfs_mount_point(tmp_path):
    out = tmp_path / "mnt"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(out)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        result = yt.replicate(out=out, options=OPTIONS, until="01", progress=False)
        assert (out / "sample.csv").is_file()
        assert assert_consistent(out)["steps"]["01_sample"]["status"] == "ok"
        assert result.out == out
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_manifest_of_an_interrupted_run_names_steps_seed_and_options(tiny, tmp_path,
                                                                      monkeypatch):
    out = tmp_path / "out"
    (tmp_path / "analyses" / "03_third.py").write_text(
        "def run(ctx):\n    raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        tiny(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert {name: (e["status"], e["seed"], e["options"])
            for name, e in manifest["steps"].items()} == {
        "01_first": ("ok", 7, OPTIONS), "02_second": ("ok", 7, OPTIONS)}
