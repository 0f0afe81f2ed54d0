"""JSON objects through the gate: every leaf declared by its dotted path.

A nested object is flattened to one row whose columns are its leaf paths (``"model.n_obs"``,
``"rows.0.share"``), gated as a table of one row, and rebuilt. A declared path covers its
subtree, list positions are ignored when looking a path up (``rows.n`` declares every
``rows.<i>.n``), a reference names a sibling in the same record first, and a path declared as
a nested :class:`TableSpec` gates its list of records as a table (with its margins). Design
parameters move under ``settings``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..._tidy import to_jsonable
from ...errors import UsageError
from .kinds import Column, TableSpec

__all__ = ["gate_object"]


def _lookup(spec: TableSpec, path: tuple[str, ...]) -> tuple[str, Column | TableSpec] | None:
    parts = [p for p in path if not p.isdigit()]
    for k in range(len(parts), 0, -1):
        name = ".".join(parts[:k])
        if name in spec.columns:
            return name, spec.columns[name]
    return None


def _flatten(obj: Any, spec: TableSpec, path: tuple[str, ...], leaves: dict, tables: dict,
             undeclared: list) -> None:
    found = _lookup(spec, path) if path else None
    if found is not None and isinstance(found[1], TableSpec) and isinstance(obj, list):
        tables[path] = (found[1], obj)
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            _flatten(value, spec, path + (str(key),), leaves, tables, undeclared)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _flatten(value, spec, path + (str(i),), leaves, tables, undeclared)
    elif found is None or isinstance(found[1], TableSpec):
        undeclared.append(".".join(path))
    else:
        leaves[path] = (found[0], found[1], obj)


def _flat_spec(spec: TableSpec, leaves: dict) -> TableSpec:
    flat_names = {".".join(p): p for p in leaves}
    columns = {}
    for path, (declared, col, _) in leaves.items():
        parent_flat = ".".join(path[:-1])
        parent_decl = declared.rpartition(".")[0]
        mapping = {}
        for ref in col.references():
            resolved = spec.resolve(declared, ref)
            sibling = f"{parent_flat}.{ref}" if parent_flat else ref
            if resolved == (f"{parent_decl}.{ref}" if parent_decl else ref) \
                    and sibling in flat_names:
                mapping[ref] = sibling
            elif resolved in flat_names:
                mapping[ref] = resolved
            else:
                raise UsageError(f"JSON key {'.'.join(path)!r} refers to {ref!r}, which the "
                                 "object does not hold")
        columns[".".join(path)] = col.renamed(mapping)
    return TableSpec(columns, totals="none", min_units=spec.min_units)


def _set(out: dict, path: tuple[str, ...], value: Any) -> None:
    node = out
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _rebuild(obj: Any, path: tuple[str, ...], values: dict, design: set) -> Any:
    if path in values:
        return values[path]
    if isinstance(obj, dict):
        return {k: _rebuild(v, path + (str(k),), values, design) for k, v in obj.items()
                if path + (str(k),) not in design}
    if isinstance(obj, (list, tuple)):
        return [_rebuild(v, path + (str(i),), values, design) for i, v in enumerate(obj)]
    return obj


def gate_object(obj: dict, spec: TableSpec, *, name: str,
                gate_table: Callable[[pd.DataFrame, TableSpec], pd.DataFrame],
                settings: bool = True) -> dict:
    """The gated copy of the JSON-ready object ``obj``.

    ``gate_table(frame, spec)`` applies the rules to a frame and returns the published frame
    (the gate's own, so one artefact record collects every cell).
    """
    if not isinstance(obj, dict):
        raise UsageError(f"JSON artefact {name!r} must be an object, got {type(obj).__name__}")
    leaves: dict = {}
    tables: dict = {}
    undeclared: list = []
    _flatten(obj, spec, (), leaves, tables, undeclared)
    if undeclared:
        raise UsageError(f"JSON artefact {name!r}: key(s) {', '.join(undeclared)} have no "
                         "declared kind; declare every published key in its TableSpec")
    values: dict = {}
    if leaves:
        frame = pd.DataFrame({".".join(p): [v] for p, (_, _, v) in leaves.items()})
        published = gate_table(frame, _flat_spec(spec, leaves))
        for p in leaves:
            values[p] = to_jsonable(published[".".join(p)].iloc[0])
    for p, (sub, records) in tables.items():
        published = gate_table(pd.DataFrame.from_records(records), sub)
        values[p] = [to_jsonable(r) for r in published.to_dict(orient="records")]
    design = {p for p, (_, col, _) in leaves.items() if settings and col.kind == "design"}
    out = _rebuild(obj, (), values, design)
    if design:
        moved: dict = {}
        for p in sorted(design, key=list(leaves).index):
            _set(moved, p, values[p])
        current = out.get("settings")
        out["settings"] = {**current, **moved} if isinstance(current, dict) else moved
    return out
