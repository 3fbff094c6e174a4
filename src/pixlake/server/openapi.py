"""The OpenAPI document, made to tell the truth about the API.

FastAPI's own document says that every route with an input may answer 422 (pixlake answers
validation failures with 400) and says nothing of the errors routes do answer. Here the
document FastAPI generates is completed in one place, ``install_openapi``: every operation
gets the error answers of its kind, read from what the document says it takes,

- a query parameter or a body: 400 (``bad_request`` and its kin), the answer to invalid
  input;
- a request body: 413 (``payload_too_large``), bodies being bounded;
- any request: 431 and 408, a head too large or a client too slow (the server's limits);
- a token (``security``): 401 (``unauthorized``), and 403 (``forbidden``) for a write, which
  a member may ask of what only an admin may do; the token scheme itself (HTTP Bearer)
  comes from the dependency that reads it (``pixlake.server.deps``);
- an ``Idempotency-Key`` header: 409 (``request_in_progress``) and 422
  (``idempotency_key_reused``);
- a path parameter: 404 (``not_found``): the object it names may not exist for the caller;

merged with what only the route itself knows, declared on its decorator with
``responses=errors(ConflictError, ...)``. Every error answer has the schema of
``ErrorBody`` and lists, in ``x-error-codes``, the machine-readable codes it may hold.
FastAPI's 422 and its validation-error schemas are left out, and the definitions of
hand-written body schemas (``json_body``) move among the components, so that every
``$ref`` resolves.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from pixlake.errors import (
    BadRequestError,
    ForbiddenError,
    HeadersTooLargeError,
    IdempotencyKeyReusedError,
    NotFoundError,
    PayloadTooLargeError,
    PixlakeError,
    RequestInProgressError,
    RequestTimeoutError,
    UnauthorizedError,
    error_class_for_code,
)
from pixlake.schemas import IDEMPOTENCY_HEADER, ErrorBody

__all__ = [
    "ERROR_CODES_KEY",
    "binary_body",
    "binary_response",
    "errors",
    "install_openapi",
    "json_body",
    "truthful_document",
]

ERROR_CODES_KEY = "x-error-codes"
"""Key of an error response listing the codes its ``ErrorBody`` may hold."""

COMPONENTS = "#/components/schemas/"

# FastAPI's answer to invalid input, which pixlake replaces by a 400 (server/errors.py).
_FASTAPI_VALIDATION_STATUS = "422"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _describe(codes: list[str]) -> str:
    lines = []
    for code in codes:
        cls = error_class_for_code(code, 500)
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        lines.append(f"`{code}`: {summary}")
    return "\n\n".join(lines)


def _error_response(codes: list[str]) -> dict[str, Any]:
    return {
        "description": _describe(codes),
        ERROR_CODES_KEY: codes,
        "content": {"application/json": {"schema": {"$ref": COMPONENTS + "ErrorBody"}}},
    }


def errors(*classes: type[PixlakeError]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that answers these errors, beyond those every route of
    its kind answers (see the module), grouped by HTTP status.

    Example:
        ``@router.post("/tags", status_code=201, responses=errors(ConflictError))``
    """
    by_status: dict[int | str, list[str]] = {}
    for cls in classes:
        by_status.setdefault(str(cls.status_code), []).append(cls.code)
    return {status: _error_response(codes) for status, codes in by_status.items()}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its JSON body itself (to validate it from
    its bytes) but whose body is ``model``: the document shows the model as if FastAPI had
    read it."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": model.model_json_schema(ref_template=COMPONENTS + "{model}")
                }
            },
        }
    }


def binary_body(media_type: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body is a stream of bytes of ``media_type``."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


def binary_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """``responses`` of a route answering bytes of ``media_type`` (``*/*``: any type)."""
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


def _errors_of_kind(operation: dict[str, Any], method: str) -> list[type[PixlakeError]]:
    """The errors every operation taking what ``operation`` takes may answer."""
    # Any request may be cut short: a head too large (431), a client too slow (408).
    found: list[type[PixlakeError]] = [HeadersTooLargeError, RequestTimeoutError]
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    # Path parameters are matched by their routes' patterns (an id that is not a UUID
    # names no route, a 404), so only the others can be invalid.
    if has_body or any(parameter["in"] != "path" for parameter in parameters):
        found.append(BadRequestError)
    if has_body:
        found.append(PayloadTooLargeError)
    if operation.get("security"):
        found.append(UnauthorizedError)
        if method != "get":  # reads never depend on a role (docs/roles.md)
            found.append(ForbiddenError)  # a member asking what only an admin may do
    if any(
        parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_HEADER
        for parameter in parameters
    ):
        found += [RequestInProgressError, IdempotencyKeyReusedError]
    if any(parameter["in"] == "path" for parameter in parameters):
        found.append(NotFoundError)
    return found


def _document_errors(operation: dict[str, Any], method: str) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop(_FASTAPI_VALIDATION_STATUS, None)
    for status, generic in errors(*_errors_of_kind(operation, method)).items():
        declared = responses.get(status)
        codes = generic[ERROR_CODES_KEY]
        if declared is not None:
            codes = list(dict.fromkeys(codes + declared.get(ERROR_CODES_KEY, [])))
        responses[status] = _error_response(codes)
    # Statuses in order, the successful answer first, as a reader looks for them.
    operation["responses"] = dict(sorted(responses.items()))


def _hoist_definitions(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """Move the ``$defs`` of a hand-written body schema into the components, where its
    references (written with the components' prefix by ``json_body``) point."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        for name, definition in media.get("schema", {}).pop("$defs", {}).items():
            if components.setdefault(name, definition) != definition:
                raise ValueError(f"two different schemas are named {name!r}")


def truthful_document(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (FastAPI's) with the errors each operation answers, no 422 and every
    definition where its references point; changed in place and returned."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components["ErrorBody"] = ErrorBody.model_json_schema(ref_template=COMPONENTS + "{model}")
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            _hoist_definitions(operation, components)
            _document_errors(operation, method)
    document["components"]["schemas"] = dict(sorted(components.items()))
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the truthful document at ``/openapi.json`` (and in ``/docs``)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = truthful_document(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
