"""Benchmark a binomial GLMM at the study's size: ``fit_glmm`` vs lme4 ``glmer``, same run.

Data: 1,366 youth x 3 waves (4,098 rows), a 0/1 outcome from a logistic model with a random
youth intercept (sd 1.2), a youth-varying and a within-youth predictor and wave. Times one
complete fit each (median of repeats after a warm-up): ``fit_glmm`` (formula parsing, the
nAGQ = 0 and Laplace stages, the finite-difference Hessian for the standard errors) and
``glmer`` with its defaults, timed inside R with ``system.time`` over repeats (its default
also computes the Hessian). Prints the machine's load average (``os.getloadavg``) before
and after, since the machine is shared.

Usage::

    python benchmarks/bench_glmm.py [--repeats 10] [--r-repeats 5] [--no-r] [--json out.json]
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

from youthtransitions.models import fit_glmm  # noqa: E402

FORMULA = "y ~ x_between + x_within + wave + (1 | id)"

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
f <- y ~ x_between + x_within + wave + (1 | id)
m <- glmer(f, d, family = binomial)  # warm-up
t <- system.time(for (i in seq_len(reps)) m <- glmer(f, d, family = binomial))[["elapsed"]]
cat(jsonlite::toJSON(list(seconds = t / reps, loglik = as.numeric(logLik(m)),
                          fixef = unname(fixef(m))), auto_unbox = TRUE, digits = NA))
"""


def make_data(n_youth: int = 1366, waves: int = 3, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_youth), waves)
    wave = np.tile(np.arange(1, waves + 1), n_youth).astype(float)
    between = rng.normal(0, 0.6, n_youth)
    within = rng.normal(0, 0.5, n_youth * waves)
    eta = (-0.4 + 0.9 * between[ids] + 0.6 * within + 0.15 * wave
           + rng.normal(0, 1.2, n_youth)[ids])
    y = (rng.random(eta.size) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"id": ids, "wave": wave, "x_between": between[ids],
                         "x_within": within, "y": y})


def time_python(data: pd.DataFrame, repeats: int) -> tuple[float, object]:
    fit = fit_glmm(FORMULA, data)  # warm-up (imports, formulaic caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = fit_glmm(FORMULA, data)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), fit


def time_r(data: pd.DataFrame, repeats: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "bench.R"
        data.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv), str(repeats)],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--r-repeats", type=int, default=5)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    data = make_data()
    load_before = os.getloadavg()
    py, fit = time_python(data, args.repeats)
    r = None if args.no_r else time_r(data, args.r_repeats)
    load_after = os.getloadavg()
    result = {"rows": len(data), "youth": int(data["id"].nunique()),
              "python_seconds": py, "loglik": fit.loglik,
              "fixef": fit.params.tolist(), "load_before": load_before,
              "load_after": load_after, "python": platform.python_version(),
              "machine": platform.machine(), "cpus": os.cpu_count()}
    print(f"rows {result['rows']}, youth {result['youth']}; load average before "
          f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    print(f"fit_glmm   {py:8.3f} s   logLik {fit.loglik:.6f}")
    if r is not None:
        ratio = py / r["seconds"]
        result.update(glmer_seconds=r["seconds"], glmer_loglik=r["loglik"],
                      glmer_fixef=r["fixef"], ratio=ratio,
                      max_rel_fixef_diff=float(np.max(np.abs(
                          (fit.params.to_numpy() - np.asarray(r["fixef"]))
                          / np.asarray(r["fixef"])))))
        print(f"glmer      {r['seconds']:8.3f} s   logLik {r['loglik']:.6f}")
        print(f"ratio fit_glmm / glmer = {ratio:.3f} (goal <= 0.2); largest relative "
              f"fixed-effect difference {result['max_rel_fixef_diff']:.1e}")
    print(f"load average after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
