"""A Picsellia-compatible API: the official ``picsellia`` SDK, unchanged, against pixlake.

Mounted under ``/api`` (the SDK builds every URL from the host's root), over the same
services, tokens and organization scoping as pixlake's own routes: no domain rule lives
here, only the translation of paths, bodies and answers. ``docs/picsellia-compatibility.md``
lists what works, what does not, and what users will notice.
"""

from fastapi import APIRouter

from pixlake.server.compat import (
    annotation_files,
    assets,
    datalake,
    datasets,
    models,
    session,
    uploads,
)
from pixlake.server.compat import annotations as annotation_routes

__all__ = ["file_upload_routes", "routers"]

file_upload_routes = uploads.file_upload_routes


def routers() -> list[APIRouter]:
    """The compatibility routes, each router prefixed with ``/api``."""
    return [
        module.router
        for module in (
            session,
            datalake,
            uploads,
            datasets,
            assets,
            annotation_routes,
            annotation_files,
            models,
        )
    ]
