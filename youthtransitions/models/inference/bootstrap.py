"""Parametric bootstrap of a linear mixed model, as lme4's ``bootMer`` / ``confint(method =
"boot")``.

Notes
-----
Each replicate draws a new response from the fitted model, ``y* = X beta + Z b* + e*`` with
``b*_i ~ N(0, Sigma_b)`` per group and ``e* ~ N(0, sigma^2 I)`` (lme4's ``simulate`` with
``use.u = FALSE``), refits the same model by the same method with
:func:`~youthtransitions.models.fit_lmm`, and records the variance parameters (standard
deviations, correlations, residual SD) and the fixed effects. The interval at level ``1 -
alpha`` is the percentile interval of the replicates (``boot.type = "perc"``, lme4's
default), quantiles as R's type 7 (numpy's linear). Replicates run through
:func:`youthtransitions.parallel.run_replicates`, so the numbers depend only on the seed, not
on the number of workers or the Dask cluster. Replicates whose refit fails are dropped and
counted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._options import check_count
from ...errors import UsageError
from ...parallel import check_seed, run_replicates
from .profile import variance_parameter_names, variance_parameters

__all__ = ["bootstrap_replicates", "bootstrap_conf_int"]


def _replicate(rng, spec: dict) -> np.ndarray:
    from ..lmm import fit_lmm

    G, q = spec["n_groups"], spec["chol"].shape[0]
    b = rng.standard_normal((G, q)) @ spec["chol"].T
    e = rng.standard_normal(len(spec["mu"])) * spec["sigma"]
    y = spec["mu"] + (spec["Z"] * b[spec["groups"]]).sum(axis=1) + e
    data = spec["data"].copy()
    data[spec["response"]] = y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = fit_lmm(spec["formula"], data, group=spec["group"], random=spec["random"],
                          method=spec["method"].lower())
        except (UsageError, np.linalg.LinAlgError):
            return np.full(spec["n_out"], np.nan)
    return np.concatenate([variance_parameters(fit), fit.params.to_numpy()])


def bootstrap_replicates(fit, n_boot: int = 500, *, seed: int | None = None,
                         workers: int = 1, scheduler=None,
                         progress: bool | None = None) -> pd.DataFrame:
    """``n_boot`` parametric-bootstrap replicates of the variance parameters and fixed
    effects (one row each, columns named as :func:`bootstrap_conf_int`'s index)."""
    n_boot = check_count("n_boot", n_boot, minimum=1)
    seed = check_seed(seed)
    response = fit.formula.split("~", 1)[0].strip()
    if response not in fit.data.columns:
        raise UsageError(f"the parametric bootstrap needs the response as a column; "
                         f"{response!r} is a transformation (make it a column first)")
    Sigma = fit.random_cov.to_numpy()
    evals, evecs = np.linalg.eigh(Sigma)
    names = variance_parameter_names(fit) + list(fit.fixed_names)
    spec = dict(mu=fit.X @ fit.params.to_numpy(), Z=np.asarray(fit.Z, float),
                groups=np.asarray(fit.groups, dtype=np.intp), n_groups=int(fit.n_groups),
                chol=evecs * np.sqrt(np.clip(evals, 0, None)),
                sigma=float(np.sqrt(fit.residual_variance)), data=fit.data,
                response=response, formula=fit.formula, group=fit.group, random=fit.random,
                method=fit.method, n_out=len(names))
    out = run_replicates(_replicate, n_boot, seed=seed, args=(spec,), workers=workers,
                         scheduler=scheduler, progress=progress,
                         description="parametric bootstrap")
    return pd.DataFrame(np.vstack(out), columns=names)


def bootstrap_conf_int(fit, level: float = 0.95, n_boot: int = 500, *,
                       seed: int | None = None, workers: int = 1, scheduler=None,
                       progress: bool | None = None) -> pd.DataFrame:
    """Percentile intervals from :func:`bootstrap_replicates`.

    Returns
    -------
    DataFrame
        Indexed by parameter (variance parameters, then fixed effects), columns
        ``conf_low, conf_high``; ``attrs["n_failed"]`` counts replicates whose refit failed.
    """
    if not 0 < level < 1:
        raise UsageError(f"level must be between 0 and 1, got {level!r}")
    reps = bootstrap_replicates(fit, n_boot, seed=seed, workers=workers,
                                scheduler=scheduler, progress=progress)
    ok = reps.notna().all(axis=1)
    good = reps[ok].to_numpy()
    if len(good) < 2:
        raise UsageError("fewer than two bootstrap refits succeeded")
    alpha = (1 - level) / 2
    low, high = np.quantile(good, [alpha, 1 - alpha], axis=0)
    out = pd.DataFrame({"conf_low": low, "conf_high": high},
                       index=pd.Index(reps.columns, name="parameter"))
    out.attrs["n_failed"] = int((~ok).sum())
    return out
