"""The fitted generalised linear mixed model: estimates, variance components, predictions.

Everything here is read off the optimum found by :mod:`.laplace` (and the PIRLS state there);
the coefficient table goes through :func:`youthtransitions._coef.coef_table` with normal
(z) reference distributions, as ``summary(glmer)`` reports.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..._coef import coef_table
from ..._options import check_choice
from ..._tidy import TidyResult
from ...errors import UsageError
from ..random_terms import group_key, unique_group_names
from .design import GLMMDesign
from .families import Family
from .pirls import tri

__all__ = ["GLMMResult", "Scale"]

Scale = Literal["link", "response"]


def theta_names(design: GLMMDesign) -> list[str]:
    """lme4's names of ``theta``: ``g.x`` on the diagonal, ``g.row.col`` below it."""
    out = []
    for t in design.terms:
        for j in range(t.p):
            for i in range(j, t.p):
                out.append(f"{t.group}.{t.names[i]}" if i == j
                           else f"{t.group}.{t.names[i]}.{t.names[j]}")
    return out


class GLMMResult(TidyResult):
    """A fitted GLMM (``yt.fit_glmm``).

    Attributes
    ----------
    params, std_errors : Series
        Fixed effects and their standard errors from the finite-difference Hessian of the
        deviance in :math:`(\\theta, \\beta)` (``summary(glmer)``'s default).
    std_errors_rx : Series
        Standard errors from the PIRLS factor at the optimum (``vcov(use.hessian = FALSE)``).
    cov_params : DataFrame
        Covariance matrix of the fixed effects (Hessian-based).
    theta : Series
        Relative covariance factors, named as lme4 names them.
    loglik : float
        lme4's ``logLik``: the full log-likelihood for ``nagq = 1``, relative to the
        saturated model for ``nagq > 1`` (lme4 computes it from deviance residuals there).
    loglik_full : float
        The full log-likelihood whatever ``nagq`` (normalising constants included).
    aic, bic : float
        From ``loglik`` and ``n_params`` as R's ``AIC``/``BIC``.
    n_obs, n_params : int
    n_groups : dict
        Levels of each grouping factor.
    converged, singular : bool
        ``singular`` as lme4's ``isSingular`` (a diagonal element of a factor below 1e-4).
    formula, data, family, link, nagq
        The specification, so that the model can be refitted.
    """

    title = "Generalised linear mixed model"
    method = "ML"

    def __init__(self, *, formula: str, data: pd.DataFrame, family: Family, nagq: int,
                 design: GLMMDesign, x: np.ndarray, deviance: float, hessian: np.ndarray,
                 state: Any, pls: Any, converged: bool, saturated: float,
                 weights=None, offset=None):
        self.formula, self.data, self.nagq = formula, data, nagq
        self.family_obj = family
        self.family, self.link = family.name, family.link
        self.design = design
        self._weights_arg, self._offset_arg = weights, offset
        nt = sum(t.p * (t.p + 1) // 2 for t in design.terms)
        self._x = np.asarray(x, dtype=float)
        self._state, self._pls, self.hessian = state, pls, hessian
        theta, beta = self._x[:nt], self._x[nt:]
        names = design.fixed_names
        self.theta = pd.Series(theta, index=theta_names(design), name="theta")
        self.params = pd.Series(beta, index=names, name="estimate")
        with np.errstate(all="ignore"):
            try:
                h = np.linalg.inv(hessian)[nt:, nt:]
                V = h + h.T
            except np.linalg.LinAlgError:
                V = np.full((beta.size, beta.size), np.nan)
        self.cov_params = pd.DataFrame(V, index=names, columns=names)
        self.std_errors = pd.Series(np.sqrt(np.diag(V)), index=names, name="std_error")
        self.std_errors_rx = pd.Series(np.sqrt(np.diag(self._rx_cov())), index=names,
                                       name="std_error_rx")
        self.loglik_full = -deviance / 2
        self.loglik = self.loglik_full - (saturated if nagq > 1 else 0.0)
        self.n_obs = int(design.y.size)
        self.n_params = int(self._x.size)
        self.aic = -2 * self.loglik + 2 * self.n_params
        self.bic = -2 * self.loglik + np.log(self.n_obs) * self.n_params
        self.n_groups = {t.group: t.n_levels for t in design.terms}
        diag = np.concatenate([np.diag(tri(theta, s, p)) for s, p, _ in _layout(design)])
        self.singular = bool(np.any(diag < 1e-4))
        self.converged = bool(converged)
        self.deviance = -2 * self.loglik

    # -- estimates ------------------------------------------------------------------------
    def _rx_cov(self) -> np.ndarray:
        X, w, fac = self.design.X, self._state.w, self._state.factor
        Xw = X * w[:, None]
        B = self._pls.zlam_t(Xw)
        M = X.T @ Xw - B.T @ fac.solve(B)
        return np.linalg.inv(M)

    def _covariances(self) -> list[np.ndarray]:
        theta = self.theta.to_numpy()
        out = []
        for s, p, _ in _layout(self.design):
            T = tri(theta, s, p)
            out.append(T @ T.T)
        return out

    def varcorr(self) -> pd.DataFrame:
        """The variance components as R's ``as.data.frame(VarCorr(m))``.

        Columns ``group, var1, var2, vcov, sdcor``: one row per variance (``var2`` missing,
        ``sdcor`` the standard deviation), then one per covariance (``sdcor`` the
        correlation). GLMMs of these families have no residual row. Terms sharing a grouping
        factor (``(1 + x || g)``) are named as R's ``make.unique`` (``g``, ``g.1``).
        """
        rows = []
        groups = unique_group_names([t.group for t in self.design.terms])
        for g, t, S in zip(groups, self.design.terms, self._covariances(), strict=True):
            sd = np.sqrt(np.diag(S))
            for i in range(t.p):
                rows.append((g, t.names[i], None, S[i, i], sd[i]))
            for i in range(t.p):
                for j in range(i + 1, t.p):
                    corr = S[i, j] / (sd[i] * sd[j]) if sd[i] * sd[j] > 0 else np.nan
                    rows.append((g, t.names[i], t.names[j], S[i, j], corr))
        return pd.DataFrame(rows, columns=["group", "var1", "var2", "vcov", "sdcor"])

    def random_effects(self) -> pd.DataFrame:
        """Conditional modes of the random effects with their conditional standard errors.

        Columns ``group, level, term, estimate, std_error`` (broom.mixed's ``ranef`` tidy);
        terms sharing a grouping factor share its name, as ``ranef`` merges them.

        Notes
        -----
        :math:`\\tilde b = \\Lambda\\tilde u`; the conditional variance of a level's block is
        :math:`T_k (A^{-1})_{ll} T_k'` with :math:`A = \\Lambda'Z'WZ\\Lambda + I` (lme4's
        ``condVar``, the scale parameter being 1).
        """
        blocks = self._state.factor.inverse_diag_blocks(_layout(self.design))
        frames = []
        theta = self.theta.to_numpy()
        for t, (s, p, _), inv, b in zip(self.design.terms, _layout(self.design), blocks,
                                        self._modes(), strict=True):
            T = tri(theta, s, p)
            cv = np.einsum("ij,gjk,lk->gil", T, inv, T)
            se = np.sqrt(np.clip(np.diagonal(cv, axis1=1, axis2=2), 0, None))
            for c in range(p):
                frames.append(pd.DataFrame({"group": t.group, "level": t.labels,
                                            "term": t.names[c], "estimate": b[:, c],
                                            "std_error": se[:, c]}))
        return pd.concat(frames, ignore_index=True)

    def _modes(self) -> list[np.ndarray]:
        """Each term's conditional modes :math:`\\tilde b = \\Lambda\\tilde u`, levels x columns."""
        u, theta = self._state.u, self.theta.to_numpy()
        out, offset = [], 0
        for s, p, G in _layout(self.design):
            out.append(u[offset:offset + G * p].reshape(G, p) @ tri(theta, s, p).T)
            offset += G * p
        return out

    # -- predictions ----------------------------------------------------------------------
    def predict(self, data: pd.DataFrame | None = None, *, scale: Scale = "link",
                random: bool = True) -> np.ndarray:
        """Predictions on the link or response scale, offsets included.

        Parameters
        ----------
        data : DataFrame, optional
            New rows (default: the rows the model was fitted to). Levels of a grouping factor
            not seen in the fit get a random effect of 0 (lme4's ``allow.new.levels``).
        scale : {"link", "response"}
        random : bool, default True
            Include the random effects (``re.form = NULL``); False gives the population-level
            prediction (``re.form = NA``).
        """
        check_choice("scale", scale, Scale)
        d = self.design
        if data is None:
            eta = d.offset + d.X @ self.params.to_numpy()
            if random:
                eta = eta + self._pls.zlam(self._state.u)
        else:
            eta = self._new_eta(data, random)
        return eta if scale == "link" else self.family_obj.linkinv(eta)

    def _new_eta(self, data: pd.DataFrame, random: bool) -> np.ndarray:
        d = self.design
        if not isinstance(data, pd.DataFrame):
            raise UsageError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if d.extra_offset is not None and not isinstance(d.extra_offset, str):
            raise UsageError("predict(data=...) needs the offset as a column name; the model "
                             "was fitted with offset given as an array")
        try:
            X = np.asarray(d.fixed_spec.get_model_matrix(data), dtype=float)
        except Exception as exc:
            raise UsageError(f"cannot build the fixed-effects matrix for the new data: "
                             f"{exc}") from None
        eta = X @ self.params.to_numpy()
        for expr in d.parsed.offsets:
            eta = eta + np.asarray(data.eval(expr, engine="python"), dtype=float)
        if isinstance(d.extra_offset, str):
            eta = eta + data[d.extra_offset].to_numpy(dtype=float)
        if random:
            for t, b in zip(d.terms, self._modes(), strict=True):
                Z = np.asarray(t.spec.get_model_matrix(data), dtype=float).reshape(len(data), -1)
                index = {lab: i for i, lab in enumerate(t.labels)}
                codes = np.array([index.get(v, -1) for v in group_key(t.term, data)])
                known = codes >= 0
                eta[known] += np.einsum("ij,ij->i", Z[known], b[codes[known]])
        return eta

    # -- table and refits ------------------------------------------------------------------
    @property
    def disclosure_spec(self):
        """Kinds of :meth:`to_frame`: Wald z tests, so ``df`` is empty (normal reference) and
        rests on no count; statistics and p-values to three significant digits."""
        from ..._disclosure import TableSpec, coef_columns, estimate

        return TableSpec(coef_columns(estimate()), totals="none")

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficient table (``term, estimate, std_error, df, statistic, p_value,
        conf_low, conf_high``) with Wald z tests, as ``summary(glmer)``."""
        return coef_table(list(self.params.index), self.params.to_numpy(),
                          self.std_errors.to_numpy(), df=None, level=level)

    def _summary_header(self) -> list[tuple[str, Any]]:
        groups = ", ".join(f"{g} ({n})" for g, n in self.n_groups.items())
        return [("Formula", self.formula), ("Family", f"{self.family} ({self.link})"),
                ("Quadrature points", self.nagq), ("Observations", self.n_obs),
                ("Groups", groups), ("Log-likelihood", self.loglik), ("AIC", self.aic),
                ("BIC", self.bic), ("Converged", str(self.converged)),
                ("Singular", str(self.singular))]

    def r2(self, *, B: int = 0, seed: int | None = None, workers: int = 1,
           level: float = 0.95, scheduler: Any = None):
        """Nakagawa's marginal and conditional R², with cluster-bootstrap limits when ``B > 0``.

        See :mod:`youthtransitions.models.glmm.r2` for the formulas (performance 0.10.2's).
        """
        from .r2 import bootstrap_glmm_r2, nakagawa

        if B == 0:
            return nakagawa(self)
        return bootstrap_glmm_r2(self, B, seed=seed, workers=workers, level=level,
                                 scheduler=scheduler)

    def refit(self, method: str = "ml") -> GLMMResult:
        """The model fitted by maximum likelihood: GLMMs have no REML, so this is ``self``."""
        check_choice("method", str(method).lower(), ("ml",))
        return self


def _layout(design: GLMMDesign) -> list[tuple[int, int, int]]:
    out, start = [], 0
    for t in design.terms:
        out.append((start, t.p, t.n_levels))
        start += t.p * (t.p + 1) // 2
    return out
