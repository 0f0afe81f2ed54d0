"""The manifest records inputs and lets a rerun skip completed, unchanged steps."""

import json

from youthtransitions.report.manifest import (
    Manifest,
    file_sha256,
    fingerprint,
    folder_hashes,
    package_versions,
)


def test_file_hash_matches_known_digest(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    # SHA-256("abc"), FIPS 180-2 appendix B.1
    assert file_sha256(path) == ("ba7816bf8f01cfea414140de5dae2223"
                                 "b00361a396177a9cb410ff61f20015ad")
    assert folder_hashes(tmp_path) == {"a.txt": file_sha256(path)}


def test_fingerprint_is_order_stable_and_sensitive():
    assert fingerprint({"a": 1, "b": 2}, 3) == fingerprint({"b": 2, "a": 1}, 3)
    assert fingerprint({"a": 1}, 3) != fingerprint({"a": 1}, 4)


def test_completed_requires_same_fingerprint_and_outputs(tmp_path):
    manifest = Manifest(tmp_path)
    assert not manifest.found
    (tmp_path / "t.csv").write_text("x")
    manifest.record("01_sample", fingerprint="f1", status="ok", outputs=["t.csv"],
                    sha256={"t.csv": file_sha256(tmp_path / "t.csv")})
    manifest.save()
    again = Manifest(tmp_path)
    assert again.found and again.completed("01_sample", "f1")
    assert not again.completed("01_sample", "f2")
    (tmp_path / "t.csv").write_text("y")  # changed since the step wrote it
    assert not again.completed("01_sample", "f1")
    (tmp_path / "t.csv").unlink()
    assert not again.completed("01_sample", "f1")
    assert json.loads((tmp_path / "manifest.json").read_text())["steps"]["01_sample"]


def test_entries_without_hashes_or_not_ok_are_not_complete(tmp_path):
    (tmp_path / "t.csv").write_text("x")
    manifest = Manifest(tmp_path)
    manifest.record("old", fingerprint="f1", status="ok", outputs=["t.csv"])
    manifest.record("half", fingerprint="f1", status="landing", outputs=["t.csv"],
                    sha256={"t.csv": file_sha256(tmp_path / "t.csv")})
    assert not manifest.completed("old", "f1") and not manifest.completed("half", "f1")
    assert manifest.files("half") == {"t.csv"}


def test_unreadable_manifest_is_no_replication(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    assert not Manifest(tmp_path).found


def test_package_versions_name_python_and_numpy():
    versions = package_versions()
    assert versions["python"].count(".") == 2 and versions["numpy"] != "not installed"
