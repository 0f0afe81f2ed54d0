"""Two-level linear mixed models: :func:`fit_lmm` and its result, :class:`LMMResult`.

The model for observation ``j`` of group ``i`` is

    y_ij = x_ij' beta + z_ij' b_i + e_ij,   b_i ~ N(0, Sigma_b),   e_ij ~ N(0, sigma^2),

with an unstructured ``q x q`` random-effects covariance ``Sigma_b``. Two engines fit it:
``engine="fast"`` (:mod:`youthtransitions.models.engine`, profiled (RE)ML deviance over the
relative covariance factor as lme4) and ``engine="statsmodels"`` (statsmodels MixedLM).
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special

from .._tidy import COEF_COLUMNS, TidyResult
from ..errors import UsageError
from .formula import Design, build_design

__all__ = ["LMMResult", "fit_lmm", "ConvergenceWarning", "check_identifiable"]


class ConvergenceWarning(UserWarning):
    """The optimiser of a mixed model did not converge cleanly."""


CONVERGENCE_ADVICE = {
    "fast": "try: simplify the random part (e.g. random='1', or drop a term whose variance is "
            "near zero), or compare with engine='statsmodels'",
    "statsmodels": "try: rescale (centre and standardise) the predictors, simplify the "
                   "random part (e.g. random='1'), or engine='fast'"}


def _sd_corr(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations and correlations of a covariance matrix (NaN where an sd is 0)."""
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = np.nan
    return sd, corr


class LMMResult(TidyResult):
    """A fitted two-level linear mixed model.

    Attributes
    ----------
    params, std_errors, df, tvalues, pvalues : Series
        Fixed effects, their standard errors, Satterthwaite degrees of freedom (as lmerTest),
        t statistics and two-sided p values from t(df); indexed by fixed-effect name.
    cov_params : DataFrame
        Covariance matrix of the fixed effects.
    random_cov : DataFrame
        Random-effects covariance ``Sigma_b`` (q x q), "(Intercept)" first.
    residual_variance : float
        ``sigma^2``.
    loglik, aic, bic : float
        Log-likelihood (the REML criterion's for a REML fit, as lme4), AIC and BIC with
        ``p + q(q+1)/2 + 1`` parameters.
    converged, singular : bool
        Optimiser convergence; lme4's ``isSingular`` (a diagonal element of the relative
        covariance factor below 1e-4).
    n_obs, n_groups, n_dropped : int
        Observations used, groups, rows dropped for a missing model variable.
    method : {"REML", "ML"}
    engine : {"fast", "statsmodels"}
    formula, group, random : str
        The specification.
    y, X, Z, groups, group_labels, fixed_names, random_names, data
        The design used (see :class:`youthtransitions.models.formula.Design`).
    theta : ndarray
        Lower triangle (column-major, as lme4) of the relative covariance factor Lambda,
        ``Sigma_b = sigma^2 Lambda Lambda'``.
    df_method : str
        How ``df`` was computed ("Satterthwaite" or a note when it could not be).
    ci_level : float, default 0.95
        Level of the intervals in :meth:`to_frame` and :meth:`summary` (settable).
    """

    title = "Linear mixed model"
    ci_level: float = 0.95

    def __init__(self, *, design: Design, formula: str, group: str, random: str,
                 method: str, engine: str, beta: np.ndarray, vcov: np.ndarray,
                 df: np.ndarray, sigma2: float, random_cov: np.ndarray, theta: np.ndarray,
                 loglik: float, converged: bool, singular: bool,
                 df_method: str = "Satterthwaite", optimizer: dict | None = None):
        self.formula, self.group, self.random = formula, group, random
        self.method, self.engine = method, engine
        self.y, self.X, self.Z = design.y, design.X, design.Z
        self.groups, self.group_labels = design.groups, design.group_labels
        self.fixed_names, self.random_names = list(design.fixed_names), list(design.random_names)
        self.response = design.response
        self.data = design.data
        self.n_obs = int(len(design.y))
        self.n_groups = int(len(design.group_labels))
        self.n_dropped = int(design.n_dropped)
        names = pd.Index(self.fixed_names)  # built once: pandas re-validates str lists
        rnames = pd.Index(self.random_names)
        beta = np.asarray(beta, float)
        vcov = np.asarray(vcov, float)
        se = np.sqrt(np.diag(vcov))
        df = np.asarray(df, float)
        tval = beta / se
        self.params = pd.Series(beta, index=names, name="estimate")
        self.cov_params = pd.DataFrame(vcov, index=names, columns=names)
        self.std_errors = pd.Series(se, index=names, name="std_error")
        self.df = pd.Series(df, index=names, name="df")
        self.tvalues = pd.Series(tval, index=names, name="statistic")
        self.pvalues = pd.Series(2 * special.stdtr(df, -np.abs(tval)), index=names,
                                 name="p_value")
        self.residual_variance = float(sigma2)
        self.random_cov = pd.DataFrame(np.asarray(random_cov, float), index=rnames,
                                       columns=rnames)
        self.theta = np.asarray(theta, float)
        self.loglik = float(loglik)
        q, p = len(self.random_names), len(self.fixed_names)
        self.n_params = p + q * (q + 1) // 2 + 1
        self.aic = -2 * self.loglik + 2 * self.n_params
        self.bic = -2 * self.loglik + np.log(self.n_obs) * self.n_params
        self.converged, self.singular = bool(converged), bool(singular)
        self.df_method = df_method
        self.optimizer = dict(optimizer or {})

    # -- derived views -------------------------------------------------------------------
    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals ``estimate -/+ t_{df}(1 - (1-level)/2) * SE``."""
        if not 0 < level < 1:
            raise UsageError(f"level must be between 0 and 1, got {level!r}")
        crit = special.stdtrit(self.df.to_numpy(), 0.5 + level / 2)
        half = crit * self.std_errors
        return pd.DataFrame({"conf_low": self.params - half, "conf_high": self.params + half})

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """Fixed effects as a coefficient table (``COEF_COLUMNS``), intervals at ``level``
        (default :attr:`ci_level`)."""
        ci = self.conf_int(self.ci_level if level is None else level)
        frame = pd.DataFrame({
            "term": self.fixed_names, "estimate": self.params.to_numpy(),
            "std_error": self.std_errors.to_numpy(), "df": self.df.to_numpy(),
            "statistic": self.tvalues.to_numpy(), "p_value": self.pvalues.to_numpy(),
            "conf_low": ci["conf_low"].to_numpy(), "conf_high": ci["conf_high"].to_numpy()})
        return frame[COEF_COLUMNS]

    def random_frame(self) -> pd.DataFrame:
        """Variance components as a table: group, term1, term2, variance/covariance, sd/corr."""
        rows = []
        cov = self.random_cov.to_numpy()
        sd, corr = _sd_corr(cov)
        for j, a in enumerate(self.random_names):
            rows.append((self.group, a, "", cov[j, j], sd[j]))
        for j, a in enumerate(self.random_names):
            for k in range(j + 1, len(self.random_names)):
                rows.append((self.group, a, self.random_names[k], cov[j, k], corr[j, k]))
        rows.append(("Residual", "", "", self.residual_variance, np.sqrt(self.residual_variance)))
        return pd.DataFrame(rows, columns=["group", "term1", "term2", "vcov", "sdcor"])

    def _summary_header(self) -> list[tuple[str, Any]]:
        head: list[tuple[str, Any]] = [
            ("Formula", self.formula), ("Random", f"({self.random} | {self.group})"),
            ("Method", self.method), ("Engine", self.engine),
            ("Observations", self.n_obs), ("Groups", self.n_groups),
            ("Rows dropped (missing)", self.n_dropped),
            ("Log-likelihood", self.loglik), ("AIC", self.aic), ("BIC", self.bic),
            ("Residual variance", self.residual_variance)]
        cov = self.random_cov.to_numpy()
        for j, a in enumerate(self.random_names):
            head.append((f"Var({a})", float(cov[j, j])))
        _, corr = _sd_corr(cov)
        for j, a in enumerate(self.random_names):
            for k in range(j + 1, len(self.random_names)):
                head.append((f"Corr({a}, {self.random_names[k]})", float(corr[j, k])))
        head += [("Converged", self.converged), ("Singular", self.singular),
                 ("df", self.df_method)]
        if self.ci_level != 0.95:
            head.append(("Confidence level", self.ci_level))
        return head

    def r2(self):
        """Nakagawa and Rights & Sterba R² measures (see :mod:`youthtransitions.models.r2`)."""
        from .r2 import r2 as _r2

        return _r2(self)

    def fitted_fixed(self) -> np.ndarray:
        """``X @ beta``."""
        return self.X @ self.params.to_numpy()


def check_identifiable(*, n: int, p: int, q: int, n_groups: int, reml: bool, group: str,
                       random: str = "1", where: str = "") -> None:
    """Refuse a two-level model that cannot be fitted, as lme4 does.

    Raises :class:`UsageError` when REML has no more observations than fixed effects, or
    (lme4's ``check.nlev.gtr.1`` / ``check.nobs.vs.nlev`` / ``check.nobs.vs.nRE`` = "stop")
    there are fewer than 2 groups, as many groups as observations, or as many random effects
    as observations. ``where`` prefixes the message (e.g. ``"variance_explained: "``).
    """
    if reml and n <= p:
        raise UsageError(f"{where}REML needs more observations ({n}) than fixed effects ({p})")
    if n_groups < 2:
        raise UsageError(f"{where}the group column {group!r} has {n_groups} level after "
                         "dropping missing rows; a mixed model needs at least 2 groups")
    if n_groups >= n:
        raise UsageError(f"{where}number of groups of {group!r} ({n_groups}) must be less "
                         f"than the number of observations ({n}): the random effects and the "
                         "residual are not identifiable")
    if q * n_groups >= n:
        raise UsageError(f"{where}number of observations ({n}) must exceed the number of "
                         f"random effects ({q} x {n_groups} = {q * n_groups}); simplify the "
                         f"random part {random!r}")


_METHODS = {"reml": "REML", "ml": "ML"}
_ENGINES = ("fast", "statsmodels")


def fit_lmm(formula: str, data: pd.DataFrame, *, group: str, random: str = "1",
            method: Literal["reml", "ml"] = "reml",
            engine: Literal["fast", "statsmodels"] = "fast") -> LMMResult:
    """Fit a two-level linear mixed model by REML or ML.

    Parameters
    ----------
    formula : str
        Fixed part, ``"response ~ terms"`` in formulaic syntax (``C(x)``, ``x:z``,
        ``np.log(x)``, ``I(x**2)``).
    data : DataFrame
        Long format, one row per observation.
    group : str
        Column identifying the groups (e.g. ``"youth_id"``).
    random : str, default "1"
        Right-hand side of the random part, as inside lme4's ``( | group)``: ``"1"``
        (intercept), ``"1 + wave"`` or ``"wave"`` (intercept and slope, unstructured
        covariance), ``"0 + wave"`` (slope only). Any number of terms.
    method : {"reml", "ml"}
    engine : {"fast", "statsmodels"}
        The profiled-deviance engine of this package, or statsmodels MixedLM.

    Returns
    -------
    LMMResult

    Raises
    ------
    UsageError
        Bad formula, unknown column, non-numeric response, bad option, a model lme4 also
        refuses (fewer than 2 groups, as many groups or random effects as observations), a
        rank-deficient fixed design.

    Warns
    -----
    ConvergenceWarning
        When the optimiser did not converge, naming what to try.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from youthtransitions.models import fit_lmm
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"id": np.repeat(np.arange(200), 3), "wave": np.tile([0, 1, 2], 200)})
    >>> d["y"] = 1 + 0.5 * d["wave"] + rng.normal(size=200)[d["id"]] + rng.normal(size=600)
    >>> fit = fit_lmm("y ~ wave", d, group="id")
    >>> fit.n_groups, fit.method, fit.converged, fit.singular
    (200, 'REML', True, False)
    >>> fit.to_frame().round(3).loc[:, ["term", "estimate", "std_error", "df"]]
              term  estimate  std_error       df
    0  (Intercept)     0.733      0.089  382.403
    1         wave     0.627      0.050  399.000

    Notes
    -----
    Rows with a missing value in the response, a fixed or random term or the group are
    dropped and counted in ``n_dropped``. The fast engine minimises the profiled deviance of
    Bates, Mächler, Bolker & Walker (2015, *J. Stat. Softw.* 67(1), eqs. 34-41) over the
    lower-triangular relative covariance factor (diagonal >= 0), computed from per-group
    sufficient statistics (compressed to the distinct ``Z_i'Z_i`` when groups share them),
    with its analytic gradient, on internally centred and scaled columns when a predictor's
    scale is far from 1, restarted when it ends on the boundary; see docs/performance.md. Standard errors are
    ``sigma^2 (X'V^{-1}X)^{-1}``; denominator df are Satterthwaite's as in lmerTest
    (Kuznetsova, Brockhoff & Christensen 2017). Checked against lme4 1.1 / lmerTest 3.1
    (tests/reference/lme4/): fixed effects and log-likelihood to 1e-5 relative, standard
    errors and variance components to 1e-4, df to 1e-3.
    """
    if not isinstance(method, str) or method.lower() not in _METHODS:
        raise UsageError(f"method must be 'reml' or 'ml', got {method!r}")
    if engine not in _ENGINES:
        raise UsageError(f"engine must be one of {_ENGINES}, got {engine!r}")
    reml = method.lower() == "reml"
    design = build_design(formula, data, group=group, random=random)
    n, p = design.X.shape
    n_groups, q = len(design.group_labels), design.Z.shape[1]
    check_identifiable(n=n, p=p, q=q, n_groups=n_groups, reml=reml, group=group,
                       random=random)
    if engine == "fast":
        from .engine import fit_profiled

        try:
            fit = fit_profiled(design.y, design.X, design.Z, design.groups,
                               n_groups=n_groups, reml=reml)
        except np.linalg.LinAlgError as exc:
            raise UsageError(f"the mixed model {formula!r} with random ({random} | {group}) "
                             f"failed numerically ({exc}); "
                             + CONVERGENCE_ADVICE["fast"]) from None
    else:
        from .sm_engine import fit_statsmodels

        fit = fit_statsmodels(design, reml=reml)
    if not fit["converged"]:
        warnings.warn(
            f"the mixed model {formula!r} with random ({random} | {group}) did not converge "
            f"({fit.get('message', 'optimiser stopped')}); " + CONVERGENCE_ADVICE[engine],
            ConvergenceWarning, stacklevel=2)
    return LMMResult(design=design, formula=formula, group=group, random=random,
                     method=_METHODS[method.lower()], engine=engine, beta=fit["beta"],
                     vcov=fit["vcov"], df=fit["df"], sigma2=fit["sigma2"],
                     random_cov=fit["random_cov"], theta=fit["theta"], loglik=fit["loglik"],
                     converged=fit["converged"], singular=fit["singular"],
                     df_method=fit.get("df_method", "Satterthwaite"),
                     optimizer=fit.get("optimizer"))
