"""The study data contract as data: every table's columns, types, categories and rules.

Reading (:mod:`.readers`), dtype coercion (:mod:`.coerce`) and validation (:mod:`.validate`)
all read these definitions, so the contract is stated once. The user-facing version is
``docs/data-contract.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Column", "TableSpec", "CONTRACT", "TABLES", "TABLE_ORDER", "ID_PATTERN", "ITEM_PATTERN",
    "SCALE_PATTERN", "REQUIRED_SCALES", "DIMENSIONS", "WAVES", "SERVICES", "FORMATS",
    "MSU_MIN_SERVICES", "SCORE_MIN_ANSWERED", "MECHANISMS", "MECH_DIMS", "SOURCES", "LEVELS",
    "INSTANCES", "ACTORS", "CODE_COLUMNS",
]

#: identifiers (youth_id, segment_id, worker_id): letters, digits, ``_`` and ``-``, 1 to 64 characters
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: Likert item columns: ``<prefix>_<nn>``
ITEM_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_[0-9]{1,3}")
#: scale names become column names: a letter, then letters, digits and ``_``
SCALE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")

#: the three annual survey waves
WAVES = (1, 2, 3)
#: the four service systems; a multiple-service user (MSU) used two or more of them
SERVICES = ("svc_welfare", "svc_justice", "svc_mental_health", "svc_alt_education")
MSU_MIN_SERVICES = 2
#: a scale score needs at least this share of its items answered
SCORE_MIN_ANSWERED = 0.8

#: scales every study must define, per table
REQUIRED_SCALES = {
    "waves": ("relationship_quality", "resilience", "contextual_risk", "individual_risk",
              "wellbeing"),
    "pmk": ("pmk_relationship", "pmk_functioning"),
}

# The mechanism vocabulary of the codes table: what a coded segment may say.
#: mechanism -> the dimensions it may be coded on
DIMENSIONS = {
    "power": ("care", "control"),
    "recognition": ("recognition",),
    "responsiveness": ("responsiveness",),
    "mutuality": ("friend_like", "professional"),
}
#: the four relational mechanisms, in codebook order
MECHANISMS = tuple(DIMENSIONS)
#: every (mechanism, dimension) pair, in codebook order
MECH_DIMS = tuple((m, d) for m in MECHANISMS for d in DIMENSIONS[m])
#: where a coded segment comes from
SOURCES = ("youth_interview", "pmk_interview", "case_summary")
#: levels a dimension is coded at
LEVELS = (0, 1, 2)
#: whether a segment confirms the mechanism or is a counterfactual instance
INSTANCES = ("confirmatory", "counterfactual")
#: the service actor a segment names (may be missing)
ACTORS = ("social_worker", "youth_worker", "justice", "income_support", "health", "education",
          "other")

#: file formats per table, in the order they are looked for
FORMATS = ("parquet", "csv", "sav", "dta")


@dataclass(frozen=True)
class Column:
    """One contract column.

    Attributes
    ----------
    name : str
        Column name.
    kind : {"id", "bool", "category", "float", "int", "date", "name", "text"}
        Contract type; decides the coercion and the dtype in the loaded table.
    required : bool
        The column must be present.
    nullable : bool
        Empty cells are allowed.
    categories : tuple of str, optional
        Allowed values of a category (lower case; input is matched case-insensitively).
    low, high : float, optional
        Inclusive range of a number.
    allowed : tuple of int, optional
        Allowed values of an integer column.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    categories: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    allowed: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TableSpec:
    """One contract table: its columns, whether it is required, and whether it holds items."""

    name: str
    columns: tuple[Column, ...]
    required: bool
    has_items: bool = False
    key: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None


_WAVE = Column("wave", "int", allowed=WAVES)

CONTRACT: dict[str, TableSpec] = {
    "youth": TableSpec("youth", (
        Column("youth_id", "id"),
        *(Column(s, "bool") for s in SERVICES),
        Column("msu", "bool", required=False, nullable=True),
        Column("gender", "category", nullable=True, categories=("female", "male", "another")),
        Column("ethnicity", "category", nullable=True,
               categories=("maori", "pakeha", "pasifika", "other")),
        Column("age_w1", "float", nullable=True, low=10.0, high=25.0),
        Column("pmk_nominated", "bool"),
        Column("qual_subsample", "bool"),
    ), required=True, key=("youth_id",)),
    "waves": TableSpec("waves", (
        Column("youth_id", "id"),
        _WAVE,
        Column("interview_date", "date", nullable=True),
        # the professional the youth named at that wave; missing where none was named
        Column("worker_id", "id", required=False, nullable=True),
        # 0/1: the youth reported a positive change at that wave
        Column("positive_change", "int", required=False, nullable=True, allowed=(0, 1)),
    ), required=True, has_items=True, key=("youth_id", "wave")),
    "pmk": TableSpec("pmk", (
        Column("youth_id", "id"),
        _WAVE,
        Column("pmk_role", "category", nullable=True,
               categories=("parent", "whanau", "caregiver", "worker", "other")),
    ), required=False, has_items=True, key=("youth_id", "wave")),
    "scales": TableSpec("scales", (
        Column("scale", "name"),
        Column("table", "category", categories=("waves", "pmk")),
        Column("item", "name"),
        Column("reverse", "bool"),
        Column("min", "int"),
        Column("max", "int"),
    ), required=True, key=("table", "item")),
    "codes": TableSpec("codes", (
        Column("segment_id", "id"),
        Column("youth_id", "id"),
        Column("source", "category", categories=SOURCES),
        _WAVE,
        Column("coder", "name"),
        Column("mechanism", "category", categories=MECHANISMS),
        Column("dimension", "category", categories=tuple(d for _, d in MECH_DIMS)),
        Column("level", "int", allowed=LEVELS),
        Column("instance", "category", categories=INSTANCES),
        Column("actor", "category", required=False, nullable=True, categories=ACTORS),
        Column("excerpt", "text", required=False, nullable=True),
    ), required=False, key=("coder", "segment_id")),
}

#: contract tables in reading order
TABLES = tuple(CONTRACT)
TABLE_ORDER = {name: i for i, name in enumerate(TABLES)}
#: columns of the codes table, in order
CODE_COLUMNS = list(CONTRACT["codes"].names)
