"""Listings in the SDK's two protocols, over pixlake's keyset pages.

The cursor protocol (``limit``, then ``cursor=<next_cursor>``) is pixlake's own ``after``
key under another name. The offset protocol (``offset`` and full pages, used when the SDK
sends ``order_by``) is answered by walking keyset pages up to the offset, in id order
(pixlake's listing order; ``order_by`` is not honoured, docs/picsellia-compatibility.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Depends, Query

from pixlake.core.services.wire_json import JsonPage
from pixlake.errors import BadRequestError
from pixlake.limits import MAX_TEXT_LENGTH
from pixlake.server.compat.wire import page

__all__ = ["Listing", "ListingDep", "cursor_of", "json_items", "walk_to_offset"]

Fetch = Callable[[UUID | None, int, str | None], JsonPage]
"""One keyset page of a listing: ``(after, size, q)``."""
Render = Callable[[dict[str, Any]], Any]
"""One listed item as the SDK reads it."""


@dataclass(frozen=True)
class Listing:
    """The query of a listing the SDK pages through (data of a datalake, assets of a
    version): one shape, answered by ``answer`` whatever is listed."""

    limit: int
    offset: int | None
    cursor: str | None
    q: str | None
    order_by: list[str] | None

    def answer(self, fetch: Fetch, render: Render) -> dict[str, Any]:
        """The page asked for: by offset when the SDK sends ``order_by`` (or an offset
        without a cursor), else the keyset page after ``cursor``."""
        if self.order_by or (self.offset and self.cursor is None):

            def whole_pages(after: UUID | None, size: int) -> JsonPage:
                return fetch(after, size, self.q)

            items, count = walk_to_offset(whole_pages, self.offset or 0, self.limit)
            return page([render(item) for item in items], count)
        found = fetch(cursor_of(self.cursor), self.limit, self.q)
        items = [render(item) for item in json_items(found)]
        return page(items, len(items), found.next_after)


def _listing(
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int | None, Query(ge=0, lt=2**53)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=MAX_TEXT_LENGTH)] = None,
    order_by: Annotated[list[str] | None, Query(max_length=16)] = None,
) -> Listing:
    return Listing(limit, offset, cursor, q, order_by)


ListingDep = Annotated[Listing, Depends(_listing)]


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
