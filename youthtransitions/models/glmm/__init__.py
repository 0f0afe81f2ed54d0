"""Generalised linear mixed models (binomial and Poisson) fitted as lme4's ``glmer``.

The formula is read by :mod:`youthtransitions.models.random_terms`, the package's one lme4
parser. Modules: ``design`` (arrays), ``families``, ``pirls`` (conditional modes),
``laplace`` (deviance and its optimisation), ``agq`` (adaptive quadrature), ``result`` and
``fit``.
"""

from .fit import fit_glmm
from .result import GLMMResult

__all__ = ["GLMMResult", "fit_glmm"]
