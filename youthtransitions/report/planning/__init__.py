"""Planning a study: simulation-based power and precision of the headline estimands.

:func:`design` draws synthetic studies over a grid of design levers (youth, MSU share,
attrition, PMK nomination and interview rates, waves, youth per worker, the effect size), runs
the headline analysis on each with analytic intervals, and reports power, interval width,
bias, RMSE and coverage per estimand with Monte Carlo standard errors (:class:`DesignResult`).
"""

from __future__ import annotations

from .analysis import ESTIMANDS, PmkMethod
from .plan import design
from .result import DesignResult

__all__ = ["design", "DesignResult", "ESTIMANDS", "PmkMethod"]
