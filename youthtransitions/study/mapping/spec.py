"""The import mapping format: a TOML file read into checked dataclasses.

A mapping names, per contract table, the raw export it comes from and how its columns become
the contract's (``docs/data-contract.md``, "Importing raw exports"). Every check happens here,
before any data are read, and each refusal is a :class:`~youthtransitions.errors.UsageError`
naming the mapping file and the TOML key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError
from ..coerce import normalise_label
from ..contract import ACTORS, CONTRACT, DIMENSIONS, ITEM_PATTERN, LEVELS, SCALE_PATTERN
from ..formats import FILE_FORMATS

__all__ = ["Mapping", "TableMap", "WidePattern", "ScaleDef", "CodeTarget", "read_mapping",
           "SOURCE_FORMATS", "TABLE_KEYS"]

#: raw file formats a mapping may read
SOURCE_FORMATS = ("csv", "parquet", "sav", "dta", "xlsx", "qdpx")
#: keys of a table section, for every table
TABLE_KEYS = ("file", "sheet", "value_labels", "rename", "rename_patterns", "values", "dates")
#: further keys of some sections
_EXTRA_KEYS = {"waves": ("wide",), "pmk": ("wide",), "scales": ("define",), "youth": (),
               "codes": ()}
_TOP_KEYS = ("study", *CONTRACT, "codebook")
_STUDY_KEYS = ("description", "synthetic")
_SCALE_KEYS = ("table", "items", "reverse", "min", "max")
_CODE_KEYS = ("mechanism", "dimension", "level", "counterfactual", "actor", "ignore")
_RANGE = re.compile(r"(?P<a>.*?)(?P<i>[0-9]+)\s*\.\.\s*(?P<b>.*?)(?P<j>[0-9]+)")


class _Where:
    """Names the mapping file and the TOML key in every refusal."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> UsageError:
        return UsageError(f"mapping {self.path.name}: [{key}] {message}")

    def keys(self, key: str, section: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(section, dict):
            raise self.fail(key, f"must be a table of keys, not {type(section).__name__}")
        unknown = [k for k in section if k not in allowed]
        if unknown:
            raise self.fail(key, f"unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")
        return section

    def typed(self, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {what}, not {value!r}")
        return value

    def strings(self, key: str, value: Any) -> dict[str, str]:
        self.keys(key, value, tuple(value) if isinstance(value, dict) else ())
        for k, v in value.items():
            self.typed(f"{key}.{k}", v, str, "a string")
        return dict(value)


@dataclass(frozen=True)
class WidePattern:
    """Columns of one variable per wave, such as ``RQ03_T2``: the pattern ``{name}_T{wave}``.

    ``{name}`` matches the variable's stem (renamed like any column), ``{wave}`` the wave
    number; the rest of the pattern is literal text.
    """

    text: str
    regex: re.Pattern[str]

    def split(self, column: str) -> tuple[str, int] | None:
        """``(stem, wave)`` of a per-wave column, ``None`` for any other column."""
        m = self.regex.fullmatch(column)
        return (m.group("name"), int(m.group("wave"))) if m else None


def _wide(where: _Where, key: str, text: Any) -> WidePattern:
    where.typed(key, text, str, 'a pattern such as "{name}_T{wave}"')
    if text.count("{name}") != 1 or text.count("{wave}") != 1:
        raise where.fail(key, f"pattern {text!r} must hold {{name}} and {{wave}} once each")
    regex = "".join({"{name}": "(?P<name>.+)", "{wave}": "(?P<wave>[0-9]+)"}.get(part)
                    or re.escape(part) for part in re.split(r"(\{name\}|\{wave\})", text))
    return WidePattern(text, re.compile(regex))


@dataclass(frozen=True)
class TableMap:
    """How one contract table is read from its raw export.

    Attributes
    ----------
    table : str
        Contract table.
    file : pathlib.Path
        The raw file (resolved against the mapping file's folder).
    sheet : str or int
        Excel sheet (name or 0-based position).
    value_labels : bool
        Replace SPSS/Stata value codes by their labels in category, boolean and text columns.
    rename : dict
        Raw column (or, for a wide table, the stem of a per-wave column) -> contract column.
    rename_patterns : tuple of (compiled regex, replacement)
        Renames by regular expression (whole name; ``\\1`` refers to a group) for names
        not in ``rename``; the first that matches is used.
    values : dict
        Contract column -> {raw value as text -> contract value}, after value labels.
    dates : dict
        Contract column -> ``strptime`` format of its text dates (``"%d/%m/%Y"``).
    wide : WidePattern or None
        One row per youth with a column per variable and wave (waves, pmk only).
    """

    table: str
    file: Path
    sheet: str | int = 0
    value_labels: bool = True
    rename: dict[str, str] = field(default_factory=dict)
    rename_patterns: tuple[tuple[re.Pattern[str], str], ...] = ()
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    wide: WidePattern | None = None

    @property
    def format(self) -> str:
        return FILE_FORMATS[self.file.suffix.lower()]

    def target(self, raw: str) -> str:
        """The contract name of a raw column (or stem): renamed, else itself."""
        if raw in self.rename:
            return self.rename[raw]
        for regex, replacement in self.rename_patterns:
            if regex.fullmatch(raw):
                return regex.sub(replacement, raw)
        return raw


def _table(where: _Where, name: str, section: Any) -> TableMap | None:
    where.keys(name, section, TABLE_KEYS + _EXTRA_KEYS[name])
    if "file" not in section:
        if name == "scales" and "define" in section:
            return None  # scales defined in the mapping only
        raise where.fail(name, "needs file = \"...\", the raw export (relative to the mapping)")
    file = where.path.parent / where.typed(f"{name}.file", section["file"], str, "a path")
    fmt = FILE_FORMATS.get(file.suffix.lower())
    if fmt not in SOURCE_FORMATS or (fmt == "qdpx" and name != "codes"):
        allowed = ".csv, .xlsx, .parquet, .sav, .zsav, .dta" + (", .qdpx" if name == "codes"
                                                                else "")
        raise where.fail(f"{name}.file", f"{section['file']!r}: unknown type {file.suffix!r}; "
                         f"use one of {allowed}")
    if not file.is_file():
        raise where.fail(f"{name}.file", f"{section['file']!r} does not exist (looked for "
                         f"{file})")
    sheet = where.typed(f"{name}.sheet", section.get("sheet", 0), (str, int),
                        "a sheet name or position")
    patterns = []
    for regex, replacement in where.strings(f"{name}.rename_patterns",
                                            section.get("rename_patterns", {})).items():
        try:
            patterns.append((re.compile(regex), replacement))
        except re.error as exc:
            raise where.fail(f"{name}.rename_patterns", f"{regex!r} is not a regular "
                             f"expression: {exc}") from None
    values = section.get("values", {})
    where.keys(f"{name}.values", values, tuple(values) if isinstance(values, dict) else ())
    for col, mapping in values.items():
        where.keys(f"{name}.values.{col}", mapping, tuple(mapping)
                   if isinstance(mapping, dict) else ())
    tm = TableMap(
        table=name, file=file, sheet=sheet,
        value_labels=where.typed(f"{name}.value_labels", section.get("value_labels", True),
                                 bool, "true or false"),
        rename=where.strings(f"{name}.rename", section.get("rename", {})),
        rename_patterns=tuple(patterns), values={c: dict(m) for c, m in values.items()},
        dates=where.strings(f"{name}.dates", section.get("dates", {})),
        wide=_wide(where, f"{name}.wide", section["wide"]) if "wide" in section else None)
    if name == "codes" and tm.format == "qdpx" and len(section) > 1:
        raise where.fail(name, "a REFI-QDA project takes only file = ...; map its code names "
                         "in [codebook]")
    return tm


@dataclass(frozen=True)
class ScaleDef:
    """One scale assigned its items in the mapping (``[scales.define.NAME]``)."""

    name: str
    table: str
    items: tuple[str, ...]
    reverse: tuple[str, ...]
    min: int
    max: int

    def rows(self) -> list[dict[str, Any]]:
        """Its rows of the contract's scales table."""
        return [{"scale": self.name, "table": self.table, "item": item,
                 "reverse": item in self.reverse, "min": self.min, "max": self.max}
                for item in self.items]


def _items(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    """Item names; ``"rq_01..rq_10"`` stands for rq_01, rq_02, ..., rq_10."""
    if isinstance(value, str):
        value = [value]
    where.typed(key, value, list, 'a list of item names or ranges ("rq_01..rq_10")')
    items: list[str] = []
    for entry in value:
        where.typed(key, entry, str, "an item name")
        m = _RANGE.fullmatch(entry)
        if m is None:
            items.append(entry.strip())
            continue
        if m["a"] != m["b"] or int(m["i"]) > int(m["j"]):
            raise where.fail(key, f"range {entry!r} must run up within one prefix, as "
                             "\"rq_01..rq_10\"")
        width = len(m["i"])
        items += [f"{m['a']}{k:0{width}d}" for k in range(int(m["i"]), int(m["j"]) + 1)]
    for item in items:
        if not ITEM_PATTERN.fullmatch(item):
            raise where.fail(key, f"item {item!r} is not <prefix>_<nn> (e.g. rq_01)")
    return tuple(items)


def _scale(where: _Where, name: str, section: Any) -> ScaleDef:
    key = f"scales.define.{name}"
    where.keys(key, section, _SCALE_KEYS)
    if not SCALE_PATTERN.fullmatch(name):
        raise where.fail(key, "a scale name starts with a letter and holds letters, digits, _")
    missing = [k for k in ("table", "items", "min", "max") if k not in section]
    if missing:
        raise where.fail(key, f"needs {', '.join(missing)}")
    table = where.typed(f"{key}.table", section["table"], str, '"waves" or "pmk"')
    if table not in ("waves", "pmk"):
        raise where.fail(f"{key}.table", f"must be \"waves\" or \"pmk\", not {table!r}")
    items = _items(where, f"{key}.items", section["items"])
    reverse = _items(where, f"{key}.reverse", section.get("reverse", []))
    stray = [r for r in reverse if r not in items]
    if stray:
        raise where.fail(f"{key}.reverse", f"{stray[0]!r} is not one of the scale's items")
    low = where.typed(f"{key}.min", section["min"], int, "a whole number")
    high = where.typed(f"{key}.max", section["max"], int, "a whole number")
    return ScaleDef(name, table, items, reverse, low, high)


@dataclass(frozen=True)
class CodeTarget:
    """What one code of a QDA project's codebook stands for.

    Exactly one of: a mechanism code (``mechanism``, ``dimension``, ``level``, optionally
    ``counterfactual``), an actor (``actor``), the counterfactual marker
    (``counterfactual = true`` alone), or a code left out on purpose (``ignore = true``).
    """

    mechanism: str | None = None
    dimension: str | None = None
    level: int | None = None
    counterfactual: bool = False
    actor: str | None = None
    ignore: bool = False

    def path(self) -> list[str]:
        """The code's path in the REFI-QDA layout (:mod:`..refi_qda.layout`)."""
        from ..refi_qda.layout import ACTOR_CODE, COUNTERFACTUAL_CODE

        if self.actor is not None:
            return [ACTOR_CODE, self.actor]
        marker = [COUNTERFACTUAL_CODE] if self.counterfactual else []
        if self.mechanism is None:
            return marker
        return marker + [self.mechanism, self.dimension, str(self.level)]

    def describe(self) -> str:
        if self.ignore:
            return "left out (ignore = true)"
        if self.actor is not None:
            return f"actor {self.actor}"
        if self.mechanism is None:
            return "counterfactual instance"
        text = f"{self.mechanism}/{self.dimension}/{self.level}"
        return text + (" (counterfactual)" if self.counterfactual else "")


def _code(where: _Where, name: str, section: Any) -> CodeTarget:
    key = f'codebook."{name}"'
    where.keys(key, section, _CODE_KEYS)
    given = {k: section[k] for k in _CODE_KEYS if k in section}
    for flag in ("counterfactual", "ignore"):
        where.typed(f"{key}.{flag}", given.get(flag, False), bool, "true or false")
    if given.get("ignore"):
        if len(given) > 1:
            raise where.fail(key, "ignore = true takes no other key")
        return CodeTarget(ignore=True)
    if "actor" in given:
        actor = normalise_label(where.typed(f"{key}.actor", given["actor"], str, "an actor"))
        if actor not in ACTORS:
            raise where.fail(f"{key}.actor", f"{given['actor']!r} is not one of "
                             f"{', '.join(ACTORS)}")
        if len(given) > 1:
            raise where.fail(key, "an actor code takes no other key; code the mechanism with "
                             "its own code")
        return CodeTarget(actor=actor)
    mech_keys = [k for k in ("mechanism", "dimension", "level") if k in given]
    if not mech_keys:
        if given.get("counterfactual"):
            return CodeTarget(counterfactual=True)
        raise where.fail(key, "maps to nothing: give mechanism, dimension and level, actor, "
                         "counterfactual = true, or ignore = true")
    missing = [k for k in ("mechanism", "dimension", "level") if k not in given]
    if missing:
        raise where.fail(key, f"a mechanism code needs mechanism, dimension and level; "
                         f"missing {', '.join(missing)}")
    mech = normalise_label(where.typed(f"{key}.mechanism", given["mechanism"], str, "a name"))
    if mech not in DIMENSIONS:
        raise where.fail(f"{key}.mechanism", f"{given['mechanism']!r} is not one of "
                         f"{', '.join(DIMENSIONS)}")
    dim = normalise_label(where.typed(f"{key}.dimension", given["dimension"], str, "a name"))
    if dim not in DIMENSIONS[mech]:
        raise where.fail(f"{key}.dimension", f"{given['dimension']!r} is not a dimension of "
                         f"{mech} ({', '.join(DIMENSIONS[mech])})")
    level = where.typed(f"{key}.level", given["level"], int, "0, 1 or 2")
    if level not in LEVELS:
        raise where.fail(f"{key}.level", f"must be one of {', '.join(map(str, LEVELS))}, "
                         f"not {level}")
    return CodeTarget(mech, dim, level, bool(given.get("counterfactual", False)))


@dataclass(frozen=True)
class Mapping:
    """A whole import mapping (:func:`read_mapping`).

    Attributes
    ----------
    path : pathlib.Path
        The mapping file; raw file paths are relative to its folder.
    description : str or None
        Written as the study's description.
    synthetic : bool
        The raw exports are synthetic (never a real person's data); marks the study so.
    tables : dict of str to TableMap
        Per contract table read from a file (``scales`` only when a scales sheet is given).
    scales : tuple of ScaleDef
        Scales whose items the mapping assigns (``[scales.define.NAME]``), after the sheet's.
    codebook : dict of str to CodeTarget
        A QDA project's code (its name, or its path ``Parent/Child``) -> what it stands for.
    """

    path: Path
    tables: dict[str, TableMap]
    scales: tuple[ScaleDef, ...] = ()
    codebook: dict[str, CodeTarget] = field(default_factory=dict)
    description: str | None = None
    synthetic: bool = False


def read_mapping(path: str | Path) -> Mapping:
    """Read and check an import mapping (TOML).

    Raises
    ------
    UsageError
        The file is missing or not TOML, or a key is unknown, missing or holds a bad value;
        the message names the TOML key.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"mapping file {str(path)!r} does not exist")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"mapping {path.name} is not valid TOML: {exc}") from None
    where = _Where(path)
    unknown = [k for k in doc if k not in _TOP_KEYS]
    if unknown:
        raise where.fail(unknown[0], f"unknown section; allowed: {', '.join(_TOP_KEYS)}")
    study = where.keys("study", doc.get("study", {}), _STUDY_KEYS)
    for name in ("youth", "waves", "scales"):
        if name not in doc:
            raise where.fail(name, f"missing: the {name} table is required")
    tables = {name: _table(where, name, doc[name]) for name in CONTRACT if name in doc}
    tables = {name: tm for name, tm in tables.items() if tm is not None}
    defines = where.keys("scales.define", doc["scales"].get("define", {}),
                         tuple(doc["scales"].get("define", {})))
    codebook = doc.get("codebook", {})
    where.keys("codebook", codebook, tuple(codebook) if isinstance(codebook, dict) else ())
    if codebook and ("codes" not in tables or tables["codes"].format != "qdpx"):
        raise where.fail("codebook", "maps the codes of a REFI-QDA project: give [codes] "
                         "file = \"....qdpx\"")
    return Mapping(
        path=path, tables=tables,
        scales=tuple(_scale(where, n, s) for n, s in defines.items()),
        codebook={name.strip(): _code(where, name, s) for name, s in codebook.items()},
        description=where.typed("study.description", study.get("description", ""), str,
                                "a string") or None,
        synthetic=where.typed("study.synthetic", study.get("synthetic", False), bool,
                              "true or false"))
