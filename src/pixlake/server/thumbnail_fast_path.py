"""Warm thumbnails answered before FastAPI's routing, by the rules of the thumbnail route.

A gallery asks for one thumbnail per picture, and once a thumbnail is in the process's
memory (``ThumbnailCache``) the answer is a few headers and a few kB: what is left of its
cost is the stack around it (routing, dependencies, a worker-thread hop, the middleware).
This ASGI layer sits just inside the request limits and answers ``GET
/data/{id}/thumbnail`` itself when it can, calling the very same code the route calls:

- the caller is authenticated by ``authenticate_request`` (``get_actor``'s checks: token,
  session cookie, embedded owner; the user's row is read on every request, so a revoked
  token or an ended session is refused at once);
- the data row is read by ``thumbnail_source``, scoped to the caller's organization (both
  reads on one connection: ``Database.shared_read``);
- an ``If-None-Match`` holding the thumbnail's ETag answers 304 before any bytes are read;
- otherwise the bytes come from the cache, with the route's headers.

Anything else (no or a refused credential, another organization's id, a thumbnail not in
memory, a query string, another method) goes on to the route, which answers it exactly as
before (401, 404 without a byte, a cold thumbnail made, a placeholder). Nothing here
decides who may read what: a refusal here only means "ask the route".

On SQLite the two reads run in the event loop: they are indexed point reads of a local
file, far cheaper than the hop to a worker thread and back; but only while the connection
pool has one to spare (the loop must never wait for a connection). On PostgreSQL, a
network round trip away, they run in one worker thread, so the loop never waits for the
network.
"""

from __future__ import annotations

import re
from uuid import UUID

import anyio.to_thread
from sqlalchemy.pool import QueuePool
from starlette.convertors import UUIDConvertor
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from pixlake.core.context import AppContext
from pixlake.core.services import thumbnails as thumbnail_service
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.errors import PixlakeError
from pixlake.server.deps import authenticate_request
from pixlake.server.routers.thumbnails import thumbnail_headers, validates
from pixlake.thumbnailing import THUMBNAIL_CONTENT_TYPE

__all__ = ["ThumbnailFastPath"]

_THUMBNAIL_PATH = re.compile(f"/data/({UUIDConvertor.regex})/thumbnail")
"""The route's path, with the id as its ``uuid`` convertor reads it."""

_ID = UUIDConvertor()

_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class ThumbnailFastPath:
    """Answers warm ``GET /data/{id}/thumbnail`` requests; passes every other to ``app``."""

    def __init__(self, app: ASGIApp, context: AppContext, cache: ThumbnailCache) -> None:
        self.app = app
        self.context = context
        self.cache = cache
        pool = context.db.engine.pool
        self._pool = pool if context.db.is_sqlite and isinstance(pool, QueuePool) else None

    def _reads_in_loop(self) -> bool:
        # Only while the pool has a connection to spare: waiting for one would stall
        # every other request of the loop.
        return self._pool is not None and self._pool.checkedout() < self._pool.size()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            match = _THUMBNAIL_PATH.fullmatch(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        data_id = _ID.convert(match.group(1))
        request = Request(scope)
        if self._reads_in_loop():
            answer = self._warm_answer(request, data_id)
        else:
            answer = await anyio.to_thread.run_sync(self._warm_answer, request, data_id)
        if answer is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _warm_answer(self, request: Request, data_id: UUID) -> _Answer | None:
        """The answer when it needs neither the store nor a decode; None otherwise."""
        try:
            with self.context.db.shared_read():
                actor = authenticate_request(request)
                source = thumbnail_service.thumbnail_source(self.context, actor, data_id)
        except PixlakeError:
            return None  # the route answers it, with the error's own status and body
        headers = [
            (name.encode(), value.encode()) for name, value in thumbnail_headers(source).items()
        ]
        if validates(source, request.headers.get("if-none-match")):
            return 304, headers, b""
        content = self.cache.get(source.checksum)
        if content is None:
            return None
        headers.append((b"content-type", THUMBNAIL_CONTENT_TYPE.encode()))
        headers.append((b"content-length", str(len(content)).encode()))
        return 200, headers, content
