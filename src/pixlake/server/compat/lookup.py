"""The SDK's ``find`` of an object by name or by id, one rule for every kind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Query

from pixlake.errors import BadRequestError, NotFoundError
from pixlake.limits import MAX_NAME_LENGTH

__all__ = ["FindName", "find_by_name_or_id"]

T = TypeVar("T")

FindName = Annotated[str | None, Query(max_length=MAX_NAME_LENGTH)]
"""The name a ``find`` route looks for, a query parameter."""


def find_by_name_or_id(
    what: str,
    name: str | None,
    id: UUID | None,
    by_id: Callable[[UUID], T],
    by_name: Callable[[str], Sequence[T]],
    name_param: str = "name",
) -> T:
    """The object of ``id`` when the SDK gives one (an id names one object, a name may
    not), else the first of those named ``name``; ``name_param`` is the query parameter
    the name came in, for the error that neither was given."""
    if id is not None:
        return by_id(id)
    if name is None:
        hint = "" if name_param == "name" else f" ({name_param}=)"
        raise BadRequestError(f"find a {what} by name{hint} or by id")
    found = by_name(name)
    if not found:
        raise NotFoundError(f"{what} {name!r} not found", details={"name": name})
    return found[0]
