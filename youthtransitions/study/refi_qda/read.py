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

Safety: the archive is read in memory (nothing is extracted); member names with absolute
paths, ``..``, backslashes or drive letters are rejected; the number of members, each member's
size, the total uncompressed size and the compression ratio are limited (zip bombs); the XML
is parsed by :mod:`defusedxml` with DTDs, entities and external references forbidden (XXE,
billion laughs). Every refusal is a :class:`~youthtransitions.errors.StudyDataError`.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from ...errors import Problem, StudyDataError, UsageError
from ..contract import ACTORS, CODE_COLUMNS, DIMENSIONS, ID_PATTERN, INSTANCES, LEVELS, SOURCES
from .layout import ACTOR_CODE, COUNTERFACTUAL_CODE, WAVE_IN_NAME

__all__ = ["read_qdpx", "parse_qdpx", "QdpxProject", "LIMITS"]

#: safety limits for archives
LIMITS = {"members": 10_000, "member_bytes": 256 * 2**20, "total_bytes": 1024 * 2**20,
          "ratio": 200}

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


def _fail(path: Path, rule: str, value: Any = None) -> StudyDataError:
    return StudyDataError(Problem(path.name, None, None, value, rule),
                          f"cannot read REFI-QDA project {path}: {rule}")


# --------------------------------------------------------------------------- archive


def _check_member_name(path: Path, name: str) -> None:
    bad = ("\x00" in name or "\\" in name or name.startswith("/")
           or re.match(r"^[A-Za-z]:", name) is not None
           or ".." in PurePosixPath(name).parts)
    if bad:
        raise _fail(path, "archive member name escapes the archive (path traversal)", name)


def _read_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    limit = LIMITS["member_bytes"]
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as exc:
        raise _fail(path, f"archive member cannot be read ({exc})", info.filename) from exc
    if len(data) > limit:
        raise _fail(path, f"archive member is larger than {limit} bytes", info.filename)
    return data


def _open_archive(path: Path) -> tuple[bytes, dict[str, zipfile.ZipInfo], zipfile.ZipFile]:
    raw = path.read_bytes()
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise _fail(path, "not a zip archive, or a truncated one (a .qdpx project is a zip "
                          "file)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _fail(path, f"damaged zip archive ({exc})") from exc
    if len(infos) > LIMITS["members"]:
        raise _fail(path, f"archive has {len(infos)} members, more than {LIMITS['members']}")
    total = 0
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_member_name(path, info.filename)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > LIMITS["ratio"]:
            raise _fail(path, f"archive member expands {ratio:.0f}-fold (zip bomb?)",
                        info.filename)
        if not info.is_dir():
            members[info.filename.lower()] = info
    if total > LIMITS["total_bytes"]:
        raise _fail(path, f"archive expands to {total} bytes, more than "
                          f"{LIMITS['total_bytes']}")
    qde = [n for n in members if PurePosixPath(n).suffix == ".qde" and "/" not in n]
    if "project.qde" in members:
        qde = ["project.qde"]
    if len(qde) != 1:
        raise _fail(path, "archive has no project.qde at its top level")
    return _read_member(path, zf, members[qde[0]]), members, zf


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
        raise _fail(path, "project XML declares a DTD or entities, which are refused "
                          f"for safety ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise _fail(path, f"project XML is malformed ({exc})") from exc
    if _local(root.tag) != "Project":
        raise _fail(path, f"root element is <{_local(root.tag)}>, not <Project>")
    return root


def _code_paths(root) -> dict[str, list[str]]:
    """Map each code GUID to its path of names from the top of the codebook."""
    paths: dict[str, list[str]] = {}

    def walk(elem, prefix: list[str]) -> None:
        for code in _children(elem, "Code"):
            p = prefix + [code.get("name", "").strip()]
            if code.get("guid"):
                paths[code.get("guid")] = p
            walk(code, p)

    book = _child(root, "CodeBook")
    codes = _child(book, "Codes") if book is not None else None
    if codes is not None:
        walk(codes, [])
    return paths


def _source_text(path: Path, source, members, zf, unmapped: list[str]) -> str | None:
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
    _check_member_name(path, name)
    info = members.get(f"sources/{name}".lower()) or members.get(name.lower())
    if info is None:
        unmapped.append(f"source {source.get('name')!r}: text {ref!r} missing from the "
                        "archive; excerpts left empty")
        return None
    data = _read_member(path, zf, info)
    return data.decode("utf-8-sig", errors="replace")


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
    if tag == "BooleanValue":
        return text.lower() in ("true", "1")
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


def _excerpt(sel, text: str | None, where: str, unmapped: list[str]) -> str | None:
    if text is None:
        return None
    try:
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    except (TypeError, ValueError):
        start = end = -1
    if 0 <= start <= end <= len(text):
        return text[start:end] or None
    unmapped.append(f"{where}: positions outside the source text; excerpt left empty")
    return None


def _map_source(path, src, paths, users, owners, members, zf,
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
    text = _source_text(path, src, members, zf, unmapped)
    rows: list[dict[str, Any]] = []
    for sel in selections:
        youth = owners[1].get(sel.get("guid"), youth_of_source)
        if youth is None:
            continue
        where = f"source {name!r} selection {sel.get('name') or sel.get('guid')!r}"
        mapped = _map_selection(sel, paths, users, unmapped, where)
        if mapped is None:
            continue
        excerpt = _excerpt(sel, text, where, unmapped)
        for k, row in enumerate(mapped):
            row.update(segment_id=_segment_id(sel, k, len(mapped)), youth_id=youth,
                       source=kind, wave=wave, excerpt=excerpt)
            rows.append(row)
    return rows


def parse_qdpx(path: str | Path) -> QdpxProject:
    """Read a ``.qdpx`` archive or a bare ``.qde`` QDA-XML file; see the module notes."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"REFI-QDA project {path} does not exist or is not a file")
    members: dict[str, zipfile.ZipInfo] = {}
    zf = None
    if path.suffix.lower() == ".qde":
        data = path.read_bytes()
    else:
        data, members, zf = _open_archive(path)
    root = _parse_xml(path, data)
    unmapped: list[str] = []
    users_elem = _child(root, "Users")
    users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid"))
             for u in (_children(users_elem, "User") if users_elem is not None else [])}
    paths = _code_paths(root)
    owners = _case_owners(root, unmapped)
    rows: list[dict[str, Any]] = []
    sources = _child(root, "Sources")
    for src in (list(sources) if sources is not None else []):
        rows += _map_source(path, src, paths, users, owners, members, zf, unmapped)
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
