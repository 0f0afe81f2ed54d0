"""Profile-likelihood confidence intervals, as lme4's ``confint(profile(m))``.

Notes
-----
Bates, Mächler, Bolker & Walker (2015), *J. Stat. Softw.* 67(1), section 5.1 and lme4 1.1's
``profile.merMod``. The parameters are the random-effect standard deviations and
correlations, the residual standard deviation (in lme4's order, named as broom.mixed:
``sd__(Intercept)``, ``cor__(Intercept).wave``, ``sd__wave``, ``sd__Observation``) and the
fixed effects. For each parameter ``psi`` the ML deviance is minimised over all the others
with ``psi`` held fixed, ``d(psi)``; the signed root ``zeta(psi) = sign(psi - psi_hat)
sqrt(d(psi) - d_min)`` is asymptotically standard normal, and the interval at level ``1 -
alpha`` is ``{psi : |zeta(psi)| <= z_{1 - alpha/2}}``. As in lme4 the ML deviance is profiled
also for a REML fit (the limits then do not depend on the fitting criterion). The limits are
found here by root finding on ``d(psi) - d_min = z^2`` (lme4 interpolates a spline through
the profile); a limit the profile does not reach before the parameter's boundary (a standard
deviation of 0, a correlation of +-1) is that boundary. With ``beta_j`` held fixed the other
fixed effects and the variance parameters are those of the ML fit of ``y - x_j beta_j`` on
the other columns. Checked against lme4 1.1-31 (tests/reference/lme4_profile/) to 1e-3
relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from ...errors import UsageError

__all__ = ["profile_conf_int", "variance_parameter_names", "variance_parameters"]

_Z_LIMIT = 1e-12


def variance_parameter_names(fit) -> list[str]:
    """broom.mixed names of the variance parameters, in lme4's order."""
    names = list(fit.random_names)
    q = len(names)
    out = []
    for c in range(q):
        for r in range(c, q):
            out.append(f"sd__{names[c]}" if r == c else f"cor__{names[c]}.{names[r]}")
    return out + ["sd__Observation"]


def variance_parameters(fit) -> np.ndarray:
    """Standard deviations and correlations (lme4's order), then the residual SD."""
    cov = fit.random_cov.to_numpy()
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    q = len(sd)
    out = []
    for c in range(q):
        for r in range(c, q):
            if r == c:
                out.append(sd[c])
            else:
                out.append(cov[r, c] / (sd[r] * sd[c]) if sd[r] * sd[c] > 0 else 0.0)
    return np.array(out + [np.sqrt(fit.residual_variance)])


class _VarparDeviance:
    """ML deviance (profiled over beta) in ``v = (sds, correlations, sigma)``, with its
    gradient by the chain rule through ``(theta, sigma)``."""

    def __init__(self, fit):
        from ..engine import ProfiledDeviance, sufficient_statistics

        ss = sufficient_statistics(fit.y, fit.X, fit.Z, fit.groups, int(fit.n_groups))
        self.dev = ProfiledDeviance(ss, reml=False)
        self.q = len(fit.random_names)
        self.pos = [(r, c) for c in range(self.q) for r in range(c, self.q)]

    def varpar(self, v: np.ndarray) -> np.ndarray | None:
        """``(theta, sigma)`` of ``v``; None outside the parameter space."""
        q = self.q
        D = np.zeros(q)
        R = np.eye(q)
        for val, (r, c) in zip(v[:-1], self.pos, strict=True):
            if r == c:
                D[r] = val
            else:
                R[r, c] = R[c, r] = val
        sigma = v[-1]
        if not sigma > 0 or np.any(D < 0):
            return None
        try:
            C = np.linalg.cholesky(R)
        except np.linalg.LinAlgError:
            return None
        lam = (D[:, None] * C) / sigma
        return np.append([lam[r, c] for r, c in self.pos], sigma)

    def value_and_grad(self, v: np.ndarray) -> tuple[float, np.ndarray]:
        vp = self.varpar(v)
        if vp is None:
            return np.inf, np.zeros(len(v))
        try:
            value = self.dev.varpar_deviance(vp)
            g_vp = self.dev.varpar_grad(vp)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros(len(v))
        # d varpar / d v by central differences of the (cheap) map v -> varpar
        J = np.empty((len(vp), len(v)))
        for k in range(len(v)):
            h = 1e-7 * max(abs(v[k]), 1e-3)
            up, down = v.copy(), v.copy()
            up[k] += h
            down[k] -= h
            a, b = self.varpar(up), self.varpar(down)
            if a is None:
                a, up = vp, v
            if b is None:
                b, down = vp, v
            J[:, k] = (a - b) / (up[k] - down[k])
        return value, J.T @ g_vp


def _minimise(f, x0, bounds):
    res = optimize.minimize(f, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                            options=dict(maxiter=5000, ftol=1e-13, gtol=1e-8))
    return float(res.fun), res.x


class _Profiler:
    def __init__(self, fit):
        from .lrt import refit_ml

        self.ml = refit_ml(fit)
        self.vdev = _VarparDeviance(self.ml)
        self.v_hat = variance_parameters(self.ml)
        self.d_min = -2 * self.ml.loglik
        self.start: dict[int, np.ndarray] = {}

    def variance(self, k: int, value: float) -> float:
        """Deviance minimised over the other variance parameters with ``v_k = value``.

        The optimiser works on ``v / v_hat`` for the standard deviations and on ``log
        sigma``, so that every coordinate is of order one and sigma stays positive.
        """
        v_hat = self.v_hat
        n = len(v_hat)
        free = np.arange(n) != k
        is_sd = np.array([r == c for r, c in self.vdev.pos] + [False])
        scale = np.where(is_sd & (v_hat > 0), v_hat, 1.0)

        def to_v(x):
            v = np.empty(n)
            v[free] = x
            v[:-1] *= scale[:-1]
            v[-1] = np.exp(min(v[-1], 700.0))  # the line search may try far out
            v[k] = value
            return v

        def from_v(v):
            x = v / np.append(scale[:-1], 1.0)
            x[-1] = np.log(v[-1])
            return x[free]

        def f(x):
            v = to_v(x)
            val, grad = self.vdev.value_and_grad(v)
            grad = grad * np.append(scale[:-1], v[-1])
            return val, grad[free]

        bounds = [((0.0, None) if is_sd[i] else (None, None)) if i < n - 1 else (None, None)
                  for i in range(n)]
        for i, (r, c) in enumerate(self.vdev.pos):
            if r != c:
                bounds[i] = (-1 + 1e-8, 1 - 1e-8)
        bounds = [b for b, f_ in zip(bounds, free, strict=True) if f_]
        start = self.start.get(k, v_hat)
        best, x = _minimise(f, from_v(start), bounds)
        self.start[k] = to_v(x)
        return best

    def fixed(self, j: int, value: float) -> float:
        from ..engine import ProfiledDeviance, sufficient_statistics
        from ..engine.optimize import minimise_deviance

        ml = self.ml
        keep = np.arange(ml.X.shape[1]) != j
        y = ml.y - ml.X[:, j] * value
        ss = sufficient_statistics(y, ml.X[:, keep], ml.Z, ml.groups, int(ml.n_groups))
        dev = ProfiledDeviance(ss, reml=False)
        out = minimise_deviance(dev, start=np.asarray(ml.theta, float), polish=False)
        return float(out["deviance"])


def _root(g, inner: float, outer: float, scale: float) -> float:
    """The crossing of ``g`` between ``inner`` (below the cut-off) and ``outer`` (above).

    When ``g`` is not below the cut-off at ``inner`` the restricted refits have not found
    the profile's minimum there (a flat or multimodal profile); the limit is then not
    determined, which is said rather than guessed.
    """
    lo, hi = min(inner, outer), max(inner, outer)
    try:
        return optimize.brentq(g, lo, hi, xtol=1e-9 * scale, rtol=1e-9)
    except ValueError:
        raise UsageError("the likelihood profile of this parameter does not cross its "
                         "cut-off once between the estimate and the limit searched (a flat or "
                         "irregular profile); use conf_int(method='wald') or "
                         "method='bootstrap'") from None


def _limit(g, hat: float, step: float, lower_bound: float, upper_bound: float,
           direction: int) -> float:
    """The point beyond ``hat`` where ``g`` (<0 at hat) crosses 0, or the boundary."""
    bound = upper_bound if direction > 0 else lower_bound
    scale = max(abs(hat), step)
    inner = hat
    for _ in range(60):
        outer = hat + direction * step
        if np.isfinite(bound) and direction * (outer - bound) >= 0:
            outer = bound - direction * 1e-10 * max(1.0, abs(bound))
            if g(outer) <= 0:
                return bound
            return _root(g, inner, outer, scale)
        if g(outer) > 0:
            return _root(g, inner, outer, scale)
        inner = outer
        step *= 2
    raise UsageError("the likelihood profile did not reach the confidence limit")


def profile_conf_int(fit, level: float = 0.95) -> pd.DataFrame:
    """Profile intervals of the variance parameters and fixed effects.

    Returns
    -------
    DataFrame
        Indexed by parameter (variance parameters first, then the fixed effects), columns
        ``conf_low, conf_high``.
    """
    if not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, got {level!r}")
    z2 = special.ndtri(0.5 + level / 2) ** 2
    pr = _Profiler(fit)
    rows = []
    v_hat = pr.v_hat
    for k, name in enumerate(variance_parameter_names(fit)):
        is_cor = name.startswith("cor__")
        lo_b, hi_b = (-1.0, 1.0) if is_cor else (0.0, np.inf)
        step = 0.25 * (1 - abs(v_hat[k])) if is_cor else 0.25 * max(v_hat[k], 1e-3)

        def g(x, k=k):
            return pr.variance(k, x) - pr.d_min - z2

        rows.append((name, _limit(g, v_hat[k], step, lo_b, hi_b, -1),
                     _limit(g, v_hat[k], step, lo_b, hi_b, +1)))
    beta = pr.ml.params.to_numpy()
    se = pr.ml.std_errors.to_numpy()
    for j, name in enumerate(pr.ml.fixed_names):
        def g(x, j=j):
            return pr.fixed(j, x) - pr.d_min - z2

        rows.append((name, _limit(g, beta[j], se[j], -np.inf, np.inf, -1),
                     _limit(g, beta[j], se[j], -np.inf, np.inf, +1)))
    return pd.DataFrame([r[1:] for r in rows], columns=["conf_low", "conf_high"],
                        index=pd.Index([r[0] for r in rows], name="parameter"))
