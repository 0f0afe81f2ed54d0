"""What a results folder must satisfy after any interruption, and tiny analyses to run.

``assert_consistent`` is the invariant of the transaction: every step the manifest calls
``ok`` has its files with the recorded SHA-256; a ``complete`` manifest covers every file
with ``outputs`` and every step; no file stands in the folder that no entry names; all
entries belong to the manifest's seed and options.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

#: three steps that write a few files each from the step seed (fast stand-ins for analyses/)
TINY_STEPS = {
    "01_first.py": '''
import numpy as np

def run(ctx):
    draws = np.random.default_rng(ctx.seed).random(4)
    for k in range(3):
        (ctx.out / f"first_{k}.txt").write_text(f"{ctx.seed} {ctx.options} {draws[k]!r}\\n")
    ctx.catalog.append({"kind": "data", "name": "first", "caption": "",
                        "files": [f"first_{k}.txt" for k in range(3)]})
''',
    "02_second.py": '''
def run(ctx):
    first = (ctx.results_dir / "first_0.txt").read_text()
    for name in ("second.csv", "second.md"):
        (ctx.out / name).write_text(f"{ctx.seed} from {first}")
    ctx.catalog.append({"kind": "data", "name": "second", "caption": "",
                        "files": ["second.csv", "second.md"]})
''',
    "03_third.py": '''
def run(ctx):
    (ctx.out / "third.txt").write_text(f"{ctx.seed}\\n")
    ctx.catalog.append({"kind": "data", "name": "third", "caption": "",
                        "files": ["third.txt"]})
''',
}


def write_tiny_analyses(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY_STEPS.items():
        (folder / name).write_text(text)
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def visible_files(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".yt-")}


#: files of the run rather than of a step: the manifest and the output-checking log, which
#: lists the files of the steps landed so far
RUN_FILES = {"manifest.json", "disclosure.json"}


def assert_consistent(out: Path, *, foreign: set[str] = frozenset()) -> dict:
    """Check the invariant above; return the manifest. ``foreign``: files not of any run."""
    files = visible_files(out) - set(foreign)
    if "manifest.json" not in files:
        assert not files, f"files without a manifest: {sorted(files)}"
        return {}
    manifest = json.loads((out / "manifest.json").read_text())
    steps = manifest["steps"]
    claimed: set[str] = set()
    for name, entry in steps.items():
        named = set(entry.get("outputs", [])) | set(entry.get("sha256", {}))
        claimed |= named
        if entry["status"] == "ok":
            assert entry["seed"] == manifest["seed"], name
            assert entry["options"] == manifest["options"], name
            for file, digest in entry["sha256"].items():
                assert _sha(out / file) == digest, f"{name}: {file} is not what it recorded"
        else:
            assert entry["status"] in ("landing", "removing"), entry["status"]
            assert manifest["complete"] is False
    unclaimed = files - claimed - RUN_FILES
    assert not unclaimed, f"files no entry names: {sorted(unclaimed)}"
    if manifest.get("complete"):
        assert all(e["status"] == "ok" for e in steps.values())
        assert set(manifest["outputs"]) == files - RUN_FILES
        for file, digest in manifest["outputs"].items():
            assert _sha(out / file) == digest, file
    else:
        assert manifest["complete"] is False and "outputs" not in manifest
    return manifest


def _without_seconds(value):
    if isinstance(value, dict):
        return {k: _without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_seconds(v) for v in value]
    return value


def assert_same_run(a: Path, b: Path) -> None:
    """Two folders hold byte-identical outputs and manifests equal but for ``seconds``."""
    assert visible_files(a) == visible_files(b)
    for name in sorted(visible_files(a) - {"manifest.json"}):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((f / "manifest.json").read_text()) for f in (a, b))
    assert _without_seconds(ma) == _without_seconds(mb)
