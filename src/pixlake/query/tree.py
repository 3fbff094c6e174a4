"""The tree a query parses into: comparisons of fields with values, joined by and, or, not.

Every node keeps the position (0-based index into the query text) and the text of the token
it came from, so that a later check (a field this kind of object lacks, a value of the wrong
type) can name the offending token exactly as the parser does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "And",
    "Comparison",
    "Expression",
    "FieldPath",
    "Literal",
    "LiteralKind",
    "Not",
    "Operator",
    "Or",
]


class Operator(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"
    LIKE = "like"
    IS_NULL = "is null"
    IS_NOT_NULL = "is not null"


class LiteralKind(StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    """An ISO date or date and time written bare (``2024-05-01``, ``2024-05-01T10:00Z``)."""
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Literal:
    kind: LiteralKind
    value: str | int | float | bool | datetime
    """A DATE's value is a timezone-aware datetime (UTC when the text names no offset)."""
    position: int
    text: str
    date_only: bool = False
    """A DATE written without a time: it stands for the whole day."""


@dataclass(frozen=True)
class FieldPath:
    """A dotted path (``annotations.rectangles.label.name``), one part per segment."""

    parts: tuple[str, ...]
    position: int
    text: str

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    operator: Operator
    values: tuple[Literal, ...]
    """One value, several for ``in`` and ``not in``, none for ``is (not) null``."""
    position: int
    """Where the operator is written."""
    operator_text: str


@dataclass(frozen=True)
class And:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Not:
    item: Expression


Expression = Comparison | And | Or | Not
