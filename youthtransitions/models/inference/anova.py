"""Type III F tests of the fixed-effect terms, as ``lmerTest::anova(type = 3)``.

Notes
-----
Each term's hypothesis matrix ``L`` is lmerTest's (:mod:`.contrasts`); its F statistic and
denominator df are Satterthwaite's (:mod:`.satterthwaite`) or Kenward and Roger's
(:mod:`.kenward_roger`: ``F = (L beta)'(L Phi_A L')^{-1}(L beta) / q`` with the adjusted
covariance ``Phi_A``, unscaled as lmerTest reports it), and ``p = P(F_{q, den_df} > F)``.
Checked against lmerTest 3.1-3 / pbkrtest 0.5-2 (tests/reference/lmertest_anova/): F and
den_df 1e-4 and 1e-3 relative.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..._options import check_choice
from ...stats.distributions import f_sf
from .contrasts import type3_contrasts
from .tables import AnovaTable

__all__ = ["anova", "DdfMethod"]

DdfMethod = Literal["satterthwaite", "kenward-roger"]
DDF_LABEL = {"satterthwaite": "Satterthwaite", "kenward-roger": "Kenward-Roger"}


def anova(fit, ddf: DdfMethod = "satterthwaite") -> AnovaTable:
    """Type III F test of each fixed-effect term.

    Parameters
    ----------
    fit : LMMResult
    ddf : {"satterthwaite", "kenward-roger"}
        Denominator df (Kenward-Roger needs a REML fit, as pbkrtest).

    Returns
    -------
    AnovaTable
        Its ``to_frame()`` is indexed by term (as written in the formula's encoding, e.g.
        ``C(wave)``), columns ``num_df, den_df, F, p_value``; a categorical term is one row.
        ``result["F"]`` and ``result.loc[term]`` select from that table.
    """
    check_choice("ddf", ddf, DdfMethod)
    contrasts = type3_contrasts(fit)
    beta = fit.params.to_numpy()
    if ddf == "satterthwaite":
        from .satterthwaite import contest_satterthwaite, varpar_pieces

        pieces = varpar_pieces(fit)
        rows = [contest_satterthwaite(pieces, beta, L) for L in contrasts.values()]
    else:
        from .kenward_roger import contest_kenward_roger, kenward_roger_pieces

        pieces = kenward_roger_pieces(fit)
        rows = [contest_kenward_roger(pieces, beta, L) for L in contrasts.values()]
    num = np.array([r[0] for r in rows], float)
    den = np.array([r[1] for r in rows], float)
    F = np.array([r[2] for r in rows], float)
    frame = pd.DataFrame({"num_df": num, "den_df": den, "F": F,
                          "p_value": f_sf(F, num, den)},
                         index=pd.Index(list(contrasts), name="term"))
    return AnovaTable(frame, [("Formula", fit.formula), ("Method", fit.method),
                              ("Denominator df", DDF_LABEL[ddf])], fit=fit)
