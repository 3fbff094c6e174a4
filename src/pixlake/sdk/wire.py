"""Reading bulk answers of the API into wire models quickly and compactly.

A page of 5,000 assets validated field by field costs more than fetching it. The API is
ours and its pages are well formed, so bulk answers are converted with one precomputed
converter per field (text to UUID, datetime, enum) and built without validation; values
that repeat across a page (the version id, the datalake id...) are shared, not copied.
Single objects keep full validation.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any, TypeVar
from uuid import UUID

from pixlake.schemas import WireModel

__all__ = ["parse_many"]

ModelT = TypeVar("ModelT", bound=WireModel)
Converter = Callable[[Any], Any]


def _or_none(convert: Converter) -> Converter:
    """``convert`` for an optional field: None stays None."""
    return lambda value: None if value is None else convert(value)


def _converter_for(annotation: Any) -> Converter | None:
    """How to turn JSON into the field's type, or None when JSON already is it."""
    args = typing.get_args(annotation)
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not NoneType]
        if len(inner) == 1:
            convert = _converter_for(inner[0])
            return None if convert is None else _or_none(convert)
        return None
    if annotation is UUID:
        return UUID
    if annotation is datetime:
        return datetime.fromisoformat
    if annotation is float:
        return float  # JSON writers may give a whole number as 1, not 1.0
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    return None


# Fields whose values are the row's own: converting them once per row is all there is.
_UNIQUE_PER_ROW = frozenset({"id", "data_id", "created_at", "data_created_at"})


@dataclass(frozen=True)
class _Plan:
    names: tuple[str, ...]
    """The model's fields, in its order."""
    fields: frozenset[str]
    per_row: tuple[tuple[str, Converter], ...]
    """Fields converted on every row (ids and times of the row itself)."""
    shared: tuple[tuple[str, Converter], ...]
    """Fields whose values repeat across a page: converted once per distinct value."""


@cache
def _plan(model: type[WireModel]) -> _Plan:
    hints = typing.get_type_hints(model)
    converters = [(name, _converter_for(hints[name])) for name in model.model_fields]
    return _Plan(
        tuple(model.model_fields),
        frozenset(model.model_fields),
        tuple((n, c) for n, c in converters if c is not None and n in _UNIQUE_PER_ROW),
        tuple((n, c) for n, c in converters if c is not None and n not in _UNIQUE_PER_ROW),
    )


def parse_many(model: type[ModelT], rows: Iterable[dict[str, Any]]) -> list[ModelT]:
    """Models of ``rows`` (decoded JSON of the API), converted without validation.

    The rows are taken over: each row's dict becomes its model's fields, converted in place
    (the API writes exactly the model's fields, in its order; a row with others, or fewer,
    is copied into a dict of the model's fields first, a missing one as None).
    """
    plan = _plan(model)
    names, fields, per_row, shared_fields = plan.names, plan.fields, plan.per_row, plan.shared
    shared: dict[tuple[str, Any], Any] = {}
    adopt = model.trusted_from
    parsed = []
    for row in rows:
        if row.keys() != fields:
            row = {name: row.get(name) for name in names}
        for name, convert in per_row:
            value = row[name]
            if value is not None:
                row[name] = convert(value)
        for name, convert in shared_fields:
            value = row[name]
            if value is not None:
                key = (name, value)
                converted = shared.get(key)
                if converted is None:
                    converted = shared[key] = convert(value)
                row[name] = converted
        parsed.append(adopt(row))
    return parsed
