"""A 405 answer whose ``Allow`` header names every method its path takes.

Starlette answers a request whose path matches but whose method does not from the first
route of that path, so ``PATCH /datasets/{id}`` was told ``Allow: GET`` although the path
also takes PATCH and DELETE. The true list is the union over every route of the path; it is
only worked out when a 405 is sent, so other answers cost one function call more.
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["TrueAllowHeader", "allowed_methods"]


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route takes at the path of ``scope``, sorted."""
    methods: set[str] = set()
    # Included routers are combined lazily; their effective routes are what answers.
    for route in iter_route_contexts(routes):
        if route.methods:
            match, _child = route.matches(scope)
            if match != Match.NONE:
                methods |= route.methods
    return sorted(methods)


class TrueAllowHeader:
    """ASGI middleware rewriting the ``Allow`` header of 405 answers (see the module)."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_true_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"allow"
                ]
                allow = ", ".join(allowed_methods(self.routes, scope))
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, send_true_allow)
