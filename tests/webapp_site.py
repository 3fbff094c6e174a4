"""A web app to test over HTTP, in each deployment: ``pixlake ui``'s app over an embedded
workspace, ``pixlake serve`` on SQLite, and on PostgreSQL with S3."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from pixlake import Client
from pixlake.core.context import AppContext
from pixlake.core.services.accounts import create_user
from pixlake.core.workspace import Workspace, open_workspace
from pixlake.server.serving import uvicorn_config
from pixlake.settings import Settings
from pixlake.web.local import login_url, workspace_app
from pixlake.web.sessions import CSRF_COOKIE, CSRF_HEADER
from tests.conftest import LiveServer, free_port


@dataclass
class Site:
    url: str
    context: AppContext
    owner_login: Callable[[], str] | None = None
    """Issues a one-time link signing the workspace's owner in (``pixlake ui`` only)."""

    def new_user(self, organization: str | None = None) -> tuple[str, str]:
        """A fresh user in a fresh (or the given) organization: (username, token)."""
        org = organization or f"org-{uuid.uuid4().hex[:10]}"
        username = f"user-{uuid.uuid4().hex[:10]}"
        _user, token = create_user(self.context, username, org)
        assert token is not None
        return username, token

    def new_token(self, organization: str | None = None) -> str:
        return self.new_user(organization)[1]

    def sdk(self, token: str) -> Client:
        return Client(api_token=token, host=self.url)

    def browser(self) -> httpx.Client:
        """A client with no token, keeping cookies as a browser does."""
        return httpx.Client(base_url=self.url, timeout=30)

    @contextmanager
    def signed_in(self, token: str) -> Iterator[httpx.Client]:
        """A browser signed in with ``token``, sending the CSRF header on every request."""
        with self.browser() as browser:
            answer = browser.post("/ui/session", json={"token": token})
            assert answer.status_code == 200, answer.text
            browser.headers[CSRF_HEADER] = browser.cookies[CSRF_COOKIE]
            yield browser


def site_of(server: LiveServer) -> Site:
    return Site(server.url, server.workspace.context)


def serve_workspace(folder: Path) -> Iterator[Site]:
    """``pixlake ui``'s app over an embedded workspace, on a loopback port."""
    opened: Workspace = open_workspace(Settings(workspace=folder))
    app = workspace_app(opened)
    port = free_port()
    settings = opened.context.settings
    server = uvicorn.Server(
        uvicorn_config(app, settings, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    yield Site(url, opened.context, owner_login=lambda: login_url(app, opened, url))
    server.should_exit = True
    thread.join(timeout=10)
    opened.close()
