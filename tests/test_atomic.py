"""Outputs appear whole or not at all."""

import pytest

from youthtransitions._atomic import atomic_directory, atomic_write_text


def test_atomic_write_replaces(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failed_directory_leaves_target_untouched(tmp_path):
    target = tmp_path / "results"
    target.mkdir()
    (target / "keep.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as tmp:
            (tmp / "keep.csv").write_text("new")
            raise RuntimeError("step failed")
    assert (target / "keep.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_directory_moves_files_in(tmp_path):
    target = tmp_path / "results"
    with atomic_directory(target) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.txt").write_text("a")
    assert (target / "sub" / "a.txt").read_text() == "a"


def test_written_files_get_the_usual_mode(tmp_path):
    import os
    import stat

    target = tmp_path / "mode.txt"
    atomic_write_text(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_directory_over_a_file_is_refused_before_the_work(tmp_path):
    from youthtransitions.errors import UsageError

    target = tmp_path / "results"
    target.write_text("not a folder")
    ran = []
    with pytest.raises(UsageError, match="is a file"):
        with atomic_directory(target):
            ran.append(True)
    assert not ran and target.read_text() == "not a folder"


def test_directory_stages_inside_its_target(tmp_path):
    target = tmp_path / "results"
    with atomic_directory(target) as tmp:
        assert tmp.parent == target and tmp.name.startswith(".yt-staging-")
        (tmp / "a.txt").write_text("a")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_failed_directory_that_did_not_exist_is_not_left_behind(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_directory(tmp_path / "new") as tmp:
            (tmp / "a.txt").write_text("a")
            raise RuntimeError("step failed")
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_stale_entries_of_dead_processes_are_removed(tmp_path):
    import os

    from youthtransitions._atomic import remove_stale

    target = tmp_path / "results"
    target.mkdir()
    dead, alive = _dead_pid(), os.getpid()
    for pid in (dead, alive):
        (target / f".yt-staging-{pid}-x").mkdir()
        (target / f".yt-tmp-{pid}-x-a.csv").write_text("half")
    (target / ".hidden-by-user").write_text("kept")
    (tmp_path / ".results.abc.tmp").mkdir()  # an earlier version's staging, beside
    removed = remove_stale(target)
    assert sorted(p.name for p in removed) == sorted(
        [f".yt-staging-{dead}-x", f".yt-tmp-{dead}-x-a.csv", ".results.abc.tmp"])
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [f".yt-staging-{alive}-x", f".yt-tmp-{alive}-x-a.csv", ".hidden-by-user"])
    remove_stale(target, every=True)
    assert [p.name for p in target.iterdir()] == [".hidden-by-user"]


@pytest.mark.parametrize("code, reason", [(28, "No space left on device"),
                                          (13, "Permission denied"),
                                          (30, "Read-only file system")])
def test_write_failures_name_the_path_and_the_reason(tmp_path, monkeypatch, code, reason):
    import os

    from youthtransitions.errors import OutputError

    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(fd):
        raise OSError(code, reason)
    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OutputError, match=f"cannot write {target}: {reason}") as err:
        atomic_write_text(target, "new")
    assert err.value.path == str(target) and err.value.reason == reason
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failed_move_into_a_folder_is_an_output_error(tmp_path, monkeypatch):
    import os

    from youthtransitions.errors import OutputError

    def fail(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="results/a.txt: Permission denied"):
        with atomic_directory(tmp_path / "results") as tmp:
            (tmp / "a.txt").write_text("a")
    assert list(tmp_path.iterdir()) == []


def test_directory_on_another_filesystem_than_its_parent(tmp_path, monkeypatch):
    """A mount point: renames between the folder and its parent fail with EXDEV."""
    import errno
    import os
    from pathlib import Path

    target = tmp_path / "mount"
    real = os.replace

    def replace(src, dst):
        if Path(src).is_relative_to(target) != Path(dst).is_relative_to(target):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("a")
    assert (target / "a.txt").read_text() == "a"
