"""Benchmark: B = 1000 cluster bootstrap of an R² difference on the general case, whole CLI.

Data: the unbalanced 800-youth panel of ``bench_general.py`` (2 to 6 interviews, six
predictors, a random intercept and slope on the within-youth-centred, row-varying
``wave_c``). Times the whole ``yt fit`` process, start-up included::

    yt fit DATA --formula "y ~ wave_c + x1 + x2 + x3 + female + age0" --group id
       --random "1 + wave_c" --compare "y ~ wave_c + female + age0"
       --bootstrap 1000 --workers W --seed 1 --json

for each worker count asked (default 2 and 1), ``--repeats`` times each, interleaved so that
a burst of load from other jobs on a shared machine does not fall on one count only; also
the same command without ``--bootstrap`` (start-up, reading and the two fits: the fixed
cost). Reports wall and CPU (user + system of the process and the children it reaped; the
loky workers of ``--workers 2`` are not reliably among them) seconds, and the load average
before, between and after. The byte code of the package timed (and of the ``--baseline``
checkout) is compiled first: where ``PYTHONDONTWRITEBYTECODE`` is set (as on this machine)
each run would otherwise compile every module whose ``.pyc`` is missing or stale (up to
half a second), which an installation pays once. With R available, lme4 refits of the same kind of
draws (``lmer`` of both models on resampled youth, each copy a new youth) are timed over
``--r-draws`` draws in the same run, for the per-draw comparison; ``--baseline DIR`` times
another checkout of the package too (the same command, ``--workers 2``).

Usage::

    python benchmarks/bench_bootstrap_general.py [--B 1000] [--workers 2 1] [--repeats 3]
                                                 [--r-draws 50] [--no-r] [--baseline DIR]
                                                 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_general import FORMULA, RANDOM, make_data  # noqa: E402
from benchmarks.bench_lmm import machine  # noqa: E402

REDUCED = "y ~ wave_c + female + age0"

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); B <- as.integer(args[2])
f1 <- y ~ wave_c + x1 + x2 + x3 + female + age0 + (1 + wave_c | id)
f0 <- y ~ wave_c + female + age0 + (1 + wave_c | id)
ids <- sort(unique(d$id)); rows <- split(seq_len(nrow(d)), d$id)
set.seed(1)
s <- proc.time()[["elapsed"]]
for (b in seq_len(B)) {
  draw <- sample(ids, length(ids), replace = TRUE)
  idx <- unlist(rows[as.character(draw)], use.names = FALSE)
  bd <- d[idx, ]; bd$id <- rep(seq_along(draw), lengths(rows[as.character(draw)]))
  m1 <- lmer(f1, bd); m0 <- lmer(f0, bd)
}
cat(jsonlite::toJSON(list(seconds_per_draw = (proc.time()[["elapsed"]] - s) / B),
                     auto_unbox = TRUE, digits = NA))
"""


def command(csv: Path, B: int | None, workers: int) -> list[str]:
    # the console script installed beside this interpreter, not a version manager's shim
    # (pyenv's adds a shell start, ~0.15 s); else the first ``yt`` on PATH
    beside = Path(sys.executable).with_name("yt")
    yt = str(beside) if beside.exists() else shutil.which("yt")
    base = [yt] if yt else [sys.executable, "-c",
                            "import sys; from youthtransitions.cli import main; "
                            "sys.exit(main(sys.argv[1:]))"]
    cmd = base + ["fit", str(csv), "--formula", FORMULA, "--group", "id", "--random", RANDOM,
                  "--compare", REDUCED, "--seed", "1", "--json", "--workers", str(workers)]
    return cmd + (["--bootstrap", str(B)] if B else [])


def run_once(cmd: list[str], package_root: Path | None = None) -> dict:
    """Wall and CPU seconds of one process (CPU: its own and its children's), with the
    package imported from ``package_root`` when given (another checkout, for a before/after
    comparison in the same run)."""
    env = dict(os.environ)
    if package_root is not None:
        env["PYTHONPATH"] = str(package_root)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(out.stdout)
    return {"wall_s": wall, "cpu_s": cpu, "failed": report.get("bootstrap", {}).get("failed")}


def compile_bytecode(package_root: Path) -> None:
    """Write the ``.pyc`` files of the ``youthtransitions`` package under ``package_root``."""
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    str(package_root / "youthtransitions")], check=True,
                   capture_output=True)


def time_lme4(csv: Path, draws: int) -> dict | None:
    if shutil.which("Rscript") is None or draws <= 0:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "boot.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv), str(draws)],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--B", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 1])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--r-draws", type=int, default=50)
    ap.add_argument("--no-r", action="store_true", help="skip lme4")
    ap.add_argument("--baseline", type=Path,
                    help="also time another checkout of the package (e.g. the previous "
                         "release) with --workers 2, in the same run")
    ap.add_argument("--json", type=Path, help="write results to this JSON file")
    args = ap.parse_args(argv)
    compile_bytecode(Path(__file__).resolve().parents[1])
    if args.baseline:
        compile_bytecode(args.baseline.resolve())
    info = machine()
    info["load_average_before"] = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "general.csv"
        make_data().to_csv(csv, index=False, float_format="%.17g")
        runs: dict[str, list[dict]] = {"no_bootstrap": []}
        runs.update({f"workers_{w}": [] for w in args.workers})
        if args.baseline:
            runs["baseline_workers_2"] = []
        for _ in range(args.repeats):
            runs["no_bootstrap"].append(run_once(command(csv, None, 1)))
            for w in args.workers:
                runs[f"workers_{w}"].append(run_once(command(csv, args.B, w)))
            if args.baseline:
                runs["baseline_workers_2"].append(run_once(command(csv, args.B, 2),
                                                           args.baseline.resolve()))
        info["load_average_between"] = os.getloadavg()
        lme4 = None if args.no_r else time_lme4(csv, args.r_draws)
    info["load_average_after"] = os.getloadavg()
    rows = {}
    for name, rs in runs.items():
        wall = [r["wall_s"] for r in rs]
        rows[name] = {"wall_median_s": float(np.median(wall)), "wall_min_s": float(np.min(wall)),
                      "cpu_median_s": float(np.median([r["cpu_s"] for r in rs])),
                      "failed": rs[0]["failed"]}
    if lme4 is not None:
        rows["lme4"] = {"seconds_per_draw": lme4["seconds_per_draw"],
                        f"B{args.B}_estimate_s": lme4["seconds_per_draw"] * args.B}
    print(f"machine: {info}")
    print(f"B={args.B}, {args.repeats} repeats, whole `yt fit` process")
    for name, row in rows.items():
        print(f"  {name:14s} " + "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else
                                           f"{k}={v}" for k, v in row.items()))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "B": args.B, "results": rows},
                                        indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
