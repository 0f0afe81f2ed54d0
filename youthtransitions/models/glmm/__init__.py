"""Generalised linear mixed models (binomial and Poisson) fitted as lme4's ``glmer``.

Modules: ``terms`` (the formula's random, offset and response parts), ``design`` (arrays),
``families``, ``pirls`` (conditional modes), ``laplace`` (deviance and its optimisation),
``agq`` (adaptive quadrature), ``result`` and ``fit``.
"""

from .fit import fit_glmm
from .result import GLMMResult

__all__ = ["GLMMResult", "fit_glmm"]
