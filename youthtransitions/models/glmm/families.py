"""Response distributions and links of the generalised linear mixed models.

A :class:`Family` bundles what penalised iteratively reweighted least squares needs: the
inverse link and its derivative, the variance function, the conditional log density (the
full one, normalising constants included, as R's ``aic()`` of the family uses) and the check
that the response is one the distribution can produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from ..._options import check_choice
from ...errors import UsageError

__all__ = ["Family", "FamilyName", "LinkName", "check_response", "make_family"]

FamilyName = Literal["binomial", "poisson"]
LinkName = Literal["logit", "probit", "log"]

_LINKS = {"binomial": ("logit", "probit"), "poisson": ("log",)}
_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Family:
    """One exponential family with its link.

    Attributes
    ----------
    name : {"binomial", "poisson"}
    link : {"logit", "probit", "log"}

    Notes
    -----
    For the binomial the response is the proportion of successes ``y`` with prior weights
    ``n`` (the trials; 1 for a 0/1 outcome), so the conditional log density of one row is
    :math:`\\log\\binom{n}{ny} + ny\\log\\mu + n(1-y)\\log(1-\\mu)`; for the Poisson with
    prior weights ``w``, :math:`w\\,(y\\log\\mu - \\mu - \\log y!)`. The IRLS weight is
    :math:`n\\,(d\\mu/d\\eta)^2 / V(\\mu)` with :math:`V = \\mu(1-\\mu)` or :math:`\\mu`
    (McCullagh & Nelder 1989, ch. 2); it is the expected (Fisher) information, which lme4
    also uses for non-canonical links such as the probit.
    """

    name: str
    link: str

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        """Mean from the linear predictor (clamped away from 0 and 1 as R's families do)."""
        if self.link == "logit":
            return np.clip(special.expit(eta), _EPS, 1 - _EPS)
        if self.link == "probit":
            thresh = -special.ndtri(_EPS)
            return special.ndtr(np.clip(eta, -thresh, thresh))
        return np.maximum(np.exp(eta), _EPS)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        """:math:`d\\mu/d\\eta`."""
        if self.link == "logit":
            e = np.exp(-np.abs(eta))
            return np.maximum(e / (1 + e) ** 2, _EPS)
        if self.link == "probit":
            return np.maximum(np.exp(-0.5 * eta ** 2) / np.sqrt(2 * np.pi), _EPS)
        return np.maximum(np.exp(eta), _EPS)

    def variance(self, mu: np.ndarray) -> np.ndarray:
        """Variance function :math:`V(\\mu)`."""
        return mu * (1 - mu) if self.name == "binomial" else mu

    def linkfun(self, mu: np.ndarray) -> np.ndarray:
        """Linear predictor from the mean."""
        if self.link == "logit":
            return special.logit(mu)
        if self.link == "probit":
            return special.ndtri(mu)
        return np.log(mu)

    def log_density(self, y: np.ndarray, mu: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Conditional log density of each row (normalising constants included)."""
        return self.log_kernel(y, mu, n) + self.log_constant(y, n)

    def log_kernel(self, y: np.ndarray, mu: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The part of the log density that depends on the mean."""
        if self.name == "binomial":
            s = n * y
            return special.xlogy(s, mu) + special.xlogy(n - s, 1 - mu)
        return n * (special.xlogy(y, mu) - mu)

    def log_constant(self, y: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The normalising part of the log density (free of the mean), row by row."""
        if self.name == "binomial":
            s = n * y
            return (special.gammaln(n + 1) - special.gammaln(s + 1)
                    - special.gammaln(n - s + 1))
        return -n * special.gammaln(y + 1)

    def saturated_log_density(self, y: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Log density at :math:`\\mu = y` (the saturated model), row by row."""
        return self.log_density(y, y, n)

    def start_mu(self, y: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Starting means, as R's ``family$initialize``."""
        if self.name == "binomial":
            return (n * y + 0.5) / (n + 1)
        return y + 0.1


def make_family(family: str, link: str | None = None) -> Family:
    """The :class:`Family` named by ``family`` and ``link`` (the canonical link if None).

    Raises
    ------
    UsageError
        An unknown family, or a link the family does not offer here.
    """
    check_choice("family", family, FamilyName)
    allowed = _LINKS[family]
    if link is None:
        link = allowed[0]
    check_choice("link", link, LinkName)
    if link not in allowed:
        raise UsageError(f"link {link!r} is not available for the {family} family; "
                         f"use one of {', '.join(allowed)}")
    return Family(family, link)


def check_response(family: Family, y: np.ndarray, n: np.ndarray, what: str,
                   index=None) -> None:
    """Raise UsageError unless ``y`` (with trials ``n``) is a possible response.

    ``index`` holds the data's row labels, named in the message (default: positions).
    """
    index = np.arange(y.size) if index is None else np.asarray(index)
    if family.name == "binomial":
        bad = (y < 0) | (y > 1)
        s = n * y
        bad |= np.abs(s - np.round(s)) > 1e-7 * np.maximum(1, n)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise UsageError(
                f"binomial response {what}: row {index[i]} has value {y[i]:g} (with {n[i]:g} "
                "trials); a binomial outcome must be 0/1, or successes and failures given "
                "as cbind(successes, failures) (whole numbers, not negative)")
    else:
        bad = (y < 0) | (np.abs(y - np.round(y)) > 1e-7)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise UsageError(f"Poisson response {what}: row {index[i]} has value {y[i]:g}; "
                             "counts must be whole numbers of at least 0")
