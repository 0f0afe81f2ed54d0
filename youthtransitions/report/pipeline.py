"""``yt replicate``: run the numbered analysis scripts in order, resumably and atomically.

Each script ``analyses/NN_name.py`` defines ``run(ctx)`` taking a :class:`StepContext`. Every
option is checked before any file is written. A step writes its outputs into a staging folder
inside the results folder; they are moved into place only when the step succeeds, and
``manifest.json`` records the step's fingerprint (input file hashes, seed, options, script
text, package version, and the previous step's fingerprint). The folder is a transaction
(:mod:`youthtransitions.report.transaction`): locked, logged ahead, marked ``complete`` only at
the end. A rerun skips the completed steps whose fingerprint is unchanged, so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._atomic import as_output_error, staging_directory
from .._options import check_choice, check_count
from .._tidy import TidyResult
from ..errors import UsageError
from ..parallel import DEFAULT_SEED, check_scheduler, check_seed, check_workers, show_progress
from .manifest import Manifest, file_sha256, fingerprint, folder_hashes, package_versions
from .step import DEFAULT_OPTIONS, StepContext
from .transaction import LOCK_FILE, RunFolder, check_results_folder

__all__ = ["DEFAULT_SEED", "StepContext", "ReplicationResult", "replicate", "find_analyses",
           "step_seed", "run_standalone"]

#: the least value of each option the analyses can use (pooling needs two imputations, a
#: bootstrap interval two draws)
OPTION_MINIMUM: dict[str, int] = {"m": 2, "B": 2, "n_perm": 1}


def find_analyses(analyses_dir: str | Path | None = None) -> Path:
    """Locate the ``analyses/`` folder: given, beside the package source, or in the cwd."""
    candidates = [Path(analyses_dir)] if analyses_dir else [
        Path(__file__).resolve().parents[2] / "analyses", Path.cwd() / "analyses"]
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("[0-9][0-9]_*.py")):
            return folder
    raise UsageError("cannot find the analyses/ folder with the numbered scripts; run from a "
                     "clone of the repository or pass analyses_dir")


def step_seed(seed: int, index: int) -> int:
    """Seed of step ``index``: the first word of ``SeedSequence([seed, index])``."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


class ReplicationResult(TidyResult):
    """The replication table of a run, with the manifest and the output folder."""

    title = "Replication of the reported figures"

    def __init__(self, table: pd.DataFrame, out: Path, manifest: dict[str, Any]):
        self.table = table
        self.out = out
        self.manifest = manifest

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def all_pass(self) -> bool:
        return bool(len(self.table)) and bool((self.table["status"] == "pass").all())

    def _summary_header(self) -> list[tuple[str, Any]]:
        steps = self.manifest.get("steps", {})
        total = sum(float(s.get("seconds", 0.0)) for s in steps.values())
        return [("output folder", str(self.out)), ("steps", len(steps)),
                ("seconds (steps run now)", total),
                ("rows passing", f"{int((self.table['status'] == 'pass').sum())} of "
                                 f"{len(self.table)}")]


def _load_step(path: Path):
    spec = importlib.util.spec_from_file_location(f"yt_analysis_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise UsageError(f"analysis script {path.name} defines no run(ctx) function")
    return module


def _progress(show: bool, text: str) -> None:
    if show:
        print(text, file=sys.stderr, flush=True)


def _check_options(options: dict[str, int] | None) -> dict[str, int]:
    if options is not None and not isinstance(options, dict):
        raise UsageError(f"options must be a dict of m, B, n_perm; got {options!r}")
    opts = dict(DEFAULT_OPTIONS)
    for key, value in (options or {}).items():
        check_choice("option", key, tuple(DEFAULT_OPTIONS))
        opts[key] = check_count(f"option {key}", value, minimum=OPTION_MINIMUM[key])
    return opts


def _select(scripts: list[Path], until: str | None) -> list[Path]:
    if until is None:
        return scripts
    stop = next((i for i, s in enumerate(scripts) if s.stem.startswith(until)), None)
    if stop is None:
        raise UsageError(f"no analysis step {until!r}")
    return scripts[: stop + 1]


def replicate(data_dir: str | Path | None = None, *, out: str | Path = "results",
              seed: int = DEFAULT_SEED, workers: int = 1, scheduler: Any = None,
              output_rules: bool | None = None, options: dict[str, int] | None = None,
              until: str | None = None, analyses_dir: str | Path | None = None,
              progress: bool | None = None, force: bool = False,
              publish_excerpts: bool = False) -> ReplicationResult:
    """Run the scripted analyses on a study and write every output to ``out``.

    Parameters
    ----------
    data_dir : path, optional
        Study folder; the shipped synthetic study by default.
    out : path, default "results"
        Results folder: tables (CSV, Markdown, HTML), figures (PNG, SVG), ``report.html``,
        ``replication.csv`` and ``manifest.json``.
    seed : int
        Master seed; step ``i`` uses :func:`step_seed` ``(seed, i)``.
    workers, scheduler
        Local worker processes, or a Dask scheduler address, for the replicate loops
        (bootstrap, imputation). Numbers do not depend on them. A scheduler must answer
        within :data:`youthtransitions.parallel.SCHEDULER_TIMEOUT` seconds.
    output_rules : bool, optional
        Apply the output rules for sensitive data (docs/output-rules.md) to everything
        published; by default on unless the study is marked synthetic. ``False``
        (``--no-output-rules``) on data not marked synthetic says so on every artefact.
    options : dict, optional
        ``m`` (imputations, at least 2), ``B`` (bootstrap draws, at least 2), ``n_perm``
        (permutations, at least 1).
    until : str, optional
        Stop after the step whose file stem starts with this (used by the scripts run alone).
    progress : bool, optional
        Print a line per step on standard error; by default when it is a terminal.
    force : bool, default False
        Write into a non-empty folder that holds no earlier replication.
    publish_excerpts : bool, default False
        Publish verbatim excerpts of real data (consent-cleared quotes only); otherwise each
        is replaced by its code and segment id.

    Notes
    -----
    One disclosure gate (:func:`~youthtransitions.report.gate.gate_for_study`) serves every
    step, so one count of the study is published as one value in every artefact, and
    ``disclosure.json`` lists every file of the folder with the rules applied to it.

    Returns
    -------
    ReplicationResult

    Raises
    ------
    UsageError
        For a bad option, folder, study or scheduler, before any file is written; also when
        another run holds the results folder.
    OutputError
        When an output cannot be written (full disk, permissions); the folder is left as the
        manifest describes it.

    Notes
    -----
    The results folder is a transaction (:mod:`youthtransitions.report.transaction`): the
    manifest is marked ``"complete": false`` when the run starts, each step's files are moved
    into place together after their entry is logged, and ``"complete": true`` with every
    output's SHA-256 is written only at the end.
    """
    from ..study import load_study
    from ..synthetic import shipped_study_path
    from .gate import gate_for_study

    seed = check_seed(seed, allow_none=False)
    opts = _check_options(options)
    workers = check_workers(workers)
    out = check_results_folder(out, force=force)
    every = sorted(find_analyses(analyses_dir).glob("[0-9][0-9]_*.py"))
    scripts = _select(every, until)
    check_scheduler(scheduler)
    data_dir = Path(data_dir) if data_dir is not None else Path(shipped_study_path())
    study = load_study(data_dir)
    gate = gate_for_study(study, output_rules=output_rules, publish_excerpts=publish_excerpts)
    rules = gate.applied
    inputs = folder_hashes(data_dir)
    from .._version import __version__

    fingerprints: dict[str, str] = {}
    previous = ""
    for script in every:
        previous = fingerprint(inputs, seed, opts, rules, __version__, file_sha256(script),
                               previous)
        fingerprints[script.stem] = previous
    show = show_progress(progress)
    gate.artefact(Manifest.FILE, "manifest", files=[Manifest.FILE], comments=[
        "run metadata: input file hashes, seed, options, package versions, step timings; "
        "no statistics"])
    gate.artefact(DISCLOSURE_FILE, "log", files=[DISCLOSURE_FILE], comments=[
        "this output-checking log: rules, files, cells suppressed and withheld; no values"])
    gate.artefact(LOCK_FILE, "lock", files=[LOCK_FILE], comments=[
        "empty lock file that keeps a second run from writing into the folder at once"])
    with RunFolder(out) as folder:
        manifest = folder.manifest
        keep = [name for name, fp in fingerprints.items() if manifest.completed(name, fp)]
        carried = _carried_records(out)
        folder.begin(dict(data_dir=str(data_dir), input_files=inputs, seed=seed, options=opts,
                          output_rules=rules, synthetic=study.synthetic,
                          versions=package_versions()), keep)
        for index, script in enumerate(scripts, start=1):
            fp = fingerprints[script.stem]
            label = f"[{index}/{len(scripts)}] {script.stem}"
            if script.stem in keep:
                for record in carried.get(script.stem, []):
                    gate.log.add(record)
                _progress(show, f"{label}: unchanged, resumed from {out}")
                continue
            _progress(show, f"{label} ...")
            module = _load_step(script)
            started = time.perf_counter()
            before = {r.name for r in gate.log}
            with staging_directory(out) as tmp:
                ctx = StepContext(name=script.stem, index=index, study=study,
                                  data_dir=data_dir, out=tmp, results_dir=out,
                                  seed=step_seed(seed, index), workers=workers,
                                  scheduler=scheduler, output_rules=rules, options=opts,
                                  gate=gate)
                _run_step(module, ctx, tmp, out)
                for record in gate.log:
                    if record.name not in before:
                        record.step = script.stem
                seconds = time.perf_counter() - started
                folder.land(script.stem, tmp, fingerprint=fp, seed=seed, options=opts,
                            seconds=round(seconds, 3),
                            outputs=[f for item in ctx.catalog for f in item["files"]],
                            catalog=ctx.catalog)
            _write_disclosure(out, gate)
            _progress(show, f"{label}: done in {seconds:.1f} s")
        _write_disclosure(out, gate)
        folder.close(fingerprints)
    table_path = out / "replication.csv"
    columns = ["figure", "reported", "reproduced", "conf_low", "conf_high", "tolerance", "status"]
    # read as written: counts as whole numbers, other values to four decimals
    table = (pd.read_csv(table_path, dtype=str, keep_default_na=False) if table_path.exists()
             else pd.DataFrame(columns=columns))
    return ReplicationResult(table, out, manifest.data)


#: errors of writing that name no file (a failed write() on a full or read-only disk)
_WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


def _run_step(module: Any, ctx: StepContext, staging: Path, out: Path) -> None:
    """Run one step; an OSError writing into the results folder becomes an OutputError."""
    try:
        module.run(ctx)
    except OSError as exc:
        target = exc.filename
        inside = target is not None and Path(os.path.abspath(target)).is_relative_to(
            out.absolute())
        if inside or (target is None and exc.errno in _WRITE_ERRNOS):
            raise as_output_error(exc, out, rename=(staging, out)) from exc
        raise


#: the output-checking log of a results folder
DISCLOSURE_FILE = "disclosure.json"


def _carried_records(out: Path) -> dict[str, list]:
    """The log records of each step in an earlier run's ``disclosure.json`` (a resumed step
    keeps them, so the log still lists every file of the folder)."""
    from .gate import ArtefactRecord

    path = out / DISCLOSURE_FILE
    if not path.exists():
        return {}
    try:
        results = json.loads(path.read_text()).get("results", {})
    except (OSError, ValueError):
        return {}
    carried: dict[str, list] = {}
    for entry in results.values():
        if isinstance(entry, dict) and entry.get("step"):
            carried.setdefault(entry["step"], []).append(ArtefactRecord.from_dict(entry))
    return carried


def _write_disclosure(out: Path, gate: Any) -> None:
    from .._atomic import atomic_write_text

    atomic_write_text(out / DISCLOSURE_FILE, gate.log.to_json())


def run_standalone(script: str | Path, argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python analyses/NN_name.py [DATA_DIR] [--out DIR] [--seed S]``.

    Runs the steps up to and including this one (earlier completed steps are resumed).
    """
    import argparse

    script = Path(script).resolve()
    parser = argparse.ArgumentParser(prog=script.name, description=f"Run {script.stem} "
                                     "(and the steps before it, resuming completed ones).")
    parser.add_argument("data_dir", nargs="?", default=None)
    parser.add_argument("--out", default="results")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    from ..errors import YouthTransitionsError
    try:
        replicate(args.data_dir, out=args.out, seed=args.seed, workers=args.workers,
                  until=script.stem, analyses_dir=script.parent, progress=True)
    except YouthTransitionsError as exc:
        print(f"{script.name}: error: {exc}", file=sys.stderr)
        return 2
    return 0
