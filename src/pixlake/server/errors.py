"""Turning every exception into the JSON error body the SDK reads back."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pixlake.errors import BadRequestError, PixlakeError, ServiceError

__all__ = ["install_error_handlers"]

logger = logging.getLogger("pixlake.server")


def _respond(error: PixlakeError) -> JSONResponse:
    return JSONResponse(status_code=error.status_code, content=error.to_body())


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PixlakeError)
    async def _pixlake_error(_request: Request, exc: PixlakeError) -> JSONResponse:
        return _respond(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return _respond(BadRequestError("invalid request: " + "; ".join(problems),
                                        details={"errors": problems}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(ServiceError(f"internal error: {type(exc).__name__}"))
