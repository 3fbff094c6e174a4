"""Which router module answers which paths: the one table the application is built from.

Each entry names a router of ``pixlake.server.routers`` and the families of paths its
routes answer. A path's family is its first segment and its third, the part after the
object's id: ``/versions/{id}/assets`` is ``versions/assets``, ``/versions/{id}`` and
``/versions`` are ``versions``, and ``objects/*`` stands for every third segment (a route
whose third segment is a parameter). The order is the order the routes are tried in, served
and embedded alike. A served application includes every router when it is built; an
embedded one includes a router on the first request of one of its families
(``pixlake.server.lazy_routers``), so a script that lists datalakes or the assets of a
version never imports, nor has FastAPI analyse, the routes of exports, imports, splits or
the gallery that share the first segment (docs/startup.md).

``tests/test_router_table.py`` checks the families against the routes themselves: a route
added under a new family without its entry here fails the suite, never a user's request.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["ANY", "ROUTER_SOURCES", "FileRoute", "RouterSource", "first_segment", "path_family"]

FileRoute = tuple[frozenset[str], re.Pattern[str]]
"""``(methods, path regex)`` of a route whose body is a file, held to the per-file size."""


@dataclass(frozen=True)
class RouterSource:
    """One router of ``pixlake.server.routers`` and the paths it answers."""

    module: str
    """Its module's name under ``pixlake.server.routers``."""
    families: frozenset[str]
    """The families of its routes' paths (``versions/assets``, ``versions``, ``objects/*``)."""
    attribute: str = "router"
    embedded_only: bool = False
    """Mounted only in an in-process application (the routes that read a local path)."""
    carries_files: bool = False
    """Its module's ``file_upload_routes()`` names routes whose body is a file."""

    @property
    def segments(self) -> frozenset[str]:
        """The first path segments of its routes (each route's path starts ``/<segment>``)."""
        return frozenset(_segment_of(family) for family in self.families)

    def answers(self, family: str) -> bool:
        """Whether a path of ``family`` (``path_family``) may be one of its routes'."""
        return family in self.families or f"{_segment_of(family)}/{ANY}" in self.families

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


ANY = "*"
"""The third segment of a family that stands for any (``objects/*``)."""


def _source(module: str, *families: str, **options: bool | str) -> RouterSource:
    return RouterSource(module, frozenset(families), **options)  # type: ignore[arg-type]


ROUTER_SOURCES: tuple[RouterSource, ...] = (
    # First in an in-process app: the routes that ingest local files, so that an upload's
    # requests are matched before the routers other requests need are walked past.
    _source("datalake_data", "datalakes/data", attribute="local_router", embedded_only=True),
    _source("model_files", "model-versions/files", attribute="local_router", embedded_only=True),
    # Thumbnails come first in a served app, since a gallery asks for one per picture and a
    # warm one costs little besides the lookup. (No two routes match the same path and
    # method, so the order changes nothing else.)
    _source("thumbnails", "data/content", "data/thumbnail"),
    _source("health", "health"),
    _source("me", "me", "users", "users/revoke"),
    _source("datalakes", "datalakes"),
    _source("datalake_data", "datalakes/data", carries_files=True),
    _source("data", "data", "data/custom-metadata", "data/url"),
    _source("tags", "tags"),
    _source("objects", "objects/*"),
    _source(
        "datasets",
        "datasets",
        "datasets/versions",
        "datasets/workers",
        "versions",
        "versions/fork",
        "versions/lock",
        "versions/stats",
        "versions/unlock",
    ),
    _source("assets", "assets", "data", "versions/assets"),
    _source(
        "annotations",
        "annotations",
        "annotations/shapes",
        "assets/annotation",
        "assets/annotations",
        "labels",
        "shapes",
        "versions/annotations",
        "versions/labels",
    ),
    _source("exports", "versions/export"),
    _source("annotation_files", "annotation-files", "versions/annotations", carries_files=True),
    _source("curation", "versions/diff", "versions/split"),
    _source("trash", "trash"),
    _source("models", "model-versions", "models", "models/versions"),
    _source("lineage", "model-versions/dataset-versions", "versions/model-versions"),
    _source(
        "model_files", "model-files", "model-files/url", "model-versions/files", carries_files=True
    ),
    _source("gallery", "datalakes/gallery", "versions/gallery"),
)


def first_segment(path: str) -> str:
    """``datalakes`` for ``/datalakes/…``; empty for ``/``."""
    return path.split("/", 2)[1] if path.startswith("/") else ""


def path_family(path: str) -> str:
    """``versions/assets`` for ``/versions/{id}/assets/…``; ``versions`` for ``/versions``
    and ``/versions/{id}``: the first segment, and the third when there is one."""
    parts = path.split("/", 4)
    third = parts[3] if path.startswith("/") and len(parts) > 3 else ""
    return f"{first_segment(path)}/{third}" if third else first_segment(path)


def _segment_of(family: str) -> str:
    """``versions`` for the family ``versions/assets`` (and for ``versions``)."""
    return family.split("/", 1)[0]
