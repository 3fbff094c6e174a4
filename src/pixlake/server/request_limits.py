"""An ASGI middleware holding each request to the limits that don't depend on its route's
work: how many headers it has, how large its body is, how long its body may stall.

Headers' bytes and requests whose headers never finish are the connection's business
(``pixlake.server.connection_limits``): they must be refused before an ASGI request exists.

A refusal found while the application reads the body (a chunked body passing the limit, a
body that stops arriving) is raised from ``receive``; whatever the application makes of that
exception (FastAPI turns body-reading errors into a generic 400), the answer sent is the
typed refusal, with ``Connection: close``: the rest of the body is never read, so the
connection can't carry another request.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixlake.errors import (
    HeadersTooLargeError,
    PayloadTooLargeError,
    PixlakeError,
    RequestTimeoutError,
)

__all__ = ["BodyLimits", "RequestLimits"]


@dataclass(frozen=True)
class BodyLimits:
    """The limits this middleware applies, taken from the settings of the same names."""

    max_request_body: int
    max_header_count: int
    client_timeout: float


class RequestLimits:
    """Refuses, before the route does any work, requests over the limits of ``BodyLimits``.

    Args:
        app: the application.
        limits: the limits.
        file_routes: ``(methods, path regex)`` of the routes whose body is a file (or a
            bundle of files): they are held to the per-file size instead, which they check
            themselves since only they know where one file ends.
    """

    def __init__(
        self,
        app: ASGIApp,
        limits: BodyLimits,
        file_routes: Sequence[tuple[frozenset[str], re.Pattern[str]]] = (),
    ) -> None:
        self.app = app
        self.limits = limits
        # Read on each request, not copied: an embedded application adds the file routes of
        # each router as it includes it (pixlake.server.lazy_routers).
        self.file_routes = file_routes

    def _carries_files(self, scope: Scope) -> bool:
        method, path = scope["method"], scope["path"]
        return any(
            method in methods and pattern.match(path) for methods, pattern in self.file_routes
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        if len(scope["headers"]) > limits.max_header_count:
            await _answer(
                send,
                HeadersTooLargeError(
                    f"request has {len(scope['headers'])} headers, over "
                    f"{limits.max_header_count} (max_header_count)",
                    limit="max_header_count",
                    maximum=limits.max_header_count,
                ),
            )
            return
        max_body = None if self._carries_files(scope) else limits.max_request_body
        announced = _content_length(scope)
        if max_body is not None and announced is not None and announced > max_body:
            await _answer(send, _body_too_large(max_body))
            return
        guard = _BodyGuard(receive, max_body, limits.client_timeout)
        has_body = bool(announced) or _is_chunked(scope)

        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if guard.refusal is not None and not started:
                return  # the application's own answer to the refusal; ours goes instead
            if message["type"] == "http.response.start" and has_body and not guard.body_done:
                # Answered before the body was read through (a file refused from its
                # announced size...): the rest is never read, the connection can't go on.
                message = {
                    **message,
                    "headers": [*message.get("headers", ()), (b"connection", b"close")],
                }
            started = True
            await send(message)

        try:
            await self.app(scope, guard.receive, guarded_send)
        except Exception:
            if guard.refusal is None or started:
                raise
        if guard.refusal is not None and not started:
            await _answer(send, guard.refusal)


class _BodyGuard:
    """``receive`` counting body bytes against a limit and timing out a stalled body."""

    def __init__(self, receive: Receive, max_body: int | None, timeout: float) -> None:
        self._receive = receive
        self._max_body = max_body
        self._timeout = timeout
        self._received = 0
        self.body_done = False
        self.refusal: PixlakeError | None = None

    async def receive(self) -> Message:
        if self.refusal is not None:
            raise self.refusal
        if self.body_done:
            # Past the body, receive only waits for a disconnect (streamed answers listen
            # for one while they send): that wait is not the client's to bound.
            return await self._receive()
        try:
            async with asyncio.timeout(self._timeout):
                message = await self._receive()
        except TimeoutError:
            self.refusal = RequestTimeoutError(
                f"request body stalled: no byte for {self._timeout:g} s (client_timeout)",
                details={
                    "limit": "client_timeout",
                    "max": self._timeout,
                    "received": self._received,
                },
            )
            raise self.refusal from None
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            self.body_done = not message.get("more_body", False)
            if self._max_body is not None and self._received > self._max_body:
                self.refusal = _body_too_large(self._max_body)
                raise self.refusal
        else:
            self.body_done = True  # disconnected
        return message


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _is_chunked(scope: Scope) -> bool:
    return any(
        name == b"transfer-encoding" and b"chunked" in value.lower()
        for name, value in scope["headers"]
    )


def _body_too_large(maximum: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"request body is over {maximum} bytes (max_request_body)",
        limit="max_request_body",
        maximum=maximum,
    )


async def _answer(send: Send, error: PixlakeError) -> None:
    body = orjson.dumps(error.to_body())
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
