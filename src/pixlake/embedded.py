"""Embedded mode: a workspace opened in this process, its API reached without a network.

The only module that knows both sides of the seam between the SDK and the application. It
opens a workspace, builds the very FastAPI application ``pixlake serve`` runs, and wraps it
in an in-process transport (``httpx.WSGITransport`` over ``a2wsgi.ASGIMiddleware``, whose
event loop runs in one daemon thread). The SDK receives a plain ``Connection`` with the
``Capabilities`` of an API in this process, as an httpx client receives a transport: it
never learns how the API behind it is built, and it imports nothing of the server.

The application is built by the first request that needs it (``ApplicationOnDemand``),
not when the workspace opens: FastAPI, Starlette and the application's modules are most of
what opening costs, and ``Client()`` needs none of them. What ``Client()`` asks first,
``GET /me``, is known without a request when the connection acts as the workspace's owner:
the answer is made by the service the route calls, with the route's wire model
(docs/startup.md).

``pixlake.Client`` imports this module only when no host is given, so a client machine
that installed the SDK alone never needs the server's packages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from pixlake.core.services import accounts
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.gcpause import paused_gc
from pixlake.probed_media import ProbedMedia
from pixlake.sdk.connection import DEFAULT_TIMEOUT, Capabilities, Connection
from pixlake.settings import Settings

__all__ = ["IN_PROCESS", "ApplicationOnDemand", "connect_in_process"]

EMBEDDED_BASE_URL = "http://embedded.pixlake"
"""The base URL of in-process requests; no request reaches a network under it."""

IN_PROCESS = Capabilities(local_files=True, fetch_ahead=False)
"""An API in this process reads the caller's files by path, and shares this interpreter
with the SDK (a thread fetching ahead would only contend for its lock). Each connection
adds the ``ProbedMedia`` it shares with its application."""


class ApplicationOnDemand(httpx.BaseTransport):
    """An in-process transport that builds the workspace's application on its first request.

    Every request goes to the one application ``pixlake serve`` runs, built once per
    connection (under a lock: the SDK's transfers send requests from several threads),
    with its event loop in one daemon thread. ``close()`` stops that loop, if it was ever
    started.
    """

    def __init__(self, workspace: Workspace, probed_media: ProbedMedia) -> None:
        self._workspace = workspace
        self._probed_media = probed_media
        self._lock = threading.Lock()
        self._built: httpx.BaseTransport | None = None
        self._stop: Callable[[], None] | None = None

    @property
    def built(self) -> bool:
        """Whether a request has built the application yet."""
        return self._built is not None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._application().handle_request(request)

    def _application(self) -> httpx.BaseTransport:
        with self._lock:
            if self._built is None:
                # Tens of thousands of long-lived objects (routes, pydantic schemas):
                # collections along the way would only walk them again (pixlake.gcpause).
                with paused_gc():
                    self._built, self._stop = self._build()
            return self._built

    def _build(self) -> tuple[httpx.BaseTransport, Callable[[], None]]:
        # Imported here, with the first request that needs them: the application's
        # packages cost most of what opening a workspace does (docs/startup.md).
        import asyncio

        from a2wsgi import ASGIMiddleware

        from pixlake.allocator import keep_large_blocks_in_heap
        from pixlake.server.app import create_app

        keep_large_blocks_in_heap()  # this process now hosts the platform
        opened = self._workspace
        app = create_app(
            opened.context, embedded_owner=opened.owner, probed_media=self._probed_media
        )
        loop = asyncio.new_event_loop()
        loop_thread = threading.Thread(
            target=loop.run_forever, name="pixlake-embedded", daemon=True
        )
        loop_thread.start()

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            loop_thread.join(timeout=5)
            loop.close()

        # a2wsgi and httpx each spell the ASGI and WSGI callables their own way; the objects
        # match at run time.
        return httpx.WSGITransport(app=ASGIMiddleware(app, loop=loop)), stop  # type: ignore[arg-type]

    def close(self) -> None:
        with self._lock:
            stop, self._stop = self._stop, None
        if stop is not None:
            stop()


def connect_in_process(workspace: Path | None, api_token: str | None = None) -> Connection:
    """Open a workspace (creating what is missing) and connect to its API in this process.

    Args:
        workspace: the workspace folder; ``$PIXLAKE_HOME`` (``~/.pixlake``) when None.
        api_token: act as the user of this token; the workspace's owner when None.

    Closing the connection stops the event loop and closes the workspace.
    """
    settings = Settings(workspace=workspace) if workspace is not None else Settings()
    opened = open_workspace(settings)
    try:
        # Without a token the application acts as the owner, and answers GET /me with
        # this very value (pixlake.server.routers.me); a token is checked by the
        # application, on the first request.
        identity = _owner_identity(opened) if not api_token else None
    except BaseException:
        opened.close()
        raise
    # Shared by reference between this connection's uploads and its application alone.
    probes = ProbedMedia()
    capabilities = replace(IN_PROCESS, probes=probes)
    transport = ApplicationOnDemand(opened, probes)
    headers = {"authorization": f"Bearer {api_token}"} if api_token else {}
    http = httpx.Client(
        transport=transport, base_url=EMBEDDED_BASE_URL, headers=headers, timeout=DEFAULT_TIMEOUT
    )

    def close() -> None:
        transport.close()
        opened.close()

    # Data URLs of an in-process app are the objects' own files (read with a copy) or a
    # bucket's presigned URLs; the API client serves as the downloads client, as before.
    return Connection(
        http,
        capabilities=capabilities,
        downloads=http,
        workspace=opened.path,
        on_close=close,
        identity=identity,
    )


def _owner_identity(opened: Workspace) -> Any:
    """What ``GET /me`` answers the workspace's owner, as JSON values."""
    return accounts.me(opened.context, opened.owner).model_dump(mode="json", by_alias=True)
