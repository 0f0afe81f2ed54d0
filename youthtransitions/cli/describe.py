"""``yt describe [DIR] [--json] [--out DIR] [--no-output-rules]``: the sample description."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import UsageError

HELP = "describe a study's sample (counts, attrition, PMK, subsample profile) and reliability"


def register(subparsers) -> None:
    parser = subparsers.add_parser("describe", help=HELP, description=HELP.capitalize() + ".")
    parser.add_argument("dir", nargs="?", metavar="DIR",
                        help="study folder (default: the shipped synthetic study)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--out", metavar="DIR",
                        help="write the tables as CSV and Markdown (and the tidy table) to DIR")
    rules = parser.add_mutually_exclusive_group()
    rules.add_argument("--no-output-rules", dest="output_rules", action="store_false",
                       default=None, help="do not apply the output rules (RR3, suppression)")
    rules.add_argument("--output-rules", dest="output_rules", action="store_true",
                       help="apply the output rules even to synthetic data")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random rounding (default: derived from the study)")
    parser.set_defaults(run=run)


def _study_path(arg: str | None) -> Path:
    if arg is not None:
        path = Path(arg)
        if not path.exists():
            raise UsageError(f"study folder {arg!r} does not exist")
        if not path.is_dir():
            raise UsageError(f"{arg!r} is not a folder; give the folder holding the study tables")
        return path
    try:
        from ..synthetic import shipped_study_path
    except ImportError:  # synthetic package not built yet: the folder at the repository root
        return Path(__file__).resolve().parents[2] / "synthetic_data"
    return Path(shipped_study_path())


def run(args: argparse.Namespace) -> int:
    from ..report.describe import describe
    from ..study import load_study

    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} exists and is not a folder")
    study = load_study(_study_path(args.dir))
    result = describe(study, output_rules=args.output_rules, seed=args.seed)
    written = []
    if out is not None:
        written = write_describe(result, out)
    if args.json:
        payload = result.to_json()
        payload["written"] = [str(p) for p in written]
        print(json.dumps(payload, indent=2))
    else:
        print(result.summary())
        if written:
            print(f"\nWrote {len(written)} files to {args.out}")
    return 0


def write_describe(result, out: Path) -> list[Path]:
    """Write each table as CSV and Markdown plus the tidy table ``describe.csv``, atomically."""
    from .._atomic import atomic_directory

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a folder")
    names = []
    with atomic_directory(out) as tmp:
        frame = result.to_frame()
        frame.to_csv(tmp / "describe.csv", index=False, lineterminator="\n")
        names.append("describe.csv")
        for stem, table in result.tables().items():
            names += [p.name for p in table.write(tmp, stem, formats=("csv", "md"))]
    return [out / name for name in names]
