"""Draw docs/planning-power.png: the power curve of a small planning grid.

Run: PYTHONPATH=. python benchmarks/design_figure.py [--workers N]
The grid (smaller shares than the published 0.14, where power is not already 1 at 300
youth) is the example of docs/planning.md; 100 replicates per cell.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import youthtransitions as yt
from youthtransitions._atomic import atomic_write_bytes
from youthtransitions.report.figures import _pyplot

OUT = Path(__file__).resolve().parents[1] / "docs" / "planning-power.png"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--out", default=None, help="keep finished cells here")
    args = parser.parse_args()
    result = yt.design(n=[300, 600, 1000, 1366], share=[0.01, 0.02, 0.04], reps=args.reps,
                       workers=args.workers, out=args.out, b_within=0.1)
    print(result.to_frame().to_string(index=False))
    figure = result.plot(estimands=["headline_r2", "multilevel.delta.between.f2",
                                    "pmk.slope"])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                   metadata={"Software": None})
    _pyplot().close(figure)
    atomic_write_bytes(OUT, buffer.getvalue())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
