"""Benchmark a crossed LMM: 100,000 youth seeing 1,000 workers over 3 waves, vs lme4.

Data: each youth has a worker at wave 1 and changes worker with probability 0.3 at each
later wave; y ~ x + wave + (1 | youth) + (1 | worker) with sd 0.8 (youth), 0.4 (worker),
1 (residual). Times one complete ``fit_lmm_terms`` (parsing, design, fit, Satterthwaite df)
and lme4 ``lmer`` on the same CSV (``system.time`` inside R, no lmerTest df), in the same
run, and prints both log-likelihoods (they must agree) with ``os.getloadavg()``.

Usage::

    python benchmarks/bench_crossed.py [--youth 100000] [--workers 1000] [--no-r] [--json f]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from youthtransitions.models.crossed import fit_lmm_terms  # noqa: E402

FORMULA = "y ~ x + wave + (1 | youth) + (1 | worker)"

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); d$youth <- factor(d$youth); d$worker <- factor(d$worker)
t <- system.time(m <- lmer(y ~ x + wave + (1 | youth) + (1 | worker), d))[["elapsed"]]
cat(jsonlite::toJSON(list(seconds = t, loglik = as.numeric(logLik(m)),
                          fixef = unname(fixef(m)), theta = unname(getME(m, "theta"))),
                     auto_unbox = TRUE, digits = NA))
"""


def make_data(n_youth: int = 100_000, n_workers: int = 1000, waves: int = 3,
              seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    worker = np.empty((n_youth, waves), dtype=np.int64)
    worker[:, 0] = rng.integers(0, n_workers, n_youth)
    for w in range(1, waves):
        change = rng.random(n_youth) < 0.3
        worker[:, w] = np.where(change, rng.integers(0, n_workers, n_youth), worker[:, w - 1])
    youth = np.repeat(np.arange(n_youth), waves)
    wave = np.tile(np.arange(waves), n_youth).astype(float)
    x = rng.normal(size=n_youth * waves)
    y = (1.0 + 0.3 * x + 0.1 * wave + rng.normal(0, 0.8, n_youth)[youth]
         + rng.normal(0, 0.4, n_workers)[worker.ravel()] + rng.normal(size=n_youth * waves))
    return pd.DataFrame({"youth": youth, "worker": worker.ravel(), "wave": wave, "x": x,
                         "y": y})


def time_r(data: pd.DataFrame) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "b.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True,
                             text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--youth", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    data = make_data(args.youth, args.workers)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    fit = fit_lmm_terms(FORMULA, data)
    seconds = time.perf_counter() - t0
    res = {"n_obs": fit.n_obs, "n_groups": fit.n_groups, "seconds": seconds,
           "loglik": fit.loglik, "theta": fit.theta.tolist(),
           "fixef": fit.params.tolist(), "converged": fit.converged,
           "evaluations": fit.engine_fit.optimizer["n_evaluations"],
           "loadavg_before": load_before, "python": platform.python_version()}
    if not args.no_r:
        res["lme4"] = time_r(data)
    res["loadavg_after"] = os.getloadavg()
    print(json.dumps(res, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
