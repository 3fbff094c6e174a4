"""The SDK's one way to the API: an httpx client and what the API behind it can do.

SDK objects call ``Connection.request`` and nothing else; they never build SQL or touch
storage, and they never ask which mode they run in: what an API in this very process lets
them do differently is a ``Capabilities`` of the connection. The SDK itself connects only
to servers; ``pixlake.embedded`` builds the in-process connection (the same FastAPI
application reached through an in-process transport) and hands it over, so this package
imports nothing of the server.

Requests whose retry is safe are retried on transport failures, with exponential backoff
(see ``Retries`` and docs/retries.md): reads (GET and the POSTs that only read), PUT and
DELETE, and bulk writes sent with an ``Idempotency-Key``, which the server answers once.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from pixlake import __version__
from pixlake.errors import (
    OutdatedSchemaError,
    PixlakeError,
    RequestInProgressError,
    ServiceError,
    TransportError,
    error_class_for_code,
)
from pixlake.schemas import IDEMPOTENCY_HEADER

if TYPE_CHECKING:
    from pixlake.probed_media import ProbedMedia

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "OVER_THE_NETWORK",
    "Capabilities",
    "Connection",
    "ReplayableStream",
    "Retries",
    "UndecodedAnswer",
    "idempotency_keys",
    "release",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class ReplayableStream(ABC):
    """A streamed request body that can be sent again: each iteration produces it whole
    from its first byte (re-reading its files), unlike a generator, which is spent once
    sent. ``Connection.request`` retries a request with such a body as it would one with
    a body of bytes."""

    @abstractmethod
    def __iter__(self) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class Capabilities:
    """What the API behind a connection lets the SDK do beyond plain requests.

    Declared by whoever builds the connection (``OVER_THE_NETWORK`` for a server,
    ``pixlake.embedded`` for an API in this process); SDK objects ask these questions and
    never which mode they run in.

    Attributes:
        local_files: the API reads files of this machine by path (``POST
            /datalakes/{id}/data/ingest-local``), so an upload sends paths rather than
            bytes. Only an in-process application mounts that route.
        fetch_ahead: a listing may ask for its next page from a background thread while it
            parses the current one. Worth it when another process writes the pages; not
            when the API runs on this interpreter, where its threads would wait for the
            parsing thread's lock at every hop of a request (``pixlake.sdk.paging``).
        probes: where an upload records what probing its files found, for the API to take
            instead of probing the same bytes again (``pixlake.probed_media``). Only an
            application in this process shares one, by reference: nothing of it travels
            in a request.
    """

    local_files: bool = False
    fetch_ahead: bool = True
    probes: ProbedMedia | None = None


OVER_THE_NETWORK = Capabilities()
"""A server: bytes travel in requests, listings fetch their next page ahead."""


@dataclass(frozen=True)
class Retries:
    """How a connection retries the requests whose retry is safe.

    Attributes:
        attempts: tries in all, the first included (1 never retries).
        backoff: seconds before the first retry, doubled before each next one (with a
            random part, so that many clients failing at once do not retry in step).
        max_backoff: the longest wait between two tries.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 8.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first)."""
        wait = min(self.max_backoff, self.backoff * 2.0 ** (retry - 1))
        wait *= random.uniform(0.5, 1.0)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait


DEFAULT_RETRIES = Retries()
"""Five tries over about eight seconds at most."""

# Methods whose repetition does what doing them once does.
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# POST routes that only read (their bodies carry long id lists or queries).
_READING_POSTS = ("/search", "/urls", "/url", "/by-ids", "/tags/of", "/annotation-files/inspect")
# Answers of a server or a proxy in trouble, which a later try may not meet.
_TRANSIENT_STATUSES = frozenset({502, 503, 504})
# Transport failures that happen before any byte of the request leaves: safe to retry for
# every method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def idempotency_keys() -> Iterator[str]:
    """The keys of the requests of one logical call, chunk by chunk.

    One random base per call, then ``<base>.<chunk index>``: each chunk's key is derived
    from the call's, and the retries of a chunk send that chunk's key again.
    """
    base = uuid.uuid4().hex
    return (f"{base}.{index}" for index in itertools.count())


@dataclass(frozen=True)
class UndecodedAnswer:
    """An answer's JSON body as it came, and its headers (``Connection.request_undecoded``)."""

    content: bytes
    headers: httpx.Headers


class Connection:
    """Sends requests to the API and turns error responses into pixlake errors."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        capabilities: Capabilities = OVER_THE_NETWORK,
        downloads: httpx.Client | None = None,
        workspace: Path | None = None,
        on_close: Callable[[], None] | None = None,
        retries: Retries = DEFAULT_RETRIES,
        identity: Any = None,
    ) -> None:
        """A connection over ``http``, the client every API request goes through.

        Args:
            capabilities: what the API behind ``http`` lets the SDK do besides requests.
            downloads: the client that fetches the bytes of signed URLs; by default a
                client of its own, without the API token (the URL is the credential, and
                the token must not leak to whatever host serves the bytes).
            workspace: the folder of the platform, when it runs in this process.
            on_close: called once by ``close()``, after the clients are closed.
            retries: how the requests whose retry is safe are retried.
            identity: the JSON answer the API gives to ``GET /me`` on this connection,
                when whoever opened it already holds it (an API in this process acting
                as its workspace's owner); ``me()`` then returns it once instead of
                asking.
        """
        self.http = http
        self._identity = identity
        self.capabilities = capabilities
        self.workspace = workspace
        self.retries = retries
        self._on_close = on_close
        self.downloads = (
            downloads if downloads is not None else httpx.Client(timeout=DEFAULT_TIMEOUT)
        )
        self.owns_downloads = downloads is None
        """Whether ``downloads`` is this connection's plain client (no transport, proxy
        or hook of a caller's to honour)."""

    @classmethod
    def to_server(cls, host: str, api_token: str | None) -> Connection:
        """A connection to the pixlake server at ``host`` (its base URL)."""
        headers = {"user-agent": f"pixlake-sdk/{__version__}"}
        if api_token:
            headers["authorization"] = f"Bearer {api_token}"
        http = httpx.Client(
            base_url=host.rstrip("/"),
            headers=headers,
            timeout=DEFAULT_TIMEOUT,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        return cls(http)

    def me(self) -> Any:
        """The API's answer to ``GET /me``: the identity this connection was opened with
        the first time, when it has one, else (and every later time) the API's own."""
        identity, self._identity = self._identity, None
        return identity if identity is not None else self.request("GET", "/me")

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        """Send one request; returns the decoded JSON body (None when there is none).

        Args:
            idempotency_key: sent as the ``Idempotency-Key`` header (see
                ``idempotency_keys``), for the routes that answer a key once; it makes the
                request safe to retry.
            timeout: instead of the client's own, for a request whose answer takes long
                to compute (an import of 500,000 shapes).

        Raises:
            TransportError: the server could not be reached, or the connection failed and
                the request was not safe to retry (or still failed after the retries).
            PixlakeError: the server's answer was an error (the matching class).
        """
        response = self._send(
            method,
            path,
            json=json,
            params=params,
            content=content,
            headers=headers,
            idempotency_key=idempotency_key,
            timeout=timeout,
        )
        try:
            raise_for_error(response)
            if response.status_code == 204 or not response.content:
                return None
            return orjson.loads(response.content)
        finally:
            release(response)

    def request_undecoded(
        self, method: str, path: str, *, json: Any = None, params: Any = None
    ) -> UndecodedAnswer:
        """``request()``, with the answer's body left as it came (JSON bytes), beside its
        headers: for a caller that decodes it later, or in another thread.

        Raises:
            TransportError, PixlakeError: as ``request()``.
        """
        response = self._send(method, path, json=json, params=params)
        try:
            raise_for_error(response)
            return UndecodedAnswer(response.content, response.headers)
        finally:
            release(response)

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """The answer to one request, after the retries that are safe."""
        method = method.upper()
        if idempotency_key is not None:
            headers = {**(headers or {}), IDEMPOTENCY_HEADER: idempotency_key}
        # A streamed body can't be sent twice: only a request that never left is retried.
        safe = _retry_is_safe(method, path, idempotency_key) and _replayable(content)
        retry = 0
        while True:
            last = retry + 1 >= self.retries.attempts
            retry_after = None
            try:
                response = self.http.request(
                    method,
                    path,
                    json=json,
                    params=params,
                    content=content,
                    headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except _NOT_SENT as exc:
                if last:
                    raise TransportError(f"could not reach {self.http.base_url}: {exc}") from exc
            except httpx.TransportError as exc:
                # The request may have been done, its answer lost: retried only when safe.
                if not safe or last:
                    raise TransportError(f"{method} {path} failed: {exc}") from exc
            else:
                if not safe or last or not _is_transient(response, idempotency_key):
                    return response
                retry_after = _retry_after(response)
                release(response)
            retry += 1
            time.sleep(self.retries.delay(retry, retry_after))

    def serves(self, url: str) -> bool:
        """Whether ``url`` is this API's own (its ``/objects`` route, which reads the bytes
        off the server's folder) rather than a bucket's presigned URL: the same scheme,
        host and port as the API."""
        api, other = self.http.base_url, httpx.URL(url)
        return (other.scheme, other.host, other.port) == (api.scheme, api.host, api.port)

    def close(self) -> None:
        if self.downloads is not self.http:
            self.downloads.close()
        self.http.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


def release(response: httpx.Response) -> None:
    """Let a read response, its body and its request go as soon as they are dropped.

    httpx binds every response to its stream and the stream back to the response, a
    reference cycle that only Python's cyclic collector frees. Bulk calls run with that
    collector paused (``pixlake.gcpause``): without this, each page of a listing (megabytes
    of JSON) and each chunk of a bulk request stayed in memory until the call ended, a
    fifth of the peak memory of listing 100,000 assets.
    """
    response.stream = httpx.ByteStream(b"")


def _retry_is_safe(method: str, path: str, idempotency_key: str | None) -> bool:
    if method in _IDEMPOTENT_METHODS or idempotency_key is not None:
        return True
    return method == "POST" and path.rstrip("/").endswith(_READING_POSTS)


def _replayable(content: Any) -> bool:
    return content is None or isinstance(content, bytes | str | ReplayableStream)


def _is_transient(response: httpx.Response, idempotency_key: str | None) -> bool:
    """Whether a later try may get another answer: a server or proxy in trouble, or the
    first request with this idempotency key still running."""
    status = response.status_code
    if status not in _TRANSIENT_STATUSES and not (idempotency_key and status == 409):
        return False
    try:
        code = orjson.loads(response.content).get("code")
    except (orjson.JSONDecodeError, AttributeError):
        code = None
    if status == 409:
        return bool(code == RequestInProgressError.code)
    return bool(code != OutdatedSchemaError.code)  # waiting won't upgrade the database


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def raise_for_error(response: httpx.Response) -> None:
    """Raise the pixlake error an error response stands for, keeping the server's message."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
        code, message = body["code"], body["message"]
        details = body.get("details") or {}
    except (ValueError, KeyError, TypeError):
        code, message, details = "", response.text[:500] or response.reason_phrase, {}
    error_class = error_class_for_code(code, response.status_code)
    error: PixlakeError = error_class(message, details=details)
    if isinstance(error, ServiceError) and not message:
        error = ServiceError(f"server answered {response.status_code}")
    raise error
