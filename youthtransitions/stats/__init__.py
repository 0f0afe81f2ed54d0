"""Small shared statistics, one rule each, for every part of the package.

Nothing here knows a study, a model or a table of the data contract: functions take arrays
and return numbers. Each concept has one module and one test file under ``tests/stats/``:

* :mod:`~youthtransitions.stats.smd` — standardised mean differences (NaN when undefined);
* :mod:`~youthtransitions.stats.lstsq` — ordinary least squares with classical SEs;
* :mod:`~youthtransitions.stats.fisher` — Fisher-z intervals of a squared correlation;
* :mod:`~youthtransitions.stats.multiplicity` — Holm's step-down adjustment;
* :mod:`~youthtransitions.stats.intervals` — percentile and Welch intervals;
* :mod:`~youthtransitions.stats.permutation` — permutation draws, p-values, Freedman–Lane;
* :mod:`~youthtransitions.stats.resampling` — bootstrap resampling weights;
* :mod:`~youthtransitions.stats.reliability` — Cronbach's alpha and McDonald's omega total of
  any item frame (``yt.alpha``, ``yt.omega``; results with a one-row tidy table).
"""

from __future__ import annotations

from .fisher import fisher_ci, fisher_z_limits
from .intervals import percentile_ci, welch_ci
from .lstsq import ols, simple_ols
from .multiplicity import holm
from .permutation import freedman_lane, mean_difference, permutation_p, permutations
from .reliability import alpha, cronbach_alpha, omega, omega_total
from .resampling import bootstrap_counts
from .smd import smd, smd_binary, smd_ci

__all__ = ["smd", "smd_binary", "smd_ci", "ols", "simple_ols", "fisher_ci", "fisher_z_limits",
           "holm", "percentile_ci", "welch_ci", "permutation_p", "permutations",
           "freedman_lane", "mean_difference", "bootstrap_counts", "alpha", "cronbach_alpha",
           "omega", "omega_total"]
