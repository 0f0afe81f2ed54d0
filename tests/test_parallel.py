"""Replicates depend only on (seed, index), never on workers or backend."""

import numpy as np
import pytest

from youthtransitions.errors import UsageError
from youthtransitions.parallel import replicate_generators, run_replicates


def _draw(rng, scale=1.0):
    return float(rng.normal() * scale)


def test_generators_are_prefix_stable():
    a = [g.random() for g in replicate_generators(7, 5)]
    b = [g.random() for g in replicate_generators(7, 3)]
    assert a[:3] == b


def test_generators_differ_between_replicates_and_seeds():
    vals = [g.random() for g in replicate_generators(7, 50)]
    assert len(set(vals)) == 50
    assert replicate_generators(8, 1)[0].random() != vals[0]


def test_serial_matches_parallel_workers():
    serial = run_replicates(_draw, 23, seed=11, kwargs={"scale": 2.0}, workers=1)
    parallel = run_replicates(_draw, 23, seed=11, kwargs={"scale": 2.0}, workers=2)
    assert serial == parallel
    # closed form: replicate i is the first normal draw of child i, times the scale
    expected = [2.0 * g.normal() for g in replicate_generators(11, 23)]
    np.testing.assert_allclose(serial, expected, rtol=0, atol=0)


def test_dask_backend_matches_serial():
    import distributed  # the test extra installs it
    serial = run_replicates(_draw, 9, seed=3)
    with distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert run_replicates(_draw, 9, seed=3, scheduler=client) == serial


def test_zero_and_negative_replicates():
    assert run_replicates(_draw, 0, seed=1) == []
    with pytest.raises(UsageError):
        run_replicates(_draw, -1, seed=1)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seeds_are_clear_errors(seed):
    with pytest.raises(UsageError, match="seed must be a whole number"):
        run_replicates(_draw, 2, seed=seed)


@pytest.mark.parametrize("workers", [0, -2, 1.5])
def test_bad_workers_are_clear_errors(workers):
    with pytest.raises(UsageError, match="workers must be"):
        run_replicates(_draw, 2, seed=1, workers=workers)


def test_cli_bad_seed_and_workers_exit_2(capsys):
    from youthtransitions.cli import main

    assert main(["simulate", "--reps", "1", "--seed", "-3"]) == 2
    assert main(["simulate", "--reps", "1", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "seed must be" in err and "workers must be" in err


def test_unreachable_scheduler_is_a_clear_error_within_the_timeout(monkeypatch):
    pytest.importorskip("distributed")
    import time

    import youthtransitions.parallel as parallel

    monkeypatch.setattr(parallel, "SCHEDULER_TIMEOUT", 1.0)
    started = time.perf_counter()
    with pytest.raises(UsageError, match="did not answer within 1 s"):
        run_replicates(_draw, 2, seed=1, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(UsageError, match="did not answer within 0.5 s"):
        parallel.check_scheduler("tcp://127.0.0.1:1", timeout=0.5)
    assert time.perf_counter() - started < 15


def test_scheduler_must_be_an_address_or_client():
    pytest.importorskip("distributed")
    from youthtransitions.parallel import check_scheduler

    assert check_scheduler(None) is None
    with pytest.raises(UsageError, match="scheduler must be a Dask scheduler address"):
        check_scheduler(8786)


def test_live_scheduler_passes_the_check():
    distributed = pytest.importorskip("distributed")
    from youthtransitions.parallel import check_scheduler

    with distributed.LocalCluster(n_workers=1, processes=False,
                                  dashboard_address=None) as cluster:
        assert check_scheduler(cluster.scheduler_address) == cluster.scheduler_address


def _block_of_draws(rngs, scale=1.0):
    """A block function: one result per generator, computed together (one array)."""
    return list(np.array([rng.normal() for rng in rngs]) * scale)


@pytest.mark.parametrize("block", [1, 4, 50])
def test_blocks_give_the_replicates_of_single_calls(block):
    single = run_replicates(_draw, 23, seed=11, kwargs={"scale": 2.0})
    for workers in (1, 2):
        blocked = run_replicates(_block_of_draws, 23, seed=11, kwargs={"scale": 2.0},
                                 workers=workers, block=block)
        assert blocked == single


def _block_sizes(rngs):
    return [len(rngs)] * len(rngs)


def test_blocks_are_fixed_by_replicate_index_not_by_workers():
    # block k holds replicates k*5 .. k*5+4 (the last one shorter), whatever the workers
    expected = [5] * 20 + [3] * 3
    for workers in (1, 2):
        assert run_replicates(_block_sizes, 23, seed=1, workers=workers, block=5) == expected


@pytest.mark.parametrize("block", [0, -3, 2.5, True])
def test_bad_blocks_are_clear_errors(block):
    with pytest.raises(UsageError, match="block must be a positive whole number"):
        run_replicates(_block_of_draws, 4, seed=1, block=block)


def _too_few(rngs):
    return [0.0]


def test_a_block_function_must_return_one_result_per_replicate():
    with pytest.raises(ValueError, match="returned 1 results for 3 replicates"):
        run_replicates(_too_few, 3, seed=1, block=3)


def test_forked_and_fresh_worker_pools_give_the_same_numbers(monkeypatch):
    from youthtransitions import parallel

    serial = run_replicates(_draw, 23, seed=11, kwargs={"scale": 2.0})
    units = [[g] for g in replicate_generators(11, 23)]
    chunks = [units[i:i + 4] for i in range(0, 23, 4)]
    forked = parallel._run_forked(_draw, chunks, False, (), {"scale": 2.0}, 2, False, "")
    assert forked == serial
    assert parallel._FORK_TASK is None  # the task is not kept after the pool
    # the fresh interpreters of loky, used where forking is not safe, blocks included
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    assert run_replicates(_draw, 23, seed=11, kwargs={"scale": 2.0}, workers=2) == serial
    assert run_replicates(_block_of_draws, 23, seed=11, kwargs={"scale": 2.0}, workers=2,
                          block=5) == serial


def test_local_workers_fork_when_no_other_thread_runs():
    import subprocess
    import sys

    code = ("import threading, youthtransitions.parallel as p; a = p._can_fork(); "
            "t = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True); "
            "t.start(); print(a, p._can_fork())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    # a second thread could hold a lock at the fork: then the loky pool is used
    assert out == (["True", "False"] if sys.platform.startswith("linux") else ["False", "False"])
