"""Security headers: those of every response, and those of the user bytes the API serves.

Every answer carries ``X-Content-Type-Options: nosniff``, so that a browser never guesses a
type (and runs an HTML or SVG guess) other than the one declared. Answers that set no
``Cache-Control`` get ``no-store``: API answers are the caller's own and change, and no
proxy or browser cache should keep them. The bytes of signed object URLs instead say what
may be cached, and for how long (``object_headers``).
"""

from __future__ import annotations

import re
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixlake.media import MEDIA_CONTENT_TYPES

__all__ = [
    "BUNDLE_HEADERS",
    "USER_BYTES_POLICY",
    "SecurityHeadersMiddleware",
    "install_security_headers",
    "object_cache_control",
    "object_disposition",
    "object_headers",
]

USER_BYTES_POLICY = "default-src 'none'; sandbox"
"""Content-Security-Policy of served user bytes: opened as a page, they may load nothing,
run nothing, and live in an opaque origin of their own."""

BUNDLE_HEADERS = {
    "content-disposition": 'attachment; filename="data.pixlake-bundle"',
    "content-security-policy": USER_BYTES_POLICY,
}
"""Headers of a streamed download bundle (its cache policy is the default ``no-store``)."""

_DEFAULTS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


class SecurityHeadersMiddleware:
    """Adds ``X-Content-Type-Options: nosniff`` to every HTTP response, and
    ``Cache-Control: no-store`` to those that set no cache policy of their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _value in headers}
                headers.extend(pair for pair in _DEFAULTS if pair[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    """Put ``SecurityHeadersMiddleware`` around the whole of ``app``.

    ``app.add_middleware`` would place it inside Starlette's outermost error middleware,
    which sends the answer to an unexpected exception (a 500) itself: that answer would
    go out without the headers. Wrapping the built stack covers every response.
    """
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeadersMiddleware(build())

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]


def object_headers(object_name: str, content_type: str, expires: int) -> dict[str, str]:
    """Headers of the bytes of ``object_name`` served under a URL valid until ``expires``."""
    return {
        "content-disposition": object_disposition(object_name, content_type),
        "content-security-policy": USER_BYTES_POLICY,
        "cache-control": object_cache_control(expires - int(time.time())),
    }


def object_disposition(object_name: str, content_type: str) -> str:
    """``Content-Disposition`` of an object's bytes.

    Media pixlake stores are shown ``inline`` (a browser displays the picture or video),
    anything else is an ``attachment``. The filename is the object's content digest: the
    same bytes may be held under several filenames, and the object route reads no row.
    """
    disposition = "inline" if content_type in MEDIA_CONTENT_TYPES else "attachment"
    filename = _UNSAFE_IN_FILENAME.sub("_", object_name.rsplit("/", 1)[-1]) or "object"
    return f'{disposition}; filename="{filename}"'


def object_cache_control(seconds_left: int) -> str:
    """``Cache-Control`` of an object's bytes under a URL valid ``seconds_left`` more.

    The bytes behind a content-addressed name never change, so the caller's own cache may
    keep them (``private``, ``immutable``), but no longer than the URL stays valid.
    """
    return f"private, max-age={max(0, seconds_left)}, immutable"
