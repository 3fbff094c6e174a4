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


def _converter_for(annotation: Any) -> Converter | None:
    """How to turn JSON into the field's type, or None when JSON already is it."""
    args = typing.get_args(annotation)
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not NoneType]
        if len(inner) == 1:
            convert = _converter_for(inner[0])
            return None if convert is None else (
                lambda value, c=convert: None if value is None else c(value))
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


@cache
def _converters(model: type[WireModel]) -> tuple[tuple[str, Converter | None], ...]:
    hints = typing.get_type_hints(model)
    return tuple((name, _converter_for(hints[name])) for name in model.model_fields)


def parse_many(model: type[ModelT], rows: Iterable[dict[str, Any]]) -> list[ModelT]:
    """Models of ``rows`` (decoded JSON of the API), converted without validation."""
    converters = _converters(model)
    shared: dict[tuple[str, Any], Any] = {}
    parsed = []
    for row in rows:
        values = {}
        for name, convert in converters:
            value = row.get(name)
            if convert is not None and value is not None:
                key = (name, value)
                converted = shared.get(key)
                if converted is None:
                    converted = convert(value)
                    # Ids of the row itself never repeat; everything else may.
                    if name not in ("id", "data_id", "created_at", "data_created_at"):
                        shared[key] = converted
                value = converted
            values[name] = value
        parsed.append(model.trusted(**values))
    return parsed
