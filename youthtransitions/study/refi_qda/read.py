"""Read mechanism codes from a REFI-QDA project (``.qdpx``, or a bare QDA-XML ``.qde``).

The REFI-QDA exchange standard (QDA-XML 1.0, "Project.xsd", 18 March 2019) is what NVivo,
ATLAS.ti, MAXQDA and QualCoder export. A ``.qdpx`` file is a zip archive holding
``project.qde`` (the XML) and the source documents under ``sources/``.

Mapping (data contract, "REFI-QDA (.qdpx) mapping"; names in :mod:`.layout`):

* a code's path in the codebook is ``mechanism/dimension/level`` (``power/care/2``);
* a code named ``counterfactual``, anywhere in the tree, marks the instance counterfactual;
* a code ``actor/<role>`` on the same selection gives the actor;
* a case's name is the youth_id (the case lists its sources with ``SourceRef``);
* a source's name starts with its source type and carries the wave as ``w1``/``w2``/``w3``;
* the coder is the selection's creating user (user GUIDs resolved to names);
* the excerpt is the selected text (``PlainTextSelection`` character positions into the
  source's plain text, inline or in ``sources/`` inside the archive).

Anything that cannot be mapped is listed in the returned ``unmapped`` descriptions.

Safety (:mod:`.archive`; limits in :data:`LIMITS`, stated for users in ``docs/qualitative.md``): the archive
is read in memory (nothing is extracted) and its size is limited; member names with absolute
paths, ``..``, backslashes or drive letters are rejected, and so are two members whose names
differ only in case (``project.qde`` beside ``PROJECT.QDE``: which one a tool reads would
differ); the number of members, every member's size and compression ratio, and the total
uncompressed size are limited (zip bombs); each member is read at most once however many
sources refer to it; an excerpt is cut to ``excerpt_chars`` characters and the excerpts of an
archive together to ``excerpt_total``; the codebook is walked without recursion and may nest
codes ``depth`` deep. The XML is parsed by :mod:`defusedxml` with DTDs, entities and external
references forbidden (XXE, billion laughs). Every refusal is a
:class:`~youthtransitions.errors.StudyDataError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import UsageError
from ..contract import ACTORS, CODE_COLUMNS, DIMENSIONS, ID_PATTERN, INSTANCES, LEVELS, SOURCES
from .archive import LIMITS, Archive, check_member_name, fail, open_archive, read_file
from .layout import ACTOR_CODE, COUNTERFACTUAL_CODE, WAVE_IN_NAME

__all__ = ["read_qdpx", "parse_qdpx", "QdpxProject", "LIMITS"]

_ID = re.compile(f"^{ID_PATTERN.pattern}$")


@dataclass
class QdpxProject:
    """What was read from a REFI-QDA project.

    Attributes
    ----------
    codes : pandas.DataFrame
        The contract's codes table (:data:`CODE_COLUMNS`).
    unmapped : list of str
        One description per item that could not be mapped to the contract.
    case_variables : pandas.DataFrame
        One row per case (index ``youth_id``), one column per case variable.
    """

    codes: pd.DataFrame
    unmapped: list[str] = field(default_factory=list)
    case_variables: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------- XML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem, name: str) -> list:
    return [c for c in elem if _local(c.tag) == name]


def _child(elem, name: str):
    found = _children(elem, name)
    return found[0] if found else None


def _parse_xml(path: Path, data: bytes):
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise fail(path, "project XML declares a DTD or entities, which are refused "
                          f"for safety ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise fail(path, f"project XML is malformed ({exc})") from exc
    if _local(root.tag) != "Project":
        raise fail(path, f"root element is <{_local(root.tag)}>, not <Project>")
    return root


def _code_paths(path: Path, root, rename: Callable[[list[str]], list[str]] | None = None
                ) -> dict[str, list[str]]:
    """Map each code GUID to its path of names from the top of the codebook.

    Walked with an explicit stack, so a deep codebook cannot exhaust Python's recursion;
    codes nested deeper than ``LIMITS["depth"]`` refuse the project. ``rename`` (a project's
    own codebook translated to the layout's paths) sees every code's path once.
    """
    paths: dict[str, list[str]] = {}
    book = _child(root, "CodeBook")
    codes = _child(book, "Codes") if book is not None else None
    stack = [(codes, [])] if codes is not None else []
    while stack:
        elem, prefix = stack.pop()
        for code in reversed(_children(elem, "Code")):
            p = prefix + [code.get("name", "").strip()]
            if len(p) > LIMITS["depth"]:
                raise fail(path, f"codebook nests codes more than {LIMITS['depth']} deep")
            if code.get("guid"):
                paths[code.get("guid")] = rename(p) if rename else p
            stack.append((code, p))
    return paths


def _source_text(path: Path, source, archive: Archive, unmapped: list[str]) -> str | None:
    content = _child(source, "PlainTextContent")
    if content is not None:
        return content.text or ""
    ref = source.get("plainTextPath")
    if not ref:
        return None
    if not ref.startswith("internal://"):
        unmapped.append(f"source {source.get('name')!r}: text at {ref!r} is outside the "
                        "archive and is not read; excerpts left empty")
        return None
    name = ref[len("internal://"):]
    check_member_name(path, name)
    members = archive.members
    info = members.get(f"sources/{name}".lower()) or members.get(name.lower())
    if info is None:
        unmapped.append(f"source {source.get('name')!r}: text {ref!r} missing from the "
                        "archive; excerpts left empty")
        return None
    return archive.text(info)


def _source_meta(name: str) -> tuple[str | None, int | None]:
    low = name.strip().lower()
    kind = next((s for s in SOURCES if low.startswith(s)), None)
    m = WAVE_IN_NAME.search(name)
    return kind, (int(m.group(1)) if m else None)


def _case_owners(root, unmapped: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """youth_id of each source (``SourceRef``) and of each selection (``SelectionRef``)."""
    owners: tuple[dict[str, str], dict[str, str]] = ({}, {})
    cases = _child(root, "Cases")
    for case in (_children(cases, "Case") if cases is not None else []):
        name = (case.get("name") or "").strip()
        refs = [(0, r.get("targetGUID")) for r in _children(case, "SourceRef")] + \
               [(1, r.get("targetGUID")) for r in _children(case, "SelectionRef")]
        if not _ID.match(name):
            unmapped.append(f"case {name!r}: name is not a valid youth_id; its "
                            f"{len(refs)} source/selection reference(s) are not mapped")
            continue
        n_codes = len(_children(case, "CodeRef"))
        if n_codes:
            unmapped.append(f"case {name!r}: {n_codes} code(s) on the case itself; only "
                            "codes on text selections are mapped")
        for kind, guid in refs:
            owner = owners[kind]
            if guid in owner and owner[guid] != name:
                unmapped.append(f"{('source', 'selection')[kind]} {guid}: listed in cases "
                                f"{owner[guid]!r} and {name!r}; first kept")
                continue
            owner[guid] = name
    return owners


def _case_variables(root, unmapped: list[str]) -> pd.DataFrame:
    variables = _child(root, "Variables")
    names = {v.get("guid"): (v.get("name"), v.get("typeOfVariable", "Text"))
             for v in (_children(variables, "Variable") if variables is not None else [])}
    rows: dict[str, dict[str, Any]] = {}
    cases = _child(root, "Cases")
    for case in (_children(cases, "Case") if cases is not None else []):
        row = rows.setdefault((case.get("name") or "").strip(), {})
        for vv in _children(case, "VariableValue"):
            ref = _child(vv, "VariableRef")
            if ref is None or ref.get("targetGUID") not in names:
                continue
            name, kind = names[ref.get("targetGUID")]
            for value_elem in vv:
                tag = _local(value_elem.tag)
                if not tag.endswith("Value"):
                    continue
                try:
                    row[name] = _typed(value_elem.text, tag)
                except ValueError:
                    unmapped.append(f"case {case.get('name')!r}: variable {name!r} value "
                                    f"{value_elem.text!r} is not a valid <{tag}>; left out")
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "youth_id"
    return frame


def _typed(text: str | None, tag: str) -> Any:
    """A case variable's value as its QDA-XML type; ``ValueError`` when it is not one."""
    if text is None:
        return None
    text = text.strip()
    if tag == "BooleanValue":  # xsd:boolean: true, false, 1 or 0
        word = text.lower()
        if word not in ("true", "false", "1", "0"):
            raise ValueError(f"{text!r} is not a boolean (true, false, 1 or 0)")
        return word in ("true", "1")
    if tag == "IntegerValue":
        return int(text)
    if tag == "FloatValue":
        return float(text)
    return text


def _map_selection(sel, paths, users, unmapped, where) -> list[dict[str, Any]] | None:
    """Turn one PlainTextSelection's codings into contract rows (one per mechanism code)."""
    mech_codes: list[tuple[str, str, int]] = []
    counterfactual = False
    actors: list[str] = []
    coder_guid = sel.get("creatingUser")
    for coding in _children(sel, "Coding"):
        coder_guid = coder_guid or coding.get("creatingUser")
        for ref in _children(coding, "CodeRef"):
            p = paths.get(ref.get("targetGUID"))
            if p is None:
                unmapped.append(f"{where}: coding refers to unknown code "
                                f"{ref.get('targetGUID')!r}")
                continue
            low = [s.lower() for s in p]
            if COUNTERFACTUAL_CODE in low:
                counterfactual = True
                low = [s for s in low if s != COUNTERFACTUAL_CODE]
                if not low:
                    continue
            if len(low) == 2 and low[0] == ACTOR_CODE and low[1] in ACTORS:
                actors.append(low[1])
            elif (len(low) == 3 and low[0] in DIMENSIONS and low[1] in DIMENSIONS[low[0]]
                  and low[2] in {str(v) for v in LEVELS}):
                mech_codes.append((low[0], low[1], int(low[2])))
            else:
                unmapped.append(f"{where}: code {'/'.join(p)!r} is not "
                                "mechanism/dimension/level, actor/<role> or counterfactual")
    mech_codes = list(dict.fromkeys(mech_codes))  # the same code twice counts once
    if not mech_codes:
        unmapped.append(f"{where}: selection carries no mechanism/dimension/level code")
        return None
    if coder_guid is None:
        unmapped.append(f"{where}: selection has no creating user, so no coder")
        return None
    coder = users.get(coder_guid)
    if coder is None:
        unmapped.append(f"{where}: creating user {coder_guid!r} not listed in <Users>; "
                        "the GUID is used as the coder")
        coder = coder_guid
    if len(set(actors)) > 1:
        unmapped.append(f"{where}: several actor codes {sorted(set(actors))}; first kept")
    return [{"coder": coder, "mechanism": m, "dimension": d, "level": lv,
             "instance": INSTANCES[1] if counterfactual else INSTANCES[0],
             "actor": actors[0] if actors else None} for m, d, lv in mech_codes]


def _segment_id(sel, k: int, n: int) -> str:
    base = (sel.get("name") or "").strip()
    if not _ID.match(base):
        base = re.sub(r"[^A-Za-z0-9_-]", "", sel.get("guid", ""))[:60] or "segment"
    return base if n == 1 else f"{base[:60]}-{k + 1}"


def _excerpt(sel, text: str | None, where: str, unmapped: list[str],
             archive: Archive) -> str | None:
    """The selected text, cut to ``LIMITS["excerpt_chars"]``; only that much is copied."""
    if text is None:
        return None
    try:
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    except (TypeError, ValueError):
        start = end = -1
    if not 0 <= start <= end <= len(text):
        unmapped.append(f"{where}: positions outside the source text; excerpt left empty")
        return None
    cap = LIMITS["excerpt_chars"]
    if end - start > cap:
        archive.cut.append(where)
        end = start + cap
    archive.excerpt_chars += end - start
    if archive.excerpt_chars > LIMITS["excerpt_total"]:
        raise fail(archive.path, f"excerpts total more than {LIMITS['excerpt_total']} "
                                  "characters")
    return text[start:end] or None


def _map_source(path, src, paths, users, owners, archive: Archive,
                unmapped: list[str]) -> list[dict[str, Any]]:
    """Contract rows of one source's selections (problems go to ``unmapped``)."""
    name = src.get("name") or src.get("guid") or "?"
    if _local(src.tag) != "TextSource":
        n_sel = sum(1 for c in src.iter() if _local(c.tag).endswith("Selection"))
        if n_sel:
            unmapped.append(f"source {name!r}: {_local(src.tag)} with {n_sel} "
                            "selection(s); only text sources are mapped")
        return []
    whole = len(_children(src, "Coding"))
    if whole:
        unmapped.append(f"source {name!r}: {whole} coding(s) of the whole source (no "
                        "selection); only codes on selections are mapped")
    selections = _children(src, "PlainTextSelection")
    if not selections:
        return []
    kind, wave = _source_meta(name)
    youth_of_source = owners[0].get(src.get("guid"))
    unowned = [s for s in selections if owners[1].get(s.get("guid"), youth_of_source) is None]
    problems = []
    if kind is None:
        problems.append(f"name does not start with one of {', '.join(SOURCES)}")
    if wave is None:
        problems.append("name carries no wave w1, w2 or w3")
    if unowned:
        problems.append("no case (youth_id) lists it")
    if problems:
        lost = len(selections) if (kind is None or wave is None) else len(unowned)
        unmapped.append(f"source {name!r}: {'; '.join(problems)}; {lost} of its "
                        f"{len(selections)} selection(s) are not mapped")
        if kind is None or wave is None:
            return []
    text = _source_text(path, src, archive, unmapped)
    rows: list[dict[str, Any]] = []
    for sel in selections:
        youth = owners[1].get(sel.get("guid"), youth_of_source)
        if youth is None:
            continue
        where = f"source {name!r} selection {sel.get('name') or sel.get('guid')!r}"
        mapped = _map_selection(sel, paths, users, unmapped, where)
        if mapped is None:
            continue
        excerpt = _excerpt(sel, text, where, unmapped, archive)
        for k, row in enumerate(mapped):
            row.update(segment_id=_segment_id(sel, k, len(mapped)), youth_id=youth,
                       source=kind, wave=wave, excerpt=excerpt)
            rows.append(row)
    return rows


def parse_qdpx(path: str | Path, *, rename: Callable[[list[str]], list[str]] | None = None
               ) -> QdpxProject:
    """Read a ``.qdpx`` archive or a bare ``.qde`` QDA-XML file; see the module notes.

    ``rename`` maps a code's path of names to the path it is read as (for a codebook that
    names its codes its own way); by default a code is read by its own path.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"REFI-QDA project {path} does not exist or is not a file")
    archive = Archive(path)
    if path.suffix.lower() == ".qde":
        data = read_file(path, LIMITS["member_bytes"], "the project file")
    else:
        data, archive.members, archive.zf = open_archive(path)
    root = _parse_xml(path, data)
    del data  # the parsed tree holds what is needed
    unmapped: list[str] = []
    users_elem = _child(root, "Users")
    users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid"))
             for u in (_children(users_elem, "User") if users_elem is not None else [])}
    paths = _code_paths(path, root, rename)
    owners = _case_owners(root, unmapped)
    rows: list[dict[str, Any]] = []
    sources = _child(root, "Sources")
    for src in (list(sources) if sources is not None else []):
        rows += _map_source(path, src, paths, users, owners, archive, unmapped)
    if archive.cut:
        unmapped.append(f"{len(archive.cut)} excerpt(s) longer than {LIMITS['excerpt_chars']} "
                        f"characters cut to their first {LIMITS['excerpt_chars']} (the first: "
                        f"{archive.cut[0]})")
    codes = pd.DataFrame(rows, columns=CODE_COLUMNS)
    codes = codes.astype({"level": "int64", "wave": "int64"}) if len(codes) else codes
    return QdpxProject(codes=codes, unmapped=unmapped,
                       case_variables=_case_variables(root, unmapped))


def read_qdpx(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Read the codes of a REFI-QDA project.

    Parameters
    ----------
    path : str or Path
        A ``.qdpx`` archive, or a bare QDA-XML ``.qde`` file.

    Returns
    -------
    codes : pandas.DataFrame
        The contract's codes table, columns :data:`CODE_COLUMNS`.
    unmapped : list of str
        A description of every item that could not be mapped (never dropped silently).

    Raises
    ------
    StudyDataError
        Not a zip, damaged, path traversal, too many or too large members, no
        ``project.qde``, malformed XML, or XML with a DTD/entities.

    Notes
    -----
    Mapping: see the module docstring and the data contract. Checked by round trip of
    projects written by :func:`~youthtransitions.study.refi_qda.write_qdpx`, a hand-written
    QDA-XML 1.0 project, and hostile files (``tests/study/test_qdpx.py``).
    """
    project = parse_qdpx(path)
    return project.codes, project.unmapped
