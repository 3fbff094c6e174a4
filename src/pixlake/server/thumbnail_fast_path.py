"""Warm thumbnails answered in front of the application, by the rules of the thumbnail route.

A gallery asks for one thumbnail per picture, and once a thumbnail is in the process's
memory (``ThumbnailCache``) the answer is a few headers and a few kB: what is left of its
cost is the stack around it (the middleware, routing, dependencies, SQLAlchemy's execution
path). This ASGI layer wraps the whole application (``install_thumbnail_fast_path``) and
answers ``GET /data/{id}/thumbnail`` itself when it can:

- only a plain ``GET`` without a query string, without a body and within
  ``max_header_count`` headers (what ``RequestLimits`` would let through untouched);
- the caller is who ``get_actor`` says: the ``Authorization: Bearer`` token or, without
  that header, the session cookie (signature and expiry checked by ``open_session``, the
  token fingerprint compared as ``session_of`` does); the user's row is read on every
  request, joined to the data row in the same statement (``ThumbnailAccess``), so a
  revoked token or an ended session is refused by its next request;
- the data row is found only in the caller's organization;
- an ``If-None-Match`` holding the thumbnail's ETag answers 304 before any bytes are read;
- otherwise the bytes come from the cache, with the route's headers and those
  ``SecurityHeadersMiddleware`` adds.

Anything else (no or a malformed or refused credential, another organization's id, a
thumbnail not in memory, a query string, another method, an unexpected error) goes on to
the application, which answers it exactly as before (401, 404 without a byte, a cold
thumbnail made, a placeholder, a typed 500). Nothing here decides who may read what: a
"no" here only means "ask the route".

On SQLite the statement runs in the event loop: an indexed point read of a local file,
far cheaper than the hop to a worker thread and back; but only while the connection pool
has one to spare (the loop must never wait for a connection). On PostgreSQL, a network
round trip away, it runs in one worker thread, so the loop never waits for the network.
"""

from __future__ import annotations

import re
from uuid import UUID

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy.pool import QueuePool
from starlette.convertors import UUIDConvertor
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from pixlake.core.context import AppContext
from pixlake.core.services.accounts import hash_token
from pixlake.core.services.thumbnail_access import ThumbnailAccess, ThumbnailGrant
from pixlake.core.services.thumbnails import THUMBNAIL_VERSION
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.server.headers import USER_BYTES_POLICY
from pixlake.server.routers.thumbnails import IMMUTABLE
from pixlake.thumbnailing import THUMBNAIL_CONTENT_TYPE
from pixlake.web.sessions import SESSION_COOKIE, open_session, token_fingerprint

__all__ = ["ThumbnailFastPath", "install_thumbnail_fast_path"]

_THUMBNAIL_PATH = re.compile(f"/data/({UUIDConvertor.regex})/thumbnail")
"""The route's path, with the id as its ``uuid`` convertor reads it."""

_ID = UUIDConvertor()

_FIXED_HEADERS = (
    (b"cache-control", IMMUTABLE.encode()),
    (b"content-security-policy", USER_BYTES_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
)
"""The route's thumbnail headers but the ETag, and ``SecurityHeadersMiddleware``'s."""

_CONTENT_TYPE = (b"content-type", THUMBNAIL_CONTENT_TYPE.encode())

_PASS_THROUGH_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"x-pixlake-method"})
"""Headers that make a request the application's: a body (``RequestLimits`` guards it)
or the mark of an ``XGET`` (``RestoreXget`` gives it its method back)."""

_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class ThumbnailFastPath:
    """Answers warm ``GET /data/{id}/thumbnail`` requests; passes every other to ``app``."""

    def __init__(self, app: ASGIApp, context: AppContext, cache: ThumbnailCache) -> None:
        self.app = app
        self.cache = cache
        self.access = ThumbnailAccess(context.db.engine)
        self.max_header_count = context.settings.max_header_count
        self.secret = context.settings.secret_key or ""
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
        if match is None or len(scope["headers"]) > self.max_header_count:
            await self.app(scope, receive, send)
            return
        data_id = _ID.convert(match.group(1))
        headers = scope["headers"]
        if self._reads_in_loop():
            answer = self._warm_answer(headers, data_id)
        else:
            answer = await anyio.to_thread.run_sync(self._warm_answer, headers, data_id)
        if answer is None:
            await self.app(scope, receive, send)
            return
        status, response_headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    def _warm_answer(self, headers: list[tuple[bytes, bytes]], data_id: UUID) -> _Answer | None:
        """The answer when it needs neither the store nor a decode; None otherwise."""
        authorization = cookie = if_none_match = None
        # The first of a repeated header, as Starlette's ``request.headers.get`` reads it.
        for name, value in headers:
            if name == b"authorization":
                authorization = value if authorization is None else authorization
            elif name == b"cookie":
                cookie = value if cookie is None else cookie
            elif name == b"if-none-match":
                if_none_match = value if if_none_match is None else if_none_match
            elif name in _PASS_THROUGH_HEADERS:
                return None
        try:
            grant = self._grant(authorization, cookie, data_id)
        except Exception:
            # A refused credential (PixlakeError), a malformed one, or the database
            # failing: nothing is sent yet, and the route answers it with its own typed
            # status and body (outside here, an error would reach uvicorn's bare 500).
            return None
        if grant is None:
            return None
        etag = f'"{THUMBNAIL_VERSION}-{grant.checksum}"'.encode()
        response_headers = [(b"etag", etag), *_FIXED_HEADERS]
        if if_none_match is not None and _validates(etag, if_none_match):
            return 304, response_headers, b""
        content = self.cache.get(grant.checksum)
        if content is None:
            return None
        response_headers.append(_CONTENT_TYPE)
        response_headers.append((b"content-length", str(len(content)).encode()))
        return 200, response_headers, content

    def _grant(
        self, authorization: bytes | None, cookie: bytes | None, data_id: UUID
    ) -> ThumbnailGrant | None:
        # As ``deps._authenticate`` reads a request: a Bearer token first; a header that
        # is there but not a Bearer token is refused (by the route); without the header,
        # the session cookie.
        if authorization is not None:
            scheme, _space, token = authorization.decode("latin-1").partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                return None
            return self.access.by_token(hash_token(token), data_id)
        if cookie is None:
            return None
        value = cookie_parser(cookie.decode("latin-1")).get(SESSION_COOKIE)
        if value is None:
            return None
        session = open_session(self.secret, value)
        grant = self.access.by_user(session.user_id, data_id)
        if grant is None or token_fingerprint(grant.token_hash) != session.fingerprint:
            return None
        return grant


def _validates(etag: bytes, if_none_match: bytes) -> bool:
    """``routers.thumbnails.validates``, on the header's bytes."""
    return etag in {part.strip().removeprefix(b"W/") for part in if_none_match.split(b",")}


def install_thumbnail_fast_path(app: FastAPI, context: AppContext, cache: ThumbnailCache) -> None:
    """Put ``ThumbnailFastPath`` around the whole of ``app``'s stack.

    Outside every middleware (the security headers' included, whose headers it sends
    itself): what it answers needs none of them, and each costs a warm thumbnail more than
    its read. What it does not answer goes through all of them, unchanged.
    """
    build = app.build_middleware_stack

    def build_with_fast_path() -> ASGIApp:
        return ThumbnailFastPath(build(), context, cache)

    app.build_middleware_stack = build_with_fast_path  # type: ignore[method-assign]
