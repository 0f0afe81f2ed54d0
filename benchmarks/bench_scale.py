"""Scale benchmark: random intercept + slope on 10k, 100k and 1M youth x 3 waves.

Each size runs in a fresh subprocess that simulates the data (12% of rows missing), then
times ``fit_lmm("y ~ x + wave", random="1 + wave")`` (formula parsing, sufficient statistics,
REML fit, Satterthwaite df) and reports the process's peak resident memory (``ru_maxrss``,
which includes Python, numpy, pandas and the data themselves). lme4 runs beside it in R on
data simulated the same way in R (same sizes and model; ``lmer`` timed with
``system.time``; peak memory of the R process from ``/usr/bin/time``).

Usage::

    python benchmarks/bench_scale.py [--sizes 10000,100000,1000000]
                                     [--r-sizes 10000,100000] [--json out.json]

lme4 at 1M youth needs ~80 s and ~2 GB: pass it in ``--r-sizes`` only when wanted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

R_SCRIPT = r"""
suppressMessages(library(lme4))
G <- as.integer(commandArgs(trailingOnly = TRUE)[1])
set.seed(1)
id <- rep(seq_len(G), each = 3); wave <- rep(0:2, G)
b0 <- rnorm(G, 0, 0.8); b1 <- rnorm(G, 0, 0.3); x <- rnorm(3 * G)
y <- 1 + 0.4 * x + 0.2 * wave + b0[id] + b1[id] * wave + rnorm(3 * G)
d <- data.frame(id = id, wave = wave, x = x, y = y)[runif(3 * G) >= 0.12, ]
warn <- character(0)
t <- system.time(m <- withCallingHandlers(lmer(y ~ x + wave + (1 + wave | id), d),
  warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }))
cat(jsonlite::toJSON(list(seconds = t[["elapsed"]], n_obs = nrow(d),
  loglik = as.numeric(logLik(m)), warnings = warn,
  converged = length(m@optinfo$conv$lme4$messages) == 0), auto_unbox = TRUE, digits = NA))
"""


def child(n_youth: int) -> dict:
    """Run in the subprocess: simulate, fit, report."""
    sys.path.insert(0, str(ROOT))
    import warnings

    import numpy as np
    import pandas as pd

    from youthtransitions.models import fit_lmm

    rng = np.random.default_rng(1)
    ids = np.repeat(np.arange(n_youth), 3)
    wave = np.tile(np.arange(3.0), n_youth)
    b0, b1 = rng.normal(0, 0.8, n_youth), rng.normal(0, 0.3, n_youth)
    x = rng.normal(size=3 * n_youth)
    y = 1 + 0.4 * x + 0.2 * wave + b0[ids] + b1[ids] * wave + rng.normal(size=3 * n_youth)
    keep = rng.random(3 * n_youth) >= 0.12
    d = pd.DataFrame({"id": ids[keep], "wave": wave[keep], "x": x[keep], "y": y[keep]})
    del ids, wave, x, y, keep
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = time.perf_counter()
        r = fit_lmm("y ~ x + wave", d, group="id", random="1 + wave")
        seconds = time.perf_counter() - t
    return {"n_youth": n_youth, "n_obs": r.n_obs, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_fit_mb": rss_data, "converged": r.converged, "singular": r.singular,
            "loglik": r.loglik, "evaluations": r.optimizer.get("n_evaluations"),
            "warnings": [str(w.message) for w in caught]}


def run_python(n_youth: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(n_youth)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_r(n_youth: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "scale.R"
        script.write_text(R_SCRIPT)
        timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
        out = subprocess.run(timer + ["Rscript", str(script), str(n_youth)],
                             capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if isinstance(res["warnings"], str):  # jsonlite unboxes a single warning
        res["warnings"] = [res["warnings"]]
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    res["peak_rss_mb"] = int(m.group(1)) / 1024 if m else None
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--r-sizes", default="10000,100000")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    r_sizes = {int(s) for s in args.r_sizes.split(",") if s}
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        py = run_python(n)
        row = {"n_youth": n, "n_obs": py["n_obs"], "fast_s": py["seconds"],
               "fast_peak_mb": py["peak_rss_mb"], "fast_converged": py["converged"],
               "fast_evals": py["evaluations"], "fast_warnings": len(py["warnings"])}
        if n in r_sizes:
            r = run_r(n)
            if r:
                row.update(lme4_s=r["seconds"], lme4_peak_mb=r["peak_rss_mb"],
                           lme4_converged=r["converged"], lme4_warnings=len(r["warnings"]),
                           lme4_warning_text="; ".join(r["warnings"])[:120],
                           lme4_ratio=r["seconds"] / py["seconds"])
        rows.append(row)
        print(json.dumps(row), flush=True)
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    meta = {"date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "cpus": os.cpu_count(), "load_average": load}
    print(f"machine: {meta}")
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.json:
        args.json.write_text(json.dumps({"machine": meta, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
