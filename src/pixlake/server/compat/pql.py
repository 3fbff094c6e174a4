"""The part of the Picsellia Query Language its SDK writes itself: tag filters.

``list_data(tags=...)`` and ``list_assets(tags=...)`` put the tags in ``q`` as
``tags.name in ("a", "b")`` (any of them) or ``tags.name = "a" and tags.name = "b"`` (all of
them), prefixed with ``data.`` for the data's tags of assets. Those forms are read here;
any other query is refused with a 400 naming it, never answered with a wrong listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pixlake.errors import BadRequestError

__all__ = ["TagFilter", "parse_tag_query"]

_NAME = r'"((?:[^"\\]|\\.)*)"'
_ANY_OF = re.compile(rf"\s*(data\.)?tags\.name\s+in\s*\(\s*({_NAME}(?:\s*,\s*{_NAME})*)\s*\)\s*")
_ONE = re.compile(rf"\s*(data\.)?tags\.name\s*=\s*{_NAME}\s*")
_NAMES = re.compile(_NAME)


@dataclass(frozen=True)
class TagFilter:
    """Tags an object must hold: ``any_of`` (one of them), and each of ``all_of``; ``data``
    when they are the tags of an asset's data rather than of the asset."""

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    data: bool = False


def parse_tag_query(q: str | None) -> TagFilter | None:
    """The tag filter ``q`` states, or None without ``q``."""
    if q is None or not q.strip():
        return None
    any_of = _ANY_OF.fullmatch(q)
    if any_of is not None:
        return TagFilter(any_of=tuple(_names(any_of.group(2))), data=bool(any_of.group(1)))
    parts = re.split(r"\s+and\s+", q.strip())
    matches = [_ONE.fullmatch(part) for part in parts]
    if all(match is not None for match in matches):
        prefixes = {bool(match.group(1)) for match in matches if match is not None}
        if len(prefixes) == 1:
            names = tuple(_unquote(match.group(2)) for match in matches if match is not None)
            return TagFilter(all_of=names, data=prefixes.pop())
    raise BadRequestError(
        "this server understands only the tag filters the SDK writes in q "
        '(tags.name in ("a", "b"), or tags.name = "a" and tags.name = "b")',
        details={"q": q[:200]},
    )


def _names(text: str) -> list[str]:
    return [_unquote(match.group(1)) for match in _NAMES.finditer(text)]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
