"""Benchmark and evidence: ``yt simulate`` over 200 synthetic studies.

Draws 200 synthetic studies (seeds from the master seed), runs the headline analyses with a
B = 200 youth bootstrap on each, and prints bias, RMSE and 95% CI coverage of every headline
estimand against the generator's truth, with the wall time. Results are recorded in
docs/performance.md ("Simulation"). Run: ``python benchmarks/bench_simulate.py [reps] [workers]``
(after ``pip install -e .``).
"""

from __future__ import annotations

import os
import sys
import time

import pandas as pd

from youthtransitions.report import simulate


def main(reps: int = 200, workers: int = 2) -> None:
    start = time.perf_counter()
    result = simulate(reps, workers=workers, progress=False)
    elapsed = time.perf_counter() - start
    pd.set_option("display.width", 160)
    print(result.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\n{reps} studies, workers={workers}: {elapsed:.1f} s wall "
          f"({elapsed / reps:.2f} s per study); load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
