"""Conservative, parsimonious and intermediate solutions of a truth table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...errors import UsageError
from .boolean import (
    FREE,
    cube_covers,
    cube_text,
    minimise,
    minterm_bits,
    sort_cubes,
)
from .fit import cube_membership, sufficiency
from .truth_table import TruthTable

__all__ = ["Model", "minimize", "parse_dir_exp"]

@dataclass
class Model:
    """One solution model: a disjunction of terms with its parameters of fit.

    ``terms`` are strings (``"DEV*~URB*LIT"``); ``term_fit`` maps each parameter (incl, pri,
    cov, cov_unique) to a list parallel to ``terms``; ``incl``, ``pri``, ``cov`` are the
    model's. ``label`` names intermediate models by their conservative and parsimonious
    parents (``"C1P1"``), as QCA does; ``easy_counterfactuals`` are the truth-table rows used
    as easy counterfactuals.
    """

    terms: list[str]
    cubes: np.ndarray = field(repr=False)
    incl: float
    pri: float
    cov: float
    term_fit: dict[str, list[float]]
    label: str = ""
    easy_counterfactuals: list[int] = field(default_factory=list)

    @property
    def expression(self) -> str:
        return " + ".join(self.terms)

    def to_dict(self) -> dict:
        out = {"terms": list(self.terms), "incl": self.incl, "pri": self.pri, "cov": self.cov,
               "term_fit": [{"term": t, **{k: v[i] for k, v in self.term_fit.items()}}
                            for i, t in enumerate(self.terms)]}
        if self.label:
            out["label"] = self.label
            out["easy_counterfactuals"] = list(self.easy_counterfactuals)
        return out


def parse_dir_exp(dir_exp, conditions: Sequence[str]) -> np.ndarray:
    """Directional expectations -> digits per condition (1 present, 0 absent, 2 none).

    Accepts a mapping ``{"DEV": 1, "URB": 0, "IND": "-"}``, a sequence ``["DEV", "~URB"]`` or
    a comma-separated string ``"DEV, ~URB"``; conditions not named have no expectation.
    """
    exp = np.full(len(conditions), FREE, dtype=np.int8)
    if isinstance(dir_exp, Mapping):
        items = list(dir_exp.items())
    else:
        if isinstance(dir_exp, str):
            dir_exp = dir_exp.split(",")
        items = []
        for entry in dir_exp:
            text = str(entry).strip()
            if text in ("", "-"):
                continue
            items.append((text.lstrip("~").strip(), 0 if text.startswith("~") else 1))
    for name, value in items:
        if name not in conditions:
            raise UsageError(f"dir_exp names {name!r}, which is not one of the conditions "
                             f"{', '.join(conditions)}")
        if value in ("-", None, "dc"):
            continue
        if value not in (0, 1) or isinstance(value, bool):
            raise UsageError(f"dir_exp for {name!r} must be 1 (present), 0 (absent) or '-', "
                             f"got {value!r}")
        exp[list(conditions).index(name)] = int(value)
    return exp


def _model(tt: TruthTable, cubes: np.ndarray, label: str = "",
           easy: list[int] | None = None) -> Model:
    cubes = sort_cubes(cubes)
    memb = cube_membership(tt.data.x, cubes)
    fit = sufficiency(memb, tt.data.y)
    term_fit = {k: [float(v) for v in fit[k]] for k in ("incl", "pri", "cov", "cov_unique")}
    return Model([cube_text(c, tt.conditions) for c in cubes], cubes, fit["model_incl"],
                 fit["model_pri"], fit["model_cov"], term_fit, label, list(easy or []))


def _solve(on: np.ndarray, dc: np.ndarray | None) -> list[np.ndarray]:
    primes, covers = minimise(on, dc)
    return [primes[list(c)] for c in covers]


def _easy_counterfactuals(cons: np.ndarray, pars: np.ndarray, exp: np.ndarray,
                          positive: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Remainders used by the intermediate solution of one (conservative, parsimonious) pair.

    The simplifying assumptions are the remainders the parsimonious terms cover. Each
    conservative term that implies a parsimonious term sheds the literals it has beyond that
    term which go against the directional expectations; the simplifying assumptions covered by
    the resulting terms are the easy counterfactuals (Ragin & Sonnett 2005; as QCA's C_getEC
    with simple directional expectations).
    """
    sa = cube_covers(pars, bits).any(axis=0) & ~positive
    easy = np.zeros(len(bits), dtype=bool)
    for comp in cons:
        for par in pars:
            fixed = par != FREE
            if not np.all(comp[fixed] == par[fixed]):
                continue
            res = comp.copy()
            extra = (comp != FREE) & ~fixed
            against = extra & (exp != FREE) & (exp != comp)
            res[against] = FREE
            easy |= cube_covers(res[None, :], bits)[0] & sa
    return easy


def minimize(tt: TruthTable, *, dir_exp=None) -> dict[str, list[Model]]:
    """Exact minimisation of a truth table into its solutions.

    Parameters
    ----------
    tt : TruthTable
    dir_exp : mapping, sequence or str, optional
        Directional expectations for the intermediate solution (see :func:`parse_dir_exp`).

    Returns
    -------
    dict
        ``"conservative"`` and ``"parsimonious"`` (and ``"intermediate"`` when ``dir_exp`` is
        given): lists of :class:`Model`, one per minimal cover. Empty when no row has output 1.

    Notes
    -----
    Conservative: the positive rows alone are minimised (remainders excluded). Parsimonious:
    remainders are don't-cares, rows with output 0 the OFF-set. For each, the prime
    implicants are found exactly (:func:`~.boolean.prime_implicants`) and every cover of the
    positive rows with the fewest prime implicants is a model (as QCA::minimize with its
    defaults, ``all.sol = FALSE``). Intermediate: for every pair of conservative ``Ci`` and
    parsimonious ``Pj`` models the positive rows plus the easy counterfactuals are minimised
    and the prime implicants must cover the positive rows (Ragin & Sonnett 2005; QCA's
    ``dir.exp``). Checked against QCA 3.23 on the Lipset data (tests/reference/qca).
    """
    k = len(tt.conditions)
    bits = minterm_bits(k)
    positive = tt.minterms("1")
    remainder = tt.minterms("?")
    out: dict[str, list[Model]] = {}
    if not positive.any():
        out = {"conservative": [], "parsimonious": []}
        if dir_exp is not None:
            out["intermediate"] = []
        return out
    cons = _solve(positive, None)
    pars = _solve(positive, remainder)
    out["conservative"] = [_model(tt, c) for c in cons]
    out["parsimonious"] = [_model(tt, p) for p in pars]
    if dir_exp is not None:
        exp = parse_dir_exp(dir_exp, tt.conditions)
        inter = []
        for ci, c in enumerate(cons, start=1):
            for pj, p in enumerate(pars, start=1):
                easy = _easy_counterfactuals(c, p, exp, positive, bits)
                # easy counterfactuals are don't-cares: the covers need only the positive rows
                rows = [int(r) + 1 for r in np.flatnonzero(easy)]
                inter += [_model(tt, cubes, f"C{ci}P{pj}", rows)
                          for cubes in _solve(positive, easy)]
        out["intermediate"] = inter
    return out
