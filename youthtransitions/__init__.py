"""youthtransitions: the quantitative side of the NZ Youth Transitions mixed-methods study.

Read and validate study data, fit multilevel models for the share of outcome variance explained
by relationship quality, handle PMK availability honestly, test the qualitative mechanism
findings, and reproduce the reported effects.

Public names are imported lazily (PEP 562), so ``import youthtransitions as yt`` is fast and
the CLI starts quickly; ``dir(yt)`` and ``yt.__all__`` list them all.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

# public name -> (module, attribute); attribute None means the module itself
_EXPORTS: dict[str, tuple[str, str | None]] = {
    # errors
    "Problem": ("youthtransitions.errors", "Problem"),
    "StudyDataError": ("youthtransitions.errors", "StudyDataError"),
    "UsageError": ("youthtransitions.errors", "UsageError"),
    # study data
    "Study": ("youthtransitions.study", "Study"),
    "load_study": ("youthtransitions.study", "load_study"),
    "validate_study": ("youthtransitions.study", "validate_study"),
    "score_scales": ("youthtransitions.study", "score_scales"),
    "reliability": ("youthtransitions.study", "reliability"),
    "read_codes": ("youthtransitions.study", "read_codes"),
    "write_qdpx": ("youthtransitions.study", "write_qdpx"),
    "import_study": ("youthtransitions.study.mapping", "import_study"),
    # scale reliability of any item frame
    "alpha": ("youthtransitions.stats.reliability", "alpha"),
    "omega": ("youthtransitions.stats.reliability", "omega"),
    # synthetic study
    "synthesize": ("youthtransitions.synthetic", "synthesize"),
    "write_study": ("youthtransitions.synthetic", "write_study"),
    "SHIPPED_STUDY": ("youthtransitions.synthetic", "SHIPPED_STUDY"),
    "shipped_study_path": ("youthtransitions.synthetic", "shipped_study_path"),
    "load_truth": ("youthtransitions.synthetic", "load_truth"),
    # models
    "fit_lmm": ("youthtransitions.models", "fit_lmm"),
    "fit_glmm": ("youthtransitions.models", "fit_glmm"),
    "center_within": ("youthtransitions.models", "center_within"),
    "r2_difference": ("youthtransitions.models", "r2_difference"),
    "bootstrap_r2": ("youthtransitions.models", "bootstrap_r2"),
    "panel_compare": ("youthtransitions.models", "panel_compare"),
    "variance_explained": ("youthtransitions.models", "variance_explained"),
    "worker_share": ("youthtransitions.models.worker_share", "worker_share"),
    "lrt": ("youthtransitions.models", "lrt"),
    # missing data (PMK availability); also reachable as yt.pmk.<name>
    "pmk": ("youthtransitions.missing", None),
    "pool": ("youthtransitions.missing", "pool"),
    "pool_test": ("youthtransitions.missing", "pool_test"),
    "impute": ("youthtransitions.missing", "impute"),
    # qualitative integration
    "integrate": ("youthtransitions.qual", "integrate"),
    "qca": ("youthtransitions.qual", "qca"),
    "code_reliability": ("youthtransitions.qual", "code_reliability"),
    "quantitize": ("youthtransitions.qual", "quantitize"),
    "join_codes": ("youthtransitions.qual", "join_codes"),
    "joint_display": ("youthtransitions.qual", "joint_display"),
    "qual": ("youthtransitions.qual", None),
    # reporting
    "apply_output_rules": ("youthtransitions.report", "apply_output_rules"),
    "describe": ("youthtransitions.report", "describe"),
    "replicate": ("youthtransitions.report", "replicate"),
    "simulate": ("youthtransitions.report", "simulate"),
    "design": ("youthtransitions.report.planning", "design"),
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'youthtransitions' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
