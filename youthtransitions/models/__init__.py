"""Two-level linear mixed models, R² measures, bootstrap and panel cross-checks.

Works on any long-format DataFrame; knows no study tables. The GLMMs (``fit_glmm``,
``GLMMResult``) are imported on first use: they load scipy's sparse linear algebra, which
the linear models' command line does not need.
"""

import importlib

from .bootstrap import bootstrap_r2
from .centering import center_within
from .headline import variance_explained
from .inference import lrt
from .lmm import ConvergenceWarning, LMMResult, fit_lmm
from .nesting import NotNestedWarning, check_nested
from .panel import panel_compare
from .r2 import R2Result, r2_difference

__all__ = ["ConvergenceWarning", "GLMMResult", "LMMResult", "NotNestedWarning", "R2Result",
           "bootstrap_r2", "center_within", "check_nested", "fit_glmm", "fit_lmm", "lrt",
           "panel_compare", "r2_difference",
           "variance_explained"]

_LAZY = {"GLMMResult": ".glmm", "fit_glmm": ".glmm"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
