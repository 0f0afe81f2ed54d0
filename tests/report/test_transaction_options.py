"""Bad options refused before any file is written; failed writes exit 2 with a consistent folder.

One test per option case (each used to leave 11-25 files or a traceback), then full-disk,
permission and read-only failures injected into the writes of ``yt replicate``, a real full
disk on a small tmpfs where the test can mount one, and ``yt describe --out``.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import youthtransitions as yt
from youthtransitions.cli import main
from youthtransitions.errors import UsageError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transaction_checks import assert_consistent  # noqa: E402


def _refused(capsys, out, *argv, message):
    code = main(["replicate", "--out", str(out), *map(str, argv)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists(), sorted(p.name for p in out.iterdir())


def test_one_imputation_is_refused_before_work(tmp_path, capsys):
    _refused(capsys, tmp_path / "out", "--m", 1, message="option m must be at least 2")


def test_one_bootstrap_draw_is_refused_before_work(tmp_path, capsys):
    _refused(capsys, tmp_path / "out", "--bootstrap", 1, message="option B must be at least 2")


def test_zero_workers_are_refused_before_work(tmp_path, capsys):
    _refused(capsys, tmp_path / "out", "--workers", 0, message="workers must be")


def test_negative_seed_is_refused_before_work(tmp_path, capsys):
    _refused(capsys, tmp_path / "out", "--seed", -5, message="seed must be")


def test_unreachable_scheduler_is_refused_before_work(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    import time

    import youthtransitions.parallel as parallel

    monkeypatch.setattr(parallel, "SCHEDULER_TIMEOUT", 1.0)
    started = time.perf_counter()
    _refused(capsys, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1",
             message="the Dask scheduler tcp://127.0.0.1:1 did not answer within 1 s")
    assert time.perf_counter() - started < 15


def test_zero_permutations_are_refused_by_the_api(tmp_path):
    with pytest.raises(UsageError, match="option n_perm must be at least 1"):
        yt.replicate(out=tmp_path / "out", options={"n_perm": 0})
    assert not (tmp_path / "out").exists()


def test_describe_negative_seed_exits_2(tmp_path, capsys):
    assert main(["describe", "--seed", "-5", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "seed must be a whole number of at least 0" in err and "Traceback" not in err
    assert not (tmp_path / "d").exists()


# -- failed writes ------------------------------------------------------------------------

def _fail_writes(monkeypatch, folder: Path, code: int, *, only_staging: bool = False,
                 mkdir: bool = False):
    """Opening a file for writing under ``folder`` (or only in its staging) raises ``code``."""
    folder = folder.resolve()
    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

    def hit(path) -> bool:
        try:
            resolved = Path(os.fsdecode(path)).resolve()
        except TypeError:  # a file descriptor
            return False
        if not resolved.is_relative_to(folder):
            return False
        return not only_staging or any(part.startswith(".yt-staging-")
                                       for part in resolved.relative_to(folder).parts)

    def fail(path):
        raise OSError(code, os.strerror(code), os.fsdecode(path))

    def fake_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wxa+") and hit(file):
            fail(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and hit(path):
            fail(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        if hit(path):
            fail(path)
        return real_mkdir(path, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    if mkdir:
        monkeypatch.setattr(os, "mkdir", fake_mkdir)


def _exit_2(capsys, out, reason):
    code = main(["replicate", "--out", str(out), "--m", "2", "--bootstrap", "2"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"cannot write {out}" in err and reason in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return assert_consistent(out)


def test_full_disk_while_a_step_writes_exits_2(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _fail_writes(monkeypatch, out, errno.ENOSPC, only_staging=True)
    manifest = _exit_2(capsys, out, "No space left on device")
    assert manifest["complete"] is False and manifest["steps"] == {}
    assert not any(p.name.startswith(".yt-staging") for p in out.iterdir())


def test_permission_denied_moving_files_into_place_exits_2(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(src).parent.name.startswith(".yt-staging-") and Path(dst).parent == out:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(dst))
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)
    manifest = _exit_2(capsys, out, "Permission denied")
    # the step was logged as landing, then nothing moved: the next start cleans it
    assert [e["status"] for e in manifest["steps"].values()] == ["landing"]


def test_read_only_output_folder_exits_2(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() == 0:  # root writes through chmod: make the folder refuse writes instead
        _fail_writes(monkeypatch, out, errno.EROFS, mkdir=True)
        reason = "Read-only file system"
    else:
        out.chmod(0o555)
        reason = "Permission denied"
    try:
        _exit_2(capsys, out, reason)
    finally:
        out.chmod(0o755)
    assert list(out.iterdir()) == []


def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def test_really_full_disk_exits_2_and_a_rerun_elsewhere_works(tmp_path, capsys):
    out = tmp_path / "tiny"
    _mount_tmpfs(out, "16k")
    try:
        _exit_2(capsys, out, "No space left on device")
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_describe_into_a_full_disk_exits_2_and_leaves_the_folder(tmp_path, capsys,
                                                                  monkeypatch):
    out = tmp_path / "d"
    out.mkdir()
    (out / "old.csv").write_text("kept")
    _fail_writes(monkeypatch, out, errno.ENOSPC, only_staging=True)
    assert main(["describe", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and "No space left on device" in err
    assert "Traceback" not in err and ".yt-staging" not in err
    assert [p.name for p in out.iterdir()] == ["old.csv"]
