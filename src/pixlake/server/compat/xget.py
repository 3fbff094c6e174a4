"""Gives an XGET request its method back (see ``connection_limits.XGET_MARK``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["RestoreXget"]

_MARK = (b"x-pixlake-method", b"XGET")


class RestoreXget:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and _MARK in scope["headers"]:
            scope = {**scope, "method": "XGET"}
        await self.app(scope, receive, send)
