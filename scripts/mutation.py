"""Bounded mutation testing of the statistics core: one command, a fixed sample, a time limit.

    pip install -e ".[mutation]"        # mutmut, pinned
    python scripts/mutation.py          # default modules, 10 mutants each, under 9 minutes
    python scripts/mutation.py --modules study/scales --per-module 40 --time-limit 300
    python scripts/mutation.py --list   # the module groups and the tests that judge them

Each module group is mutated by mutmut (every mutant of its files is generated), a fixed
sample of ``--per-module`` mutants is drawn from the sorted mutant names with ``--seed``, and
only those are run, each against the tests of its group that execute the mutated function
(mutmut's own test-to-function map). The work happens in a copy of the repository's tracked
files, so the checkout is never touched. At the end (or when ``--time-limit`` is reached,
whatever has finished by then) it prints killed / survived / timeout / no tests per group and
the diff of every surviving mutant, and writes the same as JSON with ``--json``.

A survivor is either a test gap (write the test that kills it) or an equivalent mutant (the
program means the same, e.g. a different message text or a numerically idle ``errstate``);
docs/testing.md records each one and what was done about it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import platformdirs

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "youthtransitions"
#: where the copy and mutmut's state live between runs
CACHE = platformdirs.user_cache_path("youthtransitions") / "mutation"

#: group -> (files to mutate, relative to the package; tests that judge them)
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "models/engine": (["models/engine/*.py"],
                      ["tests/models/test_engine.py", "tests/models/test_engine_scaling.py",
                       "tests/models/test_lmm_reference.py", "tests/models/test_crossed.py",
                       "tests/properties/test_engine_properties.py"]),
    "models/r2": (["models/r2.py"],
                  ["tests/models/test_r2.py", "tests/properties/test_r2_properties.py"]),
    "missing/pooling": (["missing/pooling.py"],
                        ["tests/missing/test_pooling.py", "tests/missing/test_pooling_families.py",
                         "tests/missing/test_pooling_tests.py",
                         "tests/properties/test_pooling_properties.py"]),
    "missing/impute": (["missing/impute.py", "missing/fcs.py"],
                       ["tests/missing/test_impute.py", "tests/missing/test_fcs.py"]),
    "study/scales": (["study/scales.py"], ["tests/study/test_scales.py"]),
    "study/reliability": (["study/reliability.py"], ["tests/study/test_reliability.py"]),
    "qual/agreement": (["qual/agreement.py"],
                       ["tests/qual/test_agreement.py", "tests/qual/test_code_reliability.py"]),
    "qual/configurations": (["qual/configurations/*.py"],
                            ["tests/qual/test_configurations.py",
                             "tests/qual/test_configurations_boolean.py",
                             "tests/qual/test_configurations_mechanisms.py"]),
    "report/output_rules": (["report/output_rules.py"],
                            ["tests/report/test_output_rules.py",
                             "tests/report/gate/test_output_rules_record.py",
                             "tests/properties/test_rounding_properties.py"]),
    # the class-coverage check fails while the inference tables declare no disclosure spec;
    # it calls no gate code, and a failing test stops mutmut's test map
    "report/gate": (["report/gate/*.py", "_disclosure.py"],
                    ["tests/report/gate", "tests/test_disclosure_specs.py",
                     "tests/cli/test_leaks_subcommands.py", "tests/report/test_leaks_replicate.py",
                     "--deselect",
                     "tests/test_disclosure_specs.py::test_every_result_class_of_the_package_is_covered"]),
}
#: CPU seconds of untimed set-up a group's tests need beyond their timed calls (mutmut times
#: the calls only): the gate's end-to-end tests run yt replicate in a module fixture
SETUP_SECONDS = {"report/gate": 60.0}
#: the default groups: the gate runs on its own (--modules report/gate), since its set-up
#: time would lengthen every mutant's timeout in a run with the others
DEFAULT_GROUPS = [g for g in GROUPS if g not in SETUP_SECONDS]

#: the outcomes counted, in mutmut's words; any other status is counted as "other"
OUTCOMES = ("killed", "survived", "timeout", "no tests", "not checked")


def _copy_tree(dest: Path) -> None:
    """The repository's tracked files (as they are in the working tree) into ``dest``; a file
    that is already there with the same content is left alone, so mutmut's caches stay."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, names):
        if name == "pyproject.toml":
            continue  # written by _configure, with the mutmut settings added
        src = ROOT / name
        target = dest / name
        if src.is_file() and not (target.is_file() and target.read_bytes() == src.read_bytes()):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _configure(work: Path, groups: list[str]) -> None:
    files = [f"{PACKAGE}/{f}" for g in groups for f in GROUPS[g][0]]
    tests = [t for g in groups for t in GROUPS[g][1]]
    block = "\n".join([
        "", "[tool.mutmut]",
        f'source_paths = ["{PACKAGE}"]',
        f"only_mutate = {json.dumps(files)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]',
        # a mutant may run for 6 times its tests' clean time (mutmut's default is 30)
        "timeout_multiplier = 3.0",
        f"timeout_constant = {max(SETUP_SECONDS.get(g, 1.0) for g in groups)}",
        'also_copy = ["synthetic_data", "docs", "analyses"]', ""])
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + block
    if not (work / "pyproject.toml").is_file() or (work / "pyproject.toml").read_text() != text:
        (work / "pyproject.toml").write_text(text, encoding="utf-8")


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(work / "mutants")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # one BLAS thread per mutant worker: the workers are the parallelism
    return env


def _generate(work: Path, env: dict[str, str]) -> None:
    """Write every mutant (mutants/*.meta) without running any: mutmut's own generation step."""
    code = ("import os\n"
            "from mutmut.__main__ import (copy_also_copy_files, copy_src_dir, create_mutants,\n"
            "    set_mutant_under_test, setup_source_paths, store_lines_covered_by_tests)\n"
            "set_mutant_under_test('mutant_generation')\n"
            "os.makedirs('mutants', exist_ok=True)\n"
            "copy_src_dir(); copy_also_copy_files(); setup_source_paths()\n"
            "store_lines_covered_by_tests(); create_mutants(2)\n")
    subprocess.run([sys.executable, "-c", code], cwd=work, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _results(work: Path) -> dict[str, tuple[str, int | None]]:
    """``{mutant name: (source file relative to the package, exit code or None)}``."""
    out: dict[str, tuple[str, int | None]] = {}
    base = work / "mutants" / PACKAGE
    for meta in base.rglob("*.py.meta"):
        source = meta.relative_to(base).as_posix().removesuffix(".meta")
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[name] = (source, code)
    return out


def _group_of(source: str, groups: list[str]) -> str:
    return next(g for g in groups if any(fnmatch.fnmatch(source, p) for p in GROUPS[g][0]))


def _sample(results: dict[str, tuple[str, int | None]], groups: list[str], per_module: int,
            seed: int) -> dict[str, list[str]]:
    """A fixed sample of each group's mutants: the same names for the same code and seed."""
    chosen: dict[str, list[str]] = {}
    for g in groups:
        own = sorted(n for n, (source, _) in results.items() if _group_of(source, groups) == g)
        chosen[g] = sorted(random.Random(f"{seed}:{g}").sample(own, min(per_module, len(own))))
    return chosen


def _run(work: Path, env: dict[str, str], names: list[str], limit: float, children: int) -> bool:
    """mutmut run on ``names``; stops it (its process group) at ``limit`` seconds."""
    with open(work / "mutmut.log", "wb") as log:
        proc = subprocess.Popen(["mutmut", "run", "--max-children", str(children), *names],
                                cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        proc.wait(timeout=limit)
        if proc.returncode != 0:
            tail = (work / "mutmut.log").read_text(errors="replace").splitlines()[-30:]
            print("mutmut failed; the end of its log:", *tail, sep="\n", file=sys.stderr)
        return proc.returncode == 0
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return False


def _diffs(work: Path, env: dict[str, str], names: list[str]) -> dict[str, str]:
    """The changed lines of each mutant (what ``mutmut show`` prints), in one process."""
    if not names:
        return {}
    code = ("import json, sys\n"
            "from mutmut.__main__ import find_mutant\n"
            "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
            "names = json.loads(sys.stdin.read())\n"
            "print(json.dumps({n: get_diff_for_mutant(n, path=find_mutant(n).path)"
            " for n in names}))\n")
    shown = json.loads(subprocess.run([sys.executable, "-c", code], cwd=work, env=env,
                                      input=json.dumps(names), capture_output=True, text=True,
                                      check=True).stdout)
    return {n: "\n".join(line for line in diff.splitlines()
                         if line[:1] in "+-" and not line.startswith(("+++", "---")))
            for n, diff in shown.items()}


def _text_only(diff: str) -> bool:
    """A mutant that only changes the text inside a string literal (mutmut's "XX..XX" and
    case changes). In a message it is equivalent unless a test matches the text; in an
    option value or a column name it is not: each one still needs a look."""
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+")]
    return (len(removed) == len(added) > 0 and all(
        re.sub(r'"XX(.*)XX"', r'"\1"', a).lower() == r.lower()
        for r, a in zip(removed, added, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+", default=DEFAULT_GROUPS, choices=list(GROUPS),
                        metavar="GROUP", help=f"module groups (default: {' '.join(DEFAULT_GROUPS)})")
    parser.add_argument("--per-module", type=int, default=10, help="mutants sampled per group")
    parser.add_argument("--seed", type=int, default=17, help="seed of the fixed sample")
    parser.add_argument("--time-limit", type=float, default=480.0,
                        help="seconds until mutmut is stopped (default 480; the report "
                             "after it takes a few more)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant workers")
    parser.add_argument("--workdir", type=Path, default=CACHE,
                        help=f"work folder, kept between runs so mutmut's test map is reused "
                             f"(default {CACHE})")
    parser.add_argument("--fresh", action="store_true", help="empty the work folder first")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--list", action="store_true", help="print the groups and exit")
    args = parser.parse_args(argv)
    if args.list:
        for g, (files, tests) in GROUPS.items():
            print(f"{g}: {', '.join(files)}\n    judged by {', '.join(tests)}")
        return 0
    if shutil.which("mutmut") is None:
        print('mutmut is not installed: pip install -e ".[mutation]"', file=sys.stderr)
        return 2
    start = time.monotonic()
    work = args.workdir
    if args.fresh:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    _copy_tree(work)
    _configure(work, args.modules)
    env = _env(work)
    _generate(work, env)
    sample = _sample(_results(work), args.modules, args.per_module, args.seed)
    names = [n for own in sample.values() for n in own]
    remaining = args.time_limit - (time.monotonic() - start)
    finished = _run(work, env, names, remaining, args.max_children)
    codes = {n: code for n, (_, code) in _results(work).items()}
    from mutmut.stats import status_by_exit_code

    report: dict[str, dict] = {}
    for g, own in sample.items():
        outcome = {n: status_by_exit_code[codes.get(n)] for n in own}
        counts = {k: sum(v == k for v in outcome.values()) for k in OUTCOMES}
        counts["other"] = len(own) - sum(counts.values())
        report[g] = {"sampled": len(own), **counts,
                     "survivors": [n for n, v in outcome.items() if v == "survived"]}
    diffs = _diffs(work, env, [n for r in report.values() for n in r["survivors"]])
    for r in report.values():
        r["survivors"] = {n: diffs[n] for n in r["survivors"]}
    elapsed = time.monotonic() - start
    columns = ("sampled", *OUTCOMES, "other")
    print(f"{'group':22}" + "".join(f"{c:>12}" for c in columns))
    for g, r in report.items():
        print(f"{g:22}" + "".join(f"{r[c]:12d}" for c in columns))
    killed = sum(r["killed"] for r in report.values())
    survivors = {n: d for r in report.values() for n, d in r["survivors"].items()}
    text = [n for n, d in survivors.items() if _text_only(d)]
    judged = killed + len(survivors)
    score = killed / judged if judged else float("nan")
    strict = killed / (judged - len(text)) if judged - len(text) else float("nan")
    print(f"mutation score {score:.3f} ({killed} killed of {judged} judged; "
          f"{strict:.3f} without the {len(text)} surviving string-literal mutants) in "
          f"{elapsed:.0f} s{'' if finished else ' (time limit reached or mutmut failed)'}")
    for n, diff in survivors.items():
        print(f"\nsurvived{' (string literal)' if n in text else ''} {n}\n{diff}")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "per_module": args.per_module,
                                         "seconds": round(elapsed), "finished": finished,
                                         "score": score, "score_without_text": strict,
                                         "string_literal": text, "groups": report},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
