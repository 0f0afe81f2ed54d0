"""PMK availability: diagnostics, multiple imputation, pooling, weighting, sensitivity.

Also reachable as ``yt.pmk`` (``yt.pmk.availability(study)``).
"""

from .availability import AvailabilityResult, availability
from .compare import ComparisonResult, compare_methods
from .frames import youth_wide
from .impute import ImputationResult, impute
from .pool_tests import PooledTest, pool_test
from .pooling import FitEstimates, PoolableFit, PooledResult, extract_estimates, pool
from .r2pool import PooledR2, pool_r2
from .sensitivity import SensitivityResult, delta_sensitivity
from .simulation import SimulationResult, simulate_pmk
from .weights import IPWResult, availability_weights, ipw

__all__ = ["AvailabilityResult", "ComparisonResult", "SensitivityResult", "compare_methods",
           "delta_sensitivity", "SimulationResult", "simulate_pmk", "IPWResult", "ImputationResult", "PooledR2", "PooledResult",
           "FitEstimates", "PoolableFit", "PooledTest", "pool_test",
           "availability", "availability_weights", "extract_estimates", "impute", "ipw",
           "pool", "pool_r2", "youth_wide"]
