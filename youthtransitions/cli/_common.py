"""Options several sub-commands share: the study folder, workers, output rules."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_study_dir", "study_dir", "add_parallel_options", "add_output_rules_options"]


def add_study_dir(parser: argparse.ArgumentParser, dest: str = "dir",
                  metavar: str = "DIR") -> None:
    """Optional positional study folder; the shipped synthetic study when left out."""
    parser.add_argument(dest, nargs="?", default=None, metavar=metavar,
                        help="study folder (default: the shipped synthetic study)")


def study_dir(arg: str | None) -> Path:
    """The study folder named on the command line, or the shipped synthetic study.

    ``load_study`` checks the folder and says what is wrong with it.
    """
    if arg is None:
        from ..synthetic import shipped_study_path

        return Path(shipped_study_path())
    return Path(arg)


def add_parallel_options(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` or ``--scheduler ADDRESS`` (one of them)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int, default=1,
                       help="local worker processes (-1: every core)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")


def add_output_rules_options(parser: argparse.ArgumentParser) -> None:
    """``--no-output-rules`` / ``--output-rules``; default: on unless the data are synthetic."""
    rules = parser.add_mutually_exclusive_group()
    rules.add_argument("--no-output-rules", dest="output_rules", action="store_false",
                       default=None, help="do not apply the output rules (RR3, suppression)")
    rules.add_argument("--output-rules", dest="output_rules", action="store_true",
                       help="apply the output rules even to synthetic data")
