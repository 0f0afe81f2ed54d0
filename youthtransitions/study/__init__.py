"""Study data: the data contract, reading, validation, scale scoring and reliability.

Knows nothing of models. See ``shared/DATA_CONTRACT.md`` (mirrored in ``docs/data-contract.md``).
"""

from .study import Study

__all__ = ["Study"]
