"""Which router module answers which paths: the one table the application is built from.

Each entry names a router of ``pixlake.server.routers`` and the first path segments its
routes start with (``/datalakes/...`` is segment ``datalakes``). The order is the order the
routes are tried in, served and embedded alike. A served application includes every router
when it is built; an embedded one includes a router on the first request under one of its
segments (``pixlake.server.lazy_routers``), so a script that only lists datalakes never
imports, nor has FastAPI analyse, the ~100 routes it does not call (docs/startup.md).

``tests/test_router_table.py`` checks the segments against the routes themselves: a route
added under a new segment without its entry here fails the suite, never a user's request.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["ROUTER_SOURCES", "FileRoute", "RouterSource", "first_segment"]

FileRoute = tuple[frozenset[str], re.Pattern[str]]
"""``(methods, path regex)`` of a route whose body is a file, held to the per-file size."""


@dataclass(frozen=True)
class RouterSource:
    """One router of ``pixlake.server.routers`` and the paths it answers."""

    module: str
    """Its module's name under ``pixlake.server.routers``."""
    segments: frozenset[str]
    """The first path segments of its routes (each route's path starts ``/<segment>/``)."""
    attribute: str = "router"
    embedded_only: bool = False
    """Mounted only in an in-process application (the routes that read a local path)."""
    carries_files: bool = False
    """Its module's ``file_upload_routes()`` names routes whose body is a file."""

    def load(self) -> APIRouter:
        """Import the module (building its routes) and return the router."""
        router: APIRouter = getattr(self._module(), self.attribute)
        return router

    def file_routes(self) -> list[FileRoute]:
        """The routes of this router whose body is a file."""
        if not self.carries_files:
            return []
        routes: list[FileRoute] = self._module().file_upload_routes()
        return routes

    def _module(self) -> ModuleType:
        return importlib.import_module(f"pixlake.server.routers.{self.module}")


def _source(module: str, *segments: str, **options: bool | str) -> RouterSource:
    return RouterSource(module, frozenset(segments), **options)  # type: ignore[arg-type]


ROUTER_SOURCES: tuple[RouterSource, ...] = (
    # First in an in-process app: the routes that ingest local files, so that an upload's
    # requests are matched before the routers other requests need are walked past.
    _source("datalakes", "datalakes", attribute="local_router", embedded_only=True),
    _source("model_files", "model-versions", attribute="local_router", embedded_only=True),
    # Thumbnails come first in a served app, since a gallery asks for one per picture and a
    # warm one costs little besides the lookup. (No two routes match the same path and
    # method, so the order changes nothing else.)
    _source("thumbnails", "data"),
    _source("health", "health"),
    _source("me", "me", "users"),
    _source("datalakes", "datalakes", carries_files=True),
    _source("data", "data"),
    _source("tags", "tags"),
    _source("objects", "objects"),
    _source("datasets", "datasets", "versions"),
    _source("assets", "assets", "data", "versions"),
    _source("annotations", "annotations", "assets", "labels", "shapes", "versions"),
    _source("exports", "versions"),
    _source("annotation_files", "annotation-files", "versions", carries_files=True),
    _source("curation", "versions"),
    _source("trash", "trash"),
    _source("models", "model-versions", "models"),
    _source("lineage", "model-versions", "versions"),
    _source("model_files", "model-files", "model-versions", carries_files=True),
    _source("gallery", "datalakes", "versions"),
)


def first_segment(path: str) -> str:
    """``datalakes`` for ``/datalakes/…``; empty for ``/``."""
    return path.split("/", 2)[1] if path.startswith("/") else ""
