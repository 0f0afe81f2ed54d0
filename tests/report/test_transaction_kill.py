"""``yt replicate`` killed with SIGKILL at random points never leaves a folder that lies.

Six runs into one folder, alternating two seeds, are each killed at a random moment (drawn from
a fixed generator, spread over the length of a whole run); after each the folder must be
consistent (:func:`transaction_checks.assert_consistent`), and a final run must finish
byte-identical to an uninterrupted run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import youthtransitions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transaction_checks import assert_consistent, assert_same_run  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(youthtransitions.__file__).resolve().parents[1]
KILLS = 6


def _start(out: Path, seed: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, "-m", "youthtransitions", "replicate", "--out", str(out),
         "--seed", str(seed), "--m", "2", "--bootstrap", "20", "--json"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _finish(out: Path, seed: int) -> float:
    started = time.perf_counter()
    proc = _start(out, seed)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), err  # 1: a replication row off with so few draws
    return time.perf_counter() - started


def test_runs_killed_at_random_points_leave_consistent_folders(tmp_path):
    reference = tmp_path / "reference"
    length = _finish(reference, 7)
    assert assert_consistent(reference)["complete"] is True
    out = tmp_path / "out"
    draw = random.Random(20240501)
    states = []
    for kill in range(KILLS):
        seed = (8, 7)[kill % 2]
        proc = _start(out, seed)
        try:
            proc.wait(timeout=draw.uniform(0.1, 0.7) * length)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        manifest = assert_consistent(out)
        states.append((seed, proc.returncode, len(manifest.get("steps", {})),
                       manifest.get("complete")))
    assert sum(code == -signal.SIGKILL for _, code, _, _ in states) >= KILLS // 2, states
    print(f"run of {length:.1f} s; kills (seed, exit, steps, complete): {states}")
    _finish(out, 7)
    assert assert_consistent(out)["complete"] is True
    assert_same_run(out, reference)
