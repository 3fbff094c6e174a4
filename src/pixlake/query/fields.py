"""What a query may name, for each kind of object it filters, and what values fit.

``bind`` checks a parsed tree against the fields of one kind of object (data of a datalake,
assets of a version, annotations of a version) and returns the same tree with each
comparison bound to its ``Field``: the one place that says which paths exist, what type of
value each takes and which operators apply. Still pure: the SQL of each field is the
compiler's business (``pixlake.core.query``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pixlake.enums import AnnotationStatus, DataType, ShapeKind
from pixlake.errors import InvalidQueryError
from pixlake.query.parser import parse_date
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
    "SHAPE_KINDS",
    "BoundComparison",
    "BoundExpression",
    "Field",
    "QueryTarget",
    "ValueType",
    "bind",
    "field_names",
]


class QueryTarget(StrEnum):
    """The kind of object a query filters."""

    DATA = "DATA"
    ASSET = "ASSET"
    ANNOTATION = "ANNOTATION"


class ValueType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    DATETIME = "datetime"
    CHOICE = "choice"
    """A string among fixed values (a data type, an annotation status), case-blind."""
    JSON = "json"
    """A value of custom metadata: whatever JSON the key holds; compared with values of the
    type written (a string with strings, a number with numbers, true or false with booleans)."""


SHAPE_KINDS = {
    "rectangles": ShapeKind.RECTANGLE,
    "polygons": ShapeKind.POLYGON,
    "points": ShapeKind.POINT,
    "lines": ShapeKind.LINE,
    "classifications": ShapeKind.CLASSIFICATION,
}
"""The kinds of shape by the plural that names them in a path
(``annotations.rectangles.label.name``)."""


@dataclass(frozen=True)
class Field:
    """A field a comparison is about.

    ``name`` says which column or relation the compiler reads: the object's own columns
    (``filename``, ``created_at``...), the data's (``data.created_at``), custom metadata
    (``custom_metadata``, with ``key``), or a relation holding a set of values (``many``):
    the object's tags, its annotations' statuses, its shapes' labels (of ``shape_kind``
    only, when set).
    """

    name: str
    type: ValueType
    many: bool = False
    choices: tuple[str, ...] = ()
    key: str | None = None
    shape_kind: ShapeKind | None = None


@dataclass(frozen=True)
class BoundComparison:
    field: Field
    operator: Operator
    values: tuple[Literal, ...]
    """Checked against the field's type; a CHOICE's strings in their stored spelling, a
    DATETIME's strings read as dates."""
    source: Comparison


BoundExpression = BoundComparison | And | Or | Not
"""A tree whose comparisons are bound (``And``, ``Or`` and ``Not`` then hold bound nodes)."""

_S, _I, _N, _D = ValueType.STRING, ValueType.INTEGER, ValueType.NUMBER, ValueType.DATETIME

_MEDIA: dict[str, Field] = {
    "filename": Field("filename", _S),
    "type": Field("type", ValueType.CHOICE, choices=tuple(DataType)),
    "width": Field("width", _I),
    "height": Field("height", _I),
    "duration": Field("duration", _N),
    "size": Field("size", _I),
    "content_type": Field("content_type", _S),
    "checksum": Field("checksum", _S),
}
"""Fields of a data, which an asset (and an annotation, of its asset) shows as its own."""

_DATA_FIELDS: dict[str, Field] = {
    **{f"data.{name}": field for name, field in _MEDIA.items()},
    "data.created_at": Field("data.created_at", _D),
    "data.tags.name": Field("data.tags.name", _S, many=True),
}

_STATUS = tuple(AnnotationStatus)


def _annotation_fields(prefix: str, many: bool) -> dict[str, Field]:
    """What an annotation is: its status, its worker, its shapes' labels. ``many``: seen
    from an asset, which has a set of annotations."""
    fields = {
        f"{prefix}status": Field("annotations.status", ValueType.CHOICE, many, _STATUS),
        f"{prefix}worker.username": Field("annotations.worker.username", _S, many),
        f"{prefix}label.name": Field("annotations.label.name", _S, many=True),
        f"{prefix}shapes.count": Field("annotations.shapes.count", _I),
    }
    for plural, kind in SHAPE_KINDS.items():
        fields[f"{prefix}{plural}.label.name"] = Field(
            "annotations.label.name", _S, many=True, shape_kind=kind
        )
    return fields


_FIELDS: dict[QueryTarget, dict[str, Field]] = {
    QueryTarget.DATA: {
        **_MEDIA,
        "created_at": Field("created_at", _D),
        "tags.name": Field("tags.name", _S, many=True),
    },
    QueryTarget.ASSET: {
        **_MEDIA,
        "created_at": Field("created_at", _D),
        "tags.name": Field("tags.name", _S, many=True),
        **_DATA_FIELDS,
        **_annotation_fields("annotations.", many=True),
        "annotations.count": Field("annotations.count", _I),
    },
    QueryTarget.ANNOTATION: {
        # The annotation's own fields, bare or in the form an asset's query writes them.
        **_annotation_fields("", many=False),
        **_annotation_fields("annotations.", many=False),
        "duration": Field("annotation.duration", _N),
        "created_at": Field("annotation.created_at", _D),
        "updated_at": Field("annotation.updated_at", _D),
        # Its asset's.
        **{name: field for name, field in _MEDIA.items() if name != "duration"},
        "tags.name": Field("tags.name", _S, many=True),
        **_DATA_FIELDS,
    },
}

_CUSTOM_METADATA = {"custom_metadata": "custom_metadata", "data.custom_metadata": "custom_metadata"}


def field_names(target: QueryTarget) -> list[str]:
    """Every path a query of ``target`` may name (``custom_metadata.<key>`` as such)."""
    keyed = [f"{prefix}.<key>" for prefix in _CUSTOM_METADATA]
    return sorted([*_FIELDS[target], *(keyed[:1] if target is QueryTarget.DATA else keyed)])


def resolve(path: FieldPath, target: QueryTarget) -> Field:
    """The field ``path`` names on objects of ``target``."""
    dotted = path.dotted
    for prefix in _CUSTOM_METADATA:
        if target is QueryTarget.DATA and prefix != "custom_metadata":
            continue
        if dotted == prefix or dotted.startswith(prefix + "."):
            rest = path.parts[len(prefix.split(".")) :]
            if len(rest) != 1 or not rest[0]:
                raise InvalidQueryError(
                    f'{prefix} needs one key ({prefix}.<key>, or {prefix}."a key")',
                    position=path.position,
                    token=path.text,
                )
            if '"' in rest[0]:
                raise InvalidQueryError(
                    "a custom metadata key can't hold a double quote",
                    position=path.position,
                    token=path.text,
                )
            return Field("custom_metadata", ValueType.JSON, key=rest[0])
    field = _FIELDS[target].get(dotted)
    if field is None:
        raise InvalidQueryError(
            f"unknown field {dotted!r} for {target.value.lower()} queries (see docs/query.md)",
            position=path.position,
            token=path.text,
        )
    return field


def bind(expression: Expression, target: QueryTarget) -> BoundExpression:
    """``expression`` with every comparison checked and bound to its field.

    Raises:
        InvalidQueryError: a field ``target`` lacks, an operator its type has not, or a
            value of the wrong type, naming its position and token.
    """
    if isinstance(expression, Comparison):
        field = resolve(expression.field, target)
        return BoundComparison(
            field, expression.operator, _check_values(field, expression), expression
        )
    if isinstance(expression, Not):
        return Not(bind(expression.item, target))  # type: ignore[arg-type]
    items = tuple(bind(item, target) for item in expression.items)
    return And(items) if isinstance(expression, And) else Or(items)  # type: ignore[arg-type]


_ORDERED = {Operator.LT, Operator.LE, Operator.GT, Operator.GE}
_ACCEPTS = {
    ValueType.STRING: {LiteralKind.STRING},
    ValueType.CHOICE: {LiteralKind.STRING},
    ValueType.INTEGER: {LiteralKind.NUMBER},
    ValueType.NUMBER: {LiteralKind.NUMBER},
    ValueType.DATETIME: {LiteralKind.DATE, LiteralKind.STRING},
    ValueType.JSON: set(LiteralKind),
}
_TYPE_NAMES = {
    ValueType.STRING: 'a "string"',
    ValueType.CHOICE: 'a "string"',
    ValueType.INTEGER: "a number",
    ValueType.NUMBER: "a number",
    ValueType.DATETIME: "a date (2024-05-01, or 2024-05-01T10:00:00Z)",
}


def _check_values(field: Field, comparison: Comparison) -> tuple[Literal, ...]:
    operator = comparison.operator
    if operator is Operator.LIKE and field.type not in (
        ValueType.STRING,
        ValueType.CHOICE,
        ValueType.JSON,
    ):
        raise _operator_error(comparison, "strings")
    if operator in _ORDERED and field.type is ValueType.CHOICE:
        raise _operator_error(comparison, "ordered values")
    checked = []
    for value in comparison.values:
        if value.kind not in _ACCEPTS[field.type]:
            raise InvalidQueryError(
                f"{comparison.field.dotted} takes {_TYPE_NAMES[field.type]}, not the "
                f"{value.kind.value} {value.text}",
                position=value.position,
                token=value.text,
            )
        if value.kind is LiteralKind.BOOLEAN and operator not in (
            Operator.EQ,
            Operator.NE,
            Operator.IN,
            Operator.NOT_IN,
        ):
            raise _operator_error(comparison, "strings and numbers")
        checked.append(_coerced(field, comparison, value))
    return tuple(checked)


def _coerced(field: Field, comparison: Comparison, value: Literal) -> Literal:
    if field.type is ValueType.CHOICE and comparison.operator is not Operator.LIKE:
        spelled = str(value.value).upper()
        if spelled not in field.choices:
            raise InvalidQueryError(
                f"{comparison.field.dotted} is one of {', '.join(field.choices)}, not {value.text}",
                position=value.position,
                token=value.text,
            )
        return Literal(LiteralKind.STRING, spelled, value.position, value.text)
    if field.type is ValueType.DATETIME and value.kind is LiteralKind.STRING:
        moment, date_only = parse_date(str(value.value), value.position, value.text)
        return Literal(LiteralKind.DATE, moment, value.position, value.text, date_only)
    return value


def _operator_error(comparison: Comparison, applies_to: str) -> InvalidQueryError:
    return InvalidQueryError(
        f"operator {comparison.operator_text!r} applies to {applies_to}, not to "
        f"{comparison.field.dotted}",
        position=comparison.position,
        token=comparison.operator_text,
    )
