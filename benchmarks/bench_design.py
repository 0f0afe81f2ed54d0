"""Speed of ``yt.design``: replicates of one cell at the study's size, and the quick look.

Run: PYTHONPATH=. python benchmarks/bench_design.py [REPS] [WORKERS]
Prints the seconds per replicate at 1,366 youth (complete cases and MI), the wall time of
REPS replicates of that cell on WORKERS processes (default 1000 on 2), and of the default
quick-look grid. Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import youthtransitions as yt
from youthtransitions.report.planning.analysis import one_replicate
from youthtransitions.report.planning.levers import cell_overrides, cell_truth, grid_cells


def per_replicate(method: str, k: int = 20) -> tuple[float, float]:
    """Wall and CPU seconds per replicate (CPU time does not grow with the machine's load)."""
    cell = grid_cells({"n": 1366, "share": 0.14})[0][0]
    args = (cell_overrides(cell, {}), cell_truth(cell, {}), method, 0.95, 5)
    one_replicate(np.random.default_rng(0), *args)  # warm caches
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(k):
        one_replicate(np.random.default_rng(i + 1), *args)
    return (time.perf_counter() - wall) / k, (time.process_time() - cpu) / k


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    for method in ("complete_cases", "multiple_imputation"):
        wall, cpu = per_replicate(method)
        print(f"one replicate at 1,366 youth, {method}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    if reps == 0:
        return
    start = time.perf_counter()
    yt.design(n=1366, share=0.14, reps=reps, workers=workers, progress=False)
    print(f"{reps} replicates at 1,366 youth on {workers} workers: "
          f"{time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    yt.design(workers=workers, progress=False)
    print(f"quick look (default grid, 25 replicates per cell) on {workers} workers: "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
