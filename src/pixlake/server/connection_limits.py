"""Limits on a connection's request heads, applied by uvicorn's HTTP protocol itself.

A request's headers must be refused before they are whole: httptools (what
``uvicorn[standard]`` runs) keeps however many header bytes a client sends, and neither it
nor h11 times out a client that opens a connection and never finishes its headers, so such
connections pile up for ever. The protocols here add both to uvicorn's own, whichever parser
runs: a head of more than ``max_header_bytes`` is answered 431 and a head not complete within
``client_timeout`` seconds is answered 408, and the connection is closed either way.

A head is complete when uvicorn creates the request's cycle (``self.cycle``); that is how
both protocols below tell, without reaching into either parser.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from pixlake.errors import (
    BadRequestError,
    HeadersTooLargeError,
    PixlakeError,
    RequestTimeoutError,
)

__all__ = ["HeadLimits", "LimitedConfig", "LimitedH11Protocol", "limited_protocol"]

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional; uvicorn then parses with h11
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class HeadLimits:
    max_header_bytes: int
    client_timeout: float


class LimitedConfig(uvicorn.Config):
    """uvicorn's configuration, carrying the limits the protocols below read. A class of
    its own (not an attribute set later) so that it reaches ``--workers`` processes."""

    def __init__(self, app: Any, *, head_limits: HeadLimits, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.head_limits = head_limits


class _HeadLimitsMixin:
    """Counts the bytes of a request's head and times it, on top of uvicorn's protocol."""

    config: uvicorn.Config  # a LimitedConfig: see _limits
    cycle: Any
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop

    _head_bytes = 0
    _head_timer: asyncio.TimerHandle | None = None

    @property
    def _limits(self) -> HeadLimits:
        # uvicorn types its protocols' configuration as a plain Config; limited_protocol()
        # is only ever handed to uvicorn with a LimitedConfig.
        assert isinstance(self.config, LimitedConfig)
        return self.config.head_limits

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        # A connection that sends nothing at all is a head that never finishes, too.
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        awaiting_head = self.cycle is None or self.cycle.response_complete
        if awaiting_head and self._head_bytes == 0 and data.startswith(XGET_REQUEST_LINE):
            data = _xget_as_get(data)
        cycle = self.cycle
        super().data_received(data)  # type: ignore[misc]
        if self.transport.is_closing():
            return
        if self.cycle is not cycle:  # a head completed (and perhaps its body began)
            self._head_bytes = 0
            self._stop_head_timer()
        elif awaiting_head:
            # Every byte of this chunk belongs to an unfinished head (at most the end of
            # a previous body counts too, which only errs on the safe side).
            self._head_bytes += len(data)
            limits = self._limits
            if self._head_bytes > limits.max_header_bytes:
                self._refuse(
                    HeadersTooLargeError(
                        f"request headers are over {limits.max_header_bytes} bytes "
                        "(max_header_bytes)",
                        limit="max_header_bytes",
                        maximum=limits.max_header_bytes,
                    )
                )
            elif self._head_timer is None:
                self._start_head_timer()

    def _start_head_timer(self) -> None:
        self._stop_head_timer()
        self._head_timer = self.loop.call_later(
            self._limits.client_timeout, self._head_timed_out, self.cycle
        )

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self, cycle: Any) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.cycle is not cycle:
            return
        if cycle is not None and not cycle.response_complete:
            return  # the request is running: its body has a timeout of its own
        timeout = self._limits.client_timeout
        self._refuse(
            RequestTimeoutError(
                f"request headers not complete within {timeout:g} s (client_timeout)",
                details={"limit": "client_timeout", "max": timeout},
            )
        )

    def send_400_response(self, msg: str) -> None:
        # What the parser can't read at all (a malformed request line or header) is
        # answered like every other error, with pixlake's body, not uvicorn's plain text.
        self._refuse(BadRequestError(f"malformed HTTP request: {msg}"))

    def _refuse(self, error: PixlakeError) -> None:
        self._stop_head_timer()
        body = orjson.dumps(error.to_body())
        self.transport.write(
            f"HTTP/1.1 {error.status_code} {_REASONS[error.status_code]}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        self.transport.close()


XGET_REQUEST_LINE = b"XGET "
XGET_MARK = b"x-pixlake-method: XGET"
"""The Picsellia SDK lists by keys with the made-up method XGET, which httptools (uvicorn's
fast parser) refuses before the app sees it. Such a request reaches the parser as a GET
carrying this header, and the app restores its method (``pixlake.server.compat.xget``)."""


def _xget_as_get(data: bytes) -> bytes:
    end = data.find(b"\r\n")
    if end < 0:  # a request line split across reads: left to the parser, which refuses it
        return data
    return b"GET " + data[len(XGET_REQUEST_LINE) : end] + b"\r\n" + XGET_MARK + data[end:]


_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}


class LimitedH11Protocol(_HeadLimitsMixin, H11Protocol):
    """uvicorn's h11 protocol with the head limits."""


if HttpToolsProtocol is not None:

    class LimitedHttpToolsProtocol(_HeadLimitsMixin, HttpToolsProtocol):
        """uvicorn's httptools protocol with the head limits."""

    __all__ += ["LimitedHttpToolsProtocol"]


def limited_protocol() -> type[asyncio.Protocol]:
    """The protocol uvicorn's ``http="auto"`` would pick (httptools when installed, else
    h11), with the head limits."""
    if HttpToolsProtocol is not None:
        return LimitedHttpToolsProtocol
    return LimitedH11Protocol
