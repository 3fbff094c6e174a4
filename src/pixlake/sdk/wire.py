"""Reading bulk answers of the API into wire models quickly and compactly.

A page of 5,000 assets validated field by field costs more than fetching it. The API is
ours and its pages are well formed, so bulk answers are converted with one precomputed
converter per field (text to UUID, datetime, enum) and built without validation.

Memory is the other half: a listing of 100,000 assets is held whole. Two things keep each
model small. Its fields live in a dict that shares its keys with the model's class (a
split table, half the size of the dict the JSON reader makes), and values that repeat
across a page (the version, the datalake, the type, sizes in pixels, the time of the call
that added the rows...) are converted once and shared, not copied. Single objects keep
full validation.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from operator import itemgetter
from types import NoneType, UnionType
from typing import Any, TypeVar
from uuid import UUID, SafeUUID

from pixlake.schemas import WireModel

__all__ = ["parse_many", "uuid_from_wire"]

ModelT = TypeVar("ModelT", bound=WireModel)
Converter = Callable[[Any], Any]

_new = object.__new__
_set = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """What ``object.__setattr__(instance, name, value)`` does for a slot of ``cls`` (or
    its ``__dict__``), called straight on the slot's descriptor: a third of the cost,
    without looking the name up along the class's MRO on every call. Both skip the
    class's own ``__setattr__`` (UUID's refuses; pydantic's would validate)."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} has no slot {name!r}")


_set_uuid_int = _slot_setter(UUID, "int")
_set_uuid_safety = _slot_setter(UUID, "is_safe")


def uuid_from_wire(text: str) -> UUID:
    """``UUID(text)`` for the dashed form the API writes, at 40% of the cost: the text
    is trusted (our own answer), so the forms ``UUID()`` also accepts are not looked for."""
    value = _new(UUID)
    _set_uuid_int(value, int(text.replace("-", ""), 16))
    _set_uuid_safety(value, _UNKNOWN_SAFETY)
    return value


def _converter_for(annotation: Any) -> Converter | None:
    """How to turn JSON into the field's type, or None when JSON already is it."""
    args = typing.get_args(annotation)
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not NoneType]
        return _converter_for(inner[0]) if len(inner) == 1 else None
    if annotation is UUID:
        return uuid_from_wire
    if annotation is datetime:
        return datetime.fromisoformat
    if annotation is float:
        return float  # JSON writers may give a whole number as 1, not 1.0
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    return None


# Fields whose values are the row's own: converted on every row. So are those holding
# lists or dicts (a caller may change one asset's metadata, not every asset's). Every other
# field's values repeat across a page and are shared.
_PER_ROW = frozenset(
    {
        # assets and data
        "id",
        "data_id",
        "object_name",
        "filename",
        "checksum",
        "size",
        "deleted_at",
        # annotations and shapes
        "asset_id",
        "updated_at",
        "x",
        "y",
        "w",
        "h",
        "text",
    }
)


def _mutable(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_mutable(a) for a in args)
    return typing.get_origin(annotation) in (list, dict) or annotation in (list, dict, Any)


@dataclass(frozen=True)
class _Plan:
    names: frozenset[str]
    """The model's fields."""
    template: dict[str, Any]
    """A split-table dict of the model's fields, copied for each row."""
    per_row: tuple[tuple[str, Converter], ...]
    """Fields converted on every row."""
    shared: tuple[tuple[str, Converter | None], ...]
    """Fields whose values repeat: converted once per distinct combination of them."""
    shared_values: Callable[[dict[str, Any]], tuple[Any, ...]]
    set_dict: Callable[[Any, Any], None]
    set_fields_set: Callable[[Any, Any], None]
    set_extra: Callable[[Any, Any], None]
    set_private: Callable[[Any, Any], None]
    """The slots every pydantic model instance has, set straight (``_slot_setter``)."""


@cache
def _plan(model: type[WireModel]) -> _Plan:
    hints = typing.get_type_hints(model)
    converters = [(name, _converter_for(hints[name])) for name in model.model_fields]
    # Fields set one by one on an instance give it a dict sharing its keys with the
    # class; copies of that dict keep sharing them.
    blank = _new(model)
    for name in model.model_fields:
        _set(blank, name, None)
    own = {name for name in model.model_fields if name in _PER_ROW or _mutable(hints[name])}
    shared = tuple((n, c) for n, c in converters if n not in own)
    shared_names = [n for n, _ in shared]
    getter: Callable[[dict[str, Any]], tuple[Any, ...]]
    if len(shared_names) > 1:
        getter = itemgetter(*shared_names)
    else:  # itemgetter of one name gives the value itself, of none fails
        getter = lambda row: tuple(row[name] for name in shared_names)  # noqa: E731
    return _Plan(
        frozenset(model.model_fields),
        blank.__dict__,
        tuple((n, c) for n, c in converters if c is not None and n in own),
        shared,
        getter,
        _slot_setter(model, "__dict__"),
        _slot_setter(model, "__pydantic_fields_set__"),
        _slot_setter(model, "__pydantic_extra__"),
        _slot_setter(model, "__pydantic_private__"),
    )


def parse_many(model: type[ModelT], rows: Iterable[dict[str, Any]]) -> list[ModelT]:
    """Models of ``rows`` (decoded JSON of the API), converted without validation.

    The API writes exactly the model's fields; a row with others, or fewer, keeps only the
    model's fields, a missing one as None.
    """
    plan = _plan(model)
    names, template, per_row, shared = plan.names, plan.template, plan.per_row, plan.shared
    shared_values = plan.shared_values
    set_dict, set_fields_set = plan.set_dict, plan.set_fields_set
    set_extra, set_private = plan.set_extra, plan.set_private
    fields_set = set(model.model_fields)
    # Each distinct combination of the shared fields, converted; and each distinct value
    # of each, so that two combinations share what they have in common.
    converted: dict[tuple[Any, ...], dict[str, Any]] = {}
    values_seen: dict[str, dict[Any, Any]] = {}
    parsed: list[ModelT] = []
    append = parsed.append
    size = len(template)
    for row in rows:
        values = template.copy()
        values.update(row)
        # A missing field stays None from the template; only a field the model lacks makes
        # the dict larger (cheaper than comparing every row's keys with the model's).
        if len(values) != size:
            values = template.copy()
            values.update((name, row.get(name)) for name in names)
        for name, convert in per_row:
            value = values[name]
            if value is not None:
                values[name] = convert(value)
        key = shared_values(values)
        common = converted.get(key)
        if common is None:
            common = converted[key] = {}
            for (name, convert_shared), value in zip(shared, key, strict=True):
                seen = values_seen.setdefault(name, {})
                if value not in seen:
                    if value is not None and convert_shared is not None:
                        seen[value] = convert_shared(value)
                    else:
                        seen[value] = value
                common[name] = seen[value]
        values.update(common)
        instance = _new(model)
        set_dict(instance, values)
        set_fields_set(instance, fields_set)
        set_extra(instance, None)
        set_private(instance, None)
        append(instance)
    return parsed
