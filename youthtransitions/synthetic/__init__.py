"""The synthetic Youth Transitions study: a documented generative model and its truth.

``synthesize(seed)`` draws a complete study at item level (youth, waves, pmk, scales, codes)
from the model in ``docs/synthetic.md`` with every parameter in
:class:`~youthtransitions.synthetic.params.SynthParams`; ``write_study`` writes it as Parquet
with a data dictionary and ``truth.json``. The default seed's study ships in
``synthetic_data/`` (:data:`SHIPPED_STUDY`).
"""

from __future__ import annotations

from .generate import synthesize
from .io import write_study
from .params import DEFAULT_SEED, SynthParams
from .shipped import SHIPPED_STUDY, load_truth, shipped_study_path

__all__ = ["synthesize", "write_study", "load_truth", "SHIPPED_STUDY", "shipped_study_path",
           "DEFAULT_SEED", "SynthParams"]
