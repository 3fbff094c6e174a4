"""The query language of listings, counts and stats (``q=``): its grammar and its tree.

Pure: nothing here knows the database. ``parse`` turns text into a tree
(``pixlake.query.tree``), ``bind`` checks that tree against the fields of one kind of object
(``pixlake.query.fields``); ``pixlake.core.query`` compiles a bound tree into a SQLAlchemy
condition. The grammar, the fields and their meaning are in docs/query.md.
"""

from __future__ import annotations

from pixlake.query.fields import (
    BoundComparison,
    BoundExpression,
    Field,
    QueryTarget,
    ValueType,
    bind,
    field_names,
)
from pixlake.query.parser import parse
from pixlake.query.tree import (
    And,
    Comparison,
    Expression,
    FieldPath,
    Literal,
    LiteralKind,
    Not,
    Operator,
    Or,
)

__all__ = [
    "And",
    "BoundComparison",
    "BoundExpression",
    "Comparison",
    "Expression",
    "Field",
    "FieldPath",
    "Literal",
    "LiteralKind",
    "Not",
    "Operator",
    "Or",
    "QueryTarget",
    "ValueType",
    "bind",
    "field_names",
    "parse",
]
