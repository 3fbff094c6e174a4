"""Mounting the web app on the API's FastAPI application."""

from __future__ import annotations

import os

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from pixlake.web.headers import STATIC_HEADERS
from pixlake.web.routes import STATIC_DIR, router

__all__ = ["STATIC_PREFIX", "install_web"]

STATIC_PREFIX = "/ui/static"


class _AppFiles(StaticFiles):
    """The app's static files, with the pages' security and cache headers."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(STATIC_HEADERS)
        return response


def install_web(app: FastAPI) -> None:
    """Mount the app's pages, sign-in routes and static files on ``app``."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, _AppFiles(directory=STATIC_DIR), name="ui-static")
