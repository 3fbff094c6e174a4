"""Arguments renamed to the Picsellia SDK's names, the earlier name still taken.

pixlake's signatures follow the public Picsellia SDK wherever its own reference is silent
(docs/picsellia-compatibility.md). Where pixlake had named a parameter otherwise, the
Picsellia name comes first (so positional calls are unchanged) and the earlier name stays
as a keyword, so that no caller of either SDK breaks.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["renamed_argument"]

T = TypeVar("T")


def renamed_argument(value: T | None, earlier: T | None, name: str, earlier_name: str) -> T:
    """The argument given under ``name`` or under its ``earlier_name``.

    Raises:
        TypeError: both names given, or neither; what Python raises for a call that binds
            one argument twice or misses it.
    """
    if value is not None and earlier is not None:
        raise TypeError(f"give {name!r} or {earlier_name!r}, not both")
    if value is not None:
        return value
    if earlier is not None:
        return earlier
    raise TypeError(f"missing required argument: {name!r}")
