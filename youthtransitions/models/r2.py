"""Variance explained by a two-level linear mixed model.

Nakagawa & Schielzeth marginal and conditional R² (as ``performance::r2_nakagawa``) and the
Rights & Sterba (2019) decomposition with the measures and names of the R package r2mlm.
Everything is computed from the fitted parameters and the design (X, Z, groups), so the same
code serves a fitted :class:`~youthtransitions.models.LMMResult`, a bootstrap refit, or
parameters typed in by hand (:func:`r2_from_parts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .._disclosure import TableSpec, estimate, text
from .._options import check_level
from .._tidy import TidyResult, to_jsonable
from ..errors import UsageError

__all__ = ["R2Result", "MEASURES", "RS_MEASURES", "DesignMoments", "classify_predictors",
           "measures_at_moments", "measures_from_moments", "measures_from_parts", "r2",
           "r2_difference", "r2_from_parts"]

#: Rights & Sterba measures by partition, in r2mlm's order and names.
RS_MEASURES: dict[str, tuple[str, ...]] = {
    "total": ("f1", "f2", "v", "m", "f", "fv", "fvm"),
    "within": ("f1", "v", "fv"),
    "between": ("f2", "m"),
}
#: Every measure of an :class:`R2Result`, flat names as in ``to_frame()``.
MEASURES: tuple[str, ...] = ("marginal", "conditional") + tuple(
    f"{part}.{name}" for part, names in RS_MEASURES.items() for name in names)


@dataclass(frozen=True, repr=False)
class R2Result(TidyResult):
    """R² measures of a mixed model (or their difference between two models).

    Attributes
    ----------
    values : dict
        Flat ``{measure: value}`` over :data:`MEASURES`; ``None`` where a measure is not
        defined (for instance the within/between measures when a predictor is mixed).
    classification : dict
        ``{fixed-effect name: "intercept" | "within" | "between" | "mixed"}``.
    centered_within : bool
        True when no level-1 predictor is mixed, so the within/between measures exist.
    ci : dict or None
        ``{measure: (low, high)}`` percentile bootstrap limits, when bootstrapped.
    level : float or None
        Confidence level of ``ci``.
    difference : bool
        True for ``full - reduced`` differences (:func:`r2_difference`).
    n_obs : int
        Observations the moments were taken over.
    """

    values: Mapping[str, float | None]
    classification: Mapping[str, str] = field(default_factory=dict)
    centered_within: bool = True
    ci: Mapping[str, tuple[float, float]] | None = None
    level: float | None = None
    difference: bool = False
    n_obs: int = 0
    bootstrap: Mapping[str, Any] | None = None

    @property
    def title(self) -> str:  # type: ignore[override]
        return "R² difference (full - reduced)" if self.difference else "R² of the mixed model"

    @property
    def marginal(self) -> float | None:
        """Nakagawa marginal R² (fixed effects)."""
        return self.values.get("marginal")

    @property
    def conditional(self) -> float | None:
        """Nakagawa conditional R² (fixed and random effects)."""
        return self.values.get("conditional")

    @property
    def rights_sterba(self) -> dict[str, dict[str, float | None]]:
        """``{"total": {...}, "within": {...}, "between": {...}}`` with r2mlm's keys."""
        return {part: {name: self.values.get(f"{part}.{name}") for name in names}
                for part, names in RS_MEASURES.items()}

    def __getitem__(self, measure: str) -> float | None:
        if measure not in MEASURES:
            raise KeyError(f"unknown R² measure {measure!r}; one of {', '.join(MEASURES)}")
        return self.values.get(measure)

    def with_ci(self, ci: Mapping[str, tuple[float, float]], *, level: float,
                bootstrap: Mapping[str, Any] | None = None) -> R2Result:
        """A copy carrying bootstrap confidence limits."""
        return replace(self, ci=dict(ci), level=level, bootstrap=bootstrap)

    @property
    def ci_level(self) -> float | None:
        """Confidence level of ``ci`` (``level``; None when not bootstrapped)."""
        return self.level

    def to_json(self) -> dict[str, Any]:
        """Nested JSON shape: ``marginal, conditional, rights_sterba{total,within,between}``
        from :meth:`to_frame`, and ``bootstrap`` (settings, failed refits, limits) when
        bootstrapped."""
        frame = self.to_frame()
        est = dict(zip(frame["measure"], frame["estimate"], strict=True))
        out: dict[str, Any] = {
            "marginal": est["marginal"], "conditional": est["conditional"],
            "rights_sterba": {part: {name: est[f"{part}.{name}"] for name in names}
                              for part, names in RS_MEASURES.items()}}
        if self.bootstrap is not None and self.ci is not None:
            b = self.bootstrap
            out["bootstrap"] = {
                "B": b.get("B"), "seed": b.get("seed"), "kind": b.get("kind"),
                "level": self.level, "failed": b.get("failed"),
                "of": "r2_difference" if self.difference else "r2",
                "ci": {m: list(v) for m, v in self.ci.items()}}
        return to_jsonable(out)

    def _summary_header(self) -> list[tuple[str, Any]]:
        head: list[tuple[str, Any]] = [("Observations", self.n_obs),
                                       ("Centred within cluster", str(self.centered_within))]
        mixed = [k for k, v in self.classification.items() if v == "mixed"]
        if mixed:
            head.append(("Mixed predictors", ", ".join(mixed)))
        if self.bootstrap:
            head.append(("Bootstrap", f"{self.bootstrap.get('kind')} B={self.bootstrap.get('B')}"
                                      f" seed={self.bootstrap.get('seed')}"))
        return head

    def to_frame(self, level: float | None = None) -> pd.DataFrame:
        """One row per measure: ``measure, estimate`` (+ ``conf_low, conf_high`` if
        bootstrapped, at ``level``: default :attr:`ci_level`, another recomputed from the
        bootstrap replicates)."""
        ci = self.ci
        if ci is not None and level is not None and level != self.level:
            ci = self._percentile_ci(level)
        rows = []
        for name in MEASURES:
            value = self.values.get(name)
            row: dict[str, Any] = {"measure": name,
                                   "estimate": np.nan if value is None else float(value)}
            if ci is not None:
                lo, hi = ci.get(name, (np.nan, np.nan))
                row["conf_low"], row["conf_high"] = lo, hi
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def disclosure_spec(self) -> TableSpec:
        """Kinds of :meth:`to_frame`: the measure's name and estimates."""
        cols = {"measure": text(), "estimate": estimate()}
        if self.ci is not None:
            cols.update(conf_low=estimate(), conf_high=estimate())
        return TableSpec(cols, totals="none")

    def _percentile_ci(self, level: float) -> dict[str, tuple[float, float]]:
        reps = (self.bootstrap or {}).get("replicates")
        if reps is None:
            raise UsageError(f"the intervals were made at level {self.level} and there are no "
                             "bootstrap replicates to recompute them at another")
        from .bootstrap import percentile_ci

        lo, hi = percentile_ci(np.asarray(reps, float), check_level(level))
        return {m: (float(lo[j]), float(hi[j])) for j, m in enumerate(MEASURES)
                if m in self.ci}


def _group_codes(groups: np.ndarray) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(np.asarray(groups), sort=False)
    if (codes < 0).any():
        raise UsageError("group codes contain missing values")
    return codes.astype(np.intp), len(uniques)


def classify_predictors(X: np.ndarray, groups: np.ndarray, names: Sequence[str], *,
                        rtol: float = 1e-8) -> dict[str, str]:
    """Classify each column of the fixed-effects design by how it varies over clusters.

    Returns ``{name: kind}`` with kind ``"intercept"`` (constant), ``"between"`` (constant
    within every cluster), ``"within"`` (every cluster mean is 0: cluster-mean centred) or
    ``"mixed"`` (varies both within and between clusters).

    Notes
    -----
    A column is between when ``max |x_ij - xbar_j| <= rtol * max(1, max|x|)`` and within when
    ``max |xbar_j| <=`` the same bound. r2mlm sorts predictors the same way (zero
    within-cluster variance means level 2), but tests centring only through the grand sum of
    the level-1 variable; the check here is the stricter cluster-by-cluster one.
    """
    X = np.asarray(X, dtype=float)
    codes, k = _group_codes(groups)
    counts = np.bincount(codes, minlength=k).astype(float)
    out: dict[str, str] = {}
    for j, name in enumerate(names):
        x = X[:, j]
        tol = rtol * max(1.0, float(np.max(np.abs(x))) if x.size else 1.0)
        if x.size == 0 or np.ptp(x) <= tol:
            out[name] = "intercept" if np.allclose(x, 1.0) else "between"
            continue
        means = np.bincount(codes, weights=x, minlength=k) / counts
        if np.max(np.abs(x - means[codes])) <= tol:
            out[name] = "between"
        elif np.max(np.abs(means)) <= tol:
            out[name] = "within"
        else:
            out[name] = "mixed"
    return out


def _var(a: np.ndarray) -> float:
    return float(np.var(a, ddof=1)) if a.size > 1 else 0.0


def r2_from_parts(*, X: np.ndarray, Z: np.ndarray, groups: np.ndarray, beta: Sequence[float],
                  tau: np.ndarray, sigma2: float, fixed_names: Sequence[str],
                  random_names: Sequence[str] | None = None) -> R2Result:
    """R² measures from a mixed model's design and parameters.

    Parameters
    ----------
    X : ndarray (n, p)
        Fixed-effects design of the observations used in the fit.
    Z : ndarray (n, q)
        Random-effects design (intercept column of ones first, if any).
    groups : array (n,)
        Cluster of each observation.
    beta : sequence (p,)
        Fixed effects, in the order of ``fixed_names``.
    tau : ndarray (q, q)
        Covariance of the random effects, in the order of Z's columns.
    sigma2 : float
        Level-1 residual variance.
    fixed_names, random_names : sequence of str
        Names of X's and Z's columns (``random_names`` optional; when given, its length is
        checked against Z and tau).

    Returns
    -------
    R2Result

    Notes
    -----
    All moments are sample moments (denominator n - 1) over the n observations, as r2mlm and
    ``stats::var``. With :math:`\\Sigma_Z` the covariance matrix of Z's columns and
    :math:`\\bar z` their means:

    * fixed part :math:`\\phi_f = \\operatorname{var}(X\\beta)`, split into
      :math:`\\phi_w = \\operatorname{var}(X_w\\beta_w)` (within predictors) and
      :math:`\\phi_b = \\operatorname{var}(X_b\\beta_b)` (between predictors);
    * slope variation :math:`v = \\operatorname{tr}(T\\Sigma_Z)` (r2mlm's
      :math:`v'\\psi + 2r'\\kappa`); mean variation :math:`m = \\bar z' T \\bar z`;
    * Rights & Sterba (2019, Table 1), predictors centred within cluster:
      within variance :math:`W = \\phi_w + v + \\sigma^2`, between :math:`B = \\phi_b +
      \\tau_{00}`, total :math:`W + B`; total f1 = :math:`\\phi_w/(W+B)`, f2 =
      :math:`\\phi_b/(W+B)`, v = :math:`v/(W+B)`, m = :math:`m/(W+B)`, f = f1 + f2,
      fv = f + v, fvm = fv + m; within f1 = :math:`\\phi_w/W`, v = :math:`v/W`, fv = their
      sum; between f2 = :math:`\\phi_b/B`, m = :math:`\\tau_{00}/B`.
    * With a mixed (uncentred) level-1 predictor only the total measures of Rights & Sterba
      (2019, Table 5) exist: denominator :math:`\\phi_f + v + m + \\sigma^2`; f, v, m, fv, fvm.
    * Nakagawa, Johnson & Schielzeth (2017): :math:`\\sigma^2_f = \\phi_f`,
      :math:`\\sigma^2_r = n^{-1}\\sum_i z_i' T z_i` (Johnson 2014, as
      ``insight::get_variance``); marginal :math:`\\sigma^2_f/(\\sigma^2_f+\\sigma^2_r+\\sigma^2)`,
      conditional :math:`(\\sigma^2_f+\\sigma^2_r)/(\\ldots)`.
      (``insight`` takes the random-slope columns from the fixed design and drops a slope
      that is not also a fixed effect; here Z is used as fitted, the same whenever the slope
      is a fixed effect too.)

    Checked against r2mlm 0.3.8 (``r2mlm``, ``r2mlm_comp``) and performance 0.10.2
    (``r2_nakagawa``) in ``tests/reference/r2mlm/`` to 1e-4 absolute.
    """
    X = np.asarray(X, dtype=float)
    Z = np.asarray(Z, dtype=float)
    beta = np.asarray(beta, dtype=float).ravel()
    tau = np.atleast_2d(np.asarray(tau, dtype=float))
    n = X.shape[0]
    if X.ndim != 2 or X.shape[1] != beta.size or len(fixed_names) != beta.size:
        raise UsageError(f"X has shape {X.shape}, but there are {beta.size} fixed effects "
                         f"and {len(fixed_names)} fixed-effect names")
    if Z.ndim != 2 or Z.shape[0] != n or tau.shape != (Z.shape[1], Z.shape[1]):
        raise UsageError(f"Z has shape {Z.shape} and tau {tau.shape}; they do not match "
                         f"{n} observations")
    if random_names is not None and len(random_names) != Z.shape[1]:
        raise UsageError(f"{len(random_names)} random-effect names for Z's {Z.shape[1]} "
                         f"column(s) and tau {tau.shape}")
    if len(groups) != n:
        raise UsageError(f"groups has {len(groups)} entries for {n} observations")
    if not np.isfinite(sigma2) or sigma2 < 0:
        raise UsageError(f"residual variance must be a non-negative number, got {sigma2}")
    kinds = classify_predictors(X, groups, fixed_names)
    kind_list = [kinds[name] for name in fixed_names]
    values = measures_from_parts(X=X, Z=Z, beta=beta, tau=tau, sigma2=sigma2, kinds=kind_list)
    centred = "mixed" not in kind_list
    return R2Result(values=values, classification=kinds, centered_within=centred, n_obs=n)


def measures_from_parts(*, X: np.ndarray, Z: np.ndarray, beta: np.ndarray, tau: np.ndarray,
                        sigma2: float, kinds: Sequence[str]) -> dict[str, float | None]:
    """The measures of :func:`r2_from_parts` given the predictors' classification (no checks).

    ``kinds`` lists the kind of each column of X (see :func:`classify_predictors`); the
    bootstrap calls this directly because resampling whole clusters keeps the kinds.
    """
    n = X.shape[0]
    kind_arr = np.asarray(kinds)
    phi_f = _var(X @ beta)
    within, between = _kind_masks(kind_arr)
    phi_w = _var(X[:, within] @ beta[within])
    phi_b = _var(X[:, between] @ beta[between])
    if n > 1 and Z.shape[1]:
        zbar = Z.mean(axis=0)
        zc = Z - zbar
        cov_z = zc.T @ zc / (n - 1)
        slope_var = float(np.sum(tau * cov_z))
        mean_var = float(zbar @ tau @ zbar)
        random_var = float(np.sum((Z @ tau) * Z) / n)
    else:
        slope_var = mean_var = random_var = 0.0
    ones = [j for j in range(Z.shape[1]) if (Z[:, j] == 1.0).all()]
    tau00 = float(tau[ones[0], ones[0]]) if ones else 0.0
    return _combine(phi_f, phi_w, phi_b, slope_var, mean_var, random_var, tau00, sigma2,
                    centred=not (kind_arr == "mixed").any())


def _kind_masks(kind_arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the within part and of the between part (intercept included)."""
    return kind_arr == "within", (kind_arr == "between") | (kind_arr == "intercept")


@dataclass(frozen=True)
class DesignMoments:
    """Per-cluster sums of the design's columns, from which any cluster resample's moments
    follow by weighting (:func:`measures_from_moments`).

    ``D = [X Z]`` centred at its full-sample column means ``center``; ``sizes`` (G,),
    ``sums`` (k, G) and ``cross`` (k*k, G) are each cluster's row count, ``sum D_i`` and
    ``vec(D_i'D_i)``; ``p`` is X's number of columns and ``z_ones`` the Z columns that are
    all ones (the random intercept).
    """

    center: np.ndarray
    sizes: np.ndarray
    sums: np.ndarray
    cross: np.ndarray
    p: int
    z_ones: tuple[int, ...]

    @classmethod
    def from_design(cls, X: np.ndarray, Z: np.ndarray, groups: np.ndarray,
                    n_groups: int) -> DesignMoments:
        """The sums of ``[X Z]`` over the clusters coded ``groups`` (0 .. n_groups-1)."""
        D = np.column_stack([np.asarray(X, float), np.asarray(Z, float)])
        center = D.mean(axis=0) if D.shape[0] else np.zeros(D.shape[1])
        D = D - center
        g = np.asarray(groups, dtype=np.intp)
        k = D.shape[1]
        sums = np.empty((k, n_groups))
        cross = np.empty((k, k, n_groups))
        for a in range(k):
            sums[a] = np.bincount(g, weights=D[:, a], minlength=n_groups)
            for b in range(a, k):
                cross[a, b] = np.bincount(g, weights=D[:, a] * D[:, b], minlength=n_groups)
                cross[b, a] = cross[a, b]
        Zf = np.asarray(Z, float)
        ones = tuple(j for j in range(Zf.shape[1]) if (Zf[:, j] == 1.0).all())
        return cls(center=center, sizes=np.bincount(g, minlength=n_groups).astype(float),
                   sums=sums, cross=cross.reshape(k * k, n_groups), p=np.shape(X)[1],
                   z_ones=ones)

    def weighted(self, weights: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """``(n, mean, cov)`` of ``[X Z]`` over the resample that takes cluster ``i``
        ``weights[i]`` times; ``cov`` with denominator ``n - 1`` (NaN when n < 2)."""
        n, mean, cov = self.weighted_block(np.asarray(weights, float)[None, :])
        return float(n[0]), mean[0], cov[0]

    def weighted_block(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`weighted` for many resamples at once (rows of ``weights``, resamples x
        clusters): ``n`` (K,), ``mean`` (K, k), ``cov`` (K, k, k)."""
        W = np.asarray(weights, float)
        k = self.center.size
        n = W @ self.sizes
        S = W @ self.sums.T
        Mx = (W @ self.cross.T).reshape(len(W), k, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.center + S / n[:, None]
            cov = (Mx - S[:, :, None] * S[:, None, :] / n[:, None, None]) \
                / (n - 1)[:, None, None]
        cov[n <= 1] = np.nan
        return n, mean, cov


def measures_from_moments(moments: DesignMoments, weights: np.ndarray, *, beta: np.ndarray,
                          tau: np.ndarray, sigma2: float,
                          kinds: Sequence[str]) -> dict[str, float | None]:
    """:func:`measures_from_parts` of a cluster resample given by its cluster multiplicities.

    Notes
    -----
    The same measures from the resample's moments of ``[X Z]``
    (:meth:`DesignMoments.weighted`): :math:`\\operatorname{var}(X\\beta) = \\beta'\\Sigma_X\\beta` (and the
    within and between parts on their blocks), :math:`\\Sigma_Z` and :math:`\\bar z` as
    there, :math:`n^{-1}\\sum_i z_i'Tz_i = \\operatorname{tr}(T(\\tfrac{n-1}{n}\\Sigma_Z +
    \\bar z\\bar z'))`. Equal to :func:`measures_from_parts` on the resampled rows to
    rounding (tests/models/test_bootstrap.py).
    """
    n, mean, cov = moments.weighted(weights)
    return measures_at_moments(moments, n, mean, cov, beta=beta, tau=tau, sigma2=sigma2,
                               kinds=kinds)


def measures_at_moments(moments: DesignMoments, n: float, mean: np.ndarray, cov: np.ndarray,
                        *, beta: np.ndarray, tau: np.ndarray, sigma2: float,
                        kinds: Sequence[str]) -> dict[str, float | None]:
    """:func:`measures_from_moments` given the resample's ``(n, mean, cov)`` of ``[X Z]``
    (:meth:`DesignMoments.weighted`, or a row of :meth:`DesignMoments.weighted_block`)."""
    p = moments.p
    beta = np.asarray(beta, float)
    kind_arr = np.asarray(kinds)
    within, between = _kind_masks(kind_arr)
    cx = cov[:p, :p]

    def quad(mask: np.ndarray) -> float:
        if n <= 1:
            return 0.0
        b = np.where(mask, beta, 0.0)
        return float(b @ cx @ b)

    phi_f = quad(np.ones(p, bool))
    phi_w, phi_b = quad(within), quad(between)
    if n > 1 and mean.size > p:
        zbar, cov_z = mean[p:], cov[p:, p:]
        slope_var = float(np.sum(tau * cov_z))
        mean_var = float(zbar @ tau @ zbar)
        random_var = float(np.sum(tau * (cov_z * ((n - 1) / n) + np.outer(zbar, zbar))))
    else:
        slope_var = mean_var = random_var = 0.0
    ones = moments.z_ones
    tau00 = float(tau[ones[0], ones[0]]) if ones else 0.0
    return _combine(phi_f, phi_w, phi_b, slope_var, mean_var, random_var, tau00, sigma2,
                    centred=not (kind_arr == "mixed").any())


def _combine(phi_f: float, phi_w: float, phi_b: float, slope_var: float, mean_var: float,
             random_var: float, tau00: float, sigma2: float, *,
             centred: bool) -> dict[str, float | None]:
    """The measures from the variance components (formulas in :func:`r2_from_parts`)."""
    values: dict[str, float | None] = dict.fromkeys(MEASURES)
    nak_total = phi_f + random_var + sigma2
    values["marginal"] = _ratio(phi_f, nak_total)
    values["conditional"] = _ratio(phi_f + random_var, nak_total)
    if centred:
        w_var = phi_w + slope_var + sigma2
        b_var = phi_b + tau00
        tot = w_var + b_var
        f1, f2 = _ratio(phi_w, tot), _ratio(phi_b, tot)
        v, m = _ratio(slope_var, tot), _ratio(mean_var, tot)
        values.update({"total.f1": f1, "total.f2": f2, "total.v": v, "total.m": m,
                       "total.f": f1 + f2, "total.fv": f1 + f2 + v, "total.fvm": f1 + f2 + v + m,
                       "within.f1": _ratio(phi_w, w_var), "within.v": _ratio(slope_var, w_var),
                       "within.fv": _ratio(phi_w + slope_var, w_var),
                       "between.f2": _ratio(phi_b, b_var), "between.m": _ratio(tau00, b_var)})
    else:
        tot = phi_f + slope_var + mean_var + sigma2
        f, v, m = _ratio(phi_f, tot), _ratio(slope_var, tot), _ratio(mean_var, tot)
        values.update({"total.f": f, "total.v": v, "total.m": m, "total.fv": f + v,
                       "total.fvm": f + v + m})
    return values


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def r2(result: Any) -> R2Result:
    """R² measures of a fitted mixed model (what ``LMMResult.r2()`` returns).

    Parameters
    ----------
    result : LMMResult
        A fitted model exposing ``X, Z, groups, params, random_cov, residual_variance,
        fixed_names, random_names``.

    Returns
    -------
    R2Result
        See :func:`r2_from_parts` for the formulas and the references checked against.
    """
    try:
        X, Z, groups = result.X, result.Z, result.groups
        fixed_names = list(result.fixed_names)
        random_names = list(result.random_names)
        beta = np.asarray(pd.Series(result.params).reindex(fixed_names), dtype=float)
        tau = np.asarray(pd.DataFrame(result.random_cov).reindex(index=random_names,
                                                                  columns=random_names))
        sigma2 = float(result.residual_variance)
    except AttributeError as exc:
        raise UsageError(f"r2() needs a fitted mixed model (LMMResult); got "
                         f"{type(result).__name__} without {exc.name!r}") from exc
    return r2_from_parts(X=X, Z=Z, groups=groups, beta=beta, tau=tau, sigma2=sigma2,
                         fixed_names=fixed_names, random_names=random_names)


def _as_r2(model: Any, role: str) -> R2Result:
    if isinstance(model, R2Result):
        return model
    if hasattr(model, "r2"):
        return model.r2()
    raise UsageError(f"r2_difference: the {role} model must be a fitted mixed model or an "
                     f"R2Result, got {type(model).__name__}")


def r2_difference(full: Any, reduced: Any) -> R2Result:
    """Every R² measure of ``full`` minus that of ``reduced`` (as ``r2mlm::r2mlm_comp``).

    Parameters
    ----------
    full, reduced : LMMResult or R2Result
        Two models of the same outcome fitted to the same observations.

    Returns
    -------
    R2Result
        ``difference=True``; a measure is ``None`` where either model lacks it.

    Examples
    --------
    >>> import youthtransitions as yt
    >>> frame = yt.center_within(yt.load_study(yt.SHIPPED_STUDY).analysis_frame(),
    ...                          "relationship_quality", "youth_id")
    >>> full = yt.fit_lmm("wellbeing ~ relationship_quality_within + relationship_quality_between",
    ...                   frame, group="youth_id")
    >>> null = yt.fit_lmm("wellbeing ~ 1", frame.loc[full.data.index], group="youth_id")
    >>> diff = yt.r2_difference(full, null)
    >>> sorted(diff.rights_sterba)
    ['between', 'total', 'within']

    Notes
    -----
    Rights & Sterba (2020): :math:`\\Delta R^2 = R^2_A - R^2_B` measure by measure (total
    f1, f2, v, m, f, fv, fvm; within f1, v, fv; between f2, m), both models' moments taken
    over the same data. r2mlm_comp refuses models whose level-1 predictors are not centred;
    here those measures are ``None`` and the total f, v, m, fv, fvm differences remain.
    Checked against ``r2mlm_comp`` in ``tests/reference/r2mlm/`` to 1e-4. Two fitted models
    are first checked by :func:`~youthtransitions.models.nesting.check_nested` (same outcome
    and rows, or UsageError; a warning when they are not nested).
    """
    if not isinstance(full, R2Result) and not isinstance(reduced, R2Result):
        from .nesting import check_nested

        check_nested(full, reduced)
    a, b = _as_r2(full, "full"), _as_r2(reduced, "reduced")
    if a.n_obs and b.n_obs and a.n_obs != b.n_obs:
        raise UsageError(f"r2_difference: the models were fitted to different observations "
                         f"({a.n_obs} vs {b.n_obs} rows); fit both to the same rows "
                         f"(drop rows with missing values in the full model's variables first)")
    values = {k: (None if a.values.get(k) is None or b.values.get(k) is None
                  else float(a.values[k]) - float(b.values[k])) for k in MEASURES}
    return R2Result(values=values, classification=dict(a.classification),
                    centered_within=a.centered_within and b.centered_within,
                    difference=True, n_obs=a.n_obs)
