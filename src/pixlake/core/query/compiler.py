"""A bound query tree to one SQLAlchemy condition, the same on SQLite and PostgreSQL.

Every value of a query becomes a bound parameter; the only SQL written here is the shape of
the condition. Two rules make the meaning independent of the database and of NULLs:

- ``a != v`` is exactly ``not (a = v)``, and ``a not in (...)`` exactly ``not (a in (...))``:
  an image without a width matches ``width != 640``, as it matches ``not width = 640``.
  Comparisons of a column that may be NULL are guarded (``width IS NOT NULL AND width > 640``)
  so that ``not`` never meets SQL's unknown.
- A field holding a set of values per object (its tags, its annotations' statuses, its
  shapes' labels) matches a comparison when one of its values does (``EXISTS``); ``is null``
  means it holds none.

Long ``and`` and ``or`` chains are written as balanced groups: SQLite parses a flat chain
into a tree as deep as it is long, and refuses trees deeper than 1,000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Float,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from pixlake.core import tables as t
from pixlake.enums import Target
from pixlake.query import (
    And,
    BoundComparison,
    BoundExpression,
    Field,
    Literal,
    LiteralKind,
    Not,
    Operator,
    QueryTarget,
    ValueType,
)

__all__ = ["compile_condition"]

Condition = ColumnElement[bool]


@dataclass(frozen=True)
class _Scalar:
    """One value per object: a column, or a correlated subquery giving one."""

    value: ColumnElement[Any]
    nullable: bool


@dataclass(frozen=True)
class _Many:
    """A set of values per object: ``rows`` (correlated with the object) and the column of
    its value; the object matches when one row's value does."""

    rows: Select[Any]
    value: ColumnElement[Any]


@dataclass(frozen=True)
class _Members:
    """A set of values per object, matched the other way round: ``build(predicate)`` is
    ``object id IN (the ids of the objects holding a value that satisfies it)``, one
    uncorrelated subquery the database runs once per statement, instead of one lookup per
    object (an asset's shapes of a label: 8x faster on 100,000 assets)."""

    build: Callable[[Callable[[ColumnElement[Any]], Condition]], Condition]


def compile_condition(
    expression: BoundExpression, target: QueryTarget, dialect: str, version_id: UUID | None = None
) -> Condition:
    """The WHERE condition of ``expression`` over the rows a listing of ``target`` reads:
    ``data`` for DATA; ``assets`` joined with ``data`` for ASSET; ``annotations`` joined
    with their ``assets`` and those with ``data`` for ANNOTATION.

    ``version_id``, the version the assets listed belong to, lets conditions on their
    annotations be computed once for the version rather than once per asset."""
    return _Compiler(target, dialect, version_id).condition(expression)


class _Compiler:
    def __init__(self, target: QueryTarget, dialect: str, version_id: UUID | None) -> None:
        self.target = target
        self.dialect = dialect
        self.version_id = version_id

    def condition(self, expression: BoundExpression) -> Condition:
        if isinstance(expression, BoundComparison):
            return self.comparison(expression)
        if isinstance(expression, Not):
            return not_(self.condition(expression.item))  # type: ignore[arg-type]
        items = [self.condition(item) for item in expression.items]  # type: ignore[arg-type]
        return _balanced(and_ if isinstance(expression, And) else or_, items)

    def comparison(self, node: BoundComparison) -> Condition:
        field, operator = node.field, node.operator
        if field.type is ValueType.JSON:
            return self.json_comparison(node)
        source = self.source(field)
        negated = operator in (Operator.NE, Operator.NOT_IN)
        positive = {Operator.NE: Operator.EQ, Operator.NOT_IN: Operator.IN}.get(operator, operator)
        if isinstance(source, (_Many, _Members)):
            matching = source.build if isinstance(source, _Members) else _exists_in(source)
            if operator in (Operator.IS_NULL, Operator.IS_NOT_NULL):
                held = matching(lambda value: value.is_not(None))
                return not_(held) if operator is Operator.IS_NULL else held
            found = matching(
                lambda value: _predicate(value, positive, node.values, field, self.dialect)
            )
            return not_(found) if negated else found
        value = source.value
        if operator is Operator.IS_NULL:
            return value.is_(None)
        if operator is Operator.IS_NOT_NULL:
            return value.is_not(None)
        predicate = _predicate(value, positive, node.values, field, self.dialect)
        if source.nullable:
            predicate = and_(value.is_not(None), predicate)
        return not_(predicate) if negated else predicate

    # Where each field's values are

    def source(self, field: Field) -> _Scalar | _Many | _Members:
        name = field.name
        if name.startswith("data.") and name[5:] in t.data.c:
            return _Scalar(t.data.c[name[5:]], bool(t.data.c[name[5:]].nullable))
        if name == "created_at":
            column = (
                t.data.c.created_at if self.target is QueryTarget.DATA else t.assets.c.created_at
            )
            return _Scalar(column, False)
        if name.startswith("annotation."):
            column = t.annotations_table.c[name[len("annotation.") :]]
            return _Scalar(column, False)
        if name in t.data.c:
            return _Scalar(t.data.c[name], bool(t.data.c[name].nullable))
        if name == "tags.name":
            if self.target is QueryTarget.DATA:
                return _tag_names(t.data.c.id, Target.DATA)
            return _tag_names(t.assets.c.id, Target.ASSET)
        if name == "data.tags.name":
            return _tag_names(t.data.c.id, Target.DATA)
        if name == "annotations.count":
            live = select(func.count()).where(*self._annotations_of_asset(t.annotations_table))
            return _Scalar(live.scalar_subquery(), False)
        return self.annotation_source(field)

    def _annotations_of_asset(self, annotations: Any) -> list[Condition]:
        return [annotations.c.asset_id == t.assets.c.id, annotations.c.deleted_at.is_(None)]

    def annotation_source(self, field: Field) -> _Scalar | _Many | _Members:
        """Fields of annotations: of the asset's (a set of them) on ASSET, of the listed one
        on ANNOTATION."""
        if self.target is QueryTarget.ASSET and self.version_id is not None:
            members = self.version_members(field, self.version_id)
            if members is not None:
                return members
        if self.target is QueryTarget.ASSET:
            annotation = t.annotations_table.alias("q_annotation")
            where = self._annotations_of_asset(annotation)
        else:
            annotation = t.annotations_table
            where = []
        shape = t.shapes.alias("q_shape")
        if field.name == "annotations.status":
            if self.target is QueryTarget.ANNOTATION:
                return _Scalar(annotation.c.status, False)
            return _Many(select(annotation.c.id).where(*where), annotation.c.status)
        if field.name == "annotations.worker.username":
            worker, user = t.workers.alias("q_worker"), t.users.alias("q_user")
            rows = (
                select(user.c.username)
                .select_from(annotation.join(worker, worker.c.id == annotation.c.worker_id))
                .join(user, user.c.id == worker.c.user_id)
                .where(*where)
            )
            if self.target is QueryTarget.ANNOTATION:
                rows = (
                    select(user.c.username)
                    .select_from(worker.join(user, user.c.id == worker.c.user_id))
                    .where(worker.c.id == annotation.c.worker_id)
                )
                return _Scalar(rows.scalar_subquery(), False)
            return _Many(rows, user.c.username)
        shapes_of = shape.c.annotation_id == annotation.c.id
        if field.name == "annotations.shapes.count":
            if self.target is QueryTarget.ANNOTATION:
                count = select(func.count()).select_from(shape).where(shapes_of)
            else:
                count = (
                    select(func.count())
                    .select_from(annotation.join(shape, shapes_of))
                    .where(*where)
                )
            return _Scalar(count.scalar_subquery(), False)
        if field.name == "annotations.label.name":
            label = t.labels.alias("q_label")
            if self.target is QueryTarget.ANNOTATION:
                joined = shape.join(label, label.c.id == shape.c.label_id)
                where = [shapes_of]
            else:
                joined = annotation.join(shape, shapes_of).join(
                    label, label.c.id == shape.c.label_id
                )
            if field.shape_kind is not None:
                where = [*where, shape.c.kind == field.shape_kind.value]
            return _Many(select(shape.c.id).select_from(joined).where(*where), label.c.name)
        raise AssertionError(f"no SQL for the field {field.name}")  # fields.py and here agree

    def version_members(self, field: Field, version_id: UUID) -> _Members | None:
        """The sets of values of the annotations of a version's assets, as ``_Members``."""
        annotation = t.annotations_table.alias("q_annotation")
        live = [
            annotation.c.dataset_version_id == version_id,
            annotation.c.deleted_at.is_(None),
        ]
        if field.name == "annotations.status":
            return _Members(
                lambda predicate: t.assets.c.id.in_(
                    select(annotation.c.asset_id).where(*live, predicate(annotation.c.status))
                )
            )
        if field.name == "annotations.worker.username":
            worker, user = t.workers.alias("q_worker"), t.users.alias("q_user")
            authored = annotation.join(worker, worker.c.id == annotation.c.worker_id).join(
                user, user.c.id == worker.c.user_id
            )
            return _Members(
                lambda predicate: t.assets.c.id.in_(
                    select(annotation.c.asset_id)
                    .select_from(authored)
                    .where(*live, predicate(user.c.username))
                )
            )
        if field.name != "annotations.label.name":
            return None
        shape, label = t.shapes.alias("q_shape"), t.labels.alias("q_label")
        drawn = shape.join(annotation, annotation.c.id == shape.c.annotation_id)
        kind = [] if field.shape_kind is None else [shape.c.kind == field.shape_kind.value]

        def build(predicate: Callable[[ColumnElement[Any]], Condition]) -> Condition:
            # From the labels: the shapes of a label are found by their index on label_id.
            # A shape's label is always of the shape's version (annotations refuse any
            # other), so the version is named on the labels only: a condition on the
            # shapes' version would lead SQLite, which keeps no statistics, to read every
            # shape of the version through ix_shapes_version_kind instead of the few of
            # the label (5x slower for a label on one image in ten).
            labels = select(label.c.id).where(
                label.c.dataset_version_id == version_id, predicate(label.c.name)
            )
            return t.assets.c.id.in_(
                select(annotation.c.asset_id)
                .select_from(drawn)
                .where(annotation.c.deleted_at.is_(None), shape.c.label_id.in_(labels), *kind)
            )

        return _Members(build)

    # Custom metadata

    def json_comparison(self, node: BoundComparison) -> Condition:
        assert node.field.key is not None
        document = _JsonValue(self.dialect, t.data.c.custom_metadata, node.field.key)
        operator = node.operator
        if operator in (Operator.IS_NULL, Operator.IS_NOT_NULL):
            absent = or_(document.type_name.is_(None), document.type_name == document.null_name)
            return absent if operator is Operator.IS_NULL else not_(absent)
        positive = {Operator.NE: Operator.EQ, Operator.NOT_IN: Operator.IN}.get(operator, operator)
        if positive is Operator.IN:
            predicate = _balanced(
                or_,
                [
                    _guarded(document.typed(value), Operator.EQ, (value,), self.dialect)
                    for value in node.values
                ],
            )
        else:
            value = node.values[0]
            predicate = _guarded(document.typed(value), positive, node.values, self.dialect)
        return not_(predicate) if operator in (Operator.NE, Operator.NOT_IN) else predicate


class _JsonValue:
    """The value under one key of a JSON column, read as the type of a query's value: a
    CASE that is NULL unless the JSON value has that type (PostgreSQL would fail the whole
    query on a cast of text that is no number)."""

    def __init__(self, dialect: str, column: Any, key: str) -> None:
        self.postgres = dialect == "postgresql"
        self.type_names: dict[str, tuple[str, ...]]
        if self.postgres:
            bound_key = cast(literal(key, Text), Text)
            node = column.op("->")(bound_key)
            self.type_name = func.json_typeof(node)
            self.text: ColumnElement[Any] = column.op("->>", return_type=Text)(bound_key)
            self.null_name = "null"
            self.type_names = {
                "string": ("string",),
                "number": ("number",),
                "boolean": ("boolean",),
            }
        else:
            path = literal(f'$."{key}"', String)
            self.type_name = func.json_type(column, path)
            self.text = func.json_extract(column, path)
            self.null_name = "null"
            self.type_names = {
                "string": ("text",),
                "number": ("integer", "real"),
                "boolean": ("true", "false"),
            }

    def typed(self, value: Literal) -> ColumnElement[Any]:
        if value.kind is LiteralKind.NUMBER:
            number = cast(self.text, Numeric) if self.postgres else self.text
            return case((self.type_name.in_(self.type_names["number"]), number))
        if value.kind is LiteralKind.BOOLEAN:
            # Both read as 'true' or 'false': PostgreSQL's ->> text, SQLite's json_type.
            spelled = self.text if self.postgres else self.type_name
            return case((self.type_name.in_(self.type_names["boolean"]), spelled))
        return case((self.type_name.in_(self.type_names["string"]), self.text))


def _guarded(
    value: ColumnElement[Any], operator: Operator, values: Sequence[Literal], dialect: str
) -> Condition:
    return and_(value.is_not(None), _predicate(value, operator, values, None, dialect))


# Predicates of one value


def _predicate(
    value: ColumnElement[Any],
    operator: Operator,
    values: Sequence[Literal],
    field: Field | None,
    dialect: str,
) -> Condition:
    """``value <operator> values``, ``operator`` one of the positive ones."""
    if field is not None and field.type is ValueType.DATETIME:
        return _date_predicate(value, operator, values)
    bound = [_bound(literal_value, value) for literal_value in values]
    if operator is Operator.IN:
        return value.in_(bound)
    if operator is Operator.LIKE:
        return _like(value, str(values[0].value), dialect)
    comparisons: dict[Operator, Callable[[Any, Any], Condition]] = {
        Operator.EQ: lambda a, b: a == b,
        Operator.LT: lambda a, b: a < b,
        Operator.LE: lambda a, b: a <= b,
        Operator.GT: lambda a, b: a > b,
        Operator.GE: lambda a, b: a >= b,
    }
    return comparisons[operator](value, bound[0])


def _bound(value: Literal, against: ColumnElement[Any]) -> Any:
    if value.kind is LiteralKind.BOOLEAN:
        return literal("true" if value.value else "false", String)
    if value.kind is LiteralKind.NUMBER:
        if isinstance(against.type, Numeric) and not isinstance(against.type, Float):
            return literal(Decimal(value.text), Numeric())
        return literal(value.value, Float() if isinstance(value.value, float) else None)
    if value.kind is LiteralKind.DATE and not isinstance(against.type, String):
        return value.value
    return literal(value.text if value.kind is LiteralKind.DATE else value.value, String)


def _date_predicate(
    value: ColumnElement[Any], operator: Operator, values: Sequence[Literal]
) -> Condition:
    """A day (a date without a time) stands for all of it: ``= 2024-05-01`` is that day,
    ``> 2024-05-01`` from the next one on, ``<= 2024-05-01`` up to its end."""
    if operator is Operator.IN:
        return _balanced(or_, [_date_predicate(value, Operator.EQ, (v,)) for v in values])
    moment = values[0].value
    if not values[0].date_only:
        comparisons = {
            Operator.EQ: value == moment,
            Operator.LT: value < moment,
            Operator.LE: value <= moment,
            Operator.GT: value > moment,
            Operator.GE: value >= moment,
        }
        return comparisons[operator]
    assert not isinstance(moment, (str, int, float, bool))
    following = moment + timedelta(days=1)
    return {
        Operator.EQ: and_(value >= moment, value < following),
        Operator.LT: value < moment,
        Operator.LE: value < following,
        Operator.GT: value >= following,
        Operator.GE: value >= moment,
    }[operator]


def _like(value: ColumnElement[Any], pattern: str, dialect: str) -> Condition:
    """``like``, case-sensitive on both databases, ``%`` any text and ``_`` one character.

    SQLite's LIKE ignores ASCII case and PostgreSQL's does not, so SQLite gets GLOB, with
    the pattern translated and GLOB's own wildcards made literal. PostgreSQL's LIKE takes
    a backslash as an escape by default; ``ESCAPE ''`` makes it literal, as in GLOB.
    """
    if not isinstance(value.type, String):
        value = cast(value, Text)
    if dialect == "sqlite":
        return _sqlite_glob(value, pattern)
    return _postgres_like(value, pattern)


def _postgres_like(value: ColumnElement[Any], pattern: str) -> Condition:
    return value.like(literal(pattern, String), escape="")


def _sqlite_glob(value: ColumnElement[Any], pattern: str) -> Condition:
    special = {"*": "[*]", "?": "[?]", "[": "[[]", "%": "*", "_": "?"}
    glob = "".join(special.get(char, char) for char in pattern)
    return value.op("GLOB", is_comparison=True)(literal(glob, String))


def _exists_in(many: _Many) -> Callable[[Callable[[ColumnElement[Any]], Condition]], Condition]:
    return lambda predicate: exists(many.rows.where(predicate(many.value)))


def _tag_names(object_id: Any, target: Target) -> _Many:
    tag, link = t.tags.alias("q_tag"), t.tag_links.alias("q_tag_link")
    rows = (
        select(link.c.tag_id)
        .select_from(link.join(tag, tag.c.id == link.c.tag_id))
        .where(link.c.object_id == object_id, tag.c.target == target.value)
    )
    return _Many(rows, tag.c.name)


def _balanced(combine: Callable[..., Condition], items: Sequence[Condition]) -> Condition:
    """``combine(*items)`` as a balanced tree of parenthesised halves."""
    if not items:
        return true() if combine is and_ else false()
    if len(items) <= 8:
        return combine(*items)
    middle = len(items) // 2
    return combine(
        _Parenthesised(_balanced(combine, items[:middle])),
        _Parenthesised(_balanced(combine, items[middle:])),
    )


class _Parenthesised(ColumnElement[bool]):
    """A condition written in parentheses that SQLAlchemy keeps: it flattens nested
    ``and_``/``or_`` (and their ``Grouping``) into one chain, which is what SQLite can't
    take past 1,000 terms."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals: _TraverseInternalsType = [("inner", InternalTraversal.dp_clauseelement)]

    def __init__(self, inner: ColumnElement[bool]) -> None:
        self.inner = inner

    @property
    def _from_objects(self) -> list[Any]:
        return self.inner._from_objects


@compiles(_Parenthesised)
def _compile_parenthesised(element: _Parenthesised, compiler: Any, **kw: Any) -> str:
    return "(" + str(compiler.process(element.inner, **kw)) + ")"
