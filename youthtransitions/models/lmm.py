"""Two-level linear mixed models: :func:`fit_lmm` and its result, :class:`LMMResult`.

The model for observation ``j`` of group ``i`` is

    y_ij = x_ij' beta + z_ij' b_i + e_ij,   b_i ~ N(0, Sigma_b),   e_ij ~ N(0, sigma^2),

with an unstructured ``q x q`` random-effects covariance ``Sigma_b``. Two engines fit it:
``engine="fast"`` (:mod:`youthtransitions.models.engine`, profiled (RE)ML deviance over the
relative covariance factor as lme4) and ``engine="statsmodels"`` (statsmodels MixedLM).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._coef import coef_table
from .._disclosure import (
    DF_BASES,
    Disclosable,
    TableSpec,
    coef_columns,
    df_base_columns,
    disclosable,
    with_df_bases,
)
from .._disclosure import (
    df as df_kind,
)
from .._options import check_choice, check_level
from .._tidy import TidyResult, frame_to_records, to_jsonable
from ..errors import UsageError
from .engine import EngineFit
from .formula import Design, build_design

__all__ = ["LMMResult", "fit_lmm", "ConvergenceWarning", "check_identifiable", "check_method",
           "Method", "Engine"]


class ConvergenceWarning(UserWarning):
    """The optimiser of a mixed model did not converge cleanly."""


CONVERGENCE_ADVICE = {
    "fast": "try: simplify the random part (e.g. random='1', or drop a term whose variance is "
            "near zero), or compare with engine='statsmodels'",
    "statsmodels": "try: rescale (centre and standardise) the predictors, simplify the "
                   "random part (e.g. random='1'), or engine='fast'",
    "sparse": "try: simplify the random terms (drop a term whose variance is near zero, or "
              "use (x || g) for uncorrelated terms) or rescale the predictors"}


def _sd_corr(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations and correlations of a covariance matrix (NaN where an sd is 0)."""
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = np.nan
    return sd, corr


@dataclass(frozen=True, eq=False, repr=False)
class LMMResult(TidyResult):
    """A fitted two-level linear mixed model: its design and its engine fit.

    Attributes
    ----------
    design : Design
        The arrays fitted (:class:`youthtransitions.models.formula.Design`).
    engine_fit : EngineFit
        What the engine returned (:class:`youthtransitions.models.engine.EngineFit`).
    formula, group, random : str
        The specification.
    method : {"REML", "ML"}
    engine : {"fast", "statsmodels"}
    ci_level : float, default 0.95
        Level of the intervals of :meth:`to_frame`, :meth:`conf_int` and :meth:`summary`
        when no ``level`` is given (``fit_lmm(..., ci_level=...)``).
    ddf : {"satterthwaite", "kenward-roger"}
        Denominator df of the coefficient table; Kenward-Roger also adjusts the standard
        errors (pbkrtest's ``vcovAdj``), while :attr:`cov_params` stays unadjusted.

    Derived (read-only) attributes:

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
        ``n_params = p + q(q+1)/2 + 1`` parameters.
    converged, singular : bool
        Optimiser convergence; lme4's ``isSingular`` (a diagonal element of the relative
        covariance factor below 1e-4).
    n_obs, n_groups, n_dropped : int
        Observations used, groups, rows dropped for a missing model variable.
    y, X, Z, groups, group_labels, fixed_names, random_names, response, data
        The design's (see :class:`~youthtransitions.models.formula.Design`).
    theta : ndarray
        Lower triangle (column-major, as lme4) of the relative covariance factor Lambda,
        ``Sigma_b = sigma^2 Lambda Lambda'``.
    df_method : str
        How ``df`` was computed ("Satterthwaite" or a note when it could not be).
    optimizer : dict
        Optimiser details.
    """

    design: Design
    engine_fit: EngineFit
    formula: str
    group: str
    random: str
    method: str
    engine: str
    ci_level: float = 0.95
    ddf: str = "satterthwaite"
    title = "Linear mixed model"

    # -- the design ----------------------------------------------------------------------
    y = property(lambda self: self.design.y, doc="Response.")
    X = property(lambda self: self.design.X, doc="Fixed-effects design.")
    Z = property(lambda self: self.design.Z, doc="Random-effects design.")
    groups = property(lambda self: self.design.groups, doc="Group codes.")
    group_labels = property(lambda self: self.design.group_labels, doc="Group identifiers.")
    response = property(lambda self: self.design.response, doc="Name of the response.")
    data = property(lambda self: self.design.data, doc="The model frame (rows used).")

    @property
    def fixed_names(self) -> list[str]:
        """Names of the fixed effects (columns of X)."""
        return list(self.design.fixed_names)

    @property
    def random_names(self) -> list[str]:
        """Names of the random effects (columns of Z)."""
        return list(self.design.random_names)

    @property
    def n_obs(self) -> int:
        """Observations used."""
        return int(len(self.design.y))

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(len(self.design.group_labels))

    @property
    def n_dropped(self) -> int:
        """Rows dropped for a missing model variable."""
        return int(self.design.n_dropped)

    # -- the fit -------------------------------------------------------------------------
    @cached_property
    def _names(self) -> pd.Index:
        return pd.Index(self.design.fixed_names)  # built once: pandas re-validates str lists

    @cached_property
    def _wald(self) -> pd.DataFrame:
        """The coefficient table at :attr:`ci_level`."""
        return self.to_frame(self.ci_level, _cached=False)

    def _series(self, column: str, name: str | None = None) -> pd.Series:
        return pd.Series(self._wald[column].to_numpy(), index=self._names,
                         name=name or column)

    @cached_property
    def params(self) -> pd.Series:
        """Fixed effects."""
        return pd.Series(np.asarray(self.engine_fit.beta, float), index=self._names,
                         name="estimate")

    @cached_property
    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of the fixed effects."""
        return pd.DataFrame(np.asarray(self.engine_fit.vcov, float), index=self._names,
                            columns=self._names)

    @cached_property
    def _kenward_roger(self) -> pd.DataFrame:
        from .inference.kenward_roger import kenward_roger_table

        return kenward_roger_table(self).set_index("term")

    @cached_property
    def std_errors(self) -> pd.Series:
        """Standard errors of the fixed effects (Kenward-Roger adjusted when ``ddf`` is
        ``"kenward-roger"``; :attr:`cov_params` stays unadjusted, as lme4's ``vcov``)."""
        if self.ddf == "kenward-roger":
            values = self._kenward_roger["std_error"].to_numpy()
        else:
            values = np.sqrt(np.diag(self.cov_params.to_numpy()))
        return pd.Series(values, index=self._names, name="std_error")

    @cached_property
    def df(self) -> pd.Series:
        """Denominator degrees of freedom of each fixed effect."""
        values = (self._kenward_roger["df"].to_numpy() if self.ddf == "kenward-roger"
                  else np.asarray(self.engine_fit.df, float))
        return pd.Series(values, index=self._names, name="df")

    @cached_property
    def tvalues(self) -> pd.Series:
        """t statistics."""
        return self._series("statistic")

    @cached_property
    def pvalues(self) -> pd.Series:
        """Two-sided p values from t(df)."""
        return self._series("p_value")

    @property
    def residual_variance(self) -> float:
        """``sigma^2``."""
        return float(self.engine_fit.sigma2)

    @cached_property
    def random_cov(self) -> pd.DataFrame:
        """Random-effects covariance ``Sigma_b``."""
        names = pd.Index(self.design.random_names)
        return pd.DataFrame(np.asarray(self.engine_fit.random_cov, float), index=names,
                            columns=names)

    @property
    def theta(self) -> np.ndarray:
        """Lower triangle (column-major) of the relative covariance factor."""
        return np.asarray(self.engine_fit.theta, float)

    @property
    def loglik(self) -> float:
        """Log-likelihood (REML criterion's for a REML fit)."""
        return float(self.engine_fit.loglik)

    @property
    def n_params(self) -> int:
        """``p + q(q+1)/2 + 1``."""
        q, p = len(self.design.random_names), len(self.design.fixed_names)
        return p + q * (q + 1) // 2 + 1

    @property
    def df_resid(self) -> int:
        """``n_obs - n_params``, lme4's ``df.residual`` (the complete-data df mice pools with)."""
        return self.n_obs - self.n_params

    @property
    def aic(self) -> float:
        """``-2 loglik + 2 n_params``."""
        return -2 * self.loglik + 2 * self.n_params

    @property
    def bic(self) -> float:
        """``-2 loglik + log(n_obs) n_params``."""
        return -2 * self.loglik + np.log(self.n_obs) * self.n_params

    @property
    def converged(self) -> bool:
        """Optimiser convergence."""
        return bool(self.engine_fit.converged)

    @property
    def singular(self) -> bool:
        """lme4's ``isSingular``."""
        return bool(self.engine_fit.singular)

    @property
    def df_method(self) -> str:
        """How ``df`` was computed."""
        return "Kenward-Roger" if self.ddf == "kenward-roger" else self.engine_fit.df_method

    @property
    def optimizer(self) -> dict:
        """Optimiser details (a copy)."""
        return dict(self.engine_fit.optimizer or {})

    # -- derived views -------------------------------------------------------------------
    # -- inference (youthtransitions.models.inference) -------------------------------------
    # anova, random_effects and conf_int return tables whose to_frame() is the DataFrame
    # documented there and which answer result["col"], .loc, .index like that frame.
    def conf_int(self, level: float | None = None, method: str = "wald", **options: Any):
        """Confidence intervals indexed by parameter (``conf_low``, ``conf_high``).

        ``method="wald"`` gives the fixed effects, ``estimate -/+ t_{df}(1/2 + level/2) * SE``
        (as :meth:`to_frame`); ``"profile"`` or ``"bootstrap"`` add the variance parameters
        (``sd__(Intercept)``, ...). ``level=None`` uses :attr:`ci_level`. Returns a
        :class:`~youthtransitions.models.inference.tables.ConfIntTable`; see
        :func:`youthtransitions.models.inference.conf_int`.
        """
        from .inference import conf_int

        return conf_int(self, level, method, **options)

    def anova(self, ddf: str = "satterthwaite"):
        """Type III F tests per term, an ``AnovaTable``
        (:func:`~youthtransitions.models.inference.anova`)."""
        from .inference import anova

        return anova(self, ddf)

    def random_effects(self):
        """Conditional modes and SDs, a ``RandomEffectsTable``
        (:func:`~youthtransitions.models.inference.random_effects`)."""
        from .inference import random_effects

        return random_effects(self)

    def predict(self, data: pd.DataFrame | None = None, *, random: bool = True) -> np.ndarray:
        """Predictions (:func:`~youthtransitions.models.inference.predict`)."""
        from .inference import predict

        return predict(self, data, random=random)

    def fitted(self) -> np.ndarray:
        """``X beta + Z b`` (:func:`~youthtransitions.models.inference.fitted`)."""
        from .inference import fitted

        return fitted(self)

    def residuals(self, kind: str = "response") -> np.ndarray:
        """Residuals (:func:`~youthtransitions.models.inference.residuals`)."""
        from .inference import residuals

        return residuals(self, kind)

    def icc(self) -> dict[str, float]:
        """Adjusted and unadjusted ICC (:func:`~youthtransitions.models.inference.icc`)."""
        from .inference import icc

        return icc(self)

    def to_frame(self, level: float | None = None, *, _cached: bool = True) -> pd.DataFrame:
        """Fixed effects as a coefficient table (``COEF_COLUMNS``), intervals at ``level``
        (default :attr:`ci_level`)."""
        if _cached and (level is None or level == self.ci_level):
            return self._wald.copy()
        return coef_table(self.design.fixed_names, self.engine_fit.beta,
                          self.std_errors.to_numpy(), self.df.to_numpy(),
                          level=self.ci_level if level is None else level)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`disclosure`'s frame: estimates, and Satterthwaite ``df`` published
        as the same offset from the published numbers of observations and groups as from the
        exact ones (the counts by the level of each term: groups for between-youth terms,
        observations beyond one per youth for within-youth terms)."""
        return TableSpec({**coef_columns(df_kind(*DF_BASES)), **df_base_columns()}, totals="none")

    def disclosure(self) -> Disclosable:
        """The coefficient table with the model sizes and each row's df bases (helper columns,
        dropped by :meth:`Disclosable.publish`)."""
        from .r2 import classify_predictors

        levels = classify_predictors(self.X, self.groups, self.fixed_names)
        frame = self.to_frame()
        helper = with_df_bases(frame, [levels[t] for t in frame["term"]], n_obs=self.n_obs,
                               n_groups=self.n_groups)
        return disclosable(helper, self.disclosure_spec, columns=frame.columns)

    def to_json(self, level: float | None = None) -> dict[str, Any]:
        """The model as JSON-ready values: specification, fit statistics, ``fixed`` (the
        records of :meth:`to_frame`), ``random`` (terms and covariance), residual variance
        and ``r2`` (:meth:`R2Result.to_json`)."""
        level = self.ci_level if level is None else level
        return to_jsonable({
            "engine": self.engine, "method": self.method, "formula": self.formula,
            "group": self.group, "random_formula": self.random, "n_obs": self.n_obs,
            "n_groups": self.n_groups, "n_dropped": self.n_dropped,
            "converged": self.converged, "singular": self.singular, "loglik": self.loglik,
            "aic": self.aic, "bic": self.bic, "level": level,
            "fixed": frame_to_records(self.to_frame(level)),
            "random": {"terms": self.random_names,
                       "cov": self.random_cov.to_numpy().tolist()},
            "residual_variance": self.residual_variance, "r2": self.r2().to_json()})

    def random_frame(self) -> pd.DataFrame:
        """Variance components as a table: group, term1, term2, variance/covariance, sd/corr."""
        rows = []
        cov = self.random_cov.to_numpy()
        sd, corr = _sd_corr(cov)
        names = self.random_names
        for j, a in enumerate(names):
            rows.append((self.group, a, "", cov[j, j], sd[j]))
        for j, a in enumerate(names):
            for k in range(j + 1, len(names)):
                rows.append((self.group, a, names[k], cov[j, k], corr[j, k]))
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
        names = self.random_names
        for j, a in enumerate(names):
            head.append((f"Var({a})", float(cov[j, j])))
        _, corr = _sd_corr(cov)
        for j, a in enumerate(names):
            for k in range(j + 1, len(names)):
                head.append((f"Corr({a}, {names[k]})", float(corr[j, k])))
        head += [("Converged", self.converged), ("Singular", self.singular),
                 ("df", self.df_method)]
        if self.ci_level != 0.95:
            head.append(("Confidence level", self.ci_level))
        return head

    def r2(self):
        """Nakagawa and Rights & Sterba R² measures (see :mod:`youthtransitions.models.r2`)."""
        from .r2 import r2 as _r2

        return _r2(self)


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


Method = Literal["reml", "ml"]
Engine = Literal["fast", "statsmodels"]
Ddf = Literal["satterthwaite", "kenward-roger"]


def check_method(method: Any) -> bool:
    """``method`` ("reml" or "ml", any case) checked; True for REML."""
    return check_choice("method", method.lower() if isinstance(method, str) else method,
                        Method) == "reml"


def _random_terms_usage(formula: str, what: str) -> UsageError:
    from .random_terms import SUPPORTED_FORMS

    return UsageError(f"{what} in fit_lmm({formula!r}, ...). Write the random part either "
                      "as lme4 terms in the formula (supported: "
                      f"{', '.join(SUPPORTED_FORMS)}), or as group= and random= with a "
                      "fixed-only formula, not both")


def _fit_terms(formula: str, data: pd.DataFrame, *, method: str, engine: str,
               ci_level: float, ddf: str):
    """A formula with lme4 random terms: one plain term to the dense engine, else sparse."""
    from .crossed import fit_lmm_terms
    from .random_terms import parse_random_terms, refuse_glm_parts

    parsed = parse_random_terms(formula)
    refuse_glm_parts(parsed, "fit_lmm")
    terms = parsed.random
    if len(terms) == 1 and len(terms[0].factors) == 1 and terms[0].correlated:
        # one grouping factor: the dense engine fits the same model faster
        return fit_lmm(parsed.fixed, data, group=terms[0].group, random=terms[0].expr,
                       method=method, engine=engine, ci_level=ci_level, ddf=ddf)
    if engine != "fast" or ddf != "satterthwaite":
        raise _random_terms_usage(
            formula, f"engine={engine!r} and ddf={ddf!r} take one grouping factor; several "
                     "random terms are fitted by the sparse engine with Satterthwaite df "
                     "(engine='fast', ddf='satterthwaite')")
    return fit_lmm_terms(formula, data, method=method, ci_level=ci_level)


def fit_lmm(formula: str, data: pd.DataFrame, *, group: str | None = None,
            random: str | None = None, method: Method = "reml", engine: Engine = "fast",
            ci_level: float = 0.95, ddf: Ddf = "satterthwaite") -> LMMResult:
    """Fit a linear mixed model by REML or ML.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"`` in formulaic syntax (``C(x)``, ``x:z``, ``np.log(x)``,
        ``I(x**2)``): the fixed part with ``group=``/``random=``, or with lme4 random terms
        (``"y ~ x + (1 + wave | youth_id) + (1 | worker_id)"``, the forms of
        :data:`~youthtransitions.models.random_terms.SUPPORTED_FORMS`).
    data : DataFrame
        Long format, one row per observation.
    group : str, optional
        Column identifying the groups (e.g. ``"youth_id"``); needed unless the formula has
        random terms.
    random : str, optional (default "1")
        Right-hand side of the random part, as inside lme4's ``( | group)``: ``"1"``
        (intercept), ``"1 + wave"`` or ``"wave"`` (intercept and slope, unstructured
        covariance), ``"0 + wave"`` (slope only). Any number of terms.
    method : {"reml", "ml"}
    engine : {"fast", "statsmodels"}
        The profiled-deviance engine of this package, or statsmodels MixedLM.
    ci_level : float, default 0.95
        Level of the result's intervals when no other is asked for
        (:attr:`LMMResult.ci_level`).
    ddf : {"satterthwaite", "kenward-roger"}
        Denominator df (and, for Kenward-Roger, adjusted standard errors) of the coefficient
        table, as lmerTest's ``summary(m, ddf = ...)``; Kenward-Roger needs REML.

    Returns
    -------
    LMMResult
        Or, for random terms beyond a single ``(expr | g)``,
        :class:`~youthtransitions.models.crossed.TermsLMMResult` (from
        :func:`~youthtransitions.models.crossed.fit_lmm_terms`).

    Raises
    ------
    UsageError
        Bad formula, unknown column, non-numeric response, bad option, ``group=`` or
        ``random=`` given with random terms in the formula (the message lists the supported
        forms), several random terms with ``engine="statsmodels"`` or Kenward-Roger df, a
        model lme4 also refuses (fewer than 2 groups, as many groups or random effects as observations), a
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
    Random terms in the formula: a single correlated term ``(expr | g)`` on one factor is
    fitted here as ``group=g, random=expr`` (the same model; the dense engine is faster);
    anything else (several terms, ``||``, ``a:b``, ``a/b``) by
    :func:`~youthtransitions.models.crossed.fit_lmm_terms`.
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
    from .random_terms import has_random_terms

    reml = check_method(method)
    check_choice("engine", engine, Engine)
    check_choice("ddf", ddf, Ddf)
    if has_random_terms(formula):
        if group is not None or random is not None:
            given = ", ".join(f"{k}={v!r}" for k, v in (("group", group), ("random", random))
                              if v is not None)
            raise _random_terms_usage(formula, f"{given} is given alongside random terms")
        return _fit_terms(formula, data, method=method, engine=engine, ci_level=ci_level,
                          ddf=ddf)
    if group is None:
        raise _random_terms_usage(formula, "no random part is given (group= is missing and "
                                           "the formula has no random term)")
    random = "1" if random is None else random
    if ddf == "kenward-roger" and not reml:
        raise UsageError("ddf='kenward-roger' needs a REML fit (method='reml'), as pbkrtest")
    ci_level = check_level(ci_level, "ci_level")
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
    if not fit.converged:
        warnings.warn(
            f"the mixed model {formula!r} with random ({random} | {group}) did not converge "
            f"({fit.message or 'optimiser stopped'}); " + CONVERGENCE_ADVICE[engine],
            ConvergenceWarning, stacklevel=2)
    return LMMResult(design=design, engine_fit=fit, formula=formula, group=group,
                     random=random, method="REML" if reml else "ML", engine=engine,
                     ci_level=ci_level, ddf=ddf)
