"""The tables ``yt fit`` prints beside a model: type III F tests, likelihood-ratio tests,
random effects and profile intervals, each a gated section of the text and of the JSON.

A section is a :class:`~youthtransitions._disclosure.Disclosable` with a JSON key, a title and
header lines. In JSON its records (helper columns included) sit under the key, declared by the
section's spec, and the helper columns are dropped after the gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Section", "group_unit", "group_kind", "inference_sections", "print_sections", "add_sections",
           "strip_helpers", "sections_spec"]

#: why the conditional modes of real data are summarised (printed and in JSON)
RANEF_NOTE = ("Conditional modes are one value per group member (and their standard errors "
              "reveal each member's number of observations), so with the output rules "
              "applied only their summary is published: the number of levels (rounded), "
              "the SD of the modes and the means of bins of at least {threshold} levels. "
              "Per-level rows need --no-output-rules (not for release) or synthetic data.")


@dataclass(frozen=True)
class Section:
    """One gated table: its JSON ``key`` (``None``: text only), text title and header."""

    key: str
    title: str
    table: Any  # a Disclosable
    header: tuple = ()
    note: str | None = None


def group_unit(group: str, main_group: str | None) -> str:
    """What a grouping factor's levels count, the rounding unit of their number: youth for
    the model's group (``--group``) or ``youth_id``, else the factor's own name."""
    return "youth" if group in (main_group, "youth_id") else group


def group_kind(group: str, main_group: str | None) -> str:
    """How a grouping factor's number of levels is ruled: youth are what a model rests on
    (``model_size``: a model on fewer than the gate's minimum is withheld); the levels of
    another factor (workers, waves) are a count, rounded or suppressed on their own."""
    return "model_size" if group_unit(group, main_group) == "youth" else "count"


def _random_effects(gate, result, main_group) -> list[Section]:
    from ..models.inference import RandomEffectsTable

    table = result if isinstance(result, RandomEffectsTable) else RandomEffectsTable(result)
    if not gate.applied:
        return [Section("random_effects", table.title, table.disclosure())]
    note = RANEF_NOTE.format(threshold=gate.threshold)
    groups = list(dict.fromkeys(table["group"]))
    return [Section(f"random_effects_summary.{g}", f"Random effects of {g}: summary",
                    table.binned(g, unit=group_unit(g, main_group),
                                 min_count=gate.threshold),
                    note=note if j == len(groups) - 1 else None)
            for j, g in enumerate(groups)]


def inference_sections(gate, args, full, reduced, *, main_group=None) -> list[Section]:
    """The sections the options ask for: ``lrt`` (with ``--compare``), ``anova``,
    ``random_effects`` (or its summary) and ``profile``."""
    from ..models import lrt

    out = []
    if reduced is not None:
        table = lrt(reduced, full)
        n_obs = gate.value(full.n_obs, "model_size", unit="observation")
        header = tuple((label, n_obs if label == "Observations" else value)
                       for label, value in table._summary_header())
        out.append(Section("lrt", table.title, table.disclosure(), header))
    if args.anova:
        table = full.anova(args.anova)
        out.append(Section("anova", table.title, table.disclosure(),
                           tuple(table._summary_header())))
    if args.ranef:
        out += _random_effects(gate, full.random_effects(), main_group)
    if args.profile:
        table = full.conf_int(args.level, method="profile")
        out.append(Section("profile", "Profile-likelihood intervals", table.disclosure(),
                           tuple(table._summary_header())))
    return out


def print_sections(gate, sections) -> None:
    """Each section as gated console text."""
    from ._common import table_text

    for s in sections:
        print()
        print(table_text(s.table.publish(gate.table(s.table.frame, s.table.spec,
                                                    name=f"fit_{s.key}")),
                         title=s.title, header=s.header))
        if s.note:
            print(s.note)


def sections_spec(sections) -> dict:
    """The JSON declarations of the sections (each a list of records)."""
    from .._disclosure import text

    spec: dict = {s.key: s.table.spec for s in sections}
    if any(s.note for s in sections):
        spec["random_effects_note"] = text()
    return spec


def add_sections(out: dict, sections) -> dict:
    """``out`` with each section's records (helper columns included) under its key."""
    from .._tidy import frame_to_records

    for s in sections:
        node = out
        *parents, last = s.key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = frame_to_records(s.table.frame)
        if s.note:
            out["random_effects_note"] = s.note
    return out


def strip_helpers(out: dict, sections) -> dict:
    """The gated ``out`` with each section's helper columns dropped."""
    for s in sections:
        *parents, last = s.key.split(".")
        node = out
        for p in parents:
            node = node[p]
        keep = set(s.table.columns)
        node[last] = [{k: v for k, v in r.items() if k in keep} for r in node[last]]
    return out
