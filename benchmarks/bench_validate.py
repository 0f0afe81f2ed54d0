"""Validation benchmark: ``yt validate`` on a 100k-youth study, as Parquet and as CSV.

The study is the shipped synthetic study tiled with new identifiers: copy ``k`` of youth
``YT0001`` is ``T001YT0001`` (its waves, PMK interviews and codes follow it; segment ids
are prefixed the same way), so every contract rule holds and the data have the shipped
study's mix of values and missing cells. Tiles are added until there are at least
``--youth`` youth, then the youth beyond that count (and their rows) are dropped.

Each format is written once to a temporary folder and ``yt validate`` runs on it in a fresh
process (import time included, as a user sees it); the script reports the wall time of each
run (best of ``--repeat``), the process's peak resident memory, the exit status and the
machine's load average.

With ``--hostile-qdpx`` it instead builds three hostile REFI-QDA archives of about 10 MB
(the builders of ``tests/study/test_qdpx_limits.py`` at full size: 1,000 selections spanning
one 1 MB member; 2,000 sources reading that one member; a 100 MB inline text with 40
selections spanning it) and reads each with ``yt codes`` in a fresh process, reporting wall
time, peak resident memory and the exit status.

Usage::

    python benchmarks/bench_validate.py [--youth 100000] [--repeat 3] [--formats parquet,csv]
                                        [--keep DIR] [--json out.json]
    python benchmarks/bench_validate.py --hostile-qdpx
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import resource, sys, time
t = time.perf_counter()
from youthtransitions.cli import main
code = main([sys.argv[2], sys.argv[1]])
print("@@", code, time.perf_counter() - t,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
"""


def tiled_study(n_youth: int) -> dict:
    """The shipped study's tables tiled to ``n_youth`` youth with new identifiers."""
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from youthtransitions.synthetic import shipped_study_path

    shipped = Path(shipped_study_path())
    base = {name: pd.read_parquet(shipped / f"{name}.parquet")
            for name in ("youth", "waves", "pmk", "scales", "codes")}
    copies = -(-n_youth // len(base["youth"]))
    tables = {"scales": base["scales"]}
    for name in ("youth", "waves", "pmk", "codes"):
        parts = []
        for k in range(copies):
            part = base[name].copy()
            part["youth_id"] = f"T{k:03d}" + part["youth_id"].astype(str)
            if name == "codes":
                part["segment_id"] = f"T{k:03d}" + part["segment_id"].astype(str)
            parts.append(part)
        tables[name] = pd.concat(parts, ignore_index=True)
    keep = set(tables["youth"]["youth_id"].iloc[:n_youth])
    for name in ("youth", "waves", "pmk", "codes"):
        frame = tables[name]
        tables[name] = frame[frame["youth_id"].isin(keep)].reset_index(drop=True)
    return tables


def write(tables: dict, folder: Path, fmt: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if fmt == "parquet":
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            out = frame.copy()
            if "interview_date" in out:
                out["interview_date"] = out["interview_date"].dt.strftime("%Y-%m-%d")
            out.to_csv(folder / f"{name}.csv", index=False)
    return folder


def time_validate(folder: Path, command: str = "validate") -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder), command],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("@@")][-1].split()
    return {"exit": int(line[1]), "seconds": wall, "in_process_seconds": float(line[2]),
            "peak_rss_mb": float(line[3]), "stdout_bytes": len(out.stdout)}


def hostile_qdpx(base: Path) -> list[dict]:
    """Build the three hostile archives in ``base`` and time ``yt codes`` on each."""
    sys.path.insert(0, str(ROOT / "tests" / "study"))
    from test_qdpx_limits import inline_text_archive, shared_member_archive

    archives = {
        "1000 selections x 1 MB member": lambda p: shared_member_archive(
            p, n_sources=1, n_selections=1000, member_chars=2**20),
        "2000 sources x 1 MB member": lambda p: shared_member_archive(
            p, n_sources=2000, n_selections=1, member_chars=2**20),
        "100 MB inline text x 40 selections": lambda p: inline_text_archive(
            p, n_chars=100 * 2**20, n_selections=40),
    }
    rows = []
    for i, (label, build) in enumerate(archives.items()):
        path = build(base / f"hostile{i}.qdpx")
        run = time_validate(path, "codes")
        row = {"archive": label, "bytes": path.stat().st_size, "exit": run["exit"],
               "seconds": round(run["seconds"], 2), "peak_rss_mb": round(run["peak_rss_mb"]),
               "stdout_bytes": run["stdout_bytes"],
               "load_average": [round(x, 2) for x in os.getloadavg()]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hostile-qdpx", action="store_true")
    ap.add_argument("--youth", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="parquet,csv")
    ap.add_argument("--keep", type=Path, help="write the studies here and keep them")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.hostile_qdpx:
        with tempfile.TemporaryDirectory() as tmp:
            rows = hostile_qdpx(args.keep or Path(tmp))
        if args.json:
            args.json.write_text(json.dumps({"results": rows}, indent=2))
        return 0
    tables = tiled_study(args.youth)
    counts = {name: len(frame) for name, frame in tables.items()}
    print(f"rows: {counts}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for fmt in (f for f in args.formats.split(",") if f):
            folder = write(tables, base / f"study_{fmt}", fmt)
            size = sum(p.stat().st_size for p in folder.iterdir())
            runs = [time_validate(folder) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            row = {"format": fmt, "youth": counts["youth"], "bytes": size,
                   "exit": best["exit"], "best_s": round(best["seconds"], 2),
                   "all_s": [round(r["seconds"], 2) for r in runs],
                   "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                   "load_average": [round(x, 2) for x in os.getloadavg()]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    meta = {"date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "cpus": os.cpu_count(), "python": sys.version.split()[0], "rows": counts}
    print(f"machine: {meta}")
    if args.json:
        args.json.write_text(json.dumps({"machine": meta, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
