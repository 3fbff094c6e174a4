"""Keyset listings, page by page, with the next page already on its way.

Listing 100,000 assets takes 20 pages, and each page costs about as much to write (the
server, or embedded, SQLite building the JSON) as to turn into SDK objects. Asking for page
n+1 as soon as page n has arrived lets the two halves overlap: the server process works on
the next page while this thread parses the current one (listing 100,000 assets from a
server on SQLite took about a fifth less time).

The next page's key comes in a header of the answer (``NEXT_AFTER_HEADER``), so the next
request leaves before this page is decoded, and the decoding is done by the thread that
uses the page; an answer without the header (the last page, or an older server) is
decoded where it arrives, for its ``next_after``.

Embedded, both halves run on this one interpreter, and a thread fetching ahead loses
more than it gains: the API's side of a request passes through the event loop's thread
and a worker thread, each of which must win the interpreter lock from the parsing thread
(up to its 5 ms switch interval a time), so the parsing thread ends up waiting a third of
the listing for its next page (docs/scaling.md). There (a connection without
``Capabilities.fetch_ahead``), each page is fetched in turn, in the calling thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from pixlake.schemas import NEXT_AFTER_HEADER

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = ["keyset_pages"]


def keyset_pages(
    connection: Connection,
    path: str,
    query: dict[str, Any],
    *,
    limit: int | None,
    page_size: int,
    params: dict[str, str] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The items of each page of ``POST path``, in order, ``limit`` items in all (every
    item when None).

    Each request is ``query`` plus the page's ``limit``; later pages follow the
    ``next_after`` key of the one before, and an ``offset`` in ``query`` applies to the
    first page only; ``params`` go in the query string of every request (the query ``q``).
    A failed request raises here, when its page is due. Leaving early
    (an error, Ctrl-C, a closed generator) does not wait for a page on its way.
    """

    def body(remaining: int | None, after: str | None) -> dict[str, Any]:
        size = page_size if remaining is None else min(page_size, remaining)
        if after is None:
            return {**query, "limit": size}
        later = {**query, "after": after, "limit": size}
        if "offset" in later:
            later["offset"] = 0
        return later

    def fetch(request: dict[str, Any]) -> _Answer:
        if params is None:
            answer = connection.request_undecoded("POST", path, json=request)
        else:
            answer = connection.request_undecoded("POST", path, json=request, params=params)
        after = answer.headers.get(NEXT_AFTER_HEADER)
        if after is not None:
            return _Answer(answer.content, after)
        page = orjson.loads(answer.content)
        return _Answer(page, page["next_after"])

    remaining = limit
    if remaining is not None and remaining <= 0:
        return
    ahead = (
        ThreadPoolExecutor(1, thread_name_prefix="pixlake-next-page")
        if connection.capabilities.fetch_ahead
        else None
    )
    try:
        answer = fetch(body(remaining, None))  # nothing to overlap with yet
        while True:
            if remaining is not None:
                # A page that has a next one holds all it was asked for (NEXT_AFTER_HEADER):
                # counted without decoding it.
                remaining -= min(remaining, page_size)
            after = answer.next_after
            following = (
                body(remaining, after)
                if after is not None and (remaining is None or remaining > 0)
                else None
            )
            pending = _submit(ahead, fetch, following)
            yield answer.items()
            if following is None:
                return
            answer = pending.result() if pending is not None else fetch(following)
    finally:
        if ahead is not None:
            ahead.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _Answer:
    """A page as it came: its body still undecoded when the next key was in a header."""

    page: bytes | dict[str, Any]
    next_after: str | None

    def items(self) -> list[dict[str, Any]]:
        page = orjson.loads(self.page) if isinstance(self.page, bytes) else self.page
        items: list[dict[str, Any]] = page["items"]
        return items


def _submit(
    ahead: ThreadPoolExecutor | None, fetch: Any, request: dict[str, Any] | None
) -> Future[_Answer] | None:
    """The request on its way in the background, or None to send it when it is due (no
    request, no fetching ahead, or an interpreter shutting down that starts no thread)."""
    if ahead is None or request is None:
        return None
    try:
        return ahead.submit(fetch, request)
    except RuntimeError:
        return None
