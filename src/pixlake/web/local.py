"""The web app over an embedded workspace, for one person on this machine (``pixlake ui``).

It is the app ``pixlake serve`` runs (create_app without an embedded owner: a request
without a token or session is refused, so another local user's browser or process gains
nothing from the port), plus a one-time link that signs the workspace's owner in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI

from pixlake.core.workspace import Workspace
from pixlake.server.app import create_app
from pixlake.web.login_codes import LoginCodes

__all__ = ["login_url", "workspace_app"]


def workspace_app(opened: Workspace) -> FastAPI:
    """The app serving ``opened``, able to issue one-time links for its owner."""
    app = create_app(opened.context)
    app.state.login_codes = LoginCodes()
    return app


def login_url(app: FastAPI, opened: Workspace, base_url: str) -> str:
    """A link under ``base_url`` that signs the owner in once (and then is useless)."""
    codes: LoginCodes = app.state.login_codes
    code = codes.issue(opened.owner)
    return f"{base_url.rstrip('/')}/ui/login?{urlencode({'code': code})}"
