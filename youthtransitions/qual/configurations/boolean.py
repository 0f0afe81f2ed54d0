"""Exact Boolean minimisation: prime implicants and every minimal cover.

A *cube* (a conjunction of literals) is a row of digits, one per condition: ``1`` the
condition is present, ``0`` it is negated, ``2`` it does not appear. A *minterm* (a corner
of the property space, a truth-table row) is a cube without ``2``. Minterms are numbered as
binary numbers with the first condition as the most significant bit (truth-table row
``r`` of QCA is minterm ``r - 1``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ...errors import UsageError

__all__ = ["MAX_CONDITIONS", "minterm_bits", "prime_implicants", "cube_covers",
           "minimal_covers", "cube_text", "sort_cubes", "minimise"]

#: the cube lattice holds 3**k cells; beyond this many conditions it is too large
MAX_CONDITIONS = 14

FREE = 2


def minterm_bits(k: int) -> np.ndarray:
    """All ``2**k`` minterms as a (2**k, k) array of 0/1, first condition most significant."""
    idx = np.arange(2 ** k)
    shifts = np.arange(k - 1, -1, -1)
    return ((idx[:, None] >> shifts) & 1).astype(np.int8)


def _lattice(flags: np.ndarray, k: int, combine) -> np.ndarray:
    """Extend a (2,)*k array over minterms to a (3,)*k array over cubes with ``combine``."""
    arr = flags.reshape((2,) * k) if k else flags.reshape(())
    for axis in range(k):
        lo = np.take(arr, [0], axis=axis)
        hi = np.take(arr, [1], axis=axis)
        arr = np.concatenate([arr, combine(lo, hi)], axis=axis)
    return arr


def prime_implicants(on: np.ndarray, dc: np.ndarray | None = None) -> np.ndarray:
    """Prime implicants of the function with ON-set ``on`` and don't-care set ``dc``.

    Parameters
    ----------
    on, dc : ndarray of bool, shape (2**k,)
        Minterm indicators. Minterms in neither set are the OFF-set.

    Returns
    -------
    ndarray of int8, shape (p, k)
        The prime implicants that cover at least one ON minterm, as cubes, in the order of
        :func:`sort_cubes`.

    Notes
    -----
    Vectorised over the whole cube lattice instead of Quine-McCluskey's pairwise merging:
    a cube is an implicant when every minterm it covers is ON or don't-care, computed for all
    ``3**k`` cubes at once by the recursion ``valid(.., -, ..) = valid(.., 0, ..) AND
    valid(.., 1, ..)`` along each axis; it is prime when dropping any one of its literals gives
    a non-implicant. The result is the set Quine-McCluskey produces (McCluskey 1956); checked
    against QCA::minimize (tests/reference/qca) and brute force on random functions.
    """
    on = np.asarray(on, dtype=bool)
    n = on.size
    k = int(round(np.log2(n))) if n else 0
    if 2 ** k != n:
        raise UsageError(f"minterm vector has length {n}, not a power of two")
    if k > MAX_CONDITIONS:
        raise UsageError(f"exact minimisation supports at most {MAX_CONDITIONS} conditions, "
                         f"got {k}")
    allowed = on | (np.zeros(n, bool) if dc is None else np.asarray(dc, dtype=bool))
    valid = _lattice(allowed, k, np.logical_and)
    touches_on = _lattice(on, k, np.logical_or)
    prime = valid.copy()
    for axis in range(k):
        freed = np.take(valid, [FREE], axis=axis)
        index = [slice(None)] * k
        for digit in (0, 1):
            index[axis] = slice(digit, digit + 1)
            prime[tuple(index)] &= ~freed
    keep = prime & touches_on
    cells = np.argwhere(keep).astype(np.int8)
    return sort_cubes(cells.reshape(-1, k))


def cube_covers(cubes: np.ndarray, minterms: np.ndarray) -> np.ndarray:
    """Boolean (p, m) matrix: does cube ``i`` cover minterm ``j`` (rows of 0/1 bits)?"""
    cubes = np.asarray(cubes)[:, None, :]
    bits = np.asarray(minterms)[None, :, :]
    return np.all((cubes == FREE) | (cubes == bits), axis=2)


def _popcount(x: int) -> int:
    return bin(x).count("1")


def minimal_covers(chart: np.ndarray, *, max_solutions: int = 1000,
                   node_budget: int = 50_000) -> list[tuple[int, ...]]:
    """Every cover of minimum size of a prime-implicant chart.

    Parameters
    ----------
    chart : ndarray of bool, shape (p, m)
        ``chart[i, j]`` is true when implicant ``i`` covers ON minterm ``j``.
    max_solutions : int, default 1000
        Stop collecting covers at this many, with a warning (pathological charts only).
    node_budget : int, default 50000
        Search nodes before switching to repeated integer programmes (hard charts).

    Returns
    -------
    list of tuple of int
        Each a sorted tuple of row indices; sorted lexicographically.

    Notes
    -----
    Exact set-cover search, equivalent to Petrick's method restricted to minimum cardinality
    (as QCA's solveChart with ``all.sol = FALSE``). Columns whose covering implicants include
    all of another column's are dropped (covering the other covers them). The minimum cover
    size comes from an integer programme; a depth-first search then collects every cover of
    that size: at each node the uncovered column with fewest candidate implicants is branched
    on (every cover contains one of them; a single candidate is an essential implicant), and
    branch ``i`` bans the candidates of branches ``< i`` so each cover is found once. A node is
    pruned when the chosen implicants plus a lower bound (a greedy set of uncovered columns no
    implicant covers two of) exceed that size. Charts too hard for the search (over
    ``node_budget`` nodes) are enumerated instead by repeated integer programmes with no-good
    cuts.
    """
    chart = np.asarray(chart, dtype=bool)
    p, m = chart.shape
    if m == 0:
        return [()]
    if not chart.any(axis=0).all():
        raise UsageError("the prime implicant chart has a column no implicant covers")
    col_rows = [int(sum(1 << int(i) for i in np.flatnonzero(chart[:, j]))) for j in range(m)]
    # column dominance: keep a column only if no other column's rows are a strict subset
    # (equal sets: keep the first)
    keep = []
    for j, rj in enumerate(col_rows):
        dominated = any((rk & rj) == rk and (rk != rj or k < j)
                        for k, rk in enumerate(col_rows) if k != j)
        if not dominated:
            keep.append(rj)
    col_rows = keep
    m = len(col_rows)
    row_cols = [0] * p
    for j, rj in enumerate(col_rows):
        for i in range(p):
            if rj >> i & 1:
                row_cols[i] |= 1 << j
    found: list[tuple[int, ...]] = []
    nodes = [0]

    def search(uncovered: int, allowed: int, chosen: list[int], limit: int) -> None:
        nodes[0] += 1
        if nodes[0] > node_budget:
            raise _TooHard
        if uncovered == 0:
            found.append(tuple(sorted(chosen)))
            return
        if len(chosen) >= limit or len(found) >= max_solutions:
            return
        options = []
        for j in range(m):
            if uncovered >> j & 1:
                opt = col_rows[j] & allowed
                if opt == 0:
                    return
                options.append((_popcount(opt), opt))
        options.sort()
        bound, used = 0, 0
        for _, opt in options:
            if opt & used == 0:
                bound += 1
                used |= opt
        if len(chosen) + bound > limit:
            return
        branch = options[0][1]
        while branch:
            low = branch & -branch
            i = low.bit_length() - 1
            search(uncovered & ~row_cols[i], allowed, chosen + [i], limit)
            allowed &= ~low
            branch &= ~low

    size = _minimum_cover_size(chart)
    try:
        search((1 << m) - 1, (1 << p) - 1, [], size)
    except _TooHard:
        found = _milp_covers(chart, size, max_solutions)
    if len(found) >= max_solutions:
        warnings.warn(f"the prime implicant chart has at least {max_solutions} minimal covers; "
                      "only the first are returned", stacklevel=2)
    return sorted(set(found))[:max_solutions]


class _TooHard(Exception):
    pass


def _milp_covers(chart: np.ndarray, size: int, max_solutions: int) -> list[tuple[int, ...]]:
    """All covers of ``size`` rows by repeated integer programmes, each excluding the covers
    found so far (no-good cuts ``sum_{i in S} z_i <= size - 1``)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    p, m = chart.shape
    rows = [chart.T.astype(float)]
    lower, upper = [np.ones(m)], [np.full(m, np.inf)]
    found: list[tuple[int, ...]] = []
    while len(found) < max_solutions:
        res = milp(c=np.ones(p), integrality=np.ones(p), bounds=Bounds(0, 1),
                   constraints=LinearConstraint(np.vstack(rows), np.concatenate(lower),
                                                np.concatenate(upper)))
        if not res.success or round(res.fun) > size:
            break
        chosen = np.flatnonzero(res.x > 0.5)
        found.append(tuple(int(i) for i in chosen))
        cut = np.zeros((1, p))
        cut[0, chosen] = 1.0
        rows.append(cut)
        lower.append(np.array([-np.inf]))
        upper.append(np.array([size - 1.0]))
    return found


def _minimum_cover_size(chart: np.ndarray) -> int:
    """Fewest rows covering every column: the integer programme min 1'z, chart' z >= 1
    (solved exactly by HiGHS branch and bound, as QCA's findmin uses lpSolve)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    p = chart.shape[0]
    res = milp(c=np.ones(p), constraints=LinearConstraint(chart.T.astype(float), lb=1),
               integrality=np.ones(p), bounds=Bounds(0, 1))
    if not res.success:  # pragma: no cover - a coverable chart always has a solution
        raise UsageError(f"the prime implicant chart could not be solved: {res.message}")
    return int(round(res.fun))


def sort_cubes(cubes: np.ndarray) -> np.ndarray:
    """Order cubes as QCA prints them: fewer literals first, then present before negated
    before absent, condition by condition."""
    cubes = np.asarray(cubes, dtype=np.int8)
    if len(cubes) == 0:
        return cubes
    n_lit = (cubes != FREE).sum(axis=1)
    rank = np.where(cubes == 1, 0, np.where(cubes == 0, 1, 2))  # present, negated, absent
    keys = [rank[:, j] for j in range(cubes.shape[1] - 1, -1, -1)] + [n_lit]
    return cubes[np.lexsort(keys)]


def cube_text(cube: Sequence[int], conditions: Sequence[str]) -> str:
    """``"DEV*~URB*LIT"``: present as the name, negated with ``~``, joined by ``*``."""
    parts = [("" if d == 1 else "~") + c for d, c in zip(cube, conditions, strict=True)
             if d != FREE]
    return "*".join(parts) if parts else "1"


def minimise(on: np.ndarray, dc: np.ndarray | None = None
             ) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Prime implicants and all minimum covers of the ON minterms.

    Returns ``(primes, covers)``: ``primes`` a (p, k) cube array, ``covers`` a list of tuples
    of indices into ``primes``. With an empty ON-set both are empty.
    """
    on = np.asarray(on, dtype=bool)
    k = int(round(np.log2(on.size)))
    if not on.any():
        return np.zeros((0, k), np.int8), []
    primes = prime_implicants(on, dc)
    chart = cube_covers(primes, minterm_bits(k)[on])  # every prime covers an ON minterm
    return primes, minimal_covers(chart)
