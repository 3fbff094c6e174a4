"""Routers included on the first request that needs them (an embedded application).

The application holds one empty ``APIRouter`` per entry of ``ROUTER_SOURCES``, included in
the table's order when it is built; a source's router is included into its slot the first
time a request's path is of one of its families (``/versions/{id}/assets`` fills the slot
of the assets router, not those of exports or splits). Routes are therefore tried in the
same order as in a served application, and every request sees every route that could match
its path: a route's path is of one of its source's families (``router_table``), so a router
not yet included holds no route for it. A path of no family fills every router of its first
segment, and a path under no source's segment (``/openapi.json``, ``/docs``, a mistyped one)
includes them all first, so the document lists every route and a 404 is the 404 of the
whole application. ``app.openapi()`` called in the process does the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from pixlake.gcpause import paused_gc
from pixlake.server.body_alias_warning import silence_body_alias_warnings
from pixlake.server.router_table import FileRoute, RouterSource, first_segment, path_family

__all__ = ["IncludeRoutersFirst", "RouterSlots"]


class RouterSlots:
    """One slot per router source, filled on demand (see the module)."""

    def __init__(self, sources: Iterable[RouterSource], file_routes: list[FileRoute]) -> None:
        """``file_routes`` grows with the file routes of each router included."""
        self._slots = [(source, APIRouter()) for source in sources]
        self._filled: set[int] = set()
        self._file_routes = file_routes
        # Requests arrive on the event loop, but a test or a script may call the app's
        # openapi() from another thread: one fill at a time, each exactly once.
        self._lock = threading.Lock()

    def install(self, app: FastAPI) -> None:
        """Include the (empty) slots in ``app``, in the sources' order."""
        for _source, slot in self._slots:
            app.include_router(slot)

    def fill_before_document(self, app: FastAPI) -> None:
        """Have ``app.openapi()`` include every router first (call it after the document's
        own builder is installed)."""
        build_document = app.openapi

        def document_of_every_route() -> dict[str, Any]:
            self.fill_all()
            return build_document()

        app.openapi = document_of_every_route  # type: ignore[method-assign]

    def fill_for(self, path: str) -> None:
        """Include every router that may hold a route matching ``path``."""
        family = path_family(path)
        wanted = [i for i, (source, _) in enumerate(self._slots) if source.answers(family)]
        if not wanted:
            # A family no route has (a mistyped path): every router of its first segment,
            # so that its 404, or the redirect to the path with a slash, is the built one's.
            segment = first_segment(path)
            wanted = [i for i, (source, _) in enumerate(self._slots) if segment in source.segments]
        self._fill(wanted or range(len(self._slots)))

    def fill_all(self) -> None:
        self._fill(range(len(self._slots)))

    def _fill(self, indices: Iterable[int]) -> None:
        missing = [i for i in indices if i not in self._filled]
        if not missing:
            return
        # Building routes makes thousands of long-lived objects; collecting along the way
        # would only walk them again (pixlake.gcpause).
        with self._lock, paused_gc():
            for i in missing:
                if i in self._filled:
                    continue
                source, slot = self._slots[i]
                slot.include_router(source.load())
                silence_body_alias_warnings(slot.routes)
                self._file_routes.extend(source.file_routes())
                self._filled.add(i)


class IncludeRoutersFirst:
    """ASGI middleware, outermost: fills the slots a request's path needs before anything
    else reads the routes (the body limits, the router, the ``Allow`` header)."""

    def __init__(self, app: ASGIApp, fill_for: Callable[[str], None]) -> None:
        self.app = app
        self.fill_for = fill_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            self.fill_for(_route_path(scope))
        await self.app(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the routes are matched against: the request's, less the prefix the
    application is mounted under (``root_path``), as Starlette's router reads it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :]
    return path
