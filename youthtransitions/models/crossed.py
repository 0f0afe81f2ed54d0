"""Linear mixed models with lme4 random terms: several grouping factors, crossed or nested.

:func:`fit_lmm_terms` fits ``"y ~ x + wave + (1 + wave | youth_id) + (1 | worker_id)"``
(the forms of :data:`~youthtransitions.models.random_terms.SUPPORTED_FORMS`) with the sparse
profiled-deviance engine (:mod:`youthtransitions.models.engine.sparse`) and returns a
:class:`TermsLMMResult`, whose :meth:`~TermsLMMResult.varcorr` is R's
``as.data.frame(VarCorr(m))``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .._coef import coef_table
from .._options import check_level
from .._tidy import TidyResult
from ..errors import UsageError
from .engine import EngineFit
from .engine.sparse import TermSpec
from .formula import build_design
from .random_terms import (
    RandomBlock,
    parse_random_terms,
    random_blocks,
    refuse_glm_parts,
    term_variables,
    unique_group_names,
)

__all__ = ["TermsLMMResult", "fit_lmm_terms", "VARCORR_COLUMNS"]

#: Columns of :meth:`TermsLMMResult.varcorr` (R's ``as.data.frame(VarCorr(m))``, grp as group).
VARCORR_COLUMNS = ["group", "var1", "var2", "vcov", "sdcor"]


@dataclass(frozen=True, eq=False, repr=False)
class TermsLMMResult(TidyResult):
    """A fitted LMM with lme4 random terms.

    Attributes
    ----------
    formula : str
    method : {"REML", "ML"}
    engine_fit : EngineFit
        ``random_cov`` block diagonal over the terms, ``theta`` in lme4's order.
    fixed_names : list of str
    blocks : list of RandomBlock
        The random terms in lme4's order (most levels first).
    n_dropped : int
        Rows dropped for a missing model variable.
    modes : ndarray
        Conditional modes of the random effects (lme4's ``ranef``), term by term, level-major.
    ci_level : float, default 0.95

    Derived: ``params``, ``std_errors``, ``df`` (Satterthwaite, as lmerTest), ``tvalues``,
    ``pvalues``, ``cov_params``, ``loglik`` (the REML criterion's for REML, as lme4),
    ``aic``, ``bic`` (``p + len(theta) + 1`` parameters), ``n_obs``, ``n_groups`` (levels
    per grouping factor), ``theta``, ``residual_variance``, ``converged``, ``singular``.
    """

    formula: str
    method: str
    engine_fit: EngineFit
    fixed_names: list[str]
    blocks: list[RandomBlock]
    n_obs: int
    n_dropped: int
    modes: np.ndarray
    ci_level: float = 0.95
    title = "Linear mixed model"

    @cached_property
    def _names(self) -> pd.Index:
        return pd.Index(self.fixed_names)

    @cached_property
    def params(self) -> pd.Series:
        """Fixed effects."""
        return pd.Series(np.asarray(self.engine_fit.beta, float), index=self._names,
                         name="estimate")

    @cached_property
    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of the fixed effects, ``sigma^2 (X'V^{-1}X)^{-1}``."""
        return pd.DataFrame(self.engine_fit.vcov, index=self._names, columns=self._names)

    @cached_property
    def std_errors(self) -> pd.Series:
        """Standard errors of the fixed effects."""
        return pd.Series(np.sqrt(np.diag(self.engine_fit.vcov)), index=self._names,
                         name="std_error")

    @cached_property
    def df(self) -> pd.Series:
        """Satterthwaite denominator degrees of freedom."""
        return pd.Series(np.asarray(self.engine_fit.df, float), index=self._names, name="df")

    @cached_property
    def tvalues(self) -> pd.Series:
        """t statistics."""
        return self.to_frame().set_index("term")["statistic"].set_axis(self._names)

    @cached_property
    def pvalues(self) -> pd.Series:
        """Two-sided p values from t(df)."""
        return self.to_frame().set_index("term")["p_value"].set_axis(self._names)

    theta = property(lambda self: np.asarray(self.engine_fit.theta, float),
                     doc="lme4's theta: each term's lower triangle of Lambda, column-major.")
    loglik = property(lambda self: float(self.engine_fit.loglik), doc="Log-likelihood.")
    residual_variance = property(lambda self: float(self.engine_fit.sigma2), doc="sigma^2.")
    converged = property(lambda self: bool(self.engine_fit.converged), doc="Converged.")
    singular = property(lambda self: bool(self.engine_fit.singular), doc="lme4's isSingular.")

    n_params = property(lambda self: len(self.fixed_names) + len(self.theta) + 1,
                        doc="``p + len(theta) + 1``.")
    aic = property(lambda self: -2 * self.loglik + 2 * self.n_params,
                   doc="``-2 loglik + 2 n_params``.")
    bic = property(lambda self: -2 * self.loglik + np.log(self.n_obs) * self.n_params,
                   doc="``-2 loglik + log(n_obs) n_params``.")

    @property
    def n_groups(self) -> dict[str, int]:
        """Levels of each grouping factor (lme4's ``ngrps``)."""
        return {b.term.group: b.n_levels for b in self.blocks}

    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: estimates; with several grouping factors a
        Satterthwaite df is no fixed offset of one count, but it can sit next to one (a
        balanced between-group term has ``levels - 1``), so it is published to three
        significant digits like the statistics beside it."""
        from .._disclosure import TableSpec, coef_columns, estimate

        return TableSpec(coef_columns(estimate(digits=3)), totals="none")

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """Fixed effects as a coefficient table (``COEF_COLUMNS``), t(df) intervals."""
        return coef_table(self.fixed_names, self.engine_fit.beta, self.std_errors.to_numpy(),
                          self.engine_fit.df,
                          level=self.ci_level if level is None else level)

    def _term_covs(self) -> list[np.ndarray]:
        cov, out, off = self.engine_fit.random_cov, [], 0
        for b in self.blocks:
            out.append(cov[off:off + b.q, off:off + b.q])
            off += b.q
        return out

    def varcorr(self) -> pd.DataFrame:
        """Variance components as R's ``as.data.frame(VarCorr(m))``.

        Returns
        -------
        DataFrame
            ``group, var1, var2, vcov, sdcor``: per term its variances (``var2`` missing,
            ``sdcor`` the sd), then its covariances (``sdcor`` the correlation) in R's
            lower-triangle order, then the ``Residual`` row (``var1``, ``var2`` missing).
            Repeated grouping factors are named as R's ``make.unique`` (``Subject.1``).
        """
        rows = []
        groups = unique_group_names([b.term.group for b in self.blocks])
        for g, b, cov in zip(groups, self.blocks, self._term_covs(), strict=True):
            sd = np.sqrt(np.clip(np.diag(cov), 0, None))
            for j, a in enumerate(b.names):
                rows.append((g, a, None, cov[j, j], sd[j]))
            for j in range(b.q):
                for k in range(j + 1, b.q):
                    denom = sd[j] * sd[k]
                    corr = cov[k, j] / denom if denom > 0 else np.nan
                    rows.append((g, b.names[j], b.names[k], cov[k, j], corr))
        s2 = self.residual_variance
        rows.append(("Residual", None, None, s2, np.sqrt(s2)))
        frame = pd.DataFrame(rows, columns=VARCORR_COLUMNS)
        for col in ("var1", "var2"):  # missing names as None in both columns
            frame[col] = pd.Series([v if isinstance(v, str) else None for v in frame[col]],
                                   dtype=object)
        return frame

    def random_effects(self) -> pd.DataFrame:
        """Conditional modes (lme4's ``ranef``): ``group, level, term, estimate``; terms of
        one grouping factor share its name (as ``ranef`` merges them)."""
        frames, off = [], 0
        for b in self.blocks:
            g = b.term.group
            vals = self.modes[off:off + b.q * b.n_levels].reshape(b.n_levels, b.q)
            off += b.q * b.n_levels
            for j, nm in enumerate(b.names):
                frames.append(pd.DataFrame({"group": g, "level": b.labels, "term": nm,
                                            "estimate": vals[:, j]}))
        return pd.concat(frames, ignore_index=True)

    def _summary_header(self) -> list[tuple[str, Any]]:
        head: list[tuple[str, Any]] = [
            ("Formula", self.formula), ("Method", self.method), ("Observations", self.n_obs),
            ("Rows dropped (missing)", self.n_dropped)]
        head += [(f"Groups ({g})", n) for g, n in self.n_groups.items()]
        head += [("Log-likelihood", self.loglik), ("AIC", self.aic), ("BIC", self.bic)]
        for r in self.varcorr().itertuples(index=False):
            if r.var1 is None:
                head.append(("Residual variance", float(r.vcov)))
            elif r.var2 is None:
                head.append((f"Var({r.group}: {r.var1})", float(r.vcov)))
            else:
                head.append((f"Corr({r.group}: {r.var1}, {r.var2})", float(r.sdcor)))
        head += [("Converged", self.converged), ("Singular", self.singular),
                 ("df", self.engine_fit.df_method)]
        return head


def _frame(formula: str, data: pd.DataFrame):
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    parsed = parse_random_terms(formula)
    refuse_glm_parts(parsed, "fit_lmm")
    rvars = list(dict.fromkeys(v for t in parsed.random for v in term_variables(t, data)))
    if not data.index.is_unique:
        data = data.reset_index(drop=True)
    keep = data[rvars].notna().all(axis=1).to_numpy()
    sub = data.loc[keep]
    if len(sub) == 0:
        raise UsageError(f"no rows are left after dropping rows with a missing value in "
                         f"{', '.join(rvars)}")
    design = build_design(parsed.fixed, sub, group=parsed.random[0].factors[0])
    frame = sub.loc[design.data.index]
    return parsed, design, frame, int(len(data) - len(frame))


def _check_terms(blocks: list[RandomBlock], n: int, p: int, reml: bool) -> None:
    """Refuse what lme4 refuses (``check.nlev.gtr.1``, ``check.nobs.vs.nlev``,
    ``check.nobs.vs.nRE``)."""
    if reml and n <= p:
        raise UsageError(f"REML needs more observations ({n}) than fixed effects ({p})")
    for b in blocks:
        g = b.term.group
        if b.n_levels < 2:
            raise UsageError(f"the grouping factor {g!r} of {b.term} has {b.n_levels} level; "
                             "a random term needs at least 2")
        if b.n_levels >= n:
            raise UsageError(f"the grouping factor {g!r} has {b.n_levels} levels for {n} "
                             "observations: the random effects and the residual are not "
                             "identifiable")
        if b.q * b.n_levels >= n:
            raise UsageError(f"the term {b.term} has {b.q} x {b.n_levels} random effects "
                             f"for {n} observations; simplify it")


def fit_lmm_terms(formula: str, data: pd.DataFrame, *, method: str = "reml",
                  ci_level: float = 0.95, dense_max: int | None = None) -> TermsLMMResult:
    """Fit a linear mixed model written with lme4 random terms, by REML or ML.

    Parameters
    ----------
    formula : str
        ``"y ~ fixed + (terms | g) + ..."``: the fixed part in formulaic syntax, random terms
        of the forms in :data:`~youthtransitions.models.random_terms.SUPPORTED_FORMS`
        (crossed, nested ``a/b``, uncorrelated ``||``).
    data : DataFrame
        Long format, one row per observation.
    method : {"reml", "ml"}
    ci_level : float, default 0.95
    dense_max : int, optional
        Largest Schur complement factored densely
        (:data:`~youthtransitions.models.engine.sparse.DENSE_MAX`); larger ones use SuperLU.

    Returns
    -------
    TermsLMMResult

    Raises
    ------
    UsageError
        An unsupported random term (listing the supported forms), unknown column, a model
        lme4 refuses (a factor with fewer than 2 levels or as many levels or random effects
        as observations), a rank-deficient fixed design.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"youth": np.repeat(np.arange(300), 3),
    ...                   "worker": rng.integers(0, 30, 900), "x": rng.normal(size=900)})
    >>> d["y"] = (0.5 * d["x"] + rng.normal(size=300)[d["youth"]]
    ...           + 0.5 * rng.normal(size=30)[d["worker"]] + rng.normal(size=900))
    >>> fit = fit_lmm_terms("y ~ x + (1 | youth) + (1 | worker)", d)
    >>> fit.n_groups, fit.converged
    ({'youth': 300, 'worker': 30}, True)
    >>> list(fit.varcorr()["group"])
    ['youth', 'worker', 'Residual']

    Notes
    -----
    The profiled deviance of Bates, Mächler, Bolker & Walker (2015, *J. Stat. Softw.*
    67(1), eqs. 34 and 41) with the factor of ``Lambda'Z'Z Lambda + I`` described in
    :mod:`youthtransitions.models.engine.sparse`; optimisation and Satterthwaite df as in
    :mod:`youthtransitions.models.engine.sparse_fit`. Rows with a missing model variable are
    dropped (``n_dropped``). Checked against lme4 1.1.31 / lmerTest 3.1.3
    (tests/reference/lme4_crossed/): fixed effects 1e-5 relative, standard errors and
    variance components 1e-4, log-likelihood 1e-6, df 1e-3.
    """
    from ..parallel import single_blas_thread
    from .engine.sparse_fit import fit_sparse
    from .lmm import CONVERGENCE_ADVICE, ConvergenceWarning, check_method

    reml = check_method(method)
    ci_level = check_level(ci_level, "ci_level")
    parsed, design, frame, n_dropped = _frame(formula, data)
    blocks = random_blocks(parsed.random, frame)
    n, p = design.X.shape
    _check_terms(blocks, n, p, reml)
    specs = [TermSpec(Z=b.Z, codes=b.codes, n_levels=b.n_levels) for b in blocks]
    try:
        with single_blas_thread():
            fit, dev, st = fit_sparse(design.y, design.X, specs, reml=reml,
                                      dense_max=dense_max)
    except np.linalg.LinAlgError as exc:
        raise UsageError(f"the mixed model {formula!r} failed numerically ({exc}); "
                         + CONVERGENCE_ADVICE["sparse"]) from None
    if not fit.converged:
        warnings.warn(f"the mixed model {formula!r} did not converge ({fit.message}); "
                      + CONVERGENCE_ADVICE["sparse"], ConvergenceWarning, stacklevel=2)
    return TermsLMMResult(formula=formula, method="REML" if reml else "ML", engine_fit=fit,
                          fixed_names=list(design.fixed_names), blocks=blocks, n_obs=n,
                          n_dropped=n_dropped, modes=dev.conditional_modes(st),
                          ci_level=ci_level)
