"""A list-like collection of SDK objects, the base of MultiData and MultiAsset."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, Generic, Self, TypeVar, overload

from pixlake.errors import BadRequestError

__all__ = ["MultiObject", "check_ratio"]

T = TypeVar("T")


def check_ratio(ratio: Any) -> float:
    """A split ratio: a real number in [0, 1]."""
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or math.isnan(ratio):
        raise BadRequestError(
            f"ratio must be a number in [0, 1], got {ratio!r}", details={"ratio": repr(ratio)}
        )
    if not 0 <= ratio <= 1:
        raise BadRequestError(f"ratio must be in [0, 1], got {ratio}", details={"ratio": ratio})
    return float(ratio)


class MultiObject(Generic[T]):
    """Behaves as a list: len, iteration, index, slice (same class), ``+``, ``+=``, copy."""

    def __init__(self, connection: Any, items: Iterable[T]) -> None:
        self._connection = connection
        self.items: list[T] = list(items)

    def _new(self, items: Iterable[T]) -> Self:
        return type(self)(self._connection, items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @overload
    def __getitem__(self, key: int) -> T: ...
    @overload
    def __getitem__(self, key: slice) -> Self: ...
    def __getitem__(self, key: int | slice) -> T | Self:
        if isinstance(key, slice):
            return self._new(self.items[key])
        return self.items[key]

    def __add__(self, other: Any) -> Self:
        return self._new(self.items + self._items_of(other))

    def __iadd__(self, other: Any) -> Self:
        self.items.extend(self._items_of(other))
        return self

    def _items_of(self, other: Any) -> list[T]:
        if isinstance(other, MultiObject):
            if not isinstance(other, type(self)):
                raise BadRequestError(
                    f"can't combine {type(self).__name__} with {type(other).__name__}"
                )
            return list(other.items)
        if isinstance(other, list):
            return list(other)
        return [other]

    def __contains__(self, item: object) -> bool:
        return item in self.items

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and other.items == self.items

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.items)} items)"

    def copy(self) -> Self:
        """A shallow copy: a new collection of the same objects."""
        return self._new(self.items)

    def split(self, ratio: float) -> tuple[Self, Self]:
        """Two collections: the first ``round(ratio * len)`` items, then the rest, in order."""
        cut = round(check_ratio(ratio) * len(self.items))
        return self._new(self.items[:cut]), self._new(self.items[cut:])

    @property
    def ids(self) -> list[Any]:
        return [item.id for item in self.items]  # type: ignore[attr-defined]
