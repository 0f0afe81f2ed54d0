"""``yt validate DIR``: check a study folder against the data contract; never writes."""

from __future__ import annotations

import argparse
import json
import warnings
from typing import Any

from ..errors import StudyDataError, UsageError

EXIT_OK, EXIT_INVALID = 0, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a study folder against the data contract",
        description="Check every rule of the data contract. Exit 0 with a summary when the "
                    "study is valid, 2 listing every problem when not. Writes nothing.")
    parser.add_argument("path", metavar="DIR", help="study folder")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.set_defaults(run=run)


def _summary(study: Any) -> dict[str, Any]:
    from ..study.scales import scale_items

    tables = {name: {"file": study.metadata.get("files", {}).get(name), "rows": len(frame)}
              for name in ("youth", "waves", "pmk", "scales", "codes")
              if (frame := getattr(study, name)) is not None}
    waves = study.waves["wave"].value_counts().sort_index()
    scales = {table: {name: len(rows) for name, rows in scale_items(study, table).items()}
              for table in ("waves", "pmk")}
    return {"source": study.source, "synthetic": study.synthetic, "tables": tables,
            "youth": study.n_youth, "msu": int(study.youth["msu"].sum()),
            "waves": {int(w): int(n) for w, n in waves.items()},
            "scales": scales, "notes": study.metadata.get("codes_unmapped", [])}


def _print_summary(s: dict[str, Any]) -> None:
    print(f"study {s['source']}: valid")
    print(f"  synthetic: {'yes' if s['synthetic'] else 'no'}")
    print("  tables:    " + ", ".join(f"{t['file']} ({t['rows']} rows)"
                                      for t in s["tables"].values()))
    print(f"  youth:     {s['youth']} ({s['msu']} multiple-service users)")
    print("  waves:     " + ", ".join(f"wave {w}: {n}" for w, n in s["waves"].items()))
    for table, scales in s["scales"].items():
        if scales:
            print(f"  scales ({table}): " + ", ".join(f"{k} ({n} items)"
                                                    for k, n in scales.items()))
    for note in s["notes"]:
        print(f"  note: not mapped from codes.qdpx: {note}")


def run(args: argparse.Namespace) -> int:
    from .._tidy import to_jsonable
    from ..study import load_study

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = load_study(args.path)
    except UsageError as exc:
        if not args.json:
            raise
        print(json.dumps({"valid": False, "path": str(args.path), "error": str(exc),
                          "problems": []}, indent=2))
        return EXIT_INVALID
    except StudyDataError as exc:
        problems = exc.problems
        if args.json:
            print(json.dumps({"valid": False, "path": str(args.path),
                              "problems": [p.to_dict() for p in problems]}, indent=2))
        else:
            n = len(problems)
            print(f"study {args.path}: {n} problem{'s' if n != 1 else ''}")
            for p in problems:
                print(f"  - {p}")
        return EXIT_INVALID
    summary = _summary(study)
    if args.json:
        print(json.dumps(to_jsonable({"valid": True, **summary}), indent=2))
    else:
        _print_summary(summary)
    return EXIT_OK
