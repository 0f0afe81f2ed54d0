"""``yt fit`` on models written with lme4 random terms: a generalised linear mixed model
(``--family``) or a linear mixed model with several grouping factors. Their summaries,
variance components and JSON, gated.
"""

from __future__ import annotations

from typing import Any

from ._fit_sections import group_kind, group_unit

__all__ = ["model_header", "varcorr_table", "report", "json_spec"]


def _groups(fit) -> dict[str, int]:
    return dict(fit.n_groups)


def model_header(gate, fit, main_group) -> list:
    """The model's summary header with its counts and information criteria gated."""
    groups = {g: gate.value(n, group_kind(g, main_group), unit=group_unit(g, main_group))
              for g, n in _groups(fit).items()}
    gated = {"Observations": gate.value(fit.n_obs, "model_size", unit="observation"),
             "Rows dropped (missing)": gate.value(_n_dropped(fit), "count",
                                                  unit="observation"),
             "Groups": ", ".join(f"{g} ({format(n)})" for g, n in groups.items()),
             "Log-likelihood": gate.value(fit.loglik, "estimate", digits=4),
             "AIC": gate.value(fit.aic, "estimate", digits=4),
             "BIC": gate.value(fit.bic, "estimate", digits=4)}
    gated.update({f"Groups ({g})": n for g, n in groups.items()})
    return [(label, gated.get(label, value)) for label, value in fit._summary_header()]


def _n_dropped(fit) -> int:
    return int(fit.n_dropped if hasattr(fit, "n_dropped") else fit.design.n_dropped)


def _varcorr_spec():
    from .._disclosure import TableSpec, estimate, text

    return TableSpec({"group": text(), "var1": text(), "var2": text(), "vcov": estimate(),
                      "sdcor": estimate()}, totals="none")


def varcorr_table(gate, fit):
    """The variance components (R's ``as.data.frame(VarCorr(m))``) through the gate."""
    return gate.table(fit.varcorr(), _varcorr_spec(), name="fit_random")


def coefficients(fit, level: float):
    """The coefficient table at ``level`` declared by the model's ``disclosure_spec``."""
    from .._disclosure import disclosable

    return disclosable(fit.to_frame(level), fit.disclosure_spec)


def json_spec(fit, main_group, r2) -> dict:
    """Declarations of :func:`report`'s keys."""
    from .._disclosure import Column, count, design, estimate, model_size, text

    spec = {"formula": text(), "method": text(), "n_obs": model_size("observation"),
            "n_dropped": count("observation"), "converged": text(), "singular": text(),
            # BIC - AIC = k (log n - 2): four significant digits keep n unsolvable
            "loglik": estimate(digits=4), "aic": estimate(digits=4),
            "bic": estimate(digits=4), "level": design(),
            "fixed": fit.disclosure_spec, "varcorr": _varcorr_spec()}
    spec.update({f"n_groups.{g}": Column(group_kind(g, main_group),
                                         unit=group_unit(g, main_group))
                 for g in _groups(fit)})
    if hasattr(fit, "family"):
        spec.update({"family": text(), "link": text(), "nagq": design()})
    if r2 is not None:
        spec.update({"r2": r2.disclosure_spec, "bootstrap.B": design(),
                     "bootstrap.seed": design(), "bootstrap.level": design(),
                     "bootstrap.successful": design()})
    return spec


def report(fit, level: float, r2, boot: dict | None) -> dict[str, Any]:
    """The model as JSON-ready values (before the gate); ``boot``: the bootstrap's settings
    (``B``, ``seed``, ``level``) when ``r2`` was bootstrapped."""
    from .._tidy import frame_to_records, to_jsonable

    out = {"formula": fit.formula, "method": fit.method, "n_obs": fit.n_obs,
           "n_groups": _groups(fit), "n_dropped": _n_dropped(fit),
           "converged": fit.converged, "singular": fit.singular, "loglik": fit.loglik,
           "aic": fit.aic, "bic": fit.bic, "level": level,
           "fixed": frame_to_records(fit.to_frame(level)),
           "varcorr": frame_to_records(fit.varcorr())}
    if hasattr(fit, "family"):
        out.update({"family": fit.family, "link": fit.link, "nagq": fit.nagq})
    if r2 is not None:
        out["r2"] = frame_to_records(r2.to_frame())
        if boot is not None:
            out["bootstrap"] = {**boot, "successful": r2.n_boot}
    return to_jsonable(out)
