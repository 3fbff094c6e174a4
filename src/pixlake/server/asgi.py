"""The served application built from the environment, for uvicorn's worker processes.

``pixlake serve --workers N`` starts N processes; each imports this factory and builds its
own app from the same ``PIXLAKE_*`` settings. Nothing a request needs lives only in one
process: the database and the object store hold every piece of state.
"""

from __future__ import annotations

from fastapi import FastAPI

from pixlake.allocator import keep_large_blocks_in_heap
from pixlake.core.workspace import open_workspace
from pixlake.server.app import create_app
from pixlake.server.startup_heap import freeze_startup_objects
from pixlake.settings import Settings

__all__ = ["app_from_environment"]


def app_from_environment() -> FastAPI:
    opened = open_workspace(Settings(), upgrade=False)
    app = create_app(opened.context)
    # A worker process only serves this app.
    keep_large_blocks_in_heap()
    freeze_startup_objects()
    return app
