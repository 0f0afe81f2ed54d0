"""The :class:`Study`: the validated contract tables of one study."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Study", "TABLES"]

#: contract tables in reading order
TABLES = ("youth", "waves", "pmk", "scales", "codes")


@dataclass(frozen=True)
class Study:
    """The tables of one study, with the contract's dtypes and categories.

    Attributes
    ----------
    youth, waves, scales : pandas.DataFrame
        Required tables (see the data contract).
    pmk, codes : pandas.DataFrame or None
        Optional tables.
    synthetic : bool
        True when the data are marked synthetic in their metadata; output rules for sensitive
        data are then off by default.
    source : str or None
        Folder the study was read from.
    metadata : dict
        Study-level metadata (for a synthetic study: seed, generator version).
    """

    youth: pd.DataFrame
    waves: pd.DataFrame
    scales: pd.DataFrame
    pmk: pd.DataFrame | None = None
    codes: pd.DataFrame | None = None
    synthetic: bool = False
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_youth(self) -> int:
        return int(len(self.youth))

    def __repr__(self) -> str:
        parts = [f"youth={len(self.youth)}", f"waves={len(self.waves)}"]
        if self.pmk is not None:
            parts.append(f"pmk={len(self.pmk)}")
        if self.codes is not None:
            parts.append(f"codes={len(self.codes)}")
        tag = ", synthetic" if self.synthetic else ""
        return f"Study({', '.join(parts)}{tag})"
