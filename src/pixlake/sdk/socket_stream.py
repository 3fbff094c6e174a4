"""One large HTTP body read straight off its socket, hashed and written by two more threads.

httpx hands a body over in 64 KiB pieces, each through its pure-Python HTTP parser: for a
file of a gigabyte, that parsing costs the client more CPU than hashing and writing the
bytes (a profile of a 1 GiB model download: 3.8 s in the parser for 0.9 s of SHA-256). The
standard library's ``http.client`` reads a body into a caller's buffer with no parser in
the way, and the socket read, the hash and the write all release the GIL: one thread
fills a buffer while a second hashes and a third writes the ones before, so receiving,
hashing and writing overlap.

It is used for the API's own ``/objects`` route over plain HTTP, where nothing but the
signed URL is needed (no token, no TLS, no proxy), by a connection's own downloads client
(nothing configured on it to honour); everything else goes through httpx.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.request
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from pixlake.errors import StorageError
from pixlake.sdk.connection import raise_for_error

__all__ = ["BLOCK", "DEPTH", "reads_straight", "receive_hashing"]

BLOCK = 4 * 1024 * 1024
"""Bytes received into one buffer before it is handed over to be hashed and written."""
DEPTH = 3
"""Buffers in use at once (one filling, the others being hashed and written): what a download
holds in memory, ``DEPTH * BLOCK``."""
_ERROR_BODY_LIMIT = 64 * 1024


def reads_straight(url: str) -> bool:
    """Whether ``url`` can be read off its socket here: plain HTTP with no proxy to go
    through (httpx, like urllib, would send it through one the environment names)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    proxies = urllib.request.getproxies()
    if not (proxies.get("http") or proxies.get("all")):
        return True
    return bool(urllib.request.proxy_bypass(parts.hostname))


def receive_hashing(
    url: str,
    fd: int,
    name: str,
    timeout: httpx.Timeout,
    progress: Callable[[int], object] | None = None,
) -> str:
    """Write the body of a GET of ``url`` to the file ``fd`` from its start; returns the
    SHA-256 of the bytes written. ``timeout``'s connect and read parts bound the
    connection and each read.

    Raises:
        StorageError: the connection failed, the answer was a redirection, or the body
            ended before its length.
        PixlakeError: the answer was an error (as ``raise_for_error`` makes it).
        OSError: the file could not be written.
    """
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port or 80, timeout=timeout.connect
    )
    try:
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(timeout.read)
            connection.request("GET", target, headers={"accept-encoding": "identity"})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException, UnicodeError) as exc:
            raise _network_failure(name, exc) from exc
        if response.status >= 300:
            _raise_answer(response, name)
        announced = response.length
        digest, received = _pipe(response, fd, name, progress)
        if announced is not None and received != announced:
            # http.client ends a body cut short quietly, as if it were whole.
            raise StorageError(
                f"could not download {name}: the connection closed after {received} of "
                f"its {announced} bytes"
            )
        return digest
    finally:
        connection.close()


def _pipe(
    response: http.client.HTTPResponse,
    fd: int,
    name: str,
    progress: Callable[[int], object] | None,
) -> tuple[str, int]:
    """Fill buffers from ``response`` in turn while one worker hashes and another writes
    each one, in order; a buffer is filled again only once both are done with it. Returns
    the SHA-256 and the number of bytes. What the writer raises (the file's side) is
    raised as it is; what reading raises (the network's side) is a StorageError."""
    digest = hashlib.sha256()
    buffers = [bytearray(BLOCK) for _ in range(DEPTH)]

    def write(block: memoryview) -> None:
        while block:
            block = block[os.write(fd, block) :]

    # One thread hashes and another writes, each in order: both only read a buffer, and
    # the page cache's write costs as much as the hash when the kernel is writing back.
    with (
        ThreadPoolExecutor(1, thread_name_prefix="pixlake-hash") as hasher,
        ThreadPoolExecutor(1, thread_name_prefix="pixlake-write") as writer,
    ):
        in_flight: deque[tuple[Future[None], Future[None]]] = deque()
        turn = total = 0
        try:
            while True:
                if len(in_flight) == DEPTH:  # the oldest holds the buffer of this turn
                    for done in in_flight.popleft():
                        done.result()
                view = memoryview(buffers[turn % DEPTH])
                try:
                    received = response.readinto(view)
                except (OSError, http.client.HTTPException) as exc:
                    raise _network_failure(name, exc) from exc
                if not received:
                    break
                block = view[:received]
                in_flight.append((hasher.submit(digest.update, block), writer.submit(write, block)))
                total += received
                if progress is not None:
                    progress(received)
                turn += 1
            while in_flight:
                for done in in_flight.popleft():
                    done.result()
        finally:
            for pair in in_flight:
                for pending in pair:
                    pending.cancel()
    return digest.hexdigest(), total


def _network_failure(name: str, exc: BaseException) -> StorageError:
    return StorageError(f"could not download {name}: {type(exc).__name__}: {exc}")


def _raise_answer(response: http.client.HTTPResponse, name: str) -> None:
    """Raise the error an answer of status 300 or more stands for: a redirection is not
    followed (as httpx does not), an error is the typed error its body names."""
    try:
        body = response.read(_ERROR_BODY_LIMIT)
    except (OSError, http.client.HTTPException) as exc:
        raise _network_failure(name, exc) from exc
    raise_for_error(httpx.Response(response.status, headers=response.getheaders(), content=body))
    raise StorageError(
        f"could not download {name}: the server answered {response.status} "
        f"{response.reason} instead of its bytes"
    )
