"""``yt validate DIR``: check a study folder against the data contract; never writes."""

from __future__ import annotations

import argparse
import json
import warnings
from typing import TYPE_CHECKING, Any

from ..errors import StudyDataError, UsageError

if TYPE_CHECKING:
    from ..study import ProblemList

EXIT_OK, EXIT_INVALID = 0, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a study folder against the data contract",
        description="Check every rule of the data contract. Exit 0 with a summary when the "
                    "study is valid, 2 listing the problems when not (the first 20 of each "
                    "rule and column, then how many more). Writes nothing.")
    parser.add_argument("path", metavar="DIR", help="study folder")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument("--all", action="store_true",
                        help="list every problem (default: the first 20 of each rule and "
                             "column, then how many more)")
    parser.add_argument("--allow-outside-links", action="store_true",
                        help="read table files that are links to files outside the folder")
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


def _problem_lines(problems: ProblemList) -> list[str]:
    """Each rule's listed problems, then how many more of that rule were found."""
    omitted = problems.omitted
    lines = []
    for key, listed in problems.groups():
        lines += [f"  - {p}" for p in listed]
        if key in omitted:
            table, column, rule = key
            where = f"table {table}" + (f", column {column}" if column else "")
            lines.append(f"  - {where}: and {omitted[key]} more of this rule ({rule}; "
                         f"{problems.counts[key]} in all)")
    return lines


def run(args: argparse.Namespace) -> int:
    from .._tidy import to_jsonable
    from ..study import ProblemList, load_study

    bound = {"limit": None} if args.all else {}  # default: load_study's bound per rule
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = load_study(args.path, allow_outside_links=args.allow_outside_links,
                               **bound)
    except UsageError as exc:
        if not args.json:
            raise
        print(json.dumps({"valid": False, "path": str(args.path), "error": str(exc),
                          "problems": []}, indent=2))
        return EXIT_INVALID
    except StudyDataError as exc:
        problems, n = exc.problems, exc.total
        if not isinstance(problems, ProblemList):
            problems = ProblemList(problems, limit=None)
        if args.json:
            totals = problems.to_records()
            print(json.dumps({"valid": False, "path": str(args.path),
                              "problems": [p.to_dict() for p in problems],
                              "n_problems": n, "listed": len(problems), "totals": totals},
                             indent=2))
        else:
            cut = f" ({len(problems)} listed; --all lists every one)" if n > len(problems) else ""
            print(f"study {args.path}: {n} problem{'s' if n != 1 else ''}{cut}")
            print("\n".join(_problem_lines(problems)))
        return EXIT_INVALID
    summary = _summary(study)
    if args.json:
        print(json.dumps(to_jsonable({"valid": True, **summary}), indent=2))
    else:
        _print_summary(summary)
    return EXIT_OK
