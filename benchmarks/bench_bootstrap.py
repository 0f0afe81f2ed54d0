"""Benchmark: B=1000 cluster bootstrap of the relationship-quality R² difference.

Study size: 1,366 youth x 3 waves (about 10% of waves missing), full model
``wellbeing ~ rq_within + rq_between + (1 | youth)`` against the null ``wellbeing ~ 1 + (1 | youth)``.
Target: under 20 s on 2 cores (a 1000-draw interval must not dominate a replication run). Run: ``python benchmarks/bench_bootstrap.py [B] [workers]``.
Results are recorded in docs/performance.md ("Bootstrap").
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd

from youthtransitions.models import bootstrap_r2, center_within, fit_lmm


def study_like(n_youth: int = 1366, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_youth), 3)
    eta = rng.normal(0, 0.8, n_youth)[g]
    rq = eta + rng.normal(0, 0.6, g.size)
    wb = 0.45 * eta + 0.3 * (rq - eta) + rng.normal(0, 0.45, n_youth)[g] + rng.normal(0, .55,
                                                                                      g.size)
    df = pd.DataFrame({"youth_id": g, "wave": np.tile([1, 2, 3], n_youth), "rq": rq, "wb": wb})
    return df[rng.random(len(df)) > 0.1].reset_index(drop=True)


def main(B: int = 1000, workers: int = 2) -> None:
    df = center_within(study_like(), "rq", "youth_id")
    full = fit_lmm("wb ~ rq_within + rq_between", df, group="youth_id")
    null = fit_lmm("wb ~ 1", df, group="youth_id")
    # warm the worker pool so the timing is the bootstrap, not process start-up
    bootstrap_r2(full, null, B=2 * max(workers, 1), seed=0, workers=workers, progress=False)
    t0, c0 = time.perf_counter(), time.process_time()
    res = bootstrap_r2(full, null, B=B, seed=1, workers=workers, progress=False)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    lo, hi = res.ci["within.f1"]
    print(f"cluster bootstrap B={B} workers={workers} rows={full.n_obs} youth={full.n_groups}: "
          f"{elapsed:.1f} s ({1000 * elapsed / B:.1f} ms per replicate of 2 refits); "
          f"failed={res.bootstrap['failed']}; within.f1 diff {res['within.f1']:.4f} "
          f"[{lo:.4f}, {hi:.4f}]; load average {os.getloadavg()[0]:.1f}")
    if workers == 1:  # CPU time is the machine-independent figure when the machine is shared
        print(f"CPU time {cpu:.1f} s ({1000 * cpu / B:.1f} ms per replicate); on 2 idle cores "
              f"about {cpu / 2:.1f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
