"""A light HTTP/1.1 load client: keep-alive connections, one request in flight on each.

A browser loads a gallery's thumbnails over about six parallel keep-alive connections to
one origin, one request at a time on each (browsers do not pipeline). This client does the
same from one thread with non-blocking sockets and ``selectors``, and parses no more of an
answer than a benchmark reads (status, headers, a body of ``Content-Length`` bytes), so
that its own CPU per request stays small next to the server's: with httpx, one request at
a time, the client spent about as much CPU per request as the server, and on a 2-core
machine each request waited for both.

It is not a general HTTP client: answers must carry ``Content-Length`` (pixlake's do) and
the server must keep the connection open (a closed connection is an error here).
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Answer", "LoadRun", "run_requests"]

DEFAULT_CONNECTIONS = 6
"""As many connections as a browser opens to one origin over HTTP/1.1."""

_READ_SIZE = 256 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    """Header names lowercased; a repeated header keeps its last value."""
    body: bytes


@dataclass(frozen=True)
class LoadRun:
    answers: list[Answer]
    """In the order of the requests given."""
    seconds: float
    client_cpu_seconds: float
    """This process's CPU (user + system, all threads) while the requests ran."""


class _Connection:
    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = bytearray()
        self.index = -1  # the request in flight, -1 when idle
        self.outgoing = memoryview(b"")


def request_bytes(host: str, path: str, headers: dict[str, str]) -> bytes:
    """A ``GET`` of ``path`` on a keep-alive connection to ``host``."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _parse(buffer: bytearray) -> tuple[Answer, int] | None:
    """The first whole answer in ``buffer`` and its length in bytes, or None if incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    total = end + 4 + length
    if len(buffer) < total:
        return None
    return Answer(status, headers, bytes(buffer[end + 4 : total])), total


def run_requests(
    url: str,
    requests: Sequence[tuple[str, dict[str, str]]],
    *,
    connections: int = DEFAULT_CONNECTIONS,
) -> LoadRun:
    """Send every ``(path, headers)`` of ``requests`` to ``url`` over ``connections``
    keep-alive connections (opened before the clock starts), one in flight on each, the
    next request going to whichever connection is free first."""
    parts = urlsplit(url)
    host = parts.netloc
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    wire = [request_bytes(host, path, headers) for path, headers in requests]
    answers: list[Answer | None] = [None] * len(wire)
    waiting = deque(range(len(wire)))
    pool = [_Connection(address) for _ in range(max(1, min(connections, len(wire))))]
    selector = selectors.DefaultSelector()
    done = 0
    try:
        cpu_start = time.process_time()
        start = time.perf_counter()

        def dispatch(conn: _Connection) -> None:
            if waiting:
                conn.index = waiting.popleft()
                conn.outgoing = memoryview(wire[conn.index])
                _send(conn)

        def _send(conn: _Connection) -> None:
            sent = conn.sock.send(conn.outgoing)
            conn.outgoing = conn.outgoing[sent:]
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outgoing else 0)
            selector.modify(conn.sock, events, conn)

        for conn in pool:
            selector.register(conn.sock, selectors.EVENT_READ, conn)
            dispatch(conn)
        while done < len(wire):
            for key, events in selector.select():
                conn = key.data
                if events & selectors.EVENT_WRITE and conn.outgoing:
                    _send(conn)
                if not events & selectors.EVENT_READ:
                    continue
                chunk = conn.sock.recv(_READ_SIZE)
                if not chunk:
                    raise ConnectionError("the server closed a keep-alive connection")
                conn.buffer += chunk
                parsed = _parse(conn.buffer)
                if parsed is None:
                    continue
                answer, length = parsed
                del conn.buffer[:length]
                answers[conn.index] = answer
                done += 1
                conn.index = -1
                dispatch(conn)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    finally:
        selector.close()
        for conn in pool:
            conn.sock.close()
    return LoadRun([a for a in answers if a is not None], seconds, cpu)
