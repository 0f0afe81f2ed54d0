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
           "check_scheduler", "replicate_generators", "run_replicates", "single_blas_thread",
           "heap_is_steady", "steady_heap"]

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


#: glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_HEAP_STEADY = False


def steady_heap() -> bool:
    """Keep a process's array temporaries on the heap (glibc only; once per process).

    glibc serves an allocation above its mmap threshold (128 kB at first, then moved
    after each large free) with fresh pages from the system and returns free memory at the
    top of the heap beyond a trim threshold; a loop that allocates and frees arrays of a
    few hundred kB many thousand times (the block refits of a cluster bootstrap) then
    pays for page faults more than for its arithmetic (measured: 600,000 faults, about a
    second, for B = 1000 on the 800-youth case, docs/performance.md). The thresholds are
    fixed at 16 MB (mmap) and 64 MB (trim): memory freed stays in the process until it
    exits. ``yt`` calls this at start; a script may too. Returns whether the thresholds
    are set (False off glibc).
    """
    global _HEAP_STEADY
    if _HEAP_STEADY:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, 16 << 20)) \
            and bool(libc.mallopt(_M_TRIM_THRESHOLD, 64 << 20))
    except (OSError, AttributeError):  # not glibc (musl, say): leave the allocator alone
        return False
    _HEAP_STEADY = ok
    return ok


def heap_is_steady() -> bool:
    """Whether :func:`steady_heap` has set this process's allocator thresholds."""
    return _HEAP_STEADY


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


def _run_chunk(func: Callable[..., T], units: Sequence[list[np.random.Generator]],
               blocked: bool, args: tuple, kwargs: dict) -> list[T]:
    """Results of the replicates of ``units`` (lists of generators), flattened in order."""
    out: list[T] = []
    for unit in units:
        if blocked:
            part = list(func(unit, *args, **kwargs))
            if len(part) != len(unit):
                raise ValueError(f"a block function returned {len(part)} results for "
                                 f"{len(unit)} replicates")
            out.extend(part)
        else:
            out.append(func(unit[0], *args, **kwargs))
    return out


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
    block: int | None = None,
) -> list[T]:
    """Call ``func(rng, *args, **kwargs)`` for ``n`` replicates and return results in order.

    Parameters
    ----------
    func : callable
        Module-level function (it must pickle) taking a ``numpy.random.Generator`` first
        (with ``block``, a list of them).
    n : int
        Number of replicates.
    seed : int or None
        Master seed; replicate ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    args, kwargs
        Passed to every call. Large arrays are shipped once per chunk, not once per replicate
        (and not at all to forked local workers, which inherit them).
    workers : int, default 1
        Local worker processes (forked on Linux, joblib/loky elsewhere); ``-1`` uses every
        core.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://127.0.0.1:8786"``) or client; overrides ``workers``.
    progress : bool, optional
        Show a progress bar; by default only when standard error is a terminal.
    description : str
        Label of the progress bar.
    block : int, optional
        Call ``func`` once per block of ``block`` consecutive replicates with their list of
        generators; it returns the list of their results. Blocks are fixed by replicate
        index (``0..block-1``, ``block..2*block-1``, ...), never by the number of workers,
        so work shared within a block cannot make the numbers depend on the workers.

    Returns
    -------
    list
        ``[func(rng_0, ...), ..., func(rng_{n-1}, ...)]``.
    """
    kwargs = kwargs or {}
    workers = check_workers(1 if workers is None else workers)
    if block is not None and (isinstance(block, bool) or not isinstance(block, int)
                              or block < 1):
        raise UsageError(f"block must be a positive whole number, got {block!r}")
    rngs = replicate_generators(seed, n)
    if n == 0:
        return []
    show = show_progress(progress)
    size = 1 if block is None else block
    units = [rngs[i:i + size] for i in range(0, n, size)]
    blocked = block is not None
    if scheduler is not None:
        return _run_dask(func, units, blocked, args, kwargs, scheduler, show, description)
    if workers == 1:
        parts = (_run_chunk(func, [u], blocked, args, kwargs) for u in units)
        return _collect(parts, n, show, description)
    from joblib import Parallel, delayed, effective_n_jobs

    n_jobs = effective_n_jobs(workers)
    chunks = [[units[i] for i in c] for c in _chunks(len(units), n_jobs * 4)]
    if _can_fork():
        return _run_forked(func, chunks, blocked, args, kwargs, n_jobs, show, description)
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")
    parts = parallel(delayed(_run_chunk)(func, c, blocked, args, kwargs) for c in chunks)
    return _collect(parts, n, show, description)


def _collect(parts, n: int, show: bool, description: str) -> list:
    """The results of a stream of chunk results, in order, with a progress bar if asked."""
    out: list = []
    if not show:
        for part in parts:
            out.extend(part)
        return out
    with progress_bar(n, description) as bar:
        for part in parts:
            out.extend(part)
            bar.update(len(part))
    return out


#: the task of the forked pool, set in the parent just before the fork: the children inherit
#: it (and every module the parent imported) instead of unpickling it
_FORK_TASK: tuple | None = None


def _can_fork() -> bool:
    """Whether a local pool may fork: Linux, and no other thread in this process.

    A forked child holds a copy of every lock as it was at the fork; a lock held by another
    thread at that moment would never be released in the child. With one thread there is
    no such lock (OpenBLAS stops its own threads around a fork). macOS's system libraries
    are not fork-safe, so elsewhere the loky pool (fresh interpreters) is used.
    """
    import multiprocessing
    import threading

    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _forked_chunk(units):
    func, blocked, args, kwargs = _FORK_TASK
    return _run_chunk(func, units, blocked, args, kwargs)


def _run_forked(func, chunks, blocked, args, kwargs, n_jobs, show, description):
    """Chunks on a pool of forked processes: no interpreter start, import or pickling of
    ``args`` per worker (loky's fresh workers each import numpy, pandas and scipy again,
    about a second of CPU on this machine)."""
    import multiprocessing

    global _FORK_TASK
    _FORK_TASK = (func, blocked, args, kwargs)
    n = sum(len(u) for c in chunks for u in c)
    try:
        with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
            return _collect(pool.imap(_forked_chunk, chunks), n, show, description)
    finally:
        _FORK_TASK = None


def _run_dask(func, units, blocked, args, kwargs, scheduler, show, description):
    client = _connect(scheduler, SCHEDULER_TIMEOUT)
    own_client = client is not scheduler
    try:
        n = sum(len(u) for u in units)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = [[units[i] for i in c] for c in _chunks(len(units), n_workers * 4)]
        futures = [client.submit(_run_chunk, func, c, blocked, args, kwargs, pure=False)
                   for c in chunks]
        if show:
            results = []
            with progress_bar(n, description) as bar:
                for fut, c in zip(futures, chunks, strict=True):
                    results.append(fut.result())
                    bar.update(sum(len(u) for u in c))
        else:
            results = client.gather(futures)
        return [r for part in results for r in part]
    finally:
        if own_client:
            client.close()
