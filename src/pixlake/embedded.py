"""Embedded mode: a workspace opened in this process, its API reached without a network.

The only module that knows both sides of the seam between the SDK and the application. It
opens a workspace, builds the very FastAPI application ``pixlake serve`` runs, and wraps it
in an in-process transport (``httpx.WSGITransport`` over ``a2wsgi.ASGIMiddleware``, whose
event loop runs in one daemon thread). The SDK receives a plain ``Connection`` with the
``Capabilities`` of an API in this process, as an httpx client receives a transport: it
never learns how the API behind it is built, and it imports nothing of the server.

``pixlake.Client`` imports this module only when no host is given, so a client machine
that installed the SDK alone never needs the server's packages.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

import httpx
from a2wsgi import ASGIMiddleware

from pixlake.core.workspace import open_workspace
from pixlake.probed_media import ProbedMedia
from pixlake.sdk.connection import DEFAULT_TIMEOUT, Capabilities, Connection
from pixlake.server.app import create_app
from pixlake.settings import Settings

__all__ = ["IN_PROCESS", "connect_in_process"]

EMBEDDED_BASE_URL = "http://embedded.pixlake"
"""The base URL of in-process requests; no request reaches a network under it."""

IN_PROCESS = Capabilities(local_files=True, fetch_ahead=False)
"""An API in this process reads the caller's files by path, and shares this interpreter
with the SDK (a thread fetching ahead would only contend for its lock). Each connection
adds the ``ProbedMedia`` it shares with its application."""


def connect_in_process(workspace: Path | None, api_token: str | None = None) -> Connection:
    """Open a workspace (creating what is missing) and connect to its API in this process.

    Args:
        workspace: the workspace folder; ``$PIXLAKE_HOME`` (``~/.pixlake``) when None.
        api_token: act as the user of this token; the workspace's owner when None.

    Closing the connection stops the event loop and closes the workspace.
    """
    settings = Settings(workspace=workspace) if workspace is not None else Settings()
    opened = open_workspace(settings)
    # Shared by reference between this connection's uploads and its application alone.
    capabilities = replace(IN_PROCESS, probes=ProbedMedia())
    try:
        app = create_app(
            opened.context, embedded_owner=opened.owner, probed_media=capabilities.probes
        )
    except BaseException:
        opened.close()
        raise
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever, name="pixlake-embedded", daemon=True)
    loop_thread.start()
    # a2wsgi and httpx each spell the ASGI and WSGI callables their own way; the objects
    # match at run time.
    transport = httpx.WSGITransport(app=ASGIMiddleware(app, loop=loop))  # type: ignore[arg-type]
    headers = {"authorization": f"Bearer {api_token}"} if api_token else {}
    http = httpx.Client(
        transport=transport, base_url=EMBEDDED_BASE_URL, headers=headers, timeout=DEFAULT_TIMEOUT
    )

    def close() -> None:
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(timeout=5)
        loop.close()
        opened.close()

    # Data URLs of an in-process app are the objects' own files (read with a copy) or a
    # bucket's presigned URLs; the API client serves as the downloads client, as before.
    return Connection(
        http, capabilities=capabilities, downloads=http, workspace=opened.path, on_close=close
    )
