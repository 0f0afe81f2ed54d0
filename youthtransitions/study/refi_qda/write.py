"""Write codes and youth-level results as a REFI-QDA project (``.qdpx``)."""

from __future__ import annotations

import io
import math
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from ..._atomic import atomic_write_bytes
from ...errors import UsageError
from ..codes import as_codes
from ..contract import ACTORS, DIMENSIONS, INSTANCES, LEVELS
from .layout import ACTOR_CODE, COUNTERFACTUAL_CODE, QDA_NAMESPACE, source_name

__all__ = ["write_qdpx"]

_NS = uuid.UUID("6f1d4c1e-8a4e-4f7e-9b1c-2d3e4f5a6b7c")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    """Text with the characters XML 1.0 cannot carry removed."""
    return _NOT_XML.sub("", str(value))


def _guid(*parts: Any) -> str:
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def _el(parent: ET.Element, tag: str, **attrs: Any) -> ET.Element:
    return ET.SubElement(parent, f"{{{QDA_NAMESPACE}}}{tag}",
                         {k: _xml_text(v) for k, v in attrs.items() if v is not None})


def _codebook(project: ET.Element) -> dict[tuple, str]:
    guids: dict[tuple, str] = {}
    codes = _el(_el(project, "CodeBook"), "Codes")
    for mech, dims in DIMENSIONS.items():
        m = _el(codes, "Code", guid=_guid("code", mech), name=mech, isCodable="false")
        for dim in dims:
            d = _el(m, "Code", guid=_guid("code", mech, dim), name=dim, isCodable="false")
            for level in LEVELS:
                g = _guid("code", mech, dim, level)
                _el(d, "Code", guid=g, name=str(level), isCodable="true")
                guids[(mech, dim, level)] = g
    guids[(COUNTERFACTUAL_CODE,)] = _guid("code", COUNTERFACTUAL_CODE)
    _el(codes, "Code", guid=guids[(COUNTERFACTUAL_CODE,)], name=COUNTERFACTUAL_CODE,
        isCodable="true")
    actor = _el(codes, "Code", guid=_guid("code", ACTOR_CODE), name=ACTOR_CODE,
                isCodable="false")
    for role in ACTORS:
        guids[(ACTOR_CODE, role)] = _guid("code", ACTOR_CODE, role)
        _el(actor, "Code", guid=guids[(ACTOR_CODE, role)], name=role, isCodable="true")
    return guids


def _variable_type(series: pd.Series) -> tuple[str, str]:
    if pd.api.types.is_bool_dtype(series):
        return "Boolean", "BooleanValue"
    if pd.api.types.is_integer_dtype(series):
        return "Integer", "IntegerValue"
    if pd.api.types.is_float_dtype(series):
        return "Float", "FloatValue"
    return "Text", "TextValue"


def _format_value(value: Any, tag: str) -> str:
    if tag == "BooleanValue":
        return "true" if bool(value) else "false"
    if tag == "IntegerValue":
        return str(int(value))
    if tag == "FloatValue":
        return repr(float(value))
    return _xml_text(value)


def _case_table(case_variables: pd.DataFrame | None) -> pd.DataFrame:
    if case_variables is None:
        return pd.DataFrame()
    if not isinstance(case_variables, pd.DataFrame):
        raise UsageError("case_variables must be a DataFrame with one row per youth")
    table = case_variables
    if "youth_id" in table.columns:
        table = table.set_index("youth_id")
    if table.index.has_duplicates:
        raise UsageError("case_variables has more than one row for some youth_id: "
                         f"{sorted(table.index[table.index.duplicated()].astype(str))[:5]}")
    table = table.copy()
    table.index = table.index.astype(str)
    return table


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _source_element(name: str, rows: list[dict[str, Any]], user_guid: dict[str, str],
                    code_guid: dict[tuple, str]) -> tuple[ET.Element, str]:
    """One TextSource with a selection per segment and coder, and its plain text."""
    sguid = _guid("source", name)
    src = ET.Element(f"{{{QDA_NAMESPACE}}}TextSource",
                     {"guid": sguid, "name": name, "plainTextPath": f"internal://{sguid}.txt"})
    text, positions = "", {}
    for row in rows:
        excerpt = row["excerpt"] or ""
        key = (row["segment_id"], excerpt)
        if key not in positions:
            positions[key] = (len(text), len(text) + len(excerpt))
            text += excerpt + "\n"
        start, end = positions[key]
        seg, coder = row["segment_id"], row["coder"]
        sel = _el(src, "PlainTextSelection", guid=_guid("sel", name, seg, coder), name=seg,
                  startPosition=start, endPosition=end, creatingUser=user_guid[coder])
        targets = [code_guid[(row["mechanism"], row["dimension"], int(row["level"]))]]
        if row["instance"] == INSTANCES[1]:
            targets.append(code_guid[(COUNTERFACTUAL_CODE,)])
        if row["actor"] is not None:
            targets.append(code_guid[(ACTOR_CODE, row["actor"])])
        for k, target in enumerate(targets):
            parts = ("coding", name, seg, coder) + ((k - 1,) if k else ())
            coding = _el(sel, "Coding", guid=_guid(*parts), creatingUser=user_guid[coder])
            _el(coding, "CodeRef", targetGUID=target)
    return src, text


def _add_member(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add a member with a fixed timestamp, so equal input gives equal bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def write_qdpx(path: str | Path, *, codes: Any, case_variables: pd.DataFrame | None = None,
               project_name: str = "youthtransitions") -> Path:
    """Write codes, and youth-level results as case variables, to a REFI-QDA project.

    Parameters
    ----------
    path : str or Path
        Output ``.qdpx`` file; written atomically (whole or not at all).
    codes : DataFrame, CodeImport or Study
        The contract's codes table.
    case_variables : pandas.DataFrame, optional
        One row per youth (a ``youth_id`` column or index), one column per variable, for
        example :func:`youthtransitions.qual.quantitize` features or survey scores. Booleans, integers, floats
        and text become REFI-QDA ``Boolean``, ``Integer``, ``Float`` and ``Text``
        variables; missing values are left out.
    project_name : str
        Name of the project shown in the QDA software.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    Layout (QDA-XML 1.0, ``Project.xsd`` of 18 March 2019): users are the coders; the
    codebook is ``mechanism/dimension/level`` plus ``counterfactual`` and ``actor/<role>``;
    one text source per youth, source type and wave, named ``<source>_w<wave>_<youth_id>``,
    whose plain text (``sources/<guid>.txt``) is the segments' excerpts one per line; one
    ``PlainTextSelection`` per segment and coder named by the segment_id, created by the
    coder; one case per youth (name = youth_id) with its sources and variables. GUIDs are
    UUID5 of the content, so the same input writes the same project. Reading it back with
    :func:`~youthtransitions.study.read_codes` returns the same codes (tested).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd, youthtransitions as yt
    >>> codes = pd.read_parquet(yt.SHIPPED_STUDY / "codes.parquet")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "codes.qdpx"
    >>> back = yt.read_codes(yt.write_qdpx(out, codes=codes))
    >>> len(back.codes) == len(codes), back.unmapped
    (True, [])
    """
    frame = as_codes(codes)
    table = _case_table(case_variables)
    ET.register_namespace("", QDA_NAMESPACE)
    project = ET.Element(f"{{{QDA_NAMESPACE}}}Project",
                         {"name": project_name, "origin": "youthtransitions"})
    users = _el(project, "Users")
    coders = sorted(frame["coder"].unique())
    user_guid = {c: _guid("user", c) for c in coders}
    for c in coders:
        _el(users, "User", guid=user_guid[c], name=c)
    code_guid = _codebook(project)
    var_types = {col: _variable_type(table[col]) for col in table.columns}
    if var_types:
        variables = _el(project, "Variables")
        for col, (kind, _) in var_types.items():
            _el(variables, "Variable", guid=_guid("variable", col), name=str(col),
                typeOfVariable=kind)
    texts: dict[str, str] = {}
    source_elems: list[ET.Element] = []
    youth_sources: dict[str, list[str]] = {}
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for rec in frame.to_dict("records"):
        groups.setdefault((rec["youth_id"], rec["source"], rec["wave"]), []).append(rec)
    for (youth, source, wave) in sorted(groups):
        name = source_name(source, wave, youth)
        src, text = _source_element(name, groups[(youth, source, wave)], user_guid, code_guid)
        youth_sources.setdefault(youth, []).append(src.get("guid"))
        source_elems.append(src)
        texts[src.get("guid")] = text
    case_ids = sorted(set(youth_sources) | set(table.index))
    if case_ids:
        cases = _el(project, "Cases")
        for youth in case_ids:
            case = _el(cases, "Case", guid=_guid("case", youth), name=youth)
            if youth in table.index:
                for col, (_, tag) in var_types.items():
                    value = table.at[youth, col]
                    if _is_missing(value):
                        continue
                    vv = _el(case, "VariableValue")
                    _el(vv, "VariableRef", targetGUID=_guid("variable", col))
                    _el(vv, tag).text = _format_value(value, tag)
            for sguid in youth_sources.get(youth, []):
                _el(case, "SourceRef", targetGUID=sguid)
    if source_elems:
        _el(project, "Sources").extend(source_elems)
    ET.indent(project)
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        _add_member(zf, "project.qde", xml)
        for sguid, text in texts.items():
            _add_member(zf, f"sources/{sguid}.txt", text.encode("utf-8"))
    path = Path(path)
    atomic_write_bytes(path, buffer.getvalue())
    return path
