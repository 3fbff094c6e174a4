"""Listings in the SDK's two protocols, over pixlake's keyset pages.

The cursor protocol (``limit``, then ``cursor=<next_cursor>``) is pixlake's own ``after``
key under another name. The offset protocol (``offset`` and full pages, used when the SDK
sends ``order_by``) is answered by walking keyset pages up to the offset, in id order
(pixlake's listing order; ``order_by`` is not honoured, docs/picsellia-compatibility.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson

from pixlake.core.services.wire_json import JsonPage
from pixlake.errors import BadRequestError

__all__ = ["cursor_of", "json_items", "walk_to_offset"]


def json_items(found: JsonPage) -> list[dict[str, Any]]:
    """The items of a page the database wrote, as dicts."""
    items: list[dict[str, Any]] = orjson.loads(orjson.dumps(found.items))
    return items


def cursor_of(cursor: str | None) -> UUID | None:
    if cursor is None or cursor == "":
        return None
    try:
        return UUID(cursor)
    except ValueError:
        raise BadRequestError(
            f"not a cursor: {cursor[:64]!r}", details={"cursor": cursor[:64]}
        ) from None


def walk_to_offset(
    fetch: Callable[[UUID | None, int], JsonPage], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Items ``offset`` to ``offset + limit`` and the total count, by keyset pages."""
    items: list[dict[str, Any]] = []
    count = 0
    after: UUID | None = None
    while True:
        found = fetch(after, 5000)
        rows = json_items(found)
        for row in rows:
            if offset <= count < offset + limit:
                items.append(row)
            count += 1
        if found.next_after is None:
            return items, count
        after = UUID(found.next_after)
