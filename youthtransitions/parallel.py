"""Run independent replicates (bootstrap draws, imputations, simulation runs) in parallel.

The one place that knows about workers. Each replicate ``i`` gets its own random generator,
spawned from ``numpy.random.SeedSequence(seed)`` as child ``i``; results are returned in
replicate order. A replicate's numbers therefore depend only on ``(seed, i)``, never on the
number of workers, the backend or the order in which workers finish.

Backends: serial (``workers=1``), joblib's loky processes (``workers>1`` or ``-1`` for all
cores), or a Dask distributed cluster when a ``scheduler`` address (or a
``distributed.Client``) is given.

Seed policy: a scripted or command-line *run* (``yt replicate``, ``yt pmk``, ``yt simulate``
and their functions) defaults to :data:`DEFAULT_SEED`, so two runs without ``--seed`` agree;
a library function called without a seed draws fresh entropy. The synthetic study's own
seed (:data:`youthtransitions.synthetic.DEFAULT_SEED`, 20240517) is different in kind: it
names the shipped study, not a run of an analysis.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .errors import UsageError

__all__ = ["DEFAULT_SEED", "SCHEDULER_TIMEOUT", "check_seed", "check_workers",
           "check_scheduler", "replicate_generators", "run_replicates", "single_blas_thread"]

#: master seed of every run that is not given one (replication, PMK comparison, simulation)
DEFAULT_SEED = 20240501

#: seconds a Dask scheduler has to answer before the run is refused
SCHEDULER_TIMEOUT = 5.0

T = TypeVar("T")

_CONTROLLER = None


def single_blas_thread() -> contextlib.AbstractContextManager:
    """Context limiting BLAS to one thread (threadpoolctl; a no-op without it).

    The package's linear algebra is many small or memory-bound products; on a busy 2-core
    machine OpenBLAS's threads wait on each other (a mixed-model fit 2-3x, an imputation draw
    16x, a reliability table 9x slower, measured; docs/performance.md). The controller is made
    once: building one costs milliseconds, more than many of the blocks it guards.
    """
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def check_seed(seed: Any, *, allow_none: bool = True) -> int | None:
    """A seed as NumPy takes it: a whole number of at least 0 (or None when allowed).

    Raises :class:`~youthtransitions.errors.UsageError` otherwise, so a bad ``--seed`` is a
    clear error, not NumPy's traceback.
    """
    if seed is None and allow_none:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or seed < 0:
        raise UsageError(f"seed must be a whole number of at least 0, got {seed!r}")
    return int(seed)


def check_workers(workers: Any) -> int:
    """``workers`` as an int: a positive whole number or -1 (every core), else UsageError."""
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, (int, np.integer)) \
            or workers == 0 or workers < -1:
        raise UsageError(f"workers must be a positive whole number or -1 (every core), "
                         f"got {workers!r}")
    return int(workers)


def _client_class():
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UsageError("a Dask scheduler was given but dask.distributed is not installed; "
                         "install with: pip install 'youthtransitions[dask]'") from exc
    return Client


def _connect(scheduler: Any, timeout: float):
    """A client of ``scheduler`` (address), or UsageError when it does not answer in time."""
    Client = _client_class()
    if isinstance(scheduler, Client):
        return scheduler
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise UsageError(f"scheduler must be a Dask scheduler address such as "
                         f"tcp://127.0.0.1:8786 or a distributed.Client, got {scheduler!r}")
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"the Dask scheduler {scheduler} did not answer within "
                         f"{timeout:g} s ({exc}); start it or check the address") from None


def check_scheduler(scheduler: Any, *, timeout: float | None = None) -> Any:
    """Check that a Dask scheduler answers within ``timeout`` seconds; return it unchanged.

    ``timeout`` defaults to :data:`SCHEDULER_TIMEOUT`. ``None`` (no scheduler) and a
    ``distributed.Client`` pass as they are; an address is
    connected to once and the connection closed. Raises
    :class:`~youthtransitions.errors.UsageError` when dask.distributed is missing, the
    address is not a string, or the scheduler does not answer, so a run refuses before it
    starts work.
    """
    if scheduler is None:
        return None
    client = _connect(scheduler, SCHEDULER_TIMEOUT if timeout is None else timeout)
    if client is not scheduler:
        client.close()
    return scheduler


def replicate_generators(seed: int | None, n: int) -> list[np.random.Generator]:
    """One independent generator per replicate, derived from ``seed``.

    Notes
    -----
    Child ``i`` of ``SeedSequence(seed).spawn(n)`` seeds replicate ``i``'s PCG64 generator
    (NumPy's recommended way to make independent parallel streams). Spawning ``n`` children
    and taking the first ``k`` gives the same first ``k`` streams as spawning ``k``.
    """
    if n < 0:
        raise UsageError(f"number of replicates must be non-negative, got {n}")
    children = np.random.SeedSequence(check_seed(seed)).spawn(n)
    return [np.random.Generator(np.random.PCG64(child)) for child in children]


def _chunks(n: int, n_chunks: int) -> list[range]:
    n_chunks = max(1, min(n, n_chunks))
    bounds = np.linspace(0, n, n_chunks + 1).round().astype(int)
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _run_chunk(func: Callable[..., T], rngs: Sequence[np.random.Generator], args: tuple,
               kwargs: dict) -> list[T]:
    return [func(rng, *args, **kwargs) for rng in rngs]


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (its standard error is no terminal, yet the
    notebook shows progress bars)."""
    if "ipykernel" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def show_progress(progress: bool | None) -> bool:
    """``progress`` if given, else whether standard error is a terminal or a notebook."""
    if progress is not None:
        return bool(progress)
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) or in_notebook()


def progress_bar(total: int, description: str):
    """A ``tqdm.auto`` bar of ``total`` steps: a widget in Jupyter, text on a terminal.

    Without ipywidgets tqdm falls back to its text bar, which notebooks show as well; its
    one-time warning about the missing widget is not repeated to the user.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm
    return tqdm(total=total, desc=description, file=sys.stderr)


def run_replicates(
    func: Callable[..., T],
    n: int,
    *,
    seed: int | None,
    args: tuple = (),
    kwargs: dict | None = None,
    workers: int = 1,
    scheduler: Any = None,
    progress: bool | None = None,
    description: str = "replicates",
) -> list[T]:
    """Call ``func(rng, *args, **kwargs)`` for ``n`` replicates and return results in order.

    Parameters
    ----------
    func : callable
        Module-level function (it must pickle) taking a ``numpy.random.Generator`` first.
    n : int
        Number of replicates.
    seed : int or None
        Master seed; replicate ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    args, kwargs
        Passed to every call. Large arrays are shipped once per chunk, not once per replicate.
    workers : int, default 1
        Local worker processes (joblib/loky); ``-1`` uses every core.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://127.0.0.1:8786"``) or client; overrides ``workers``.
    progress : bool, optional
        Show a progress bar; by default only when standard error is a terminal.
    description : str
        Label of the progress bar.

    Returns
    -------
    list
        ``[func(rng_0, ...), ..., func(rng_{n-1}, ...)]``.
    """
    kwargs = kwargs or {}
    workers = check_workers(1 if workers is None else workers)
    rngs = replicate_generators(seed, n)
    if n == 0:
        return []
    show = show_progress(progress)
    if scheduler is not None:
        return _run_dask(func, rngs, args, kwargs, scheduler, show, description)
    if workers == 1:
        if not show:
            return [func(rng, *args, **kwargs) for rng in rngs]
        out = []
        with progress_bar(n, description) as bar:
            for rng in rngs:
                out.append(func(rng, *args, **kwargs))
                bar.update(1)
        return out
    from joblib import Parallel, delayed, effective_n_jobs

    n_jobs = effective_n_jobs(workers)
    chunks = _chunks(n, n_jobs * 4)
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")
    jobs = (delayed(_run_chunk)(func, [rngs[i] for i in c], args, kwargs)
            for c in chunks)
    out: list[T] = []
    stream = parallel(jobs)
    if not show:
        for part in stream:
            out.extend(part)
        return out
    with progress_bar(n, description) as bar:
        for part in stream:
            out.extend(part)
            bar.update(len(part))
    return out


def _run_dask(func, rngs, args, kwargs, scheduler, show, description):
    client = _connect(scheduler, SCHEDULER_TIMEOUT)
    own_client = client is not scheduler
    try:
        n = len(rngs)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(n, n_workers * 4)
        futures = [client.submit(_run_chunk, func, [rngs[i] for i in c], args, kwargs,
                                 pure=False) for c in chunks]
        if show:
            results = []
            with progress_bar(n, description) as bar:
                for fut, c in zip(futures, chunks, strict=True):
                    results.append(fut.result())
                    bar.update(len(c))
        else:
            results = client.gather(futures)
        return [r for part in results for r in part]
    finally:
        if own_client:
            client.close()
