"""Keyset listings, page by page, with the next page already on its way.

Listing 100,000 assets takes 20 pages, and each page costs about as much to write (the
server, or embedded, SQLite building the JSON) as to turn into SDK objects. Asking for page
n+1 as soon as page n has arrived lets the two halves overlap: the server process works on
the next page while this thread parses the current one (listing 100,000 assets from a
server on SQLite took about a fifth less time).

Embedded, both halves are Python code of this one process, and a thread fetching ahead
only fights the parsing thread for the interpreter lock: listing took about 30% longer.
There, each page is fetched in turn, in the calling thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection

__all__ = ["keyset_pages"]


def keyset_pages(connection: Connection, path: str, query: dict[str, Any], *,
                 limit: int | None, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """The items of each page of ``POST path``, in order, ``limit`` items in all (every
    item when None).

    Each request is ``query`` plus the page's ``limit``; later pages follow the
    ``next_after`` key of the one before, and an ``offset`` in ``query`` applies to the
    first page only. A failed request raises here, when its page is due.
    """
    def body(remaining: int | None, after: str | None) -> dict[str, Any]:
        size = page_size if remaining is None else min(page_size, remaining)
        if after is None:
            return {**query, "limit": size}
        later = {**query, "after": after, "limit": size}
        if "offset" in later:
            later["offset"] = 0
        return later

    def fetch(request: dict[str, Any]) -> Any:
        return connection.request("POST", path, json=request)

    remaining = limit
    if remaining == 0:
        return
    fetcher: Executor = (_InThisThread() if connection.embedded
                         else ThreadPoolExecutor(1, thread_name_prefix="pixlake-next-page"))
    with fetcher as ahead:
        pending: Future[Any] | None = ahead.submit(fetch, body(remaining, None))
        while pending is not None:
            page = pending.result()
            items = page["items"]
            if remaining is not None:
                remaining -= len(items)
            after = page["next_after"]
            more = after is not None and (remaining is None or remaining > 0)
            pending = ahead.submit(fetch, body(remaining, after)) if more else None
            yield items


class _InThisThread(Executor):
    """Runs each call at once, in the calling thread."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        done: Future[Any] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed over, raised by result() like a thread's
            done.set_exception(exc)
        return done
