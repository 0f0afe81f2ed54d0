"""Benchmark one mixed-model fit at the study's size: this package vs statsmodels vs lme4.

Data: 1,366 youth x 3 waves, 12% of rows missing at random, y ~ x + wave with a random
intercept, and with a random intercept and slope for wave. Times one complete fit each
(median of repeats after a warm-up): ``fit_lmm`` (formula parsing, fit, Satterthwaite df),
statsmodels ``MixedLM(...).fit()`` on prebuilt arrays (no df), and lme4 ``lmer`` timed inside
R with ``system.time`` over repeats (no lmerTest df), in the same run.

Usage::

    python benchmarks/bench_lmm.py [--repeats 20] [--sm-repeats 3] [--no-r] [--json out.json]
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
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from youthtransitions.models import fit_lmm  # noqa: E402
from youthtransitions.models.formula import build_design  # noqa: E402

MODELS = {"random intercept": "1", "random intercept + slope": "1 + wave"}

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
out <- list()
for (nm in c("1", "1 + wave")) {
  f <- as.formula(sprintf("y ~ x + wave + (%s | id)", nm))
  m <- lmer(f, d)  # warm-up
  t <- system.time(for (i in seq_len(reps)) m <- lmer(f, d))[["elapsed"]] / reps
  out[[nm]] <- list(seconds = t, loglik = as.numeric(logLik(m)),
                    fixef = unname(fixef(m)))
}
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def make_data(n_youth: int = 1366, waves: int = 3, missing: float = 0.12,
              seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_youth), waves)
    wave = np.tile(np.arange(waves), n_youth).astype(float)
    b0 = rng.normal(0, 0.8, n_youth)
    b1 = rng.normal(0, 0.3, n_youth)
    x = rng.normal(size=len(ids))
    y = 1 + 0.4 * x + 0.2 * wave + b0[ids] + b1[ids] * wave + rng.normal(size=len(ids))
    d = pd.DataFrame({"id": ids, "wave": wave, "x": x, "y": y})
    return d[rng.random(len(d)) >= missing].reset_index(drop=True)


def time_it(func, repeats: int) -> float:
    func()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def time_statsmodels(d: pd.DataFrame, random: str, repeats: int) -> float:
    from statsmodels.regression.mixed_linear_model import MixedLM

    des = build_design("y ~ x + wave", d, group="id", random=random)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MixedLM(des.y, des.X, groups=des.groups, exog_re=des.Z).fit(reml=True)

    return time_it(run, repeats)


def time_lme4(d: pd.DataFrame, repeats: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        d.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv), str(repeats)],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def machine() -> dict:
    info = {"python": platform.python_version(), "numpy": np.__version__,
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--sm-repeats", type=int, default=3)
    ap.add_argument("--no-r", action="store_true", help="skip lme4")
    ap.add_argument("--json", type=Path, help="write results to this JSON file")
    args = ap.parse_args(argv)
    d = make_data()
    lme4 = None if args.no_r else time_lme4(d, args.repeats)
    rows = []
    for label, random in MODELS.items():
        res = fit_lmm("y ~ x + wave", d, group="id", random=random)
        fast = time_it(lambda r=random: fit_lmm("y ~ x + wave", d, group="id", random=r),
                       args.repeats)
        sm = time_statsmodels(d, random, args.sm_repeats)
        row = {"model": label, "n_obs": res.n_obs, "n_groups": res.n_groups,
               "fast_s": fast, "statsmodels_s": sm, "statsmodels_ratio": sm / fast,
               "fast_loglik": res.loglik, "converged": res.converged}
        if lme4 is not None:
            r = lme4[random]
            row.update(lme4_s=r["seconds"], lme4_ratio=r["seconds"] / fast,
                       lme4_loglik=r["loglik"])
        rows.append(row)
    table = pd.DataFrame(rows)
    print(f"machine: {machine()}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
