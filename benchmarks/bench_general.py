"""Benchmark the general case: an unbalanced panel where the pattern compression cannot help.

Data: 800 youth with 2 to 6 interviews each (unbalanced), interview times jittered around
the wave, so the within-youth-centred time ``wave_c`` varies by row and every youth has its
own ``Z_i'Z_i``. Six predictors (``wave_c``, three row-varying covariates ``x1``-``x3``, a
between-youth ``female`` and ``age0``) and a random intercept and slope on ``wave_c``, REML::

    y ~ wave_c + x1 + x2 + x3 + female + age0 + (1 + wave_c | id)

Times one complete fit each, in the same run: ``fit_lmm`` (formula, fit, Satterthwaite df),
``lme4::lmer`` timed inside R over repeats on the same data written to a temporary CSV (no
lmerTest df), and statsmodels ``MixedLM(...).fit()`` on prebuilt arrays (no df) where it
finishes. Medians (and minima) of single fits; this engine is timed in two blocks, before and
after lme4, and the blocks pooled, so that a burst of load from other jobs on a shared
machine does not fall on one side only. Prints a table and the machine's load average
before, between and after.

Usage::

    python benchmarks/bench_general.py [--repeats 50] [--sm-repeats 2] [--no-r] [--no-sm]
                                       [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_lmm import machine, time_it  # noqa: E402
from youthtransitions.models import fit_lmm  # noqa: E402
from youthtransitions.models.formula import build_design  # noqa: E402

FORMULA = "y ~ wave_c + x1 + x2 + x3 + female + age0"
RANDOM = "1 + wave_c"

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
f <- y ~ wave_c + x1 + x2 + x3 + female + age0 + (1 + wave_c | id)
m <- lmer(f, d)  # warm-up
t <- sapply(seq_len(reps), function(i) {
  s <- proc.time()[["elapsed"]]; m <<- lmer(f, d); proc.time()[["elapsed"]] - s })
cat(jsonlite::toJSON(list(seconds = median(t), min_seconds = min(t),
                          loglik = as.numeric(logLik(m)), fixef = unname(fixef(m))),
                     auto_unbox = TRUE, digits = NA))
"""


def make_data(n_youth: int = 800, seed: int = 12) -> pd.DataFrame:
    """The unbalanced panel described in the module docstring."""
    rng = np.random.default_rng(seed)
    n_waves = rng.integers(2, 7, n_youth)
    ids = np.repeat(np.arange(n_youth), n_waves)
    wave = np.concatenate([np.sort(rng.choice(6, k, replace=False)) for k in n_waves])
    time_ = wave + rng.uniform(-0.3, 0.3, len(ids))
    mean_t = np.bincount(ids, weights=time_) / n_waves
    wave_c = time_ - mean_t[ids]
    female = rng.integers(0, 2, n_youth)[ids].astype(float)
    age0 = rng.normal(16, 1.2, n_youth)[ids]
    x1, x2 = rng.normal(size=(2, len(ids)))
    x3 = 0.5 * rng.normal(size=n_youth)[ids] + rng.normal(size=len(ids))
    b0 = rng.normal(0, 0.8, n_youth)
    b1 = rng.normal(0, 0.3, n_youth)
    y = (1 + 0.2 * wave_c + 0.4 * x1 - 0.2 * x2 + 0.3 * x3 + 0.5 * female + 0.1 * age0
         + b0[ids] + b1[ids] * wave_c + rng.normal(size=len(ids)))
    return pd.DataFrame({"id": ids, "wave_c": wave_c, "x1": x1, "x2": x2, "x3": x3,
                         "female": female, "age0": age0, "y": y})


def time_lme4(d: pd.DataFrame, repeats: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        d.to_csv(csv, index=False, float_format="%.17g")
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv), str(repeats)],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def fit_times(func, repeats: int) -> list[float]:
    """Wall times of ``repeats`` calls after a warm-up."""
    func()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        func()
        out.append(time.perf_counter() - t)
    return out


def time_statsmodels(d: pd.DataFrame, repeats: int) -> float:
    from statsmodels.regression.mixed_linear_model import MixedLM

    des = build_design(FORMULA, d, group="id", random=RANDOM)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MixedLM(des.y, des.X, groups=des.groups, exog_re=des.Z).fit(reml=True)

    return time_it(run, repeats)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--sm-repeats", type=int, default=2)
    ap.add_argument("--no-r", action="store_true", help="skip lme4")
    ap.add_argument("--no-sm", action="store_true", help="skip statsmodels")
    ap.add_argument("--json", type=Path, help="write results to this JSON file")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    d = make_data()
    res = fit_lmm(FORMULA, d, group="id", random=RANDOM)

    def ours():
        return fit_times(lambda: fit_lmm(FORMULA, d, group="id", random=RANDOM),
                         max(args.repeats // 2, 1))

    times = ours()
    lme4 = None if args.no_r else time_lme4(d, args.repeats)
    load_between = os.getloadavg()
    times += ours()
    fast = float(np.median(times))
    row = {"n_obs": res.n_obs, "n_groups": res.n_groups, "fast_s": fast,
           "fast_min_s": float(np.min(times)), "fast_loglik": res.loglik,
           "converged": res.converged, "evaluation": res.optimizer.get("evaluation"),
           "n_evaluations": res.optimizer.get("n_evaluations")}
    if lme4 is not None:
        row.update(lme4_s=lme4["seconds"], lme4_min_s=lme4["min_seconds"],
                   ours_over_lme4=fast / lme4["seconds"],
                   ours_over_lme4_min=row["fast_min_s"] / lme4["min_seconds"],
                   lme4_loglik=lme4["loglik"],
                   loglik_rel_diff=abs(res.loglik - lme4["loglik"]) / abs(lme4["loglik"]))
    if not args.no_sm:
        sm = time_statsmodels(d, args.sm_repeats)
        row.update(statsmodels_s=sm, ours_over_statsmodels=fast / sm)
    info = machine()
    info["load_average_before"] = load_before
    info["load_average_between"] = load_between
    info["load_average_after"] = os.getloadavg()
    print(f"machine: {info}")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(pd.DataFrame([row]).T.to_string(header=False, float_format=lambda v: f"{v:.4g}"))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": row}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
