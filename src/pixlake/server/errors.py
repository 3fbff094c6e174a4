"""Turning every exception into the JSON error body the SDK reads back."""

from __future__ import annotations

import copy
import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixlake.errors import (
    BadRequestError,
    ClientError,
    LimitExceededError,
    NotFoundError,
    PixlakeError,
    ServiceError,
)
from pixlake.limits import limit_name_for_items, limit_name_for_length

__all__ = ["install_error_handlers", "location_of"]

logger = logging.getLogger("pixlake.server")

_HTTP_ERRORS: dict[int, type[PixlakeError]] = {400: BadRequestError, 404: NotFoundError}
"""Starlette's own errors (unknown route, unparsable body) as pixlake's classes; other
statuses (405...) keep their status with a ClientError body."""


def _respond(
    error: PixlakeError, status_code: int | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status_code or error.status_code, content=error.to_body(), headers=headers
    )


def location_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as a path: ``("body", "shapes", 3, "text")`` is
    ``shapes[3].text``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]  # where FastAPI found the value, not part of its name
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _typed_error(error: dict[str, Any]) -> PixlakeError | None:
    """The typed error one pydantic failure stands for: a bound of ``pixlake.limits`` or
    an error a validator raised; None for an ordinary malformed value."""
    where = location_of(error.get("loc", ()))
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "string_too_long":
        maximum: int = ctx["max_length"]
        return LimitExceededError(
            f"{where} is longer than {maximum} characters",
            details={"field": where},
            limit=limit_name_for_length(maximum),
            maximum=maximum,
        )
    if kind == "too_long":
        maximum = ctx["max_length"]
        return LimitExceededError(
            f"{where} holds more than {maximum} items",
            details={"field": where},
            limit=limit_name_for_items(maximum),
            maximum=maximum,
        )
    if kind == "less_than" and where.endswith("offset"):
        bound = ctx.get("lt")
        return LimitExceededError(
            f"{where} must be below {bound}",
            details={"field": where},
            limit="offset_bound",
            maximum=bound,
        )
    raised = ctx.get("error")
    if isinstance(raised, PixlakeError):
        return _placed(raised, error.get("loc", ()))
    return None


def _placed(raised: PixlakeError, loc: tuple[Any, ...] | list[Any]) -> PixlakeError:
    """``raised`` (by a validator, naming the field within its model) naming the field
    within the whole request: ``text`` of the fourth shape is ``shapes[3].text``."""
    field = raised.details.get("field")
    if not field:
        return raised
    # A field validator's location ends with its field, which ``field`` names already;
    # a model validator's ends with the model.
    last = loc[-1] if loc else None
    names_last = isinstance(last, str) and (
        field == last or field.startswith((f"{last}.", f"{last}["))
    )
    parent = location_of(loc[:-1] if names_last else loc)
    named = f"{parent}.{field}" if parent else field
    placed = copy.copy(raised)
    placed.message = (
        named + raised.message[len(field) :]
        if raised.message.startswith(field)
        else f"{named}: {raised.message}"
    )
    placed.args = (placed.message,)
    placed.details = {**raised.details, "field": named}
    return placed


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PixlakeError)
    async def _pixlake_error(_request: Request, exc: PixlakeError) -> JSONResponse:
        return _respond(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems, typed, first = [], None, None
        for error in exc.errors():
            where = location_of(error.get("loc", ()))
            first = where if first is None else first
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
            typed = typed or _typed_error(error)
        if typed is not None:
            typed.details["errors"] = problems
            return _respond(typed)
        return _respond(
            BadRequestError(
                "invalid request: " + "; ".join(problems),
                details={"field": first, "errors": problems},
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error_class = _HTTP_ERRORS.get(exc.status_code, ClientError)
        error = error_class(str(exc.detail))
        return _respond(error, exc.status_code, headers=dict(exc.headers or {}))

    app.add_middleware(_AnswerUnexpectedErrors)


class _AnswerUnexpectedErrors:
    """Answers an unexpected exception with a clean 500 in pixlake's body.

    Starlette's own last-resort handler sends its answer and then raises the exception
    again, and uvicorn then closes the keep-alive connection without saying
    ``Connection: close``: a client's next request on that connection failed. Caught here,
    inside that handler, the exception ends with the answer and the connection stays
    usable. An answer already under way can't be replaced: that exception goes on up.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            error = ServiceError(f"internal error: {type(exc).__name__}")
            body = orjson.dumps(error.to_body())
            await send(
                {
                    "type": "http.response.start",
                    "status": error.status_code,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
