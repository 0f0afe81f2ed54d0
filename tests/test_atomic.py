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
