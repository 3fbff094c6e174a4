"""The SDK's one way to the API: an httpx client, in-process (embedded) or over the network.

SDK objects call ``Connection.request`` and nothing else; they never build SQL or touch
storage. The embedded transport runs the very same FastAPI application in this process, so
both modes share every rule below the transport.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
from a2wsgi import ASGIMiddleware

from pixlake import __version__
from pixlake.errors import PixlakeError, ServiceError, TransportError, error_class_for_code

__all__ = ["DEFAULT_TIMEOUT", "Connection"]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
EMBEDDED_BASE_URL = "http://embedded.pixlake"
_RETRIED_METHODS = frozenset({"GET", "PUT", "DELETE"})
_CONNECT_ATTEMPTS = 3


class Connection:
    """Sends requests to the API and turns error responses into pixlake errors."""

    def __init__(self, http: httpx.Client, *, embedded: bool,
                 on_close: Callable[[], None] | None = None,
                 workspace: Path | None = None) -> None:
        self.http = http
        self.embedded = embedded
        self.workspace = workspace
        self._on_close = on_close
        # Bytes served by signed URLs are fetched without the API token: the URL is the
        # credential, and the token must not leak to whatever host serves the bytes.
        self.downloads = http if embedded else httpx.Client(timeout=DEFAULT_TIMEOUT)

    @classmethod
    def to_server(cls, host: str, api_token: str | None) -> Connection:
        headers = {"user-agent": f"pixlake-sdk/{__version__}"}
        if api_token:
            headers["authorization"] = f"Bearer {api_token}"
        http = httpx.Client(base_url=host.rstrip("/"), headers=headers, timeout=DEFAULT_TIMEOUT,
                            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        return cls(http, embedded=False)

    @classmethod
    def in_process(cls, workspace: Path | None, api_token: str | None = None) -> Connection:
        """Open a workspace and reach its API in this process, without any network."""
        from pixlake.core.workspace import open_workspace
        from pixlake.server.app import create_app
        from pixlake.settings import Settings

        settings = Settings(workspace=workspace) if workspace is not None else Settings()
        opened = open_workspace(settings)
        app = create_app(opened.context, embedded_owner=opened.owner)
        loop = asyncio.new_event_loop()
        loop_thread = threading.Thread(target=loop.run_forever, name="pixlake-embedded",
                                       daemon=True)
        loop_thread.start()
        transport = httpx.WSGITransport(app=ASGIMiddleware(app, loop=loop))
        headers = {"authorization": f"Bearer {api_token}"} if api_token else {}
        http = httpx.Client(transport=transport, base_url=EMBEDDED_BASE_URL, headers=headers,
                            timeout=DEFAULT_TIMEOUT)

        def close() -> None:
            loop.call_soon_threadsafe(loop.stop)
            loop_thread.join(timeout=5)
            loop.close()
            opened.close()

        return cls(http, embedded=True, on_close=close, workspace=opened.path)

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None,
                content: Any = None, headers: dict[str, str] | None = None) -> Any:
        """Send one request; returns the decoded JSON body (None when there is none)."""
        for attempt in range(_CONNECT_ATTEMPTS):
            try:
                response = self.http.request(method, path, json=json, params=params,
                                             content=content, headers=headers)
                break
            except httpx.ConnectError as exc:
                # Only a refused connection is retried: the request never reached the server.
                if method not in _RETRIED_METHODS or attempt == _CONNECT_ATTEMPTS - 1:
                    raise TransportError(f"could not reach {self.http.base_url}: {exc}") from exc
            except httpx.TransportError as exc:
                raise TransportError(f"{method} {path} failed: {exc}") from exc
        raise_for_error(response)
        if response.status_code == 204 or not response.content:
            return None
        return orjson.loads(response.content)

    def close(self) -> None:
        if self.downloads is not self.http:
            self.downloads.close()
        self.http.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


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
