"""``yt describe [DIR] [--json] [--out DIR] [--no-output-rules]``: the sample description."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..parallel import check_seed
from ._common import add_output_rules_options, add_study_dir, study_dir

HELP = "describe a study's sample (counts, attrition, PMK, subsample profile) and reliability"


def register(subparsers) -> None:
    parser = subparsers.add_parser("describe", help=HELP, description=HELP.capitalize() + ".")
    add_study_dir(parser)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--out", metavar="DIR",
                        help="write the tables as CSV and Markdown (and the tidy table) to DIR")
    add_output_rules_options(parser)
    parser.add_argument("--seed", type=int, default=None,
                        help="deprecated and ignored: counts are rounded consistently per "
                        "study, whatever the seed")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..report import describe
    from ..report.gate import gate_for_study
    from ..study import load_study

    check_seed(args.seed)  # before any work
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} exists and is not a folder")
    if args.seed is not None:
        print("yt describe: warning: --seed is ignored; counts are rounded consistently per "
              "study (docs/output-rules.md)", file=sys.stderr)
    folder = study_dir(args.dir)
    study = load_study(folder)
    gate = gate_for_study(study, output_rules=args.output_rules)
    result = describe(study, gate=gate)
    written = []
    if out is not None:
        written = write_describe(result, out, gate=gate)
    if args.json:
        payload = result.to_json()
        payload["written"] = [str(p) for p in written]
        print(json.dumps(payload, indent=2))
    else:
        print(result.summary())
        if written:
            print(f"\nWrote {len(written)} files to {args.out}")
    return 0


def write_describe(result, out: Path, *, gate=None) -> list[Path]:
    """Write each table as CSV and Markdown plus the tidy table ``describe.csv`` and, with
    the ``gate`` the values passed, its output-checking log ``disclosure.json``, atomically.

    The files are staged inside ``out``; a failed write leaves ``out`` as it was.
    """
    from .._atomic import as_output_error, atomic_directory

    names = []
    with atomic_directory(out) as tmp:
        try:
            frame = result.to_frame()
            frame.to_csv(tmp / "describe.csv", index=False, lineterminator="\n")
            names.append("describe.csv")
            for stem, table in result.tables().items():
                names += [p.name for p in table.write(tmp, stem, formats=("csv", "md"))]
            if gate is not None:
                gate.log.attach(result.artefact, *names)
                gate.artefact("disclosure.json", "log", files=["disclosure.json"], comments=[
                    "this output-checking log: rules, files, cells suppressed and withheld"])
                (tmp / "disclosure.json").write_text(gate.log.to_json())
                names.append("disclosure.json")
        except OSError as exc:
            raise as_output_error(exc, out, rename=(tmp, out)) from exc
    return [out / name for name in names]
