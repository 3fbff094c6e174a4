"""``limit`` and ``offset``, as every listing of the SDK takes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pixlake.errors import BadRequestError

__all__ = ["check_page_args", "page_of"]

T = TypeVar("T")


def check_page_args(limit: int | None, offset: int | None) -> None:
    """Refuse a ``limit`` or ``offset`` that is not an integer >= 0 (None is "not given")."""
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise BadRequestError(
                f"{name} must be an integer >= 0, got {value!r}", details={name: repr(value)}
            )


def page_of(items: Sequence[T], limit: int | None, offset: int | None) -> list[T]:
    """``items`` without the first ``offset``, at most ``limit`` of them.

    For the short listings the API answers whole (a model's versions, a dataset's versions,
    the organization's datasets), where the Picsellia SDK still takes ``limit`` and
    ``offset``. The arguments are those ``check_page_args`` let through.
    """
    start = offset or 0
    return list(items[start:] if limit is None else items[start : start + limit])
