"""The ``yt`` command: a thin skin over the public API.

Each sub-command lives in its own module in this package with two functions,
``register(subparsers)`` (adds its parser) and ``run(args) -> int`` (calls the API, prints).
No statistics here. Errors the user caused (:class:`~youthtransitions.errors.YouthTransitionsError`)
print a clear message on standard error and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import os
import sys

from ..errors import YouthTransitionsError

__all__ = ["main", "build_parser"]

#: sub-command modules, in the order ``yt --help`` lists them
COMMANDS = ["describe", "validate", "import", "synth", "fit", "pool", "pmk", "codes", "qca",
            "replicate", "simulate", "design"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep it short
        self.print_usage(sys.stderr)
        print(f"yt: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = _Parser(prog="yt", description="NZ Youth Transitions study analyses.")
    parser.add_argument("--version", action="version", version=f"yt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        # a command named by a Python keyword lives in NAME_.py (``yt import``: import_.py)
        module = f"{name}_" if keyword.iskeyword(name) else name
        importlib.import_module(f"{__name__}.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``yt``; returns the exit status."""
    from ..parallel import steady_heap

    steady_heap()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except YouthTransitionsError as exc:
        print(f"yt {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("yt: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `yt qca ... | head`: the reader went away; stay quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
